"""Figures of notebook 01's first section: what an overfitting network's function looks like.

The training and validation curves of the same run are drawn by
:func:`reglab.figures.learning_curves`; this module draws the fitted function itself.

Introduced in notebooks/01-dense-layer.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reglab._validation import as_float_array, check_same_shape
from reglab.figures._style import _arrays, _colors, _figure, _text

__all__ = ["fitted_function"]


def fitted_function(
    t,
    y,
    grid,
    curves: Mapping[str, object],
    *,
    truth=None,
    truth_label: str = "true function",
    xlabel: str = "input t",
    ylabel: str = "target y",
    ax=None,
):
    """Training points, the true function and one or more fitted curves on a grid.

    The y range is set by the data and the true function (with a margin), so that a curve that
    swings far between the training points runs off the panel instead of flattening the data;
    the legend says how many of its points lie outside.

    Parameters
    ----------
    t, y : array_like, shape (n,) or (n, 1)
        The training inputs and targets (drawn as points).
    grid : array_like, shape (m,)
        Where the curves are evaluated (sorted).
    curves : mapping of str to array_like, shape (m,) or (m, 1)
        Label → the model's predictions on ``grid`` (e.g. "best validation epoch (14)").
    truth : array_like, shape (m,) or (m, 1), optional
        The noise-free target on ``grid``, drawn dashed in black.
    truth_label, xlabel, ylabel : str
    ax : matplotlib.axes.Axes, optional
        Draw on this Axes instead of a new figure; the figure it belongs to is returned.

    Examples
    --------
    >>> grid = np.linspace(-1, 1, 5)
    >>> fig = fitted_function([-0.5, 0.5], [-1.0, 1.0], grid, {"fit": 2 * grid},
    ...                       truth=np.sin(np.pi * grid), truth_label="sin(πt)")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['training points', 'sin(πt)', 'fit (2 of 5 grid points off the panel)']

    Introduced in notebooks/01-dense-layer.ipynb
    """
    t = as_float_array(t, "t", allow_empty=False).reshape(-1)
    y = as_float_array(y, "y", allow_empty=False).reshape(-1)
    check_same_shape(t, y, "t", "y")
    grid = as_float_array(grid, "grid", allow_empty=False).reshape(-1)
    curves = {label: c.reshape(-1) for label, c in _arrays(curves, "curves").items()}
    for label, curve in curves.items():
        check_same_shape(grid, curve, "grid", f"curves[{label!r}]")
    if truth is not None:
        truth = as_float_array(truth, "truth").reshape(-1)
        check_same_shape(grid, truth, "grid", "truth")
    truth_label = _text(truth_label, "truth_label")
    xlabel, ylabel = _text(xlabel, "xlabel"), _text(ylabel, "ylabel")
    fig, (ax,) = _figure(width=6.0, height=4.2, ax=ax)
    shown = np.concatenate([y, truth if truth is not None else y])
    margin = 0.35 * (shown.max() - shown.min() or 1.0)
    low, high = shown.min() - margin, shown.max() + margin
    ax.scatter(t, y, s=28, color="black", zorder=3, label="training points")
    if truth is not None:
        ax.plot(grid, truth, color="black", linestyle="--", linewidth=1.2, label=truth_label)
    for (label, curve), color in zip(curves.items(), _colors(len(curves)), strict=True):
        outside = int(np.count_nonzero((curve < low) | (curve > high)))
        note = f" ({outside} of {curve.size} grid points off the panel)" if outside else ""
        ax.plot(grid, curve, color=color, linewidth=1.8, label=label + note)
    ax.set(xlim=(grid.min(), grid.max()), ylim=(low, high), xlabel=xlabel, ylabel=ylabel)
    ax.legend(loc="best", fontsize="small")
    return fig
