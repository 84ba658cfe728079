"""Checks for the exercises of notebooks/06-activity-regularization.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Every check computes its expected answer with the
installed Keras (the term an activity regularizer records, float16 arithmetic), not from a
stored number.
"""

from __future__ import annotations

import numpy as np

from reglab import compat
from reglab.exercises._core import Feedback, close, exercise, number

ROW = np.array([3.0, 0.0, 4.0])
BATCH = 8
ACTIVITY_L2 = 0.05
"""06.1: every one of the ``BATCH`` samples of a batch has the output ``ROW``; L2 activity penalty."""

Z = np.array([[1.0, -2.0, 0.5], [-1.0, 3.0, -0.5], [2.0, -4.0, 0.0], [-3.0, 1.0, 1.5]])
ACTIVITY_L1 = 0.1
"""06.2: pre-activations of a batch of 4 samples and 3 units, and the L1 activity factor."""

FP16_BATCH, FP16_UNITS = 64, 16
"""06.3: the shape of a layer's float16 outputs whose L2 activity penalty may overflow."""


def _recorded_term(regularizer, outputs: np.ndarray) -> float:
    """The activity term Keras records for a layer that returns ``outputs``."""
    import keras

    from reglab.objective import penalty_values

    layer = keras.layers.Identity(activity_regularizer=regularizer)
    layer(outputs.astype("float32"))
    (term,) = penalty_values(layer)
    return term.value


@exercise("06.1")
def batch_of_equal_rows(answer: object) -> Feedback:
    """The term ``L2(ACTIVITY_L2)`` records when all ``BATCH`` samples output ``ROW``."""
    import keras

    expected = _recorded_term(keras.regularizers.L2(ACTIVITY_L2), np.tile(ROW, (BATCH, 1)))
    hint = "L2(l2) sums l2 · a² over the whole batch" + (
        ", then this Keras (3.14 or later) divides by the number of samples. With every sample "
        "alike, the batch size cancels: it is one sample's penalty."
        if compat.activity_divided_by_batch()
        else "; this Keras (3.0 to 3.13) does not divide by the number of samples, so it is "
        "BATCH times one sample's penalty."
    )
    return Feedback(close(answer, expected), hint)


@exercise("06.2")
def before_minus_after(answer: object) -> Feedback:
    """``L1`` on ``Z`` minus ``L1`` on ``relu(Z)``, each as Keras records it."""
    import keras

    regularizer = keras.regularizers.L1(ACTIVITY_L1)
    expected = _recorded_term(regularizer, Z) - _recorded_term(regularizer, np.maximum(Z, 0.0))
    hint = (
        "Positive entries cost the same in both placements; only the negative ones differ: "
        "before the ReLU they count as |z|, after it as 0. Sum l1 · |z| over the negative entries"
        + (" and divide by the number of samples (rows), as this Keras (3.14 or later) does."
           if compat.activity_divided_by_batch()
           else "; this Keras (3.0 to 3.13) does not divide by the number of samples.")
    )
    return Feedback(close(answer, expected), hint)


def _first_overflow() -> int:
    """The smallest whole ``c`` whose float16 L2 penalty on a full batch of ``c`` is inf."""
    import keras

    for c in range(1, 1000):
        outputs = keras.ops.full((FP16_BATCH, FP16_UNITS), float(c), dtype="float16")
        if not np.isfinite(float(keras.regularizers.L2(1.0)(outputs))):
            return c
    raise RuntimeError("no overflow below 1000")  # pragma: no cover


@exercise("06.3")
def float16_overflow(answer: object) -> Feedback:
    """The smallest whole value ``c`` of every output for which the float16 L2 penalty is inf."""
    given = number(answer)
    hint = (
        "The penalty sums c² over all FP16_BATCH · FP16_UNITS entries before λ multiplies it, and "
        "float16's largest finite value is 65504 (a sum of 65520 or more rounds to inf). Answer "
        "with a whole number."
    )
    return Feedback(given == round(given) and int(given) == _first_overflow(), hint)


def _model_images_term(answer: object):
    """``(model, x, term)`` from a ``(model, images, predicted term)`` answer, or an AnswerError."""
    import keras

    from reglab.exercises._core import AnswerError

    if not isinstance(answer, tuple | list) or len(answer) != 3:
        raise AnswerError("Answer with a tuple (model, x_eval, your_term): your trained model, the "
                          "images it reads, and the activity term you predict.")
    model, images, term = answer
    if not isinstance(model, keras.Model):
        raise AnswerError("The first item should be your Keras model (the classifier you trained).")
    return model, np.asarray(images, dtype="float32"), number(term)


@exercise("06.4")
def predicted_activity_term(answer: object) -> Feedback:
    """Open-ended: the activity term the reader's own model records on ``x``, predicted by hand.

    The check runs the model on ``x`` and reads what Keras recorded, so any placement, batch
    size or λ the reader chose is checked against the installed Keras.
    """
    from reglab.objective import penalty_values

    model, images, term = _model_images_term(answer)
    model(images)  # records the activity terms for exactly these images
    recorded = [t.value for t in penalty_values(model) if t.kind == "activity"]
    if not recorded:
        return Feedback(False, "Your model carries no activity regularizer: give the hidden layer one "
                               "(classifier(keras.regularizers.L1(...), placement)) and train it.")
    divided = compat.activity_divided_by_batch()
    hint = (
        "z = x W + b from the hidden layer's weights; the penalty sees relu(z) ('after') or z "
        "('before'), times the factor the layer holds (per_sample_factor(LAM, B) of your B)"
        + (", divided by the number of images (Keras 3.14+)." if divided
           else "; this Keras (3.0 to 3.13) does not divide by the number of images.")
    )
    return Feedback(close(term, float(sum(recorded)), rel_tol=1e-3), hint)
