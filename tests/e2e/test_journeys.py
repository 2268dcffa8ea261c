"""User journeys through LogReg Lab in a real browser (the harness is in conftest.py).

Each test gets its own browser context, so its own Streamlit session: a test
that needs a trained model trains one (a few epochs). The app's server is
shared by the module.
"""
from __future__ import annotations

import json
import math
import re
import time

import pytest
from playwright.sync_api import expect

from .conftest import APP_ENV
from .e2e_support import serve, shot, wait_idle

TRAIN_TIMEOUT_MS = 120_000
PAGE_SLUGS = {"Home": "", "Data": "data", "Train": "train", "Threshold": "threshold", "Model": "model"}


# --------------------------------------------------------------------------- helpers

def open_app(page, url: str, path: str = "", query: str = "") -> None:
    page.goto(f"{url}/{path}" + (f"?{query}" if query else ""))
    page.wait_for_selector('[data-testid="stApp"]')
    wait_idle(page)
    no_exception(page)


def no_exception(page) -> None:
    """Fail with the app's own traceback text when the page shows one."""
    exc = page.locator('[data-testid="stException"]')
    if exc.count():
        pytest.fail(f"the app shows an exception on {page.url}:\n{exc.first.inner_text()[:2000]}", pytrace=False)


def nav_link(page, name: str):
    # The accessible name is the page's title (icons are aria-hidden).
    return page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name, exact=True)


def go(page, name: str) -> None:
    """Switch page with the sidebar link (keeps the session), and wait for the page to draw."""
    nav_link(page, name).click()
    slug = PAGE_SLUGS[name]
    expect(page).to_have_url(re.compile(rf"^https?://[^/]+/{slug}(\?.*)?$"))
    wait_idle(page)
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
    m = re.search(r"(?:Epoch|Finished:)\s+(\d+)", progress_text(page))
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
    return page.get_by_text(re.compile(r"^Finished: \d+ epochs?$"))


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
    button(page, "Train").click()
    done = wait_finished(page)
    assert done == epochs, progress_text(page)
    return done


def start_long_training(page, epochs: int = 10_000) -> None:
    go(page, "Train")
    set_number(page, "Epochs", epochs)
    button(page, "Train").click()
    wait_until(lambda: epochs_done(page) >= 1, 90, "the first epoch")


def confusion_counts(page) -> dict[str, str]:
    """The confusion matrix's counts as shown in its metrics ("True positives" …)."""
    counts = {}
    for label in ("True positives", "False positives", "True negatives", "False negatives"):
        metric = page.locator('[data-testid="stMetric"]').filter(
            has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
        counts[label] = metric.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return counts


def threshold_slider(page):
    return page.get_by_role("slider", name="Decision threshold")


# --------------------------------------------------------------------------- journeys

def test_landing_page(page, app_server):
    t0 = time.perf_counter()
    open_app(page, app_server)
    expect(page.get_by_text("not for clinical decisions").first).to_be_visible()
    for name in PAGE_SLUGS:
        expect(nav_link(page, name)).to_be_visible()
    expect(page.locator("h1").first).to_be_visible()
    print(f"landing page ready in {time.perf_counter() - t0:.2f} s")
    shot(page, "home")


@pytest.mark.readme_screenshot
def test_train_default_dataset_curves_grow(page, app_server):
    open_app(page, app_server)
    go(page, "Train")
    expect(page.get_by_text("breast_cancer").first).to_be_visible()  # the default dataset
    epochs = 400
    set_number(page, "Epochs", epochs)
    button(page, "Train").click()
    # Mid-training: a partial progress bar and curves that already have some points.
    first = wait_until(lambda: (n := chart_points(page)) and epochs_done(page) < epochs and n,
                       90, "the learning curves to appear while training")
    shot(page, "train-running")
    done = wait_finished(page)
    assert done == epochs
    expect(page.locator('[role="progressbar"]').last).to_have_attribute("aria-valuenow", "100")
    last = wait_until(lambda: chart_points(page) >= epochs and chart_points(page), 30, "the full curves")
    assert last > first, f"curves did not grow: {first} points mid-training, {last} at the end"
    expect(button(page, "Continue")).to_be_enabled()
    expect(button(page, "Stop")).to_be_disabled()
    shot(page, "train", readme=True)


def test_leave_mid_training_and_come_back(page, app_server):
    open_app(page, app_server)
    start_long_training(page)
    before = epochs_done(page)
    go(page, "Data")
    page.wait_for_timeout(1000)
    go(page, "Train")
    # Still the same job: its progress goes on from where it was, and it can still be stopped.
    expect(page.get_by_text(re.compile(r"^Epoch \d+ of 10000")).first).to_be_visible()
    wait_until(lambda: epochs_done(page) > before, 60, "training to go on after coming back")
    expect(button(page, "Stop")).to_be_enabled()
    shot(page, "train-come-back")
    button(page, "Stop").click()
    assert wait_finished(page) < 10_000


def test_stop_mid_training(page, app_server):
    open_app(page, app_server)
    start_long_training(page)
    wait_until(lambda: epochs_done(page) >= 3, 60, "a few epochs")
    button(page, "Stop").click()
    done = wait_finished(page)
    assert 1 <= done < 10_000
    page.wait_for_timeout(1500)  # a stopped job must stay stopped
    assert epochs_done(page) == done
    expect(button(page, "Continue")).to_be_enabled()
    expect(button(page, "Stop")).to_be_disabled()
    shot(page, "train-stopped")


@pytest.mark.readme_screenshot
def test_threshold_slider_with_keyboard(page, app_server):
    open_app(page, app_server)
    train(page, 30)
    go(page, "Threshold")
    slider = threshold_slider(page)
    expect(slider).to_be_visible()
    before = confusion_counts(page)
    value_before = slider.get_attribute("aria-valuenow")
    slider.focus()
    for _ in range(10):
        slider.press("ArrowRight")
    wait_idle(page)
    assert slider.get_attribute("aria-valuenow") != value_before
    wait_until(lambda: confusion_counts(page) != before, 20, "the confusion matrix to change")
    no_exception(page)
    shot(page, "threshold", readme=True)


def test_operating_point_and_prevalence(page, app_server):
    open_app(page, app_server)
    train(page, 30)
    go(page, "Threshold")
    slider = threshold_slider(page)
    for name in ("Max Youden", "Max F1", "Target sensitivity", "Min cost"):
        expect(button(page, name)).to_be_visible()
    before = slider.get_attribute("aria-valuenow")
    button(page, "Max F1").click()
    wait_idle(page)
    no_exception(page)
    button(page, "Max Youden").click()
    wait_idle(page)
    no_exception(page)
    after = slider.get_attribute("aria-valuenow")
    assert after is not None and math.isfinite(float(after))
    print(f"threshold before {before}, after Max Youden {after}")
    prevalence = page.get_by_role("spinbutton", name="Prevalence")
    text_before = page.locator('[data-testid="stMain"]').inner_text()
    prevalence.fill("0.02")
    prevalence.press("Enter")
    wait_idle(page)
    no_exception(page)
    expect(prevalence).to_have_value(re.compile(r"^0?\.020*$"))
    assert page.locator('[data-testid="stMain"]').inner_text() != text_before
    shot(page, "threshold-prevalence", full_page=True)


def test_digits_multiclass(page, app_server):
    open_app(page, app_server)
    go(page, "Data")
    choose_radio(page, "Dataset", "Digits")
    expect(page.locator("h3", has_text="digits").first).to_be_visible()
    shot(page, "data-digits")
    go(page, "Train")
    expect(page.get_by_text(re.compile(r"classes: 0, 1, 2")).first).to_be_visible()
    set_number(page, "Epochs", 5)
    button(page, "Train").click()
    assert wait_finished(page) == 5
    shot(page, "train-digits")


CSV_SEMICOLON_BOM = ("\ufeffage;dose;score;outcome\n" + "".join(
    f"{20 + i % 50};{(i * 7) % 13}.5;{(i * 37) % 101 / 10:.1f};{'yes' if (i * 37) % 101 > 50 else 'no'}\n"
    for i in range(120))).encode("utf-8")


def upload(page, name: str, content: bytes) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}])
    expect(page.locator('[data-testid="stFileUploaderFile"]', has_text=name)).to_be_visible()
    wait_idle(page)


def test_upload_semicolon_bom_csv_and_train(page, app_server):
    open_app(page, app_server)
    go(page, "Data")
    choose_radio(page, "Dataset", "Upload CSV")
    upload(page, "clinic.csv", CSV_SEMICOLON_BOM)
    no_exception(page)
    target = page.get_by_role("combobox", name=re.compile("Target column"))
    if "outcome" not in (page.locator('[data-testid="stSelectbox"]').first.inner_text()):
        target.click()
        page.get_by_role("option", name="outcome", exact=True).click()
        wait_idle(page)
    expect(page.get_by_text("Loaded clinic.csv").first).to_be_visible()
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "\ufeff" not in main and "age;dose" not in main, "the BOM or the delimiter leaked into the columns"
    shot(page, "data-csv", full_page=True)
    go(page, "Train")
    set_number(page, "Epochs", 5)
    button(page, "Train").click()
    assert wait_finished(page) == 5
    shot(page, "train-csv")


def test_bad_upload_keeps_previous_model(page, app_server):
    open_app(page, app_server)
    train(page, 5)
    go(page, "Data")
    choose_radio(page, "Dataset", "Upload CSV")
    upload(page, "broken.csv", b"\x00\x01\x02 not a table \xff\xfe\n\x00")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Could not use broken.csv")
    expect(alert.first).to_be_visible()
    no_exception(page)
    expect(page.get_by_text("Your trained model and settings are kept.").first).to_be_visible()
    shot(page, "data-bad-upload")
    go(page, "Model")
    expect(page.get_by_text("breast_cancer").first).to_be_visible()


def test_shared_link_restores_setup(page, app_server):
    open_app(page, app_server, query="dataset=breast_cancer&epochs=7&lr=0.05")
    go(page, "Train")
    expect(page.get_by_role("spinbutton", name="Epochs", exact=True)).to_have_value("7")
    expect(page.get_by_role("slider", name="Learning rate")).to_have_attribute("aria-valuetext", "0.05")
    expect(page).to_have_url(re.compile(r"[?&]epochs=7(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]lr=0.05(&|$)"))
    shot(page, "shared-link")


def test_shared_link_to_a_page_on_a_fresh_server(page):
    """A link to a page (``/train?…``, as Copy link makes on Train) is the first request a server gets."""
    with serve("app.py", name="fresh", extra_env=APP_ENV) as server:
        open_app(page, server.url, path="train", query="dataset=digits&epochs=7")
        expect(page.get_by_role("spinbutton", name="Epochs", exact=True)).to_have_value("7")
        expect(page.get_by_text(re.compile(r"classes: 0, 1, 2")).first).to_be_visible()
        for name in PAGE_SLUGS:
            expect(nav_link(page, name)).to_be_visible(timeout=5000)
        expect(page.get_by_text("not for clinical decisions").first).to_be_visible(timeout=5000)
        shot(page, "shared-link-fresh-server")


def test_download_model_card(page, app_server):
    open_app(page, app_server)
    train(page, 6)
    go(page, "Model")
    with page.expect_download() as info:
        button(page, "Download model card (JSON)").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    card = json.loads(open(download.path(), encoding="utf-8").read())
    text = json.dumps(card).lower()
    assert isinstance(card, dict) and card
    assert "breast_cancer" in text
    assert "sgd" in text
    assert re.search(r'"epochs[a-z_]*": 6\b', json.dumps(card)), "the card does not say 6 epochs"
    shot(page, "model")
