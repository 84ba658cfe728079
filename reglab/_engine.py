"""Thin alias: the compiled programs live in :mod:`reglab.training.programs` (notebook 08 names
``reglab._engine.Lockstep``)."""

from reglab.training.programs import Lockstep, Program, _summed_over_samples

__all__ = ["Lockstep", "Program", "_summed_over_samples"]
