"""reglab.training.reuse: a second identical run reuses the compiled program, and only then.

Each test trains one model twice and checks, against a model trained the same way with the kept
program dropped in between (``reuse.forget()``), that the numbers are the same bit for bit, and
whether the second run got the first one's program.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab.training import reuse, sweep, train

N, FEATURES = 40, 4


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x @ rng.normal(size=(FEATURES, 1))).astype("float32")
    return x, y


def build(seed=0, factor=1e-2):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(8, activation="tanh", name="hidden",
                           kernel_regularizer=keras.regularizers.L2(factor)),
        keras.layers.Dense(1, name="out"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


def run(model, x, y, **kwargs):
    kwargs.setdefault("jit_compile", False)
    return train(model, x, y, epochs=2, batch_size=16, progress=False, **kwargs)


def program():
    return reuse._kept[1] if reuse._kept is not None else None


@pytest.mark.parametrize("jit_compile", [False, True])
def test_a_second_run_on_the_same_model_reuses_the_program_with_the_same_numbers(data, jit_compile):
    x, y = data
    reused, fresh = build(), build()
    run(reused, x, y, jit_compile=jit_compile)
    first = program()
    again = run(reused, x, y, jit_compile=jit_compile)
    assert program() is first

    run(fresh, x, y, jit_compile=jit_compile)
    reuse.forget()
    expected = run(fresh, x, y, jit_compile=jit_compile)
    assert program() is not first
    assert again.history == expected.history
    for a, b in zip(reused.get_weights(), fresh.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_new_data_of_the_same_shape_is_trained_on_and_not_kept(data):
    x, y = data
    reused, fresh = build(), build()
    run(reused, x, y)
    first = program()
    again = run(reused, 2 * x, y)
    assert program() is first and first._x is None and first._validation is None

    run(fresh, x, y)
    reuse.forget()
    assert again.history == run(fresh, 2 * x, y).history


def test_a_changed_penalty_factor_gets_a_program_that_applies_it(data):
    # The factor is a constant of the traced graph: reusing the program would apply the old one.
    x, y = data
    changed, fresh = build(factor=1e-2), build(factor=1e-2)
    before = run(changed, x, y)
    first = program()
    changed.get_layer("hidden").kernel.regularizer = keras.regularizers.L2(1.0)  # what Keras reads
    after = run(changed, x, y)
    assert program() is not first
    assert after.history["penalty"][0] > 50 * before.history["penalty"][-1]

    run(fresh, x, y)
    fresh.get_layer("hidden").kernel.regularizer = keras.regularizers.L2(1.0)
    reuse.forget()
    assert after.history == run(fresh, x, y).history


@pytest.mark.parametrize("change", ["freeze a layer", "other batch shape", "validation data",
                                    "another optimizer", "beta_1", "XLA"])
def test_what_changes_the_program_builds_a_new_one(data, change):
    x, y = data
    model = build()
    run(model, x, y)
    first = program()
    kwargs = {}
    if change == "freeze a layer":
        model.get_layer("hidden").trainable = False
    elif change == "other batch shape":
        x, y = x[:30], y[:30]
    elif change == "validation data":
        kwargs["validation_data"] = (x[:8], y[:8])
    elif change == "another optimizer":
        kwargs["optimizer"] = "sgd"
    elif change == "beta_1":
        model.optimizer.beta_1 = 0.5
    elif change == "XLA":
        kwargs["jit_compile"] = True
    before = model.get_layer("hidden").kernel.numpy().copy()
    run(model, x, y, **kwargs)
    assert program() is not first
    if change == "freeze a layer":
        np.testing.assert_array_equal(model.get_layer("hidden").kernel.numpy(), before)


def test_what_python_reads_does_not_rebuild_the_program(data):
    x, y = data
    model = build()
    run(model, x, y)
    first = program()
    history = run(model, x, y, seed=3, shuffle=False, sparsity_tolerance=0.5)
    assert program() is first
    assert history.params["sparsity_tolerance"] == 0.5


def test_a_stacked_sweep_is_never_kept(data):
    x, y = data
    model = build()
    run(model, x, y)
    first = program()
    table = sweep({f: build(factor=f) for f in (0.0, 0.1)}, x, y, epochs=1, batch_size=16,
                  progress=False, jit_compile=False)
    assert table.attrs["params"]["engine"] == "vectorized"
    assert program() is first
