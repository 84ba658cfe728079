"""One place for argument checks, so every error message has the same shape.

Messages follow Keras' own: they name the argument, say what was expected and show what was
received, e.g. ``Invalid value for argument lam: expected a non-negative finite float.
Received: lam=-0.1``.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _invalid(name: str, expected: str, value: object) -> str:
    return f"Invalid value for argument {name}: expected {expected}. Received: {name}={value!r}"


def check_float(value: object, name: str, *, minimum: float = 0.0, strict: bool = False) -> float:
    """Return ``value`` as a finite float ``>= minimum`` (``> minimum`` if ``strict``).

    Raises ``TypeError`` for non-numbers (bools included) and ``ValueError`` for NaN, infinity
    or values out of range.

    Examples
    --------
    >>> check_float(0.01, "lam")
    0.01
    >>> check_float(-0.1, "lam")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument lam: expected a non-negative finite float. Received: lam=-0.1
    """
    sign = "positive" if strict and minimum == 0 else "non-negative" if minimum == 0 else None
    expected = f"a {sign} finite float" if sign else f"a finite float {'>' if strict else '>='} {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(_invalid(name, expected, value))
    result = float(value)
    if not math.isfinite(result) or result < minimum or (strict and result == minimum):
        raise ValueError(_invalid(name, expected, value))
    return result


def check_real(value: object, name: str) -> float:
    """Return ``value`` as any finite float (negative allowed); ``TypeError``/``ValueError`` otherwise.

    Examples
    --------
    >>> check_real(-2, "intercept")
    -2.0
    """
    try:
        return check_float(value, name, minimum=-math.inf)
    except (TypeError, ValueError) as error:
        raise type(error)(_invalid(name, "a finite float", value)) from None


def check_fraction(
    value: object, name: str, *, allow_zero: bool = False, expected: str | None = None
) -> float:
    """Return ``value`` as a float in ``(0, 1)`` (``[0, 1)`` with ``allow_zero``).

    Examples
    --------
    >>> check_fraction(0.25, "val_fraction")
    0.25
    >>> check_fraction(1.0, "dropout", allow_zero=True)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument dropout: expected a fraction in [0, 1). Received: dropout=1.0
    """
    expected = expected or f"a fraction in {'[0, 1)' if allow_zero else '(0, 1)'}"
    try:
        fraction = check_float(value, name, strict=not allow_zero)
    except (TypeError, ValueError) as error:
        raise type(error)(_invalid(name, expected, value)) from None
    if fraction >= 1.0:
        raise ValueError(_invalid(name, expected, value))
    return fraction


def check_callable(value: object, name: str, expected: str = "a callable") -> object:
    """Return ``value`` if it can be called; ``TypeError`` naming ``name`` otherwise.

    Examples
    --------
    >>> check_callable(len, "step") is len
    True
    """
    if not callable(value):
        raise TypeError(_invalid(name, expected, _short(value)))
    return value


def check_str(value: object, name: str, expected: str = "a string") -> str:
    """Return ``value`` if it is a ``str``; ``TypeError`` naming ``name`` otherwise.

    Examples
    --------
    >>> check_str("dense", "layer_name")
    'dense'
    """
    if not isinstance(value, str):
        raise TypeError(_invalid(name, expected, _short(value)))
    return value


def check_axis(axis: object, ndim: int, name: str = "axis") -> int | None:
    """Return ``axis`` if it is ``None`` or an int that indexes an array of ``ndim`` dimensions.

    Examples
    --------
    >>> check_axis(-1, 2)
    -1
    >>> check_axis(2, 2)
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument axis: expected None or an integer in [-2, 1]. Received: axis=2
    """
    expected = f"None or an integer in [{-ndim}, {ndim - 1}]"
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(_invalid(name, expected, axis))
    if not -ndim <= axis < ndim:
        raise ValueError(_invalid(name, expected, axis))
    return int(axis)


def check_bool(value: object, name: str) -> bool:
    """Return ``value`` if it is a bool (numpy's included); ``TypeError`` otherwise.

    ``1``, ``"yes"`` or ``None`` are refused: a flag that is silently truthy hides a mistake.

    Examples
    --------
    >>> check_bool(True, "training")
    True
    >>> check_bool("no", "training")
    Traceback (most recent call last):
    ...
    TypeError: Invalid value for argument training: expected True or False. Received: training='no'
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(_invalid(name, "True or False", value))
    return bool(value)


def check_int(value: object, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int ``>= minimum``; ``TypeError``/``ValueError`` otherwise.

    Examples
    --------
    >>> check_int(3, "epochs")
    3
    """
    expected = f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(_invalid(name, expected, value))
    if value < minimum:
        raise ValueError(_invalid(name, expected, value))
    return int(value)


def as_float_array(values: object, name: str, *, dtype=np.float64, allow_empty: bool = True) -> np.ndarray:
    """Return ``values`` as a finite float array (``float64`` by default).

    Raises ``TypeError`` for non-numeric input (strings, objects, booleans) and ``ValueError``
    for NaN, infinity, or an empty array when ``allow_empty`` is false.

    Examples
    --------
    >>> as_float_array([1, -2], "w")
    array([ 1., -2.])
    """
    array = np.asarray(values)
    if array.dtype == bool or not np.issubdtype(array.dtype, np.number):
        raise TypeError(_invalid(name, "a numeric array", _short(values)))
    if not allow_empty and array.size == 0:
        raise ValueError(_invalid(name, "a non-empty array", _short(values)))
    array = array.astype(dtype, copy=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(_invalid(name, "finite values (no NaN or infinity)", _short(values)))
    return array


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ``ValueError`` naming both arguments if their shapes differ.

    Examples
    --------
    >>> check_same_shape(np.zeros(2), np.zeros(3), "w", "grad")
    Traceback (most recent call last):
    ...
    ValueError: Shape mismatch: w has shape (2,) but grad has shape (3,); expected equal shapes.
    """
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"Shape mismatch: {name_a} has shape {np.shape(a)} but {name_b} has shape "
            f"{np.shape(b)}; expected equal shapes."
        )


def _short(values: object, limit: int = 60) -> object:
    """Keep error messages readable when a large array is passed."""
    text = repr(values)
    return values if len(text) <= limit else f"{text[:limit]}..."


def check_choice(value: object, name: str, choices) -> str:
    """Return ``value`` if it is one of the strings ``choices``.

    Examples
    --------
    >>> check_choice("L1", "regularizer", ("L1", "L2"))
    'L1'
    >>> check_choice("l3", "regularizer", ("L1", "L2"))
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument regularizer: expected one of 'L1', 'L2'. Received: regularizer='l3'
    """
    if not isinstance(value, str) or value not in choices:
        raise ValueError(_invalid(name, "one of " + ", ".join(map(repr, choices)), value))
    return value
