"""Figures of notebook 02, penalties: curves of L1 and L2 against one weight, and their geometry.

Each function takes what the notebook holds, draws on a new figure or on the ``ax`` it is given,
and returns the :class:`matplotlib.figure.Figure` (see :mod:`reglab.figures`).

Introduced in notebooks/02-l1-l2-penalties.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from matplotlib.patches import Circle, Polygon

from reglab._validation import as_float_array, check_callable, check_float, check_int
from reglab.figures._style import (
    _arrays,
    _colors,
    _figure,
    _text,
)


def penalty_curves(w, values: Mapping[str, object], *, ylabel: str = "penalty added to the loss", ax=None):
    """Curves of penalties (or their gradients) against one weight ``w``.

    Parameters
    ----------
    w : array_like
        1-D grid of weight values (x axis).
    values : mapping of str to array_like
        One curve per label, each shaped like ``w``.
    ylabel : str
        What the curves measure.
    ax : matplotlib.axes.Axes, optional
        Draw on this Axes instead of a new figure; the figure it belongs to is returned.

    Examples
    --------
    >>> fig = penalty_curves([-1, 0, 1], {"L1, λ=1": [1, 0, 1]})
    >>> fig.axes[0].get_xlabel()
    'weight w (same units as the weight)'

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    w = as_float_array(w, "w")
    values = _arrays(values, "values", length=len(w) if w.ndim else None)
    ylabel = _text(ylabel, "ylabel")
    fig, (ax,) = _figure(width=6.0, ax=ax)
    for label, curve in values.items():
        ax.plot(w, curve, label=label)
    ax.axhline(0.0, color="0.3", linewidth=0.8)
    ax.axvline(0.0, color="0.3", linewidth=0.8)
    ax.set(xlabel="weight w (same units as the weight)", ylabel=ylabel)
    ax.legend()
    return fig


def penalty_geometry(
    loss: Callable[[np.ndarray], np.ndarray],
    *,
    w_ols,
    w_l1,
    w_l2,
    extent: float | None = None,
    resolution: int = 301,
    loss_label: str = "data loss",
    lam: float | None = None,
    ax=None,
):
    """The L1 diamond and the L2 disc with the contours of a 2-weight loss.

    Left panel: the L1 ball ``|w₁| + |w₂| <= ‖w_l1‖₁``; right panel: the L2 disc
    ``w₁² + w₂² <= ‖w_l2‖₂²``. Each shows the loss contours, the unpenalised minimum ``w_ols``, the
    penalised minimum and (thick) the contour through it: where that contour touches the region
    is the constrained optimum. A solution with a zero coordinate sits on an axis, at a corner
    of the diamond.

    Parameters
    ----------
    loss : callable
        Maps weights shaped ``(..., 2)`` to losses shaped ``(...)``.
    w_ols, w_l1, w_l2 : array_like, shape (2,)
        The unpenalised, L1-penalised and L2-penalised minima.
    extent : float, optional
        Half-width of the square window around the origin; by default 1.4 times the largest
        coordinate of the three points.
    resolution : int
        Grid points per axis for the contours.
    loss_label : str
        What the loss is, for the colour bar.
    lam : float, optional
        The factor λ both penalised minima were computed with; named in the legend and titles.
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = penalty_geometry(lambda w: ((w - [2.0, 0.5]) ** 2).sum(-1),
    ...                        w_ols=[2.0, 0.5], w_l1=[1.0, 0.0], w_l2=[0.9, 0.3])
    >>> len(fig.axes)
    3
    >>> fig = penalty_geometry(lambda w: ((w - [2.0, 0.5]) ** 2).sum(-1), lam=1.0,
    ...                        w_ols=[2.0, 0.5], w_l1=[1.0, 0.0], w_l2=[0.9, 0.3])
    >>> fig.axes[0].get_legend().get_texts()[1].get_text()
    'L1-penalised minimum, λ = 1: (1.00, 0.00)'

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    check_callable(loss, "loss", "a function of weights shaped (..., 2)")
    resolution = check_int(resolution, "resolution", minimum=2)
    loss_label = _text(loss_label, "loss_label")
    with_lam = "" if lam is None else f", λ = {check_float(lam, 'lam'):g}"
    points = {
        name: as_float_array(p, name)
        for name, p in (("w_ols", w_ols), ("w_l1", w_l1), ("w_l2", w_l2))
    }
    for name, point in points.items():
        if point.shape != (2,):
            raise ValueError(
                f"Invalid value for argument {name}: expected 2 weights. "
                f"Received: {name}={point.tolist()!r}"
            )
    if extent is None:
        extent = 1.4 * max(np.abs(p).max() for p in points.values())
    extent = check_float(extent, "extent", strict=True)
    grid = np.linspace(-extent, extent, resolution)
    w1, w2 = np.meshgrid(grid, grid)
    surface = np.asarray(loss(np.stack([w1, w2], axis=-1)), dtype=np.float64)
    levels = np.quantile(surface, np.linspace(0.0, 0.9, 12) ** 2)

    fig, axes = _figure(2, width=5.0, height=4.6, sharey=True, ax=ax)
    colors = _colors(3)
    regions = {
        "L1": (points["w_l1"], _diamond(np.abs(points["w_l1"]).sum(), colors[1])),
        "L2": (
            points["w_l2"],
            Circle((0, 0), np.linalg.norm(points["w_l2"]), alpha=0.25, color=colors[2]),
        ),
    }
    for ax, (name, (solution, patch)) in zip(axes, regions.items(), strict=True):
        contours = ax.contour(w1, w2, surface, levels=levels, cmap="viridis", linewidths=0.8)
        ax.contour(w1, w2, surface, levels=[float(loss(solution))], colors="black", linewidths=2)
        ax.add_patch(patch)
        ax.plot(
            *points["w_ols"],
            marker="*",
            markersize=14,
            color="black",
            linestyle="none",
            label="minimum of the data loss",
        )
        ax.plot(
            *solution,
            marker="o",
            markersize=9,
            color=patch.get_facecolor()[:3],
            markeredgecolor="black",
            linestyle="none",
            label=f"{name}-penalised minimum{with_lam}: ({solution[0]:.2f}, {solution[1]:.2f})",
        )
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        ax.axvline(0.0, color="0.3", linewidth=0.8)
        ax.set(
            xlim=(-extent, extent),
            ylim=(-extent, extent),
            aspect="equal",
            xlabel="weight w₁ (coefficient of feature 1)",
            title=f"{name}{with_lam}: the region the penalty allows",
        )
        ax.legend(loc="upper left", fontsize="small")
    axes[0].set_ylabel("weight w₂ (coefficient of feature 2)")
    fig.colorbar(contours, ax=list(axes), shrink=0.8, label=loss_label)
    return fig


def _diamond(radius: float, color) -> Polygon:
    corners = [(radius, 0), (0, radius), (-radius, 0), (0, -radius)]
    return Polygon(corners, closed=True, alpha=0.25, color=color)
