"""The compiled programs behind :func:`reglab.training.train` and :func:`reglab.sweeps.sweep`.

An epoch runs inside one ``tf.function``: a ``tf.while_loop`` takes every step without returning
to Python (on one device XLA can compile it into a single program). Each step computes, for each
of the K models (K = 1 for ``train``), the parts of its objective

    [data loss, penalty term 1, ..., penalty term T]      (float32)

checks that all are finite, and only then applies the update: a non-finite step is not applied
and ends the loop, and Python raises an error that names it. The data sit on the device as two
tensors; a batch is a row of an index matrix (the epoch's permutation), gathered in-graph.

:class:`Program` holds that loop; :class:`Lockstep` steps K separate Keras models (any
architecture, any ``tf.distribute`` strategy); :mod:`reglab._vectorized` stacks K variants of one
architecture into one model.
"""

from __future__ import annotations

import numpy as np

from reglab import compat
from reglab.objective import ACTIVITY, ADDED, data_loss, penalty_terms, sorted_terms, term_labels


class Program:
    """The epoch loop shared by the engines. Subclasses define one step and its update.

    A subclass sets ``models``, ``labels`` (``["data_loss", "penalty/<layer>/<kind>", ...]``),
    ``_x``, ``_y`` and ``_validation``, implements ``_step``, ``_commit``, ``_evaluate_graph``,
    ``weights``, ``state_variables``, and calls :meth:`_compile`.
    """

    engine = "?"

    def _compile(self, jit_compile: bool) -> None:
        """Wrap the graphs in ``tf.function``s, traced once, here.

        Each program gets fresh closures (TensorFlow's retracing warning does not count earlier
        programs) and no autograph (the loops are explicit ``tf.while_loop``/``tf.cond``, and
        converting Keras' own code would only slow tracing down). One trace, for any batch shape,
        serves all steps; with XLA the loop over full batches is compiled from that same trace,
        and the last, smaller batch and the validation pass run without it.
        """
        import tensorflow as tf

        specs = [tf.type_spec_from_value(self._x), tf.type_spec_from_value(self._y),
                 tf.TensorSpec([None, None], tf.int32)]
        self._train_rest = tf.function(
            lambda x, y, batches: self._train_steps_graph(x, y, batches),
            input_signature=specs, autograph=False,
        )
        traced = self._train_rest.get_concrete_function()
        self._train_steps = self._train_rest
        if jit_compile:
            self._train_steps = tf.function(
                lambda x, y, batches: traced(x, y, batches), jit_compile=True, autograph=False
            )
        self._evaluate = None
        if self._validation is not None:
            self._evaluate = tf.function(lambda x, y: self._evaluate_graph(x, y), autograph=False)
            self._evaluate.get_concrete_function(*self._validation)

    # --- what Python calls ----------------------------------------------------------------
    def train_batches(self, batches: np.ndarray, *, compiled: bool = True):
        """Run one step per row of ``batches`` (sample indices); stop at a non-finite step.

        ``compiled=False`` runs without XLA (for the epoch's last, smaller batch). Returns the
        per-model parts summed over the steps and weighted by batch size (``[K, P]``), the index
        of the first non-finite step (-1 if none) and its parts.
        """
        import tensorflow as tf

        program = self._train_steps if compiled else self._train_rest
        sums, bad_step, bad_parts = program(self._x, self._y, tf.constant(batches, dtype=tf.int32))
        return sums.numpy(), int(bad_step), bad_parts.numpy()

    def evaluate(self) -> np.ndarray | None:
        """The parts of every model on the whole validation set (``[K, P]``), or None."""
        return None if self._evaluate is None else self._evaluate(*self._validation).numpy()

    def finish(self) -> None:
        """Leave the trained weights in the models (a no-op when the models are trained in place)."""

    # --- the loop --------------------------------------------------------------------------
    def _train_steps_graph(self, x, y, batches):
        import tensorflow as tf

        steps, size = tf.shape(batches)[0], tf.cast(tf.shape(batches)[1], tf.float32)
        zeros = tf.zeros([len(self.models), len(self.labels)], tf.float32)

        def running(step, sums, bad_step, bad_parts):
            return tf.logical_and(step < steps, bad_step < 0)

        def one_step(step, sums, bad_step, bad_parts):
            parts, update = self._step(x, y, batches[step])
            finite = tf.reduce_all(tf.math.is_finite(parts))
            tf.cond(finite, lambda: self._commit(update), lambda: tf.constant(False))
            return (
                step + 1,
                sums + tf.where(finite, parts * size, zeros),
                tf.where(finite, bad_step, step),
                tf.where(finite, bad_parts, parts),
            )

        start = (tf.constant(0), zeros, tf.constant(-1), zeros)
        _, sums, bad_step, bad_parts = tf.while_loop(running, one_step, start)
        return sums, bad_step, bad_parts


class Lockstep(Program):
    """Step K Keras models on the same batches, under any ``tf.distribute`` strategy.

    Per step, each replica of each model computes

        total = data loss · share + Σ_weights penalty / replicas + Σ_activity penalty · share

    where ``share`` is the replica's fraction of the global batch, so that the gradients the
    optimizer sums over replicas are exactly the gradients of ``data loss + Σ penalties`` on the
    global batch (uneven shards of the last batch included). That holds for an activity term
    that is a mean over the shard: Keras 3.14 and later divide ``regularizer(output)`` by the
    batch size. Keras 3.0 to 3.13 add it as it is (:func:`reglab.compat.activity_divided_by_batch`):
    there a regularizer that sums over the samples (Keras' ``L1``, ``L2``, ``L1L2``) gives the
    shard's sum, and the shards' sums add up to the global batch's, so the term is added unscaled.
    A regularizer that is a statistic of the whole batch (``batch_statistic = True``, as
    :class:`reglab.regularizers.KLSparsity` declares) is weighted by the share on every release.

    Parameters
    ----------
    models, optimizers, losses : list
        One entry per model; the optimizers are built, and all were created under ``strategy``.
    strategy : tf.distribute.Strategy
    x, y : np.ndarray
        The training data (float32 features; int32 or float32 targets).
    validation : tuple of np.ndarray or None
    jit_compile : bool
        Compile the epoch loop with XLA (one replica only).
    """

    engine = "lockstep"

    def __init__(self, models, optimizers, losses, strategy, x, y, validation, *, jit_compile):
        self.models, self.optimizers, self.losses = list(models), list(optimizers), list(losses)
        self.strategy, self.replicas = strategy, strategy.num_replicas_in_sync
        self.keys = self._term_keys(x[:2], y[:2])
        labels = term_labels(self.models[0])
        self.labels = ["data_loss"] + [f"penalty/{labels[key]}" for key in self.keys]
        self._x, self._y = self._place(x), self._place(y)
        self._validation = None
        if validation is not None:
            self._validation = tuple(self._place(a, replicated=False) for a in validation)
        self._compile(jit_compile)

    def weights(self) -> list[list[np.ndarray]]:
        """The trainable weights of every model, as numpy arrays."""
        return [[v.numpy() for v in model.trainable_weights] for model in self.models]

    def state_variables(self) -> list:
        """What a checkpoint holds: model variables (seed states included), optimizer variables."""
        return [v for model, optimizer in zip(self.models, self.optimizers, strict=True)
                for v in (*model.variables, *optimizer.variables)]

    # --- the graphs ---------------------------------------------------------------------------
    def _step(self, x, y, batch):
        parts, grads = self.strategy.run(self._replica_step, args=(x, y, batch))
        return self.strategy.reduce("SUM", parts, axis=None), grads

    def _commit(self, grads):
        import tensorflow as tf

        self.strategy.run(self._replica_apply, args=(grads,))
        return tf.constant(True)

    def _replica_step(self, x, y, batch):
        import tensorflow as tf

        share = None
        if self.replicas > 1:  # this replica's slice of the global batch
            context = tf.distribute.get_replica_context()
            mine = batch[context.replica_id_in_sync_group :: self.replicas]
            share = tf.cast(tf.shape(mine)[0], tf.float32) / tf.cast(tf.shape(batch)[0], tf.float32)
            batch = mine
        xb, yb = tf.gather(x, batch), tf.gather(y, batch)
        parts, grads = [], []
        for model, optimizer, loss in zip(self.models, self.optimizers, self.losses, strict=True):
            with tf.GradientTape() as tape:
                vector = self._parts(model, loss, xb, yb, training=True, share=share)
                total = optimizer.scale_loss(tf.reduce_sum(vector))
            variables = model.trainable_variables
            gradients = tape.gradient(total, variables)
            grads.append([tf.zeros_like(v) if g is None else g
                          for g, v in zip(gradients, variables, strict=True)])
            parts.append(vector)
        return tf.stack(parts), grads

    def _replica_apply(self, grads):
        for model, optimizer, gradients in zip(self.models, self.optimizers, grads, strict=True):
            optimizer.apply(gradients, model.trainable_variables)

    def _evaluate_graph(self, x, y):
        import tensorflow as tf

        return tf.stack(
            [
                self._parts(model, loss, x, y, training=False, share=None)
                for model, loss in zip(self.models, self.losses, strict=True)
            ]
        )

    def _parts(self, model, loss, x, y, *, training, share):
        """``[data loss, term 1, ..., term T]`` in float32, scaled to this replica's share."""
        import tensorflow as tf

        data = data_loss(loss, y, model(x, training=training))
        terms = penalty_terms(model)
        unknown = set(terms) - set(self.keys)
        if unknown:
            raise RuntimeError(
                f"The model added penalty terms only while training: {sorted(unknown)}; "
                "reglab expects every term of model.losses to appear in a forward pass."
            )
        if share is not None:
            data = tf.math.multiply_no_nan(data, share)
            terms = {key: self._scaled(model, key, value, share) for key, value in terms.items()}
        zero = tf.zeros([], tf.float32)
        return tf.stack([data] + [terms.get(key, zero) for key in self.keys])

    def _scaled(self, model, key, value, share):
        """A weight penalty is the same on every replica: each adds 1/replicas of it. A term that
        depends on the batch (activity) is a mean over the shard: weight it by the share; where
        Keras adds an activity term summed over the shard's samples, the shards' terms add up."""
        import tensorflow as tf

        if key[1] == ACTIVITY and _summed_over_samples(model, key[0]):
            return value
        if key[1] in (ACTIVITY, ADDED):
            return tf.math.multiply_no_nan(value, share)
        return value / self.replicas

    # --- set-up ----------------------------------------------------------------------------
    def _term_keys(self, x, y) -> list[tuple[int, str]]:
        """The union of the models' penalty terms, found by tracing one forward pass each."""
        import tensorflow as tf

        found: dict[tuple[int, str], None] = {}
        training = self.replicas == 1  # tracing runs nothing, but must not assign across replicas

        def trace(model):
            model(tf.constant(x), training=training)
            found.update(dict.fromkeys(penalty_terms(model)))
            return tf.constant(0)

        for model in self.models:
            tf.function(lambda model=model: trace(model), autograph=False).get_concrete_function()
            model._clear_losses()
        return sorted_terms(self.models[0], found)

    def _place(self, array: np.ndarray, *, replicated: bool = True):
        """The whole array on the device (one copy per replica when there are several)."""
        import tensorflow as tf

        tensor = tf.convert_to_tensor(array)
        if self.replicas > 1 and replicated:
            return self.strategy.experimental_distribute_values_from_function(
                lambda context: tf.identity(tensor)
            )
        device = getattr(self.strategy.extended, "_device", None)  # OneDeviceStrategy's device
        with tf.device(device if self.replicas == 1 else None):
            return tf.identity(tensor)


def _summed_over_samples(model, position: int) -> bool:
    """Is the activity term of the layer at ``position`` (in ``model._flatten_layers``) the sum over
    the batch's samples, not divided by the batch size? True on Keras 3.0 to 3.13 for a regularizer
    that sums over the samples; False where Keras divides, and for a statistic of the whole batch
    (a regularizer with ``batch_statistic = True``; a float32 wrapper of reglab.precision is seen
    through)."""
    if compat.activity_divided_by_batch():
        return False
    layer = list(model._flatten_layers(include_self=True))[position]
    regularizer = layer.activity_regularizer
    regularizer = getattr(regularizer, "regularizer", regularizer)  # reglab.precision.InFloat32
    return not getattr(regularizer, "batch_statistic", False)
