"""Every notebook runs, through JupyterLab's own UI, in a real browser, without a traceback.

nbval (in `make test`) runs the notebooks through a kernel only; this test is what a student does:
open the notebook in JupyterLab, *Edit → Clear Outputs of All Cells*, *Run → Run All Cells*, and
wait. It passes when every code cell got an execution count (1, 2, 3, … in a fresh kernel), the
kernel is idle again (it never died), and no output is an error or contains a traceback. A
screenshot of the last state (the first failing cell, or the end of the notebook) is saved under
tests/browser/artifacts/. Two generated broken notebooks (a cell that raises, a kernel that dies)
check that the check can fail.

Slow (each notebook executes in the browser), hence the `browser` marker; skipped with the reason
when Chromium or playwright is missing. Run it alone with `pytest -m browser tests/browser`.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"  # ignored by git
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KERNEL_READY_TIMEOUT_S = 180
RUN_TIMEOUT_S = float(os.environ.get("REGLAB_BROWSER_TIMEOUT", 900))  # per notebook; they take ~1 min

pytestmark = pytest.mark.browser

# The notebook panel showing `path`, found through the app JupyterLab exposes with
# --LabApp.expose_app_in_browser (JupyterLab's own UI tests, Galata, use the same hook).
_PANEL = """(path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const widget of app.shell.widgets('main')) {
    const context = widget.context;
    if (context && context.path === path && widget.content && widget.content.model) return widget;
  }
  return null;
}"""

KERNEL_IDLE = f"""(path) => {{
  const panel = ({_PANEL})(path);
  const kernel = panel && panel.context.isReady && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}}"""

# Record every kernel status from now on: a kernel that dies (out of memory, say) and is
# restarted by JupyterLab passes through 'autorestarting' or 'dead'.
WATCH_KERNEL = f"""(path) => {{
  const panel = ({_PANEL})(path);
  window.reglabKernelStatuses = [];
  panel.sessionContext.statusChanged.connect((_, status) => window.reglabKernelStatuses.push(status));
}}"""

# After Run All: the kernel is idle, no cell is queued or running, and at least one cell ran
# (run-all stops at the first error, leaving the later cells without a count); or the kernel
# died, and is dead or back (restarted, idle) with the run abandoned.
RUN_FINISHED = f"""(path) => {{
  const panel = ({_PANEL})(path);
  if (!panel) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status === 'dead') return true;
  const died = (window.reglabKernelStatuses || []).some(s => s === 'autorestarting' || s === 'restarting');
  if (died && kernel.status === 'idle') return true;
  const cells = [...panel.content.model.cells].filter(c => c.type === 'code');
  const prompts = [...panel.content.node.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
  return kernel.status === 'idle'
    && cells.every(c => c.executionState !== 'running')
    && prompts.every(p => !p.innerText.includes('*'))
    && cells.some(c => c.executionCount !== null);
}}"""

# What the page shows: per code cell its prompt, execution count, output types, the text of its
# rendered outputs (the DOM, as the reader sees it) and the first line of its source.
STATE = f"""(path) => {{
  const panel = ({_PANEL})(path);
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = [];
  panel.content.widgets.forEach((cell, index) => {{
    if (cell.model.type !== 'code') return;
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    cells.push({{
      index,
      source: cell.model.sharedModel.getSource().split('\\n')[0].slice(0, 80),
      prompt: prompt ? prompt.innerText.trim() : '',
      count: cell.model.executionCount,
      outputs: cell.model.outputs.toJSON().map(o => ({{
        type: o.output_type, ename: o.ename || '', evalue: o.evalue || ''
      }})),
      rendered: [...cell.node.querySelectorAll('.jp-OutputArea-output')].map(o => o.innerText),
    }});
  }});
  return {{kernel: kernel ? kernel.status : null, statuses: window.reglabKernelStatuses || [], cells}};
}}"""

SCROLL_TO = f"""([path, index]) => {{
  const panel = ({_PANEL})(path);
  const cells = panel.content.widgets;
  const cell = cells[index < 0 ? cells.length - 1 : index];
  panel.content.activeCellIndex = cells.indexOf(cell);
  cell.node.scrollIntoView({{block: index < 0 ? 'end' : 'start'}});
}}"""


def problems(state: dict) -> list[str]:
    """What is wrong with a finished run, one line per problem; empty when the run is clean."""
    found = []
    cells = state["cells"]
    if state.get("timed_out"):
        found.append(f"the run did not finish within {RUN_TIMEOUT_S:.0f} s ($REGLAB_BROWSER_TIMEOUT)")
    if state["kernel"] != "idle":
        found.append(f"kernel is {state['kernel']!r}, not idle")
    died = sorted({s for s in state.get("statuses", []) if s in ("autorestarting", "restarting", "dead")})
    if died:
        found.append(f"the kernel died or restarted during the run (statuses: {', '.join(died)})")
    counts = [cell["count"] for cell in cells]
    for cell in cells:
        where = f"cell {cell['index']} ({cell['source']!r})"
        if cell["count"] is None:
            found.append(f"{where} did not run: prompt {cell['prompt']!r}")
        for output in cell["outputs"]:
            if output["type"] == "error":
                found.append(f"{where} raised {output['ename']}: {output['evalue']}")
        if any("Traceback" in text for text in cell["rendered"]):
            found.append(f"{where} shows a traceback in its output")
    if None not in counts and counts != list(range(1, len(cells) + 1)):
        found.append(f"execution counts are {counts}, not 1..{len(cells)} in order (fresh kernel)")
    return found


def first_problem_cell(state: dict) -> int:
    """Index of the first cell with an error or without a count, -1 (the last cell) if none."""
    for cell in state["cells"]:
        errors = any(o["type"] == "error" for o in cell["outputs"])
        if errors or cell["count"] is None or any("Traceback" in t for t in cell["rendered"]):
            return cell["index"]
    return -1


def click_menu(page, menu: str, item: str) -> None:
    """Open a main-menu entry and click one of its items, by the labels a user sees."""
    page.click(f"#jp-MainMenu .lm-MenuBar-itemLabel:text-is('{menu}')")
    page.click(f".lm-Menu-item .lm-Menu-itemLabel:text-is('{item}')")


def run_in_lab(lab, browser, relative: str, screenshot: Path) -> tuple[dict, float]:
    """Open `relative` (a path under the server's root) in JupyterLab, run all cells via the menus.

    Returns the final state (see STATE; `timed_out` added) and the seconds from clicking *Run All
    Cells* to finished. Saves a screenshot whatever happens, and shuts the notebook's kernel down.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    # The badges link to Colab and Binder images; nothing outside the server is fetched.
    context.route(lambda url: not url.startswith(lab.url), lambda route: route.abort())
    page = context.new_page()
    page.set_default_timeout(30_000)
    state = None
    try:
        # ?reset: start from an empty workspace, not the one the previous notebook left.
        page.goto(f"{lab.url}/lab/tree/{relative}?reset&token={lab.token}")
        page.wait_for_function(KERNEL_IDLE, arg=relative, timeout=KERNEL_READY_TIMEOUT_S * 1000, polling=500)
        page.evaluate(WATCH_KERNEL, relative)
        click_menu(page, "Edit", "Clear Outputs of All Cells")
        click_menu(page, "Run", "Run All Cells")
        started = time.monotonic()
        timed_out = False
        try:
            page.wait_for_function(RUN_FINISHED, arg=relative, timeout=RUN_TIMEOUT_S * 1000, polling=500)
        except PlaywrightTimeout:
            timed_out = True
        seconds = time.monotonic() - started
        state = page.evaluate(STATE, relative) | {"timed_out": timed_out}
        return state, seconds
    finally:
        try:
            if state is not None:
                page.evaluate(SCROLL_TO, [relative, first_problem_cell(state)])
                page.wait_for_timeout(500)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot))
        finally:
            try:
                context.close()
            finally:
                with contextlib.suppress(OSError):  # the server may be gone; its teardown kills all
                    lab.shutdown_kernels()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_in_jupyterlab_without_errors(notebook: Path, lab, browser):
    screenshot = ARTIFACTS / f"{notebook.stem}.png"
    state, seconds = run_in_lab(lab, browser, f"notebooks/{notebook.name}", screenshot)
    found = problems(state)
    assert not found, f"{notebook.name} in JupyterLab (screenshot: {screenshot}):\n" + "\n".join(found)
    assert state["cells"], "no code cells ran"
    print(f"{notebook.name}: {len(state['cells'])} code cells ran in {seconds:.1f} s; see {screenshot}")


SELF_CHECKS = {
    # run-all stops at the error: the cell after it has no count
    "error": (["print('fine')", "1 / 0", "print('never runs')"], ["raised ZeroDivisionError", "cell 2"]),
    # what running out of memory on Binder looks like: the kernel dies, JupyterLab restarts it
    "kernel-death": (["print('fine')", "import os; os._exit(1)", "print('never runs')"], ["died"]),
}


@pytest.mark.parametrize("case", SELF_CHECKS)
def test_the_check_catches_a_broken_notebook(case: str, lab, browser):
    """The check itself can fail: a notebook that raises, or whose kernel dies, is reported."""
    sources, expected = SELF_CHECKS[case]
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    (lab.root / "selfcheck").mkdir(exist_ok=True)
    nbformat.write(notebook, lab.root / "selfcheck" / f"{case}.ipynb")
    state, _ = run_in_lab(lab, browser, f"selfcheck/{case}.ipynb", ARTIFACTS / f"selfcheck-{case}.png")
    found = problems(state)
    for words in expected:
        assert any(words in line for line in found), f"{words!r} not in {found}"
    assert not state["timed_out"]
    assert first_problem_cell(state) in (0, 1)  # the screenshot shows the broken cell
