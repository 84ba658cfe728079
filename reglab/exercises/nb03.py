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


FD_W, FD_LAMBDA, FD_H = np.array([-1.0, -0.3, 0.0, 0.4, 2.0]), 0.1, 1e-3
"""03.4: the weights at which to check the gradients of ``L2(0.1)`` and ``L1(0.1)`` by finite
differences with step ``h = 1e-3``; the middle weight sits on L1's kink at 0."""


def _central_differences(penalty, w: np.ndarray, h: float) -> np.ndarray:
    """``(penalty(w + h·e_j) - penalty(w - h·e_j)) / (2h)`` for every coordinate ``j``."""
    grad = np.zeros_like(w)
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = h
        grad[j] = (penalty(w + step) - penalty(w - step)) / (2 * h)
    return grad


def _autodiff(regularizer, w: np.ndarray) -> np.ndarray:
    """The gradient TensorFlow's GradientTape gives for a Keras regularizer at ``w``."""
    import tensorflow as tf

    variable = tf.Variable(w.astype("float32"))
    with tf.GradientTape() as tape:
        value = regularizer(variable)
    return tape.gradient(value, variable).numpy().astype(np.float64)


@exercise("03.4")
def finite_difference_check(answer: object) -> Feedback:
    """Central finite differences of L2 and L1 at ``FD_W``: ``[gradient of L2, gradient of L1]``.

    The expected vectors are computed here twice, by central differences of
    :func:`reglab.penalties.l2`/:func:`~reglab.penalties.l1` in float64 and by TensorFlow's autodiff
    of the Keras regularizers; the answer must match both within ``10·FD_H·FD_LAMBDA`` (float32
    arithmetic and forward differences of L2 pass; a one-sided difference at the kink does not).
    """
    import keras

    from reglab import penalties

    expected = np.stack([
        _central_differences(lambda w: penalties.l2(w, FD_LAMBDA), FD_W, FD_H),
        _central_differences(lambda w: penalties.l1(w, FD_LAMBDA), FD_W, FD_H),
    ])
    keras_grad = np.stack([_autodiff(keras.regularizers.L2(FD_LAMBDA), FD_W),
                           _autodiff(keras.regularizers.L1(FD_LAMBDA), FD_W)])
    given = numbers(answer)
    if given.size != expected.size:
        return Feedback(False, f"Answer with two vectors of {FD_W.size} numbers, [L2 gradient, L1 "
                               f"gradient]; received {given.size} numbers.")
    given = given.reshape(expected.shape)
    tol = 10 * FD_H * FD_LAMBDA
    ok = np.allclose(given, expected, rtol=0, atol=tol) and np.allclose(given, keras_grad, rtol=0, atol=tol)
    kink = int(np.flatnonzero(FD_W == 0.0)[0])
    at_kink = given[1, kink]
    if not ok and math.isclose(abs(at_kink), FD_LAMBDA, rel_tol=0.05):
        hint = (
            f"Your L1 entry at w = 0 is {at_kink:+.3g}, a one-sided difference: |w| has a kink at 0, "
            "where forward and backward differences give ±λ and the central one 0. Any value in "
            "[-λ, λ] is a subgradient; TensorFlow picks 0 (sign(0) = 0). Use central differences."
        )
    else:
        hint = (
            "Perturb one coordinate at a time: (f(w + h·e_j) - f(w - h·e_j)) / 2h, with f the Keras "
            "regularizer (or reglab.penalties.l2/l1 with λ = FD_LAMBDA) and h = FD_H. Expect about "
            "2λw for L2 and λ·sign(w) for L1."
        )
    return Feedback(bool(ok), hint)


TAPE_LAMBDA, TAPE_LR, TAPE_STEPS = 0.25, 0.1, 100
"""03.5: the kernel's ``L2`` factor, SGD's learning rate, and the number of full-batch steps."""


def _tape_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(32, 4))
    y = x @ np.array([[1.5], [-2.0], [0.5], [1.0]]) + 0.3 * rng.normal(size=(32, 1))
    return x.astype("float32"), y.astype("float32")


TAPE_X, TAPE_Y = _tape_data()
"""03.5: 32 examples of 4 features and one target (a seeded linear problem with noise)."""


def tape_model():
    """03.5: ``Dense(1)`` on 4 inputs, its kernel under ``L2(TAPE_LAMBDA)``, every weight 0 at start.

    Examples
    --------
    >>> [float(term) for term in tape_model().losses]  # the L2 term of the zero kernel
    [0.0]
    """
    import keras

    return keras.Sequential([
        keras.Input((TAPE_X.shape[1],)),
        keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="zeros",
                           kernel_regularizer=keras.regularizers.L2(TAPE_LAMBDA)),
    ])


def _tape_kernel(add_penalty: bool) -> np.ndarray:
    """The kernel after ``TAPE_STEPS`` full-batch SGD steps on the MSE (plus the L2 term), in numpy."""
    from reglab import updates

    x, y = TAPE_X.astype(np.float64), TAPE_Y.astype(np.float64)
    kernel, bias = np.zeros((x.shape[1], 1)), np.zeros(1)
    for _ in range(TAPE_STEPS):
        residual = x @ kernel + bias - y
        grad_kernel, grad_bias = 2 * x.T @ residual / residual.size, 2 * residual.mean(axis=0)
        lam = TAPE_LAMBDA if add_penalty else 0.0
        kernel = updates.l2_step(kernel, grad_kernel, TAPE_LR, lam)
        bias = updates.sgd_step(bias, grad_bias, TAPE_LR)
    return kernel


@exercise("03.5")
def forgotten_penalty(answer: object) -> Feedback:
    """``‖kernel without model.losses‖ / ‖kernel with them‖`` after ``TAPE_STEPS`` SGD steps."""
    forgot, kept = (np.linalg.norm(_tape_kernel(flag)) for flag in (False, True))
    expected = forgot / kept
    given = number(answer)
    if math.isclose(given, 1.0, abs_tol=1e-6):
        hint = ("A ratio of 1: both runs gave the same kernel. Did your step add sum(model.losses) to "
                "the loss inside the tape when add_penalty is True, and apply the gradients?")
    elif math.isclose(given, 1 / expected, rel_tol=1e-3):
        hint = "That is the ratio the other way round: the run without the penalty goes on top."
    else:
        hint = (f"Train tape_model() {TAPE_STEPS} full-batch steps with SGD({TAPE_LR}) on TAPE_X, "
                "TAPE_Y twice, the loss inside the tape being the MSE alone, then the MSE + "
                "sum(model.losses); divide the first kernel's norm by the second's.")
    return Feedback(math.isclose(given, expected, rel_tol=1e-3), hint)
