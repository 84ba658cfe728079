"""Execute notebooks in place, as `make notebooks` does: nbconvert's ExecutePreprocessor with
streams coalesced, so that how the kernel happened to chunk a cell's prints does not show up as a
diff (nbconvert's command line cannot set `coalesce_streams`). Volatile metadata is stripped
afterwards by nbstripout (Makefile).

Usage: python tools/execute_notebooks.py NOTEBOOK [NOTEBOOK ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor

TIMEOUT_S = 600


def execute(path: Path) -> None:
    """Run every cell of ``path`` in a fresh kernel started in its folder; write it back."""
    notebook = nbformat.read(path, as_version=4)
    runner = ExecutePreprocessor(timeout=TIMEOUT_S, coalesce_streams=True)
    runner.preprocess(notebook, {"metadata": {"path": str(path.parent)}})
    nbformat.write(notebook, path)


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    for name in paths:
        print(f"executing {name}", flush=True)
        execute(Path(name))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
