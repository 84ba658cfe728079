"""The training engine: :func:`train` one model, :func:`sweep` K variants side by side.

Both minimise ``total = data_loss + Σ model.losses`` and record every part of it per epoch. The
modules, in the order a run meets them:

- :mod:`~reglab.training.arguments`: every argument checked up front;
- :mod:`~reglab.training.plan`: the settings resolved into one frozen plan before the first step
  (strategy, losses, optimizers, precision, engine, XLA), with its
  :mod:`~reglab.training.fingerprint`, which decides what a checkpoint or cache may resume;
- :mod:`~reglab.training.programs` (one model, or K in lockstep) and
  :mod:`~reglab.training.stacked` (K variants stacked): the compiled epoch, whose every step is
  :func:`reglab.training.step.quick_step` (or :func:`~reglab.training.step.careful_step`, to
  re-run an epoch that went bad); :mod:`~reglab.training.reuse` keeps the latest program for a
  next run that would compile the same one;
- :mod:`~reglab.training.loop`: epochs, records, :mod:`~reglab.training.checkpoints`, hooks,
  Ctrl-C; :mod:`~reglab.training.precision` and :mod:`~reglab.training.history` beside them;
- :mod:`~reglab.training.stopping`: :class:`EarlyStopping`, an ``on_epoch_end`` hook.

Introduced in notebooks/08-training-on-gpus.ipynb; notebooks 04 to 07 use it.
"""

from reglab.training.errors import STOP, NonFiniteLossError
from reglab.training.history import TrainingHistory
from reglab.training.loop import epoch_order
from reglab.training.single import train
from reglab.training.stopping import EarlyStopping
from reglab.training.sweeps import sweep

__all__ = ["STOP", "EarlyStopping", "NonFiniteLossError", "TrainingHistory", "epoch_order", "sweep",
           "train"]
