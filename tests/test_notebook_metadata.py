"""Committed notebooks carry no volatile metadata, and re-executing one leaves no diff.

`make notebooks` executes with nbconvert (tools/execute_notebooks.py: streams coalesced), then
runs nbstripout with the Makefile's NBSTRIPOUT_FLAGS: outputs, execution counts and cell ids
stay; execution timestamps, widget state and the Python patch version go. `make hygiene` and the
pre-commit hook check the same flags.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MAKEFILE = (ROOT / "Makefile").read_text()
SMALL_NOTEBOOK = ROOT / "notebooks" / "00-setup.ipynb"  # about 15 s to execute

# What Jupyter, nbclient and editors write that changes on every run or machine.
VOLATILE_CELL_KEYS = {"execution", "ExecuteTime", "collapsed", "scrolled", "heading_collapsed", "hidden"}
VOLATILE_NOTEBOOK_KEYS = {"widgets", "signature"}


def nbstripout_flags() -> list[str]:
    found = re.search(r"^NBSTRIPOUT_FLAGS := (.+)$", MAKEFILE, re.MULTILINE)
    assert found, "the Makefile defines no NBSTRIPOUT_FLAGS"
    return shlex.split(found[1])


def volatile_metadata(notebook: dict) -> list[str]:
    """Where a notebook (parsed JSON) carries volatile metadata.

    Examples
    --------
    >>> volatile_metadata({"metadata": {"language_info": {"name": "python"}},
    ...                    "cells": [{"metadata": {"tags": ["x"]}}]})
    []
    >>> volatile_metadata({"metadata": {"language_info": {"version": "3.11.7"}},
    ...                    "cells": [{"metadata": {"execution": {}}}]})
    ['metadata.language_info.version', 'cell 0: metadata.execution']
    """
    found = [f"metadata.{key}" for key in sorted(VOLATILE_NOTEBOOK_KEYS & set(notebook["metadata"]))]
    if "version" in notebook["metadata"].get("language_info", {}):
        found.append("metadata.language_info.version")
    for index, cell in enumerate(notebook["cells"]):
        keys = sorted(VOLATILE_CELL_KEYS & set(cell["metadata"]))
        found += [f"cell {index}: metadata.{key}" for key in keys]
    return found


def nbstripout_verify(paths: list[Path]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nbstripout", "--verify", *nbstripout_flags(), *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_volatile_metadata(path):
    assert volatile_metadata(json.loads(path.read_text())) == [], "run `make notebooks` or nbstripout"


def test_nbstripout_with_the_makefile_flags_would_change_no_notebook():
    done = nbstripout_verify(NOTEBOOKS)
    assert done.returncode == 0, f"nbstripout would change:\n{done.stdout}{done.stderr}"


def test_a_timestamp_left_in_a_notebook_is_caught(tmp_path):
    notebook = json.loads(SMALL_NOTEBOOK.read_text())
    code = next(cell for cell in notebook["cells"] if cell["cell_type"] == "code")
    code["metadata"]["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00.000000Z"}
    notebook["metadata"]["language_info"]["version"] = "3.11.7"
    dirty = tmp_path / "dirty.ipynb"
    dirty.write_text(json.dumps(notebook))
    assert len(volatile_metadata(notebook)) == 2
    assert nbstripout_verify([dirty]).returncode != 0


def test_make_notebooks_strips_with_the_same_flags_hygiene_checks():
    notebooks = re.search(r"^notebooks:.*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE)[1]
    hygiene = re.search(r"^hygiene:.*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE)[1]
    assert notebooks.index("tools/execute_notebooks.py") < notebooks.index("nbstripout $(NBSTRIPOUT_FLAGS)")
    assert "nbstripout --verify $(NBSTRIPOUT_FLAGS) $(NOTEBOOKS)" in hygiene
    assert "--keep-output" in nbstripout_flags() and "--keep-count" in nbstripout_flags()


def test_pre_commit_hooks_are_local_and_run_what_make_hygiene_runs():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"], "hooks must not be cloned"
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert all(hook["language"] == "system" for hook in hooks.values())
    assert shlex.split(hooks["nbstripout"]["entry"])[1:] == nbstripout_flags()
    assert shlex.split(hooks["ruff"]["entry"])[1:3] == ["check", "--force-exclude"]
    assert "ruff check ." in re.search(r"^hygiene:.*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE)[1]


# --- re-executing an unchanged notebook ---------------------------------------------------------


@pytest.fixture(scope="module")
def reexecuted(tmp_path_factory) -> Path:
    """notebooks/00-setup.ipynb re-executed by `make notebooks NB=<a copy>`, exactly as committed."""
    if shutil.which("make") is None:
        pytest.skip("`make` is not installed")
    from reglab import stacks

    if not stacks.compare().is_pinned:
        pytest.skip("the committed outputs were computed on the pinned stack (constraints.txt)")
    copy_path = tmp_path_factory.mktemp("reexecuted") / SMALL_NOTEBOOK.name
    shutil.copyfile(SMALL_NOTEBOOK, copy_path)
    venv = Path(sys.prefix)
    command = ["make", "-s", "-o", f"{venv}/.installed", "notebooks", f"VENV={venv}", f"NB={copy_path}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"make notebooks failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return copy_path


def with_outputs_of(notebook: Path, source: Path) -> str:
    """`notebook` serialised as nbformat writes it, with the cell outputs of `source`."""
    result = nbformat.read(notebook, as_version=4)
    outputs = [cell.get("outputs") for cell in nbformat.read(source, as_version=4).cells]
    for cell, stored in zip(result.cells, outputs, strict=True):
        if stored is not None:
            cell.outputs = copy.deepcopy(stored)
    return nbformat.writes(result) + "\n"


def test_reexecution_changes_nothing_but_outputs(reexecuted):
    """Metadata, execution counts, cell ids, sources and formatting come back byte for byte."""
    committed = SMALL_NOTEBOOK.read_text()
    assert with_outputs_of(reexecuted, SMALL_NOTEBOOK) == committed


def test_reexecuting_an_unchanged_notebook_leaves_no_diff(reexecuted):
    assert reexecuted.read_bytes() == SMALL_NOTEBOOK.read_bytes()
