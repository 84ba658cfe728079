"""EarlyStopping: stops after `patience` epochs without a better value, restores the best weights."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from reglab.training import EarlyStopping, train


def _model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])


def test_stops_after_patience_epochs_without_improvement_and_keeps_the_best_weights():
    model = _model()
    stopper = EarlyStopping(model, monitor="val_data_loss", patience=2)
    losses = [3.0, 2.0, 2.5, 1.9, 2.0, 2.1]
    stops = []
    for epoch, loss in enumerate(losses, start=1):
        if epoch == 4:
            best = [w.copy() for w in model.get_weights()]
        stops.append(stopper(epoch, {"val_data_loss": loss}))
        model.set_weights([w + 1.0 for w in model.get_weights()])
    assert stops == [False, False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch) == (1.9, 4)
    restored = stopper.restore().get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(restored, best, strict=True))


def test_train_stops_early_when_validation_gets_worse():
    x = np.linspace(-1, 1, 32, dtype="float32")[:, None]
    model = _model()
    stopper = EarlyStopping(model, patience=3)
    # the validation targets have the opposite sign: fitting the training data makes them worse
    history = train(model, x, 2 * x, epochs=40, batch_size=32, validation_data=(x, -2 * x),
                    loss="mse", optimizer=keras.optimizers.SGD(0.1), on_epoch_end=stopper,
                    progress=False, jit_compile=False)
    assert history.epochs_done == stopper.best_epoch + 3 < 40


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [({"model": 3}, TypeError, "model"), ({"monitor": 5}, TypeError, "monitor"),
     ({"patience": 0}, ValueError, "patience"), ({"patience": 1.5}, TypeError, "patience")],
)
def test_bad_arguments_name_the_argument(kwargs, error, name):
    arguments = {"model": _model(), **kwargs}
    with pytest.raises(error, match=name):
        EarlyStopping(**arguments)


def test_an_unknown_column_and_an_early_restore_are_clear_errors():
    stopper = EarlyStopping(_model(), monitor="val_accuracy")
    with pytest.raises(KeyError, match="monitor"):
        stopper(1, {"val_data_loss": 1.0})
    with pytest.raises(RuntimeError, match="train first"):
        stopper.restore()
