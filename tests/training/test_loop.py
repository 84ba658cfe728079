"""reglab.training.loop: Ctrl-C anywhere returns what is done; a hook can stop the run; a model
saved inside the hook is the user's model.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

import reglab.training.loop as loop
import reglab.training.programs as programs
from reglab.training import STOP, checkpoints, single, sweep, train

N, FEATURES = 20, 3


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    return x, x.sum(axis=1, keepdims=True).astype("float32")


def build(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(4, activation="tanh", name="hidden",
                           kernel_regularizer=keras.regularizers.L2(1e-3),
                           activity_regularizer=keras.regularizers.L1(1e-3)),
        keras.layers.Dense(1, name="out"),
    ])
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    return model


def quiet(model, x, y, **kwargs):
    return train(model, x, y, batch_size=8, progress=False, jit_compile=False, **kwargs)


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("where", ["planning", "tracing", "restoring", "an epoch", "saving"])
def test_ctrl_c_anywhere_returns_the_history_so_far(data, tmp_path, monkeypatch, where):
    x, y = data
    quiet(build(), x, y, epochs=1, checkpoint_dir=tmp_path)  # one finished epoch to restore
    target = {"planning": (single, "resolve"), "tracing": (programs.Program, "_compile"),
              "restoring": (checkpoints, "restore"), "an epoch": (loop, "_one_epoch"),
              "saving": (checkpoints, "save")}[where]
    monkeypatch.setattr(*target, interrupt)
    model = build()
    history = quiet(model, x, y, epochs=3, checkpoint_dir=tmp_path)
    assert history.interrupted
    # restored epoch 1 (an epoch: epoch 2 cut short; saving: epoch 2 recorded, its checkpoint not)
    assert history.epochs_done == {"an epoch": 1, "saving": 2}.get(where, 0)
    assert all(layer.compute_dtype == "float32" for layer in model.layers)
    assert model.get_layer("hidden").activity_regularizer.__class__ is keras.regularizers.L1


def test_ctrl_c_while_tracing_a_sweep_returns_an_empty_table(data, monkeypatch):
    x, y = data
    monkeypatch.setattr(programs.Program, "_compile", interrupt)
    table = sweep([build(), build()], x, y, batch_size=8, progress=False, jit_compile=False)
    assert table.attrs["interrupted"] and table.empty


@pytest.mark.parametrize("answer", [True, STOP, np.True_])
def test_on_epoch_end_can_stop_the_run(data, answer):
    x, y = data
    history = quiet(build(), x, y, epochs=6, on_epoch_end=lambda epoch, row: answer if epoch == 2 else None)
    assert history.epochs_done == 2 and history.stopped_early and not history.interrupted
    assert "stopped early" in repr(history)


def test_early_stopping_on_the_validation_loss(data):
    x, y = data
    best = {"loss": np.inf, "epoch": 0}

    def patience(epoch, row, wait=2):
        if row["val_loss"] < best["loss"]:
            best.update(loss=row["val_loss"], epoch=epoch)
        return epoch - best["epoch"] >= wait

    model = build()
    model.compile(optimizer=keras.optimizers.SGD(2.0), loss="mse")  # diverges slowly: val_loss rises
    history = quiet(model, x, y, epochs=50, validation_data=(x[:6], y[:6]), on_epoch_end=patience)
    assert history.stopped_early and history.epochs_done == best["epoch"] + 2 < 50


@pytest.mark.parametrize("answer", [None, False, 0, "stop", {"stop": True}])
def test_other_hook_answers_go_on(data, answer):
    x, y = data
    assert quiet(build(), x, y, epochs=2, on_epoch_end=lambda e, r: answer).epochs_done == 2


def test_a_model_saved_inside_the_hook_is_the_users_model_and_loads_safely(data, tmp_path):
    x, y = data
    model = build()
    saved = []

    def save(epoch, row):
        path = tmp_path / f"epoch-{epoch}.keras"
        model.save(path)
        saved.append((path, model.predict(x, verbose=0)))

    quiet(model, x, y, epochs=2, mixed_precision=True, on_epoch_end=save)  # float16 on a CPU
    for path, predicted in saved:
        loaded = keras.models.load_model(path, safe_mode=True)
        hidden = loaded.get_layer("hidden")
        assert hidden.dtype_policy.name == "float32" and loaded.get_layer("out").compute_dtype == "float32"
        assert type(hidden.activity_regularizer) is keras.regularizers.L1
        assert hidden.kernel_regularizer.get_config() == {"l2": 1e-3}
        np.testing.assert_array_equal(loaded.predict(x, verbose=0), predicted)


@pytest.mark.parametrize("damage", ["rows", "variables", "a file"])
def test_a_damaged_latest_checkpoint_resumes_from_the_one_before(data, tmp_path, damage):
    import json
    import shutil

    x, y = data
    straight = quiet(build(), x, y, epochs=3)
    quiet(build(), x, y, epochs=1, checkpoint_dir=tmp_path)
    shutil.copytree(tmp_path / "epoch-00001", tmp_path / "kept")
    quiet(build(), x, y, epochs=2, checkpoint_dir=tmp_path)
    (tmp_path / "kept").rename(tmp_path / "epoch-00001")
    latest = tmp_path / "epoch-00002"
    if damage == "rows":
        state = json.loads((latest / "state.json").read_text())
        state["rows"][0].pop()
        (latest / "state.json").write_text(json.dumps(state))
    elif damage == "variables":
        data_file = next(latest.glob("variables.data-*"))
        data_file.write_bytes(data_file.read_bytes()[:10])
    else:
        shutil.rmtree(latest)
        latest.write_text("not a checkpoint")
    model = build()
    with pytest.warns(UserWarning, match=r"Skipped the damaged checkpoint .*epoch-00002"):
        resumed = quiet(model, x, y, epochs=3, checkpoint_dir=tmp_path)
    assert resumed.rows == straight.rows and len(resumed.seconds) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch-00003"]


def test_no_usable_checkpoint_is_one_clear_error(data, tmp_path):
    x, y = data
    quiet(build(), x, y, epochs=1, checkpoint_dir=tmp_path)
    (tmp_path / "epoch-00001" / "state.json").write_text("{")
    with pytest.warns(UserWarning), pytest.raises(ValueError, match=r"argument checkpoint_dir: "
                                                  r"expected a directory with at least one complete"):
        quiet(build(), x, y, epochs=2, checkpoint_dir=tmp_path)
