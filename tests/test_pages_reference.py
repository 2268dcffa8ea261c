"""AppTest tests of what the pages hand to the core and show from it, each checked against an independent
reference: scikit-learn, NumPy from the definitions, or the engine's own (separately tested) functions
where the page only passes settings on or displays their results."""
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, roc_curve

from logreg_core import TrainConfig, load_dataset, run_training

from .apptest_support import seen, shown_counts
from .test_app import _plotly_array, new_app, train

THRESHOLD_PAGE, DATA_PAGE, MODEL_PAGE, TRAIN_PAGE = (f"app_pages/{p}.py" for p in ("threshold", "data", "model", "train"))


def _chart(at, key: str) -> dict:
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == key)


def _wilson(successes, trials, z=1.959963984540054):
    """The Wilson score interval from its textbook formula."""
    centre = (successes + z * z / 2) / (trials + z * z)
    half = z * np.sqrt(successes * (trials - successes) / trials + z * z / 4) / (trials + z * z)
    return max(0.0, centre - half), min(1.0, centre + half)


def _open_tab(at, tab: str):
    at.session_state["chart_tab"] = tab
    return at.run()


# ------------------------------------------------------------------ Train page: the widgets reach training

def test_train_page_settings_reach_the_training_run():
    """Every setting set through its widget is in the run's TrainConfig, and the run is the one the engine
    trains with that config (so L2 and balanced classes acted on the weights, not just on the label)."""
    at = new_app().switch_page(TRAIN_PAGE).run()
    at.selectbox(key="optimizer").set_value("adam").run()
    at.select_slider(key="lr").set_value(0.03).run()
    at.number_input(key="batch_size").set_value(32).run()
    at.number_input(key="l2").set_value(0.5).run()
    at.number_input(key="early_stopping").set_value(3).run()
    at.number_input(key="seed").set_value(4).run()
    at.toggle(key="balanced").set_value(True).run()
    train(at, epochs=5)
    run = at.session_state["trained"]
    expected = TrainConfig(epochs=5, batch_size=32, learning_rate=0.03, optimizer="adam", l2=0.5,
                           class_weight="balanced", early_stopping=3, seed=4)
    assert run.result.config == expected
    reference = load_dataset("breast_cancer", seed=4)  # the seed split the data too
    np.testing.assert_array_equal(run.dataset.y_train, reference.y_train)
    np.testing.assert_array_equal(run.dataset.X_val, reference.X_val)
    # the engine, given that config on that data, learns these very weights …
    again = run_training(run.dataset, expected)
    np.testing.assert_allclose(run.result.model.weights, again.model.weights, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(run.result.model.bias, again.model.bias, rtol=1e-5, atol=1e-6)
    # … and without the L2 penalty, or without balancing, clearly other ones: both reached training
    w = run.result.model.weights
    no_l2 = run_training(run.dataset, replace(expected, l2=0.0)).model.weights
    assert np.linalg.norm(w) < 0.8 * np.linalg.norm(no_l2)
    unbalanced = run_training(run.dataset, replace(expected, class_weight=None)).model
    assert np.abs(unbalanced.weights - w).max() > 1e-3 or abs(unbalanced.bias[0] - run.result.model.bias[0]) > 1e-3


# ------------------------------------------------------------------ Threshold page

@pytest.fixture(scope="module")
def hard_app():
    """Synthetic data with overlapping classes (a real trade-off at every threshold), trained a few epochs."""
    return train(new_app(dataset="synthetic", class_sep=0.5, imbalance=0.3, seed=1, lr=0.03), epochs=6)


def _epoch(at) -> int:
    run = at.session_state["trained"]
    scrubbers = [s for s in at.select_slider if s.key == "epoch_scrubber"]
    return scrubbers[0].value if scrubbers else max(run.score_history)


def test_the_epoch_scrubber_shows_that_epochs_counts(hard_app):
    at = hard_app.switch_page(THRESHOLD_PAGE).run()
    at.radio(key="split_shown").set_value("val").run()
    run, last = at.session_state["trained"], max(at.session_state["trained"].score_history)
    at.select_slider(key="epoch_scrubber").set_value(last).run()
    threshold = at.session_state["threshold_exact"]
    y = run.dataset.y_val

    def sklearn_counts(epoch):
        tn, fp, fn, tp = confusion_matrix(y, run.score_history[epoch][0] >= threshold, labels=[0, 1]).ravel()
        return {"tp": tp, "fn": fn, "fp": fp, "tn": tn}

    assert shown_counts(at) == sklearn_counts(last)
    assert sklearn_counts(1) != sklearn_counts(last)  # else this test could not tell the epochs apart
    at.select_slider(key="epoch_scrubber").set_value(1).run()
    assert not at.exception
    assert at.session_state["threshold_exact"] == threshold  # the scrubber moves the epoch, not the threshold
    assert shown_counts(at) == sklearn_counts(1)
    at.select_slider(key="epoch_scrubber").set_value(last).run()


def _cost(y, scores, threshold, cost_ratio, prevalence):
    """cost_ratio·π·FNR + (1 − π)·FPR at ``threshold`` (positive when score ≥ threshold), from the definitions."""
    flagged = scores >= threshold
    fnr = np.mean(~flagged[y == 1])
    fpr = np.mean(flagged[y == 0])
    return cost_ratio * prevalence * fnr + (1 - prevalence) * fpr


def _cheapest(y, scores, cost_ratio, prevalence):
    """Brute force: the cost at every distinct score and above them all (flag no one)."""
    candidates = np.append(np.unique(scores), np.inf)
    costs = np.array([_cost(y, scores, t, cost_ratio, prevalence) for t in candidates])
    return costs.min(), candidates


def test_min_cost_uses_the_typed_prevalence_and_cost_ratio(hard_app):
    at = hard_app.switch_page(THRESHOLD_PAGE).run()
    at.radio(key="split_shown").set_value("val").run()
    run = at.session_state["trained"]
    y, scores = run.dataset.y_val, run.score_history[_epoch(at)][0].astype(np.float64)
    ratio, prevalence = 4.0, 0.08
    best, candidates = _cheapest(y, scores, ratio, prevalence)
    # the test bites: the optimum at the split's own prevalence, or at a 1:1 cost, is not optimal here
    own = y.mean()
    for other_ratio, other_prev in ((ratio, own), (1.0, prevalence)):
        wrong_costs = [_cost(y, scores, t, other_ratio, other_prev) for t in candidates]
        wrong_best = candidates[int(np.argmin(wrong_costs))]
        assert _cost(y, scores, wrong_best, ratio, prevalence) > best + 1e-9
    at.number_input(key="prevalence").set_value(prevalence).run()
    at.number_input(key="cost_ratio").set_value(ratio).run()
    next(b for b in at.button if b.label == "Min cost").click().run()
    assert not at.exception and not at.error
    chosen = at.session_state["threshold_exact"]
    assert _cost(y, scores, chosen, ratio, prevalence) == pytest.approx(best, abs=1e-12)
    assert at.session_state["threshold_how"] == "minimum cost at 4:1, prevalence 0.08, found on validation"
    at.number_input(key="prevalence").set_value(None).run()


@pytest.mark.parametrize("split", ["val", "test"])
def test_roc_and_calibration_charts_plot_the_shown_split(hard_app, split):
    at = hard_app.switch_page(THRESHOLD_PAGE).run()
    at.radio(key="split_shown").set_value(split).run()
    run = at.session_state["trained"]
    val, test = run.score_history[_epoch(at)]
    y, scores = (run.dataset.y_val, val) if split == "val" else (run.dataset.y_test, test)
    scores = scores.astype(np.float64)

    roc = _chart(_open_tab(at, "ROC and precision–recall"), "roc")["data"][0]
    fpr, tpr, _ = roc_curve(y, scores, drop_intermediate=False)
    assert len(fpr) <= 600  # not thinned for drawing: every point is compared
    np.testing.assert_allclose(_plotly_array(roc["x"]), fpr, atol=1e-12)
    np.testing.assert_allclose(_plotly_array(roc["y"]), tpr, atol=1e-12)

    calibration = _chart(_open_tab(at, "Calibration"), "calibration")["data"][1]
    edges = np.linspace(0, 1, 11)
    bins = np.clip(np.digitize(scores, edges[1:-1], right=True), 0, 9)  # ten bins (a, b], 0 in the first
    kept = [b for b in range(10) if (bins == b).any()]
    assert len(kept) >= 3
    np.testing.assert_allclose(_plotly_array(calibration["x"]), [scores[bins == b].mean() for b in kept], rtol=1e-12)
    np.testing.assert_allclose(_plotly_array(calibration["y"]), [y[bins == b].mean() for b in kept], rtol=1e-12)
    assert calibration["text"] == [f"{(bins == b).sum()} cases" for b in kept]
    bounds = np.array([_wilson(y[bins == b].sum(), (bins == b).sum()) for b in kept])
    share = np.array([y[bins == b].mean() for b in kept])
    np.testing.assert_allclose(_plotly_array(calibration["error_y"]["array"]), bounds[:, 1] - share, atol=1e-12)
    np.testing.assert_allclose(_plotly_array(calibration["error_y"]["arrayminus"]), share - bounds[:, 0], atol=1e-12)
    low, high = _wilson(y.sum(), y.size)
    direction = "above" if scores.mean() > high else "below" if scores.mean() < low else "inside"
    assert (f"Over all {y.size:,} cases the share positive is {y.mean():.3f} (95% CI {low:.3f} – {high:.3f}) and "
            f"the mean predicted probability {scores.mean():.3f}, {direction} that interval") in seen(
        " ".join(c.value for c in at.caption))
    _open_tab(at, "ROC and precision–recall")
    at.radio(key="split_shown").set_value("val").run()


# ------------------------------------------------------------------ Model page

@pytest.fixture(scope="module")
def cancer_app():
    return train(new_app(), epochs=3)


def test_model_page_predicts_rows_with_blanks_as_the_model_does_with_training_medians(cancer_app):
    at = cancer_app.switch_page(MODEL_PAGE).run()
    run = at.session_state["trained"]
    ds, model, threshold = run.dataset, run.result.model, at.session_state["setup"]["threshold"]
    rows = pd.DataFrame(ds.X_test[:6], columns=ds.feature_names)
    for r, c in ((0, 0), (2, 5), (2, 7), (4, 29), (5, 12)):
        rows.iloc[r, c] = np.nan
    at.file_uploader(key="predict_upload").set_value(("new.csv", rows.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and not at.error
    shown = at.dataframe[-1].value
    # shown to 4 decimals each (0.854 beside 0.3706 was hard to compare); the download keeps every digit
    assert json.loads(at.dataframe[-1].proto.columns)["probability_malignant"]["type_config"]["format"] == "%.4f"
    filled = rows.to_numpy(copy=True)
    medians = np.median(ds.X_train, axis=0)
    holes = np.isnan(filled)
    filled[holes] = np.broadcast_to(medians, filled.shape)[holes]
    expected = model.predict_proba(filled)
    np.testing.assert_allclose(shown["probability_malignant"].to_numpy(), expected, rtol=1e-9, atol=1e-12)
    assert shown["predicted_class"].tolist() == [ds.class_names[int(p >= threshold)] for p in expected]
    assert list(shown.columns[:2]) == ["probability_malignant", "predicted_class"]
    assert any(i.value.startswith("Filled 5 missing, non-numeric or huge (beyond ±1e30) value(s) in ") and "(data rows 1, 3, 5, 6)" in i.value
               for i in at.info), [i.value for i in at.info]
    # the uploaded columns follow, blanks left blank
    np.testing.assert_array_equal(shown[ds.feature_names].to_numpy(), rows.to_numpy())


def test_model_page_shows_each_features_weight_and_odds_ratios(cancer_app):
    at = cancer_app.switch_page(MODEL_PAGE).run()
    run = at.session_state["trained"]
    ds, model = run.dataset, run.result.model
    weight = dict(zip(ds.feature_names, model.weights[:, 0]))
    sd = np.std(ds.X_train, axis=0)  # the training split's (population) standard deviation
    per_sd = dict(zip(ds.feature_names, np.exp(model.weights[:, 0])))
    per_unit = dict(zip(ds.feature_names, np.exp(model.weights[:, 0] / sd)))

    bars = _chart(at, "weights")["data"][0]
    names, values = list(bars["y"]), _plotly_array(bars["x"])
    assert sorted(names) == sorted(ds.feature_names)  # all 30 of them
    np.testing.assert_allclose(values, [weight[n] for n in names], rtol=1e-12)
    assert list(np.abs(values)) == sorted(np.abs(values))  # largest at the top (Plotly draws bottom up)
    assert any(v > 0 for v in values) and any(v < 0 for v in values)

    table = at.dataframe[0].value.set_index("feature")
    assert sorted(table.index) == sorted(ds.feature_names)
    for name in ds.feature_names:
        assert table.loc[name, "weight (per SD)"] == pytest.approx(weight[name], rel=1e-12)
        assert table.loc[name, "odds ratio per SD"] == pytest.approx(per_sd[name], rel=1e-12)
        assert table.loc[name, "odds ratio per raw unit"] == pytest.approx(per_unit[name], rel=1e-9)
    # per SD and per unit differ where a feature's SD is far from 1 (e.g. mean area, SD in the hundreds)
    assert abs(table.loc["mean area", "odds ratio per raw unit"] - table.loc["mean area", "odds ratio per SD"]) > 1e-3


# ------------------------------------------------------------------ Data page

@pytest.mark.parametrize("name,raw,problem", [
    ("report.csv", b"PK\x03\x04" + bytes(range(256)) * 4, "looks like an Excel file"),  # an .xlsx renamed
    ("scan.csv", bytes(range(256)) * 4 + b"\x00" * 64, "binary file (it contains NUL bytes)"),
    ("one_class.csv", b"a,b,outcome\n" + b"".join(b"%d,%d,yes\n" % (i, 2 * i) for i in range(40)), "single class"),
])
def test_a_bad_upload_after_training_is_reported_and_keeps_the_model(cancer_app, name, raw, problem):
    at = cancer_app.switch_page(DATA_PAGE).run()
    before, dataset = at.session_state["trained"], at.session_state["dataset"]
    at.radio(key="source_label").set_value("Upload CSV").run()
    at.file_uploader[0].set_value((name, raw, "text/csv")).run()
    assert not at.exception
    errors = [seen(e.value) for e in at.error]
    assert any(e.startswith(f"Could not use {name}:") and problem in e for e in errors), errors
    assert any("Your trained model and settings are kept." in c.value for c in at.caption)
    assert any(i.value.startswith(f"Still using **{dataset.title}**, as loaded before") for i in at.info)
    assert at.session_state["trained"] is before
    assert at.session_state["dataset"] is dataset  # Train still uses the data that loaded
    at.switch_page(MODEL_PAGE).run()  # and the model's pages still work on it
    assert not at.exception and not at.error
    at.switch_page(DATA_PAGE).run()
    at.radio(key="source_label").set_value("Breast cancer").run()


def test_synthetic_controls_shape_the_data_and_the_link_reproduces_it():
    at = new_app().switch_page(DATA_PAGE).run()
    at.radio(key="source_label").set_value("Synthetic").run()
    at.number_input(key="n_samples").set_value(2000).run()
    at.number_input(key="n_features").set_value(3).run()
    at.slider(key="class_sep").set_value(0.6).run()
    at.slider(key="imbalance").set_value(0.2).run()
    assert not at.exception
    ds = at.session_state["dataset"]
    assert ds.n_features == 3 and ds.options == {"n_samples": 2000, "n_features": 3, "n_classes": 2,
                                                 "weights": [0.8, 0.2], "class_sep": 0.6}
    at.number_input(key="n_features").set_value(2).run()  # the brief's case: two features
    ds = at.session_state["dataset"]
    assert ds.X_train.shape[1] == 2 and ds.options["n_features"] == 2 and ds.options["class_sep"] == 0.6
    y = np.concatenate([ds.y_train, ds.y_val, ds.y_test])
    assert len(y) == 2000 and abs(y.mean() - 0.2) < 0.03  # positive share as chosen (1% of labels flipped)
    # the page's class-balance chart counts the same classes
    bars = _chart(at, "balance")["data"]
    shown = {(t["name"], c): v for t in bars for c, v in zip(t["x"], _plotly_array(t["y"]))}
    for split, part in (("train", ds.y_train), ("val", ds.y_val), ("test", ds.y_test)):
        assert shown[(split, "positive")] == (part == 1).sum() and shown[(split, "negative")] == (part == 0).sum()
    link = dict(at.query_params)
    assert link["dataset"] == "synthetic" and int(link["n_samples"]) == 2000 and int(link["n_features"]) == 2
    assert float(link["class_sep"]) == pytest.approx(0.6) and float(link["imbalance"]) == pytest.approx(0.2)
    opened = new_app(**link).switch_page(TRAIN_PAGE).run()  # straight to Train, as a student would
    assert not opened.exception
    again = opened.session_state["dataset"]
    np.testing.assert_array_equal(again.y_train, ds.y_train)
    np.testing.assert_array_equal(again.X_train, ds.X_train)
    opened.switch_page(DATA_PAGE).run()
    assert opened.radio(key="source_label").value == "Synthetic"
    assert [opened.number_input(key=k).value for k in ("n_samples", "n_features")] == [2000, 2]
    assert [opened.slider(key=k).value for k in ("class_sep", "imbalance")] == pytest.approx([0.6, 0.2])
    assert not opened.slider(key="imbalance").disabled
    opened.slider(key="n_classes").set_value(3).run()  # more classes are generated equal in size
    assert opened.slider(key="imbalance").disabled and opened.session_state["dataset"].options["weights"] is None
