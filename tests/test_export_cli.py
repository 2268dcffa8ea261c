"""Export round-trip, the model card, and the command line."""
import argparse
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, confusion_matrix, roc_auc_score

from logreg_core import TrainConfig, cli as cli_module, load_dataset, run_training
from logreg_core.export import load_saved_model, model_card, save_model
from logreg_core.predict import neutralize_formulas, prediction_columns, predict_rows, safe_csv

from .test_bad_input_cli import run_cli


def cli(*args):
    return subprocess.run([sys.executable, "-m", "logreg_core", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def trained():
    ds = load_dataset("breast_cancer")
    return ds, run_training(ds, TrainConfig(epochs=5))


def test_saved_model_reloads_with_identical_predictions(trained, tmp_path):
    import tensorflow as tf

    ds, result = trained
    card = model_card(result.model, dataset=ds, config=result.config, threshold={"value": 0.3}, history=result.history)
    save_model(result.model, tmp_path / "m", threshold=0.3, card=card)
    served = load_saved_model(tmp_path / "m")(features=tf.constant(ds.X_test, tf.float64))
    np.testing.assert_allclose(served["probabilities"].numpy(), result.model.predict_proba(ds.X_test), atol=1e-12)
    np.testing.assert_array_equal(served["predicted_class"].numpy(), result.model.predict(ds.X_test, 0.3))
    # a missing or infinite value takes the training split's median, as in training and on the Model page
    # (and beyond ±1e30, read as missing), in the exported model and the engine's own alike
    holes = ds.X_test[:5].copy()
    holes[0, 0], holes[1, 3], holes[2, [5, 7]], holes[3, 9], holes[4, 2] = np.nan, np.inf, np.nan, -np.inf, 1e300
    medians = np.median(ds.X_train, axis=0)
    filled = np.where(np.isfinite(holes) & (np.abs(holes) < 1e30), holes, medians)
    served = load_saved_model(tmp_path / "m")(features=tf.constant(holes, tf.float64))
    for model_of_holes in (lambda model: model.predict_proba(filled), lambda model: model.predict_proba(holes)):
        np.testing.assert_allclose(served["probabilities"].numpy(), model_of_holes(result.model), atol=1e-12)
    np.testing.assert_array_equal(served["predicted_class"].numpy(), result.model.predict(holes, 0.3))
    written = json.loads((tmp_path / "m" / "model_card.json").read_text())
    np.testing.assert_array_equal(written["missing_values"]["fill"], medians)
    assert written["class_names"] == ["benign", "malignant"] and written["positive_class"] == "malignant"
    assert written["normalization"]["fitted_on"] == "training split"
    np.testing.assert_allclose(written["parameters"]["odds_ratio_per_sd"], np.exp(result.model.weights[:, 0]))
    np.testing.assert_allclose(written["parameters"]["odds_ratio_per_unit"],
                               np.exp(result.model.weights[:, 0] / result.model.scale))
    assert written["training"]["config"]["epochs"] == 5 and "tensorflow-cpu" in written["library_versions"]


def test_the_saved_model_flags_a_case_whose_score_is_the_threshold_as_the_engine_does(tmp_path):
    """A target-sensitivity threshold is a validation case's own score; TensorFlow's matrix product may
    round that case's score an ulp lower, and the export must still flag it (and reach the target)."""
    import tensorflow as tf

    from logreg_core.threshold import Sweep

    ds = load_dataset("breast_cancer")
    result = run_training(ds, TrainConfig(epochs=200))
    sweep = Sweep.from_scores(ds.y_val, result.val_scores)
    for target in (0.8, 0.97, 1.0):
        threshold = sweep.find_sensitivity(target)
        save_model(result.model, tmp_path / str(target), threshold=threshold)
        served = load_saved_model(tmp_path / str(target))(features=tf.constant(ds.X_val, tf.float64))
        flagged = served["predicted_class"].numpy()
        np.testing.assert_array_equal(flagged, result.model.predict(ds.X_val, threshold))
        assert flagged[ds.y_val == 1].mean() >= target


@pytest.mark.parametrize("threshold,flagged", [(np.inf, 0), (-np.inf, 1)])
def test_an_infinite_threshold_is_exported_and_written_as_such(trained, tmp_path, threshold, flagged):
    """+inf flags no one and -inf everyone, in the SavedModel as in the engine; the card writes the
    threshold as a string float() reads back (JSON has no infinity), not as null ("undefined")."""
    import tensorflow as tf

    ds, result = trained
    card = model_card(result.model, dataset=ds, config=result.config, threshold={"value": threshold})
    save_model(result.model, tmp_path / "m", threshold=threshold, card=card)
    served = load_saved_model(tmp_path / "m")(features=tf.constant(ds.X_test, tf.float64))
    assert set(served["predicted_class"].numpy()) == {flagged}
    np.testing.assert_array_equal(served["predicted_class"].numpy(), result.model.predict(ds.X_test, threshold))
    written = json.loads((tmp_path / "m" / "model_card.json").read_text())["threshold"]["value"]
    assert float(written) == threshold


def test_odds_ratios_are_the_models_own_odds_change_for_one_unit_and_one_sd(trained):
    ds, result = trained
    model, row = result.model, ds.X_test[:1]
    odds = model.odds_ratios()

    def log_odds(x):
        p = model.predict_proba(x)[0]
        return np.log(p) - np.log1p(-p)

    for j in (0, 7, 29):
        step = np.zeros_like(row)
        step[0, j] = 1.0
        assert np.exp(log_odds(row + step) - log_odds(row)) == pytest.approx(odds["per_unit"][j], rel=1e-9)
        sd = ds.X_train[:, j].std()
        assert np.exp(log_odds(row + sd * step) - log_odds(row)) == pytest.approx(odds["per_sd"][j], rel=1e-9)


def test_predictions_need_the_training_columns_and_exports_are_formula_safe(trained):
    ds, result = trained
    import pandas as pd

    rows = pd.DataFrame(ds.X_test[:5], columns=ds.feature_names)
    out, notes = predict_rows(result.model, rows.to_csv(index=False).encode())
    np.testing.assert_allclose(out["probability_malignant"], result.model.predict_proba(ds.X_test[:5]))
    assert list(out.columns[:2]) == ["probability_malignant", "predicted_class"] and notes == []
    with pytest.raises(Exception, match="lacks 1 of the training data's columns \\(mean radius\\)"):
        predict_rows(result.model, rows.drop(columns=["mean radius"]).to_csv(index=False).encode())
    header = ",".join(ds.feature_names).encode()
    one_row = ",".join(map(str, ds.X_test[0])).encode()  # a lone data row is read as the header
    for empty in (header + b"\n", one_row + b"\n"):
        with pytest.raises(Exception, match=r"^the file has no rows to predict: put one row per case below a header"):
            predict_rows(result.model, empty)
    assert len(predict_rows(result.model, header + b"\n" + one_row)[0]) == 1  # one row is enough
    # a value far outside the training data (a typo) is predicted, and said to be an extrapolation
    far = rows.copy()
    j = ds.feature_names.index("mean area")
    far.iloc[3, j] = ds.X_train[:, j].mean() + 10.5 * ds.X_train[:, j].std()
    far.iloc[1, j] = ds.X_train[:, j].mean() + 9.5 * ds.X_train[:, j].std()  # far, but not that far
    far.iloc[4, j] = 1e300  # beyond what training could hold: missing, and filled, as in training
    out, notes = predict_rows(result.model, far.to_csv(index=False).encode())
    filled = far.to_numpy(copy=True)
    filled[4, j] = np.median(ds.X_train[:, j])
    np.testing.assert_allclose(out["probability_malignant"], result.model.predict_proba(filled))
    assert notes == ["Filled 1 missing, non-numeric or huge (beyond ±1e30) value(s) in mean area (data row 5) with "
                     "the training split's medians, as training did.",
                     "1 row has a value more than 10 standard deviations from the training mean (in mean area; "
                     "data row 4): the model has seen nothing like it, so its probability there is an extrapolation, "
                     "however confident. Check such values for typos."]
    frame = pd.DataFrame({"note": ["=1+1", "+cmd", "@x", "-2", "ok"], "score": [-0.5, 0.25, 1e-9, 3.0, 0.1]})
    text = safe_csv(frame)
    back = pd.read_csv(__import__("io").StringIO(text))
    assert list(back["note"]) == ["'=1+1", "'+cmd", "'@x", "'-2", "ok"]
    np.testing.assert_array_equal(back["score"], frame["score"])  # numbers stay numbers
    assert neutralize_formulas(frame)["score"].dtype == float


def test_prediction_columns_follow_the_threshold_convention_and_argmax(trained):
    ds, result = trained
    p = result.model.predict_proba(ds.X_test)
    threshold = float(np.median(p))  # some scores equal it exactly: they count as positive (score ≥ threshold)
    binary = prediction_columns(result.model, ds.X_test, threshold)
    assert list(binary.columns) == ["probability_malignant", "predicted_class"]
    expected = np.where(p >= threshold, "malignant", "benign")
    np.testing.assert_array_equal(binary["predicted_class"], expected)
    digits = load_dataset("digits")
    multi = run_training(digits, TrainConfig(epochs=2)).model
    table = prediction_columns(multi, digits.X_test)
    proba = table[[f"probability_{c}" for c in digits.class_names]].to_numpy()
    np.testing.assert_allclose(proba, multi.predict_proba(digits.X_test))
    np.testing.assert_array_equal(table["predicted_class"], np.asarray(digits.class_names)[proba.argmax(axis=1)])


def test_cli_train_json_is_reproducible_and_complete(tmp_path):
    args = ["train", "--dataset", "breast_cancer", "--epochs", "3", "--json", "--choose", "youden",
            "--scores-out", str(tmp_path / "s.csv"), "--export", str(tmp_path / "model")]
    first, second = cli(*args), cli(*args)
    assert first.returncode == 0, first.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    strip = lambda h: [{k: v for k, v in row.items() if k != "seconds"} for row in h]  # noqa: E731
    assert strip(a["history"]) == strip(b["history"])
    assert a["classes"] == ["benign", "malignant"] and a["epochs_run"] == 3 and a["stopped_reason"] == "completed"
    assert a["n_train"] + a["n_val"] + a["n_test"] == 569 and a["n_features"] == 30
    assert a["threshold_chosen_by"] == "youden" and "sensitivity" in a["test_at_threshold"]["metrics"]
    assert a["feature_names"] == list(load_dataset("breast_cancer").feature_names)
    assert a["notes"] == [line.removeprefix("note: ") for line in first.stderr.splitlines()
                          if line.startswith("note: ")]  # what loading and training did, as the lines say it
    assert "epoch" in first.stderr  # progress goes to stderr with --json
    # and nothing else: not TensorFlow's start-up log lines (oneDNN, absl) either
    ours = ("note: ", "epoch ", "threshold ", "exported to ", "test accuracy ")
    assert [line for line in first.stderr.splitlines() if not line.startswith(ours)] == []
    lines = (tmp_path / "s.csv").read_text().splitlines()
    assert lines[0] == "split,y_true,score,row" and len(lines) == 1 + a["n_val"] + a["n_test"]
    assert (tmp_path / "model" / "saved_model.pb").exists()
    # the test metrics at the chosen threshold agree with scikit-learn on the written scores
    import pandas as pd

    scores = pd.read_csv(tmp_path / "s.csv")
    test = scores[scores.split == "test"]
    # each row joins back to scikit-learn's copy of the data (sample row − 1, where 0 is malignant: our 1)
    from sklearn.datasets import load_breast_cancer

    malignant = load_breast_cancer().target[scores.row - 1] == 0
    assert scores.row.is_unique and scores.y_true.tolist() == malignant.tolist()
    tn, fp, fn, tp = confusion_matrix(test.y_true, test.score >= a["threshold"]).ravel()
    counts = a["test_at_threshold"]["counts"]
    assert {k: counts[k] for k in ("tp", "fp", "tn", "fn")} == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    # the card: the threshold worded as the app words it, and the test scores' ranking as scikit-learn has it
    card = json.loads((tmp_path / "model" / "model_card.json").read_text())
    assert card["threshold"]["chosen_by"] == "max Youden's J, found on validation"
    assert card["threshold"]["split"] == "validation"
    assert card["test_metrics"]["counts"] == counts
    assert card["test_metrics"]["roc_auc"] == pytest.approx(roc_auc_score(test.y_true, test.score), abs=1e-9)
    assert card["test_metrics"]["average_precision"] == pytest.approx(
        average_precision_score(test.y_true, test.score), abs=1e-9)
    low, high = card["test_metrics"]["roc_auc_ci"]
    assert low <= card["test_metrics"]["roc_auc"] <= high


def scores_file(tmp_path, with_split=True):
    """400 made-up scores; with a split column, the first 200 rows are val and the rest test."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1)
    split = np.where(np.arange(400) < 200, "val", "test")
    path = tmp_path / ("scores.csv" if with_split else "plain.csv")
    rows = zip(y, s, split) if with_split else zip(y, s)
    path.write_text(("y_true,score,split\n" if with_split else "y_true,score\n")
                    + "\n".join(",".join(map(str, row)) for row in rows))
    return path, y, s


def test_cli_threshold_report_chooses_on_val_and_reports_on_test(tmp_path):
    path, y, s = scores_file(tmp_path)
    out = cli("threshold", "--scores", str(path), "--threshold", "0.5", "--prevalence", "0.1", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    tn, fp, fn, tp = confusion_matrix(y[200:], s[200:] >= 0.5).ravel()
    assert {k: report["counts"][k] for k in ("tp", "fp", "tn", "fn")} == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    assert report["operating_points_chosen_on"] == "val" and report["reported_on"] == "test"
    assert set(report["operating_points"]) == {"youden", "max_f1", "min_cost", "sensitivity_target"}
    assert "per_1000" in report["prevalence_adjusted"] and "brier" in report
    # cost per person at prevalence 0.1 with a miss and a false alarm costing the same: π·FNR + (1 − π)·FPR
    assert report["expected_cost"] == pytest.approx(0.1 * fn / (tp + fn) + 0.9 * fp / (fp + tn), rel=1e-12)
    # the lowest-cost threshold is found on val at the prevalence given (a miss and a false alarm cost
    # the same here): brute force over val's scores; at val's own prevalence (about half) it lies lower
    yv, sv = y[:200], s[:200]

    def cost_per_person(t):
        return 0.1 * np.mean(sv[yv == 1] < t) + 0.9 * np.mean(sv[yv == 0] >= t)

    found = report["operating_points"]["min_cost"]
    assert cost_per_person(found) <= min(cost_per_person(t) for t in np.r_[np.inf, sv]) + 1e-12
    own = json.loads(cli("threshold", "--scores", str(path), "--json").stdout)["operating_points"]["min_cost"]
    assert own < found
    no_split = scores_file(tmp_path, with_split=False)[0]
    assert "warning" in json.loads(cli("threshold", "--scores", str(no_split), "--json").stdout)


def test_cli_and_printable_report_give_the_same_auc_interval(tmp_path):
    """One bootstrap everywhere: the same file gives the same interval in the CLI, on the page and in the
    printable report (they used 1,000 and 500 resamples)."""
    from logreg_core.report import report_html
    from logreg_core.threshold import Sweep

    path, y, s = scores_file(tmp_path)
    low, high = json.loads(cli("threshold", "--scores", str(path), "--json").stdout)["roc_auc_ci"]
    sweep = Sweep.from_scores(y[200:], s[200:])
    page = report_html(sweep.report(0.5), sweep, names=("no", "yes"), split="the test split", origin="file",
                       how="default")
    assert f"(95% CI {low:.3f}–{high:.3f})" in page


def test_cli_threshold_text_calls_a_zero_width_auc_interval_so(tmp_path):
    """Separated classes: every bootstrap resample has AUC 1, which the text says rather than print a certain
    1.000–1.000 (the same wording as the page and the printable report)."""
    path = tmp_path / "separated.csv"
    path.write_text("y_true,score\n" + "\n".join(f"{i % 2},{0.2 + 0.6 * (i % 2) + i / 1000}" for i in range(40)))
    out = cli("threshold", "--scores", str(path))
    assert out.returncode == 0, out.stderr
    assert "ROC AUC 1.000 (no bootstrap interval: every resample gives 1.000)," in out.stdout
    assert "1.000–1.000" not in out.stdout


def test_cli_threshold_text_names_its_rows_and_gives_intervals(tmp_path):
    """The plain-text report: every metric to 3 decimals, the proportions with Wilson 95% intervals (scipy's),
    the likelihood ratios with theirs, the split, the convention,
    and PPV/NPV at the given prevalence with their intervals and counts per 1,000 people."""
    from scipy.stats import binomtest
    from sklearn.metrics import balanced_accuracy_score, f1_score, matthews_corrcoef, roc_auc_score

    path, y, s = scores_file(tmp_path)
    args = ("threshold", "--scores", str(path), "--threshold", "0.5", "--prevalence", "0.02")
    text, as_json = cli(*args), json.loads(cli(*args, "--json").stdout)
    assert text.returncode == 0 and text.stderr == (  # 111 and 89 on validation: the one caution
        "note: The validation rows have only 111 positives and 89 negatives: intervals there are up to ±10% wide, "
        "and a threshold chosen on so few cases looks better than it will be.\n")
    sample, _, at_prevalence = text.stdout.partition("At prevalence 0.02 ")
    assert "the 200 test rows" in sample and "chosen on the 200 validation rows" in sample
    assert "At threshold 0.5 (given; positive when score ≥ threshold)" in sample
    tn, fp, fn, tp = confusion_matrix(y[200:], s[200:] >= 0.5).ravel()

    def shown(part, name):
        return next(line[2:].removeprefix(name).strip() for line in part.splitlines()
                    if line.startswith(f"  {name} "))

    for name, hits, n in (("Sensitivity (TPR, recall)", tp, tp + fn), ("Specificity (TNR)", tn, tn + fp),
                          ("False-positive rate", fp, tn + fp), ("False-negative rate", fn, tp + fn),
                          ("PPV (precision)", tp, tp + fp), ("NPV", tn, tn + fn), ("Accuracy", tp + tn, 200)):
        ci = binomtest(int(hits), int(n)).proportion_ci(method="wilson")
        assert shown(sample, name) == f"{hits / n:.3f} (95% CI {ci.low:.3f}–{ci.high:.3f})", name
    predicted = s[200:] >= 0.5
    for name, value in (("Balanced accuracy", balanced_accuracy_score(y[200:], predicted)),
                        ("F1 score", f1_score(y[200:], predicted)),
                        ("Matthews correlation", matthews_corrcoef(y[200:], predicted)),
                        ("Youden's J", tp / (tp + fn) + tn / (tn + fp) - 1)):
        assert shown(sample, name) == f"{value:.3f}", name  # no interval for these
    for name, key, value in (("Positive likelihood ratio (LR+)", "lr_positive", (tp / (tp + fn)) / (fp / (tn + fp))),
                             ("Negative likelihood ratio (LR−)", "lr_negative", (fn / (tp + fn)) / (tn / (tn + fp)))):
        interval = as_json["metrics"][key]
        assert shown(sample, name) == f"{value:.3f} (95% CI {interval['ci_low']:.3f}–{interval['ci_high']:.3f})"
    low, high = as_json["roc_auc_ci"]
    assert f"ROC AUC {roc_auc_score(y[200:], s[200:]):.3f} (95% CI {low:.3f}–{high:.3f})" in sample
    sens, spec, p = tp / (tp + fn), tn / (tn + fp), 0.02
    expected = {"PPV": sens * p / (sens * p + (1 - spec) * (1 - p)),
                "NPV": spec * (1 - p) / (spec * (1 - p) + (1 - sens) * p)}
    for name, value in expected.items():
        interval = as_json["prevalence_adjusted"][name.lower()]
        assert shown(at_prevalence, name) == (f"{value:.3f} (95% CI {interval['ci_low']:.3f}–"
                                              f"{interval['ci_high']:.3f})"), name
    people = re.search(r"per 1,000 people: TP (\d+), FN (\d+), FP (\d+), TN (\d+)", at_prevalence).groups()
    natural = (1000 * p * sens, 1000 * p * (1 - sens), 1000 * (1 - p) * (1 - spec), 1000 * (1 - p) * spec)
    assert sum(map(int, people)) == 1000 and all(abs(int(a) - b) < 1 for a, b in zip(people, natural))
    cost = p * (1 - sens) + (1 - p) * (1 - spec)  # the default cost ratio 1, at the prevalence given
    assert f"Expected cost per person (FN:FP = 1, prevalence 0.02): {cost:.3f}, in units of one false positive" \
        in text.stdout
    # net benefit (Vickers & Elkin) at threshold 0.5, whose odds are 1: in these rows, and per person at 2%
    here, at_two = tp / 200 - fp / 200, p * sens - (1 - p) * (1 - spec)
    assert as_json["net_benefit"] == pytest.approx(here) and as_json["prevalence_adjusted"]["net_benefit"] == \
        pytest.approx(at_two)
    assert shown(at_prevalence, "net benefit") == f"{at_two:.3f} per person (in these rows {here:.3f})"
    # beyond the highest negative score no false positive is left: LR+ is infinite, "∞" (it was "undefined")
    beyond = s[200:][y[200:] == 0].max() + 1e-9
    flagged = cli("threshold", "--scores", str(path), "--threshold", repr(float(beyond)))
    assert shown(flagged.stdout, "Positive likelihood ratio (LR+)") == "∞", (flagged.stdout, flagged.stderr)


def test_cli_threshold_names_a_split_column_without_validation_rows(tmp_path):
    """A split column of test rows only is not "no split column": the warning says what is missing."""
    path = tmp_path / "test_only.csv"
    path.write_text("y_true,score,split\n" + "\n".join(f"{i % 2},{(i % 7) / 7},test" for i in range(40)))
    out = cli("threshold", "--scores", str(path), "--json")
    assert out.returncode == 0, out.stderr
    assert "\nwarning: The split column holds test rows only: operating points are chosen and reported on the " \
           "same rows" in out.stderr
    assert json.loads(out.stdout)["reported_on"] == "all" and "Rows: all 40 rows" in cli("threshold", "--scores",
                                                                                       str(path)).stdout


@pytest.mark.parametrize("shift,expected", [(40.0, "middle"), (-0.5, "zero")])
def test_cli_threshold_starts_scores_that_are_not_probabilities_where_the_page_does(tmp_path, shift, expected):
    """0-100 risk scores start in the middle of their range, logits at 0 (not at 0.5, which means nothing
    there), with a note on stderr; the counts are scikit-learn's at that threshold."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 200)
    s = rng.random(200) * (60 if shift > 0 else 1) + shift * y + (0 if shift > 0 else -0.2)
    path = tmp_path / "scores.csv"
    path.write_text("y_true,score,split\n" + "\n".join(f"{a},{float(b)!r},{'val' if i < 100 else 'test'}"
                                                          for i, (a, b) in enumerate(zip(y, s))))
    out = cli("threshold", "--scores", str(path), "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    want = (s.min() + s.max()) / 2 if expected == "middle" else 0.0
    assert s.min() < 0 < s.max() if expected == "zero" else s.min() >= 0 and s.max() > 1
    assert report["threshold"] == pytest.approx(want, rel=1e-12)
    tn, fp, fn, tp = confusion_matrix(y[100:], s[100:] >= want).ravel()
    assert {k: report["counts"][k] for k in ("tp", "fp", "tn", "fn")} == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    assert "note: the scores are not probabilities: reporting at threshold " in out.stderr
    # (shifted down, the positives' scores are the lower ones: a note says that they rank the wrong way round)
    assert ("below 0.5: higher scores go with the negative class" in out.stderr) == (expected == "zero")


def test_cli_threshold_warnings_go_to_stderr(tmp_path):
    """stdout stays the report (or the JSON) alone."""
    path = str(scores_file(tmp_path, with_split=False)[0])
    text, as_json = cli("threshold", "--scores", path), cli("threshold", "--scores", path, "--json")
    warning = "warning: No split column: operating points are chosen and reported on the same rows"
    assert text.stdout.startswith("Rows: all 400 rows") and "warning" not in text.stdout
    assert text.stderr.startswith(warning) and len(text.stderr.splitlines()) == 1
    assert "warning" in json.loads(as_json.stdout) and as_json.stderr.startswith(warning)


def test_cli_epoch_lines_show_train_and_validation_but_not_test(capsys):
    """Test numbers during training invite choosing on them: only the final summary shows them."""
    code, out, err = run_cli(capsys, "train", "--dataset", "breast_cancer", "--epochs", 3, "--json")
    summary = json.loads(out)
    epochs = [line for line in err.splitlines() if line.startswith("epoch ")]
    assert code == 0 and len(epochs) == 3
    for line, row in zip(epochs, summary["history"]):
        assert "test" not in line
        for shown, key in (("train_loss", "train_loss"), ("train_acc", "train_accuracy"),
                           ("val_loss", "val_loss"), ("val_acc", "val_accuracy")):
            assert f"{shown} {row[key]:.4f}" in line, (line, key)
    assert f"test accuracy {summary['test_accuracy']:.4f}" in err.splitlines()[-1]


@pytest.mark.parametrize("command", ["train", "threshold"])
def test_cli_help_gives_every_option_a_text_and_its_default(capsys, command):
    with pytest.raises(SystemExit) as done:
        cli_module.main([command, "--help"])
    assert done.value.code == 0 and "--json" in capsys.readouterr().out  # the help text formats
    parser = next(a for a in cli_module._parser()._actions if isinstance(a, argparse._SubParsersAction))
    sub = parser.choices[command]
    required = {a.dest for group in sub._mutually_exclusive_groups if group.required for a in group._group_actions}
    for action in sub._actions[1:]:  # after --help
        text = action.help % vars(action)
        assert text, action.option_strings
        if action.nargs != 0 and not action.required and action.dest not in required:  # options with values
            assert "(default: " in text, action.option_strings
            assert action.default is None or f"(default: {action.default})" in text, action.option_strings
    if command == "train":
        choose = next(a.help for a in sub._actions if a.dest == "choose")
        for form in ("youden", "f1", "sensitivity:TARGET", "specificity:TARGET", "cost:RATIO"):
            assert form in choose


def test_cli_synthetic_takes_the_positive_share_and_class_separation(capsys, tmp_path):
    """--weights and --class-sep reach the data (the model card's options, the class balance), --choose
    specificity:TARGET works, and missing output folders are created."""
    import pandas as pd

    out_dir = tmp_path / "new" / "folders"
    code, out, err = run_cli(capsys, "train", "--dataset", "synthetic", "--weights", 0.1, "--class-sep", 2.5,
                             "--epochs", 3, "--choose", "specificity:0.9", "--scores-out", out_dir / "s.csv",
                             "--export", out_dir / "model", "--json")
    assert code == 0, err
    summary = json.loads(out)
    options = json.loads((out_dir / "model" / "model_card.json").read_text())["dataset"]["options"]
    assert options["weights"] == [0.9, 0.1] and options["class_sep"] == 2.5
    scores = pd.read_csv(out_dir / "s.csv")
    assert abs(scores.y_true.mean() - 0.1) < 0.03  # make_classification flips 1% of labels
    val = scores[scores.split == "val"]
    tn, fp, _, _ = confusion_matrix(val.y_true, val.score >= summary["threshold"]).ravel()
    assert summary["threshold_chosen_by"] == "specificity:0.9" and tn / (tn + fp) >= 0.9


def test_cli_export_of_a_multiclass_model_card_has_its_test_metrics(capsys, tmp_path):
    """The card's test_metrics for a softmax model: accuracy as the JSON summary gives it, the argmax
    confusion matrix of the exported model's own test predictions, per-class recall."""
    code, out, err = run_cli(capsys, "train", "--dataset", "digits", "--epochs", 2, "--learning-rate", 0.1,
                             "--export", tmp_path / "m", "--json")
    assert code == 0, err
    summary = json.loads(out)
    metrics = json.loads((tmp_path / "m" / "model_card.json").read_text())["test_metrics"]
    ds = load_dataset("digits", seed=0)
    served = load_saved_model(tmp_path / "m")(features=ds.X_test.astype(np.float64))
    predicted = served["predicted_class"].numpy()
    assert metrics["n"] == summary["n_test"] == len(ds.y_test)
    assert metrics["accuracy"]["value"] == pytest.approx(summary["test_accuracy"], abs=1e-6)
    assert metrics["accuracy"]["ci_low"] < metrics["accuracy"]["value"] < metrics["accuracy"]["ci_high"]
    assert metrics["log_loss"] == pytest.approx(summary["test_log_loss"], abs=1e-4)
    assert metrics["confusion_matrix"]["counts"] == confusion_matrix(ds.y_test, predicted, labels=range(10)).tolist()
    assert [row["class"] for row in metrics["per_class"]] == summary["classes"]


@pytest.mark.parametrize("args,fragment", [
    (["train", "--dataset", "nope"], "unknown dataset"),
    (["train", "--csv", "/no/such/file.csv"], "error:"),
    (["train", "--dataset", "breast_cancer", "--epochs", "0"], "epochs"),
    (["train", "--dataset", "breast_cancer", "--learning-rate", "-1"], "learning_rate"),
    (["train", "--dataset", "breast_cancer", "--epochs", "ten"], "invalid int"),
    (["train", "--dataset", "breast_cancer", "--choose", "magic"], "unknown way"),
    (["threshold", "--scores", "/no/such.csv"], "cannot read the scores file /no/such.csv: No such file"),
    (["threshold"], "required"),
    (["frobnicate"], "invalid choice"),
])
def test_cli_bad_input_exits_2_with_one_error_line(args, fragment):
    out = cli(*args)
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and fragment in lines[0]
    assert "Traceback" not in out.stderr


def test_cli_lists_datasets():
    out = cli("datasets")
    assert out.returncode == 0 and out.stdout.split() == ["breast_cancer", "digits", "mnist", "synthetic"]


def test_concurrent_exports_take_turns(trained, tmp_path, monkeypatch):
    """Sessions exporting at once must not run TensorFlow's save (and its AutoGraph source parsing)
    side by side: see export._export_lock."""
    import threading
    import time

    from logreg_core.tf_runtime import tensorflow

    tf = tensorflow()
    inside, most, saved = [], [], []

    def slow_save(module, directory, signatures):
        inside.append(1)
        most.append(len(inside))
        time.sleep(0.05)
        saved.append(directory)
        inside.pop()

    monkeypatch.setattr(tf.saved_model, "save", slow_save)
    _, result = trained
    threads = [threading.Thread(target=save_model, args=(result.model, tmp_path / f"m{i}")) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(saved) == 4 and max(most) == 1


def test_predictions_take_rows_laid_out_like_the_training_csv(tmp_path):
    """The training CSV's own layout (an id, a text column, blanks) predicts as the loader encoded it:
    text one-hot into the model's column=value features, blanks filled with the training medians."""
    import pandas as pd

    from logreg_core.csv_loader import from_csv

    rng = np.random.default_rng(4)
    n = 120
    frame = pd.DataFrame({"patient_id": np.arange(1000, 1000 + n), "age": rng.integers(20, 90, n).astype(float),
                          "smoker": rng.choice(["never", "former", "current"], n),
                          "insured": rng.choice(["true", "false"], n),
                          "diagnosis": rng.choice(["sick", "healthy"], n)})
    frame.loc[::9, "age"] = np.nan
    ds = from_csv(frame.to_csv(index=False).encode(), target="diagnosis", positive="sick")
    model = run_training(ds, TrainConfig(epochs=3)).model
    assert model.feature_names == ("age", "smoker=current", "smoker=former", "smoker=never", "insured")
    fill = np.median(ds.X_train, axis=0)
    new = frame.drop(columns=["diagnosis"]).head(20)
    new.loc[3, "smoker"] = "occasional"  # never seen in training: 0 in every smoker column
    out, notes = predict_rows(model, new.to_csv(index=False).encode(), 0.5)
    expected = np.column_stack([new["age"].fillna(fill[0])] + [(new["smoker"] == level).astype(float)
                                                               for level in ("current", "former", "never")]
                               + [(new["insured"] == "true").astype(float)])
    np.testing.assert_allclose(out["probability_sick"], model.predict_proba(expected), atol=1e-12)
    assert out["patient_id"].tolist() == new["patient_id"].tolist()  # the rows' own columns follow
    blank_rows = ", ".join(str(i + 1) for i in np.flatnonzero(new["age"].isna()))  # counted as data rows
    assert notes == [f"Filled {int(new['age'].isna().sum())} missing, non-numeric or huge (beyond ±1e30) value(s) in age (data rows "
                     f"{blank_rows}) with the training split's medians, as training did.",
                     "smoker: 1 row has a value training never saw (occasional); it counts as none of smoker's levels.",
                     "Not used by the model, shown as given: patient_id."]
    # a row with no value is skipped, and said so: one prediction per row with a value
    lines = new.to_csv(index=False).splitlines()
    with_empty = "\n".join(lines[:2] + [",,,"] + lines[2:]).encode()
    skipped, skipped_notes = predict_rows(model, with_empty, 0.5)
    assert skipped["patient_id"].tolist() == new["patient_id"].tolist()
    assert skipped_notes[0].startswith("Skipped 1 row with no value: there is one prediction per row with a value")
    assert skipped_notes[1:] == notes
    with pytest.raises(Exception, match=r"lacks 2 of the training data's columns \(smoker, insured\)"):
        predict_rows(model, new.drop(columns=["smoker", "insured"]).to_csv(index=False).encode(), 0.5)


def test_a_column_the_model_gives_no_weight_may_be_missing_from_rows_to_predict():
    """A column with one value in training gets weight 0 (standardized, it is all zeros): a file without it
    predicts as with it, and says so. A column the model uses is still required."""
    import pandas as pd

    from logreg_core.csv_loader import from_csv
    from logreg_core.predict import unweighted_columns

    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"age": rng.normal(50, 10, 90), "site": 7.0, "ward": "A",
                          "outcome": rng.choice(["yes", "no"], 90)})
    model = run_training(from_csv(frame.to_csv(index=False).encode(), target="outcome"), TrainConfig(epochs=3)).model
    assert unweighted_columns(model) == {"site", "ward"} and np.all(model.weights[0] != 0)
    rows = frame.drop(columns="outcome").head(10)
    full, _ = predict_rows(model, rows.to_csv(index=False).encode())
    rows = rows.assign(note="x")
    lacking, notes = predict_rows(model, rows.drop(columns=["site", "ward"]).to_csv(index=False).encode())
    np.testing.assert_array_equal(lacking["probability_yes"], full["probability_yes"])
    assert notes == ["The file lacks site, ward, which the model gives no weight (as it gives a column with a single "
                     "value in training), so it changes no prediction: filled as training did.",
                     "Not used by the model, shown as given: note."]
    with pytest.raises(Exception, match=r"lacks 1 of the training data's columns \(age\)"):
        predict_rows(model, rows.drop(columns=["age", "site"]).to_csv(index=False).encode())
