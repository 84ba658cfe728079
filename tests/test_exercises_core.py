"""The exercise registry: verdicts are printed, never raised."""

from __future__ import annotations

import keras
import pytest

from reglab.exercises import Feedback, check, exercise, registered


def test_correct_wrong_and_unanswered(capsys):
    major = int(keras.__version__.split(".")[0])
    assert check("00.1", major)
    assert not check("00.1", major + 1)
    assert not check("00.1", None)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "✓ 00.1: correct."
    assert out[1].startswith("✗ 00.1: not yet. Read keras.__version__")
    assert out[2].startswith("○ 00.1: not answered yet.")


def test_a_check_that_raises_becomes_feedback(capsys):
    @exercise("99.9")
    def _(answer):
        return Feedback(len(answer) == 2)

    assert not check("99.9", 5)
    assert "Could not check this answer (TypeError" in capsys.readouterr().out


def test_unknown_id_prints_one_line_with_the_known_ids_and_duplicate_registration_is_an_error(capsys):
    assert not check("00.99", 1)  # check promises never to raise
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("? '00.99': no such exercise. Known ids: ") and "00.1, 01.1" in line
    with pytest.raises(ValueError, match="registered twice"):
        exercise("00.1")(lambda answer: Feedback(True))
    assert "00.1" in registered()


def test_the_verdict_displays_nothing_in_a_notebook():
    verdict = check("00.1", None)
    assert verdict == False  # noqa: E712  (a Verdict compares equal to the bool it stands for)
    assert verdict._ipython_display_() is None
    assert repr(verdict) == "Verdict(correct=False)"


@pytest.mark.parametrize("exercise_id", [i for i in registered() if not i.startswith("99.")])
def test_every_registered_exercise_treats_none_as_not_answered(exercise_id, capsys):
    assert not check(exercise_id, None)
    assert "not answered yet" in capsys.readouterr().out
