"""Tests for the checks of notebook 08 (reglab/exercises/nb08.py).

The right answers are worked out here by hand from the exercise data, independently of the checks
(which ask numpy's float16, reglab.devices and reglab.objective), so a test fails if either side
drifts.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab.exercises import check, nb08, registered

# 08.1: 3e-9 is below float16's smallest subnormal (2**-24 ≈ 6e-8): 0. Scaled: 3e-9 · 32768 ≈ 9.83e-5,
#       a normal float16 (rounded to 11 significant bits), then / 32768 ≈ 3e-9 again.
# 08.2: two GPUs -> MirroredStrategy; the K80 (3.7) has no tensor cores -> float32 for all.
# 08.3: encoder: kernel (L1) and activity (L2); head: bias (L2).
# 08.4: replica 0 takes samples 0, 3, 6, 9, 12 of 13; each of 3 replicas adds 1/3 of a kernel penalty.
SCALED = float(np.float16(3e-9 * 2**15)) / 2**15
RIGHT = {
    "08.1": (0.0, SCALED),
    "08.2": ("mirrored", "float32"),
    "08.3": ["penalty/encoder/kernel", "penalty/encoder/activity", "penalty/head/bias"],
    "08.4": (5 / 13, 1 / 3),
}
WRONG = {
    "08.1": [(3e-9, SCALED), (0.0, 0.0), (0.0, 3e-9 * 2**15), 0.0],
    "08.2": [("mirrored", "mixed_float16"), ("one_device", "float32"), ("default", "float32")],
    "08.3": [
        ["penalty/encoder/kernel", "penalty/head/bias"],  # the activity term forgotten
        ["penalty", "penalty/encoder/kernel", "penalty/encoder/activity", "penalty/head/bias"],
        ["penalty/encoder/kernel", "penalty/encoder/activity", "penalty/head/kernel"],
        "penalty/encoder/kernel",
    ],
    "08.4": [(4 / 13, 1 / 3), (5 / 13, 1.0), (1 / 3, 1 / 3)],
}


def test_notebook_08_registers_five_exercises():
    assert {"08.1", "08.2", "08.3", "08.4", "08.5"} <= set(registered())


def test_exercise_data_matches_the_worked_numbers():
    assert nb08.GRADIENT * nb08.LOSS_SCALE == pytest.approx(3e-9 * 32768)
    assert nb08.GRADIENT < 2.0**-25 < 6e-5 < nb08.GRADIENT * nb08.LOSS_SCALE  # rounds to 0 / normal
    assert [gpu.compute_capability for gpu in nb08.REPORT.gpus] == [(3, 7), (7, 5)]
    assert (nb08.GLOBAL_BATCH, nb08.REPLICAS) == (13, 3)
    layers = nb08.exercise_model().layers
    assert [layer.name for layer in layers] == ["encoder", "head"]


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_is_accepted(exercise_id, capsys):
    assert_accepted(exercise_id, RIGHT[exercise_id], capsys)


def test_answers_in_other_forms_are_accepted():
    assert bool(check("08.1", np.array([0.0, 3e-9]))) is True  # the exact value is within float16's rounding
    assert bool(check("08.2", ("MirroredStrategy", "float32"))) is True
    assert bool(check("08.3", set(RIGHT["08.3"]))) is True
    assert bool(check("08.3", tuple(reversed(RIGHT["08.3"])))) is True
    assert bool(check("08.4", [np.float32(5 / 13), 1 / 3])) is True


@pytest.mark.parametrize(
    ("exercise_id", "answer"), [(key, answer) for key, answers in WRONG.items() for answer in answers]
)
def test_wrong_answer_gets_a_hint_and_never_raises(exercise_id, answer, capsys):
    assert_rejected_with_hint(exercise_id, answer, capsys)


@pytest.mark.parametrize(("exercise_id", "answer"), [("08.1", "zero"), ("08.2", "mirrored"), ("08.4", [1])])
def test_malformed_answers_are_feedback_not_errors(exercise_id, answer, capsys):
    assert bool(check(exercise_id, answer)) is False
    assert capsys.readouterr().out.startswith(f"✗ {exercise_id}: not yet.")



# 08.5, open-ended: the reader picks samples, batch size and replicas. By hand:
# 1259 in 32s: 39 full batches and 11 left (40 steps), split 6 / 5 on 2 replicas;
# 500 in 48s: 10 full and 20 left (11 steps), 10 / 10; 100 in 100s on 3 replicas: 1 step, 34 / 33 / 33;
# 13 in 5s on 1 replica: 3 steps, the last of 3.
EXPERIMENTS = [
    {"samples": 1259, "batch_size": 32, "replicas": 2, "steps_per_epoch": 40, "last_step": [6, 5]},
    {"samples": 500, "batch_size": 48, "replicas": 2, "steps_per_epoch": 11, "last_step": [10, 10]},
    {"samples": 100, "batch_size": 100, "replicas": 3, "steps_per_epoch": 1, "last_step": (34, 33, 33)},
    {"samples": 13, "batch_size": 5, "replicas": 1, "steps_per_epoch": 3, "last_step": 3},
]


@pytest.mark.parametrize("answer", EXPERIMENTS,
                         ids=lambda a: f"{a['samples']}-{a['batch_size']}-{a['replicas']}")
def test_08_5_accepts_the_right_prediction_for_any_experiment(answer, capsys):
    assert_accepted("08.5", answer, capsys)


def test_08_5_accepts_numpy_numbers():
    answer = {**EXPERIMENTS[0], "steps_per_epoch": np.int64(40), "last_step": np.array([6, 5])}
    assert bool(check("08.5", answer)) is True


@pytest.mark.parametrize(
    "change",
    [
        {"steps_per_epoch": 39},  # the last, smaller batch forgotten
        {"last_step": [5, 6]},  # replica 0 takes samples 0, 2, 4, ...: the extra one
        {"last_step": [16, 16]},  # a full batch's split
        {"last_step": [6, 5, 0]},  # one number per replica
        {"replicas": 3},  # the prediction was for 2
    ],
)
def test_08_5_rejects_a_wrong_prediction_with_a_hint(change, capsys):
    assert_rejected_with_hint("08.5", {**EXPERIMENTS[0], **change}, capsys)


@pytest.mark.parametrize(
    "answer",
    [
        [40, [6, 5]],
        {"steps_per_epoch": 40, "last_step": [6, 5]},  # the settings left out
        {**EXPERIMENTS[0], "batch_size": 0},
        {**EXPERIMENTS[0], "batch_size": 2000},
        {**EXPERIMENTS[0], "replicas": True},
        {**EXPERIMENTS[0], "steps_per_epoch": True},
        {**EXPERIMENTS[0], "last_step": "six and five"},
    ],
)
def test_08_5_malformed_answers_are_feedback_not_errors(answer, capsys):
    assert bool(check("08.5", answer)) is False
    assert capsys.readouterr().out.startswith("✗ 08.5: not yet.")


def test_replica_split_matches_the_engine_rule():
    assert nb08.replica_split(1259, 32, 2) == (40, [6, 5])
    assert nb08.replica_split(13, 13, 3) == (1, [5, 4, 4])  # 08.4's batch: one step
