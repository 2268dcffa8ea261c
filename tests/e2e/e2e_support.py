"""Support for the e2e tests: a Streamlit server in its own process group, and page helpers."""
from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
SCREENSHOT_DIR = ARTIFACTS / "screenshots"
SERVER_LOG_DIR = ARTIFACTS / "e2e-logs"
HEALTH_TIMEOUT_S = 60.0
IDLE_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


class StreamlitServer:
    """``streamlit run`` of one script, in its own process group, with an isolated HOME."""

    def __init__(self, script: Path | str, *, cwd: Path = REPO_ROOT, name: str = "app",
                 extra_env: dict[str, str] | None = None):
        self.script = str(script)
        self.cwd = Path(cwd)
        self.name = name
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self._home = None
        self._log = None
        self.log_path = SERVER_LOG_DIR / f"{name}-{self.port}.log"

    def start(self, timeout: float = HEALTH_TIMEOUT_S) -> "StreamlitServer":
        self._home = tempfile.TemporaryDirectory(prefix="logreg-e2e-home-")
        home = Path(self._home.name)
        env = dict(os.environ)
        env.update({
            "HOME": str(home),
            "KERAS_HOME": str(home / "keras"),
            "MPLCONFIGDIR": str(home / "mpl"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONUNBUFFERED": "1",
            "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
        })
        env.update(self.extra_env)
        SERVER_LOG_DIR.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")
        cmd = [sys.executable, "-m", "streamlit", "run", self.script,
               "--server.headless", "true", "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
        self.proc = subprocess.Popen(cmd, cwd=self.cwd, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"streamlit ({self.name}) exited with {self.proc.returncode}:\n{self.log_tail()}")
            if _healthy(self.url):
                return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit ({self.name}) not healthy within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        proc = self.proc
        if proc is not None and proc.poll() is None:
            for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, sig)
                try:
                    proc.wait(wait)
                    break
                except subprocess.TimeoutExpired:
                    continue
        elif proc is not None:
            # The leader is gone; make sure nothing it started lingers in its group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._home is not None:
            self._home.cleanup()
            self._home = None




@contextlib.contextmanager
def serve(script, **kwargs):
    """A started ``StreamlitServer`` (a test failure with its log if it does not come up)."""
    server = StreamlitServer(script, **kwargs)
    try:
        server.start()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()



def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


def wait_idle(page, timeout: float = 60_000, settle_ms: int = 300) -> None:
    """Wait until Streamlit has finished the current script run, then let the page settle.

    A run triggered just before this call may not have flipped the state to
    ``running`` yet, so first give it a moment to start.
    """
    with contextlib.suppress(Exception):
        page.wait_for_selector('[data-testid="stApp"]:not([data-test-script-state="notRunning"])',
                               timeout=400, state="attached")
    page.wait_for_selector(IDLE_SELECTOR, timeout=timeout, state="attached")
    page.wait_for_timeout(settle_ms)
    # Still (or again) running after settling: wait once more.
    page.wait_for_selector(IDLE_SELECTOR, timeout=timeout, state="attached")


def shot(page, name: str, *, readme: bool = False, full_page: bool = False) -> Path:
    """Save ``artifacts/screenshots/<name>.png``.

    With ``readme=True`` (the README's pictures) and ``$LOGREG_SCREENSHOTS`` set
    (``make screenshots`` sets it to ``docs``), also copy it to that folder.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    extra = os.environ.get("LOGREG_SCREENSHOTS")
    if readme and extra:
        target = Path(extra)
        if not target.is_absolute():
            target = REPO_ROOT / target
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)
    return path
