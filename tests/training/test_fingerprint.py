"""reglab.training.fingerprint: one fingerprint of everything that changes the numbers, the same in
every process; a checkpoint or cache of another run is never resumed.

Each case changes one thing a user may change between two calls that share a ``checkpoint_dir``
(the 16 of issue 11, and more) and checks that the second call is refused with a message naming
that setting, before anything is compiled.
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

from reglab.training import sweep, train
from reglab.training.arguments import RunSettings
from reglab.training.fingerprint import describe, differences, fingerprint, flatten
from reglab.training.plan import resolve

N, FEATURES = 24, 3


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x @ rng.normal(size=(FEATURES, 1))).astype("float32")
    return x, y


def build(*, seed=0, l2=1e-2, activation="tanh", dropout=0.0, lr=0.05, loss="mse", compile=True):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((FEATURES,)),
        keras.layers.Dense(4, activation=activation, name="hidden",
                           kernel_regularizer=keras.regularizers.L2(l2)),
        keras.layers.Dropout(dropout, seed=1),
        keras.layers.Dense(1, name="out"),
    ])
    if compile:
        model.compile(optimizer=keras.optimizers.SGD(lr), loss=loss)
    return model


BASE = {"epochs": 1, "batch_size": 8, "progress": False, "jit_compile": False}

CHANGES = [
    # (what changes, builder keywords, train keywords, data change, setting named in the message)
    ("learning rate", {"lr": 0.01}, {}, None, "optimizer.config.learning_rate"),
    ("L2 factor", {"l2": 0.5}, {}, None, "regularizers.kernel_regularizer.config.l2"),
    ("loss", {"loss": "mae"}, {}, None, "loss.function"),
    ("activation", {"activation": "relu"}, {}, None, "config.activation"),
    ("dropout rate", {"dropout": 0.3}, {}, None, "config.rate"),
    ("sparsity_tolerance", {}, {"sparsity_tolerance": 0.1}, None, "sparsity_tolerance"),
    ("jit_compile", {}, {"jit_compile": True}, None, "jit_compile"),
    ("batch_size", {}, {"batch_size": 4}, None, "batch_size"),
    ("seed", {}, {"seed": 3}, None, "seed"),
    ("shuffle", {}, {"shuffle": False}, None, "shuffle"),
    ("mixed_precision", {}, {"mixed_precision": True}, None, "mixed_precision"),
    ("initial weights", {"seed": 1}, {}, None, "initial_weights"),
    ("optimizer", {}, {"optimizer": keras.optimizers.Adam(0.05)}, None, "optimizer.class"),
    ("loss object", {}, {"loss": keras.losses.Huber()}, None, "loss.class"),
    ("x", {}, {}, "x", "x"),
    ("y", {}, {}, "y", "y"),
    ("validation data", {}, {}, "validation", "validation_data"),
]


@pytest.mark.parametrize(("what", "built", "settings", "changed", "named"), CHANGES,
                         ids=[c[0] for c in CHANGES])
def test_a_checkpoint_of_another_run_is_refused_naming_the_setting(data, tmp_path, what, built,
                                                                   settings, changed, named):
    x, y = data
    validation = (x[:5], y[:5])
    train(build(), x, y, validation_data=validation, checkpoint_dir=tmp_path, **BASE)
    if changed == "x":
        x = x + 1
    elif changed == "y":
        y = y + 1
    elif changed == "validation":
        validation = (x[:6], y[:6])
    model = build(**built)
    before = [w.copy() for w in model.get_weights()]
    arguments = {**BASE, "epochs": 2, **settings}
    with pytest.raises(ValueError, match=r"argument checkpoint_dir: expected a checkpoint of a run "
                       r"with the same settings") as caught:
        train(model, x, y, validation_data=validation, checkpoint_dir=tmp_path, **arguments)
    message = str(caught.value)
    assert f"{named}" in message and " then, " in message and str(tmp_path) in message
    for a, b in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(a, b)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch-00001"]


def test_in_a_lambda_loop_sharing_one_directory_each_factor_is_its_own_run(data, tmp_path):
    x, y = data
    train(build(l2=0.0), x, y, checkpoint_dir=tmp_path, **BASE)
    with pytest.raises(ValueError, match=r"kernel_regularizer.*0\.0 then, 1\.0 now"):
        train(build(l2=1.0), x, y, checkpoint_dir=tmp_path, **BASE)


def test_description_has_no_memory_address_and_names_functions_by_qualified_name():
    def my_loss(y_true, y_pred):
        return keras.ops.mean(keras.ops.abs(y_true - y_pred))

    text = json.dumps([describe(my_loss), describe(keras.losses.MeanSquaredError()),
                       describe(keras.losses.get("mse")), describe(object())])
    assert " at 0x" not in text and "#" not in text
    assert describe(my_loss) == {"function": f"{__name__}.{my_loss.__qualname__}"}
    assert describe(keras.losses.MeanSquaredError())["config"]["reduction"] == "sum_over_batch_size"


def test_auto_generated_layer_names_do_not_change_the_fingerprint(data):
    x, y = data
    run = RunSettings.check(1, 8, True, 0, False, 1e-3)

    def unnamed():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        return model

    first, second = (resolve([unnamed()], run, x, y, None, loss=None, optimizer=None, strategy=None,
                             mixed_precision="auto", jit_compile=False) for _ in range(2))
    assert first.fingerprint == second.fingerprint  # dense_3 and dense_4: one run


def test_differences_and_flatten():
    then = flatten({"optimizer": {"config": {"learning_rate": 0.05}}, "seed": 0})
    now = flatten({"optimizer": {"config": {"learning_rate": 0.01}}, "seed": 0})
    assert differences(then, now) == "optimizer.config.learning_rate: 0.05 then, 0.01 now"
    assert fingerprint(then) != fingerprint(now)


FINGERPRINT_SCRIPT = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import keras
    from reglab.training.arguments import RunSettings
    from reglab.training.plan import resolve
    from test_fingerprint import FEATURES, N, build, losses_to_try
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, FEATURES)).astype("float32")
    y = (x @ rng.normal(size=(FEATURES, 1))).astype("float32")
    run = RunSettings.check(1, 8, True, 0, False, 1e-3)
    prints = [resolve([build()], run, x, y, None, loss=loss, optimizer=None, strategy=None,
                      mixed_precision="auto", jit_compile=False).fingerprint
              for loss in losses_to_try()]
    print("RESULT" + json.dumps(prints))
    """
)


def custom_loss(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred))


def losses_to_try():
    return ["mse", keras.losses.mean_squared_error, custom_loss, keras.losses.MeanSquaredError()]


def test_the_fingerprint_is_the_same_in_another_process(data):
    x, y = data
    run = RunSettings.check(1, 8, True, 0, False, 1e-3)
    here = [resolve([build()], run, x, y, None, loss=loss, optimizer=None, strategy=None,
                    mixed_precision="auto", jit_compile=False).fingerprint for loss in losses_to_try()]
    result = subprocess.run([sys.executable, "-c", FINGERPRINT_SCRIPT, str(Path(__file__).parent)],
                            capture_output=True, text=True, timeout=300)
    lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT")]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    assert json.loads(lines[-1][len("RESULT"):]) == here
    assert len(set(here)) == 3  # "mse" and mean_squared_error are one loss


def test_sweep_caches_of_other_initial_weights_or_tolerance_are_kept_apart(data, tmp_path):
    x, y = data

    def models(seed):
        return {lam: build(seed=seed, l2=lam) for lam in (0.0, 0.1)}

    settings = {**BASE, "loss": "mse", "optimizer": keras.optimizers.SGD(0.05), "cache_dir": tmp_path}
    seed0 = sweep(models(0), x, y, **settings)
    seed1 = sweep(models(1), x, y, **settings)
    assert seed1.attrs["seconds"] and not seed1.equals(seed0)  # trained, not seed 0's numbers
    sweep(models(0), x, y, sparsity_tolerance=0.5, **settings)
    assert len(list(tmp_path.iterdir())) == 3
    again = sweep(models(1), x, y, **settings)
    assert again.attrs["seconds"] == [] and again.equals(seed1)
