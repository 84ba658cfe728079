"""``python -m reglab doctor``: is this machine ready for the notebooks?

Introduced in notebooks/00-setup.ipynb.
"""

from __future__ import annotations

import platform
import sys


class DoctorError(RuntimeError):
    """The environment cannot run the notebooks; the message says why and what to do."""


def report() -> str:
    """Return the doctor report: versions, devices, mixed precision and a one-line verdict.

    Raises
    ------
    DoctorError
        If TensorFlow or Keras cannot be imported.

    Examples
    --------
    >>> "Verdict:" in report()
    True
    """
    import numpy as np

    try:
        import tensorflow as tf
    except Exception as error:  # ImportError, or a broken binary raising anything else
        raise DoctorError(
            f"TensorFlow cannot be imported ({type(error).__name__}: {error}). "
            "Install the project with `make lab` or `pip install -e .`, which brings TensorFlow 2.21."
        ) from error
    try:
        import keras
    except Exception as error:
        raise DoctorError(f"Keras cannot be imported ({type(error).__name__}: {error}).") from error

    from reglab import __version__, compat, stacks
    from reglab.devices import detect

    devices = detect()
    stack = stacks.compare()
    lines = [
        f"reglab:      {__version__}",
        f"Python:      {platform.python_version()} ({_interpreter()})",
        f"TensorFlow:  {tf.__version__}",
        f"Keras:       {keras.__version__} (backend: {keras.backend.backend()})",
        f"numpy:       {np.__version__}",
        stack.summary(),
    ]
    if not stack.is_pinned:
        lines.append(_behaviour_differences(compat.probes()))
    lines += [devices.summary(), f"Verdict: {_verdict(devices, stack)}"]
    return "\n".join(lines)


def _interpreter(executable: str | None = None) -> str:
    """``sys.executable``, relative to the reglab checkout it lives in (``.venv/bin/python``), so
    the report, and notebook 00 that prints it, read the same in every clone; else the full path."""
    from pathlib import Path

    path = Path(executable or sys.executable)
    for folder in path.parents:
        if (folder / "pyproject.toml").is_file() and (folder / "reglab").is_dir():
            return f"{path.relative_to(folder)} in this checkout"
    return str(path)


def _behaviour_differences(probes) -> str:
    """The probes whose result differs from the pinned stack's, one line each."""
    from reglab.stacks import PINNED_BEHAVIOUR

    differing = [p for p in probes if p.name in PINNED_BEHAVIOUR and p.value != PINNED_BEHAVIOUR[p.name]]
    if not differing:
        return "  This Keras behaves as the pinned one in every probe (reglab.compat)."
    lines = ["  This Keras differs from the pinned one (reglab.compat):"]
    lines += [f"    {p.name}: {p.value} (pinned: {PINNED_BEHAVIOUR[p.name]}); {p.meaning}" for p in differing]
    return "\n".join(lines)


def on_colab() -> bool:
    """True inside a Google Colab runtime."""
    return "google.colab" in sys.modules


def _verdict(devices, stack) -> str:
    where = "ready" if not stack.outside_range else "may not work: versions outside the tested range (above)"
    if devices.gpus:
        return f"{where}: training runs on {len(devices.gpus)} GPU(s)."
    if on_colab():
        return (f"{where}: no GPU, so everything runs on the CPU. Every notebook is sized for that; for "
                "a GPU choose Runtime > Change runtime type > T4 GPU, then run the notebook again.")
    return f"{where}: no GPU found, so everything runs on the CPU (every notebook is sized for that)."


def main() -> int:
    """Print the report; return 0 when ready, 1 with the reason on stderr otherwise."""
    try:
        print(report())
    except DoctorError as error:
        print(f"reglab doctor: NOT READY. {error}", file=sys.stderr)
        return 1
    return 0
