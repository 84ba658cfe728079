"""Checks for the exercises of notebooks/05-bias-regularization.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Each check finds its expected answer by running the
update rules of :mod:`reglab.updates` to convergence on the stated objective, or (05.4) by solving
it as one least-squares problem, not from the closed form the student is asked to derive.

Exercises 05.1 to 05.3 use a linear model ``y = w·x + b`` on centred inputs (mean of ``x`` exactly 0),
where the bias decouples from the kernel: with the data loss a *mean* over the examples, the part
of the objective that depends on ``b`` is ``(B_OLS - b)² + penalty(b)``, up to a constant, where
``B_OLS`` is the unpenalised intercept (the mean of ``y``).
"""

from __future__ import annotations

import math

import numpy as np

from reglab.exercises._core import Feedback, close, exercise, number, numbers

B_OLS = 6.0
"""The unpenalised intercept of the exercises' linear model (centred inputs)."""

L2_LAMBDA = 0.5
"""05.1: ``bias_regularizer=keras.regularizers.L2(0.5)``."""

L1_LAMBDA = 3.0
"""05.2: ``bias_regularizer=keras.regularizers.L1(3.0)``."""

N_SAMPLES = 1000
"""05.3: the number of training examples (a distractor: the answer does not depend on it)."""


def _penalised_intercept(l2: float = 0.0, l1: float = 0.0, steps: int = 2000) -> float:
    """Minimise ``(B_OLS - b)² + l2·b² + l1·|b|`` over ``b`` by proximal gradient steps."""
    from reglab import updates

    b, lr = np.zeros(1), 0.1 / (1.0 + l2)
    for _ in range(steps):
        grad = -2.0 * (B_OLS - b)  # the data part, (B_OLS - b)², differentiated
        b = updates.l2_step(b, grad, lr, l2)
        b = updates.soft_threshold(b, lr * l1)
    return float(b[0])



@exercise("05.1")
def l2_intercept(answer: object) -> Feedback:
    """The intercept training converges to with ``L2(L2_LAMBDA)`` on the bias."""
    expected = _penalised_intercept(l2=L2_LAMBDA)
    hint = (
        "Minimise (B_OLS - b)² + λ·b²: set the derivative -2(B_OLS - b) + 2λb to 0. Keras' data "
        "loss is a mean, so λ is compared with 1, not with the number of examples."
    )
    return Feedback(close(answer, expected, abs_tol=1e-6), hint)


@exercise("05.2")
def l1_intercept(answer: object) -> Feedback:
    """The intercept that minimises the objective with ``L1(L1_LAMBDA)`` on the bias."""
    expected = _penalised_intercept(l1=L1_LAMBDA)
    hint = (
        "Minimise (B_OLS - b)² + λ·|b|. For b > 0 the derivative is -2(B_OLS - b) + λ: L1 moves "
        "the intercept by a constant amount (not a fraction), and stops at exactly 0 if that "
        "amount exceeds B_OLS."
    )
    return Feedback(close(answer, expected, abs_tol=1e-6), hint)


@exercise("05.3")
def halving_lambda(answer: object) -> Feedback:
    """The ``L2`` factor on the bias that halves the intercept, for ``N_SAMPLES`` examples."""
    low, high = 0.0, 100.0  # bisection on the intercept, which falls as λ grows
    for _ in range(40):
        middle = (low + high) / 2
        if _penalised_intercept(l2=middle, steps=200) > B_OLS / 2:
            low = middle
        else:
            high = middle
    expected = (low + high) / 2
    hint = (
        "With Keras' mean data loss, the number of examples does not appear in the equation for "
        "the intercept (see your derivation for 05.1), so N_SAMPLES plays no part. With a *summed* "
        "data loss, as in the statistics textbooks' ridge regression, it would."
    )
    ok = math.isclose(number(answer), expected, rel_tol=1e-3)
    return Feedback(ok, hint)


EXP_N, EXP_NOISE, EXP_SEED = 200, 0.5, 5
"""05.4: the size, noise and seed of the data set the reader's own experiment draws."""


def experiment_data(intercept: float, x_mean: float):
    """05.4: ``reglab.data.offset_regression`` with the reader's offset and input mean.

    Returns ``(x, y)``, float32 arrays of shapes ``(EXP_N, 1)``; the same arguments always give
    the same arrays (seed ``EXP_SEED``), so the check can redraw them.

    Examples
    --------
    >>> x, y = experiment_data(intercept=5.0, x_mean=1.0)
    >>> x.shape, y.shape
    ((200, 1), (200, 1))
    """
    from reglab import data
    from reglab._validation import check_real

    raw = data.offset_regression(n_samples=EXP_N, intercept=check_real(intercept, "intercept"),
                                 x_mean=check_real(x_mean, "x_mean"), noise=EXP_NOISE, seed=EXP_SEED)
    return raw.x, raw.y


def _penalised_fit(x: np.ndarray, y: np.ndarray, lam_b: float) -> tuple[float, float]:
    """``(w, b)`` minimising ``mean((y - x w - b)²) + lam_b·b²``, as one least-squares problem.

    The penalty is a row ``[0, sqrt(lam_b)]`` with target 0 appended to the scaled data rows, so
    numpy's ``lstsq`` solves it without the closed form the reader derives.
    """
    x, y = x[:, 0].astype(np.float64), y[:, 0].astype(np.float64)
    scale = 1.0 / math.sqrt(x.size)
    rows = np.vstack([np.column_stack([x, np.ones_like(x)]) * scale, [0.0, math.sqrt(lam_b)]])
    (w, b), *_ = np.linalg.lstsq(rows, np.append(y * scale, 0.0), rcond=None)
    return float(w), float(b)


@exercise("05.4")
def predicted_bias(answer: object) -> Feedback:
    """``(intercept, x_mean, lam_b, b)``: the reader's experiment and the bias they predict for it."""
    given = numbers(answer)
    if given.shape != (4,):
        return Feedback(False, "Answer with four numbers: (intercept, x_mean, lam_b, your predicted "
                               f"b); received {given.size}.")
    intercept, x_mean, lam_b, b = (float(v) for v in given)
    sane = abs(intercept) <= 1e3 and abs(x_mean) <= 1e3 and 0 <= lam_b <= 1e3
    if not (np.all(np.isfinite(given)) and sane):
        return Feedback(False, "Choose a finite intercept and x_mean within ±1000, and 0 <= lam_b <= 1000.")
    x, y = experiment_data(intercept, x_mean)
    _, expected = _penalised_fit(x, y, lam_b)
    centred_guess = float(y.mean()) / (1.0 + lam_b)
    if abs(x_mean) > 0.1 and close(b, centred_guess, rel_tol=1e-3, abs_tol=1e-3):
        hint = ("ȳ/(1 + λ_b) is the intercept for centred inputs. With x_mean away from 0 the kernel "
                "tilts and b* = (ȳ - x̄·w*)/(1 + λ_b), with w* from the kernel's equation: solve both.")
    else:
        hint = ("Solve the two equations of section 1 on experiment_data(intercept, x_mean): "
                "b* = (ȳ - x̄·w*)/(1 + λ_b), with w* from the kernel's equation (closed_form does both).")
    return Feedback(close(b, expected, rel_tol=1e-3, abs_tol=1e-3), hint)
