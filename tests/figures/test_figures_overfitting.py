"""reglab.figures.overfitting, the fitted-function figure of notebook 01's first section.

The FIGURES below also go through the shared labelled-figure check in tests/figures/test_figures.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from reglab import figures

GRID = np.linspace(-1.0, 1.0, 11)
T, Y = np.array([-0.6, 0.0, 0.6]), np.array([[-0.9], [0.1], [0.9]])
CURVES = {"best validation epoch (14)": np.sin(np.pi * GRID), "epoch 100": 40 * GRID**9}

FIGURES = {
    "fitted_function": lambda: figures.fitted_function(
        T, Y, GRID, CURVES, truth=np.sin(np.pi * GRID), truth_label="true function sin(πt)"
    ),
}


def test_documented_in_notebook_01():
    assert "Introduced in notebooks/01-dense-layer.ipynb" in figures.fitted_function.__doc__


def test_points_truth_and_each_curve_in_the_legend_with_distinct_colours():
    ax = FIGURES["fitted_function"]().axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:3] == ["training points", "true function sin(πt)", "best validation epoch (14)"]
    assert texts[3].startswith("epoch 100 (")  # it swings off the panel, and says so
    colours = [line.get_color() for line in ax.get_lines()[1:]]
    assert len(set(colours)) == len(colours) == 2


def test_y_range_follows_the_data_not_a_wild_curve():
    ax = FIGURES["fitted_function"]().axes[0]
    low, high = ax.get_ylim()
    assert -2.0 < low < -1.0 and 1.0 < high < 2.0
    assert ax.get_xlim() == pytest.approx((-1.0, 1.0))


def test_a_curve_that_stays_on_the_panel_gets_no_note():
    fig = figures.fitted_function(T, Y, GRID, {"fit": np.zeros(11)})
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["training points", "fit"]


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        (dict(t=T, y=Y[:2], grid=GRID, curves=CURVES), "y"),
        (dict(t=T, y=Y, grid=GRID, curves={"fit": GRID[:3]}), "curves"),
        (dict(t=T, y=Y, grid=GRID, curves=CURVES, truth=GRID[:4]), "truth"),
    ],
)
def test_shapes_that_do_not_match_are_rejected_naming_the_argument(kwargs, names):
    with pytest.raises(ValueError, match=names):
        figures.fitted_function(**kwargs)
