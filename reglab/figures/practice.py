"""Figures of notebooks 04 and 05, regularization in practice: learning curves, the λ path,
weight histograms, fitted lines.

Each function takes what the notebook holds, draws on a new figure or on the ``ax`` it is given,
and returns the :class:`matplotlib.figure.Figure` (see :mod:`reglab.figures`).

Introduced in notebooks/04-weight-regularization.ipynb and notebooks/05-bias-regularization.ipynb.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from reglab._validation import (
    _invalid,
    _short,
    as_float_array,
    check_float,
    check_int,
)
from reglab.figures._style import (
    LOSS_LABEL,
    _arrays,
    _colors,
    _figure,
    _frame,
    _labels,
    _mapping,
    _reference,
    _text,
)


def _frame_column(frame, column: str, label: str, argument: str = "frames") -> np.ndarray:
    """``frame[column]`` as floats; a missing column is an error of ``argument``, the option
    that chose it (``train=``, ``val=``, ``column=``), or of the frames themselves."""
    if not isinstance(column, str):
        raise TypeError(_invalid(argument, "a column name (a string)", _short(column)))
    if column not in frame:
        raise ValueError(
            f"Invalid value for argument {argument}: expected a column {column!r} in every frame. "
            f"Received: {label!r} with columns {list(frame.columns)}"
        )
    return as_float_array(frame[column], f"{label}[{column!r}]")


def _frames(frames, name: str = "frames") -> dict:
    """A mapping of label to a DataFrame indexed by epoch (or λ)."""
    frames = _mapping(frames, name)
    for label, frame in frames.items():
        _frame(frame, f"{name}[{label!r}]")
    return frames


def _runs(frames) -> dict:
    """A mapping of label to run, or a sweep's table split into one run per variant."""
    import pandas as pd

    from reglab import results

    if isinstance(frames, pd.DataFrame):
        return results.variant_histories(frames)
    return _frames(frames)


def _labels_dict(mapping: dict, name: str, known) -> dict:
    _labels(mapping, name, known)
    return mapping


def learning_curves(
    frames: Mapping[str, object],
    *,
    train: str = "data_loss",
    val: str = "val_data_loss",
    ylabel: str = LOSS_LABEL,
    reference: tuple[float, str] | None = None,
    ax=None,
):
    """Training and validation loss against the epoch, one panel per run, on a log scale.

    Each panel marks the epoch of the lowest validation loss with a dot. Pass the *data* losses
    (the defaults) to compare like with like: the total ``loss`` also holds the penalty, which
    the validation data loss does not.

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame, or a sweep's table
        One run per label, indexed by epoch (``TrainingHistory.to_frame()``, or
        :func:`reglab.results.variant_history` of a sweep), or the table
        :func:`reglab.sweeps.sweep` returned: one panel per variant.
    train, val : str
        The columns to plot.
    ylabel : str
        What the losses measure (``", log scale"`` is appended).
    reference : (float, str), optional
        A horizontal line in every panel, e.g. the noise variance, and its label.
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

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
    frames = _runs(frames)
    ylabel, reference = _text(ylabel, "ylabel"), _reference(reference)
    for label, frame in frames.items():
        _frame_column(frame, train, label, "train")
        _frame_column(frame, val, label, "val")
    width = 4.6 if len(frames) > 1 else 6.0
    fig, axes = _figure(len(frames), width=width, height=3.8, sharey=True, ax=ax)
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
    ax=None,
):
    """One column of several runs against the epoch, on one log-scale axis.

    Parameters
    ----------
    frames : mapping of str to pandas.DataFrame, or a sweep's table
        One run per label, indexed by epoch, or the table :func:`reglab.sweeps.sweep` returned
        (one line per variant, labelled ``str(variant)``).
    column : str
        The column to plot (default: the validation data loss).
    ylabel : str
        What the column measures (``", log scale"`` is appended).
    dashed : collection of str
        Labels drawn dashed (e.g. the unregularized baseline).
    ax : matplotlib.axes.Axes, optional
        Draw on this Axes instead of a new figure; the figure it belongs to is returned.

    Examples
    --------
    >>> import pandas as pd
    >>> runs = {name: pd.DataFrame({"val_data_loss": v}, index=[1, 2]) for name, v in
    ...         {"none": [1.0, 2.0], "dropout": [1.0, 0.5]}.items()}
    >>> len(validation_curves(runs, dashed={"none"}).axes[0].get_lines())
    2

    Introduced in notebooks/04-weight-regularization.ipynb
    """
    frames = _runs(frames)
    dashed, ylabel = _labels(dashed, "dashed", frames), _text(ylabel, "ylabel")
    columns = {label: _frame_column(frame, column, label, "column") for label, frame in frames.items()}
    fig, (ax,) = _figure(width=6.5, height=4.0, ax=ax)
    for (label, frame), color in zip(frames.items(), _colors(len(frames)), strict=True):
        style = "--" if label in dashed else "-"
        epochs = as_float_array(frame.index, f"{label} index")
        ax.plot(epochs, columns[label], style, color=color, label=label)
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
    ax=None,
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
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

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
    paths = _frames(paths, "paths")
    panels = _mapping(panels, "panels")
    closed_form = _frames(closed_form, "closed_form") if closed_form is not None else {}
    _labels(closed_form, "closed_form", paths)
    for column, ylabel in panels.items():
        _text(ylabel, f"panels[{column!r}]")
        for label, frame in {**paths, **closed_form}.items():
            _frame_column(frame, column, label, "panels")
    reference = _mapping(reference, "reference", empty=True) if reference is not None else {}
    reference = {column: _reference(value, f"reference[{column!r}]") for column, value in
                 _labels_dict(reference, "reference", panels).items()}
    logy, xlabel = _labels(logy, "logy", panels), _text(xlabel, "xlabel")
    fig, axes = _figure(len(panels), width=4.8 if len(panels) > 1 else 6.0, height=4.0, ax=ax)
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
    ax=None,
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
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = weight_histograms({"SGD": {"L1": [0.0, 1e-5, 0.3], "L2": [0.01, 0.2, 0.3]}}, tol=1e-3)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:2]
    ['L1: 1 of 3 exactly 0', 'L2: 0 of 3 exactly 0']

    Introduced in notebooks/04-weight-regularization.ipynb
    """
    floor = check_float(floor, "floor", strict=True)
    tol = None if tol is None else check_float(tol, "tol")
    bins = check_int(bins, "bins")
    arrays = {title: {label: np.abs(w).reshape(-1)
                      for label, w in _arrays(group, f"panels[{title!r}]").items()}
              for title, group in _mapping(panels, "panels").items()}
    top = max(float(a.max()) for group in arrays.values() for a in group.values())
    edges = np.logspace(np.log10(floor), np.log10(max(top, 10 * floor)) + 1e-9, bins + 1)
    fig, axes = _figure(len(arrays), width=5.6, height=4.0, sharey=True, ax=ax)
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


def _fitted_panel(title, panel) -> tuple:
    name = f"panels[{title!r}]"
    if not isinstance(panel, tuple | list) or len(panel) != 3:
        raise TypeError(_invalid(name, "an (x, y, lines) triple", _short(panel)))
    x, y = (as_float_array(v, f"{name}[{i}]", allow_empty=False).reshape(-1)
            for i, v in enumerate(panel[:2]))
    if x.shape != y.shape:
        raise ValueError(_invalid(name, "x and y of one length", f"{x.size} and {y.size} values"))
    lines = {label: as_float_array(line, f"{name} line {label!r}") for label, line in
             _mapping(panel[2], f"{name} lines", empty=True).items()}
    if any(line.shape != (2,) for line in lines.values()):
        raise ValueError(_invalid(f"{name} lines", "a (w, b) pair per line", _short(panel[2])))
    return x, y, lines


def fitted_lines(panels: Mapping[str, tuple], *, xlabel: str = "input x", ylabel: str = "target y", ax=None):
    """Data as points and fitted lines ``y = w·x + b``, drawn out to ``x = 0`` to show the intercept.

    Parameters
    ----------
    panels : mapping of str to (x, y, lines)
        Panel title → the data (1-D ``x`` and ``y``) and ``lines``, a mapping of label → ``(w, b)``.
    xlabel, ylabel : str
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> fig = fitted_lines({"data": ([1.0, 2.0], [3.0, 5.0], {"fit": (2.0, 1.0)})})
    >>> [t.get_text() for t in fig.legends[0].get_texts()]
    ['training data', 'fit', 'origin (0, 0)']

    Introduced in notebooks/05-bias-regularization.ipynb
    """
    panels = {title: _fitted_panel(title, panel) for title, panel in _mapping(panels, "panels").items()}
    xlabel, ylabel = _text(xlabel, "xlabel"), _text(ylabel, "ylabel")
    fig, axes = _figure(len(panels), width=5.2, height=4.0, ax=ax)
    for ax, (title, (x, y, lines)) in zip(axes, panels.items(), strict=True):
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


def fitted_functions(
    data: tuple,
    grid,
    fits: Mapping[str, object],
    *,
    truth=None,
    xlabel: str = "input t",
    ylabel: str = "target y",
    ax=None,
):
    """The function each model learned, one panel per model, over the same training points.

    Parameters
    ----------
    data : (t, y)
        The training points (1-D inputs and targets), drawn as dots in every panel.
    grid : array_like
        The 1-D inputs at which the models were evaluated (sorted).
    fits : mapping of str to array_like
        Panel title → the model's predictions on ``grid`` (one value per grid point); each model
        gets its own colour.
    truth : array_like, optional
        The noise-free function on ``grid``, drawn dashed in every panel.
    xlabel, ylabel : str
    ax : sequence of matplotlib.axes.Axes, optional
        Draw on these Axes (one per panel) instead of a new figure; their figure is returned.

    Examples
    --------
    >>> t = np.linspace(-1, 1, 5)
    >>> fig = fitted_functions((t, t**2), t, {"no penalty": t**2, "L2": 0.5 * t**2}, truth=t**2)
    >>> [ax.get_title() for ax in fig.axes]
    ['no penalty', 'L2']

    Introduced in notebooks/04-weight-regularization.ipynb
    """
    if not isinstance(data, tuple | list) or len(data) != 2:
        raise TypeError(_invalid("data", "a (t, y) pair of 1-D arrays", _short(data)))
    t, y = (as_float_array(v, f"data[{i}]", allow_empty=False).reshape(-1) for i, v in enumerate(data))
    if t.shape != y.shape:
        raise ValueError(_invalid("data", "t and y of one length", f"{t.size} and {y.size} values"))
    grid = as_float_array(grid, "grid", allow_empty=False).reshape(-1)
    fits = {title: as_float_array(v, f"fits[{title!r}]").reshape(-1)
            for title, v in _mapping(fits, "fits").items()}
    for title, values in {**fits, "truth": grid if truth is None else
                          as_float_array(truth, "truth").reshape(-1)}.items():
        if values.shape != grid.shape:
            name = "truth" if title == "truth" else f"fits[{title!r}]"
            expected = f"one value per grid point ({grid.size})"
            raise ValueError(_invalid(name, expected, f"{values.size} values"))
    xlabel, ylabel = _text(xlabel, "xlabel"), _text(ylabel, "ylabel")
    ncols = min(len(fits), 3)
    if ax is None:
        from matplotlib.figure import Figure

        nrows = -(-len(fits) // ncols)
        fig = Figure(figsize=(4.2 * ncols, 3.4 * nrows + 0.4), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True, sharey=True).reshape(-1)
        for extra in axes[len(fits):]:
            extra.remove()
        axes = axes[: len(fits)]
    else:
        fig, axes = _figure(len(fits), ax=ax)
    low, high = float(np.min(y)), float(np.max(y))
    span = high - low or 1.0
    for i, (axis, (title, values), color) in enumerate(
        zip(axes, fits.items(), _colors(len(fits) + 1)[1:], strict=True)
    ):
        axis.scatter(t, y, s=14, color="0.45", zorder=3, label="training points")
        if truth is not None:
            axis.plot(grid, as_float_array(truth, "truth").reshape(-1), "--", color="0.2", linewidth=1.0,
                      label="true function")
        axis.plot(grid, values, color=color, linewidth=1.8, label="fitted function")
        axis.set_ylim(low - 0.6 * span, high + 0.6 * span)
        axis.set_title(title, fontsize="medium")
        axis.set_xlabel(xlabel)
        if i % ncols == 0:
            axis.set_ylabel(ylabel)
    handles, texts = axes[0].get_legend_handles_labels()
    fig.legend(handles, texts, loc="outside lower center", ncols=len(texts), fontsize="small")
    return fig
