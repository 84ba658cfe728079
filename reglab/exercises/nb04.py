"""Checks for the exercises of notebooks/04-weight-regularization.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Each check computes its expected answer with
:mod:`reglab.metrics` or by applying the stated rule, not from a stored number.
"""

from __future__ import annotations

import numpy as np

from reglab.exercises._core import AnswerError, Feedback, close, exercise, numbers

WEIGHTS = np.array([0.0, 3e-4, -0.002, 0.0, -0.8, 1e-6, 0.015, -0.0009, 1.3, 0.0])
TOL = 1e-3
"""04.1: ten trained weights, and the tolerance below which a weight counts as zero."""

ESTIMATE = np.array([1.7, 0.0, -0.004, 0.0, 0.3, -1.2, 0.0, 0.02, 0.0, 0.0])
TRUE_SUPPORT = np.array([0, 4, 5, 8])
SUPPORT_TOL = 0.01
"""04.2: an L1 estimate of ten coefficients, the indices of the truly non-zero ones, a tolerance."""

VALIDATION_LOSSES = {0.0: 0.52, 1e-5: 0.47, 1e-4: 0.41, 1e-3: 0.44, 1e-2: 0.33, 1e-1: 0.61}
"""04.3: the validation loss after training with each λ (0: no penalty), in increasing λ."""

MIN_EXACT_ZEROS = 0.01
"""04.4: the share of exact zeros (of all kernel weights) a proximal step must reach; plain L1 gives 0."""


@exercise("04.1")
def near_zero_fraction(answer: object) -> Feedback:
    """The fraction of ``WEIGHTS`` with ``|w| <= TOL``."""
    from reglab import metrics

    expected = metrics.sparsity(WEIGHTS, tol=TOL)
    exact = metrics.exact_zeros(WEIGHTS) / WEIGHTS.size
    hint = (
        "Count the weights with |w| <= TOL (exact zeros and tiny values alike) and divide by "
        f"the number of weights. Counting only the exact zeros gives {exact:g}: that is the "
        "tolerance 0. metrics.sparsity computes it."
    )
    return Feedback(close(answer, expected, rel_tol=1e-6, abs_tol=1e-12), hint)


@exercise("04.2")
def precision_and_recall(answer: object) -> Feedback:
    """``(precision, recall)`` of the support ``{j : |ESTIMATE[j]| > SUPPORT_TOL}``."""
    from reglab import metrics

    result = metrics.support_recovery(ESTIMATE, TRUE_SUPPORT, tol=SUPPORT_TOL)
    given = numbers(answer)
    hint = (
        "Selected: the coefficients with |w| > SUPPORT_TOL. Precision: the share of the "
        "selected ones that are in TRUE_SUPPORT. Recall: the share of TRUE_SUPPORT that was "
        "selected. Answer with two numbers, precision first."
    )
    ok = given.shape == (2,) and np.allclose(given, [result.precision, result.recall], rtol=1e-6)
    return Feedback(bool(ok), hint)


@exercise("04.3")
def lambda_by_increasing_gradually(answer: object) -> Feedback:
    """The λ that "start with none, increase λ tenfold while validation improves" ends on."""
    lams = sorted(VALIDATION_LOSSES)
    chosen = lams[0]
    for lam in lams[1:]:
        if VALIDATION_LOSSES[lam] >= VALIDATION_LOSSES[chosen]:
            break
        chosen = lam
    best = min(VALIDATION_LOSSES, key=VALIDATION_LOSSES.get)
    hint = (
        "Walk up from λ = 0 and stop at the first λ whose validation loss is not lower than the "
        f"previous one; the answer is the last λ before that. (The lowest loss in the table is "
        f"at λ = {best:g}: the greedy rule does not look that far.)"
    )
    return Feedback(close(answer, chosen, rel_tol=1e-6, abs_tol=1e-12), hint)


def _kernel_values(answer: object) -> np.ndarray:
    """Every kernel weight of a Keras model, or the values of the kernels given as a list."""
    import keras

    from reglab import metrics

    if isinstance(answer, keras.Model):
        return metrics.kernel_weights(answer)
    kernels = list(answer) if isinstance(answer, list | tuple) else []
    if kernels and all(np.ndim(kernel) >= 1 for kernel in kernels):  # arrays, not loose numbers
        return np.concatenate([numbers(kernel) for kernel in kernels])
    raise AnswerError("Give the trained keras.Model (or a list of its kernels), e.g. answer = prox_model.")


@exercise("04.4")
def proximal_exact_zeros(answer: object) -> Feedback:
    """A model whose kernels were soft-thresholded after every step: many weights exactly 0.

    The check counts the exact zeros of the answer's kernels itself (``metrics.exact_zeros``):
    at least :data:`MIN_EXACT_ZEROS` of all kernel weights, and not all of them (a network whose
    every weight is 0 predicts a constant).
    """
    from reglab import metrics

    weights = _kernel_values(answer)
    if weights.size == 0 or not np.all(np.isfinite(weights)):
        return Feedback(False, "The kernels are empty or hold NaN/inf: did training diverge?")
    share = metrics.exact_zeros(weights) / weights.size
    if share >= 1.0:
        return Feedback(False, "Every kernel weight is exactly 0, so the network predicts a constant: "
                               "the threshold lr·λ is too large. Try a smaller λ.")
    if share < MIN_EXACT_ZEROS:
        found = (f"{share:.2%} of the kernel weights are exactly 0" if share
                 else "No kernel weight is exactly 0")
        return Feedback(False, (
            f"{found}; a proximal step should give at least {MIN_EXACT_ZEROS:.0%} (plain L1 gives "
            "none). After every step, assign updates.soft_threshold(kernel, lr * lam) to each kernel, "
            "with no kernel_regularizer; a larger λ gives more zeros."))
    return Feedback(True, f"{share:.1%} of the kernel weights are exactly 0.")
