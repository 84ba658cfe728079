"""Checks for the exercises of notebooks/02-l1-l2-penalties.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Each check computes its expected answer (with the
installed Keras or with :mod:`reglab.updates`), not from a stored number.
"""

from __future__ import annotations

import numpy as np

from reglab.exercises._core import Feedback, close, exercise, numbers

KERNEL = np.array([[0.5, -1.0], [2.0, 0.0]])
L1_FACTOR, L2_FACTOR = 0.02, 0.05
"""02.1: a kernel and the factors of ``keras.regularizers.L1L2(l1=0.02, l2=0.05)`` on it."""

LOSS_MINIMUM = np.array([3.0, 1.0])
L1_LAMBDA = 2.5
"""02.2: minimise ``(w₁-3)² + (w₂-1)² + 2.5·(|w₁| + |w₂|)`` over two weights."""

ONE_WEIGHT_MINIMUM = 2.0
"""02.3: the 1-D loss ``(w - 2)²``, penalised by ``λ·w²``."""



@exercise("02.1")
def l1_l2_penalty(answer: object) -> Feedback:
    """The term ``L1L2(l1=L1_FACTOR, l2=L2_FACTOR)`` adds to the loss for the kernel ``KERNEL``."""
    import keras

    regularizer = keras.regularizers.L1L2(l1=L1_FACTOR, l2=L2_FACTOR)
    expected = float(regularizer(KERNEL.astype("float32")))
    hint = (
        "Add the two terms: l1 times the sum of |w| plus l2 times the sum of w² over all four "
        "entries (no 1/2, no mean). penalties.l1_l2 computes it."
    )
    return Feedback(close(answer, expected), hint)


@exercise("02.2")
def l1_penalised_minimum(answer: object) -> Feedback:
    """The minimiser of ``Σ(wᵢ - LOSS_MINIMUM[i])² + L1_LAMBDA·Σ|wᵢ|``, as two numbers."""
    from reglab import updates

    # Proximal gradient descent on the smooth part (gradient 2(w - a), step 1/4) converges to
    # the exact minimiser; 200 steps are far more than this separable problem needs.
    w = np.zeros(2)
    for _ in range(200):
        w = updates.proximal_l1_step(w, 2.0 * (w - LOSS_MINIMUM), lr=0.25, lam=L1_LAMBDA)
    given = numbers(answer)
    hint = (
        "Each weight is its own 1-D problem: minimise (w - a)² + λ|w|. Away from 0 the slope is "
        "2(w - a) ± λ; if no w of the sign of a makes it zero, the minimum sits at exactly 0."
    )
    ok = given.shape == (2,) and np.allclose(given, w, rtol=1e-4, atol=1e-6)
    return Feedback(bool(ok), hint)


@exercise("02.3")
def lambda_that_halves(answer: object) -> Feedback:
    """The L2 factor λ at which the minimiser of ``(w - 2)² + λ·w²`` is half of 2."""
    # minimiser a / (1 + λ) (zero derivative); it equals a / 2 where 1 + λ = 2.
    a = ONE_WEIGHT_MINIMUM
    expected = a / (a / 2) - 1.0
    hint = (
        "Set the derivative 2(w - 2) + 2λw to zero and solve for w; then find λ for which that "
        "w is 1."
    )
    return Feedback(close(answer, expected), hint)
