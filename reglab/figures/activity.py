"""Figures of notebook 06, activity regularization: how Keras scales the term with the batch,
and where it sits.

Each function takes what the notebook holds, draws on a new figure or on the ``ax`` it is given,
and returns the :class:`matplotlib.figure.Figure` (see :mod:`reglab.figures`).

Introduced in notebooks/06-activity-regularization.ipynb.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from reglab._validation import _invalid, _short, as_float_array, check_int
from reglab.figures._style import (
    _arrays,
    _colors,
    _figure,
    _mapping,
    _text,
)


def batch_size_scaling(
    batch_sizes,
    curves: Mapping[str, object],
    *,
    spread: Mapping[str, tuple] | None = None,
    ylabel: str = "penalty (loss units)",
    ax=None,
):
    """Penalties against the batch size ``B`` on log-log axes, with an optional band per curve.

    A curve proportional to ``B`` rises with slope 1; a per-sample mean stays flat. ``spread``
    draws, for a curve, the range its value takes over the batches of one epoch.

    Parameters
    ----------
    batch_sizes : array_like
        The batch sizes (x axis), positive.
    curves : mapping of str to array_like
        One value per batch size for each label (positive: the axes are logarithmic).
    spread : mapping of str to (array_like, array_like), optional
        ``label -> (low, high)``, one pair of values per batch size, shaded around that curve.
    ylabel : str
    ax : matplotlib.axes.Axes, optional
        Draw on this Axes instead of a new figure; the figure it belongs to is returned.

    Examples
    --------
    >>> fig = batch_size_scaling([1, 4, 16], {"sum": [1, 4, 16], "mean": [1, 1, 1]},
    ...                          spread={"mean": ([0.5, 0.8, 0.9], [2, 1.3, 1.1])})
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_xlabel()
    ('log', 'batch size B (samples per batch, log scale)')

    Introduced in notebooks/06-activity-regularization.ipynb
    """
    sizes = as_float_array(batch_sizes, "batch_sizes", allow_empty=False)
    if sizes.ndim != 1 or np.any(sizes < 1):
        raise ValueError(_invalid("batch_sizes", "a 1-D array of batch sizes >= 1", sizes.tolist()))
    curves = _arrays(curves, "curves", ndim=1, length=len(sizes))
    spread = _spread(spread, curves, len(sizes))
    ylabel = _text(ylabel, "ylabel")
    fig, (ax,) = _figure(width=6.5, height=4.4, ax=ax)
    for (label, values), color in zip(curves.items(), _colors(len(curves)), strict=True):
        ax.plot(sizes, values, "o-", color=color, label=label)
        if label in spread:
            low, high = spread[label]
            ax.fill_between(sizes, low, high, color=color, alpha=0.2, linewidth=0,
                            label="its range over one pass's batches")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set(xlabel="batch size B (samples per batch, log scale)", ylabel=f"{ylabel}, log scale")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncols=2, fontsize="small")
    return fig


def _spread(spread, curves: dict, length: int) -> dict:
    """``{label: (low, high)}`` for some of the ``curves``, each bound one value per batch size."""
    spread = _mapping(spread, "spread", empty=True) if spread is not None else {}
    checked = {}
    for label, bounds in spread.items():
        name = f"spread[{label!r}]"
        if label not in curves:
            raise ValueError(_invalid("spread", f"labels among the curves {list(curves)}", label))
        if not isinstance(bounds, tuple | list) or len(bounds) != 2:
            raise TypeError(_invalid(name, "a (low, high) pair of arrays", _short(bounds)))
        checked[label] = tuple(_arrays({label: b}, name, ndim=1, length=length)[label] for b in bounds)
    return checked


def placement_histograms(pre: Mapping[str, object], post: Mapping[str, object], *, bins: int = 60, ax=None):
    """Histograms of a layer's pre-activations ``z`` (left) and outputs ``a`` (right) per variant.

    Both panels pool all values (every unit of every sample). The right panel has a logarithmic
    count axis, since a ReLU piles its exact zeros into one bin, and its legend counts them.

    Parameters
    ----------
    pre : mapping of str to array_like
        Pre-activations ``z = x W + b`` per variant (any shape; flattened).
    post : mapping of str to array_like
        Outputs ``a = activation(z)`` per variant, with the same labels.
    bins : int
        Number of bins, shared by all variants of a panel.
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> z = np.array([-1.0, -0.5, 0.5, 2.0])
    >>> fig = placement_histograms({"plain": z}, {"plain": np.maximum(z, 0)})
    >>> [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    ['plain: 50.0% exactly 0']

    Introduced in notebooks/06-activity-regularization.ipynb
    """
    pre, post = _arrays(pre, "pre"), _arrays(post, "post")
    if list(pre) != list(post):
        raise ValueError(_invalid("post", f"the labels of pre, {list(pre)}", list(post)))
    bins = check_int(bins, "bins")
    fig, axes = _figure(2, width=5.2, height=4.0, ax=ax)
    colors = _colors(len(pre))
    panels = [
        (axes[0], pre, "pre-activation z = x W + b (layer units)", False),
        (axes[1], post, "output a = relu(z) (layer units)", True),
    ]
    for ax, values, xlabel, count_zeros in panels:
        arrays = {label: v.reshape(-1) for label, v in values.items()}
        everything = np.concatenate(list(arrays.values()))
        edges = np.histogram_bin_edges(everything, bins=bins)
        for (label, array), color in zip(arrays.items(), colors, strict=True):
            if count_zeros:
                label = f"{label}: {100 * np.mean(array == 0):.1f}% exactly 0"
            ax.hist(array, bins=edges, histtype="step", linewidth=1.6, color=color, label=label)
        ax.set(xlabel=xlabel)
        if count_zeros:
            ax.set_yscale("log")
        ax.legend(fontsize="small")
    axes[0].axvline(0.0, color="0.3", linewidth=0.8)
    axes[0].set_ylabel("number of values (samples × units)")
    axes[1].set_ylabel("number of values, log scale")
    return fig
