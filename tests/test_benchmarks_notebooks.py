"""The notebook benchmark measures the kernel (not this process), reports failures, sums right.

Two tiny notebooks in plain Python kernels (no TensorFlow): a few seconds in all. Were the
benchmark measuring this process instead of the kernel, both would show the same peak.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from benchmarks.notebooks import Run, combine_baselines, run_notebook, summary, table


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return nb


@pytest.fixture(scope="module")
def small_and_big(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("bench")
    small = run_notebook(notebook("x = 1", "1 / 0", "print('not reached')"), "small", cwd, timeout=120)
    # 300 MB of bytes, written (so resident), then freed: only the kernel's peak can show it.
    big = run_notebook(notebook("block = b'x' * (300 * 2**20)", "del block"), "big", cwd, timeout=120)
    return small, big


def test_a_failing_cell_is_reported_not_raised(small_and_big):
    small, _ = small_and_big
    assert small.error is not None and "ZeroDivisionError" in small.error
    assert small.cells == 3 and small.wall_s > 0


def test_peak_rss_is_the_kernels_own(small_and_big):
    small, big = small_and_big
    assert big.error is None
    assert 10 < small.peak_rss_mb < 1000  # a bare Python kernel, whatever this process weighs
    # The 300 MB the kernel held, freed before the notebook ended, is in its peak.
    assert big.peak_rss_mb - small.peak_rss_mb > 250


def test_summary_totals_and_ratios_against_the_baseline():
    baseline = Run("base", cells=1, wall_s=2.0, peak_rss_mb=400.0)
    runs = [
        Run("00-a.ipynb", cells=3, wall_s=4.0, peak_rss_mb=600.0),
        Run("01-b.ipynb", cells=5, wall_s=6.0, peak_rss_mb=1000.0, error="ValueError: no"),
    ]
    result = summary(baseline, runs, limit_mb=900)
    assert result["total_s"] == 10.0
    assert result["max_rss_mb"] == 1000.0
    assert result["fits_limit"] is False
    assert result["failed"] == ["01-b.ipynb"]
    assert result["notebooks"]["00-a.ipynb"]["time_vs_baseline"] == 2.0
    assert result["notebooks"]["00-a.ipynb"]["rss_vs_baseline"] == 1.5
    json.dumps(result)  # the last line printed must be valid JSON

    text = table(baseline, runs)
    assert text.splitlines()[2].startswith("base")
    assert "FAILED: ValueError: no" in text and "1.50" in text


def test_the_baseline_keeps_the_faster_time_and_the_larger_peak():
    cold = Run("base", cells=1, wall_s=19.0, peak_rss_mb=700.0)
    warm = Run("base", cells=1, wall_s=8.0, peak_rss_mb=710.0, error="boom")
    combined = combine_baselines(cold, warm)
    assert (combined.wall_s, combined.peak_rss_mb, combined.error) == (8.0, 710.0, "boom")
