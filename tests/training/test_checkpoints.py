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


# --- damage: fall back to the newest complete checkpoint, or one clear error ------------------
def _two_checkpoints(folder):
    """epoch-00001 and epoch-00002 side by side (as a run killed between renaming the new one and
    removing the old one leaves them)."""
    import shutil

    checkpoints.save(folder, 1, [tf.Variable([1.0, 1.0])], {"rows": [[{"epoch": 1}]]})
    shutil.copytree(folder / "epoch-00001", folder / "kept")
    checkpoints.save(folder, 2, [tf.Variable([2.0, 2.0])], {"rows": [[{"epoch": 1}, {"epoch": 2}]]})
    (folder / "kept").rename(folder / "epoch-00001")
    return folder / "epoch-00002"


def _truncate(path):
    path.write_bytes(path.read_bytes()[: max(1, len(path.read_bytes()) // 2)])


def _data_file(latest):
    return next(latest.glob("variables.data-*"))


DAMAGE = {
    "state.json missing": lambda latest: (latest / "state.json").unlink(),
    "state.json truncated": lambda latest: _truncate(latest / "state.json"),
    "state.json not a mapping": lambda latest: (latest / "state.json").write_text("[1, 2]"),
    "state.json without shapes": lambda latest: (latest / "state.json").write_text('{"epoch": 2}'),
    "state.json of another epoch": lambda latest: (latest / "state.json").write_text(
        '{"epoch": 7, "shapes": [[2]]}'),
    "state.json not text": lambda latest: (latest / "state.json").write_bytes(b"\xff\xfe\x00"),
    "index missing": lambda latest: (latest / "variables.index").unlink(),
    "index truncated": lambda latest: _truncate(latest / "variables.index"),
    "data missing": lambda latest: _data_file(latest).unlink(),
    "data truncated": lambda latest: _truncate(_data_file(latest)),
    "data corrupted": lambda latest: _data_file(latest).write_bytes(b"\x00" * len(
        _data_file(latest).read_bytes())),
    "other shapes": lambda latest: (latest / "state.json").write_text('{"epoch": 2, "shapes": [[3]]}'),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_latest_checkpoint_falls_back_to_the_newest_complete_one(tmp_path, damage):
    latest = _two_checkpoints(tmp_path)
    DAMAGE[damage](latest)
    target = tf.Variable([0.0, 0.0])
    with pytest.warns(UserWarning, match=r"Skipped the damaged checkpoint '.*epoch-00002'"):
        state = checkpoints.restore(tmp_path, [target])
    assert state["epoch"] == 1 and target.numpy().tolist() == [1.0, 1.0]


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_no_usable_checkpoint_is_one_error_naming_the_directory_and_what_to_do(tmp_path, damage):
    latest = _two_checkpoints(tmp_path)
    DAMAGE[damage](latest)
    import shutil

    shutil.rmtree(tmp_path / "epoch-00001")
    target = tf.Variable([5.0, 5.0])
    with pytest.warns(UserWarning), pytest.raises(checkpoints.CheckpointError) as caught:
        checkpoints.restore(tmp_path, [target])
    message = str(caught.value)
    assert str(tmp_path) in message and "epoch-00002" in message and "Delete the directory" in message
    assert message.startswith("Invalid value for argument checkpoint_dir")
    assert target.numpy().tolist() == [5.0, 5.0]  # untouched


def test_a_file_named_like_a_checkpoint_is_skipped(tmp_path):
    checkpoints.save(tmp_path, 1, [tf.Variable([1.0])], {})
    (tmp_path / "epoch-00002").write_text("not a checkpoint")
    target = tf.Variable([0.0])
    with pytest.warns(UserWarning, match=r"epoch-00002'.*not a directory"):
        assert checkpoints.restore(tmp_path, [target])["epoch"] == 1
    assert checkpoints.latest(tmp_path).name == "epoch-00001"


def test_restore_of_an_empty_or_missing_directory_is_none(tmp_path):
    assert checkpoints.restore(tmp_path, [tf.Variable(1.0)]) is None
    assert checkpoints.restore(tmp_path / "missing", [tf.Variable(1.0)]) is None
