"""Checks for the exercises of notebooks/00-setup.ipynb."""

from __future__ import annotations

from reglab.exercises._core import Feedback, exercise


@exercise("00.1")
def keras_major_version(answer: object) -> Feedback:
    """The major version of the installed Keras, as an int."""
    import keras

    expected = int(keras.__version__.split(".")[0])
    hint = "Read keras.__version__ and take the part before the first dot, as an int."
    return Feedback(answer == expected and isinstance(answer, int), hint)
