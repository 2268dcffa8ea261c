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
from playwright.sync_api import expect

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
SCREENSHOT_DIR = ARTIFACTS / "screenshots"
SERVER_LOG_DIR = ARTIFACTS / "e2e-logs"
HEALTH_TIMEOUT_S = 60.0
CHROMIUM = os.environ.get("LOGREG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]
VIEWPORT = {"width": 1400, "height": 1000}
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


def _own_group_tied_to_parent() -> None:
    """In the child: a process group of its own (so ``stop`` can end all of it), and SIGTERM
    when the test process dies without its teardown (killed, or timed out hard)."""
    os.setsid()
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG (Linux)


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
                                     stdout=self._log, stderr=subprocess.STDOUT, preexec_fn=_own_group_tied_to_parent)
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
    if readme:  # no hover tooltip in the README's pictures
        size = page.viewport_size or {"width": 800, "height": 600}
        page.mouse.move(size["width"] - 5, size["height"] - 5)
        page.wait_for_timeout(300)
    page.screenshot(path=str(path), full_page=full_page)
    extra = os.environ.get("LOGREG_SCREENSHOTS")
    if readme and extra:
        target = Path(extra)
        if not target.is_absolute():
            target = REPO_ROOT / target
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / path.name)
    return path


# --------------------------------------------------------------------------- page helpers

TRAIN_TIMEOUT_MS = 120_000
PAGE_SLUGS = {"Home": "", "Data": "data", "Train": "train", "Threshold": "threshold", "Model": "model"}


def open_app(page, url: str, path: str = "", query: str = "") -> None:
    page.goto(f"{url}/{path}" + (f"?{query}" if query else ""))
    page.wait_for_selector('[data-testid="stApp"]')
    wait_idle(page)
    no_exception(page)


def websocket_extensions(page) -> list[str]:
    """A list that fills, as the page opens websockets, with each handshake's negotiated extensions
    (the server's Sec-WebSocket-Extensions answer, "" for none). Call it before the page connects."""
    found: list[str] = []
    cdp = page.context.new_cdp_session(page)
    cdp.on("Network.webSocketHandshakeResponseReceived", lambda event: found.append(
        next((v for k, v in event["response"]["headers"].items() if k.lower() == "sec-websocket-extensions"), "")))
    cdp.send("Network.enable")
    return found


def no_exception(page) -> None:
    """Fail with the app's own traceback text when the page shows one, or when a part of the page
    could not load its code (the browser's message for a JavaScript chunk that failed to arrive)."""
    exc = page.locator('[data-testid="stException"]')
    if exc.count():
        pytest.fail(f"the app shows an exception on {page.url}:\n{exc.first.inner_text()[:2000]}", pytrace=False)
    broken = page.get_by_text("Failed to fetch dynamically imported module")
    if broken.count():
        pytest.fail(f"part of the page did not load on {page.url}: {broken.first.inner_text()[:500]}", pytrace=False)


def nav_link(page, name: str):
    # The accessible name is the page's title (icons are aria-hidden). The links are in the sidebar, or in the
    # header bar in presentation mode.
    return page.locator('[data-testid="stSidebarNav"], [data-testid="stTopNav"]').get_by_role(
        "link", name=name, exact=True)


def go(page, name: str, *, idle: bool = True) -> None:
    """Switch page with the sidebar link (keeps the session), and wait for the page to draw.

    ``idle=False`` for the Train page while a job runs: its progress panel then
    reruns about once a second, so the app is rarely idle.
    """
    nav_link(page, name).click()
    slug = PAGE_SLUGS[name]
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/{slug}(\?.*)?$"))
    if idle:
        wait_idle(page)
    else:
        expect(page.locator("h1", has_text=name).first).to_be_visible()
    no_exception(page)


def set_number(page, label: str, value) -> None:
    box = page.get_by_role("spinbutton", name=label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    wait_idle(page)
    expect(box).to_have_value(str(value))


def choose_radio(page, group_label: str, option: str) -> None:
    group = page.get_by_role("radiogroup", name=group_label)
    group.get_by_text(option, exact=True).click()
    wait_idle(page)
    no_exception(page)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def progress_text(page) -> str:
    bars = page.locator('[data-testid="stProgress"]')
    return bars.last.inner_text() if bars.count() else ""


def epochs_done(page) -> int:
    m = re.search(r"(?:Epoch|Finished:|Stopped:)\s+(\d+)", progress_text(page))
    return int(m.group(1)) if m else 0


def wait_until(predicate, timeout_s: float, what: str, interval_s: float = 0.2):
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}", pytrace=False)
        time.sleep(interval_s)


def finished_text(page):
    return page.get_by_text(re.compile(r"^(?:Finished|Stopped): \d+ epochs? in [\d.]+ s"
                                        r"(?:, now at epoch \d+| by you; the weights of epoch \d+ are kept)?$"))


def wait_finished(page, timeout_ms: int = TRAIN_TIMEOUT_MS) -> int:
    expect(finished_text(page).first).to_be_visible(timeout=timeout_ms)
    wait_idle(page)
    no_exception(page)
    return epochs_done(page)


def chart_points(page) -> int:
    """The most points in any trace of the page's Plotly charts (the learning curves' length)."""
    return page.evaluate(
        """() => Math.max(0, ...Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
                 .flatMap(div => (div.data || []).map(trace => (trace.x || []).length)))"""
    )


def train(page, epochs: int) -> int:
    """On the current session: go to Train, train ``epochs`` epochs and wait for the end."""
    go(page, "Train")
    set_number(page, "Epochs", epochs)
    earlier = finished_text(page).count() > 0  # a run before this one: its "Finished" line must go first
    button(page, "Train").click()
    if earlier:
        try:
            expect(finished_text(page).first).to_be_hidden(timeout=5000)
        except AssertionError:  # missed (a run too short to see) or still there: 5 s on, the new run is done too
            pass
    done = wait_finished(page)
    assert done == epochs, progress_text(page)
    return done


def start_long_training(page, epochs: int = 10_000) -> None:
    go(page, "Train")
    set_number(page, "Epochs", epochs)
    button(page, "Train").click()
    wait_until(lambda: epochs_done(page) >= 1, 90, "the first epoch")


def confusion_counts(page) -> dict[str, str]:
    """The confusion matrix's four counts as the page (or the part of it given) shows them (its 2×2 table)."""
    table = page.locator('table[aria-label="Confusion matrix"]').first
    return {cell: table.locator(f'td[data-cell="{cell}"] .cm-count').inner_text().strip()
            for cell in ("TP", "FN", "FP", "TN")}


def threshold_slider(page):
    return page.get_by_role("slider", name="Decision threshold")


def threshold_value(page) -> float:
    """The threshold as the slider shows it (its value is the position)."""
    return float(threshold_slider(page).get_attribute("aria-valuetext"))


def copied_link(page) -> str:
    """The link the sidebar's Copy link box offers now (the box is opened, read and closed)."""
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Copy link").click()
    body = page.locator('[data-testid="stPopoverBody"]')
    expect(body).to_be_visible()
    link = body.locator("code").inner_text().strip()
    page.keyboard.press("Escape")
    expect(body).to_be_hidden()
    return link


def upload(page, name: str, content: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    expect(page.get_by_role("button", name=f"Remove {name}")).to_be_visible()
    wait_idle(page)
