"""reglab.stacks: its tables equal the constraint files and pyproject.toml; compare() on made-up stacks.

Cost: a fraction of a second (reads three text files; no TensorFlow).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from reglab import stacks

ROOT = Path(__file__).resolve().parents[1]
LINUX = {"sys_platform": "linux", "platform_machine": "x86_64"}
DISTRIBUTION = {"tensorflow": "tensorflow-cpu"}  # what the constraint files pin on Linux x86-64


def pins(filename: str) -> dict[str, str]:
    """A constraint file as {normalised name: version}."""
    found = {}
    for line in (ROOT / filename).read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            found[name.lower().replace("_", "-")] = version
    return found


def header_python(filename: str) -> str:
    """The Python minor version the file's header says it was frozen with."""
    header = "\n".join(line for line in (ROOT / filename).read_text().splitlines() if line.startswith("#"))
    found = re.findall(r"Python (3\.\d+)", header)
    assert found, f"{filename}'s header names no Python version"
    return found[0]


def requirements(*extras: str) -> list[Requirement]:
    """pyproject.toml's dependencies (and extras) that apply on Linux x86-64."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    parsed = [Requirement(line) for line in lines]
    return [r for r in parsed if r.marker is None or r.marker.evaluate(LINUX)]


@pytest.mark.parametrize(("table", "filename"), [(stacks.PINNED, "constraints.txt"),
                                                 (stacks.OLDEST, "constraints-oldest.txt")])
def test_tables_equal_the_constraint_files(table, filename):
    pinned = pins(filename)
    for name, version in table.items():
        if name == "python":
            assert version == header_python(filename), f"{filename}: Python"
            continue
        assert pinned[DISTRIBUTION.get(name, name)] == version, f"{filename}: {name}"


def test_pyproject_lower_bounds_are_the_oldest_stack():
    bounds = {}
    for requirement in requirements():
        lower = [s.version for s in requirement.specifier if s.operator == ">="]
        bounds[requirement.name.lower()] = lower[0] if lower else None
    for name, oldest in stacks.OLDEST.items():
        if name == "python":
            continue
        bound = bounds[DISTRIBUTION.get(name, name)]
        assert bound is not None, f"pyproject.toml has no lower bound for {name}"
        # ">=2.0" is the oldest stack's numpy 2.0.2 written to the bound's precision
        release = Version(oldest).release[: len(Version(bound).release)]
        assert Version(bound).release == release, f"{name}>={bound} but the oldest stack has {oldest}"


def test_requires_python_is_the_oldest_python_tested():
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    oldest = min((stacks.PINNED["python"], stacks.OLDEST["python"]), key=Version)
    assert requires == f">={oldest}"


@pytest.mark.parametrize(("filename", "extras"), [("constraints.txt", ("test", "course")),
                                                  ("constraints-oldest.txt", ("test",))])
def test_each_constraint_file_satisfies_pyproject(filename, extras):
    pinned = pins(filename)
    for requirement in requirements(*extras):
        name = requirement.name.lower().replace("_", "-")
        assert name in pinned, f"{filename} has no pin for {name}"
        assert requirement.specifier.contains(pinned[name]), f"{name}=={pinned[name]} violates {requirement}"


# --- compare() on made-up version dicts -----------------------------------------------------------------
def test_the_pinned_stack_is_pinned_and_within_the_range():
    result = stacks.compare(dict(stacks.PINNED, python="3.11.9"))
    assert result.is_pinned and result.differs_from_pinned == {} and result.outside_range == {}
    assert result.summary().startswith("Stack: the pinned one (constraints.txt)")


def test_the_oldest_stack_differs_but_is_within_the_range():
    result = stacks.compare(dict(stacks.OLDEST, python="3.12.1"))
    assert not result.is_pinned and result.outside_range == {}
    changed = {name for name in stacks.PINNED if stacks.PINNED[name] != stacks.OLDEST[name]}
    assert set(result.differs_from_pinned) == changed
    summary = result.summary()
    assert "keras 3.10.0 (pinned 3.15.1)" in summary and "Within the tested range" in summary


@pytest.mark.parametrize(
    ("changes", "outside"),
    [
        ({"keras": "3.9.2"}, {"keras": "3.9.2"}),  # older than the oldest
        ({"keras": "3.16.0"}, {"keras": "3.16.0"}),  # newer than the pinned
        ({"numpy": None}, {"numpy": None}),  # missing
        ({"python": "3.13.0"}, {"python": "3.13.0"}),
        ({"python": "3.10.4"}, {"python": "3.10.4"}),
        ({"tensorflow": "2.20.0", "pandas": "2.3.1"}, {}),  # between: differs, still tested range
        ({"tensorflow": "2.19.0rc1"}, {}),  # a pre-release counts as its release
    ],
)
def test_compare_sorts_versions_into_differs_and_outside(changes, outside):
    result = stacks.compare(dict(stacks.PINNED, **changes))
    assert result.differs_from_pinned == changes
    assert result.outside_range == outside
    assert not result.is_pinned
    summary = result.summary()
    if outside:
        line = next(line for line in summary.splitlines() if "Outside the tested range" in line)
        assert all(name in line for name in outside)
    else:
        assert "Within the tested range" in summary


def test_installed_lists_every_package_of_the_tables():
    installed = stacks.installed()
    assert set(installed) == set(stacks.PINNED) == set(stacks.OLDEST)
    assert installed["python"].count(".") == 2
