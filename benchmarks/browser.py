"""What a person waits for in Chromium, next to a trivial Streamlit app served and measured the same way.

Used by ``benchmarks/run.py`` (RESULTS.md) and by ``tests/e2e/test_speed.py``
(which runs them in CI without asserting ratios: a shared 2-core machine is too
noisy for timed tests). Every function takes a Playwright browser and the URL
of a running server; ``trivial_app`` serves the reference app.
"""
from __future__ import annotations

import contextlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.e2e_support import (REPO_ROOT, VIEWPORT, button, confusion_counts, go, open_app, serve,
                                   threshold_slider, threshold_value, train, wait_finished, wait_idle)

TRIVIAL_APP = '''
import streamlit as st

st.title("Trivial")
value = st.slider("Value", 0.0, 1.0, 0.5, step=0.001)
st.markdown(f"Value is {value:.3f}")
'''
REPEATS = 3
CONFUSION_MATRIX = 'table[aria-label="Confusion matrix"]'
# MNIST-sized synthetic data, as issue 4 measures streaming: 60,000 × 784, 10 classes, 10 epochs.
STREAMING_SETUP = {"dataset": "synthetic", "n_samples": 60_000, "n_features": 784, "n_classes": 10,
                   "epochs": 10, "batch_size": 256, "lr": 0.01, "optimizer": "sgd", "seed": 0}


@contextlib.contextmanager
def trivial_app():
    """Serve the trivial reference app with LogReg Lab's own server settings."""
    with tempfile.TemporaryDirectory(prefix="trivial-app-") as folder:
        folder = Path(folder)
        (folder / "trivial.py").write_text(TRIVIAL_APP)
        shutil.copytree(REPO_ROOT / ".streamlit", folder / ".streamlit")
        with serve("trivial.py", cwd=folder, name="trivial") as server:
            yield server.url


def summary(samples: list[float]) -> dict:
    return {"median": round(statistics.median(samples), 4), "min": round(min(samples), 4),
            "max": round(max(samples), 4), "samples": [round(s, 4) for s in samples]}


def _new_page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    return context, context.new_page()


def _paint(browser, url: str, heading: str) -> float:
    context, page = _new_page(browser)
    try:
        start = time.perf_counter()
        page.goto(url)
        page.get_by_role("heading", name=heading, level=1).wait_for(state="visible")
        return time.perf_counter() - start
    finally:
        context.close()


def first_paint(browser, app_url: str, trivial_url: str) -> dict:
    """Seconds from navigation to the landing page's heading; the first (cold) load is kept apart."""
    results = {}
    for name, url, heading in (("trivial", trivial_url, "Trivial"), ("app", app_url, "LogReg Lab")):
        cold = _paint(browser, url, heading)
        results[name] = {"cold": round(cold, 4), "warm": summary([_paint(browser, url, heading)
                                                                   for _ in range(REPEATS)])}
    results["ratio"] = round(results["app"]["warm"]["median"] / results["trivial"]["warm"]["median"], 2)
    return results


def timed(page, action, condition: str, arg) -> float:
    """Seconds from ``action()`` until the JavaScript ``condition`` holds (checked every frame)."""
    start = time.perf_counter()
    action()
    page.wait_for_function(condition, arg=arg, polling="raf", timeout=30_000)
    return time.perf_counter() - start


def _text_shows(selector: str) -> str:
    return f"t => (document.querySelector('{selector}') || {{innerText: ''}}).innerText.includes(t)"


def trivial_slider_steps(browser, url: str) -> list[float]:
    """One slider step with the keyboard until the text under it shows the new value."""
    context, page = _new_page(browser)
    try:
        open_app(page, url)
        slider = page.get_by_role("slider", name="Value")
        slider.focus()
        steps = []
        for i in range(1, REPEATS + 3):
            steps.append(timed(page, lambda: slider.press("ArrowRight"), _text_shows('[data-testid="stMain"]'),
                                f"Value is {0.5 + i / 1000:.3f}"))
            wait_idle(page, settle_ms=100)
        return steps
    finally:
        context.close()


def threshold_step(page, slider) -> tuple[float, float]:
    """One keyboard step of the focused threshold slider: seconds until the confusion matrix's caption
    shows the new threshold, and until the rest of the page has followed (the server has answered and
    redrawn the metrics table for it)."""
    value = threshold_value(page) + 0.001
    start = time.perf_counter()
    slider.press("ArrowRight")
    page.wait_for_function(_text_shows('[data-testid="stMain"]'), arg=f"Threshold {value:.4g}", polling="raf",
                           timeout=60_000)
    shown = time.perf_counter() - start
    page.wait_for_function(_text_shows('table[aria-label="Metrics at this threshold"] caption'),
                           arg=f"at threshold {value:.4g}", polling="raf", timeout=60_000)
    return shown, time.perf_counter() - start


def threshold_slider_steps(page, repeats: int = REPEATS + 2) -> tuple[list[float], list[float], list[float]]:
    """On a Threshold page: single steps (to the matrix, and to the whole page), and jumps to either
    end until the matrix's counts change."""
    slider = threshold_slider(page)
    slider.focus()
    steps, followed = [], []
    for _ in range(repeats):
        shown, whole = threshold_step(page, slider)
        steps.append(shown)
        followed.append(whole)
        wait_idle(page, settle_ms=100)
    jumps = []
    for key in ("End", "Home", "End"):
        before = confusion_counts(page)
        jumps.append(timed(page, lambda: slider.press(key),
                            f"b => {{ const t = document.querySelector('{CONFUSION_MATRIX}'); "
                            f"return t && t.innerText !== b; }}", page.locator(CONFUSION_MATRIX).first.inner_text()))
        wait_idle(page, settle_ms=100)
        if confusion_counts(page) == before:
            raise AssertionError(f"the confusion matrix did not change after {key}")
    return steps, followed, jumps


def slider_latency(browser, app_url: str, trivial_url: str) -> dict:
    """A trivial app's slider step → text, against LogReg Lab's threshold step → confusion matrix."""
    trivial = trivial_slider_steps(browser, trivial_url)
    context, page = _new_page(browser)
    try:
        open_app(page, app_url)
        train(page, 10)
        go(page, "Threshold")
        steps, followed, jumps = threshold_slider_steps(page)
    finally:
        context.close()
    return {"trivial_step": summary(trivial), "app_step": summary(steps), "app_step_whole_page": summary(followed),
            "app_jump": summary(jumps),
            "ratio": round(statistics.median(steps) / statistics.median(trivial), 2)}


def _finished_seconds(page) -> float:
    wait_finished(page, timeout_ms=600_000)
    text = page.get_by_text(re.compile(r"^Finished: \d+ epochs? in [\d.]+ s$")).first.inner_text()
    return float(re.search(r"in ([\d.]+) s", text).group(1))


HEADLESS = """
import json, sys
from logreg_core import TrainConfig, load_dataset, run_training
s = json.loads(sys.argv[1])
data = load_dataset("synthetic", seed=s["seed"], n_samples=s["n_samples"], n_features=s["n_features"],
                    n_classes=s["n_classes"], class_sep=1.0)
config = TrainConfig(epochs=s["epochs"], batch_size=s["batch_size"], learning_rate=s["lr"],
                     optimizer=s["optimizer"], seed=s["seed"])
run_training(data, config)  # warm-up: TensorFlow's first trace, as a served app has already done
print(run_training(data, config).seconds)
"""


def _headless_seconds() -> float:
    """The same configuration trained with no app at all, in a fresh process (after a warm-up run)."""
    done = subprocess.run([sys.executable, "-c", HEADLESS, json.dumps(STREAMING_SETUP)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=600, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def streaming_overhead(browser, app_url: str, repeats: int = 2) -> dict:
    """Training time with the Train page open and streaming, against the page left and headless.

    The page's job reports the wall time of its epochs ("Finished: 10 epochs in
    X s"); a headless run reports the same sum. The server is warmed up by one
    untimed run first (TensorFlow's first trace), and runs alternate so that
    drifting machine load hits all three alike.
    """
    query = "&".join(f"{k}={v}" for k, v in STREAMING_SETUP.items())
    context, page = _new_page(browser)
    streaming, away, headless = [], [], []
    try:
        open_app(page, app_url, "train", query)
        button(page, "Train").click()
        _finished_seconds(page)
        for _ in range(repeats):
            headless.append(_headless_seconds())
            button(page, "Train").click()
            streaming.append(_finished_seconds(page))
            button(page, "Train").click()
            go(page, "Home")
            page.wait_for_timeout(1000 * (2 + 3 * headless[-1]))
            go(page, "Train", idle=False)
            away.append(_finished_seconds(page))
    finally:
        context.close()
    base = statistics.median(headless)
    return {"setup": STREAMING_SETUP, "headless": summary(headless), "page_open": summary(streaming),
            "page_left": summary(away), "ratio_page_open": round(statistics.median(streaming) / base, 2),
            "ratio_page_left": round(statistics.median(away) / base, 2)}
