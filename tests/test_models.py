"""reglab.models: layer types and names, regularizers attached where claimed, determinism, the
before/after placement of an activity regularizer, and the autoencoder's shared halves.

Tolerances: penalties are read back from Keras in float32 and compared with hand values computed
in float64: ``rel=1e-6`` (float32 unit roundoff 6e-8, over sums of a handful of terms).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab import models
from reglab.compat import activity_scale
from reglab.regularizers import KLSparsity

REL = 1e-6


def _dense_layers(model):
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def _same_weights(a, b) -> bool:
    return all(np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights(), strict=True))


# --- linear regression -------------------------------------------------------------------------------
def test_linear_regression_starts_at_zero_uncompiled_with_its_regularizers():
    model = models.linear_regression(3, kernel_regularizer="l1", bias_regularizer=keras.regularizers.L2(0.5))
    (layer,) = _dense_layers(model)
    assert layer.name == "linear" and model.output_shape == (None, 1) and not model.compiled
    assert all(np.count_nonzero(w) == 0 for w in model.get_weights())
    assert isinstance(layer.kernel_regularizer, keras.regularizers.L1)
    assert layer.kernel_regularizer.get_config()["l1"] == pytest.approx(0.01)  # the string's default
    layer.bias.assign([2.0])
    # model.losses: L1 on the (zero) kernel, then L2 on the bias: 0.5 * 2² = 2.
    assert [float(v) for v in model.losses] == pytest.approx([0.0, 2.0], rel=REL)


def test_linear_regression_without_regularizers_has_no_losses():
    assert models.linear_regression(2).losses == []


# --- MLP ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dropout", "names"),
    [
        (0.0, ["hidden_1", "hidden_2", "output"]),
        (0.3, ["hidden_1", "dropout_1", "hidden_2", "dropout_2", "output"]),
    ],
)
def test_mlp_layers(dropout, names):
    model = models.mlp(5, hidden=(8, 4), outputs=2, dropout=dropout, seed=0)
    assert [layer.name for layer in model.layers[1:]] == names
    assert model.output_shape == (None, 2) and not model.compiled
    assert [layer.units for layer in _dense_layers(model)] == [8, 4, 2]
    assert [layer.activation.__name__ for layer in _dense_layers(model)] == ["relu", "relu", "linear"]
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dropout):
            assert layer.rate == dropout


def test_mlp_puts_the_regularizers_on_every_dense_layer():
    kernel, bias = keras.regularizers.L2(0.1), keras.regularizers.L1(0.2)
    model = models.mlp(3, hidden=(4,), kernel_regularizer=kernel, bias_regularizer=bias, seed=0)
    for layer in _dense_layers(model):
        assert layer.kernel_regularizer is kernel and layer.bias_regularizer is bias
    # Biases start at zero, so the terms are the kernels' L2 only.
    expected = sum(0.1 * float(np.sum(np.square(layer.kernel))) for layer in _dense_layers(model))
    assert float(sum(model.losses)) == pytest.approx(expected, rel=REL)


def test_mlp_is_deterministic_given_the_seed_whatever_the_global_state():
    keras.utils.set_random_seed(1)
    first = models.mlp(4, hidden=(8, 8), dropout=0.5, seed=3)
    keras.utils.set_random_seed(2)
    again, other = models.mlp(4, hidden=(8, 8), dropout=0.5, seed=3), models.mlp(4, hidden=(8, 8), seed=4)
    assert _same_weights(first, again) and not _same_weights(first, other)
    square = models.mlp(8, hidden=(8, 8), seed=0)  # layers of equal shape get different seeds
    assert not np.array_equal(square.get_layer("hidden_1").kernel, square.get_layer("hidden_2").kernel)
    x = np.ones((2, 4), dtype=np.float32)
    np.testing.assert_array_equal(first(x, training=True), again(x, training=True))  # seeded dropout


# --- activity placement ---------------------------------------------------------------------------------
def test_dense_with_activity_layers():
    reg = keras.regularizers.L1(0.1)
    (after,) = models.dense_with_activity(3, "relu", reg, "after", name="h")
    dense, activation = models.dense_with_activity(3, "relu", reg, "before", name="h")
    assert after.activity_regularizer is reg and after.activation.__name__ == "relu"
    assert dense.activity_regularizer is reg and dense.activation.__name__ == "linear"
    assert isinstance(activation, keras.layers.Activation) and activation.name == "h_activation"
    assert activation.activity_regularizer is None


def test_placement_matters_on_a_negative_pre_activation():
    """Same outputs (all zero after the ReLU), different penalties: L1 of relu(z) vs L1 of z."""
    pair = models.activity_placement_pair(2, 3, "relu", keras.regularizers.L1(0.1))
    assert _same_weights(pair.after, pair.before)
    x = np.array([[1.0, 1.0], [2.0, 0.0]], dtype=np.float32)
    for model in pair:
        model.get_layer("dense").kernel.assign(-np.ones((2, 3)))  # z = -2 in every unit, both rows
    np.testing.assert_array_equal(pair.after(x), np.zeros((2, 3)))
    np.testing.assert_array_equal(pair.before(x), np.zeros((2, 3)))
    # After: 0.1 * Σ|relu(z)| = 0. Before: 0.1 * Σ|z| = 0.1 * 12 = 1.2, divided by B = 2 where
    # Keras divides (3.14 and later): 0.6.
    assert float(sum(pair.after.losses)) == 0.0
    assert float(sum(pair.before.losses)) == pytest.approx(1.2 * activity_scale(2), rel=REL)


def test_placement_does_not_matter_on_a_positive_pre_activation():
    pair = models.activity_placement_pair(2, 3, "relu", keras.regularizers.L1(0.1), outputs=1)
    for model in pair:
        model.get_layer("dense").kernel.assign(np.ones((2, 3)))
        model(np.ones((4, 2), dtype=np.float32))  # z = 2 > 0: relu(z) = z
    # 0.1 * Σ|z| = 0.1 * 2 * 12 = 2.4 in both, divided by B = 4 where Keras divides: 0.6.
    expected = 2.4 * activity_scale(4)
    assert [float(sum(m.losses)) for m in pair] == pytest.approx([expected, expected], rel=REL)
    assert pair.after.output_shape == (None, 1) and pair.after.get_layer("output").units == 1


# --- autoencoder -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("placement", "hidden", "names"),
    [
        ("after", (), ["code", "reconstruction"]),
        ("before", (), ["code", "code_activation", "reconstruction"]),
        ("after", (32,), ["encoder_hidden_1", "code", "decoder_hidden_1", "reconstruction"]),
    ],
)
def test_autoencoder_structure(placement, hidden, names):
    ae = models.autoencoder(64, 8, activity_regularizer="l1", placement=placement, hidden=hidden)
    assert [layer.name for layer in ae.model.layers[1:]] == names
    assert ae.encoder.output_shape == (None, 8) and ae.decoder.output_shape == (None, 64)
    assert ae.decoder.get_layer("reconstruction").kernel.shape == (32 if hidden else 8, 64)
    assert not ae.model.compiled
    code = ae.model.get_layer("code")
    assert isinstance(code.activity_regularizer, keras.regularizers.L1)
    assert code.activation.__name__ == ("sigmoid" if placement == "after" else "linear")


def test_autoencoder_halves_share_the_layers_of_the_model():
    ae = models.autoencoder(10, 4, activity_regularizer=KLSparsity(0.1, 1.0), hidden=(6,), seed=5)
    x = np.random.default_rng(0).uniform(size=(7, 10)).astype(np.float32)
    np.testing.assert_allclose(ae.model(x), ae.decoder(ae.encoder(x)), rtol=1e-6)
    assert ae.model.get_layer("code") is ae.encoder.get_layer("code")
    assert ae.model.get_layer("reconstruction") is ae.decoder.get_layer("reconstruction")
    codes = ae.encoder(x).numpy()
    assert codes.min() > 0.0 and codes.max() < 1.0  # sigmoid codes, as KLSparsity expects
    ae.model(x)
    assert len(ae.model.losses) == 1  # the KL term, recorded by the code layer


def test_autoencoder_is_deterministic_given_the_seed():
    a, b, c = (models.autoencoder(16, 4, hidden=(8,), seed=s).model for s in (0, 0, 1))
    assert _same_weights(a, b) and not _same_weights(a, c)


# --- argument checks ----------------------------------------------------------------------------------------
def test_the_listed_regularizer_names_are_the_ones_keras_accepts():
    for name in models.REGULARIZER_NAMES:
        assert keras.regularizers.get(name) is not None


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: models.dense_with_activity(3, placement="middle"),
            ValueError,
            "argument placement: expected one of ('after', 'before'). Received: placement='middle'",
        ),
        (
            lambda: models.linear_regression(2, kernel_regularizer="l3"),
            ValueError,
            "argument kernel_regularizer: expected None, a keras regularizer, a callable, a config dict or "
            "one of ('l1', 'l2', 'l1l2', 'orthogonal_regularizer'). Received: kernel_regularizer='l3'",
        ),
        (lambda: models.mlp(3, dropout=1.0), ValueError, "argument dropout: expected a fraction in [0, 1)"),
        (lambda: models.mlp(3, dropout=-0.1), ValueError, "Received: dropout=-0.1"),
        (lambda: models.mlp(3, hidden=64), TypeError, "argument hidden: expected a sequence of layer widths"),
        (lambda: models.mlp(3, hidden=(8, 0)), ValueError, "argument hidden entry: expected an integer >= 1"),
        (
            lambda: models.mlp(0),
            ValueError,
            "argument input_dim: expected an integer >= 1. Received: input_dim=0",
        ),
        (lambda: models.autoencoder(64, 0), ValueError, "argument code_dim: expected an integer >= 1"),
        (lambda: models.activity_model(2, 3, outputs=0), ValueError, "argument outputs"),
    ],
)
def test_errors_name_the_argument(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_mlp_kernel_constraint_projects_every_kernel_after_each_step():
    """MaxNorm(c) on every Dense kernel: after an optimizer step each column has norm <= c, and
    the loss holds no penalty term (a constraint is a projection, not a penalty)."""
    cap = 0.1
    model = models.mlp(3, hidden=(4,), kernel_constraint=keras.constraints.MaxNorm(cap), seed=0)
    assert all(isinstance(model.get_layer(name).kernel_constraint, keras.constraints.MaxNorm)
               for name in ("hidden_1", "output"))
    optimizer = keras.optimizers.SGD(1.0)
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    optimizer.apply([keras.ops.ones_like(k) for k in kernels], kernels)
    for kernel in kernels:
        norms = np.linalg.norm(keras.ops.convert_to_numpy(kernel), axis=0)
        assert norms.max() <= cap + 1e-6
    assert model.losses == []


def test_mlp_name_lets_two_mlps_sit_in_one_model_and_defaults_to_mlp():
    assert models.mlp(2, hidden=(3,)).name == "mlp"
    x = keras.Input((2,))
    first, second = models.mlp(2, hidden=(3,), name="first"), models.mlp(2, hidden=(3,), name="second")
    both = keras.Model(x, keras.layers.Concatenate()([first(x), second(x)]))
    assert both.output_shape == (None, 2)
    with pytest.raises(ValueError, match="argument kernel_constraint"):
        models.mlp(2, kernel_constraint="no_such_constraint")
