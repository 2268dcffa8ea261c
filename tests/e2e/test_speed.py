"""How fast LogReg Lab feels, next to a trivial Streamlit app served and measured the same way.

Timings on a shared 2-core CI machine are noisy, so nothing here asserts a
ratio: the numbers go to artifacts/speed.json (and the test log) for people to
read, and the tests check only that everything was measured.
"""
from __future__ import annotations

import json
import math
import platform
import os
import shutil
import statistics
import time

import pytest
from playwright.sync_api import expect

from .conftest import VIEWPORT
from .e2e_support import (ARTIFACTS, REPO_ROOT, button, confusion_counts, epochs_done, go, open_app, serve,
                          start_long_training, threshold_slider, train, wait_finished, wait_idle, wait_until)

pytestmark = pytest.mark.slow

TRIVIAL_APP = '''
import streamlit as st

st.title("Trivial")
value = st.slider("Value", 0.0, 1.0, 0.5, step=0.001)
st.markdown(f"Value is {value:.3f}")
'''
RESULTS: dict = {}
REPEATS = 3


@pytest.fixture(scope="module")
def trivial_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trivial-app")
    (folder / "trivial.py").write_text(TRIVIAL_APP)
    shutil.copytree(REPO_ROOT / ".streamlit", folder / ".streamlit")  # the same server settings
    with serve("trivial.py", cwd=folder, name="trivial") as server:
        yield server.url


@pytest.fixture(scope="module", autouse=True)
def write_results():
    yield
    if not RESULTS:
        return
    RESULTS["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "speed.json").write_text(json.dumps(RESULTS, indent=2) + "\n")
    print("\nspeed (seconds):\n" + json.dumps(RESULTS, indent=2))


def summary(samples: list[float]) -> dict:
    return {"median": round(statistics.median(samples), 4), "min": round(min(samples), 4),
            "max": round(max(samples), 4), "samples": [round(s, 4) for s in samples]}


def first_paint(browser, url: str, heading: str) -> tuple[float, float]:
    """Seconds from navigation to the page's first heading, and to the end of its first script run."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.get_by_role("heading", name=heading, level=1).wait_for(state="visible", timeout=60_000)
        painted = time.perf_counter() - start
        wait_idle(page, settle_ms=0)
        return painted, time.perf_counter() - start
    finally:
        context.close()


def test_first_paint(browser, app_server, trivial_server):
    results = {}
    for name, url, heading in (("trivial", trivial_server, "Trivial"), ("app", app_server, "LogReg Lab")):
        cold = first_paint(browser, url, heading)  # the server's first session imports the script's modules
        warm = [first_paint(browser, url, heading) for _ in range(REPEATS)]
        results[name] = {"cold_heading": round(cold[0], 4), "cold_idle": round(cold[1], 4),
                         "heading": summary([w[0] for w in warm]), "idle": summary([w[1] for w in warm])}
    results["ratio_heading_median"] = round(results["app"]["heading"]["median"]
                                            / max(results["trivial"]["heading"]["median"], 1e-9), 2)
    RESULTS["first_paint"] = results
    for name in ("trivial", "app"):
        assert all(math.isfinite(v) and v > 0 for v in results[name]["heading"]["samples"])


def timed(page, action, condition: str, arg=None, timeout: float = 30_000) -> float:
    """Seconds from ``action()`` until the JavaScript ``condition`` holds (checked every frame)."""
    start = time.perf_counter()
    action()
    page.wait_for_function(condition, arg=arg, polling="raf", timeout=timeout)
    return time.perf_counter() - start


def test_slider_step_latency(page, browser, app_server, trivial_server):
    results = {}

    # The trivial app: one step of its slider until the text below it shows the new value.
    open_app(page, trivial_server)
    slider = page.get_by_role("slider", name="Value")
    slider.focus()
    steps = []
    for i in range(1, REPEATS + 3):
        steps.append(timed(page, lambda: slider.press("ArrowRight"),
                           "t => document.body.innerText.includes(t)", f"Value is {0.5 + i / 1000:.3f}"))
        wait_idle(page, settle_ms=100)
    jumps = []
    for key, value in (("End", "1.000"), ("Home", "0.000"), ("End", "1.000")):
        jumps.append(timed(page, lambda: slider.press(key), "t => document.body.innerText.includes(t)",
                           f"Value is {value}"))
        wait_idle(page, settle_ms=100)
    results["trivial"] = {"step_to_text": summary(steps), "jump_to_text": summary(jumps)}

    # LogReg Lab: a trained model's Threshold page; one step until the threshold line shows the new
    # value, and a jump to either end until the confusion matrix's counts change.
    page.goto("about:blank")
    open_app(page, app_server)
    train(page, 10)
    go(page, "Threshold")
    slider = threshold_slider(page)
    expect(slider).to_be_visible()
    slider.focus()
    steps, idle_steps = [], []
    for _ in range(REPEATS + 2):
        target = f"Threshold {float(slider.input_value()) + 0.001:.4g}"
        start = time.perf_counter()
        steps.append(timed(page, lambda: slider.press("ArrowRight"),
                           "t => document.querySelector('[data-testid=\"stMain\"]').innerText.includes(t)", target))
        wait_idle(page, settle_ms=0)
        idle_steps.append(time.perf_counter() - start)
        page.wait_for_timeout(100)
    jumps = []
    cm = "table[aria-label=\"Confusion matrix\"]"
    for key in ("End", "Home", "End"):
        before = confusion_counts(page)
        jumps.append(timed(page, lambda: slider.press(key),
                           f"b => {{ const t = document.querySelector('{cm}'); return t && t.innerText !== b; }}",
                           page.locator(cm).first.inner_text()))
        wait_idle(page, settle_ms=100)
        assert confusion_counts(page) != before
    results["app"] = {"step_to_text": summary(steps), "step_to_idle": summary(idle_steps),
                      "jump_to_confusion_matrix": summary(jumps)}
    results["ratio_step_median"] = round(results["app"]["step_to_text"]["median"]
                                         / max(results["trivial"]["step_to_text"]["median"], 1e-9), 2)
    RESULTS["slider_latency"] = results
    for block in (results["trivial"], results["app"]):
        for measured in block.values():
            assert all(math.isfinite(s) and s > 0 for s in measured["samples"])
    assert math.isfinite(results["ratio_step_median"])


def test_training_throughput(page, app_server):
    """Epochs per second with the Train page open (its progress panel refreshing) and with it closed."""
    open_app(page, app_server)
    start_long_training(page, 10_000)
    start, first = time.perf_counter(), epochs_done(page)
    page.wait_for_timeout(4000)
    left, done_open = time.perf_counter(), epochs_done(page)
    on_page = (done_open - first) / (left - start)
    go(page, "Home")
    page.wait_for_timeout(2000)
    go(page, "Train", idle=False)
    wait_until(lambda: epochs_done(page) > done_open, 60, "the progress bar after coming back")
    away = (epochs_done(page) - done_open) / (time.perf_counter() - left)  # includes the way back: a lower bound
    button(page, "Stop").click()
    wait_finished(page)
    RESULTS["training_epochs_per_s"] = {"dataset": "breast_cancer", "train_page_open": round(on_page, 1),
                                        "train_page_closed_at_least": round(away, 1)}
    assert math.isfinite(on_page) and math.isfinite(away) and away > 0
