"""Property tests for logreg_core.threshold on arbitrary labels, scores and thresholds."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, roc_auc_score

from logreg_core.threshold import METRIC_NAMES, Sweep, per_1000, per_1000_people, threshold_texts, wilson_interval

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")
FAST = settings(max_examples=100, deadline=None)

# Scores from a small pool (heavy ties) or anywhere in a wide finite range.
score = st.one_of(st.sampled_from([-2.0, 0.0, 0.1, 0.5, 1.0, 37.0]),
                  st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
threshold = st.one_of(score, st.sampled_from([-np.inf, np.inf]),
                      st.floats(allow_nan=False))


@st.composite
def labelled_scores(draw, min_size=0):
    pairs = draw(st.lists(st.tuples(st.integers(0, 1), score), min_size=min_size, max_size=60))
    y = np.array([label for label, _ in pairs], dtype=np.int64)
    s = np.array([value for _, value in pairs], dtype=float)
    return y, s


@FAST
@given(labelled_scores(), st.lists(threshold, min_size=1, max_size=5))
def test_counts_sum_to_n_and_match_sklearn(data, thresholds):
    y, s = data
    sweep = Sweep.from_scores(y, s)
    for t in thresholds:
        c = sweep.counts_at(t)
        assert c.n == len(y) and c.positives == y.sum() and c.negatives == len(y) - y.sum()
        assert min(c.tp, c.fp, c.tn, c.fn) >= 0
        if len(y):
            tn, fp, fn, tp = confusion_matrix(y, (s >= t).astype(int), labels=[0, 1]).ravel()
            assert (c.tp, c.fp, c.tn, c.fn) == (tp, fp, tn, fn)


@FAST
@given(labelled_scores(), threshold)
def test_rates_are_proportions_with_intervals_around_them(data, t):
    y, s = data
    report = Sweep.from_scores(y, s).report(t, prevalence=0.2, cost_ratio=3.0)
    assert set(report.metrics) == set(METRIC_NAMES)
    for name in ("sensitivity", "specificity", "fpr", "fnr", "ppv", "npv", "accuracy", "balanced_accuracy", "f1"):
        e = report.metrics[name]
        if math.isnan(e.value):
            assert e.ci_low is None and e.ci_high is None
        else:
            assert 0 <= e.value <= 1
            if e.ci_low is not None:
                assert 0 <= e.ci_low <= e.value <= e.ci_high <= 1
    bounds = {"mcc": (-1, 1), "youden_j": (-1, 1), "lr_positive": (0, math.inf), "lr_negative": (0, math.inf)}
    for name, (low, high) in bounds.items():
        value = report.metrics[name].value
        assert math.isnan(value) or low - 1e-12 <= value <= high + 1e-12
    m = report.metrics
    if not math.isnan(m["sensitivity"].value):
        assert m["sensitivity"].value + m["fnr"].value == pytest.approx(1)
    for key in ("ppv", "npv"):
        adjusted = report.prevalence_adjusted[key]
        assert math.isnan(adjusted.value) or 0 <= adjusted.value <= 1


@FAST
@given(labelled_scores(min_size=1))
def test_curves_are_proportions_and_monotone(data):
    y, s = data
    sweep = Sweep.from_scores(y, s)
    curves = sweep.curves()
    for name, values in curves.items():
        if name not in ("threshold", "youden_j"):
            finite = values[~np.isnan(values)]
            assert ((finite >= 0) & (finite <= 1)).all(), name
    assert (np.diff(sweep.thresholds) < 0).all()
    assert (np.diff(sweep.tp) >= 0).all() and (np.diff(sweep.fp) >= 0).all()
    assert sweep.tp[-1] + sweep.fp[-1] == len(y)  # the lowest score flags everyone


@FAST
@given(labelled_scores(min_size=2))
def test_roc_auc_matches_sklearn(data):
    y, s = data
    auc = Sweep.from_scores(y, s).roc_auc()
    if 0 < y.sum() < len(y):
        assert auc == pytest.approx(roc_auc_score(y, s), abs=1e-9)
    else:
        assert math.isnan(auc)


@FAST
@given(st.integers(0, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_interval_contains_the_proportion(pair):
    successes, trials = pair
    low, high = wilson_interval(successes, trials)
    if trials == 0:
        assert (low, high) == (None, None)
    else:
        assert 0 <= low <= successes / trials <= high <= 1


@FAST
@given(labelled_scores(min_size=1), st.floats(0, 1), st.floats(0.01, 100))
def test_operating_points_meet_their_definitions(data, target, cost_ratio):
    y, s = data
    sweep = Sweep.from_scores(y, s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sens_t = sweep.find_sensitivity(target)
        spec_t = sweep.find_specificity(target)
        cost_t = sweep.find_min_cost(cost_ratio)
    if sweep.n_pos:
        c = sweep.counts_at(sens_t)
        assert c.tp / c.positives >= target
    if sweep.n_neg:
        c = sweep.counts_at(spec_t)
        assert c.tn / c.negatives >= target
    best = sweep.counts_at(cost_t)
    for t in [np.inf, *sweep.thresholds]:
        c = sweep.counts_at(t)
        assert cost_ratio * best.fn + best.fp <= cost_ratio * c.fn + c.fp + 1e-9


unit = st.floats(0, 1)


@given(unit, unit, st.floats(1e-6, 1 - 1e-6))
def test_whole_people_add_up_to_1000_and_are_their_expected_numbers_rounded(sens, spec, prevalence):
    expected = per_1000(sens, spec, prevalence)
    whole = per_1000_people(sens, spec, prevalence)
    assert sum(whole.values()) == 1000 and all(isinstance(v, int) for v in whole.values())
    assert all(abs(whole[k] - expected[k]) < 1 for k in expected)
    # largest remainders: no part rounded down lies further from its expectation than one rounded up
    down = [expected[k] - whole[k] for k in expected if whole[k] <= expected[k]]
    up = [whole[k] - expected[k] for k in expected if whole[k] > expected[k]]
    if down and up:
        assert max(down) <= 1 - max(up) + 1e-9


@given(st.lists(st.floats(-1e6, 1e6), max_size=60), st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=20))
def test_threshold_labels_split_the_scores_as_the_exact_thresholds(scores, thresholds):
    """A label read back as a number flags the same scores; it is the 4-digit form unless that would not."""
    texts = threshold_texts(thresholds, np.sort(scores))
    for text, exact in zip(texts, thresholds):
        assert np.array_equal(np.asarray(scores) >= float(text), np.asarray(scores) >= exact)
        four = f"{exact:.4g}"
        if text != four:  # longer only where 4 digits would move a score to the other side
            assert not np.array_equal(np.asarray(scores) >= float(four), np.asarray(scores) >= exact)


def test_the_log_odds_sliders_end_is_not_labelled_1_when_scores_lie_below_1():
    end = 1 / (1 + np.exp(-10.0))  # 0.9999546
    assert threshold_texts([end, 0.5], np.array([0.2, 0.99996, 0.99999])) == ["0.99995", "0.5"]
    assert threshold_texts([end], np.array([0.2, 0.7])) == ["1"]  # no score between: 1 flags the same cases


def test_a_threshold_label_takes_the_digits_the_scores_need():
    exact = 7 / 11  # 0.6363…, as a finder returns a score or a midpoint
    assert threshold_texts([exact], np.array([0.2, 0.9])) == ["0.6364"]
    assert threshold_texts([exact], np.array([0.2, 0.6364, 0.9])) == ["0.6364"]  # 0.6364 is flagged either way
    assert threshold_texts([exact], np.array([0.6363, exact])) == ["0.63636"]  # the score itself stays flagged
    assert threshold_texts([exact], np.array([])) == ["0.6364"]


def test_a_threshold_above_every_score_reads_as_the_shortest_number_above_them():
    """The slider's end just past a score of 1 (float32 probabilities reach it) read 1.0000000000000002."""
    import math

    ceiling = math.nextafter(1.0, 2.0)
    assert threshold_texts([ceiling], np.array([0.2, 1.0])) == ["1.0001"]
    assert threshold_texts([math.nextafter(-3.0, 0.0)], np.array([-5.0, -3.0])) == ["-2.9999"]
    assert threshold_texts([ceiling], np.array([0.2, 0.7])) == ["1"]  # 1 is above them already
