"""Fixtures for the real-browser test: a private JupyterLab server and a headless Chromium.

The server serves a *copy* of `notebooks/` from a temporary directory, with its own settings,
workspaces, runtime and config directories, so the committed notebooks are never saved over and
nothing in the user's ~/.jupyter changes what runs. Chromium is Debian's (`apt-get install
chromium`), driven by playwright-python; playwright's own browser download is never used.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")
SERVER_START_TIMEOUT_S = 180

# As root Chromium needs --no-sandbox; on a closed network the other flags stop it from calling
# home (update checks, sync, QUIC), which would otherwise flood the log with refused connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# JupyterLab user settings for the test server: every cell in the DOM (no windowing), no
# autosave, no news or update checks (they would call the internet).
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: runs notebooks in JupyterLab in headless Chromium (slow; needs chromium)"
    )


def find_chromium() -> str | None:
    """The Chromium to drive: $REGLAB_CHROMIUM if set, else Debian's `chromium` on PATH."""
    override = os.environ.get("REGLAB_CHROMIUM")
    if override:
        return override if Path(override).is_file() else None
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LabServer:
    url: str  # http://127.0.0.1:PORT
    token: str
    root: Path  # what the server serves; holds notebooks/, a copy of the repository's
    log: Path

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self) -> None:
        """Shut down every session's kernel, so notebooks do not pile up kernels in memory."""
        for session in self.api("GET", "/api/sessions"):
            with contextlib.suppress(urllib.error.URLError):
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _die_with_parent() -> None:
    """In the server's process, before exec (Linux): get SIGTERM when pytest dies, even by SIGKILL,
    so no server outlives a killed test run. Its kernels then stop with it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _stop(process: subprocess.Popen) -> None:
    """Terminate the server (it shuts its kernels down), then kill whatever is left of its tree."""
    try:
        import psutil

        family = psutil.Process(process.pid).children(recursive=True)
    except Exception:  # psutil missing or the server already gone
        family = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    for child in family:
        with contextlib.suppress(Exception):
            child.kill()


def _wait_until_ready(process: subprocess.Popen, server: LabServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(OSError, ValueError):
            server.api("GET", "/api/status")
            return
        time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_TIMEOUT_S} s:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = find_chromium()
    if path is None and os.environ.get("REGLAB_CHROMIUM"):
        pytest.skip(f"$REGLAB_CHROMIUM is {os.environ['REGLAB_CHROMIUM']!r}, which is not a file")
    if path is None:
        pytest.skip(
            "no Chromium found (looked for chromium, chromium-browser, /usr/bin/chromium); "
            "install Debian's: apt-get install chromium"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: pip install --constraint constraints.txt -e '.[test]'")
    return path


@pytest.fixture(scope="session")
def lab(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """`jupyter lab --no-browser` on 127.0.0.1 and a free port, serving a copy of notebooks/."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    skip = shutil.ignore_patterns(".ipynb_checkpoints")
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=skip)
    for plugin, values in LAB_SETTINGS.items():
        path = base / "settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        IPYTHONDIR=str(base / "ipython"),
        PYTHONHASHSEED="0",
        TF_CPP_MIN_LOG_LEVEL="2",
        KERAS_BACKEND="tensorflow",
    )
    env.pop("MPLBACKEND", None)  # `make` sets Agg; a reader's kernel draws inline, and so does this one
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "jupyter-server.log"
    token = os.urandom(16).hex()
    server = None
    for _attempt in range(3):  # another process may grab the free port before the server binds it
        port = free_port()
        server = LabServer(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={base / 'settings'}",
            f"--LabApp.workspaces_dir={base / 'workspaces'}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp: read the notebook's model
            "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
        ]  # fmt: skip
        if hasattr(os, "getuid") and os.getuid() == 0:
            command.append("--allow-root")
        with log.open("w") as log_file:
            process = subprocess.Popen(
                command,
                cwd=root,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches pytest, which then stops the server in order
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,
            )
        try:
            _wait_until_ready(process, server)
        except RuntimeError:
            _stop(process)
            if "already in use" in server.log_tail():
                continue
            raise
        try:
            yield server
        finally:
            with contextlib.suppress(Exception):
                server.shutdown_kernels()
            _stop(process)
        return
    raise RuntimeError(f"jupyter lab found no free port in 3 attempts:\n{server.log_tail()}")


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[object]:
    """Headless Debian Chromium; playwright gives it a fresh temporary profile (--user-data-dir)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()
