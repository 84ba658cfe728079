"""Checks for the exercises of notebooks/05-bias-regularization.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Each check finds its expected answer by running the
update rules of :mod:`reglab.updates` to convergence on the stated objective, not from the closed
form the student is asked to derive.

Every exercise uses a linear model ``y = w·x + b`` on centred inputs (mean of ``x`` exactly 0),
where the bias decouples from the kernel: with the data loss a *mean* over the examples, the part
of the objective that depends on ``b`` is ``(B_OLS - b)² + penalty(b)``, up to a constant, where
``B_OLS`` is the unpenalised intercept (the mean of ``y``).
"""

from __future__ import annotations

import math

import numpy as np

from reglab.exercises._core import Feedback, close, exercise, number

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
