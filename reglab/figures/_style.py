"""What every figure shares: how its Figure and Axes are made, its colours, common axis labels.

A figure function either makes a new :class:`~matplotlib.figure.Figure` (not through ``pyplot``,
so nothing is shown and nothing stays in ``pyplot``'s registry) or draws on the Axes it is given
(``ax=``: one Axes for a one-panel figure, a sequence of them for a figure with several panels),
and returns the Figure those Axes belong to. Colours come from the seaborn theme that
:func:`reglab.notebook.setup` sets.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reglab._validation import _invalid, _short, as_float_array, check_real, check_str

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


# --- argument checks shared by the figures (messages as in reglab._validation) ---------------------
def _mapping(value, name: str, *, empty: bool = False) -> dict:
    """``value`` as a dict of label to value; ``TypeError``/``ValueError`` naming ``name`` otherwise."""
    from collections.abc import Mapping

    if not isinstance(value, Mapping):
        raise TypeError(_invalid(name, "a mapping of label to data", _short(value)))
    if not value and not empty:
        raise ValueError(_invalid(name, "at least one entry", value))
    return dict(value)


def _arrays(value, name: str, *, ndim: int | None = None, length: int | None = None) -> dict:
    """A non-empty mapping of label to a numeric array (``ndim`` axes, ``length`` rows if given)."""
    arrays = {}
    for label, data in _mapping(value, name).items():
        array = as_float_array(data, f"{name}[{label!r}]", allow_empty=False)
        if ndim is not None and array.ndim != ndim:
            raise ValueError(_invalid(f"{name}[{label!r}]", f"a {ndim}-D array", f"shape {array.shape}"))
        if length is not None and len(array) != length:
            raise ValueError(_invalid(f"{name}[{label!r}]", f"{length} values (one per x)",
                                      f"{len(array)} values"))
        arrays[label] = array
    return arrays


def _text(value, name: str) -> str:
    """An axis label, title or legend entry: a string."""
    return check_str(value, name, "a string (a label)")


def _optional_text(value, name: str) -> str | None:
    return None if value is None else _text(value, name)


def _reference(value, name: str = "reference") -> tuple[float, str] | None:
    """``None`` or a ``(value, label)`` pair: a horizontal line and its legend entry."""
    if value is None:
        return None
    expected = "None or a (value, label) pair, e.g. (0.09, 'noise variance')"
    if not isinstance(value, tuple | list) or len(value) != 2 or not isinstance(value[1], str):
        raise TypeError(_invalid(name, expected, _short(value)))
    try:
        level = check_real(value[0], name)
    except (TypeError, ValueError):
        raise TypeError(_invalid(name, expected, _short(value))) from None
    return level, value[1]


def _labels(value, name: str, known) -> set:
    """A collection of labels, each one of ``known`` (the labels of the data)."""
    if isinstance(value, str) or not isinstance(value, Collection):
        raise TypeError(_invalid(name, "a collection of labels, e.g. {'no penalty'}", _short(value)))
    unknown = [label for label in value if label not in known]
    if unknown:
        raise ValueError(_invalid(name, f"labels among {sorted(map(str, known))}", _short(unknown)))
    return set(value)


def _column(frame, column, argument: str, what: str):
    """``frame[column]`` as floats; the error names ``argument`` (the option that chose the column)."""
    check_str(column, argument, "a column name")
    if column not in frame:
        raise ValueError(_invalid(argument, f"a column of {what} (one of {list(frame.columns)})", column))
    return as_float_array(frame[column], f"{what}[{column!r}]")


def _frame(value, name: str):
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise TypeError(_invalid(name, "a pandas.DataFrame", _short(value)))
    return value


__all__ = ["LOSS_LABEL", "STEP_LABEL", "Figure"]
