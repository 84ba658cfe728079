"""How sparse, how large, how well recovered: numbers about weights and activations.

Every function takes numpy arrays, lists, TensorFlow tensors or Keras variables (anything
``numpy.asarray`` can read) and computes in float64. Tolerances are never hidden: where "zero"
means "small", the caller passes ``tol`` and the notebook prints it beside the number.

- :func:`sparsity`, :func:`exact_zeros` and :func:`hoyer`: how many values are (near) zero, and
  Hoyer's measure, which needs no tolerance;
- :func:`active_units` and :func:`active_units_by_label`: how many code units respond per sample
  (an autoencoder's code), overall and per digit;
- :func:`l1_norm`, :func:`l2_norm`, :func:`kernel_weights` and :func:`weight_norms`: the norms
  of weights, and every kernel of a Keras model (flat, or one row of norms per kernel): the one
  place reglab computes weight norms;
- :func:`support_recovery`: precision and recall of the non-zero weights an estimate selects
  against a known support.

Introduced in notebooks/04-weight-regularization.ipynb (norms, exact zeros, support recovery)
and notebooks/07-sparse-autoencoders.ipynb (sparsity of codes, Hoyer, active units).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from reglab._validation import _invalid, as_float_array, check_axis, check_float

__all__ = [
    "SupportRecovery",
    "active_units",
    "active_units_by_label",
    "exact_zeros",
    "hoyer",
    "kernel_weights",
    "l1_norm",
    "l2_norm",
    "sparsity",
    "support_recovery",
    "weight_norms",
]


def _values(values, name: str) -> np.ndarray:
    return as_float_array(values, name, allow_empty=False)


def _codes(codes, name: str = "codes") -> np.ndarray:
    codes = _values(codes, name)
    if codes.ndim != 2:
        raise ValueError(_invalid(name, "a 2-D array of shape (n_samples, n_units)", f"shape {codes.shape}"))
    return codes


def sparsity(values, tol: float, axis: int | None = None):
    """Fraction of values with ``|v| <= tol``: 0 for a dense array, 1 when all are (near) zero.

    .. math:: s = \\frac{1}{n} \\#\\{\\, i : |v_i| \\le \\mathrm{tol} \\,\\}

    There is no default ``tol`` on purpose: "near zero" depends on the scale of the values, so
    the caller states it. ``tol=0`` counts exact zeros only (what a proximal L1 step gives).

    Parameters
    ----------
    values : array_like
        Weights or activations, any shape, not empty.
    tol : float
        The tolerance, >= 0.
    axis : int, optional
        Compute along this axis (``axis=1``: one number per row of a code matrix); ``None``
        (default) over all values.

    Returns
    -------
    float or numpy.ndarray
        A float for ``axis=None``, else an array with ``axis`` removed.

    Examples
    --------
    >>> sparsity([0.0, 1e-4, -0.5, 2.0], tol=1e-3)
    0.5
    >>> sparsity([[0.0, 1.0], [0.0, 0.0]], tol=0.0, axis=1)
    array([0.5, 1. ])

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    values = _values(values, "values")
    tol = check_float(tol, "tol")
    axis = check_axis(axis, values.ndim)
    near_zero = np.abs(values) <= tol
    return float(near_zero.mean()) if axis is None else near_zero.mean(axis=axis)


def exact_zeros(values) -> int:
    """The number of values exactly equal to 0 (``-0.0`` included).

    Examples
    --------
    >>> exact_zeros([0.0, -0.0, 1e-30, 3.0])
    2

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    return int(np.count_nonzero(_values(values, "values") == 0.0))


def hoyer(values, axis: int | None = None):
    """Hoyer's sparseness: 0 when all ``|v_i|`` are equal, 1 when one value is non-zero.

    .. math:: H(v) = \\frac{\\sqrt{n} - \\lVert v \\rVert_1 / \\lVert v \\rVert_2}{\\sqrt{n} - 1}

    It needs no tolerance and is scale-invariant (``H(c v) = H(v)``). An all-zero vector has no
    ratio ``‖v‖₁/‖v‖₂``; we return 1 for it by convention (as sparse as a vector gets, matching
    :func:`sparsity`, which is 1 there too), so dead rows of a code do not turn a mean into NaN.

    Parameters
    ----------
    values : array_like
        Any shape, with ``n >= 2`` entries along the reduced axis.
    axis : int, optional
        ``None`` (default): one number for all values; ``axis=1``: one per row (per sample of a
        code matrix).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> hoyer([0.0, 0.0, 0.0, 5.0])
    1.0
    >>> hoyer([1.0, -1.0, 1.0, 1.0])
    0.0
    >>> round(hoyer([1.0, 1.0, 0.0, 0.0]), 4)
    0.5858

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    values = _values(values, "values")
    axis = check_axis(axis, values.ndim)
    if axis is None:
        values = values.reshape(-1)
        axis = 0
    n = values.shape[axis]
    if n < 2:
        raise ValueError(_invalid("values", f"at least 2 entries along axis {axis}", f"shape {values.shape}"))
    l1 = np.abs(values).sum(axis=axis)
    l2 = np.sqrt(np.square(values).sum(axis=axis))
    ratio = np.divide(l1, l2, out=np.ones_like(l1), where=l2 > 0)  # all-zero -> ratio 1 -> H = 1
    result = (np.sqrt(n) - ratio) / (np.sqrt(n) - 1.0)
    return float(result) if result.ndim == 0 else result


def active_units(codes, tol: float) -> float:
    """Mean number of units per sample with ``|a| > tol``.

    .. math:: \\bar{k} = \\frac{1}{N} \\sum_{i=1}^{N} \\#\\{\\, j : |a_{ij}| > \\mathrm{tol} \\,\\}
              = n_{\\mathrm{units}} \\cdot (1 - \\mathrm{sparsity}(a, \\mathrm{tol}))

    Parameters
    ----------
    codes : array_like, shape (n_samples, n_units)
        Activations, one row per sample.
    tol : float
        A unit is active when its absolute activation exceeds ``tol`` (>= 0).

    Returns
    -------
    float

    Examples
    --------
    >>> active_units([[0.9, 0.0, 0.2], [0.0, 0.0, 0.7]], tol=0.1)
    1.5

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    codes = _codes(codes)
    tol = check_float(tol, "tol")
    return float((np.abs(codes) > tol).sum(axis=1).mean())


def active_units_by_label(codes, labels, tol: float):
    """:func:`active_units` for each label separately (for example, per digit).

    Parameters
    ----------
    codes : array_like, shape (n_samples, n_units)
    labels : array_like, shape (n_samples,)
        One label per row of ``codes`` (integers or strings).
    tol : float
        As in :func:`active_units`.

    Returns
    -------
    pandas.Series
        Indexed by the sorted labels, named ``"active_units"``.

    Examples
    --------
    >>> active_units_by_label([[1.0, 1.0], [1.0, 0.0], [0.0, 0.0]], [7, 7, 3], tol=0.5).to_dict()
    {3: 0.0, 7: 1.5}

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    import pandas as pd

    codes = _codes(codes)
    tol = check_float(tol, "tol")
    labels = np.asarray(labels)
    if labels.shape != (codes.shape[0],):
        raise ValueError(
            f"Shape mismatch: codes has shape {codes.shape} but labels has shape {labels.shape}; "
            f"expected labels of shape ({codes.shape[0]},), one per row of codes."
        )
    counts = (np.abs(codes) > tol).sum(axis=1)
    return pd.Series(counts, index=labels).groupby(level=0).mean().rename("active_units")


def l1_norm(values) -> float:
    """The L1 norm, in float64: the one place reglab sums absolute values of weights.

    .. math:: \\lVert w \\rVert_1 = \\sum_i |w_i|

    Examples
    --------
    >>> l1_norm([[3.0, -4.0]])
    7.0

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    return float(np.abs(_values(values, "values")).sum())


def l2_norm(values) -> float:
    """The Euclidean (Frobenius) norm, in float64; Keras' ``L2(λ)`` penalty is ``λ · l2_norm²``.

    .. math:: \\lVert w \\rVert_2 = \\sqrt{\\textstyle\\sum_i w_i^2}

    Examples
    --------
    >>> l2_norm([[3.0, -4.0]])
    5.0

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    return float(np.sqrt(np.square(_values(values, "values")).sum()))


def kernel_weights(model) -> np.ndarray:
    """Every kernel entry of a model (or layer) as one flat float64 vector; biases left out.

    Layers are visited in Keras' order (:func:`reglab.objective.layers`), nested models included.

    Examples
    --------
    >>> import keras
    >>> layer = keras.layers.Dense(2, kernel_initializer="ones")
    >>> layer.build((None, 3))
    >>> kernel_weights(layer)
    array([1., 1., 1., 1., 1., 1.])

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    kernels = [kernel.ravel() for _, kernel in _kernels(model)]
    return np.concatenate(kernels) if kernels else np.zeros(0)


def _kernels(model) -> list:
    """``(layer, kernel as float64)`` for every layer with a kernel, in Keras' order."""
    import keras

    from reglab import _keras

    if not isinstance(model, keras.layers.Layer):
        raise TypeError(_invalid("model", "a Keras model or layer", type(model).__name__))
    found = []
    for layer in _keras.flatten_layers(model):
        kernel = getattr(layer, "kernel", None)
        if kernel is not None:
            found.append((layer, np.asarray(keras.ops.convert_to_numpy(kernel), dtype=np.float64)))
    return found


def weight_norms(model):
    """The L1 and L2 norms of the kernel of every layer that has one (Dense, Conv, ...).

    .. math:: \\lVert W \\rVert_1 = \\sum_{ij} |W_{ij}|, \\qquad
              \\lVert W \\rVert_2 = \\sqrt{\\sum_{ij} W_{ij}^2}

    ``l2`` is the Euclidean (Frobenius) norm, not the sum of squares that Keras' ``L2``
    regularizer multiplies by λ: that penalty is ``λ · l2²``. Layers inside nested models are
    visited too, each layer once, in the order Keras lists them. Biases are left out.

    Parameters
    ----------
    model : keras.Model or keras.layers.Layer
        A built model or layer.

    Returns
    -------
    pandas.DataFrame
        One row per kernel: ``layer`` (name), ``n_weights``, ``l1``, ``l2``, ``exact_zeros``.

    Examples
    --------
    >>> import keras
    >>> layer = keras.layers.Dense(2, kernel_initializer="ones", name="dense")
    >>> layer.build((None, 3))
    >>> weight_norms(layer)[["layer", "n_weights", "l1", "l2"]].to_dict("records")
    [{'layer': 'dense', 'n_weights': 6, 'l1': 6.0, 'l2': 2.449489742783178}]

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    import pandas as pd

    rows = []
    for layer, kernel in _kernels(model):
        rows.append({"layer": layer.name, "n_weights": int(kernel.size), "l1": l1_norm(kernel),
                     "l2": l2_norm(kernel), "exact_zeros": exact_zeros(kernel)})
    return pd.DataFrame(rows, columns=["layer", "n_weights", "l1", "l2", "exact_zeros"])


class SupportRecovery(NamedTuple):
    """Which weights an estimate keeps (``|w| > tol``) against the true support."""

    precision: float
    """Of the kept weights, the fraction that are truly non-zero (NaN if none is kept)."""
    recall: float
    """Of the truly non-zero weights, the fraction kept (NaN if the true support is empty)."""
    n_selected: int
    n_true: int
    n_correct: int


def support_recovery(estimated, true_support, tol: float) -> SupportRecovery:
    """Precision and recall of the support ``{j : |ŵ_j| > tol}`` against the true one.

    .. math:: \\hat S = \\{ j : |\\hat w_j| > \\mathrm{tol} \\}, \\quad
              \\mathrm{precision} = \\frac{|\\hat S \\cap S|}{|\\hat S|}, \\quad
              \\mathrm{recall} = \\frac{|\\hat S \\cap S|}{|S|}

    A ratio with an empty denominator is NaN (undefined), not 0 or 1: at a λ so large that every
    weight is zero, nothing was selected, rightly or wrongly.

    Parameters
    ----------
    estimated : array_like
        The estimated weights, any shape (a ``(n_features, 1)`` Dense kernel is fine); flattened.
    true_support : array_like
        Either a boolean mask with as many entries as ``estimated`` or integer indices into the
        flattened ``estimated`` (``SparseRegression.support``).
    tol : float
        A weight counts as selected when ``|w| > tol`` (>= 0; 0 selects the exact non-zeros).

    Returns
    -------
    SupportRecovery
        ``precision``, ``recall``, ``n_selected``, ``n_true``, ``n_correct``.

    Examples
    --------
    >>> support_recovery([1.5, 0.0, 0.2, -0.01], true_support=[0, 1], tol=0.05)
    SupportRecovery(precision=0.5, recall=0.5, n_selected=2, n_true=2, n_correct=1)

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    estimated = _values(estimated, "estimated").reshape(-1)
    tol = check_float(tol, "tol")
    true_mask = _support_mask(true_support, estimated.size)
    selected = np.abs(estimated) > tol
    n_selected, n_true = int(selected.sum()), int(true_mask.sum())
    n_correct = int((selected & true_mask).sum())
    return SupportRecovery(
        precision=n_correct / n_selected if n_selected else float("nan"),
        recall=n_correct / n_true if n_true else float("nan"),
        n_selected=n_selected,
        n_true=n_true,
        n_correct=n_correct,
    )


def _support_mask(true_support, size: int) -> np.ndarray:
    support = np.asarray(true_support).reshape(-1)
    if support.dtype == bool:
        if support.size != size:
            raise ValueError(
                f"Shape mismatch: true_support is a mask of {support.size} entries but estimated has "
                f"{size}; expected one entry per weight."
            )
        return support
    if support.size and not np.issubdtype(support.dtype, np.integer):
        raise TypeError(_invalid("true_support", "a boolean mask or integer indices", true_support))
    if support.size and (
        support.min() < 0 or support.max() >= size or len(np.unique(support)) != support.size
    ):
        raise ValueError(_invalid("true_support", f"distinct indices between 0 and {size - 1}", true_support))
    mask = np.zeros(size, dtype=bool)
    mask[support.astype(np.int64)] = True
    return mask
