"""The notebooks' figures: one function per figure; each takes data and returns a ``Figure``.

The functions build a :class:`matplotlib.figure.Figure` directly (not through ``pyplot``), so they
never show anything themselves and leave no figure behind in ``pyplot``'s registry: a notebook
displays the returned figure as its cell's last expression (with the inline backend, which
``%matplotlib inline`` turns on). Colours and fonts come from the seaborn theme that
:func:`reglab.notebook.setup` sets. Axes carry labels with units; weights and losses have the
units of the problem, so their labels say what they measure.

Sections follow the notebooks: 02 (penalties), 03 (updates). Later notebooks add their own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Polygon
from matplotlib.ticker import MaxNLocator

from reglab._validation import as_float_array, check_float

__all__ = ["coefficient_magnitudes", "penalty_curves", "penalty_geometry", "weight_trajectories"]

STEP_LABEL = "step t (number of updates)"


def _figure(ncols: int = 1, *, width: float = 5.0, height: float = 4.0, **kwargs):
    fig = Figure(figsize=(width * ncols, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False, **kwargs)[0]
    return fig, axes


def _colors(n: int) -> list:
    import matplotlib as mpl

    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    return [cycle[i % len(cycle)] for i in range(n)]


# --- notebook 02: penalties --------------------------------------------------------------------
def penalty_curves(w, values: Mapping[str, object], *, ylabel: str = "penalty added to the loss"):
    """Curves of penalties (or their gradients) against one weight ``w``.

    Parameters
    ----------
    w : array_like
        1-D grid of weight values (x axis).
    values : mapping of str to array_like
        One curve per label, each shaped like ``w``.
    ylabel : str
        What the curves measure.

    Examples
    --------
    >>> fig = penalty_curves([-1, 0, 1], {"L1, λ=1": [1, 0, 1]})
    >>> fig.axes[0].get_xlabel()
    'weight w (same units as the weight)'

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
    w = as_float_array(w, "w")
    fig, (ax,) = _figure(width=6.0)
    for label, curve in values.items():
        ax.plot(w, as_float_array(curve, label), label=label)
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

    Examples
    --------
    >>> fig = penalty_geometry(lambda w: ((w - [2.0, 0.5]) ** 2).sum(-1),
    ...                        w_ols=[2.0, 0.5], w_l1=[1.0, 0.0], w_l2=[0.9, 0.3])
    >>> len(fig.axes)
    3

    Introduced in notebooks/02-l1-l2-penalties.ipynb
    """
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

    fig, axes = _figure(2, width=5.0, height=4.6, sharey=True)
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
            label=f"{name}-penalised minimum ({solution[0]:.2f}, {solution[1]:.2f})",
        )
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        ax.axvline(0.0, color="0.3", linewidth=0.8)
        ax.set(
            xlim=(-extent, extent),
            ylim=(-extent, extent),
            aspect="equal",
            xlabel="weight w₁ (coefficient of feature 1)",
            title=f"{name}: the region the penalty allows",
        )
        ax.legend(loc="upper left", fontsize="small")
    axes[0].set_ylabel("weight w₂ (coefficient of feature 2)")
    fig.colorbar(contours, ax=list(axes), shrink=0.8, label=loss_label)
    return fig


def _diamond(radius: float, color) -> Polygon:
    corners = [(radius, 0), (0, radius), (-radius, 0), (0, -radius)]
    return Polygon(corners, closed=True, alpha=0.25, color=color)


# --- notebook 03: updates ----------------------------------------------------------------------
def weight_trajectories(
    curves: Mapping[str, object],
    *,
    closed_form: Mapping[str, object] | None = None,
    ylabel: str = "weight w_t (same units as the weight)",
    zoom: float | None = None,
    title: str | None = None,
    dashed: Collection[str] = (),
):
    """Weights against the step number: iterated paths as lines, closed forms as markers.

    Parameters
    ----------
    curves : mapping of str to array_like
        One 1-D path per label, ``w_0, w_1, ...``.
    closed_form : mapping of str to array_like, optional
        Paths from a formula, drawn as markers in the colour of the curve with the same label.
    ylabel : str
        What the y axis measures (e.g. ``"w_t / w_0 (relative)"``).
    zoom : float, optional
        Add a right panel showing ``-zoom <= w <= zoom``, to see what happens near 0.
    title : str, optional
    dashed : collection of str
        Labels of curves to draw dashed, so a curve that lies on top of another stays visible.

    Examples
    --------
    >>> fig = weight_trajectories({"L2": [1.0, 0.9, 0.81]}, closed_form={"L2": [1.0, 0.9, 0.81]})
    >>> fig.axes[0].get_xlabel()
    'step t (number of updates)'

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    closed_form = dict(closed_form or {})
    fig, axes = _figure(1 if zoom is None else 2, width=5.5 if zoom is None else 4.8)
    colors = dict(zip(curves, _colors(len(curves)), strict=True))
    for ax in axes:
        for label, path in curves.items():
            path = as_float_array(path, label)
            style = "--" if label in dashed else "-"
            ax.plot(np.arange(path.size), path, style, color=colors[label], label=label)
            if label in closed_form:
                exact = as_float_array(closed_form[label], label)
                every = max(1, exact.size // 80)  # every step unless crowded
                ax.plot(
                    np.arange(exact.size)[::every],
                    exact[::every],
                    linestyle="none",
                    marker="o",
                    markersize=4,
                    markerfacecolor="none",
                    color=colors[label],
                )
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        ax.set(xlabel=STEP_LABEL, ylabel=ylabel)
    if closed_form:
        axes[0].plot(
            [],
            [],
            linestyle="none",
            marker="o",
            markerfacecolor="none",
            color="0.3",
            label="closed form",
        )
    axes[0].legend(fontsize="small")
    if zoom is not None:
        zoom = check_float(zoom, "zoom", strict=True)
        axes[1].set(ylim=(-zoom, zoom), title="zoom on the band around 0")
    if title:
        fig.suptitle(title)
    return fig


def coefficient_magnitudes(
    weights: Mapping[str, object], *, true=None, ylabel: str = "|w_j| (log scale)"
):
    """Magnitudes of several weight vectors on a log scale, with exact zeros marked as such.

    A log axis cannot show 0, and on a linear axis ``1e-4`` looks like ``0``: here every exact
    zero is drawn as an ``x`` on the bottom edge, and the legend (right of the axes) counts them.

    Parameters
    ----------
    weights : mapping of str to array_like
        One 1-D weight vector per label (e.g. per update rule), all the same length.
    true : array_like, optional
        The true coefficients, drawn as hollow squares where nonzero.
    ylabel : str

    Examples
    --------
    >>> fig = coefficient_magnitudes({"proximal": [1.0, 0.0, 0.5]}, true=[1.0, 0.0, 0.5])
    >>> fig.axes[0].get_yscale()
    'log'

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    arrays = {label: np.abs(as_float_array(w, label)) for label, w in weights.items()}
    nonzero = np.concatenate([a[a > 0] for a in arrays.values()] + [np.ones(1)])
    floor = 10 ** np.floor(np.log10(nonzero.min()) - 1)
    fig, (ax,) = _figure(width=8.0)
    offsets = np.linspace(-0.2, 0.2, len(arrays)) if len(arrays) > 1 else [0.0]
    for (label, mags), offset, color in zip(
        arrays.items(), offsets, _colors(len(arrays)), strict=True
    ):
        index = np.arange(mags.size) + offset
        zero = mags == 0
        ax.plot(
            index[~zero],
            mags[~zero],
            "o",
            color=color,
            label=f"{label}: {zero.sum()} of {mags.size} exactly 0",
        )
        ax.plot(
            index[zero], np.full(zero.sum(), floor), "x", color=color, markersize=8, clip_on=False
        )
    if true is not None:
        true = np.abs(as_float_array(true, "true"))
        support = np.flatnonzero(true)
        ax.plot(
            support,
            true[support],
            "s",
            markerfacecolor="none",
            color="black",
            markersize=10,
            label="true nonzero coefficient",
        )
    ax.set_yscale("log")
    ax.set_ylim(bottom=floor)
    ax.set(xlabel="coefficient index j", ylabel=ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.annotate(
        "x on this edge: exactly 0", xy=(0.01, 0.06), xycoords="axes fraction", fontsize="small"
    )
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncols=2, fontsize="small")
    return fig
