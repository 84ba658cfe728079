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

__all__ = [
    "batch_size_scaling",
    "code_heatmaps",
    "code_histograms",
    "coefficient_magnitudes",
    "decoder_features",
    "fitted_lines",
    "learning_curves",
    "penalty_curves",
    "penalty_geometry",
    "placement_histograms",
    "regularization_path",
    "sparsity_tradeoff",
    "speed_bars",
    "validation_curves",
    "weight_histograms",
    "weight_trajectories",
]

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


# --- notebook 06: activity regularization ------------------------------------------------------
def batch_size_scaling(
    batch_sizes,
    curves: Mapping[str, object],
    *,
    spread: Mapping[str, tuple] | None = None,
    ylabel: str = "penalty (loss units)",
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

    Examples
    --------
    >>> fig = batch_size_scaling([1, 4, 16], {"sum": [1, 4, 16], "mean": [1, 1, 1]},
    ...                          spread={"mean": ([0.5, 0.8, 0.9], [2, 1.3, 1.1])})
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_xlabel()
    ('log', 'batch size B (samples per batch, log scale)')

    Introduced in notebooks/06-activity-regularization.ipynb
    """
    sizes = as_float_array(batch_sizes, "batch_sizes")
    spread = dict(spread or {})
    fig, (ax,) = _figure(width=6.5, height=4.4)
    for (label, values), color in zip(curves.items(), _colors(len(curves)), strict=True):
        ax.plot(sizes, as_float_array(values, label), "o-", color=color, label=label)
        if label in spread:
            low, high = (as_float_array(v, label) for v in spread[label])
            ax.fill_between(sizes, low, high, color=color, alpha=0.2, linewidth=0,
                            label="its range over one pass's batches")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set(xlabel="batch size B (samples per batch, log scale)", ylabel=f"{ylabel}, log scale")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.01), ncols=2, fontsize="small")
    return fig


def placement_histograms(pre: Mapping[str, object], post: Mapping[str, object], *, bins: int = 60):
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

    Examples
    --------
    >>> z = np.array([-1.0, -0.5, 0.5, 2.0])
    >>> fig = placement_histograms({"plain": z}, {"plain": np.maximum(z, 0)})
    >>> [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    ['plain: 50.0% exactly 0']

    Introduced in notebooks/06-activity-regularization.ipynb
    """
    fig, axes = _figure(2, width=5.2, height=4.0)
    colors = _colors(len(pre))
    panels = [
        (axes[0], pre, "pre-activation z = x W + b (layer units)", False),
        (axes[1], post, "output a = relu(z) (layer units)", True),
    ]
    for ax, values, xlabel, count_zeros in panels:
        arrays = {label: as_float_array(v, label).reshape(-1) for label, v in values.items()}
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


# --- notebook 07: sparse autoencoders ----------------------------------------------------------
def sparsity_tradeoff(
    table,
    *,
    x: str,
    y: Collection[str],
    group: str,
    strength: str,
    xlabel: str,
    ylabels: Collection[str] | None = None,
):
    """One panel per sparsity measure against the reconstruction error, one line per penalty.

    Each row of ``table`` is one trained model. The rows of a group (a penalty family: L1, KL)
    are joined in order of ``strength`` and each point is labelled with it; a group whose
    strength is missing (NaN: the unregularized model) is drawn as a single star.

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

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"penalty": ["none", "L1", "L1"], "lam": [np.nan, 0.01, 0.1],
    ...                       "error": [0.01, 0.02, 0.04], "sparsity": [0.1, 0.5, 0.9]})
    >>> fig = sparsity_tradeoff(table, x="error", y=["sparsity"], group="penalty",
    ...                         strength="lam", xlabel="error (MSE)")
    >>> fig.axes[0].get_ylabel()
    'sparsity'

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    y = list(y)
    ylabels = list(ylabels) if ylabels is not None else y
    fig, axes = _figure(len(y), width=5.2, height=4.2)
    groups = list(dict.fromkeys(table[group]))
    for name, color in zip(groups, _colors(len(groups)), strict=True):
        rows = table[table[group] == name].sort_values(strength)
        for ax, column in zip(axes, y, strict=True):
            xs, ys = as_float_array(rows[x], x), as_float_array(rows[column], column)
            if rows[strength].isna().all():
                ax.plot(xs, ys, "*", markersize=14, color=color, label=str(name))
                continue
            ax.plot(xs, ys, "o-", color=color, label=str(name))
            for xi, yi, s in zip(xs, ys, rows[strength], strict=True):
                ax.annotate(f"{s:g}", (xi, yi), textcoords="offset points", xytext=(5, 4),
                            fontsize="x-small", color=color)
    for ax, label in zip(axes, ylabels, strict=True):
        ax.set(xlabel=xlabel, ylabel=label)
    axes[0].legend(fontsize="small")
    return fig


def code_heatmaps(
    codes: Mapping[str, object],
    *,
    row_labels,
    vmax: float = 1.0,
    colorbar_label: str = "code activation (sigmoid output, 0 to 1)",
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

    Examples
    --------
    >>> fig = code_heatmaps({"a": np.eye(3), "b": np.ones((3, 3))}, row_labels=[0, 1, 2])
    >>> len(fig.axes)  # two panels and the colour bar
    3

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    arrays = {label: as_float_array(c, label) for label, c in codes.items()}
    n_rows = len(row_labels)
    fig, axes = _figure(len(arrays), width=4.0, height=0.9 + 0.32 * n_rows, sharey=True)
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


def decoder_features(
    features: Mapping[str, object],
    *,
    image_shape: tuple[int, int] = (8, 8),
    ncols: int = 8,
    colorbar_label: str = "decoder weight\n(intensity per unit of code)",
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

    Examples
    --------
    >>> fig = decoder_features({"plain": np.eye(4, 64)}, ncols=4)
    >>> fig.axes[0].get_title(), fig.axes[1].get_ylabel()
    ('plain', 'decoder weight\\n(intensity per unit of code)')

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    import matplotlib as mpl

    height, width = image_shape
    arrays = {label: as_float_array(f, label).reshape(-1, height, width) for label, f in features.items()}
    nrows = -(-max(len(a) for a in arrays.values()) // ncols)
    fig = Figure(figsize=(0.9 * ncols + 1.6, (0.95 * nrows + 0.45) * len(arrays)), layout="constrained")
    axes = fig.subplots(len(arrays), 1, squeeze=False)[:, 0]
    cmap = mpl.colormaps["RdBu_r"].with_extremes(bad="white")
    for ax, (label, tiles) in zip(axes, arrays.items(), strict=True):
        # One image per model: the tiles side by side, separated by a blank (NaN) pixel, which
        # draws far faster than one Axes per tile.
        mosaic = np.full((nrows * (height + 2) - 2, ncols * (width + 1) - 1), np.nan)
        for k, tile in enumerate(tiles):
            row, col = divmod(k, ncols)
            mosaic[row * (height + 2) : row * (height + 2) + height,
                   col * (width + 1) : col * (width + 1) + width] = tile
            ax.text(col * (width + 1) + width / 2 - 0.5, row * (height + 2) - 0.6, f"unit {k}",
                    ha="center", va="bottom", fontsize="x-small")
        limit = float(np.nanmax(np.abs(mosaic))) or 1.0
        image = ax.imshow(mosaic, cmap=cmap, vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_axis_off()
        ax.set_title(label, pad=16)
        fig.colorbar(image, ax=ax, label=colorbar_label, shrink=0.9)
    return fig


def code_histograms(codes: Mapping[str, object], *, tol: float, target: float | None = None, bins: int = 50):
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

    Examples
    --------
    >>> fig = code_histograms({"flat": np.full((4, 3), 0.05)}, tol=0.1, target=0.05)
    >>> fig.axes[1].get_xlabel()
    'code unit, sorted by its mean activation'

    Introduced in notebooks/07-sparse-autoencoders.ipynb
    """
    tol = check_float(tol, "tol")
    arrays = {label: as_float_array(c, label) for label, c in codes.items()}
    fig, axes = _figure(2, width=5.2, height=4.0)
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


# --- notebooks 04 and 05: weight and bias regularization in practice ---------------------------
LOSS_LABEL = "mean squared error (target units²)"


def _frame_column(frame, column: str, label: str) -> np.ndarray:
    if column not in frame:
        raise ValueError(
            f"Invalid value for argument frames: expected a column {column!r} in every frame. "
            f"Received: {label!r} with columns {list(frame.columns)}"
        )
    return as_float_array(frame[column], f"{label}[{column!r}]")


def learning_curves(
    frames: Mapping[str, object],
    *,
    train: str = "data_loss",
    val: str = "val_data_loss",
    ylabel: str = LOSS_LABEL,
    reference: tuple[float, str] | None = None,
):
    """Training and validation loss against the epoch, one panel per run, on a log scale.

    Each panel marks the epoch of the lowest validation loss with a dot. Pass the *data* losses
    (the defaults) to compare like with like: the total ``loss`` also holds the penalty, which
    the validation data loss does not.

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame
        One run per label, indexed by epoch (``TrainingHistory.to_frame()``, or one variant of a
        sweep's table indexed by ``epoch``).
    train, val : str
        The columns to plot.
    ylabel : str
        What the losses measure (``", log scale"`` is appended).
    reference : (float, str), optional
        A horizontal line in every panel, e.g. the noise variance, and its label.

    Examples
    --------
    >>> import pandas as pd
    >>> run = pd.DataFrame({"data_loss": [1.0, 0.5, 0.1], "val_data_loss": [1.0, 0.6, 0.8]},
    ...                    index=pd.Index([1, 2, 3], name="epoch"))
    >>> fig = learning_curves({"no penalty": run}, reference=(0.09, "noise variance"))
    >>> fig.axes[0].get_yscale(), fig.axes[0].get_xlabel()
    ('log', 'epoch (one pass over the training set)')

    Introduced in notebooks/04-weight-regularization.ipynb
    """
    fig, axes = _figure(len(frames), width=4.6 if len(frames) > 1 else 6.0, height=3.8, sharey=True)
    train_color, val_color = _colors(2)
    for ax, (label, frame) in zip(axes, frames.items(), strict=True):
        epochs = as_float_array(frame.index, f"{label} index")
        losses = _frame_column(frame, val, label)
        ax.plot(epochs, _frame_column(frame, train, label), color=train_color, label="training")
        ax.plot(epochs, losses, color=val_color, label="validation")
        best = int(np.nanargmin(losses))
        ax.plot(epochs[best], losses[best], "o", color=val_color, label="lowest validation loss")
        ax.annotate(f"epoch {epochs[best]:g}", (epochs[best], losses[best]), textcoords="offset points",
                    xytext=(0, 8), ha="center", fontsize="small", color=val_color)
        if reference is not None:
            ax.axhline(reference[0], color="0.3", linestyle=":", linewidth=1.2, label=reference[1])
        ax.set_yscale("log")
        ax.set(title=label, xlabel="epoch (one pass over the training set)")
    axes[0].set_ylabel(f"{ylabel}, log scale")
    handles, texts = axes[0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="outside lower center", ncols=min(len(texts), 2 * len(frames)),
               fontsize="small")
    return fig


def validation_curves(
    frames: Mapping[str, object],
    *,
    column: str = "val_data_loss",
    ylabel: str = f"validation {LOSS_LABEL}",
    dashed: Collection[str] = (),
):
    """One column of several runs against the epoch, on one log-scale axis.

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame
        One run per label, indexed by epoch.
    column : str
        The column to plot (default: the validation data loss).
    ylabel : str
        What the column measures (``", log scale"`` is appended).
    dashed : collection of str
        Labels drawn dashed (e.g. the unregularized baseline).

    Examples
    --------
    >>> import pandas as pd
    >>> runs = {name: pd.DataFrame({"val_data_loss": v}, index=[1, 2]) for name, v in
    ...         {"none": [1.0, 2.0], "dropout": [1.0, 0.5]}.items()}
    >>> len(validation_curves(runs, dashed={"none"}).axes[0].get_lines())
    2

    Introduced in notebooks/04-weight-regularization.ipynb
    """
    fig, (ax,) = _figure(width=6.5, height=4.0)
    for (label, frame), color in zip(frames.items(), _colors(len(frames)), strict=True):
        style = "--" if label in dashed else "-"
        epochs = as_float_array(frame.index, f"{label} index")
        ax.plot(epochs, _frame_column(frame, column, label), style, color=color, label=label)
    ax.set_yscale("log")
    ax.set(xlabel="epoch (one pass over the training set)", ylabel=f"{ylabel}, log scale")
    ax.legend(fontsize="small")
    return fig


def regularization_path(
    paths: Mapping[str, object],
    panels: Mapping[str, str],
    *,
    closed_form: Mapping[str, object] | None = None,
    reference: Mapping[str, tuple[float, str]] | None = None,
    logy: Collection[str] = (),
    xlabel: str = "penalty factor λ (log scale)",
):
    """Quantities against the penalty factor λ on a log axis: one panel per quantity.

    Each path (a penalty kind, a data set) is a line with a marker per trained λ. A path that
    has a ``closed_form`` is drawn as markers only, over a thin line of the formula in the same
    colour (the formula may use a finer λ grid).

    Parameters
    ----------
    paths : mapping of str to pandas.DataFrame
        One frame per label, indexed by λ (> 0), with a column per panel.
    panels : mapping of str to str
        Column → y-axis label, one panel each, in this order.
    closed_form : mapping of str to pandas.DataFrame, optional
        Frames indexed by λ with the same columns, for some of the labels of ``paths``.
    reference : mapping of str to (float, str), optional
        Column → (value, label): a dotted horizontal line in that panel (e.g. no penalty).
    logy : collection of str
        Columns whose panel gets a logarithmic y axis.
    xlabel : str

    Examples
    --------
    >>> import pandas as pd
    >>> path = pd.DataFrame({"val_loss": [0.9, 0.4, 0.7]}, index=[1e-4, 1e-3, 1e-2])
    >>> fig = regularization_path({"L2": path}, {"val_loss": "validation loss"},
    ...                           reference={"val_loss": (1.0, "no penalty")})
    >>> fig.axes[0].get_xscale()
    'log'

    Introduced in notebooks/04-weight-regularization.ipynb
    """
    closed_form = dict(closed_form or {})
    reference = dict(reference or {})
    fig, axes = _figure(len(panels), width=4.8 if len(panels) > 1 else 6.0, height=4.0)
    colors = dict(zip(paths, _colors(len(paths)), strict=True))
    for ax, (column, ylabel) in zip(axes, panels.items(), strict=True):
        for label, frame in paths.items():
            lams = as_float_array(frame.index, f"{label} index")
            values = _frame_column(frame, column, label)
            if label in closed_form:
                exact = closed_form[label]
                ax.plot(as_float_array(exact.index, f"{label} closed-form index"),
                        _frame_column(exact, column, label), "-", linewidth=1.2, color=colors[label])
                ax.plot(lams, values, "o", color=colors[label], label=label)
            else:
                ax.plot(lams, values, "o-", color=colors[label], label=label)
        if column in reference:
            value, text = reference[column]
            ax.axhline(value, color="0.3", linestyle=":", linewidth=1.4, label=text)
        ax.set_xscale("log")
        if column in logy:
            ax.set_yscale("log")
        ax.set(xlabel=xlabel, ylabel=ylabel + (", log scale" if column in logy else ""))
    handles = {}
    for ax in axes:
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(text, handle)
    if closed_form:
        from matplotlib.lines import Line2D

        handles["closed form"] = Line2D([], [], color="0.3", linewidth=1.2)
    fig.legend(handles.values(), handles.keys(), loc="outside lower center",
               ncols=min(len(handles), 4), fontsize="small")
    return fig


def weight_histograms(
    panels: Mapping[str, Mapping[str, object]],
    *,
    floor: float = 1e-8,
    tol: float | None = None,
    bins: int = 48,
):
    """Histograms of weight magnitudes ``|w|`` on a log axis, one panel per setting.

    A log axis spreads the small weights over the decades where L1 and L2 differ; it cannot
    show 0, so magnitudes below ``floor`` (exact zeros included) are counted in the first bin,
    and the legend says how many weights are exactly 0.

    Parameters
    ----------
    panels : mapping of str to mapping of str to array_like
        Panel title → {label: weights}; weights of any shape, flattened.
    floor : float
        The left edge of the axis (> 0).
    tol : float, optional
        Draw the tolerance below which a weight counts as "near zero".
    bins : int
        Number of logarithmic bins from ``floor`` to the largest magnitude.

    Examples
    --------
    >>> fig = weight_histograms({"SGD": {"L1": [0.0, 1e-5, 0.3], "L2": [0.01, 0.2, 0.3]}}, tol=1e-3)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['L1: 1 of 3 exactly 0', 'L2: 0 of 3 exactly 0']

    Introduced in notebooks/04-weight-regularization.ipynb
    """
    floor = check_float(floor, "floor", strict=True)
    arrays = {title: {label: np.abs(as_float_array(w, label)).reshape(-1) for label, w in group.items()}
              for title, group in panels.items()}
    top = max(float(a.max()) for group in arrays.values() for a in group.values())
    edges = np.logspace(np.log10(floor), np.log10(max(top, 10 * floor)) + 1e-9, bins + 1)
    fig, axes = _figure(len(arrays), width=5.6, height=4.0, sharey=True)
    for ax, (title, group) in zip(axes, arrays.items(), strict=True):
        for (label, mags), color in zip(group.items(), _colors(len(group)), strict=True):
            ax.hist(np.clip(mags, floor, None), bins=edges, histtype="step", linewidth=1.6,
                    color=color, label=f"{label}: {np.count_nonzero(mags == 0)} of {mags.size} exactly 0")
        if tol is not None:
            ax.axvline(tol, color="0.2", linestyle="--", linewidth=1.0, label=f"tolerance {tol:g}")
        ax.set_xscale("log")
        ax.plot([], [], " ", label=f"(|w| < {floor:g} counted at the left edge)")
        ax.set(title=title, xlabel="weight magnitude |w| (log scale)")
        ax.legend(fontsize="small", loc="upper left")
    axes[0].set_ylabel("number of weights")
    return fig


def fitted_lines(panels: Mapping[str, tuple], *, xlabel: str = "input x", ylabel: str = "target y"):
    """Data as points and fitted lines ``y = w·x + b``, drawn out to ``x = 0`` to show the intercept.

    Parameters
    ----------
    panels : mapping of str to (x, y, lines)
        Panel title → the data (1-D ``x`` and ``y``) and ``lines``, a mapping of label → ``(w, b)``.
    xlabel, ylabel : str

    Examples
    --------
    >>> fig = fitted_lines({"data": ([1.0, 2.0], [3.0, 5.0], {"fit": (2.0, 1.0)})})
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['training data', 'fit', 'origin (0, 0)']

    Introduced in notebooks/05-bias-regularization.ipynb
    """
    fig, axes = _figure(len(panels), width=5.2, height=4.0)
    for ax, (title, (x, y, lines)) in zip(axes, panels.items(), strict=True):
        x, y = as_float_array(x, "x").reshape(-1), as_float_array(y, "y").reshape(-1)
        ax.scatter(x, y, s=12, color="0.55", label="training data")
        grid = np.linspace(min(0.0, x.min()), max(0.0, x.max()), 50)
        for (label, (w, b)), color in zip(lines.items(), _colors(len(lines)), strict=True):
            ax.plot(grid, float(w) * grid + float(b), color=color, label=label)
        ax.plot([0.0], [0.0], "k+", markersize=14, markeredgewidth=2, label="origin (0, 0)")
        ax.axvline(0.0, color="0.3", linewidth=0.8)
        ax.axhline(0.0, color="0.3", linewidth=0.8)
        ax.set(title=title, xlabel=xlabel)
    axes[0].set_ylabel(ylabel)
    handles, texts = axes[0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="outside lower center", ncols=len(texts), fontsize="small")
    return fig


# --- notebook 08: training speed ----------------------------------------------------------------
def speed_bars(panels: Mapping[str, tuple[Mapping[str, float], str]]):
    """Horizontal bars, one panel per comparison, each bar labelled with its value and its ratio
    to the panel's first bar (the baseline, drawn in grey).

    Parameters
    ----------
    panels : mapping of str to (mapping of str to float, str)
        Panel title → ``(bars, xlabel)``: ``bars`` maps a label to a positive value (the first is
        the baseline), ``xlabel`` says what is measured, with its unit (``"steps per second"``).

    Examples
    --------
    >>> fig = speed_bars({"one epoch": ({"Model.fit": 100.0, "train": 250.0}, "steps per second")})
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['100 (baseline)', '250 (2.50x)']

    Introduced in notebooks/08-training-on-gpus.ipynb
    """
    if not panels:
        raise ValueError("Invalid value for argument panels: expected at least one panel. "
                         "Received: panels={}")
    fig, axes = _figure(len(panels), width=5.2, height=1.6 + 0.5 * max(len(b) for b, _ in panels.values()))
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
