"""Checks for the exercises of notebooks/07-sparse-autoencoders.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Every check computes its expected answer with
:mod:`reglab.metrics` or with Keras and :class:`reglab.regularizers.KLSparsity`, not from a
stored number.
"""

from __future__ import annotations

import numpy as np

from reglab.exercises._core import Feedback, close, exercise, number, numbers

CODES = np.array(
    [
        [0.91, 0.02, 0.00, 0.40, 0.05, 0.00],
        [0.00, 0.75, 0.08, 0.00, 0.12, 0.03],
        [0.06, 0.00, 0.88, 0.01, 0.00, 0.64],
    ]
)
TOL = 0.1
"""07.1: the codes of three images (6 sigmoid units each) and the tolerance for "near zero"."""

KL_CODES = np.array([[0.4, 0.0], [0.0, 0.1], [0.2, 0.1], [0.2, 0.1]])
KL_TARGET, KL_WEIGHT = 0.1, 0.5
"""07.2: a batch of 4 codes of 2 units, and the ρ and β of ``KLSparsity``."""

UNITS = 16
FLAT_VALUE = 0.05
"""07.3: a code whose ``UNITS`` units all sit at the KL target ``FLAT_VALUE``."""


@exercise("07.1")
def thresholded_sparsity(answer: object) -> Feedback:
    """The fraction of the entries of ``CODES`` that are within ``TOL`` of zero."""
    from reglab.metrics import sparsity

    expected = sparsity(CODES, tol=TOL)
    hint = (
        "Count the entries with |a| <= TOL over the whole matrix (all images, all units) and "
        "divide by the number of entries. Values just above TOL still count as active."
    )
    return Feedback(close(answer, expected), hint)


@exercise("07.2")
def kl_penalty_term(answer: object) -> Feedback:
    """The term a layer with ``KLSparsity(KL_TARGET, KL_WEIGHT)`` adds for the batch ``KL_CODES``."""
    import keras

    from reglab.regularizers import KLSparsity

    layer = keras.layers.Identity(activity_regularizer=KLSparsity(KL_TARGET, KL_WEIGHT))
    layer(KL_CODES.astype("float32"))
    expected = float(keras.ops.convert_to_numpy(layer.losses[0]))
    hint = (
        "First the mean activation ρ̂ of each unit (a column mean), then β · Σ_j KL(ρ ‖ ρ̂_j) with "
        "KL(ρ ‖ q) = ρ log(ρ/q) + (1-ρ) log((1-ρ)/(1-q)). The term is that penalty itself on every "
        "Keras (KLSparsity cancels the division by the batch size of Keras 3.14+), so do not "
        "divide by 4."
    )
    return Feedback(close(answer, expected), hint)


@exercise("07.3")
def two_measures_of_a_flat_code(answer: object) -> Feedback:
    """``(sparsity at TOL, Hoyer)`` of a code whose ``UNITS`` entries all equal ``FLAT_VALUE``."""
    from reglab.metrics import hoyer, sparsity

    code = np.full(UNITS, FLAT_VALUE)
    expected = (sparsity(code, tol=TOL), hoyer(code))
    given = numbers(answer)
    hint = (
        "Answer with two numbers. The threshold counts every value at or below TOL as zero; "
        "Hoyer's measure compares ‖a‖₁ with ‖a‖₂ and is 0 when all magnitudes are equal and "
        "not zero, whatever their size (an all-zero code is 1 by convention)."
    )
    ok = given.shape == (2,) and np.allclose(given, expected, rtol=1e-4, atol=1e-7)
    return Feedback(bool(ok), hint)


def _kl_regularizer(encoder):
    """The ``KLSparsity`` of the first layer of ``encoder`` that carries one, else ``None``."""
    from reglab.objective import layers
    from reglab.regularizers import KLSparsity

    for layer in layers(encoder):
        if isinstance(getattr(layer, "activity_regularizer", None), KLSparsity):
            return layer.activity_regularizer
    return None


@exercise("07.4")
def mean_code_activation(answer: object) -> Feedback:
    """Open-ended: the mean code activation of the reader's own KL-trained encoder on ``x``.

    The check encodes ``x`` with the reader's encoder and recomputes the mean, so any ρ and β
    the reader chose is checked.
    """
    import keras

    from reglab.exercises._core import AnswerError

    if not isinstance(answer, tuple | list) or len(answer) != 3:
        raise AnswerError("Answer with a tuple (encoder, x, your_mean): your trained encoder, the "
                          "images it encodes, and the mean code activation you measured.")
    encoder, images, reported = answer
    if not isinstance(encoder, keras.Model):
        raise AnswerError("The first item should be your encoder (ae.encoder), a Keras model.")
    reported = number(reported)
    regularizer = _kl_regularizer(encoder)
    if regularizer is None:
        return Feedback(False, "Your encoder's code layer carries no KLSparsity: build it with "
                               "autoencoder(..., activity_regularizer=KLSparsity(rho, beta)).")
    codes = keras.ops.convert_to_numpy(encoder(np.asarray(images, dtype="float32")))
    hint = (
        "Encode the images with your encoder, then take the mean over every image and every unit "
        f"(codes.mean()). Your target is ρ = {regularizer.target:g}: compare the two once it passes."
    )
    return Feedback(close(reported, float(codes.mean()), rel_tol=1e-3), hint)
