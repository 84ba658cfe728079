"""The regularized model, data and tolerances shared by tests/test_dense.py and
tests/test_objective_values.py (the float view of reglab.objective and its reglab.dense aliases)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

RTOL = 1e-5  # float32 (Keras) against float64 (numpy)
ATOL = 1e-6  # outputs near zero


@pytest.fixture(autouse=True)
def _seed():
    keras.utils.set_random_seed(0)


def _regularized_model() -> keras.Model:
    """A 3 -> 4 (relu) -> 1 model with every kind of regularizer on the hidden layer."""
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(
                4,
                activation="relu",
                bias_initializer="ones",
                kernel_regularizer=keras.regularizers.L2(0.1),
                bias_regularizer=keras.regularizers.L1(0.2),
                activity_regularizer=keras.regularizers.L1(0.05),
                name="hidden",
            ),
            keras.layers.Dense(1, kernel_regularizer=keras.regularizers.L1(0.01), name="out"),
            keras.layers.Dense(1, name="plain"),
        ]
    )


def _data(n: int = 8):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 3)).astype("float32"), rng.normal(size=(n, 1)).astype("float32")
