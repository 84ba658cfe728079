"""Wall time and peak memory of every notebook, each in a fresh kernel: `python -m benchmarks.notebooks`.

Binder gives a session about 2 GB of memory and 1-2 CPUs; this benchmark is the evidence that every
notebook fits. Each notebook runs top to bottom in its own new kernel (nbclient, as nbval and
`make notebooks` do). Measured per notebook:

- wall time: kernel start, every cell, kernel shutdown;
- peak RSS of the *kernel's* process tree (the kernel and anything it starts, never this process):
  the larger of the kernel's own high-water mark (VmHWM from /proc, exact, Linux) and the largest
  sum of RSS over the tree seen by a sampling thread (it catches worker processes too).

The machine may be busy, so the same figures are taken for a kernel that only runs
`import tensorflow`, in the same run, and every notebook is also shown as a ratio of it. That
baseline runs twice, before the notebooks (which also warms the disk cache for them) and after;
its time is the faster of the two, its memory the larger. The last line printed is JSON:
`total_s`, `max_rss_mb`, the baseline and the per-notebook figures.

    python -m benchmarks.notebooks                      # every notebooks/*.ipynb
    python -m benchmarks.notebooks notebooks/02-*.ipynb # some of them

Exits 1 if a notebook fails or the peak exceeds --limit-mb (the course's 1200 MB per notebook by
default, within Binder's 2048 MB). The time budgets (60 s per notebook, 300 s for the suite, on 2
cores) are reported, not enforced: wall time moves with the machine's load, so read it against the
baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat
import psutil
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
BINDER_MEMORY_MB = 2048
NOTEBOOK_MEMORY_MB = 1200
"""The course's budget per notebook: well inside Binder's session, with room for the browser."""
NOTEBOOK_SECONDS, SUITE_SECONDS = 60, 300
"""The course's time budgets on 2 cores: each notebook, and all of them."""
BASELINE_NAME = "baseline: import tensorflow"
MB = 2**20


def high_water_mark(pid: int) -> int:
    """Peak resident memory of one process so far, in bytes (Linux: VmHWM); 0 where unknown."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class TreeMemorySampler:
    """Peak RSS of a process and its descendants, sampled in a thread every `interval` seconds.

    `peak_bytes` is the larger of the biggest simultaneous sum over the tree and the largest
    per-process high-water mark (which sees a spike of the kernel between two samples).
    Call `sample()` at moments that matter too (after each cell, while the kernel is alive).
    """

    def __init__(self, pid: int, interval: float = 0.1):
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_sum = 0
        self.peak_hwm = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"rss-sampler-{pid}", daemon=True)

    def sample(self) -> None:
        try:
            tree = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:  # the kernel is gone
            return
        total = 0
        hwm = 0
        for process in tree:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue
            hwm = max(hwm, high_water_mark(process.pid))
        with self._lock:
            self.peak_sum = max(self.peak_sum, total)
            self.peak_hwm = max(self.peak_hwm, hwm)

    @property
    def peak_bytes(self) -> int:
        with self._lock:
            return max(self.peak_sum, self.peak_hwm)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def start(self) -> TreeMemorySampler:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Run:
    """What one notebook cost in its own kernel."""

    name: str
    cells: int  # code cells
    wall_s: float
    peak_rss_mb: float
    error: str | None = None


def kernel_environment() -> dict[str, str]:
    """The kernel's environment: `make`'s settings, but plots drawn inline as in JupyterLab/Binder."""
    env = dict(os.environ)
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("KERAS_BACKEND", "tensorflow")
    env.setdefault("REGLAB_PROGRESS", "0")
    env.pop("MPLBACKEND", None)
    return env


def _kernel_pid(client: NotebookClient) -> int:
    provisioner = client.km.provisioner  # jupyter_client >= 7: LocalProvisioner knows the pid
    pid = getattr(provisioner, "pid", None) or provisioner.process.pid
    return int(pid)


def run_notebook(
    notebook: nbformat.NotebookNode,
    name: str,
    cwd: Path,
    *,
    timeout: float = 900,
    interval: float = 0.1,
    kernel_name: str = "python3",
) -> Run:
    """Execute `notebook` in a fresh kernel started in `cwd`; time it and track the kernel's memory.

    A failing cell does not raise: the run is returned with `error` set (the exception's last line).
    """
    sampler: TreeMemorySampler | None = None

    def on_start(**_):  # the kernel is up
        nonlocal sampler
        sampler = TreeMemorySampler(_kernel_pid(client), interval).start()

    def after_cell(**_):  # the kernel is still alive: read its high-water mark now
        if sampler is not None:
            sampler.sample()

    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(cwd)}},
        on_notebook_start=on_start,
        on_cell_executed=after_cell,
        on_cell_error=after_cell,
    )
    error = None
    started = time.perf_counter()
    try:
        client.execute(env=kernel_environment())
    except CellExecutionError as exc:
        lines = [line for line in str(exc).strip().splitlines() if line.strip()]
        error = lines[-1] if lines else type(exc).__name__
    except Exception as exc:  # timeout, dead kernel: report it and go on with the next notebook
        error = f"{type(exc).__name__}: {exc}".splitlines()[0]
    finally:
        wall = time.perf_counter() - started
        if sampler is not None:
            sampler.stop()
    cells = sum(1 for cell in notebook.cells if cell.cell_type == "code")
    peak = sampler.peak_bytes / MB if sampler is not None else float("nan")
    return Run(name=name, cells=cells, wall_s=round(wall, 2), peak_rss_mb=round(peak, 1), error=error)


def baseline_notebook() -> nbformat.NotebookNode:
    """A notebook whose one cell imports TensorFlow: the floor every notebook stands on."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import tensorflow as tf")]
    return notebook


def combine_baselines(before: Run, after: Run) -> Run:
    """One baseline from two runs: the faster wall time (less disturbed), the larger peak."""
    return Run(
        name=before.name,
        cells=before.cells,
        wall_s=min(before.wall_s, after.wall_s),
        peak_rss_mb=max(before.peak_rss_mb, after.peak_rss_mb),
        error=before.error or after.error,
    )


def _ratio(value: float, base: float) -> float | None:
    return round(value / base, 2) if base > 0 else None


def summary(baseline: Run, runs: list[Run], limit_mb: float = BINDER_MEMORY_MB) -> dict:
    """The JSON figures: totals over the notebooks (not the baseline), ratios to the baseline."""
    notebooks = {}
    for run in runs:
        figures = asdict(run)
        del figures["name"]
        figures["time_vs_baseline"] = _ratio(run.wall_s, baseline.wall_s)
        figures["rss_vs_baseline"] = _ratio(run.peak_rss_mb, baseline.peak_rss_mb)
        notebooks[run.name] = figures
    max_rss = max((run.peak_rss_mb for run in runs), default=0.0)
    return {
        "total_s": round(sum(run.wall_s for run in runs), 2),
        "max_rss_mb": max_rss,
        "limit_mb": limit_mb,
        "fits_limit": max_rss <= limit_mb,
        "failed": [run.name for run in runs if run.error],
        "cpus": os.cpu_count(),
        "baseline": {"wall_s": baseline.wall_s, "peak_rss_mb": baseline.peak_rss_mb, "error": baseline.error},
        "notebooks": notebooks,
    }


def table(baseline: Run, runs: list[Run]) -> str:
    """A plain-text table, one row per notebook, the baseline first."""
    columns = ("notebook", "cells", "wall s", "x base", "peak RSS MB", "x base")
    header = "{:<34} {:>5} {:>8} {:>7} {:>12} {:>7}  status".format(*columns)
    lines = [header, "-" * len(header)]
    for run in [baseline, *runs]:
        is_base = run is baseline
        time_ratio = "" if is_base else f"{_ratio(run.wall_s, baseline.wall_s) or float('nan'):.2f}"
        rss_ratio = "" if is_base else f"{_ratio(run.peak_rss_mb, baseline.peak_rss_mb) or float('nan'):.2f}"
        status = f"FAILED: {run.error}" if run.error else "ok"
        lines.append(
            f"{run.name:<34} {run.cells:>5} {run.wall_s:>8.1f} {time_ratio:>7} "
            f"{run.peak_rss_mb:>12.0f} {rss_ratio:>7}  {status}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0]
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notebooks", description=description)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: notebooks/*.ipynb")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per cell (default 900)")
    parser.add_argument("--interval", type=float, default=0.1, help="RSS sampling period in seconds")
    parser.add_argument("--limit-mb", type=float, default=NOTEBOOK_MEMORY_MB, help="memory budget in MB")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        parser.error("no notebooks found")

    options = {"timeout": args.timeout, "interval": args.interval}
    print(f"{len(paths)} notebooks, each in a fresh kernel, on {os.cpu_count()} CPUs", file=sys.stderr)
    print("running the baseline (import tensorflow) ...", file=sys.stderr, flush=True)
    before = run_notebook(baseline_notebook(), BASELINE_NAME, ROOT / "notebooks", **options)
    runs = []
    for path in paths:
        print(f"running {path.name} ...", file=sys.stderr, flush=True)
        notebook = nbformat.read(path, as_version=4)
        runs.append(run_notebook(notebook, path.name, path.resolve().parent, **options))
    print("running the baseline again ...", file=sys.stderr, flush=True)
    after = run_notebook(baseline_notebook(), BASELINE_NAME, ROOT / "notebooks", **options)
    baseline = combine_baselines(before, after)

    result = summary(baseline, runs, args.limit_mb)
    print(table(baseline, runs))
    share = result["max_rss_mb"] / args.limit_mb
    verdict = "fits" if result["fits_limit"] else "EXCEEDS"
    print(f"\ntotal {result['total_s']:.1f} s; largest peak RSS {result['max_rss_mb']:.0f} MB {verdict} "
          f"the {args.limit_mb:.0f} MB budget ({share:.0%})")  # fmt: skip
    slow = [run.name for run in runs if run.wall_s > NOTEBOOK_SECONDS]
    print(f"time budgets: every notebook within {NOTEBOOK_SECONDS} s: "
          f"{'yes' if not slow else 'no (' + ', '.join(slow) + ')'}; the suite within {SUITE_SECONDS} s: "
          f"{'yes' if result['total_s'] <= SUITE_SECONDS else 'no'}")
    print(json.dumps(result))
    return 0 if result["fits_limit"] and not result["failed"] and not baseline.error else 1


if __name__ == "__main__":
    sys.exit(main())
