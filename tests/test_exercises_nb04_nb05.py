"""Tests for the checks of notebooks 04 and 05 (reglab/exercises/nb04.py, nb05.py).

The right answers are worked out here by hand from the exercise data, independently of the
checks (which run reglab.metrics or iterate reglab.updates), so a test fails if either side drifts.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab.exercises import check, nb04, nb05, registered

# 04.1: |w| <= 1e-3 for 0, 3e-4, 0, 1e-6, -9e-4, 0 -> 6 of 10 (the exact zeros alone are 3 of 10).
# 04.2: selected (|w| > 0.01): indices 0, 4, 5, 7 -> 3 of 4 are true (0, 4, 5); 3 of the 4 true
#       (0, 4, 5, 8) are selected -> precision 0.75, recall 0.75.
# 04.3: 0.52 -> 0.47 -> 0.41 -> 0.44 (worse): stop at 1e-4, although 1e-2 (0.33) is lower.
# 05.1: b = 6 / (1 + 0.5) = 4.
# 05.2: b = 6 - 3 / 2 = 4.5 (soft threshold at λ/2).
# 05.3: 1 / (1 + λ) = 1/2 -> λ = 1, for any number of examples.
RIGHT = {"04.1": 0.6, "04.2": (0.75, 0.75), "04.3": 1e-4, "05.1": 4.0, "05.2": 4.5, "05.3": 1.0}
WRONG = {
    "04.1": [0.3, 0.5, 6, "six tenths"],  # 0.3: exact zeros only; 0.5: |w| < TOL with a strict inequality
    "04.2": [(1.0, 0.75), (0.75, 1.0), 0.75, (0.6, 0.75)],
    "04.3": [1e-2, 1e-3, 0.0],  # 1e-2: the best of the table, not where the greedy rule stops
    "05.1": [6.0, 3.0, 6 / (1 + 0.5 / 1000)],  # the last: a summed data loss over 1000 examples
    "05.2": [3.0, 6 / 4, 4.0],  # 3.0: subtracting λ instead of λ/2
    "05.3": [1000.0, 0.5, 2.0],
}


def test_notebooks_04_and_05_register_three_exercises_each():
    assert {"04.1", "04.2", "04.3", "05.1", "05.2", "05.3"} <= set(registered())


def test_exercise_data_matches_the_worked_numbers():
    assert np.mean(np.abs(nb04.WEIGHTS) <= nb04.TOL) == pytest.approx(RIGHT["04.1"])
    selected = set(np.flatnonzero(np.abs(nb04.ESTIMATE) > nb04.SUPPORT_TOL))
    true = set(nb04.TRUE_SUPPORT.tolist())
    assert (len(selected & true) / len(selected), len(selected & true) / len(true)) == RIGHT["04.2"]
    assert nb05.B_OLS / (1 + nb05.L2_LAMBDA) == pytest.approx(RIGHT["05.1"])
    assert nb05.B_OLS - nb05.L1_LAMBDA / 2 == pytest.approx(RIGHT["05.2"])


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_is_accepted(exercise_id, capsys):
    assert_accepted(exercise_id, RIGHT[exercise_id], capsys)


def test_answers_in_other_numeric_types_are_accepted():
    assert bool(check("04.1", np.float32(0.6))) is True
    assert bool(check("04.2", np.array([0.75, 0.75]))) is True
    assert bool(check("04.3", 0.0001)) is True
    assert bool(check("05.1", np.float64(4.0))) is True


@pytest.mark.parametrize(
    ("exercise_id", "answer"), [(key, a) for key, answers in WRONG.items() for a in answers]
)
def test_wrong_answer_gets_a_hint_and_never_raises(exercise_id, answer, capsys):
    assert_rejected_with_hint(exercise_id, answer, capsys)


def test_hints_point_at_the_likely_mistake(capsys):
    check("04.1", 0.3)
    assert "Counting only the exact zeros gives 0.3" in capsys.readouterr().out
    check("04.3", 1e-2)
    assert "greedy rule" in capsys.readouterr().out
    check("05.1", 6 / (1 + 0.5 / 1000))
    assert "mean" in capsys.readouterr().out
    check("05.3", 1000.0)
    assert "N_SAMPLES plays no part" in capsys.readouterr().out

