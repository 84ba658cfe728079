"""reglab.objective: every term of model.losses, named, in float32, against numpy references.

Tolerance: float32 arithmetic on a few dozen numbers, ``rtol=1e-5``.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reglab.compat import activity_scale
from reglab.objective import data_loss, loss_parts, penalty_terms, term_labels
from reglab.precision import computing_in

X = np.random.default_rng(1).normal(size=(6, 3)).astype("float32")
Y = np.random.default_rng(2).normal(size=(6, 2)).astype("float32")


def model_with_everything(kernel=0.1, bias=0.2, activity=0.3):
    keras.utils.set_random_seed(0)
    inner_dense = keras.layers.Dense(2, name="inner_dense",
                                     kernel_regularizer=keras.regularizers.L1(kernel))
    inner = keras.Sequential([keras.Input((4,)), inner_dense], name="inner")
    frozen = keras.layers.Dense(4, name="frozen", kernel_regularizer=keras.regularizers.L2(1.0))
    frozen.trainable = False
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(
                4, name="first", bias_initializer="ones",
                kernel_regularizer=keras.regularizers.L2(kernel),
                bias_regularizer=keras.regularizers.L1(bias),
                activity_regularizer=keras.regularizers.L2(activity),
            ),
            frozen,
            inner,
        ]
    )


@settings(max_examples=10, deadline=None)
@given(st.floats(0, 10), st.floats(0, 10), st.floats(0, 10))
def test_terms_sum_to_keras_model_losses(kernel, bias, activity):
    model = model_with_everything(kernel, bias, activity)
    model(X, training=True)
    terms = penalty_terms(model)
    expected = float(keras.ops.sum(keras.ops.stack(model.losses)))
    np.testing.assert_allclose(float(sum(terms.values())), expected, rtol=1e-5, atol=1e-6)


def test_terms_are_named_by_layer_and_kind_and_frozen_layers_add_none():
    model = model_with_everything()
    model(X)
    labels = term_labels(model)
    names = [labels[key] for key in penalty_terms(model)]
    assert names == ["first/kernel", "first/bias", "first/activity", "inner_dense/kernel"]


def test_each_term_matches_its_numpy_formula():
    model = model_with_everything(kernel=0.1, bias=0.2, activity=0.3)
    first = model.get_layer("first")
    parts = loss_parts(model, X, Y, "mse", training=False)
    kernel, bias = first.kernel.numpy(), first.bias.numpy()
    activations = X @ kernel + bias
    np.testing.assert_allclose(parts["penalty/first/kernel"], 0.1 * np.sum(kernel**2), rtol=1e-5)
    np.testing.assert_allclose(parts["penalty/first/bias"], 0.2 * np.sum(np.abs(bias)), rtol=1e-5)
    # Keras 3.14 and later divide an activity penalty by the batch size, 3.0 to 3.13 do not
    # (tests/test_compat.py checks the probe against both conventions).
    np.testing.assert_allclose(parts["penalty/first/activity"],
                               0.3 * np.sum(activations**2) * activity_scale(len(X)), rtol=1e-5)
    prediction = model(X).numpy()
    np.testing.assert_allclose(parts["data_loss"], np.mean((Y - prediction) ** 2), rtol=1e-5)
    np.testing.assert_allclose(parts["total"], sum(float(v) for k, v in parts.items() if k != "total"),
                               rtol=1e-6)


def test_under_mixed_float16_every_part_is_float32_and_large_activity_does_not_overflow():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
        64, name="wide", kernel_initializer="ones", activity_regularizer=keras.regularizers.L2(1.0))])
    big = np.full((2, 3), 100.0, dtype="float32")  # activations 300, Σ a² = 64 · 9e4 per sample
    with computing_in(model, "mixed_float16"):
        assert model(big).dtype == "float16"
        keras_terms = model.losses  # what Keras itself computed: float16, overflowed
        parts = loss_parts(model, big, np.zeros((2, 64)), "mse")
    assert keras_terms[0].dtype == "float32"  # reglab's float32 wrapper was active
    assert all(value.dtype == "float32" for value in parts.values())
    # 64 · 300² per sample, summed over the 2 samples, divided by 2 where Keras divides
    np.testing.assert_allclose(parts["penalty/wide/activity"], 2 * 64 * 300.0**2 * activity_scale(2),
                               rtol=1e-3)


def test_keras_alone_computes_that_activity_penalty_in_float16_and_overflows():
    keras.utils.set_random_seed(0)
    layer = keras.layers.Dense(64, kernel_initializer="ones", dtype="mixed_float16",
                               activity_regularizer=keras.regularizers.L2(1.0))
    model = keras.Sequential([keras.Input((3,)), layer])
    model(np.full((2, 3), 100.0, dtype="float32"))
    assert model.losses[0].dtype == "float16" and not np.isfinite(float(model.losses[0]))


@pytest.mark.parametrize("loss", ["mse", keras.losses.MeanSquaredError(), lambda t, p: (t - p) ** 2])
def test_data_loss_is_a_float32_mean_whatever_the_loss_returns(loss):
    value = data_loss(keras.losses.get(loss) if isinstance(loss, str) else loss,
                      np.zeros((2, 1), "float32"), np.array([[1.0], [3.0]], "float16"))
    assert value.dtype == "float32" and float(value) == 5.0
