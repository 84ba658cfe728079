"""Checkpoints that survive a killed run: one directory per finished epoch, written atomically.

A checkpoint is a directory ``epoch-00005/`` holding the variables (``tf.train.Checkpoint``
format: model weights, optimizer state, random-seed state) and ``state.json`` (the history so far
and the settings of the run). It is written under a hidden temporary name and renamed when
complete, so a process killed while saving leaves the previous checkpoint intact, and a directory
named ``epoch-*`` is always whole. Older checkpoints are removed once a newer one exists.

Damage from outside (a truncated file, an edited ``state.json``, a stray file named like a
checkpoint) is met by :func:`restore`: it skips a damaged checkpoint with a warning naming it and
falls back to the newest complete one; if none is usable it raises one :class:`CheckpointError`
that names the directory and says what to do.

Introduced in notebooks/08-training-on-gpus.ipynb.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import warnings
from pathlib import Path

__all__ = ["CheckpointError", "Damaged", "latest", "load", "peek", "read_state", "restore", "save"]

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
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    variables = _tf_variables(variables)
    tf.train.Checkpoint(values=variables).write(str(partial / _VARIABLES))
    shapes = [list(v.shape) for v in variables]
    _write_state(partial / _STATE, {**state, "epoch": epoch, "shapes": shapes})
    if final.is_dir():  # a re-run rewriting the same epoch: replace it
        shutil.rmtree(final)
    elif final.exists():  # a stray file of that name (restore skipped it with a warning)
        final.unlink()
    os.replace(partial, final)
    for older_epoch, older in _finished(directory):
        if older_epoch < epoch:
            shutil.rmtree(older, ignore_errors=True)
    return final


def _write_state(path: Path, state: dict) -> None:
    with open(path, "w") as file:
        json.dump(state, file)
        file.flush()
        os.fsync(file.fileno())


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


def _finished(directory: Path, *, files_too: bool = False) -> list[tuple[int, Path]]:
    found = []
    for child in directory.iterdir():
        match = _FINISHED.fullmatch(child.name)
        if match and (files_too or child.is_dir()):
            found.append((int(match.group(1)), child))
    return found


class CheckpointError(ValueError):
    """No checkpoint in a directory could be used; the message names it and says what to do."""


def restore(directory: str | os.PathLike, variables, check=None) -> dict | None:
    """Restore the newest usable checkpoint in ``directory`` into ``variables``; return its state.

    A checkpoint that cannot be read (missing or malformed ``state.json``, missing or damaged
    variable files, other shapes, a file where a directory should be) is skipped with a warning
    naming it, and the next older one is tried. ``check(state, path)`` is called on each readable
    state before its variables are touched: it may raise to refuse the checkpoint outright (another
    run's). Returns None when the directory holds no checkpoint at all.

    Raises
    ------
    CheckpointError
        If there are checkpoints but none is usable; ``variables`` keep their values.

    Examples
    --------
    >>> import tempfile, tensorflow as tf
    >>> folder = tempfile.mkdtemp()
    >>> _ = save(folder, 1, [tf.Variable([1.0])], {"rows": []})
    >>> _ = save(folder, 2, [tf.Variable([2.0])], {"rows": []})
    >>> restored = tf.Variable([0.0])
    >>> restore(folder, [restored])["epoch"], restored.numpy().tolist()
    (2, [2.0])

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return None
    candidates = sorted(_finished(directory, files_too=True), reverse=True)
    if not candidates:
        return None
    backup = [v.numpy() for v in _tf_variables(variables)]
    skipped = []
    for _, path in candidates:
        try:
            state = _read_checked_state(path)
        except Damaged as damage:
            skipped.append(f"{path.name} ({damage})")
            warnings.warn(f"Skipped the damaged checkpoint {str(path)!r}: {damage}", stacklevel=3)
            continue
        try:
            if check is not None:
                check(state, path)
        except Damaged as damage:
            skipped.append(f"{path.name} ({damage})")
            warnings.warn(f"Skipped the damaged checkpoint {str(path)!r}: {damage}", stacklevel=3)
            continue
        try:
            load(path, variables)
        except Exception as error:  # noqa: BLE001 - TensorFlow raises many kinds for a bad file
            reason = f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
            skipped.append(f"{path.name} ({reason})")
            warnings.warn(f"Skipped the damaged checkpoint {str(path)!r}: {reason}", stacklevel=3)
            continue
        return state
    for variable, value in zip(_tf_variables(variables), backup, strict=True):
        variable.assign(value)
    raise CheckpointError(
        f"Invalid value for argument checkpoint_dir: expected a directory with at least one "
        f"complete checkpoint. Received: {str(directory)!r}, where none is usable: "
        f"{'; '.join(skipped)}. Delete the directory (or the damaged epoch-* entries) to start "
        "afresh, or pass another directory"
    )


def peek(directory: str | os.PathLike, check) -> None:
    """Call ``check(state, path)`` on the newest readable checkpoint's state in ``directory``
    (damaged ones are left to :func:`restore`): a cheap way to refuse another run's checkpoint
    before building anything."""
    directory = Path(directory)
    if not directory.is_dir():
        return
    for _, path in sorted(_finished(directory), reverse=True):
        try:
            state = _read_checked_state(path)
            check(state, path)
        except Damaged:
            continue
        return


class Damaged(Exception):
    """Raised by a ``check`` given to :func:`restore` (or by :func:`restore` itself) to skip a
    checkpoint as damaged; the message says what is wrong."""


def _read_checked_state(path: Path) -> dict:
    if not path.is_dir():
        raise Damaged("not a directory")
    try:
        state = read_state(path)
    except FileNotFoundError:
        raise Damaged(f"{_STATE} is missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Damaged(f"{_STATE} is unreadable ({type(error).__name__})") from None
    if not isinstance(state, dict):
        raise Damaged(f"{_STATE} does not hold a mapping")
    epoch = state.get("epoch")
    if not isinstance(epoch, int) or epoch != int(_FINISHED.fullmatch(path.name).group(1)):
        raise Damaged(f"{_STATE} names epoch {epoch!r}, not the directory's")
    shapes = state.get("shapes")
    if not isinstance(shapes, list) or not all(isinstance(s, list) for s in shapes):
        raise Damaged(f"{_STATE} has no list of variable shapes")
    if not (path / (_VARIABLES + ".index")).is_file():
        raise Damaged("the variables' index file is missing")
    return state
