"""reglab.figures, the figures of notebooks 06 and 07: each returns a labelled Figure, leaves pyplot
untouched, and draws the data it was given (counts, limits and labels checked exactly). The
shared labelled-figure check runs on FIGURES in tests/figures/test_figures.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

from reglab import figures

RNG = np.random.default_rng(0)
Z = np.array([-1.0, -0.5, 0.0, 0.5, 2.0])
CODES_A = RNG.uniform(0.0, 1.0, size=(12, 6)) ** 4
CODES_B = np.full((12, 6), 0.05)
TABLE = pd.DataFrame(
    {
        "penalty": ["none", "L1", "L1", "KL", "KL"],
        "strength": [np.nan, 0.01, 0.001, 0.1, 0.3],
        "error": [0.010, 0.020, 0.012, 0.030, 0.040],
        "sparsity": [0.1, 0.6, 0.3, 0.8, 0.9],
        "hoyer": [0.2, 0.5, 0.3, 0.6, 0.3],
    },
    index=["none", "L1 0.01", "L1 0.001", "KL 0.1", "KL 0.3"],
)

FIGURES = {
    "batch_size_scaling": lambda: figures.batch_size_scaling(
        [1, 4, 16], {"sum": [1.0, 4.0, 16.0], "mean": [1.0, 1.0, 1.0]},
        spread={"mean": ([0.5, 0.8, 0.9], [2.0, 1.3, 1.1])},
    ),
    "placement_histograms": lambda: figures.placement_histograms(
        {"plain": Z, "shifted": Z - 1.0}, {"plain": np.maximum(Z, 0), "shifted": np.maximum(Z - 1.0, 0)}
    ),
    "sparsity_tradeoff": lambda: figures.sparsity_tradeoff(
        TABLE, x="error", y=["sparsity", "hoyer"], group="penalty", strength="strength",
        xlabel="error (MSE)", ylabels=["fraction ≤ 0.1", "Hoyer"],
    ),
    "code_heatmaps": lambda: figures.code_heatmaps({"a": CODES_A, "b": CODES_B}, row_labels=range(12)),
    "code_histograms": lambda: figures.code_histograms({"a": CODES_A, "b": CODES_B}, tol=0.1, target=0.05),
}
# Image mosaics carry no axis labels (a colour bar says what the colours mean): tested on their own.
IMAGE_FIGURES = {"decoder_features"}


def test_every_new_function_is_public_in_the_module():
    names = {*FIGURES, "decoder_features"}
    assert all(callable(getattr(figures, name)) for name in names)


def test_batch_size_scaling_uses_log_axes_and_shades_the_range():
    fig = FIGURES["batch_size_scaling"]()
    (ax,) = fig.axes
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    low, high = bands[0].get_paths()[0].vertices[:, 1].min(), bands[0].get_paths()[0].vertices[:, 1].max()
    assert (low, high) == pytest.approx((0.5, 2.0))
    assert [line.get_ydata().tolist() for line in ax.get_lines()] == [[1.0, 4.0, 16.0], [1.0, 1.0, 1.0]]


def test_placement_histograms_count_exact_zeros_per_variant():
    fig = FIGURES["placement_histograms"]()
    texts = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    # plain: relu(Z) has 0 at -1, -0.5, 0 -> 3 of 5; shifted: Z - 1 <= 0 except 2.0 - 1 -> 4 of 5.
    assert texts == ["plain: 60.0% exactly 0", "shifted: 80.0% exactly 0"]
    assert fig.axes[1].get_yscale() == "log"


def test_placement_histograms_bins_hold_every_value():
    fig = FIGURES["placement_histograms"]()
    for ax in fig.axes:
        for patch in ax.patches:  # one step outline per variant; its heights sum to the count
            heights = patch.get_path().vertices[1:-1:2, 1]
            assert heights.sum() == pytest.approx(Z.size)


def test_sparsity_tradeoff_orders_by_strength_and_stars_the_baseline():
    fig = FIGURES["sparsity_tradeoff"]()
    left = fig.axes[0]
    lines = {line.get_label(): line for line in left.get_lines()}
    assert lines["none"].get_marker() == "*"
    assert lines["L1"].get_xdata().tolist() == [0.012, 0.020]  # sorted by λ: 0.001, then 0.01
    assert lines["KL"].get_ydata().tolist() == [0.8, 0.9]
    labels = sorted(t.get_text() for t in left.texts)
    assert labels == ["0.001", "0.01", "0.1", "0.3"]
    assert [ax.get_ylabel() for ax in fig.axes] == ["fraction ≤ 0.1", "Hoyer"]


def test_sparsity_tradeoff_labels_say_which_factor_and_stay_inside_the_axes():
    fig = figures.sparsity_tradeoff(
        TABLE, x="error", y=["sparsity", "hoyer"], group="penalty", strength="strength",
        xlabel="error (MSE)", symbols={"L1": "λ", "KL": "β"},
    )
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["β=0.1", "β=0.3", "λ=0.001", "λ=0.01"]
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)  # lays the figure out, as the notebook's display does
    for ax in fig.axes:
        frame = ax.get_window_extent(renderer)
        for text in ax.texts:  # every point label lies within its panel
            box = text.get_window_extent(renderer)
            assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def test_code_heatmaps_share_one_colour_scale():
    fig = FIGURES["code_heatmaps"]()
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    assert len(images) == 2
    assert all(image.get_clim() == (0.0, 1.0) for image in images)
    assert np.array_equal(images[1].get_array(), CODES_B)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [str(i) for i in range(12)]
    colorbar = [ax for ax in fig.axes if ax.get_label() == "<colorbar>"]
    assert len(colorbar) == 1 and colorbar[0].get_ylabel().startswith("code activation")


def test_decoder_features_tiles_the_kernel_rows_with_a_symmetric_scale():
    kernel = np.arange(4 * 64, dtype=float).reshape(4, 64) - 100.0
    fig = figures.decoder_features({"model": kernel}, ncols=2)
    panel, colorbar = fig.axes
    assert panel.get_title() == "model" and colorbar.get_ylabel().startswith("decoder weight")
    image = panel.get_images()[0]
    assert image.get_clim() == (-155.0, 155.0)  # the largest |w| is 255 - 100
    mosaic = np.ma.filled(image.get_array(), np.nan)
    assert mosaic.shape == (2 * 10 - 2, 2 * 9 - 1)  # 2 x 2 tiles of 8 x 8, blank rows/columns between
    assert np.array_equal(mosaic[:8, :8], kernel[0].reshape(8, 8))
    assert np.array_equal(mosaic[10:, 9:], kernel[3].reshape(8, 8))
    assert np.isnan(mosaic[8:10]).all() and np.isnan(mosaic[:, 8]).all()
    assert [t.get_text() for t in panel.texts] == ["unit 0", "unit 1", "unit 2", "unit 3"]


def test_decoder_features_one_panel_per_model():
    fig = figures.decoder_features({"a": np.ones((3, 64)), "b": -np.ones((3, 64))}, ncols=3)
    assert [ax.get_title() for ax in fig.axes if ax.get_label() != "<colorbar>"] == ["a", "b"]


def test_code_histograms_mark_tolerance_and_target():
    fig = FIGURES["code_histograms"]()
    left, right = fig.axes
    assert left.get_lines()[0].get_xdata()[0] == pytest.approx(0.1)
    assert right.get_lines()[-1].get_ydata()[0] == pytest.approx(0.05)
    means = right.get_lines()[0].get_ydata()
    assert np.all(np.diff(means) <= 0)  # sorted from the largest
    assert means == pytest.approx(np.sort(CODES_A.mean(axis=0))[::-1])


def test_code_histograms_reject_a_negative_tolerance():
    with pytest.raises(ValueError, match="argument tol"):
        figures.code_histograms({"a": CODES_A}, tol=-0.1)
