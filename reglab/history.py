"""Thin alias of :mod:`reglab.training.history` (``from reglab.training import TrainingHistory``)."""

from reglab.training.history import TrainingHistory

__all__ = ["TrainingHistory"]
