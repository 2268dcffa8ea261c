"""How fast LogReg Lab feels in Chromium, measured by benchmarks/browser.py (the same code `make bench` runs).

Timings on a shared 2-core CI machine are noisy, so nothing here asserts a
ratio: the numbers go to artifacts/speed.json (and the test log) for people to
read, and these tests check that every measurement ran and means something.
benchmarks/RESULTS.md holds the numbers from a quiet run.
"""
from __future__ import annotations

import json
import math
import os
import platform
import time

import pytest

from benchmarks import browser as measure

from .e2e_support import ARTIFACTS

pytestmark = pytest.mark.slow
RESULTS: dict = {}


@pytest.fixture(scope="module")
def trivial_server():
    with measure.trivial_app() as url:
        yield url


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


def measured(block: dict) -> bool:
    return all(math.isfinite(s) and s > 0 for s in block["samples"])


def test_first_paint(browser, app_server, trivial_server):
    RESULTS["first_paint"] = result = measure.first_paint(browser, app_server, trivial_server)
    assert measured(result["app"]["warm"]) and measured(result["trivial"]["warm"])
    assert math.isfinite(result["ratio"])


def test_slider_step_latency(browser, app_server, trivial_server):
    """Also checks that a jump to either end changed the confusion matrix (inside the measurement)."""
    RESULTS["slider"] = result = measure.slider_latency(browser, app_server, trivial_server)
    assert all(measured(result[k]) for k in ("trivial_step", "app_step", "app_step_whole_page", "app_jump"))


def test_streaming_overhead(browser, app_server):
    """Training MNIST-sized data with the Train page open, left, and headless (one round in CI)."""
    RESULTS["streaming"] = result = measure.streaming_overhead(browser, app_server, repeats=1)
    assert all(measured(result[k]) for k in ("headless", "page_open", "page_left"))
