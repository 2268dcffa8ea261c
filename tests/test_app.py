"""Streamlit AppTest tests of each page: widgets drive the core, bad input never loses work."""
import base64
import html
import json
import math
import re
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from logreg_core import TrainConfig, load_dataset
from logreg_core.report import METRIC_LABELS
from logreg_core.runs import run_training
from logreg_core.scores import read_scores
from logreg_core.threshold import Sweep, per_1000_people, threshold_texts
from ui import state, theme
from ui.state import ENDED, TrainedRun

from .apptest_support import (html_block, move_threshold, page_html, picker, seen, shown_counts,
                              slider_position_text, slider_text)

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def new_app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = str(value)
    return at.run()


def train(at: AppTest, epochs=8) -> AppTest:
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="epochs").set_value(epochs).run()
    at.button[0].click().run()  # Train
    end = time.time() + 60
    while time.time() < end and not (at.session_state["job"].done and at.session_state["job_collected"]):
        time.sleep(0.2)
        at.run()
    assert not at.exception
    return at


@pytest.fixture(scope="module")
def trained_app():
    return train(new_app())


def test_landing_page_says_what_to_do_and_is_not_for_clinical_decisions():
    at = new_app()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown) + " ".join(w.body for w in at.warning)
    assert "not for clinical decisions" in text and "Train" in text


def test_query_parameters_set_the_widgets_and_bad_ones_are_reported():
    at = new_app(epochs=7, lr=0.05, optimizer="adam", batch_size=32, seed=3, threshold=0.25)
    at.switch_page("app_pages/train.py").run()
    assert at.number_input(key="epochs").value == 7 and at.number_input(key="batch_size").value == 32
    assert at.select_slider(key="lr").value == 0.05 and at.selectbox(key="optimizer").value == "adam"
    assert at.query_params["epochs"] == "7" and at.query_params["threshold"] == "0.25"
    bad = new_app(epochs="lots")
    assert "epochs" in " ".join(w.body for w in bad.sidebar.warning)
    computed = new_app(lr=0.1 * 0.1).switch_page("app_pages/train.py").run()  # 0.010000000000000002
    assert computed.select_slider(key="lr").value == 0.01 and computed.select_slider(key="lr").options.count("0.01") == 1


def test_default_dataset_trains_and_fills_the_session(trained_app):
    run = trained_app.session_state["trained"]
    assert run.dataset.name == "breast_cancer" and len(run.result.history) == 8
    assert run.result.stopped_reason == "completed" and max(run.score_history) == 8
    assert len(trained_app.get("plotly_chart")) >= 2  # loss and accuracy curves


def test_stop_keeps_history():
    at = new_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="epochs").set_value(10_000).run()
    at.button[0].click().run()
    job = at.session_state["job"]
    end = time.time() + 30
    while len(job.history) < 3 and time.time() < end:
        time.sleep(0.05)
    at.button[1].click().run()  # Stop
    assert job.join(30)
    at.run()
    run = at.session_state["trained"]
    assert run.result.stopped_reason == "stopped" and len(run.result.history) >= 3


def test_slider_changes_the_confusion_matrix_numbers(trained_app):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    move_threshold(at, 0.05)
    first = shown_counts(at)
    move_threshold(at, 0.95)
    assert shown_counts(at) != first
    run = at.session_state["trained"]
    ds, val = run.dataset, run.score_history[max(run.score_history)][0]
    expected = Sweep.from_scores(ds.y_val, val).counts_at(0.95)
    assert shown_counts(at) == asdict(expected)
    assert at.session_state["threshold_how"] == "set by hand on the validation split"
    assert at.query_params["threshold"] == "0.95"


def test_a_typed_threshold_is_exact_and_one_beyond_the_scores_says_what_it_does(trained_app):
    """The slider's 0.001 steps reach 0.3 only by key presses; margins' steps never reach 0: a threshold fixed in
    advance is typed."""
    at = trained_app.switch_page("app_pages/threshold.py").run()
    at.number_input(key="typed_threshold").set_value(0.3).run()
    run = at.session_state["trained"]
    ds, val = run.dataset, run.score_history[max(run.score_history)][0]
    assert at.session_state["threshold_exact"] == 0.3 and at.session_state["threshold_how"] == "typed in"
    assert shown_counts(at) == asdict(Sweep.from_scores(ds.y_val, val).counts_at(0.3))
    assert at.number_input(key="typed_threshold").value is None and at.query_params["threshold"] == "0.3"
    at.number_input(key="typed_threshold").set_value(7.0).run()
    assert shown_counts(at)["tp"] + shown_counts(at)["fp"] == 0  # no one flagged
    assert any(i.value.startswith("7 is above the slider's range (0 to 1): it flags no one") for i in at.info)


def test_a_typed_threshold_of_zero_on_uploaded_margins_is_exactly_zero():
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    y = np.arange(90) % 2
    margins = np.round(np.sin(np.arange(90)) * 3 + y, 3)  # −3 to 4: the slider's steps pass 0 by
    csv = "y_true,score\n" + "\n".join(f"{t},{m}" for t, m in zip(y, margins))
    at.file_uploader(key="scores_upload").set_value(("margins.csv", csv.encode(), "text/csv")).run()
    at.number_input(key="typed_threshold").set_value(0.0).run()
    assert at.session_state["upload_threshold_exact"] == 0.0
    (tn, fp), (fn, tp) = confusion_matrix(y, (margins >= 0).astype(int))
    assert shown_counts(at) == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    at.run()  # margins: no tabs for probabilities, and the page says why rather than leave them out unsaid
    assert [t.label for t in at.tabs] == ["ROC and precision–recall", "Scores and metrics", "Per 1,000 people"]
    assert (f"No decision curve or calibration: they are for probabilities, from 0 to 1, and these scores run from "
            f"{margins.min():g} to {margins.max():g}.") in "\n".join(c.value for c in at.caption)


def test_a_threshold_between_whole_number_scores_is_also_said_as_the_whole_number_cut_off():
    """Finders put a threshold in the middle of a range (43.5 on 0–100 scores): the page and its report also
    give the cut-off a protocol would write, which flags the very same cases (checked with scikit-learn)."""
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(8)
    y = (rng.random(300) < 0.3).astype(int)
    s = np.clip(rng.normal(40 + 20 * y, 12), 0, 100).round()
    csv = "y_true,score\n" + "\n".join(f"{a},{b:g}" for a, b in zip(y, s))
    at.file_uploader(key="scores_upload").set_value(("risk.csv", csv.encode(), "text/csv")).run()
    next(b for b in at.button if b.label == "Max Youden").click().run()
    threshold = at.session_state["upload_threshold_exact"]
    assert threshold != round(threshold)  # between two scores
    cut = int(np.ceil(threshold))
    data = picker(at)  # a sentence for each position's threshold, as the slider shows them
    assert data["cuts"][-1] == f"On these whole-number scores, that is score ≥ {cut}."
    np.testing.assert_array_equal(confusion_matrix(y, s >= threshold), confusion_matrix(y, s >= cut))
    for t, text in zip(data["thresholds"], data["cuts"]):
        assert text == ("" if t == int(t) else f"On these whole-number scores, that is score ≥ {int(np.ceil(t))}.")
    at.number_input(key="typed_threshold").set_value(45.0).run()
    assert picker(at)["cuts"][-1] == ""  # a whole number already


def test_picker_has_the_cores_counts_and_rates_at_every_position(trained_app):
    """The browser only looks up what the page sent: each slider position's counts and rates are the core's,
    the row shares are counts over row totals, and the last entry is the page's own threshold."""
    at = trained_app.switch_page("app_pages/threshold.py").run()
    data = picker(at)
    run = at.session_state["trained"]
    sweep = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0])
    assert len(data["slider_text"]) == 1001 and len(data["thresholds"]) == 1002
    assert data["thresholds"][:1001] == [i / 1000 for i in range(1001)] and data["slider_text"][501] == "0.501"
    assert data["text"]["keys"] == "keys: ←/→ 0.001 · PgUp/PgDn 0.1 · Home/End"
    assert data["thresholds"][-1] == at.session_state["threshold_exact"]
    for i in (0, 250, 501, 1000, 1001):
        report = sweep.report(data["thresholds"][i])
        counts = report.counts
        assert {cell.lower(): values[i] for cell, values in data["counts"].items()} == asdict(counts)
        assert data["shares"]["TP"][i] == f"{100 * counts.tp / max(counts.positives, 1):.1f}%"
        assert data["shares"]["TN"][i] == f"{100 * counts.tn / max(counts.negatives, 1):.1f}%"
        assert data["shades"]["FN"][i] == round(counts.fn / max(counts.positives, 1), 2)
        for key in ("fpr", "fnr", "sensitivity", "specificity"):
            value = report.metrics[key].value
            assert data["rates"][key][i] == ("—" if value is None or math.isnan(value) else f"{value:.3f}")
        assert data["threshold_text"][i] == f"{data['thresholds'][i]:.4g}"
    table = html_block(at, "Metrics at this threshold")  # the tiles and the table show the same digits
    for key in ("fpr", "fnr", "sensitivity", "specificity"):
        label = html.escape(METRIC_LABELS[key][0])
        assert f'<th scope="row">{label}</th><td>{data["rates"][key][-1]}</td>' in table
    at.toggle(key="cm_share_all").set_value(True).run()
    shares = picker(at)["shares"]
    assert shares["FP"][250] == f"{100 * sweep.counts_at(0.25).fp / sweep.n:.1f}%"
    at.toggle(key="cm_share_all").set_value(False).run()


def test_the_slider_follows_the_page_but_not_back_over_the_users_move(trained_app):
    """A button, or a new scale, moves the slider (a new revision); the user's own move does not, so a
    rerun it causes cannot move the slider back while the user goes on moving it."""
    at = trained_app.switch_page("app_pages/threshold.py").run()
    before = picker(at)["current"]["revision"]
    move_threshold(at, 0.3)
    assert picker(at)["current"]["revision"] == before and slider_position_text(at) == "0.3"
    assert slider_text(at) == "0.3"
    at.run()  # the move reran the panel only (AppTest then holds just that): the whole page, to reach a button
    next(b for b in at.button if b.label == "Max Youden").click().run()
    assert picker(at)["current"]["revision"] != before
    at.toggle(key="logodds").set_value(True).run()
    data, threshold = picker(at), at.session_state["threshold_exact"]
    assert len(data["slider_text"]) == 2001 and data["text"]["label"] == "Decision threshold (log-odds)"
    assert data["text"]["keys"] == "keys: ←/→ 0.01 · PgUp/PgDn 2 · Home/End"
    assert float(slider_text(at)) == pytest.approx(math.log(threshold / (1 - threshold)), abs=0.01)
    move_threshold(at, data["thresholds"][1200])  # log-odds 2.00: the picker reports the probability
    assert at.session_state["threshold_exact"] == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert slider_text(at) == "2.00"
    at.toggle(key="logodds").set_value(False).run()
    assert slider_text(at) == f"{1 / (1 + math.exp(-2.0)):.4g}" and slider_position_text(at) == "0.881"


def test_log_odds_labels_read_as_numbers_round():
    from ui.threshold_picker import grid

    labels = grid(0, 1, True, True)
    assert [labels.logodds_text(t) for t in (0.4988, 0.5, 0.3, 0.0, 1.0)] == ["0.00", "0.00", "-0.85", "−∞", "∞"]


def test_a_slider_move_reruns_its_panel_and_the_copy_link_box_only(trained_app):
    """The threshold the user moved to is in the link at once, though the rest of the page does not rerun."""
    at = trained_app.switch_page("app_pages/threshold.py").run()
    assert "threshold=0.3&" not in at.code[0].value and at.title
    move_threshold(at, 0.3)
    assert not at.title and not at.button  # a fragment rerun: the page's title and buttons were not redrawn
    assert "threshold=0.3&" in at.code[0].value and slider_text(at) == "0.3"
    assert at.query_params["threshold"] == "0.3"
    at.run()
    assert "threshold=0.3&" in at.code[0].value


def test_charts_mark_the_cores_operating_point(trained_app):
    """The charts are built once per sweep and only their markers move: check they move to the right place.
    Only the open tab's charts are drawn, so each tab is opened in turn."""
    import json

    at = trained_app.switch_page("app_pages/threshold.py").run()
    run = at.session_state["trained"]
    sweep = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0])

    def charts(tab: str) -> dict:
        at.session_state["chart_tab"] = tab
        at.run()
        return {c.key: json.loads(c.proto.spec) for c in at.get("plotly_chart")}

    for value in (0.2, 0.7):
        move_threshold(at, value)
        report = sweep.report(value)
        roc = charts("ROC and precision–recall")
        assert set(roc) == {"roc", "pr"}  # the other tabs' charts are not drawn
        assert roc["roc"]["data"][-1]["cliponaxis"] is False  # a marker at a corner is drawn whole
        assert roc["roc"]["data"][-1]["x"][0] == pytest.approx(report.metrics["fpr"].value)
        assert roc["roc"]["data"][-1]["y"][0] == pytest.approx(report.metrics["sensitivity"].value)
        assert roc["pr"]["data"][-1]["y"][0] == pytest.approx(report.metrics["ppv"].value)
        title = roc["roc"]["layout"]["title"]  # the AUC and its interval on a line of their own: never cut off
        assert title["text"] == "ROC curve" and title["subtitle"]["text"].startswith(f"AUC {sweep.roc_auc():.3f} (")
        scores = charts("Scores and metrics")
        assert set(scores) == {"dist", "curves"}
        assert scores["dist"]["layout"]["shapes"][0]["x0"] == pytest.approx(value)
        assert scores["curves"]["layout"]["shapes"][0]["x0"] == pytest.approx(value)
        decision = charts("Decision curve")["dca"]["data"][-1]
        assert (decision["x"][0], decision["y"][0]) == pytest.approx((value, report.net_benefit))
        calibration = charts("Calibration")
        assert set(calibration) == {"calibration"}
        assert calibration["calibration"]["layout"]["shapes"][0]["x0"] == pytest.approx(value)
    at.session_state["chart_tab"] = "ROC and precision–recall"


@pytest.mark.parametrize("label,finder", [("Max Youden", "find_youden"), ("Max F1", "find_max_f1")])
def test_operating_point_buttons_move_the_slider_to_the_cores_answer(trained_app, label, finder):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    next(b for b in at.button if b.label == label).click().run()
    run = at.session_state["trained"]
    sweep = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0])
    answer = getattr(sweep, finder)()
    assert at.session_state["threshold_exact"] == pytest.approx(answer)
    assert slider_text(at) == f"{answer:.4g}" and slider_position_text(at) == f"{round(answer, 3):.4g}"
    assert slider_text(at) == picker(at)["threshold_text"][-1]  # the slider and the caption agree
    assert shown_counts(at) == asdict(sweep.counts_at(answer))
    # the link carries the threshold as the page labels it, which flags the same validation and test cases
    assert at.query_params["threshold"] == slider_text(at)  # 0.4682 for 0.46823105216026306
    linked = float(at.query_params["threshold"])
    shown = run.score_history[max(run.score_history)]  # the scores the page shows (float32)
    for y, scores in zip((run.dataset.y_val, run.dataset.y_test), shown):
        exact = Sweep.from_scores(y, scores)
        assert exact.counts_at(linked) == exact.counts_at(answer)


def test_min_cost_and_target_sensitivity_buttons(trained_app):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    run = at.session_state["trained"]
    sweep = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0])
    at.number_input(key="cost_ratio").set_value(5.0).run()
    next(b for b in at.button if b.label == "Min cost").click().run()
    assert at.session_state["threshold_exact"] == pytest.approx(sweep.find_min_cost(5.0))
    at.number_input(key="target_sens").set_value(0.9).run()
    at.button(key="target_sens_button").click().run()
    assert at.session_state["threshold_exact"] == pytest.approx(sweep.find_sensitivity(0.9))


def test_prevalence_recomputes_ppv_and_report_has_threshold_and_intervals(trained_app):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    # a threshold inside the scores, whatever an earlier test on this shared app left (one beyond them
    # flags no one: PPV and its interval are undefined)
    next(b for b in at.button if b.label == "Max Youden").click().run()
    at.number_input(key="prevalence").set_value(0.02).run()
    labels = [m.label for m in at.metric]
    assert "PPV at 2% prevalence" in labels and "NPV at 2% prevalence" in labels
    table = html_block(at, "Metrics at this threshold")
    split_prevalence = f"{100 * at.session_state['trained'].dataset.y_val.mean():.3g}%"  # the table's PPV is not 2%'s
    assert html.escape(f"PPV (precision), at these cases' prevalence {split_prevalence}") + "</th>" in table
    run = at.session_state["trained"]
    report = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0]).report(
        at.session_state["threshold_exact"])
    sens = report.metrics["sensitivity"]
    assert f"<td>{sens.value:.3f}</td><td>{sens.ci_low:.3f} – {sens.ci_high:.3f}</td>" in table
    label = threshold_texts([at.session_state["threshold_exact"]], np.sort(_all_scores(at)))[0]  # 4+ digits
    assert f"<caption>Every metric at threshold {label}</caption>" in table
    adjusted = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0]).report(
        at.session_state["threshold_exact"], prevalence=0.02).prevalence_adjusted
    captions = [c.value for c in at.caption]
    for key in ("ppv", "npv"):  # each prevalence-adjusted value comes with its interval
        est = adjusted[key]
        assert f"95% CI {est.ci_low:.3f} – {est.ci_high:.3f}" in captions
    # the icon array: every one of 1,000 people once, in the core's whole-people counts at 2%
    at.session_state["chart_tab"] = "Per 1,000 people"
    at.run()
    icons = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "per1000")["data"]
    people = per_1000_people(sens.value, report.metrics["specificity"].value, 0.02)
    dots = [[(x, y) for x, y in zip(t["x"], t["y"]) if x is not None] for t in icons]
    assert [len(d) for d in dots] == [people[k] for k in ("tp", "fn", "fp", "tn")]
    assert [t["name"].rsplit(": ", 1)[1] for t in icons] == [str(people[k]) for k in ("tp", "fn", "fp", "tn")]
    assert len({dot for d in dots for dot in d}) == 1000
    # coloured as the 2×2 table colours its cells: right calls blue, errors vermillion (the cleared grey)
    from ui.threshold_picker import CSS

    cell_rgb = dict(re.findall(r'\.cm td\[data-cell="(\w+)"\].*?background: rgb\((\d+ \d+ \d+)', CSS))
    rgb = {cell: "#{:02X}{:02X}{:02X}".format(*map(int, cell_rgb[cell].split())) for cell in ("TP", "FP")}
    assert [t["marker"]["color"] for t in icons] == [rgb["TP"], rgb["FP"], rgb["FP"], theme.PALETTE["grey"]]
    assert (f"of 1,000 people, {people['tp'] + people['fn']} are positive (malignant); the model flags "
            f"{people['tp'] + people['fp']}, of whom {people['tp']} truly are") in "\n".join(c.value for c in at.caption)
    spec = report.metrics["specificity"]  # and says which cases they rest on, with those cases' uncertainty
    assert (f"sensitivity {sens.value:.3f} (95% CI {sens.ci_low:.3f} – {sens.ci_high:.3f}) and specificity "
            f"{spec.value:.3f} ({spec.ci_low:.3f} – {spec.ci_high:.3f}) on the validation split "
            f"({len(run.dataset.y_val)} cases)") in "\n".join(c.value for c in at.caption)


def test_each_view_says_at_which_prevalence_its_numbers_are():
    """The Prevalence box changes the tiles, the per-1,000 view, a net benefit and the decision curve (drawn at
    both); the other curves stay at the cases' own prevalence. Each says which, and the box says how it read
    the number (0.5 is 50%, not 0.5%). The net benefit, at both, against scikit-learn's counts; the decision
    curve's axis reaches down to its marker."""
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(3)
    y = (rng.random(400) < 0.2).astype(int)
    s = np.clip(rng.normal(0.45 + 0.2 * y, 0.1), 0, 1).round(2)  # at 0.35 most negatives are flagged
    csv = "y_true,score\n" + "\n".join(f"{a},{b}" for a, b in zip(y, s))
    at.file_uploader(key="scores_upload").set_value(("risk.csv", csv.encode(), "text/csv")).run()
    at.number_input(key="typed_threshold").set_value(0.35).run()
    at.run()  # the whole page, after the panel's own rerun
    at.number_input(key="prevalence").set_value(0.5).run()
    captions = lambda: "\n".join(c.value for c in at.caption)  # noqa: E731
    assert "Read as 50%." in captions()
    own = f"{100 * y.mean():.3g}%"
    # the ROC and precision–recall tab
    assert (f"Precision (PPV) here is at the prevalence of all rows, {own}; the Prevalence box's 50% is in the PPV "
            "and NPV tiles, the per-1,000 view and the decision curve.") in captions()
    at.session_state["chart_tab"] = "Scores and metrics"
    at.run()
    assert f"PPV and NPV here are at the prevalence of all rows, {own};" in captions()
    at.session_state["chart_tab"] = "Per 1,000 people"
    at.run()
    assert "At the assumed population prevalence 50%: of 1,000 people, 500 are positive" in captions()
    at.session_state["chart_tab"] = "Decision curve"
    at.run()
    tn, fp, fn, tp = confusion_matrix(y, (s >= 0.35).astype(int)).ravel()
    odds = 0.35 / 0.65
    here, at_half = tp / len(y) - fp / len(y) * odds, 0.5 * tp / (tp + fn) - 0.5 * fp / (fp + tn) * odds
    assert here < -0.05  # below where the axis used to start
    text = next(m.value for m in at.markdown if "Net benefit at" in m.value)
    assert f"Net benefit at 0.35: **{here:.3f}** per person on these cases, **{at_half:.3f}** at the assumed " \
           "prevalence 50%." in text
    dca = lambda: next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "dca")  # noqa: E731
    # drawn at 50% too, bold, with the marker on it; the curve on the cases fades
    model, treat_all, _, model_at, treat_all_at, marker = dca()["data"]
    assert (model_at["name"], treat_all_at["name"]) == ("model at 50%", "treat all at 50%")
    assert model_at.get("visible", True) is True and model["opacity"] < 1 and model["name"] == "model, these cases"
    assert _plotly_array(model_at["y"])[34] == pytest.approx(at_half) and marker["y"] == [pytest.approx(at_half)]
    assert _plotly_array(treat_all_at["y"])[34] == pytest.approx(0.5 - 0.5 * odds)
    assert "Bold: net benefit per person at the assumed prevalence 50%" in captions()
    at.number_input(key="prevalence").set_value(None).run()
    model, _, _, model_at, _, marker = dca()["data"]
    assert model_at["visible"] is False and model["name"] == "model" and model.get("opacity", 1) == 1
    assert marker["y"] == [pytest.approx(here)] and dca()["layout"]["yaxis"]["range"][0] <= here
    assert "Enter a Prevalence to draw it for a population with that prevalence too." in captions()
    at.session_state["chart_tab"] = "Per 1,000 people"
    at.run()
    assert f"At the prevalence of all rows, {own} (the Prevalence box is empty): of 1,000 people" in captions()
    assert "Read as" not in captions() and "Precision (PPV) here" not in captions()


def test_people_expected_but_fewer_than_one_are_not_shown_as_none(trained_app):
    """At 1 in 10,000 the 0.1 positives expected per 1,000 round to no dot, and the legend and the
    caption say "<1", not 0 (no one missed) — as the core's per_1000_texts, checked against per_1000."""
    at = trained_app.switch_page("app_pages/threshold.py").run()
    at.number_input(key="prevalence").set_value(0.0001).run()
    at.session_state["chart_tab"] = "Per 1,000 people"
    at.run()
    icons = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "per1000")["data"]
    run = at.session_state["trained"]
    sens = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0]).report(
        at.session_state["threshold_exact"]).metrics["sensitivity"].value
    expected = ["<1" if people > 0 else "0" for people in (0.1 * sens, 0.1 * (1 - sens))]  # TP, FN of 0.1
    assert [t["name"].rsplit(": ", 1)[1] for t in icons][:2] == expected and "<1" in expected
    assert "of 1,000 people, <1 are positive (malignant)" in "\n".join(c.value for c in at.caption)
    at.number_input(key="prevalence").set_value(None).run()


def test_uploaded_percentages_are_fractions_and_the_page_says_how_it_read_them():
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    y = np.tile([0, 1, 1, 0, 1], 20)
    s = np.linspace(0.01, 0.99, 100)
    csv = "y_true,score\n" + "\n".join(f"{a},{round(b * 100)}%" for a, b in zip(y, s))
    at.session_state["uploaded_scores"] = ("percent.csv", read_scores(csv.encode()))
    at.run()
    assert not at.exception
    tn, fp, fn, tp = confusion_matrix(y, np.round(s, 2) >= 0.5).ravel()  # at the default 0.5: probabilities
    assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}
    assert "The score column has 100 value(s) written as a percentage, such as '1%': read as the fraction it " \
           "stands for (0.01), so thresholds are fractions too." in [i.value for i in at.info]


def test_uploaded_scores_work_without_training_and_labels_keep_the_digits_a_threshold_needs():
    """Counts on the validation rows as scikit-learn counts them; at the log-odds slider's end, 0.9999546,
    the labels read 0.99995 (scores lie between it and 1, so "1" would flag other cases)."""
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 300)
    s = rng.random(300) * 0.5 + 0.4 * y
    s[[0, 1]], y[[0, 1]] = [0.99996, 0.99999], 1  # validation rows only
    csv = "y_true,score,split\n" + "\n".join(f"{a},{b},{'val' if i < 150 else 'test'}" for i, (a, b) in enumerate(zip(y, s)))
    at.session_state["uploaded_scores"] = ("mine.csv", read_scores(csv.encode()))
    at.run()
    assert not at.exception
    end = 1 / (1 + np.exp(-10.0))
    for threshold in (0.5, end):
        if threshold == end:
            at = move_threshold(at, end)
        tn, fp, fn, tp = confusion_matrix(y[:150], s[:150] >= threshold).ravel()
        assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}
    assert (tp, fp) == (2, 0) and picker(at)["threshold_text"][-1] == "0.99995"
    assert any("<caption>Every metric at threshold 0.99995</caption>" in h.proto.body for h in at.get("html"))
    at.run()  # the slider's move reran its panel only
    at.radio(key="split_shown").set_value("test").run()  # one threshold, one label, whichever split is shown
    assert picker(at)["threshold_text"][-1] == picker(at)["current"]["text"] == "0.99995"
    # the link cannot carry the file or its threshold, and says so where it is copied
    assert "threshold=0.9999" not in at.sidebar.code[0].value
    assert any("Uploaded scores stay in this session" in c.value for c in at.sidebar.caption)
    at.radio(key="score_source").set_value("Trained model").run()
    assert not any("Uploaded scores stay" in c.value for c in at.sidebar.caption)


def test_removing_an_uploaded_scores_file_removes_its_scores_and_leaving_the_page_keeps_them():
    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    csv = "y_true,score\n" + "\n".join(f"{i % 2},{(i % 9) / 9}" for i in range(60))
    at.file_uploader(key="scores_upload").set_value(("mine.csv", csv.encode(), "text/csv")).run()
    assert at.session_state["uploaded_scores"][0] == "mine.csv" and sum(shown_counts(at).values()) == 60
    at.switch_page("app_pages/model.py").run().switch_page("app_pages/threshold.py").run()
    assert at.session_state["uploaded_scores"][0] == "mine.csv"
    assert any(i.value == "Showing **mine.csv**, uploaded earlier. Upload another file to replace it."
               for i in at.info)
    at.file_uploader(key="scores_upload").set_value(("mine.csv", csv.encode(), "text/csv")).run()
    at.file_uploader(key="scores_upload").set_value(None).run()  # the user's ✕
    assert not at.exception and "uploaded_scores" not in at.session_state
    assert at.radio(key="score_source").value == "Uploaded scores" and not page_html(at)  # nothing analysed


def scores_picker(at: AppTest, role: str):
    """The uploaded file's column picker for ``role`` (label, score, positive), under this reading's key."""
    return at.selectbox(key=f"scores_{role}_{at.session_state['scores_pickers_round']}")


def test_a_scores_file_with_its_own_column_names_is_read_once_they_are_chosen():
    """Neither column has a usual name: the page says what it needs and opens the pickers; once chosen, the
    counts are scikit-learn's on the validation rows, and choosing the other positive class swaps them."""
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(4)
    diagnosis = rng.choice(["M", "B"], 120)
    s = np.round(rng.random(120) * 0.6 + 0.3 * (diagnosis == "M"), 3)
    split = np.where(np.arange(120) < 60, "val", "test")
    csv = "case,final_dx,model_v2,split\n" + "".join(
        f"{i},{d},{v},{p}\n" for i, (d, v, p) in enumerate(zip(diagnosis, s, split)))
    at.file_uploader(key="scores_upload").set_value(("mine.csv", csv.encode(), "text/csv")).run()
    assert not at.exception and "uploaded_scores" not in at.session_state and not page_html(at)
    assert [e.value.replace("\\", "") for e in at.error] == [  # as written, without Markdown's escapes
        "Could not use mine.csv: the scores file needs a column of true classes (y_true, or one named target, "
        "label, class, …) and a column of scores (score, or one named y_score, y_prob, …, or "
        "probability_<class>); its columns are case, final_dx, model_v2, split: choose them (Threshold page: "
        "Columns; command line: --label-column or --score-column)"]
    assert at.expander[0].proto.expanded and scores_picker(at, "label").options == [
        "case", "final_dx", "model_v2", "split"]
    scores_picker(at, "label").set_value("final_dx").run()
    assert "needs a column of scores" in at.error[0].value and scores_picker(at, "positive").options == ["B", "M"]
    scores_picker(at, "score").set_value("model_v2").run()
    assert not at.exception and not at.error and at.session_state["uploaded_scores"][0] == "mine.csv"
    tn, fp, fn, tp = confusion_matrix(diagnosis[:60] == "M", s[:60] >= 0.5).ravel()
    assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}
    assert scores_picker(at, "positive").value == "M"  # guessed, as a usual positive name, and said so
    assert any("'M' in column 'final_dx' was taken as the positive class" in i.value.replace("\\", "")
               for i in at.info)
    assert at.expander[0].label.replace("\\", "") == "Columns: true class final_dx (positive M), score model_v2"
    scores_picker(at, "positive").set_value("B").run()
    tn, fp, fn, tp = confusion_matrix(diagnosis[:60] == "B", s[:60] >= 0.5).ravel()
    assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}
    scores_picker(at, "score").set_value("split").run()  # text, not scores: said, and the last reading stays
    assert "the split column holds text ('test', 'val'), not numbers" in at.error[0].value.replace("\\", "")
    assert any(i.value.replace("\\", "") == "Still showing mine.csv as read before: true class final_dx "
               "(positive B), score model_v2." for i in at.info)
    assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}
    scores_picker(at, "score").set_value("model_v2").run()
    at.switch_page("app_pages/model.py").run().switch_page("app_pages/threshold.py").run()  # the choice stays
    assert scores_picker(at, "positive").value == "B" and scores_picker(at, "score").value == "model_v2"
    assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn} and not at.error


def test_a_typed_threshold_stays_for_another_models_column_and_a_found_one_goes():
    """Two models' scores in one file, compared at one threshold typed in: it stays when the score column
    changes, and the counts are scikit-learn's for each column; a threshold a finder found goes back to 0.5."""
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(13)
    y = rng.integers(0, 2, 150)
    a, b = np.round(rng.random(150) * 0.7 + 0.2 * y, 3), np.round(rng.random(150) * 0.5 + 0.4 * y, 3)
    csv = "y_true,model_a,model_b\n" + "".join(f"{t},{u},{v}\n" for t, u, v in zip(y, a, b))
    at.file_uploader(key="scores_upload").set_value(("two.csv", csv.encode(), "text/csv")).run()
    scores_picker(at, "score").set_value("model_a").run()
    at.number_input(key="typed_threshold").set_value(0.35).run()
    at.run()  # the box reran its panel only: the whole page, pickers included
    for scores, column in ((a, "model_a"), (b, "model_b")):
        if column == "model_b":
            scores_picker(at, "score").set_value(column).run()
        tn, fp, fn, tp = confusion_matrix(y, scores >= 0.35).ravel()
        assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}, column
        assert at.session_state["upload_threshold_exact"] == 0.35
    assert "uploaded scores (two.csv, score column model_b)" in picker(at)["text"]["tail"]  # the column shown
    next(b for b in at.button if b.label == "Max Youden").click().run()
    at.run()
    scores_picker(at, "score").set_value("model_a").run()
    assert (at.session_state["upload_threshold_exact"], at.session_state["upload_threshold_how"]) == (
        0.5, "default")  # max Youden was found on model_b's scores, not model_a's
    tn, fp, fn, tp = confusion_matrix(y, a >= 0.5).ravel()
    assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}


def test_a_multiclass_predictions_file_is_read_for_the_positive_class_chosen():
    """A probability column per class: choosing the positive class reads its column as the score."""
    from sklearn.metrics import confusion_matrix

    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(6)
    p = rng.dirichlet(np.ones(3), 90)
    truth = np.array(["cat", "dog", "fox"])[rng.integers(0, 3, 90)]
    csv = "row,y_true,probability_cat,probability_dog,probability_fox\n" + "".join(
        f"{i + 1},{t},{a},{b},{c}\n" for i, (t, (a, b, c)) in enumerate(zip(truth, p)))
    at.file_uploader(key="scores_upload").set_value(("animals.csv", csv.encode(), "text/csv")).run()
    assert not at.error  # a choice to make, asked for, not an error
    assert any("a probability column per class (probability_cat, probability_dog, probability_fox): choose the "
               "positive class" in i.value.replace("\\", "") for i in at.info)
    assert scores_picker(at, "label").value == "y_true" and scores_picker(at, "score").value is None
    for code, cls in ((1, "dog"), (2, "fox")):  # the score follows the positive class to its own column
        scores_picker(at, "positive").set_value(cls).run()
        assert not at.exception and not at.error and scores_picker(at, "score").value == f"probability_{cls}"
        tn, fp, fn, tp = confusion_matrix(truth == cls, p[:, code] >= 0.5).ravel()
        assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn}
        assert not any("rank the other class" in w.value for w in at.warning)


@pytest.mark.parametrize("page", ["app_pages/threshold.py", "app_pages/model.py", "app_pages/data.py"])
def test_pages_that_stop_early_keep_the_copy_link_box_and_the_links_warnings(page):
    """"Train a model first" (or "upload a file") stops the page: the sidebar still offers the link and
    names what the link got wrong, which is what someone opening a shared link sees first."""
    at = new_app(dataset="csv", epochs=-1).switch_page(page).run()
    assert not at.exception
    assert [w.body for w in at.sidebar.warning] == [
        "Ignored invalid link settings: epochs=-1 (use 1 to 10,000; 200 used)"]
    assert at.sidebar.code and "dataset=csv&epochs=200&" in at.sidebar.code[0].value


def test_flag_no_one_is_shown_as_such_when_scores_reach_1():
    """When flagging no one is cheapest the core answers +inf; the page must not make that 1.0, which
    still flags every score of exactly 1.0 (float32 probabilities saturate there)."""
    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(4)
    y = np.r_[np.ones(53, int), np.zeros(47, int)]
    s = np.r_[rng.random(53) * 0.9, rng.random(42) * 0.5, np.ones(5)]  # five negatives at exactly 1.0
    rows = [f"{a},{b!r},val" for a, b in zip(y, map(float, s))] + [f"{a},{b!r},test" for a, b in zip(y, map(float, s))]
    at.session_state["uploaded_scores"] = ("ones.csv", read_scores(("y_true,score,split\n" + "\n".join(rows)).encode()))
    at.run()
    at.number_input(key="cost_ratio").set_value(0.001).run()
    next(b for b in at.button if b.label == "Min cost").click().run()
    assert not at.exception and not at.error
    assert Sweep.from_scores(y, s).find_min_cost(0.001) == np.inf
    assert shown_counts(at) == {"tp": 0, "fn": 53, "fp": 0, "tn": 47}


def test_unsplit_scores_say_why_they_are_not_split():
    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    csv = "y_true,score,split\n" + "\n".join(f"{i % 2},{(i % 9) / 9},val" for i in range(60))
    at.session_state["uploaded_scores"] = ("val_only.csv", read_scores(csv.encode()))
    at.run()
    assert not at.exception
    assert any(w.value.startswith("The split column holds validation rows only: operating points are chosen and "
                                  "reported on the same rows") and "Give the split column both val and test rows"
               in w.value for w in at.warning), [w.value for w in at.warning]
    assert any(i.value.startswith("These rows have only 30 positives and 30 negatives") for i in at.info)


def test_scores_that_are_not_probabilities_get_a_slider_over_their_range():
    """Margins from −5 to 5: 1,001 positions from the lowest score to the highest, shown with 4 digits."""
    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 200)
    s = rng.normal(size=200) + 1.5 * y
    csv = "y_true,score\n" + "\n".join(f"{a},{b}" for a, b in zip(y, s))
    at.session_state["uploaded_scores"] = ("margins.csv", read_scores(csv.encode()))
    at.run()
    data = picker(at)
    assert at.session_state["upload_threshold_exact"] == 0.0  # margins: 0 is their boundary, not 0.5
    assert data["current"]["how"] == "default for scores of both signs"
    assert shown_counts(at)["tp"] + shown_counts(at)["fp"] == (s >= 0).sum()
    assert data["thresholds"][0] == s.min() and data["thresholds"][1000] == s.max()
    assert data["slider_text"][1000] == f"{s.max():.4g}"
    move_threshold(at, data["thresholds"][1000])
    assert shown_counts(at)["tp"] + shown_counts(at)["fp"] == (s >= data["thresholds"][1000]).sum() >= 1


def test_invalid_settings_show_an_error_not_a_traceback():
    at = new_app()
    at.switch_page("app_pages/train.py").run()
    at.session_state["setup"]["lr"] = float("nan")
    at.button[0].click().run()
    assert not at.exception and any("learning_rate" in seen(e.value) for e in at.error)


@pytest.mark.parametrize("key,label,typed,used,said", [
    ("epochs", "Epochs", 100_000, 10_000, "a whole number from 1 to 10,000: 100,000"),
    ("batch_size", "Batch size", 0, 1, "a whole number from 1 to 100,000: 0"),
    ("l2", "L2 penalty", 1e9, 100.0, "from 0 to 100: 1,000,000,000"),
    ("seed", "Seed", -1, 0, "a whole number from 0 to 4,294,967,295: -1"),
    ("early_stopping", "Early stopping patience", -5, 0, "a whole number from 0 to 1,000: -5"),
    # what the browser sends for "1e9" and for 20 digits (a whole-number box read them as 1 and as an overflow)
    ("early_stopping", "Early stopping patience", 1e9, 1000, "a whole number from 0 to 1,000: 1,000,000,000"),
    ("seed", "Seed", 1e20, 2**32 - 1, "a whole number from 0 to 4,294,967,295: 1e+20"),
    ("epochs", "Epochs", 12.5, 13, "a whole number from 1 to 10,000: 12.5"),
])
def test_a_typed_setting_out_of_range_becomes_the_nearest_allowed_and_the_page_says_so(key, label, typed, used, said):
    """The browser refused these with only a red border, and Train used the last number the box took."""
    at = new_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key=key).set_value(typed).run()
    assert [w.value for w in at.warning] == [f"{label} must be {said} was entered, so it is {used:,.10g}."]
    assert at.number_input(key=key).value == used and at.session_state["setup"][key] == used
    assert type(at.session_state["setup"][key]) is type(state.DEFAULTS[key])
    at.run()
    assert not at.warning  # said once
    next(b for b in at.button if b.label == "Train").click().run()
    job = at.session_state["job"]
    job.stop()
    assert job.join(60) and getattr(job.config, key) == used


@pytest.mark.parametrize("key,label,typed,used", [
    ("cost_ratio", "Cost ratio (FN:FP)", 0.0, 0.001), ("cost_ratio", "Cost ratio (FN:FP)", 5e6, 1e6),  # 1,000,000
    ("target_sens", "Target sensitivity", 1.01, 1.0), ("target_sens", "Target sensitivity", 150.0, 1.0),
    ("target_sens", "Target sensitivity", -0.2, 0.01),
])
def test_a_population_number_out_of_range_becomes_the_nearest_allowed_and_the_page_says_so(trained_app, key, label,
                                                                                           typed, used):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    at.number_input(key=key).set_value(typed).run()
    low, high = state.POPULATION[key][2]
    assert f"{label} must be from {low:,.10g} to {high:,.10g}: {typed:,.10g} was entered, so it is {used:,.10g}." in [
        w.value for w in at.warning]
    assert at.number_input(key=key).value == at.session_state[f"{key}_kept"] == used
    at.run()
    assert not any("must be from" in w.value for w in at.warning)  # said once
    at.number_input(key=key).set_value(state.POPULATION[key][1]).run()


def test_a_target_sensitivity_typed_as_a_percentage_is_read_as_one_as_prevalence_is(trained_app):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    at.number_input(key="target_sens").set_value(90).run()
    assert "Target sensitivity must be from 0.01 to 1: 90 is read as 90% = 0.9." in [w.value for w in at.warning]
    assert at.number_input(key="target_sens").value == at.session_state["target_sens_kept"] == 0.9
    at.button(key="target_sens_button").click().run()
    run = at.session_state["trained"]
    sweep = Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0])
    assert at.session_state["threshold_exact"] == pytest.approx(sweep.find_sensitivity(0.9))
    assert at.session_state["threshold_how"] == "sensitivity ≥ 0.9, found on validation"
    at.number_input(key="target_sens").set_value(90.1).run()  # 0.901, the decimal typed, not 90.1 / 100
    assert at.session_state["target_sens_kept"] == float("0.901")
    at.number_input(key="target_sens").set_value(0.95).run()


def test_script_runs_leave_tensorflow_alone(trained_app, monkeypatch):
    """Streamlit resets Keras (and with it TensorFlow's kernel cache) after every script run unless
    ui/tf_guard.py stops it; with the Train page refreshing, that starved training."""
    import keras

    resets = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *args, **kwargs: resets.append(args))
    trained_app.run()
    trained_app.switch_page("app_pages/train.py").run()
    assert not trained_app.exception
    assert resets == []


def test_a_garbled_threshold_from_the_browser_is_refused_and_the_threshold_kept(trained_app):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    before = at.session_state["threshold_exact"]
    at = move_threshold(at, "not a number")
    assert not at.exception and at.session_state["threshold_exact"] == before
    assert any("threshold" in e.value for e in at.error), [e.value for e in at.error]


def _export_button(at: AppTest):
    return next(b for b in at.button if b.label == "Prepare SavedModel (zip)")


def test_savedmodel_export_gives_a_zip_that_serves_the_sessions_model(trained_app, tmp_path):
    import io
    import zipfile

    from logreg_core.export import load_saved_model

    at = trained_app.switch_page("app_pages/model.py").run()
    _export_button(at).click().run()
    assert not at.exception and not at.error
    assert "SavedModel (zip)" in [b.label for b in at.get("download_button")]
    run_id, packed = at.session_state["saved_model_zip"]
    zipfile.ZipFile(io.BytesIO(packed)).extractall(tmp_path)
    run = at.session_state["trained"]
    model, ds = run.result.model, run.dataset
    assert run_id == run.run_id
    import tensorflow as tf

    served = load_saved_model(tmp_path / "logreg_model")(features=tf.constant(ds.X_test, tf.float64))
    np.testing.assert_allclose(served["probabilities"].numpy(), model.predict_proba(ds.X_test), atol=1e-12)


def test_a_failed_export_is_reported_and_the_model_kept(trained_app, monkeypatch):
    import logreg_core.export

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(logreg_core.export, "saved_model_zip", fail)
    at = trained_app.switch_page("app_pages/model.py").run()
    before = at.session_state["trained"]
    _export_button(at).click().run()
    assert not at.exception
    assert any("Could not build the SavedModel" in e.value and "No space left" in e.value for e in at.error)
    assert at.session_state["trained"] is before


def _model_caption(at: AppTest) -> str:
    at.switch_page("app_pages/model.py").run()
    return next(c.value for c in at.caption if c.value.startswith("Run "))


def test_the_population_numbers_stay_across_pages_and_travel_with_the_threshold_and_how_it_was_found():
    """A clinician's prevalence, cost ratio and target outlive a visit to another page, and a link carries
    them with the threshold and how it was found: its reader sees 'from the link: minimum cost …', not
    'default' (a shortened threshold can read 0.5)."""
    at = train(new_app(), epochs=30).switch_page("app_pages/threshold.py").run()
    at.number_input(key="prevalence").set_value(0.01).run()
    at.number_input(key="cost_ratio").set_value(10.0).run()
    at.number_input(key="target_sens").set_value(0.9).run()
    next(b for b in at.button if b.label == "Min cost").click().run()
    how = at.session_state["threshold_how"]
    assert how == "minimum cost at 10:1, prevalence 0.01, found on validation"
    at.switch_page("app_pages/model.py").run()
    at.switch_page("app_pages/threshold.py").run()
    assert [at.number_input(key=k).value for k in ("prevalence", "cost_ratio", "target_sens")] == [0.01, 10.0, 0.9]
    link = dict(at.query_params)
    assert (link["prevalence"], link["cost"], link["target_sens"], link["how"]) == ("0.01", "10", "0.9", how)
    reader = new_app(**link)
    train(reader, epochs=30).switch_page("app_pages/threshold.py").run()
    assert [reader.number_input(key=k).value for k in ("prevalence", "cost_ratio", "target_sens")] == [0.01, 10.0, 0.9]
    assert picker(reader)["current"]["how"] == f"from the link: {how}"
    assert f"(from the link: {how})" in _model_caption(reader)
    assert dict(reader.query_params)["how"] == how  # shared on, it stays the finder's words
    plain = new_app(prevalence="2", cost="lots")  # out of range, not a number: named, and the defaults stay
    assert "prevalence" in plain.sidebar.warning[0].body and "cost" in plain.sidebar.warning[0].body
    plain.switch_page("app_pages/threshold.py").run()
    assert "how" not in dict(plain.query_params)
    # a how without its threshold, or not in the app's own words, is named and not shown
    for bad in ({"how": how}, {"threshold": "abc", "how": how}, {"threshold": "0.4", "how": "[approved](http://x)"},
                {"threshold": "0.4", "how": "from the link"}):
        odd = new_app(**bad)
        assert "how" in odd.sidebar.warning[0].body and "how" not in dict(odd.query_params), bad
    # shown only while the link's dataset and threshold are the set-up's
    moved = new_app(**link)
    moved.switch_page("app_pages/data.py").run()
    moved.radio(key="source_label").set_value("Synthetic").run()
    train(moved, epochs=2)
    assert "(from the link)" in _model_caption(moved) and "how" not in dict(moved.query_params)


def test_the_prevalence_box_can_be_emptied_again_and_stays_so():
    """Empty means the split's own prevalence; a value once typed must not make the empty box its minimum."""
    at = train(new_app(), epochs=2).switch_page("app_pages/threshold.py").run()
    at.number_input(key="prevalence").set_value(0.02).run()
    at.number_input(key="prevalence").set_value(None).run()
    assert at.number_input(key="prevalence").value is None and "prevalence" not in dict(at.query_params)
    at.switch_page("app_pages/model.py").run()
    at.switch_page("app_pages/threshold.py").run()
    assert at.number_input(key="prevalence").value is None
    at.number_input(key="cost_ratio").set_value(123456.5).run()
    assert dict(at.query_params)["cost"] == "123456.5"  # in full: the link's Min cost is the same



def test_run_history_numbers_are_short_whatever_the_loss():
    """Adam at learning rate 10 drives the validation loss to ~1e-32: written in full it pushed the table's
    last columns out of view."""
    at = train(new_app(lr=10, optimizer="adam"), epochs=200)
    at.toggle(key="slow_motion").set_value(False).run()
    row = at.dataframe[0].value.iloc[0]
    kept = at.session_state["trained"].result.kept_history[-1]  # the kept model's loss, beside its accuracy
    assert row["val loss"] == f"{kept['val_loss']:.4g}" and len(row["val loss"]) <= 10 and row["lr"] == "10"
    assert row["val accuracy"] == kept["val_accuracy"]
    at.toggle(key="presentation").set_value(True).run()
    assert "10.0" not in at.table[0].value.to_string()


def test_an_emptied_number_box_keeps_its_number_and_says_so():
    """Emptied, or given letters (which the browser empties), a box took its default without a word: Epochs 37
    became 200. It keeps the number it held, and the page says why."""
    at = train(new_app(), epochs=2).switch_page("app_pages/threshold.py").run()
    for key, label, typed in (("cost_ratio", "Cost ratio (FN:FP)", 5.0), ("target_sens", "Target sensitivity", 0.8)):
        at.number_input(key=key).set_value(typed).run()
        at.number_input(key=key).set_value(None).run()  # what the browser sends for an emptied box
        assert at.number_input(key=key).value == typed, key
        assert f"{label} was left empty, or not a number: it stays {typed:g}." in [w.value for w in at.warning]
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="epochs").set_value(37).run()
    at.number_input(key="epochs").set_value(None).run()
    assert at.number_input(key="epochs").value == 37 and at.session_state["setup"]["epochs"] == 37
    assert [w.value for w in at.warning] == ["Epochs was left empty, or not a number: it stays 37."]
    at.run()
    assert not at.warning  # said once


def test_a_threshold_on_uploaded_scores_stays_with_them(tmp_path):
    """Margins from another model, thresholded at −4, must not become the trained model's threshold
    (its Model page, card, predictions and SavedModel); each source keeps its own."""
    at = train(new_app(), epochs=3)
    at.switch_page("app_pages/threshold.py").run()
    next(b for b in at.button if b.label == "Max F1").click().run()
    model_threshold = at.session_state["threshold_exact"]
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    csv = "y_true,score\n" + "\n".join(f"{a},{b}" for a, b in zip(y, rng.normal(size=200) + 2 * y - 1))
    at.session_state["uploaded_scores"] = ("margins.csv", read_scores(csv.encode()))
    at.run()
    move_threshold(at, -1.5)
    assert not at.exception and at.session_state["upload_threshold_exact"] == -1.5
    assert at.session_state["setup"]["threshold"] == model_threshold == at.session_state["threshold_exact"]
    label = threshold_texts([model_threshold], np.sort(_all_scores(at)))[0]  # the Threshold page's label
    assert at.query_params["threshold"] == label
    assert f"Threshold {label} (max F1, found on validation)" in _model_caption(at)
    at.switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Trained model").run()
    assert not at.exception and shown_counts(at) == asdict(
        Sweep.from_scores(*_val_scores(at)).counts_at(model_threshold))
    at.radio(key="score_source").set_value("Uploaded scores").run()
    assert picker(at)["thresholds"][-1] == -1.5  # the uploaded scores' own threshold, kept


def _all_scores(at: AppTest):
    run = at.session_state["trained"]
    return np.concatenate(run.score_history[max(run.score_history)])


def _val_scores(at: AppTest):
    run = at.session_state["trained"]
    return run.dataset.y_val, run.score_history[max(run.score_history)][0]


def test_a_found_threshold_is_found_again_for_a_new_run_and_one_typed_in_stays():
    """A finder's threshold follows its rule to the next model: min cost at 10:1 is searched again on run 2's
    validation scores (the number run 1's scores gave means nothing for run 2's); checked against the expected
    cost of every threshold scikit-learn's roc_curve gives. A typed threshold, fixed in advance, stays, and the
    page names the run it was set on."""
    from sklearn.metrics import roc_curve

    at = train(new_app(), epochs=3)
    at.switch_page("app_pages/threshold.py").run()
    at.number_input(key="cost_ratio").set_value(10.0).run()
    next(b for b in at.button if b.label == "Min cost").click().run()
    first = at.session_state["threshold_exact"]
    assert picker(at)["current"]["how"] == "minimum cost at 10:1, found on validation"
    train(at, epochs=40)  # run 2, a different model
    y, p = _val_scores(at)
    fpr, tpr, cuts = roc_curve(y, p, drop_intermediate=False)
    cost = 10 * (1 - tpr) * y.sum() + fpr * (len(y) - y.sum())  # FN·10 + FP at each of sklearn's thresholds
    found = at.session_state["threshold_exact"]
    fp, fn = int(((p >= found) & (y == 0)).sum()), int(((p < found) & (y == 1)).sum())
    assert np.isclose(10 * fn + fp, cost.min()) and found != first
    assert at.session_state["setup"]["threshold"] == found and at.session_state["threshold_run"] == 2
    assert any("Threshold found again for run 2" in t.value for t in at.toast)
    assert "(minimum cost at 10:1, found on validation)" in _model_caption(at)  # no "on run 1": this run's
    at.switch_page("app_pages/threshold.py").run()
    assert picker(at)["current"]["how"] == "minimum cost at 10:1, found on validation"
    assert np.isclose(shown_counts(at)["fn"] * 10 + shown_counts(at)["fp"], cost.min())
    at.number_input(key="typed_threshold").set_value(0.3).run()
    train(at, epochs=5)  # run 3: a typed threshold stays, and says which run it was set on
    assert at.session_state["setup"]["threshold"] == 0.3
    assert "(typed in, on run 2)" in _model_caption(at)


def test_a_found_threshold_follows_to_data_without_its_view_class():
    """Found for digits' class 8, then data of three classes: found again for the page's first class, as the
    Threshold page then shows it (max Youden's J against scikit-learn's roc_curve)."""
    from sklearn.metrics import roc_curve

    at = train(new_app(dataset="digits"), epochs=3)
    at.switch_page("app_pages/threshold.py").run()
    at.selectbox(key="view_class").set_value("8").run()
    next(b for b in at.button if b.label == "Max Youden").click().run()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Synthetic").run()
    at.slider(key="n_classes").set_value(3).run()
    train(at, epochs=5)
    assert not at.exception and any("Threshold found again for run 2" in t.value for t in at.toast)
    y, p = _val_scores(at)
    fpr, tpr, _ = roc_curve(y == 0, p[:, 0], drop_intermediate=False)
    found = at.session_state["threshold_exact"]
    flagged = p[:, 0] >= found
    assert np.isclose(flagged[y == 0].mean() - flagged[y != 0].mean(), (tpr - fpr).max())
    at.switch_page("app_pages/threshold.py").run()
    assert not at.exception and picker(at)["current"]["how"] == "max Youden's J, found on validation"


def test_an_untouched_threshold_is_called_the_default_everywhere():
    at = train(new_app(), epochs=3)
    assert "Threshold 0.5 (default)" in _model_caption(at)
    at.switch_page("app_pages/threshold.py").run()
    assert picker(at)["current"]["how"] == "default"
    at = train(new_app(threshold=0.3), epochs=3)
    assert "Threshold 0.3 (from the link)" in _model_caption(at)


def test_uploaded_scores_for_the_other_class_are_said_to_rank_the_wrong_way_round():
    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    benign = np.round(1 / (1 + np.exp((2 * y - 1) * 2 + rng.normal(0, 1, 200))), 4)  # P(the other class)
    csv = "y_true,score\n" + "".join(f"{a},{b}\n" for a, b in zip(y, benign))
    at.session_state["uploaded_scores"] = ("benign.csv", read_scores(csv.encode()))
    at.run()
    notes = [w.value for w in at.warning if "below 0.5: higher scores go with the negative class" in w.value]
    from sklearn.metrics import roc_auc_score
    assert len(notes) == 1 and f"ROC AUC is {roc_auc_score(y, benign):.3f}" in notes[0], [w.value for w in at.warning]


def test_a_split_whose_classes_do_not_overlap_says_so():
    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    csv = "y_true,score\n" + "\n".join(["0,0.1", "0,0.35", "1,0.6", "1,0.8"] * 10)
    at.session_state["uploaded_scores"] = ("easy.csv", read_scores(csv.encode()))
    at.run()
    assert any("do not overlap: every threshold above 0.35 and up to 0.6 makes no error" in i.value for i in at.info)
    csv = "y_true,score\n" + "\n".join(["0,0.1", "1,0.35", "0,0.6", "1,0.8"] * 10)
    at.session_state["uploaded_scores"] = ("hard.csv", read_scores(csv.encode()))
    at.run()
    assert not any("do not overlap" in i.value for i in at.info)


def test_pages_without_a_model_say_what_a_shared_link_brings():
    """... and link to the page that goes on: Train, or Data for a CSV (a link landing here had no way on)."""
    def linked(at):
        return [(link.proto.label, link.proto.page) for link in at.get("page_link")]

    at = new_app(epochs=30, lr=0.05).switch_page("app_pages/threshold.py").run()
    assert any("A shared link brings its settings, not a trained model" in i.value for i in at.info)
    assert linked(at) == [("Go to the Train page", "train")]
    at = new_app().switch_page("app_pages/model.py").run()
    assert [i.value for i in at.info] == ["Train a model on the **Train** page first."]
    assert linked(at) == [("Go to the Train page", "train")]
    at = new_app(dataset="csv").switch_page("app_pages/model.py").run()  # the file itself is not in a link
    assert any("not an uploaded file or a trained model: upload the CSV on the **Data** page" in i.value
               for i in at.info)
    assert linked(at) == [("Go to the Data page", "data")]


def test_a_scores_file_on_the_data_page_points_to_the_threshold_page():
    at = new_app().switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Upload CSV").run()
    rows = "\n".join(f"{i % 2},{0.3 + 0.4 * (i % 2) + i / 1000:.3f}" for i in range(60))
    at.file_uploader[0].set_value(("scores.csv", f"y_true,score\n{rows}\n".encode(), "text/csv")).run()
    assert not at.exception
    assert any("looks like a file of scores" in i.value and "Uploaded scores" in i.value for i in at.info)
    at.file_uploader[0].set_value(("data.csv", f"x,y_true\n{rows}\n".encode(), "text/csv")).run()
    assert not any("looks like a file of scores" in i.value for i in at.info)


def test_slow_motion_pace():
    from ui.training import shown_epochs

    assert [shown_epochs(200, 200, t) for t in (0.0, 0.5, 2.5, 4.99, 5.0, 60.0)] == [1, 21, 101, 200, 200, 200]
    assert shown_epochs(37, 200, 60.0) == 37  # never more than are done
    assert shown_epochs(10, 10, 0.2) == 9 and shown_epochs(10, 10, 0.25) == 10  # 40 epochs a second
    assert shown_epochs(10_000, 10_000, 2.5) == 5_001  # a long run still replays within 5 s


def _curve_points(at: AppTest) -> int:
    loss = next(c for c in at.get("plotly_chart") if c.key == "loss_curve")
    return len(json.loads(loss.proto.spec)["data"][0]["x"])


def _progress_text(at: AppTest) -> str:
    return at.get("progress")[0].proto.text


def test_a_run_too_fast_to_see_is_drawn_in_slow_motion_then_whole():
    """200 epochs of breast cancer train in about half a second; slow motion draws them over 5 s, the
    model being kept at once. Switched off, the whole run is drawn as soon as it is done."""
    at = new_app()
    at.switch_page("app_pages/train.py").run()
    at.button[0].click().run()
    assert at.session_state["job"].join(60)
    at.run()
    assert "trained" in at.session_state  # the model is there before the replay ends
    drawn = _curve_points(at)
    assert 0 < drawn < 200 and "slow motion (trained in" in _progress_text(at)
    time.sleep(5)
    at.run()
    assert _curve_points(at) == 200 and _progress_text(at).startswith("Finished: 200 epochs in")
    at.toggle(key="slow_motion").set_value(False).run()
    at.button[0].click().run()
    assert at.session_state["job"].join(60)
    at.run()
    assert _curve_points(at) == 200 and _progress_text(at).startswith("Finished: 200 epochs in")


def test_training_toggles_outlive_a_visit_to_another_page():
    at = new_app()
    at.switch_page("app_pages/train.py").run()
    at.toggle(key="balanced").set_value(True).run()
    at.toggle(key="slow_motion").set_value(False).run()
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/train.py").run()
    assert at.toggle(key="balanced").value is True and at.toggle(key="slow_motion").value is False
    assert at.session_state["balanced"] is True


def test_test_curves_are_hidden_until_asked_for(trained_app):
    at = trained_app.switch_page("app_pages/train.py").run()

    def traces() -> list[str]:
        loss = next(c for c in at.get("plotly_chart") if c.key == "loss_curve")
        return [trace["name"] for trace in json.loads(loss.proto.spec)["data"]]

    assert traces() == ["train", "validation"]
    assert "test accuracy" not in at.dataframe[0].value.columns  # nor in the run history
    chosen = at.selectbox(key="optimizer")  # the history names the optimizer as the selector does, not "sgd"
    assert list(at.dataframe[0].value["optimizer"]) == [chosen.format_func(chosen.value)] == ["SGD"]
    at.toggle(key="show_test_curves").set_value(True).run()
    assert traces() == ["train", "validation", "test"]
    assert "test accuracy" in at.dataframe[0].value.columns
    at.toggle(key="show_test_curves").set_value(False).run()


def test_run_history_names_the_dataset_only_when_runs_differ_in_it():
    """Every run on the dataset the page's caption names: its column gave way to the numbers (at 1400 px the
    test accuracy and "ended" columns were scrolled out of view)."""
    at = train(new_app(), epochs=1)
    assert "dataset" not in at.dataframe[0].value.columns
    at.switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Digits").run()
    at = train(at, epochs=1)
    assert at.dataframe[0].value["dataset"].tolist() == [load_dataset("digits").title,
                                                         load_dataset("breast_cancer").title]


def test_run_history_is_a_wrapping_table_in_presentation_mode(trained_app):
    at = trained_app.switch_page("app_pages/train.py").run()
    assert len(at.dataframe) == 1 and not at.table
    at.session_state["presentation"] = True
    at.run()
    assert len(at.table) == 1 and not at.dataframe
    shown = at.table[0].value  # the run number is a column: Streamlit hides an index that looks like a range
    assert shown["run"].tolist() == [r.run_id for r in reversed(at.session_state["runs"])]
    assert shown["lr"].tolist() == [f"{r.config.learning_rate}" for r in reversed(at.session_state["runs"])]
    assert shown["seed"].tolist() == [r.config.seed for r in reversed(at.session_state["runs"])]  # which split
    # every run on the dataset the page names: its column gives the room to the numbers
    assert "dataset" not in shown.columns and {r.dataset.title for r in at.session_state["runs"]} == {
        at.session_state["dataset"].title}
    at.session_state["presentation"] = False
    at.run()


def test_model_page_predicts_and_exports_at_a_threshold_of_zero_and_names_where_it_was_found(monkeypatch):
    """0 is a threshold like any other (every probability reaches it), not "no threshold": the predictions,
    the test predictions, the SavedModel and the card all use it. The card says a threshold was found on
    validation only when a finder found it there."""
    import pandas as pd

    import logreg_core.export as export

    cards, exported = [], []
    real_card = export.model_card
    monkeypatch.setattr(export, "model_card", lambda *a, **k: cards.append(k["threshold"]) or real_card(*a, **k))
    monkeypatch.setattr(export, "saved_model_zip", lambda model, threshold, card: exported.append(threshold) or b"zip")
    at = train(new_app(threshold=0), epochs=2).switch_page("app_pages/model.py").run()
    ds = at.session_state["trained"].dataset
    rows = pd.DataFrame(ds.X_test[:6], columns=ds.feature_names)
    at.file_uploader(key="predict_upload").set_value(("new.csv", rows.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert set(at.dataframe[-1].value["predicted_class"]) == {"malignant"}
    _export_button(at).click().run()
    assert exported == [0.0]
    assert cards[-1] == {"value": 0.0, "chosen_by": "from the link", "split": None,
                         "convention": "positive when score ≥ threshold"}
    at.switch_page("app_pages/threshold.py").run()
    next(b for b in at.button if b.label == "Max Youden").click().run()
    at.switch_page("app_pages/model.py").run()
    assert cards[-1]["split"] == "validation" and cards[-1]["chosen_by"] == "max Youden's J, found on validation"


def test_a_threshold_set_by_hand_on_the_test_split_is_flagged_on_the_model_page_and_in_the_card(monkeypatch):
    """Test metrics at a threshold tuned while looking at test are optimistic: the card and the page say so."""
    import logreg_core.export as export

    cards = []
    real_card = export.model_card
    monkeypatch.setattr(export, "model_card", lambda *a, **k: cards.append(real_card(*a, **k)) or cards[-1])
    at = train(new_app(), epochs=3).switch_page("app_pages/threshold.py").run()
    at.radio(key="split_shown").set_value("test").run()
    move_threshold(at, 0.3)
    at.switch_page("app_pages/model.py").run()
    assert any("set looking at the test split" in w.value for w in at.warning), [w.value for w in at.warning]
    assert cards[-1]["threshold"]["split"] == "test"
    assert cards[-1]["threshold"]["chosen_by"] == "set by hand on the test split"
    assert "optimistic" in cards[-1]["threshold"]["warning"]
    at.switch_page("app_pages/threshold.py").run()
    at.radio(key="split_shown").set_value("val").run()
    move_threshold(at, 0.4)  # on validation: no warning
    at.switch_page("app_pages/model.py").run()
    assert not any("test split" in w.value for w in at.warning)
    assert cards[-1]["threshold"]["split"] == "validation" and "warning" not in cards[-1]["threshold"]


def test_the_model_card_reads_the_test_split_for_the_threshold_pages_population(monkeypatch):
    """The card's test metrics are at the Threshold page's prevalence and cost ratio, and rank as
    scikit-learn ranks the test scores."""
    from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

    import logreg_core.export as export

    cards = []
    real_card = export.model_card
    monkeypatch.setattr(export, "model_card", lambda *a, **k: cards.append(real_card(*a, **k)) or cards[-1])
    at = train(new_app(), epochs=3).switch_page("app_pages/threshold.py").run()
    at.number_input(key="prevalence").set_value(0.02).run()
    at.number_input(key="cost_ratio").set_value(8.0).run()
    run = at.session_state["trained"]
    # the page says the expected cost at its threshold, on validation, beside flagging no one and everyone
    y_val, p_val = run.dataset.y_val, run.score_history[max(run.score_history)][0]
    tn, fp, fn, tp = confusion_matrix(y_val, p_val >= at.session_state["threshold_exact"]).ravel()
    cost = 8 * 0.02 * fn / (tp + fn) + 0.98 * fp / (tn + fp)
    assert (f"Expected cost per person at the assumed population prevalence 0.02: {cost:.3f}, in units of one false "
            f"alarm (flagging no one: {8 * 0.02:.3f}; flagging everyone: 0.980).") in "\n".join(
        c.value for c in at.caption)
    at.switch_page("app_pages/model.py").run()
    metrics, threshold = cards[-1]["test_metrics"], cards[-1]["threshold"]["value"]
    y, p = run.dataset.y_test, run.result.model.predict_proba(run.dataset.X_test)
    tn, fp, fn, tp = confusion_matrix(y, p >= threshold).ravel()
    sens, spec = tp / (tp + fn), tn / (tn + fp)
    assert metrics["prevalence_adjusted"]["ppv"]["value"] == pytest.approx(
        0.02 * sens / (0.02 * sens + 0.98 * (1 - spec)), abs=1e-12)
    assert metrics["cost_ratio"] == 8.0
    assert metrics["expected_cost"] == pytest.approx(8 * 0.02 * (1 - sens) + 0.98 * (1 - spec), abs=1e-12)
    assert metrics["roc_auc"] == pytest.approx(roc_auc_score(y, p), abs=1e-9)
    assert metrics["average_precision"] == pytest.approx(average_precision_score(y, p), abs=1e-9)
    # the net benefit at both prevalences, each named as such (the card gave the split's alone, beside the cost
    # at the population's)
    odds = threshold / (1 - threshold)
    assert metrics["net_benefit"] == pytest.approx(tp / len(y) - fp / len(y) * odds, abs=1e-12)
    assert metrics["prevalence_adjusted"]["net_benefit"] == pytest.approx(0.02 * sens - 0.98 * (1 - spec) * odds,
                                                                          abs=1e-12)
    assert metrics["split_prevalence"] == pytest.approx(y.mean())
    assert metrics["prevalence_note"] == (
        f"counts, metrics and net_benefit are the test split's, at its own prevalence ({y.mean():.4g}); "
        "prevalence_adjusted and expected_cost are at the population prevalence assumed, 0.02.")
    at.switch_page("app_pages/threshold.py").run()
    at.number_input(key="prevalence").set_value(None).run()
    at.number_input(key="cost_ratio").set_value(1.0).run()


def test_a_threshold_found_at_one_epoch_says_so_at_another():
    at = train(new_app(), epochs=4)
    at.switch_page("app_pages/threshold.py").run()
    next(b for b in at.button if b.label == "Max Youden").click().run()
    assert picker(at)["current"]["how"] == "max Youden's J, found on validation"
    at.select_slider(key="epoch_scrubber").set_value(1).run()
    assert picker(at)["current"]["how"] == "max Youden's J, found on validation, at epoch 4"
    assert "(max Youden's J, found on validation)" in _model_caption(at)  # the kept model is epoch 4's


def app_with_mine_csv() -> tuple[AppTest, bytes]:
    """A session that uploaded mine.csv (60 rows, two numbers, a yes/no outcome) on the Data page."""
    at = new_app().switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Upload CSV").run()
    rows = "\n".join(f"{i % 7},{(i * 3) % 11},{'yes' if i % 2 else 'no'}" for i in range(60))
    raw = f"a,b,outcome\n{rows}\n".encode()
    at.file_uploader[0].set_value(("mine.csv", raw, "text/csv")).run()
    return at, raw


def test_a_new_file_without_the_last_files_target_takes_its_own_guess_in_silence():
    """A target chosen for one file is no news for the next file that lacks it (a link's target is: see below);
    one the next file has too is kept."""
    at, _ = app_with_mine_csv()
    at.selectbox(key="csv_target").set_value("b").run()
    rows = "\n".join(f"{i % 5},{(i * 7) % 13},{i % 2}" for i in range(60))
    at.file_uploader[0].set_value(("other.csv", f"x,y,label\n{rows}\n".encode(), "text/csv")).run()
    assert not at.exception and at.selectbox(key="csv_target").value == "label"
    assert not [i.value for i in at.info if "this data has no" in i.value]
    rows = "\n".join(f"{i % 3},{i % 4},{i % 2}" for i in range(60))
    at.selectbox(key="csv_target").set_value("x").run()
    at.file_uploader[0].set_value(("v2.csv", f"x,y,label\n{rows}\n".encode(), "text/csv")).run()
    assert at.selectbox(key="csv_target").value == "x"  # a newer version of the file: the choice stays


def test_a_new_file_with_other_labels_takes_its_own_positive_class():
    """A 0/1 file's guessed positive "1" made the next file, labelled 0/1/2, one-vs-rest without a word; a newer
    version of a file, with the same labels, keeps the class chosen."""
    at = new_app().switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Upload CSV").run()

    def upload(name, labels):
        rows = "\n".join(f"{i % 7},{(i * 3) % 11},{labels[i % len(labels)]}" for i in range(90))
        at.file_uploader[0].set_value((name, f"a,b,target\n{rows}\n".encode(), "text/csv")).run()
        assert not at.exception and not at.error
        return at.session_state["base_dataset"]

    assert upload("binary.csv", "01").positive_class == "1"
    three = upload("three.csv", "012")
    assert three.class_names == ["0", "1", "2"]
    assert at.selectbox(key="csv_positive").value == "(multiclass: all classes)"
    at.selectbox(key="csv_positive").set_value("2").run()
    assert upload("three_v2.csv", "0122").positive_class == "2"  # the same labels: the choice stays


def test_an_uploaded_multiclass_file_has_one_control_for_one_vs_rest():
    """The file's Positive class trains one class against the rest; a second control ("Train as") beside it
    could say the opposite, and a one-vs-rest choice left from the digits must not reach the file."""
    at = new_app(dataset="digits").switch_page("app_pages/data.py").run()
    at.radio(key="train_as").set_value(state.ONE_VS_REST).run()
    at.radio(key="source_label").set_value("Upload CSV").run()
    rows = "\n".join(f"{i % 7},{(i * 3) % 11},{i % 3}" for i in range(90))
    at.file_uploader[0].set_value(("three.csv", f"a,b,target\n{rows}\n".encode(), "text/csv")).run()
    assert not at.exception and not [r for r in at.radio if r.key == "train_as"]
    captions = [c.value for c in at.caption]
    assert "To train one class against the rest, choose it as **Positive class** above." in captions
    assert at.session_state["dataset"].class_names == ["0", "1", "2"]
    at.radio(key="source_label").set_value("Digits").run()
    assert at.radio(key="train_as").value == state.ONE_VS_REST  # the digits' own choice is still there


def test_a_link_carries_an_uploaded_csvs_target_positive_class_and_header_choice():
    """The file stays with its owner, but the choices that shape the data travel: whoever opens the link
    and uploads the same file trains on the same target and positive class."""
    rows = "\n".join(f"{i % 7};{['north', 'south', 'east'][i % 3]};{'yes' if i % 2 else 'no'}" for i in range(90))
    raw = f"a;region;outcome\n{rows}\n".encode()

    def upload(at):
        at.radio(key="source_label").set_value("Upload CSV").run()
        at.file_uploader[0].set_value(("regions.csv", raw, "text/csv")).run()
        return at

    at = upload(new_app().switch_page("app_pages/data.py").run())
    # the Copy link box, drawn after the page: the file's first load is already in it
    assert "target=outcome" in at.sidebar.code[0].value and "header=Detect" in at.sidebar.code[0].value
    at.radio(key="csv_header").set_value("Yes").run()
    at.selectbox(key="csv_target").set_value("region").run()
    at.selectbox(key="csv_positive").set_value("south").run()
    assert at.session_state["base_dataset"].positive_class == "south"
    link = dict(at.query_params)
    assert (link["dataset"], link["header"], link["target"], link["positive"]) == ("csv", "Yes", "region", "south")
    opened = upload(new_app(**link).switch_page("app_pages/data.py").run())
    assert not opened.exception and not opened.error
    assert opened.selectbox(key="csv_target").value == "region" and opened.radio(key="csv_header").value == "Yes"
    assert opened.session_state["base_dataset"].positive_class == "south"
    np.testing.assert_array_equal(opened.session_state["base_dataset"].y_val, at.session_state["base_dataset"].y_val)
    other = upload(new_app(dataset="csv", target="nowhere", positive="west").switch_page("app_pages/data.py").run())
    assert not other.exception and other.selectbox(key="csv_target").value == "outcome"  # not in the file: the guess
    assert "Target column: this data has no 'nowhere' (chosen before, or in the link), so it is 'outcome'." in [
        i.value for i in other.info]


def test_classes_that_do_not_overlap_point_a_files_owner_to_the_other_split_not_to_synthetic_data():
    at = new_app().switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Upload CSV").run()
    rows = "\n".join(f"{(i % 2) * 10 + (i % 5) / 10},{'yes' if i % 2 else 'no'}" for i in range(80))
    at.file_uploader[0].set_value(("apart.csv", f"x,outcome\n{rows}\n".encode(), "text/csv")).run()
    at = train(at, epochs=2).switch_page("app_pages/threshold.py").run()
    apart = [i.value for i in at.info if "the classes do not overlap" in i.value]
    assert len(apart) == 1 and apart[0].endswith("The other split may show the trade-off."), apart


def test_an_uploaded_csv_in_use_is_named_after_a_visit_to_another_page():
    at, _ = app_with_mine_csv()
    assert at.session_state["base_dataset"].name == "mine.csv"
    at.switch_page("app_pages/train.py").run()
    at.switch_page("app_pages/data.py").run()
    assert any("Using **mine.csv**, uploaded earlier" in i.value for i in at.info)
    at.radio(key="source_label").set_value("Breast cancer").run()
    at.radio(key="source_label").set_value("Upload CSV").run()
    assert not any("uploaded earlier" in i.value for i in at.info)


def test_a_continued_then_stopped_run_counts_epochs_on_from_the_first_run():
    at = train(new_app(), epochs=5)
    at.number_input(key="epochs").set_value(10_000).run()
    next(b for b in at.button if b.label == "Continue").click().run()
    job = at.session_state["job"]
    end = time.time() + 60
    while len(job.history) < 3 and time.time() < end:
        time.sleep(0.05)
    next(b for b in at.button if b.label == "Stop").click().run()
    assert job.join(30)
    at.toggle(key="slow_motion").set_value(False).run()
    done = len(job.history)
    assert _progress_text(at).startswith(f"Stopped: {done} epochs in ")
    assert _progress_text(at).endswith(f" by you; the weights of epoch {5 + done} are kept")
    assert not any("Stopped by request" in i.value for i in at.info)  # said once, in the progress line
    history = at.dataframe[0].value.set_index("run")["epochs"]
    assert history.to_dict() == {2: f"6–{5 + done} (continues run 1)", 1: "1–5"}
    # the curves go on from run 1's, with a line where Continue was pressed
    loss = json.loads(next(c for c in at.get("plotly_chart") if c.key == "loss_curve").proto.spec)
    first = at.session_state["runs"][0].result.history
    assert loss["data"][1]["x"] == list(range(1, 6 + done))
    assert loss["data"][1]["y"][:5] == [h["val_loss"] for h in first]
    assert [shape["x0"] for shape in loss["layout"]["shapes"]] == [5]
    assert [a["text"] for a in loss["layout"]["annotations"] if a["text"] == "Continue"] == ["Continue"]
    # in presentation mode the line is named in the legend: its label by the line sat on the legend
    at.toggle(key="presentation").set_value(True).run()
    loss, accuracy = (json.loads(next(c for c in at.get("plotly_chart") if c.key == f"{m}_curve").proto.spec)
                      for m in ("loss", "accuracy"))
    for figure in (loss, accuracy):
        assert [shape["x0"] for shape in figure["layout"]["shapes"]] == [5]
        assert not [a for a in figure["layout"].get("annotations", []) if a["text"] == "Continue"]
    assert loss["layout"]["showlegend"] and [t["name"] for t in loss["data"]][-1] == "Continue"
    assert loss["data"][-1]["line"]["dash"] == loss["layout"]["shapes"][0]["line"]["dash"] == "dot"


def training_in_slow_motion(monkeypatch, epochs: int, replayed: int) -> tuple[AppTest, object]:
    """The Train page after Train, with a replay that stays at epoch ``replayed``; and the job."""
    from ui import training

    at = new_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="epochs").set_value(epochs).run()
    monkeypatch.setattr(training, "shown_epochs", lambda done, total, seconds: min(done, replayed))
    next(b for b in at.button if b.label == "Train").click().run()
    return at, at.session_state["job"]


def test_stop_in_slow_motion_shows_where_training_was_and_which_epoch_was_on_screen(monkeypatch):
    """Training runs ahead of the slow-motion replay: Stop landed hundreds of epochs past the epoch on screen,
    unexplained. Now the curves jump to the stop and the page names both epochs."""
    at, job = training_in_slow_motion(monkeypatch, 10_000, replayed=2)
    end = time.time() + 60
    while len(job.history) < 5 and time.time() < end:
        time.sleep(0.05)
        at.run()
    next(b for b in at.button if b.label == "Stop").click().run()
    done = len(job.history)
    assert job.done and done >= 5
    assert f"Slow motion showed epoch 2 when you pressed Stop; training itself, at full speed, had reached epoch " \
        f"{done}." in [c.value for c in at.caption]
    assert _progress_text(at).startswith(f"Stopped: {done} epochs in ")
    loss = json.loads(next(c for c in at.get("plotly_chart") if c.key == "loss_curve").proto.spec)
    assert loss["data"][0]["x"] == list(range(1, done + 1))  # every epoch trained, not the 2 replayed


def test_stop_during_the_replay_of_a_finished_run_says_training_had_already_finished(monkeypatch):
    """A fast run finishes at full speed while slow motion replays it; the Stop button, drawn before the run
    ended, could still be pressed: it ended the replay and the page said "Finished: 30 epochs", unexplained."""
    at, job = training_in_slow_motion(monkeypatch, 30, replayed=4)
    assert job.join(60) and len(job.history) == 30
    stop = next(b for b in at.button if b.label == "Stop")  # as drawn while the run was under way
    assert not stop.disabled
    stop.click().run()
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Slow motion showed epoch 4 when you pressed Stop, but training itself, at full speed, "
                            "had already finished all 30 epochs in ") and c.endswith(": the model is epoch 30's. To "
                            "look at an earlier epoch, use the epoch scrubber on the Threshold page, or train fewer "
                            "epochs.") for c in captions), captions
    assert _progress_text(at).startswith("Finished: 30 epochs in ")
    assert at.session_state["runs"][-1].result.stopped_reason == "completed"


def test_slow_motion_draws_the_boundary_and_the_bar_of_the_epoch_on_screen(monkeypatch):
    """The boundary waited for the replay's end, while the Train tip promised it "as the model trains"; after
    Continue the bar counted the continued part only while its label counted on from the earlier run."""
    from ui import training

    at = train(new_app(dataset="synthetic", n_samples=300), epochs=4)
    monkeypatch.setattr(training, "shown_epochs", lambda done, total, seconds: min(done, 3))  # a slow replay
    next(b for b in at.button if b.label == "Continue").click().run()
    assert at.session_state["job"].join(60)
    at.run()
    assert _progress_text(at).startswith("Epoch 7 of 8 — slow motion")
    assert at.get("progress")[0].proto.value == int(100 * 7 / 8)  # as its label: epoch 7 of 8
    job = at.session_state["job"]
    boundary = json.loads(next(c for c in at.get("plotly_chart") if c.key == "boundary").proto.spec)
    assert boundary["layout"]["title"]["text"] == "Decision boundary after epoch 7 (training points)"
    probability = _plotly_array(boundary["data"][0]["z"])  # the contour: epoch 7's P(positive)
    xs, ys = _plotly_array(boundary["data"][0]["x"]), _plotly_array(boundary["data"][0]["y"])
    grid = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
    epoch_7 = job.snapshot()["boundary_models"][2]
    np.testing.assert_allclose(probability.ravel(), epoch_7.predict_proba(grid), rtol=1e-6)
    assert not np.allclose(probability.ravel(), job.result.model.predict_proba(grid), rtol=1e-6)
    monkeypatch.setattr(training, "shown_epochs", lambda done, total, seconds: done)  # the replay is over
    at.run()
    boundary = json.loads(next(c for c in at.get("plotly_chart") if c.key == "boundary").proto.spec)
    assert boundary["layout"]["title"]["text"] == "Decision boundary after epoch 8 (training points)"
    assert at.get("progress")[0].proto.value == 100


def test_in_presentation_mode_the_boundary_sits_beside_the_curves_with_its_line_black():
    """Under the curves, the boundary was below a 768 px projector screen's edge: in presentation mode it is
    the third chart of their row, and the caption names what its legend no longer has room for. Its P = 0.5
    line is black in both modes (coloured "lines", Plotly took the line's colour from the scale)."""
    at = train(new_app(dataset="synthetic", n_samples=300), epochs=3)
    at.toggle(key="slow_motion").set_value(False).run()

    def rows() -> list[list[str]]:
        return [[c.key for c in column.get("plotly_chart")] for column in at.columns if column.get("plotly_chart")]

    def boundary() -> dict:
        return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "boundary")

    assert rows() == [["loss_curve"], ["accuracy_curve"]]  # normal mode: under them, at full width
    line = next(t for t in boundary()["data"] if t.get("name") == "boundary (P = 0.5)")
    assert (line["contours"]["coloring"], line["line"]["color"]) == ("none", "black")
    at.toggle(key="presentation").set_value(True).run()
    assert rows() == [["loss_curve"], ["accuracy_curve"], ["boundary"]]
    spec = boundary()
    assert spec["layout"]["title"]["text"] == "Boundary, epoch 3"
    assert [t["name"] for t in spec["data"] if t.get("showlegend", True)] == ["negative", "positive"]
    assert any("black line: P = 0.5; shading: P(positive), red high, blue low" in c.value for c in at.caption)
    curve = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "loss_curve")
    assert spec["layout"]["height"] == curve["layout"]["height"]  # one row, as high


def test_a_continued_run_before_its_first_epoch_counts_on_and_keeps_the_earlier_curves(monkeypatch):
    """Until a continued run's first epoch is in (here: waiting for a slot that never frees), the page says
    where it resumes, "Epoch 5 of 10", not "Epoch 0 of 5", and still shows the earlier run's curves."""
    import logreg_core.jobs as jobs
    from ui import training

    at = train(new_app(), epochs=5)
    monkeypatch.setattr(jobs, "_default_slots", jobs.JobSlots(0))  # every slot taken
    next(b for b in at.button if b.label == "Continue").click().run()
    job = at.session_state["job"]
    try:
        assert job.state == "queued" and not job.history and training.waits(job)
        assert _progress_text(at) == "Epoch 5 of 10"
        loss = json.loads(next(c for c in at.get("plotly_chart") if c.key == "loss_curve").proto.spec)
        assert loss["data"][1]["x"] == [1, 2, 3, 4, 5]  # run 1's validation curve
    finally:
        job.stop()
        assert job.join(10)


def test_a_job_waits_only_for_a_slot_or_tensorflows_import():
    from logreg_core.jobs import JobSlots, TrainingJob
    from logreg_core.tf_runtime import tensorflow
    from ui import training

    tensorflow()
    dataset, config = load_dataset("breast_cancer"), TrainConfig(epochs=1)
    assert not training.waits(TrainingJob(dataset, config, slots=JobSlots(1)))  # its first epoch is moments away
    assert training.waits(TrainingJob(dataset, config, slots=JobSlots(0)))


def test_an_early_stopped_run_is_shown_at_its_kept_epoch_and_continues_from_it():
    """Early stopping keeps an earlier epoch's weights: the run history, the Model page and the Threshold
    page show that epoch, and Continue's curves go on from it (the discarded epochs are not drawn)."""
    at = train(new_app(dataset="synthetic", lr=10, early_stopping=2), epochs=500)
    run = at.session_state["trained"]
    history, kept = run.result.history, run.result.model.epochs_trained
    last = history[-1]["epoch"]
    assert run.result.stopped_reason == "early_stopped" and kept == last - 2
    at.toggle(key="slow_motion").set_value(False).run()
    assert at.get("progress")[0].proto.value == 100  # it ended as designed, long before the 500 epochs asked
    row = at.dataframe[0].value.set_index("run").loc[run.run_id]
    assert row["epochs"] == f"1–{last}, kept {kept}" and row["ended"] == "stopped early"
    assert row["val accuracy"] == history[kept - 1]["val_accuracy"] != history[-1]["val_accuracy"]
    at.switch_page("app_pages/model.py").run()
    assert f": {kept} epoch{'s' * (kept != 1)}, stopped early." in _model_caption(at)
    at.switch_page("app_pages/threshold.py").run()
    scrubber = [s for s in at.select_slider if s.key == "epoch_scrubber"]
    assert (scrubber[0].value if scrubber else max(run.score_history)) == kept
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="early_stopping").set_value(0).run()
    at.number_input(key="epochs").set_value(3).run()
    next(b for b in at.button if b.label == "Continue").click().run()
    assert at.session_state["job"].join(60)
    at.toggle(key="slow_motion").set_value(False).run()
    loss = json.loads(next(c for c in at.get("plotly_chart") if c.key == "loss_curve").proto.spec)
    assert loss["data"][1]["x"] == list(range(1, kept + 4))
    assert loss["data"][1]["y"][:kept] == [h["val_loss"] for h in history[:kept]]


def test_a_continued_run_that_diverges_names_the_epoch_it_kept_and_that_epochs_accuracy():
    ds = load_dataset("breast_cancer")
    first = run_training(ds, TrainConfig(epochs=2))
    diverged = run_training(ds, TrainConfig(epochs=9, learning_rate=1e38), initial=first.model)
    assert diverged.stopped_reason == "diverged" and diverged.model.epochs_trained == 2
    row = TrainedRun(2, ds, diverged, continues=1).summary(show_test=True)
    assert row["epochs"] == "3–7, kept 2 (continues run 1)" and row["ended"] == ENDED["diverged"]
    assert row["val accuracy"] == pytest.approx(first.history[-1]["val_accuracy"], abs=1e-6)
    assert row["test accuracy"] == pytest.approx(first.history[-1]["test_accuracy"], abs=1e-6)
    assert TrainedRun(1, ds, first).summary()["epochs"] == "1–2"
    one = run_training(ds, TrainConfig(epochs=1), initial=first.model)
    assert TrainedRun(3, ds, one, continues=1).summary()["epochs"] == "3 (continues run 1)"


def test_the_train_page_says_whose_curves_it_shows_after_the_data_changed():
    at = train(new_app(), epochs=2)
    at.switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Digits").run()
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert any(c.value.startswith("These curves are the last run's, on **Breast cancer (Wisconsin)** as it was then")
               for c in at.caption), [c.value for c in at.caption]
    cont = next(b for b in at.button if b.label == "Continue")
    assert cont.disabled and "the data has changed since" in cont.help
    # and so do the Threshold and Model pages, which showed the old model as if it were on the data chosen now
    note = ("This is run 1's model, trained on **Breast cancer (Wisconsin)**; the data chosen now is **Digits (8×8)**: "
            "press **Train** on the Train page to train on it.")
    for page in ("threshold", "model"):
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception and any(c.value.endswith(note) for c in at.caption), page
    at.switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Breast cancer").run()
    at.switch_page("app_pages/threshold.py").run()
    assert not any(c.value.endswith(note) for c in at.caption)  # back on its data


def test_an_overlaid_run_on_other_data_is_named_with_its_dataset():
    at = train(new_app(), epochs=2)
    at.switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Digits").run()
    at = train(at, epochs=2)
    at.multiselect(key="overlay_runs").set_value([1]).run()
    loss = json.loads(next(c for c in at.get("plotly_chart") if c.key == "loss_curve").proto.spec)
    names = [t.get("name") for t in loss["data"]]
    assert names == ["train (this run)", "validation (this run)", "run 1 (Breast cancer (Wisconsin)) (validation)"]
    colours = [t["line"]["color"] for t in loss["data"]]  # the other run's line is no shade of this run's
    assert len(set(colours)) == 3 and colours[2] not in theme.SPLIT_COLOURS.values()
    assert colours[2] not in (theme.PALETTE["vermillion"], theme.PALETTE["yellow"])  # near validation's orange


def test_an_overlaid_continued_run_is_drawn_from_its_first_runs_start():
    """Drawn as "this run" a continued run's curve starts at epoch 1; overlaid, it started at the epoch it
    resumed from, as if it were a run of its own that began there."""
    at = train(new_app(), epochs=3)
    next(b for b in at.button if b.label == "Continue").click().run()
    assert at.session_state["job"].join(60)
    at.toggle(key="slow_motion").set_value(False).run()
    at = train(at, epochs=2)  # run 3, a fresh one
    at.multiselect(key="overlay_runs").set_value([2]).run()
    loss = json.loads(next(c for c in at.get("plotly_chart") if c.key == "loss_curve").proto.spec)
    overlay = next(t for t in loss["data"] if t.get("name") == "run 2 (validation)")
    runs = {r.run_id: r for r in at.session_state["runs"]}
    whole = runs[1].result.history + runs[2].result.history
    assert list(_plotly_array(overlay["x"])) == [h["epoch"] for h in whole] == [1, 2, 3, 4, 5, 6]
    np.testing.assert_allclose(_plotly_array(overlay["y"]), [h["val_loss"] for h in whole])


def test_pickers_limited_to_two_offer_no_select_all(trained_app):
    """'Select all' on a two-at-most picker could only fail: the feature pair and the run overlay hide it."""
    pair = new_app().switch_page("app_pages/data.py").run().multiselect(key="feature_pair")
    overlay = trained_app.switch_page("app_pages/train.py").run().multiselect(key="overlay_runs")
    for limited in (pair, overlay):
        assert limited.proto.max_selections == 2 and limited.proto.select_all == 0


@pytest.fixture(scope="module")
def digits_app():
    return train(new_app(dataset="digits"), epochs=2)


def test_a_softmax_models_views_say_what_they_show(digits_app):
    """The one-vs-rest view at 0.5 found far fewer of a class than the all-classes matrix's recall, unexplained;
    the weights table had no word on what it held, and no biases."""
    at = digits_app.switch_page("app_pages/threshold.py").run()
    assert any(i.value.startswith("This view flags a case as 0 when its softmax probability of 0 is ≥ the threshold. "
                                  "The all-classes matrix above takes the most probable class instead")
               for i in at.info), [i.value for i in at.info]
    at.switch_page("app_pages/model.py").run()
    model = at.session_state["trained"].result.model
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Each class's weight on each feature, per standard deviation") for c in captions)
    assert "Biases (each class's logit at the training mean): " + ", ".join(
        f"{k}: {b:.4f}" for k, b in zip(range(10), model.bias)) + "." in captions


def test_a_softmax_models_card_has_its_test_metrics(digits_app, monkeypatch):
    """The Model page's card for a multiclass model carries test metrics (it had none): the argmax accuracy and
    confusion matrix of the model's own test predictions."""
    from sklearn.metrics import accuracy_score, confusion_matrix

    import logreg_core.export as export

    reports = []
    real_card = export.model_card
    monkeypatch.setattr(export, "model_card", lambda *a, **k: reports.append(k["test_report"]) or real_card(*a, **k))
    at = digits_app.switch_page("app_pages/model.py").run()
    run = at.session_state["trained"]
    predicted = run.result.model.predict(run.dataset.X_test)
    assert reports[-1]["accuracy"]["value"] == pytest.approx(accuracy_score(run.dataset.y_test, predicted), abs=1e-12)
    assert reports[-1]["confusion_matrix"]["counts"] == confusion_matrix(run.dataset.y_test, predicted).tolist()


def test_digit_weight_images_are_titled_with_their_own_class(digits_app):
    """Plotly lists facet titles bottom row first; each title must sit over its own class's weights."""
    at = digits_app.switch_page("app_pages/model.py").run()
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "weight_images")
    layout, weights = spec["layout"], at.session_state["trained"].result.model.weights
    for image in spec["data"]:
        x_domain = layout["xaxis" + image.get("xaxis", "x")[1:]]["domain"]
        y_domain = layout["yaxis" + image.get("yaxis", "y")[1:]]["domain"]
        title = next(a["text"] for a in layout["annotations"]
                     if abs(a["x"] - sum(x_domain) / 2) < 1e-6 and abs(a["y"] - y_domain[1]) < 1e-6)
        np.testing.assert_allclose(_plotly_array(image["z"]).ravel(), weights[:, int(title)], rtol=1e-6)


def _plotly_array(value) -> np.ndarray:
    """A figure's array as sent to the browser: a list, or Plotly's typed array {dtype, bdata}."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value, dtype=float)


def test_the_all_classes_matrix_shows_the_split_chosen_not_test(digits_app):
    at = digits_app.switch_page("app_pages/threshold.py").run()
    run = at.session_state["trained"]
    for split, y in (("val", run.dataset.y_val), ("test", run.dataset.y_test)):
        at.radio(key="split_shown").set_value(split).run()
        name = "validation" if split == "val" else "test"
        assert [e.label for e in at.expander] == [f"All classes: confusion matrix at argmax ({name} split)"]
        matrix = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "multiclass_cm")
        assert _plotly_array(matrix["data"][0]["z"]).sum() == len(y)
    at.radio(key="split_shown").set_value("val").run()


def test_a_link_carries_the_feature_pair_and_balanced_classes():
    at = new_app().switch_page("app_pages/data.py").run()
    at.multiselect(key="feature_pair").set_value(["mean radius", "mean texture"]).run()
    at.switch_page("app_pages/train.py").run()
    at.toggle(key="balanced").set_value(True).run()
    link = dict(at.query_params)
    assert (link["features"], link["balanced"]) == ("mean radius|mean texture", "1")
    opened = new_app(**link).switch_page("app_pages/train.py").run()  # straight to Train, as a student would
    assert not opened.exception and opened.toggle(key="balanced").value is True
    assert opened.session_state["dataset"].feature_names == ["mean radius", "mean texture"]
    opened.switch_page("app_pages/data.py").run()
    assert opened.multiselect(key="feature_pair").value == ["mean radius", "mean texture"]
    opened.switch_page("app_pages/model.py").run().switch_page("app_pages/data.py").run()  # and after a visit
    assert opened.session_state["dataset"].feature_names == ["mean radius", "mean texture"]
    assert opened.multiselect(key="feature_pair").value == ["mean radius", "mean texture"]
    train(opened, epochs=3)
    assert opened.session_state["trained"].result.config.class_weight == "balanced"
    opened.toggle(key="slow_motion").set_value(False).run()  # the boundary is drawn once a replay has caught up
    boundary = next(json.loads(c.proto.spec) for c in opened.get("plotly_chart") if c.key == "boundary")["data"]
    assert [t.get("name") for t in boundary if t.get("showlegend")] == ["boundary (P = 0.5)"]  # named in the legend
    assert [t["name"] for t in boundary if t["type"] == "scatter"] == ["benign", "malignant"]


def test_a_link_carries_one_vs_rest_training_and_the_threshold_views_class(digits_app):
    at = new_app(dataset="digits").switch_page("app_pages/data.py").run()
    at.radio(key="train_as").set_value("One class vs the rest (binary)").run()
    at.selectbox(key="ovr_pick").set_value("3").run()
    assert dict(at.query_params)["ovr"] == "3"
    opened = new_app(**dict(at.query_params)).switch_page("app_pages/train.py").run()
    assert opened.session_state["dataset"].class_names == ["not 3", "3"]
    # softmax: the class the Threshold page scores, and the threshold found there, travel together
    view = digits_app.switch_page("app_pages/threshold.py").run()
    view.selectbox[0].set_value("7").run()
    next(b for b in view.button if b.label == "Max Youden").click().run()
    link = dict(view.query_params)
    assert link["view_class"] == "7" and "ovr" not in link
    run = view.session_state["trained"]
    exact = view.session_state["threshold_exact"]
    for y, scores in zip((run.dataset.y_val, run.dataset.y_test), run.score_history[max(run.score_history)]):
        sweep = Sweep.from_scores(y == 7, scores[:, 7])
        assert sweep.counts_at(float(link["threshold"])) == sweep.counts_at(exact)
    assert len(link["threshold"]) <= 6  # short, found on the page's own (float32) scores
    reopened = new_app(**link).switch_page("app_pages/data.py").run()
    assert reopened.selectbox(key="view_class").value == "7"


def test_a_link_with_a_class_the_data_lacks_is_reported_not_a_crash():
    at = new_app(dataset="digits", ovr="eleven", features="pixel_0_1|no such pixel").switch_page(
        "app_pages/data.py").run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "The link's one-vs-rest class and features are not in Digits (8×8): ignored, choose on the Data page."]
    assert at.radio(key="train_as").value == "All classes (softmax)" and at.multiselect(key="feature_pair").value == []
    one = new_app(dataset="digits", view_class="11").switch_page("app_pages/data.py").run()
    assert [w.value for w in one.warning] == [
        "The link's threshold view class is not in Digits (8×8): ignored, choose on the Data page."]
    # a choice left from another dataset is dropped without a word: nothing was wrong with it
    at.radio(key="train_as").set_value("One class vs the rest (binary)").run()
    at.radio(key="source_label").set_value("Breast cancer").run()
    at.radio(key="source_label").set_value("Digits").run()
    assert not at.exception and not at.warning


def test_a_seed_typed_on_the_train_page_re_splits_the_data_that_run():
    """The Train page loads its dataset above the Seed box: a new seed re-splits before Train is pressed,
    as the seed's help says and as a link with that seed (or the command line) does."""
    from logreg_core import load_dataset

    at = new_app().switch_page("app_pages/train.py").run()
    at.number_input(key="seed").set_value(7).run()
    np.testing.assert_array_equal(at.session_state["dataset"].X_test, load_dataset("breast_cancer", seed=7).X_test)
    assert not np.array_equal(at.session_state["dataset"].X_test, load_dataset("breast_cancer", seed=0).X_test)


def test_a_new_seed_re_splits_an_uploaded_csv_after_the_uploader_forgot_it():
    from logreg_core.csv_loader import from_csv

    at, raw = app_with_mine_csv()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="seed").set_value(5).run()
    expected = from_csv(raw, target="outcome", positive="yes", seed=5)
    assert not at.exception and at.session_state["dataset"].name == "mine.csv"
    np.testing.assert_array_equal(at.session_state["dataset"].X_test, expected.X_test)
    assert not np.array_equal(expected.X_test, from_csv(raw, target="outcome", positive="yes", seed=0).X_test)


def test_a_dataset_dropped_from_the_shared_cache_is_not_reloaded_under_a_trained_run():
    """The built-ins' cache is shared by every session and bounded: when another session's datasets push
    this one out, the Train page keeps the data its run was trained on (a reload would refuse Continue)."""
    from ui import data

    at = train(new_app(), epochs=3)
    data._builtin.clear()
    at.run()
    assert at.session_state["dataset"] is at.session_state["trained"].dataset
    assert not next(b for b in at.button if b.label == "Continue").disabled


def test_after_a_failed_upload_a_new_seed_re_splits_the_file_still_in_use():
    from logreg_core.csv_loader import from_csv

    at, raw = app_with_mine_csv()
    at.file_uploader[0].set_value(("bad.csv", b"a,outcome\n1,yes\n", "text/csv")).run()
    assert at.error and any("Still using **mine.csv** with the target column 'outcome', as loaded before" in i.value
                            for i in at.info)
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="seed").set_value(5).run()
    np.testing.assert_array_equal(at.session_state["dataset"].X_test,
                                  from_csv(raw, target="outcome", positive="yes", seed=5).X_test)


def test_the_train_page_says_mnist_is_not_cached_and_downloads_nothing(monkeypatch):
    from ui import data

    monkeypatch.setattr(data, "mnist_available", lambda: False)
    at = new_app().switch_page("app_pages/train.py").run()
    monkeypatch.setattr(data, "_builtin", lambda *key: pytest.fail(f"tried to load {key}"))
    at.session_state["setup"]["dataset"] = "mnist"
    at.run()
    assert not at.exception
    assert any("MNIST is not cached on this server: Train uses Breast cancer (Wisconsin)" in w.value
               for w in at.warning)


def test_in_presentation_mode_train_folds_the_settings_into_one_line():
    """At projector sizes the settings would push the curves off the screen: Train folds them away under a
    label that says what they are; opening them again shows the widgets as they were, and a changed setting
    changes the label and leaves the fold as it was."""
    at = new_app(epochs=3, batch_size=32, lr=0.1, optimizer="adam", seed=7, l2=0.01)
    at.toggle(key="presentation").set_value(True).run()
    at.switch_page("app_pages/train.py").run()
    at.toggle(key="balanced").set_value(True).run()
    assert len(at.expander) == 1 and at.session_state["train_settings_open"] is True
    line = "3 epochs · batch 32 · learning rate 0.1 · Adam · L2 0.01 · balanced classes · seed 7"
    assert at.expander[0].label == line and at.expander[0].proto.expanded
    next(b for b in at.button if b.label == "Train").click().run()
    assert at.session_state["train_settings_open"] is False and not at.expander[0].proto.expanded
    assert at.expander[0].label == line and line not in [c.value for c in at.caption]
    assert at.session_state["job"].config.optimizer == "adam" and at.session_state["job"].config.seed == 7
    at.session_state["train_settings_open"] = True  # the user opens them again
    at.run()
    assert at.number_input(key="epochs").value == 3
    at.number_input(key="epochs").set_value(4).run()
    assert at.expander[0].label == line.replace("3 epochs", "4 epochs") and at.expander[0].proto.expanded
    at.toggle(key="presentation").set_value(False).run()  # normal mode: no fold
    assert not at.expander


def test_the_split_shown_is_kept_across_pages(trained_app):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    at.radio(key="split_shown").set_value("test").run()
    at.switch_page("app_pages/model.py").run()
    at.switch_page("app_pages/threshold.py").run()
    assert at.radio(key="split_shown").value == "test" and "looking at the test split" in at.warning[0].value
    # uploaded scores without a split column show all rows, and the trained model's choice stays for it
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rows = "".join(f"{i % 2},{(i % 2) * 0.5 + i / 100}\n" for i in range(40))
    at.file_uploader[0].set_value(("all.csv", ("y_true,score\n" + rows).encode(), "text/csv")).run()
    assert at.radio(key="split_shown_here").value == "all"
    at.radio(key="score_source").set_value("Trained model").run()
    assert at.radio(key="split_shown").value == "test" and dict(at.query_params)["split"] == "test"
    at.radio(key="split_shown").set_value("val").run()


def test_presentation_mode_folds_what_would_push_the_explorer_and_curves_off_the_screen():
    """At projector sizes: the operating-point controls, the notes and a multiclass model's all-class matrix on
    the Threshold page, and the Train page's settings whenever the page opens on curves."""
    at = train(new_app(dataset="digits"), epochs=2)
    at.toggle(key="presentation").set_value(True).run()
    assert at.session_state["train_settings_open"] is False  # presentation turned on with curves shown
    at.session_state["train_settings_open"] = True  # the user opens them, then leaves the page
    at.run()
    assert at.expander[0].label.startswith("2 epochs · ") and at.expander[0].proto.expanded
    at.switch_page("app_pages/threshold.py").run()
    folded = {re.sub(r"^:material/\w+: ", "", e.label).split(":")[0]: e.proto.expanded for e in at.expander}
    assert folded == {"All classes": False, "Notes": False, "Find a threshold": False}, folded
    at.switch_page("app_pages/train.py").run()  # back on the page: curves first
    assert at.session_state["train_settings_open"] is False
    at.toggle(key="presentation").set_value(False).run()
    at.switch_page("app_pages/threshold.py").run()
    assert [(e.label.split(":")[0], e.proto.expanded) for e in at.expander] == [("All classes", True)]


def test_a_link_to_a_continued_model_says_how_to_train_the_same_model():
    """A link carries settings, so one Train gives a model trained once; the Copy link box says the model was
    trained in steps, and following them from the link gives the same weights."""
    def continued(at: AppTest, epochs: int) -> AppTest:
        at.number_input(key="epochs").set_value(epochs).run()
        next(b for b in at.button if b.label == "Continue").click().run()
        assert at.session_state["job"].join(60)
        while not at.session_state.get("job_collected"):
            at.run()
        return at

    at = continued(train(new_app(optimizer="momentum", seed=3), epochs=5), 3)
    steps = "Train 5 epochs, then Continue 3 epochs"
    longer = train(new_app(), epochs=1)
    for _ in range(5):  # six steps: the first leaves the five-run history
        longer = continued(longer, 1)
    assert any(c.value.startswith("The model was trained in steps (an earlier run, then Continue 1 epoch, then "
                                  "Continue 1 epoch,") for c in longer.caption)
    caption = next(c.value for c in at.caption if c.value.startswith("The model was trained in steps"))
    assert f"({steps})" in caption
    link = dict(at.query_params)
    assert (link["epochs"], link["seed"], link["optimizer"]) == ("3", "3", "momentum")
    opened = continued(train(new_app(**{**link, "epochs": 5}), epochs=5), 3)
    np.testing.assert_array_equal(opened.session_state["trained"].result.model.weights,
                                  at.session_state["trained"].result.model.weights)
    at.number_input(key="epochs").set_value(4).run()
    next(b for b in at.button if b.label == "Train").click().run()  # trained once: no steps to tell
    assert at.session_state["job"].join(60)
    while not at.session_state.get("job_collected"):
        at.run()
    assert not any(c.value.startswith("The model was trained in steps") for c in at.caption)


@pytest.mark.parametrize("before,typed,read,said", [
    (None, 5.0, 0.05, "5 is read as 5% = 0.05."),
    (None, 1.4, 0.014, "1.4 is read as 1.4% = 0.014."),  # the decimal typed, not 1.4 / 100 = 0.013999…
    (None, 0.99995, 0.9999, "0.99995 is read as 0.9999, the largest it can be."),
    (None, 100.0, 0.9999, "100 is read as 100% = 0.9999, the largest it can be."),
    (0.99, 1.0, 0.9999, "1 is read as 0.9999, the largest it can be."),  # the + button, not "1%"
    (0.2, 1.0, 0.01, "1 is read as 1% = 0.01."),
    (0.2, 250.0, 0.2, "250 is neither a proportion nor a percentage, so it stays 0.2."),
    # below the bottom: the browser refused these silently (a red 0) while the tiles went on with another
    (0.2, 0.0, 0.2, "0 is not above 0, so it stays 0.2."),
    (None, -3.0, None, "-3 is not above 0, so it stays empty (the split's own)."),
    (None, 0.00001, 0.0001, "1e-05 is read as 0.0001, the smallest it can be."),
    (0.0001, 0.0001 - 0.01, 0.0001, "-0.0099 is read as 0.0001, the smallest it can be."),  # the − button
    (0.0001, -0.01, 0.0001, "-0.01 is read as 0.0001, the smallest it can be."),  # as the browser rounds it
])
def test_a_prevalence_typed_as_a_percentage_becomes_the_proportion_it_means(trained_app, before, typed, read, said):
    """The browser refused 5 silently (a red border) and the split's own prevalence was used."""
    at = trained_app.switch_page("app_pages/threshold.py").run()
    if before is not None:
        at.number_input(key="prevalence").set_value(before).run()
    at.number_input(key="prevalence").set_value(typed).run()
    assert not at.exception
    assert any(i.value == "Prevalence is a proportion (0.0001 to 0.9999; a number from 1 to 100 is read as a "
               f"percentage): {said}" for i in at.info), [i.value for i in at.info]
    assert at.number_input(key="prevalence").value == read
    if read is None:
        assert "prevalence" not in dict(at.query_params) and not any("prevalence" in m.label for m in at.metric)
    else:  # the tile says the percentage it is: 0.5 is 50%, not 0.5%
        assert dict(at.query_params)["prevalence"] == f"{read:g}"
        assert any(m.label == f"PPV at {100 * read:.4g}% prevalence" for m in at.metric)  # 0.9999: not "100%"
    at.run()  # said once
    assert not any(i.value.startswith("Prevalence is a proportion") for i in at.info)
    at.number_input(key="prevalence").set_value(None).run()


def test_a_link_carries_the_test_split_shown(trained_app):
    at = trained_app.switch_page("app_pages/threshold.py").run()
    at.radio(key="split_shown").set_value("test").run()
    link = dict(at.query_params)
    assert link["split"] == "test"
    opened = train(new_app(**link), epochs=int(link["epochs"])).switch_page("app_pages/threshold.py").run()
    assert opened.radio(key="split_shown").value == "test"
    at.radio(key="split_shown").set_value("val").run()
    assert "split" not in dict(at.query_params)
    assert "split" in new_app(split="train").session_state["link_warnings"][0]  # only val or test


def test_misclassified_digits_say_the_probability_of_the_class_said():
    """Each thumbnail: true class, the class said, and the model's probability of that class (scipy's softmax
    of the model's logits), so that "(14%)" reads as how sure the model was."""
    from scipy.special import softmax

    at = train(new_app(dataset="digits"), epochs=3).switch_page("app_pages/model.py").run()
    run = at.session_state["trained"]
    ds, model = run.dataset, run.result.model
    p = softmax(model.logits(ds.X_test), axis=1)
    wrong = np.flatnonzero(p.argmax(axis=1) != ds.y_test)[:24]
    expected = [f"true {ds.class_names[ds.y_test[i]]}, said {ds.class_names[p[i].argmax()]} ({p[i].max():.0%})"
                for i in wrong]
    assert wrong.size and [img.caption for img in at.get("image")[0].proto.imgs] == expected
    assert "the model's probability for the class it said" in " ".join(c.value for c in at.caption)


def test_one_feature_is_counted_in_the_singular():
    at = new_app(dataset="synthetic", n_features=1).switch_page("app_pages/train.py").run()
    assert not at.exception
    assert any(c.value.startswith("Dataset: **Synthetic** — 1 feature, classes: negative, positive")
               for c in at.caption), [c.value for c in at.caption]
    assert any("1 feature (1 informative)" in note for note in at.session_state["dataset"].notes)


def test_scores_of_exactly_1_are_said_to_stay_flagged_at_the_sliders_right_end():
    """A probability within rounding of 1 is stored as 1: the slider's end, 1, flags it, which a user moving
    the slider to the end to flag no one did not expect."""
    at = train(new_app(), epochs=2).switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    rows = [(1, 1.0), (1, 1.0), (0, 1.0), (1, 0.9), (0, 0.2), (0, 0.1), (1, 0.6), (0, 0.4)]
    csv = "y_true,score\n" + "\n".join(f"{y},{s}" for y, s in rows)
    at.session_state["uploaded_scores"] = ("certain.csv", read_scores(csv.encode()))
    at.run()
    assert "3 of these 8 cases score exactly 1 (a probability of 1, or one that rounds to it): every threshold, the " \
           "slider's right end included, flags them, as a case is positive when its score ≥ the threshold." \
           in [i.value for i in at.info]
    move_threshold(at, 1.0)
    from sklearn.metrics import confusion_matrix

    y, s = np.array(rows).T
    tn, fp, fn, tp = confusion_matrix(y, s >= 1.0).ravel()
    assert shown_counts(at) == {"tp": tp, "fn": fn, "fp": fp, "tn": tn} and tp + fp == 3
    csv = "y_true,score\n" + "\n".join(f"{y},{min(s, 0.99)}" for y, s in rows)
    at.session_state["uploaded_scores"] = ("uncertain.csv", read_scores(csv.encode()))
    at.run()
    assert not any("score exactly 1" in i.value for i in at.info)


def test_presentation_mode_outlives_a_reload_but_stays_out_of_the_shared_link():
    """The address bar carries it, so that a reload on the projector keeps the large text; Copy link's link is
    for students' own screens and leaves it out."""
    at = new_app(epochs=7)
    at.toggle(key="presentation").set_value(True).run()
    assert at.query_params["present"] == "1" and at.query_params["epochs"] == "7"
    assert "present" not in at.sidebar.code[0].value and "epochs=7" in at.sidebar.code[0].value
    reloaded = new_app(**dict(at.query_params))  # a reload: a new session on the same address
    assert reloaded.toggle(key="presentation").value is True
    assert not any("Ignored invalid link settings" in w.value for w in reloaded.warning)
    reloaded.toggle(key="presentation").set_value(False).run()
    assert "present" not in reloaded.query_params
    assert new_app(epochs=7).toggle(key="presentation").value is False
