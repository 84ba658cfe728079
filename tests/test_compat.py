"""reglab.compat: every probe returns a plain value, is cached, and agrees with both conventions
worked out here by hand, the installed one matched; on the pinned stack it finds
``reglab.stacks.PINNED_BEHAVIOUR``.

The conventions (keras-team/keras history): Keras 3.0-3.13 add an activity penalty summed over
the batch, 3.14 and later divide it by the batch size (PR #22021); Keras 3.0-3.13 multiply by a
regularizer's factor in its own dtype (``L1`` stores a tensor: float32 for a Python float, float64
for a ``numpy.float64``; ``L2`` and ``L1L2`` keep the number), 3.14 and later cast it to the
tensor's dtype (PR #22438); Keras 3 rejects the string ``"l1_l2"`` that tf.keras 2 took for
``L1L2(0.01, 0.01)``; Keras 3.13 and later reset the generator of unseeded ``keras.random`` draws
in ``set_random_seed`` (PR #21874), earlier releases keep drawing from it.

Cost: about two seconds beyond importing TensorFlow (each probe computes a few numbers once per process).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from reglab import _keras, compat, stacks

REGULARIZERS, FACTOR_TYPES = ("L1", "L2", "L1L2"), ("float", "float64")
DTYPES = ("float32", "float16", "float64")
COMBINATIONS = [(r, f, d) for r in REGULARIZERS for f in FACTOR_TYPES for d in DTYPES]
PINNED = stacks.compare().is_pinned


def _cached(probe, *args):
    """Call ``probe`` twice; the second call must come from the cache."""
    first = probe(*args)
    hits = probe.cache_info().hits
    again = probe(*args)
    assert probe.cache_info().hits == hits + 1
    assert again == first
    return first


# --- activity penalty: summed over the batch, or divided by its size -------------------------------
def test_activity_probe_is_a_cached_bool():
    assert isinstance(_cached(compat.activity_divided_by_batch), bool)


@pytest.mark.parametrize("batch_size", [2, 5, 32])
def test_activity_probe_matches_the_convention_keras_follows(batch_size):
    x = np.random.default_rng(batch_size).normal(size=(batch_size, 3)).astype("float32")
    layer = keras.layers.Dense(2, kernel_initializer="ones", activity_regularizer=keras.regularizers.L2(0.3))
    outputs = keras.ops.convert_to_numpy(layer(x))
    summed = 0.3 * float(np.sum(outputs.astype("float64") ** 2))  # Keras 3.0 to 3.13
    divided = summed / batch_size  # Keras 3.14 and later
    found = float(keras.ops.convert_to_numpy(layer.losses[0]))
    installed, other = (divided, summed) if compat.activity_divided_by_batch() else (summed, divided)
    assert found == pytest.approx(installed, rel=1e-5)
    assert found != pytest.approx(other, rel=1e-3)


@pytest.mark.parametrize("batch_size", [1, 4, 7])
def test_activity_scale_follows_the_probe_on_numbers_and_tensors(batch_size):
    expected = 1 / batch_size if compat.activity_divided_by_batch() else 1
    assert compat.activity_scale(batch_size) == expected
    tensor = compat.activity_scale(tf.constant(float(batch_size)))
    assert float(tensor) == pytest.approx(expected, rel=1e-7)


def test_activity_probe_holds_inside_a_traced_function():
    # asked from inside a tf.function (the engines do), the probe gives a Python bool, not a tensor
    @tf.function
    def traced(batch):
        return batch * compat.activity_scale(tf.cast(tf.shape(batch)[0], tf.float32))

    value = traced(tf.ones((4, 1)))
    assert float(value[0, 0]) == pytest.approx(compat.activity_scale(4))


@pytest.mark.parametrize(("factor", "batch_size"), [(0.1, 4), (0.5, 1), (2.0, 32)])
def test_per_sample_factor_makes_the_term_per_sample_on_every_release(factor, batch_size):
    x = np.random.default_rng(0).normal(size=(batch_size, 3)).astype("float32")
    layer = keras.layers.Activation(
        "linear", activity_regularizer=keras.regularizers.L1(compat.per_sample_factor(factor, batch_size))
    )
    layer(x)
    per_sample = factor * float(np.mean(np.sum(np.abs(x.astype("float64")), axis=1)))
    assert float(layer.losses[0]) == pytest.approx(per_sample, rel=1e-5)


# --- how a regularizer's factor meets a tensor's dtype ---------------------------------------------
def _stored_convention(regularizer, factor_type, dtype):
    """Keras 3.0 to 3.13: L1's stored tensor must have the tensor's dtype; numbers meet any."""
    if regularizer == "L1":
        return {"float": "float32", "float64": "float64"}[factor_type] == dtype
    return True


def _cast_convention(regularizer, factor_type, dtype):
    """Keras 3.14 and later: every factor is cast to the tensor's dtype."""
    return True


def _meets_by_hand(regularizer, factor_type, dtype) -> bool:
    make = {"float": float, "float64": np.float64}[factor_type]
    cls = getattr(keras.regularizers, regularizer)
    instance = cls(l1=make(0.25), l2=make(0.25)) if regularizer == "L1L2" else cls(make(0.25))
    try:
        value = instance(tf.constant([1.0, -2.0], dtype=dtype))
    except (tf.errors.InvalidArgumentError, tf.errors.NotFoundError, TypeError):
        return False
    expected = {"L1": 0.25 * 3, "L2": 0.25 * 5, "L1L2": 0.25 * 3 + 0.25 * 5}[regularizer]
    assert float(value) == expected  # 0.25 is exact in every float dtype
    return True


@pytest.mark.parametrize(("regularizer", "factor_type", "dtype"), COMBINATIONS)
def test_factor_probe_is_a_cached_bool_that_keras_confirms(regularizer, factor_type, dtype):
    found = _cached(compat.factor_meets_dtype, regularizer, factor_type, dtype)
    assert isinstance(found, bool)
    assert found == _meets_by_hand(regularizer, factor_type, dtype)


def test_factor_probes_follow_exactly_one_convention():
    found = {c: compat.factor_meets_dtype(*c) for c in COMBINATIONS}
    stored = {c: _stored_convention(*c) for c in COMBINATIONS}
    cast = {c: _cast_convention(*c) for c in COMBINATIONS}
    assert stored != cast
    assert found in (stored, cast)
    # The cast came with PR #22438, which also rounds the factor through float32 on float64.
    from reglab.penalties import keras_rounds_factor_to_float32

    assert (found == cast) == keras_rounds_factor_to_float32()


def test_factor_probe_names_a_bad_argument():
    with pytest.raises(ValueError, match="argument regularizer: expected one of 'L1', 'L2', 'L1L2'"):
        compat.factor_meets_dtype("L3", "float", "float32")
    with pytest.raises(ValueError, match="argument tensor_dtype"):
        compat.factor_meets_dtype("L1", "float", "int32")


# --- string identifiers --------------------------------------------------------------------------------
KERAS_3 = {"l1": "L1(l1=0.01)", "l2": "L2(l2=0.01)", "l1l2": "L1L2(l1=0.0, l2=0.0)", "l1_l2": None,
           "L1": "L1(l1=0.01)", "L2": "L2(l2=0.01)", "L1L2": "L1L2(l1=0.0, l2=0.0)",
           "orthogonal_regularizer": "OrthogonalRegularizer(factor=0.01)"}
TF_KERAS_2 = dict(KERAS_3, l1_l2="L1L2(l1=0.01, l2=0.01)")


def test_string_identifiers_is_a_cached_dict_of_every_name():
    found = _cached(compat.string_identifiers)
    assert isinstance(found, dict) and list(found) == list(compat.STRING_NAMES)
    assert all(value is None or isinstance(value, str) for value in found.values())


def test_string_identifiers_match_what_keras_get_does():
    found = compat.string_identifiers()
    assert found in (KERAS_3, TF_KERAS_2)
    for name, value in found.items():
        if value is None:
            with pytest.raises(ValueError):
                keras.regularizers.get(name)
        else:
            assert value.startswith(type(keras.regularizers.get(name)).__name__ + "(")
    assert found == KERAS_3  # reglab needs Keras 3 (pyproject.toml), which rejects "l1_l2"


# --- re-seeding -----------------------------------------------------------------------------------------
def _draw():
    return keras.ops.convert_to_numpy(keras.random.uniform((3,)))


@pytest.fixture
def keep_the_global_generator():
    state = _keras.global_seed_generator_state()
    yield
    _keras.restore_global_seed_generator_state(state)


def test_reseeding_probe_is_a_cached_bool():
    assert isinstance(_cached(compat.reseeding_repeats_draws), bool)


def test_reseeding_probe_matches_the_convention_keras_follows(keep_the_global_generator):
    _keras.reset_global_seed_generator()
    keras.utils.set_random_seed(7)
    first, second = _draw(), _draw()  # two draws in a row from one seed
    _keras.reset_global_seed_generator()
    keras.utils.set_random_seed(7)
    assert np.array_equal(_draw(), first)  # a fresh generator starts where the seed says
    keras.utils.set_random_seed(7)
    after_reseed = _draw()
    # Keras 3.13 and later start over (the first draw again); before, the kept generator goes on
    # (the second draw).
    repeats = compat.reseeding_repeats_draws()
    assert np.array_equal(after_reseed, first if repeats else second)
    assert not np.array_equal(first, second)


def test_reseeding_probe_leaves_the_global_generator_alone(keep_the_global_generator):
    keras.utils.set_random_seed(3)
    _draw()
    before = _keras.global_seed_generator_state()
    compat.reseeding_repeats_draws.__wrapped__()  # the computation itself, not the cache
    assert _keras.global_seed_generator_state() is before


# --- all together ---------------------------------------------------------------------------------------
def test_probes_name_every_behaviour_with_a_plain_value():
    found = compat.probes()
    assert len({probe.name for probe in found}) == len(found)
    assert all(isinstance(probe.value, bool | tuple) and probe.meaning for probe in found)
    assert set(stacks.PINNED_BEHAVIOUR) <= {probe.name for probe in found}
    lines = compat.report().splitlines()
    assert lines[0].startswith(f"Keras {keras.__version__}, TensorFlow {tf.__version__}")
    assert all(any(line.strip().startswith(probe.name) for line in lines) for probe in found)


def test_probes_agree_with_the_individual_functions():
    found = {probe.name: probe.value for probe in compat.probes()}
    assert found["activity penalty divided by the batch size"] == compat.activity_divided_by_batch()
    l1_float64 = compat.factor_meets_dtype("L1", "float64", "float32")
    assert found["L1 with a float64 factor on float32"] == l1_float64
    assert found["set_random_seed repeats unseeded keras.random draws"] == compat.reseeding_repeats_draws()


OLDEST_BEHAVIOUR = {
    "activity penalty divided by the batch size": False,
    "L1 with a float64 factor on float32": False,
    "L2 with a float64 factor on float32": True,
    "L1 with a float factor on float16": False,
    "L2 with a float factor on float16": True,
    "factor rounded to float32 on float64 weights": False,
    "set_random_seed repeats unseeded keras.random draws": False,
}
"""Keras 3.10 (constraints-oldest.txt), from the keras-team/keras history in the module docstring."""


def _is_oldest() -> bool:
    versions = stacks.installed()
    versions["python"] = ".".join((versions["python"] or "").split(".")[:2])
    return versions == stacks.OLDEST


@pytest.mark.skipif(not PINNED, reason="not the pinned stack (constraints.txt)")
def test_on_the_pinned_stack_the_probes_find_the_pinned_behaviour():
    found = {probe.name: probe.value for probe in compat.probes()}
    assert {name: found[name] for name in stacks.PINNED_BEHAVIOUR} == stacks.PINNED_BEHAVIOUR


@pytest.mark.skipif(not _is_oldest(), reason="not the oldest stack (constraints-oldest.txt)")
def test_on_the_oldest_stack_the_probes_find_what_keras_3_10_does():
    found = {probe.name: probe.value for probe in compat.probes()}
    assert {name: found[name] for name in OLDEST_BEHAVIOUR} == OLDEST_BEHAVIOUR
    assert set(OLDEST_BEHAVIOUR) == set(stacks.PINNED_BEHAVIOUR)
