"""Small, seeded, offline data sets for the notebooks, and a train/validation split.

Every function here draws from ``numpy.random.default_rng(seed)`` (or reads scikit-learn's
bundled digits), so the same seed gives the same arrays on every machine, and nothing is
downloaded. Each returns a frozen dataclass whose arrays are read-only, with one convention:

- ``x``, ``y``: the training inputs and targets, ``float32`` (what Keras computes in), inputs of
  shape ``(n, n_features)`` and regression targets of shape ``(n, 1)`` (the shape of a
  ``Dense(1)`` output, so a hand-written loss needs no reshaping);
- ``x_val``, ``y_val`` (and ``x_test``, ``y_test``) where the set comes with held-out data;
- the truth the notebook compares against (``true_weights``, ``support``, ``intercept``, ...).

The sets are small on purpose: every notebook must run in under a minute on two CPU cores.

Introduced in notebooks/04-weight-regularization.ipynb (:func:`sparse_regression`,
:func:`overfitting_regression`, :func:`train_val_split`), notebooks/05-bias-regularization.ipynb
(:func:`offset_regression`) and notebooks/07-sparse-autoencoders.ipynb (:func:`digits`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from reglab._validation import _invalid, as_float_array, check_float, check_fraction, check_int, check_real

__all__ = [
    "CurveFit",
    "Digits",
    "OffsetRegression",
    "SparseRegression",
    "Split",
    "digits",
    "offset_regression",
    "overfitting_regression",
    "sparse_regression",
    "train_val_split",
]


def _frozen(array: np.ndarray, dtype=np.float32) -> np.ndarray:
    """A read-only copy in ``dtype``, so a frozen dataclass is frozen all the way down."""
    array = np.array(array, dtype=dtype)
    array.flags.writeable = False
    return array


# --- a train/validation split -------------------------------------------------------------------
@dataclass(frozen=True)
class Split:
    """Training and validation parts of a data set (rows of ``x`` and ``y`` kept together)."""

    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray


def train_val_split(x, y, val_fraction: float = 0.2, seed: int = 0) -> Split:
    """Shuffle the rows with ``seed`` and hold out ``round(val_fraction · n)`` of them.

    Parameters
    ----------
    x : array_like, shape (n, ...)
        Inputs; returned as ``float32``.
    y : array_like, shape (n, ...)
        Targets or labels, same number of rows; integer labels keep their integer dtype, anything
        else becomes ``float32``.
    val_fraction : float
        The fraction held out, in ``(0, 1)``; both parts must get at least one row.
    seed : int
        Seed of the shuffle.

    Returns
    -------
    Split
        ``x``, ``y`` (training rows) and ``x_val``, ``y_val``, read-only.

    Examples
    --------
    >>> split = train_val_split(np.arange(20.0).reshape(10, 2), np.arange(10), val_fraction=0.3)
    >>> split.x.shape, split.x_val.shape
    ((7, 2), (3, 2))

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    x = as_float_array(x, "x", dtype=np.float32, allow_empty=False)
    y_array = np.asarray(y)
    y_dtype = y_array.dtype if np.issubdtype(y_array.dtype, np.integer) else np.float32
    y_array = as_float_array(y_array, "y", dtype=y_dtype, allow_empty=False)
    if x.ndim == 0 or y_array.ndim == 0 or len(x) != len(y_array):
        raise ValueError(
            f"Shape mismatch: x has shape {x.shape} but y has shape {y_array.shape}; "
            "expected the same number of rows."
        )
    fraction = check_fraction(val_fraction, "val_fraction", allow_zero=False)
    seed = check_int(seed, "seed", minimum=0)
    n = len(x)
    n_val = round(fraction * n)
    if not 1 <= n_val <= n - 1:
        raise ValueError(
            _invalid(
                "val_fraction", f"a fraction that leaves at least one row on each side of {n}", val_fraction
            )
        )
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return Split(
        x=_frozen(x[train]),
        y=_frozen(y_array[train], y_dtype),
        x_val=_frozen(x[val]),
        y_val=_frozen(y_array[val], y_dtype),
    )


# --- sparse linear regression (notebook 04: does L1 find the true support?) ---------------------
@dataclass(frozen=True)
class SparseRegression:
    """``y = x · true_weights + noise · ε`` with only ``support`` weights non-zero.

    ``support`` holds the indices of the non-zero weights (sorted); :attr:`support_mask` is the
    same as a boolean mask.
    """

    x: np.ndarray
    y: np.ndarray
    true_weights: np.ndarray
    support: np.ndarray
    noise: float

    @property
    def support_mask(self) -> np.ndarray:
        """Boolean mask of shape ``(n_features,)``: True where the true weight is non-zero."""
        mask = np.zeros(self.true_weights.shape, dtype=bool)
        mask[self.support] = True
        return mask


def sparse_regression(
    n_samples: int = 100,
    n_features: int = 20,
    n_informative: int = 5,
    noise: float = 0.5,
    seed: int = 0,
) -> SparseRegression:
    """A linear regression whose true weight vector is sparse, with the support known.

    .. math:: y = x w^\\star + \\sigma \\varepsilon, \\qquad x_{ij}, \\varepsilon_i \\sim N(0, 1)

    ``w*`` has ``n_informative`` non-zero entries at random positions, each of magnitude drawn
    uniformly from ``[1, 2]`` with a random sign: bounded away from zero, so a good estimator can
    tell them from the zeros. There is no intercept.

    Parameters
    ----------
    n_samples, n_features : int
        Rows and columns of ``x`` (each >= 1).
    n_informative : int
        Number of non-zero true weights, ``1 <= n_informative <= n_features``.
    noise : float
        Standard deviation σ >= 0 of the additive Gaussian noise.
    seed : int
        Seed of every draw.

    Returns
    -------
    SparseRegression
        ``x`` (n_samples, n_features), ``y`` (n_samples, 1), ``true_weights`` (n_features,),
        ``support`` (indices, sorted), ``noise``.

    Examples
    --------
    >>> data = sparse_regression(n_samples=50, n_features=10, n_informative=3, seed=0)
    >>> data.x.shape, data.y.shape, len(data.support), int(np.count_nonzero(data.true_weights))
    ((50, 10), (50, 1), 3, 3)

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    n_samples = check_int(n_samples, "n_samples")
    n_features = check_int(n_features, "n_features")
    n_informative = check_int(n_informative, "n_informative")
    if n_informative > n_features:
        raise ValueError(
            _invalid("n_informative", f"an integer between 1 and n_features={n_features}", n_informative)
        )
    noise = check_float(noise, "noise")
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    support = np.sort(rng.choice(n_features, size=n_informative, replace=False))
    weights = np.zeros(n_features)
    weights[support] = rng.uniform(1.0, 2.0, n_informative) * rng.choice([-1.0, 1.0], n_informative)
    x = rng.standard_normal((n_samples, n_features))
    y = x @ weights + noise * rng.standard_normal(n_samples)
    return SparseRegression(
        x=_frozen(x),
        y=_frozen(y[:, None]),
        true_weights=_frozen(weights),
        support=_frozen(support, np.int64),
        noise=noise,
    )


# --- a small noisy curve that a wide MLP overfits (notebook 04) ---------------------------------
@dataclass(frozen=True)
class CurveFit:
    """Noisy samples of ``sin(π t)`` on ``[-1, 1]``, fed to the model as polynomial features.

    ``t`` and ``t_val`` are the raw 1-D inputs (for plots); ``x`` and ``x_val`` their features
    ``[t, t², ..., t^degree]``. :meth:`features` maps any ``t`` (a plotting grid) the same way and
    :meth:`truth` gives the noise-free curve.
    """

    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    t: np.ndarray
    t_val: np.ndarray
    degree: int
    noise: float

    def features(self, t) -> np.ndarray:
        """``[t, t², ..., t^degree]`` for each value of ``t``, shape ``(len(t), degree)``, float32."""
        t = as_float_array(t, "t").reshape(-1, 1)
        return (t ** np.arange(1, self.degree + 1)).astype(np.float32)

    @staticmethod
    def truth(t) -> np.ndarray:
        """The noise-free target ``sin(π t)``, shape ``(len(t), 1)``, float32."""
        t = as_float_array(t, "t").reshape(-1, 1)
        return np.sin(np.pi * t).astype(np.float32)


def overfitting_regression(
    n_train: int = 15,
    n_val: int = 200,
    degree: int = 10,
    noise: float = 0.3,
    seed: int = 0,
) -> CurveFit:
    """A few noisy points of a sine that a wide MLP fits, then overfits, within 100 epochs.

    .. math:: y = \\sin(\\pi t) + \\sigma \\varepsilon, \\quad t \\sim U[-1, 1],
              \\quad x = [t, t^2, \\dots, t^{d}]

    The polynomial features give the network easy access to wiggly functions, so after fitting
    the sine (validation loss near ``noise²``, first ~10 epochs) it goes on to fit the noise of
    its 15 points: training loss keeps falling while validation loss rises. Checked with a
    2 × 256 ReLU MLP, Adam (learning rate 0.01), full-batch, 100 epochs, for seeds 0-4 of both
    data and model: the final validation loss is 1.5 to 10 times its minimum (reached between
    epochs 3 and 15), while the training loss falls below 0.03, a third of ``noise² = 0.09``.

    Parameters
    ----------
    n_train, n_val : int
        Number of training and validation points (each >= 1; the defaults are the tested ones).
    degree : int
        Number of polynomial features ``d >= 1``.
    noise : float
        Standard deviation σ >= 0 of the noise, the same on both sets.
    seed : int
        Seed of every draw.

    Returns
    -------
    CurveFit
        ``x`` (n_train, degree), ``y`` (n_train, 1), ``x_val``, ``y_val``, the raw ``t``,
        ``t_val``, ``degree`` and ``noise``.

    Examples
    --------
    >>> data = overfitting_regression(seed=0)
    >>> data.x.shape, data.y_val.shape
    ((15, 10), (200, 1))
    >>> float(data.truth([0.5])[0, 0])
    1.0

    Introduced in notebooks/04-weight-regularization.ipynb.
    """
    n_train = check_int(n_train, "n_train")
    n_val = check_int(n_val, "n_val")
    degree = check_int(degree, "degree")
    noise = check_float(noise, "noise")
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    t = rng.uniform(-1.0, 1.0, n_train + n_val)
    y = np.sin(np.pi * t) + noise * rng.standard_normal(t.shape)
    powers = t[:, None] ** np.arange(1, degree + 1)
    train, val = slice(0, n_train), slice(n_train, None)
    return CurveFit(
        x=_frozen(powers[train]),
        y=_frozen(y[train, None]),
        x_val=_frozen(powers[val]),
        y_val=_frozen(y[val, None]),
        t=_frozen(t[train]),
        t_val=_frozen(t[val]),
        degree=degree,
        noise=noise,
    )


# --- a regression with a large intercept (notebook 05: penalising the bias) ---------------------
@dataclass(frozen=True)
class OffsetRegression:
    """``y = x · true_weights + intercept + noise · ε``: a line (or plane) far from the origin."""

    x: np.ndarray
    y: np.ndarray
    true_weights: np.ndarray
    intercept: float
    noise: float


def offset_regression(
    n_samples: int = 100,
    n_features: int = 1,
    intercept: float = 10.0,
    noise: float = 0.5,
    x_mean: float = 0.0,
    seed: int = 0,
) -> OffsetRegression:
    """A linear regression with a large intercept, to see what penalising the bias costs.

    .. math:: y = x w^\\star + b^\\star + \\sigma \\varepsilon, \\qquad x_{ij} \\sim N(\\mu_x, 1)

    The weights ``w*`` have magnitudes drawn uniformly from ``[1, 2]`` with random signs. With
    ``x_mean = 0`` the inputs are centred, so a bias pulled towards 0 cannot be made up by the
    kernel; with ``x_mean`` far from 0 the kernel can absorb part of it (the slope tilts).

    Parameters
    ----------
    n_samples, n_features : int
        Rows and columns of ``x`` (each >= 1).
    intercept : float
        The true intercept ``b*`` (any finite float; 0 gives the case where penalising the bias
        costs nothing).
    noise : float
        Standard deviation σ >= 0 of the noise.
    x_mean : float
        The mean ``μ_x`` of every input column (any finite float).
    seed : int
        Seed of every draw.

    Returns
    -------
    OffsetRegression
        ``x`` (n_samples, n_features), ``y`` (n_samples, 1), ``true_weights`` (n_features,),
        ``intercept``, ``noise``.

    Examples
    --------
    >>> data = offset_regression(n_samples=2000, intercept=10.0, noise=0.1, seed=0)
    >>> round(float(data.y.mean() - data.x.mean(axis=0) @ data.true_weights), 1)
    10.0

    Introduced in notebooks/05-bias-regularization.ipynb.
    """
    n_samples = check_int(n_samples, "n_samples")
    n_features = check_int(n_features, "n_features")
    intercept = check_real(intercept, "intercept")
    noise = check_float(noise, "noise")
    x_mean = check_real(x_mean, "x_mean")
    seed = check_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    weights = rng.uniform(1.0, 2.0, n_features) * rng.choice([-1.0, 1.0], n_features)
    x = x_mean + rng.standard_normal((n_samples, n_features))
    y = x @ weights + intercept + noise * rng.standard_normal(n_samples)
    return OffsetRegression(
        x=_frozen(x), y=_frozen(y[:, None]), true_weights=_frozen(weights), intercept=intercept, noise=noise
    )


# --- scikit-learn's digits (notebook 07: sparse autoencoders) -----------------------------------
@dataclass(frozen=True)
class Digits:
    """scikit-learn's 8 × 8 digits, flattened to 64 pixels in ``[0, 1]``, split three ways.

    ``y``, ``y_val`` and ``y_test`` are the digit labels 0-9 (``int64``): an autoencoder's target
    is ``x`` itself, and the labels are kept to group codes by digit.
    """

    x: np.ndarray
    y: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple[int, int] = (8, 8)


@functools.cache
def _load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's digits as ``(pixels / 16, labels)``, read once per process (read-only)."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return _frozen(bunch.data / 16.0, np.float64), _frozen(bunch.target, np.int64)


def digits(seed: int = 0, val_fraction: float = 0.15, test_fraction: float = 0.15) -> Digits:
    """The 1797 digits bundled with scikit-learn (no download), scaled and split by label.

    Pixels are 0-16 integers in the source; here ``x = pixels / 16``, so ``x`` lies in
    ``[0, 1]`` (the range of a sigmoid reconstruction). The split is stratified: within each
    digit, ``round(val_fraction · n_digit)`` images go to validation and
    ``round(test_fraction · n_digit)`` to test, chosen with ``seed``; the rest train. Rows are
    then shuffled within each part.

    Parameters
    ----------
    seed : int
        Seed of the split.
    val_fraction, test_fraction : float
        Fractions in ``[0, 1)`` with a sum below 1 (0 gives an empty part of shape ``(0, 64)``).

    Returns
    -------
    Digits
        ``x``, ``x_val``, ``x_test`` (n, 64) float32; ``y``, ``y_val``, ``y_test`` (n,) int64;
        ``image_shape = (8, 8)``.

    Examples
    --------
    >>> data = digits(seed=0)
    >>> data.x.shape, data.x_val.shape, data.x_test.shape, float(data.x.max())
    ((1259, 64), (269, 64), (269, 64), 1.0)

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    seed = check_int(seed, "seed", minimum=0)
    val_fraction = check_fraction(val_fraction, "val_fraction", allow_zero=True)
    test_fraction = check_fraction(test_fraction, "test_fraction", allow_zero=True)
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(
            "Invalid values for arguments val_fraction and test_fraction: expected a sum below 1 "
            f"(some images must train). Received: val_fraction={val_fraction!r}, "
            f"test_fraction={test_fraction!r}"
        )
    x, labels = _load_digits()
    rng = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        n_val, n_test = round(val_fraction * len(rows)), round(test_fraction * len(rows))
        parts[1].append(rows[:n_val])
        parts[2].append(rows[n_val : n_val + n_test])
        parts[0].append(rows[n_val + n_test :])
    train, val, test = (rng.permutation(np.concatenate(part)) for part in parts)
    return Digits(
        x=_frozen(x[train]),
        y=_frozen(labels[train], np.int64),
        x_val=_frozen(x[val]),
        y_val=_frozen(labels[val], np.int64),
        x_test=_frozen(x[test]),
        y_test=_frozen(labels[test], np.int64),
    )
