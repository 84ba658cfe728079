"""reglab.figures: every function returns a labelled Figure and leaves pyplot untouched."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from reglab import figures

W_OLS, W_L1, W_L2 = [2.0, 0.5], [1.5, 0.0], [1.2, 0.4]


def quadratic(w):
    return ((w - np.array(W_OLS)) ** 2).sum(axis=-1)


FIGURES = {
    "penalty_curves": lambda: figures.penalty_curves(
        np.linspace(-1, 1, 5), {"L1": np.abs(np.linspace(-1, 1, 5))}
    ),
    "penalty_geometry": lambda: figures.penalty_geometry(
        quadratic, w_ols=W_OLS, w_l1=W_L1, w_l2=W_L2, resolution=41
    ),
    "weight_trajectories": lambda: figures.weight_trajectories(
        {"L2": 0.9 ** np.arange(30)}, closed_form={"L2": 0.9 ** np.arange(30)}, zoom=0.1
    ),
    "coefficient_magnitudes": lambda: figures.coefficient_magnitudes(
        {"a": [1.0, 0.0, 1e-5], "b": [0.5, 0.0, 0.0]}, true=[1.0, 0.0, 0.0]
    ),
}


def sibling_figure_cases() -> tuple[dict, set[str]]:
    """The FIGURES (and IMAGE_FIGURES) of the sibling modules, test_figures_*.py, one per notebook
    group, so every figure of the project goes through the checks below."""
    figures, images = {}, set()
    for path in sorted(Path(__file__).parent.glob("test_figures_*.py")):
        spec = importlib.util.spec_from_file_location(f"_figures_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        figures.update(getattr(module, "FIGURES", {}))
        images |= set(getattr(module, "IMAGE_FIGURES", ()))
    return figures, images


SIBLING_FIGURES, IMAGE_FIGURES = sibling_figure_cases()
ALL_FIGURES = {**FIGURES, **SIBLING_FIGURES}


@pytest.mark.parametrize("name", sorted(ALL_FIGURES))
def test_returns_a_labelled_figure_without_touching_pyplot(name):
    before = plt.get_fignums()
    fig = ALL_FIGURES[name]()
    assert isinstance(fig, Figure)
    assert plt.get_fignums() == before  # nothing to show, nothing leaked
    panels = [ax for ax in fig.axes if ax.get_label() != "<colorbar>"]
    assert names_its_y_axis(panels[0])  # shared y axes label only the first panel
    assert all(ax.get_xlabel() for ax in panels)


def names_its_y_axis(ax) -> bool:
    """A y label, or (horizontal bars) a category name at every y tick."""
    if ax.get_ylabel():
        return True
    texts = [tick.get_text() for tick in ax.get_yticklabels()]
    return bool(texts) and all(text and not is_number(text) for text in texts)


def is_number(text: str) -> bool:
    try:
        float(text.replace("\N{MINUS SIGN}", "-"))
    except ValueError:
        return False
    return True


def test_every_public_function_has_a_figure_case():
    assert set(ALL_FIGURES) | IMAGE_FIGURES == set(figures.__all__)


def test_geometry_marks_the_penalised_minima_in_the_legend():
    fig = FIGURES["penalty_geometry"]()
    texts = [t.get_text() for ax in fig.axes[:2] for t in ax.get_legend().get_texts()]
    assert "L1-penalised minimum: (1.50, 0.00)" in texts
    assert "L2-penalised minimum: (1.20, 0.40)" in texts


def test_geometry_names_lambda_in_legend_and_titles():
    fig = figures.penalty_geometry(quadratic, w_ols=W_OLS, w_l1=W_L1, w_l2=W_L2, lam=0.5, resolution=21)
    texts = [t.get_text() for ax in fig.axes[:2] for t in ax.get_legend().get_texts()]
    assert "L1-penalised minimum, λ = 0.5: (1.50, 0.00)" in texts
    assert [ax.get_title() for ax in fig.axes[:2]] == [
        "L1, λ = 0.5: the region the penalty allows", "L2, λ = 0.5: the region the penalty allows"]


def test_geometry_rejects_points_that_are_not_two_weights():
    with pytest.raises(
        ValueError, match=r"argument w_l1: expected 2 weights. Received: w_l1=\[1.0\]"
    ):
        figures.penalty_geometry(quadratic, w_ols=W_OLS, w_l1=[1.0], w_l2=W_L2)


def test_coefficient_magnitudes_counts_exact_zeros():
    fig = FIGURES["coefficient_magnitudes"]()
    texts = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "a: 1 of 3 exactly 0" in texts and "b: 2 of 3 exactly 0" in texts


def test_trajectories_zoom_panel_limits():
    fig = FIGURES["weight_trajectories"]()
    assert len(fig.axes) == 2
    assert fig.axes[1].get_ylim() == pytest.approx((-0.1, 0.1))


def test_curves_reject_non_numeric_data():
    with pytest.raises(TypeError, match="argument w: expected a numeric array"):
        figures.penalty_curves(["a"], {})
