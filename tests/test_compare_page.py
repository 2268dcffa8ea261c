"""The Threshold page's comparison of two models' scores on the same cases (two columns of an uploaded file, or
two runs on the same data), against scikit-learn and a brute-force DeLong."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from logreg_core.report import p_value_text

from .apptest_support import shown_counts
from .test_app import _plotly_array, new_app, train
from .test_compare import brute_force_delong, paired_scores


def two_models_csv() -> tuple[bytes, pd.DataFrame]:
    """Validation and test rows scored by two models, with a row number, the other class's probability, a text
column and a half-numeric one."""
    y, a, b = paired_scores(n=400, seed=21, gain=2.0)
    frame = pd.DataFrame({"row": np.arange(1, 401), "split": np.where(np.arange(400) % 2, "test", "val"),
                          "y_true": y, "score": np.round(1 / (1 + np.exp(-a)), 6),
                          "old_model": np.round(1 / (1 + np.exp(-b)), 6),
                          "probability_0": np.round(1 / (1 + np.exp(a)), 6), "site": "north",
                          "mixed": np.where(np.arange(400) % 3, "0.5", "high")})
    return frame.to_csv(index=False).encode(), frame


def uploaded(split: str):
    raw, frame = two_models_csv()
    at = new_app().switch_page("app_pages/threshold.py").run()
    at.radio(key="score_source").set_value("Uploaded scores").run()
    at.file_uploader(key="scores_upload").set_value(("two.csv", raw, "text/csv")).run()
    at.radio(key="split_shown").set_value(split).run()
    return at, frame


def roc_compare(at):
    return next((json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "roc_compare"), None)


def captions(at) -> str:
    return "\n".join(c.value.replace("\\", "") for c in at.caption)


def test_two_score_columns_are_compared_on_the_test_split_as_scikit_learn_and_delong_say():
    at, frame = uploaded("test")
    picker = at.selectbox(key="scores_compare")
    # not the row number, the split, the text, the score shown or the other class's probability
    assert picker.options == ["old_model", "mixed"]
    assert roc_compare(at) is None
    counts = shown_counts(at)
    picker.set_value("old_model").run()
    assert not at.exception and not at.error and shown_counts(at) == counts
    test = frame[frame.split == "test"]
    y, a, b = test.y_true.to_numpy(), test.score.to_numpy(), test.old_model.to_numpy()
    auc_a, auc_b = roc_auc_score(y, a), roc_auc_score(y, b)
    figure = roc_compare(at)
    names = [trace["name"] for trace in figure["data"]]
    assert names == [f"'score' (AUC {auc_a:.3f})", f"'old_model' (AUC {auc_b:.3f})", "chance"]
    fpr, tpr = _plotly_array(figure["data"][1]["x"]), _plotly_array(figure["data"][1]["y"])
    assert np.all(np.diff(fpr) >= 0) and (fpr[-1], tpr[-1]) == (1, 1)
    reference = brute_force_delong(y, a, b)
    said = captions(at)
    assert (f"On the test split ({int(y.sum())} positive, {int((1 - y).sum())} negative cases), ROC AUC "
            f"{auc_a:.3f} for 'score' and {auc_b:.3f} for 'old_model': "
            f"difference ('score' − 'old_model') {reference['difference']:.3f}") in said
    assert f"), {p_value_text(reference['p'])} (DeLong's test" in said
    assert "compare on the test split" not in said


def test_on_validation_the_comparison_says_to_report_on_test():
    at, frame = uploaded("val")
    at.selectbox(key="scores_compare").set_value("old_model").run()
    val = frame[frame.split == "val"]
    said = captions(at)
    assert f"On the validation split ({int(val.y_true.sum())} positive" in said
    assert "To report a difference, compare on the test split." in said


def test_a_column_that_cannot_be_compared_says_why_and_the_page_stays():
    at, _ = uploaded("test")
    counts = shown_counts(at)
    at.selectbox(key="scores_compare").set_value("mixed").run()
    assert not at.exception and roc_compare(at) is None and shown_counts(at) == counts
    text = int((np.arange(400) % 3 == 0).sum())  # the rows with "high"
    assert [e.value.replace("\\", "") for e in at.error] == [
        f"Cannot compare with mixed: the mixed column has {text} value(s) that are not finite numbers, such as 'high' "
        "(first on data row 1): each score must be a number; fix or remove those rows"]


def test_choosing_the_compared_column_as_the_score_clears_the_comparison():
    at, _ = uploaded("test")
    at.selectbox(key="scores_compare").set_value("old_model").run()
    score = at.selectbox(key=f"scores_score_{at.session_state['scores_pickers_round']}")
    score.set_value("old_model").run()
    assert not at.exception and roc_compare(at) is None
    picker = at.selectbox(key="scores_compare")
    assert picker.options == ["score", "mixed"] and picker.value is None


def test_a_run_is_compared_with_an_earlier_run_on_the_same_cases_and_not_with_one_on_other_cases():
    at = train(new_app(), epochs=3)
    first = at.session_state["trained"]
    at = train(at, epochs=12)  # the same data and seed: the same validation and test cases, a better model
    second = at.session_state["trained"]
    at.switch_page("app_pages/threshold.py").run()
    picker = at.selectbox(key="compare_run")
    assert picker.options == [f"run {first.run_id}: SGD, learning rate 0.01, 3 epochs"]
    picker.set_value(first.run_id).run()
    assert not at.exception and not at.error
    ds = second.dataset
    a, b = second.score_history[12][0], first.score_history[3][0]  # the validation split, shown first
    reference = brute_force_delong(ds.y_val, a, b)
    said = captions(at)
    assert (f"On the validation split ({int(ds.y_val.sum())} positive, {int((1 - ds.y_val).sum())} negative cases), "
            f"ROC AUC {roc_auc_score(ds.y_val, a):.3f} for run {second.run_id} at epoch 12 and "
            f"{roc_auc_score(ds.y_val, b):.3f} for run {first.run_id}: difference (run {second.run_id} at epoch 12 "
            f"− run {first.run_id}) {reference['difference']:.3f}") in said
    assert f"), {p_value_text(reference['p'])} (DeLong's test" in said
    at.radio(key="split_shown").set_value("test").run()
    a, b = second.score_history[12][1], first.score_history[3][1]
    assert f"{roc_auc_score(ds.y_test, b):.3f} for run {first.run_id}" in captions(at)
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="seed").set_value(5).run()  # other cases: nothing to compare with
    at = train(at, epochs=2)
    at.switch_page("app_pages/threshold.py").run()
    assert not at.exception and not [s for s in at.selectbox if s.key == "compare_run"]


def test_runs_of_a_softmax_model_are_compared_on_the_class_viewed():
    at = train(train(new_app(dataset="digits"), epochs=1), epochs=3)
    first, second = at.session_state["runs"][-2:]
    at.switch_page("app_pages/threshold.py").run()
    at.selectbox(key="view_class").set_value("7").run()
    at.selectbox(key="compare_run").set_value(first.run_id).run()
    y = (second.dataset.y_val == 7).astype(int)
    a, b = second.score_history[3][0][:, 7], first.score_history[1][0][:, 7]
    said = captions(at)
    assert (f"ROC AUC {roc_auc_score(y, a):.3f} for run {second.run_id} at epoch 3 and {roc_auc_score(y, b):.3f} "
            f"for run {first.run_id}") in said
    assert f"({int(y.sum())} positive, {int((1 - y).sum())} negative cases)" in said


def test_the_compared_column_outlives_a_visit_to_another_tab():
    at, _ = uploaded("test")
    at.selectbox(key="scores_compare").set_value("old_model").run()
    for tab in ("Scores and metrics", "ROC and precision–recall"):
        at.session_state["chart_tab"] = tab
        at.run()
    assert at.selectbox(key="scores_compare").value == "old_model" and roc_compare(at) is not None
