"""Harness for the browser end-to-end tests: a live Streamlit server and headless Chromium.

Everything under tests/e2e is marked ``e2e``. The app's server is shared per
test module (each browser context still gets its own Streamlit session); the
browser is shared by the whole run, and each test gets a fresh context and page.

Chromium is Debian's (/usr/bin/chromium): Playwright cannot download its own
build here. When it cannot start, the tests are skipped, or fail when
``LOGREG_E2E_REQUIRED=1`` (as in CI).
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest

from .e2e_support import (CHROMIUM, CHROMIUM_ARGS, SCREENSHOT_DIR, SERVER_LOG_DIR, VIEWPORT, safe_name, serve,
                          shot)

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failed test at teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    """Drop the failure screenshots and server logs of an earlier run, so what is there is this run's."""
    for old in [*SCREENSHOT_DIR.glob("FAILED-*.png"), *SERVER_LOG_DIR.glob("*.log")]:
        old.unlink(missing_ok=True)


# --------------------------------------------------------------------------- server

@pytest.fixture(scope="module")
def app_server():
    """The base URL of LogReg Lab served from the repo root (one server per test module)."""
    with serve("app.py", name="app") as server:
        yield server.url


# --------------------------------------------------------------------------- browser

def _unavailable(reason: str):
    if os.environ.get("LOGREG_E2E_REQUIRED") == "1":
        pytest.fail(f"e2e tests are required (LOGREG_E2E_REQUIRED=1) but the browser is unavailable: {reason}",
                    pytrace=False)
    pytest.skip(f"browser unavailable: {reason}")


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - playwright is in requirements.txt
        _unavailable(f"playwright is not installed ({exc})")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} did not start: {str(exc).strip().splitlines()[0]}")
    try:
        yield chromium
    finally:
        with contextlib.suppress(Exception):
            chromium.close()
        with contextlib.suppress(Exception):
            playwright.stop()


@pytest.fixture
def page(browser, request):
    """A fresh context (so its own Streamlit session) and page per test; a screenshot if the test fails."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # uncaught JavaScript errors, for diagnosing failures
    try:
        yield pg
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            with contextlib.suppress(Exception):
                shot(pg, f"FAILED-{safe_name(request.node.name)}", full_page=True)
        with contextlib.suppress(Exception):
            context.close()
