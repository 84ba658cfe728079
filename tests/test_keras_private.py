"""reglab._keras: every touch of Keras' private API works on the installed Keras.

Each test names the private attribute it relies on and fails loudly (an ImportError or
AttributeError, or a plain assertion) when a Keras release moves or renames it, before a notebook
or a probe fails in a less readable way.

The last test checks that no module outside reglab/_keras.py and the training engine touches
Keras' private API. Cost: well under a second beyond importing Keras.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab import _keras


@pytest.fixture(autouse=True)
def keep_the_global_generator():
    state = _keras.global_seed_generator_state()
    yield
    _keras.restore_global_seed_generator_state(state)


def _draw():
    return keras.ops.convert_to_numpy(keras.random.uniform((3,)))


def test_the_global_state_module_and_the_attribute_name_are_where_keras_keeps_them():
    from keras.src.backend.common import global_state
    from keras.src.random import seed_generator

    assert _keras._global_state() is global_state
    assert callable(global_state.get_global_attribute) and callable(global_state.set_global_attribute)
    # The name under which keras.random keeps its generator (a literal in Keras 3.10, the constant
    # GLOBAL_SEED_GENERATOR in later releases): what Keras reads back is what was set under it.
    planted = keras.random.SeedGenerator(0)
    global_state.set_global_attribute(_keras.GLOBAL_SEED_GENERATOR, planted)
    assert seed_generator.global_seed_generator() is planted
    if hasattr(seed_generator, "GLOBAL_SEED_GENERATOR"):
        assert seed_generator.GLOBAL_SEED_GENERATOR == _keras.GLOBAL_SEED_GENERATOR


def test_global_seed_generator_state_is_the_generator_of_unseeded_draws():
    _draw()  # creates the generator if no draw did yet
    generator = _keras.global_seed_generator_state()
    assert isinstance(generator, keras.random.SeedGenerator)
    from keras.src.random.seed_generator import global_seed_generator

    assert global_seed_generator() is generator  # what keras.random uses without a seed
    state = keras.ops.convert_to_numpy(generator.state).copy()
    _draw()
    assert not np.array_equal(keras.ops.convert_to_numpy(generator.state), state)  # the draw used it


def test_restore_puts_back_the_same_generator_and_its_draws():
    _draw()
    kept = _keras.global_seed_generator_state()
    _keras.reset_global_seed_generator()
    keras.utils.set_random_seed(1)
    _draw()
    assert _keras.global_seed_generator_state() is not kept
    _keras.restore_global_seed_generator_state(kept)
    assert _keras.global_seed_generator_state() is kept


def test_reset_drops_the_generator_and_the_next_draw_starts_from_the_seed():
    _keras.reset_global_seed_generator()
    assert _keras.global_seed_generator_state() is None
    keras.utils.set_random_seed(5)
    first = _draw()
    assert isinstance(_keras.global_seed_generator_state(), keras.random.SeedGenerator)
    _draw()  # the generator moves on ...
    _keras.reset_global_seed_generator()
    keras.utils.set_random_seed(5)
    assert np.array_equal(_draw(), first)  # ... and after a reset and the seed, starts over


# --- the layer walker and what each layer recorded itself ----------------------------------------
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


def test_no_module_outside_keras_touches_keras_private_api():
    import re
    from pathlib import Path

    package = Path(_keras.__file__).parent
    # An import from keras.src, or one of the private attributes _keras.py wraps. (A qualified
    # class name printed in a docstring, e.g. keras.src.regularizers..., is not a touch.)
    pattern = re.compile(
        r"(from|import) keras\.src|\._flatten_layers|\._trainable_variables|\._get_own_losses"
    )
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "_keras.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
