"""reglab.course: the grader finds a renamed notebook; the tests' helpers turn bad answers into hints."""

from __future__ import annotations

import importlib.util
import json
import os

import numpy as np
import pytest

from reglab import course


def write_notebook(path, assignment: str | None) -> None:
    metadata = {"otter": {"assignment_name": assignment}} if assignment else {}
    path.write_text(json.dumps({"cells": [], "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}))


# --- find_notebook ---------------------------------------------------------------------------------
def test_the_expected_name_is_found(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    write_notebook(tmp_path / "hw.ipynb", "hw")
    write_notebook(tmp_path / "hw (1).ipynb", "hw")
    assert course.find_notebook("hw", tmp_path) == tmp_path / "hw.ipynb"


def test_a_copy_saved_under_another_name_is_found_by_its_metadata(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    write_notebook(tmp_path / "notes.ipynb", None)
    write_notebook(tmp_path / "other.ipynb", "another-assignment")
    write_notebook(tmp_path / "hw (1).ipynb", "hw")
    assert course.find_notebook("hw", tmp_path) == tmp_path / "hw (1).ipynb"


def test_of_several_copies_the_last_saved_is_taken(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    for index, name in enumerate(["hw (2).ipynb", "hw (1).ipynb"]):
        write_notebook(tmp_path / name, "hw")
        os.utime(tmp_path / name, (1000 + index, 1000 + index))
    assert course.find_notebook("hw", tmp_path).name == "hw (1).ipynb"


def test_the_notebook_the_kernel_runs_comes_first(tmp_path, monkeypatch):
    write_notebook(tmp_path / "hw.ipynb", "hw")
    elsewhere = tmp_path / "sub"
    elsewhere.mkdir()
    write_notebook(elsewhere / "hw (3).ipynb", "hw")
    monkeypatch.setenv("JPY_SESSION_NAME", str(elsewhere / "hw (3).ipynb"))
    assert course.find_notebook("hw", tmp_path) == elsewhere / "hw (3).ipynb"
    monkeypatch.setenv("JPY_SESSION_NAME", str(elsewhere / "renamed since.ipynb"))  # stale: skipped
    assert course.find_notebook("hw", tmp_path) == tmp_path / "hw.ipynb"


def test_no_copy_gives_the_student_the_steps(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    write_notebook(tmp_path / "other.ipynb", "another-assignment")
    (tmp_path / "broken.ipynb").write_text("{not json")
    with pytest.raises(FileNotFoundError) as error:
        course.find_notebook("hw", tmp_path)
    message = str(error.value)
    assert "'hw'" in message and str(tmp_path) in message
    for step in ("File > Save", "hw.ipynb (File > Rename)", "run this cell again"):
        assert step in message


@pytest.mark.skipif(importlib.util.find_spec("otter") is None, reason="otter-grader is not installed")
def test_grader_reads_the_tests_of_a_renamed_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    test = "from otter.test_files import test_case\nOK_FORMAT = False\nname = 'q1'\npoints = 1\n"
    notebook = {"cells": [], "nbformat": 4, "nbformat_minor": 5,
                "metadata": {"otter": {"assignment_name": "hw", "OK_FORMAT": False, "tests": {"q1": test}}}}
    (tmp_path / "hw (1).ipynb").write_text(json.dumps(notebook))
    grader = course.grader("hw")
    assert grader._notebook.endswith("hw (1).ipynb")
    assert list(grader._nbmeta_config.tests) == ["q1"]


# --- call, number, numbers --------------------------------------------------------------------------
def test_call_reports_a_missing_function_and_an_exception_as_hints():
    missing = r"^Hint: define f\(\.\.\.\) above and run its cell; f is None\.$"
    with pytest.raises(AssertionError, match=missing):
        course.call(None, "f", 1)
    raised = r"^Hint: f\(an array of shape \(2, 3\), 0\.5\) raised KeyError: 'x'$"
    with pytest.raises(AssertionError, match=raised):
        course.call(lambda w, lam: {}["x"], "f", np.ones((2, 3)), 0.5)
    assert course.call(lambda w: w + 1, "f", 1) == 2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "is None; replace the ..."),
        (Ellipsis, "is Ellipsis; replace the ..."),
        ("0.5", "should be a number, not the string '0.5'"),
        ({"a": 1}, "should be a number; got {'a': 1}"),
        (float("nan"), "has 1 NaN or infinite entries"),
        (np.array([1.0, np.inf]), "has 1 NaN or infinite entries"),
        ([1.0, 2.0], "should be one number; got 2"),
    ],
)
def test_number_turns_every_bad_answer_into_a_hint(value, message):
    with pytest.raises(AssertionError) as error:
        course.number(value, "the answer")
    assert str(error.value).startswith("Hint: the answer ") and message in str(error.value)


def test_numbers_asks_for_numbers_not_a_string():
    with pytest.raises(AssertionError, match=r"^Hint: w should be numbers, not the string 'w - 1'\.$"):
        course.numbers("w - 1", "w")


def test_numbers_checks_the_shape_and_returns_float64():
    assert course.numbers([[1, 2]], "w", shape=(1, 2)).dtype == np.float64
    with pytest.raises(AssertionError, match=r"^Hint: w should have the shape \(2,\); got \(1, 2\)\.$"):
        course.numbers([[1, 2]], "w", shape=(2,))
    assert course.number(np.float32(2.5), "x") == 2.5 and course.number(np.array([[3]]), "x") == 3.0


# --- reference ---------------------------------------------------------------------------------------
def test_reference_replaces_earlier_answers_only_inside_the_block():
    namespace = {"helper": lambda w: w}
    exec("def step(w):\n    return w - helper(w) - extra(w)", namespace)
    step = namespace["step"]
    with course.reference(step, helper=lambda w: 2 * w, extra=lambda w: 0):
        assert step(1.0) == -1.0
    assert namespace["helper"](3) == 3 and "extra" not in namespace
    with pytest.raises(ZeroDivisionError), course.reference(step, helper=lambda w: 1 / 0, extra=abs):
        step(1.0)
    assert namespace["helper"](3) == 3 and "extra" not in namespace  # restored after an error too


def test_reference_leaves_builtins_alone():
    with course.reference(len, len=None):
        assert len([1]) == 1
