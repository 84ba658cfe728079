"""Figures of notebook 08, training on GPUs: speed against Model.fit.

Each function takes what the notebook holds, draws on a new figure or on the ``ax`` it is given,
and returns the :class:`matplotlib.figure.Figure` (see :mod:`reglab.figures`).

Introduced in notebooks/08-training-on-gpus.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reglab._validation import _invalid, _short, check_float
from reglab.figures._style import (
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
