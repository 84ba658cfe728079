"""Thin alias of :mod:`reglab.training.precision` (``from reglab.precision import computing_in``)."""

from reglab.training.precision import InFloat32, compute_dtype, computing_in, with_loss_scaling

__all__ = ["InFloat32", "compute_dtype", "computing_in", "with_loss_scaling"]
