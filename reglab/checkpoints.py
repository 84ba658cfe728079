"""Thin alias of :mod:`reglab.training.checkpoints` (kept for old imports)."""

from reglab.training.checkpoints import CheckpointError, latest, load, read_state, restore, save

__all__ = ["CheckpointError", "latest", "load", "read_state", "restore", "save"]
