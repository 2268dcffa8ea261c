"""logreg_core.threshold against scikit-learn, hand-computed values and brute force."""
import ast
import json
import html
import math
import pathlib
import time
import warnings
from dataclasses import asdict

import numpy as np
import pytest
from sklearn.calibration import calibration_curve as sk_calibration_curve
from sklearn.metrics import (
    accuracy_score, average_precision_score, brier_score_loss, confusion_matrix, f1_score, log_loss,
    matthews_corrcoef,
    precision_recall_curve, precision_recall_fscore_support, roc_auc_score, roc_curve,
)

from logreg_core.errors import LogRegError
from logreg_core.threshold import (
    CONVENTION, METRIC_NAMES, Counts, Estimate, Sweep, brier_score, calibration_curve, calibration_in_the_large,
    harm_to_benefit, multiclass_confusion, multiclass_report, net_benefit, one_vs_rest_scores, per_1000,
    per_1000_people, per_1000_texts,
    per_class_metrics, prevalence_adjusted_ppv_npv, treat_all_net_benefit, validate_cost_ratio,
    validate_prevalence, validate_scores, validate_threshold, wilson_interval,
)

# Any NumPy divide/invalid warning from the module under test fails the test.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

TOL = 1e-9


def quiet(fn, *args, **kwargs):
    """Call scikit-learn without its UndefinedMetricWarnings for degenerate inputs."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _datasets():
    rng = np.random.default_rng(20240601)
    y = rng.integers(0, 2, 400)
    logit = rng.normal(size=400) + 1.2 * y
    prob = 1 / (1 + np.exp(-logit))
    return {
        "random": (y, prob),
        "tied": (y, np.round(prob, 1)),
        "margins": (y, logit),
        "risk_0_100": (y, np.round(prob * 100)),
        "small": (np.array([0, 1, 1, 0, 1]), np.array([0.2, 0.9, 0.2, 0.6, 0.6])),
        "perfect": (np.array([0, 0, 1, 1]), np.array([-3.0, -1.0, 2.0, 5.0])),
        "only_positives": (np.ones(6, dtype=int), np.array([0.1, 0.4, 0.4, 0.5, 0.9, 0.3])),
        "only_negatives": (np.zeros(5, dtype=int), np.array([3.0, 1.0, 2.0, 2.0, 7.0])),
        "all_equal": (np.array([0, 1, 0, 1, 1]), np.full(5, 0.5)),
        "n1_positive": (np.array([1]), np.array([0.7])),
        "n1_negative": (np.array([0]), np.array([42.0])),
    }


DATASETS = _datasets()
BOTH_CLASSES = [name for name, (y, _) in DATASETS.items() if 0 < y.sum() < len(y)]
WITH_POSITIVES = [name for name, (y, _) in DATASETS.items() if y.sum() > 0]


def spaced(count, k=50):
    """Up to k evenly spaced indices into range(count), first and last included (keeps sklearn loops fast)."""
    return np.unique(np.linspace(0, count - 1, k).round().astype(int))


def probe_thresholds(s):
    """Scores and midpoints between them (a spread of up to 50), and points at and beyond both ends."""
    u = np.unique(s)
    inner = np.union1d(u, (u[1:] + u[:-1]) / 2)
    return np.concatenate([inner[spaced(inner.size)],
                           [u[0] - 1, u[-1] + 1, np.nextafter(u[-1], np.inf), -np.inf, np.inf]])


def sk_counts(y, s, t):
    tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
    return tp, fp, tn, fn


# ---------------------------------------------------------------- counts and curves vs sklearn

@pytest.mark.parametrize("name", DATASETS)
def test_counts_at_matches_confusion_matrix_at_every_kind_of_threshold(name):
    y, s = DATASETS[name]
    sweep = Sweep.from_scores(y, s)
    for t in probe_thresholds(s):
        c = sweep.counts_at(t)
        assert (c.tp, c.fp, c.tn, c.fn) == sk_counts(y, s, t), t
        assert c.n == len(y) and c.positives == y.sum()


@pytest.mark.parametrize("name", DATASETS)
def test_sweep_arrays_count_scores_at_or_above_each_distinct_score(name):
    y, s = DATASETS[name]
    sweep = Sweep.from_scores(y, s)
    np.testing.assert_array_equal(sweep.thresholds, np.unique(s)[::-1])
    for i in spaced(sweep.thresholds.size):
        assert (sweep.tp[i], sweep.fp[i]) == sk_counts(y, s, sweep.thresholds[i])[:2]
    assert sweep.tp.dtype == np.int64 and sweep.fp.dtype == np.int64
    assert (sweep.n, sweep.n_pos, sweep.n_neg) == (len(y), y.sum(), len(y) - y.sum())
    assert (sweep.min_score, sweep.max_score) == (s.min(), s.max())
    assert sweep.is_probability == bool(s.min() >= 0 and s.max() <= 1)


@pytest.mark.parametrize("name", DATASETS)
def test_roc_is_sklearn_roc_curve_without_dropped_points(name):
    y, s = DATASETS[name]
    fpr, tpr, thr = Sweep.from_scores(y, s).roc()
    sk_fpr, sk_tpr, sk_thr = quiet(roc_curve, y, s, drop_intermediate=False)
    np.testing.assert_array_equal(thr, sk_thr)
    np.testing.assert_allclose(fpr, sk_fpr, rtol=0, atol=TOL)  # NaN where sklearn has NaN
    np.testing.assert_allclose(tpr, sk_tpr, rtol=0, atol=TOL)
    assert thr[0] == np.inf


@pytest.mark.parametrize("name", DATASETS)
def test_roc_auc_matches_sklearn_and_is_nan_for_one_class(name):
    y, s = DATASETS[name]
    auc = Sweep.from_scores(y, s).roc_auc()
    if name in BOTH_CLASSES:
        assert auc == pytest.approx(roc_auc_score(y, s), abs=TOL)
    else:
        assert math.isnan(auc)


@pytest.mark.parametrize("name", WITH_POSITIVES)
def test_pr_curve_and_average_precision_match_sklearn(name):
    y, s = DATASETS[name]
    sweep = Sweep.from_scores(y, s)
    precision, recall, thr = sweep.pr_curve()
    sk_precision, sk_recall, sk_thr = precision_recall_curve(y, s)
    np.testing.assert_array_equal(thr, sk_thr)
    np.testing.assert_allclose(precision, sk_precision, rtol=0, atol=TOL)
    np.testing.assert_allclose(recall, sk_recall, rtol=0, atol=TOL)
    assert sweep.average_precision() == pytest.approx(average_precision_score(y, s), abs=TOL)


def test_pr_without_positives_is_undefined_not_sklearns_convention():
    sweep = Sweep.from_scores(*DATASETS["only_negatives"])
    precision, recall, _ = sweep.pr_curve()
    assert np.isnan(recall[:-1]).all() and recall[-1] == 0
    np.testing.assert_array_equal(precision[:-1], 0.0)
    assert math.isnan(sweep.average_precision())


@pytest.mark.parametrize("name", DATASETS)
def test_curves_match_metrics_from_sklearn_confusion_matrices(name):
    y, s = DATASETS[name]
    curves = Sweep.from_scores(y, s).curves()
    assert list(curves) == ["threshold", "sensitivity", "specificity", "fpr", "fnr", "ppv", "npv",
                            "accuracy", "f1", "youden_j"]
    for i in spaced(curves["threshold"].size):
        t = curves["threshold"][i]
        tp, fp, tn, fn = sk_counts(y, s, t)
        expected = {
            "sensitivity": tp / (tp + fn) if tp + fn else np.nan,
            "specificity": tn / (tn + fp) if tn + fp else np.nan,
            "fpr": fp / (tn + fp) if tn + fp else np.nan,
            "fnr": fn / (tp + fn) if tp + fn else np.nan,
            "ppv": tp / (tp + fp),  # tp + fp >= 1 at any observed score
            "npv": tn / (tn + fn) if tn + fn else np.nan,
            "accuracy": (tp + tn) / len(y),
        }
        expected["youden_j"] = expected["sensitivity"] + expected["specificity"] - 1
        for key, value in expected.items():
            np.testing.assert_allclose(curves[key][i], value, rtol=0, atol=TOL, err_msg=key)
        sk_f1 = quiet(f1_score, y, (s >= t).astype(int), labels=[0, 1], zero_division=np.nan)
        np.testing.assert_allclose(curves["f1"][i], sk_f1, rtol=0, atol=TOL)


@pytest.mark.parametrize("name", DATASETS)
def test_report_metrics_match_sklearn(name):
    y, s = DATASETS[name]
    sweep = Sweep.from_scores(y, s)
    for t in probe_thresholds(s):
        report = sweep.report(t)
        assert list(report.metrics) == list(METRIC_NAMES)
        m = {key: e.value for key, e in report.metrics.items()}
        pred = (s >= t).astype(int)
        tp, fp, tn, fn = sk_counts(y, s, t)
        # scikit-learn's 0 where a margin of the table is empty (everyone or no one flagged, one class) included
        assert m["mcc"] == pytest.approx(quiet(matthews_corrcoef, y, pred), abs=TOL)
        if 2 * tp + fp + fn:
            assert m["f1"] == pytest.approx(f1_score(y, pred, labels=[0, 1], zero_division=0), abs=TOL)
        if tp + fn and tn + fp:
            sens, spec = tp / (tp + fn), tn / (tn + fp)
            assert m["balanced_accuracy"] == pytest.approx((sens + spec) / 2, abs=TOL)
            assert m["youden_j"] == pytest.approx(sens + spec - 1, abs=TOL)
            assert m["lr_positive"] == pytest.approx(sens / (1 - spec), abs=TOL) if fp else math.isnan(m["lr_positive"])
            assert m["lr_negative"] == pytest.approx((1 - sens) / spec, abs=TOL) if tn else math.isnan(m["lr_negative"])
        assert report.threshold == t and report.convention == CONVENTION


@pytest.mark.parametrize("name", DATASETS)
def test_at_thresholds_matches_confusion_matrix_and_brute_force_rates(name):
    """A slider's grid, every kind of probe and ±inf, in an unsorted order: each entry as confusion_matrix
    at that threshold, the rates by direct division (NaN where the class is absent)."""
    y, s = DATASETS[name]
    low, high = s.min(), s.max()
    grid = low + (high - low) * np.arange(1001) / 1000
    t = np.random.default_rng(0).permutation(np.concatenate([grid, probe_thresholds(s)]))
    table = Sweep.from_scores(y, s).at_thresholds(t)
    assert list(table) == ["threshold", "tp", "fp", "tn", "fn", "sensitivity", "specificity", "fpr", "fnr"]
    np.testing.assert_array_equal(table["threshold"], t)
    expected = np.array([sk_counts(y, s, v) for v in t]).T
    np.testing.assert_array_equal([table[k] for k in ("tp", "fp", "tn", "fn")], expected)
    tp, fp, tn, fn = expected
    with np.errstate(divide="ignore", invalid="ignore"):
        for key, value in {"sensitivity": tp / (tp + fn), "specificity": tn / (tn + fp),
                           "fpr": fp / (fp + tn), "fnr": fn / (fn + tp)}.items():
            np.testing.assert_allclose(table[key], value, rtol=0, atol=TOL, err_msg=key)


def test_at_thresholds_agrees_with_report_and_refuses_nan():
    y, s = DATASETS["random"]
    sweep = Sweep.from_scores(y, s)
    table = sweep.at_thresholds([0.3, 0.7])
    for i, t in enumerate((0.3, 0.7)):
        report = sweep.report(t)
        assert asdict(report.counts) == {k: table[k][i] for k in ("tp", "fp", "tn", "fn")}
        for key in ("sensitivity", "specificity", "fpr", "fnr"):
            assert table[key][i] == report.metrics[key].value
    assert sweep.at_thresholds([])["tp"].size == 0
    with pytest.raises(LogRegError, match="NaN"):
        sweep.at_thresholds([0.5, np.nan])
    with pytest.raises(LogRegError, match="thresholds must be 1-dimensional"):
        sweep.at_thresholds([[0.1, 0.2], [0.3, 0.4]])


def test_convention_is_stated():
    assert CONVENTION == "positive when score ≥ threshold"
    import logreg_core.threshold as module
    assert "score ≥ threshold" in module.__doc__


# ---------------------------------------------------------------- intervals

def test_wilson_published_value_81_of_263():
    low, high = wilson_interval(81, 263)
    assert low == pytest.approx(0.2553, abs=5e-5) and high == pytest.approx(0.3662, abs=5e-5)


@pytest.mark.parametrize("x, n", [(0, 10), (1, 10), (5, 10), (10, 10), (37, 1000), (1, 1)])
def test_wilson_matches_textbook_formula_and_solves_the_score_equation(x, n):
    z = 1.959963984540054
    centre = (x + z * z / 2) / (n + z * z)
    half = z * math.sqrt(x * (n - x) / n + z * z / 4) / (n + z * z)
    low, high = wilson_interval(x, n)
    assert low == pytest.approx(max(0.0, centre - half), abs=1e-12)
    assert high == pytest.approx(min(1.0, centre + half), abs=1e-12)
    p = x / n
    for bound in (low, high):  # each end satisfies |p − π| = z·√(π(1−π)/n)
        assert (p - bound) ** 2 == pytest.approx(z * z * bound * (1 - bound) / n, abs=1e-12)
    assert 0 <= low <= p <= high <= 1


def test_wilson_edge_cases():
    assert wilson_interval(0, 0) == (None, None)
    assert wilson_interval(0, 20)[0] == 0.0 and wilson_interval(20, 20)[1] == 1.0
    with pytest.raises(LogRegError):
        wilson_interval(5, 3)


def _sweep_from_counts(tp, fp, tn, fn):
    """Scores 1 for the predicted positives and 0 for the rest, so threshold 0.5 gives these counts."""
    y = np.array([1] * tp + [0] * fp + [0] * tn + [1] * fn)
    s = np.array([1.0] * (tp + fp) + [0.0] * (tn + fn))
    return Sweep.from_scores(y, s)


def test_report_intervals_wilson_and_likelihood_ratio_log_method():
    report = _sweep_from_counts(tp=40, fp=20, tn=80, fn=10).report(0.5)
    m = report.metrics
    assert (m["sensitivity"].ci_low, m["sensitivity"].ci_high) == wilson_interval(40, 50)
    assert (m["npv"].ci_low, m["npv"].ci_high) == wilson_interval(80, 90)
    assert (m["accuracy"].ci_low, m["accuracy"].ci_high) == wilson_interval(120, 150)
    # Simel et al.: SE(ln LR+) = √((1−sens)/(sens·n1) + spec/((1−spec)·n2)), sens = spec = 0.8.
    se = math.sqrt(0.2 / (0.8 * 50) + 0.8 / (0.2 * 100))
    assert m["lr_positive"].value == pytest.approx(4.0)
    assert m["lr_positive"].ci_low == pytest.approx(4 * math.exp(-1.959963984540054 * se))
    assert m["lr_positive"].ci_high == pytest.approx(4 * math.exp(1.959963984540054 * se))
    assert (m["lr_positive"].ci_low, m["lr_positive"].ci_high) == pytest.approx((2.6393, 6.0622), abs=1e-4)
    se_neg = math.sqrt(0.8 / (0.2 * 50) + 0.2 / (0.8 * 100))
    assert m["lr_negative"].value == pytest.approx(0.25)
    assert m["lr_negative"].ci_low == pytest.approx(0.25 * math.exp(-1.959963984540054 * se_neg))
    for name in ("balanced_accuracy", "f1", "mcc", "youden_j"):
        assert m[name].ci_low is None and m[name].ci_high is None


def test_likelihood_ratio_undefined_pieces():
    m = _sweep_from_counts(tp=10, fp=0, tn=10, fn=5).report(0.5).metrics  # specificity 1: LR+ = x/0
    assert math.isnan(m["lr_positive"].value) and m["lr_positive"].ci_low is None
    assert m["lr_negative"].value == pytest.approx(5 / 15)
    m = _sweep_from_counts(tp=0, fp=4, tn=10, fn=5).report(0.5).metrics  # LR+ = 0: no log interval
    assert m["lr_positive"].value == 0 and m["lr_positive"].ci_low is None


# ---------------------------------------------------------------- bootstrap AUC interval

def _scored(n, seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, rng.normal(size=n) + y


def test_bootstrap_auc_ci_contains_auc_and_narrows_with_n():
    widths = []
    for n in (200, 5000):
        sweep = Sweep.from_scores(*_scored(n, seed=n))
        low, high = sweep.roc_auc_ci(n_boot=500, seed=1)
        assert low < sweep.roc_auc() < high
        widths.append(high - low)
    assert widths[1] < widths[0] / 3  # ~1/√n: √25 = 5


def test_bootstrap_auc_ci_is_reproducible_and_depends_on_level():
    sweep = Sweep.from_scores(*_scored(300, seed=3))
    assert sweep.roc_auc_ci(n_boot=300, seed=7) == sweep.roc_auc_ci(n_boot=300, seed=7)
    low95, high95 = sweep.roc_auc_ci(n_boot=300, seed=7)
    low80, high80 = sweep.roc_auc_ci(n_boot=300, seed=7, level=0.8)
    assert low95 <= low80 < high80 <= high95


def test_bootstrap_auc_ci_agrees_with_a_naive_stratified_bootstrap():
    """Same statistic by a slow loop over explicit resamples with sklearn; tied scores included."""
    y, s = DATASETS["tied"]
    rng = np.random.default_rng(0)
    pos, neg = s[y == 1], s[y == 0]
    aucs = []
    for _ in range(400):
        p, q = rng.choice(pos, pos.size), rng.choice(neg, neg.size)
        aucs.append(roc_auc_score(np.r_[np.ones(p.size), np.zeros(q.size)], np.r_[p, q]))
    naive = np.quantile(aucs, [0.025, 0.975])
    ours = Sweep.from_scores(y, s).roc_auc_ci(n_boot=2000, seed=0)
    np.testing.assert_allclose(ours, naive, atol=0.015)


@pytest.mark.parametrize("name", ["only_positives", "only_negatives", "n1_positive"])
def test_bootstrap_auc_ci_undefined_with_one_class(name):
    assert Sweep.from_scores(*DATASETS[name]).roc_auc_ci(n_boot=10) == (None, None)


def test_bootstrap_auc_ci_perfect_separation_and_all_ties():
    assert Sweep.from_scores(*DATASETS["perfect"]).roc_auc_ci(n_boot=50) == (1.0, 1.0)
    assert Sweep.from_scores(*DATASETS["all_equal"]).roc_auc_ci(n_boot=50) == (0.5, 0.5)


# ---------------------------------------------------------------- operating points by brute force

def brute_force(y, s):
    """Counts at every candidate threshold (each distinct score, descending, plus +inf) by direct comparison."""
    cands = np.concatenate([[np.inf], np.unique(s)[::-1]])
    pred = s[None, :] >= cands[:, None]
    tp = (pred & (y == 1)).sum(axis=1)
    fp = (pred & (y == 0)).sum(axis=1)
    return cands, tp, fp, y.sum(), len(y) - y.sum()


def middle_of_widest_tie(cands, values, best):
    """The middle of the widest range of thresholds whose value is within 1e-12 of the best.

    Walks the candidates (descending) and grows a range while they stay best; a range
    runs down to the next lower score, or to its own lowest score at the bottom.
    """
    ranges, current = [], None
    for i, (c, v) in enumerate(zip(cands, values)):
        if abs(v - best) <= 1e-12:
            current = current or [c, None]
            below = cands[i + 1] if i + 1 < len(cands) else None
            current[1] = (below, True) if below is not None else (c, False)
        elif current:
            ranges.append(current)
            current = None
    if current:
        ranges.append(current)
    high, (low, open_below) = max(ranges, key=lambda r: r[0] - r[1][0])  # first of the widest: the highest
    if high == np.inf or high == low:
        return high
    middle = (low + high) / 2
    assert low < middle <= high or not open_below
    return middle


@pytest.mark.parametrize("name", BOTH_CLASSES)
def test_youden_max_f1_and_min_cost_by_brute_force(name):
    y, s = DATASETS[name]
    sweep = Sweep.from_scores(y, s)
    cands, tp, fp, P, N = brute_force(y, s)
    finite = np.isfinite(cands)
    j = tp / P - fp / N
    assert sweep.find_youden() == middle_of_widest_tie(cands[finite], j[finite], j[finite].max())
    f1 = 2 * tp / (2 * tp + fp + (P - tp))
    assert sweep.find_max_f1() == middle_of_widest_tie(cands[finite], f1[finite], f1[finite].max())
    for ratio in (0.05, 1.0, 3.0, 50.0):
        cost = ratio * (P - tp) + fp
        assert sweep.find_min_cost(ratio) == middle_of_widest_tie(cands, cost, cost.min()), ratio
        for prevalence in (0.02, 0.5):  # per person in a population with this share of positives
            cost = ratio * prevalence * (P - tp) / P + (1 - prevalence) * fp / N
            assert sweep.find_min_cost(ratio, prevalence) == middle_of_widest_tie(cands, cost, cost.min())


@pytest.mark.parametrize("name", BOTH_CLASSES)
@pytest.mark.parametrize("target", [0.0, 0.3, 0.5, 0.8, 0.95, 1.0])
def test_sensitivity_and_specificity_targets_by_brute_force(name, target):
    y, s = DATASETS[name]
    sweep = Sweep.from_scores(y, s)
    cands, tp, fp, P, N = brute_force(y, s)
    assert sweep.find_sensitivity(target) == cands[tp / P >= target].max()
    assert sweep.find_specificity(target) == cands[(N - fp) / N >= target].min()


def test_finders_put_a_threshold_between_separated_classes_not_on_a_case():
    # benign up to 0.40, malignant from 0.64: every threshold in (0.40, 0.64] makes no error.
    # The edge, 0.64, would miss a malignant case scored 0.63 at once; the middle leaves room both ways.
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    s = np.array([0.05, 0.2, 0.3, 0.40, 0.64, 0.8, 0.95])
    sweep = Sweep.from_scores(y, s)
    assert sweep.error_free_range() == (0.40, 0.64)
    for found in (sweep.find_youden(), sweep.find_max_f1(), sweep.find_min_cost(1.0), sweep.find_min_cost(5.0)):
        assert found == pytest.approx(0.52)
        assert sweep.counts_at(found) == Counts(tp=3, fp=0, tn=4, fn=0)
    assert sweep.find_sensitivity(1.0) == 0.64  # target finders keep their definition: the highest threshold


def test_tie_ranges_at_the_edges_of_floats_and_of_the_scores():
    # two adjacent doubles: no number lies between them, so the middle is the upper one itself
    above = np.nextafter(0.5, 1.0)
    tight = Sweep.from_scores([0, 1], [0.5, above])
    assert tight.find_youden() == above and tight.counts_at(tight.find_youden()) == Counts(tp=1, fp=0, tn=1, fn=0)
    # at 1:1 flagging the lowest pair (a positive and a negative tied at 0.1) costs what it saves, so
    # every threshold from 0.1 up to 0.9 is cheapest; with no score below, the range is measured from 0.1
    bottom = Sweep.from_scores([1, 0, 1], [0.1, 0.1, 0.9])
    assert bottom.find_min_cost(1.0) == pytest.approx(0.5)


def test_min_cost_at_a_prevalence_needs_both_classes_but_at_the_rows_own_does_not():
    only_negatives = Sweep.from_scores([0, 0, 0], [0.2, 0.5, 0.9])
    assert only_negatives.find_min_cost(2.0) == np.inf  # no positive to miss: flag no one
    assert math.isnan(only_negatives.find_min_cost(2.0, prevalence=0.1))  # a miss rate is undefined


def test_operating_points_dict_and_flag_no_one():
    y, s = DATASETS["random"]
    sweep = Sweep.from_scores(y, s)
    points = sweep.operating_points(cost_ratio=2.0, target_sensitivity=0.9)
    assert points == {"youden": sweep.find_youden(), "max_f1": sweep.find_max_f1(),
                      "min_cost": sweep.find_min_cost(2.0), "sensitivity_target": sweep.find_sensitivity(0.9)}
    assert sweep.find_sensitivity(0.9) >= sweep.find_sensitivity(0.95)
    top_is_negative = Sweep.from_scores([0, 1, 0], [0.9, 0.5, 0.1])
    assert top_is_negative.find_min_cost(0.5) == np.inf  # a missed positive costs less than any flagging
    assert top_is_negative.counts_at(np.inf) == Counts(tp=0, fp=0, tn=2, fn=1)
    assert top_is_negative.find_min_cost(2.0) == pytest.approx(0.3)  # middle of (0.1, 0.5], where only 0.5's cases are flagged


@pytest.mark.parametrize("name", ["only_positives", "only_negatives"])
def test_operating_points_with_one_class_are_nan_where_undefined(name):
    sweep = Sweep.from_scores(*DATASETS[name])
    points = sweep.operating_points()
    assert math.isnan(points["youden"])
    if sweep.n_pos == 0:
        assert math.isnan(points["max_f1"]) and math.isnan(points["sensitivity_target"])
        assert points["min_cost"] == np.inf  # only negatives: flagging no one costs nothing
    else:
        assert points["min_cost"] == sweep.min_score  # only positives: flag everyone
        assert math.isnan(sweep.find_specificity(0.9))


# ---------------------------------------------------------------- prevalence, costs, decision curves

def _sweep_with_counts(tp, fp, tn, fn) -> Sweep:
    """Scores that give exactly these counts at threshold 0.5."""
    y = np.r_[np.ones(tp + fn, int), np.zeros(fp + tn, int)]
    s = np.r_[np.ones(tp), np.zeros(fn), np.ones(fp), np.zeros(tn)]
    return Sweep.from_scores(y, s)


@pytest.mark.parametrize("counts", [(30, 5, 50, 4), (32, 0, 54, 0), (0, 3, 40, 12), (12, 40, 0, 3), (1, 1, 1, 1)])
@pytest.mark.parametrize("prevalence", [0.02, 0.3, 0.9])
def test_prevalence_adjusted_intervals_are_bayes_over_97_5_percent_wilson_intervals(counts, prevalence):
    """Each end is Bayes' rule at the matching ends of scipy's 97.5% Wilson intervals of sensitivity and
    specificity (so both hold together with ≥ 95% confidence), zero cells included."""
    from scipy.stats import binomtest

    tp, fp, tn, fn = counts
    report = _sweep_with_counts(*counts).report(0.5, prevalence=prevalence)
    sens_ci = binomtest(tp, tp + fn).proportion_ci(0.975, method="wilson")
    spec_ci = binomtest(tn, tn + fp).proportion_ci(0.975, method="wilson")

    def bayes(sens, spec):
        p = prevalence
        return sens * p / (sens * p + (1 - spec) * (1 - p)), spec * (1 - p) / (spec * (1 - p) + (1 - sens) * p)

    low, high = bayes(sens_ci.low, spec_ci.low), bayes(sens_ci.high, spec_ci.high)
    adj = report.prevalence_adjusted
    for i, key in enumerate(("ppv", "npv")):
        estimate = adj[key]
        if math.isnan(estimate.value):  # nobody flagged (PPV) or nobody cleared (NPV): no interval
            assert estimate.ci_low is None and estimate.ci_high is None
            continue
        assert (estimate.ci_low, estimate.ci_high) == pytest.approx((low[i], high[i]), abs=1e-9)
        assert estimate.ci_low <= estimate.value <= estimate.ci_high


def test_prevalence_adjusted_ppv_interval_covers_at_least_95_percent():
    """Simulated studies (40 positives, 200 negatives, true sensitivity 0.85 and specificity 0.97): the
    interval for PPV at 5% prevalence holds the true PPV in at least 95% of them (Monte Carlo ± 1%)."""
    rng = np.random.default_rng(7)
    sens, spec, prevalence = 0.85, 0.97, 0.05
    truth = sens * prevalence / (sens * prevalence + (1 - spec) * (1 - prevalence))
    hits = 0
    reps = 1500
    for _ in range(reps):
        tp, tn = rng.binomial(40, sens), rng.binomial(200, spec)
        ppv = _sweep_with_counts(tp, 200 - tn, tn, 40 - tp).report(0.5, prevalence=prevalence).prevalence_adjusted["ppv"]
        hits += ppv.ci_low <= truth <= ppv.ci_high
    assert hits / reps >= 0.94



def test_prevalence_adjustment_is_bayes_from_counts():
    y, s = DATASETS["random"]
    sweep = Sweep.from_scores(y, s)
    tp, fp, tn, fn = sk_counts(y, s, 0.6)
    sens, spec = tp / (tp + fn), tn / (tn + fp)
    for prevalence in (0.01, 0.1, 0.5, 0.9):
        report = sweep.report(0.6, prevalence=prevalence)
        adj = report.prevalence_adjusted
        ppv = sens * prevalence / (sens * prevalence + (1 - spec) * (1 - prevalence))
        npv = spec * (1 - prevalence) / (spec * (1 - prevalence) + (1 - sens) * prevalence)
        assert adj["prevalence"] == prevalence
        assert adj["ppv"].value == pytest.approx(ppv, abs=TOL)
        assert adj["npv"].value == pytest.approx(npv, abs=TOL)
        assert adj["ppv"].ci_low < ppv < adj["ppv"].ci_high
        assert adj["npv"].ci_low < npv < adj["npv"].ci_high
        assert prevalence_adjusted_ppv_npv(sens, spec, prevalence) == pytest.approx((ppv, npv), abs=TOL)
        freq = adj["per_1000"]
        assert sum(freq.values()) == pytest.approx(1000)
        assert freq["tp"] == pytest.approx(1000 * prevalence * sens)
        assert freq["fp"] / (freq["tp"] + freq["fp"]) == pytest.approx(1 - ppv)
    # At the sample's own prevalence, Bayes gives back the sample's PPV, NPV and net benefit.
    report = sweep.report(0.6, prevalence=y.mean())
    assert report.prevalence_adjusted["ppv"].value == pytest.approx(tp / (tp + fp), abs=TOL)
    assert report.prevalence_adjusted["npv"].value == pytest.approx(tn / (tn + fn), abs=TOL)
    assert report.prevalence_adjusted["net_benefit"] == pytest.approx(report.net_benefit, abs=TOL)


def test_net_benefit_at_a_population_prevalence():
    """Per person of a population with that prevalence: its share with the condition times sensitivity, less
    its share without times the FPR weighted by the threshold's odds (Vickers & Elkin); none where the sample's
    net benefit is undefined (a threshold outside (0, 1))."""
    y, s = DATASETS["random"]
    sweep = Sweep.from_scores(y, s)
    tp, fp, tn, fn = sk_counts(y, s, 0.6)
    for prevalence in (0.01, 0.3):
        benefit = sweep.report(0.6, prevalence=prevalence).prevalence_adjusted["net_benefit"]
        expected = prevalence * tp / (tp + fn) - (1 - prevalence) * fp / (fp + tn) * 0.6 / 0.4
        assert benefit == pytest.approx(expected, abs=TOL)
    assert "net_benefit" not in sweep.report(1.0, prevalence=0.01).prevalence_adjusted
    assert sweep.report(0.6).prevalence_adjusted is None


def test_prevalence_helpers_undefined_and_invalid():
    ppv, npv = prevalence_adjusted_ppv_npv(0.0, 1.0, 0.2)  # flags no one: PPV is 0/0
    assert math.isnan(ppv) and npv == pytest.approx(0.8)
    assert all(math.isnan(v) for v in prevalence_adjusted_ppv_npv(float("nan"), 0.9, 0.2))
    assert per_1000(1.0, 1.0, 0.25) == {"tp": 250.0, "fp": 0.0, "tn": 750.0, "fn": 0.0}
    with pytest.raises(LogRegError, match="strictly between 0 and 1"):
        prevalence_adjusted_ppv_npv(0.5, 0.5, 0.0)
    with pytest.raises(LogRegError, match=r"sensitivity must lie in \[0, 1\]"):
        per_1000(1.5, 0.5, 0.1)
    # 2% prevalence, sensitivity 0.93, specificity 0.9: 18.6 TP, 1.4 FN, 98 FP, 882 TN
    assert per_1000_people(0.93, 0.9, 0.02) == {"tp": 19, "fn": 1, "fp": 98, "tn": 882}
    with pytest.raises(LogRegError, match="must be defined"):
        per_1000_people(float("nan"), 0.9, 0.02)
    # 0.04% prevalence: 0.36 TP and 0.04 FN are expected, whole people 0 and 0; "<1" says some are,
    # and a specificity of 1 expects no false positive at all: "0"
    texts = per_1000_texts(0.9, 1.0, 0.0004)
    assert texts == {"tp": "<1", "fn": "<1", "fp": "0", "tn": "1,000", "positive": "<1", "flagged": "<1"}
    assert per_1000_texts(0.93, 0.9, 0.02) == {"tp": "19", "fn": "1", "fp": "98", "tn": "882", "positive": "20",
                                               "flagged": "117"}


def test_expected_cost_and_net_benefit_in_report():
    y, s = DATASETS["random"]
    sweep = Sweep.from_scores(y, s)
    tp, fp, tn, fn = sk_counts(y, s, 0.3)
    report = sweep.report(0.3, cost_ratio=4)
    assert report.expected_cost == pytest.approx((4 * fn + fp) / len(y))
    at_2_percent = sweep.report(0.3, prevalence=0.02, cost_ratio=4).expected_cost
    assert at_2_percent == pytest.approx(4 * 0.02 * fn / (tp + fn) + 0.98 * fp / (fp + tn))
    assert report.net_benefit == pytest.approx(tp / len(y) - fp / len(y) * 0.3 / 0.7)
    assert report.prevalence_adjusted is None and sweep.report(0.3).expected_cost is None
    assert sweep.report(1.0).net_benefit is None and sweep.report(0.0).net_benefit is None
    margins = Sweep.from_scores(*DATASETS["margins"])
    assert margins.report(0.5).net_benefit is None  # not probabilities


def test_net_benefit_helpers():
    c = Counts(tp=30, fp=20, tn=40, fn=10)
    assert net_benefit(c, 0.2) == pytest.approx(0.30 - 0.20 * 0.25)
    assert treat_all_net_benefit(0.4, 0.2) == pytest.approx(0.4 - 0.6 * 0.25)
    assert treat_all_net_benefit(0.0, 0.5) == -1.0
    assert harm_to_benefit(0.2) == 4
    assert harm_to_benefit(0.5) == 1
    for bad in (0, 1, -0.1, float("nan"), "x"):
        with pytest.raises(LogRegError, match="threshold"):
            harm_to_benefit(bad)
    with pytest.raises(LogRegError):
        net_benefit(c, 1.0)
    assert math.isnan(net_benefit(Counts(0, 0, 0, 0), 0.5))


def test_decision_curve():
    y, s = DATASETS["random"]
    sweep = Sweep.from_scores(y, s)
    curve = sweep.decision_curve()
    assert curve["threshold"].tolist() == [float(f"0.{k:02d}") for k in range(1, 100)]  # as written, exactly
    assert set(curve) == {"threshold", "net_benefit", "treat_all", "treat_none"}
    for i, t in enumerate(curve["threshold"]):
        assert curve["net_benefit"][i] == pytest.approx(net_benefit(sweep.counts_at(t), t), abs=TOL)
        assert curve["treat_all"][i] == pytest.approx(treat_all_net_benefit(y.mean(), t), abs=TOL)
    np.testing.assert_array_equal(curve["treat_none"], 0.0)
    custom = sweep.decision_curve([0.1, 0.25])
    np.testing.assert_array_equal(custom["threshold"], [0.1, 0.25])
    with pytest.raises(LogRegError, match="probabilities"):
        Sweep.from_scores(*DATASETS["risk_0_100"]).decision_curve()
    with pytest.raises(LogRegError, match="strictly between 0 and 1"):
        sweep.decision_curve([0.0, 0.5])


def test_decision_curve_counts_scores_on_its_thresholds_as_positive():
    """Whole-percent risk scores, many on the curve's own thresholds (0.35 …): each counts as positive there,
    as the page's rule says (score ≥ threshold). Reference: scikit-learn's confusion matrix at each threshold
    as a clinician writes it."""
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, 800)
    s = np.clip(rng.normal(0.3 + 0.25 * y, 0.15), 0, 1).round(2)
    curve = Sweep.from_scores(y, s).decision_curve()
    for t, model in zip(curve["threshold"], curve["net_benefit"]):
        t = float(f"{t:.2f}")
        tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
        assert model == pytest.approx(tp / len(y) - fp / len(y) * t / (1 - t), abs=TOL), t


def test_decision_curve_at_a_population_prevalence():
    """At prevalence π each point is π·TP/P − (1 − π)·FP/N·t/(1 − t), from scikit-learn's counts at t; treating
    everyone gives π − (1 − π)·t/(1 − t); at the cases' own prevalence it is the curve on the cases; the
    report's net benefit at π is the curve's at the same threshold."""
    rng = np.random.default_rng(11)
    y = rng.integers(0, 2, 500)
    s = np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1).round(3)
    sweep = Sweep.from_scores(y, s)
    for prevalence in (0.01, 0.3):
        curve = sweep.decision_curve(prevalence=prevalence)
        for i, t in enumerate(curve["threshold"]):
            tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
            harm = t / (1 - t)
            expected = prevalence * tp / (tp + fn) - (1 - prevalence) * fp / (fp + tn) * harm
            assert curve["net_benefit"][i] == pytest.approx(expected, abs=TOL)
            assert curve["treat_all"][i] == pytest.approx(prevalence - (1 - prevalence) * harm, abs=TOL)
        at_40 = sweep.report(0.4, prevalence=prevalence).prevalence_adjusted["net_benefit"]
        assert at_40 == pytest.approx(curve["net_benefit"][39], abs=TOL)
    own = sweep.decision_curve(prevalence=y.mean())
    for key in ("net_benefit", "treat_all"):
        np.testing.assert_allclose(own[key], sweep.decision_curve()[key], rtol=0, atol=TOL)
    with pytest.raises(LogRegError, match="prevalence"):
        sweep.decision_curve(prevalence=1.5)


# ---------------------------------------------------------------- calibration and Brier

@pytest.mark.parametrize("name", ["random", "tied", "small", "all_equal", "only_positives", "n1_positive"])
@pytest.mark.parametrize("n_bins", [1, 5, 10, 13])
def test_calibration_curve_matches_sklearn_uniform(name, n_bins):
    y, p = DATASETS[name]
    ours = calibration_curve(y, p, n_bins=n_bins)
    prob_true, prob_pred = sk_calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    np.testing.assert_allclose(ours["fraction_positive"], prob_true, rtol=0, atol=TOL)
    np.testing.assert_allclose(ours["mean_predicted"], prob_pred, rtol=0, atol=TOL)
    assert ours["count"].sum() == len(y) and (ours["count"] > 0).all()
    np.testing.assert_array_equal(ours["positives"], np.round(prob_true * ours["count"]).astype(int))


@pytest.mark.parametrize("name", ["random", "tied", "small", "only_positives", "n1_positive"])
def test_calibration_bins_have_wilson_intervals(name):
    """Each bin's interval solves the Wilson score equation |p − π| = z·√(π(1 − π)/n) at both ends (or sits at
    0 or 1 for a bin of no or only positives), and holds the bin's share."""
    y, p = DATASETS[name]
    cal = calibration_curve(y, p, n_bins=10)
    z = 1.959963984540054
    for k, n, low, high in zip(cal["positives"], cal["count"], cal["ci_low"], cal["ci_high"]):
        share = k / n
        assert low <= share <= high
        for bound, at_its_end, end in ((low, k == 0, 0.0), (high, k == n, 1.0)):
            if at_its_end:
                assert bound == end
            else:
                assert (share - bound) ** 2 == pytest.approx(z * z * bound * (1 - bound) / n, abs=1e-12)


def test_calibration_in_the_large():
    rng = np.random.default_rng(8)
    p = rng.random(400)
    y = (rng.random(400) < p).astype(int)
    overall = calibration_in_the_large(y, p)
    assert overall["mean_predicted"] == pytest.approx(p.mean(), abs=TOL) and overall["observed"] == y.mean()
    assert (overall["ci_low"], overall["ci_high"]) == wilson_interval(int(y.sum()), 400) and overall["n"] == 400
    assert overall["direction"] == "within"
    assert calibration_in_the_large(y, np.minimum(p + 0.2, 1))["direction"] == "over"
    assert calibration_in_the_large(y, p * 0.6)["direction"] == "under"
    empty = calibration_in_the_large([], [])
    assert math.isnan(empty["mean_predicted"]) and empty["ci_low"] is None and empty["direction"] is None


@pytest.mark.parametrize("y, p", [
    DATASETS["random"], DATASETS["tied"], DATASETS["small"], DATASETS["all_equal"], DATASETS["n1_positive"],
    (np.zeros(3, dtype=int), np.array([0.1, 0.0, 0.7])),
], ids=["random", "tied", "small", "all_equal", "n1_positive", "only_negatives"])
def test_brier_matches_sklearn(y, p):
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p, labels=[0, 1]), abs=TOL)


def test_probability_functions_reject_non_probabilities():
    y, s = DATASETS["margins"]
    for fn in (calibration_curve, brier_score):
        with pytest.raises(LogRegError, match=r"probabilities must lie in \[0, 1\]"):
            fn(y, s)
    assert math.isnan(brier_score([], []))
    assert calibration_curve([], [])["count"].size == 0


# ---------------------------------------------------------------- multiclass

def _multiclass(n=300, k=4, seed=5):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k))
    logits[np.arange(n), y] += 1.0
    logits[:, k - 1] -= 5  # the last class is (almost) never predicted
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, proba


def test_multiclass_confusion_and_per_class_metrics_match_sklearn():
    y, proba = _multiclass()
    k = proba.shape[1]
    pred = proba.argmax(axis=1)
    cm = multiclass_confusion(y, proba)
    np.testing.assert_array_equal(cm, confusion_matrix(y, pred, labels=range(k)))
    ours = per_class_metrics(y, proba)
    sk = precision_recall_fscore_support(y, pred, labels=range(k), zero_division=0)
    for key, expected in zip(("precision", "recall", "f1", "support"), sk):
        np.testing.assert_allclose(ours[key], expected, rtol=0, atol=TOL, err_msg=key)
    assert ours["precision"][k - 1] == 0 or cm[:, k - 1].sum() > 0


def test_multiclass_report_matches_sklearn_and_leaves_undefined_precision_null():
    y, proba = _multiclass()
    k = proba.shape[1]
    pred = proba.argmax(axis=1)
    names = [f"class {c}" for c in range(k)]
    report = json.loads(json.dumps(multiclass_report(y, proba, names), allow_nan=False))
    assert report["n"] == len(y)
    assert report["accuracy"]["value"] == pytest.approx(accuracy_score(y, pred), abs=TOL)
    low, high = wilson_interval(round(accuracy_score(y, pred, normalize=False)), len(y))
    assert (report["accuracy"]["ci_low"], report["accuracy"]["ci_high"]) == pytest.approx((low, high), abs=TOL)
    assert report["log_loss"] == pytest.approx(log_loss(y, proba, labels=range(k)), abs=1e-12)
    assert report["confusion_matrix"]["counts"] == confusion_matrix(y, pred, labels=range(k)).tolist()
    precision, recall, f1, support = quiet(precision_recall_fscore_support, y, pred, labels=range(k),
                                           zero_division=np.nan)
    assert (pred == k - 1).sum() == 0  # the data leave the last class's precision undefined
    for c, row in enumerate(report["per_class"]):
        assert row["class"] == names[c] and row["support"] == support[c]
        assert row["recall"]["value"] == pytest.approx(recall[c], abs=TOL)
        hits = int(round(recall[c] * support[c]))
        assert (row["recall"]["ci_low"], row["recall"]["ci_high"]) == pytest.approx(wilson_interval(hits, support[c]))
        if np.isnan(precision[c]):  # never predicted: undefined, not sklearn's default 0
            assert row["precision"] == {"value": None, "ci_low": None, "ci_high": None}
        else:
            assert row["precision"]["value"] == pytest.approx(precision[c], abs=TOL)
            assert row["f1"] == pytest.approx(f1[c], abs=TOL)
    assert report["per_class"][k - 1]["precision"]["value"] is None
    with pytest.raises(LogRegError, match="3 names for 4 probability columns"):
        multiclass_report(y, proba, names[:3])


def test_one_vs_rest_scores_feed_a_sweep():
    y, proba = _multiclass()
    labels, scores = one_vs_rest_scores(y, proba, 2)
    np.testing.assert_array_equal(labels, (y == 2).astype(int))
    np.testing.assert_array_equal(scores, proba[:, 2])
    assert labels.dtype == np.int64
    assert Sweep.from_scores(labels, scores).roc_auc() == pytest.approx(roc_auc_score(y == 2, proba[:, 2]), abs=TOL)
    with pytest.raises(LogRegError, match="class index from 0 to 3"):
        one_vs_rest_scores(y, proba, 4)


def test_multiclass_validation():
    with pytest.raises(LogRegError, match="class indices 0 to 2"):
        multiclass_confusion([0, 3], np.ones((2, 3)))
    with pytest.raises(LogRegError, match="2-dimensional"):
        multiclass_confusion([0, 1], [0.2, 0.8])
    with pytest.raises(LogRegError, match="must match"):
        per_class_metrics([0, 1, 1], np.ones((2, 3)))


# ---------------------------------------------------------------- edge cases

def test_empty_input_is_defined():
    sweep = Sweep.from_scores([], [])
    assert (sweep.n, sweep.n_pos, sweep.n_neg, sweep.thresholds.size) == (0, 0, 0, 0)
    report = sweep.report(0.5, prevalence=0.1, cost_ratio=2)
    assert report.counts == Counts(0, 0, 0, 0)
    assert all(math.isnan(e.value) and e.ci_low is None for e in report.metrics.values())
    json.dumps(report.to_dict(), allow_nan=False)
    assert math.isnan(sweep.roc_auc()) and sweep.roc_auc_ci() == (None, None)
    assert all(math.isnan(v) for v in sweep.operating_points().values())
    assert all(v.size == 0 for v in sweep.curves().values())


def test_all_equal_scores():
    y, s = DATASETS["all_equal"]
    sweep = Sweep.from_scores(y, s)
    assert sweep.roc_auc() == 0.5
    assert sweep.counts_at(0.5) == Counts(tp=3, fp=2, tn=0, fn=0)
    assert sweep.counts_at(np.nextafter(0.5, 1)) == Counts(tp=0, fp=0, tn=2, fn=3)
    m = sweep.report(0.5).metrics
    assert m["sensitivity"].value == 1 and m["specificity"].value == 0
    assert math.isnan(m["npv"].value) and math.isnan(m["lr_negative"].value)
    assert m["mcc"].value == 0 == matthews_corrcoef(y, np.ones_like(y))
    assert sweep.find_youden() == 0.5


def test_thresholds_beyond_the_extremes():
    y, s = DATASETS["risk_0_100"]
    sweep = Sweep.from_scores(y, s)
    everyone = Counts(tp=int(y.sum()), fp=int(len(y) - y.sum()), tn=0, fn=0)
    no_one = Counts(tp=0, fp=0, tn=everyone.fp, fn=everyone.tp)
    assert sweep.counts_at(-np.inf) == sweep.counts_at(-1e9) == sweep.counts_at(s.min()) == everyone
    assert sweep.counts_at(np.inf) == sweep.counts_at(1e9) == sweep.counts_at(np.nextafter(s.max(), np.inf)) == no_one
    report = sweep.report(np.inf)
    assert math.isnan(report.metrics["ppv"].value) and report.metrics["specificity"].value == 1
    # JSON has no infinity: written as the string Python's float() reads back; an undefined metric is null
    assert report.to_dict()["threshold"] == "Infinity" and float(report.to_dict()["threshold"]) == np.inf
    assert report.to_dict()["metrics"]["ppv"]["value"] is None
    assert float(sweep.report(-np.inf).to_dict()["threshold"]) == -np.inf
    json.dumps(report.to_dict(), allow_nan=False)


@pytest.mark.parametrize("name", DATASETS)
def test_reports_are_json_safe_and_warning_free(name):
    y, s = DATASETS[name]
    sweep = Sweep.from_scores(y, s)
    for t in probe_thresholds(s):
        d = sweep.report(t, prevalence=0.3, cost_ratio=2.0).to_dict()
        text = json.dumps(d, allow_nan=False)
        assert json.loads(text)["counts"]["n"] == len(y)
        assert set(d["metrics"]) == set(METRIC_NAMES)
    sweep.curves(), sweep.roc(), sweep.pr_curve(), sweep.average_precision(), sweep.operating_points()


def test_estimate_and_counts_to_dict():
    assert Estimate(float("nan")).to_dict() == {"value": None, "ci_low": None, "ci_high": None}
    assert Estimate(0.5, 0.4, 0.6).to_dict() == {"value": 0.5, "ci_low": 0.4, "ci_high": 0.6}
    c = Counts(tp=1, fp=2, tn=3, fn=4)
    assert (c.n, c.positives, c.negatives) == (10, 5, 5)
    assert c.to_dict() == {"tp": 1, "fp": 2, "tn": 3, "fn": 4, "n": 10, "positives": 5, "negatives": 5}


def test_sweep_arrays_are_read_only():
    sweep = Sweep.from_scores(*DATASETS["small"])
    with pytest.raises(ValueError):
        sweep.tp[0] = 99


# ---------------------------------------------------------------- validation

@pytest.mark.parametrize("y, s, message", [
    ([0, 1, 1], [0.1, 0.2], "y_true has 3 labels but scores has 2 rows"),
    ([0, 2, 1], [0.1, 0.2, 0.3], r"only 0 and 1 \(1 = positive\); found 2"),
    ([0, 0.5], [0.1, 0.2], "found 0.5"),
    ([0, float("nan")], [0.1, 0.2], "found nan"),
    (["a", "b"], [0.1, 0.2], "y_true must contain numbers"),
    ([0, 1], [0.1, float("nan")], "NaN or infinite .first at position 1"),
    ([0, 1], [np.inf, 0.2], "NaN or infinite .first at position 0"),
    ([0, 1], ["high", "low"], "scores must contain numbers"),
    ([0, 1], np.ones((2, 2)), "scores must be 1-dimensional"),
    ([0, 1], [None, 0.3], "NaN or infinite"),  # None becomes NaN
    ([0, 1], [object(), 0.3], "scores must contain only numbers"),
])
def test_validate_scores_errors(y, s, message):
    with pytest.raises(LogRegError, match=message):
        validate_scores(y, s)
    with pytest.raises(ValueError):  # LogRegError is a ValueError
        Sweep.from_scores(y, s)


def test_validate_scores_normalizes_types():
    y, s = validate_scores([True, False, 1.0], np.array([[1], [2], [3]]))  # (n, 1) column, e.g. model.predict
    assert y.dtype == np.int64 and s.dtype == np.float64
    np.testing.assert_array_equal(y, [1, 0, 1])
    np.testing.assert_array_equal(s, [1.0, 2.0, 3.0])


def test_validate_threshold_prevalence_cost_ratio():
    assert validate_threshold(np.float32(0.25)) == 0.25 and validate_threshold(3) == 3.0
    assert validate_threshold(float("inf")) == np.inf and validate_threshold(-np.inf) == -np.inf
    with pytest.raises(LogRegError, match="threshold must be a number, got 'abc'"):
        validate_threshold("abc")
    for bad in (float("nan"), None, True, [0.5]):
        with pytest.raises(LogRegError, match="threshold must be a number"):
            validate_threshold(bad)
    assert validate_prevalence(0.02) == 0.02
    for bad in (0, 1, 1.5, -0.1):
        with pytest.raises(LogRegError, match="prevalence must be strictly between 0 and 1"):
            validate_prevalence(bad)
    assert validate_cost_ratio(5) == 5.0
    for bad in (0, -1, float("inf"), float("nan"), "2"):
        with pytest.raises(LogRegError, match="cost_ratio"):
            validate_cost_ratio(bad)
    sweep = Sweep.from_scores(*DATASETS["small"])
    with pytest.raises(LogRegError, match="threshold must be a number"):
        sweep.report("0.5")
    with pytest.raises(LogRegError, match="prevalence"):
        sweep.report(0.5, prevalence=2)
    with pytest.raises(LogRegError, match="n_boot"):
        sweep.roc_auc_ci(n_boot=0)
    with pytest.raises(LogRegError, match="level"):
        sweep.roc_auc_ci(level=95)
    with pytest.raises(LogRegError, match="target sensitivity"):
        sweep.find_sensitivity(1.2)


# ---------------------------------------------------------------- module hygiene and speed

def test_module_imports_only_numpy_and_the_standard_library():
    import logreg_core.threshold as module
    tree = ast.parse(pathlib.Path(module.__file__).read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.level == 0}
    assert imported <= {"__future__", "decimal", "math", "numbers", "dataclasses", "numpy"}, imported


def test_report_on_a_prepared_sweep_is_fast():
    sweep = Sweep.from_scores(*_scored(100_000, seed=9))
    timings = []
    for t in np.linspace(-1, 2, 101):
        start = time.perf_counter()
        sweep.report(t, prevalence=0.1, cost_ratio=3)
        timings.append(time.perf_counter() - start)
    assert np.median(timings) < 1e-3


@pytest.mark.parametrize("value, text", [
    (0.5, "0.500"), (1.0, "1.000"), (0.9994, "0.999"), (0.00021, "0.00021"), (None, "—"), (float("nan"), "—"),
    (float("inf"), "∞"),  # LR+ with no false positive: infinite, not undefined
    (0.99959, "0.99959"),  # an NPV at 1% prevalence: 4 misses in 10,000 cleared, not "1.000"
    (0.9995, "0.99950"), (0.9999999, "0.99999990"),
])
def test_number_text_keeps_what_three_digits_would_round_away(value, text):
    from logreg_core.report import number_text

    assert number_text(value) == text
    if text not in ("—", "∞"):  # and what it shows is the value, to its last digit
        assert abs(float(text) - value) <= 0.5 * 10 ** -len(text.split(".")[1])


def test_an_infinite_likelihood_ratio_is_shown_as_such_and_an_undefined_one_as_undefined():
    """The numbers leave LR+ with no false positive undefined, as scikit-learn does; shown, it is ∞ when
    there are true positives, and stays "—" when there are none either (0/0)."""
    from logreg_core.report import metric_text

    for (tp, fp, tn, fn), lr_positive, lr_negative in (((30, 0, 50, 5), "∞", None), ((30, 4, 0, 5), None, "∞"),
                                                       ((0, 0, 50, 5), "—", None), ((30, 4, 0, 0), None, "—")):
        report = _sweep_with_counts(tp, fp, tn, fn).report(0.5)
        assert math.isnan(report.metrics["lr_positive" if lr_positive else "lr_negative"].value)
        if lr_positive:
            assert metric_text(report, "lr_positive") == lr_positive
        if lr_negative:
            assert metric_text(report, "lr_negative") == lr_negative
    finite = _sweep_with_counts(30, 4, 50, 5).report(0.5)
    assert metric_text(finite, "lr_positive") == f"{(30 / 35) / (4 / 54):.3f}"


def test_a_threshold_between_whole_number_scores_is_said_as_the_whole_number_cut_off():
    from logreg_core.report import report_html, whole_cut_text, whole_scores

    y = np.array([0, 0, 1, 1, 0, 1])
    whole = Sweep.from_scores(y, np.array([10.0, 43, 44, 80, 43, 90]))
    assert whole_scores(whole) and not whole_scores(Sweep.from_scores(y, np.array([0.1, 0.3, 0.4, 0.8, 0.3, 1])))
    assert whole_cut_text(43.5) == "On these whole-number scores, that is score ≥ 44."
    assert whole_cut_text(-0.5) == "On these whole-number scores, that is score ≥ 0."
    for threshold in (44.0, math.inf, -math.inf):
        assert whole_cut_text(threshold) == ""
    page = report_html(whole.report(43.5), whole, names=("no", "yes"), split="all rows", origin="o", how="max F1")
    assert "Convention: positive when score ≥ threshold. On these whole-number scores, that is score ≥ 44." in page
    fractions = Sweep.from_scores(y, np.array([10.5, 43, 44, 80, 43, 90]))
    assert "whole-number" not in report_html(fractions.report(43.5), fractions, names=("no", "yes"), split="all rows",
                                             origin="o", how="max F1")


def test_printable_report_gives_prevalence_adjusted_values_with_their_intervals():
    from logreg_core.report import report_html

    sweep = _sweep_with_counts(32, 0, 54, 0)  # no false positive: PPV 1 on the sample, but not certainly
    report = sweep.report(0.5, prevalence=0.02)
    page = report_html(report, sweep, names=("benign", "malignant"), split="the test split", origin="test data",
                       how="default", prevalence=0.02)
    ppv, npv = report.prevalence_adjusted["ppv"], report.prevalence_adjusted["npv"]
    assert ppv.value == 1 and ppv.ci_low < 0.5
    assert f"PPV 1.000 (95% CI {ppv.ci_low:.3f} – 1.000)" in page
    assert f"NPV {npv.value:.3f} (95% CI {npv.ci_low:.3f} – {npv.ci_high:.3f};" in page
    plain = report_html(sweep.report(0.5), sweep, names=("benign", "malignant"), split="the test split",
                        origin="test data", how="default")
    assert "No other population prevalence assumed." in plain and "Prevalence in the test split: 0.372" in plain
    # the table's PPV is the split's, said where a PPV at the assumed prevalence is printed too, as on the page
    assert "<td>PPV (precision), at these cases' prevalence 37.2%</td><td>1.000</td>" in page
    assert "<td>NPV, at these cases' prevalence 37.2%</td>" in page
    assert "<td>PPV (precision)</td><td>1.000</td>" in plain and "these cases' prevalence" not in plain
    assert "<h2>Costs</h2>" not in plain and "<h2>Costs</h2>" not in page  # no cost ratio given
    # no false positive: LR+ is infinite, printed "∞" (not "—", which is for undefined), as the page prints it
    assert "<td>Positive likelihood ratio (LR+)</td><td>∞</td>" in page
    assert "— where undefined, as for an infinite likelihood ratio (∞: LR+ with no false positive" in page
    # separated classes: every bootstrap resample has AUC 1, which is no interval for new cases' AUC
    assert sweep.roc_auc_ci(n_boot=500) == (1.0, 1.0)
    assert "ROC AUC 1.000 (no bootstrap interval: every resample gives 1.000)" in page and "1.000–1.000" not in page


def test_printable_report_names_the_rows_and_carries_the_pages_cautions_as_written():
    from logreg_core.report import report_html

    sweep = _sweep_with_counts(32, 3, 54, 4)
    caution = "You are looking at the test split. A <threshold> tuned on test looks better than it will be."
    page = report_html(sweep.report(0.5), sweep, names=("benign", "malignant"), split="all rows", origin="o",
                       how="default", notes=[caution, "Few cases."])
    assert "Numbers below are on <b>all rows</b> (" in page and "split (" not in page
    assert f'<p class="note">{html.escape(caution)}</p>' in page and '<p class="note">Few cases.</p>' in page
    assert page.count('<p class="note">') == 3  # and the page's own "not for clinical decisions"


def test_printable_reports_people_per_1000_are_whole_and_add_up_as_on_the_page():
    """Sensitivity 0.6, specificity 0.9 at prevalence 0.0125: 7.5, 98.75, 888.75 and 5 expected people;
    rounded one by one they made 1,001 (TP 8)."""
    from logreg_core.report import report_html

    sweep = _sweep_with_counts(3, 1, 9, 2)  # at 0.5: sensitivity 3/5, specificity 9/10
    report = sweep.report(0.5, prevalence=0.0125)
    page = report_html(report, sweep, names=("no", "yes"), split="the test split", origin="o", how="given",
                       prevalence=0.0125)
    people = per_1000_people(0.6, 0.9, 0.0125)
    assert sum(people.values()) == 1000
    assert "per 1,000 people: " + ", ".join(f"{k.upper()} {v}" for k, v in people.items()) in page


def test_printable_report_states_the_cost_ratio_and_the_expected_cost_per_person():
    import html

    from logreg_core.report import report_html

    sweep = _sweep_with_counts(30, 4, 50, 6)  # at 0.5: TP 30, FP 4, TN 50, FN 6
    names = ("benign", "malignant")
    at_split = html.unescape(report_html(sweep.report(0.5, cost_ratio=5), sweep, names=names, split="the test split",
                                         origin="test data", how="min cost", cost_ratio=5))
    # 5·FN + FP per person: (5·6 + 4) / 90; flagging no one misses all 36 positives, flagging everyone alarms all 54
    assert ("A missed malignant case (false negative) is taken to cost 5 times a false alarm (false positive). "
            f"Expected cost per person at the prevalence in the test split, 0.400: {34 / 90:.3f}, in units of one "
            f"false alarm (flagging no one: {5 * 36 / 90:.3f}; flagging everyone: {54 / 90:.3f})."
            ) in at_split
    at_population = report_html(sweep.report(0.5, prevalence=0.02, cost_ratio=5), sweep, names=names,
                                split="the test split", origin="test data", how="min cost", prevalence=0.02,
                                cost_ratio=5)
    # 5·π·FNR + (1 − π)·FPR with FNR 6/36, FPR 4/54
    assert f"at the assumed population prevalence 0.02: {5 * 0.02 * 6 / 36 + 0.98 * 4 / 54:.3f}," in at_population
    assert f"(flagging no one: {5 * 0.02:.3f}; flagging everyone: {0.98:.3f})." in at_population


def test_auc_text_names_an_interval_only_when_it_has_width():
    from logreg_core.report import auc_text

    assert auc_text(0.91234, (0.85, 0.96)) == "0.912 (95% CI 0.850–0.960)"
    assert auc_text(1.0, (1.0, 1.0)) == "1.000 (no bootstrap interval: every resample gives 1.000)"
    assert auc_text(float("nan"), (None, None)) == "—"


def test_percent_text_never_rounds_a_proportion_below_1_to_100_percent():
    from logreg_core.report import percent_text

    assert [percent_text(p) for p in (0.5, 0.005, 0.12345, 1.0)] == ["50%", "0.5%", "12.3%", "100%"]
    assert [percent_text(p) for p in (0.9999, 0.99951, 0.9994)] == ["99.99%", "99.95%", "99.9%"]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_error_free_range_is_where_sklearn_counts_no_error(name):
    """Where the range exists, thresholds inside it give no FP and no FN by scikit-learn's count,
    and just outside it do; where it does not, every threshold errs."""
    y, s = DATASETS[name]
    found = Sweep.from_scores(y, s).error_free_range()
    candidates = np.unique(np.r_[s, s + 1e-9, s - 1e-9])
    errors = np.array([sum(sk_counts(y, s, t)[1::2]) for t in candidates])  # fp + fn
    if found is None:
        assert len(np.unique(y)) < 2 or (errors > 0).all()
        return
    low, high = found
    inside = (candidates > low) & (candidates <= high)
    assert inside.any() and (errors[inside] == 0).all() and (errors[~inside] > 0).all()


def test_error_free_range_of_separated_scores():
    assert Sweep.from_scores([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.9]).error_free_range() == (0.3, 0.6)
    assert Sweep.from_scores([0, 1, 0, 1], [0.1, 0.3, 0.6, 0.9]).error_free_range() is None
    assert Sweep.from_scores([0, 1], [0.5, 0.5]).error_free_range() is None  # a tie across the classes
    assert Sweep.from_scores([1, 1], [0.5, 0.7]).error_free_range() is None


def test_scores_that_rank_the_classes_the_wrong_way_round_are_said_to():
    """Scores for the other class (1 − P(positive)) give a ROC AUC of 1 minus scikit-learn's: a note says so and
    how to mend it; the right scores, and scores no better than chance (an interval that reaches 0.5), get none."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(8)
    y = rng.integers(0, 2, 300)
    p = 1 / (1 + np.exp(-(2 * y - 1) * 1.5 - rng.normal(0, 1, 300)))
    flipped = Sweep.from_scores(y, 1 - p)
    note = flipped.inverted_ranking_note("the test split")
    auc = 1 - roc_auc_score(y, p)
    assert abs(flipped.roc_auc() - auc) < 1e-12 and auc < 0.5
    assert note.startswith(f"On the test split the ROC AUC is {auc:.3f} (95% CI ") and "use 1 − score" in note
    assert Sweep.from_scores(y, p).inverted_ranking_note("x") is None
    chance = Sweep.from_scores(y, rng.random(300))
    assert chance.roc_auc_ci()[1] >= 0.5 and chance.inverted_ranking_note("x") is None
    assert Sweep.from_scores(np.zeros(5, int), rng.random(5)).inverted_ranking_note("x") is None  # one class
