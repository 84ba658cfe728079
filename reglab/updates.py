"""One optimisation step with a penalty, as small pure functions of numpy arrays (optax-style).

Every step takes the weights ``w`` and the gradient of the *data* loss ``grad`` and returns new
weights; the penalty's part of the step is written out, so a notebook can show it and a test can
hold it against ``keras.optimizers``. Steps compose: :func:`adamw_step` is
:func:`decoupled_weight_decay_step` followed by :func:`adam_step`, in the order Keras applies them.

The closed-form trajectories (:func:`l2_trajectory`, :func:`l1_subgradient_trajectory`,
:func:`l1_proximal_trajectory`) describe a penalty acting alone (data gradient 0); they equal
:func:`iterate` applied to the matching step, which ``tests/test_updates.py`` checks.

Notation: ``η`` is the learning rate ``lr``, ``λ`` the penalty factor ``lam`` in Keras'
convention (L1 adds ``λ·Σ|w|``, L2 adds ``λ·Σw²`` to the loss; see :mod:`reglab.penalties`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from reglab._validation import (
    _invalid,
    as_float_array,
    check_callable,
    check_float,
    check_fraction,
    check_int,
    check_same_shape,
)

__all__ = [
    "AdamState",
    "adam_init",
    "adam_step",
    "adamw_step",
    "decoupled_weight_decay_step",
    "iterate",
    "l1_proximal_trajectory",
    "l1_subgradient_step",
    "l1_subgradient_trajectory",
    "l2_step",
    "l2_trajectory",
    "proximal_l1_step",
    "sgd_step",
    "soft_threshold",
]


def _weights_and_grad(w, grad) -> tuple[np.ndarray, np.ndarray]:
    w = as_float_array(w, "w")
    grad = as_float_array(grad, "grad")
    check_same_shape(w, grad, "w", "grad")
    return w, grad


# --- gradient steps ----------------------------------------------------------------------------
def sgd_step(w, grad, lr: float) -> np.ndarray:
    """Plain gradient descent: ``w - η·grad``.

    Examples
    --------
    >>> sgd_step([1.0, -2.0], [0.5, 0.5], lr=0.1)
    array([ 0.95, -2.05])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w, grad = _weights_and_grad(w, grad)
    lr = check_float(lr, "lr")
    return w - lr * grad


def l2_step(w, grad, lr: float, lam: float) -> np.ndarray:
    """Gradient descent on ``loss + λ·Σw²``: ``w - η·(grad + 2·λ·w)``.

    The penalty's part is ``-2·η·λ·w``: a shrinkage by the factor ``(1 - 2ηλ)`` before the data
    gradient is applied (``(1 - 2ηλ)·w - η·grad``). Note the 2: Keras' L2 has no factor 1/2.

    Examples
    --------
    >>> l2_step([1.0], [0.0], lr=0.1, lam=0.5)
    array([0.9])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w, grad = _weights_and_grad(w, grad)
    lr, lam = check_float(lr, "lr"), check_float(lam, "lam")
    return w - lr * (grad + 2.0 * lam * w)


def l1_subgradient_step(w, grad, lr: float, lam: float) -> np.ndarray:
    """(Sub)gradient descent on ``loss + λ·Σ|w|``: ``w - η·(grad + λ·sign(w))``, ``sign(0) = 0``.

    This is what Keras' ``SGD`` does with an ``L1`` regularizer. Every nonzero weight moves a
    constant ``ηλ`` towards 0 per step, whatever its size. Near 0 that overshoots: a weight with
    ``|w| < ηλ`` jumps to the other side, so the weights hover around 0 and are exactly 0 only
    by accident (see :func:`l1_subgradient_trajectory` and, for exact zeros,
    :func:`proximal_l1_step`).

    Examples
    --------
    >>> l1_subgradient_step([1.0, 0.02, 0.0], [0.0, 0.0, 0.0], lr=0.1, lam=0.5)
    array([ 0.95, -0.03,  0.  ])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w, grad = _weights_and_grad(w, grad)
    lr, lam = check_float(lr, "lr"), check_float(lam, "lam")
    return w - lr * (grad + lam * np.sign(w))


def soft_threshold(w, threshold: float) -> np.ndarray:
    """The proximal operator of ``threshold·Σ|w|``: ``sign(w)·max(|w| - threshold, 0)``.

    It moves every weight ``threshold`` towards 0 and stops at 0: a weight with
    ``|w| <= threshold`` becomes exactly 0.

    Examples
    --------
    >>> soft_threshold([1.0, -0.3, 0.05], threshold=0.1)
    array([ 0.9, -0.2,  0. ])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w = as_float_array(w, "w")
    threshold = check_float(threshold, "threshold")
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)


def proximal_l1_step(w, grad, lr: float, lam: float) -> np.ndarray:
    """Proximal gradient (ISTA) step for ``loss + λ·Σ|w|``: ``soft_threshold(w - η·grad, η·λ)``.

    A gradient step on the data loss alone, then the L1 penalty's exact minimisation step. Far
    from 0 it equals :func:`l1_subgradient_step`; near 0 it lands on 0 instead of overshooting.

    Examples
    --------
    >>> proximal_l1_step([1.0, 0.02], [0.0, 0.0], lr=0.1, lam=0.5)
    array([0.95, 0.  ])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w, grad = _weights_and_grad(w, grad)
    lr, lam = check_float(lr, "lr"), check_float(lam, "lam")
    return soft_threshold(w - lr * grad, lr * lam)


def decoupled_weight_decay_step(w, lr: float, weight_decay: float) -> np.ndarray:
    """Decoupled weight decay, as Keras' optimizers apply it: ``w - w·weight_decay·η``.

    Keras (``BaseOptimizer._apply_weight_decay``) runs this on every variable *before* the
    optimizer's own update, with the gradient computed at the old weights; ``AdamW`` is ``Adam``
    with this step (default ``weight_decay=0.004``). The decay does not go through the gradient,
    so Adam's adaptive denominator never rescales it: every weight shrinks by the same factor
    ``(1 - η·weight_decay)``. Compare an L2 penalty ``λ``, whose gradient ``2λw`` Adam divides
    by ``sqrt(v)``.

    Examples
    --------
    >>> decoupled_weight_decay_step([2.0, -0.5], lr=0.1, weight_decay=0.5)
    array([ 1.9  , -0.475])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w = as_float_array(w, "w")
    lr = check_float(lr, "lr")
    weight_decay = check_float(weight_decay, "weight_decay")
    return w - w * weight_decay * lr


# --- Adam and AdamW, as keras.optimizers.Adam/AdamW compute them -------------------------------
class AdamState(NamedTuple):
    """Adam's moments: ``m`` (mean of gradients), ``v`` (of squared gradients), and step ``t``.

    Both moments are exponential moving averages without bias correction, as Keras stores them;
    :func:`adam_step` corrects for the bias when it computes the step.

    Examples
    --------
    >>> AdamState(m=np.zeros(1), v=np.zeros(1), t=0).t
    0

    Introduced in notebooks/03-gradient-updates.ipynb
    """

    m: np.ndarray
    v: np.ndarray
    t: int


def adam_init(w) -> AdamState:
    """A fresh :class:`AdamState` for weights shaped like ``w`` (zero moments, ``t = 0``).

    Examples
    --------
    >>> adam_init([1.0, 2.0])
    AdamState(m=array([0., 0.]), v=array([0., 0.]), t=0)

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w = as_float_array(w, "w")
    return AdamState(np.zeros_like(w), np.zeros_like(w), 0)


def adam_step(
    w, grad, state: AdamState, lr: float, *, beta_1=0.9, beta_2=0.999, epsilon=1e-7
) -> tuple[np.ndarray, AdamState]:
    """One Adam step, exactly as ``keras.optimizers.Adam`` computes it.

    With ``t`` the new step count: ``m ← m + (1-β₁)(g - m)``, ``v ← v + (1-β₂)(g² - v)``,
    ``α = η·sqrt(1-β₂ᵗ)/(1-β₁ᵗ)``, ``w ← w - α·m/(sqrt(v) + ε)``. (Keras adds ε to ``sqrt(v)``
    before the bias correction, the "epsilon hat" of Kingma & Ba.) The step is about ``η`` in
    size whatever the gradient's scale: a penalty's gradient is rescaled along with the data's.

    Returns
    -------
    (numpy.ndarray, AdamState)
        The new weights and the new state.

    Examples
    --------
    >>> w, state = adam_step([1.0], [0.3], adam_init([1.0]), lr=0.1)
    >>> w.round(4), state.t
    (array([0.9]), 1)

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w, grad = _weights_and_grad(w, grad)
    lr = check_float(lr, "lr")
    beta_1 = check_fraction(beta_1, "beta_1", allow_zero=True)
    beta_2 = check_fraction(beta_2, "beta_2", allow_zero=True)
    epsilon = check_float(epsilon, "epsilon", strict=True)
    _check_state(state)
    check_same_shape(w, state.m, "w", "state.m")
    t = state.t + 1
    m = state.m + (1.0 - beta_1) * (grad - state.m)
    v = state.v + (1.0 - beta_2) * (grad**2 - state.v)
    alpha = lr * np.sqrt(1.0 - beta_2**t) / (1.0 - beta_1**t)
    return w - alpha * m / (np.sqrt(v) + epsilon), AdamState(m, v, t)


def adamw_step(
    w, grad, state: AdamState, lr: float, weight_decay: float = 0.004, **adam_kwargs
) -> tuple[np.ndarray, AdamState]:
    """One AdamW step as Keras does it: :func:`decoupled_weight_decay_step`, then :func:`adam_step`.

    ``grad`` is the data gradient at the weights *before* the decay (Keras computes the
    gradients first, then decays, then applies Adam).

    Examples
    --------
    >>> w, _ = adamw_step([1.0], [0.3], adam_init([1.0]), lr=0.1, weight_decay=0.5)
    >>> w.round(4)
    array([0.85])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w, grad = _weights_and_grad(w, grad)
    decayed = decoupled_weight_decay_step(w, lr, weight_decay)
    return adam_step(decayed, grad, state, lr, **adam_kwargs)


# --- trajectories ------------------------------------------------------------------------------
def _check_state(state) -> None:
    if not isinstance(state, AdamState):
        raise TypeError(_invalid("state", "an AdamState (from adam_init or the last adam_step)",
                                 type(state).__name__))


def iterate(step: Callable[[np.ndarray], np.ndarray], w0, steps: int) -> np.ndarray:
    """Apply ``step`` ``steps`` times from ``w0``; return every iterate, ``w0`` first.

    The result has shape ``(steps+1, *w0.shape)``; row ``t`` is ``w_t``.

    Examples
    --------
    >>> iterate(lambda w: l2_step(w, 0 * w, lr=0.1, lam=0.5), [1.0], steps=2).ravel()
    array([1.  , 0.9 , 0.81])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    check_callable(step, "step", "a function w -> next w")
    w = as_float_array(w0, "w0")
    steps = check_int(steps, "steps", minimum=0)
    path = [w]
    for _ in range(steps):
        path.append(np.asarray(step(path[-1]), dtype=np.float64))
    return np.stack(path)


def _time_axis(w0, steps: int) -> tuple[np.ndarray, np.ndarray]:
    w0 = as_float_array(w0, "w0")
    steps = check_int(steps, "steps", minimum=0)
    t = np.arange(steps + 1, dtype=np.float64).reshape((-1,) + (1,) * w0.ndim)
    return w0, t


def l2_trajectory(w0, lr: float, lam: float, steps: int) -> np.ndarray:
    """L2 penalty alone under gradient descent: geometric shrinkage ``w_t = (1 - 2ηλ)ᵗ·w₀``.

    Every weight loses the same fraction ``2ηλ`` per step, so large weights lose the most in
    absolute terms and no weight reaches 0 in finitely many steps (for ``0 < 2ηλ < 1``; from
    ``2ηλ > 1`` the sign flips each step, and from ``2ηλ > 2`` it diverges).

    Returns
    -------
    numpy.ndarray
        Shape ``(steps+1, *w0.shape)``; row ``t`` is ``w_t``.

    Examples
    --------
    >>> l2_trajectory([1.0], lr=0.1, lam=0.5, steps=3).ravel()
    array([1.   , 0.9  , 0.81 , 0.729])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w0, t = _time_axis(w0, steps)
    lr, lam = check_float(lr, "lr"), check_float(lam, "lam")
    return (1.0 - 2.0 * lr * lam) ** t * w0


def l1_proximal_trajectory(w0, lr: float, lam: float, steps: int) -> np.ndarray:
    """L1 penalty alone under proximal steps: ``w_t = sign(w₀)·max(|w₀| - t·ηλ, 0)``.

    A constant pull of ``ηλ`` per step; a weight reaches exactly 0 after ``ceil(|w₀|/(ηλ))``
    steps and stays there.

    Examples
    --------
    >>> l1_proximal_trajectory([0.25], lr=0.1, lam=1.0, steps=4).ravel()
    array([0.25, 0.15, 0.05, 0.  , 0.  ])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w0, t = _time_axis(w0, steps)
    lr, lam = check_float(lr, "lr"), check_float(lam, "lam")
    return np.sign(w0) * np.maximum(np.abs(w0) - t * lr * lam, 0.0)


def l1_subgradient_trajectory(w0, lr: float, lam: float, steps: int) -> np.ndarray:
    """L1 penalty alone under plain subgradient steps: a constant pull, then a 2-cycle around 0.

    With ``d = ηλ`` and ``k = ceil(|w₀|/d)`` (the step at which the weight reaches or crosses 0):

    - for ``t < k``: ``w_t = sign(w₀)·(|w₀| - t·d)``, the same constant pull as the proximal step;
    - for ``t >= k``: if ``|w₀| - k·d = 0`` the weight is exactly 0 and stays (``sign(0) = 0``);
      otherwise it overshoots and then alternates forever between ``sign(w₀)·(|w₀| - k·d)`` (at
      ``t - k`` even, opposite sign) and ``sign(w₀)·(|w₀| - (k-1)·d)``: two values of opposite
      signs less than ``d`` from 0, never 0.

    In floating point, iterating :func:`l1_subgradient_step` matches this to rounding error,
    except when ``|w₀|/d`` is an integer up to rounding (then whether it lands on 0 exactly is
    decided by the last bit).

    Examples
    --------
    >>> l1_subgradient_trajectory([0.25], lr=0.1, lam=1.0, steps=5).ravel().round(6)
    array([ 0.25,  0.15,  0.05, -0.05,  0.05, -0.05])

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    w0, t = _time_axis(w0, steps)
    d = check_float(lr, "lr") * check_float(lam, "lam")
    if d == 0.0:
        return np.broadcast_to(w0, t.shape[:1] + w0.shape).copy()
    size = np.abs(w0)
    k = np.ceil(size / d)
    crossed, last_positive = size - k * d, size - (k - 1) * d
    cycle = np.where((t - k) % 2 == 0, crossed, last_positive)
    cycle = np.where(crossed == 0.0, 0.0, cycle)
    return np.sign(w0) * np.where(t < k, size - t * d, cycle)
