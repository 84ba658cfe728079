"""What every exercise check must do, shared by the per-notebook tests (tests/test_exercises_*.py)."""

from __future__ import annotations

from reglab.exercises import check


def assert_accepted(exercise_id: str, answer: object, capsys) -> None:
    """A right answer is truthy and prints the ✓ line."""
    assert bool(check(exercise_id, answer)) is True
    assert capsys.readouterr().out.startswith(f"✓ {exercise_id}")


def assert_rejected_with_hint(exercise_id: str, answer: object, capsys, *, min_hint_chars: int = 20) -> None:
    """A wrong answer is falsy, never raises, and prints ✗ followed by a hint of some substance."""
    assert bool(check(exercise_id, answer)) is False
    out = capsys.readouterr().out
    prefix = f"✗ {exercise_id}: not yet."
    assert out.startswith(prefix)
    assert len(out.strip()) > len(prefix) + min_hint_chars
