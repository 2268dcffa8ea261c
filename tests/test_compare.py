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


def test_the_same_ranking_twice_has_no_difference_and_a_p_value_of_1():
    y, a, _ = paired_scores(seed=5)
    same = compare_aucs(y, a, np.exp(a))  # a monotone transform ranks the cases as a does
    assert same.difference == 0 and same.p_value == 1 and (same.ci_low, same.ci_high) == (0, 0)
    assert same.z is None and same.correlation == pytest.approx(1.0)


def test_a_difference_without_variance_is_certain():
    y = np.array([0, 0, 0, 1, 1, 1])
    perfect, flat = np.array([0.1, 0.2, 0.3, 0.7, 0.8, 0.9]), np.full(6, 0.5)
    result = compare_aucs(y, perfect, flat)
    assert (result.auc_a, result.auc_b, result.difference) == (1.0, 0.5, 0.5)
    assert result.p_value == 0 and result.z == math.inf and result.correlation is None
    assert result.to_dict()["z"] == "Infinity" and result.to_dict()["correlation"] is None


def test_one_case_of_a_class_gives_the_aucs_but_no_test():
    y = np.array([0, 0, 0, 0, 1])
    result = compare_aucs(y, [0.1, 0.2, 0.3, 0.4, 0.9], [0.1, 0.5, 0.3, 0.4, 0.45])
    assert (result.auc_a, result.auc_b) == (1.0, 0.75)
    assert result.p_value is None and result.ci_low is None and result.to_dict()["ci_high"] is None


@pytest.mark.parametrize("y, a, b, said", [
    ([1, 1, 1], [0.1, 0.2, 0.3], [0.3, 0.2, 0.1], "both classes"),
    ([], [], [], "both classes"),
    ([0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3], "rows"),
    ([0, 1, 0, 1], [0.1, 0.2, 0.3, float("nan")], [0.1, 0.2, 0.3, 0.4], "finite"),
])
def test_bad_input_is_a_logreg_error_that_says_what_is_wrong(y, a, b, said):
    with pytest.raises(LogRegError, match=said):
        compare_aucs(y, a, b)


def test_a_level_outside_0_and_1_is_refused():
    y, a, b = paired_scores(n=50)
    with pytest.raises(LogRegError, match="level"):
        compare_aucs(y, a, b, level=95)


def scores_file(tmp_path, split=True):
    """Two models' probabilities for the same cases, with a text column beside them."""
    y, a, b = paired_scores(n=400, seed=11, gain=2.0)
    frame = pd.DataFrame({"y_true": y, "score": 1 / (1 + np.exp(-a)), "old_model": 1 / (1 + np.exp(-b)),
                          "site": "north"})
    if split:
        frame.insert(0, "split", np.where(np.arange(y.size) % 2, "test", "val"))
    path = tmp_path / "two.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_the_cli_compares_two_score_columns_on_the_test_rows(tmp_path):
    path, frame = scores_file(tmp_path)
    code, out, _ = run_main("threshold", "--scores", path, "--compare", "old_model", "--json")
    assert code == 0
    comparison = json.loads(out)["comparison"]
    test = frame[frame.split == "test"]
    assert comparison["score_columns"] == ["score", "old_model"] and comparison["rows"] == "test"
    assert comparison["auc_a"] == pytest.approx(roc_auc_score(test.y_true, test.score), abs=1e-12)
    assert comparison["auc_b"] == pytest.approx(roc_auc_score(test.y_true, test.old_model), abs=1e-12)
    reference = brute_force_delong(test.y_true.to_numpy(), test.score.to_numpy(), test.old_model.to_numpy())
    assert comparison["p_value"] == pytest.approx(reference["p"], rel=1e-6)
    code, out, _ = run_main("threshold", "--scores", path, "--compare", "OLD_MODEL")
    assert code == 0
    said = out.strip().splitlines()[-1]
    assert said.startswith("On the test rows, ROC AUC") and "'old_model'" in said and "DeLong" in said
    assert f"p = {comparison['p_value']:.3f}" in said or "p < 0.001" in said


def test_without_a_split_the_cli_compares_on_all_rows(tmp_path):
    path, frame = scores_file(tmp_path, split=False)
    code, out, _ = run_main("threshold", "--scores", path, "--compare", "old_model", "--json")
    comparison = json.loads(out)["comparison"]
    assert code == 0 and comparison["rows"] == "all"
    assert comparison["positives"] + comparison["negatives"] == len(frame)


@pytest.mark.parametrize("column, said", [
    ("site", "holds text"), ("score", "the score shown already"), ("nowhere", "no column 'nowhere'"),
    ("y_true", "both column"),
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
