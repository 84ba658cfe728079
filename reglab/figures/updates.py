"""Figures of notebook 03, updates: weights along training steps, and the coefficients an update rule leaves.

Each function takes what the notebook holds, draws on a new figure or on the ``ax`` it is given,
and returns the :class:`matplotlib.figure.Figure` (see :mod:`reglab.figures`).

Introduced in notebooks/03-gradient-updates.ipynb.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
from matplotlib.ticker import MaxNLocator

from reglab._validation import _invalid, as_float_array, check_float
from reglab.figures._style import (
    STEP_LABEL,
    _arrays,
    _colors,
    _figure,
    _labels,
    _optional_text,
    _text,
)


def weight_trajectories(
    curves: Mapping[str, object],
    *,
    closed_form: Mapping[str, object] | None = None,
    ylabel: str = "weight w_t (same units as the weight)",
    zoom: float | None = None,
    title: str | None = None,
    dashed: Collection[str] = (),
    ax=None,
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
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = weight_trajectories({"L2": [1.0, 0.9, 0.81]}, closed_form={"L2": [1.0, 0.9, 0.81]})
    >>> fig.axes[0].get_xlabel()
    'step t (number of updates)'

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    curves = _arrays(curves, "curves")
    closed_form = _arrays(closed_form, "closed_form") if closed_form is not None else {}
    _labels(closed_form, "closed_form", curves)
    dashed = _labels(dashed, "dashed", curves)
    ylabel, title = _text(ylabel, "ylabel"), _optional_text(title, "title")
    zoom = None if zoom is None else check_float(zoom, "zoom", strict=True)
    fig, axes = _figure(1 if zoom is None else 2, width=5.5 if zoom is None else 4.8, ax=ax)
    colors = dict(zip(curves, _colors(len(curves)), strict=True))
    for ax in axes:
        for label, path in curves.items():
            style = "--" if label in dashed else "-"
            ax.plot(np.arange(path.size), path, style, color=colors[label], label=label)
            if label in closed_form:
                exact = closed_form[label]
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
        axes[1].set(ylim=(-zoom, zoom), title="zoom on the band around 0")
    if title:
        fig.suptitle(title)
    return fig


def coefficient_magnitudes(
    weights: Mapping[str, object], *, true=None, ylabel: str = "|w_j| (log scale)", ax=None
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
    ax : matplotlib.axes.Axes, optional
        Draw on this Axes instead of a new figure; the figure it belongs to is returned.

    Examples
    --------
    >>> fig = coefficient_magnitudes({"proximal": [1.0, 0.0, 0.5]}, true=[1.0, 0.0, 0.5])
    >>> fig.axes[0].get_yscale()
    'log'

    Introduced in notebooks/03-gradient-updates.ipynb
    """
    arrays = {label: np.abs(w) for label, w in _arrays(weights, "weights", ndim=1).items()}
    sizes = {a.size for a in arrays.values()}
    if len(sizes) > 1:
        raise ValueError(_invalid("weights", "vectors of one length", {k: a.size for k, a in arrays.items()}))
    if true is not None:
        true = np.abs(as_float_array(true, "true"))
        if true.shape != (sizes.pop(),):
            raise ValueError(_invalid("true", "one coefficient per weight", f"shape {true.shape}"))
    ylabel = _text(ylabel, "ylabel")
    nonzero = np.concatenate([a[a > 0] for a in arrays.values()] + [np.ones(1)])
    floor = 10 ** np.floor(np.log10(nonzero.min()) - 1)
    fig, (ax,) = _figure(width=8.0, ax=ax)
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
