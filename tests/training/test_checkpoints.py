"""reglab.checkpoints: atomic per-epoch directories, restored exactly, never half-read."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from reglab import checkpoints


def test_save_then_load_restores_values_and_state(tmp_path):
    source = [tf.Variable([1.0, 2.0]), tf.Variable([[3]], dtype=tf.int64)]
    path = checkpoints.save(tmp_path, 2, source, {"rows": [[{"epoch": 1, "loss": 0.1}]]})
    target = [tf.Variable([0.0, 0.0]), tf.Variable([[0]], dtype=tf.int64)]
    state = checkpoints.load(path, target)
    np.testing.assert_array_equal(target[0].numpy(), [1.0, 2.0])
    assert target[1].numpy()[0, 0] == 3
    assert state["epoch"] == 2 and state["rows"][0][0]["loss"] == 0.1


def test_latest_skips_partial_directories_and_older_checkpoints_are_removed(tmp_path):
    assert checkpoints.latest(tmp_path / "missing") is None
    for epoch in (1, 2):
        checkpoints.save(tmp_path, epoch, [tf.Variable(float(epoch))], {})
    (tmp_path / ".epoch-00003.partial-123").mkdir()  # killed while writing epoch 3
    assert checkpoints.latest(tmp_path).name == "epoch-00002"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["epoch-00002"]
    checkpoints.save(tmp_path, 3, [tf.Variable(3.0)], {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["epoch-00003"]  # leftover cleaned


def test_loading_into_other_shapes_is_refused_naming_checkpoint_dir(tmp_path):
    path = checkpoints.save(tmp_path, 1, [tf.Variable([1.0, 2.0])], {})
    with pytest.raises(ValueError, match=r"argument checkpoint_dir: expected a checkpoint of this"):
        checkpoints.load(path, [tf.Variable([1.0, 2.0, 3.0])])
