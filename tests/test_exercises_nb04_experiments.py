"""Tests for the open-ended exercise 04.4 of notebooks/04-weight-regularization.ipynb: a proximal
L1 step after every training step gives an MLP exact zeros.

The check takes the reader's trained model (or its kernels) and counts the exact zeros itself, so
the tests hand it models whose zeros are known: soft-thresholded here by hand, or trained with the
proximal hook the exercise asks for.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab import data, metrics, models, training, updates
from reglab.exercises import check, nb04, registered


def _thresholded(threshold: float) -> keras.Model:
    """A small MLP whose kernels were soft-thresholded once by ``threshold``."""
    model = models.mlp(3, hidden=(8,), seed=0)
    for layer in model.layers:
        if hasattr(layer, "kernel"):
            kernel = keras.ops.convert_to_numpy(layer.kernel)
            layer.kernel.assign(updates.soft_threshold(kernel, threshold).astype("float32"))
    return model


def test_04_4_is_registered():
    assert "04.4" in registered()


def test_a_model_with_many_exact_zeros_is_accepted(capsys):
    model = _thresholded(0.3)
    share = metrics.exact_zeros(metrics.kernel_weights(model)) / metrics.kernel_weights(model).size
    assert nb04.MIN_EXACT_ZEROS <= share < 1  # Glorot weights of this layer reach about 0.7
    assert_accepted("04.4", model, capsys)


def test_kernels_given_as_a_list_are_counted_too(capsys):
    kernels = [np.array([[0.0, 0.5], [0.0, -0.2]]), np.array([0.0, 0.0, 1.0])]  # 4 of 7 zeros
    assert_accepted("04.4", kernels, capsys)


@pytest.mark.parametrize(
    ("answer", "hint"),
    [
        (models.mlp(3, hidden=(8,), seed=0), "No kernel weight is exactly 0"),  # plain Glorot weights
        (_thresholded(10.0), "predicts a constant"),  # every weight thresholded away
        ([np.array([np.nan, 0.0])], "NaN"),
        ("my model", "keras.Model"),
    ],
)
def test_models_without_exact_zeros_or_all_zeros_are_rejected_with_a_hint(answer, hint, capsys):
    assert bool(check("04.4", answer)) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ 04.4: not yet.") and hint in out


def test_the_hint_for_no_zeros_names_the_soft_threshold(capsys):
    check("04.4", models.mlp(3, hidden=(8,), seed=0))
    assert "soft_threshold" in capsys.readouterr().out


def test_the_exercise_as_posed_passes_and_plain_l1_does_not(capsys):
    """The notebook's solution, on a smaller network: SGD on the data loss, soft threshold after
    every (full-batch) step. The same steps with an L1 regularizer instead leave no exact zero."""
    curve = data.overfitting_regression(seed=0)
    lr, lam = 0.05, 1e-2
    settings = dict(epochs=20, batch_size=len(curve.x), loss="mse", seed=0, jit_compile=False)
    prox = models.mlp(curve.degree, hidden=(16, 16), seed=0)

    def hook(epoch, row):
        for layer in prox.layers:
            if hasattr(layer, "kernel"):
                kernel = keras.ops.convert_to_numpy(layer.kernel)
                layer.kernel.assign(updates.soft_threshold(kernel, lr * lam).astype("float32"))

    training.train(prox, curve.x, curve.y, optimizer=keras.optimizers.SGD(lr), on_epoch_end=hook, **settings)
    assert_accepted("04.4", prox, capsys)
    plain = models.mlp(curve.degree, hidden=(16, 16), kernel_regularizer=keras.regularizers.L1(lam), seed=0)
    training.train(plain, curve.x, curve.y, optimizer=keras.optimizers.SGD(lr), **settings)
    assert metrics.exact_zeros(metrics.kernel_weights(plain)) == 0
    assert_rejected_with_hint("04.4", plain, capsys)
