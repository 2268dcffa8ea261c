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

from .e2e_support import (PAGE_SLUGS, TRAIN_TIMEOUT_MS, button, chart_points, choose_radio, confusion_counts,
                          copied_link, epochs_done, go, nav_link, no_exception, open_app, progress_text, serve,
                          set_number, shot, start_long_training, threshold_slider, threshold_value, train, upload,
                          wait_finished, wait_idle, wait_until, websocket_extensions)


# --------------------------------------------------------------------------- journeys

def test_landing_page(page, app_server):
    t0 = time.perf_counter()
    extensions = websocket_extensions(page)
    open_app(page, app_server)
    # compressed messages: the threshold picker's table is 136-300 kB of JSON per rerun
    assert extensions and all("permessage-deflate" in e for e in extensions), extensions
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
    expect(page.get_by_text("Breast cancer (Wisconsin)").first).to_be_visible()  # the default dataset
    # How fast the app trains varies a lot (see the report in artifacts/speed.json), so watch the
    # curves grow on a long run, stop it, then train a short run to the end.
    set_number(page, "Epochs", 10_000)
    button(page, "Train").click()
    first = wait_until(lambda: epochs_done(page) < 10_000 and chart_points(page),
                       90, "the learning curves to appear while training")
    grown = wait_until(lambda: (n := chart_points(page)) > first and n, 60, "the learning curves to grow")
    assert epochs_done(page) < 10_000
    shot(page, "train-running")
    button(page, "Stop").click()
    stopped_at = wait_finished(page)
    assert stopped_at >= grown

    epochs = 40 if stopped_at != 40 else 41  # so that the old run's "Finished" line cannot pass for the new one
    set_number(page, "Epochs", epochs)
    button(page, "Train").click()
    expect(page.get_by_text(f"Finished: {epochs} epochs").first).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    assert wait_finished(page) == epochs
    expect(page.locator('[role="progressbar"]').last).to_have_attribute("aria-valuenow", "100")
    wait_until(lambda: chart_points(page) == epochs, 30, f"curves of {epochs} epochs")
    expect(button(page, "Continue")).to_be_enabled()
    expect(button(page, "Stop")).to_be_disabled()
    shot(page, "train", readme=True)


def test_a_fast_default_run_grows_on_screen_in_slow_motion(page, app_server):
    """The default run (200 epochs) trains in well under a second; slow motion draws it over about 5 s."""
    open_app(page, app_server)
    go(page, "Train")
    button(page, "Train").click()
    seen = wait_until(lambda: "slow motion" in progress_text(page) and 0 < (n := chart_points(page)) < 200 and n,
                      90, "the curves to be replayed in slow motion")
    wait_until(lambda: (n := chart_points(page)) > seen and n, 10, "the replayed curves to grow")
    assert wait_finished(page) == 200
    wait_until(lambda: chart_points(page) == 200, 10, "all 200 epochs drawn")
    no_exception(page)
    # Again (the browser has its chart code now): the replay is drawn from its first epochs, several times in the
    # first second. It was first drawn at the first refresh after the run, 0.8 s on, at epoch 30 or more.
    wait_idle(page)
    page.evaluate("""() => { window.shownEpochs = []; const start = performance.now();
        window.sampler = setInterval(() => {
            const bar = document.querySelector('[data-testid="stProgress"]');
            const match = /^Epoch (\\d+) of/.exec(bar?.innerText || "");
            if (match) window.shownEpochs.push([performance.now() - start, +match[1]]); }, 20); }""")
    button(page, "Train").click()
    wait_until(lambda: page.evaluate("window.shownEpochs.some(([ms]) => ms > 1500)"), 30, "1.5 s of the replay")
    shown = page.evaluate("clearInterval(window.sampler) || window.shownEpochs")
    first_second = sorted({epoch for ms, epoch in shown if ms <= 1000 and epoch > 0})
    assert len(first_second) >= 2 and first_second[0] < 20, shown[:40]


def test_in_presentation_mode_a_run_is_in_view_on_a_1024_by_768_projector(page, app_server):
    """At projector font sizes the Train page's settings fill the screen: Train folds them away, into a line
    that says what they are, so that the progress line and both curves, whole, are on a 1024 × 768 screen
    (at 1400 × 900 they were once below its edge; at 768 px the curves' axes were, until the settings' line
    became the fold's label and the legend moved into the loss plot)."""
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, app_server)
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').first.locator("label").click()
    wait_idle(page)
    go(page, "Train")
    expect(page.get_by_role("spinbutton", name="Epochs")).to_be_visible()
    button(page, "Train").click()
    wait_finished(page)
    wait_idle(page)
    expect(page.get_by_role("spinbutton", name="Epochs")).to_be_hidden()
    fold = page.locator('[data-testid="stExpander"] summary')
    expect(fold).to_have_text(re.compile("200 epochs · batch 64 · learning rate 0.01 · SGD · seed 0$"))
    expect(fold).to_be_in_viewport()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(2)
    for i in range(2):
        box = charts.nth(i).bounding_box()
        assert box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1024, box
    legends = page.locator('[data-testid="stPlotlyChart"] .legend')
    expect(legends).to_have_count(1)  # one for both, inside the loss plot
    plot, legend = (page.locator('[data-testid="stPlotlyChart"]').first.locator(s).bounding_box()
                    for s in (".nsewdrag", ".legend"))
    assert plot["x"] <= legend["x"] and legend["x"] + legend["width"] <= plot["x"] + plot["width"] + 1, (plot, legend)
    fold.click()  # and back, to change them
    expect(page.get_by_role("spinbutton", name="Epochs")).to_be_visible()
    set_number(page, "Epochs", 150)
    wait_idle(page)
    expect(fold).to_have_text(re.compile("150 epochs · batch 64"))  # the label follows, and the fold stays open
    expect(page.get_by_role("spinbutton", name="Epochs")).to_be_visible()
    # an emptied box keeps its number (and says so): no "clear" button offers to empty it
    expect(page.locator('.st-key-epochs [data-testid="stNumberInputClearButton"]')).to_have_count(1)
    expect(page.locator('.st-key-epochs [data-testid="stNumberInputClearButton"]')).to_be_hidden()
    box = page.get_by_role("spinbutton", name="Epochs")
    box.fill("")
    box.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Epochs was left empty, or not a number: it stays 150.")).to_be_visible()
    expect(box).to_have_value("150")
    shot(page, "presentation-train")


def test_in_presentation_mode_a_two_feature_models_boundary_is_in_view_beside_the_curves(page, app_server):
    """Under the curves, a two-feature model's decision boundary was below a 1024 × 768 projector's edge."""
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, app_server, "train", "dataset=synthetic&n_samples=400&epochs=20&lr=0.1&present=1")
    train(page, 20)
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(3)
    boxes = [charts.nth(i).bounding_box() for i in range(3)]
    for box in boxes:
        assert box["y"] + box["height"] <= 768 and box["x"] + box["width"] <= 1024, box
    assert boxes[0]["x"] < boxes[1]["x"] < boxes[2]["x"] and abs(boxes[2]["y"] - boxes[0]["y"]) < 2, boxes  # a row
    expect(charts.nth(2)).to_contain_text("Boundary, epoch 20")
    legend = charts.nth(2).locator(".legend").bounding_box()
    plot = charts.nth(2).locator(".nsewdrag").bounding_box()
    assert legend["y"] + legend["height"] <= plot["y"] + 1, (legend, plot)  # above the points, not over them


def test_in_presentation_mode_the_threshold_slider_and_the_matrix_it_moves_share_a_1024_by_768_screen(page, app_server):
    """At projector font sizes the notes on the test split (two boxes) and the threshold finders pushed the 2×2
    table below a 1400 × 900 screen: now folded side by side, each under a line that says what it holds. On a
    1024 × 768 projector, with the sidebar folded away (turning the mode on folds it: open, it pushed the table's
    second row below the edge), the pages' links in the header bar in place of the title, the epoch scrubber
    under the table, the folds' lines and the split's choices on one line each, the slider, the whole table and
    its rates are on the screen."""
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, app_server)
    page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').first.locator("label").click()
    wait_idle(page)
    expand = page.get_by_role("button", name="Expand sidebar")
    expect(expand).to_be_visible()
    train(page, 200)
    go(page, "Threshold")
    expect(page.locator('[data-testid="stTopNav"] [aria-current="page"]')).to_have_text(re.compile("Threshold$"))
    expect(page.locator("h1").first).to_be_hidden()
    choose_radio(page, "Split shown", "Test")
    notes = page.locator('[data-testid="stExpander"] summary').filter(has_text="Notes:")
    expect(notes).to_contain_text("test split · few validation cases")
    expect(threshold_slider(page)).to_be_in_viewport()
    cells = page.locator('table[aria-label="Confusion matrix"] td')
    expect(cells).to_have_count(4)
    rates = page.locator(".thr-rates")
    for box in [cells.nth(i).bounding_box() for i in range(4)] + [rates.bounding_box()]:
        assert box["y"] + box["height"] <= 768, box
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    assert header["y"] + header["height"] <= page.get_by_role("radiogroup", name="Split shown").bounding_box()["y"]
    expect(expand).to_be_visible()  # the sidebar stayed folded through the page's reruns
    scrubber = page.get_by_text("Epoch", exact=True)
    assert scrubber.bounding_box()["y"] > cells.nth(3).bounding_box()["y"]  # under the table
    shot(page, "presentation-threshold")
    page.set_viewport_size({"width": 1280, "height": 720})  # a 720p projector: the table's second row touched the
    page.wait_for_timeout(300)  # screen's edge, and its note was below it
    for box in [cells.nth(i).bounding_box() for i in range(4)] + [page.locator(".cm-note").bounding_box()]:
        assert box["y"] + box["height"] <= 720, box
    page.set_viewport_size({"width": 1024, "height": 768})
    notes.click()  # and the notes are a click away
    expect(page.get_by_text("You are looking at the test split")).to_be_visible()


def test_on_a_1024_px_screen_labels_and_chart_numbers_are_whole(page, app_server):
    """At 1024 × 768 the Train page's settings are a quarter of 650 px each: a toggle's label read
    "Balance …". Side by side, each threshold chart is 274 px wide: the precision–recall title was cut at
    "average precision 0." and a three-row ROC legend ran through its AUC."""
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, app_server)
    go(page, "Train")
    cut = page.locator('[data-testid="stMain"] [data-testid="stWidgetLabel"] p').evaluate_all(
        "ps => ps.filter(p => p.scrollWidth > p.clientWidth + 1).map(p => p.textContent)")
    assert cut == [], cut
    train(page, 20)
    go(page, "Threshold")
    charts = page.locator('[data-testid="stPlotlyChart"]')
    expect(charts).to_have_count(2)
    for i in range(2):
        chart = charts.nth(i).bounding_box()
        parts = charts.nth(i).evaluate("""el => Object.fromEntries(['gtitle', 'gtitle-subtitle', 'legend'].map(
            name => [name, el.querySelector('.' + name).getBoundingClientRect().toJSON()]))""")
        assert parts["gtitle-subtitle"]["bottom"] <= parts["legend"]["top"], parts
        for name in ("gtitle", "gtitle-subtitle", "legend"):
            assert chart["x"] <= parts[name]["left"] and parts[name]["right"] <= chart["x"] + chart["width"], parts
    subtitles = [charts.nth(i).locator(".gtitle-subtitle").text_content() for i in range(2)]
    assert re.fullmatch(r"AUC 0\.\d{3} \(95% CI .+\)", subtitles[0]) and re.fullmatch(
        r"average precision 0\.\d{3}", subtitles[1]), subtitles


def test_a_number_typed_out_of_range_becomes_the_nearest_allowed_and_is_said(page, app_server):
    """The browser refused such a number with only a red border, and Train used the last one the box took."""
    open_app(page, app_server)
    go(page, "Train")
    epochs = page.get_by_role("spinbutton", name="Epochs", exact=True)
    epochs.fill("100000")
    epochs.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("Epochs must be a whole number from 1 to 10,000: 100,000 was entered, so it is 10,000.")).to_be_visible()
    expect(epochs).to_have_value("10000")
    seed = page.get_by_role("spinbutton", name="Seed", exact=True)
    seed.fill("2e3")  # a whole-number box read "2e3" as 2, and 20 digits as a number it never used
    seed.press("Enter")
    wait_idle(page)
    expect(seed).to_have_value("2000")
    seed.fill("99999999999999999999")
    seed.press("Enter")
    wait_idle(page)
    expect(seed).to_have_value("4294967295")
    assert "seed=4294967295" in copied_link(page)
    button(page, "Train").click()  # and training takes what the box shows
    expect(page.get_by_text(re.compile(r"^Epoch \d+ of 10000")).first).to_be_visible(timeout=TRAIN_TIMEOUT_MS)
    button(page, "Stop").click()
    assert wait_finished(page) < 10_000


def test_leave_mid_training_and_come_back(page, app_server):
    open_app(page, app_server)
    start_long_training(page)
    before = epochs_done(page)
    go(page, "Data")
    page.wait_for_timeout(500)
    go(page, "Train", idle=False)
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
    train(page, 10)
    go(page, "Threshold")
    slider = threshold_slider(page)
    expect(slider).to_be_visible()
    expect(page.locator('table[aria-label="Confusion matrix"]')).to_be_visible()
    expect(page.locator('.thr-ends [data-part="min"]')).to_have_text("0")  # the slider's range
    expect(page.locator('.thr-ends [data-part="max"]')).to_have_text("1")
    before, value_before = confusion_counts(page), threshold_value(page)
    linked_at_start = linked_threshold(page)
    slider.focus()
    for _ in range(10):  # paced so that reruns for earlier steps come back while the user goes on
        slider.press("ArrowRight")
        page.wait_for_timeout(150)
    wait_idle(page)
    assert threshold_value(page) == pytest.approx(value_before + 0.010)  # never moved back by a rerun
    expect(page.get_by_text(f"Threshold {threshold_value(page):.4g} (set by hand on the validation split)").first
           ).to_be_visible()
    for _ in range(12):  # bursts of key presses until a case changes sides
        for _ in range(20):
            slider.press("ArrowRight")
        wait_idle(page)
        if confusion_counts(page) != before:
            break
    no_exception(page)
    after = confusion_counts(page)
    assert threshold_value(page) > value_before
    assert after != before, f"the confusion matrix did not change: {before} at {value_before}, {after} now"
    assert sum(map(int, after.values())) == sum(map(int, before.values()))
    expect(page.get_by_text(re.compile(rf"Threshold {threshold_value(page):.4g}\b")).first).to_be_visible()
    expect(page.locator(".thr-ends")).to_contain_text("PgUp/PgDn 0.1")  # as the hint says:
    value = threshold_value(page)
    slider.press("PageUp")
    wait_idle(page)
    assert threshold_value(page) == pytest.approx(min(value + 0.1, 1.0))
    # the link follows the slider though only the slider's panel reran: as a full rerun (another page) has it
    moved_to = linked_threshold(page)
    assert moved_to != linked_at_start and float(moved_to) == shown_threshold(page)  # the page's own label
    go(page, "Model")
    assert linked_threshold(page) == moved_to
    go(page, "Threshold")
    # The picture: the population's numbers, the operating-point buttons, the slider, the matrix and the rates.
    page.get_by_role("spinbutton", name="Target sensitivity").evaluate("""b => {
        b.scrollIntoView({block: "start"});
        let box = b.parentElement;
        while (box && box.scrollTop === 0) box = box.parentElement;
        if (box) box.scrollTop -= 48;
    }""")
    shot(page, "threshold", readme=True)


def linked_threshold(page) -> str:
    return re.search(r"[?&]threshold=([^&]+)", copied_link(page)).group(1)


def shown_threshold(page) -> float:
    return float(re.search(r"Threshold (\S+) \(", page.locator('[data-testid="stMain"]').inner_text()).group(1))


def test_operating_point_and_prevalence(page, app_server):
    open_app(page, app_server, query="threshold=0.3")  # a shared link's threshold
    train(page, 10)
    go(page, "Threshold")
    assert threshold_value(page) == 0.3 and shown_threshold(page) == 0.3
    for name in ("Max Youden", "Max F1", "Target sensitivity", "Min cost"):
        expect(button(page, name)).to_be_visible()
    button(page, "Max F1").click()
    wait_idle(page)
    expect(page.get_by_text("max F1, found on validation").first).to_be_visible()
    button(page, "Max Youden").click()
    wait_idle(page)
    expect(page.get_by_text("max Youden's J, found on validation").first).to_be_visible()
    no_exception(page)
    youden = shown_threshold(page)
    assert threshold_value(page) == pytest.approx(youden, abs=0.0005)  # the button moved the slider
    prevalence = page.get_by_role("spinbutton", name="Prevalence")
    prevalence.fill("0.02")
    prevalence.press("Enter")
    wait_idle(page)
    no_exception(page)
    expect(page.get_by_text("PPV at 2% prevalence").first).to_be_visible()
    page.get_by_role("tab", name="Per 1,000 people").click()
    wait_idle(page)
    expect(page.get_by_text("At the assumed population prevalence 2%:").first).to_be_visible()
    shot(page, "threshold-prevalence", full_page=True)
    page.get_by_role("tab", name="Decision curve").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"you accept up to \d")).first).to_be_visible()
    expect(page.locator('[data-testid="stPlotlyChart"]', has_text="treat all")).to_be_visible()
    shot(page, "threshold-decision-curve", full_page=True)
    # The printable report: made when the button is pressed, with the threshold, how it was chosen and intervals.
    shown = re.search(r"Threshold (\S+) \(", page.locator('[data-testid="stMain"]').inner_text()).group(1)
    with page.expect_download() as info:
        button(page, "Download report (HTML)").click()
    report = open(info.value.path(), encoding="utf-8").read()
    assert info.value.suggested_filename == "threshold_report.html"
    assert "max Youden" in report and "validation" in report.lower()
    assert f"Threshold {shown}</b>" in report and "prevalence assumed: 0.02 (2%)" in report and "95%" in report
    no_exception(page)
    # The log-odds scale: the slider moves to the same threshold, and reports probabilities.
    page.get_by_text("Log-odds scale", exact=True).click()
    wait_idle(page)
    logodds = page.get_by_role("slider", name="Decision threshold (log-odds)")
    assert float(logodds.get_attribute("aria-valuetext")) == pytest.approx(math.log(youden / (1 - youden)), abs=0.01)
    assert shown_threshold(page) == youden
    logodds.focus()
    logodds.press("ArrowRight")
    expect(page.get_by_text("(set by hand on the validation split)").first).to_be_visible()
    wait_idle(page)
    x = float(logodds.get_attribute("aria-valuetext"))
    assert shown_threshold(page) == float(f"{1 / (1 + math.exp(-x)):.4g}")
    page.get_by_text("Log-odds scale", exact=True).click()
    wait_idle(page)
    assert threshold_value(page) == pytest.approx(shown_threshold(page), abs=0.0005)


def test_uploaded_scores_replaced_by_a_bad_file_stay_and_the_x_removes_them(page, app_server):
    """Chromium replaces a file in two messages: no file (as the ✕ sends, firing the uploader's on_change),
    then the new file. A new file that cannot be used keeps the old file's scores and threshold, said so."""
    open_app(page, app_server)
    go(page, "Threshold")
    choose_radio(page, "Scores from", "Uploaded scores")
    scores = "y_true,score,split\n" + "".join(f"{i % 2},{(i % 2) * 0.3 + (i * 37) % 71 / 100:.2f},"
                                             f"{'val' if i < 100 else 'test'}\n" for i in range(200))
    upload(page, "scores.csv", scores.encode())
    matrix = page.locator('table[aria-label="Confusion matrix"]')
    expect(matrix).to_be_visible()
    button(page, "Max F1").click()
    wait_idle(page)
    expect(page.get_by_text(re.compile(r"\(max F1, found on validation\)")).first).to_be_visible()
    counts, threshold = confusion_counts(page), threshold_value(page)
    # away and back: the uploader comes back empty, and the page says which file its numbers are from
    choose_radio(page, "Scores from", "Trained model")
    choose_radio(page, "Scores from", "Uploaded scores")
    expect(page.get_by_text("Showing scores.csv, uploaded earlier.", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Remove scores.csv")).to_have_count(0)
    assert (confusion_counts(page), threshold_value(page)) == (counts, threshold)
    garbage = bytes((i * 37) % 255 + 1 for i in range(3000))  # binary, not UTF-8, no NUL byte
    for name, data, message in (("garbage.csv", garbage, "looks like a binary file"),
                                ("header.csv", b"y_true,score\n", "the scores file has no rows")):
        upload(page, name, data)  # into the same uploader: it replaces the file shown
        expect(page.get_by_text(f"Could not use {name}: ", exact=False).first).to_contain_text(message)
        expect(page.get_by_text("Still showing the scores from scores.csv.", exact=True)).to_be_visible()
        expect(matrix).to_be_visible()
        assert (confusion_counts(page), threshold_value(page)) == (counts, threshold)
        assert "codec" not in page.locator('[data-testid="stMain"]').inner_text()
        no_exception(page)
    shot(page, "threshold-scores-replaced-by-a-bad-file")
    page.get_by_role("button", name="Remove header.csv").click()  # the ✕: the scores go with the file
    wait_idle(page)
    expect(matrix).to_have_count(0)
    expect(page.get_by_text("Still showing", exact=False)).to_have_count(0)
    no_exception(page)


def test_digits_multiclass(page, app_server):
    open_app(page, app_server)
    go(page, "Data")
    choose_radio(page, "Dataset", "Digits")
    expect(page.locator("h3", has_text="Digits (8×8)").first).to_be_visible()
    shot(page, "data-digits")
    go(page, "Train")
    expect(page.get_by_text(re.compile(r"classes: 0, 1, 2")).first).to_be_visible()
    set_number(page, "Epochs", 3)
    button(page, "Train").click()
    assert wait_finished(page) == 3
    shot(page, "train-digits")
    go(page, "Threshold")  # multiclass: the all-classes matrix, then one class against the rest
    expect(page.get_by_text("All classes: confusion matrix at argmax").first).to_be_visible()
    expect(page.locator('table[aria-label="Confusion matrix"]')).to_be_visible()
    go(page, "Model")  # after 3 epochs some test digits are wrong: their thumbnails stand apart, not touching
    thumbnails = page.locator('[data-testid="stImageContainer"] img')
    expect(thumbnails.nth(1)).to_be_visible()
    first, second = thumbnails.nth(0).bounding_box(), thumbnails.nth(1).bounding_box()
    assert second["x"] - (first["x"] + first["width"]) >= 8, (first, second)


# Column names that Markdown would turn into LaTeX and italics, and Plotly into bold; a few blanks, so that a
# note names them
CSV_SEMICOLON_BOM = ("\ufeffage $;dose_*mg*;<b>score</b>;outcome\n" + "".join(
    f"{'' if i % 17 == 0 else 20 + i % 50};{'' if i % 19 == 0 else f'{(i * 7) % 13}.5'};"
    f"{(i * 37) % 101 / 10:.1f};{'yes' if (i * 37) % 101 > 50 else 'no'}\n" for i in range(120))).encode("utf-8")


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
    assert "\ufeff" not in main and "age $;dose" not in main, "the BOM or the delimiter leaked into the columns"
    notes = page.locator('[data-testid="stExpander"]').filter(has_text="What loading did").inner_text()
    assert "(age $, dose_*mg*)" in notes, notes  # the names as written, not LaTeX and italics
    shot(page, "data-csv", full_page=True)
    go(page, "Train")
    expect(page.get_by_text(re.compile(r"clinic\.csv — 3 features, classes: no, yes")).first).to_be_visible()
    set_number(page, "Epochs", 5)
    button(page, "Train").click()
    assert wait_finished(page) == 5
    shot(page, "train-csv")
    go(page, "Model")
    ticks = page.locator('[data-testid="stPlotlyChart"] .ytick text')
    expect(ticks.first).to_be_visible()
    assert "<b>score</b>" in ticks.all_text_contents()  # the name as written, not "score" in bold


def test_bad_upload_keeps_previous_model(page, app_server):
    open_app(page, app_server)
    train(page, 3)
    go(page, "Data")
    choose_radio(page, "Dataset", "Upload CSV")
    upload(page, "broken.csv", b"\x00\x01\x02 not a table \xff\xfe\n\x00")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Could not use broken.csv")
    expect(alert.first).to_be_visible()
    no_exception(page)
    expect(page.get_by_text("Your trained model and settings are kept.").first).to_be_visible()
    shot(page, "data-bad-upload")
    go(page, "Model")  # the model trained before the bad upload is still the session's model
    expect(page.get_by_text(re.compile(r"Run 1 on Breast cancer \(Wisconsin\): 3 epochs")).first).to_be_visible()


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
    with serve("app.py", name="fresh") as server:
        open_app(page, server.url, path="train", query="dataset=digits&epochs=7")
        expect(page.get_by_role("spinbutton", name="Epochs", exact=True)).to_have_value("7")
        expect(page.get_by_text(re.compile(r"classes: 0, 1, 2")).first).to_be_visible()
        for name in PAGE_SLUGS:
            expect(nav_link(page, name)).to_be_visible(timeout=5000)
        expect(page.get_by_text("not for clinical decisions").first).to_be_visible(timeout=5000)
        shot(page, "shared-link-fresh-server")


def test_download_model_card(page, app_server):
    open_app(page, app_server)
    train(page, 4)
    go(page, "Model")
    with page.expect_download() as info:
        button(page, "Model card (JSON)").click()
    download = info.value
    assert download.suggested_filename.endswith(".json")
    card = json.loads(open(download.path(), encoding="utf-8").read())
    assert card["dataset"]["name"] == "breast_cancer"
    assert card["training"]["epochs_trained"] == 4
    assert len(card["training"]["history"]) == 4
    assert card["training"]["config"]["optimizer"] == "sgd"
    assert card["class_names"] == ["benign", "malignant"] and card["positive_class"] == "malignant"
    n_features = len(card["feature_names"])
    assert n_features == 30
    assert len(card["normalization"]["mean"]) == len(card["normalization"]["scale"]) == n_features
    assert len(card["parameters"]["odds_ratio_per_sd"]) == n_features
    assert card["threshold"]["value"] == 0.5
    assert "not for clinical decisions" in card["intended_use"]
    counts = card["test_metrics"]["counts"]
    assert sum(counts[k] for k in ("tp", "fp", "tn", "fn")) == card["dataset"]["sizes"]["test"]
    with page.expect_download() as info:  # test predictions, each with its row in the bundled data
        button(page, "Test predictions (CSV)").click()
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    predictions = pd.read_csv(info.value.path())
    assert list(predictions.columns[:2]) == ["row", "y_true"] and len(predictions) == card["dataset"]["sizes"]["test"]
    truth = load_breast_cancer()
    assert predictions["y_true"].tolist() == [("malignant", "benign")[t] for t in truth.target[predictions["row"] - 1]]
    flagged = (predictions["predicted_class"] == "malignant") == (predictions["y_true"] == "malignant")
    assert int(flagged.sum()) == counts["tp"] + counts["tn"]
    shot(page, "model")
    # the file read back as uploaded scores: malignant positive, as its probability column names it, and at 0.5
    # the model card's test counts
    go(page, "Threshold")
    choose_radio(page, "Scores from", "Uploaded scores")
    upload(page, "test_predictions.csv", open(info.value.path(), "rb").read())
    expect(page.get_by_text("Columns: true class y_true (positive malignant), score probability_malignant",
                            exact=True)).to_be_visible()
    no_exception(page)
    assert confusion_counts(page) == {cell.upper(): str(counts[cell]) for cell in ("tp", "fn", "fp", "tn")}


def test_a_scores_files_own_column_names_are_chosen_on_the_page(page, app_server):
    """Neither column has a usual name: the pickers open with the error, and once the true class and the
    score are chosen, the matrix is scikit-learn's on the validation rows; the other positive class swaps it."""
    from sklearn.metrics import confusion_matrix

    rows = [(i, "MB"[(i * 7) % 3 == 0], round(((i * 37) % 71) / 100 + 0.3 * ((i * 7) % 3 != 0), 2)) for i in range(160)]
    csv = "case,final_dx,model_v2,split\n" + "".join(
        f"{i},{dx},{score},{'val' if i < 80 else 'test'}\n" for i, dx, score in rows)
    open_app(page, app_server)
    go(page, "Threshold")
    choose_radio(page, "Scores from", "Uploaded scores")
    upload(page, "odd.csv", csv.encode())
    expect(page.get_by_text("Could not use odd.csv: the scores file needs a column of true classes",
                            exact=False)).to_be_visible()

    def pick(label: str, option: str) -> None:
        box = page.get_by_role("combobox", name=label)
        # still, first: a list opened while its fold unfolds closes as the box moves
        wait_until(lambda: box.bounding_box() == (time.sleep(0.2) or box.bounding_box()), 10, f"{label} to settle")
        box.click()
        page.get_by_role("option", name=option, exact=True).click()
        wait_idle(page)

    pick("True class", "final_dx")
    pick("Score", "model_v2")
    expect(page.get_by_text("Columns: true class final_dx (positive M), score model_v2", exact=True)).to_be_visible()
    truth, scores = [dx for _, dx, _ in rows[:80]], [score for _, _, score in rows[:80]]
    for positive in ("M", "B"):
        if positive == "B":
            page.get_by_text("Columns: true class final_dx", exact=False).click()  # unfold the pickers
            pick("Positive class", "B")
        tn, fp, fn, tp = confusion_matrix([dx == positive for dx in truth], [s >= 0.5 for s in scores]).ravel()
        assert confusion_counts(page) == {"TP": str(tp), "FN": str(fn), "FP": str(fp), "TN": str(tn)}
    expect(page.get_by_text("Could not use", exact=False)).to_have_count(0)
    no_exception(page)


def test_two_models_scores_are_compared_on_the_roc_tab(page, app_server):
    """A file with two models' scores: the ROC tab offers the other column, draws both curves, and gives
    scikit-learn's AUCs for the test rows and DeLong's test; the matrix above stays the shown score's."""
    from sklearn.metrics import roc_auc_score

    y = [(i * 7) % 3 == 0 for i in range(240)]
    new = [round(((i * 37) % 71) / 100 + 0.35 * t, 3) for i, t in enumerate(y)]
    old = [round(((i * 53) % 89) / 100 + 0.15 * t, 3) for i, t in enumerate(y)]
    split = ["val" if i % 2 else "test" for i in range(240)]
    csv = "split,y_true,score,old_model\n" + "".join(
        f"{s},{int(t)},{a},{b}\n" for s, t, a, b in zip(split, y, new, old))
    open_app(page, app_server)
    go(page, "Threshold")
    choose_radio(page, "Scores from", "Uploaded scores")
    upload(page, "two.csv", csv.encode())
    choose_radio(page, "Split shown", "Test (for reporting)")
    counts = confusion_counts(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Compare with another model's scores")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name="old_model", exact=True).click()
    wait_idle(page)
    test = [i for i, s in enumerate(split) if s == "test"]
    auc_new = roc_auc_score([y[i] for i in test], [new[i] for i in test])
    auc_old = roc_auc_score([y[i] for i in test], [old[i] for i in test])
    said = page.get_by_text("DeLong's test for two ROC curves", exact=False)
    expect(said).to_contain_text("On the test split (40 positive, 80 negative cases)")
    shown = re.search(r"ROC AUC (\d\.\d{3}) for 'score' and (\d\.\d{3}) for 'old_model'", said.inner_text())
    # to the 3 decimals shown (0.8575 is said 0.857 or 0.858 as its last binary digit falls)
    assert shown and [float(v) for v in shown.groups()] == pytest.approx([auc_new, auc_old], abs=5e-4 + 1e-9)
    chart = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="ROC curves compared")
    expect(chart).to_contain_text(f"'old_model' (AUC {shown.group(2)})")
    chart.scroll_into_view_if_needed()
    shot(page, "threshold-two-models-compared")
    assert confusion_counts(page) == counts
    no_exception(page)
