"""Figures of notebook 07, sparse autoencoders: the sparsity/reconstruction trade-off, codes and
decoder features.

Each function takes what the notebook holds, draws on a new figure or on the ``ax`` it is given,
and returns the :class:`matplotlib.figure.Figure` (see :mod:`reglab.figures`).

Introduced in notebooks/07-sparse-autoencoders.ipynb.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from reglab._validation import (
    _invalid,
    _short,
    as_float_array,
    check_float,
    check_fraction,
    check_int,
)
from reglab.figures._style import (
    _arrays,
    _colors,
    _figure,
    _frame,
    _given_axes,
    _text,
)


def sparsity_tradeoff(
    table,
    *,
    x: str,
    y: Collection[str],
    group: str,
    strength: str,
    xlabel: str,
    ylabels: Collection[str] | None = None,
    symbols: Mapping[str, str] | None = None,
    ax=None,
):
    """One panel per sparsity measure against the reconstruction error, one line per penalty.

    Each row of ``table`` is one trained model. The rows of a group (a penalty family: L1, KL)
    are joined in order of ``strength`` and each point is labelled with it, as ``λ=0.001`` when
    ``symbols`` names the group's factor (``{"L1": "λ", "KL": "β"}``); a group whose strength is
    missing (NaN: the unregularized model) is drawn as a single star.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per model.
    x : str
        The column of the error (x axis, shared by all panels).
    y : sequence of str
        The columns to plot, one panel each.
    group : str
        The column naming the penalty family.
    strength : str
        The column with the penalty factor (λ or β), used to order and label the points.
    xlabel : str
    ylabels : sequence of str, optional
        Axis labels for the panels (default: the column names).
    symbols : mapping of str to str, optional
        The symbol of each group's factor, put before the value in the point labels (default:
        the value alone).
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"penalty": ["none", "L1", "L1"], "lam": [np.nan, 0.01, 0.1],
    ...                       "error": [0.01, 0.02, 0.04], "sparsity": [0.1, 0.5, 0.9]})
    >>> fig = sparsity_tradeoff(table, x="error", y=["sparsity"], group="penalty",
    ...                         strength="lam", xlabel="error (MSE)")
    >>> fig.axes[0].get_ylabel()
    'sparsity'
    >>> fig = sparsity_tradeoff(table, x="error", y=["sparsity"], group="penalty",
    ...                         strength="lam", xlabel="error (MSE)", symbols={"L1": "λ"})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['λ=0.01', 'λ=0.1']

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    table = _frame(table, "table")
    for name, column in (("x", x), ("group", group), ("strength", strength)):
        _column_name(table, column, name)
    if isinstance(y, str) or not isinstance(y, Collection) or not y:
        raise TypeError(_invalid("y", "a non-empty list of column names", _short(y)))
    y = [_column_name(table, column, "y") for column in y]
    xlabel = _text(xlabel, "xlabel")
    if ylabels is not None:
        if isinstance(ylabels, str) or not isinstance(ylabels, Collection) or len(ylabels) != len(y):
            raise ValueError(_invalid("ylabels", f"{len(y)} labels, one per column of y", _short(ylabels)))
        ylabels = [_text(label, "ylabels") for label in ylabels]
    ylabels = list(ylabels) if ylabels is not None else y
    symbols = _symbols(symbols)
    fig, axes = _figure(len(y), width=5.2, height=4.2, ax=ax)
    groups = list(dict.fromkeys(table[group]))
    for name, color in zip(groups, _colors(len(groups)), strict=True):
        rows = table[table[group] == name].sort_values(strength)
        for ax, column in zip(axes, y, strict=True):
            xs, ys = as_float_array(rows[x], x), as_float_array(rows[column], column)
            if rows[strength].isna().all():
                ax.plot(xs, ys, "*", markersize=14, color=color, label=str(name))
                continue
            ax.plot(xs, ys, "o-", color=color, label=str(name))
            prefix = f"{symbols[name]}=" if name in symbols else ""
            for xi, yi, s in zip(xs, ys, rows[strength], strict=True):
                ax.annotate(f"{prefix}{s:g}", (xi, yi), textcoords="offset points", xytext=(5, 4),
                            fontsize="x-small", color=color)
    for ax, label in zip(axes, ylabels, strict=True):
        ax.set(xlabel=xlabel, ylabel=label)
        ax.margins(x=0.14, y=0.08)  # room for the point labels inside the frame
    axes[0].legend(fontsize="small")
    return fig


def _symbols(value) -> dict:
    """``{group: symbol}`` for the point labels of :func:`sparsity_tradeoff` (``None``: none)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(_invalid("symbols", "a mapping of group to symbol, e.g. {'L1': 'λ'}", _short(value)))
    return {group: _text(symbol, "symbols") for group, symbol in value.items()}


def _column_name(table, column, argument: str) -> str:
    if not isinstance(column, str) or column not in table.columns:
        raise (ValueError if isinstance(column, str) else TypeError)(
            _invalid(argument, f"a column of table (one of {list(table.columns)})", _short(column)))
    return column


def code_heatmaps(
    codes: Mapping[str, object],
    *,
    row_labels,
    vmax: float = 1.0,
    colorbar_label: str = "code activation (sigmoid output, 0 to 1)",
    ax=None,
):
    """The codes of a few samples as heat maps, one panel per model, on one colour scale.

    Parameters
    ----------
    codes : mapping of str to array_like, shape (n_samples, n_units)
        The same samples encoded by each model.
    row_labels : sequence
        One label per sample (its digit), shown on the y axis of the first panel.
    vmax : float
        Top of the colour scale (the bottom is 0).
    colorbar_label : str
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = code_heatmaps({"a": np.eye(3), "b": np.ones((3, 3))}, row_labels=[0, 1, 2])
    >>> len(fig.axes)  # two panels and the colour bar
    3

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    arrays = _arrays(codes, "codes", ndim=2)
    if isinstance(row_labels, str) or not isinstance(row_labels, Collection):
        raise TypeError(_invalid("row_labels", "one label per row of the codes", _short(row_labels)))
    n_rows = len(row_labels)
    if any(len(array) != n_rows for array in arrays.values()):
        raise ValueError(_invalid("row_labels", "one label per row of the codes",
                                  f"{n_rows} labels for {[len(a) for a in arrays.values()]} rows"))
    vmax = check_float(vmax, "vmax", strict=True)
    colorbar_label = _text(colorbar_label, "colorbar_label")
    fig, axes = _figure(len(arrays), width=4.0, height=0.9 + 0.32 * n_rows, sharey=True, ax=ax)
    for ax, (label, array) in zip(axes, arrays.items(), strict=True):
        image = ax.imshow(array, cmap="viridis", vmin=0.0, vmax=vmax, aspect="auto",
                          interpolation="nearest")
        ax.set(title=label, xlabel="code unit j")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(False)
    axes[0].set_yticks(np.arange(n_rows), [str(r) for r in row_labels])
    axes[0].set_ylabel("test image (its digit)")
    fig.colorbar(image, ax=list(axes), label=colorbar_label, shrink=0.9)
    return fig


def _image_shape(value) -> tuple[int, int]:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise TypeError(_invalid("image_shape", "a (height, width) pair", _short(value)))
    return check_int(value[0], "image_shape"), check_int(value[1], "image_shape")


def decoder_features(
    features: Mapping[str, object],
    *,
    image_shape: tuple[int, int] = (8, 8),
    ncols: int = 8,
    colorbar_label: str = "decoder weight\n(intensity per unit of code)",
    ax=None,
):
    """The decoder's features as images: one block of tiles per model, one tile per code unit.

    Tile ``j`` shows row ``j`` of the decoder kernel, the pixels that code unit ``j`` adds to
    the reconstruction when it switches on, reshaped to ``image_shape``. Each model has its own
    symmetric colour scale (red adds ink, blue removes it) and colour bar.

    Parameters
    ----------
    features : mapping of str to array_like, shape (n_units, height * width)
        A decoder kernel per model (``(code_dim, input_dim)``).
    image_shape : (int, int)
    ncols : int
        Tiles per row.
    colorbar_label : str
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = decoder_features({"plain": np.eye(4, 64)}, ncols=4)
    >>> fig.axes[0].get_title(), fig.axes[1].get_ylabel()
    ('plain', 'decoder weight\\n(intensity per unit of code)')

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    import matplotlib as mpl

    height, width = _image_shape(image_shape)
    ncols = check_int(ncols, "ncols")
    colorbar_label = _text(colorbar_label, "colorbar_label")
    arrays = {}
    for label, kernel in _arrays(features, "features", ndim=2).items():
        if kernel.shape[1] != height * width:
            raise ValueError(_invalid(f"features[{label!r}]", f"{height * width} pixels per unit "
                                      f"(image_shape {(height, width)})", f"shape {kernel.shape}"))
        arrays[label] = kernel.reshape(-1, height, width)
    nrows = -(-max(len(a) for a in arrays.values()) // ncols)
    if ax is None:
        fig = Figure(figsize=(0.9 * ncols + 1.6, (0.95 * nrows + 0.45) * len(arrays)), layout="constrained")
        axes = fig.subplots(len(arrays), 1, squeeze=False)[:, 0]
    else:
        fig, axes = _given_axes(ax, len(arrays))
    cmap = mpl.colormaps["RdBu_r"].with_extremes(bad="white")
    for panel, (label, tiles) in zip(axes, arrays.items(), strict=True):
        # One image per model: the tiles side by side, separated by a blank (NaN) pixel, which
        # draws far faster than one Axes per tile.
        mosaic = np.full((nrows * (height + 2) - 2, ncols * (width + 1) - 1), np.nan)
        for k, tile in enumerate(tiles):
            row, col = divmod(k, ncols)
            mosaic[row * (height + 2) : row * (height + 2) + height,
                   col * (width + 1) : col * (width + 1) + width] = tile
            panel.text(col * (width + 1) + width / 2 - 0.5, row * (height + 2) - 0.6, f"unit {k}",
                    ha="center", va="bottom", fontsize="x-small")
        limit = float(np.nanmax(np.abs(mosaic))) or 1.0
        image = panel.imshow(mosaic, cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
        panel.set_axis_off()
        panel.set_title(label, pad=16)
        fig.colorbar(image, ax=panel, label=colorbar_label, shrink=0.9)
    return fig


def code_histograms(
    codes: Mapping[str, object], *, tol: float, target: float | None = None, bins: int = 50, ax=None
):
    """Where code activations lie (left) and each unit's mean activation (right), per model.

    Left: histograms of all code values with a logarithmic count axis and the tolerance below
    which a value counts as "off" (dashed). Right: each unit's mean activation ρ̂_j over the
    samples, sorted from the largest; with ``target``, the KL target ρ as a dotted line.

    Parameters
    ----------
    codes : mapping of str to array_like, shape (n_samples, n_units)
        Codes in ``[0, 1]`` (sigmoid outputs), one matrix per model.
    tol : float
        The tolerance of the thresholded sparsity.
    target : float, optional
        The KL target ρ.
    bins : int
        Bins on ``[0, 1]``.
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = code_histograms({"flat": np.full((4, 3), 0.05)}, tol=0.1, target=0.05)
    >>> fig.axes[1].get_xlabel()
    'code unit, sorted by its mean activation'

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    tol = check_float(tol, "tol")
    target = None if target is None else check_fraction(target, "target")
    bins = check_int(bins, "bins")
    arrays = _arrays(codes, "codes", ndim=2)
    fig, axes = _figure(2, width=5.2, height=4.0, ax=ax)
    edges = np.linspace(0.0, 1.0, bins + 1)
    for (label, array), color in zip(arrays.items(), _colors(len(arrays)), strict=True):
        axes[0].hist(array.reshape(-1), bins=edges, histtype="step", linewidth=1.6, color=color,
                     label=label)
        means = np.sort(array.mean(axis=0))[::-1]
        axes[1].plot(np.arange(means.size), means, "o-", markersize=4, color=color, label=label)
    axes[0].axvline(tol, color="0.2", linestyle="--", linewidth=1.0, label=f"tolerance {tol:g}")
    axes[0].set_yscale("log")
    axes[0].set(xlabel="code activation a (sigmoid output, 0 to 1)",
                ylabel="count (samples × units), log scale")
    if target is not None:
        axes[1].axhline(target, color="0.2", linestyle=":", linewidth=1.2, label=f"KL target ρ = {target:g}")
    axes[1].set(xlabel="code unit, sorted by its mean activation",
                ylabel="mean activation ρ̂ of the unit (0 to 1)", ylim=(0.0, 1.0))
    axes[1].xaxis.set_major_locator(MaxNLocator(integer=True))
    for ax in axes:
        ax.legend(fontsize="small")
    return fig
