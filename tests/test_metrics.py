"""reglab.metrics against hand-computed numbers, their identities over ranges, and their errors.

Tolerances: everything is float64 numpy on small arrays, so identities hold to ``rtol=1e-12``
(a few ulps of 2.2e-16 per operation, over sums of at most a few hundred terms); Hoyer's measure
divides by ``sqrt(n) - 1``, which for ``n = 2`` amplifies rounding by ~2.4, still far inside 1e-12.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reglab import metrics
from reglab.metrics import SupportRecovery

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)
RTOL = 1e-12

matrices = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=2, max_side=8),
    elements=st.floats(-10, 10, allow_nan=False).map(lambda v: 0.0 if abs(v) < 1e-3 else v),
)


# --- sparsity and exact zeros ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "tol", "expected"),
    [
        ([0.0, 1e-4, -0.5, 2.0], 1e-3, 0.5),
        ([0.0, 1e-4, -0.5, 2.0], 0.0, 0.25),
        ([1e-3, -1e-3], 1e-3, 1.0),  # |v| <= tol counts: the boundary is near zero
        ([[1.0, 2.0], [3.0, 4.0]], 0.5, 0.0),
    ],
)
def test_sparsity_hand_computed(values, tol, expected):
    assert metrics.sparsity(values, tol) == expected


def test_sparsity_per_row_and_from_keras_variables():
    codes = np.array([[0.0, 1.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.5]])
    np.testing.assert_array_equal(metrics.sparsity(codes, tol=0.0, axis=1), [0.75, 0.25])
    assert metrics.sparsity(keras.Variable(codes), tol=0.0) == 0.5


def test_sparsity_has_no_default_tolerance():
    with pytest.raises(TypeError, match="tol"):
        metrics.sparsity([1.0])  # type: ignore[call-arg]


def test_exact_zeros_counts_signed_zero_and_nothing_else():
    assert metrics.exact_zeros(np.array([[0.0, -0.0], [1e-300, 5.0]])) == 2


# --- Hoyer ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([0.0, 0.0, 0.0, 5.0], 1.0),
        ([1.0, -1.0, 1.0, 1.0], 0.0),
        ([1.0, 1.0, 0.0, 0.0], 2.0 - math.sqrt(2.0)),  # (2 - 2/√2) / (2 - 1)
        ([3.0, 4.0], (math.sqrt(2) - 7 / 5) / (math.sqrt(2) - 1)),  # ‖v‖₁ = 7, ‖v‖₂ = 5
        ([0.0, 0.0, 0.0], 1.0),  # all zero: 1 by convention
    ],
)
def test_hoyer_hand_computed(values, expected):
    assert metrics.hoyer(values) == pytest.approx(expected, rel=RTOL, abs=1e-15)


@SETTINGS
@given(values=matrices, scale=st.floats(1e-3, 1e3))
def test_hoyer_is_scale_invariant_and_within_bounds(values, scale):
    h = metrics.hoyer(values)
    assert -1e-12 <= h <= 1.0 + 1e-12
    assert metrics.hoyer(scale * values) == pytest.approx(h, rel=1e-9, abs=1e-12)


@SETTINGS
@given(values=matrices)
def test_hoyer_per_row_equals_hoyer_of_each_row(values):
    per_row = metrics.hoyer(values, axis=1)
    np.testing.assert_allclose(per_row, [metrics.hoyer(row) for row in values], rtol=RTOL)


def test_hoyer_needs_two_entries():
    with pytest.raises(ValueError, match=r"argument values: expected at least 2 entries along axis 1"):
        metrics.hoyer(np.ones((3, 1)), axis=1)


# --- active units ------------------------------------------------------------------------------------
def test_active_units_hand_computed():
    assert metrics.active_units([[0.9, 0.0, 0.2], [0.0, 0.0, 0.7]], tol=0.1) == 1.5
    assert metrics.active_units([[0.9, 0.0, 0.2], [0.0, 0.0, 0.7]], tol=0.2) == 1.0  # 0.2 is not > 0.2


@SETTINGS
@given(codes=matrices, tol=st.floats(0.0, 5.0))
def test_active_units_equals_width_times_density(codes, tol):
    expected = codes.shape[1] * (1.0 - metrics.sparsity(codes, tol))
    assert metrics.active_units(codes, tol) == pytest.approx(expected, rel=RTOL, abs=1e-12)


def test_active_units_by_label():
    codes = [[1.0, 1.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    result = metrics.active_units_by_label(codes, [7, 7, 3, 3], tol=0.5)
    assert result.name == "active_units"
    assert result.to_dict() == {3: 0.5, 7: 1.5}


def test_active_units_errors():
    with pytest.raises(
        ValueError, match=r"argument codes: expected a 2-D array of shape \(n_samples, n_units\)"
    ):
        metrics.active_units([1.0, 2.0], tol=0.1)
    with pytest.raises(ValueError, match=r"labels has shape \(3,\); expected labels of shape \(2,\)"):
        metrics.active_units_by_label([[1.0], [0.0]], [1, 2, 3], tol=0.1)
    with pytest.raises(ValueError, match="argument tol: expected a non-negative finite float"):
        metrics.active_units([[1.0]], tol=-0.1)


# --- weight norms --------------------------------------------------------------------------------------
def test_weight_norms_per_kernel_including_nested_models():
    inner = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones", name="a")], name="inner"
    )
    outer = keras.Sequential(
        [
            keras.Input((3,)),
            inner,
            keras.layers.Dropout(0.5),
            keras.layers.Dense(1, kernel_initializer="zeros", bias_initializer="ones", name="b"),
        ]
    )
    outer.get_layer("b").kernel.assign([[3.0], [-4.0]])
    table = metrics.weight_norms(outer)
    assert table["layer"].tolist() == ["a", "b"]  # Dropout has no kernel; biases are left out
    assert table["n_weights"].tolist() == [6, 2]
    np.testing.assert_allclose(table["l1"], [6.0, 7.0], rtol=RTOL)
    np.testing.assert_allclose(table["l2"], [math.sqrt(6.0), 5.0], rtol=RTOL)
    assert table["exact_zeros"].tolist() == [0, 0]


def test_weight_norms_rejects_non_models():
    with pytest.raises(
        TypeError, match="argument model: expected a Keras model or layer. Received: model='ndarray'"
    ):
        metrics.weight_norms(np.ones(3))


# --- support recovery ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("estimated", "support", "tol", "expected"),
    [
        ([1.5, 0.0, 0.2, -0.01], [0, 1], 0.05, SupportRecovery(0.5, 0.5, 2, 2, 1)),
        ([1.5, 0.0, 0.2, -0.01], [0, 1], 0.0, SupportRecovery(1 / 3, 0.5, 3, 2, 1)),
        ([[1.0], [2.0], [0.0]], [True, True, False], 0.0, SupportRecovery(1.0, 1.0, 2, 2, 2)),
    ],
)
def test_support_recovery_hand_computed(estimated, support, tol, expected):
    assert metrics.support_recovery(estimated, support, tol) == pytest.approx(expected, rel=RTOL)


def test_support_recovery_undefined_ratios_are_nan():
    nothing_selected = metrics.support_recovery(np.zeros(4), [1, 2], tol=0.0)
    assert math.isnan(nothing_selected.precision) and nothing_selected.recall == 0.0
    nothing_true = metrics.support_recovery(np.ones(3), np.array([], dtype=int), tol=0.0)
    assert math.isnan(nothing_true.recall) and nothing_true.precision == 0.0


@SETTINGS
@given(weights=hnp.arrays(np.float64, st.integers(1, 20), elements=st.floats(-2, 2)), data=st.data())
def test_support_recovery_mask_and_indices_agree(weights, data):
    mask = data.draw(hnp.arrays(bool, weights.shape))
    by_mask = metrics.support_recovery(weights, mask, tol=0.5)
    by_index = metrics.support_recovery(weights, np.flatnonzero(mask), tol=0.5)
    assert by_mask[2:] == by_index[2:]
    assert by_mask.n_correct <= min(by_mask.n_selected, by_mask.n_true)


@pytest.mark.parametrize(
    ("support", "error", "message"),
    [
        ([0, 4], ValueError, "argument true_support: expected distinct indices between 0 and 3"),
        ([1, 1], ValueError, "expected distinct indices"),
        ([True, False], ValueError, "true_support is a mask of 2 entries but estimated has 4"),
        ([0.5], TypeError, "argument true_support: expected a boolean mask or integer indices"),
    ],
)
def test_support_recovery_errors(support, error, message):
    with pytest.raises(error) as info:
        metrics.support_recovery(np.ones(4), support, tol=0.1)
    assert message in str(info.value)


# --- shared input checks -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda v: metrics.sparsity(v, tol=0.1),
        metrics.exact_zeros,
        metrics.hoyer,
        lambda v: metrics.support_recovery(v, [0], tol=0.1),
    ],
)
def test_empty_and_non_finite_inputs_are_rejected(call):
    with pytest.raises(ValueError, match="expected a non-empty array"):
        call(np.array([]))
    with pytest.raises(ValueError, match=r"expected finite values \(no NaN or infinity\)"):
        call(np.array([1.0, np.nan]))


def test_norms_and_kernel_weights_are_the_one_place_for_weight_norms():
    inner = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, kernel_initializer="ones", name="a")],
                             name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1, name="b")])
    outer.get_layer("b").kernel.assign([[3.0], [-4.0]])
    flat = metrics.kernel_weights(outer)
    np.testing.assert_array_equal(flat, [1.0] * 6 + [3.0, -4.0])  # biases left out, Keras' order
    assert metrics.l1_norm(flat) == 13.0
    assert metrics.l2_norm([[3.0, -4.0]]) == 5.0
    table = metrics.weight_norms(outer)
    np.testing.assert_allclose(table["l2"], [metrics.l2_norm(np.ones(6)), 5.0], rtol=RTOL)
    assert metrics.kernel_weights(keras.layers.Dropout(0.5)).shape == (0,)
