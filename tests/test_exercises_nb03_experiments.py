"""Tests for the open-ended checks of notebook 03 (reglab/exercises/nb03.py, 03.4 and 03.5).

The right answers are computed here the way a reader would (finite differences of the Keras
regularizers; a tf.GradientTape loop on nb03.tape_model()), independently of the checks (numpy
penalties and reglab.updates), so a test fails if either side drifts.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab.exercises import check, nb03


def _finite_differences(regularizer, w, h, kind="central"):
    grad = np.zeros_like(w)
    value = lambda v: float(regularizer(v.astype("float32")))  # noqa: E731
    for j in range(w.size):
        step = np.zeros_like(w)
        step[j] = h
        if kind == "central":
            grad[j] = (value(w + step) - value(w - step)) / (2 * h)
        else:  # forward
            grad[j] = (value(w + step) - value(w)) / h
    return grad


def _fd_answer(kind="central"):
    return [_finite_differences(keras.regularizers.L2(nb03.FD_LAMBDA), nb03.FD_W, nb03.FD_H, kind),
            _finite_differences(keras.regularizers.L1(nb03.FD_LAMBDA), nb03.FD_W, nb03.FD_H, kind)]


def _kernel_norm_after(add_penalty: bool) -> float:
    model = nb03.tape_model()
    optimizer = keras.optimizers.SGD(nb03.TAPE_LR)
    for _ in range(nb03.TAPE_STEPS):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean((model(nb03.TAPE_X, training=True) - nb03.TAPE_Y) ** 2)
            if add_penalty:
                loss = loss + keras.ops.sum(model.losses)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    return float(np.linalg.norm(model.layers[-1].kernel.numpy()))


@pytest.fixture(scope="module")
def tape_ratio():
    return _kernel_norm_after(False) / _kernel_norm_after(True)


def test_the_kink_is_at_zero_and_lambda_is_keras_default_scale():
    assert 0.0 in nb03.FD_W and np.min(np.abs(nb03.FD_W[nb03.FD_W != 0])) > 10 * nb03.FD_H


def test_central_differences_of_the_keras_regularizers_are_accepted(capsys):
    assert_accepted("03.4", _fd_answer(), capsys)
    assert_accepted("03.4", np.array(_fd_answer()), capsys)  # a (2, 5) array


def test_the_exact_gradients_pass_too(capsys):
    w, lam = nb03.FD_W, nb03.FD_LAMBDA
    assert_accepted("03.4", [2 * lam * w, lam * np.sign(w)], capsys)


def test_forward_differences_fail_at_the_kink_with_its_explanation(capsys):
    assert_rejected_with_hint("03.4", _fd_answer("forward"), capsys)
    check("03.4", _fd_answer("forward"))
    out = capsys.readouterr().out
    assert "kink" in out and "subgradient" in out


@pytest.mark.parametrize("answer", [[1.0, 2.0], [nb03.FD_W, nb03.FD_W], [2 * nb03.FD_W, np.sign(nb03.FD_W)]])
def test_wrong_gradients_get_a_hint(answer, capsys):
    assert_rejected_with_hint("03.4", answer, capsys)


def test_the_ratio_of_a_reader_tape_loop_is_accepted(tape_ratio, capsys):
    assert tape_ratio > 1.05  # forgetting the penalty leaves a visibly larger kernel
    assert_accepted("03.5", tape_ratio, capsys)
    assert_accepted("03.5", np.float32(tape_ratio), capsys)


def test_a_ratio_of_one_or_inverted_gets_its_own_hint(tape_ratio, capsys):
    check("03.5", 1.0)
    assert "same kernel" in capsys.readouterr().out
    check("03.5", 1 / tape_ratio)
    assert "other way round" in capsys.readouterr().out
    assert_rejected_with_hint("03.5", tape_ratio * 1.01, capsys)


def test_the_model_starts_at_zero_and_carries_the_penalty():
    model = nb03.tape_model()
    model(nb03.TAPE_X)
    assert np.all(model.layers[-1].kernel.numpy() == 0) and len(model.losses) == 1
