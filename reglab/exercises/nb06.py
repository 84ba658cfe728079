"""Checks for the exercises of notebooks/06-activity-regularization.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Every check computes its expected answer with the
installed Keras (the term an activity regularizer records, float16 arithmetic), not from a
stored number.
"""

from __future__ import annotations

import numpy as np

from reglab import compat
from reglab.exercises._core import Feedback, close, exercise

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

    layer = keras.layers.Identity(activity_regularizer=regularizer)
    layer(outputs.astype("float32"))
    return float(keras.ops.convert_to_numpy(layer.losses[0]))


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
    given = np.asarray(answer)
    hint = (
        "The penalty sums c² over all FP16_BATCH · FP16_UNITS entries before λ multiplies it, and "
        "float16's largest finite value is 65504 (a sum of 65520 or more rounds to inf). Answer "
        "with a whole number."
    )
    whole = given.shape == () and float(given) == round(float(given))
    return Feedback(bool(whole) and int(given) == _first_overflow(), hint)
