"""The objective that training minimises, split into named parts.

.. math:: \\text{total} = \\text{data loss} + \\sum_{\\text{layers}}\\;\\sum_{\\text{kinds}} \\text{penalty}

Keras adds every regularization term to the data loss through ``model.losses``: one term per
regularized variable (``kernel``, ``bias``, ...), computed from the variable's current value, and
one per activity-regularized layer output (divided by the batch size on Keras 3.14 and later, as
it is on Keras 3.0 to 3.13: :func:`reglab.compat.activity_scale`). This module gives each term
a name (``dense/kernel``, ``dense/activity``) and casts it to float32 before anything is summed:
under ``mixed_float16`` Keras computes activity penalties in float16, where ``Σ x²`` overflows
above 65504.

Introduced in notebooks/08-training-on-gpus.ipynb; notebooks/06 uses it to show what ``fit``
reports.

Two views of one walk over the model (:func:`layers`, Keras' own order), with one label scheme,
``penalty/<layer>/<kind>``:

- for readers, floats: :func:`penalty_values` (one :class:`PenaltyTerm` row per entry of
  ``model.losses``, in its order) and :func:`training_objective` (``data loss + penalty = total``);
- for the training engine, float32 tensors: :func:`penalty_terms` (keyed by layer position and
  kind), :func:`term_labels`, :func:`sorted_terms`, :func:`data_loss` and :func:`loss_parts`.

``reglab.dense.penalty_terms`` and ``reglab.dense.training_objective`` are the float view under
the names notebook 01 first used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from reglab import _keras
from reglab._validation import _invalid, _short, as_float_array, check_bool, check_callable, check_str

__all__ = [
    "ACTIVITY",
    "ADDED",
    "Objective",
    "PenaltyTerm",
    "data_loss",
    "label",
    "layers",
    "loss_parts",
    "penalty_terms",
    "penalty_values",
    "sorted_terms",
    "term_labels",
    "training_objective",
]

ACTIVITY, ADDED = "activity", "added"
"""Kinds of the terms a layer adds during its call (activity regularizer, or its own add_loss)."""


def layers(model) -> list:
    """The model itself and every layer nested in it, each once: the one walk reglab makes.

    The order is Keras' own (the order in which ``model.losses`` collects recorded terms), so a
    layer's position in this list names it for every model of the same architecture.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="linear")])
    >>> [type(layer).__name__ for layer in layers(model)]
    ['Sequential', 'InputLayer', 'Dense']

    Introduced in notebooks/01-dense-layer.ipynb.
    """
    _check_layer(model, "model")
    return _keras.flatten_layers(model)


def label(layer_name: str, kind: str) -> str:
    """The name of one penalty term everywhere in reglab: ``"penalty/<layer>/<kind>"``.

    Examples
    --------
    >>> label("dense", "kernel")
    'penalty/dense/kernel'
    """
    check_str(layer_name, "layer_name")
    check_str(kind, "kind")
    return f"penalty/{layer_name}/{kind}"


def penalty_terms(model) -> dict[tuple[int, str], object]:
    """Every term of ``model.losses`` after a forward pass, as float32 scalars with their source.

    Keys are ``(layer position, kind)``: the position of the layer in the model's flattened layer
    list (so two models of one architecture have the same keys), and the kind: the name of the
    regularized variable (``"kernel"``, ``"bias"``, ...), ``"activity"`` for an activity
    regularizer or ``"added"`` for a layer's own ``add_loss``. The terms sum to
    ``sum(model.losses)``.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(
    ...     1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.5),
    ...     activity_regularizer=keras.regularizers.L1(0.1))])
    >>> _ = model(np.ones((4, 2)))  # each output is 2: activity penalty 0.1 · Σ|2| = 0.8 ...
    >>> kernel, activity = penalty_terms(model).values()
    >>> round(float(kernel), 3)
    1.0
    >>> from reglab.compat import activity_scale  # ... divided by 4 on Keras 3.14 and later: 0.2
    >>> bool(np.isclose(float(activity), 0.8 * activity_scale(4)))
    True
    >>> [kind for _, kind in penalty_terms(model)]
    ['kernel', 'activity']

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    _check_layer(model, "model")
    regularized = {id(v) for v in _regularized(model)}
    terms: dict[tuple[int, str], object] = {}
    for position, layer in enumerate(layers(model)):
        for variable in _keras.own_trainable_variables(layer):
            if id(variable) in regularized:
                _add(terms, (position, variable.name), variable.regularizer(variable))
        own = _keras.own_losses(layer)
        if own:
            kind = ACTIVITY if layer.activity_regularizer is not None else ADDED
            for loss in own:
                _add(terms, (position, kind), loss)
    return terms


def term_labels(model) -> dict[tuple[int, str], str]:
    """Readable labels ``"<layer name>/<kind>"`` for the keys of :func:`penalty_terms`.

    A layer name that occurs twice (nested models may repeat one) gets its position appended.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, name="linear")])
    >>> term_labels(model)[(2, "kernel")]
    'linear/kernel'

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    walked = layers(model)
    labels = {}
    for position, (layer, name) in enumerate(zip(walked, _names(walked), strict=True)):
        kinds = [v.name for v in _keras.own_trainable_variables(layer)] + [ACTIVITY, ADDED]
        labels.update({(position, kind): f"{name}/{kind}" for kind in kinds})
    return labels


def sorted_terms(model, keys) -> list[tuple[int, str]]:
    """``keys`` of :func:`penalty_terms` in model order: by layer, then the layer's variables in
    their order, then ``"activity"``, then ``"added"``.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> sorted_terms(model, [(2, "activity"), (2, "bias"), (2, "kernel")])
    [(2, 'kernel'), (2, 'bias'), (2, 'activity')]
    """
    walked = layers(model)
    keys = _check_keys(keys)

    def rank(key):
        position, kind = key
        layer = walked[position] if position < len(walked) else None
        kinds = [v.name for v in _keras.own_trainable_variables(layer)] if layer is not None else []
        extra = {ACTIVITY: len(kinds), ADDED: len(kinds) + 1}
        return position, kinds.index(kind) if kind in kinds else extra.get(kind, len(kinds) + 2)

    return sorted(keys, key=rank)


def data_loss(loss_fn, y_true, y_pred):
    """The mean data loss over a batch, in float32.

    The prediction is cast to float32 first (a ``mixed_float16`` model outputs float16), and a loss
    function that returns one value per sample is averaged, as Keras' default
    ``"sum_over_batch_size"`` reduction does. Under a strategy with several replicas, the scaling a
    ``keras.losses.Loss`` object applies by itself is undone, so strings, functions and objects
    give the same number.

    Examples
    --------
    >>> import keras, numpy as np
    >>> float(data_loss(keras.losses.get("mse"), np.zeros((2, 1)), np.array([[1.0], [3.0]])))
    5.0

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import keras
    from keras import ops

    check_callable(loss_fn, "loss_fn", "a loss function, e.g. keras.losses.get('mse')")
    for name, value in (("y_true", y_true), ("y_pred", y_pred)):
        if value is None or isinstance(value, str | bytes):
            raise TypeError(_invalid(name, "an array or tensor of numbers", _short(value)))
    value = loss_fn(y_true, ops.cast(y_pred, "float32"))
    if len(value.shape) > 0:
        value = ops.mean(value)
    if isinstance(loss_fn, keras.losses.Loss):
        value = _undo_replica_scaling(value)
    return ops.cast(value, "float32")


def _undo_replica_scaling(value):
    """Multiply back the ``1/replicas`` that ``keras.losses.Loss.__call__`` applies under a
    ``tf.distribute`` strategy (``scale_loss_for_distribution``, Keras 3.15.1): the training engine
    weights each replica's loss by its share of the batch itself, so it needs the plain mean."""
    import tensorflow as tf

    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return value * replicas if replicas > 1 else value


def loss_parts(model, x, y, loss, *, training: bool = False) -> dict[str, object]:
    """One forward pass, and the objective split into its parts (float32 scalars).

    .. math:: \\text{total} = \\text{data\\_loss} + \\sum_i \\text{penalty}_i

    Parameters
    ----------
    model : keras.Model
    x, y : array_like
        One batch. Activity penalties are scaled as the installed Keras scales them (divided by
        its size on Keras 3.14 and later).
    loss : str or callable
        Anything ``keras.losses.get`` accepts.
    training : bool
        Passed to the model (dropout, batch normalization).

    Returns
    -------
    dict
        ``"data_loss"``, one ``"penalty/<layer>/<kind>"`` entry per term, and ``"total"``.

    Examples
    --------
    >>> import keras, numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(
    ...     1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.5),
    ...     name="linear")])
    >>> parts = loss_parts(model, np.ones((4, 2)), np.zeros((4, 1)), "mse")
    >>> {name: round(float(value), 3) for name, value in parts.items()}
    {'data_loss': 4.0, 'penalty/linear/kernel': 1.0, 'total': 5.0}

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import keras

    _check_layer(model, "model")
    training = check_bool(training, "training")
    loss_fn = _loss_function(loss)
    x, y = _batch(x, y)
    y_pred = model(x, training=training)
    parts = {"data_loss": data_loss(loss_fn, y, y_pred)}
    labels = term_labels(model)
    for key, value in penalty_terms(model).items():
        parts["penalty/" + labels[key]] = value
    parts["total"] = keras.ops.sum(keras.ops.stack(list(parts.values())))
    return parts


def _add(terms: dict, key: tuple[int, str], value) -> None:
    from keras import ops

    value = ops.cast(value, "float32")
    terms[key] = terms[key] + value if key in terms else value


# --- the float view, for readers ----------------------------------------------------------------
@dataclass(frozen=True)
class PenaltyTerm:
    """One regularization term of a Keras model: which layer, which kind, and its value.

    ``kind`` is the name of the regularized variable for weight terms (``'kernel'`` or
    ``'bias'`` for ``Dense`` and the convolution layers), ``'activity'`` for an activity
    regularizer's term, and ``'added'`` for a term a layer added itself with ``add_loss``.
    ``layer`` is the layer's name (with ``#<position>`` appended where a name occurs twice), and
    :attr:`label` the term's name in a training history: ``penalty/<layer>/<kind>``.
    """

    layer: str
    kind: str
    value: float

    @property
    def label(self) -> str:
        """``"penalty/<layer>/<kind>"``, the column of this term in a training history."""
        return label(self.layer, self.kind)


def penalty_values(model_or_layer) -> list[PenaltyTerm]:
    """The regularization terms a Keras model or layer carries now, one float row per term.

    .. math::

        \\mathrm{kernel}: R_W(W), \\qquad \\mathrm{bias}: R_b(b), \\qquad
        \\mathrm{activity}: R_y(y) \\cdot s, \\quad s = 1 / \\mathrm{batch\\_size}
        \\text{ (Keras 3.14+) or } 1 \\text{ (Keras 3.0 to 3.13)}

    Weight terms are recomputed from each trainable variable and its regularizer
    (``variable.regularizer(variable)``), so they follow the current weights. Activity terms are
    read from what the last eager call on data recorded: Keras applies the activity regularizer
    to the layer's output (after its activation) and, from 3.14 on, divides it by the batch size
    (:func:`reglab.compat.activity_scale`). The rows come in the order of ``model.losses`` (the
    recorded terms in the order of :func:`layers`, then the weight terms in the order of
    ``model.trainable_weights``) and their values equal its entries, so
    ``sum(t.value for t in rows)`` is ``sum(model.losses)``.

    Parameters
    ----------
    model_or_layer : keras.layers.Layer
        A layer or a model (a model is a layer). Nested models are walked into.

    Returns
    -------
    list of PenaltyTerm
        Empty for a model without regularizers, or before a layer is built.

    Raises
    ------
    TypeError
        If ``model_or_layer`` is not a Keras layer.
    ValueError
        If an activity term was recorded inside a compiled step (``fit``, ``evaluate`` or
        ``predict`` leave a symbolic tensor behind) and so holds no number: call the model on
        data, ``model(x)``, first.

    Examples
    --------
    >>> import keras
    >>> layer = keras.layers.Dense(2, kernel_initializer="ones", name="hidden",
    ...                            kernel_regularizer=keras.regularizers.L2(0.1))
    >>> layer.build((None, 3))  # W is 3 x 2, all ones: 0.1 * 6 = 0.6
    >>> [(t.label, round(t.value, 4)) for t in penalty_values(layer)]
    [('penalty/hidden/kernel', 0.6)]

    Introduced in notebooks/01-dense-layer.ipynb.
    """
    _check_layer(model_or_layer, "model_or_layer")
    walked = _keras.flatten_layers(model_or_layer)
    names = _names(walked)
    rows, owner = [], {}
    for position, layer in enumerate(walked):
        kind = ACTIVITY if getattr(layer, "activity_regularizer", None) is not None else ADDED
        rows += [PenaltyTerm(names[position], kind, _as_number(loss, names[position], kind))
                 for loss in _keras.own_losses(layer)]
        owner.update({id(v): names[position] for v in _keras.own_trainable_variables(layer)})
    for variable in _regularized(model_or_layer):
        name = owner.get(id(variable), names[0])
        rows.append(PenaltyTerm(name, variable.name, _as_number(variable.regularizer(variable), name,
                                                                variable.name)))
    return rows


class Objective(NamedTuple):
    """The loss training minimises, in its two parts: ``total = data_loss + penalty``."""

    data_loss: float
    penalty: float
    total: float


def training_objective(model, x, y, loss_fn, *, training: bool = False) -> Objective:
    """The data loss, the sum of the penalties, and their total, as Keras computes them.

    .. math::

        \\mathrm{total} = \\frac{1}{n} \\sum_{i=1}^{n} \\ell(y_i, \\hat y_i)
                          + \\sum_k R_k, \\qquad \\hat y = \\mathrm{model}(x)

    This is ``Model.compute_loss`` in Keras 3: the compiled loss (mean over the batch) plus
    ``sum(model.losses)``. ``fit`` minimises it on each batch (with ``training=True``) and
    ``evaluate`` reports it (with ``training=False``), penalties included; ``predict`` computes
    no loss. Here all of ``x`` is one batch. ``evaluate`` averages its batches weighted by their
    size; on Keras 3.14 and later, which divide an L1/L2 activity term by the batch size, smaller
    batches therefore report the same number. Keras 3.0 to 3.13 add the activity term summed
    over each batch, so there the number depends on the batch size. :func:`loss_parts` gives the
    same split as float32 tensors, one entry per term.

    Parameters
    ----------
    model : keras.layers.Layer
        A model (or a single layer) to call on ``x``; it does not need to be compiled.
    x, y : array_like
        Inputs and targets, with the same number of rows. Cast to float32.
    loss_fn : str or callable
        A Keras loss (``"mse"``, ``keras.losses.MeanSquaredError()``) or any function
        ``loss_fn(y_true, y_pred)``; per-example values are averaged.
    training : bool
        Call the model in training mode (as ``fit`` does: dropout active) or not (as
        ``evaluate`` does, the default).

    Returns
    -------
    Objective
        ``(data_loss, penalty, total)`` as floats.

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(
    ...     1, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.1))])
    >>> # y_hat = 1 + 1 = 2, data loss (2 - 0)^2 = 4, penalty 0.1 * (1 + 1) = 0.2
    >>> [round(v, 4) for v in training_objective(model, [[1.0, 1.0]], [[0.0]], "mse")]
    [4.0, 0.2, 4.2]

    Introduced in notebooks/01-dense-layer.ipynb.
    """
    import keras

    _check_layer(model, "model")
    training = check_bool(training, "training")
    x, y = _batch(x, y)
    loss = _loss_function(loss_fn, "loss_fn")
    y_pred = model(x, training=training)  # eager: records the activity terms for this x
    data = float(np.mean(keras.ops.convert_to_numpy(loss(y, y_pred))))
    penalty = float(sum(term.value for term in penalty_values(model)))
    return Objective(data, penalty, data + penalty)


# --- shared pieces -------------------------------------------------------------------------------
def _is_layer(obj) -> bool:
    import keras

    return isinstance(obj, keras.layers.Layer)


def _check_layer(obj, name: str) -> None:
    if not _is_layer(obj):
        raise TypeError(_invalid(name, "a Keras layer or model", _short(obj)))


def _loss_function(loss, name: str = "loss"):
    """``loss`` as a callable: a Keras loss name, a ``keras.losses.Loss`` or any function."""
    import keras

    if isinstance(loss, str):
        try:
            return keras.losses.get(loss)
        except ValueError:
            raise ValueError(_invalid(name, "a Keras loss name or a callable", loss)) from None
    if not callable(loss):
        raise TypeError(_invalid(name, "a Keras loss name or a callable", loss))
    return loss


def _batch(x, y) -> tuple[np.ndarray, np.ndarray]:
    """One batch as float32 arrays with one target row per input row."""
    x = as_float_array(x, "x", dtype=np.float32, allow_empty=False)
    y = as_float_array(y, "y", dtype=np.float32, allow_empty=False)
    if x.ndim < 1 or y.ndim < 1 or len(x) != len(y):
        raise ValueError(
            f"Shape mismatch: x has shape {x.shape} but y has shape {y.shape}; "
            f"expected the same number of rows (one target per input)."
        )
    return x, y


def _check_keys(keys) -> list[tuple[int, str]]:
    expected = "an iterable of (layer position, kind) pairs, e.g. [(1, 'kernel')]"
    if isinstance(keys, str) or not hasattr(keys, "__iter__"):
        raise TypeError(_invalid("keys", expected, _short(keys)))
    keys = list(keys)
    for key in keys:
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], int)
                and not isinstance(key[0], bool) and isinstance(key[1], str)):
            raise TypeError(_invalid("keys", expected, _short(keys)))
    return keys


def _names(walked: list) -> list[str]:
    """Each layer's name, with ``#<position>`` appended where a name occurs twice."""
    names = [layer.name for layer in walked]
    return [n if names.count(n) == 1 else f"{n}#{position}" for position, n in enumerate(names)]


def _regularized(model) -> list:
    return [v for v in model.trainable_weights if getattr(v, "regularizer", None) is not None]


def _as_number(tensor, layer: str, kind: str) -> float:
    import keras

    try:
        return float(keras.ops.convert_to_numpy(tensor))
    except (NotImplementedError, TypeError, ValueError) as error:
        raise ValueError(
            f"The {kind} term of layer {layer!r} was recorded inside a compiled step (fit, "
            f"evaluate or predict) and holds no number. Call the model on data first, "
            f"e.g. model(x), then read its penalty terms."
        ) from error
