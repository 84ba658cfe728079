"""pyproject.toml, environment.yml and binder/environment.yml must list the same dependencies.

Binder and conda users install from the YAML files, everyone else from pyproject.toml; if they
drift, one audience gets a broken environment. These tests make the drift fail `make test`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
YAML_FILES = ["environment.yml", "binder/environment.yml"]


def normalized(requirement: str) -> tuple[str, str, str]:
    """(name, specifier, marker) with names and spacing normalised, so equal means equal."""
    parsed = Requirement(requirement)
    name = parsed.name.lower().replace("_", "-")
    return name, str(parsed.specifier), str(parsed.marker or "")


def pyproject_dependencies() -> set[tuple[str, str, str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {normalized(line) for line in project["dependencies"]}


def yaml_pip_dependencies(text: str) -> set[tuple[str, str, str]]:
    """The pip requirements of a conda environment file, options such as `--editable .` left out."""
    environment = yaml.safe_load(text)
    pip_lists = [item["pip"] for item in environment["dependencies"] if isinstance(item, dict)]
    if not pip_lists:
        raise ValueError("environment file has no pip: section")
    return {normalized(line) for line in pip_lists[0] if not line.startswith("-")}


def conda_python(text: str) -> str:
    environment = yaml.safe_load(text)
    pins = [d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python")]
    return pins[0] if pins else ""


@pytest.mark.parametrize("path", YAML_FILES)
def test_yaml_lists_exactly_the_pyproject_dependencies(path):
    listed = yaml_pip_dependencies((ROOT / path).read_text())
    required = pyproject_dependencies()
    assert not required - listed, f"{path} lacks what pyproject.toml requires: {sorted(required - listed)}"
    assert not listed - required, f"{path} lists what pyproject.toml does not: {sorted(listed - required)}"


def test_a_dependency_missing_from_binder_is_detected():
    text = (ROOT / "binder/environment.yml").read_text()
    broken = "\n".join(line for line in text.splitlines() if "scikit-learn" not in line)
    assert ("scikit-learn", ">=1.9", "") in pyproject_dependencies() - yaml_pip_dependencies(broken)


@pytest.mark.parametrize("path", YAML_FILES)
def test_python_is_pinned_to_the_supported_minor(path):
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    pinned = conda_python((ROOT / path).read_text())
    assert pinned == "python=3.11", f"{path} pins {pinned!r}"
    assert requires == ">=3.11"


def test_binder_selects_the_cpu_build_of_tensorflow():
    linux = {"sys_platform": "linux", "platform_machine": "x86_64"}
    names = set()
    for line in yaml.safe_load((ROOT / "binder/environment.yml").read_text())["dependencies"][-1]["pip"]:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(linux):
            names.add(requirement.name)
    assert "tensorflow-cpu" in names and "tensorflow" not in names


def test_postbuild_stops_on_error_and_installs_the_package():
    script = (ROOT / "binder/postBuild").read_text()
    assert script.startswith("#!/bin/bash")
    assert "set -e" in script
    assert "pip install" in script and " ." in script


def constraint_pins() -> dict[str, str]:
    """constraints.txt as {normalised name: version}."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    return pins


# `make test` installs the test, course and book extras (the Makefile's install line), so all are pinned.
INSTALLED_EXTRAS = ["test", "course", "book"]


def test_the_makefile_installs_the_extras_that_are_pinned():
    install = re.search(r"--editable '\.\[([a-z,]+)\]'", (ROOT / "Makefile").read_text())
    assert install, "the Makefile's pip install line changed shape"
    assert install[1].split(",") == INSTALLED_EXTRAS


def test_constraints_pin_what_pyproject_requires():
    pins = constraint_pins()
    linux = {"sys_platform": "linux", "platform_machine": "x86_64"}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = list(project["dependencies"])
    for extra in INSTALLED_EXTRAS:
        needed += project["optional-dependencies"][extra]
    for line in needed:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate(linux):
            continue
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"constraints.txt has no pin for {name}"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} violates {requirement}"


def test_course_extra_is_otter_grader_and_stays_out_of_the_default_install():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    course = {Requirement(line).name for line in project["optional-dependencies"]["course"]}
    assert "otter-grader" in course
    assert "otter-grader" not in {Requirement(line).name for line in project["dependencies"]}
    # otter-grader 7 requires wrapt<2; TensorFlow accepts it, so the pin must satisfy both.
    assert constraint_pins()["wrapt"].startswith("1.")
