"""Builders for the Keras models of notebooks 04-07, deterministic given a seed.

Every builder returns an **uncompiled** functional ``keras.Model``: a notebook either calls
``model.compile(...)`` and ``fit``, or trains it with ``reglab.training``, which computes
``data_loss + sum(model.losses)`` itself. Keeping ``compile`` out means the same model serves
both, and the loss and optimizer stay visible in the notebook.

Regularizers are accepted as Keras objects (``keras.regularizers.L2(0.01)``, a
:class:`reglab.regularizers.KLSparsity`), as Keras' string identifiers (``"l1"``, ``"l2"``:
factor 0.01; ``"l1l2"``: both factors 0.0), as a config dict, or ``None`` (no penalty). Weights
are drawn with seeded Keras initializers (Glorot uniform kernels, zero biases): the same seed
gives the same weights, whatever the global random state. Layer ``i`` (counting from 0) of a
builder gets the seed ``seed + i``, so layers of equal shape still differ.

Introduced in notebooks/04-weight-regularization.ipynb (:func:`linear_regression`,
:func:`mlp`), notebooks/05-bias-regularization.ipynb (:func:`linear_regression`),
notebooks/06-activity-regularization.ipynb (:func:`dense_with_activity`,
:func:`activity_model`, :func:`activity_placement_pair`) and
notebooks/07-sparse-autoencoders.ipynb (:func:`autoencoder`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import keras

from reglab._validation import _invalid, check_fraction, check_int, check_str

__all__ = [
    "PLACEMENTS",
    "REGULARIZER_NAMES",
    "Autoencoder",
    "PlacementPair",
    "activity_model",
    "activity_placement_pair",
    "autoencoder",
    "dense_with_activity",
    "linear_regression",
    "mlp",
]

PLACEMENTS = ("after", "before")
"""Where an activity regularizer sees the layer's output: after or before the activation."""

REGULARIZER_NAMES = ("l1", "l2", "l1l2", "orthogonal_regularizer")
"""The string identifiers ``keras.regularizers.get`` accepts (class names such as "L2" work too)."""


def _regularizer(value, name: str):
    """``None`` or a Keras regularizer; the error lists the valid identifiers."""
    if value is None:
        return None
    try:
        return keras.regularizers.get(value)
    except (TypeError, ValueError):
        expected = f"None, a keras regularizer, a callable, a config dict or one of {REGULARIZER_NAMES}"
        raise ValueError(_invalid(name, expected, value)) from None


def _activation(value, name: str, *, allow_none: bool = False):
    """A Keras activation identifier (``"relu"``, a callable); ``None`` only where allowed."""
    expected = "a Keras activation name such as 'relu', or a callable" + (", or None" if allow_none else "")
    if value is None and allow_none:
        return None
    try:
        keras.activations.get(value)
    except (TypeError, ValueError):
        raise ValueError(_invalid(name, expected, value)) from None
    return value


def _placement(value: object) -> str:
    if value not in PLACEMENTS:
        raise ValueError(_invalid("placement", f"one of {PLACEMENTS}", value))
    return value


def _units(values: object, name: str) -> tuple[int, ...]:
    if isinstance(values, int | str) or not isinstance(values, Sequence):
        raise TypeError(_invalid(name, "a sequence of layer widths, e.g. (64, 64)", values))
    for width in values:
        check_int(width, f"{name} entry")
    return tuple(int(width) for width in values)


def _constraint(value):
    """``None`` or a Keras constraint (an object, a name such as ``"max_norm"``, a config dict)."""
    if value is None:
        return None
    try:
        return keras.constraints.get(value)
    except (TypeError, ValueError):
        expected = "None, a keras constraint such as keras.constraints.MaxNorm(2.0), a name or a config dict"
        raise ValueError(_invalid("kernel_constraint", expected, value)) from None


def _dropout(value: object) -> float:
    return check_fraction(value, "dropout", allow_zero=True)


def _dense(units: int, seed: int, name: str, **kwargs) -> keras.layers.Dense:
    return keras.layers.Dense(
        units,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed),
        bias_initializer="zeros",
        name=name,
        **kwargs,
    )


def linear_regression(n_features: int, kernel_regularizer=None, bias_regularizer=None) -> keras.Model:
    """``y = x w + b``: one ``Dense(1)`` unit, weights starting at zero, uncompiled.

    Both the kernel and the bias start at 0 (the problem is convex, so no random start is needed,
    and a weight L1 never moved stays an exact zero). The layer is named ``"linear"``.

    Parameters
    ----------
    n_features : int
        Number of inputs (>= 1).
    kernel_regularizer, bias_regularizer : regularizer, str, dict or None
        Penalties on ``w`` and ``b``.

    Returns
    -------
    keras.Model
        Input ``(None, n_features)``, output ``(None, 1)``, not compiled.

    Examples
    --------
    >>> model = linear_regression(3, kernel_regularizer=keras.regularizers.L1(0.1))
    >>> model.output_shape, model.count_params()
    ((None, 1), 4)

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    n_features = check_int(n_features, "n_features")
    inputs = keras.Input((n_features,), name="x")
    outputs = keras.layers.Dense(
        1,
        kernel_initializer="zeros",
        bias_initializer="zeros",
        kernel_regularizer=_regularizer(kernel_regularizer, "kernel_regularizer"),
        bias_regularizer=_regularizer(bias_regularizer, "bias_regularizer"),
        name="linear",
    )(inputs)
    return keras.Model(inputs, outputs, name="linear_regression")


def mlp(
    input_dim: int,
    hidden: Sequence[int] = (64, 64),
    outputs: int = 1,
    activation: str = "relu",
    output_activation: str | None = None,
    kernel_regularizer=None,
    bias_regularizer=None,
    dropout: float = 0.0,
    seed: int = 0,
    kernel_constraint=None,
    name: str = "mlp",
) -> keras.Model:
    """A multilayer perceptron: ``Dense(h, activation)`` [+ ``Dropout``] per hidden width, then
    ``Dense(outputs, output_activation)``; uncompiled.

    The kernel and bias regularizers go on **every** Dense layer, the output layer included.
    With ``dropout > 0`` a ``Dropout(dropout)`` layer follows each hidden layer (active only in
    training: ``model(x, training=True)`` or ``fit``). Layers are named ``"hidden_1"``,
    ``"dropout_1"``, ..., ``"output"``.

    Parameters
    ----------
    input_dim : int
        Number of inputs (>= 1).
    hidden : sequence of int
        Widths of the hidden layers; ``()`` gives a linear model with random start.
    outputs : int
        Width of the output layer.
    activation : str
        Activation of the hidden layers (a Keras name).
    output_activation : str or None
        Activation of the output layer (``None``: linear, for regression).
    kernel_regularizer, bias_regularizer : regularizer, str, dict or None
        Penalties on every kernel and every bias.
    dropout : float
        Dropout rate in ``[0, 1)`` after each hidden layer; 0 adds no Dropout layer.
    seed : int
        Seeds the initializers (``seed + i`` for Dense layer ``i``) and the dropout masks.
    kernel_constraint : constraint, str, dict or None
        A constraint on every kernel, applied after each optimizer step (a projection, not a
        penalty), e.g. ``keras.constraints.MaxNorm(2.0)``: every column (the weights into one
        unit) is rescaled to norm at most 2.
    name : str
        The model's name (distinct names let several MLPs sit side by side in one model).

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> model = mlp(10, hidden=(256, 256), kernel_regularizer="l2", dropout=0.2, seed=0)
    >>> [layer.name for layer in model.layers[1:]]
    ['hidden_1', 'dropout_1', 'hidden_2', 'dropout_2', 'output']
    >>> model.count_params()
    68865
    >>> capped = mlp(3, hidden=(4,), kernel_constraint=keras.constraints.MaxNorm(1.0), name="capped")
    >>> capped.name, type(capped.get_layer("hidden_1").kernel_constraint).__name__
    ('capped', 'MaxNorm')

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    input_dim = check_int(input_dim, "input_dim")
    hidden = _units(hidden, "hidden")
    outputs = check_int(outputs, "outputs")
    rate = _dropout(dropout)
    seed = check_int(seed, "seed", minimum=0)
    activation = _activation(activation, "activation")
    output_activation = _activation(output_activation, "output_activation", allow_none=True)
    penalties = {
        "kernel_regularizer": _regularizer(kernel_regularizer, "kernel_regularizer"),
        "bias_regularizer": _regularizer(bias_regularizer, "bias_regularizer"),
        "kernel_constraint": _constraint(kernel_constraint),
    }
    name = check_str(name, "name", "a model name")
    inputs = keras.Input((input_dim,), name="x")
    x = inputs
    for i, width in enumerate(hidden):
        x = _dense(width, seed + i, f"hidden_{i + 1}", activation=activation, **penalties)(x)
        if rate > 0:
            x = keras.layers.Dropout(rate, seed=seed + i, name=f"dropout_{i + 1}")(x)
    y = _dense(outputs, seed + len(hidden), "output", activation=output_activation, **penalties)(x)
    return keras.Model(inputs, y, name=name)


def dense_with_activity(
    units: int,
    activation: str = "relu",
    regularizer=None,
    placement: str = "after",
    seed: int = 0,
    name: str = "dense",
) -> list[keras.layers.Layer]:
    """A dense layer whose activity regularizer sees the output after or before the activation.

    - ``placement="after"``: ``[Dense(units, activation, activity_regularizer=r)]``; the
      penalty is on ``a = activation(x W + b)``;
    - ``placement="before"``: ``[Dense(units, activity_regularizer=r), Activation(activation)]``;
      the penalty is on the pre-activation ``z = x W + b``.

    Both give the same output for the same seed; only what is penalised differs. For a ReLU and
    ``z < 0``, "after" sees ``relu(z) = 0`` (no penalty, no gradient) while "before" penalises
    ``|z|``, pushing ``z`` up towards 0. (Keras 3.14 and later divide either penalty by the batch
    size, Keras 3.0 to 3.13 do not: :func:`reglab.compat.activity_scale`.)

    Parameters
    ----------
    units : int
        Width of the layer.
    activation : str
        A Keras activation name.
    regularizer : regularizer, str, dict or None
        The activity regularizer.
    placement : {"after", "before"}
        Where the regularizer sees the output.
    seed : int
        Seed of the kernel initializer.
    name : str
        Name of the Dense layer; the Activation layer (if any) is ``f"{name}_activation"``.

    Returns
    -------
    list of keras.layers.Layer
        One layer (after) or two (before), to apply in order.

    Examples
    --------
    >>> [type(layer).__name__ for layer in dense_with_activity(4, placement="before")]
    ['Dense', 'Activation']

    Introduced in notebooks/06-activity-regularization.ipynb.
    """
    units = check_int(units, "units")
    activation = _activation(activation, "activation")
    regularizer = _regularizer(regularizer, "regularizer")
    placement = _placement(placement)
    seed = check_int(seed, "seed", minimum=0)
    name = check_str(name, "name", "a layer name")
    if placement == "after":
        return [_dense(units, seed, name, activation=activation, activity_regularizer=regularizer)]
    return [
        _dense(units, seed, name, activity_regularizer=regularizer),
        keras.layers.Activation(activation, name=f"{name}_activation"),
    ]


def activity_model(
    input_dim: int,
    units: int,
    activation: str = "relu",
    regularizer=None,
    placement: str = "after",
    outputs: int | None = None,
    seed: int = 0,
) -> keras.Model:
    """``x → dense_with_activity(...)`` [→ ``Dense(outputs)``], uncompiled.

    With ``outputs=None`` the regularized layer's output is the model's output (to look at the
    activations and the penalty); with an integer, a linear ``Dense(outputs)`` head named
    ``"output"`` follows (to train on a regression).

    Parameters
    ----------
    input_dim, units : int
        Input width and width of the regularized layer (named ``"dense"``).
    activation, regularizer, placement
        As in :func:`dense_with_activity`.
    outputs : int or None
        Width of an optional linear head.
    seed : int
        Seeds the layer (``seed``) and the head (``seed + 1``).

    Returns
    -------
    keras.Model

    Examples
    --------
    >>> activity_model(2, 3, regularizer="l1", placement="before", outputs=1).output_shape
    (None, 1)

    Introduced in notebooks/06-activity-regularization.ipynb.
    """
    input_dim = check_int(input_dim, "input_dim")
    seed = check_int(seed, "seed", minimum=0)
    inputs = keras.Input((input_dim,), name="x")
    x = inputs
    for layer in dense_with_activity(units, activation, regularizer, placement, seed=seed):
        x = layer(x)
    if outputs is not None:
        x = _dense(check_int(outputs, "outputs"), seed + 1, "output")(x)
    return keras.Model(inputs, x, name=f"activity_{placement}")


class PlacementPair(NamedTuple):
    """Two models with the same initial weights, differing only in the regularizer's placement."""

    after: keras.Model
    before: keras.Model


def activity_placement_pair(
    input_dim: int,
    units: int,
    activation: str = "relu",
    regularizer=None,
    outputs: int | None = None,
    seed: int = 0,
) -> PlacementPair:
    """:func:`activity_model` twice, ``placement="after"`` and ``"before"``, same seed.

    Since the seed is shared, both start from identical weights and compute identical outputs;
    their penalties differ wherever the activation changes the pre-activation.

    Examples
    --------
    >>> import numpy as np
    >>> pair = activity_placement_pair(2, 3, regularizer=keras.regularizers.L1(0.1))
    >>> for model in pair:  # kernel -1 and x = (1, 1): every pre-activation z = -2
    ...     _ = model.get_layer("dense").kernel.assign(-np.ones((2, 3)))
    ...     _ = model(np.ones((1, 2)))
    >>> [round(float(sum(model.losses)), 4) for model in pair]  # after: L1(relu(z)); before: 0.1 * 6
    [0.0, 0.6]

    (One sample: the batch size 1 divides nothing, on every Keras release.)

    Introduced in notebooks/06-activity-regularization.ipynb.
    """
    kwargs = {"activation": activation, "regularizer": regularizer, "outputs": outputs, "seed": seed}
    return PlacementPair(
        after=activity_model(input_dim, units, placement="after", **kwargs),
        before=activity_model(input_dim, units, placement="before", **kwargs),
    )


class Autoencoder(NamedTuple):
    """An autoencoder and its two halves, sharing layers (training one trains the others)."""

    model: keras.Model
    """``x → x̂``, the model to train."""
    encoder: keras.Model
    """``x → code``, the output of the code layer (after its activation)."""
    decoder: keras.Model
    """``code → x̂``."""


def autoencoder(
    input_dim: int,
    code_dim: int,
    code_activation: str = "sigmoid",
    activity_regularizer=None,
    placement: str = "after",
    hidden: Sequence[int] = (),
    hidden_activation: str = "relu",
    output_activation: str | None = "sigmoid",
    seed: int = 0,
) -> Autoencoder:
    """A dense autoencoder with an activity regularizer on its code, uncompiled.

    ``x → [Dense(h, hidden_activation)]* → code → [Dense(h, hidden_activation)]* (reversed) →
    Dense(input_dim, output_activation)``. The code layer is built by
    :func:`dense_with_activity` (named ``"code"``; with ``placement="before"`` an Activation layer
    ``"code_activation"`` follows), so the regularizer sees the code after or before its
    activation. With ``hidden=()`` the decoder is the single layer ``"reconstruction"``, whose
    kernel rows (``decoder.get_layer("reconstruction").kernel``, shape ``(code_dim,
    input_dim)``) are the features each code unit paints: reshape them to 8 × 8 for digits.

    Use :class:`reglab.regularizers.KLSparsity` with ``code_activation="sigmoid"`` and the
    default placement ("after"): its ρ̂ must be a mean activation in ``(0, 1)``.

    Parameters
    ----------
    input_dim, code_dim : int
        Width of the data (64 for digits) and of the code.
    code_activation : str
        Activation of the code layer.
    activity_regularizer : regularizer, str, dict or None
        The penalty on the code (``None``: a plain autoencoder).
    placement : {"after", "before"}
        Where the regularizer sees the code.
    hidden : sequence of int
        Widths of the encoder's hidden layers; the decoder mirrors them.
    hidden_activation : str
        Activation of the hidden layers.
    output_activation : str or None
        Activation of the reconstruction (``"sigmoid"`` for data in ``[0, 1]``).
    seed : int
        Seeds the Dense layers, ``seed + i`` for the ``i``-th from the input.

    Returns
    -------
    Autoencoder
        ``model``, ``encoder``, ``decoder``.

    Examples
    --------
    >>> from reglab.regularizers import KLSparsity
    >>> ae = autoencoder(64, 16, activity_regularizer=KLSparsity(target=0.05, weight=0.1))
    >>> ae.encoder.output_shape, ae.decoder.output_shape, ae.model.count_params()
    ((None, 16), (None, 64), 2128)

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    input_dim = check_int(input_dim, "input_dim")
    code_dim = check_int(code_dim, "code_dim")
    hidden = _units(hidden, "hidden")
    seed = check_int(seed, "seed", minimum=0)
    code_activation = _activation(code_activation, "code_activation")
    hidden_activation = _activation(hidden_activation, "hidden_activation")
    output_activation = _activation(output_activation, "output_activation", allow_none=True)
    activity_regularizer = _regularizer(activity_regularizer, "activity_regularizer")
    placement = _placement(placement)
    encoder_layers = [
        _dense(width, seed + i, f"encoder_hidden_{i + 1}", activation=hidden_activation)
        for i, width in enumerate(hidden)
    ]
    encoder_layers += dense_with_activity(
        code_dim, code_activation, activity_regularizer, placement, seed=seed + len(hidden), name="code"
    )
    first = seed + len(hidden) + 1
    widths = hidden[::-1]
    decoder_layers = [
        _dense(width, first + i, f"decoder_hidden_{i + 1}", activation=hidden_activation)
        for i, width in enumerate(widths)
    ]
    decoder_layers.append(
        _dense(input_dim, first + len(widths), "reconstruction", activation=output_activation)
    )

    def apply(layers, tensor):
        for layer in layers:
            tensor = layer(tensor)
        return tensor

    inputs = keras.Input((input_dim,), name="x")
    code = apply(encoder_layers, inputs)
    model = keras.Model(inputs, apply(decoder_layers, code), name="autoencoder")
    encoder = keras.Model(inputs, code, name="encoder")
    code_input = keras.Input((code_dim,), name="code_input")
    decoder = keras.Model(code_input, apply(decoder_layers, code_input), name="decoder")
    return Autoencoder(model=model, encoder=encoder, decoder=decoder)
