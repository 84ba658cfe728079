"""Checks for the exercises of notebooks/01-dense-layer.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Every check computes its expected answer with the
installed Keras, not from a stored number.
"""

from __future__ import annotations

import numpy as np

from reglab import compat
from reglab.exercises._core import Feedback, close, exercise

KERNEL_SHAPE_INPUTS, KERNEL_SHAPE_UNITS = 3, 5
"""01.1: a ``Dense(5)`` layer that receives inputs with 3 features."""

KERNEL = np.array([[1.0, -2.0], [0.0, 3.0]])
KERNEL_L2 = 0.01
"""01.2: the kernel ``W`` and the strength of ``keras.regularizers.L2`` on it."""

OUTPUTS = np.array([[0.0, 2.0], [1.0, 0.0], [0.0, 3.0], [4.0, 0.0]])
ACTIVITY_L1 = 0.5
"""01.3: a Dense layer's outputs (after its relu) for a batch of 4, and the activity L1 strength."""



@exercise("01.1")
def kernel_shape(answer: object) -> Feedback:
    """The shape of the kernel of ``Dense(5)`` on inputs with 3 features, as a tuple."""
    import keras

    layer = keras.layers.Dense(KERNEL_SHAPE_UNITS)
    layer.build((None, KERNEL_SHAPE_INPUTS))
    expected = tuple(layer.kernel.shape)
    hint = (
        "Keras stores W as (inputs, units), so that y = x @ W + b works on a batch x of "
        "shape (batch, inputs). Answer with a tuple of two ints."
    )
    return Feedback(isinstance(answer, tuple | list) and tuple(answer) == expected, hint)


@exercise("01.2")
def kernel_penalty(answer: object) -> Feedback:
    """The term ``kernel_regularizer=L2(KERNEL_L2)`` adds to the loss for ``W = KERNEL``."""
    import keras

    expected = float(keras.regularizers.L2(KERNEL_L2)(KERNEL.astype("float32")))
    hint = (
        "L2(l2) adds l2 times the sum of the squared entries of W (no square root, no 1/2). "
        "The bias plays no part in it."
    )
    return Feedback(close(answer, expected), hint)


@exercise("01.3")
def activity_penalty(answer: object) -> Feedback:
    """What ``activity_regularizer=L1(ACTIVITY_L1)`` adds for this batch of ``OUTPUTS``."""
    import keras

    # Let Keras record the term itself: an identity layer passes OUTPUTS through unchanged.
    layer = keras.layers.Identity(activity_regularizer=keras.regularizers.L1(ACTIVITY_L1))
    layer(OUTPUTS.astype("float32"))
    expected = float(keras.ops.convert_to_numpy(layer.losses[0]))
    hint = "L1(l1) sums l1 * |y| over the whole batch of outputs" + (
        ", and this Keras (3.14 or later) then divides that by the batch size (the number of rows)."
        if compat.activity_divided_by_batch()
        else "; this Keras (3.0 to 3.13) adds that sum as it is, without dividing by the batch size."
    )
    return Feedback(close(answer, expected), hint)
