"""What every figure shares: how its Figure and Axes are made, its colours, common axis labels.

A figure function either makes a new :class:`~matplotlib.figure.Figure` (not through ``pyplot``,
so nothing is shown and nothing stays in ``pyplot``'s registry) or draws on the Axes it is given
(``ax=``: one Axes for a one-panel figure, a sequence of them for a figure with several panels),
and returns the Figure those Axes belong to. Colours come from the seaborn theme that
:func:`reglab.notebook.setup` sets.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reglab._validation import _invalid

STEP_LABEL = "step t (number of updates)"
"""The x label of every figure drawn against training steps."""

LOSS_LABEL = "mean squared error (target units²)"
"""The y label of every figure of a mean squared error."""


def _figure(ncols: int = 1, *, width: float = 5.0, height: float = 4.0, ax=None, **kwargs):
    """``(figure, axes)``: ``ncols`` new Axes side by side, or the ``ax`` the caller passed.

    Examples
    --------
    >>> fig, axes = _figure(2)
    >>> len(axes), axes[0].figure is fig
    (2, True)
    >>> _figure(2, ax=axes)[1][1] is axes[1]
    True
    """
    if ax is None:
        fig = Figure(figsize=(width * ncols, height), layout="constrained")
        return fig, fig.subplots(1, ncols, squeeze=False, **kwargs)[0]
    return _given_axes(ax, ncols)


def _given_axes(ax, count: int):
    expected = "a matplotlib Axes" if count == 1 else f"a sequence of {count} matplotlib Axes (one per panel)"
    axes = [ax] if isinstance(ax, Axes) else list(ax) if isinstance(ax, list | tuple | np.ndarray) else None
    if axes is None or not all(isinstance(a, Axes) for a in axes):
        raise TypeError(_invalid("ax", expected, type(ax).__name__))
    if len(axes) != count:
        raise ValueError(_invalid("ax", expected, f"{len(axes)} Axes"))
    return axes[0].figure, np.asarray(axes, dtype=object)


def _colors(n: int) -> list:
    import matplotlib as mpl

    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    return [cycle[i % len(cycle)] for i in range(n)]


def _mapping(value, name: str, *, empty: bool = False) -> dict:
    """``value`` as a dict of label to value; ``TypeError``/``ValueError`` naming ``name`` otherwise."""
    from collections.abc import Mapping

    if not isinstance(value, Mapping):
        raise TypeError(_invalid(name, "a mapping of label to data", type(value).__name__))
    if not value and not empty:
        raise ValueError(_invalid(name, "at least one entry", value))
    return dict(value)


__all__ = ["LOSS_LABEL", "STEP_LABEL", "Figure"]
