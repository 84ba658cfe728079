"""Build the course assignments with otter-grader: ``python assignments/build.py [OUT]``.

``make assignments`` runs it with ``OUT=dist``.

Every master notebook ``assignments/<name>.ipynb`` goes through ``otter assign``, which writes a
student version (solutions and hidden tests removed) and an autograder version, and runs every
test of the master against its solutions: if one fails, ``otter assign`` fails and so does this
build. The results are gathered under ``OUT`` (default ``dist``) as

    OUT/student/<name>.ipynb               hand these out
    OUT/autograder/<name>.ipynb            solutions and every test, public and hidden
    OUT/autograder/<name>-autograder.zip   grade with: otter run -a <zip> <submission.ipynb>

Masters are built in parallel (``--jobs``, default 2), each in its own ``otter assign`` process.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent


def masters() -> list[Path]:
    """The master notebooks, sorted by name."""
    return sorted(HERE.glob("*.ipynb"))


def assign(master: Path, workdir: Path) -> subprocess.CompletedProcess:
    """Run ``otter assign -v`` on ``master`` into ``workdir/<name>``; return the finished process.

    ``-v`` makes otter log its steps, among them that it ran the tests against the solutions.
    """
    command = [sys.executable, "-m", "otter", "assign", "-v", str(master), str(workdir / master.stem)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def collect(master: Path, workdir: Path, out: Path) -> None:
    """Copy otter's output for ``master`` into ``out/student`` and ``out/autograder``."""
    built = workdir / master.stem
    shutil.copytree(built / "student", out / "student", dirs_exist_ok=True)
    shutil.copy2(built / "autograder" / master.name, out / "autograder" / master.name)
    (zipfile,) = (built / "autograder").glob(f"{master.stem}-autograder_*.zip")
    shutil.copy2(zipfile, out / "autograder" / f"{master.stem}-autograder.zip")


def build(out: Path, notebooks: list[Path] | None = None, jobs: int = 2) -> dict[str, str]:
    """Build ``notebooks`` (default: every master) into ``out``; return otter's log per assignment.

    Raises ``RuntimeError``, with the end of otter's output, if any master fails to build.
    """
    notebooks = masters() if notebooks is None else notebooks
    if not notebooks:
        raise RuntimeError(f"no master notebooks in {HERE}")
    for part in ("student", "autograder"):
        shutil.rmtree(out / part, ignore_errors=True)
        (out / part).mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="otter-assign-") as tmp:
        workdir, start = Path(tmp), time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            runs = list(pool.map(lambda master: assign(master, workdir), notebooks))
        failed = [(m, run) for m, run in zip(notebooks, runs, strict=True) if run.returncode != 0]
        if failed:
            reports = [f"otter assign {m.name} failed:\n{_tail(r.stdout + r.stderr)}" for m, r in failed]
            raise RuntimeError("\n\n".join(reports))
        for master in notebooks:
            collect(master, workdir, out)
    seconds = time.monotonic() - start
    names = ", ".join(m.stem for m in notebooks)
    print(f"built {names} in {seconds:.0f} s; every solution passed its tests")
    print(f"  {out / 'student'}/     hand out")
    print(f"  {out / 'autograder'}/  solutions, hidden tests, <name>-autograder.zip for grading")
    return {m.stem: run.stdout + run.stderr for m, run in zip(notebooks, runs, strict=True)}


def _tail(text: str, lines: int = 40) -> str:
    """The end of otter's output: where it says which test failed."""
    kept = [line for line in text.splitlines() if "Kernel is running over TCP" not in line]
    return "\n".join(kept[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="dist", type=Path, help="output folder (default: dist)")
    parser.add_argument("--jobs", type=int, default=2, help="masters built at once (default: 2)")
    args = parser.parse_args(argv)
    try:
        build(args.out, jobs=args.jobs)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
