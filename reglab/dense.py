"""The dense layer, ``y = activation(x @ W + b)``, and the loss terms its regularizers add.

Three functions, one concept:

- :func:`forward` is a numpy reference for ``keras.layers.Dense`` (same layout: ``x`` is
  ``(batch, in)``, the kernel ``W`` is ``(in, units)``, the bias ``b`` is ``(units,)``);
- :func:`penalty_terms` lists the regularization terms a Keras model or layer carries, one row per
  term, labelled with the layer and the kind (``'kernel'``, ``'bias'``, ``'activity'``);
- :func:`training_objective` splits the loss that ``fit`` minimises and ``evaluate`` reports into
  ``data loss + sum of penalties``.

How Keras 3 exposes the terms (``keras/src/layers/layer.py``):

- a kernel or bias regularizer is stored on its variable (``variable.regularizer``) and
  recomputed from the variable's current value every time ``layer.losses`` is read; only
  *trainable* variables count, so freezing a layer (``layer.trainable = False``) drops its weight
  penalties from ``model.losses``;
- an activity regularizer is applied in ``Layer.__call__`` to the value the layer returns (for
  ``Dense(activation=...)`` that is the output *after* the activation), divided by the batch
  size on Keras 3.14 and later (``ops.divide_no_nan(loss, batch_size)``, keras-team/keras PR
  #22021) and added as it is on Keras 3.0 to 3.13 (:func:`reglab.compat.activity_scale` says
  which), and recorded with ``add_loss``: it exists only after a call on data, and each new call
  replaces it;
- ``model.losses`` lists the recorded (activity) terms first, then the weight terms in the order
  of ``model.trainable_weights``; :func:`penalty_terms` keeps that order.

Introduced in notebooks/01-dense-layer.ipynb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from reglab._validation import _invalid, as_float_array

__all__ = [
    "ACTIVATIONS",
    "Objective",
    "PenaltyTerm",
    "forward",
    "penalty_terms",
    "training_objective",
]

ACTIVATIONS = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    # The tanh form of the logistic function never overflows: sigmoid(z) = (1 + tanh(z / 2)) / 2.
    "sigmoid": lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)),
    "tanh": np.tanh,
}
"""The activations :func:`forward` knows, by their Keras names (``None`` means ``"linear"``)."""


def forward(x, kernel, bias=None, activation=None) -> np.ndarray:
    """The output of a dense layer, computed in numpy (float64).

    .. math:: y = \\mathrm{activation}(x W + b)

    with ``x`` of shape ``(batch, in)``, ``W`` (the kernel) of shape ``(in, units)``, ``b`` (the
    bias) of shape ``(units,)``, and ``y`` of shape ``(batch, units)``: Keras' layout, so a
    ``keras.layers.Dense`` layer's ``kernel`` and ``bias`` can be passed as they are. Inputs with
    more axes work as in Keras: the product acts on the last axis of ``x``.

    Parameters
    ----------
    x : array_like, shape (..., in)
        The inputs, one row per example.
    kernel : array_like, shape (in, units)
        The weight matrix ``W``.
    bias : array_like, shape (units,), optional
        The bias ``b``; ``None`` means no bias (``Dense(use_bias=False)``).
    activation : {None, "linear", "relu", "sigmoid", "tanh"}
        Applied elementwise to ``x W + b``; ``None`` and ``"linear"`` leave it unchanged.

    Returns
    -------
    numpy.ndarray, shape (..., units)
        The layer's output ``y`` (after the activation), as float64.

    Raises
    ------
    ValueError
        If the shapes do not fit together (the message names both arguments and their shapes),
        if a value is NaN or infinite, or if ``activation`` is not one of the names above.
    TypeError
        If an array is not numeric.

    Examples
    --------
    >>> forward([[1.0, 2.0]], [[1.0], [1.0]], [0.5])
    array([[3.5]])
    >>> forward([[1.0, -2.0]], [[1.0, 0.0], [0.0, 1.0]], activation="relu")
    array([[1., 0.]])

    Introduced in notebooks/01-dense-layer.ipynb.
    """
    apply = _activation(activation)
    x = as_float_array(x, "x")
    kernel = as_float_array(kernel, "kernel")
    if x.ndim < 1:
        raise ValueError(_shape_message("x", "an array of shape (batch, in)", x.shape))
    if kernel.ndim != 2:
        raise ValueError(_shape_message("kernel", "a 2-D array of shape (in, units)", kernel.shape))
    if x.shape[-1] != kernel.shape[0]:
        raise ValueError(
            f"Shape mismatch: x has shape {x.shape} but kernel has shape {kernel.shape}; "
            f"expected x.shape[-1] == kernel.shape[0] (the layer's input size)."
        )
    z = x @ kernel
    if bias is not None:
        bias = as_float_array(bias, "bias")
        if bias.shape != (kernel.shape[1],):
            raise ValueError(
                f"Shape mismatch: bias has shape {bias.shape} but kernel has shape "
                f"{kernel.shape}; expected bias.shape == ({kernel.shape[1]},) (one per unit)."
            )
        z = z + bias
    return apply(z)


@dataclass(frozen=True)
class PenaltyTerm:
    """One regularization term of a Keras model: which layer, which kind, and its value.

    ``kind`` is the name of the regularized variable for weight terms (``'kernel'`` or
    ``'bias'`` for ``Dense`` and the convolution layers), ``'activity'`` for an activity
    regularizer's term, and ``'added'`` for a term a layer added itself with ``add_loss`` (the
    names ``reglab.objective`` uses too).
    """

    layer: str
    kind: str
    value: float


def penalty_terms(model_or_layer) -> list[PenaltyTerm]:
    """The regularization terms a Keras model or layer carries now, one row per term.

    .. math::

        \\mathrm{kernel}: R_W(W), \\qquad \\mathrm{bias}: R_b(b), \\qquad
        \\mathrm{activity}: R_y(y) \\cdot s, \\quad s = 1 / \\mathrm{batch\\_size}
        \\text{ (Keras 3.14+) or } 1 \\text{ (Keras 3.0 to 3.13)}

    Weight terms are recomputed here from each trainable variable and its regularizer
    (``variable.regularizer(variable)``, the ``kernel_regularizer`` or ``bias_regularizer``
    passed to the layer), so they follow the current weights. Activity terms are read from what
    the last eager call on data recorded: Keras applies the activity regularizer to the layer's
    output (after its activation) and, from 3.14 on, divides it by the batch size. The rows come in the
    order of ``model_or_layer.losses`` and their values equal its entries, so
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
    >>> [(t.layer, t.kind, round(t.value, 4)) for t in penalty_terms(layer)]
    [('hidden', 'kernel', 0.6)]

    Introduced in notebooks/01-dense-layer.ipynb.
    """
    _check_layer(model_or_layer, "model_or_layer")
    owner: dict[int, str] = {}  # id(variable) -> name of the layer that holds it
    recorded: dict[int, tuple[str, str]] = {}  # id(recorded loss) -> (layer name, kind)
    for layer in _leaf_layers(model_or_layer):
        regularized = _regularized(layer)
        for variable in regularized:
            owner.setdefault(id(variable), layer.name)
        # A layer's `losses` are its recorded terms followed by one term per regularized weight.
        losses = layer.losses
        has_activity = getattr(layer, "activity_regularizer", None) is not None
        for loss in losses[: len(losses) - len(regularized)]:
            recorded[id(loss)] = (layer.name, "activity" if has_activity else "added")

    losses = model_or_layer.losses
    regularized = _regularized(model_or_layer)
    rows = []
    for loss in losses[: len(losses) - len(regularized)]:
        name, kind = recorded.get(id(loss), (model_or_layer.name, "added"))
        rows.append(PenaltyTerm(name, kind, _as_number(loss, name, kind)))
    for variable in regularized:
        name = owner.get(id(variable), model_or_layer.name)
        value = variable.regularizer(variable)
        rows.append(PenaltyTerm(name, variable.name, _as_number(value, name, variable.name)))
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
    over each batch, so there the number depends on the batch size.

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
    x = as_float_array(x, "x", dtype=np.float32, allow_empty=False)
    y = as_float_array(y, "y", dtype=np.float32, allow_empty=False)
    if x.ndim < 1 or y.ndim < 1 or len(x) != len(y):
        raise ValueError(
            f"Shape mismatch: x has shape {x.shape} but y has shape {y.shape}; "
            f"expected the same number of rows (one target per input)."
        )
    loss = keras.losses.get(loss_fn) if isinstance(loss_fn, str) else loss_fn
    if not callable(loss):
        raise TypeError(_invalid("loss_fn", "a Keras loss name or a callable", loss_fn))
    y_pred = model(x, training=training)  # eager: records the activity terms for this x
    data_loss = float(np.mean(keras.ops.convert_to_numpy(loss(y, y_pred))))
    penalty = float(sum(term.value for term in penalty_terms(model)))
    return Objective(data_loss, penalty, data_loss + penalty)


def _activation(name):
    if name is None:
        return ACTIVATIONS["linear"]
    if isinstance(name, str) and name in ACTIVATIONS:
        return ACTIVATIONS[name]
    valid = ", ".join(repr(key) for key in ACTIVATIONS)
    raise ValueError(_invalid("activation", f"one of {valid} or None", name))


def _shape_message(name: str, expected: str, shape: tuple) -> str:
    return f"Invalid value for argument {name}: expected {expected}. Received: {name}.shape={shape}"


def _check_layer(obj, name: str) -> None:
    import keras

    if not isinstance(obj, keras.layers.Layer):
        raise TypeError(_invalid(name, "a Keras layer or model", obj))


def _leaf_layers(layer):
    """The layer itself, or for a model, the layers inside it (nested models walked into)."""
    sublayers = getattr(layer, "layers", None)
    if sublayers is None:
        yield layer
        return
    for sublayer in sublayers:
        yield from _leaf_layers(sublayer)


def _regularized(layer) -> list:
    return [v for v in layer.trainable_weights if getattr(v, "regularizer", None) is not None]


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
