"""DeLong's paired ROC comparison against a brute-force DeLong, scikit-learn's AUCs and a paired bootstrap;
and in the CLI."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from logreg_core.compare import compare_aucs, placements
from logreg_core.errors import LogRegError
from logreg_core.report import comparison_text, p_value_text
from tests.test_cli_reference import run_main


def paired_scores(n=300, seed=0, gain=1.0, ties=False):
    """Labels and two scores for the same cases; b adds ``gain`` times more noise to a shared signal than a."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    signal = y + rng.normal(0, 0.8, n)
    a = signal + rng.normal(0, 0.5, n)
    b = signal + rng.normal(0, 0.5 * gain, n)
    if ties:
        a, b = np.round(a, 1), np.round(b, 1)
    return y, a, b


def brute_force_delong(y, a, b):
    """DeLong et al. (1988) as written: every positive against every negative, no ranks."""
    def components(s):
        pos, neg = s[y == 1][:, None], s[y == 0][None, :]
        psi = (pos > neg) + 0.5 * (pos == neg)
        return psi.mean(axis=1), psi.mean(axis=0)

    (v10a, v01a), (v10b, v01b) = components(a), components(b)
    m, n = v10a.size, v01a.size
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    contrast = np.array([1.0, -1.0])
    variance = contrast @ (s10 / m + s01 / n) @ contrast
    difference = v10a.mean() - v10b.mean()
    z = difference / math.sqrt(variance)
    return {"difference": difference, "se": math.sqrt(variance), "z": z,
            "p": 2 * (1 - 0.5 * (1 + math.erf(abs(z) / math.sqrt(2)))), "v10": v10a, "v01": v01a}


@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_test_equals_delong_computed_pair_by_pair_and_the_aucs_scikit_learns(seed, ties):
    y, a, b = paired_scores(seed=seed, gain=1.6, ties=ties)
    result = compare_aucs(y, a, b)
    reference = brute_force_delong(y, a, b)
    assert result.auc_a == pytest.approx(roc_auc_score(y, a), abs=1e-12)
    assert result.auc_b == pytest.approx(roc_auc_score(y, b), abs=1e-12)
    assert result.difference == pytest.approx(reference["difference"], abs=1e-12)
    assert result.z == pytest.approx(reference["z"], rel=1e-9)
    assert result.p_value == pytest.approx(reference["p"], rel=1e-6, abs=1e-12)
    half = 1.959963984540054 * reference["se"]
    assert (result.ci_low, result.ci_high) == pytest.approx((reference["difference"] - half,
                                                             reference["difference"] + half), abs=1e-12)
    above, below = placements(y, a)
    np.testing.assert_allclose(above, reference["v10"], atol=1e-12)
    np.testing.assert_allclose(below, reference["v01"], atol=1e-12)
    assert result.positives == int(y.sum()) and result.negatives == int((1 - y).sum())


def test_the_standard_error_agrees_with_a_paired_bootstrap():
    y, a, b = paired_scores(n=600, seed=3, gain=1.5)
    result = compare_aucs(y, a, b)
    rng = np.random.default_rng(0)
    pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    differences = []
    for _ in range(400):  # stratified, as the DeLong variance conditions on the class sizes
        rows = np.concatenate([rng.choice(pos, pos.size), rng.choice(neg, neg.size)])
        differences.append(roc_auc_score(y[rows], a[rows]) - roc_auc_score(y[rows], b[rows]))
    delong_se = (result.ci_high - result.ci_low) / (2 * 1.959963984540054)
    assert delong_se == pytest.approx(np.std(differences, ddof=1), rel=0.15)


def test_equal_models_are_rejected_about_as_often_as_the_level_says_and_a_better_one_is_found():
    rejected = sum(compare_aucs(*paired_scores(n=200, seed=seed)).p_value < 0.05 for seed in range(300))
    assert 0.02 <= rejected / 300 <= 0.09
    better = compare_aucs(*paired_scores(n=400, seed=7, gain=3.0))
    assert better.difference > 0 and better.p_value < 0.001 and better.ci_low > 0


def test_the_order_of_the_two_scores_flips_the_sign_only():
    y, a, b = paired_scores(seed=4, gain=1.4)
    ab, ba = compare_aucs(y, a, b), compare_aucs(y, b, a)
    assert ba.difference == pytest.approx(-ab.difference)
    assert (ba.ci_low, ba.ci_high) == pytest.approx((-ab.ci_high, -ab.ci_low))
    assert ba.p_value == pytest.approx(ab.p_value) and ba.correlation == pytest.approx(ab.correlation)


def test_the_same_ranking_twice_has_no_difference_and_nothing_to_test():
    y, a, _ = paired_scores(seed=5)
    same = compare_aucs(y, a, np.exp(a))  # a monotone transform ranks the cases as a does
    assert same.difference == 0 and same.p_value is None and same.ci_low is None and same.z is None
    assert same.correlation == pytest.approx(1.0)
    assert comparison_text(same, "a", "b").endswith("the two give every case the same standing against the other "
                                                    "class (the share of it that the case outranks), so their AUCs "
                                                    "are equal, with nothing to test.")


def test_a_difference_without_spread_is_untested_not_certain():
    """Six cases where one score separates the classes and the other not at all: DeLong's variance collapses to
    0, which is no certainty (the first version said p < 0.001)."""
    y = np.array([0, 0, 0, 1, 1, 1])
    perfect, flat = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9]), np.full(6, 0.5)
    result = compare_aucs(y, perfect, flat)
    assert (result.auc_a, result.auc_b, result.difference) == (1.0, 0.5, 0.5)
    assert result.p_value is None and result.z is None and result.ci_high is None and result.correlation is None
    assert result.to_dict()["z"] is None
    said = comparison_text(result, "'new'", "'old'")
    assert said.startswith("ROC AUC 1.000 for 'new' and 0.500 for 'old': difference ('new' − 'old') 0.500, "
                           "untested: it has no spread") and "p " not in said


def test_one_case_of_a_class_gives_the_aucs_but_no_test():
    y = np.array([0, 0, 0, 0, 1])
    result = compare_aucs(y, [0.1, 0.2, 0.3, 0.4, 0.9], [0.1, 0.5, 0.3, 0.4, 0.45])
    assert (result.auc_a, result.auc_b) == (1.0, 0.75)
    assert result.p_value is None and result.ci_low is None and result.to_dict()["ci_high"] is None
    assert comparison_text(result, "a", "b") == ("ROC AUC 1.000 for a and 0.750 for b: difference (a − b) 0.250, "
                                                 "untested: DeLong's test needs at least 2 positive and 2 negative "
                                                 "cases.")


@pytest.mark.parametrize("p, said", [(0.0004999, "p < 0.001"), (0.0005, "p = 0.001"), (0.0364, "p = 0.036"),
                                     (0.99949, "p = 0.999"),
                                     (0.99951, "p > 0.999")])
def test_p_values_are_said_to_three_decimals_and_beyond_them_as_bounds(p, said):
    assert p_value_text(p) == said


def test_the_sentence_says_which_way_the_difference_goes_with_true_minus_signs():
    y, a, b = paired_scores(n=200, seed=8)
    result = compare_aucs(y, b, a)  # b has the same noise as a: a difference either side of 0
    said = comparison_text(result, "'b'", "'a'")
    low, high = (f"{v:.3f}".replace("-", "−") for v in (result.ci_low, result.ci_high))
    assert f"difference ('b' − 'a') {result.difference:.3f}".replace("-0", "−0") in said
    assert f"(95% CI {low} to {high}), {p_value_text(result.p_value)} (DeLong's test" in said
    assert "-" not in said


@pytest.mark.parametrize("y, a, b, said", [
    ([1, 1, 1], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1], "both classes"),
    ([], [], [], "both classes"),
    ([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3], "rows"),
    ([0, 1, 0, 1], [0.1, 0.2, 0.3, float("nan")], [0.1, 0.2, 0.3, 0.4], "finite"),
])
def test_bad_input_is_a_logreg_error_that_says_what_is_wrong(y, a, b, said):
    with pytest.raises(LogRegError, match=said):
        compare_aucs(y, a, b)




def scores_file(tmp_path, split=True):
    """Two models' probabilities for the same cases, with a text column beside them."""
    y, a, b = paired_scores(n=400, seed=11, gain=2.0)
    frame = pd.DataFrame({"patient_id": np.arange(y.size) + 1000, "y_true": y, "score": 1 / (1 + np.exp(-a)),
                          "old_model": 1 / (1 + np.exp(-b)), "probability_0": 1 / (1 + np.exp(a)), "site": "north"})
    if split:
        frame.insert(0, "split", np.where(np.arange(y.size) % 2, "test", "val"))
    path = tmp_path / "two.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_the_cli_compares_two_score_columns_on_the_test_rows(tmp_path):
    path, frame = scores_file(tmp_path)
    code, out, _ = run_main("threshold", "--scores", path, "--compare", "old_model", "--json")
    assert code == 0
    summary = json.loads(out)
    comparison, test = summary["comparison"], frame[frame.split == "test"]
    assert comparison["score_columns"] == ["score", "old_model"] and summary["reported_on"] == "test"
    assert comparison["auc_a"] == pytest.approx(roc_auc_score(test.y_true, test.score), abs=1e-12)
    assert comparison["auc_b"] == pytest.approx(roc_auc_score(test.y_true, test.old_model), abs=1e-12)
    reference = brute_force_delong(test.y_true.to_numpy(), test.score.to_numpy(), test.old_model.to_numpy())
    assert comparison["p_value"] == pytest.approx(reference["p"], rel=1e-6) and comparison["notes"] == []
    code, out, _ = run_main("threshold", "--scores", path, "--compare", "OLD_MODEL")
    assert code == 0
    positives = int(test.y_true.sum())
    assert out.strip().splitlines()[-1] == (
        f"On the test rows ({positives} positive, {len(test) - positives} negative), "
        + comparison_text(compare_aucs(test.y_true, test.score, test.old_model), "'score'", "'old_model'"))


def test_without_a_split_the_cli_compares_on_all_rows(tmp_path):
    path, frame = scores_file(tmp_path, split=False)
    code, out, _ = run_main("threshold", "--scores", path, "--compare", "old_model", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["reported_on"] == "all"
    assert summary["comparison"]["positives"] + summary["comparison"]["negatives"] == len(frame)


def test_a_compared_column_read_differently_is_noted(tmp_path):
    path, frame = scores_file(tmp_path)
    frame["old_model"] = (frame.old_model * 100).round(2).astype(str) + "%"
    frame.to_csv(path, index=False)
    code, out, err = run_main("threshold", "--scores", path, "--compare", "old_model", "--json")
    notes = json.loads(out)["comparison"]["notes"]
    assert code == 0 and len(notes) == 1 and "written as a percentage" in notes[0] and f"note: {notes[0]}" in err


@pytest.mark.parametrize("column, said", [
    ("site", "holds text"), ("score", "the score shown already"), ("nowhere", "no column 'nowhere'"),
    ("y_true", "both column"), ("patient_id", "named as an identifier"),
    ("probability_0", "is the probability of '0', not of the positive class '1'"),
])
def test_a_column_the_cli_cannot_compare_with_is_one_error_line(tmp_path, column, said):
    path, _ = scores_file(tmp_path)
    code, out, err = run_main("threshold", "--scores", path, "--compare", column)
    assert code == 2 and out == ""
    assert err.count("error:") == 1 and err.strip().splitlines()[-1].startswith("error:") and said in err


def test_the_aucs_are_the_sweeps_to_the_last_bit_as_every_other_view_says_them():
    """An AUC of exactly 0.8575 is one bit either side of it in two ways of summing: said 0.857 by one and 0.858
    by the other, the ROC chart and the comparison disagreed."""
    from logreg_core.threshold import Sweep

    for seed in range(40):
        y, a, b = paired_scores(n=120, seed=seed, ties=True)
        result = compare_aucs(y, a, b)
        assert (result.auc_a, result.auc_b) == (Sweep.from_scores(y, a).roc_auc(), Sweep.from_scores(y, b).roc_auc())
