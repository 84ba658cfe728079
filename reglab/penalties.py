"""L1, L2 and L1+L2 weight penalties in numpy, with the exact convention of Keras' regularizers.

Keras adds ``λ·Σ|w|`` (L1) and ``λ·Σw²`` (L2) to the loss: no factor 1/2 and no averaging over
the weights. The functions here compute the same numbers in float64, and their gradients, so a
notebook can show the formula and a test can hold it against Keras. :func:`to_keras` and
:func:`from_keras` translate between these functions and the Keras regularizer objects.

Keras quirks this module handles (``tests/test_penalties.py`` checks them against the installed
Keras):

- ``keras.regularizers.L1`` stores its factor as a tensor (float32 for a Python float), so
  ``L1(0.01).get_config()`` gives ``{'l1': 0.009999999776482582}``; ``L2`` and ``L1L2`` store
  the number as given.
- The number Keras multiplies by depends on the release (:func:`applied_factor` asks the installed
  one, :func:`keras_rounds_factor_to_float32` is the probe). Keras 3.14 and later cast the factor
  to the tensor's dtype through a float32 tensor (keras-team/keras PR #22438), so for float64
  weights ``L2(lam)`` equals ``l2(w, float(np.float32(lam)))``, a relative difference of up to
  6e-8 from ``l2(w, lam)``. Keras 3.0 to 3.13 multiply by the factor as stored: ``L2(0.1)`` on
  float64 weights uses 0.1 exactly, and ``L1``'s float32 tensor cannot meet float64 or float16
  weights at all (TensorFlow refuses the product; :func:`reglab.compat.factor_meets_dtype`).
  On float32 weights both give the float32-rounded factor. :func:`from_keras` returns the factor
  Keras stores, so ``to_keras(from_keras(r))`` rebuilds ``r`` exactly.
- The string identifiers are ``"l1"`` and ``"l2"`` (factor 0.01) and the class names; Keras 3
  rejects ``"l1_l2"`` (tf.keras 2 took it for ``L1L2(0.01, 0.01)``), and ``"l1l2"``/``"L1L2"``
  build ``L1L2()``, whose factors default to 0.0 (:func:`reglab.compat.string_identifiers`).

The MAP view (notebook 02): for a linear model with Gaussian noise, an L2 penalty is a Gaussian
prior on the weights and an L1 penalty a Laplace prior. :func:`log_posterior` is the log posterior
and :func:`map_factor` the Keras λ whose penalised fit is its maximiser.

The import of Keras is deferred to :func:`to_keras` and :func:`from_keras`: the rest is numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reglab import compat
from reglab._validation import _invalid, as_float_array, check_choice, check_float, check_int

KINDS = ("l1", "l2", "l1_l2")
"""The penalty kinds this module knows, named like Keras' snake-case aliases."""

__all__ = [
    "KINDS",
    "PRIORS",
    "PenaltySpec",
    "applied_factor",
    "from_keras",
    "grad_l1",
    "grad_l1_l2",
    "grad_l2",
    "keras_rounds_factor_to_float32",
    "l1",
    "l1_l2",
    "l2",
    "log_posterior",
    "map_factor",
    "to_keras",
]

PRIORS = ("gaussian", "laplace")
"""The weight priors of the MAP view: Gaussian N(0, τ²) (matches L2) and Laplace(0, b) (matches L1)."""


def l1(w, lam: float) -> float:
    """L1 penalty as Keras computes it: ``λ·Σ|w|``.

    Parameters
    ----------
    w : array_like
        The weights (any shape); converted to float64.
    lam : float
        The factor λ >= 0 (Keras' ``l1``). Any non-negative value is valid: λ is a weight in the
        loss, not a fraction, so λ > 1 is allowed.

    Returns
    -------
    float

    Examples
    --------
    >>> l1([10.0], lam=0.1)
    1.0
    >>> l1([[1.0, -2.0], [0.0, 3.0]], lam=0.5)
    3.0

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    lam = check_float(lam, "lam")
    w = as_float_array(w, "w")
    return float(lam * np.sum(np.abs(w)))


def l2(w, lam: float) -> float:
    """L2 penalty as Keras computes it: ``λ·Σw²`` (no factor 1/2).

    Parameters
    ----------
    w : array_like
        The weights (any shape); converted to float64.
    lam : float
        The factor λ >= 0 (Keras' ``l2``).

    Returns
    -------
    float

    Examples
    --------
    >>> l2([20.0], lam=0.05)
    20.0
    >>> l2([3.0, -4.0], lam=0.5)
    12.5

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    lam = check_float(lam, "lam")
    w = as_float_array(w, "w")
    return float(lam * np.sum(np.square(w)))


def l1_l2(w, l1: float = 0.0, l2: float = 0.0) -> float:
    """L1 plus L2 penalty as ``keras.regularizers.L1L2`` computes it: ``l1·Σ|w| + l2·Σw²``.

    The defaults (both 0.0) are those of the ``L1L2`` class, not the 0.01 of ``L1`` and ``L2``.

    Parameters
    ----------
    w : array_like
        The weights (any shape); converted to float64.
    l1, l2 : float
        The two factors, each >= 0.

    Returns
    -------
    float

    Examples
    --------
    >>> l1_l2([1.0, -2.0], l1=0.1, l2=0.5)
    2.8

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    lam1 = check_float(l1, "l1")
    lam2 = check_float(l2, "l2")
    w = as_float_array(w, "w")
    return float(lam1 * np.sum(np.abs(w)) + lam2 * np.sum(np.square(w)))


def grad_l1(w, lam: float) -> np.ndarray:
    """Gradient of :func:`l1`: ``λ·sign(w)``, with ``sign(0) = 0``.

    ``|w|`` has no derivative at 0; any value in ``[-λ, λ]`` is a subgradient there. We return 0,
    the smallest one, because (a) it is what TensorFlow's autodiff of ``abs`` gives (its gradient
    is ``sign``), so it is what Keras uses in training, and (b) 0 is the one subgradient that
    leaves a weight sitting exactly at 0 where it is. ``tests/test_penalties.py`` checks (a).

    Parameters
    ----------
    w : array_like
        The weights (any shape); converted to float64.
    lam : float
        The factor λ >= 0.

    Returns
    -------
    numpy.ndarray
        An array of the shape of ``w``.

    Examples
    --------
    >>> grad_l1([2.0, 0.0, -0.5], lam=0.1)
    array([ 0.1,  0. , -0.1])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    lam = check_float(lam, "lam")
    w = as_float_array(w, "w")
    return lam * np.sign(w)


def grad_l2(w, lam: float) -> np.ndarray:
    """Gradient of :func:`l2`: ``2·λ·w`` (the 2 stays, since Keras' penalty has no 1/2).

    Parameters
    ----------
    w : array_like
        The weights (any shape); converted to float64.
    lam : float
        The factor λ >= 0.

    Returns
    -------
    numpy.ndarray
        An array of the shape of ``w``.

    Examples
    --------
    >>> grad_l2([2.0, 0.0, -0.5], lam=0.1)
    array([ 0.4,  0. , -0.1])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    lam = check_float(lam, "lam")
    w = as_float_array(w, "w")
    return 2.0 * lam * w


def grad_l1_l2(w, l1: float = 0.0, l2: float = 0.0) -> np.ndarray:
    """Gradient of :func:`l1_l2`: ``l1·sign(w) + 2·l2·w``, with ``sign(0) = 0`` (see ``grad_l1``).

    Examples
    --------
    >>> grad_l1_l2([2.0, 0.0, -0.5], l1=0.1, l2=0.1)
    array([ 0.5,  0. , -0.2])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    lam1 = check_float(l1, "l1")
    lam2 = check_float(l2, "l2")
    w = as_float_array(w, "w")
    return lam1 * np.sign(w) + 2.0 * lam2 * w


@dataclass(frozen=True)
class PenaltySpec:
    """A penalty's kind and factors, callable with the numpy functions of this module.

    ``kind`` is one of :data:`KINDS`. For ``"l1"`` only ``l1`` may be non-zero, for ``"l2"`` only
    ``l2``; ``"l1_l2"`` uses both.

    Examples
    --------
    >>> spec = PenaltySpec("l2", l2=0.05)
    >>> spec.value([20.0])
    20.0
    >>> spec.grad([20.0])
    array([2.])

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """

    kind: str
    l1: float = 0.0
    l2: float = 0.0

    def __post_init__(self) -> None:
        _check_kind(self.kind)
        object.__setattr__(self, "l1", check_float(self.l1, "l1"))
        object.__setattr__(self, "l2", check_float(self.l2, "l2"))
        unused = {"l1": "l2", "l2": "l1"}.get(self.kind)
        if unused is not None and getattr(self, unused) != 0.0:
            raise ValueError(
                f"Invalid value for argument {unused}: a {self.kind!r} penalty takes no {unused} "
                f"factor (use kind='l1_l2' for both). Received: {unused}={getattr(self, unused)!r}"
            )

    def value(self, w) -> float:
        """The penalty of ``w``: ``l1·Σ|w| + l2·Σw²``."""
        return l1_l2(w, l1=self.l1, l2=self.l2)

    def grad(self, w) -> np.ndarray:
        """The gradient at ``w``: ``l1·sign(w) + 2·l2·w``."""
        return grad_l1_l2(w, l1=self.l1, l2=self.l2)

    def applied(self, dtype: str = "float32") -> PenaltySpec:
        """This spec with the factors the installed Keras multiplies by on ``dtype`` weights.

        See :func:`applied_factor`: on float32 weights both factors are rounded to float32.
        """
        return PenaltySpec(self.kind, l1=applied_factor(self.l1, dtype), l2=applied_factor(self.l2, dtype))

    def to_keras(self):
        """The matching ``keras.regularizers`` object (see :func:`to_keras`)."""
        factors = {name: getattr(self, name) for name in ("l1", "l2") if name in self.kind}
        return to_keras(self.kind, **factors)


def to_keras(kind: str, *, l1: float | None = None, l2: float | None = None):
    """Build the ``keras.regularizers`` object for ``kind`` with explicit factors.

    ``"l1"`` → ``L1(l1)``, ``"l2"`` → ``L2(l2)``, ``"l1_l2"`` → ``L1L2(l1, l2)``. The factors are
    required (no silent defaults: Keras' defaults differ between ``L1``/``L2`` (0.01) and
    ``L1L2`` (0.0)); for ``"l1_l2"`` a factor left out is 0.0.

    Parameters
    ----------
    kind : {"l1", "l2", "l1_l2"}
    l1, l2 : float, optional
        The factors; only those that ``kind`` uses may be given.

    Returns
    -------
    keras.regularizers.Regularizer

    Raises
    ------
    ValueError
        For an unknown ``kind`` (the message lists the valid ones), a negative/NaN/infinite
        factor, or a factor that ``kind`` does not use or needs and lacks.

    Examples
    --------
    >>> to_keras("l2", l2=0.05).get_config()
    {'l2': 0.05}

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    import keras

    _check_kind(kind)
    given = {"l1": l1, "l2": l2}
    uses = {"l1": ("l1",), "l2": ("l2",), "l1_l2": ("l1", "l2")}[kind]
    for name, value in given.items():
        if name not in uses and value is not None:
            raise ValueError(
                f"Invalid value for argument {name}: a {kind!r} penalty takes only "
                f"{' and '.join(uses)}. Received: {name}={value!r}"
            )
    if kind != "l1_l2" and given[kind] is None:
        raise ValueError(
            f"Invalid value for argument {kind}: expected a non-negative finite float. "
            f"Received: {kind}=None"
        )
    factors = {n: check_float(0.0 if given[n] is None else given[n], n) for n in uses}
    regularizers = keras.regularizers
    classes = {"l1": regularizers.L1, "l2": regularizers.L2, "l1_l2": regularizers.L1L2}
    return classes[kind](**factors)


def from_keras(regularizer) -> PenaltySpec:
    """Read a Keras ``L1``, ``L2`` or ``L1L2`` regularizer (or string id) into a ``PenaltySpec``.

    The factors are those Keras stores (``get_config``): for ``L1`` that is already the float32
    value (``L1(0.01)`` gives ``l1=0.009999999776482582``), for ``L2`` and ``L1L2`` the Python
    float. What Keras multiplies by when it computes the penalty on a tensor of some dtype is
    ``spec.applied(dtype)`` (see :func:`applied_factor` and the module notes).
    A string goes through ``keras.regularizers.get`` first, so
    ``"l1"`` gives the installed default factor.

    Raises
    ------
    TypeError
        For any other regularizer (``OrthogonalRegularizer``, custom functions).
    ValueError
        For a string Keras does not know (e.g. ``"l1_l2"`` in Keras 3).

    Examples
    --------
    >>> import keras
    >>> from_keras(keras.regularizers.L2(0.05))
    PenaltySpec(kind='l2', l1=0.0, l2=0.05)
    >>> from_keras("l1").l1
    0.009999999776482582

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    import keras

    if isinstance(regularizer, str | dict):
        regularizer = keras.regularizers.get(regularizer)
    classes = keras.regularizers
    if isinstance(regularizer, classes.L1L2):
        return PenaltySpec("l1_l2", l1=float(regularizer.l1), l2=float(regularizer.l2))
    if isinstance(regularizer, classes.L1):
        return PenaltySpec("l1", l1=float(regularizer.l1))
    if isinstance(regularizer, classes.L2):
        return PenaltySpec("l2", l2=float(regularizer.l2))
    raise TypeError(
        "Invalid value for argument regularizer: expected a keras.regularizers L1, L2 or L1L2 "
        f"object or string id. Received: regularizer={regularizer!r}"
    )


# The probe lives in reglab.compat, the one home of every probe of the installed Keras; this name
# stays for the callers of this module.
keras_rounds_factor_to_float32 = compat.factor_rounded_to_float32


def applied_factor(factor: float, dtype: str = "float32") -> float:
    """The number the installed Keras multiplies by when it applies ``factor`` to ``dtype`` weights.

    ``factor`` is what Keras stores (:func:`from_keras`). Where
    :func:`keras_rounds_factor_to_float32` says so (Keras 3.14 and later) it is rounded to float32
    and then to ``dtype``; before, it is rounded to ``dtype`` directly (so on float64 weights it is
    used as it is). On float32 weights both give the float32-rounded factor. (Keras 3.0 to 3.13
    refuse ``L1`` with a Python-float factor on float64 weights:
    :func:`reglab.compat.factor_meets_dtype`.)

    Parameters
    ----------
    factor : float
        A factor >= 0.
    dtype : {"float32", "float16", "float64"}

    Returns
    -------
    float

    Examples
    --------
    >>> applied_factor(0.1, "float32")
    0.10000000149011612
    >>> applied_factor(0.1, "float64") in (0.1, 0.10000000149011612)
    True

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    factor = check_float(factor, "factor")
    dtype = check_choice(dtype, "dtype", ("float32", "float16", "float64"))
    through_float32 = dtype == "float32" or keras_rounds_factor_to_float32()
    return float(np.dtype(dtype).type(np.float32(factor) if through_float32 else factor))


def _check_kind(kind: object) -> str:
    if kind not in KINDS:
        valid = ", ".join(repr(k) for k in KINDS)
        raise ValueError(
            f"Invalid value for argument kind: expected one of {valid}. Received: kind={kind!r}"
        )
    return kind


# --- the MAP view: a penalty is a prior on the weights (notebook 02) ---------------------------
def map_factor(prior: str, *, noise_std: float, scale: float, n: int) -> float:
    """The Keras factor λ whose penalised fit is the MAP estimate of a linear model with this prior.

    For ``y = x·w + ε`` with ``ε ~ N(0, σ²)`` on ``n`` examples, ``-log p(w | x, y)`` is, up to
    a constant, ``n/(2σ²) · (MSE(w) + λ·penalty(w))`` in Keras' convention (MSE a *mean*,
    penalty a *sum*, no ½), with

    .. math:: \\lambda_{L2} = \\frac{\\sigma^2}{n\\,\\tau^2} \\;\\; (w_j \\sim N(0, \\tau^2)),
              \\qquad
              \\lambda_{L1} = \\frac{2\\sigma^2}{n\\,b} \\;\\; (w_j \\sim \\mathrm{Laplace}(0, b)).

    Parameters
    ----------
    prior : {"gaussian", "laplace"}
    noise_std : float
        σ > 0, the standard deviation of the noise.
    scale : float
        The prior's scale > 0: τ (standard deviation) for "gaussian", b for "laplace".
    n : int
        Number of training examples (>= 1): the mean in the MSE is over them.

    Returns
    -------
    float
        λ for ``keras.regularizers.L2`` ("gaussian") or ``L1`` ("laplace").

    Examples
    --------
    >>> map_factor("gaussian", noise_std=0.5, scale=1.0, n=25)
    0.01
    >>> map_factor("laplace", noise_std=0.5, scale=1.0, n=50)
    0.01

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    prior = check_choice(prior, "prior", PRIORS)
    sigma = check_float(noise_std, "noise_std", strict=True)
    scale = check_float(scale, "scale", strict=True)
    n = check_int(n, "n")
    if prior == "gaussian":
        return sigma**2 / (n * scale**2)
    return 2 * sigma**2 / (n * scale)


def log_posterior(w, x, y, *, prior: str, noise_std: float, scale: float) -> float:
    """``log p(y | x, w) + log p(w)`` for a linear model with Gaussian noise: the log posterior
    of the weights up to the constant ``-log p(y | x)``.

    .. math:: \\log p(y \\mid x, w) = -\\tfrac{n}{2}\\log(2\\pi\\sigma^2)
              - \\tfrac{1}{2\\sigma^2}\\textstyle\\sum_i (y_i - x_i w)^2,

    plus ``Σ_j log N(w_j; 0, τ²)`` ("gaussian") or ``Σ_j log Laplace(w_j; 0, b)`` ("laplace").
    Its maximiser is the MAP estimate; :func:`map_factor` gives the Keras λ with the same one.

    Parameters
    ----------
    w : array_like, shape (d,)
        The weights (no intercept).
    x : array_like, shape (n, d)
    y : array_like, shape (n,) or (n, 1)
    prior : {"gaussian", "laplace"}
    noise_std : float
        σ > 0.
    scale : float
        τ > 0 ("gaussian") or b > 0 ("laplace").

    Returns
    -------
    float

    Examples
    --------
    >>> round(log_posterior([0.0], [[1.0]], [0.0], prior="gaussian", noise_std=1.0, scale=1.0), 6)
    -1.837877
    >>> round(log_posterior([0.0], [[1.0]], [0.0], prior="laplace", noise_std=1.0, scale=0.5), 6)
    -0.918939

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    prior = check_choice(prior, "prior", PRIORS)
    sigma = check_float(noise_std, "noise_std", strict=True)
    scale = check_float(scale, "scale", strict=True)
    w, x, y = _linear_problem(w, x, y)
    n, d = x.shape
    residual = y - x @ w
    log_likelihood = -0.5 * n * np.log(2 * np.pi * sigma**2) - residual @ residual / (2 * sigma**2)
    if prior == "gaussian":
        log_prior = -0.5 * d * np.log(2 * np.pi * scale**2) - w @ w / (2 * scale**2)
    else:
        log_prior = -d * np.log(2 * scale) - np.abs(w).sum() / scale
    return float(log_likelihood + log_prior)


def _linear_problem(w, x, y):
    w = as_float_array(w, "w")
    x = as_float_array(x, "x")
    y = as_float_array(y, "y")
    if w.ndim != 1 or w.size == 0:
        raise ValueError(_invalid("w", "a 1-D array of weights", f"shape {w.shape}"))
    if x.ndim != 2 or x.shape[1] != w.size or x.shape[0] == 0:
        expected = f"a 2-D array with {w.size} columns (one per weight)"
        raise ValueError(_invalid("x", expected, f"shape {x.shape}"))
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (x.shape[0],):
        raise ValueError(_invalid("y", f"{x.shape[0]} targets (one per row of x)", f"shape {y.shape}"))
    return w, x, y
