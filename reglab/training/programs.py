"""The compiled programs behind :func:`reglab.training.train` and :func:`reglab.training.sweep`.

An epoch runs inside one ``tf.function``: ``tf.while_loop`` takes every full batch and then the
last, smaller one without returning to Python (on one device XLA compiles the whole epoch, the
last batch included, into a single program). Each step is the same for every engine
(:mod:`reglab.training.step`): the parts of each model's objective

    [data loss, penalty term 1, ..., penalty term T]      (float32)

and the gradients are checked, and the update applied. An epoch runs quickly first (each step's
checks folded into one flag, no branch per step); only if something went bad is the epoch run
again from its starting state, carefully, where a bad step is refused before it is applied, ends
the loop, and Python raises an error that names it. The data sit on
the device as two tensors; a batch is a row of an index matrix (the epoch's permutation),
gathered in-graph.

:class:`Program` holds that loop; :class:`Lockstep` steps K separate Keras models (any
architecture, any ``tf.distribute`` strategy); :mod:`reglab.training.stacked` stacks K variants of
one architecture into one model. :func:`build` compiles the program a plan asks for: a new engine
(Keras on JAX, say) is one more module with the methods :class:`Program` documents, and one more
line there.
"""

from __future__ import annotations

import numpy as np

from reglab import _keras, compat
from reglab.objective import ACTIVITY, ADDED, data_loss, penalty_terms, sorted_terms, term_labels
from reglab.training import reuse
from reglab.training.step import (
    BAD_GRADIENT,
    BAD_PART,
    BAD_UPDATE,
    FINE,
    Group,
    careful_step,
    gradients_leave_a_trace,
    gradients_of,
    quick_step,
)

__all__ = ["BAD_GRADIENT", "BAD_PART", "BAD_UPDATE", "FINE", "Lockstep", "Program", "build"]


def build(plan):
    """The compiled program of ``plan`` (its engine, its XLA setting): the one the last run
    compiled if it is the same (:mod:`reglab.training.reuse`), else a new one."""
    if plan.engine == "vectorized":
        from reglab.training.stacked import Vectorized

        return Vectorized(list(plan.models), plan.optimizers[0], list(plan.losses), plan.data.x,
                          plan.data.y, plan.data.validation, jit_compile=plan.jit_compile)
    program = reuse.kept(plan)
    if program is not None:
        program.use_data(plan.data.x, plan.data.y, plan.data.validation)
        return program
    program = Lockstep(list(plan.models), list(plan.optimizers), list(plan.losses), plan.strategy,
                       plan.data.x, plan.data.y, plan.data.validation, jit_compile=plan.jit_compile)
    reuse.keep(plan, program)
    return program


class Program:
    """The epoch loop shared by the engines.

    A subclass sets ``models``, ``labels`` (``["data_loss", "penalty/<layer>/<kind>", ...]``),
    ``variable_labels`` (``"<layer>/<variable>"`` per trainable variable), ``loss_scaled``,
    ``_x``, ``_y`` and ``_validation``; implements :meth:`forward_and_gradients`, :meth:`apply`,
    :meth:`groups`, :meth:`trainable`, ``_evaluate_graph``, :meth:`weight_statistics`,
    :meth:`state_variables`; and calls :meth:`_compile`.
    """

    engine = "?"
    loss_scaled = False

    def _compile(self, jit_compile: bool) -> None:
        """Wrap the epoch graph in a ``tf.function``, traced once, here.

        Each program gets fresh closures (TensorFlow's retracing warning does not count earlier
        programs) and no autograph (the loops are explicit ``tf.while_loop``/``tf.cond``, and
        converting Keras' own code would only slow tracing down). With XLA the epoch, its last
        smaller batch included, is compiled from that same trace; the validation pass runs
        without it.
        """
        import tensorflow as tf

        batches, count = tf.TensorSpec([None, None], tf.int32), tf.TensorSpec([], tf.int32)
        self._specs = [tf.type_spec_from_value(self._x), tf.type_spec_from_value(self._y),
                       batches, count, batches, count, tf.TensorSpec([], tf.float64)]
        self._jit = jit_compile
        state = [_tf_variable(v) for v in self.state_variables()]
        with self._scope():
            self._backups = [tf.Variable(tf.zeros(v.shape, v.dtype), trainable=False) for v in state]
        self._state = state
        self._floats = [v for v in state if v.dtype.is_floating]
        optimizers = [g.optimizer for g in self.groups()]
        self._check_gradients = not self.loss_scaled and not all(
            gradients_leave_a_trace(o) for o in optimizers)
        self._train_epoch, variables = self._epoch_function(careful=False)
        # Variables the epoch changes that no model or optimizer owns (a stateful regularizer's
        # counter, say): saved from Python before each epoch, so a re-run starts where it did.
        known = {id(v) for v in (*state, *self._backups)}
        self._other_state = [v for v in variables if id(v) not in known]
        self._careful_epoch = None  # traced the first time an update goes bad
        self._evaluate = None
        if self._validation is not None:
            self._evaluate = tf.function(lambda x, y: self._evaluate_graph(x, y), autograph=False)
            self._evaluate.get_concrete_function(*self._validation)

    def _epoch_function(self, *, careful: bool):
        import tensorflow as tf

        graph = tf.function(lambda *args: self._epoch_graph(*args, careful=careful),
                            input_signature=self._specs, autograph=False)
        traced = graph.get_concrete_function()
        function = traced
        if self._jit:
            function = tf.function(lambda *args: traced(*args), jit_compile=True,
                                   autograph=False).get_concrete_function(*self._specs)
        # The concrete function itself is called: a tf.function's dispatch (matching the
        # arguments' types to its traces) cost about a tenth of a small model's epoch.
        return function, traced.variables

    def _scope(self):
        from contextlib import nullcontext

        strategy = getattr(self, "strategy", None)
        return strategy.scope() if strategy is not None else nullcontext()

    # --- what Python calls ----------------------------------------------------------------
    def train_epoch(self, full: np.ndarray, rest: np.ndarray, tolerance: float):
        """Run one step per row of ``full`` (full batches), then per row of ``rest`` (the last,
        smaller batch, or none); stop at a bad step.

        Returns the per-model parts summed over each chunk's steps and weighted by batch size
        (two ``[K, P]`` arrays), the index of the bad step (-1 if none), what went bad
        (:data:`FINE`, :data:`BAD_PART`, ...), its parts ``[K, P]`` and per-variable sums
        ``[K, V]`` (None when all went well), and the statistics of every trainable variable after
        the epoch, ``[K, V, 3]`` (:meth:`weight_statistics` with ``tolerance``: computed on the
        device by the same call, so no weight travels to the host).
        """

        arguments = (self._x, self._y, *_batches(full), *_batches(rest),
                     np.float64(tolerance))
        other_state = [v.numpy() for v in self._other_state]
        out = self._train_epoch(*arguments)
        if bool(out[2]):
            return out[0].numpy(), out[1].numpy(), -1, FINE, None, None, out[3].numpy()
        # Something went bad: the epoch again from its starting state, each step checked first.
        for variable, value in zip([*self._state, *self._other_state],
                                   [*self._backups, *other_state], strict=True):
            variable.assign(value)
        if self._careful_epoch is None:
            self._careful_epoch, _ = self._epoch_function(careful=True)
        out = self._careful_epoch(*arguments)
        full_sums, rest_sums, bad_step, kind, parts, details, statistics = (t.numpy() for t in out)
        return full_sums, rest_sums, int(bad_step), int(kind), parts, details, statistics

    def evaluate(self) -> np.ndarray | None:
        """The parts of every model on the whole validation set (``[K, P]``), or None."""
        return None if self._evaluate is None else self._evaluate(*self._validation).numpy()

    def finish(self) -> None:
        """Leave the trained weights in the models (a no-op when the models are trained in place)."""

    # --- the loop --------------------------------------------------------------------------
    def _epoch_graph(self, x, y, full, full_steps, rest, rest_steps, tolerance, *, careful):
        import tensorflow as tf

        zeros = tf.zeros([len(self.models), len(self.labels)], tf.float32)
        if not careful:  # keep the epoch's starting state, for a careful re-run
            for backup, variable in zip(self._backups, self._state, strict=True):
                backup.assign(variable)
            full_sums, fine = self._quick_loop(x, y, full, full_steps, zeros, tf.constant(True))
            rest_sums, fine = self._quick_loop(x, y, rest, rest_steps, zeros, fine)
            # A bad gradient or update shows in the weights or the optimizer's variables.
            state_fine = [tf.reduce_all(tf.math.is_finite(v)) for v in self._floats]
            fine = tf.logical_and(fine, tf.reduce_all(tf.stack(state_fine)))
            return full_sums, rest_sums, fine, self.weight_statistics(tolerance)
        no_details = tf.zeros([len(self.models), len(self.variable_labels)], tf.float32)
        start = (tf.constant(-1), tf.constant(FINE), zeros, no_details)
        full_sums, bad = self._careful_loop(x, y, full, full_steps, tf.constant(0), zeros, start)
        rest_sums, bad = self._careful_loop(x, y, rest, rest_steps, full_steps, zeros, bad)
        return (full_sums, rest_sums, *bad, self.weight_statistics(tolerance))

    def _quick_loop(self, x, y, batches, steps, zeros, fine):
        """The first ``steps`` rows of ``batches``, each applied at once, until one is not fine."""
        import tensorflow as tf

        size = tf.cast(tf.shape(batches)[1], tf.float32)

        def running(step, sums, fine):
            return tf.logical_and(step < steps, fine)

        def one_step(step, sums, fine):
            parts, step_fine = quick_step(self, x, y, batches[step], check_gradients=self._check_gradients)
            return step + 1, sums + parts * size, tf.logical_and(fine, step_fine)

        out = tf.while_loop(running, one_step, (tf.constant(0), zeros, fine))
        return out[1], out[2]

    def _careful_loop(self, x, y, batches, steps, first, zeros, bad):
        """The first ``steps`` rows of ``batches`` while all is well; ``first`` numbers the first."""
        import tensorflow as tf

        size = tf.cast(tf.shape(batches)[1], tf.float32)

        def running(step, sums, bad_step, kind, bad_parts, details):
            return tf.logical_and(step < steps, bad_step < 0)

        def one_step(step, sums, bad_step, kind, bad_parts, details):
            parts, step_kind, step_details = careful_step(self, x, y, batches[step])
            fine = tf.equal(step_kind, FINE)
            return (
                step + 1,
                sums + tf.where(fine, parts * size, zeros),
                tf.where(fine, bad_step, first + step),
                tf.where(fine, kind, step_kind),
                tf.where(fine, bad_parts, parts),
                tf.where(fine, details, step_details),
            )

        out = tf.while_loop(running, one_step, (tf.constant(0), zeros, *bad))
        return out[1], tuple(out[2:])


def weight_statistics(tensors, tolerance, axis=None):
    """``[V, 3]`` (or ``[V, K, 3]`` with ``axis``, a stack's leading axis kept): for each tensor,
    Σ|w|, Σw² and the number of entries with |w| ≤ ``tolerance``, in float64 (the host takes the
    square root, and divides the count by the size as :func:`reglab.metrics.sparsity` does). A graph, run on
    the device at the end of an epoch, so the weights need not travel to the host."""
    import tensorflow as tf

    rows = []
    for tensor in tensors:
        w = tf.cast(tensor, tf.float64)
        axes = None if axis is None else list(range(1, len(tensor.shape)))
        near_zero = tf.cast(tf.abs(w) <= tolerance, tf.float64)
        rows.append(tf.stack([tf.reduce_sum(tf.abs(w), axis=axes),
                              tf.reduce_sum(tf.square(w), axis=axes),
                              tf.reduce_sum(near_zero, axis=axes)], axis=-1))
    return tf.stack(rows)


def _tf_variable(variable):
    """The ``tf.Variable`` behind a Keras variable (a tf.Variable passes through)."""
    import tensorflow as tf

    return variable if isinstance(variable, tf.Variable) else variable.value


def _batches(indices: np.ndarray):
    """``(batches, steps)``: a chunk of no rows travels as one unused row, so that XLA, which
    compiles every step's slicing, never sees an empty matrix."""
    import tensorflow as tf

    steps = len(indices)
    if steps == 0:
        indices = np.zeros((1, 1), np.int32)
    return tf.constant(indices, dtype=tf.int32), tf.constant(steps, dtype=tf.int32)


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
        One entry per model; all the optimizers were created under ``strategy``.
    strategy : tf.distribute.Strategy
    x, y : np.ndarray
        The training data (float32 features; int32 or float32 targets).
    validation : tuple of np.ndarray or None
    jit_compile : bool
        Compile the epoch loop with XLA (one replica only).
    """

    engine = "lockstep"

    def __init__(self, models, optimizers, losses, strategy, x, y, validation, *, jit_compile):
        import keras

        self.models, self.optimizers, self.losses = list(models), list(optimizers), list(losses)
        self.strategy, self.replicas = strategy, strategy.num_replicas_in_sync
        self.loss_scaled = any(isinstance(o, keras.optimizers.LossScaleOptimizer) for o in self.optimizers)
        with strategy.scope():
            for model, optimizer in zip(self.models, self.optimizers, strict=True):
                if not optimizer.built:
                    optimizer.build(model.trainable_variables)
        self.keys = self._term_keys(x[:2], y[:2])
        labels = term_labels(self.models[0])
        self.labels = ["data_loss"] + [f"penalty/{labels[key]}" for key in self.keys]
        self.variable_labels = variable_labels(self.models[0])
        self.use_data(x, y, validation)
        self._compile(jit_compile)

    def use_data(self, x, y, validation) -> None:
        """Put this run's data on the device (arrays of the shapes the program was compiled for)."""
        self._x, self._y = self._place(x), self._place(y)
        self._validation = None
        if validation is not None:
            self._validation = tuple(self._place(a, replicated=False) for a in validation)

    def finish(self) -> None:
        """The models were trained in place; let go of the data (the program may be kept)."""
        self._x = self._y = self._validation = None

    def weight_statistics(self, tolerance):
        """``[K, V, 3]`` float64: Σ|w|, Σw² and the number of |w| ≤ ``tolerance`` of each
        trainable variable of each model (a graph; see :func:`weight_statistics`)."""
        import tensorflow as tf

        return tf.stack([weight_statistics([v.value for v in model.trainable_variables], tolerance)
                         for model in self.models])

    def state_variables(self) -> list:
        """What a checkpoint holds: model variables (seed states included), optimizer variables."""
        return [v for model, optimizer in zip(self.models, self.optimizers, strict=True)
                for v in (*model.variables, *optimizer.variables)]

    # --- what the steps call ---------------------------------------------------------------------
    def groups(self) -> list[Group]:
        return [Group(list(m.trainable_variables), o, 1) for m, o in
                zip(self.models, self.optimizers, strict=True)]

    def trainable(self) -> list:
        return [v for model in self.models for v in model.trainable_variables]

    def forward_and_gradients(self, x, y, batch):
        parts, gradients, sums = self.strategy.run(self._replica_step, args=(x, y, batch))
        reduce = self.strategy.reduce
        return reduce("SUM", parts, axis=None), gradients, reduce("SUM", sums, axis=None), None

    def apply(self, gradients, aux):
        self.strategy.run(self._replica_apply, args=(gradients,))

    # --- the graphs ---------------------------------------------------------------------------
    def _replica_step(self, x, y, batch):
        import tensorflow as tf

        share = None
        if self.replicas > 1:  # this replica's slice of the global batch
            context = tf.distribute.get_replica_context()
            mine = batch[context.replica_id_in_sync_group :: self.replicas]
            share = tf.cast(tf.shape(mine)[0], tf.float32) / tf.cast(tf.shape(batch)[0], tf.float32)
            batch = mine
        xb, yb = tf.gather(x, batch), tf.gather(y, batch)

        def objective():
            return [self._parts(model, loss, xb, yb, training=True, share=share)
                    for model, loss in zip(self.models, self.losses, strict=True)]

        return gradients_of(objective, self.groups())

    def _replica_apply(self, gradients):
        start = 0
        for model, optimizer in zip(self.models, self.optimizers, strict=True):
            variables = model.trainable_variables
            optimizer.apply(gradients[start : start + len(variables)], variables)
            start += len(variables)

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
    """Is the activity term of the layer at ``position`` (in ``_keras.flatten_layers(model)``) the sum over
    the batch's samples, not divided by the batch size? True on Keras 3.0 to 3.13 for a regularizer
    that sums over the samples; False where Keras divides, and for a statistic of the whole batch
    (a regularizer with ``batch_statistic = True``; a float32 wrapper of reglab.precision is seen
    through)."""
    if compat.activity_divided_by_batch():
        return False
    layer = _keras.flatten_layers(model)[position]
    regularizer = layer.activity_regularizer
    regularizer = getattr(regularizer, "regularizer", regularizer)  # reglab.precision.InFloat32
    return not getattr(regularizer, "batch_statistic", False)


def variable_labels(model) -> list[str]:
    """``"<layer>/<variable>"`` for each trainable variable, as the history's columns name them."""
    return ["/".join(v.path.split("/")[-2:]) for v in model.trainable_weights]
