"""reglab.regularizers: KLSparsity against the numpy reference, how the installed Keras scales it, saving.

How Keras scales an activity penalty depends on the release (Keras 3.0-3.13 add
``regularizer(output)``, 3.14 and later divide it by the batch size): the tests ask
:func:`reglab.compat.activity_scale` and check both conventions by hand against the probe.

Tolerances:
- float64 inputs: Keras and numpy do the same float64 operations in a possibly different order,
  so they agree to ``rtol=1e-12``;
- float32 inputs: Keras rounds ρ̂, the logarithms and the sum to float32 (unit roundoff 6e-8);
  each KL term is a difference of two log terms of size up to ~|log 1e-7| ≈ 16, so the absolute
  error per unit is bounded by a few ulps of 16, ~1e-5 in the worst case: ``rtol=1e-5`` plus
  ``atol=1e-5`` per unit (times the weight) for sums that cancel near 0.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reglab import compat
from reglab.regularizers import EPSILON, KLSparsity, kl_divergence, kl_sparsity, kl_sparsity_by_batch

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)

codes = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=8),
    elements=st.floats(0.0, 1.0),
)
targets = st.floats(0.01, 0.99)
weights = st.floats(0.0, 10.0)


# --- the numpy reference ---------------------------------------------------------------------------
def test_kl_divergence_hand_computed():
    # KL(0.1 || 0.5) = 0.1 ln 0.2 + 0.9 ln 1.8
    expected = 0.1 * math.log(0.2) + 0.9 * math.log(1.8)
    assert float(kl_divergence(0.1, 0.5)) == pytest.approx(expected, rel=1e-15)
    assert float(kl_divergence(0.3, 0.3)) == 0.0


@SETTINGS
@given(target=targets, rho_hat=st.floats(0.0, 1.0))
def test_kl_divergence_is_non_negative_and_finite_at_the_edges(target, rho_hat):
    value = float(kl_divergence(target, rho_hat))
    assert math.isfinite(value) and value >= -1e-15  # clipping keeps ρ̂ = 0 or 1 finite


def test_kl_sparsity_hand_computed():
    batch = np.array([[0.0, 0.2], [1.0, 0.2]])  # ρ̂ = (0.5, 0.2)
    expected = 2.0 * (float(kl_divergence(0.2, 0.5)) + 0.0)
    assert kl_sparsity(batch, target=0.2, weight=2.0) == pytest.approx(expected, rel=1e-15)


def test_kl_sparsity_treats_extra_axes_as_units():
    batch = np.random.default_rng(0).uniform(size=(5, 2, 3))
    assert kl_sparsity(batch, 0.1) == pytest.approx(kl_sparsity(batch.reshape(5, 6), 0.1), rel=1e-12)


def test_kl_sparsity_by_batch_hand_computed():
    codes = np.array([[0.0], [0.1], [0.2], [0.1], [0.4]])  # batches of 2: ρ̂ = 0.05, 0.15, 0.4
    expected = np.mean([float(kl_divergence(0.1, q)) for q in (0.05, 0.15, 0.4)]) * 3.0
    assert kl_sparsity_by_batch(codes, 0.1, 3.0, batch_size=2) == pytest.approx(expected, rel=1e-12)


@SETTINGS
@given(batch=codes, target=targets, weight=weights, size=st.integers(1, 10))
def test_kl_sparsity_by_batch_is_at_least_the_full_batch_penalty(batch, target, weight, size):
    # Jensen: KL(ρ ‖ q) is convex in q. It holds exactly for equal batches; with a smaller last
    # batch the unweighted mean of the steps is no longer an average of ρ̂, so equal sizes only.
    batch = batch[: len(batch) - len(batch) % size] if len(batch) >= size else batch
    full = kl_sparsity(batch, target, weight)
    by_batch = kl_sparsity_by_batch(batch, target, weight, batch_size=min(size, len(batch)))
    assert by_batch >= full - 1e-9 * max(1.0, full)
    whole = kl_sparsity_by_batch(batch, target, weight, batch_size=len(batch))
    assert whole == pytest.approx(full, rel=1e-12)


# --- the Keras regularizer against the reference -------------------------------------------------------
@SETTINGS
@given(batch=codes, target=targets, weight=weights)
def test_keras_float64_equals_reference_times_what_cancels_the_keras_scaling(batch, target, weight):
    expected = kl_sparsity(batch, target, weight)
    raw = KLSparsity(target, weight, cancel_batch_division=False)(tf.constant(batch))
    scaled = KLSparsity(target, weight)(tf.constant(batch))
    assert raw.dtype == tf.float64
    assert float(raw) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # B · Ω where Keras divides by B (3.14 and later), Ω where it does not (3.0 to 3.13).
    cancelling = len(batch) if compat.activity_divided_by_batch() else 1
    assert float(scaled) == pytest.approx(cancelling * expected, rel=1e-12, abs=1e-12)


@SETTINGS
@given(batch=codes, target=targets, weight=weights)
def test_keras_float32_matches_reference(batch, target, weight):
    batch = batch.astype(np.float32)
    value = KLSparsity(target, weight, cancel_batch_division=False)(tf.constant(batch))
    assert value.dtype == tf.float32
    expected = kl_sparsity(batch, target, weight)
    assert float(value) == pytest.approx(expected, rel=1e-5, abs=1e-5 * batch.shape[1] * max(weight, 1.0))


def test_half_precision_codes_give_a_float32_penalty():
    batch = np.full((4, 3), 0.5, dtype=np.float16)
    value = KLSparsity(0.1, 1.0, cancel_batch_division=False)(tf.constant(batch))
    assert value.dtype == tf.float32
    assert float(value) == pytest.approx(kl_sparsity(batch, 0.1), rel=1e-6)


def test_gradient_pushes_the_mean_activation_towards_the_target():
    batch = tf.Variable(np.full((4, 2), [0.5, 0.01], dtype=np.float32))  # unit 0 too active, unit 1 too quiet
    with tf.GradientTape() as tape:
        loss = KLSparsity(target=0.1, weight=1.0)(batch)
    grad = tape.gradient(loss, batch).numpy()
    assert np.all(grad[:, 0] > 0) and np.all(grad[:, 1] < 0)  # descent lowers unit 0, raises unit 1


# --- what the installed Keras does with an activity regularizer's output --------------------------------
@pytest.mark.parametrize("batch_size", [1, 5, 32])
def test_layer_losses_hold_exactly_the_reference_penalty(batch_size):
    batch = np.random.default_rng(batch_size).uniform(size=(batch_size, 4)).astype(np.float32)
    expected = kl_sparsity(batch, 0.05, 0.5)
    cancelled = keras.layers.Activation("linear", activity_regularizer=KLSparsity(0.05, 0.5))
    divided = keras.layers.Activation(
        "linear", activity_regularizer=KLSparsity(0.05, 0.5, cancel_batch_division=False)
    )
    cancelled(batch), divided(batch)
    assert len(cancelled.losses) == 1 and len(divided.losses) == 1
    assert float(cancelled.losses[0]) == pytest.approx(expected, rel=1e-5)  # Ω on every release
    # Without the cancelling: Ω / B where Keras divides (3.14 and later), Ω where it does not.
    assert float(divided.losses[0]) == pytest.approx(expected * compat.activity_scale(batch_size), rel=1e-5)


@pytest.mark.parametrize("batch_size", [1, 5, 32])
def test_keras_scales_an_l1_activity_penalty_as_the_probe_reports(batch_size):
    """The Keras fact the design rests on: the activity term is regularizer(output), divided by B
    on Keras 3.14 and later (keras-team/keras PR #22021), as it is on Keras 3.0 to 3.13."""
    x = np.random.default_rng(0).normal(size=(batch_size, 3)).astype(np.float32)
    layer = keras.layers.Activation("linear", activity_regularizer=keras.regularizers.L1(0.1))
    layer(x)
    summed = 0.1 * np.abs(x).sum()  # Keras 3.0 to 3.13
    divided = summed / batch_size  # Keras 3.14 and later
    found = float(layer.losses[0])
    assert found == pytest.approx(divided if compat.activity_divided_by_batch() else summed, rel=1e-5)
    assert found == pytest.approx(summed * compat.activity_scale(batch_size), rel=1e-5)
    if batch_size > 1:  # the two conventions differ: the probe picked the one Keras follows
        assert found != pytest.approx(summed if compat.activity_divided_by_batch() else divided, rel=1e-3)


def test_inside_a_functional_model_the_term_is_recorded_once_per_call():
    inputs = keras.Input((3,))
    code = keras.layers.Dense(
        4, activation="sigmoid", activity_regularizer=KLSparsity(0.1, 1.0), name="code"
    )(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3)(code))
    encoder = keras.Model(inputs, code)
    x = np.random.default_rng(1).normal(size=(16, 3)).astype(np.float32)
    model(x)
    model(x)  # a second call replaces the term, it does not add another
    assert len(model.losses) == 1
    assert float(model.losses[0]) == pytest.approx(kl_sparsity(encoder(x).numpy(), 0.1), rel=1e-5)


# --- configuration and saving ----------------------------------------------------------------------------
def test_config_round_trip_and_registered_name():
    reg = KLSparsity(target=0.02, weight=3.0, cancel_batch_division=False)
    assert reg.get_config() == {"target": 0.02, "weight": 3.0, "cancel_batch_division": False}
    assert keras.saving.get_registered_name(KLSparsity) == "reglab>KLSparsity"
    again = keras.regularizers.deserialize(keras.regularizers.serialize(reg))
    assert isinstance(again, KLSparsity) and again.get_config() == reg.get_config()
    assert repr(again) == "KLSparsity(target=0.02, weight=3.0, cancel_batch_division=False)"


def test_saved_model_loads_back_in_safe_mode(tmp_path):
    inputs = keras.Input((6,))
    code = keras.layers.Dense(
        3, activation="sigmoid", activity_regularizer=KLSparsity(0.05, 0.7), name="code"
    )(inputs)
    model = keras.Model(inputs, keras.layers.Dense(6, name="out")(code))
    path = tmp_path / "sparse.keras"
    model.save(path)
    loaded = keras.models.load_model(path, safe_mode=True)
    reg = loaded.get_layer("code").activity_regularizer
    assert isinstance(reg, KLSparsity) and reg.get_config() == {
        "target": 0.05,
        "weight": 0.7,
        "cancel_batch_division": True,
    }
    x = np.random.default_rng(2).uniform(size=(8, 6)).astype(np.float32)
    np.testing.assert_array_equal(loaded(x), model(x))  # same weights: bit-identical outputs
    assert float(loaded.losses[0]) == float(model.losses[0])


# --- argument checks ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"target": 0.0},
            ValueError,
            "argument target: expected a float in the open interval (0, 1). Received: target=0.0",
        ),
        ({"target": 1.0}, ValueError, "Received: target=1.0"),
        ({"target": float("nan")}, ValueError, "Received: target=nan"),
        ({"target": "0.1"}, TypeError, "Received: target='0.1'"),
        (
            {"weight": -0.1},
            ValueError,
            "argument weight: expected a non-negative finite float. Received: weight=-0.1",
        ),
        (
            {"cancel_batch_division": "yes"},
            TypeError,
            "argument cancel_batch_division: expected True or False",
        ),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error) as info:
        KLSparsity(**kwargs)
    assert message in str(info.value)


def test_codes_need_a_batch_axis():
    with pytest.raises(ValueError, match=r"argument x: expected activations of shape \(batch, units, ...\)"):
        KLSparsity()(tf.constant([0.1, 0.2]))
    with pytest.raises(ValueError, match=r"argument codes: expected an array of shape \(batch, units, ...\)"):
        kl_sparsity([0.1, 0.2], target=0.1)
    with pytest.raises(ValueError, match="argument target"):
        kl_divergence(1.5, 0.1)


def test_epsilon_is_keras_default():
    assert EPSILON == keras.config.epsilon()
