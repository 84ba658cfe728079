"""reglab.training.arguments: every argument of train and sweep checked up front.

One table per function gives every argument at least one bad value (a test checks that the table
covers the signature); each must be refused with ``Invalid value for argument <name>`` before
anything is built, traced or written: the model's weights and the working directory stay as they
were.
"""

from __future__ import annotations

import inspect
import os

import keras
import numpy as np
import pytest

from reglab.training import sweep, train

N, FEATURES, CLASSES = 12, 3, 4


def regression(seed=0, hidden=4):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(hidden, name="hidden"),
                              keras.layers.Dense(1, name="out")])
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    return model


def classifier(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(CLASSES, name="logits")])
    model.compile(optimizer=keras.optimizers.SGD(0.01),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


X = np.random.default_rng(0).normal(size=(N, FEATURES)).astype("float32")
Y = X.sum(axis=1, keepdims=True).astype("float32")
LABELS = np.arange(N) % CLASSES


def a_file(tmp_path):
    path = tmp_path / "a-file"
    path.write_text("not a directory")
    return path


# (argument, bad value or a function of tmp_path, error type, model kind)
TRAIN_CASES = [
    ("model", "not a model", TypeError, "regression"),
    ("model", keras.Sequential([keras.layers.Dense(1)]), ValueError, "regression"),
    ("x", np.zeros((N, FEATURES + 1)), ValueError, "regression"),
    ("x", np.zeros((0, FEATURES)), ValueError, "regression"),
    ("x", np.full((N, FEATURES), 1e39), ValueError, "regression"),
    ("y", np.zeros((N, 5)), ValueError, "regression"),
    ("y", np.zeros(N - 1), ValueError, "regression"),
    ("y", np.full(N, 2**40, dtype=np.uint64), ValueError, "classifier"),
    ("y", LABELS + CLASSES, ValueError, "classifier"),
    ("y", LABELS - 1, ValueError, "classifier"),
    ("y", LABELS + 0.5, ValueError, "classifier"),
    ("epochs", 0, ValueError, "regression"),
    ("epochs", 1.0, TypeError, "regression"),
    ("batch_size", 0, ValueError, "regression"),
    ("batch_size", True, TypeError, "regression"),
    ("loss", "no-such-loss", ValueError, "regression"),
    ("loss", 3, TypeError, "regression"),
    ("loss", ["mse", "mae"], ValueError, "regression"),
    ("optimizer", "no-such-optimizer", ValueError, "regression"),
    ("optimizer", 3, TypeError, "regression"),
    ("validation_data", np.zeros(3), TypeError, "regression"),
    ("validation_data", (np.zeros((3, FEATURES)), np.zeros((3, 2))), ValueError, "regression"),
    ("validation_data", (np.zeros((4, FEATURES)), np.full(4, CLASSES)), ValueError, "classifier"),
    ("shuffle", "no", TypeError, "regression"),
    ("shuffle", 1, TypeError, "regression"),
    ("seed", -1, ValueError, "regression"),
    ("seed", "0", TypeError, "regression"),
    ("strategy", "mirrored", TypeError, "regression"),
    ("mixed_precision", "half", ValueError, "regression"),
    ("mixed_precision", 1, ValueError, "regression"),
    ("jit_compile", "yes", ValueError, "regression"),
    ("jit_compile", 1, ValueError, "regression"),
    ("checkpoint_dir", "", ValueError, "regression"),
    ("checkpoint_dir", 3, TypeError, "regression"),
    ("checkpoint_dir", a_file, ValueError, "regression"),
    ("progress", "yes", TypeError, "regression"),
    ("on_epoch_end", 3, TypeError, "regression"),
    ("sparsity_tolerance", -0.1, ValueError, "regression"),
    ("sparsity_tolerance", "small", TypeError, "regression"),
]

SWEEP_CASES = [
    ("models", None, TypeError, "regression"),
    ("models", {}, ValueError, "regression"),
    ("models", "same-twice", ValueError, "regression"),
    ("models", "two-architectures", ValueError, "regression"),
    ("x", np.zeros((N, FEATURES + 1)), ValueError, "regression"),
    ("y", np.zeros((N, 5)), ValueError, "regression"),
    ("y", LABELS + CLASSES, ValueError, "classifier"),
    ("epochs", -2, ValueError, "regression"),
    ("batch_size", 2.0, TypeError, "regression"),
    ("loss", 3, TypeError, "regression"),
    ("optimizer", 3, TypeError, "regression"),
    ("validation_data", (np.zeros((3, 2)), np.zeros(3)), ValueError, "regression"),
    ("shuffle", "yes", TypeError, "regression"),
    ("seed", -3, ValueError, "regression"),
    ("same_init", "no", TypeError, "regression"),
    ("vectorize", 1, ValueError, "regression"),
    ("vectorize", "yes", ValueError, "regression"),
    ("strategy", 3, TypeError, "regression"),
    ("mixed_precision", "half", ValueError, "regression"),
    ("jit_compile", "no", ValueError, "regression"),
    ("cache_dir", "", ValueError, "regression"),
    ("cache_dir", a_file, ValueError, "regression"),
    ("progress", 0, TypeError, "regression"),
    ("sparsity_tolerance", float("nan"), ValueError, "regression"),
]


def _value(value, tmp_path):
    return value(tmp_path) if callable(value) and getattr(value, "__name__", "") == "a_file" else value


@pytest.mark.parametrize(("argument", "value", "error", "kind"), TRAIN_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(TRAIN_CASES)])
def test_train_refuses_a_bad_value_of_every_argument_before_anything_runs(
        tmp_path, monkeypatch, argument, value, error, kind):
    monkeypatch.chdir(tmp_path)
    model = regression() if kind == "regression" else classifier()
    before = [w.copy() for w in model.get_weights()]
    arguments = {"model": model, "x": X, "y": Y if kind == "regression" else LABELS,
                 "progress": False, argument: _value(value, tmp_path)}
    with pytest.raises(error, match=rf"Invalid value for argument {argument}\b"):
        train(**arguments)
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert sorted(os.listdir(tmp_path)) in ([], ["a-file"])


@pytest.mark.parametrize(("argument", "value", "error", "kind"), SWEEP_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(SWEEP_CASES)])
def test_sweep_refuses_a_bad_value_of_every_argument_before_anything_runs(
        tmp_path, monkeypatch, argument, value, error, kind):
    monkeypatch.chdir(tmp_path)
    build = regression if kind == "regression" else classifier
    models = {"a": build(seed=1), "b": build(seed=2)}
    before = [w.copy() for m in models.values() for w in m.get_weights()]
    if isinstance(value, str) and value == "same-twice":
        value = [models["a"], models["a"]]
    elif isinstance(value, str) and value == "two-architectures":
        value = [models["a"], regression(hidden=5)]
    arguments = {"models": models, "x": X, "y": Y if kind == "regression" else LABELS,
                 "progress": False, "same_init": argument != "models", argument: _value(value, tmp_path)}
    with pytest.raises(error, match=rf"Invalid value for argument {argument}\b"):
        sweep(**arguments)
    for a, b in zip([w for m in models.values() for w in m.get_weights()], before, strict=True):
        np.testing.assert_array_equal(a, b)  # not even same_init's copy happened
    assert sorted(os.listdir(tmp_path)) in ([], ["a-file"])


@pytest.mark.parametrize(("function", "cases"), [(train, TRAIN_CASES), (sweep, SWEEP_CASES)])
def test_the_tables_give_every_argument_a_bad_value(function, cases):
    assert set(inspect.signature(function).parameters) == {case[0] for case in cases}


def test_a_model_passed_twice_and_different_architectures_name_the_variants():
    model = regression()
    with pytest.raises(ValueError, match=r"variants 0 and 1 are the same model object"):
        sweep([model, model], X, Y, progress=False)
    with pytest.raises(ValueError, match=r"expected variants of one architecture.*variant 1"):
        sweep([regression(), regression(hidden=5)], X, Y, same_init=False, progress=False)


def test_targets_that_fit_are_accepted(tmp_path):
    assert train(regression(), X, Y[:, 0], progress=False, jit_compile=False).epochs_done == 1
    labels = train(classifier(), X, LABELS.astype(np.uint8), progress=False, jit_compile=False)
    assert labels.epochs_done == 1
    assert train(regression(), X, Y, checkpoint_dir=tmp_path / "new" / "run", progress=False,
                 jit_compile=False).epochs_done == 1


@pytest.mark.parametrize(("setting", "shown"), [("0", False), ("off", False), ("1", True), (None, True)])
def test_progress_auto_follows_the_environment(monkeypatch, setting, shown):
    from reglab.training.arguments import AUTO_PROGRESS_DELAY_S, PROGRESS_ENV, RunSettings

    if setting is None:
        monkeypatch.delenv(PROGRESS_ENV, raising=False)
    else:
        monkeypatch.setenv(PROGRESS_ENV, setting)
    run = RunSettings.check(1, 8, True, 0, "auto", 0.0)
    assert (run.progress, run.progress_delay) == (shown, AUTO_PROGRESS_DELAY_S)
    assert RunSettings.check(1, 8, True, 0, True, 0.0).progress_delay == 0.0
