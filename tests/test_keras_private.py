"""reglab._keras: every touch of Keras' private API, checked against the installed Keras.

Each test fails with a message naming the private attribute and the Keras release when a release
renames, removes or changes one, so the fix starts in reglab/_keras.py and nowhere else.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab import _keras

RELEASE = f"Keras {keras.__version__}"


def _require(obj, attribute: str) -> None:
    assert hasattr(obj, attribute), (
        f"{RELEASE} has no {type(obj).__name__}.{attribute}, which reglab/_keras.py uses: "
        f"update reglab/_keras.py for this release."
    )


def _nested_model():
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="a")], name="inner")
    return keras.Sequential(
        [keras.Input((3,)), inner, keras.layers.Dense(1, activity_regularizer="l1", name="b")],
        name="outer",
    )


def test_global_state_holds_the_global_seed_generator():
    from keras.src.backend.common import global_state

    for name in ("get_global_attribute", "set_global_attribute"):
        _require(global_state, name)
    keras.utils.set_random_seed(0)
    keras.random.uniform((1,))  # an unseeded draw creates the global generator
    generator = _keras.global_seed_generator_state()
    assert isinstance(generator, keras.random.SeedGenerator), (
        f"{RELEASE}: the global SeedGenerator is no longer stored under "
        f"{_keras.GLOBAL_SEED_GENERATOR!r}."
    )
    _keras.reset_global_seed_generator()
    assert _keras.global_seed_generator_state() is None
    _keras.restore_global_seed_generator_state(generator)
    assert _keras.global_seed_generator_state() is generator


def test_flatten_layers_lists_the_model_and_every_nested_layer_once():
    model = _nested_model()
    _require(model, "_flatten_layers")
    names = [layer.name for layer in _keras.flatten_layers(model)]
    assert names[0] == "outer"
    assert {"inner", "a", "b"} <= set(names) and len(names) == len(set(names))
    # Layer.losses walks the same list: the order of recorded terms follows it.
    assert names.index("inner") < names.index("a")


def test_own_trainable_variables_are_the_layers_own_and_survive_freezing():
    model = _nested_model()
    inner = model.get_layer("inner")
    dense = inner.get_layer("a")
    _require(dense, "_trainable_variables")
    assert [v.name for v in _keras.own_trainable_variables(dense)] == ["kernel", "bias"]
    assert _keras.own_trainable_variables(inner) == []  # a model holds none itself
    dense.trainable = False
    assert [v.name for v in _keras.own_trainable_variables(dense)] == ["kernel", "bias"]
    assert dense.trainable_weights == []


def test_own_losses_are_the_terms_the_layer_recorded_in_its_last_call():
    model = _nested_model()
    layer = model.get_layer("b")
    _require(layer, "_get_own_losses")
    assert _keras.own_losses(layer) == []
    model(np.ones((4, 3), dtype="float32"))
    (own,) = _keras.own_losses(layer)
    assert _keras.own_losses(model) == []  # the model recorded nothing itself
    assert len(model.losses) == 1 and float(model.losses[0]) == pytest.approx(float(own))
    model(np.ones((2, 3), dtype="float32"))
    assert len(_keras.own_losses(layer)) == 1  # each call replaces the recorded term


def test_no_module_outside_keras_and_the_engine_touches_keras_private_api():
    import re
    from pathlib import Path

    package = Path(_keras.__file__).parent
    engine = {"_engine.py", "_vectorized.py", "_setup.py", "training.py", "sweeps.py", "checkpoints.py",
              "precision.py", "history.py"}  # the training engine switches with its redesign (issue 11)
    pattern = re.compile(r"keras\.src|\._flatten_layers|\._trainable_variables|\._get_own_losses")
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "_keras.py" and path.name not in engine and "training" not in path.parts
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
