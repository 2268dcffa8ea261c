"""Threshold analytics for binary scores, in NumPy only.

Convention: an example is predicted positive when score ≥ threshold.

Scores may be any finite real numbers — probabilities, logits or margins,
0–100 risk scores; only net benefit, decision curves, calibration and the
Brier score need probabilities in [0, 1]. Labels are 0/1 with 1 = positive.

Anything undefined (a division by zero, such as sensitivity when there are no
positives) is NaN with no interval: never an exception and never a NumPy
warning. So one class only, empty input, all-equal scores and thresholds at
or beyond the observed scores all give defined results.
"""
from __future__ import annotations

import decimal
import math
import numbers
from dataclasses import dataclass, fields

import numpy as np

from .errors import LogRegError
from .jsonsafe import json_safe

CONVENTION = "positive when score ≥ threshold"
FEW_CASES = 100  # fewer positives or negatives than this: intervals wider than ±10%, said (few_cases_note)
METRIC_NAMES = (
    "sensitivity", "specificity", "fpr", "fnr", "ppv", "npv", "accuracy",
    "balanced_accuracy", "f1", "mcc", "youden_j", "lr_positive", "lr_negative",
)
CURVE_METRICS = ("sensitivity", "specificity", "fpr", "fnr", "ppv", "npv", "accuracy", "f1", "youden_j")
Z_95 = 1.959963984540054  # standard normal 97.5th percentile
Z_97_5 = 2.241402727604947  # standard normal 98.75th percentile: two-sided 97.5% intervals
_BOOTSTRAP_CHUNK = 1 << 18  # index draws per bootstrap chunk; small enough to stay in cache


@dataclass(frozen=True)
class Estimate:
    """A point value with an optional confidence interval; NaN and None when undefined."""

    value: float
    ci_low: float | None = None
    ci_high: float | None = None

    def to_dict(self) -> dict:
        return {"value": json_safe(self.value), "ci_low": json_safe(self.ci_low), "ci_high": json_safe(self.ci_high)}


@dataclass(frozen=True)
class Counts:
    """The confusion matrix at one threshold."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.tn + self.fn

    @property
    def positives(self) -> int:
        return self.tp + self.fn

    @property
    def negatives(self) -> int:
        return self.tn + self.fp

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "tn": self.tn, "fn": self.fn,
                "n": self.n, "positives": self.positives, "negatives": self.negatives}


@dataclass(frozen=True)
class ThresholdReport:
    """Everything about one threshold. ``metrics`` is keyed by METRIC_NAMES.

    ``expected_cost`` is the cost per person in units of a false positive,
    cost_ratio·FN + FP over n — or, when a prevalence is given, at that
    prevalence: cost_ratio·prevalence·FNR + (1 − prevalence)·FPR — present
    when a cost ratio was given; ``net_benefit`` (at the cases' own prevalence) is present when the scores
    are probabilities and 0 < threshold < 1; ``prevalence_adjusted`` is present when a prevalence was
    given: {"prevalence", "ppv": Estimate, "npv": Estimate, "per_1000": {"tp", "fp", "tn", "fn"}}, and
    "net_benefit" at that prevalence where there is one at the cases'.
    """

    threshold: float
    convention: str
    counts: Counts
    metrics: dict[str, Estimate]
    expected_cost: float | None = None
    net_benefit: float | None = None
    prevalence_adjusted: dict | None = None

    def to_dict(self) -> dict:
        """Plain JSON-safe data: NaN becomes None, a ±inf threshold "Infinity" or "-Infinity" (``json_safe``)."""
        return json_safe({f.name: getattr(self, f.name) for f in fields(self)})


# ---------------------------------------------------------------- validation

def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise LogRegError(f"{name} must be a number, got {value!r}")
    return float(value)


def _whole_number(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise LogRegError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _open_unit(name: str, value) -> float:
    value = _number(name, value)
    if not 0 < value < 1:
        raise LogRegError(f"{name} must be strictly between 0 and 1, got {value:g}{_as_percentage(value)}")
    return value


def _closed_unit(name: str, value) -> float:
    value = _number(name, value)
    if not 0 <= value <= 1:
        raise LogRegError(f"{name} must be between 0 and 1, got {value:g}{_as_percentage(value)}")
    return value


def _as_percentage(value: float) -> str:
    """For a proportion given as a percentage (5 for 5%), how to write it."""
    return f" (a proportion: {value / 100:g} for {value:g}%)" if 1 < value <= 100 else ""


def _array(name: str, values, ndim: int) -> np.ndarray:
    """`values` as a float64 array of `ndim` dimensions (an (n, 1) column counts as 1-D)."""
    try:
        array = np.asarray(values)
    except (TypeError, ValueError):
        raise LogRegError(f"{name} must be an array of numbers") from None
    if ndim == 1 and array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != ndim:
        raise LogRegError(f"{name} must be {ndim}-dimensional, got shape {array.shape}")
    if array.dtype.kind not in "biufO":
        raise LogRegError(f"{name} must contain numbers, got values of type {array.dtype}")
    try:
        return array.astype(np.float64)
    except (TypeError, ValueError):
        raise LogRegError(f"{name} must contain only numbers") from None


def _class_labels(y_true, n_classes: int) -> np.ndarray:
    y = _array("y_true", y_true, 1)
    valid = (y == np.floor(y)) & (y >= 0) & (y < n_classes)  # False for NaN
    if not valid.all():
        allowed = "0 and 1 (1 = positive)" if n_classes == 2 else f"the class indices 0 to {n_classes - 1}"
        found = ", ".join(str(v) for v in np.unique(y[~valid])[:5])
        raise LogRegError(f"y_true must contain only {allowed}; found {found}")
    return y.astype(np.int64)


def _check_finite(name: str, values: np.ndarray) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        raise LogRegError(f"{name} must be finite: {int(bad.sum())} value(s) are NaN or infinite "
                          f"(first at position {int(np.argmax(bad.ravel()))})")


def _check_lengths(y: np.ndarray, values: np.ndarray, name: str) -> None:
    if len(y) != len(values):
        raise LogRegError(f"y_true has {len(y)} labels but {name} has {len(values)} rows; they must match")


def validate_scores(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    """Labels as int64 0/1 and scores as float64, or LogRegError saying what is wrong."""
    y = _class_labels(y_true, 2)
    s = _array("scores", scores, 1)
    _check_lengths(y, s, "scores")
    _check_finite("scores", s)
    return y, s


def validate_threshold(t) -> float:
    """Any real number, ±inf included (+inf flags no one, -inf everyone)."""
    return _number("threshold", t)


def validate_prevalence(p) -> float:
    return _open_unit("prevalence", p)


def validate_target(kind: str, value) -> float:
    """A target sensitivity or specificity (``kind``), from 0 to 1."""
    return _closed_unit(f"target {kind}", value)


def validate_cost_ratio(r) -> float:
    """Cost of a false negative relative to a false positive (FN:FP)."""
    r = _number("cost_ratio", r)
    if not (math.isfinite(r) and r > 0):
        raise LogRegError(f"cost_ratio (cost of a false negative : a false positive) must be positive "
                          f"and finite, got {r}")
    return r


def _validate_probabilities(y_true, prob) -> tuple[np.ndarray, np.ndarray]:
    y, p = validate_scores(y_true, prob)
    if p.size and (p.min() < 0 or p.max() > 1):
        raise LogRegError(f"probabilities must lie in [0, 1]; these range from {p.min():g} to {p.max():g}")
    return y, p


def _validate_proba(y_true, proba) -> tuple[np.ndarray, np.ndarray]:
    p = _array("proba", proba, 2)
    if p.shape[1] == 0:
        raise LogRegError("proba needs one column per class; it has none")
    _check_finite("proba", p)
    y = _class_labels(y_true, p.shape[1])
    _check_lengths(y, p, "proba")
    return y, p


# ---------------------------------------------------------------- metrics

def _ratio(num, den) -> np.ndarray:
    """num / den elementwise, NaN where den == 0, without NumPy's warnings."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.asarray(num / den)
    out[np.broadcast_to(den == 0, out.shape)] = np.nan
    return out


def _mcc(tp, fp, tn, fn) -> np.ndarray:
    """Matthews correlation, 0 where one row or column of the 2×2 table is empty (everyone or no one flagged,
    or one class only): a constant prediction has no correlation with the truth. That is scikit-learn's
    convention, and the limit the coefficient tends to as the empty margin's count goes to 0. No cases: NaN."""
    mcc = _ratio(tp * tn - fp * fn, np.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)))
    mcc[np.isnan(mcc) & (tp + fp + tn + fn > 0)] = 0.0
    return mcc


def _rates(tp, fp, tn, fn, names=METRIC_NAMES) -> dict[str, np.ndarray]:
    """The metrics called ``names`` (default: all of METRIC_NAMES), elementwise over count arrays.

    Only those asked for are computed: a sweep's curves need 9 of the 13 and a slider's table 4,
    and over 100,000 thresholds the other ones cost more than the sort."""
    tp, fp, tn, fn = (np.asarray(c, dtype=float) for c in (tp, fp, tn, fn))
    positives, negatives = tp + fn, tn + fp
    formulas = {
        "sensitivity": lambda: _ratio(tp, positives),
        "specificity": lambda: _ratio(tn, negatives),
        "fpr": lambda: _ratio(fp, negatives),
        "fnr": lambda: _ratio(fn, positives),
        "ppv": lambda: _ratio(tp, tp + fp),
        "npv": lambda: _ratio(tn, tn + fn),
        "accuracy": lambda: _ratio(tp + tn, positives + negatives),
        "balanced_accuracy": lambda: (rate("sensitivity") + rate("specificity")) / 2,
        "f1": lambda: _ratio(2 * tp, 2 * tp + fp + fn),
        "mcc": lambda: _mcc(tp, fp, tn, fn),
        "youden_j": lambda: rate("sensitivity") + rate("specificity") - 1,
        "lr_positive": lambda: _ratio(rate("sensitivity"), rate("fpr")),
        "lr_negative": lambda: _ratio(rate("fnr"), rate("specificity")),
    }
    done: dict[str, np.ndarray] = {}

    def rate(name):
        if name not in done:
            done[name] = formulas[name]()
        return done[name]

    return {name: rate(name) for name in names}


def wilson_interval(successes, trials, z=Z_95) -> tuple[float | None, float | None]:
    """Wilson score interval for a binomial proportion; (None, None) when trials == 0.

    Unlike the textbook Wald interval p ± z·√(p(1−p)/n) it stays inside [0, 1]
    and keeps close to its nominal coverage for small n and for p near 0 or 1.
    """
    if not 0 <= successes <= trials:
        raise LogRegError(f"need 0 ≤ successes ≤ trials, got {successes} of {trials}")
    if trials == 0:
        return None, None
    p = successes / trials
    shrink = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / shrink
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / shrink
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends where rounding would miss them
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


def _ratio_interval(x1, n1, x2, n2, z=Z_95) -> tuple[float | None, float | None]:
    """Log-method interval (Simel, Samsa & Matchar 1991) for (x1/n1)/(x2/n2), two independent
    proportions as in a likelihood ratio: exp(ln ratio ± z·√(1/x1 − 1/n1 + 1/x2 − 1/n2)).
    Undefined when either count is zero."""
    if x1 == 0 or x2 == 0:
        return None, None
    ratio = (x1 / n1) / (x2 / n2)
    spread = math.exp(z * math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2))
    return ratio / spread, ratio * spread


def _metrics(c: Counts) -> dict[str, Estimate]:
    values = {name: float(value) for name, value in _rates(c.tp, c.fp, c.tn, c.fn).items()}
    proportions = {  # metric: (successes, trials), each given a Wilson interval
        "sensitivity": (c.tp, c.positives), "specificity": (c.tn, c.negatives),
        "fpr": (c.fp, c.negatives), "fnr": (c.fn, c.positives),
        "ppv": (c.tp, c.tp + c.fp), "npv": (c.tn, c.tn + c.fn), "accuracy": (c.tp + c.tn, c.n),
    }
    intervals = {name: wilson_interval(*parts) for name, parts in proportions.items()}
    intervals["lr_positive"] = _ratio_interval(c.tp, c.positives, c.fp, c.negatives)
    intervals["lr_negative"] = _ratio_interval(c.fn, c.positives, c.tn, c.negatives)
    return {name: Estimate(values[name], *intervals.get(name, (None, None))) for name in METRIC_NAMES}


def _proportion_or_nan(name: str, value) -> float:
    value = float(value)
    if not (math.isnan(value) or 0 <= value <= 1):
        raise LogRegError(f"{name} must lie in [0, 1], got {value}")
    return value


def prevalence_adjusted_ppv_npv(sensitivity, specificity, prevalence) -> tuple[float, float]:
    """PPV and NPV at another prevalence by Bayes' rule (NaN where undefined)."""
    sens = _proportion_or_nan("sensitivity", sensitivity)
    spec = _proportion_or_nan("specificity", specificity)
    p = validate_prevalence(prevalence)
    ppv = _ratio(sens * p, sens * p + (1 - spec) * (1 - p))
    npv = _ratio(spec * (1 - p), spec * (1 - p) + (1 - sens) * p)
    return float(ppv), float(npv)


def per_1000(sensitivity, specificity, prevalence) -> dict:
    """Expected outcomes among 1000 people at that prevalence (natural frequencies)."""
    sens = _proportion_or_nan("sensitivity", sensitivity)
    spec = _proportion_or_nan("specificity", specificity)
    p = validate_prevalence(prevalence)
    return {"tp": 1000 * p * sens, "fp": 1000 * (1 - p) * (1 - spec),
            "tn": 1000 * (1 - p) * spec, "fn": 1000 * p * (1 - sens)}


def default_threshold(sweeps) -> tuple[float, str]:
    """Where the threshold starts when none is given, over every sweep of one model's scores, and why:
    0.5 for probabilities, 0 for scores of both signs (logits, margins: the sign is the model's own
    call), else the middle of their range (a 0-100 risk score)."""
    low, high = min(s.min_score for s in sweeps), max(s.max_score for s in sweeps)
    if all(s.is_probability for s in sweeps):
        return 0.5, "default"
    if low < 0 < high:
        return 0.0, "default for scores of both signs"
    return (low + high) / 2, "default: the middle of the scores' range"


def threshold_texts(thresholds, sorted_scores) -> list[str]:
    """Each threshold as a label (and a link) shows it: 4 significant digits, or more where those would
    sort one of ``sorted_scores`` (ascending) to the other side (score ≥ threshold: positive).
    The log-odds slider's end, 0.9999546, reads 0.99995 when a score lies in [0.9999546, 1), not 1."""
    values = np.asarray(thresholds, dtype=np.float64).ravel()
    texts = [f"{t:.4g}" for t in values]
    below = np.searchsorted(sorted_scores, values, side="left")  # scores on the negative side
    for digits in range(5, 18):
        moved = np.flatnonzero(np.searchsorted(sorted_scores, [float(t) for t in texts], side="left") != below)
        if not moved.size:
            break
        for i in moved:  # one above every score (flags no one) as the shortest number above them: the slider's
            # end just past a score of 1 is 1.0001, not 1.0000000000000002; it flags the same (no) one
            texts[i] = (_just_above(sorted_scores[-1], digits) if below[i] == len(sorted_scores)
                        else f"{values[i]:.{digits}g}")
    return texts


def _just_above(x: float, digits: int) -> str:
    """The smallest number of ``digits`` significant digits above ``x``."""
    context = decimal.Context(prec=digits, rounding=decimal.ROUND_CEILING)
    above = context.create_decimal(repr(float(x)))
    if float(above) <= x:
        above = above.next_plus(context)
    return f"{float(above):.{digits}g}"


def per_1000_people(sensitivity, specificity, prevalence) -> dict[str, int]:
    """``per_1000`` in whole people that add up to 1,000 (largest remainders), so that a picture
    of 1,000 people and its legend agree."""
    expected = per_1000(sensitivity, specificity, prevalence)
    if not all(math.isfinite(v) for v in expected.values()):
        raise LogRegError("sensitivity and specificity must be defined to count people")
    whole = {k: math.floor(v) for k, v in expected.items()}
    by_remainder = sorted(expected, key=lambda k: whole[k] - expected[k])  # largest remainder first
    for k in by_remainder[:1000 - sum(whole.values())]:
        whole[k] += 1
    return whole


def per_1000_texts(sensitivity, specificity, prevalence) -> dict[str, str]:
    """``per_1000_people`` as text, with the positives ("positive") and the flagged ("flagged") among them:
    "<1" where some people are expected but round to no one, as "missed: 0" would say no one ever is."""
    expected, whole = per_1000(sensitivity, specificity, prevalence), per_1000_people(sensitivity, specificity,
                                                                                      prevalence)
    for counts in (expected, whole):
        counts.update(positive=counts["tp"] + counts["fn"], flagged=counts["tp"] + counts["fp"])
    return {k: "<1" if whole[k] == 0 and expected[k] > 0 else f"{whole[k]:,}" for k in whole}


def _prevalence_adjusted(c: Counts, prevalence: float) -> dict:
    """PPV and NPV at ``prevalence`` (Bayes), with conservative 95% intervals.

    Both rise with sensitivity and with specificity, so their extremes over 97.5% Wilson intervals
    of the two (independent samples: positives and negatives) bound them with at least 95%
    confidence (Bonferroni). Unlike intervals carried through the likelihood ratios, these exist when
    a cell is zero: with no false positive among 54 negatives, PPV at 2% prevalence is 1 on the
    sample, yet specificity could be 0.92, which would make it about 0.2.
    """
    sens, spec = (float(x) for x in (_ratio(c.tp, c.positives), _ratio(c.tn, c.negatives)))
    ppv, npv = prevalence_adjusted_ppv_npv(sens, spec, prevalence)
    (sens_low, sens_high), (spec_low, spec_high) = (wilson_interval(c.tp, c.positives, Z_97_5),
                                                    wilson_interval(c.tn, c.negatives, Z_97_5))
    ppv_ci = npv_ci = (None, None)
    if sens_low is not None and spec_low is not None:
        lows = prevalence_adjusted_ppv_npv(sens_low, spec_low, prevalence)
        highs = prevalence_adjusted_ppv_npv(sens_high, spec_high, prevalence)
        # Wilson ends never make a 0/0 here (a lower end is < 1 and an upper end > 0), so the bounds
        # exist whenever the value itself does.
        ppv_ci = (None, None) if math.isnan(ppv) else (lows[0], highs[0])
        npv_ci = (None, None) if math.isnan(npv) else (lows[1], highs[1])
    return {"prevalence": prevalence, "ppv": Estimate(ppv, *ppv_ci), "npv": Estimate(npv, *npv_ci),
            "per_1000": per_1000(sens, spec, prevalence)}


# ---------------------------------------------------------------- decision analysis

def _net_benefit(tp, fp, n, t):
    return _ratio(tp - fp * t / (1 - t), n)


def _treat_all(prevalence, t):
    return prevalence - (1 - prevalence) * t / (1 - t)


def net_benefit(counts: Counts, threshold) -> float:
    """TP/n − FP/n · t/(1−t): true positives gained, less false positives weighted by the
    harm-to-benefit ratio implied by threshold probability t (Vickers & Elkin 2006)."""
    t = _open_unit("threshold", threshold)
    return float(_net_benefit(counts.tp, counts.fp, counts.n, t))


def _population_net_benefit(tp, fp, positives, negatives, prevalence: float, t):
    """Net benefit per person at ``prevalence`` rather than the cases' own: prevalence·sensitivity −
    (1 − prevalence)·FPR·t/(1−t), which is ``_net_benefit`` when the prevalence is the cases'."""
    return prevalence * _ratio(tp, positives) - (1 - prevalence) * _ratio(fp, negatives) * t / (1 - t)


def treat_all_net_benefit(prevalence, threshold) -> float:
    """Net benefit of treating everyone: prevalence − (1 − prevalence)·t/(1−t)."""
    p = _closed_unit("prevalence", prevalence)
    return float(_treat_all(p, _open_unit("threshold", threshold)))


def harm_to_benefit(threshold) -> float:
    """(1−t)/t: how many false positives a threshold probability t accepts per true positive."""
    t = _open_unit("threshold", threshold)
    return 1 / t - 1


# ---------------------------------------------------------------- the sweep

def _auc(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """ROC AUC from positive and negative counts per tie group (last axis, ascending score).

    P(a positive outscores a negative) + ½·P(tie): the Mann–Whitney form of the
    trapezoidal area under the full ROC curve, summed exactly in integers.
    """
    twice_neg_at_or_below = 2 * np.cumsum(neg, axis=-1) - neg  # 2·(negatives below) + negatives tied
    twice_wins = np.einsum("...g,...g->...", pos, twice_neg_at_or_below)
    return _ratio(twice_wins, 2 * pos.sum(axis=-1) * neg.sum(axis=-1))


def _bootstrap_group_counts(rng, groups: np.ndarray, n_groups: int, rows: int) -> np.ndarray:
    """`rows` resamples (with replacement) of members whose tie groups are `groups`, as counts per group."""
    draws = np.take(groups, rng.integers(0, groups.size, size=(rows, groups.size), dtype=np.int32))
    draws += (np.arange(rows, dtype=np.int32) * n_groups)[:, None]  # row r counts into [r·G, (r+1)·G)
    return np.bincount(draws.ravel(), minlength=rows * n_groups).reshape(rows, n_groups)


class Sweep:
    """All thresholds at once: one sort, cumulative sums.

    ``thresholds`` holds the distinct scores in descending order; ``tp[i]`` and
    ``fp[i]`` count positives and negatives with score ≥ ``thresholds[i]``. Every
    curve is then an array expression over those, and one threshold is a binary
    search (:meth:`counts_at`). Build it with :meth:`from_scores`.
    """

    def __init__(self, sorted_scores: np.ndarray, sorted_labels: np.ndarray):
        """Internal: validated scores in ascending order and their labels."""
        self._scores = sorted_scores
        self._labels = sorted_labels
        self._pos_below = np.concatenate(([0], np.cumsum(sorted_labels)))  # [k]: positives among the k lowest
        self.n = int(sorted_scores.size)
        self.n_pos = int(self._pos_below[-1])
        self.n_neg = self.n - self.n_pos
        self._new_group = np.ones(self.n, dtype=bool)
        self._new_group[1:] = sorted_scores[1:] != sorted_scores[:-1]
        first_of_group = np.flatnonzero(self._new_group)[::-1]  # descending score
        self.thresholds = sorted_scores[first_of_group]
        self.tp, self.fp = self._counts_from(first_of_group)
        for array in (self.thresholds, self.tp, self.fp):
            array.flags.writeable = False
        self.min_score = float(sorted_scores[0]) if self.n else math.nan
        self.max_score = float(sorted_scores[-1]) if self.n else math.nan
        self.is_probability = self.n == 0 or (self.min_score >= 0 and self.max_score <= 1)

    @classmethod
    def from_scores(cls, y_true, scores) -> "Sweep":
        y, s = validate_scores(y_true, scores)
        order = np.argsort(s)  # not stable: only whole tie groups are ever counted
        return cls(s[order], y[order])

    def __repr__(self) -> str:
        return (f"Sweep(n={self.n}, positives={self.n_pos}, negatives={self.n_neg}, "
                f"distinct_scores={self.thresholds.size})")

    @property
    def prevalence(self) -> float:
        """The share of positives among these cases (0 when there are none)."""
        return self.n_pos / max(self.n, 1)

    @property
    def sorted_scores(self) -> np.ndarray:
        """The scores, ascending (what ``threshold_texts`` takes)."""
        return self._scores

    def _counts_from(self, below):
        """(tp, fp) when the `below` lowest scores are called negative and the rest positive."""
        tp = self.n_pos - self._pos_below[below]
        return tp, (self.n - below) - tp

    def _counts_ge(self, thresholds):
        return self._counts_from(np.searchsorted(self._scores, thresholds, side="left"))

    def _with_flag_no_one(self):
        """(thresholds, tp, fp) with +inf — flag no one — in front, as in the ROC curve."""
        return (np.concatenate(([np.inf], self.thresholds)),
                np.concatenate(([0], self.tp)), np.concatenate(([0], self.fp)))

    def error_free_range(self) -> tuple[float, float] | None:
        """``(low, high)`` when the classes do not overlap: every threshold t with low < t ≤ high then
        makes no error (positive when score ≥ t). None when they overlap or a class is absent."""
        if not (self.n_pos and self.n_neg):
            return None
        negatives = self._scores[self._labels == 0]
        positives = self._scores[self._labels == 1]
        low, high = float(negatives[-1]), float(positives[0])  # sorted: highest negative, lowest positive
        return (low, high) if low < high else None

    def counts_at(self, threshold) -> Counts:
        tp, fp = self._counts_ge(validate_threshold(threshold))
        tp, fp = int(tp), int(fp)
        return Counts(tp=tp, fp=fp, tn=self.n_neg - fp, fn=self.n_pos - tp)

    def at_thresholds(self, thresholds) -> dict[str, np.ndarray]:
        """Counts and the four headline rates at each of many thresholds, such as every position
        of a slider, so that a display can look them up rather than compute them.

        One binary search of the sorted scores for all of them: returns ``{"threshold", "tp",
        "fp", "tn", "fn", "sensitivity", "specificity", "fpr", "fnr"}``, arrays in the order
        given (a rate is NaN where its class is absent). ±inf are allowed, NaN is not.
        """
        t = _array("thresholds", thresholds, 1)
        if np.isnan(t).any():
            raise LogRegError("thresholds must be numbers, not NaN")
        tp, fp = self._counts_ge(t)
        tn, fn = self.n_neg - fp, self.n_pos - tp
        return {"threshold": t, "tp": tp, "fp": fp, "tn": tn, "fn": fn,
                **_rates(tp, fp, tn, fn, ("sensitivity", "specificity", "fpr", "fnr"))}

    def report(self, threshold, prevalence=None, cost_ratio=None) -> ThresholdReport:
        threshold = validate_threshold(threshold)
        counts = self.counts_at(threshold)
        metrics = _metrics(counts)
        expected_cost = None
        if cost_ratio is not None:
            per_fn, per_fp = self._cost_weights(cost_ratio, prevalence)
            expected_cost = per_fn * counts.fn + per_fp * counts.fp
        benefit = None
        if self.is_probability and 0 < threshold < 1:
            benefit = net_benefit(counts, threshold)
        adjusted = None
        if prevalence is not None:
            adjusted = _prevalence_adjusted(counts, validate_prevalence(prevalence))
            if benefit is not None:  # the net benefit per person of that population, as is the rest here
                adjusted["net_benefit"] = float(_population_net_benefit(
                    counts.tp, counts.fp, counts.positives, counts.negatives, adjusted["prevalence"], threshold))
        return ThresholdReport(threshold, CONVENTION, counts, metrics, expected_cost, benefit, adjusted)

    def roc(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(fpr, tpr, thresholds) at every distinct score after a leading (0, 0, +inf):
        sklearn's roc_curve(..., drop_intermediate=False). A rate whose class is absent is NaN."""
        thresholds, tp, fp = self._with_flag_no_one()
        return _ratio(fp, self.n_neg), _ratio(tp, self.n_pos), thresholds

    def roc_auc(self) -> float:
        """Area under the ROC curve (ties count ½); NaN when only one class is present."""
        pos = np.diff(self.tp, prepend=0)[::-1]
        neg = np.diff(self.fp, prepend=0)[::-1]
        return float(_auc(pos, neg))

    def roc_auc_ci(self, n_boot=1000, seed=0, level=0.95) -> tuple[float | None, float | None]:
        """Percentile bootstrap interval for the ROC AUC; (None, None) without both classes.

        The bootstrap is stratified, as in pROC: positives and negatives are
        resampled separately, so every replicate keeps the sample's class sizes
        and has a defined AUC. A replicate is just a count per tie group of the
        already sorted scores, so it costs one gather and one bincount, no sort.
        """
        n_boot = _whole_number("n_boot", n_boot, 1)
        level = _open_unit("level", level)
        if self.n_pos == 0 or self.n_neg == 0:
            return None, None
        group = np.cumsum(self._new_group, dtype=np.int32) - 1  # int32 halves the memory traffic
        n_groups = int(group[-1]) + 1
        pos_groups, neg_groups = group[self._labels == 1], group[self._labels == 0]
        rng = np.random.default_rng(seed)
        aucs = np.empty(n_boot)
        rows = max(1, _BOOTSTRAP_CHUNK // self.n)
        for start in range(0, n_boot, rows):
            m = min(rows, n_boot - start)
            pos = _bootstrap_group_counts(rng, pos_groups, n_groups, m)
            neg = _bootstrap_group_counts(rng, neg_groups, n_groups, m)
            aucs[start:start + m] = _auc(pos, neg)
        low, high = np.quantile(aucs, [(1 - level) / 2, (1 + level) / 2])
        return float(low), float(high)

    def pr_curve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(precision, recall, thresholds) as sklearn's precision_recall_curve: thresholds
        ascending, then a final (precision 1, recall 0) point without a threshold.
        Recall is NaN when there are no positives (sklearn warns and uses 1)."""
        precision = _ratio(self.tp, self.tp + self.fp)[::-1]
        recall = _ratio(self.tp, self.n_pos)[::-1]
        return np.append(precision, 1.0), np.append(recall, 0.0), self.thresholds[::-1].copy()

    def average_precision(self) -> float:
        """Σ ΔRecall · Precision over the thresholds — sklearn's average_precision_score;
        NaN when there are no positives (sklearn returns 0)."""
        if self.n_pos == 0:
            return math.nan
        gained = np.diff(self.tp, prepend=0)
        return float(np.sum(gained * (self.tp / (self.tp + self.fp))) / self.n_pos)

    def ranking(self) -> dict:
        """The measures of the scores' ranking, at no threshold, as JSON reports give them: ROC AUC with its
        bootstrap 95% interval (``roc_auc_ci``), and average precision."""
        return {"roc_auc": self.roc_auc(), "roc_auc_ci": list(self.roc_auc_ci()),
                "average_precision": self.average_precision()}

    def inverted_ranking_note(self, rows: str) -> str | None:
        """A sentence when the scores rank the classes the wrong way round, beyond chance: the ROC AUC's whole
        bootstrap interval below 0.5. Most often they are the other class's scores (such as P(benign) with
        malignant as positive), or the labels are coded the other way; ``rows`` names the rows ("the test split")."""
        auc = self.roc_auc()
        if not auc < 0.5:  # (NaN too: one class only)
            return None
        low, high = self.roc_auc_ci()
        if high is None or high >= 0.5:
            return None
        return (f"On {rows} the ROC AUC is {auc:.3f} (95% CI {low:.3f}–{high:.3f}), below 0.5: higher scores go with "
                "the negative class. If these are the other class's scores, use 1 − score; if the labels are coded "
                "the other way round, make the other class positive (Threshold page: Columns; command line: "
                "--positive).")

    def few_cases_note(self, rows: str) -> str | None:
        """A sentence when either class has fewer than ``FEW_CASES`` cases (but some): how wide a 95% interval
        of a proportion of them can be (1.96·√(0.25/n), its width at 50%), and that a threshold chosen on them
        flatters itself. ``rows`` begins the sentence ("The validation split has")."""
        small = min(self.n_pos, self.n_neg)
        if not 0 < small < FEW_CASES:
            return None
        cases = [f"{n} {kind}{'' if n == 1 else 's'}"
                 for n, kind in ((self.n_pos, "positive"), (self.n_neg, "negative"))]
        return (f"{rows} only {cases[0]} and {cases[1]}: intervals there are up to "
                f"±{1.96 * math.sqrt(0.25 / small):.0%} wide, and a threshold chosen on so few cases looks better "
                "than it will be.")

    def curves(self) -> dict[str, np.ndarray]:
        """The CURVE_METRICS at every threshold in ``thresholds`` (NaN where undefined)."""
        return {"threshold": self.thresholds.copy(),
                **_rates(self.tp, self.fp, self.n_neg - self.fp, self.n_pos - self.tp, CURVE_METRICS)}

    # Operating points. Candidates are the ROC thresholds (each distinct score, and
    # +inf where flagging no one can win). Each returns NaN when its criterion is
    # undefined (e.g. no positives).

    @staticmethod
    def _middle_of_best(thresholds: np.ndarray, best: np.ndarray) -> float:
        """The middle of the widest range of thresholds that tie for best.

        Every t in (next lower score, c] flags the same cases as a candidate c, so
        consecutive best candidates span one range of equally good thresholds. A
        finder that returned its edge, a validation case's own score, would put the
        threshold right against that case (separated classes gave the lowest positive's
        score); the middle keeps the most room on both sides. The widest range wins,
        the highest among equals; one that reaches +inf (flag no one) returns +inf, and
        one that reaches the lowest score is measured down to that score.
        """
        idx = np.flatnonzero(best)
        breaks = np.flatnonzero(np.diff(idx) > 1)
        starts, ends = idx[np.r_[0, breaks + 1]], idx[np.r_[breaks, idx.size - 1]]
        open_below = ends + 1 < thresholds.size
        upper = thresholds[starts]
        lower = np.where(open_below, thresholds[np.minimum(ends + 1, thresholds.size - 1)], thresholds[ends])
        with np.errstate(invalid="ignore", over="ignore"):
            k = int(np.argmax(upper - lower))
        high, low = float(upper[k]), float(lower[k])
        if math.isinf(high) or low == high:
            return high
        middle = low / 2 + high / 2
        return middle if low < middle <= high or (middle == low and not open_below[k]) else high

    def find_youden(self) -> float:
        """Threshold maximising Youden's J = sensitivity + specificity − 1 (middle of the best range)."""
        if self.n_pos == 0 or self.n_neg == 0:
            return math.nan
        j_scaled = self.tp * self.n_neg - self.fp * self.n_pos  # J·P·N, exact in integers
        return self._middle_of_best(self.thresholds, j_scaled == j_scaled.max())

    def find_max_f1(self) -> float:
        """Threshold maximising F1 = 2TP / (TP + FP + P) (middle of the best range)."""
        if self.n_pos == 0:
            return math.nan
        numerator, denominator = 2 * self.tp, self.tp + self.fp + self.n_pos
        i = int(np.argmax(numerator / denominator))
        return self._middle_of_best(self.thresholds, numerator * denominator[i] == numerator[i] * denominator)

    def _cost_weights(self, cost_ratio, prevalence=None) -> tuple[float, float]:
        """Expected cost per person of one false negative and of one false positive, in units of a false
        positive: at the scores' own prevalence 1/n each (times the cost ratio for a miss); at another
        prevalence π, a miss weighs cost_ratio·π/P and a false alarm (1 − π)/N. NaN where undefined."""
        r = validate_cost_ratio(cost_ratio)
        if prevalence is None:
            return float(_ratio(r, self.n)), float(_ratio(1, self.n))
        pi = validate_prevalence(prevalence)
        return float(_ratio(r * pi, self.n_pos)), float(_ratio(1 - pi, self.n_neg))

    def find_min_cost(self, cost_ratio, prevalence=None) -> float:
        """Threshold minimising the expected cost, cost_ratio·FN + FP (cost_ratio is the FN:FP cost) at
        the scores' prevalence or at ``prevalence`` (see ``_cost_weights``); the middle of the cheapest
        range; +inf if flagging no one is cheapest."""
        per_fn, per_fp = self._cost_weights(cost_ratio, prevalence)
        if not (math.isfinite(per_fn) and math.isfinite(per_fp)):
            return math.nan
        thresholds, tp, fp = self._with_flag_no_one()
        cost = per_fn * (self.n_pos - tp) + per_fp * fp
        return self._middle_of_best(thresholds, np.isclose(cost, cost.min(), rtol=1e-12, atol=0))

    def find_sensitivity(self, target) -> float:
        """The highest threshold whose sensitivity is at least `target` (+inf for target 0)."""
        target = validate_target("sensitivity", target)
        if self.n_pos == 0:
            return math.nan
        thresholds, tp, _ = self._with_flag_no_one()
        return float(thresholds[np.argmax(tp / self.n_pos >= target)])

    def find_specificity(self, target) -> float:
        """The lowest threshold whose specificity is at least `target`."""
        target = validate_target("specificity", target)
        if self.n_neg == 0:
            return math.nan
        thresholds, _, fp = self._with_flag_no_one()
        return float(thresholds[np.flatnonzero((self.n_neg - fp) / self.n_neg >= target)[-1]])

    def operating_points(self, cost_ratio=1.0, target_sensitivity=0.95, prevalence=None) -> dict:
        return {"youden": self.find_youden(), "max_f1": self.find_max_f1(),
                "min_cost": self.find_min_cost(cost_ratio, prevalence),
                "sensitivity_target": self.find_sensitivity(target_sensitivity)}

    def decision_curve(self, thresholds=None, prevalence=None) -> dict:
        """Net benefit of the model against treating everyone and no one, at threshold
        probabilities strictly between 0 and 1 (default 0.01, 0.02, …, 0.99): per person among these cases,
        or with ``prevalence`` per person of a population with that prevalence, from the model's sensitivity
        and FPR on these cases (as for a case–control sample, whose own prevalence is set by its design)."""
        if not self.is_probability:
            raise LogRegError(f"decision curves need probabilities in [0, 1]; these scores range "
                              f"from {self.min_score:g} to {self.max_score:g}")
        if thresholds is None:  # each the float 0.35 is, as a score written "0.35" is read: linspace's
            t = np.arange(1, 100) / 100  # 0.35000000000000003 left out the scores on it
        else:
            t = _array("thresholds", thresholds, 1)
            if not ((t > 0) & (t < 1)).all():
                raise LogRegError("decision-curve thresholds must be strictly between 0 and 1")
        tp, fp = self._counts_ge(t)
        if prevalence is None:
            return {"threshold": t, "net_benefit": _net_benefit(tp, fp, self.n, t),
                    "treat_all": _treat_all(_ratio(self.n_pos, self.n), t), "treat_none": np.zeros_like(t)}
        p = validate_prevalence(prevalence)
        return {"threshold": t, "net_benefit": _population_net_benefit(tp, fp, self.n_pos, self.n_neg, p, t),
                "treat_all": _treat_all(p, t), "treat_none": np.zeros_like(t)}


# ---------------------------------------------------------------- probabilities

def calibration_curve(y_true, prob, n_bins=10) -> dict:
    """Reliability-diagram data over `n_bins` equal-width bins of [0, 1], non-empty bins only: each bin's
    mean predicted probability, its share of positives with a 95% Wilson interval, and its counts.

    Bins are closed on the right, (a, b], with 0 in the first — the binning of
    sklearn.calibration.calibration_curve(strategy="uniform") — so a probability on
    an edge, such as 0.3 with 10 bins, falls in the lower bin. The intervals are what keep a bin of
    four cases from reading as evidence of miscalibration.
    """
    y, p = _validate_probabilities(y_true, prob)
    n_bins = _whole_number("n_bins", n_bins, 1)
    bins = np.searchsorted(np.linspace(0.0, 1.0, n_bins + 1)[1:-1], p, side="left")
    count = np.bincount(bins, minlength=n_bins)
    positives = np.bincount(bins, weights=y, minlength=n_bins).astype(int)
    kept = count > 0
    low, high = np.array([wilson_interval(k, n) for k, n in zip(positives[kept], count[kept])],
                         dtype=float).reshape(-1, 2).T
    return {"mean_predicted": np.bincount(bins, weights=p, minlength=n_bins)[kept] / count[kept],
            "fraction_positive": positives[kept] / count[kept], "ci_low": low, "ci_high": high,
            "count": count[kept], "positives": positives[kept]}


def calibration_in_the_large(y_true, prob) -> dict:
    """The mean predicted probability against the observed share of positives (with its 95% Wilson
    interval) over all cases: a model whose mean is outside that interval over- or under-predicts
    overall, whatever its ranking ("direction": "over", "under" or "within"). NaN, no interval and no
    direction for no cases."""
    y, p = _validate_probabilities(y_true, prob)
    low, high = wilson_interval(int(y.sum()), y.size)
    mean = float(_ratio(p.sum(), y.size))
    direction = None if low is None else "over" if mean > high else "under" if mean < low else "within"
    return {"mean_predicted": mean, "observed": float(_ratio(y.sum(), y.size)), "ci_low": low, "ci_high": high,
            "n": int(y.size), "direction": direction}


def brier_score(y_true, prob) -> float:
    """Mean squared difference between probability and outcome (NaN for no data)."""
    y, p = _validate_probabilities(y_true, prob)
    return float(_ratio(np.sum((p - y) ** 2), y.size))


# ---------------------------------------------------------------- multiclass

def multiclass_confusion(y_true, proba) -> np.ndarray:
    """k×k counts at the argmax class (first column on ties): rows actual, columns predicted."""
    y, p = _validate_proba(y_true, proba)
    k = p.shape[1]
    return np.bincount(y * k + p.argmax(axis=1), minlength=k * k).reshape(k, k)


def per_class_metrics(y_true, proba) -> dict:
    """Precision, recall, F1 and support per class; 0 where undefined, like sklearn's zero_division=0."""
    confusion = multiclass_confusion(y_true, proba)
    hits = np.diag(confusion).astype(float)
    predicted, support = confusion.sum(axis=0), confusion.sum(axis=1)

    def share(num, den):
        return np.divide(num, den, out=np.zeros(len(hits)), where=den > 0)

    return {"precision": share(hits, predicted), "recall": share(hits, support),
            "f1": share(2 * hits, predicted + support), "support": support}


def one_vs_rest_scores(y_true, proba, cls) -> tuple[np.ndarray, np.ndarray]:
    """Binary labels (class `cls` = 1) and that class's probability column, for a Sweep."""
    y, p = _validate_proba(y_true, proba)
    if isinstance(cls, bool) or not isinstance(cls, numbers.Integral) or not 0 <= cls < p.shape[1]:
        raise LogRegError(f"cls must be a class index from 0 to {p.shape[1] - 1}, got {cls!r}")
    return (y == cls).astype(np.int64), p[:, cls].copy()


def multiclass_report(y_true, proba, class_names) -> dict:
    """A multiclass model's test metrics, JSON-ready: accuracy at the argmax class with its Wilson interval,
    log loss (probabilities clipped to [1e-15, 1] so a confident miss is large, not infinite), the confusion
    matrix (rows actual, columns predicted) and each class's precision, recall (with Wilson intervals), F1 and
    support. A precision with nothing predicted as its class, or a recall with no case of it, is null
    (undefined), not scikit-learn's default 0. The multiclass counterpart, in the model card, of a binary
    model's ``ThresholdReport``."""
    y, p = _validate_proba(y_true, proba)
    if len(class_names) != p.shape[1]:
        raise LogRegError(f"class_names has {len(class_names)} names for {p.shape[1]} probability columns")
    confusion = multiclass_confusion(y, p)
    hits, predicted, support = (np.asarray(a, dtype=int) for a in
                                (np.diag(confusion), confusion.sum(axis=0), confusion.sum(axis=1)))
    correct = int(hits.sum())
    accuracy = Estimate(float(_ratio(correct, y.size)), *wilson_interval(correct, y.size))
    chosen = np.clip(p[np.arange(y.size), y], 1e-15, 1.0)
    classes = [{"class": str(name),
                "precision": Estimate(float(_ratio(hits[k], predicted[k])), *wilson_interval(hits[k], predicted[k])),
                "recall": Estimate(float(_ratio(hits[k], support[k])), *wilson_interval(hits[k], support[k])),
                "f1": float(_ratio(2 * hits[k], predicted[k] + support[k])), "support": int(support[k])}
               for k, name in enumerate(class_names)]
    return json_safe({"n": int(y.size), "prediction": "the most probable class (argmax)",
                      "accuracy": accuracy, "log_loss": float(_ratio(-np.log(chosen).sum(), y.size)),
                      "confusion_matrix": {"rows": "actual", "columns": "predicted", "counts": confusion.tolist()},
                      "per_class": classes})
