"""reglab.training.step: a non-finite loss part, gradient or update is caught before it is kept.

Every case checks the four promises: the error names the epoch, the step and what went bad (the
loss part, or the variable whose gradient or update it is); the weights keep their values from
before the bad step, bit for bit; the history of the finished epochs comes back with the error;
and one step per epoch (full batch) is no different.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab.training import NonFiniteLossError, sweep, train

N, FEATURES = 24, 3


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    return x, x.sum(axis=1, keepdims=True).astype("float32")


class EuclideanNorm(keras.regularizers.Regularizer):
    """``factor · ‖w‖₂``: finite everywhere, its gradient ``w / ‖w‖₂`` is NaN at w = 0."""

    def __init__(self, factor=0.1):
        self.factor = factor

    def __call__(self, w):
        return self.factor * keras.ops.sqrt(keras.ops.sum(keras.ops.square(w)))


def build(kernel_regularizer=None, initializer="glorot_uniform"):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(4, activation="tanh", name="hidden"),
        keras.layers.Dense(1, name="out", kernel_initializer=initializer,
                           kernel_regularizer=kernel_regularizer),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


@pytest.mark.parametrize("jit_compile", [False, True])
@pytest.mark.parametrize(("batch_size", "steps"), [(8, 3), (N, 1)], ids=["batches", "full-batch"])
def test_a_nan_gradient_with_a_finite_loss_is_not_applied(data, jit_compile, batch_size, steps):
    x, y = data
    model = build(EuclideanNorm(), initializer="zeros")  # ‖w‖₂ at w = 0
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(NonFiniteLossError, match=rf"epoch 1, step 1 of {steps}: the gradient of "
                       r"variable 'out/kernel' is nan") as caught:
        train(model, x, y, epochs=2, batch_size=batch_size, validation_data=(x[:4], y[:4]),
              progress=False, jit_compile=jit_compile)
    error = caught.value
    assert error.epoch == 1 and error.step == 1 and error.variable == "out/kernel"
    assert error.history is not None and error.history.epochs_done == 0
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


class GatedNorm(keras.regularizers.Regularizer):
    """``‖w·gate‖₂`` with gate = 1, then 0 from the ``at``-th call: from then on the penalty is 0
    (finite) and its gradient NaN."""

    def __init__(self, at):
        self.at = at
        self.calls = keras.Variable(0, dtype="int32", trainable=False)

    def __call__(self, w):
        self.calls.assign_add(1)
        gate = keras.ops.cast(self.calls < self.at, w.dtype)
        return 0.01 * keras.ops.sqrt(keras.ops.sum(keras.ops.square(w * gate)))


def test_a_bad_gradient_at_a_later_epoch_keeps_the_finished_epochs_and_the_weights(data):
    x, y = data
    model = build(GatedNorm(at=5))  # the 5th step: epoch 2, step 2 (3 steps per epoch)
    seen = []
    with pytest.raises(NonFiniteLossError, match=r"epoch 2, step 2 of 3: the gradient") as caught:
        train(model, x, y, epochs=3, batch_size=8, progress=False, jit_compile=False,
              on_epoch_end=lambda epoch, row: seen.append([w.copy() for w in model.get_weights()]))
    assert caught.value.history.epochs_done == 1
    assert all(np.isfinite(w).all() for w in model.get_weights())
    assert not all(np.array_equal(a, b) for a, b in zip(model.get_weights(), seen[0], strict=True))


def test_an_update_that_overflows_is_undone_and_names_the_variable():
    keras.utils.set_random_seed(0)
    x = np.full((8, 1), 1e15, dtype="float32")  # loss ~1e30 and gradient ~1e30: both finite
    y = np.zeros((8, 1), dtype="float32")
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, name="linear",
                                                                    kernel_initializer="ones")])
    model.compile(optimizer=keras.optimizers.SGD(1e10), loss="mse")  # w - 1e10·1e30 = -inf
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, step 1 of 1: the update of variable "
                       r"'linear/kernel' is -?inf") as caught:
        train(model, x, y, epochs=1, batch_size=8, progress=False, jit_compile=False)
    assert caught.value.variable == "linear/kernel"
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("vectorize", [True, False])
def test_a_sweep_names_the_variant_whose_gradient_went_bad(data, vectorize):
    x, y = data
    models = {"fine": build(initializer="zeros"), "bad": build(EuclideanNorm(), initializer="zeros")}
    before = [w.copy() for m in models.values() for w in m.get_weights()]
    with pytest.raises(NonFiniteLossError, match=r"in variant 'bad': the gradient of variable "
                       r"'out/kernel' is nan") as caught:
        sweep(models, x, y, epochs=1, batch_size=8, vectorize=vectorize, progress=False,
              jit_compile=False, optimizer=keras.optimizers.SGD(0.05), loss="mse")
    assert caught.value.table.empty
    after = [w for m in models.values() for w in m.get_weights()]
    for a, b in zip(after, before, strict=True):
        np.testing.assert_array_equal(a, b)


class InfiniteSlope(keras.regularizers.Regularizer):
    """A penalty that is 0 everywhere with a gradient of +inf everywhere."""

    def __call__(self, w):
        import tensorflow as tf

        @tf.custom_gradient
        def flat(w):
            return tf.zeros_like(w), lambda upstream: upstream * float("inf")

        return keras.ops.sum(flat(w))


def assert_first_step_refused(model, data, value, *, jit_compile):
    """One epoch of 3 steps: the first step's gradient of out/kernel (``value``: "nan", "inf") is
    refused with an error naming it, and the weights keep their values bit for bit."""
    x, y = data
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, step 1 of 3: the gradient of variable "
                       rf"'out/kernel' is {value}"):
        train(model, x, y, epochs=1, batch_size=8, progress=False, jit_compile=jit_compile)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("jit_compile", [False, True])
def test_an_infinite_gradient_that_clipvalue_would_make_finite_is_still_refused(data, jit_compile):
    # clipvalue turns the infinite gradient into 1.0, so nothing non-finite would reach the
    # weights or the optimizer: the quick path has to check the gradients itself.
    model = build(InfiniteSlope())
    model.compile(optimizer=keras.optimizers.SGD(0.05, clipvalue=1.0), loss="mse")
    assert_first_step_refused(model, data, "inf", jit_compile=jit_compile)


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "rmsprop", "adagrad", "lion"])
def test_a_nan_gradient_is_refused_whatever_keras_optimizer_applies_it(data, optimizer):
    # The quick path leaves the gradients to the epoch's check of weights and optimizer state.
    model = build(EuclideanNorm(), initializer="zeros")
    model.compile(optimizer=optimizer, loss="mse")
    assert_first_step_refused(model, data, "nan", jit_compile=False)


def test_which_optimizers_leave_a_trace_of_a_bad_gradient():
    from reglab.training.step import gradients_leave_a_trace

    class Custom(keras.optimizers.SGD):
        pass

    assert gradients_leave_a_trace(keras.optimizers.Adam())
    assert gradients_leave_a_trace(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam()))
    assert not gradients_leave_a_trace(keras.optimizers.Adam(clipvalue=0.5))
    assert not gradients_leave_a_trace(Custom())
