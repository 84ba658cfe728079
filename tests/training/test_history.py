"""reglab.history.TrainingHistory: Keras-shaped ``history`` and a pandas frame."""

from __future__ import annotations

import math

from reglab.history import TrainingHistory

ROWS = [
    {"epoch": 1, "loss": 1.0, "data_loss": 0.9, "val_loss": 1.2},
    {"epoch": 2, "loss": 0.5, "data_loss": 0.4, "val_loss": 0.7},
]


def test_history_is_shaped_like_keras():
    history = TrainingHistory(rows=ROWS)
    assert history.history == {"loss": [1.0, 0.5], "data_loss": [0.9, 0.4], "val_loss": [1.2, 0.7]}
    assert history.epochs_done == 2


def test_to_frame_is_indexed_by_epoch():
    frame = TrainingHistory(rows=ROWS).to_frame()
    assert list(frame.index) == [1, 2] and list(frame.columns) == ["loss", "data_loss", "val_loss"]


def test_empty_history():
    history = TrainingHistory()
    assert history.history == {} and history.to_frame().empty and history.epochs_done == 0
    assert repr(history) == "TrainingHistory(0 epochs)"


def test_repr_shows_the_last_losses_and_an_interruption():
    history = TrainingHistory(rows=ROWS, interrupted=True)
    assert repr(history) == "TrainingHistory(2 epochs, loss=0.5, val_loss=0.7, interrupted)"


def test_missing_value_in_a_later_row_is_nan():
    history = TrainingHistory(rows=[{"epoch": 1, "loss": 1.0}, {"epoch": 2}])
    assert math.isnan(history.history["loss"][1])
