"""environment.yml and binder/environment.yml pin what constraints.txt pins; pyproject.toml agrees.

Binder and conda users install from the YAML files, everyone else from pyproject.toml with
constraints.txt; if they drift, one audience computes other numbers or gets a broken environment.
The YAML files are written by binder/make_environments.py (`make environments`); these tests make
drift fail `make test`.
"""

from __future__ import annotations

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
YAML_FILES = ["environment.yml", "binder/environment.yml"]
LINUX = {"sys_platform": "linux", "platform_machine": "x86_64"}


def make_environments():
    spec = importlib.util.spec_from_file_location("make_environments", ROOT / "binder/make_environments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def canonical(name: str) -> str:
    return name.lower().replace("_", "-")


def pyproject_dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(line) for line in project["dependencies"]]


def yaml_pins(text: str, environment=LINUX) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` pip lines that apply on ``environment``."""
    document = yaml.safe_load(text)
    pip_lists = [item["pip"] for item in document["dependencies"] if isinstance(item, dict)]
    if not pip_lists:
        raise ValueError("environment file has no pip: section")
    pins = {}
    for line in pip_lists[0]:
        if line.startswith("-"):
            continue
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate(environment):
            continue
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", f"not an exact pin: {line!r}"
        pins[canonical(requirement.name)] = specifier.version
    return pins


def conda_python(text: str) -> str:
    environment = yaml.safe_load(text)
    pins = [d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python")]
    return pins[0] if pins else ""


@pytest.mark.parametrize("path", YAML_FILES)
def test_yaml_is_what_make_environments_writes(path):
    module = make_environments()
    expected = module.render(path, module.constraint_pins())
    assert (ROOT / path).read_text() == expected, f"{path} is stale: run `make environments`"


@pytest.mark.parametrize("path", YAML_FILES)
def test_yaml_pins_every_package_at_the_constraints_version(path):
    listed = yaml_pins((ROOT / path).read_text())
    assert listed == constraint_pins(), f"{path} and constraints.txt pin different versions"


@pytest.mark.parametrize("path", YAML_FILES)
def test_yaml_pins_satisfy_pyproject(path):
    listed = yaml_pins((ROOT / path).read_text())
    for requirement in pyproject_dependencies():
        if requirement.marker is not None and not requirement.marker.evaluate(LINUX):
            continue
        name = canonical(requirement.name)
        assert name in listed, f"{path} lacks {name}, which pyproject.toml requires"
        assert requirement.specifier.contains(listed[name]), (
            f"{path}: {name}=={listed[name]} violates {requirement}"
        )


def test_a_dependency_missing_from_binder_is_detected():
    text = (ROOT / "binder/environment.yml").read_text()
    broken = "\n".join(line for line in text.splitlines() if "scikit-learn" not in line)
    assert "scikit-learn" in yaml_pins(text)
    assert "scikit-learn" not in yaml_pins(broken)
    assert yaml_pins(broken) != constraint_pins()


def test_a_changed_pin_makes_the_file_stale():
    module = make_environments()
    pins = module.constraint_pins()
    pins["numpy"] = "0.0.1"
    assert module.render("binder/environment.yml", pins) != (ROOT / "binder/environment.yml").read_text()


def test_root_environment_installs_reglab_with_the_course_extra():
    text = (ROOT / "environment.yml").read_text()
    assert "--editable .[course]" in text
    assert "--editable" not in (ROOT / "binder/environment.yml").read_text()  # postBuild installs it


def test_binder_start_sets_what_the_makefile_sets():
    start = (ROOT / "binder/start").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for variable in ("PYTHONHASHSEED", "TF_CPP_MIN_LOG_LEVEL", "KERAS_BACKEND"):
        value = re.search(rf"export {variable} := (\S+)", makefile)[1]
        assert f"export {variable}={value}" in start
    assert start.rstrip().endswith('exec "$@"'), "repo2docker's start must end by running its arguments"


@pytest.mark.parametrize("path", YAML_FILES)
def test_python_is_pinned_to_the_supported_minor(path):
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    pinned = conda_python((ROOT / path).read_text())
    assert pinned == "python=3.11", f"{path} pins {pinned!r}"
    assert requires == ">=3.11"


def test_binder_selects_the_cpu_build_of_tensorflow():
    names = set(yaml_pins((ROOT / "binder/environment.yml").read_text()))
    assert "tensorflow-cpu" in names and "tensorflow" not in names
    mac = {"sys_platform": "darwin", "platform_machine": "arm64"}
    names = set(yaml_pins((ROOT / "environment.yml").read_text(), mac))
    assert "tensorflow" in names and "tensorflow-cpu" not in names


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
            pins[canonical(name)] = version
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
