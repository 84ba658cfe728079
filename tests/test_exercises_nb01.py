"""Tests for the checks of notebook 01's exercises (reglab/exercises/nb01.py).

The right answers are worked out here by hand from the exercise data, independently of the
checks (which ask Keras), so a test fails if either side drifts.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab import compat
from reglab.exercises import check, nb01, registered

# By hand: W = [[1, -2], [0, 3]] -> 0.01 * (1 + 4 + 0 + 9) = 0.14.
# Outputs sum to 0 + 2 + 1 + 0 + 0 + 3 + 4 + 0 = 10 -> 0.5 * 10 = 5.0 summed over the batch (Keras
# 3.0 to 3.13), 0.5 * 10 / 4 rows = 1.25 divided by the batch size (Keras 3.14 and later). The
# right answer is the installed Keras' convention (tests/test_compat.py checks the probe), the
# other one is wrong here.
SUMMED, DIVIDED = 5.0, 1.25
DIVIDES = compat.activity_divided_by_batch()
RIGHT = {"01.1": (3, 5), "01.2": 0.14, "01.3": DIVIDED if DIVIDES else SUMMED}
WRONG = {
    "01.1": [(5, 3), 15, "3x5"],
    "01.2": [0.07, np.sqrt(14) * 0.01, 0.28],
    # the other release's convention; a mean over all 8 entries
    "01.3": [SUMMED if DIVIDES else DIVIDED, 0.625, "a lot"],
}


def test_notebook_01_registers_three_exercises():
    assert {"01.1", "01.2", "01.3"} <= set(registered())


def test_exercise_data_matches_the_worked_numbers():
    assert 0.01 * np.sum(nb01.KERNEL**2) == pytest.approx(RIGHT["01.2"])
    assert nb01.ACTIVITY_L1 * np.sum(np.abs(nb01.OUTPUTS)) == pytest.approx(SUMMED)
    assert nb01.ACTIVITY_L1 * np.sum(np.abs(nb01.OUTPUTS)) / len(nb01.OUTPUTS) == pytest.approx(DIVIDED)
    assert nb01.ACTIVITY_L1 * np.mean(np.abs(nb01.OUTPUTS)) == pytest.approx(WRONG["01.3"][1])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_is_accepted(exercise_id, capsys):
    assert_accepted(exercise_id, RIGHT[exercise_id], capsys)


def test_answers_in_other_numeric_types_are_accepted():
    assert bool(check("01.1", [3, 5])) is True
    assert bool(check("01.2", np.float32(0.14))) is True
    assert bool(check("01.3", np.array(RIGHT["01.3"]))) is True


@pytest.mark.parametrize(
    ("exercise_id", "answer"), [(key, answer) for key, answers in WRONG.items() for answer in answers]
)
def test_wrong_answer_gets_a_hint_and_never_raises(exercise_id, answer, capsys):
    assert_rejected_with_hint(exercise_id, answer, capsys, min_hint_chars=0)

