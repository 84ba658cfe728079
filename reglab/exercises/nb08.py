"""Checks for the exercises of notebooks/08-training-on-gpus.ipynb.

The data each exercise works on is defined here, once, and the notebook imports it, so the
question and its check cannot drift apart. Every check computes its expected answer with numpy's
float16, :mod:`reglab.devices`, :mod:`reglab.objective` or the replica split of
:class:`reglab.training.programs.Lockstep`, not from a stored number. 08.5 is open-ended: the
reader chooses the experiment (batch size, replicas), and the check works out the answer for
the experiment chosen.
"""

from __future__ import annotations

import math
import numbers as _numbers

import numpy as np

from reglab.devices import GPU, DeviceReport
from reglab.exercises._core import AnswerError, Feedback, exercise, number, numbers

GRADIENT = 3e-9
LOSS_SCALE = 2.0**15
"""08.1: a true gradient, and the loss scale Keras' ``LossScaleOptimizer`` starts with."""

REPORT = DeviceReport(
    cpus=["/physical_device:CPU:0"], gpus=[GPU("Tesla K80", (3, 7)), GPU("Tesla T4", (7, 5))]
)
"""08.2: a machine with two GPUs of different generations."""

GLOBAL_BATCH, REPLICAS = 13, 3
"""08.4: a global batch of 13 samples split over 3 replicas."""

EXPERIMENT_KEYS = ("samples", "batch_size", "replicas", "steps_per_epoch", "last_step")
"""08.5: the keys of the answer, the experiment chosen and the prediction for it."""


def exercise_model():
    """08.3: ``x (3) → encoder: Dense(4, relu) → head: Dense(1)`` with three regularizers.

    The encoder carries ``kernel_regularizer=L1(1e-3)`` and ``activity_regularizer=L2(1e-4)``;
    the head carries ``bias_regularizer=L2(1e-3)``.
    """
    import keras

    reg = keras.regularizers
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="relu", kernel_regularizer=reg.L1(1e-3),
                               activity_regularizer=reg.L2(1e-4), name="encoder"),
            keras.layers.Dense(1, bias_regularizer=reg.L2(1e-3), name="head"),
        ]
    )


def _pair(answer: object) -> np.ndarray | None:
    values = numbers(answer)
    return values if values.shape == (2,) else None


@exercise("08.1")
def scaled_float16_gradient(answer: object) -> Feedback:
    """``(GRADIENT in float16, float16(GRADIENT · LOSS_SCALE) / LOSS_SCALE in float32)``."""
    unscaled = float(np.float16(GRADIENT))
    recovered = float(np.float32(np.float16(GRADIENT * LOSS_SCALE)) / np.float32(LOSS_SCALE))
    given = _pair(answer)
    hint = (
        "Answer with two numbers. float16's smallest positive value is about 6e-8: anything much "
        "smaller rounds to 0. Scaled by 2**15 the gradient is about 1e-4, which float16 holds "
        "with about 3 significant digits; dividing by the scale in float32 brings it back."
    )
    ok = (given is not None and given[0] == unscaled
          and math.isclose(given[1], recovered, rel_tol=1e-3))
    return Feedback(bool(ok), hint)


@exercise("08.2")
def strategy_and_policy(answer: object) -> Feedback:
    """``(REPORT.strategy_kind, mixed_precision_policy("auto", REPORT))``."""
    from reglab.devices import mixed_precision_policy

    kind, policy = (str(part) for part in answer)
    names = {"default": {"default"}, "one_device": {"one_device", "onedevicestrategy"},
             "mirrored": {"mirrored", "mirroredstrategy"}}[REPORT.strategy_kind]
    hint = (
        "Answer with two strings, e.g. (\"one_device\", \"float32\"). The strategy depends on how "
        "many GPUs there are; mixed_float16 needs tensor cores (compute capability 7.0 or more) on "
        "every GPU, since all replicas must compute alike."
    )
    ok = kind.lower() in names and policy == mixed_precision_policy("auto", REPORT)
    return Feedback(ok, hint)


@exercise("08.3")
def penalty_columns(answer: object) -> Feedback:
    """The ``penalty/<layer>/<kind>`` columns ``train`` records for :func:`exercise_model`."""
    from reglab.objective import penalty_values

    model = exercise_model()
    model(np.zeros((2, 3), dtype="float32"))  # the activity term exists only after a call
    expected = {term.label for term in penalty_values(model)}
    given = {answer} if isinstance(answer, str) else {str(name) for name in answer}
    hint = (
        "One column per regularized variable or output, named penalty/<layer name>/<kind>, where "
        "kind is kernel, bias or activity. Count the regularizer arguments of each layer; the "
        "total column 'penalty' is not one of them."
    )
    return Feedback(given == expected, hint)


@exercise("08.4")
def replica_share(answer: object) -> Feedback:
    """``(share of replica 0, fraction of a kernel penalty each replica adds)``."""
    mine = np.arange(GLOBAL_BATCH)[0::REPLICAS]  # replica r takes batch[r::replicas]
    expected = (len(mine) / GLOBAL_BATCH, 1 / REPLICAS)
    given = _pair(answer)
    hint = (
        "Replica r takes the samples r, r + R, r + 2R, ... of the global batch, so the first "
        "replica may get one more sample. A kernel penalty is the same on every replica; the "
        "gradients of the replicas are summed, so each must add only its part of it."
    )
    ok = given is not None and np.allclose(given, expected, rtol=1e-4)
    return Feedback(bool(ok), hint)


def _count(answer: dict, key: str, minimum: int = 1) -> int:
    value = answer[key]
    if isinstance(value, bool) or not isinstance(value, _numbers.Integral) or value < minimum:
        raise AnswerError(f"answer[{key!r}] should be a whole number >= {minimum}; received {value!r}.")
    return int(value)


def replica_split(samples: int, batch_size: int, replicas: int) -> tuple[int, list[int]]:
    """``(steps per epoch, samples per replica in the last step)``: replica ``r`` of ``R`` takes
    the samples ``r, r + R, ...`` of each global batch (:class:`reglab.training.programs.Lockstep`).

    Examples
    --------
    >>> replica_split(1259, 32, 2)
    (40, [6, 5])
    """
    steps = -(-samples // batch_size)
    last = samples - (steps - 1) * batch_size
    return steps, [len(range(r, last, replicas)) for r in range(replicas)]


@exercise("08.5")
def replica_experiment(answer: object) -> Feedback:
    """Steps per epoch and the last step's split, for the samples, batch and replicas chosen."""
    if not isinstance(answer, dict) or set(answer) != set(EXPERIMENT_KEYS):
        raise AnswerError("Answer with a dict of the keys " + ", ".join(map(repr, EXPERIMENT_KEYS))
                          + ": your experiment's settings and your prediction for it.")
    samples, batch_size, replicas = (_count(answer, key) for key in EXPERIMENT_KEYS[:3])
    if batch_size > samples:
        raise AnswerError(f"batch_size {batch_size} is larger than the {samples} samples: choose one "
                          "from 1 to samples.")
    steps, last = replica_split(samples, batch_size, replicas)
    given = numbers(answer["last_step"])
    hint = (
        f"For {samples} samples in batches of {batch_size} on {replicas} replica(s): an epoch is "
        "samples / batch_size steps, rounded up, and the last batch holds what is left. Replica r "
        "takes the samples r, r + R, r + 2R, ... of a batch, so the first replicas may get one "
        "sample more; give one number per replica."
    )
    ok = (number(answer["steps_per_epoch"]) == steps and given.shape == (replicas,)
          and np.array_equal(given, last))
    return Feedback(bool(ok), hint)
