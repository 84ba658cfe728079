"""The registry and the ``check`` function behind every exercise.

``check`` never raises and never hangs: an unknown id prints one line that lists the known ones,
an iterator answer is read up to :data:`ITEM_LIMIT` items, a check that fails on a malformed
answer is reported as feedback, and every message is cut to :data:`MESSAGE_LIMIT` characters.
Checks read numbers with :func:`number` and :func:`numbers`, which refuse a bool: ``True`` is not
the answer ``1.0``.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Iterable, Sized
from dataclasses import dataclass

import numpy as np

from reglab._validation import _invalid, check_float, check_real

_CHECKS: dict[str, Callable[[object], Feedback]] = {}

ITEM_LIMIT = 10_000
"""The most items ``check`` reads from an iterator answer (a generator, ``map``, ``itertools.count``)."""

MESSAGE_LIMIT = 300
"""The longest message ``check`` prints; a longer one (a long answer echoed back) is cut."""


class AnswerError(ValueError):
    """An answer of the wrong kind (a bool for a number, an endless iterator); its message is the
    feedback ``check`` prints."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer: ``correct`` and a message that helps when it is not."""

    correct: bool
    message: str = ""


class Verdict:
    """What ``check`` returns: truthy when correct, and silent in a notebook.

    The printed line already tells the student the verdict; echoing ``True``/``False`` under it
    would only add noise, so IPython is told there is nothing more to display.
    """

    def __init__(self, correct: bool) -> None:
        self.correct = bool(correct)

    def __bool__(self) -> bool:
        return self.correct

    def __eq__(self, other: object) -> bool:
        return self.correct == bool(other)

    def __hash__(self) -> int:
        return hash(self.correct)

    def __repr__(self) -> str:
        return f"Verdict(correct={self.correct})"

    def _ipython_display_(self) -> None:
        """Show nothing: ``check`` has printed the verdict."""


def close(answer: object, expected: float, *, rel_tol: float = 1e-4, abs_tol: float = 1e-7) -> bool:
    """Whether a numeric answer (a number, a 0-d array or tensor) is within tolerance of ``expected``.

    The default relative tolerance accepts answers computed in float32 or rounded to four digits.

    Examples
    --------
    >>> close(0.30000001, 0.3), close(0.31, 0.3)
    (True, False)
    """
    expected = check_real(expected, "expected")
    rel_tol, abs_tol = check_float(rel_tol, "rel_tol"), check_float(abs_tol, "abs_tol")
    return math.isclose(number(answer), expected, rel_tol=rel_tol, abs_tol=abs_tol)


def numbers(answer: object) -> np.ndarray:
    """A numeric answer (a number, a list, an array or a tensor) as a flat float64 array.

    Raises :class:`AnswerError` for bools (``True`` is not ``1.0``), text and other values that
    are not numbers.

    Examples
    --------
    >>> numbers([1, 2.5])
    array([1. , 2.5])
    >>> try:
    ...     numbers([True, 2.0])
    ... except AnswerError as error:
    ...     print(error)
    The answer holds True or False, which is not a number: write the number itself.
    """
    array = np.asarray(answer)
    if array.dtype == bool or _holds_bool(answer):
        raise AnswerError("The answer holds True or False, which is not a number: write the number "
                          "itself.")
    if array.dtype.kind in "US":
        raise AnswerError(f"The answer is text, not a number: write the number without quotes; "
                          f"received {_short(answer)}.")
    try:
        return array.astype(np.float64).ravel()
    except (TypeError, ValueError):
        raise AnswerError(f"The answer should be a number or numbers; received {_short(answer)}.") from None


def _holds_bool(answer: object, depth: int = 0) -> bool:
    if isinstance(answer, bool | np.bool_):
        return True
    if isinstance(answer, list | tuple) and depth < 3:  # nested lists and tuples, as numpy reads them
        return any(_holds_bool(item, depth + 1) for item in answer[:ITEM_LIMIT])
    return False


def number(answer: object) -> float:
    """A one-number answer (a number, a 0-d or one-element array, a tensor) as a float.

    Examples
    --------
    >>> number(np.float32(0.5))
    0.5
    """
    values = numbers(answer)
    if values.size != 1:
        raise AnswerError(f"The answer should be one number; received {values.size} values.")
    return float(values[0])


def exercise(exercise_id: str) -> Callable:
    """Register ``func(answer) -> Feedback`` as the check for ``exercise_id`` (e.g. ``"02.1"``).

    Examples
    --------
    >>> @exercise("99.1")
    ... def _(answer):
    ...     return Feedback(answer == 42, "The answer is an integer below 50.")
    >>> check("99.1", 42)
    ✓ 99.1: correct.
    Verdict(correct=True)
    """

    if not isinstance(exercise_id, str) or not re.fullmatch(r"\d\d\.\d+", exercise_id):
        raise ValueError(_invalid("exercise_id", "a notebook number and an exercise number, e.g. '02.1'",
                                  exercise_id))

    def register(func: Callable[[object], Feedback]) -> Callable[[object], Feedback]:
        if exercise_id in _CHECKS:
            raise ValueError(f"Exercise {exercise_id!r} is registered twice.")
        _CHECKS[exercise_id] = func
        return func

    return register


def registered() -> list[str]:
    """The ids of all registered exercises, sorted."""
    return sorted(_CHECKS)


def check(exercise_id: str, answer: object) -> Verdict:
    """Print a verdict on ``answer`` for ``exercise_id``; return it as a truthy/falsy ``Verdict``.

    ``None`` (or ``...``) means "not answered yet". A check that raises on a malformed answer is
    reported as a wrong answer with the error's message, not as a traceback; so is an unknown
    ``exercise_id`` (the line lists the known ones).

    Examples
    --------
    >>> check("00.99", 1)  # doctest: +ELLIPSIS
    ? '00.99': no such exercise. Known ids: 00.1, ...
    Verdict(correct=False)
    """
    if not isinstance(exercise_id, str) or exercise_id not in _CHECKS:
        known = ", ".join(registered()) or "none"
        print(_cut(f"? {_short(exercise_id)}: no such exercise. Known ids: {known}."))
        return Verdict(False)
    if answer is None or answer is Ellipsis:
        print(f"○ {exercise_id}: not answered yet. Replace None with your answer and run the cell again.")
        return Verdict(False)
    try:
        feedback = _CHECKS[exercise_id](_bounded(answer))
        if not isinstance(feedback, Feedback):
            raise TypeError(f"the check returned {type(feedback).__name__}, not Feedback")
    except AnswerError as error:
        feedback = Feedback(False, str(error))
    except Exception as error:  # a malformed answer is feedback, not a crash
        feedback = Feedback(False, f"Could not check this answer ({type(error).__name__}: {error}).")
    if feedback.correct:
        print(f"✓ {exercise_id}: correct.")
    else:
        print(_cut(f"✗ {exercise_id}: not yet. {feedback.message}".rstrip()))
    return Verdict(feedback.correct)


def _bounded(answer: object) -> object:
    """An answer that is only iterable (a generator, ``map``, an endless iterator) as a list of at
    most :data:`ITEM_LIMIT` items; anything else as it is."""
    if isinstance(answer, str | bytes | Sized) or not isinstance(answer, Iterable):
        return answer
    items = list(itertools.islice(iter(answer), ITEM_LIMIT + 1))
    if len(items) > ITEM_LIMIT:
        raise AnswerError(
            f"The answer is an iterator with more than {ITEM_LIMIT} items (endless?): "
            "give a list, a tuple or a number instead."
        )
    return items


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def _cut(message: str) -> str:
    return message if len(message) <= MESSAGE_LIMIT else f"{message[:MESSAGE_LIMIT]}... (message cut)"
