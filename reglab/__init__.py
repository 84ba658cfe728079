"""reglab: tested helpers for the regularization notebooks.

The package imports no TensorFlow at import time, so ``python -m reglab doctor`` can report a
broken TensorFlow install instead of crashing, and notebooks can quiet TensorFlow's C++ logging
before its first import.
"""

import os

__version__ = "0.2.0"

# TensorFlow reads this once, at its first import: set it before any reglab module imports it.
# Level 2 hides C++ INFO and WARNING lines (oneDNN notices, CPU feature hints) that make notebook
# outputs differ between machines. A value the user set wins.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__all__ = ["__version__"]
