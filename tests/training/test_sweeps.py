"""reglab.sweeps.sweep: K variants in one program give what K separate runs give, as one table.

Tolerance: the sweep compiles K models into one XLA program, which may order float32 sums
differently from K single-model programs, so rows agree to ``rtol=1e-5``.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab.sweeps import sweep
from reglab.training import NonFiniteLossError, train

N, FEATURES = 36, 5


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x[:, :2].sum(axis=1) > 0).astype("int64")
    return x, y


def build(kernel=None, activity=None, *, seed=0, hidden=6):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(hidden, activation="relu", name="hidden",
                           kernel_regularizer=kernel, activity_regularizer=activity),
        keras.layers.Dense(2, name="logits"),
    ])


VARIANTS = {
    "none": {},
    "l2": {"kernel": keras.regularizers.L2(1e-2)},
    "l1": {"kernel": keras.regularizers.L1(1e-2)},
    "activity": {"activity": keras.regularizers.L1(1e-2)},
}
SETTINGS = {"loss": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            "optimizer": keras.optimizers.Adam(0.01), "batch_size": 8, "progress": False,
            "jit_compile": False}
"""The sweep copies SETTINGS' optimizer for each variant; train() gets its own (see below).
XLA is off to keep the suite fast, except where the test is about the compiled program."""


def train_alone(model, x, y, **kwargs):
    settings = {**SETTINGS, "optimizer": keras.optimizers.Adam(0.01)}
    return train(model, x, y, **settings, **kwargs)


def run_sweep(data, epochs=2, variants=VARIANTS, **kwargs):
    x, y = data
    models = {name: build(**spec) for name, spec in variants.items()}
    settings = {**SETTINGS, **kwargs}
    return sweep(models, x, y, epochs=epochs, validation_data=(x[:6], y[:6]), **settings), models


@pytest.mark.parametrize(
    ("vectorize", "jit_compile", "engine", "names"),
    [(True, False, "vectorized", list(VARIANTS)), (False, True, "lockstep", ["l1", "activity"])],
)
def test_sweep_equals_separate_runs_from_the_same_start(data, vectorize, jit_compile, engine, names):
    x, y = data
    variants = {name: VARIANTS[name] for name in names}
    table, _ = run_sweep(data, variants=variants, vectorize=vectorize, jit_compile=jit_compile)
    assert table.attrs["params"]["engine"] == engine
    for name, spec in variants.items():
        history = train_alone(build(**spec), x, y, epochs=2, validation_data=(x[:6], y[:6]))
        ours = table[table.variant == name].drop(columns="variant").reset_index(drop=True)
        theirs = history.to_frame().reset_index()
        for column in theirs.columns:
            np.testing.assert_allclose(ours[column], theirs[column], rtol=1e-5, atol=1e-7,
                                       err_msg=f"{name}: {column}")


def test_table_is_tidy_one_row_per_variant_and_epoch(data):
    table, _ = run_sweep(data, epochs=3)
    assert list(table.columns[:3]) == ["variant", "epoch", "loss"]
    assert len(table) == len(VARIANTS) * 3
    assert table.groupby("variant").epoch.apply(list).to_dict() == {n: [1, 2, 3] for n in VARIANTS}
    penalties = [c for c in table.columns if c.startswith("penalty/")]
    assert penalties == ["penalty/hidden/kernel", "penalty/hidden/activity"]
    last = table[table.epoch == 3].set_index("variant")
    assert last.loc["none", penalties].sum() == 0.0  # a term a variant lacks counts as zero
    assert last.loc["l2", "penalty/hidden/activity"] == 0.0
    assert not table.attrs["interrupted"] and table.attrs["params"]["epochs"] == 3


def test_auto_vectorizes_regularization_only_variants_and_steps_others_side_by_side(data):
    x, y = data
    table, _ = run_sweep(data, epochs=1)
    assert table.attrs["params"]["engine"] == "vectorized"
    models = [build(), build()]
    for model, optimizer in zip(models, ("adam", "sgd"), strict=True):
        model.compile(optimizer=optimizer, loss=SETTINGS["loss"])
    mixed = sweep(models, x, y, batch_size=8, progress=False, jit_compile=False)
    assert mixed.attrs["params"]["engine"] == "lockstep"
    models = [build(), build()]
    for model, optimizer in zip(models, ("adam", "sgd"), strict=True):
        model.compile(optimizer=optimizer, loss=SETTINGS["loss"])
    with pytest.raises(ValueError, match=r"argument vectorize: .*different optimizer settings"):
        sweep(models, x, y, vectorize=True, progress=False)


def test_custom_regularizers_dropout_and_batch_norm_are_vectorized_exactly(data):
    x, y = data

    class Cubic(keras.regularizers.Regularizer):  # not Keras' L1/L2: called per variant
        def __init__(self, factor):
            self.factor = factor

        def __call__(self, w):
            return self.factor * keras.ops.sum(keras.ops.abs(w) ** 3)

    def with_dropout(factor):
        keras.utils.set_random_seed(0)
        return keras.Sequential([
            keras.Input((FEATURES,)),
            keras.layers.Dense(6, activation="relu", name="hidden", kernel_regularizer=Cubic(factor),
                               activity_regularizer=keras.regularizers.L2(factor)),
            keras.layers.Dropout(0.3),
            keras.layers.BatchNormalization(),
            keras.layers.Dense(2, name="logits"),
        ])

    tables, states = [], []
    for vectorize in (True, False):
        models = {f: with_dropout(f) for f in (0.01, 0.1)}
        tables.append(sweep(models, x, y, epochs=2, vectorize=vectorize,
                            validation_data=(x[:6], y[:6]), **SETTINGS))
        states.append([w for model in models.values() for w in model.get_weights()])
    assert [t.attrs["params"]["engine"] for t in tables] == ["vectorized", "lockstep"]
    np.testing.assert_allclose(tables[0].drop(columns="variant").to_numpy(),
                               tables[1].drop(columns="variant").to_numpy(), rtol=1e-5, atol=1e-7)
    for a, b in zip(*states, strict=True):  # weights and batch-norm statistics, back in the models
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_same_init_makes_unregularized_variants_identical(data):
    x, y = data
    models = [build(seed=1), build(seed=2)]  # different initial weights, copied from the first
    table = sweep(models, x, y, epochs=2, **SETTINGS)
    first, second = (table[table.variant == k].drop(columns="variant") for k in (0, 1))
    np.testing.assert_array_equal(first.to_numpy(), second.to_numpy())
    for a, b in zip(models[0].get_weights(), models[1].get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_cached_sweep_resumes_and_then_restores_without_training(data, tmp_path):
    two = {name: VARIANTS[name] for name in ("l1", "activity")}
    straight, _ = run_sweep(data, epochs=3, variants=two)
    run_sweep(data, epochs=2, variants=two, cache_dir=tmp_path)  # as if interrupted after epoch 2
    resumed, resumed_models = run_sweep(data, epochs=3, variants=two, cache_dir=tmp_path)
    np.testing.assert_allclose(resumed.drop(columns="variant").to_numpy(),
                               straight.drop(columns="variant").to_numpy(), rtol=1e-6)
    restored, restored_models = run_sweep(data, epochs=3, variants=two, cache_dir=tmp_path)
    assert restored.equals(resumed)
    for name in two:
        for a, b in zip(restored_models[name].get_weights(), resumed_models[name].get_weights(),
                        strict=True):
            np.testing.assert_array_equal(a, b)
    assert len(list(tmp_path.iterdir())) == 1  # one key: same variants, data and settings


def test_non_finite_variant_is_named(data):
    x, y = data

    class Exploding(keras.regularizers.Regularizer):
        def __call__(self, w):
            return keras.ops.sum(w) * np.float32(np.inf)

    models = {"fine": build(), "bad": build(kernel=Exploding())}
    with pytest.raises(NonFiniteLossError, match=r"in variant 'bad'.*kernel penalty of layer 'hidden'"):
        sweep(models, x, y, epochs=1, **SETTINGS)


def test_variants_of_different_architectures_are_refused(data):
    x, y = data
    with pytest.raises(ValueError, match=r"argument models: expected variants of one architecture"):
        sweep({"a": build(), "b": build(hidden=7)}, x, y, **SETTINGS)


def test_models_sharing_an_optimizer_are_refused(data):
    x, y = data
    shared = keras.optimizers.SGD()
    models = [build(), build()]
    for model in models:
        model.compile(optimizer=shared, loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"argument models: expected each model compiled with its own"):
        sweep(models, x, y, progress=False)


@pytest.mark.parametrize("models", [None, {}, {"a": "not a model"}])
def test_bad_models_argument(data, models):
    x, y = data
    with pytest.raises((TypeError, ValueError), match=r"Invalid value for argument models"):
        sweep(models, x, y, **SETTINGS)
