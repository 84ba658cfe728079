"""reglab.precision: a float32 model computes in float16 for one run and comes back unchanged."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab.precision import InFloat32, compute_dtype, computing_in, with_loss_scaling


def small(dtype=None):
    return keras.Sequential([
        keras.Input((2,)),
        keras.layers.Dense(3, activity_regularizer=keras.regularizers.L1(0.1), dtype=dtype),
        keras.layers.Dense(1, dtype=dtype),
    ])


def test_computing_in_switches_compute_dtype_and_restores_everything():
    model = small()
    regularizer = model.layers[0].activity_regularizer
    with computing_in(model, "mixed_float16"):
        assert compute_dtype(model) == "float16"
        assert isinstance(model.layers[0].activity_regularizer, InFloat32)
        assert all(v.dtype == "float32" for v in model.weights)
    assert compute_dtype(model) == "float32"
    assert model.layers[0].activity_regularizer is regularizer
    assert model(np.ones((1, 2))).dtype == "float32"


def test_computing_in_restores_after_an_error():
    model = small()
    with pytest.raises(RuntimeError), computing_in(model, "mixed_float16"):
        raise RuntimeError
    assert compute_dtype(model) == "float32"


def test_a_model_built_in_mixed_precision_keeps_its_policy():
    model = small(dtype="mixed_bfloat16")
    with computing_in(model, "float32"):
        assert compute_dtype(model) == "bfloat16"
    assert compute_dtype(model) == "bfloat16"


def test_loss_scaling_only_for_float16():
    optimizer = keras.optimizers.SGD()
    assert with_loss_scaling(optimizer, small()) is optimizer
    assert with_loss_scaling(optimizer, small(dtype="mixed_bfloat16")) is optimizer
    scaled = with_loss_scaling(optimizer, small(dtype="mixed_float16"))
    assert isinstance(scaled, keras.optimizers.LossScaleOptimizer)
    assert scaled.inner_optimizer is optimizer
    assert with_loss_scaling(scaled, small(dtype="mixed_float16")) is scaled
