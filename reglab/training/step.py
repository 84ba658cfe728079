"""The one training step of every engine (one model, K models in lockstep, K stacked variants).

A step, for the K rows (models or variants) of an engine:

1. computes the parts of each row's objective ``[data loss, penalty 1, ..., penalty T]`` and the
   gradients of ``scale(Σ parts)`` for each optimizer (:func:`gradients_of`, inside the engine's
   replica function);
2. checks that every part and every gradient is finite (a gradient's sum is NaN or infinite as
   soon as one entry is: one reduction per variable);
3. applies the update.

An epoch first runs its steps the quick way (:func:`quick_step`): each step applies its update
and folds a check of its loss parts into one flag, so no branch and no pass over the gradients sits
in a step (together they cost about a quarter of a small model's epoch). A non-finite gradient
cannot hide there: with Keras' own optimizers it always leaves a non-finite weight or optimizer
variable behind (Adam's moments, SGD's weights, ...), which the program checks once at the end of
the epoch, along with updates that overflowed (``w - lr·g = -inf``). Only where that does not hold
(``clipvalue`` turns an infinite gradient into a finite one; an optimizer of unknown make) does
the quick step check its gradients too (:func:`gradients_leave_a_trace`). Only if something went
bad does the program put back a copy of the epoch's starting state and re-run the epoch with
:func:`careful_step`: there each step checks its parts and gradients *before* it applies them,
keeps a copy of the trainable weights, checks the updated ones and undoes a bad update at once.
The re-run takes the same steps (same batches, same seed states), so it stops at the bad step.

So a bad step is never kept: the weights keep the values they had before it, and the loop stops
and reports the step, the kind (loss part, gradient, update) and the variable. Under loss scaling
the gradient check is left to ``keras.optimizers.LossScaleOptimizer``, which skips such steps by
design.
"""

from __future__ import annotations

from dataclasses import dataclass

FINE, BAD_PART, BAD_GRADIENT, BAD_UPDATE = 0, 1, 2, 3
"""What a step reports: all finite, a non-finite loss part, gradient, or updated weight."""


@dataclass(frozen=True)
class Group:
    """Variables trained by one optimizer, and how many rows (variants) they hold: 1 for a Keras
    model of its own, K for weights stacked along a leading variant axis."""

    variables: list
    optimizer: object
    rows: int


def gradients_of(objective, groups: list[Group]):
    """``parts`` of every row (``[K, P]``), the gradients of each group, and their sums ``[K, V]``.

    ``objective()`` returns one tensor per group: ``[P]`` for a one-row group, ``[rows, P]``
    otherwise. Each group's optimizer scales its own total (loss scaling) before differentiation.
    """
    import tensorflow as tf

    with tf.GradientTape() as tape:
        outputs = objective()
        totals = [group.optimizer.scale_loss(tf.reduce_sum(out)) for group, out in
                  zip(groups, outputs, strict=True)]
        total = totals[0] if len(totals) == 1 else tf.add_n(totals)
    variables = [v for group in groups for v in group.variables]
    gradients = tape.gradient(total, variables)
    gradients = [tf.zeros_like(v) if g is None else g for g, v in zip(gradients, variables, strict=True)]
    parts = tf.concat([tf.reshape(out, [-1, out.shape[-1]]) for out in outputs], axis=0)
    return parts, gradients, sums_by_row(groups, gradients)


def sums_by_row(groups: list[Group], tensors) -> object:
    """``[K, V]``: the sum of each row's entries of each variable-shaped tensor (NaN or infinite as
    soon as one entry is)."""
    import tensorflow as tf

    rows, start = [], 0
    for group in groups:
        chunk = tensors[start : start + len(group.variables)]
        start += len(group.variables)
        if group.rows == 1:
            rows.append(tf.stack([tf.reduce_sum(tf.cast(t, tf.float32)) for t in chunk])[None])
        else:
            rows.append(tf.stack([tf.reduce_sum(tf.cast(t, tf.float32), axis=list(range(1, len(t.shape))))
                                  for t in chunk], axis=1))
    return rows[0] if len(rows) == 1 else tf.concat(rows, axis=0)


def gradients_leave_a_trace(optimizer) -> bool:
    """Does a non-finite gradient always leave a non-finite weight or optimizer variable behind?

    True for Keras' own optimizers (each adds the gradient, or its square, into a weight or a
    moment) unless ``clipvalue`` is set, which clips ``inf`` to a finite value; False for an
    optimizer defined elsewhere, whose update reglab cannot know.

    Examples
    --------
    >>> import keras
    >>> gradients_leave_a_trace(keras.optimizers.Adam()), gradients_leave_a_trace(
    ...     keras.optimizers.SGD(clipvalue=1.0))
    (True, False)
    """
    import keras

    inner = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
    own = type(inner).__module__.startswith("keras.")
    return own and isinstance(inner, keras.optimizers.Optimizer) and inner.clipvalue is None


def quick_step(engine, x, y, batch, *, check_gradients: bool):
    """One step of ``engine`` on the samples ``batch``, applied unchecked: ``(parts [K, P], fine)``.

    ``fine`` is False when a loss part (or, with ``check_gradients``, a gradient) was not finite;
    the program then re-runs the epoch carefully (see the module docstring), so this step's update
    is never kept.
    """
    import tensorflow as tf

    parts, gradients, gradient_sums, aux = engine.forward_and_gradients(x, y, batch)
    engine.apply(gradients, aux)
    fine = tf.reduce_all(tf.math.is_finite(parts))
    if check_gradients:
        fine = tf.logical_and(fine, tf.reduce_all(tf.math.is_finite(gradient_sums)))
    return parts, fine


def careful_step(engine, x, y, batch):
    """One checked step of ``engine`` on the samples ``batch``: ``(parts [K, P], kind, details [K, V])``.

    The parts and gradients are checked before the update is applied, and the updated weights
    after it. ``kind`` is :data:`FINE` or what went wrong (nothing is kept then); ``details``
    holds the gradient sums (:data:`BAD_GRADIENT`) or updated-weight sums (:data:`BAD_UPDATE`)
    per row and variable, NaN or infinite where that variable went bad.
    """
    import tensorflow as tf

    parts, gradients, gradient_sums, aux = engine.forward_and_gradients(x, y, batch)
    parts_fine = tf.reduce_all(tf.math.is_finite(parts))
    gradients_fine = tf.constant(True) if engine.loss_scaled else \
        tf.reduce_all(tf.math.is_finite(gradient_sums))
    zeros = tf.zeros(gradient_sums.shape, tf.float32)

    def commit():
        variables = engine.trainable()
        saved = [tf.identity(v.value) for v in variables]
        engine.apply(gradients, aux)
        weight_sums = sums_by_row(engine.groups(), [v.value for v in variables])
        fine = tf.reduce_all(tf.math.is_finite(weight_sums))

        def undo():
            for variable, value in zip(variables, saved, strict=True):
                variable.assign(value)
            return tf.constant(False)

        tf.cond(fine, lambda: tf.constant(True), undo)
        return weight_sums

    weight_sums = tf.cond(tf.logical_and(parts_fine, gradients_fine), commit, lambda: zeros)
    updates_fine = tf.reduce_all(tf.math.is_finite(weight_sums))
    kind = tf.where(~parts_fine, BAD_PART, tf.where(~gradients_fine, BAD_GRADIENT,
                                                    tf.where(~updates_fine, BAD_UPDATE, FINE)))
    details = tf.where(~gradients_fine, gradient_sums, weight_sums)
    return parts, kind, details
