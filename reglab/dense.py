"""The dense layer, ``y = activation(x @ W + b)``, and the loss terms its regularizers add.

- :func:`forward` is a numpy reference for ``keras.layers.Dense`` (same layout: ``x`` is
  ``(batch, in)``, the kernel ``W`` is ``(in, units)``, the bias ``b`` is ``(units,)``);
- :func:`penalty_terms` lists the regularization terms a Keras model or layer carries, one row per
  term, labelled with the layer and the kind (``'kernel'``, ``'bias'``, ``'activity'``);
- :func:`training_objective` splits the loss that ``fit`` minimises and ``evaluate`` reports into
  ``data loss + sum of penalties``.

The last two live in :mod:`reglab.objective` (``penalty_values`` and ``training_objective``),
the one module that walks a model for its penalty terms; they are re-exported here under the
names notebook 01 introduced.

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

import numpy as np

from reglab._validation import _invalid, as_float_array
from reglab.objective import Objective, PenaltyTerm, training_objective
from reglab.objective import penalty_values as penalty_terms

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


def _activation(name):
    if name is None:
        return ACTIVATIONS["linear"]
    if isinstance(name, str) and name in ACTIVATIONS:
        return ACTIVATIONS[name]
    valid = ", ".join(repr(key) for key in ACTIVATIONS)
    raise ValueError(_invalid("activation", f"one of {valid} or None", name))


def _shape_message(name: str, expected: str, shape: tuple) -> str:
    return f"Invalid value for argument {name}: expected {expected}. Received: {name}.shape={shape}"
