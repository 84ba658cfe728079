"""reglab.training.train: the same numbers as Model.fit, every part recorded, faults handled.

Tolerances: float32 training, so weights and losses agree with Keras' ``Model.fit`` to
``rtol=1e-5`` (XLA fuses and orders some sums differently); two runs of reglab itself with one
seed agree exactly (``==``), which is the determinism claim on a CPU.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from reglab.training import NonFiniteLossError, epoch_order, train

N, FEATURES = 40, 4


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x @ rng.normal(size=(FEATURES, 1)) + 0.1 * rng.normal(size=(N, 1))).astype("float32")
    return x, y


def build(seed=0, *, kernel=1e-2, bias=1e-3, activity=1e-3, lr=0.05, compile=True):
    """A small regression MLP with all three kinds of penalty."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((FEATURES,)),
            keras.layers.Dense(
                8, activation="tanh", name="hidden",
                kernel_regularizer=keras.regularizers.L2(kernel),
                bias_regularizer=keras.regularizers.L1(bias),
                activity_regularizer=keras.regularizers.L1(activity),
            ),
            keras.layers.Dense(1, name="out"),
        ]
    )
    if compile:
        model.compile(optimizer=keras.optimizers.SGD(lr), loss="mse")
    return model


def quiet(model, x, y, **kwargs):
    kwargs.setdefault("jit_compile", False)
    return train(model, x, y, progress=False, batch_size=16, **kwargs)


# --- the objective and what is recorded -----------------------------------------------------
@pytest.mark.parametrize("jit_compile", [False, True])
def test_matches_keras_fit_weights_and_reported_loss(data, jit_compile):
    x, y = data
    keras_model = build()
    fitted = keras_model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
    ours = build()
    history = quiet(ours, x, y, epochs=3, shuffle=False, jit_compile=jit_compile)
    for a, b in zip(ours.get_weights(), keras_model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history.history["loss"], fitted.history["loss"], rtol=1e-5)


def test_total_is_data_loss_plus_every_penalty_term(data):
    x, y = data
    history = quiet(build(), x, y, epochs=2, validation_data=(x[:10], y[:10]))
    frame = history.to_frame()
    terms = ["penalty/hidden/kernel", "penalty/hidden/bias", "penalty/hidden/activity"]
    assert [c for c in frame.columns if c.startswith("penalty/")] == terms
    np.testing.assert_allclose(frame[terms].sum(axis=1), frame["penalty"], rtol=1e-12)
    np.testing.assert_allclose(frame["data_loss"] + frame["penalty"], frame["loss"], rtol=1e-12)
    np.testing.assert_allclose(frame["val_data_loss"] + frame["val_penalty"], frame["val_loss"])
    assert list(frame.index) == [1, 2] and (frame[terms] > 0).all().all()


def test_validation_loss_equals_keras_evaluate(data):
    x, y = data
    model = build()
    history = quiet(model, x, y, epochs=1, validation_data=(x[:12], y[:12]))
    evaluated = model.evaluate(x[:12], y[:12], batch_size=12, verbose=0)
    np.testing.assert_allclose(history.rows[-1]["val_loss"], evaluated, rtol=1e-5)


def test_weight_norms_and_sparsity_describe_the_final_weights(data):
    x, y = data
    model = build()
    row = quiet(model, x, y, epochs=1, sparsity_tolerance=0.05).rows[-1]
    kernel = model.get_layer("hidden").kernel.numpy()
    np.testing.assert_allclose(row["l1_norm/hidden/kernel"], np.abs(kernel).sum(), rtol=1e-6)
    np.testing.assert_allclose(row["l2_norm/hidden/kernel"], np.linalg.norm(kernel), rtol=1e-6)
    assert row["sparsity/hidden/kernel"] == np.mean(np.abs(kernel) <= 0.05)


def test_same_seed_gives_bitwise_equal_histories(data):
    x, y = data
    first, second = (quiet(build(), x, y, epochs=2, seed=3, jit_compile=True) for _ in range(2))
    assert first.rows == second.rows


def test_epoch_order_depends_on_seed_and_epoch_only():
    orders = {(seed, epoch): epoch_order(N, epoch, seed, True) for seed in (0, 1) for epoch in (1, 2)}
    np.testing.assert_array_equal(orders[0, 1], epoch_order(N, 1, 0, True))
    assert len({tuple(order) for order in orders.values()}) == 4
    assert sorted(orders[0, 1]) == list(range(N))
    np.testing.assert_array_equal(epoch_order(N, 5, 0, False), np.arange(N))


def test_history_records_how_it_ran(data):
    x, y = data
    params = quiet(build(), x, y, epochs=1).params
    assert params["steps_per_epoch"] == 3 and params["samples"] == N
    assert params["strategy"] == "default strategy (1 replica)" and params["replicas"] == 1


# --- mixed precision --------------------------------------------------------------------------
def test_mixed_precision_auto_is_off_on_a_cpu(data):
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("a GPU is visible")
    x, y = data
    params = quiet(build(), x, y, epochs=1).params
    assert params["precision"] == "float32" and not params["loss_scaling"]


def test_mixed_precision_forced_on_a_cpu_trains_finitely_and_restores_the_model(data):
    x, y = data
    model = build(activity=1e-2)
    big = 300 * x  # float16 activity sums of squares would overflow; reglab's are float32
    history = quiet(model, big, y, epochs=2, mixed_precision=True)
    assert history.params["precision"] == "mixed_float16" and history.params["loss_scaling"]
    assert np.isfinite(history.to_frame().to_numpy()).all()
    assert all(layer.compute_dtype == "float32" for layer in model.layers)
    assert all(w.dtype == "float32" for w in model.weights)
    assert isinstance(model.get_layer("hidden").activity_regularizer, keras.regularizers.L1)


# --- faults -------------------------------------------------------------------------------------
class Exploding(keras.regularizers.Regularizer):
    """A penalty that is infinite from the first step."""

    def __call__(self, x):
        return keras.ops.sum(x) * 0.0 + np.float32(np.inf)


def test_infinite_penalty_stops_at_once_and_names_layer_kind_epoch_and_step(data):
    x, y = data
    model = build()
    model.get_layer("out").kernel.regularizer = Exploding()
    before = model.get_weights()
    with pytest.raises(NonFiniteLossError, match=r"epoch 1, step 1 of 3") as caught:
        quiet(model, x, y, epochs=2)
    assert "the kernel penalty of layer 'out' is inf" in str(caught.value)
    assert list(caught.value.parts) == ["penalty/out/kernel"]
    for a, b in zip(model.get_weights(), before, strict=True):  # the bad step was not applied
        np.testing.assert_array_equal(a, b)


def test_nan_data_loss_at_a_later_step_names_the_data_loss_and_keeps_the_history(data):
    x, y = data
    calls = keras.Variable(0, dtype="int32", trainable=False)

    def poisoned_mse(y_true, y_pred):  # NaN from the 5th step on (epoch 2, step 2)
        calls.assign_add(1)
        value = keras.ops.mean(keras.ops.square(y_true - y_pred))
        return keras.ops.where(calls >= 5, np.float32(np.nan), value)

    model = build()
    with pytest.raises(NonFiniteLossError, match=r"epoch 2, step 2 of 3: the data loss is nan"):
        try:
            quiet(model, x, y, epochs=3, loss=poisoned_mse)
        except NonFiniteLossError as error:
            assert error.epoch == 2 and error.step == 2 and error.history.epochs_done == 1
            raise
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_killed_run_resumes_from_its_last_finished_epoch_with_identical_numbers(data, tmp_path):
    x, y = data
    straight = build()
    expected = quiet(straight, x, y, epochs=4, seed=1)

    def crash_after_epoch_2(epoch, row):
        if epoch == 2:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        quiet(build(), x, y, epochs=4, seed=1, checkpoint_dir=tmp_path, on_epoch_end=crash_after_epoch_2)
    (tmp_path / ".epoch-00003.partial-999").mkdir()  # a run killed while saving epoch 3
    # Rebuilt as the killed run built it (the initial weights are part of the run's fingerprint:
    # other ones are refused, see test_a_checkpoint_of_other_initial_weights_is_refused); the
    # checkpoint must overwrite them with epoch 2's.
    resumed_model = build()
    resumed = quiet(resumed_model, x, y, epochs=4, seed=1, checkpoint_dir=tmp_path)
    assert resumed.rows == expected.rows and len(resumed.seconds) == 2
    for a, b in zip(resumed_model.get_weights(), straight.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch-00004"]


def test_finished_checkpoint_restores_without_training_and_refuses_other_settings(data, tmp_path):
    x, y = data
    trained = build()
    first = quiet(trained, x, y, epochs=2, checkpoint_dir=tmp_path)
    model = build()  # the same initial weights (build(seed=5) is refused: see below)
    again = quiet(model, x, y, epochs=2, checkpoint_dir=tmp_path)
    assert again.rows == first.rows and again.seconds == []
    for a, b in zip(model.get_weights(), trained.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"argument checkpoint_dir.*batch_size: 16 then, 8 now"):
        train(build(), x, y, epochs=3, batch_size=8, checkpoint_dir=tmp_path, progress=False)
    with pytest.raises(ValueError, match=r"argument epochs: expected at least the 2 epochs"):
        quiet(build(), x, y, epochs=1, checkpoint_dir=tmp_path)


def test_a_checkpoint_of_other_initial_weights_is_refused(data, tmp_path):
    x, y = data
    quiet(build(), x, y, epochs=1, checkpoint_dir=tmp_path)
    with pytest.raises(ValueError, match=r"argument checkpoint_dir.*initial_weights: '\w+' then"):
        quiet(build(seed=5), x, y, epochs=2, checkpoint_dir=tmp_path)


def test_ctrl_c_returns_the_history_so_far(data):
    x, y = data

    def interrupt(epoch, row):
        if epoch == 2:
            raise KeyboardInterrupt

    history = quiet(build(), x, y, epochs=5, on_epoch_end=interrupt)
    assert history.interrupted and history.epochs_done == 2
    assert "interrupted" in repr(history)


# --- progress -----------------------------------------------------------------------------------
def test_progress_bar_shows_losses_and_progress_false_is_silent(data, capsys):
    x, y = data
    train(build(), x, y, epochs=1, batch_size=16, jit_compile=False, progress=True)
    assert "loss=" in capsys.readouterr().err
    quiet(build(), x, y, epochs=1)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


# --- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "argument"),
    [
        ({"x": np.zeros((0, FEATURES))}, ValueError, "x"),
        ({"y": np.zeros((N - 1, 1))}, ValueError, "y"),
        ({"x": np.full((N, FEATURES), "a")}, TypeError, "x"),
        ({"y": np.full((N, 1), np.nan)}, ValueError, "y"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"epochs": 2.5}, TypeError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"seed": -1}, ValueError, "seed"),
        ({"progress": "yes"}, TypeError, "progress"),
        ({"validation_data": np.zeros(3)}, TypeError, "validation_data"),
        ({"validation_data": (np.zeros((3, 2)), np.zeros(3))}, ValueError, "validation_data"),
        ({"mixed_precision": "half"}, ValueError, "mixed_precision"),
        ({"jit_compile": "yes"}, ValueError, "jit_compile"),
        ({"strategy": "mirrored"}, TypeError, "strategy"),
        ({"loss": ["mse", "mae"]}, ValueError, "loss"),
        ({"optimizer": 3}, TypeError, "optimizer"),
        ({"on_epoch_end": 3}, TypeError, "on_epoch_end"),
    ],
)
def test_bad_input_is_rejected_naming_the_argument(data, kwargs, error, argument):
    x, y = data
    arguments = {"x": x, "y": y, "progress": False, **kwargs}
    with pytest.raises(error, match=rf"Invalid value for argument {argument}\b"):
        train(build(), **arguments)


def test_uncompiled_or_unbuilt_models_are_rejected_with_what_to_do(data):
    x, y = data
    with pytest.raises(ValueError, match=r"argument model: expected a compiled model.*no loss"):
        train(build(compile=False), x, y, progress=False)
    assert train(build(compile=False), x, y, loss="mse", optimizer="sgd", progress=False,
                 jit_compile=False).epochs_done == 1
    unbuilt = keras.Sequential([keras.layers.Dense(1)])
    with pytest.raises(ValueError, match=r"argument model: expected a built model"):
        train(unbuilt, x, y, loss="mse", optimizer="sgd")


def test_one_device_strategy_matches_the_default_strategy(data):
    x, y = data
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    default = build()
    with strategy.scope():
        one = build()
    expected = quiet(default, x, y, epochs=2)
    history = quiet(one, x, y, epochs=2, strategy=strategy)
    np.testing.assert_allclose(history.history["loss"], expected.history["loss"], rtol=1e-6)
    assert history.params["strategy"] == "OneDeviceStrategy (1 replica)"


def test_a_strategy_that_does_not_own_the_variables_is_refused_before_training(data):
    x, y = data
    model = build()
    model.compile(optimizer="adam", loss="mse")  # Adam's slots would mix two strategies
    with pytest.raises(ValueError, match=r"argument strategy: expected the strategy whose scope\(\)"):
        train(model, x, y, strategy=tf.distribute.OneDeviceStrategy("/cpu:0"), progress=False)


# --- several devices, through two logical CPUs (a fresh interpreter: before TF initialises) ----
MULTI_DEVICE_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    sys.path.insert(0, sys.argv[1])
    import numpy as np, keras
    from test_training import build, N, FEATURES
    from reglab.training import train
    from reglab.devices import strategy_of
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N + 3, FEATURES)).astype("float32")   # 43 samples: last batch 11, uneven
    y = x.sum(axis=1, keepdims=True).astype("float32")
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    out = {}
    try:
        train(build(), x, y, strategy=mirrored, progress=False)
    except ValueError as error:
        out["outside_scope_error"] = str(error)
    with mirrored.scope():
        model = build()
    out["strategy_of_is_mirrored"] = strategy_of(model) is mirrored
    histories = {}
    with mirrored.scope():
        model_for_loss_object = build()
    runs = (("mirrored", model, None), ("single", build(), None),
            # A keras.losses.Loss object scales itself by 1/replicas inside a strategy.
            ("mirrored_loss_object", model_for_loss_object, keras.losses.MeanSquaredError()),
            ("single_loss_object", build(), keras.losses.MeanSquaredError()))
    for name, m, loss in runs:
        h = train(m, x, y, epochs=2, batch_size=16, validation_data=(x[:9], y[:9]), progress=False,
                  loss=loss)
        histories[name] = {"rows": h.rows, "weights": [w.tolist() for w in m.get_weights()],
                           "params": h.params}
    out.update(histories)
    print("RESULT" + json.dumps(out))
    """
)


def test_mirrored_strategy_on_two_logical_cpus_equals_one_device():
    here = Path(__file__).resolve().parent
    result = subprocess.run(
        [sys.executable, "-c", MULTI_DEVICE_SCRIPT, str(here)],
        capture_output=True, text=True, timeout=300,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT")]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    out = json.loads(lines[-1][len("RESULT"):])
    assert "argument strategy: expected the strategy whose scope() created" in out["outside_scope_error"]
    assert out["strategy_of_is_mirrored"]
    mirrored, single = out["mirrored"], out["single"]
    assert mirrored["params"]["replicas"] == 2 and not mirrored["params"]["jit_compile"]
    assert mirrored["params"]["strategy"].startswith("MirroredStrategy (2 replicas: /cpu:0, /cpu:1")
    for a, b in zip(mirrored["weights"], single["weights"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for ra, rb in zip(mirrored["rows"], single["rows"], strict=True):
        assert ra.keys() == rb.keys()
        np.testing.assert_allclose(list(ra.values()), list(rb.values()), rtol=1e-5, atol=1e-6)
    mirrored, single = out["mirrored_loss_object"], out["single_loss_object"]
    for ra, rb in zip(mirrored["rows"], single["rows"], strict=True):
        np.testing.assert_allclose(list(ra.values()), list(rb.values()), rtol=1e-5, atol=1e-6)
    for a, b in zip(mirrored["weights"], single["weights"], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("regularizer", "statistic"),
    [(keras.regularizers.L1(0.1), False), (keras.regularizers.L2(0.1), False), ("kl", True)],
)
def test_under_a_strategy_an_activity_sum_is_added_unscaled_only_where_keras_does_not_divide(
    regularizer, statistic
):
    """What the mirrored run above relies on: a replica's activity term is weighted by its share of
    the batch where it is a mean over the shard (Keras 3.14+) or a batch statistic (KLSparsity),
    and added unscaled where it is the shard's sum (Keras 3.0-3.13), so the shards add up."""
    from reglab._engine import _summed_over_samples
    from reglab.compat import activity_divided_by_batch
    from reglab.precision import InFloat32
    from reglab.regularizers import KLSparsity

    regularizer = KLSparsity(0.1, 1.0) if regularizer == "kl" else regularizer
    expected = not activity_divided_by_batch() and not statistic
    for wrapped in (regularizer, InFloat32(regularizer)):  # computing_in's float32 wrapper
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activity_regularizer=wrapped)])
        assert _summed_over_samples(model, 2) is expected  # position 2: model, InputLayer, Dense
    # The shard sums of an L1 activity term add up to the global batch's term where Keras does
    # not divide; where it divides, the shards' means weighted by their shares do.
    x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")

    def term(batch):
        layer = keras.layers.Activation("linear", activity_regularizer=keras.regularizers.L1(0.1))
        layer(batch)
        return float(layer.losses[0])

    shards = (x[:3], x[3:])
    if activity_divided_by_batch():
        combined = sum(term(s) * len(s) / len(x) for s in shards)
    else:
        combined = sum(term(s) for s in shards)
    assert combined == pytest.approx(term(x), rel=1e-5)
