"""Thin alias: :func:`sweep` lives in :mod:`reglab.training` (``from reglab.training import sweep``)."""

from reglab.training.sweeps import sweep

__all__ = ["sweep"]
