"""Self-checks for the exercises that close each notebook.

Each notebook's checks live in a module of this package (``nb02``, ``nb03``, ...) and register
themselves with :func:`exercise`. A student runs ``check("02.1", answer)``: it prints a one-line
verdict and a hint, and never raises, so an unanswered exercise does not stop the notebook.

A new exercise goes into the module of its notebook (``nbNN.py``, a new module for a new
notebook): its data as module constants the notebook imports, and a function decorated with
``@exercise("NN.k")`` that computes the expected answer, reads the student's with
:func:`~reglab.exercises._core.number` or :func:`~reglab.exercises._core.numbers` (a bool is not a
number) and returns a :class:`Feedback` with a hint. Its tests go into
``tests/test_exercises_nbNN*.py``; tests/test_exercises_robustness.py throws malformed answers at
it automatically.

Examples
--------
>>> from reglab.exercises import check
>>> check("00.1", None)
○ 00.1: not answered yet. Replace None with your answer and run the cell again.
Verdict(correct=False)
"""

from __future__ import annotations

import importlib
import pkgutil

from reglab.exercises._core import Feedback, Verdict, check, close, exercise, registered

# Import every notebook's module so their @exercise decorators register the checks.
for _module in pkgutil.iter_modules(__path__):
    if not _module.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["Feedback", "Verdict", "check", "close", "exercise", "registered"]
