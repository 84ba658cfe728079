"""Tests for the checks of notebooks 06 and 07 (reglab/exercises/nb06.py, nb07.py).

The right answers are worked out here by hand from the exercise data, independently of the checks
(which ask Keras and reglab.metrics), so a test fails if either side drifts.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab import compat
from reglab.exercises import check, nb06, nb07, registered


def _kl(rho: float, q: float) -> float:
    return rho * math.log(rho / q) + (1 - rho) * math.log((1 - rho) / (1 - q))


# 06.1 and 06.2 depend on the release: Keras 3.0 to 3.13 add the activity penalty summed over the
# batch, 3.14 and later divide it by the batch size. The right answer is the installed Keras'
# convention (tests/test_compat.py checks the probe), the other one is wrong here.
# 06.1: every sample outputs (3, 0, 4): 0.05 * (9 + 0 + 16) = 1.25 per sample; the batch mean is the
#       same (divided); the sum over the 8 samples is 10.0 (summed).
# 06.2: the negative entries of Z are -2, -1, -0.5, -4, -3: 0.1 * 10.5 = 1.05 (summed),
#       / 4 samples = 0.2625 (divided).
# 06.3: 64 * 16 = 1024 entries of c²: 1024 * 7² = 50176 is finite, 1024 * 8² = 65536 > 65504 overflows.
# 07.1: entries <= 0.1: 4 in each of the three rows -> 12 of 18.
# 07.2: column means (0.2, 0.075); 0.5 * (KL(0.1 || 0.2) + KL(0.1 || 0.075)).
# 07.3: all 16 values 0.05 <= 0.1 -> sparsity 1; all equal -> Hoyer 0.
DIVIDES = compat.activity_divided_by_batch()
EQUAL_ROWS = {"summed": 10.0, "divided": 1.25}
BEFORE_MINUS_AFTER = {"summed": 1.05, "divided": 0.2625}
INSTALLED, OTHER = ("divided", "summed") if DIVIDES else ("summed", "divided")
RIGHT = {
    "06.1": EQUAL_ROWS[INSTALLED],
    "06.2": BEFORE_MINUS_AFTER[INSTALLED],
    "06.3": 8,
    "07.1": 12 / 18,
    "07.2": 0.5 * (_kl(0.1, 0.2) + _kl(0.1, 0.075)),
    "07.3": (1.0, 0.0),
}
WRONG = {
    # the other release's convention; the batch mean divided by B again; a mean over the 3 units too
    "06.1": [EQUAL_ROWS[OTHER], EQUAL_ROWS["divided"] / nb06.BATCH, RIGHT["06.1"] / 3],
    # the other release's convention; divided by all 12 entries; after - before
    "06.2": [BEFORE_MINUS_AFTER[OTHER], 0.0875, -RIGHT["06.2"]],
    "06.3": [7, 9, 8.5, 256],
    "07.1": [0.5, 6 / 18, 12],
    "07.2": [0.5 * (_kl(0.1, 0.2) + _kl(0.1, 0.075)) / 4, 0.0],  # Keras' division not cancelled
    "07.3": [(0.0, 0.0), (1.0, 1.0), 1.0],
}


def test_notebooks_06_and_07_register_three_exercises_each():
    assert {"06.1", "06.2", "06.3", "07.1", "07.2", "07.3"} <= set(registered())


def test_exercise_data_matches_the_worked_numbers():
    assert nb06.ACTIVITY_L2 * np.sum(nb06.ROW**2) == pytest.approx(EQUAL_ROWS["divided"])
    assert nb06.ACTIVITY_L2 * np.sum(nb06.ROW**2) * nb06.BATCH == pytest.approx(EQUAL_ROWS["summed"])
    negative = -nb06.Z[nb06.Z < 0].sum()
    assert nb06.ACTIVITY_L1 * negative == pytest.approx(BEFORE_MINUS_AFTER["summed"])
    assert nb06.ACTIVITY_L1 * negative / len(nb06.Z) == pytest.approx(BEFORE_MINUS_AFTER["divided"])
    assert nb06.ACTIVITY_L1 * negative / nb06.Z.size == pytest.approx(WRONG["06.2"][1])
    entries = nb06.FP16_BATCH * nb06.FP16_UNITS
    assert entries * 7**2 < 65504 < entries * 8**2
    assert np.mean(np.abs(nb07.CODES) <= nb07.TOL) == pytest.approx(RIGHT["07.1"])
    assert nb07.KL_CODES.mean(axis=0) == pytest.approx([0.2, 0.075])
    assert (nb07.KL_TARGET, nb07.KL_WEIGHT) == (0.1, 0.5)
    assert nb07.FLAT_VALUE <= nb07.TOL


@pytest.mark.parametrize("exercise_id", sorted(RIGHT))
def test_right_answer_is_accepted(exercise_id, capsys):
    assert_accepted(exercise_id, RIGHT[exercise_id], capsys)


def test_answers_in_other_numeric_types_are_accepted():
    assert bool(check("06.1", np.float32(RIGHT["06.1"]))) is True
    assert bool(check("06.3", np.int64(8))) is True
    assert bool(check("06.3", 8.0)) is True
    assert bool(check("07.1", np.array(2 / 3))) is True
    assert bool(check("07.3", [1, 0])) is True


@pytest.mark.parametrize(
    ("exercise_id", "answer"), [(key, answer) for key, answers in WRONG.items() for answer in answers]
)
def test_wrong_answer_gets_a_hint_and_never_raises(exercise_id, answer, capsys):
    assert_rejected_with_hint(exercise_id, answer, capsys)


@pytest.mark.parametrize("answer", ["eight", [8, 8]])
def test_malformed_answers_are_feedback_not_errors(answer, capsys):
    assert bool(check("06.3", answer)) is False
    assert capsys.readouterr().out.startswith("✗ 06.3: not yet.")



# --- 06.4 and 07.4: open-ended, checked against the reader's own model ----------------------------
# The expected values are computed here by hand from the model's weights (numpy), independently of
# the checks (which read what Keras recorded); untrained models suffice, the check does not train.
IMAGES = np.random.default_rng(0).uniform(size=(16, 64)).astype("float32")


def _reader_classifier(placement):
    import keras

    from reglab.models import activity_model

    return activity_model(64, 8, "relu", keras.regularizers.L1(0.01), placement, outputs=10, seed=0)


@pytest.mark.parametrize("placement", ["after", "before"])
def test_06_4_accepts_the_hand_computed_term_of_either_placement(placement, capsys):
    model = _reader_classifier(placement)
    W, b = model.get_layer("dense").get_weights()
    z = IMAGES.astype("float64") @ W + b
    seen = np.abs(z) if placement == "before" else np.maximum(z, 0.0)
    term = 0.01 * seen.sum() * (1 / len(IMAGES) if DIVIDES else 1.0)
    assert_accepted("06.4", (model, IMAGES, term), capsys)
    other = np.maximum(z, 0.0) if placement == "before" else np.abs(z)  # the other placement's term
    wrong = 0.01 * other.sum() * (1 / len(IMAGES) if DIVIDES else 1.0)
    assert_rejected_with_hint("06.4", (model, IMAGES, wrong), capsys)
    assert_rejected_with_hint("06.4", (model, IMAGES, term * (16 if DIVIDES else 1 / 16)), capsys)


@pytest.mark.parametrize("answer", [0.1, (None, IMAGES, 0.1), "model"])
def test_06_4_malformed_answers_are_feedback(answer, capsys):
    assert_rejected_with_hint("06.4", answer, capsys)


def test_06_4_a_model_without_activity_penalty_gets_a_hint(capsys):
    from reglab.models import activity_model

    assert_rejected_with_hint("06.4", (activity_model(64, 8, outputs=10), IMAGES, 0.0), capsys)


def test_07_4_accepts_the_mean_of_the_readers_codes(capsys):
    from reglab.models import autoencoder
    from reglab.regularizers import KLSparsity

    ae = autoencoder(64, 16, "sigmoid", activity_regularizer=KLSparsity(0.2, 0.1), seed=0)
    W, b = ae.encoder.get_layer("code").get_weights()
    mean = np.mean(1.0 / (1.0 + np.exp(-(IMAGES.astype("float64") @ W + b))))  # sigmoid code
    assert_accepted("07.4", (ae.encoder, IMAGES, mean), capsys)
    assert_rejected_with_hint("07.4", (ae.encoder, IMAGES, 0.2), capsys)  # the target, not the mean
    assert_rejected_with_hint("07.4", (ae.encoder, IMAGES, mean * 1.01), capsys)


@pytest.mark.parametrize("answer", [0.05, ("encoder", IMAGES, 0.05)])
def test_07_4_malformed_answers_are_feedback(answer, capsys):
    assert_rejected_with_hint("07.4", answer, capsys)


def test_07_4_an_encoder_without_kl_sparsity_gets_a_hint(capsys):
    from reglab.models import autoencoder

    assert_rejected_with_hint("07.4", (autoencoder(64, 16, "sigmoid", seed=0).encoder, IMAGES, 0.5), capsys)
