"""Checkpoints that survive a killed run: one directory per finished epoch, written atomically.

A checkpoint is a directory ``epoch-00005/`` holding the variables (``tf.train.Checkpoint``
format: model weights, optimizer state, random-seed state) and ``state.json`` (the history so far
and the settings of the run). It is written under a hidden temporary name and renamed when
complete, so a process killed while saving leaves the previous checkpoint intact, and a directory
named ``epoch-*`` is always whole. Older checkpoints are removed once a newer one exists.

Introduced in notebooks/08-training-on-gpus.ipynb.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

__all__ = ["latest", "load", "read_state", "save"]

_FINISHED = re.compile(r"epoch-(\d{5,})")
_VARIABLES = "variables"
_STATE = "state.json"


def save(directory: str | os.PathLike, epoch: int, variables, state: dict) -> Path:
    """Write ``variables`` and ``state`` as the checkpoint of ``epoch``; return its path.

    ``state`` must be JSON-serializable; the variables' shapes are added to it (``"shapes"``) so
    :func:`load` can refuse a checkpoint of another architecture with a clear message.

    Examples
    --------
    >>> import tempfile, tensorflow as tf
    >>> folder = tempfile.mkdtemp()
    >>> save(folder, 3, [tf.Variable([1.0, 2.0])], {"note": "hi"}).name
    'epoch-00003'
    >>> restored = tf.Variable([0.0, 0.0])
    >>> load(latest(folder), [restored])["note"], restored.numpy().tolist()
    ('hi', [1.0, 2.0])

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import tensorflow as tf

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / f"epoch-{epoch:05d}"
    for leftover in directory.glob(".epoch-*.partial-*"):  # from runs killed while saving
        shutil.rmtree(leftover, ignore_errors=True)
    partial = directory / f".{final.name}.partial-{os.getpid()}"
    partial.mkdir()
    variables = _tf_variables(variables)
    tf.train.Checkpoint(values=variables).write(str(partial / _VARIABLES))
    shapes = [list(v.shape) for v in variables]
    (partial / _STATE).write_text(json.dumps({**state, "epoch": epoch, "shapes": shapes}))
    if final.exists():  # a re-run rewriting the same epoch: replace it
        shutil.rmtree(final)
    os.replace(partial, final)
    for older_epoch, older in _finished(directory):
        if older_epoch < epoch:
            shutil.rmtree(older, ignore_errors=True)
    return final


def latest(directory: str | os.PathLike) -> Path | None:
    """The newest finished checkpoint in ``directory``, or None (also when it does not exist).

    Partial directories left by a run killed while saving are ignored. Example: see :func:`save`.

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    finished = _finished(Path(directory)) if Path(directory).is_dir() else []
    return max(finished)[1] if finished else None


def load(path: str | os.PathLike, variables) -> dict:
    """Restore ``variables`` from the checkpoint at ``path``; return its state (history, settings).

    Raises
    ------
    ValueError
        If the checkpoint holds a different number of variables or other shapes.

    Example: see :func:`save`. Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import tensorflow as tf

    path = Path(path)
    state = read_state(path)
    variables = _tf_variables(variables)
    shapes = [list(v.shape) for v in variables]
    if state["shapes"] != shapes:
        raise ValueError(
            f"Invalid value for argument checkpoint_dir: expected a checkpoint of this model "
            f"({len(shapes)} variables of shapes {shapes}). Received: {str(path)!r} holding "
            f"{len(state['shapes'])} variables of shapes {state['shapes']}"
        )
    tf.train.Checkpoint(values=variables).read(str(path / _VARIABLES)).assert_consumed()
    return state


def _tf_variables(variables) -> list:
    """The ``tf.Variable`` behind each Keras variable (tf.Variables pass through)."""
    import tensorflow as tf

    return [v if isinstance(v, tf.Variable) else v.value for v in variables]


def read_state(path: str | os.PathLike) -> dict:
    """The ``state.json`` of a checkpoint, without touching any variable."""
    return json.loads((Path(path) / _STATE).read_text())


def _finished(directory: Path) -> list[tuple[int, Path]]:
    found = []
    for child in directory.iterdir():
        match = _FINISHED.fullmatch(child.name)
        if match and child.is_dir():
            found.append((int(match.group(1)), child))
    return found
