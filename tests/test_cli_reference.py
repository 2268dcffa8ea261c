"""The command line and the printable report against brute force and scikit-learn.

* ``train --choose …``: the threshold is the best one over the VALIDATION rows of the written scores
  file (every distinct score tried, and +inf: flag no one), by Youden's J, F1, a sensitivity target or
  the cost 5·FN + FP, with ties resolved as threshold.py documents; the test numbers reported at it are
  scikit-learn's confusion matrix on the test rows of the same file;
* ``threshold --scores``: operating points are found on the val rows, not on test (a file where the two
  disagree);
* ``report.report_html``: its confusion matrix and metric rows read back from the HTML equal
  scikit-learn's counts and metrics computed here.

Training is 5 epochs on breast cancer, in-process (TensorFlow starts once), plus one real
``python -m logreg_core`` process.
"""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from fractions import Fraction
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, f1_score, matthews_corrcoef

from logreg_core import cli
from logreg_core.report import report_html
from logreg_core.threshold import Sweep

CHOICES = ("youden", "f1", "sensitivity:0.9", "cost:5")
SEED = "59"  # a split where Youden's J, F1, cost 5 and the sensitivity target each pick another threshold on
# validation than on test, and all four differ on validation (see the guard test below)


def run_main(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def counts(y, s, t) -> tuple[int, int, int, int]:
    """(tp, fp, tn, fn) by scikit-learn, positive when score ≥ t."""
    tn, fp, fn, tp = confusion_matrix(y, np.asarray(s) >= t, labels=[0, 1]).ravel()
    return int(tp), int(fp), int(tn), int(fn)


def criterion(kind: str, tp: int, fp: int, tn: int, fn: int, ratio: int = 5):
    """Exact (integer or Fraction) values, so that ties are ties; larger is better. ``cost``: a miss
    costs ``ratio`` false alarms."""
    p, n = tp + fn, tn + fp
    if kind == "youden":
        return Fraction(tp, p) - Fraction(fp, n)
    if kind == "f1":
        return Fraction(2 * tp, 2 * tp + fp + fn)
    if kind == "cost":
        return -(ratio * fn + fp)
    raise ValueError(kind)


def candidates(s) -> np.ndarray:
    """Every threshold worth trying: +inf (flag no one), then each distinct score, descending."""
    return np.r_[np.inf, np.unique(s)[::-1]]


def brute_force(kind: str, y, s, ratio: int = 5) -> tuple[object, float]:
    """(best criterion value, the middle of the widest range of tied best thresholds).

    Candidate c_i stands for every t in (c_{i+1}, c_i]: those flag the same cases. Consecutive best
    candidates make one range; the widest wins (the highest among equals); the lowest score's range is
    measured down to that score; a range reaching +inf gives +inf.
    """
    c = candidates(s)
    values = [criterion(kind, *counts(y, s, t), ratio=ratio) for t in c]
    best = max(values)
    ranges, i = [], 0
    while i < len(c):
        if values[i] != best:
            i += 1
            continue
        j = i
        while j + 1 < len(c) and values[j + 1] == best:
            j += 1
        upper, lower = c[i], (c[j + 1] if j + 1 < len(c) else c[j])
        ranges.append((upper - lower, upper, lower))
        i = j + 1
    width, upper, lower = max(ranges, key=lambda r: r[0])  # max keeps the first (highest) of equal widths
    return best, (upper if np.isinf(upper) or width == 0 else lower / 2 + upper / 2)


def highest_reaching_sensitivity(y, s, target: float) -> float:
    reached = [t for t in candidates(s) if Fraction(counts(y, s, t)[0], int(np.sum(y))) >= Fraction(str(target))]
    return float(max(reached))


# --------------------------------------------------------------------------- 5. train --choose


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """JSON summary and the scores file of one run per way of choosing, and of --threshold 0.3."""
    folder = tmp_path_factory.mktemp("choose")
    runs = {}
    for how, option in [*((c, ["--choose", c]) for c in CHOICES), ("0.3", ["--threshold", "0.3"])]:
        path = folder / f"{how.replace(':', '_')}.csv"
        code, out, err = run_main("train", "--dataset", "breast_cancer", "--epochs", 5, "--seed", SEED,
                                  "--scores-out", path, "--json", *option)
        assert code == 0, err
        runs[how] = json.loads(out), pd.read_csv(path)
    return runs


def split_of(frame: pd.DataFrame, name: str) -> tuple[np.ndarray, np.ndarray]:
    part = frame[frame["split"] == name]
    return part["y_true"].to_numpy(), part["score"].to_numpy()


def assert_test_report_is_sklearns(summary: dict, frame: pd.DataFrame, threshold: float) -> None:
    y, s = split_of(frame, "test")
    tp, fp, tn, fn = counts(y, s, threshold)
    reported = summary["test_at_threshold"]
    assert {k: reported["counts"][k] for k in ("tp", "fp", "tn", "fn")} == {"tp": tp, "fp": fp, "tn": tn, "fn": fn}
    assert reported["threshold"] == threshold and reported["counts"]["n"] == len(y) == summary["n_test"]
    expected = {"sensitivity": tp / (tp + fn), "specificity": tn / (tn + fp), "ppv": tp / (tp + fp),
                "npv": tn / (tn + fn), "accuracy": (tp + tn) / len(y)}
    for name, value in expected.items():
        assert reported["metrics"][name]["value"] == pytest.approx(value, rel=1e-12), name


@pytest.mark.parametrize("choice", CHOICES)
def test_train_chooses_the_best_threshold_on_the_validation_rows(trained, choice):
    summary, frame = trained[choice]
    y, s = split_of(frame, "val")
    assert len(y) == summary["n_val"] and summary["threshold_chosen_by"] == choice
    t = summary["threshold"]
    kind = choice.split(":")[0]
    if kind == "sensitivity":
        assert t == highest_reaching_sensitivity(y, s, 0.9)
    else:
        best, middle = brute_force(kind, y, s)
        assert criterion(kind, *counts(y, s, t)) == best  # optimal on validation …
        assert t == pytest.approx(middle, rel=1e-12, abs=0)  # … and the middle of the widest tied range
    assert_test_report_is_sklearns(summary, frame, t)


def test_the_data_tells_the_finders_and_the_splits_apart(trained):
    """Not a property of the engine but of SEED's data, so that the test above can fail: the four ways
    pick four thresholds, and each would pick another one on the test rows. If a change to training
    makes this fail, pick another SEED where it holds."""
    chosen = {c: trained[c][0]["threshold"] for c in CHOICES}
    assert len(set(chosen.values())) == len(CHOICES), chosen
    for choice, t in chosen.items():
        y, s = split_of(trained[choice][1], "test")
        kind = choice.split(":")[0]
        on_test = highest_reaching_sensitivity(y, s, 0.9) if kind == "sensitivity" else brute_force(kind, y, s)[1]
        assert on_test != pytest.approx(t, rel=1e-12, abs=0), choice


def test_train_reports_test_counts_at_a_given_threshold(trained):
    summary, frame = trained["0.3"]
    assert summary["threshold"] == 0.3 and summary["threshold_chosen_by"] == "given"
    assert_test_report_is_sklearns(summary, frame, 0.3)
    y, s = split_of(frame, "test")
    assert counts(y, s, 0.3) != counts(y, s, 0.5)  # the data tells 0.3 from the default


def test_a_real_process_reports_the_same_as_the_in_process_run(trained, tmp_path):
    """``python -m logreg_core train … --threshold 0.3 --json`` as typed: same split, scores and counts."""
    path = tmp_path / "scores.csv"
    done = subprocess.run([sys.executable, "-m", "logreg_core", "train", "--dataset", "breast_cancer", "--epochs",
                           "5", "--seed", SEED, "--threshold", "0.3", "--scores-out", str(path), "--json"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    summary, frame = json.loads(done.stdout), pd.read_csv(path)
    assert_test_report_is_sklearns(summary, frame, 0.3)
    assert summary["test_at_threshold"]["counts"] == trained["0.3"][0]["test_at_threshold"]["counts"]


# --------------------------------------------------------------------------- 6. threshold --scores


def disagreeing_scores(label: str):
    """Validation and test rows, interleaved, whose best thresholds lie far apart (test's scores are
    shifted up by 0.25); scores on a 0.01 grid, so that many rows tie."""
    rng = np.random.default_rng(12)
    n = 320
    is_val = rng.permutation(np.arange(n) < 160)
    y = (rng.random(n) < 0.4).astype(int)
    s = np.clip(np.round(rng.normal(0.3 + 0.25 * y + 0.25 * ~is_val, 0.1), 2), 0, 1)
    split = np.where(is_val, label, "test")
    text = "y_true,score,split\n" + "".join(f"{a},{b!r},{c}\n" for a, b, c in zip(y.tolist(), s.tolist(), split))
    return text, (y[is_val], s[is_val]), (y[~is_val], s[~is_val])


@pytest.mark.parametrize("label", ["val", "validation"])
def test_threshold_command_finds_operating_points_on_val_not_test(tmp_path, label):
    text, val, test = disagreeing_scores(label)
    path = tmp_path / "scores.csv"
    path.write_text(text)
    code, out, err = run_main("threshold", "--scores", path, "--target-sensitivity", 0.8, "--json")
    assert code == 0, err
    summary = json.loads(out)
    points = summary["operating_points"]
    assert summary["operating_points_chosen_on"] == "val" and summary["reported_on"] == "test"

    found = points["sensitivity_target"]
    assert found == highest_reaching_sensitivity(*val, 0.8)
    assert found != highest_reaching_sensitivity(*test, 0.8)  # chosen on test, it would differ
    # min_cost at the default cost ratio 1: FN + FP
    for key, kind in (("youden", "youden"), ("max_f1", "f1"), ("min_cost", "cost")):
        best, middle = brute_force(kind, *val, ratio=1)
        assert criterion(kind, *counts(*val, points[key]), ratio=1) == best, key
        assert points[key] == pytest.approx(middle, rel=1e-12, abs=0), key
        on_test = criterion(kind, *counts(*test, points[key]), ratio=1)
        assert on_test < brute_force(kind, *test, ratio=1)[0], key  # not test's best: choosing there would differ
    # and everything else is reported on test
    assert {k: summary["counts"][k] for k in ("tp", "fp", "tn", "fn")} == dict(zip(("tp", "fp", "tn", "fn"),
                                                                                  counts(*test, 0.5)))


def test_threshold_command_notes_scores_that_rank_the_classes_the_wrong_way_round(tmp_path):
    """The other class's scores (1 − s): ROC AUC 1 − scikit-learn's, said in a note on stderr and in the JSON."""
    from sklearn.metrics import roc_auc_score

    text, val, test = disagreeing_scores("val")
    lines = text.splitlines()
    flipped = [lines[0]] + [f"{a},{1 - float(b)!r},{c}" for a, b, c in (line.split(",") for line in lines[1:])]
    path = tmp_path / "flipped.csv"
    path.write_text("\n".join(flipped) + "\n")
    code, out, err = run_main("threshold", "--scores", path, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["roc_auc"] == pytest.approx(1 - roc_auc_score(*test), abs=1e-12)
    inverted = [note for note in summary["notes"] if "ROC AUC" in note]
    assert summary["roc_auc"] < 0.5 and len(inverted) == 1
    assert inverted[0].startswith(f"On the test rows the ROC AUC is {summary['roc_auc']:.3f}")
    assert f"note: {inverted[0]}" in err
    right = tmp_path / "right.csv"
    right.write_text(text)
    code, out, _ = run_main("threshold", "--scores", right, "--json")
    assert code == 0 and not any("ROC AUC" in note for note in json.loads(out)["notes"])  # the right way round


@pytest.mark.parametrize("val_rows,expected", [
    # J and FN + FP tie on (0.75, 0.875] and (0.125, 0.625]: the wider range's middle
    ([(1, 0.875), (0, 0.75), (1, 0.625), (0, 0.125)], 0.375),
    # two ranges as wide, (0.75, 0.875] and (0.5, 0.625]: the higher one's middle
    ([(1, 0.875), (0, 0.75), (1, 0.625), (0, 0.5)], 0.8125),
])
def test_threshold_command_resolves_ties_as_documented(tmp_path, val_rows, expected):
    """Youden's J and the cost FN + FP tie on two separate ranges of validation thresholds: the middle of
    the widest range, the highest among equally wide ones (threshold.py, Sweep._middle_of_best)."""
    test_rows = [(0, 0.3), (1, 0.6), (0, 0.55), (1, 0.9)]
    path = tmp_path / "ties.csv"
    path.write_text("y_true,score,split\n" + "".join(f"{y},{s},val\n" for y, s in val_rows)
                    + "".join(f"{y},{s},test\n" for y, s in test_rows))
    code, out, err = run_main("threshold", "--scores", path, "--json")
    assert code == 0, err
    points = json.loads(out)["operating_points"]
    y, s = np.array(val_rows).T
    for key, kind in (("youden", "youden"), ("min_cost", "cost")):
        best, middle = brute_force(kind, y.astype(int), s, ratio=1)  # the default --cost-ratio
        assert middle == expected, kind  # the brute force's own reading of the rule, on data made for it
        assert points[key] == expected, key


def test_threshold_command_reads_percentages_as_fractions_and_says_so(tmp_path):
    """Scores written as "90%" (as a spreadsheet exports them) are the fractions they stand for, beside
    plain ones; the JSON says how they were read and echoes what its operating points were found for."""
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    s = np.round(np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1), 2)
    written = [f"{round(v * 100)}%" if i % 2 else f"{v:.2f}" for i, v in enumerate(s)]
    path = tmp_path / "percent.csv"
    path.write_text("y_true,score\n" + "".join(f"{a},{b}\n" for a, b in zip(y, written)))
    code, out, err = run_main("threshold", "--scores", path, "--cost-ratio", 4, "--target-sensitivity", 0.8,
                              "--threshold", 0.5, "--json")
    assert code == 0, err
    summary = json.loads(out)
    tn, fp, fn, tp = confusion_matrix(y, (s >= 0.5).astype(int), labels=[0, 1]).ravel()
    assert [summary["counts"][k] for k in ("tp", "fp", "tn", "fn")] == [tp, fp, tn, fn]
    assert summary["brier"] == pytest.approx(np.mean((s - y) ** 2), abs=1e-12)  # probabilities, so a Brier score
    assert (summary["cost_ratio"], summary["target_sensitivity"], summary["prevalence"]) == (4, 0.8, None)
    assert summary["notes"][0] == (f"The score column has 30 value(s) written as a percentage, such as "
                                   f"{written[1]!r}: read as the fraction it stands for ({s[1]:g}), so thresholds "
                                   "are fractions too.")
    assert summary["notes"][1].startswith(f"These rows have only {y.sum()} positives") and len(summary["notes"]) == 2
    assert f"note: {summary['notes'][0]}" in err.splitlines()
    # a threshold meant as a percentage is beyond these fractions: said, as the page says it
    code, out, err = run_main("threshold", "--scores", path, "--threshold", 35, "--json")
    assert code == 0 and json.loads(out)["counts"]["tp"] == json.loads(out)["counts"]["fp"] == 0
    said = f"note: threshold 35 is above every score (the highest is {s.max():g}): no one is flagged"
    assert said in err.splitlines()


# --------------------------------------------------------------------------- 7. the printable report


class Tables(HTMLParser):
    """Every <table> as a list of rows, each a list of its cells' text (th and td alike)."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def wilson(successes: int, trials: int) -> str:
    from scipy.stats import binomtest

    ci = binomtest(successes, trials).proportion_ci(method="wilson")
    return f"{ci.low:.3f} – {ci.high:.3f}"


@pytest.mark.parametrize("seed,threshold", [(0, 0.4), (1, 0.55), (2, 0.3)])
def test_printable_report_tables_are_sklearns_numbers(seed, threshold):
    rng = np.random.default_rng(seed)
    n = 240
    y = (rng.random(n) < 0.35).astype(int)
    s = np.clip(np.round(rng.normal(0.35 + 0.2 * y, 0.18), 2), 0, 1)
    s[:4] = threshold  # scores on the threshold count as positive
    sweep = Sweep.from_scores(y, s)
    page = report_html(sweep.report(threshold), sweep, names=("benign", "malignant"), split="the test split",
                       origin="random scores", how="given")
    parser = Tables()
    parser.feed(page)
    matrix = next(t for t in parser.tables if any("Predicted" in cell for cell in t[0]))
    metrics = next(t for t in parser.tables if t[0] == ["Metric", "Value", "95% interval"])

    tn, fp, fn, tp = confusion_matrix(y, s >= threshold, labels=[0, 1]).ravel()
    assert len({tp, fp, tn, fn}) == 4  # all different: a swap of any two cells shows
    header, *body = matrix
    cells = {}
    for row in body:
        actual = row[0].removeprefix("Actual ")
        for predicted, cell in zip(header[1:], row[1:]):
            name, number = cell.split()
            cells[actual, predicted.removeprefix("Predicted ")] = (name, int(number.replace(",", "")))
    assert cells == {("malignant", "malignant"): ("TP", tp), ("malignant", "benign"): ("FN", fn),
                     ("benign", "malignant"): ("FP", fp), ("benign", "benign"): ("TN", tn)}

    rows = {row[0]: row[1:] for row in metrics[1:]}
    predicted = (s >= threshold).astype(int)
    sens, spec = tp / (tp + fn), tn / (tn + fp)
    expected = {
        "Sensitivity (TPR, recall)": (sens, wilson(tp, tp + fn)), "Specificity (TNR)": (spec, wilson(tn, tn + fp)),
        "PPV (precision)": (tp / (tp + fp), wilson(tp, tp + fp)), "NPV": (tn / (tn + fn), wilson(tn, tn + fn)),
        "Accuracy": ((tp + tn) / n, wilson(tp + tn, n)),
        "False-positive rate": (fp / (fp + tn), wilson(fp, fp + tn)),
        "False-negative rate": (fn / (fn + tp), wilson(fn, fn + tp)),
        "F1 score": (f1_score(y, predicted), "—"), "Balanced accuracy": (balanced_accuracy_score(y, predicted), "—"),
        "Matthews correlation": (matthews_corrcoef(y, predicted), "—"), "Youden's J": (sens + spec - 1, "—"),
    }
    for label, (value, interval) in expected.items():
        assert f"{value:.3f}" != f"{1 - value:.3f}", label  # 1 − value would show
        assert rows[label] == [f"{value:.3f}", interval], label
    assert (f"on <b>the test split</b> ({n:,} cases: {tp + fn:,} malignant, {tn + fp:,} benign)") in page
