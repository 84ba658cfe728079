"""reglab.penalties against keras.regularizers: values, gradients, the bridge, the error messages.

Tolerances: Keras computes in the weights' dtype. For float32 weights it rounds λ and every
partial sum to float32 (unit roundoff 6e-8); the sums here add at most 64 non-negative terms, so
their relative error stays below 64 * 6e-8 ≈ 4e-6, hence ``rtol=1e-5``. In float64 Keras multiplies
by the factor :func:`reglab.penalties.applied_factor` reports (float32-rounded on Keras 3.14 and
later, as stored before); given that same factor, the two sides agree to ``rtol=1e-12``. Where the
installed Keras refuses a product (``L1`` on float64 weights before 3.14,
:func:`reglab.compat.factor_meets_dtype`), the tests assert that it refuses.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reglab import compat, penalties, stacks
from reglab.penalties import PenaltySpec, from_keras, to_keras

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)

weights = hnp.arrays(
    dtype=np.float64,
    shape=hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=8),
    elements=st.floats(-100, 100, allow_nan=False, allow_infinity=False),
)
# 0 exactly, or a factor that float32 represents without underflow.
lams = st.one_of(st.just(0.0), st.floats(1e-4, 10.0))


KERAS_CLASSES = {"l1": keras.regularizers.L1, "l2": keras.regularizers.L2}
REFUSED = (tf.errors.InvalidArgumentError, tf.errors.NotFoundError, TypeError)
"""What TensorFlow raises where a factor's dtype cannot meet the weights' (Keras 3.0-3.13)."""


def meets_float64(regularizer) -> bool:
    """Does the installed Keras apply this regularizer (built with Python floats) to float64?"""
    return compat.factor_meets_dtype(type(regularizer).__name__, "float", "float64")


def keras_value(regularizer, w, dtype):
    return float(regularizer(tf.constant(w, dtype=dtype)).numpy())


# --- values ------------------------------------------------------------------------------------
@SETTINGS
@given(w=weights, lam=lams, kind=st.sampled_from(["l1", "l2"]))
def test_value_equals_keras_float32(w, lam, kind):
    w32 = w.astype(np.float32)
    ours = getattr(penalties, kind)(w32, lam)
    theirs = keras_value(KERAS_CLASSES[kind](lam), w32, tf.float32)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=0)


@SETTINGS
@given(w=weights, lam1=lams, lam2=lams)
def test_l1_l2_equals_keras_float32(w, lam1, lam2):
    w32 = w.astype(np.float32)
    ours = penalties.l1_l2(w32, l1=lam1, l2=lam2)
    theirs = keras_value(keras.regularizers.L1L2(l1=lam1, l2=lam2), w32, tf.float32)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=0)


@SETTINGS
@given(w=weights, lam1=lams, lam2=lams)
def test_spec_from_keras_matches_keras_float64(w, lam1, lam2):
    for regularizer in (
        keras.regularizers.L1(lam1),
        keras.regularizers.L2(lam2),
        keras.regularizers.L1L2(l1=lam1, l2=lam2),
    ):
        if not meets_float64(regularizer):
            with pytest.raises(REFUSED):
                keras_value(regularizer, w, tf.float64)
            continue
        spec = from_keras(regularizer).applied("float64")
        np.testing.assert_allclose(
            spec.value(w), keras_value(regularizer, w, tf.float64), rtol=1e-12, atol=0
        )


@pytest.mark.parametrize(
    ("func", "w", "kwargs", "expected"),
    [
        (penalties.l1, [10.0], {"lam": 0.1}, 1.0),  # seed 002's kernel example
        (penalties.l2, [20.0], {"lam": 0.05}, 20.0),  # seed 002's activity example: 20, not 2
        (penalties.l2, np.ones((5, 5)), {"lam": 2.0}, 50.0),  # Keras' own docstring example
        (penalties.l1_l2, [1.0, -2.0], {"l1": 0.1, "l2": 0.5}, 2.8),
        (penalties.l2, [1.0, 1.0], {"lam": 5.0}, 10.0),  # λ > 1 is fine
        (penalties.l1, np.zeros((0,)), {"lam": 0.3}, 0.0),  # no weights, no penalty
    ],
)
def test_worked_numbers(func, w, kwargs, expected):
    assert func(w, **kwargs) == pytest.approx(expected, rel=1e-12)


# --- gradients ---------------------------------------------------------------------------------
def central_difference(func, w, h=1e-6):
    grad = np.zeros_like(w)
    for index in np.ndindex(w.shape):
        step = np.zeros_like(w)
        step[index] = h
        grad[index] = (func(w + step) - func(w - step)) / (2 * h)
    return grad


# Away from 0 (|w| >= 1e-3 > h): the L1 kink lies outside the finite-difference stencil.
away_from_zero = hnp.arrays(
    dtype=np.float64,
    shape=st.integers(1, 6),
    elements=st.floats(1e-3, 10.0).flatmap(lambda x: st.sampled_from([x, -x])),
)


@SETTINGS
@given(w=away_from_zero, lam1=lams, lam2=lams)
def test_gradients_equal_finite_differences(w, lam1, lam2):
    # Central differences of a float64 function with h=1e-6: truncation error is 0 for these
    # piecewise quadratics, rounding error ~ eps * |f| / h ≈ 1e-16 * 1e3 / 1e-6 = 1e-7.
    cases = [
        (penalties.grad_l1(w, lam1), lambda v: penalties.l1(v, lam1)),
        (penalties.grad_l2(w, lam2), lambda v: penalties.l2(v, lam2)),
        (penalties.grad_l1_l2(w, lam1, lam2), lambda v: penalties.l1_l2(v, lam1, lam2)),
    ]
    for analytic, func in cases:
        np.testing.assert_allclose(analytic, central_difference(func, w), rtol=1e-6, atol=1e-6)


def tape_gradient(regularizer, w):
    variable = tf.Variable(w, dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = regularizer(variable)
    return tape.gradient(loss, variable, unconnected_gradients="zero").numpy()


@SETTINGS
@given(w=weights, lam1=lams, lam2=lams)
def test_gradients_equal_keras_autodiff(w, lam1, lam2):
    w = np.where(np.abs(w) < 1.0, 0.0, w)  # plenty of exact zeros: the sign(0) = 0 choice
    for regularizer in (
        keras.regularizers.L1(lam1),
        keras.regularizers.L2(lam2),
        keras.regularizers.L1L2(l1=lam1, l2=lam2),
    ):
        if not meets_float64(regularizer):
            with pytest.raises(REFUSED):
                tape_gradient(regularizer, w)
            continue
        spec = from_keras(regularizer).applied("float64")
        np.testing.assert_allclose(
            spec.grad(w), tape_gradient(regularizer, w), rtol=1e-12, atol=1e-300
        )


def test_l1_gradient_at_zero_is_zero_in_numpy_and_tensorflow():
    w = np.array([0.0, -0.0, 2.0])
    expected = np.array([0.0, 0.0, 0.5])
    np.testing.assert_array_equal(penalties.grad_l1(w, 0.5), expected)
    # Keras 3.0-3.13 store L1(0.5) as a float32 tensor, which float64 weights cannot meet; a
    # numpy float64 factor is stored as a float64 tensor and meets them on every release.
    float_meets = compat.factor_meets_dtype("L1", "float", "float64")
    assert compat.factor_meets_dtype("L1", "float64", "float64")
    regularizer = keras.regularizers.L1(0.5 if float_meets else np.float64(0.5))
    np.testing.assert_array_equal(tape_gradient(regularizer, w), expected)


# --- the Keras bridge --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "factors", "keras_class", "config"),
    [
        ("l1", {"l1": 0.5}, keras.regularizers.L1, {"l1": 0.5}),
        ("l2", {"l2": 0.05}, keras.regularizers.L2, {"l2": 0.05}),
        ("l1_l2", {"l1": 0.02, "l2": 0.05}, keras.regularizers.L1L2, {"l1": 0.02, "l2": 0.05}),
        ("l1_l2", {"l2": 0.05}, keras.regularizers.L1L2, {"l1": 0.0, "l2": 0.05}),
    ],
)
def test_to_keras_builds_the_keras_class(kind, factors, keras_class, config):
    regularizer = to_keras(kind, **factors)
    assert type(regularizer) is keras_class
    assert regularizer.get_config() == config
    assert from_keras(regularizer).to_keras().get_config() == config  # round trip


def test_keras_l2_factor_on_float64_weights_is_the_one_the_probe_reports():
    w = np.array([1.0])
    theirs = keras_value(keras.regularizers.L2(0.1), w, tf.float64)
    rounded = penalties.l2(w, float(np.float32(0.1)))  # Keras 3.14 and later (PR #22438)
    as_stored = penalties.l2(w, 0.1)  # Keras 3.0 to 3.13
    assert rounded != as_stored
    assert theirs == (rounded if penalties.keras_rounds_factor_to_float32() else as_stored)
    assert theirs == penalties.l2(w, penalties.applied_factor(0.1, "float64"))


def test_factor_rounding_probe_is_a_cached_bool_and_follows_the_factor_cast():
    penalties.keras_rounds_factor_to_float32()
    hits = penalties.keras_rounds_factor_to_float32.cache_info().hits
    found = penalties.keras_rounds_factor_to_float32()
    assert isinstance(found, bool)
    assert penalties.keras_rounds_factor_to_float32.cache_info().hits == hits + 1
    # One change (PR #22438) cast the factor to the weights' dtype through float32: the rounding
    # comes with L1's float32 factor meeting float64 weights, and neither exists without it.
    assert found == compat.factor_meets_dtype("L1", "float", "float64")
    if stacks.compare().is_pinned:
        assert found is True


@pytest.mark.parametrize("factor", [0.1, 0.01, 1 / 3, 5.0, 0.0])
def test_applied_factor_rounds_as_the_installed_keras_does(factor):
    rounds = penalties.keras_rounds_factor_to_float32()
    assert penalties.applied_factor(factor, "float32") == float(np.float32(factor))
    assert penalties.applied_factor(factor, "float64") == (float(np.float32(factor)) if rounds else factor)
    expected16 = np.float16(np.float32(factor)) if rounds else np.float16(factor)
    assert penalties.applied_factor(factor, "float16") == float(expected16)
    for dtype in ("float32", "float16", "float64"):  # what Keras computes on one weight of 1.0
        value = keras_value(keras.regularizers.L2(factor), np.ones(1), dtype)
        assert value == penalties.applied_factor(factor, dtype)


def test_applied_factor_names_a_bad_dtype():
    with pytest.raises(ValueError, match="argument dtype: expected one of 'float32', 'float16', 'float64'"):
        penalties.applied_factor(0.1, "int32")


def test_keras_stores_l1_as_float32_and_from_keras_keeps_that_value():
    stored = keras.regularizers.L1(0.01).get_config()["l1"]
    assert stored == float(np.float32(0.01)) == 0.009999999776482582
    assert from_keras(keras.regularizers.L1(0.01)).l1 == stored
    assert from_keras(keras.regularizers.L2(0.01)).l2 == 0.01  # L2 keeps the Python float


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("l1", PenaltySpec("l1", l1=float(np.float32(0.01)))),
        ("l2", PenaltySpec("l2", l2=0.01)),
        ("l1l2", PenaltySpec("l1_l2", l1=0.0, l2=0.0)),  # snake case of the class: a zero penalty
        ("L1L2", PenaltySpec("l1_l2", l1=0.0, l2=0.0)),
    ],
)
def test_from_keras_reads_string_identifiers(identifier, expected):
    assert from_keras(identifier) == expected


def test_from_keras_rejects_l1_l2_string_like_keras_does():
    with pytest.raises(ValueError, match="Could not interpret regularizer identifier: l1_l2"):
        from_keras("l1_l2")


def test_from_keras_rejects_other_regularizers():
    with pytest.raises(TypeError, match="Invalid value for argument regularizer"):
        from_keras(keras.regularizers.OrthogonalRegularizer(0.01))


# --- error messages ----------------------------------------------------------------------------
@pytest.mark.parametrize("func", [penalties.l1, penalties.l2, penalties.grad_l1, penalties.grad_l2])
@pytest.mark.parametrize(
    ("lam", "error", "fragment"),
    [
        (-0.1, ValueError, "lam=-0.1"),
        (float("nan"), ValueError, "lam=nan"),
        (float("inf"), ValueError, "lam=inf"),
        ("0.1", TypeError, "lam='0.1'"),
    ],
)
def test_bad_lambda_is_named(func, lam, error, fragment):
    with pytest.raises(error, match="Invalid value for argument lam") as info:
        func([1.0, 2.0], lam)
    assert fragment in str(info.value)


@pytest.mark.parametrize("func", [penalties.l1_l2, penalties.grad_l1_l2])
@pytest.mark.parametrize(("kwargs", "fragment"), [({"l1": -0.1}, "l1=-0.1"), ({"l2": -2}, "l2=-2")])
def test_bad_factor_of_l1_l2_is_named(func, kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        func([1.0], **kwargs)


@pytest.mark.parametrize(
    ("w", "error", "fragment"),
    [
        (["a", "b"], TypeError, "argument w: expected a numeric array"),
        ([True, False], TypeError, "argument w: expected a numeric array"),
        ([1.0, np.nan], ValueError, "argument w: expected finite values"),
    ],
)
def test_bad_weights_are_named(w, error, fragment):
    with pytest.raises(error, match=fragment):
        penalties.l2(w, 0.1)


@pytest.mark.parametrize("kind", ["l1l2", "L1", "elastic", None])
def test_unknown_kind_lists_valid_names(kind):
    with pytest.raises(ValueError, match="expected one of 'l1', 'l2', 'l1_l2'") as info:
        to_keras(kind, l1=0.1)
    assert f"kind={kind!r}" in str(info.value)


@pytest.mark.parametrize(
    ("kind", "factors", "fragment"),
    [
        ("l1", {"l2": 0.1}, "takes only l1. Received: l2=0.1"),
        ("l2", {}, "Received: l2=None"),
        ("l2", {"l2": -0.1}, "Received: l2=-0.1"),
        ("l1_l2", {"l1": float("nan")}, "Received: l1=nan"),
    ],
)
def test_to_keras_rejects_bad_factors(kind, factors, fragment):
    with pytest.raises(ValueError, match=fragment):
        to_keras(kind, **factors)


def test_spec_rejects_a_factor_its_kind_does_not_use():
    with pytest.raises(ValueError, match="takes no l2 factor"):
        PenaltySpec("l1", l1=0.1, l2=0.1)


def test_keras_accepts_large_lambda_and_rejects_negative():
    assert keras_value(keras.regularizers.L2(5.0), np.ones(3), tf.float32) == 15.0
    with pytest.raises(ValueError, match="l2=-0.1"):
        keras.regularizers.L2(-0.1)


# --- the MAP view: log_posterior and map_factor ------------------------------------------------
def _problem(seed=0, n=30, d=4):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    return x, x @ rng.normal(size=d) + 0.5 * rng.normal(size=n)


@pytest.mark.parametrize(("prior", "penalty"), [("gaussian", penalties.l2), ("laplace", penalties.l1)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_negative_log_posterior_is_the_penalised_mse_scaled_plus_a_constant(prior, penalty, seed):
    """-log p(w|x,y) = n/(2σ²)·(MSE + λ·penalty) + c, with λ = map_factor(...): compare two w."""
    x, y = _problem(seed)
    n, sigma, scale = len(y), 0.7, 0.3
    lam = penalties.map_factor(prior, noise_std=sigma, scale=scale, n=n)
    rng = np.random.default_rng(seed + 10)
    w_a, w_b = rng.normal(size=(2, x.shape[1]))

    def keras_objective(w):
        return np.mean((x @ w - y) ** 2) + penalty(w, lam)

    def neg_log_post(w):
        return -penalties.log_posterior(w, x, y, prior=prior, noise_std=sigma, scale=scale)

    scaled = n / (2 * sigma**2) * (keras_objective(w_a) - keras_objective(w_b))
    assert neg_log_post(w_a) - neg_log_post(w_b) == pytest.approx(scaled, rel=1e-10)  # float64


def test_ridge_closed_form_with_map_factor_maximises_the_gaussian_posterior():
    x, y = _problem(3)
    n, d = x.shape
    lam = penalties.map_factor("gaussian", noise_std=0.5, scale=0.4, n=n)
    ridge = np.linalg.solve(x.T @ x / n + lam * np.eye(d), x.T @ y / n)
    best = penalties.log_posterior(ridge, x, y, prior="gaussian", noise_std=0.5, scale=0.4)
    for step in np.random.default_rng(0).normal(scale=1e-3, size=(20, d)):
        assert penalties.log_posterior(ridge + step, x, y, prior="gaussian", noise_std=0.5, scale=0.4) < best


def test_lasso_with_alpha_half_lambda_maximises_the_laplace_posterior():
    """scikit-learn's Lasso minimises MSE/2 + alpha·Σ|w|: the same minimiser as Keras' MSE + λ·Σ|w|
    at alpha = λ/2."""
    from sklearn.linear_model import Lasso

    x, y = _problem(4)
    lam = penalties.map_factor("laplace", noise_std=0.5, scale=0.05, n=len(y))
    w = Lasso(alpha=lam / 2, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(x, y).coef_
    assert np.count_nonzero(w == 0.0) >= 1  # a zero, so the kink is tested too
    best = penalties.log_posterior(w, x, y, prior="laplace", noise_std=0.5, scale=0.05)
    for step in np.random.default_rng(1).normal(scale=1e-3, size=(20, x.shape[1])):
        assert penalties.log_posterior(w + step, x, y, prior="laplace", noise_std=0.5, scale=0.05) < best


def test_map_factor_formulas():
    assert penalties.map_factor("gaussian", noise_std=2.0, scale=0.5, n=8) == pytest.approx(4 / (8 * 0.25))
    assert penalties.map_factor("laplace", noise_std=2.0, scale=0.5, n=8) == pytest.approx(8 / (8 * 0.5))


def test_log_posterior_accepts_a_column_of_targets():
    x, y = _problem(5)
    w = np.ones(x.shape[1])
    flat = penalties.log_posterior(w, x, y, prior="gaussian", noise_std=1.0, scale=1.0)
    assert penalties.log_posterior(w, x, y[:, None], prior="gaussian", noise_std=1.0, scale=1.0) == flat
