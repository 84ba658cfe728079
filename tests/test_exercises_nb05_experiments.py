"""Tests for the open-ended check of notebook 05 (reglab/exercises/nb05.py, 05.4).

The right answer is computed here with the closed form of the notebook (the two normal equations)
and by training a Keras model, independently of the check (one least-squares problem).
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
from exercise_assertions import assert_accepted, assert_rejected_with_hint

from reglab.exercises import check, nb05


def _closed_form(intercept, x_mean, lam_b):
    x, y = (a[:, 0].astype(np.float64) for a in nb05.experiment_data(intercept, x_mean))
    a = np.array([[np.mean(x * x), x.mean()], [x.mean(), 1.0 + lam_b]])
    return np.linalg.solve(a, [np.mean(x * y), y.mean()])


@pytest.mark.parametrize(("intercept", "x_mean", "lam_b"),
                         [(10.0, 0.0, 1.0), (10.0, 2.0, 0.3), (-4.0, 5.0, 0.0)])
def test_the_closed_form_prediction_is_accepted(intercept, x_mean, lam_b, capsys):
    b = _closed_form(intercept, x_mean, lam_b)[1]
    assert_accepted("05.4", (intercept, x_mean, lam_b, b), capsys)


def test_a_trained_keras_bias_is_accepted():
    x, y = nb05.experiment_data(8.0, 1.0)
    layer = keras.layers.Dense(1, bias_regularizer=keras.regularizers.L2(0.5))
    model = keras.Sequential([keras.Input((1,)), layer])
    model.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.7), loss="mse")
    model.fit(x, y, epochs=150, batch_size=len(x), verbose=0)
    b = float(model.layers[0].bias.numpy()[0])
    assert abs(b - _closed_form(8.0, 1.0, 0.5)[1]) < 1e-3
    assert bool(check("05.4", (8.0, 1.0, 0.5, b))) is True


def test_the_centred_formula_on_uncentred_inputs_gets_the_tilt_hint(capsys):
    _, y = nb05.experiment_data(10.0, 2.0)
    check("05.4", (10.0, 2.0, 0.5, float(y.mean()) / 1.5))
    assert "tilts" in capsys.readouterr().out


@pytest.mark.parametrize("answer", [(10.0, 0.0, 1.0, 10.0), (10.0, 0.0, 1.0), (1e9, 0.0, 1.0, 0.0),
                                    (10.0, 0.0, -1.0, 5.0)])
def test_wrong_or_malformed_experiments_get_a_hint(answer, capsys):
    assert_rejected_with_hint("05.4", answer, capsys)


def test_the_data_repeat_and_follow_the_arguments():
    x1, y1 = nb05.experiment_data(3.0, 1.0)
    x2, y2 = nb05.experiment_data(3.0, 1.0)
    assert np.array_equal(x1, x2) and np.array_equal(y1, y2)
    assert abs(nb05.experiment_data(3.0, 4.0)[0].mean() - 4.0) < 0.3
