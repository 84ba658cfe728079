"""The one validation helper: every message names the argument, the expectation and the value."""

from __future__ import annotations

import numpy as np
import pytest

from reglab._validation import as_float_array, check_float, check_int, check_same_shape


@pytest.mark.parametrize(
    ("value", "error", "fragment"),
    [
        (-0.1, ValueError, "expected a non-negative finite float. Received: lam=-0.1"),
        (float("nan"), ValueError, "Received: lam=nan"),
        (float("inf"), ValueError, "Received: lam=inf"),
        ("0.1", TypeError, "Received: lam='0.1'"),
        (True, TypeError, "Received: lam=True"),
        (None, TypeError, "Received: lam=None"),
    ],
)
def test_check_float_rejects_bad_lambdas(value, error, fragment):
    with pytest.raises(error, match="Invalid value for argument lam") as info:
        check_float(value, "lam")
    assert fragment in str(info.value)


def test_check_float_accepts_numpy_scalars_and_zero():
    assert check_float(np.float32(0.5), "lam") == 0.5
    assert check_float(0, "lam") == 0.0


def test_strict_means_positive():
    with pytest.raises(ValueError, match="expected a positive finite float. Received: lr=0"):
        check_float(0, "lr", strict=True)


@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (2.5, TypeError), (False, TypeError)])
def test_check_int(value, error):
    with pytest.raises(error, match=f"expected an integer >= 1. Received: epochs={value!r}"):
        check_int(value, "epochs")


def test_as_float_array_rejects_non_numeric_non_finite_and_empty():
    with pytest.raises(TypeError, match="argument w: expected a numeric array"):
        as_float_array(["a", "b"], "w")
    with pytest.raises(ValueError, match="argument w: expected finite values"):
        as_float_array([1.0, np.nan], "w")
    with pytest.raises(ValueError, match="argument x: expected a non-empty array"):
        as_float_array(np.zeros((0, 3)), "x", allow_empty=False)
    assert as_float_array([1, 2], "w").dtype == np.float64


def test_long_arrays_are_shortened_in_messages():
    with pytest.raises(ValueError) as info:
        as_float_array(np.full(1000, np.nan), "w")
    assert len(str(info.value)) < 200


def test_check_same_shape_names_both_arguments():
    with pytest.raises(ValueError, match=r"w has shape \(2,\) but grad has shape \(3,\)"):
        check_same_shape(np.zeros(2), np.zeros(3), "w", "grad")
