"""The one training step of every engine (one model, K models in lockstep, K stacked variants).

A step, for the K rows (models or variants) of an engine:

1. computes the parts of each row's objective ``[data loss, penalty 1, ..., penalty T]`` and the
   gradients of ``scale(Σ parts)`` for each optimizer (:func:`gradients_of`, inside the engine's
   replica function);
2. checks that every part and every gradient is finite (a gradient's sum is NaN or infinite as
   soon as one entry is: one reduction per variable);
3. only then applies the update.

A non-finite update (finite gradients that overflow the weights, ``w - lr·g = -inf``) is rare,
and checking every step for it costs a third of the step (a copy of the weights, a reduction
over them, a branch): so the program checks the weights once per epoch, and only if they went
bad re-runs that epoch from a copy of its starting state with ``careful=True``, where each step
keeps a copy of the trainable weights, checks the updated ones, and undoes a bad update at once.
The re-run takes the same steps (same batches, same seed states), so it stops at the bad step.

So a bad step is never kept: the weights keep their values, and the loop stops and reports the
step, the kind (loss part, gradient, update) and the variable. Under loss scaling the gradient
check is left to ``keras.optimizers.LossScaleOptimizer``, which skips such steps by design.
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


def train_step(engine, x, y, batch, *, careful: bool = False):
    """One step of ``engine`` on the samples ``batch``: ``(parts [K, P], kind, details [K, V])``.

    ``kind`` is :data:`FINE` or what went wrong (nothing is kept then); ``details`` holds the
    gradient sums (:data:`BAD_GRADIENT`) or updated-weight sums (:data:`BAD_UPDATE`) per row and
    variable, NaN or infinite where that variable went bad. Only a ``careful`` step checks the
    updated weights (see the module docstring).
    """
    import tensorflow as tf

    parts, gradients, gradient_sums, aux = engine.forward_and_gradients(x, y, batch)
    parts_fine = tf.reduce_all(tf.math.is_finite(parts))
    gradients_fine = tf.constant(True) if engine.loss_scaled else \
        tf.reduce_all(tf.math.is_finite(gradient_sums))
    zeros = tf.zeros(gradient_sums.shape, tf.float32)
    if not careful:
        def apply():
            engine.apply(gradients, aux)
            return tf.constant(True)

        tf.cond(tf.logical_and(parts_fine, gradients_fine), apply, lambda: tf.constant(False))
        kind = tf.where(~parts_fine, BAD_PART, tf.where(~gradients_fine, BAD_GRADIENT, FINE))
        return parts, kind, tf.where(~gradients_fine, gradient_sums, zeros)

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
