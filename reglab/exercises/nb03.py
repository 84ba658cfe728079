"""Checks for the exercises of notebooks/03-gradient-updates.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Each check computes its expected answer by running
the update rules of :mod:`reglab.updates`, not from a stored number.
"""

from __future__ import annotations

import math

import numpy as np

from reglab.exercises._core import Feedback, exercise, number, numbers

SHRINK_LR, SHRINK_LAMBDA = 0.1, 0.05
"""03.1: one SGD step with ``learning_rate=0.1`` and ``L2(0.05)``, data gradient 0."""

PROX_W0, PROX_LR, PROX_LAMBDA = 0.35, 0.1, 1.0
"""03.2: a weight of 0.35 under proximal L1 steps alone, ``lr=0.1``, ``λ=1``."""

ADAM_W0, ADAM_LR, ADAM_LAMBDA = np.array([1.0, 0.01]), 0.01, 0.1
"""03.3: two weights, ``Adam(learning_rate=0.01)``, an ``L2(0.1)`` penalty alone."""


@exercise("03.1")
def l2_shrink_factor(answer: object) -> Feedback:
    """The factor that multiplies every weight in one SGD step with an L2 penalty alone."""
    from reglab import updates

    expected = float(updates.l2_step([1.0], [0.0], SHRINK_LR, SHRINK_LAMBDA)[0])
    hint = (
        "The step is w - lr·2λw (Keras' L2 has no 1/2, so its gradient keeps the 2). Factor "
        "out w: the answer is one number, close to but below 1."
    )
    ok = math.isclose(number(answer), expected, rel_tol=1e-9, abs_tol=1e-12)
    return Feedback(ok, hint)


@exercise("03.2")
def steps_to_zero(answer: object) -> Feedback:
    """How many proximal L1 steps take ``PROX_W0`` to exactly 0 (an int)."""
    from reglab import updates

    w, steps = np.array([PROX_W0]), 0
    while w[0] != 0.0:
        w, steps = updates.proximal_l1_step(w, [0.0], PROX_LR, PROX_LAMBDA), steps + 1
    hint = (
        "Each step moves the weight lr·λ towards 0 and stops at 0; count the steps, the last "
        "one included. Check with updates.l1_proximal_trajectory."
    )
    is_int = isinstance(answer, int | np.integer) and not isinstance(answer, bool)
    return Feedback(is_int and answer == steps, hint)


@exercise("03.3")
def adam_first_step(answer: object) -> Feedback:
    """Both weights after the first Adam step on the penalty ``λ·Σw²`` alone."""
    from reglab import penalties, updates

    grad = penalties.grad_l2(ADAM_W0, ADAM_LAMBDA)
    expected, _ = updates.adam_step(ADAM_W0, grad, updates.adam_init(ADAM_W0), ADAM_LR)
    given = numbers(answer)
    hint = (
        "On its first step Adam divides the gradient by its own size (m/sqrt(v) = g/|g|, up to "
        "epsilon): how far does each weight move, whatever its gradient? updates.adam_step "
        "or keras.optimizers.Adam computes it."
    )
    ok = given.shape == (2,) and np.allclose(given, expected, rtol=0, atol=1e-6)
    return Feedback(bool(ok), hint)
