"""What stops a run: a non-finite loss, gradient or update; and the value that asks it to stop."""

from __future__ import annotations

__all__ = ["STOP", "NonFiniteLossError"]


class _Stop:
    """The value an ``on_epoch_end`` hook returns to end the run after this epoch."""

    def __repr__(self) -> str:
        return "reglab.training.STOP"


STOP = _Stop()
"""Return this (or ``True``) from ``on_epoch_end`` to stop training after the epoch (early stopping)."""


class NonFiniteLossError(FloatingPointError):
    """Training met a NaN or an infinity; the message says where and in which part of the loss,
    which gradient or which updated variable.

    Attributes
    ----------
    epoch : int
        The epoch (counted from 1).
    step : int or None
        The step within the epoch (counted from 1); None when the validation loss went bad.
    parts : dict
        What went bad: ``{"data_loss": nan, "penalty/dense/kernel": inf}`` for loss parts,
        ``{"gradient/dense/kernel": nan}`` for a gradient, ``{"update/dense/kernel": inf}`` for
        the weights an update would have written.
    variable : str or None
        The first variable whose gradient or update went bad (``"dense/kernel"``), else None.
    variant : object
        The sweep variant that went bad (None for :func:`reglab.training.train`).
    history : TrainingHistory or None
        What was recorded before (set by :func:`reglab.training.train`).
    """

    def __init__(self, epoch: int, step: int | None, steps: int, parts: dict, variant=None):
        self.epoch, self.step, self.parts, self.variant = epoch, step, parts, variant
        self.variable = next((name.split("/", 1)[1] for name in parts
                              if name.startswith(("gradient/", "update/"))), None)
        self.history = None
        where = f"step {step} of {steps}" if step is not None else "on the validation data"
        which = "; ".join(f"{_describe_part(name)} is {value}" for name, value in parts.items())
        of_variant = "" if variant is None else f" in variant {variant!r}"
        super().__init__(
            f"Training stopped at epoch {epoch}, {where}{of_variant}: {which}. The weights keep "
            "their values from before that step; a checkpoint_dir holds the last finished epoch. "
            "Common causes: a learning rate or penalty factor too large, or inputs not scaled."
        )


def _describe_part(name: str) -> str:
    if name == "data_loss":
        return "the data loss"
    if name.startswith("gradient/"):
        return f"the gradient of variable {name.removeprefix('gradient/')!r}"
    if name.startswith("update/"):
        return f"the update of variable {name.removeprefix('update/')!r}"
    layer, _, kind = name.removeprefix("penalty/").rpartition("/")
    return f"the {kind} penalty of layer {layer!r}"
