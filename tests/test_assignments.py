"""The course assignments (assignments/*.ipynb) build with otter-grader and do what instructors need.

One build of every master notebook (the code `make assignments` runs, into a temporary folder)
serves the whole module; a student notebook is then executed with its blanks left as they are.
The checks:

- the build succeeds, otter ran every test against the solutions, and a master whose solution
  fails a test fails the build;
- the student version has no solution code and no hidden test; the autograder version has both;
- every question has public and hidden tests, and its points mean what the README says: all or
  nothing, or per-test points where the master gives partial credit, never points for a public
  check; each master states its points and time, and they add up;
- the grading environment (assignments/requirements.txt) pins the reglab release and the versions
  of constraints.txt;
- a blank student notebook, saved under another name, runs without errors and each `grader.check`
  says which test failed, with a hint, not a traceback;
- otter's own `otter run -a <zip>` grades, for every master, the solutions (full marks), the blank
  student copy (0), wrong answers (one per question, in two submissions where every wrong question
  sits beside right ones: exactly those questions 0) and malformed answers (raises, NaN, strings:
  0, no crash), and every failed test says "Hint:", not a bare TypeError.

Cost: one build of every master (about a minute) and five `otter run`s per master, two at a time
(12-21 s each on a quiet 2-core machine, 15-70 s on a busy one): 5-8.5 minutes for this file on a
busy 2-core machine, about 4 on a quiet one; see README, "For instructors".

Skipped when otter-grader (the `course` extra) is not installed.
"""

from __future__ import annotations

import importlib.util
import json
import platform
import re
import shutil
import subprocess
import sys
import time
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


def questions(path: Path) -> dict[str, dict]:
    """The ``# BEGIN QUESTION`` config of every question of a master, by name."""
    found = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "raw" and re.match(r"#\s+BEGIN\s+QUESTION", cell.source, re.IGNORECASE):
            settings = yaml.safe_load(cell.source)
            found[settings["name"]] = settings
    return found


def question_points(path: Path) -> dict[str, float]:
    """The points each question of a master is worth (a list of per-test points adds up)."""
    return {name: float(sum(q["points"]) if isinstance(q["points"], list) else q["points"])
            for name, q in questions(path).items()}


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
def blank_runs(built, tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    """Each student notebook as handed out (blanks left as they are), saved as a browser saves a
    second download, "<name> (1).ipynb", alone in its folder, executed; in parallel."""
    import nbclient

    out, *_ = built

    def run(name: str) -> nbformat.NotebookNode:
        path = tmp_path_factory.mktemp(name) / f"{name} (1).ipynb"
        shutil.copy2(out / "student" / f"{name}.ipynb", path)
        notebook = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            notebook, timeout=300, allow_errors=True, resources={"metadata": {"path": str(path.parent)}}
        )
        client.execute()
        return notebook

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(NAMES, pool.map(run, NAMES), strict=True))


# --- the masters themselves (no build needed) ----------------------------------------------------
def test_every_part_of_the_course_has_a_master():
    # 02-03 penalties and updates, 04-06 regularization in practice, bias, activity; 07 autoencoders
    assert {"penalties-and-updates", "regularization-in-practice", "sparse-autoencoders"} <= set(NAMES)


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
    # otter's own first cell, otter.Notebook("<name>.ipynb"), fails on a renamed copy; ours does not
    assert settings["init_cell"] is False
    assert "from reglab.course import grader as open_grader" in sources[0]
    assert f'grader = open_grader("{path.stem}")' in sources[0]


@pytest.mark.parametrize("path", MASTERS, ids=NAMES)
def test_points_are_all_or_nothing_unless_a_question_says_otherwise(path):
    tests = master_tests(path)
    for name, settings in questions(path).items():
        hidden = [h for q, _, h in tests if q == name]
        if isinstance(settings["points"], list):  # partial credit: one number per test, in order
            assert len(settings["points"]) == len(hidden), name
            public_points = [p for p, h in zip(settings["points"], hidden, strict=True) if not h]
            assert public_points and all(p == 0 for p in public_points), f"{name}: public checks earn 0"
            assert all(p > 0 for p, h in zip(settings["points"], hidden, strict=True) if h), name
        else:
            assert settings.get("all_or_nothing") is True, f"{name}: all or nothing, or per-test points"
            assert settings["points"] > 0, name


@pytest.mark.parametrize("path", MASTERS, ids=NAMES)
def test_each_master_states_its_points_and_time(path):
    points = question_points(path)
    title = next(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
    stated = re.search(r"\*\*(\d+) points, (\d+) questions.*?about (\d+) minutes\.\*\*", title, re.DOTALL)
    assert stated, "the title cell starts with **N points, Q questions ...; about M minutes.**"
    assert (float(stated[1]), int(stated[2])) == (sum(points.values()), len(points))
    assert 20 <= int(stated[3]) <= 90
    cells = nbformat.read(path, as_version=4).cells
    markdown = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    for name, value in points.items():
        number = name.removeprefix("q")
        assert f"**Question {number}** ({value:g} points" in markdown, f"{name} states {value:g} points"


# --- the grading environment -----------------------------------------------------------------------
def test_grading_requirements_pin_the_reglab_release_and_constraints():
    import reglab

    lines = [line for line in (ROOT / "assignments" / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert lines[0] == f"reglab @ git+https://github.com/reglab-edu/reglab@v{reglab.__version__}"
    pins = build_module.pinned_versions()
    pinned = dict(line.split("==") for line in lines[1:])
    assert {"keras", "tensorflow-cpu", "numpy", "scikit-learn", "scipy", "ml-dtypes"} <= set(pinned)
    assert all(pins[name] == version for name, version in pinned.items()), "versions of constraints.txt"
    assert "jupyterlab" not in pinned


@pytest.mark.skipif(
    not (sys.platform == "linux" and platform.machine() == "x86_64"),
    reason="the grading platform's dependencies (tensorflow-cpu) are installed only on Linux x86-64",
)
def test_grading_requirements_are_current():
    expected = build_module.grading_requirements()
    assert (ROOT / "assignments" / "requirements.txt").read_text() == expected, (
        "run: python assignments/build.py --requirements"
    )


@pytest.mark.parametrize("follow", [True, False], ids=["dependencies followed", "not followed"])
def test_a_stale_requirements_file_stops_the_build(tmp_path, monkeypatch, follow):
    if not follow:  # as on macOS: tensorflow-cpu is not installed, the static checks still apply
        def missing():
            raise RuntimeError("tensorflow-cpu is not installed")

        monkeypatch.setattr(build_module, "grading_requirements", missing)
    current = (ROOT / "assignments" / "requirements.txt").read_text()
    target = tmp_path / "requirements.txt"
    monkeypatch.setattr(build_module, "REQUIREMENTS", target)
    if not follow:
        target.write_text(current)
        build_module.check_requirements()  # the committed file passes the static checks
    unpinned_reglab, other_keras = "reglab @ git+https://github.com/reglab-edu/reglab\n", current.replace(
        "keras==", "keras==9"
    )
    for stale in (unpinned_reglab, other_keras):
        target.write_text(stale)
        with pytest.raises(RuntimeError, match="--requirements"):
            build_module.check_requirements()


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
    (pip,) = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    requirements = (ROOT / "assignments" / "requirements.txt").read_text().splitlines()
    assert [line for line in requirements if line and not line.startswith("#")] == pip[1:]


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
def test_renamed_blank_student_notebook_fails_its_public_checks_readably(blank_runs, name):
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


# --- grading with otter's own autograder -------------------------------------------------------------
# One wrong answer per question: the solution cell that defines the answer's function, replaced by a
# plausible mistake of the right type and shape (the public check passes, the question earns 0).
WRONG = {
    "penalties-and-updates": {
        "q1": """
def l1_l2_penalty(w, l1, l2):
    w = np.asarray(w, dtype=float)
    return float(l1 * np.sum(np.abs(w)) + 0.5 * l2 * np.sum(w**2))  # a 1/2 that Keras does not have
""",
        "q2": """
def grad_l2(w, lam):
    return lam * np.asarray(w, dtype=float)  # the factor 2 missing
""",
        "q3": """
def sgd_l2_step(w, grad, lr, lam):
    return np.asarray(w, dtype=float) - lr * np.asarray(grad) - grad_l2(w, lam)  # the penalty without lr
""",
        "q4": """
def soft_threshold(w, threshold):
    w = np.asarray(w, dtype=float)
    return np.where(np.abs(w) <= threshold, 0.0, w)  # a hard threshold
""",
        "q5": """
def exact_zeros_after(target, lr, lam, steps):
    target = np.asarray(target, dtype=float)
    w_prox, w_sub = np.zeros_like(target), np.zeros_like(target)
    for _ in range(steps):
        w_prox = soft_threshold(w_prox - lr * (w_prox - target), lr * lam)
        w_sub = w_sub - lr * (w_sub - target + lam * np.sign(w_sub))
    return int(np.sum(w_sub == 0.0)), int(np.sum(w_prox == 0.0))  # swapped
""",
    },
    "sparse-autoencoders": {
        "q1": """
def build_autoencoder(code_size, l1):
    inputs = keras.Input(shape=(64,))
    regularizer = keras.regularizers.L2(l1) if l1 > 0 else None  # L2, not L1
    code = keras.layers.Dense(code_size, activation="relu", activity_regularizer=regularizer, name="code")
    return keras.Model(inputs, keras.layers.Dense(64, activation="sigmoid")(code(inputs)))
""",
        "q2": """
def activity_penalty(codes, l1, divides):
    codes = np.asarray(codes)
    return float(l1 * np.sum(np.abs(codes)) / codes.shape[0])  # divides, whatever divides says
""",
        "q3": """
def code_sparsity(codes, tol):
    return float(np.mean(np.abs(np.asarray(codes)) < tol))  # < instead of <=
""",
        "q4": """
def code_report(model, x, tol):
    error = float(np.sum((model.predict(x, verbose=0) - x) ** 2))  # a sum, not a mean
    return code_sparsity(encode(model, x), tol), error
""",
    },
    "regularization-in-practice": {
        "q1": """
def l2_path(x, y, lams):
    x, y = np.asarray(x), np.asarray(y)
    eye = np.eye(x.shape[1])  # the summed loss: this λ counts n times less
    return np.array([np.linalg.solve(x.T @ x + lam * eye, x.T @ y) for lam in lams])
""",
        "q2": """
def penalised_intercept(y, lam, data_loss):
    return float(np.mean(y))  # the penalty forgotten
""",
        "q3": """
def placement_gap(z, l1, divides):
    z = np.asarray(z)
    total = l1 * np.sum(np.abs(z))  # the before term alone
    return float(total / len(z) if divides else total)
""",
        "q4": """
def first_overflow(batch_size, units):
    return int(np.sqrt(65504 / (batch_size * units)))  # rounded down
""",
    },
}
# Answers of the wrong kind: an exception, NaN, a string, None; each must cost that question's
# points and nothing else, and grading must go on.
MALFORMED = {
    "penalties-and-updates": {
        "q1": "def l1_l2_penalty(w, l1, l2):\n    raise NotImplementedError('later')",
        "q2": "def grad_l2(w, lam):\n    return np.full(np.shape(w), np.nan)",
        "q3": "def sgd_l2_step(w, grad, lr, lam):\n    return 'w - lr * (grad + 2 * lam * w)'",
        "q4": "def soft_threshold(w, threshold):\n    return None",
        "q5": "def exact_zeros_after(target, lr, lam, steps):\n    return float('nan'), '3'",
    },
    "sparse-autoencoders": {
        "q1": "def build_autoencoder(code_size, l1):\n    raise ValueError('not yet')",
        "q2": "def activity_penalty(codes, l1, divides):\n    return float('nan')",
        "q3": "def code_sparsity(codes, tol):\n    return '0.5'",
        "q4": "def code_report(model, x, tol):\n    return 1 / 0",
    },
    "regularization-in-practice": {
        "q1": "def l2_path(x, y, lams):\n    return [['w'] * 3 for _ in lams]",
        "q2": "def penalised_intercept(y, lam, data_loss):\n    return float('nan')",
        "q3": "def placement_gap(z, l1, divides):\n    raise RuntimeError('todo')",
        "q4": "def first_overflow(batch_size, units):\n    return '8'",
    },
}


def replace_answers(notebook: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of ``notebook`` whose cells opening with each answer's first line hold that answer."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    for answer in answers.values():
        answer = answer.strip()
        opening = answer.split("(")[0] + "("
        cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.startswith(opening)]
        assert len(cells) == 1, f"one solution cell opens with {opening!r}"
        cells[0].source = answer
    return notebook


def submissions(name: str, out: Path, folder: Path) -> dict[str, tuple[Path, dict[str, float]]]:
    """Every submission graded for the master ``name``: {kind: (notebook, expected score per question)}.

    Wrong answers go in two submissions, odd and even questions, so each wrong question sits beside
    right ones; the even one is saved under a browser's name for a second download.
    """
    points = question_points(ROOT / "assignments" / f"{name}.ipynb")
    solved = nbformat.read(out / "autograder" / f"{name}.ipynb", as_version=4)
    wrong = WRONG[name]
    assert set(wrong) == set(points) == set(MALFORMED[name]), "a wrong and a malformed answer per question"
    odd = {q for q in points if int(q[1:]) % 2 == 1}
    found = {}

    def add(kind: str, notebook: nbformat.NotebookNode, zero: set[str], filename: str = f"{name}.ipynb"):
        path = folder / kind / filename
        path.parent.mkdir()
        nbformat.write(notebook, path)
        found[kind] = (path, {q: 0.0 if q in zero else p for q, p in points.items()})

    add("solutions", solved, set())
    blank = out / "student" / f"{name}.ipynb"
    add("blank", nbformat.read(blank, as_version=4), set(points))
    add("wrong-odd", replace_answers(solved, {q: a for q, a in wrong.items() if q in odd}), odd)
    even = set(points) - odd
    add("wrong-even", replace_answers(solved, {q: a for q, a in wrong.items() if q in even}), even,
        filename=f"{name} (1).ipynb")
    add("malformed", replace_answers(solved, MALFORMED[name]), set(points))
    return found


def otter_run(autograder: Path, submission: Path) -> tuple[dict, float, str]:
    """``otter run -a <zip> -o <dir> <submission>``: (results.json, seconds, otter's output)."""
    out = submission.parent / "results"
    out.mkdir()
    command = [sys.executable, "-m", "otter", "run", "--no-logo", "-a", str(autograder), "-o", str(out),
               str(submission)]
    start = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    seconds = time.monotonic() - start
    output = f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert run.returncode == 0, f"otter run {submission.name} failed:\n{output}"
    return json.loads((out / "results.json").read_text()), seconds, run.stdout


@pytest.fixture(scope="module")
def graded(built, tmp_path_factory) -> dict[tuple[str, str], dict]:
    """Every submission of every master graded by `otter run` with its zip, two at a time."""
    out, *_ = built
    jobs = []
    for name in NAMES:
        for kind, (path, expected) in submissions(name, out, tmp_path_factory.mktemp(name)).items():
            jobs.append((name, kind, path, expected))

    def grade(job):
        name, kind, path, expected = job
        results, seconds, stdout = otter_run(out / "autograder" / f"{name}-autograder.zip", path)
        return (name, kind), {"results": results, "seconds": seconds, "expected": expected, "stdout": stdout}

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        graded = dict(pool.map(grade, jobs))
    times = ", ".join(f"{name}/{kind} {run['seconds']:.0f} s" for (name, kind), run in graded.items())
    print(f"\notter run: {len(graded)} submissions in {time.monotonic() - start:.0f} s ({times})")
    return graded


def scores(results: dict) -> dict[str, float]:
    return {test["name"]: test["score"] for test in results["tests"] if "score" in test}


KINDS = ["solutions", "blank", "wrong-odd", "wrong-even", "malformed"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", NAMES)
def test_otter_run_gives_the_exact_scores(graded, name, kind):
    run = graded[name, kind]
    assert scores(run["results"]) == run["expected"], run["stdout"][-4000:]
    possible = {test["name"]: test["max_score"] for test in run["results"]["tests"] if "max_score" in test}
    assert possible == question_points(ROOT / "assignments" / f"{name}.ipynb")
    total = sum(run["expected"].values())
    assert f"Total Score: {total:.3f} / {sum(possible.values()):.3f}" in run["stdout"]


@pytest.mark.parametrize("kind", ["blank", "wrong-odd", "wrong-even", "malformed"])
@pytest.mark.parametrize("name", NAMES)
def test_every_failed_test_reads_as_a_hint(graded, name, kind):
    outputs = [test["output"] for test in graded[name, kind]["results"]["tests"] if "score" in test]
    failures = [block for text in outputs for block in text.split("❌ Test case failed")[1:]]
    assert failures, "a submission with wrong answers fails tests"
    for block in failures:
        error = [line.strip() for line in block.splitlines() if re.match(r"\s*\w+(Error|Exception):", line)]
        assert error and error[0].startswith("AssertionError: Hint: "), block


@pytest.mark.parametrize("kind", ["wrong-odd", "wrong-even"])
@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_answer_passes_its_public_check_and_earns_nothing_for_it(graded, name, kind):
    # The wrong answers are of the right type and shape (penalties-and-updates q2 is the gradient
    # without its factor 2): the public check passes, and the question earns 0.
    run = graded[name, kind]
    public = next(test for test in run["results"]["tests"] if test["name"] == "Public Tests")
    for question, score in scores(run["results"]).items():
        if run["expected"][question] == 0:
            assert f"{question} results: All test cases passed!" in public["output"], public["output"]
            assert score == 0
