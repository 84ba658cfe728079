"""The old name of :mod:`reglab.figures`, kept so that ``from reglab import plots`` still works.

Every figure function now lives in ``reglab/figures/`` (a module per notebook); this module only
re-exports them: ``reglab.plots.penalty_curves is reglab.figures.penalty_curves``.
"""

from reglab.figures import *  # noqa: F403  (the alias re-exports everything)
from reglab.figures import __all__  # noqa: F401
