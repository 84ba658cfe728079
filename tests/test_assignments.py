"""The course assignments (assignments/*.ipynb) build with otter-grader and do what instructors need.

One build of every master notebook (the code `make assignments` runs, into a temporary folder)
serves the whole module; a student notebook is then executed with its blanks left as they are.
The checks:

- the build succeeds, otter ran every test against the solutions, and a master whose solution
  fails a test fails the build;
- the student version has no solution code and no hidden test; the autograder version has both;
- every question has public and hidden tests;
- a blank student notebook runs without errors and each `grader.check` says which test failed,
  with a hint, not a traceback.

Skipped when otter-grader (the `course` extra) is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

# find_spec, not importorskip: importing otter takes seconds, and collection should not pay them.
if importlib.util.find_spec("otter") is None:
    pytest.skip("otter-grader is not installed: pip install -e '.[course]'", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
MASTERS = sorted((ROOT / "assignments").glob("*.ipynb"))
NAMES = [path.stem for path in MASTERS]


def load_build_module():
    spec = importlib.util.spec_from_file_location("assignments_build", ROOT / "assignments" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_module = load_build_module()


# --- reading a master notebook -----------------------------------------------------------------
def blocks(path: Path) -> list[tuple[str, str | None, dict]]:
    """(block, question, cell) for every code cell of a master: block is "solution", "tests" or ""."""
    current, question, found = [], None, []
    for cell in nbformat.read(path, as_version=4).cells:
        text = cell.source.strip()
        if cell.cell_type == "raw":
            match = re.match(r"#\s+(begin|end)\s+(question|solution|tests|prompt)", text, re.IGNORECASE)
            if match and match[1].lower() == "begin":
                current.append(match[2].lower())
                if match[2].lower() == "question":
                    question = yaml.safe_load(text)["name"]
            elif match:
                current.pop()
        elif cell.cell_type == "code":
            found.append((current[-1] if current else "", question, cell))
    return found


def solution_lines(path: Path) -> list[str]:
    """The solution code of a master: lines inside BEGIN/END SOLUTION and lines marked # SOLUTION."""
    lines = []
    for block, _, cell in blocks(path):
        if block != "solution":
            continue
        inside = False
        for line in cell.source.splitlines():
            if re.search(r"#\s*BEGIN SOLUTION", line):
                inside = True
            elif re.search(r"#\s*END SOLUTION", line):
                inside = False
            elif inside or line.rstrip().endswith("# SOLUTION"):
                lines.append(line.split("# SOLUTION")[0].strip())
    return [line for line in lines if line]


def master_tests(path: Path) -> list[tuple[str, str, bool]]:
    """(question, test function name, hidden) for every test cell of a master."""
    found = []
    for block, question, cell in blocks(path):
        if block == "tests":
            hidden = bool(re.match(r"#\s*hidden\b", cell.source.strip(), re.IGNORECASE))
            found.append((question, re.search(r"def (\w+)", cell.source)[1], hidden))
    return found


def config(path: Path) -> dict:
    first = nbformat.read(path, as_version=4).cells[0]
    assert first.cell_type == "raw" and first.source.startswith("# ASSIGNMENT CONFIG")
    return yaml.safe_load(first.source)


# --- the build, once per module ------------------------------------------------------------------
def write_broken_master(folder: Path) -> Path:
    """A one-question master whose solution fails its (hidden) test."""
    raw, code = nbformat.v4.new_raw_cell, nbformat.v4.new_code_cell
    config = "# ASSIGNMENT CONFIG\nname: broken\ngenerate: true\ncheck_all_cell: false\nexport_cell: false\n"
    cells = [
        raw(config + "tests:\n  files: false\n  ok_format: false"),
        raw("# BEGIN QUESTION\nname: q1"),
        raw("# BEGIN SOLUTION"),
        code("answer = 41  # SOLUTION"),
        raw("# END SOLUTION"),
        raw("# BEGIN TESTS"),
        code(
            '# HIDDEN\ndef test_answer(answer):\n    assert answer == 42, "expected 42 (deliberately)"\n\n\n'
            "test_answer(answer)"
        ),
        raw("# END TESTS"),
        raw("# END QUESTION"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "broken.ipynb")
    return folder / "broken.ipynb"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, str], BaseException | None]:
    """Every master built as `make assignments` does; meanwhile, the broken master's build."""
    out, scratch = tmp_path_factory.mktemp("dist"), tmp_path_factory.mktemp("broken")
    broken_master = write_broken_master(scratch)
    with ThreadPoolExecutor(max_workers=2) as pool:
        broken = pool.submit(build_module.build, scratch / "dist", [broken_master])
        logs = build_module.build(out)
        return out, logs, broken.exception()


@pytest.fixture(scope="module")
def blank_runs(built) -> dict[str, nbformat.NotebookNode]:
    """Each student notebook executed as handed out (blanks left as they are), in parallel."""
    import nbclient

    out, *_ = built

    def run(name: str) -> nbformat.NotebookNode:
        path = out / "student" / f"{name}.ipynb"
        notebook = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            notebook, timeout=300, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}
        )
        client.execute()
        return notebook

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(NAMES, pool.map(run, NAMES), strict=True))


# --- the masters themselves (no build needed) ----------------------------------------------------
def test_there_are_at_least_two_masters():
    assert {"penalties-and-updates", "sparse-autoencoders"} <= set(NAMES)


@pytest.mark.parametrize("path", MASTERS, ids=NAMES)
def test_config_runs_the_tests_and_builds_the_grading_zip(path):
    settings = config(path)
    assert settings["name"] == path.stem
    assert settings.get("run_tests", True) is True, "the build must run the tests on the solutions"
    assert settings["generate"] is True, "otter runs the tests through the autograder zip"
    assert settings["tests"] == {"files": False, "ok_format": False}
    assert (path.parent / settings["requirements"]).is_file()
    sources = [cell.source for _, _, cell in blocks(path)]
    assert any("setup(seed=0)" in source for source in sources), "seed the notebook like the others"


@pytest.mark.parametrize("path", MASTERS, ids=NAMES)
def test_every_question_has_public_and_hidden_tests(path):
    tests = master_tests(path)
    questions = sorted({question for question, _, _ in tests})
    assert 3 <= len(questions) <= 5, questions
    for question in questions:
        kinds = {hidden for q, _, hidden in tests if q == question}
        assert kinds == {False, True}, f"{question} needs public and hidden tests"
    names = [name for _, name, _ in tests]
    assert len(names) == len(set(names)), "test function names must be unique"


# --- the build -----------------------------------------------------------------------------------
def test_build_writes_the_layout_the_readme_describes(built):
    out, *_ = built
    assert sorted(p.name for p in (out / "student").iterdir()) == [f"{n}.ipynb" for n in NAMES]
    expected = sorted([f"{n}.ipynb" for n in NAMES] + [f"{n}-autograder.zip" for n in NAMES])
    assert sorted(p.name for p in (out / "autograder").iterdir()) == expected


@pytest.mark.parametrize("name", NAMES)
def test_otter_ran_every_test_against_the_solutions(built, name):
    _, logs, _ = built
    assert "Running tests against the solutions notebook" in logs[name]
    assert "All autograder tests passed." in logs[name]


@pytest.mark.parametrize("name", NAMES)
def test_grading_zip_holds_every_test(built, name):
    out, *_ = built
    with zipfile.ZipFile(out / "autograder" / f"{name}-autograder.zip") as archive:
        tests = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("tests/")}
        environment = yaml.safe_load(archive.read("environment.yml"))
    for question, test, _ in master_tests(ROOT / "assignments" / f"{name}.ipynb"):
        assert f"def {test}(" in tests[f"tests/{question}.py"]
    assert "python=3.11" in environment["dependencies"]


def test_a_solution_that_fails_its_tests_fails_the_build(built):
    *_, broken = built
    assert isinstance(broken, RuntimeError), "otter assign accepted a solution that fails its test"
    assert "otter assign broken.ipynb failed" in str(broken)
    assert "Some autograder tests failed" in str(broken)
    assert "expected 42 (deliberately)" in str(broken)


# --- student and autograder versions -------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_student_version_has_no_solution_and_no_hidden_test(built, name):
    out, *_ = built
    master = ROOT / "assignments" / f"{name}.ipynb"
    student = (out / "student" / f"{name}.ipynb").read_text()
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "# SOLUTION", "BEGIN TESTS", "# HIDDEN", "hidden=True"):
        assert marker not in student, marker
    for line in solution_lines(master):
        assert json.dumps(line)[1:-1] not in student, f"solution line in the student version: {line}"
    for _, test, hidden in master_tests(master):
        assert (test in student) is not hidden, test


@pytest.mark.parametrize("name", NAMES)
def test_autograder_version_has_the_solutions_and_every_test(built, name):
    out, *_ = built
    master = ROOT / "assignments" / f"{name}.ipynb"
    autograder = nbformat.read(out / "autograder" / f"{name}.ipynb", as_version=4)
    code = "\n".join(cell.source for cell in autograder.cells)
    for line in solution_lines(master):
        assert line in code, line
    tests = "\n".join(autograder.metadata["otter"]["tests"].values())
    for _, test, _ in master_tests(master):
        assert f"def {test}(" in tests, test


def test_a_distinctive_solution_line_is_only_in_the_autograder_version(built):
    out, *_ = built
    line = "return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)"
    assert line not in (out / "student" / "penalties-and-updates.ipynb").read_text()
    assert line in (out / "autograder" / "penalties-and-updates.ipynb").read_text()


# --- a blank student notebook ---------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_blank_student_notebook_fails_its_public_checks_readably(blank_runs, name):
    notebook = blank_runs[name]
    errors = [
        o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors, f"a blank notebook must run without errors: {[(e.ename, e.evalue) for e in errors]}"
    checks = [c for c in notebook.cells if c.cell_type == "code" and re.match(r'grader\.check\("', c.source)]
    assert len(checks) == len({q for q, _, _ in master_tests(ROOT / "assignments" / f"{name}.ipynb")})
    for cell in checks:
        question = re.match(r'grader\.check\("(\w+)"\)', cell.source)[1]
        (output,) = [o for o in cell.outputs if o.output_type == "execute_result"]
        text = output.data["text/plain"]
        assert text.startswith(f"{question} results:\n"), text
        assert f"{question} - 1 result:\n        ❌ Test case failed" in text, text
        assert "AssertionError: Hint: " in text, text
        failed_cases = text.count("❌ Test case failed")
        assert "Traceback" not in text and len(text.splitlines()) <= 1 + 6 * failed_cases, text
