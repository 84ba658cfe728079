"""reglab.figures.speed_bars, the figure of notebook 08: a labelled Figure, pyplot untouched, each
bar annotated with its value and its ratio to the panel's first bar."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from reglab import figures

PANELS = {
    "one epoch": ({"Model.fit": 200.0, "reglab train": 900.0}, "speed (steps per second)"),
    "a λ sweep": ({"4 fits": 12.0, "sweep": 3.0}, "wall time (seconds)"),
}
FIGURES = {"speed_bars": lambda: figures.speed_bars(PANELS)}  # tests/figures/test_figures.py checks coverage


def test_returns_a_labelled_figure_without_touching_pyplot():
    before = plt.get_fignums()
    fig = FIGURES["speed_bars"]()
    assert isinstance(fig, Figure) and plt.get_fignums() == before
    assert [ax.get_xlabel() for ax in fig.axes] == ["speed (steps per second)", "wall time (seconds)"]
    assert [ax.get_title() for ax in fig.axes] == ["one epoch", "a λ sweep"]


def test_bars_carry_values_and_ratios_to_the_first_bar_which_sits_on_top():
    fig = figures.speed_bars(PANELS)
    assert [t.get_text() for t in fig.axes[0].texts] == ["200 (baseline)", "900 (4.50x)"]
    big = figures.speed_bars({"p": ({"a": 450.0, "b": 4030.4}, "steps per second")})
    assert [t.get_text() for t in big.axes[0].texts] == ["450 (baseline)", "4,030 (8.96x)"]
    assert [t.get_text() for t in fig.axes[1].texts] == ["12 (baseline)", "3 (0.25x)"]
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    positions = list(fig.axes[0].get_yticks())
    assert labels[positions.index(max(positions))] == "Model.fit"
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    assert widths == pytest.approx([200.0, 900.0])


@pytest.mark.parametrize(
    ("panels", "error", "match"),
    [
        ({}, ValueError, "argument panels: expected at least one panel"),
        ({"p": ({}, "s")}, ValueError, "expected bars in panel 'p'"),
        ({"p": ({"a": 0.0}, "s")}, ValueError, r"argument panels\['p'\]\['a'\]"),
        ({"p": ({"a": "fast"}, "s")}, TypeError, r"argument panels\['p'\]\['a'\]"),
    ],
)
def test_rejects_empty_or_non_positive_input_naming_it(panels, error, match):
    with pytest.raises(error, match=match):
        figures.speed_bars(panels)


RUNS = {"XLA": [1.0, 3.0, 0.5, 0.5, 0.5], "no XLA": [1.0, 1.0, 1.5, 1.5, 1.5]}
FIGURES["cumulative_time"] = lambda: figures.cumulative_time(RUNS, 40)


def test_cumulative_time_draws_one_line_per_run_in_distinct_colours_with_a_legend():
    fig = figures.cumulative_time(RUNS, 40)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["XLA", "no XLA"]
    assert len({line.get_color() for line in lines}) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["XLA", "no XLA"]
    assert list(lines[0].get_xdata()) == [0, 40, 80, 120, 160]  # set-up at 0 steps, then each epoch
    assert list(lines[0].get_ydata()) == pytest.approx([1.0, 4.0, 4.5, 5.0, 5.5])
    assert list(lines[1].get_ydata()) == pytest.approx([1.0, 2.0, 3.5, 5.0, 6.5])  # crossed: XLA paid
    assert ax.get_xlim()[0] == 0 and ax.get_ylim()[0] == 0


def test_cumulative_time_draws_on_the_axes_it_is_given():
    fig = figures.cumulative_time(RUNS, 40)
    again = figures.cumulative_time(RUNS, 40, ax=fig.axes[0])
    assert again is fig and len(fig.axes[0].get_lines()) == 4


@pytest.mark.parametrize(
    ("runs", "steps", "error", "match"),
    [
        ({}, 40, ValueError, "argument runs"),
        ({"a": [1.0]}, 40, ValueError, r"argument runs\['a'\]"),
        ({"a": [1.0, -0.5]}, 40, ValueError, r"argument runs\['a'\]"),
        ({"a": [1.0, float("nan")]}, 40, ValueError, r"argument runs\['a'\]"),
        ({"a": "fast"}, 40, (TypeError, ValueError), r"argument runs\['a'\]"),
        (RUNS, 0, ValueError, "argument steps_per_epoch"),
        (RUNS, 2.5, TypeError, "argument steps_per_epoch"),
    ],
)
def test_cumulative_time_rejects_bad_input_naming_it(runs, steps, error, match):
    with pytest.raises(error, match=match):
        figures.cumulative_time(runs, steps)


def test_cumulative_time_extrapolates_dashed_at_the_median_epoch_beyond_the_runs():
    fig = figures.cumulative_time(RUNS, 40, extrapolate_to=400)
    (ax,) = fig.axes
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 2 and [line.get_color() for line in dashed] == [line.get_color() for line in
                                                                          ax.get_lines()[::2]]
    assert list(dashed[0].get_xdata()) == [160, 400]
    assert list(dashed[0].get_ydata()) == pytest.approx([5.5, 5.5 + 0.5 / 40 * 240])  # 6 epochs at 0.5 s
    assert list(dashed[1].get_ydata()) == pytest.approx([6.5, 6.5 + 1.5 / 40 * 240])
    assert ax.get_legend().get_texts()[-1].get_text().startswith("dashed: extrapolated")
    within = figures.cumulative_time(RUNS, 40, extrapolate_to=100)  # inside the measured runs: nothing
    assert len(within.axes[0].get_lines()) == 2 and len(within.axes[0].get_legend().get_texts()) == 2
    with pytest.raises(ValueError, match="argument extrapolate_to"):
        figures.cumulative_time(RUNS, 40, extrapolate_to=0)
