"""The files readers and the hosting service look for: licences, citation, contributing, CI.

GitHub shows the licence from LICENSE and a *Cite this repository* button from CITATION.cff,
and runs .github/workflows/; a wheel carries LICENSE through pyproject's license-files.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

import reglab

ROOT = Path(__file__).resolve().parents[1]
CFF_REQUIRED = {"cff-version", "message", "title", "authors"}  # CFF 1.2.0's required keys


def workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())


def steps(job: dict) -> list[dict]:
    return job["steps"]


def test_license_is_the_mit_text_for_the_reglab_authors():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert re.search(r"^Copyright \(c\) \d{4} the reglab authors$", text, re.MULTILINE)
    assert "Permission is hereby granted, free of charge" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def test_notebook_text_and_figures_have_a_stated_licence():
    text = (ROOT / "LICENSE-CONTENT").read_text()
    assert "Creative Commons Attribution 4.0 International" in text and "CC BY 4.0" in text
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in text


def test_the_wheel_carries_the_licence():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert "LICENSE" in project["license-files"]
    for pattern in project["license-files"]:
        assert list(ROOT.glob(pattern)), f"license-files pattern {pattern!r} matches no file"


def test_citation_file_has_the_required_keys_and_the_package_version():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert CFF_REQUIRED <= set(citation), f"CITATION.cff lacks {sorted(CFF_REQUIRED - set(citation))}"
    assert citation["cff-version"] == "1.2.0"
    assert citation["authors"] and all("name" in a or "family-names" in a for a in citation["authors"])
    assert str(citation["version"]) == reglab.__version__, "bump CITATION.cff's version with the package's"
    assert citation["license"] == "MIT"


def test_readme_points_to_contributing_license_and_citation():
    readme = (ROOT / "README.md").read_text()
    for name in ["CONTRIBUTING.md", "LICENSE", "LICENSE-CONTENT", "CITATION.cff"]:
        assert f"]({name})" in readme, f"README does not link {name}"
        assert (ROOT / name).is_file()
    assert "make test" in (ROOT / "CONTRIBUTING.md").read_text()


def test_ci_workflow_runs_the_ci_entry_point():
    jobs = workflow("ci.yml")["jobs"]
    runs = [step.get("run", "") for job in jobs.values() for step in steps(job)]
    assert "bash .ci/run" in runs


def test_book_workflow_builds_the_book_and_deploys_it_to_pages():
    book = workflow("book.yml")
    assert book["permissions"]["pages"] == "write" and book["permissions"]["id-token"] == "write"
    build, deploy = book["jobs"]["build"], book["jobs"]["deploy"]
    assert any(step.get("run") == "make book" for step in steps(build))
    upload = next(s for s in steps(build) if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    book_dir = re.search(r"^BOOK_DIR \?= (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)[1]
    assert upload["with"]["path"] == f"{book_dir}/html", "it uploads another folder than make book fills"
    assert deploy["needs"] == "build"
    assert any(step.get("uses", "").startswith("actions/deploy-pages@") for step in steps(deploy))
