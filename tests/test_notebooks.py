"""Every notebook follows the house template and is committed executed.

nbval (in `make test`) re-executes the notebooks; these fast checks catch what it would not: a
missing Colab badge, an install cell that could replace Colab's TensorFlow, a notebook committed
without outputs, a traceback left in a stored output.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REPO = "reglab-edu/reglab"


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def code_cells(path: Path) -> list[dict]:
    return [c for c in cells(path) if c["cell_type"] == "code" and source(c).strip()]


def test_there_are_notebooks_and_their_names_are_numbered():
    assert NOTEBOOKS, "no notebooks found"
    for path in NOTEBOOKS:
        assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", path.name), path.name


def test_numbers_are_unique_and_start_at_00():
    numbers = [path.name[:2] for path in NOTEBOOKS]
    assert len(numbers) == len(set(numbers))
    assert numbers[0] == "00"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_a_question_and_a_colab_badge_to_itself(path):
    first = source(cells(path)[0])
    assert first.startswith(f"# {path.name[:2]} · ") and "?" in first.splitlines()[0]
    badge = f"https://colab.research.google.com/github/{REPO}/blob/main/notebooks/{path.name}"
    assert badge in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_install_cell_is_guarded_and_keeps_colabs_tensorflow(path):
    guard = source(code_cells(path)[0])
    assert 'if "google.colab" in sys.modules:' in guard
    install_lines = [line for line in guard.splitlines() if "pip install" in line]
    assert install_lines, "the guarded cell installs nothing"
    for line in install_lines:
        assert line.startswith("    "), "pip install must sit inside the Colab guard"
        assert "--no-deps" in line, "without --no-deps pip may replace Colab's TensorFlow"
        assert "tensorflow" not in line.lower()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_colab_installs_the_release_the_notebook_was_executed_with(path):
    """Not main as it is that day: the tag of this reglab version (README, "Colab")."""
    import reglab

    guard = source(code_cells(path)[0])
    assert f'"reglab @ git+https://github.com/{REPO}@v{reglab.__version__}"' in guard


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_second_cell_runs_the_shared_setup_with_a_seed(path):
    assert re.search(r"setup\(seed=\d+\)", source(code_cells(path)[1]))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_in_order_without_errors(path):
    counts = [c.get("execution_count") for c in code_cells(path)[1:]]  # the Colab cell may be skipped
    assert None not in counts, "re-run `make notebooks`: some code cells have no execution count"
    assert counts == sorted(counts), "cells were executed out of order"
    for cell in code_cells(path):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"stored error in: {source(cell)[:60]!r}"
            text = "".join(output.get("text", ""))
            assert "Traceback" not in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_checked_cells_exist_and_print_no_stderr(path):
    checked = [c for c in code_cells(path) if source(c).startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked, "no cell is checked by nbval: mark deterministic cells with # NBVAL_CHECK_OUTPUT"
    for cell in checked:
        streams = [o.get("name") for o in cell["outputs"] if o["output_type"] == "stream"]
        assert "stderr" not in streams, f"a checked cell writes to stderr: {source(cell)[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ends_with_exercises(path):
    markdown = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "markdown")
    assert "## Summary" in markdown and "## Exercise" in markdown
    assert any('check("' in source(c) for c in code_cells(path))


def test_readme_lists_every_notebook():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        assert f"(notebooks/{path.name})" in readme, f"README's table lacks {path.name}"


def test_ci_runs_the_readmes_test_command():
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make test" in (ROOT / ".ci/run").read_text()
