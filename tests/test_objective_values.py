"""reglab.objective's float view: penalty_values (reglab.dense.penalty_terms), training_objective.

Moved from tests/test_dense.py with their assertions: the functions now live in reglab.objective.
"""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
from objective_fixtures import ATOL, RTOL, _data, _regularized_model, _seed  # noqa: F401  (fixture)

from reglab.compat import activity_divided_by_batch, activity_scale
from reglab.dense import forward
from reglab.objective import Objective, PenaltyTerm, training_objective
from reglab.objective import penalty_values as penalty_terms

# --- penalty_values (reglab.dense.penalty_terms) -----------------------------------------------


def test_penalty_terms_before_a_call_are_the_weight_terms_recomputed_by_hand():
    model = _regularized_model()
    hidden, out = model.get_layer("hidden"), model.get_layer("out")
    w, b, w_out = (keras.ops.convert_to_numpy(v) for v in (hidden.kernel, hidden.bias, out.kernel))
    terms = penalty_terms(model)
    assert [(t.layer, t.kind) for t in terms] == [
        ("hidden", "kernel"),
        ("hidden", "bias"),
        ("out", "kernel"),
    ]  # no activity term yet: it is recorded by a call on data; 'plain' has no regularizer
    by_hand = [0.1 * np.sum(w**2), 0.2 * np.sum(np.abs(b)), 0.01 * np.sum(np.abs(w_out))]
    np.testing.assert_allclose([t.value for t in terms], by_hand, rtol=RTOL)
    np.testing.assert_allclose(
        [t.value for t in terms], [float(v) for v in model.losses], rtol=RTOL
    )


def test_activity_term_is_on_the_output_after_activation_scaled_as_keras_does():
    model = _regularized_model()
    x, _ = _data(n=8)
    model(x)
    hidden = model.get_layer("hidden")
    w, b = (keras.ops.convert_to_numpy(v) for v in (hidden.kernel, hidden.bias))
    terms = penalty_terms(model)
    assert [t.kind for t in terms] == ["activity", "kernel", "bias", "kernel"]
    scale = activity_scale(len(x))  # 1 / batch size on Keras 3.14 and later, else 1
    after = 0.05 * np.sum(np.abs(forward(x, w, b, activation="relu"))) * scale
    before = 0.05 * np.sum(np.abs(forward(x, w, b))) * scale
    assert terms[0] == PenaltyTerm("hidden", "activity", pytest.approx(after, rel=RTOL))
    assert not np.isclose(terms[0].value, before, rtol=1e-3)
    # Term by term, in the same order, the values Keras lists in model.losses.
    np.testing.assert_allclose(
        [t.value for t in terms], [float(v) for v in model.losses], rtol=RTOL
    )


def test_penalty_terms_of_a_single_layer_and_a_nested_model():
    layer = keras.layers.Dense(
        2, kernel_initializer="ones", kernel_regularizer=keras.regularizers.L2(0.1), name="solo"
    )
    layer.build((None, 3))
    assert penalty_terms(layer) == [PenaltyTerm("solo", "kernel", pytest.approx(0.6, rel=RTOL))]
    inner = keras.Sequential([keras.Input((3,)), layer], name="inner")
    outer = keras.Sequential([keras.Input((3,)), inner, keras.layers.Dense(1, name="head")])
    assert [(t.layer, t.kind) for t in penalty_terms(outer)] == [("solo", "kernel")]


def test_frozen_layer_loses_its_weight_terms_like_model_losses():
    model = _regularized_model()
    model.get_layer("hidden").trainable = False
    terms = penalty_terms(model)
    assert [(t.layer, t.kind) for t in terms] == [("out", "kernel")]
    assert len(model.losses) == 1


def test_add_loss_terms_are_reported_as_added():
    class Penalised(keras.layers.Layer):
        def call(self, x):
            self.add_loss(keras.ops.sum(x))
            return x

    model = keras.Sequential([keras.Input((2,)), Penalised(name="custom")])
    model(np.ones((3, 2), "float32"))
    assert penalty_terms(model) == [PenaltyTerm("custom", "added", 6.0)]


def test_penalty_terms_after_a_compiled_step_ask_for_an_eager_call():
    model = _regularized_model()
    x, y = _data()
    model.compile(optimizer="sgd", loss="mse")
    model.predict(x, verbose=0)  # leaves a symbolic activity term behind
    with pytest.raises(ValueError, match="activity term of layer 'hidden' was recorded inside"):
        penalty_terms(model)
    model(x)
    assert len(penalty_terms(model)) == 4


def test_penalty_terms_rejects_what_is_not_a_layer():
    with pytest.raises(TypeError, match=re.escape("expected a Keras layer or model. Received:")):
        penalty_terms([1.0, 2.0])


# --- training_objective ------------------------------------------------------------------------


def test_training_objective_equals_evaluate_and_compute_loss():
    model = _regularized_model()
    x, y = _data(n=8)
    model.compile(optimizer="sgd", loss="mse")
    objective = training_objective(model, x, y, "mse")
    assert isinstance(objective, Objective)
    assert objective.total == pytest.approx(objective.data_loss + objective.penalty)
    assert objective.penalty > 0
    # evaluate reports data loss + penalties, for one batch and for several: the mean of the
    # batches' objectives, weighted by their size. Where Keras divides the activity term by each
    # batch's size (3.14 and later) that equals the one-batch objective; where it adds the sum
    # (3.0 to 3.13) it does not.
    assert model.evaluate(x, y, batch_size=8, verbose=0) == pytest.approx(objective.total, rel=RTOL)
    starts = range(0, len(x), 3)
    per_batch = [training_objective(model, x[i : i + 3], y[i : i + 3], "mse").total for i in starts]
    weighted = float(np.average(per_batch, weights=[len(x[i : i + 3]) for i in starts]))
    reported = model.evaluate(x, y, batch_size=3, verbose=0)
    assert reported == pytest.approx(weighted, rel=RTOL)
    if activity_divided_by_batch():
        assert reported == pytest.approx(objective.total, rel=RTOL)
    else:
        assert reported != pytest.approx(objective.total, rel=1e-3)
    y_pred = model(x)
    assert float(model.compute_loss(x, y, y_pred, training=False)) == pytest.approx(
        objective.total, rel=RTOL
    )
    assert objective.data_loss == pytest.approx(
        float(np.mean((keras.ops.convert_to_numpy(y_pred) - y) ** 2)), rel=RTOL
    )


def test_training_objective_accepts_loss_objects_and_functions():
    model = _regularized_model()
    x, y = _data()
    by_name = training_objective(model, x, y, "mse")
    by_object = training_objective(model, x, y, keras.losses.MeanSquaredError())
    by_function = training_objective(model, x, y, lambda t, p: (t - p) ** 2)
    assert by_object == pytest.approx(by_name, rel=RTOL)
    assert by_function == pytest.approx(by_name, rel=RTOL)


@pytest.mark.parametrize(
    ("model", "x", "y", "loss_fn", "error", "message"),
    [
        (
            "model",
            np.ones((2, 3)),
            np.ones((2, 1)),
            "mse",
            TypeError,
            "Invalid value for argument model: expected a Keras layer or model. "
            "Received: model='model'",
        ),
        (
            None,
            np.ones((2, 3)),
            np.ones((3, 1)),
            "mse",
            ValueError,
            "Shape mismatch: x has shape (2, 3) but y has shape (3, 1); "
            "expected the same number of rows (one target per input).",
        ),
        (
            None,
            np.ones((2, 3)),
            np.ones((2, 1)),
            0.5,
            TypeError,
            "Invalid value for argument loss_fn: expected a Keras loss name or a callable. "
            "Received: loss_fn=0.5",
        ),
        (
            None,
            np.ones((0, 3)),
            np.ones((0, 1)),
            "mse",
            ValueError,
            "Invalid value for argument x: expected a non-empty array.",
        ),
    ],
)
def test_training_objective_errors(model, x, y, loss_fn, error, message):
    model = _regularized_model() if model is None else model
    with pytest.raises(error, match=re.escape(message)):
        training_objective(model, x, y, loss_fn)
