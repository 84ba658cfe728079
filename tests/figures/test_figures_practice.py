"""reglab.figures, the figures of notebooks 04 and 05: labels, scales, lines, legends.

Every function must return a Figure without touching pyplot's registry, label its axes (with
units), and draw what the notebook's prose reads off it: log axes where λ or a loss spans decades,
one line per run, exact zeros counted in a legend. The FIGURES below also go through the shared
labelled-figure check in tests/figures/test_figures.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from reglab import figures

EPOCHS = pd.Index([1, 2, 3, 4], name="epoch")
T_POINTS, T_GRID = np.linspace(-1, 1, 5), np.linspace(-1, 1, 21)


def run(train, val):
    return pd.DataFrame({"data_loss": train, "val_data_loss": val}, index=EPOCHS)


RUNS = {
    "no penalty": run([1.0, 0.5, 0.1, 0.01], [1.0, 0.4, 0.6, 0.9]),
    "L2, λ = 0.01": run([1.0, 0.6, 0.3, 0.2], [1.0, 0.5, 0.45, 0.44]),
}
LAMS = [1e-4, 1e-3, 1e-2]
PATHS = {
    "L2": pd.DataFrame({"val": [0.9, 0.4, 0.7], "norm": [20.0, 5.0, 1.0]}, index=LAMS),
    "L1": pd.DataFrame({"val": [0.8, 0.3, 0.9], "norm": [15.0, 3.0, 0.5]}, index=LAMS),
}
PANELS = {"val": "validation MSE (target units²)", "norm": "kernel norm (weight units)"}

FIGURES = {
    "learning_curves": lambda: figures.learning_curves(RUNS, reference=(0.09, "noise variance σ²")),
    "validation_curves": lambda: figures.validation_curves(RUNS, dashed={"no penalty"}),
    "regularization_path": lambda: figures.regularization_path(
        PATHS, PANELS, reference={"val": (1.0, "no penalty")}, logy={"val"}
    ),
    "weight_histograms": lambda: figures.weight_histograms(
        {"Adam": {"L1": [0.0, 1e-5, 0.3], "L2": [1e-3, 0.2, 0.3]}, "SGD": {"L1": [0.0, 0.0, 0.1]}},
        tol=1e-3,
    ),
    "fitted_lines": lambda: figures.fitted_lines(
        {"centred": ([-1.0, 1.0], [9.0, 11.0], {"λ_b = 0": (1.0, 10.0), "λ_b = 1": (1.0, 5.0)})}
    ),
    "fitted_functions": lambda: figures.fitted_functions(
        (T_POINTS, T_POINTS**2), T_GRID,
        {f"panel {i}": (i + 1) / 4 * T_GRID**2 for i in range(4)}, truth=T_GRID**2,
    ),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_documented_in_a_notebook_of_this_section(name):
    doc = getattr(figures, name).__doc__
    assert "Introduced in notebooks/04-weight-regularization.ipynb" in doc or (
        "Introduced in notebooks/05-bias-regularization.ipynb" in doc
    )


def test_learning_curves_one_panel_per_run_with_train_val_and_best_epoch():
    fig = FIGURES["learning_curves"]()
    assert [ax.get_title() for ax in fig.axes] == list(RUNS)
    for ax in fig.axes:
        assert ax.get_yscale() == "log"
        # training, validation, the best-epoch dot and the reference line
        assert len(ax.get_lines()) == 4
    best = fig.axes[0].get_lines()[2]
    assert best.get_xdata()[0] == 2 and best.get_ydata()[0] == pytest.approx(0.4)
    assert [t.get_text() for t in fig.axes[0].texts] == ["epoch 2"]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["training", "validation", "lowest validation loss", "noise variance σ²"]


def test_learning_curves_name_a_missing_column():
    with pytest.raises(ValueError, match=r"expected a column 'val_data_loss' in every frame"):
        figures.learning_curves({"bad": pd.DataFrame({"data_loss": [1.0]})})


def test_validation_curves_draw_one_line_per_run_dashed_where_asked():
    ax = FIGURES["validation_curves"]().axes[0]
    lines = ax.get_lines()
    assert len(lines) == len(RUNS)
    assert [line.get_linestyle() for line in lines] == ["--", "-"]
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(RUNS)


def test_regularization_path_log_lambda_axis_one_panel_per_quantity():
    fig = FIGURES["regularization_path"]()
    val, norm = fig.axes
    assert val.get_xscale() == norm.get_xscale() == "log"
    assert val.get_yscale() == "log" and norm.get_yscale() == "linear"
    assert val.get_ylabel() == "validation MSE (target units²), log scale"
    assert len(val.get_lines()) == 3  # two paths and the reference
    assert len(norm.get_lines()) == 2
    np.testing.assert_allclose(norm.get_lines()[0].get_xdata(), LAMS)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["L2", "L1", "no penalty"]


def test_regularization_path_draws_closed_forms_as_lines_under_markers():
    grid = np.logspace(-4, -2, 9)
    exact = {"L2": pd.DataFrame({"val": np.linspace(0.9, 0.7, 9), "norm": np.linspace(20, 1, 9)}, index=grid)}
    fig = figures.regularization_path(PATHS, PANELS, closed_form=exact)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3  # L2 formula, L2 markers, L1 markers and line
    assert lines[0].get_marker() in ("None", None, "") and len(lines[0].get_xdata()) == 9
    assert lines[1].get_linestyle() == "None" and lines[1].get_marker() == "o"
    assert "closed form" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_weight_histograms_count_exact_zeros_and_use_log_magnitudes():
    fig = FIGURES["weight_histograms"]()
    assert [ax.get_title() for ax in fig.axes] == ["Adam", "SGD"]
    adam, sgd = fig.axes
    assert adam.get_xscale() == "log"
    texts = [t.get_text() for t in adam.get_legend().get_texts()]
    assert texts[:2] == ["L1: 1 of 3 exactly 0", "L2: 0 of 3 exactly 0"]
    assert "tolerance 0.001" in texts
    assert [t.get_text() for t in sgd.get_legend().get_texts()][0] == "L1: 2 of 3 exactly 0"
    # one step histogram per weight set
    assert len(adam.patches) == 2 and len(sgd.patches) == 1


def test_weight_histograms_put_exact_zeros_in_the_first_bin():
    fig = figures.weight_histograms({"p": {"zeros": [0.0, 0.0, 0.5]}}, floor=1e-6, bins=4)
    patch = fig.axes[0].patches[0]
    heights = patch.get_xy()[:, 1]
    assert heights.max() == 2  # the two exact zeros share the first bin
    assert fig.axes[0].get_xlim()[0] <= 1e-6


def test_weight_histograms_reject_a_non_positive_floor():
    with pytest.raises(ValueError, match="argument floor"):
        figures.weight_histograms({"p": {"w": [1.0]}}, floor=0.0)


def test_fitted_lines_reach_x_zero_and_mark_the_origin():
    ax = FIGURES["fitted_lines"]().axes[0]
    fits = [line for line in ax.get_lines() if line.get_label().startswith("λ_b")]
    assert len(fits) == 2
    for line, intercept in zip(fits, (10.0, 5.0), strict=True):
        x, y = line.get_xdata(), line.get_ydata()
        assert x.min() <= 0.0 <= x.max()
        assert np.interp(0.0, x, y) == pytest.approx(intercept)
    fig_legend = FIGURES["fitted_lines"]().legends[0]
    expected = ["training data", "λ_b = 0", "λ_b = 1", "origin (0, 0)"]
    assert [t.get_text() for t in fig_legend.get_texts()] == expected
    assert len(ax.collections) == 1  # the data points


def test_fitted_lines_extend_to_the_origin_for_data_far_from_it():
    fig = figures.fitted_lines({"far": ([3.0, 4.0], [1.0, 2.0], {"fit": (1.0, -2.0)})})
    line = next(line for line in fig.axes[0].get_lines() if line.get_label() == "fit")
    assert line.get_xdata().min() == 0.0 and line.get_xdata().max() == 4.0


def test_learning_curves_take_a_sweep_table_directly():
    table = pd.DataFrame({"variant": [0.0, 0.0, 0.1, 0.1], "epoch": [1, 2, 1, 2],
                          "data_loss": [2.0, 1.0, 2.5, 1.5], "val_data_loss": [3.0, 2.0, 2.8, 1.9]})
    fig = figures.learning_curves(table)
    assert [ax.get_title() for ax in fig.axes] == ["0.0", "0.1"]
    np.testing.assert_array_equal(fig.axes[1].get_lines()[1].get_ydata(), [2.8, 1.9])


def test_validation_curves_take_a_sweep_table_directly():
    table = pd.DataFrame({"variant": [0.0, 0.0, 0.1, 0.1], "epoch": [1, 2, 1, 2],
                          "val_data_loss": [3.0, 2.0, 2.8, 1.9]})
    fig = figures.validation_curves(table, dashed={"0.0"})
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    np.testing.assert_array_equal(lines["0.1"].get_ydata(), [2.8, 1.9])
    assert lines["0.0"].get_linestyle() == "--"


def test_fitted_functions_one_panel_per_model_in_rows_of_three_with_distinct_colours():
    fig = FIGURES["fitted_functions"]()
    visible = fig.axes  # two rows of three, the two unused Axes removed
    assert [ax.get_title() for ax in visible] == [f"panel {i}" for i in range(4)]
    assert visible[0].get_position().y0 > visible[3].get_position().y0  # the fourth starts row two
    fits = [ax.get_lines()[-1] for ax in visible]  # the truth (dashed) first, then the fit
    assert len({line.get_color() for line in fits}) == 4
    assert all(ax.get_lines()[0].get_linestyle() == "--" for ax in visible)
    np.testing.assert_allclose(fits[3].get_ydata(), T_GRID**2)
    assert visible[0].get_ylabel() == "target y" and visible[3].get_xlabel() == "input t"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "training points", "true function", "fitted function"]


def test_fitted_functions_reject_predictions_off_the_grid():
    with pytest.raises(ValueError, match=r"argument fits\['a'\]: expected one value per grid point \(3\)"):
        figures.fitted_functions(([0.0], [1.0]), [0.0, 0.5, 1.0], {"a": [1.0, 2.0]})
    with pytest.raises(TypeError, match="argument data: expected a"):
        figures.fitted_functions([0.0, 1.0, 2.0], [0.0], {"a": [1.0]})
