"""reglab.data: shapes, dtypes, determinism, the known truth of each set, splits, error messages.

Tolerances: the sets are computed in float64 and stored in float32, so a relation such as
``y = x w`` holds to float32 rounding: ``rtol=1e-5`` (a few float32 ulps of ~6e-8, accumulated over
sums of at most 20 terms) plus ``atol=1e-5`` for targets near zero.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reglab import data

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
RTOL, ATOL = 1e-5, 1e-5

BUILDERS = {
    "sparse_regression": lambda seed: data.sparse_regression(seed=seed),
    "overfitting_regression": lambda seed: data.overfitting_regression(seed=seed),
    "offset_regression": lambda seed: data.offset_regression(seed=seed),
    "digits": lambda seed: data.digits(seed=seed),
    "train_val_split": lambda seed: data.train_val_split(
        np.arange(40.0).reshape(20, 2), np.arange(20), 0.25, seed
    ),
}


def _arrays(dataset) -> dict[str, np.ndarray]:
    return {
        f.name: getattr(dataset, f.name)
        for f in dataclasses.fields(dataset)
        if isinstance(getattr(dataset, f.name), np.ndarray)
    }


# --- common behaviour ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", BUILDERS)
def test_same_seed_same_arrays_other_seed_other_arrays(name):
    first, again, other = BUILDERS[name](0), BUILDERS[name](0), BUILDERS[name](1)
    for key, array in _arrays(first).items():
        np.testing.assert_array_equal(array, _arrays(again)[key])
    assert any(not np.array_equal(a, _arrays(other)[k]) for k, a in _arrays(first).items())


@pytest.mark.parametrize("name", BUILDERS)
def test_frozen_all_the_way_down(name):
    dataset = BUILDERS[name](0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dataset.x = None
    for array in _arrays(dataset).values():
        assert not array.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        dataset.x[0] = 1.0


@pytest.mark.parametrize("name", BUILDERS)
def test_inputs_are_float32_and_rows_match(name):
    dataset = BUILDERS[name](0)
    assert dataset.x.dtype == np.float32
    assert len(dataset.x) == len(dataset.y)
    if hasattr(dataset, "x_val"):
        assert dataset.x_val.dtype == np.float32 and len(dataset.x_val) == len(dataset.y_val)


# --- sparse regression ----------------------------------------------------------------------------
@SETTINGS
@given(n_features=st.integers(1, 30), data_=st.data(), seed=st.integers(0, 2**32 - 1))
def test_sparse_regression_support_is_the_non_zero_set(n_features, data_, seed):
    n_informative = data_.draw(st.integers(1, n_features))
    dataset = data.sparse_regression(20, n_features, n_informative, noise=0.5, seed=seed)
    support = dataset.support
    assert support.dtype == np.int64 and len(support) == n_informative
    assert np.all(np.diff(support) > 0)  # sorted, distinct
    np.testing.assert_array_equal(np.flatnonzero(dataset.true_weights), support)
    np.testing.assert_array_equal(dataset.support_mask, dataset.true_weights != 0)
    magnitudes = np.abs(dataset.true_weights[support])
    assert np.all((magnitudes >= 1.0) & (magnitudes <= 2.0))


def test_sparse_regression_without_noise_is_exactly_linear():
    dataset = data.sparse_regression(n_samples=30, n_features=8, n_informative=3, noise=0.0, seed=3)
    assert dataset.x.shape == (30, 8) and dataset.y.shape == (30, 1) and dataset.y.dtype == np.float32
    expected = dataset.x.astype(np.float64) @ dataset.true_weights.astype(np.float64)
    np.testing.assert_allclose(dataset.y[:, 0], expected, rtol=RTOL, atol=ATOL)


def test_sparse_regression_noise_has_the_stated_size():
    dataset = data.sparse_regression(n_samples=4000, n_features=5, n_informative=2, noise=0.5, seed=0)
    residual = dataset.y[:, 0] - dataset.x @ dataset.true_weights
    # The sample sd of 4000 normal draws is within 3 standard errors (0.5 / sqrt(8000) ≈ 0.006).
    assert abs(residual.std() - 0.5) < 0.02


# --- the overfitting curve ------------------------------------------------------------------------
def test_overfitting_regression_shapes_features_and_truth():
    dataset = data.overfitting_regression(n_train=15, n_val=200, degree=10, noise=0.0, seed=0)
    assert dataset.x.shape == (15, 10) and dataset.y.shape == (15, 1)
    assert dataset.x_val.shape == (200, 10) and dataset.t_val.shape == (200,)
    assert np.all(np.abs(dataset.t) <= 1.0)
    np.testing.assert_allclose(dataset.features(dataset.t), dataset.x, rtol=RTOL, atol=1e-7)
    np.testing.assert_allclose(dataset.x[:, 0], dataset.t)  # the first feature is t itself
    np.testing.assert_allclose(dataset.y, dataset.truth(dataset.t), rtol=RTOL, atol=ATOL)  # noise=0
    np.testing.assert_allclose(data.CurveFit.truth([0.5, -0.5]), [[1.0], [-1.0]], atol=1e-7)


def test_overfitting_regression_really_overfits_a_wide_mlp():
    """The claim in the docstring, for seed 0: val loss rises while train loss falls (~2 s)."""
    import keras
    import tensorflow as tf

    from reglab.models import mlp

    dataset = data.overfitting_regression(seed=0)
    model = mlp(dataset.x.shape[1], hidden=(256, 256), seed=0)
    optimizer = keras.optimizers.Adam(0.01)
    x, y, x_val, y_val = (tf.constant(a) for a in (dataset.x, dataset.y, dataset.x_val, dataset.y_val))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        return loss, tf.reduce_mean(tf.square(model(x_val) - y_val))

    history = np.array([[float(v) for v in step()] for _ in range(100)])
    train, val = history[:, 0], history[:, 1]
    best = int(val.argmin())
    assert best < 50
    assert val[-1] > 1.3 * val[best]  # validation loss rose by 30 % or more after its minimum...
    assert train[-1] < 0.5 * train[best]  # ...while the training loss kept falling
    assert train[-1] < dataset.noise**2  # below the noise floor: the noise is being fitted


# --- offset regression ------------------------------------------------------------------------------
@pytest.mark.parametrize(("intercept", "x_mean"), [(10.0, 0.0), (-50.0, 5.0), (0.0, 0.0)])
def test_offset_regression_is_an_affine_function_plus_noise(intercept, x_mean):
    dataset = data.offset_regression(
        n_samples=50, n_features=2, intercept=intercept, noise=0.0, x_mean=x_mean, seed=1
    )
    assert dataset.x.shape == (50, 2) and dataset.y.shape == (50, 1) and dataset.intercept == intercept
    expected = dataset.x.astype(np.float64) @ dataset.true_weights + intercept
    np.testing.assert_allclose(dataset.y[:, 0], expected, rtol=RTOL, atol=1e-4)


def test_offset_regression_least_squares_recovers_the_intercept():
    dataset = data.offset_regression(n_samples=500, intercept=10.0, noise=0.5, x_mean=3.0, seed=0)
    assert abs(dataset.x.mean() - 3.0) < 0.2  # 500 N(3, 1) draws: standard error 0.045
    design = np.hstack([dataset.x, np.ones((500, 1))])
    coef = np.linalg.lstsq(design, dataset.y[:, 0], rcond=None)[0]
    # The OLS intercept's standard error is about 0.5 * sqrt(1/500 + 9/500) ≈ 0.07.
    assert abs(coef[-1] - 10.0) < 0.3
    np.testing.assert_allclose(coef[:-1], dataset.true_weights, atol=0.1)


# --- digits ------------------------------------------------------------------------------------------
def test_digits_scaled_split_and_stratified():
    dataset = data.digits(seed=0, val_fraction=0.2, test_fraction=0.1)
    parts = [(dataset.x, dataset.y), (dataset.x_val, dataset.y_val), (dataset.x_test, dataset.y_test)]
    assert sum(len(x) for x, _ in parts) == 1797 and dataset.image_shape == (8, 8)
    for x, y in parts:
        assert x.dtype == np.float32 and x.shape[1] == 64 and y.dtype == np.int64
        assert x.min() >= 0.0 and x.max() <= 1.0
    from sklearn.datasets import load_digits

    source = load_digits()
    counts = np.bincount(source.target)
    np.testing.assert_array_equal(np.bincount(dataset.y_val), np.round(0.2 * counts))
    np.testing.assert_array_equal(np.bincount(dataset.y_test), np.round(0.1 * counts))
    # Every source image is used exactly once, with its label.
    ours = np.concatenate([np.hstack([x * 16, y[:, None]]) for x, y in parts])
    theirs = np.hstack([source.data, source.target[:, None]])
    np.testing.assert_array_equal(ours[np.lexsort(ours.T)], theirs[np.lexsort(theirs.T)])


def test_digits_with_no_validation_or_test_part():
    dataset = data.digits(seed=0, val_fraction=0.0, test_fraction=0.0)
    assert dataset.x.shape == (1797, 64) and dataset.x_val.shape == (0, 64) and dataset.y_test.shape == (0,)


# --- train/validation split -------------------------------------------------------------------------
def test_train_val_split_keeps_rows_together_and_sizes():
    x = np.arange(30.0).reshape(10, 3)
    split = data.train_val_split(x, np.arange(10), val_fraction=0.3, seed=0)
    assert split.x.shape == (7, 3) and split.x_val.shape == (3, 3)
    assert split.y.dtype == np.int64 and split.x.dtype == np.float32
    np.testing.assert_array_equal(split.x[:, 0], split.y * 3)  # row i of x starts with 3 i
    assert sorted(np.concatenate([split.y, split.y_val]).tolist()) == list(range(10))


def test_train_val_split_float_targets_become_float32():
    split = data.train_val_split(np.ones((4, 1)), np.ones((4, 1), dtype=np.float64), 0.5)
    assert split.y.dtype == np.float32 and split.y_val.shape == (2, 1)


# --- error messages -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: data.sparse_regression(n_samples=0),
            ValueError,
            "argument n_samples: expected an integer >= 1. Received: n_samples=0",
        ),
        (
            lambda: data.sparse_regression(n_features=3, n_informative=4),
            ValueError,
            "expected an integer between 1 and n_features=3. Received: n_informative=4",
        ),
        (
            lambda: data.sparse_regression(noise=-0.1),
            ValueError,
            "argument noise: expected a non-negative finite float. Received: noise=-0.1",
        ),
        (lambda: data.overfitting_regression(degree=2.5), TypeError, "Received: degree=2.5"),
        (
            lambda: data.offset_regression(intercept=float("inf")),
            ValueError,
            "argument intercept: expected a finite float. Received: intercept=inf",
        ),
        (lambda: data.offset_regression(seed=-1), ValueError, "argument seed: expected an integer >= 0"),
        (
            lambda: data.digits(val_fraction=1.0),
            ValueError,
            r"argument val_fraction: expected a fraction in [0, 1). Received: val_fraction=1.0",
        ),
        (lambda: data.digits(test_fraction=-0.1), ValueError, "Received: test_fraction=-0.1"),
        (lambda: data.digits(val_fraction=0.5, test_fraction=0.5), ValueError, "expected a sum below 1"),
        (
            lambda: data.train_val_split(np.ones((5, 2)), np.ones(5), 0.0),
            ValueError,
            "argument val_fraction: expected a fraction in (0, 1). Received: val_fraction=0.0",
        ),
        (
            lambda: data.train_val_split(np.ones((5, 2)), np.ones(5), 0.05),
            ValueError,
            "leaves at least one row on each side of 5",
        ),
        (
            lambda: data.train_val_split(np.ones((5, 2)), np.ones(4), 0.2),
            ValueError,
            r"x has shape (5, 2) but y has shape (4,)",
        ),
        (
            lambda: data.train_val_split(np.ones((0, 2)), np.ones(0), 0.2),
            ValueError,
            "argument x: expected a non-empty array",
        ),
        (
            lambda: data.train_val_split(np.ones((4, 2)), ["a"] * 4, 0.5),
            TypeError,
            "argument y: expected a numeric array",
        ),
    ],
)
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)
