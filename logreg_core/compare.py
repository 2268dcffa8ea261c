"""Two scores for the same cases: is one's ROC AUC higher than the other's by more than chance?

DeLong, DeLong & Clarke-Pearson's test (Biometrics 1988) for two ROC curves on the
same cases, the one pROC's ``roc.test`` and most clinical papers use. Each case
gets a placement value per score (for a positive, the share of negatives it
outranks, ties counting ½; for a negative, the share of positives that outrank
it); their means are the AUCs, and their covariances across the two scores give
the variance of the difference, which the pairing shrinks when the scores agree.
The placement values come from midranks (Sun & Xu, IEEE Signal Processing Letters
2014): one sort per score, O(n log n), NumPy only.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .errors import LogRegError
from .jsonsafe import json_safe
from .threshold import Z_95, Sweep, validate_scores


@dataclass(frozen=True)
class AucComparison:
    """``auc_a - auc_b`` with its 95% interval and two-sided p-value. These are None with fewer than 2
    positives or 2 negatives, and where the difference has no spread across the cases to measure its
    uncertainty by (each case with the same standing against the other class under both, or one score separating
    the classes and the other not at all): a collapsed estimate is no certainty. ``correlation``: between the two AUC estimates
    (None where either does not vary)."""
    auc_a: float
    auc_b: float
    difference: float
    ci_low: float | None
    ci_high: float | None
    z: float | None
    p_value: float | None
    correlation: float | None
    positives: int
    negatives: int

    def to_dict(self) -> dict:
        return json_safe(asdict(self))


def _midranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks, tied values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    last = np.cumsum(counts)
    return (last - (counts - 1) / 2.0)[inverse.ravel()]


def placements(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    """(per positive, the share of negatives it scores above, ties ½; per negative, the share of positives
    scoring above it, ties ½): DeLong's structural components. Each has the ROC AUC as its mean."""
    y, s = validate_scores(y_true, scores)
    pos, neg = s[y == 1], s[y == 0]
    m, n = pos.size, neg.size
    if m == 0 or n == 0:
        raise LogRegError("comparing ROC curves needs both classes among the cases: positives and negatives")
    whole = _midranks(np.concatenate([pos, neg]))
    above_negatives = (whole[:m] - _midranks(pos)) / n
    below_positives = 1.0 - (whole[m:] - _midranks(neg)) / m
    return above_negatives, below_positives


def compare_aucs(y_true, scores_a, scores_b) -> AucComparison:
    """DeLong's paired test of ``AUC(scores_a) - AUC(scores_b)`` on the same cases (same order, same labels).

    The 95% interval is the difference ± 1.96·SE; the p-value is two-sided, for "the two AUCs are equal"."""
    (pos_a, neg_a), (pos_b, neg_b) = placements(y_true, scores_a), placements(y_true, scores_b)  # both checked
    m, n = pos_a.size, neg_a.size
    # the placements' means, to the last bit as every other view of these AUCs has them (0.8575 is said 0.858
    # or 0.857 as that bit falls)
    auc_a, auc_b = (Sweep.from_scores(y_true, s).roc_auc() for s in (scores_a, scores_b))
    difference = auc_a - auc_b
    if m < 2 or n < 2:
        return AucComparison(auc_a, auc_b, difference, None, None, None, None, None, m, n)
    s10, s01 = np.cov(np.stack([pos_a, pos_b])), np.cov(np.stack([neg_a, neg_b]))
    covariance = s10 / m + s01 / n  # of the two AUC estimates
    variance = max(0.0, float(covariance[0, 0] + covariance[1, 1] - 2 * covariance[0, 1]))
    spread = math.sqrt(covariance[0, 0] * covariance[1, 1])
    correlation = float(covariance[0, 1] / spread) if spread > 0 else None
    se = math.sqrt(variance)
    if se == 0:
        return AucComparison(auc_a, auc_b, difference, None, None, None, None, correlation, m, n)
    z = difference / se
    return AucComparison(auc_a, auc_b, difference, difference - Z_95 * se, difference + Z_95 * se, z,
                         math.erfc(abs(z) / math.sqrt(2)), correlation, m, n)
