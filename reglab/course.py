"""Helpers for the graded course assignments (``assignments/``, built with otter-grader).

Two users:

- the student's notebook: :func:`grader` opens otter's checker on the student's copy of an
  assignment, whatever the browser called it (``penalties-and-updates (1).ipynb``), and says what
  to do when it cannot find it;
- the tests of the masters: :func:`call`, :func:`number` and :func:`numbers` turn a missing
  answer, an exception, a string or a NaN into an ``AssertionError`` whose message is a hint (what
  was expected, what came), never a bare ``TypeError``; :func:`reference` runs a later question's
  function with the earlier answers it builds on replaced by the reference, so one mistake costs
  points once.

Introduced in assignments/ (README, "For instructors"); ``import otter`` happens only in
:func:`grader`, so the rest works without the ``course`` extra.

Examples
--------
>>> number(0.25, "the penalty")
0.25
>>> number(None, "the penalty")
Traceback (most recent call last):
...
AssertionError: Hint: the penalty is None; replace the ... with your computation and return its result.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

__all__ = ["call", "find_notebook", "grader", "number", "numbers", "reference"]


# --- the student's notebook -------------------------------------------------------------------
def _assignment_of(path: Path) -> str | None:
    """The otter assignment name stored in a notebook's metadata (None if unreadable or absent)."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError):
        return None
    return metadata.get("otter", {}).get("assignment_name")


def find_notebook(assignment: str, folder: str | os.PathLike | None = None) -> Path:
    """The student's copy of ``assignment``: the notebook otter reads the public tests from.

    Looked for, in order: the notebook the kernel was started for (Jupyter's ``JPY_SESSION_NAME``),
    ``<assignment>.ipynb`` in ``folder`` (default: the working directory, the notebook's folder in
    Jupyter), then any notebook in ``folder`` whose otter metadata names ``assignment`` (a browser
    download such as ``<assignment> (1).ipynb``; the most recently saved if several). Every copy
    holds the same public tests, so any of them serves the checks.

    Raises ``FileNotFoundError`` that tells the student what to do when there is none.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "hw (1).ipynb").write_text('{"metadata": {"otter": {"assignment_name": "hw"}}}')
    >>> find_notebook("hw", folder).name
    'hw (1).ipynb'
    """
    folder = Path.cwd() if folder is None else Path(folder)
    session = os.environ.get("JPY_SESSION_NAME")
    candidates = [Path(session)] if session and session.endswith(".ipynb") else []
    candidates.append(folder / f"{assignment}.ipynb")
    for path in candidates:
        if path.is_file() and _assignment_of(path) == assignment:
            return path
    copies = [path for path in folder.glob("*.ipynb") if _assignment_of(path) == assignment]
    if copies:
        return max(copies, key=lambda path: (path.stat().st_mtime, path.name))
    raise FileNotFoundError(
        f"Could not find the notebook of the assignment {assignment!r} in {folder}: the checks read "
        f"their tests from it. Save this notebook (File > Save), keep it in that folder under the "
        f"name {assignment}.ipynb (File > Rename), then run this cell again."
    )


def grader(assignment: str):
    """``otter.Notebook`` for ``assignment``, on the student's copy wherever :func:`find_notebook` finds it.

    The first cell of every assignment calls it (``grader = course.grader("<name>")``); then each
    ``grader.check("q1")`` runs that question's public tests. While otter grades (``otter run``,
    ``otter assign``) the tests come from the autograder zip, so no notebook is looked for.
    """
    import otter

    if otter.Notebook._grading_mode:
        return otter.Notebook()
    return otter.Notebook(str(find_notebook(assignment)))


# --- the tests of the masters -----------------------------------------------------------------
def _shown(value: object) -> str:
    """A short description of an argument or answer for a hint."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    text = repr(value)
    return text if len(text) <= 40 else f"a {type(value).__name__}"


def call(func: object, name: str, *args: object) -> object:
    """``func(*args)``, the student's function ``name``; a missing one or an error becomes a hint.

    Examples
    --------
    >>> call(lambda w: 2 * w, "double", 3)
    6
    >>> call(lambda w: w / 0, "double", 3)
    Traceback (most recent call last):
    ...
    AssertionError: Hint: double(3) raised ZeroDivisionError: division by zero
    """
    if not callable(func):
        raise AssertionError(f"Hint: define {name}(...) above and run its cell; {name} is {_shown(func)}.")
    try:
        return func(*args)
    except Exception as error:  # the student's bug, reported as feedback
        shown = ", ".join(_shown(arg) for arg in args)
        raise AssertionError(f"Hint: {name}({shown}) raised {type(error).__name__}: {error}") from None


def _not_given(value: object, what: str, expected: str) -> None:
    if value is None or value is Ellipsis:
        raise AssertionError(
            f"Hint: {what} is {value!r}; replace the ... with your computation and return its result."
        )
    if isinstance(value, str | bytes):
        raise AssertionError(f"Hint: {what} should be {expected}, not the string {value!r}.")


def numbers(
    value: object, what: str, shape: tuple[int, ...] | None = None, *, expected: str = "numbers"
) -> np.ndarray:
    """``value`` as a finite float64 array (of ``shape`` if given), or a hint saying what was expected.

    Examples
    --------
    >>> numbers([1, 2], "the gradient", shape=(2,))
    array([1., 2.])
    >>> numbers([1, float("nan")], "the gradient")
    Traceback (most recent call last):
    ...
    AssertionError: Hint: the gradient has 1 NaN or infinite entries; expected finite numbers.
    """
    _not_given(value, what, expected)
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError(f"Hint: {what} should be {expected}; got {_shown(value)}.") from None
    if shape is not None and array.shape != tuple(shape):
        raise AssertionError(f"Hint: {what} should have the shape {tuple(shape)}; got {array.shape}.")
    bad = int(np.sum(~np.isfinite(array)))
    if bad:
        raise AssertionError(f"Hint: {what} has {bad} NaN or infinite entries; expected finite numbers.")
    return array


def number(value: object, what: str) -> float:
    """``value`` as one finite float, or a hint saying what was expected (see :func:`numbers`).

    Examples
    --------
    >>> number(np.float32(1.5), "the intercept")
    1.5
    >>> number("1.5", "the intercept")
    Traceback (most recent call last):
    ...
    AssertionError: Hint: the intercept should be a number, not the string '1.5'.
    """
    array = numbers(value, what, expected="a number")
    if array.size != 1:
        raise AssertionError(f"Hint: {what} should be one number; got {array.size}, shape {array.shape}.")
    result = float(array.reshape(()))
    if not math.isfinite(result):  # pragma: no cover - numbers() has refused it already
        raise AssertionError(f"Hint: {what} is {result}; expected a finite number.")
    return result


@contextlib.contextmanager
def reference(func: Callable, **answers: object) -> Iterator[None]:
    """Run the student's ``func`` with earlier answers it uses replaced by reference implementations.

    ``func`` looks names up in the notebook's globals; inside the ``with`` block each name in
    ``answers`` (e.g. ``grad_l2=penalties.grad_l2``) is the reference, and afterwards the student's
    own again. So a question that builds on an earlier one is graded on its own code only.

    Examples
    --------
    >>> def grad(w): return w          # a wrong earlier answer
    >>> def step(w): return w - grad(w)
    >>> with reference(step, grad=lambda w: 2 * w):
    ...     step(1.0)
    -1.0
    >>> step(1.0)
    0.0
    """
    namespace = getattr(func, "__globals__", None)
    if namespace is None:  # not a Python function (e.g. a builtin): nothing to replace
        yield
        return
    saved = {name: namespace[name] for name in answers if name in namespace}
    namespace.update(answers)
    try:
        yield
    finally:
        for name in answers:
            if name in saved:
                namespace[name] = saved[name]
            else:
                namespace.pop(name, None)
