"""The shared first cell of every notebook: quiet logs, seeds, determinism, plot theme.

Introduced in notebooks/00-setup.ipynb and called at the top of every notebook::

    from reglab.notebook import setup
    setup(seed=0)
"""

from __future__ import annotations

import logging
import os
import warnings
from contextlib import contextmanager

import reglab  # noqa: F401  (sets TF_CPP_MIN_LOG_LEVEL before TensorFlow's first import)

DEFAULT_SEED = 0


def setup(seed: int = DEFAULT_SEED, *, deterministic: bool = True, theme: bool = True) -> int:
    """Prepare a notebook session so it gives the same numbers on every run.

    Seeds Python, numpy and TensorFlow (``keras.utils.set_random_seed``), turns on TensorFlow's
    op determinism, silences Python-side TensorFlow and absl log noise (it lands on stderr and
    would make nbval runs flaky), and sets one seaborn theme for all figures.

    Parameters
    ----------
    seed : int
        The seed for every random generator.
    deterministic : bool
        Turn on ``tf.config.experimental.enable_op_determinism`` (same numbers on CPU re-runs).
    theme : bool
        Apply the seaborn theme used by every figure of the project.

    Returns
    -------
    int
        The seed, so a notebook can print what it used.

    Examples
    --------
    >>> setup(seed=0)
    0
    """
    from reglab._validation import check_bool, check_int

    seed = check_int(seed, "seed", minimum=0)
    deterministic = check_bool(deterministic, "deterministic")
    theme = check_bool(theme, "theme")
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    _quiet_python_logging()
    _import_tensorflow_quietly()
    _float16_fallback_logged_quietly()

    import keras
    import tensorflow as tf

    from reglab import _keras, compat

    # TensorFlow configures its own logger at import; without this, vectorising a stacked sweep
    # with dropout logs one warning per random op.
    tf.get_logger().setLevel(logging.ERROR)

    # Keras 3.0-3.12 keep the generator of unseeded keras.random draws across set_random_seed;
    # dropping it makes a re-seeded notebook repeat its draws there too. The probe itself
    # re-seeds, so it runs (once per process) before the seeds below.
    if not compat.reseeding_repeats_draws():
        _keras.reset_global_seed_generator()
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    if theme:
        import seaborn as sns

        sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    return seed


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow and Keras with the process's stderr (file descriptor 2) muted.

    On some CPUs TensorFlow 2.21 writes C++ lines at import time ("oneDNN custom operations are
    on", with a timestamp) before its log level applies, so ``TF_CPP_MIN_LOG_LEVEL`` cannot hide
    them; in a notebook they would land in the setup cell and differ on every run. An import error
    is still raised, with its Python message.
    """
    import sys

    if "tensorflow" in sys.modules:
        return
    with _stderr_muted():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401


def _float16_fallback_logged_quietly() -> None:
    """Run one float16 product with stderr muted.

    On a CPU without AVX-512 FP16 (an AMD EPYC, say) TensorFlow 2.21 logs, at error level and once
    per process, that oneDNN falls back to Eigen for float16, with a timestamp: it would land in
    the first cell that computes in float16. It is logged here instead, into nothing. This runs a
    TensorFlow operation, so it belongs in :func:`setup`, after ``devices.split_cpu``.
    """
    import tensorflow as tf

    with _stderr_muted():
        half = tf.ones((2, 2), tf.float16)
        tf.matmul(half, half).numpy()


@contextmanager
def _stderr_muted():
    """File descriptor 2 pointed at os.devnull (C++ writes there directly), restored after."""
    import sys

    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _quiet_python_logging() -> None:
    """Hide TensorFlow's and absl's Python warnings; errors still show."""
    for name in ("tensorflow", "absl", "keras", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
