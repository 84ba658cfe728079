"""Fixtures for the book test: the built site and a headless Chromium.

The site is the one `make book` built when `$REGLAB_BOOK_HTML` names it (`make book-test` does),
otherwise a fresh build by `make book` into a temporary folder. Chromium is Debian's, launched as
tests/browser/ launches it (same flags: no sandbox as root, no calls home).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import conftest as browser_conftest
from tests.browser.conftest import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[2]

# The same Chromium fixture as tests/browser/: found, and skipped, for the same reasons.
chromium = browser_conftest.chromium


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "book: opens the built book in headless Chromium (`make book-test`)")


def build_book(book_dir: Path) -> Path:
    """`make book` into `book_dir` with this interpreter's environment; returns the HTML folder."""
    if shutil.which("make") is None:
        pytest.skip("`make` is not installed; build the book with `make book` and set $REGLAB_BOOK_HTML")
    venv = Path(sys.prefix)
    command = ["make", "-s", "-o", f"{venv}/.installed", "book", f"VENV={venv}", f"BOOK_DIR={book_dir}"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, f"make book failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return book_dir / "html"


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built book's HTML folder."""
    given = os.environ.get("REGLAB_BOOK_HTML")
    path = Path(given).resolve() if given else build_book(tmp_path_factory.mktemp("book"))
    assert (path / "index.html").is_file(), f"{path} holds no built book (no index.html): run `make book`"
    return path


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
