"""What a training run recorded: one row of numbers per finished epoch.

Introduced in notebooks/08-training-on-gpus.ipynb; notebooks 04 to 07 plot it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TrainingHistory"]


@dataclass
class TrainingHistory:
    """The per-epoch record of :func:`reglab.training.train`.

    Each row holds, for one epoch: ``loss`` (the total objective, as Keras reports it),
    ``data_loss``, ``penalty`` and one ``penalty/<layer>/<kind>`` column per term (averaged over
    the epoch's samples, like Keras' running mean), ``val_loss``, ``val_data_loss`` and
    ``val_penalty`` (at the end of the epoch, when there is validation data), and for every
    trainable variable its ``l1_norm/``, ``l2_norm/`` and ``sparsity/`` (fraction of entries with
    ``|w| <= sparsity_tolerance``, see :func:`reglab.metrics.sparsity`).

    Attributes
    ----------
    rows : list of dict
        One dict per finished epoch, ``epoch`` (counted from 1) first. Deterministic: the same
        seed gives the same rows, bit for bit, on a CPU.
    params : dict
        How the run was set up: epochs, batch size, strategy, precision, compilation, ...
    seconds : list of float
        Wall time of each epoch trained by this call (resumed epochs have none).
    interrupted : bool
        True when Ctrl-C (``KeyboardInterrupt``) ended the run early.
    stopped_early : bool
        True when ``on_epoch_end`` asked to stop (returned ``True`` or ``reglab.training.STOP``).

    Examples
    --------
    >>> history = TrainingHistory(rows=[{"epoch": 1, "loss": 0.5}, {"epoch": 2, "loss": 0.25}])
    >>> history.history["loss"]
    [0.5, 0.25]
    >>> history.to_frame().loc[2, "loss"]
    np.float64(0.25)

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """

    rows: list[dict[str, float]] = field(default_factory=list)
    params: dict[str, object] = field(default_factory=dict)
    seconds: list[float] = field(default_factory=list)
    interrupted: bool = False
    stopped_early: bool = False

    @property
    def history(self) -> dict[str, list[float]]:
        """Column name → values per epoch, shaped like Keras' ``History.history``."""
        columns = [name for name in (self.rows[0] if self.rows else {}) if name != "epoch"]
        return {name: [row.get(name, float("nan")) for row in self.rows] for name in columns}

    @property
    def epochs_done(self) -> int:
        """How many epochs are finished (resumed ones included)."""
        return len(self.rows)

    def to_frame(self):
        """The rows as a ``pandas.DataFrame`` indexed by ``epoch``."""
        import pandas as pd

        frame = pd.DataFrame(self.rows)
        return frame.set_index("epoch") if "epoch" in frame else frame

    def __repr__(self) -> str:
        last = self.rows[-1] if self.rows else {}
        losses = ", ".join(f"{k}={last[k]:.4g}" for k in ("loss", "val_loss") if k in last)
        state = ", interrupted" if self.interrupted else ", stopped early" if self.stopped_early else ""
        return f"TrainingHistory({self.epochs_done} epochs{', ' if losses else ''}{losses}{state})"
