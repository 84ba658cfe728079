"""The registry and the ``check`` function behind every exercise."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

_CHECKS: dict[str, Callable[[object], Feedback]] = {}


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
    return math.isclose(float(np.asarray(answer)), expected, rel_tol=rel_tol, abs_tol=abs_tol)


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
    reported as a wrong answer with the error's message, not as a traceback.
    """
    if exercise_id not in _CHECKS:
        known = ", ".join(registered()) or "none"
        raise KeyError(f"Unknown exercise id {exercise_id!r}; known ids: {known}.")
    if answer is None or answer is Ellipsis:
        print(f"○ {exercise_id}: not answered yet. Replace None with your answer and run the cell again.")
        return Verdict(False)
    try:
        feedback = _CHECKS[exercise_id](answer)
    except Exception as error:  # a malformed answer is feedback, not a crash
        feedback = Feedback(False, f"Could not check this answer ({type(error).__name__}: {error}).")
    if feedback.correct:
        print(f"✓ {exercise_id}: correct.")
    else:
        print(f"✗ {exercise_id}: not yet. {feedback.message}".rstrip())
    return Verdict(feedback.correct)
