"""Tests for reglab.dense: the numpy dense layer against keras.layers.Dense, and the penalty
terms and training objective against what the installed Keras itself computes (where Keras
releases differ, as :mod:`reglab.compat` reports; tests/test_compat.py checks the probes).

Tolerances: Keras computes in float32 and reglab's numpy reference in float64, so the float32
rounding of Keras sets the bar: ``rtol=1e-5`` (a few float32 ulps, ~6e-8 each, accumulated over a
short dot product), plus ``atol=1e-6`` where an output can sit near zero after cancellation and a
relative error means nothing.
"""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from objective_fixtures import ATOL, RTOL, _data, _regularized_model, _seed  # noqa: F401  (fixture)

from reglab.dense import forward

# --- forward -----------------------------------------------------------------------------------


@settings(max_examples=20, deadline=None)
@given(
    batch=st.integers(1, 5),
    n_in=st.integers(1, 6),
    units=st.integers(1, 6),
    activation=st.sampled_from([None, "linear", "relu", "sigmoid", "tanh"]),
    use_bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_forward_equals_keras_dense(batch, n_in, units, activation, use_bias, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, n_in)).astype("float32")
    layer = keras.layers.Dense(units, activation=activation, use_bias=use_bias)
    layer.build((None, n_in))
    weights = [rng.normal(size=(n_in, units)).astype("float32")]
    if use_bias:
        weights.append(rng.normal(size=units).astype("float32"))
    layer.set_weights(weights)
    expected = keras.ops.convert_to_numpy(layer(x))
    got = forward(x, *weights, activation=activation)
    assert got.shape == expected.shape == (batch, units)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_forward_worked_example():
    x = [[1.0, 2.0], [0.0, -1.0]]
    kernel = [[1.0, 0.0, 2.0], [1.0, -1.0, 0.0]]
    np.testing.assert_array_equal(forward(x, kernel, [0.5, 0.0, -1.0]), [[3.5, -2, 1], [-0.5, 1, -1]])


def test_forward_acts_on_the_last_axis_like_keras():
    x = np.arange(12.0).reshape(2, 3, 2)
    kernel = np.ones((2, 4))
    assert forward(x, kernel).shape == (2, 3, 4)


def test_forward_sigmoid_is_stable_for_large_inputs():
    with np.errstate(all="raise"):
        y = forward([[1000.0, -1000.0]], np.eye(2), activation="sigmoid")
    np.testing.assert_array_equal(y, [[1.0, 0.0]])


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (
            ([[1.0, 2.0, 3.0]], [1.0, 2.0, 3.0]),
            {},
            ValueError,
            "Invalid value for argument kernel: expected a 2-D array of shape (in, units). "
            "Received: kernel.shape=(3,)",
        ),
        (
            (np.ones((2, 3)), np.ones((4, 5))),
            {},
            ValueError,
            "Shape mismatch: x has shape (2, 3) but kernel has shape (4, 5); "
            "expected x.shape[-1] == kernel.shape[0] (the layer's input size).",
        ),
        (
            (np.ones((2, 3)), np.ones((3, 5)), np.ones(3)),
            {},
            ValueError,
            "Shape mismatch: bias has shape (3,) but kernel has shape (3, 5); "
            "expected bias.shape == (5,) (one per unit).",
        ),
        (
            (5.0, np.ones((1, 1))),
            {},
            ValueError,
            "Invalid value for argument x: expected an array of shape (batch, in). "
            "Received: x.shape=()",
        ),
        (
            (np.ones((1, 2)), np.ones((2, 2))),
            {"activation": "softmax"},
            ValueError,
            "Invalid value for argument activation: expected one of 'linear', 'relu', "
            "'sigmoid', 'tanh' or None. Received: activation='softmax'",
        ),
        (
            (np.ones((1, 2)), np.ones((2, 2))),
            {"activation": np.tanh},
            ValueError,
            "Invalid value for argument activation: expected one of 'linear'",
        ),
        (
            ([[np.nan, 1.0]], np.ones((2, 2))),
            {},
            ValueError,
            "Invalid value for argument x: expected finite values (no NaN or infinity).",
        ),
        (
            ([["a", "b"]], np.ones((2, 2))),
            {},
            TypeError,
            "Invalid value for argument x: expected a numeric array.",
        ),
    ],
)
def test_forward_errors_name_the_argument(args, kwargs, error, message):
    with pytest.raises(error, match=re.escape(message)):
        forward(*args, **kwargs)


# --- the objective's float view, re-exported under notebook 01's names -------------------------
def test_penalty_terms_and_training_objective_are_the_objective_modules():
    from reglab import dense, objective

    assert dense.penalty_terms is objective.penalty_values
    assert dense.training_objective is objective.training_objective
    assert dense.PenaltyTerm is objective.PenaltyTerm and dense.Objective is objective.Objective

