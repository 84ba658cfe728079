"""Tests for the checks of notebooks 02 and 03 (reglab/exercises/nb02.py, nb03.py).

The right answers are worked out here by hand from the exercise data, independently of the
checks (which run Keras or reglab.updates), so a test fails if either side drifts.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab.exercises import check, nb02, nb03, registered


# 02.1: |W| sums to 0.5 + 1 + 2 + 0 = 3.5, W² to 0.25 + 1 + 4 + 0 = 5.25 -> 0.07 + 0.2625.
# 02.2: per weight, soft threshold at λ/2 = 1.25: 3 -> 1.75, 1 -> 0.
# 02.3: minimiser 2 / (1 + λ) = 1 at λ = 1.
# 03.1: 1 - 2 · 0.1 · 0.05 = 0.99.
# 03.2: 0.35 -> 0.25 -> 0.15 -> 0.05 -> 0: four steps.
# 03.3: first Adam step: m = 0.1 g, v = 0.001 g², α = lr · sqrt(0.001) / 0.1, so each weight
#       moves lr · 0.1|g| · sqrt(0.001)/0.1 / (sqrt(0.001)|g| + ε) towards 0 (g = 2λw).
def _adam_by_hand(w, lr, lam, eps=1e-7):
    g = 2 * lam * w
    return w - lr * np.sqrt(0.001) * g / (np.sqrt(0.001) * np.abs(g) + eps)


RIGHT = {
    "02.1": 0.07 + 0.2625,
    "02.2": [1.75, 0.0],
    "02.3": 1.0,
    "03.1": 0.99,
    "03.2": 4,
    "03.3": _adam_by_hand(np.array([1.0, 0.01]), 0.01, 0.1),
}
WRONG = {
    "02.1": [0.07, 0.2625, 0.3325 / 2, "0.33"],
    "02.2": [[3.0, 1.0], [1.75, 1.0], [0.5, 0.0], 1.75],
    "02.3": [0.5, 2.0, 0.0],
    "03.1": [0.995, 0.9, 1.0],  # 0.995: the update with a 1/2 convention
    "03.2": [3, 5, 4.0, 3.5],  # 4.0: a float count is not accepted
    "03.3": [[0.99, 0.01], [0.99, 0.0], [0.998, 0.0098]],  # eps matters for the small weight
}


def test_notebooks_02_and_03_register_three_exercises_each():
    assert {"02.1", "02.2", "02.3", "03.1", "03.2", "03.3"} <= set(registered())


def test_exercise_data_matches_the_worked_numbers():
    assert nb02.L1_FACTOR * np.abs(nb02.KERNEL).sum() + nb02.L2_FACTOR * (nb02.KERNEL**2).sum() == (
        pytest.approx(RIGHT["02.1"])
    )
    assert np.maximum(nb02.LOSS_MINIMUM - nb02.L1_LAMBDA / 2, 0) == pytest.approx(RIGHT["02.2"])
    assert 1 - 2 * nb03.SHRINK_LR * nb03.SHRINK_LAMBDA == pytest.approx(RIGHT["03.1"])
    assert np.ceil(nb03.PROX_W0 / (nb03.PROX_LR * nb03.PROX_LAMBDA)) == RIGHT["03.2"]


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_is_accepted(exercise_id, capsys):
    assert_accepted(exercise_id, RIGHT[exercise_id], capsys)


def test_answers_in_other_numeric_types_are_accepted():
    assert bool(check("02.1", np.float32(0.3325))) is True
    assert bool(check("02.2", np.array([[1.75], [0.0]]))) is True
    assert bool(check("03.2", np.int64(4))) is True


@pytest.mark.parametrize(
    ("exercise_id", "answer"), [(key, a) for key, answers in WRONG.items() for a in answers]
)
def test_wrong_answer_gets_a_hint_and_never_raises(exercise_id, answer, capsys):
    assert_rejected_with_hint(exercise_id, answer, capsys)

