"""reglab.updates: the steps against Keras' optimizers, the closed forms against iteration.

Tolerances: the numpy steps run in float64, Keras in float32. Weights and steps here are O(1),
so one float32 step is off by a few units of 6e-8; ``atol=1e-6`` leaves a margin of ~10x for
the handful of steps these tests take. Closed forms vs iteration are both float64: they differ
by accumulated rounding only (``atol=1e-9`` over at most 60 steps).
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reglab import penalties, updates

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)

vectors = hnp.arrays(np.float64, st.integers(1, 6), elements=st.floats(-5, 5))
rates = st.floats(1e-3, 0.5)
lams = st.floats(0.0, 2.0)


# --- the steps are the penalty's gradient plugged into SGD ---------------------------------------
@SETTINGS
@given(w=vectors, lr=rates, lam=lams, data=st.data())
def test_penalised_steps_are_sgd_on_the_total_gradient(w, lr, lam, data):
    grad = data.draw(hnp.arrays(np.float64, w.shape, elements=st.floats(-5, 5)))
    np.testing.assert_allclose(
        updates.l2_step(w, grad, lr, lam),
        updates.sgd_step(w, grad + penalties.grad_l2(w, lam), lr),
        rtol=1e-12,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        updates.l1_subgradient_step(w, grad, lr, lam),
        updates.sgd_step(w, grad + penalties.grad_l1(w, lam), lr),
        rtol=1e-12,
        atol=1e-12,
    )


@SETTINGS
@given(w=vectors, threshold=st.floats(0.0, 3.0))
def test_soft_threshold_minimises_its_proximal_objective(w, threshold):
    # prox: argmin_x 0.5·(x - w)² + threshold·|x|, element by element; compare with nearby points.
    x = updates.soft_threshold(w, threshold)
    objective = lambda z: 0.5 * (z - w) ** 2 + threshold * np.abs(z)  # noqa: E731
    for delta in (-1e-3, 1e-3, -0.5, 0.5):
        assert np.all(objective(x) <= objective(x + delta) + 1e-12)
    assert np.all(x[np.abs(w) <= threshold] == 0.0)


@SETTINGS
@given(w=vectors, lr=rates, lam=lams)
def test_proximal_step_equals_subgradient_far_from_zero_and_gives_exact_zeros_near_it(w, lr, lam):
    grad = np.zeros_like(w)
    prox = updates.proximal_l1_step(w, grad, lr, lam)
    sub = updates.l1_subgradient_step(w, grad, lr, lam)
    far = np.abs(w) > lr * lam
    np.testing.assert_allclose(prox[far], sub[far], rtol=1e-12, atol=1e-12)
    assert np.all(prox[~far] == 0.0)


def test_decoupled_decay_shrinks_every_weight_by_the_same_factor():
    w = np.array([10.0, 0.01, -3.0])
    ratio = updates.decoupled_weight_decay_step(w, lr=0.1, weight_decay=0.2) / w
    np.testing.assert_allclose(ratio, 1 - 0.1 * 0.2, rtol=1e-15)


# --- closed forms == iteration -----------------------------------------------------------------
@SETTINGS
@given(w0=vectors, lr=rates, lam=st.floats(0.0, 0.9), steps=st.integers(0, 60))
def test_l2_trajectory_equals_iterated_l2_steps(w0, lr, lam, steps):
    iterated = updates.iterate(lambda w: updates.l2_step(w, 0 * w, lr, lam), w0, steps)
    np.testing.assert_allclose(
        updates.l2_trajectory(w0, lr, lam, steps), iterated, rtol=1e-9, atol=1e-12
    )


@SETTINGS
@given(w0=vectors, lr=rates, lam=lams, steps=st.integers(0, 60))
def test_l1_proximal_trajectory_equals_iterated_proximal_steps(w0, lr, lam, steps):
    iterated = updates.iterate(lambda w: updates.proximal_l1_step(w, 0 * w, lr, lam), w0, steps)
    closed = updates.l1_proximal_trajectory(w0, lr, lam, steps)
    np.testing.assert_allclose(closed, iterated, rtol=0, atol=1e-9)


@SETTINGS
@given(w0=vectors, lr=rates, lam=st.floats(1e-2, 2.0), steps=st.integers(0, 60))
def test_l1_subgradient_trajectory_equals_iterated_subgradient_steps(w0, lr, lam, steps):
    ratio = np.abs(w0) / (lr * lam)
    # Where |w0|/(ηλ) is an integer up to rounding, float iteration decides 0 vs the 2-cycle by
    # the last bit (documented); exact 0 weights are fine (they stay 0).
    assume(np.all((ratio == 0) | (np.abs(ratio - np.round(ratio)) > 1e-6)))
    iterated = updates.iterate(lambda w: updates.l1_subgradient_step(w, 0 * w, lr, lam), w0, steps)
    closed = updates.l1_subgradient_trajectory(w0, lr, lam, steps)
    np.testing.assert_allclose(closed, iterated, rtol=0, atol=1e-9)


def test_subgradient_oscillates_where_proximal_stops_at_zero():
    sub = updates.l1_subgradient_trajectory([0.25], lr=0.1, lam=1.0, steps=40).ravel()
    prox = updates.l1_proximal_trajectory([0.25], lr=0.1, lam=1.0, steps=40).ravel()
    assert np.count_nonzero(sub[3:] == 0) == 0 and np.all(np.abs(sub[3:]) < 0.1)
    assert np.all(np.sign(sub[3:-1]) == -np.sign(sub[4:]))  # flips sign every step
    assert np.all(prox[3:] == 0.0)


def test_exact_landing_on_zero_stays_there():
    # 0.5 / 0.25 = 2 exactly in binary: the subgradient lands on 0 and sign(0) = 0 keeps it.
    path = updates.l1_subgradient_trajectory([0.5], lr=0.25, lam=1.0, steps=5).ravel()
    np.testing.assert_array_equal(path, [0.5, 0.25, 0.0, 0.0, 0.0, 0.0])


# --- one step by hand == one step of Keras -----------------------------------------------------
X = np.array([[1.0, -2.0, 0.5, 0.0], [0.3, 0.1, -1.0, 2.0], [-0.7, 0.4, 0.2, 1.0]])
Y = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5], [0.2, 0.3, 0.1]])
W0 = np.array([[0.5, -0.3, 0.0], [0.1, 0.2, -0.4], [0.0, 0.7, 0.3], [-0.6, 0.05, 0.2]])
B0 = np.array([0.1, -0.2, 0.0])


def mse_gradients(kernel, bias):
    """Gradients of Keras' mean squared error (mean over batch and outputs) for ``X @ W + b``."""
    residual = X @ kernel + bias - Y
    scale = 2.0 / residual.size
    return scale * X.T @ residual, scale * residual.sum(axis=0)


def keras_model(optimizer, regularizer=None):
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, kernel_regularizer=regularizer)]
    )
    model.layers[0].set_weights([W0.astype("float32"), B0.astype("float32")])
    model.compile(optimizer=optimizer, loss="mse", run_eagerly=True)
    return model


def keras_steps(model, steps):
    for _ in range(steps):
        model.train_on_batch(X.astype("float32"), Y.astype("float32"))
    return [np.asarray(v, dtype=np.float64) for v in model.layers[0].get_weights()]


@pytest.mark.parametrize(
    ("regularizer", "step"),
    [
        (keras.regularizers.L2(0.05), lambda w, g, lr: updates.l2_step(w, g, lr, 0.05)),
        # Keras multiplies by float32(0.3), 1e-8 off: far inside atol. W0 has exact zeros.
        (keras.regularizers.L1(0.3), lambda w, g, lr: updates.l1_subgradient_step(w, g, lr, 0.3)),
        (None, updates.sgd_step),
    ],
    ids=["L2", "L1", "none"],
)
def test_one_sgd_step_by_hand_equals_keras(regularizer, step):
    lr = 0.1
    kernel, bias = keras_steps(keras_model(keras.optimizers.SGD(lr), regularizer), steps=1)
    grad_kernel, grad_bias = mse_gradients(W0, B0)
    np.testing.assert_allclose(kernel, step(W0, grad_kernel, lr), rtol=0, atol=1e-6)
    np.testing.assert_allclose(bias, updates.sgd_step(B0, grad_bias, lr), rtol=0, atol=1e-6)


def test_three_adamw_steps_by_hand_equal_keras():
    lr, decay, steps = 0.01, 0.5, 3
    model = keras_model(keras.optimizers.AdamW(learning_rate=lr, weight_decay=decay))
    kernel, bias = keras_steps(model, steps)
    w, b = W0.copy(), B0.copy()
    state_w, state_b = updates.adam_init(w), updates.adam_init(b)
    for _ in range(steps):
        grad_w, grad_b = mse_gradients(w, b)  # gradients at the weights before the decay
        w, state_w = updates.adamw_step(w, grad_w, state_w, lr, decay)
        b, state_b = updates.adamw_step(b, grad_b, state_b, lr, decay)  # Keras decays biases too
    np.testing.assert_allclose(kernel, w, rtol=0, atol=1e-6)
    np.testing.assert_allclose(bias, b, rtol=0, atol=1e-6)


def test_three_adam_steps_with_l2_penalty_by_hand_equal_keras():
    lr, lam, steps = 0.01, 0.5, 3
    model = keras_model(keras.optimizers.Adam(learning_rate=lr), keras.regularizers.L2(lam))
    kernel, _ = keras_steps(model, steps)
    w, b = W0.copy(), B0.copy()
    state_w, state_b = updates.adam_init(w), updates.adam_init(b)
    for _ in range(steps):
        grad_w, grad_b = mse_gradients(w, b)
        w, state_w = updates.adam_step(w, grad_w + penalties.grad_l2(w, lam), state_w, lr)
        b, state_b = updates.adam_step(b, grad_b, state_b, lr)
    np.testing.assert_allclose(kernel, w, rtol=0, atol=1e-6)


# --- errors name the argument ------------------------------------------------------------------
W, G = np.ones(2), np.zeros(2)
STEPS = {
    "sgd_step": lambda **k: updates.sgd_step(**{"w": W, "grad": G, "lr": 0.1, **k}),
    "l2_step": lambda **k: updates.l2_step(**{"w": W, "grad": G, "lr": 0.1, "lam": 0.1, **k}),
    "l1_subgradient_step": lambda **k: updates.l1_subgradient_step(
        **{"w": W, "grad": G, "lr": 0.1, "lam": 0.1, **k}
    ),
    "proximal_l1_step": lambda **k: updates.proximal_l1_step(
        **{"w": W, "grad": G, "lr": 0.1, "lam": 0.1, **k}
    ),
}


@pytest.mark.parametrize("name", list(STEPS))
@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"lr": -0.1}, ValueError, "Invalid value for argument lr: expected a non-negative "),
        ({"lr": math.inf}, ValueError, "Received: lr=inf"),
        ({"lr": "0.1"}, TypeError, "Received: lr='0.1'"),
        ({"grad": np.zeros(3)}, ValueError, "w has shape (2,) but grad has shape (3,)"),
        ({"grad": ["a", "b"]}, TypeError, "argument grad: expected a numeric array"),
        ({"w": [1.0, np.nan]}, ValueError, "argument w: expected finite values"),
    ],
)
def test_step_errors_name_the_argument(name, kwargs, error, fragment):
    with pytest.raises(error) as info:
        STEPS[name](**kwargs)
    assert fragment in str(info.value)


@pytest.mark.parametrize("name", ["l2_step", "l1_subgradient_step", "proximal_l1_step"])
@pytest.mark.parametrize("lam", [-0.1, math.nan])
def test_step_errors_name_lam(name, lam):
    with pytest.raises(ValueError, match=f"Received: lam={lam!r}"):
        STEPS[name](lam=lam)


ONE = [1.0]


@pytest.mark.parametrize(
    ("call", "fragment"),
    [
        (lambda: updates.soft_threshold([1.0], -0.1), "threshold=-0.1"),
        (lambda: updates.decoupled_weight_decay_step([1.0], 0.1, -0.1), "weight_decay=-0.1"),
        (lambda: updates.l2_trajectory([1.0], 0.1, 0.1, steps=-1), "steps=-1"),
        (lambda: updates.l1_subgradient_trajectory([1.0], -1.0, 0.1, 3), "lr=-1.0"),
        (lambda: updates.adam_step(ONE, ONE, updates.adam_init(ONE), 0.1, beta_1=-1), "beta_1=-1"),
        (lambda: updates.adam_step(ONE, ONE, updates.adam_init([1.0, 2.0]), 0.1), "state.m"),
    ],
)
def test_other_errors_name_the_argument(call, fragment):
    with pytest.raises(ValueError) as info:
        call()
    assert fragment in str(info.value)
