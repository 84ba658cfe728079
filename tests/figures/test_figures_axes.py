"""reglab.figures: every figure draws on Axes it is given (``ax=``) and returns their Figure;
``reglab.plots`` is the old name of the same functions."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from reglab import figures, plots


@pytest.mark.parametrize("name", figures.__all__)
def test_every_figure_takes_an_optional_ax(name):
    parameter = inspect.signature(getattr(figures, name)).parameters.get("ax")
    assert parameter is not None and parameter.default is None
    assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
    assert "ax : " in getattr(figures, name).__doc__  # documented


@pytest.mark.parametrize("name", figures.__all__)
def test_plots_is_an_alias_of_figures(name):
    assert getattr(plots, name) is getattr(figures, name)


def test_one_panel_figure_draws_on_the_given_axes():
    host = Figure()
    ax = host.subplots()
    fig = figures.penalty_curves([-1.0, 0.0, 1.0], {"L1": [1.0, 0.0, 1.0]}, ax=ax)
    assert fig is host and fig.axes == [ax]
    assert "L1" in [line.get_label() for line in ax.get_lines()]


def test_several_panels_draw_on_the_given_axes_in_order():
    host = Figure()
    axes = host.subplots(1, 2)
    frame = pd.DataFrame({"data_loss": [2.0, 1.0], "val_data_loss": [3.0, 2.0]}, index=[1, 2])
    fig = figures.learning_curves({"a": frame, "b": frame}, ax=axes)
    assert fig is host
    assert [a.get_title() for a in axes] == ["a", "b"]


def test_image_figure_draws_on_the_given_axes():
    host = Figure()
    axes = host.subplots(2, 1)
    fig = figures.decoder_features({"a": np.eye(4, 64), "b": np.eye(4, 64)}, ncols=4, ax=axes)
    assert fig is host and [a.get_title() for a in axes] == ["a", "b"]


@pytest.mark.parametrize(
    ("ax", "error", "message"),
    [
        ("left", TypeError, "argument ax: expected a matplotlib Axes. Received: ax='str'"),
        ([], ValueError, "argument ax: expected a matplotlib Axes. Received: ax='0 Axes'"),
    ],
)
def test_a_wrong_ax_is_refused_by_name(ax, error, message):
    with pytest.raises(error, match=message):
        figures.penalty_curves([0.0, 1.0], {"L2": [0.0, 1.0]}, ax=ax)


def test_too_few_axes_for_the_panels_are_refused():
    ax = Figure().subplots()
    with pytest.raises(ValueError, match=r"argument ax: expected a sequence of 2 matplotlib Axes \(one "
                                         r"per panel\). Received: ax='1 Axes'"):
        figures.placement_histograms({"a": [1.0, 2.0]}, {"a": [1.0, 2.0]}, ax=ax)
