"""Figures of notebook 08, the appendix on the training engine: speed against Model.fit, and
when XLA compilation pays.

Each function takes what the notebook holds, draws on a new figure or on the ``ax`` it is given,
and returns the :class:`matplotlib.figure.Figure` (see :mod:`reglab.figures`).

Introduced in notebooks/08-training-on-gpus.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reglab._validation import _invalid, _short, check_float, check_int
from reglab.figures._style import (
    _arrays,
    _colors,
    _figure,
    _mapping,
)


def speed_bars(panels: Mapping[str, tuple[Mapping[str, float], str]], *, ax=None):
    """Horizontal bars, one panel per comparison, each bar labelled with its value and its ratio
    to the panel's first bar (the baseline, drawn in grey).

    Parameters
    ----------
    panels : mapping of str to (mapping of str to float, str)
        Panel title → ``(bars, xlabel)``: ``bars`` maps a label to a positive value (the first is
        the baseline), ``xlabel`` says what is measured, with its unit (``"steps per second"``).
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = speed_bars({"one epoch": ({"Model.fit": 100.0, "train": 250.0}, "steps per second")})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['100 (baseline)', '250 (2.50x)']

    Introduced in notebooks/08-training-on-gpus.ipynb
    """
    if isinstance(panels, Mapping) and not panels:
        raise ValueError("Invalid value for argument panels: expected at least one panel. "
                         "Received: panels={}")
    panels = _mapping(panels, "panels")
    for title, panel in panels.items():
        if not (isinstance(panel, tuple | list) and len(panel) == 2 and isinstance(panel[0], Mapping)
                and isinstance(panel[1], str)):
            raise TypeError(_invalid(f"panels[{title!r}]", "a (bars, xlabel) pair: a mapping of label to "
                                     "value and a string", _short(panel)))
    height = 1.6 + 0.5 * max(len(b) for b, _ in panels.values())
    fig, axes = _figure(len(panels), width=5.2, height=height, ax=ax)
    for ax, (title, (bars, xlabel)) in zip(axes, panels.items(), strict=True):
        if not bars:
            raise ValueError(f"Invalid value for argument panels: expected bars in panel {title!r}. "
                             "Received: no bars")
        labels = list(bars)
        values = [check_float(v, f"panels[{title!r}][{label!r}]", strict=True) for label, v in bars.items()]
        colors = ["0.6"] + _colors(len(values))[1:]
        positions = np.arange(len(values))[::-1]
        ax.barh(positions, values, color=colors, height=0.6)
        for i, (position, value) in enumerate(zip(positions, values, strict=True)):
            ratio = "baseline" if i == 0 else f"{value / values[0]:.2f}x"
            shown = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
            ax.annotate(f"{shown} ({ratio})", (value, position), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize="small")
        ax.set_yticks(positions, labels)
        ax.set_xlim(0, 1.45 * max(values))
        ax.set(title=title, xlabel=xlabel)
    return fig


def cumulative_time(runs: Mapping[str, object], steps_per_epoch: int, *, extrapolate_to: int | None = None,
                    ax=None):
    """Wall time so far against steps trained, one line per run: where two lines cross, the run
    that started slower (it compiled) has caught up.

    Parameters
    ----------
    runs : mapping of str to sequence of float
        Label → seconds: the set-up before the first epoch, then each epoch's time (a history's
        ``seconds``), all non-negative. The line of a run starts at 0 steps with its set-up.
    steps_per_epoch : int
        The steps (updates) of one epoch, the same for every run.
    extrapolate_to : int, optional
        Continue each line, dashed, to this many steps at its median time per epoch after the
        first (where a crossing lies beyond the runs measured); nothing is drawn below the last
        measured step.
    ax : matplotlib.axes.Axes, optional
        Draw on this Axes instead of a new figure; its figure is returned.

    Examples
    --------
    >>> fig = cumulative_time({"XLA": [1.0, 3.0, 0.5, 0.5], "no XLA": [1.0, 1.0, 1.5, 1.5]}, 10)
    >>> [int(x) for x in fig.axes[0].lines[0].get_xdata()]
    [0, 10, 20, 30]
    >>> [float(y) for y in fig.axes[0].lines[1].get_ydata()]
    [1.0, 2.0, 3.5, 5.0]

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    from matplotlib.lines import Line2D

    data = _arrays(runs, "runs", ndim=1)
    steps_per_epoch = check_int(steps_per_epoch, "steps_per_epoch", minimum=1)
    if extrapolate_to is not None:
        extrapolate_to = check_int(extrapolate_to, "extrapolate_to", minimum=1)
    for label, seconds in data.items():
        if len(seconds) < 2 or not np.all(np.isfinite(seconds)) or np.any(seconds < 0):
            raise ValueError(_invalid(f"runs[{label!r}]", "the set-up and at least one epoch's "
                                      "seconds, all finite and non-negative", _short(seconds.tolist())))
    fig, (ax,) = _figure(1, width=6.4, height=3.8, ax=ax)
    extended = False
    for color, (label, seconds) in zip(_colors(len(data)), data.items(), strict=True):
        steps, total = steps_per_epoch * np.arange(len(seconds)), np.cumsum(seconds)
        ax.plot(steps, total, color=color, label=label, linewidth=2)
        if extrapolate_to is not None and extrapolate_to > steps[-1]:
            per_step = np.median(seconds[2:] if len(seconds) > 2 else seconds[1:]) / steps_per_epoch
            end = total[-1] + per_step * (extrapolate_to - steps[-1])
            ax.plot([steps[-1], extrapolate_to], [total[-1], end], color=color, linewidth=2, linestyle="--")
            extended = True
    handles, labels = ax.get_legend_handles_labels()
    if extended:
        handles.append(Line2D([], [], color="0.4", linewidth=2, linestyle="--"))
        labels.append("dashed: extrapolated at the median epoch time")
    ax.set(xlabel="steps trained (updates)", ylabel="wall time so far (seconds)", xlim=(0, None),
           ylim=(0, None))
    ax.legend(handles, labels, loc="lower right")  # the lines rise to the right: that corner stays free
    return fig
