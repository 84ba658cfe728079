"""A KL-divergence sparsity regularizer for sigmoid codes, in Keras and in numpy.

The sparse autoencoder's penalty (Ng, *Sparse autoencoder*, CS294A lecture notes, 2011) asks
each code unit to be active a small fraction ρ of the time, on average over the data:

.. math:: \\Omega = \\beta \\sum_{j=1}^{k} \\mathrm{KL}(\\rho \\,\\|\\, \\hat\\rho_j), \\qquad
          \\hat\\rho_j = \\frac{1}{B} \\sum_{i=1}^{B} a_{ij}, \\qquad
          \\mathrm{KL}(\\rho \\,\\|\\, q) = \\rho \\log\\frac{\\rho}{q}
                                      + (1-\\rho) \\log\\frac{1-\\rho}{1-q}

where ``a`` is the ``(B, k)`` batch of codes (sigmoid outputs in ``(0, 1)``), ρ the ``target``
and β the ``weight``. :func:`kl_sparsity` computes Ω in numpy; :class:`KLSparsity` is the Keras
activity regularizer, serializable and registered as ``"reglab>KLSparsity"``.

How Keras applies an activity regularizer (``Layer.__call__`` in ``keras/src/layers/layer.py``)
depends on the release: Keras 3.0 to 3.13 add ``regularizer(output)`` to ``layer.losses`` as it
is; Keras 3.14 and later divide it by the batch size ``B`` first (``ops.divide_no_nan(loss,
batch_size)``). For ``L1(λ)`` on activations, a sum over the batch, the division turns the
penalty into ``λ · mean_i Σ_j |a_ij|``: the per-sample penalty, whatever the batch size. Ω is
different: it is already a statistic of the whole batch (ρ̂ is a mean), so dividing it by ``B``
would make the effective strength ``β/B``, changing with the batch size. :class:`KLSparsity`
therefore multiplies by ``B`` where the installed Keras divides (``cancel_batch_division=True``,
the default, asked of :func:`reglab.compat.activity_divided_by_batch`), so the term that lands
in ``layer.losses``/``model.losses``, the one training minimises, is exactly Ω on every release.
With ``cancel_batch_division=False`` it returns Ω, and the term is ``Ω / B`` on Keras 3.14+.
``tests/test_regularizers.py`` checks both against the installed Keras.

Introduced in notebooks/07-sparse-autoencoders.ipynb.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from reglab import compat
from reglab._validation import (
    _invalid,
    _short,
    as_float_array,
    check_bool,
    check_float,
    check_fraction,
    check_int,
)

__all__ = ["EPSILON", "KLSparsity", "kl_divergence", "kl_sparsity", "kl_sparsity_by_batch"]

EPSILON = 1e-7
"""ρ̂ is clipped to ``[EPSILON, 1 - EPSILON]`` before the logarithms (Keras' default epsilon)."""


def _check_target(target: object) -> float:
    return check_fraction(target, "target", expected="a float in the open interval (0, 1)")


def kl_divergence(target: float, rho_hat) -> np.ndarray:
    """KL divergence between Bernoulli(ρ) and Bernoulli(ρ̂), elementwise, in float64.

    .. math:: \\mathrm{KL}(\\rho \\,\\|\\, \\hat\\rho) = \\rho \\log\\frac{\\rho}{\\hat\\rho}
              + (1-\\rho) \\log\\frac{1-\\rho}{1-\\hat\\rho}

    ``rho_hat`` is clipped to ``[EPSILON, 1 - EPSILON]`` first, as in :class:`KLSparsity`. The
    result is >= 0 and equals 0 exactly where ``ρ̂ = ρ``.

    Examples
    --------
    >>> float(kl_divergence(0.1, 0.1))
    0.0
    >>> round(float(kl_divergence(0.1, 0.5)), 5)
    0.36806

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    rho = _check_target(target)
    rho_hat = as_float_array(rho_hat, "rho_hat")
    if np.any((rho_hat < 0.0) | (rho_hat > 1.0)):
        raise ValueError(_invalid("rho_hat", "mean activations in [0, 1]", _short(rho_hat)))
    q = np.clip(rho_hat, EPSILON, 1.0 - EPSILON)
    return rho * np.log(rho / q) + (1.0 - rho) * np.log((1.0 - rho) / (1.0 - q))


def kl_sparsity(codes, target: float, weight: float = 1.0) -> float:
    """The KL sparsity penalty Ω of a batch of codes, in numpy (float64): the reference.

    .. math:: \\Omega = \\beta \\sum_j \\mathrm{KL}(\\rho \\,\\|\\, \\hat\\rho_j), \\qquad
              \\hat\\rho_j = \\mathrm{mean}_i\\, a_{ij}

    This is the term :class:`KLSparsity` (with its default ``cancel_batch_division=True``)
    adds to ``model.losses``. Codes with more than two axes are treated as ``(B, ...)``: ρ̂ is
    the mean over the first axis and the sum runs over all the others.

    Parameters
    ----------
    codes : array_like, shape (B, k, ...)
        A batch of activations, expected in ``[0, 1]`` (sigmoid outputs); ρ̂ is clipped.
    target : float
        ρ, the wanted mean activation, in ``(0, 1)``.
    weight : float
        β >= 0.

    Returns
    -------
    float

    Examples
    --------
    >>> round(kl_sparsity(np.full((4, 2), 0.5), target=0.1), 4)
    0.7361

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    codes = as_float_array(codes, "codes", allow_empty=False)
    if codes.ndim < 2:
        raise ValueError(_invalid("codes", "an array of shape (batch, units, ...)", f"shape {codes.shape}"))
    beta = check_float(weight, "weight")
    return float(beta * np.sum(kl_divergence(target, codes.mean(axis=0))))


def kl_sparsity_by_batch(codes, target: float, weight: float = 1.0, batch_size: int = 64) -> float:
    """The mean over batches of the KL penalty, each batch with its own ρ̂: what training sees.

    .. math:: \\bar\\Omega_B = \\frac{1}{S} \\sum_{s=1}^{S} \\beta \\sum_j
              \\mathrm{KL}(\\rho \\,\\|\\, \\hat\\rho_{j}^{(s)})

    The codes are cut, in their order, into ``S`` consecutive batches of ``batch_size`` (the last
    one smaller if ``B`` does not divide their number), as an epoch without shuffling would; each
    step's penalty counts once. Since ``KL(ρ ‖ q)`` is convex in ``q``, Jensen's inequality gives
    ``Ω̄_B >= kl_sparsity(codes, ...)`` (ρ̂ from all codes at once), with equality only when every
    batch has the same ρ̂: the batch estimate adds a penalty on how much ρ̂ varies from batch to
    batch, larger the smaller the batch.

    Parameters
    ----------
    codes : array_like, shape (N, k, ...)
        Activations in ``[0, 1]``, as for :func:`kl_sparsity`.
    target, weight : float
        ρ in ``(0, 1)`` and β >= 0.
    batch_size : int
        ``B >= 1``; ``B >= N`` gives one batch, i.e. :func:`kl_sparsity`.

    Returns
    -------
    float

    Examples
    --------
    >>> codes = np.array([[0.0], [0.2], [0.1], [0.1]])  # unit mean 0.1 = ρ over all four
    >>> round(kl_sparsity(codes, target=0.1), 4)
    0.0
    >>> round(kl_sparsity_by_batch(codes, target=0.1, batch_size=2), 4)  # batches: ρ̂ = 0.1, 0.1
    0.0
    >>> round(kl_sparsity_by_batch(codes[[0, 2, 1, 3]], target=0.1, batch_size=2), 4)  # 0.05, 0.15
    0.0158

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """
    codes = as_float_array(codes, "codes", allow_empty=False)
    if codes.ndim < 2:
        raise ValueError(_invalid("codes", "an array of shape (batch, units, ...)", f"shape {codes.shape}"))
    rho = _check_target(target)
    beta = check_float(weight, "weight")
    size = check_int(batch_size, "batch_size")
    terms = [kl_sparsity(codes[start : start + size], rho, beta) for start in range(0, len(codes), size)]
    return float(np.mean(terms))


@keras.saving.register_keras_serializable(package="reglab")
class KLSparsity(keras.regularizers.Regularizer):
    """Keras activity regularizer: β · Σ_j KL(ρ ‖ ρ̂_j), ρ̂_j the batch mean of unit j.

    Use it on a sigmoid code layer, *after* the activation (``Dense(k, activation="sigmoid",
    activity_regularizer=KLSparsity(0.05, 1.0))``): ρ̂ must be a mean activation in ``(0, 1)``.
    Values outside that range are not an error, but ρ̂ is clipped to ``[1e-7, 1 - 1e-7]``, and
    where the clip acts the gradient is zero.

    What it returns, and what ends up in the loss (see the module docstring):

    ============================  =============================  ==============================
    ``cancel_batch_division``     ``regularizer(a)``             term in ``layer.losses``
    ============================  =============================  ==============================
    ``True`` (default)            ``B · Ω`` (Keras 3.14+), ``Ω``  ``Ω`` on every Keras
    ``False``                     ``Ω``                          ``Ω / B`` (3.14+), ``Ω``
    ============================  =============================  ==============================

    with ``Ω = kl_sparsity(a, target, weight)``. Float16 and bfloat16 inputs (mixed precision)
    are cast to float32 first, so the logarithms and the penalty stay in float32.

    Parameters
    ----------
    target : float
        ρ in ``(0, 1)``, the wanted mean activation of each unit (0.05 is a common choice).
    weight : float
        β >= 0, the strength.
    cancel_batch_division : bool
        Multiply by the batch size where the installed Keras divides by it, so the division
        cancels (default ``True``).

    Examples
    --------
    >>> reg = KLSparsity(target=0.1, weight=1.0)
    >>> codes = np.full((4, 2), 0.5, dtype="float32")
    >>> layer = keras.layers.Activation("linear", activity_regularizer=reg)
    >>> _ = layer(codes)
    >>> round(float(layer.losses[0]), 4)  # Ω = 2 · KL(0.1 ‖ 0.5), on every Keras release
    0.7361

    Introduced in notebooks/07-sparse-autoencoders.ipynb.
    """

    batch_statistic = True
    """Ω is a statistic of the whole batch (ρ̂ is a mean), not a sum over its samples: under a
    ``tf.distribute`` strategy ``reglab.training`` weights each replica's term by its share of the
    batch on every Keras release (``reglab._engine.Lockstep``)."""

    def __init__(self, target: float = 0.05, weight: float = 1.0, *, cancel_batch_division: bool = True):
        self.target = _check_target(target)
        self.weight = check_float(weight, "weight")
        self.cancel_batch_division = check_bool(cancel_batch_division, "cancel_batch_division")

    def __call__(self, x):
        x = ops.convert_to_tensor(x)
        if keras.backend.standardize_dtype(x.dtype) in ("float16", "bfloat16"):
            x = ops.cast(x, "float32")
        elif not keras.backend.is_float_dtype(x.dtype):
            x = ops.cast(x, keras.backend.floatx())
        if len(x.shape) < 2:
            raise ValueError(_invalid("x", "activations of shape (batch, units, ...)", f"shape {x.shape}"))
        rho = self.target
        rho_hat = ops.clip(ops.mean(x, axis=0), EPSILON, 1.0 - EPSILON)
        kl = rho * ops.log(rho / rho_hat) + (1.0 - rho) * ops.log((1.0 - rho) / (1.0 - rho_hat))
        loss = self.weight * ops.sum(kl)
        if self.cancel_batch_division and compat.activity_divided_by_batch():
            loss = loss * ops.cast(ops.shape(x)[0], loss.dtype)
        return loss

    def get_config(self) -> dict:
        return {
            "target": self.target,
            "weight": self.weight,
            "cancel_batch_division": self.cancel_batch_division,
        }

    def __repr__(self) -> str:
        return (
            f"KLSparsity(target={self.target!r}, weight={self.weight!r}, "
            f"cancel_batch_division={self.cancel_batch_division!r})"
        )
