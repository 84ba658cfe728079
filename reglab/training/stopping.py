"""Early stopping as an ``on_epoch_end`` hook: watch a recorded number, keep the best weights.

:func:`reglab.training.train` calls ``on_epoch_end(epoch, row)`` after every recorded epoch and
stops when it returns ``True``. :class:`EarlyStopping` is such a hook: it watches one column of
the row (by default the validation *data* loss, so that the penalty, which early stopping
competes with, does not count), remembers the weights of the best epoch, and stops once
``patience`` epochs have passed without a better one; :meth:`EarlyStopping.restore` puts the best
weights back. Keras' ``keras.callbacks.EarlyStopping(restore_best_weights=True)`` does the same
for ``Model.fit``.

Introduced in notebooks/04-weight-regularization.ipynb.
"""

from __future__ import annotations

import math

from reglab._validation import _invalid, _short, check_int, check_str

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """An ``on_epoch_end`` hook: stop after ``patience`` epochs without a lower ``monitor``.

    Parameters
    ----------
    model : keras.Model
        The model being trained (the one passed to ``train``).
    monitor : str
        The history column to minimise (``"val_data_loss"``: validation loss without penalties).
    patience : int
        Epochs without improvement before the run stops (>= 1).

    Examples
    --------
    >>> import keras, numpy as np
    >>> from reglab.training import train
    >>> x = np.linspace(-1, 1, 32, dtype="float32")[:, None]
    >>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    >>> stopper = EarlyStopping(model, monitor="val_data_loss", patience=2)
    >>> history = train(model, x, 2 * x, epochs=50, batch_size=32, validation_data=(x, 2 * x),
    ...                 loss="mse", optimizer=keras.optimizers.SGD(0.01), on_epoch_end=stopper,
    ...                 progress=False)
    >>> history.epochs_done == 50, stopper.best_epoch == 50  # still improving: never stopped
    (True, True)
    """

    def __init__(self, model, monitor: str = "val_data_loss", patience: int = 10):
        if not hasattr(model, "get_weights") or not hasattr(model, "set_weights"):
            raise TypeError(_invalid("model", "a keras.Model", _short(model)))
        self.model = model
        self.monitor = check_str(monitor, "monitor", "the name of a history column")
        self.patience = check_int(patience, "patience")
        self.best, self.best_epoch, self.best_weights = math.inf, 0, None

    def __call__(self, epoch: int, row: dict) -> bool:
        if self.monitor not in row:
            known = ", ".join(sorted(row))
            raise KeyError(_invalid("monitor", f"a column of the history ({known})", self.monitor))
        value = float(row[self.monitor])
        if value < self.best:
            self.best, self.best_epoch = value, epoch
            self.best_weights = self.model.get_weights()
        return epoch - self.best_epoch >= self.patience

    def restore(self):
        """Put the best epoch's weights back into the model and return it."""
        if self.best_weights is None:
            raise RuntimeError("EarlyStopping.restore: no epoch was recorded yet; train first, "
                               "passing this object as on_epoch_end")
        self.model.set_weights(self.best_weights)
        return self.model
