"""reglab._keras: every touch of Keras' private API works on the installed Keras.

Each test names the private attribute it relies on and fails loudly (an ImportError or
AttributeError, or a plain assertion) when a Keras release moves or renames it, before a notebook
or a probe fails in a less readable way.

Cost: well under a second beyond importing Keras.
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
