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

    from reglab import __version__
    from reglab.devices import detect

    devices = detect()
    lines = [
        f"reglab:      {__version__}",
        f"Python:      {platform.python_version()} ({sys.executable})",
        f"TensorFlow:  {tf.__version__}",
        f"Keras:       {keras.__version__} (backend: {keras.backend.backend()})",
        f"numpy:       {np.__version__}",
        devices.summary(),
        f"Verdict: {_verdict(devices)}",
    ]
    return "\n".join(lines)


def _verdict(devices) -> str:
    if devices.gpus:
        return f"ready: training runs on {len(devices.gpus)} GPU(s)."
    return "ready: no GPU found, so everything runs on the CPU (every notebook is sized for that)."


def main() -> int:
    """Print the report; return 0 when ready, 1 with the reason on stderr otherwise."""
    try:
        print(report())
    except DoctorError as error:
        print(f"reglab doctor: NOT READY. {error}", file=sys.stderr)
        return 1
    return 0
