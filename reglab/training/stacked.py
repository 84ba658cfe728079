"""K variants of one architecture trained as one model, their weights stacked along a new axis.

When the variants of a sweep differ only in their regularizers, their forward and backward passes
are the same computation on different weights. This program keeps each weight as one variable of
shape ``[K, ...]``, runs the first variant's model once for all K weight sets
(``tf.vectorized_map`` over ``model.stateless_call``: batched matrix products), and applies one
optimizer to the stacked variables: an elementwise optimizer (SGD, Adam, ...) updating a stacked
variable is K independent optimizers. The regularizers are the only per-variant code:

    total_k = data_loss(y, f(x; W_k)) + Σ_j penalty_kj(W_kj) + Σ_l activity_kl(a_l(x; W_k)) / B

For that, the first model is traced with its weight regularizers removed and each activity
regularizer replaced by a recorder that hands the layer's output back, so every variant's own
penalties are applied to its own weights and activations. The tracing (the slow part of starting a
sweep) therefore costs one model, whatever K is.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

import numpy as np

from reglab import _keras, compat
from reglab.objective import ACTIVITY, data_loss, sorted_terms, term_labels
from reglab.training.fingerprint import describe, describe_model
from reglab.training.programs import Program, variable_labels, weight_statistics
from reglab.training.step import Group, gradients_of

ELEMENTWISE_OPTIMIZERS = ("SGD", "Adam", "AdamW", "Adamax", "Nadam", "RMSprop", "Adagrad",
                          "Adadelta", "Lion", "Ftrl")
"""Optimizers whose update of each weight depends on that weight's gradient history only."""


class NotVectorizable(ValueError):
    """The variants cannot share one vectorized program; the message says why."""


def check_vectorizable(models, optimizers, losses, strategy, policy) -> None:
    """Raise :class:`NotVectorizable` unless the variants differ in regularization only."""
    reasons = []
    if strategy.num_replicas_in_sync > 1:
        reasons.append("it runs on one replica only")
    if policy != "float32":
        reasons.append("it runs in float32 only")
    optimizer = optimizers[0]
    if type(optimizer).__name__ not in ELEMENTWISE_OPTIMIZERS:
        reasons.append(f"{type(optimizer).__name__} does not update each weight independently")
    if getattr(optimizer, "clipnorm", None) or getattr(optimizer, "global_clipnorm", None):
        reasons.append("gradient norm clipping couples the variants")
    if len({_fingerprint(o) for o in optimizers}) > 1:
        reasons.append("the variants use different optimizer settings")
    if len({_fingerprint(loss) for loss in losses}) > 1:
        reasons.append("the variants use different losses")
    if len({_fingerprint(m, drop_regularizers=True) for m in models}) > 1:
        reasons.append("the variants differ in more than their regularizers")
    if reasons:
        raise NotVectorizable("; ".join(reasons))


def _l1_l2(regularizer) -> tuple[float, float] | None:
    """``(l1, l2)`` factors of Keras' own L1, L2, L1L2 (0, 0 for none); None for any other."""
    import keras

    if regularizer is None:
        return 0.0, 0.0
    kind = type(regularizer)
    if kind not in (keras.regularizers.L1, keras.regularizers.L2, keras.regularizers.L1L2):
        return None
    return float(getattr(regularizer, "l1", 0.0)), float(getattr(regularizer, "l2", 0.0))


def _fingerprint(obj, *, drop_regularizers: bool = False) -> str:
    """The part of the run's description (:mod:`reglab.training.fingerprint`) that ``obj`` adds,
    for a model without its regularizers: what the variants must share to be stacked."""
    import keras

    if isinstance(obj, keras.Model):
        description = describe_model(obj)
        if drop_regularizers:
            description.pop("variable_regularizers")
            for layer in description["layers"]:
                layer.pop("regularizers")
    elif isinstance(obj, keras.optimizers.Optimizer):
        config = dict(obj.get_config())
        config.pop("name", None)
        description = {"class": type(obj).__qualname__, "config": describe(config)}
    else:
        description = describe(obj)
    return json.dumps(description, sort_keys=True)


class _Recorder:
    """Stands in for an activity regularizer during tracing: keeps the output, adds nothing."""

    def __init__(self):
        self.outputs = []

    def __call__(self, x):
        from keras import ops

        self.outputs.append(x)
        return ops.zeros((), dtype=x.dtype)


class Vectorized(Program):
    """Train K variants as one stacked model (see the module docstring).

    Parameters
    ----------
    models : list of keras.Model
        Variants of one architecture (checked by :func:`check_vectorizable`).
    optimizer : keras.optimizers.Optimizer
        Copied (``from_config``) into one optimizer of the stacked weights.
    losses : list
        One loss function per variant (all the same).
    x, y, validation, jit_compile
        As for :class:`reglab.training.programs.Lockstep`.
    """

    engine = "vectorized"

    def __init__(self, models, optimizer, losses, x, y, validation, *, jit_compile):
        import tensorflow as tf

        self.models, self.losses = list(models), list(losses)
        reference = self.models[0]
        self._trainable = self._stack([m.trainable_variables for m in self.models], "trainable")
        self._non_trainable = self._stack([m.non_trainable_variables for m in self.models], "state")
        self.optimizer = type(optimizer).from_config(optimizer.get_config())
        self.optimizer.build(self._trainable)
        self._layers = [_keras.flatten_layers(m) for m in self.models]
        self._owners = self._owner_keys(reference)
        self._active = sorted({p for layers in self._layers for p, layer in enumerate(layers)
                               if layer.activity_regularizer is not None})
        # Each variant's own penalties, read now: tracing hides the reference model's.
        self._weight_penalties = [[v.regularizer for v in m.trainable_variables] for m in self.models]
        self._activity_penalties = [[layers[p].activity_regularizer for p in self._active]
                                    for layers in self._layers]
        self.keys = self._term_keys()
        self.variable_labels = variable_labels(reference)
        labels = term_labels(reference)
        self.labels = ["data_loss"] + [f"penalty/{labels[key]}" for key in self.keys]
        self._x, self._y = tf.identity(tf.convert_to_tensor(x)), tf.identity(tf.convert_to_tensor(y))
        self._validation = None
        if validation is not None:
            self._validation = tuple(tf.identity(tf.convert_to_tensor(a)) for a in validation)
        with self._bare(reference):
            self._compile(jit_compile)

    def weight_statistics(self, tolerance):
        """``[K, V, 3]`` float64, as :meth:`reglab.training.programs.Lockstep.weight_statistics`:
        each variant's slice of each stacked variable."""
        import tensorflow as tf

        stacked = weight_statistics([v.value for v in self._trainable], tolerance, axis=0)
        return tf.transpose(stacked, [1, 0, 2])

    def state_variables(self) -> list:
        return [*self._trainable, *self._non_trainable, *self.optimizer.variables]

    def finish(self) -> None:
        """Copy every variant's weights and state back into its model."""
        for stacked, targets in ((self._trainable, "trainable_variables"),
                                 (self._non_trainable, "non_trainable_variables")):
            values = [v.numpy() for v in stacked]
            for k, model in enumerate(self.models):
                for value, target in zip(values, getattr(model, targets), strict=True):
                    target.assign(value[k])

    # --- the graphs ---------------------------------------------------------------------------
    def groups(self) -> list[Group]:
        return [Group(list(self._trainable), self.optimizer, len(self.models))]

    def trainable(self) -> list:
        return list(self._trainable)

    def forward_and_gradients(self, x, y, batch):
        import tensorflow as tf

        xb, yb = tf.gather(x, batch), tf.gather(y, batch)
        state = []

        def objective():
            data, new_state, activations = self._forward(xb, yb, training=True)
            state.append(new_state)
            return [self._parts(data, activations)]

        parts, gradients, sums = gradients_of(objective, self.groups())
        return parts, gradients, sums, state[0]

    def apply(self, gradients, state):
        self.optimizer.apply(gradients, self._trainable)
        for variable, value in zip(self._non_trainable, state, strict=True):
            variable.assign(value)

    def _evaluate_graph(self, x, y):
        data, _, activations = self._forward(x, y, training=False)
        return self._parts(data, activations)

    def _forward(self, x, y, *, training):
        """All variants' data losses ``[K]``, new states, and recorded activations ``[K, B, ...]``."""
        import tensorflow as tf

        reference, loss = self.models[0], self.losses[0]
        recorders = [self._layers[0][p].activity_regularizer for p in self._active]

        def one_variant(weights):
            trainable, non_trainable = weights
            for recorder in recorders:
                recorder.outputs.clear()
            outputs, state, losses = reference.stateless_call(
                list(trainable), list(non_trainable), x, training=training, return_losses=True
            )
            if len(losses) > sum(len(r.outputs) for r in recorders):
                raise NotVectorizable("a layer adds its own losses (add_loss)")
            return data_loss(loss, y, outputs), state, [r.outputs[-1] for r in recorders]

        values = ([v.value for v in self._trainable], [v.value for v in self._non_trainable])
        return tf.vectorized_map(one_variant, values)

    def _parts(self, data, activations):
        """``[K, P]``: each variant's data loss and its own penalties on its own weights."""
        import tensorflow as tf

        columns = {}
        for j, key in enumerate(self._owners):
            column = self._penalty(self._trainable[j].value, [p[j] for p in self._weight_penalties])
            if column is not None:
                columns[key] = column
        for i, (position, activation) in enumerate(zip(self._active, activations, strict=True)):
            column = self._penalty(activation, [p[i] for p in self._activity_penalties])
            if column is not None:  # as the installed Keras scales it (reglab.compat)
                if compat.activity_divided_by_batch():
                    column = tf.math.divide_no_nan(column, tf.cast(tf.shape(activation)[1], tf.float32))
                columns[(position, ACTIVITY)] = column
        zeros = tf.zeros([len(self.models)], tf.float32)
        return tf.stack([data] + [columns.get(key, zeros) for key in self.keys], axis=1)

    @staticmethod
    def _penalty(stacked, regularizers):
        """``[K]``: variant k's regularizer applied to ``stacked[k]``. Keras' L1, L2 and L1L2 are
        ``l1·Σ|w| + l2·Σw²``: one reduction over the stack times a vector of factors; any other
        regularizer is called on its variant's slice."""
        import tensorflow as tf

        if all(r is None for r in regularizers):
            return None
        factors = [_l1_l2(r) for r in regularizers]
        axes = list(range(1, len(stacked.shape)))
        stacked32 = tf.cast(stacked, tf.float32)
        if all(f is not None for f in factors):
            l1, l2 = (np.array(v, dtype=np.float32) for v in zip(*factors, strict=True))
            column = tf.zeros([len(regularizers)], tf.float32)
            if l1.any():
                column += tf.constant(l1) * tf.reduce_sum(tf.abs(stacked32), axis=axes)
            if l2.any():
                column += tf.constant(l2) * tf.reduce_sum(tf.square(stacked32), axis=axes)
            return column
        zero = tf.zeros([], tf.float32)
        return tf.stack([zero if r is None else tf.cast(r(stacked[k]), tf.float32)
                         for k, r in enumerate(regularizers)])

    # --- set-up ----------------------------------------------------------------------------
    @staticmethod
    def _stack(variable_lists, kind: str) -> list:
        import keras

        stacked = []
        for j, variables in enumerate(zip(*variable_lists, strict=True)):
            value = np.stack([v.numpy() for v in variables])
            stacked.append(keras.Variable(value, dtype=variables[0].dtype, name=f"variants_{kind}_{j}",
                                          trainable=kind == "trainable"))
        return stacked

    @staticmethod
    def _owner_keys(reference) -> list[tuple[int, str]]:
        """For each trainable variable of the reference model, (its layer's position, its name)."""
        owner = {}
        for position, layer in enumerate(_keras.flatten_layers(reference)):
            for variable in _keras.own_trainable_variables(layer):
                owner.setdefault(id(variable), (position, variable.name))
        return [owner[id(v)] for v in reference.trainable_variables]

    def _term_keys(self) -> list[tuple[int, str]]:
        keys = {key for penalties in self._weight_penalties
                for key, regularizer in zip(self._owners, penalties, strict=True)
                if regularizer is not None}
        keys |= {(p, ACTIVITY) for p in self._active}
        return sorted_terms(self.models[0], keys)

    @contextmanager
    def _bare(self, reference):
        """Trace the reference model without its own penalties: weight regularizers off, activity
        regularizers replaced by recorders (each variant's are applied in :meth:`_parts`)."""
        variables = [(v, v.regularizer) for v in reference.trainable_variables]
        layers = [(self._layers[0][p], self._layers[0][p].activity_regularizer) for p in self._active]
        try:
            for variable, _ in variables:
                variable.regularizer = None
            for layer, _ in layers:
                layer.activity_regularizer = _Recorder()
            yield
        finally:
            for variable, regularizer in variables:
                variable.regularizer = regularizer
            for layer, regularizer in layers:
                layer.activity_regularizer = regularizer
