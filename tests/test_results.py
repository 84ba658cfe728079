"""reglab.results: the last epoch of each variant and one variant's run, from a sweep's table."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
import pytest

from reglab import results
from reglab.models import linear_regression
from reglab.sweeps import sweep


def _table():
    return pd.DataFrame({
        "variant": [("L2", 0.1)] * 3 + [("L1", 0.1)] * 3 + [0.5] * 2,
        "epoch": [1, 2, 3, 1, 2, 3, 1, 2],
        "loss": [3.0, 2.0, 1.0, 6.0, 5.0, 4.0, 9.0, 8.0],
    })


def test_last_epoch_is_each_variants_last_row_in_sweep_order():
    last = results.last_epoch(_table())
    assert list(last.index) == [("L2", 0.1), ("L1", 0.1), 0.5]
    assert last["epoch"].tolist() == [3, 3, 2]  # an interrupted variant keeps its last epoch
    assert last["loss"].tolist() == [1.0, 4.0, 8.0]


def test_variant_history_is_indexed_by_epoch():
    run = results.variant_history(_table(), ("L1", 0.1))
    assert run.index.name == "epoch" and list(run.index) == [1, 2, 3]
    assert run["loss"].tolist() == [6.0, 5.0, 4.0]
    assert list(results.variant_histories(_table())) == ["('L2', 0.1)", "('L1', 0.1)", "0.5"]


def test_on_a_real_sweep_the_last_epoch_equals_the_rows_of_the_last_epoch():
    variants = {lam: linear_regression(2, kernel_regularizer=keras.regularizers.L2(lam))
                for lam in (0.0, 0.1)}
    x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
    table = sweep(variants, x, x[:, :1], epochs=3, batch_size=8, loss="mse", optimizer="sgd", seed=0,
                  progress=False,
                  jit_compile=False)
    by_hand = table[table["epoch"] == 3].set_index("variant")
    pd.testing.assert_frame_equal(results.last_epoch(table), by_hand)
    pd.testing.assert_frame_equal(results.variant_history(table, 0.1),
                                  table[table["variant"] == 0.1].set_index("epoch"))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: results.last_epoch([1, 2]), TypeError,
         "argument table: expected the pandas.DataFrame a sweep returned. Received: table=\\[1, 2\\]"),
        (lambda: results.last_epoch(pd.DataFrame({"epoch": [1]})), ValueError,
         "argument table: expected a sweep table with the columns 'variant' and 'epoch'"),
        (lambda: results.variant_history(_table(), ("L3", 0.1)), KeyError,
         r"argument variant: expected one of the sweep's variants \(\('L2', 0.1\), \('L1', 0.1\), 0.5\)"),
        (lambda: results.variant_histories(_table(), labels="name"), TypeError,
         "argument labels: expected a callable"),
    ],
)
def test_bad_input_is_refused_by_name(call, error, message):
    with pytest.raises(error, match=message):
        call()
