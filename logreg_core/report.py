"""A self-contained, printable HTML report of one threshold decision."""
from __future__ import annotations

import html
import math
from datetime import datetime, timezone

import numpy as np

from .threshold import CONVENTION, Sweep, ThresholdReport, per_1000_texts, threshold_texts

# Each metric's name and what it means, as every view shows them (page table and tooltips, printable
# report, CLI text), in the order ThresholdReport.metrics keeps.
METRIC_LABELS = {
    "sensitivity": ("Sensitivity (TPR, recall)", "Share of actual positives the test catches: TP / (TP + FN)."),
    "specificity": ("Specificity (TNR)", "Share of actual negatives correctly cleared: TN / (TN + FP)."),
    "fpr": ("False-positive rate", "Share of actual negatives wrongly flagged: FP / (FP + TN) = 1 − specificity."),
    "fnr": ("False-negative rate", "Share of actual positives missed: FN / (FN + TP) = 1 − sensitivity."),
    "ppv": ("PPV (precision)", "Of those flagged positive, the share truly positive: TP / (TP + FP)."),
    "npv": ("NPV", "Of those cleared, the share truly negative: TN / (TN + FN)."),
    "accuracy": ("Accuracy", "Share of all cases classified correctly."),
    "balanced_accuracy": ("Balanced accuracy", "Mean of sensitivity and specificity."),
    "f1": ("F1 score", "Harmonic mean of PPV and sensitivity."),
    "mcc": ("Matthews correlation",
            "Correlation between prediction and truth, −1 to 1; 0 when everyone or no one is flagged, or the cases "
            "are of one class."),
    "youden_j": ("Youden's J", "Sensitivity + specificity − 1."),
    "lr_positive": ("Positive likelihood ratio (LR+)",
                    "How much a positive result raises the odds: sens / (1 − spec)."),
    "lr_negative": ("Negative likelihood ratio (LR−)",
                    "How much a negative result lowers the odds: (1 − sens) / spec."),
}


def metric_label(key: str, split_prevalence: float | None = None) -> str:
    """A metric's name for a table; with ``split_prevalence`` (the view also shows PPV and NPV at a prevalence
    the user gave) PPV's and NPV's say theirs are at the shown cases' own (a split's, or all rows'), so that
    the two are not confused."""
    label = METRIC_LABELS[key][0]
    if split_prevalence is not None and key in ("ppv", "npv"):
        label += f", at these cases' prevalence {percent_text(split_prevalence)}"
    return label


def number_text(value, digits=3) -> str:
    """A metric as every view shows it (page, picker, printable report): fixed digits, "—" when undefined,
    "∞" when infinite, and two significant digits where the fixed ones would round a value that is not 0 to
    0 (a PPV at a prevalence of 1 in 10,000 is 0.00021, not 0.000), or a value below 1 up to 1: there, two
    of its distance to 1 (an NPV of 0.99959, 4 misses in 10,000 cleared, is not 1.000)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value and abs(value) < 0.5 * 10 ** -digits:
        return np.format_float_positional(value, precision=2, unique=False, fractional=False, trim="-")
    if 1 - 0.5 * 10 ** -digits <= value < 1:
        distance = float(f"{1 - value:.2g}")  # 1 − 0.9999999 is 9.9999999e-08: two digits are 1.0e-07
        return f"{value:.{1 - math.floor(math.log10(distance))}f}"
    return f"{value:.{digits}f}"


# How the metrics' intervals are made, and what "—" stands for in them (the page's and the report's words)
INTERVALS = ("Intervals: 95% Wilson score intervals for proportions, log method for likelihood ratios; — where "
             "undefined, as for an infinite likelihood ratio (∞: LR+ with no false positive, LR− with no true "
             "negative).")


def infinite_ratio(key: str, tp: int, fp: int, tn: int, fn: int) -> bool:
    """Whether the metric ``key`` is a likelihood ratio over a rate of 0 with a numerator that is not 0 (LR+
    with true but no false positives, LR− with misses but no true negative): the numbers leave it undefined
    (NaN), as scikit-learn does, while it says that such a result is conclusive, which "—" hid."""
    infinite = {"lr_positive": fp == 0 and tp > 0 and tn > 0, "lr_negative": tn == 0 and fn > 0 and fp > 0}
    return infinite.get(key, False)


def metric_text(report, key: str) -> str:
    """A metric of ``report`` as ``number_text`` shows it, but "∞" for an infinite likelihood ratio."""
    c = report.counts
    return "∞" if infinite_ratio(key, c.tp, c.fp, c.tn, c.fn) else number_text(report.metrics[key].value)


def percent_text(proportion: float) -> str:
    """A proportion as a percentage to 3 significant digits (0.5 → "50%", 0.005 → "0.5%"), shown beside a
    prevalence so that 0.5 is not taken for 0.5%; to more where 3 would round a proportion below 1 up to
    100% (0.9999 → "99.99%")."""
    digits = 3
    while float(text := f"{100 * proportion:.{digits}g}") == 100 and proportion < 1 and digits < 12:
        digits += 1
    return f"{text}%"


def whole_scores(sweep: Sweep) -> bool:
    """Whether every score is a whole number (a 0–100 risk score, say)."""
    return bool(sweep.n) and np.array_equal(sweep.thresholds, np.round(sweep.thresholds))


def whole_cut_text(threshold: float) -> str:
    """For whole-number scores (``whole_scores``), a threshold between two of them as the whole-number cut-off
    that flags the same cases, what a protocol would write down ("… score ≥ 44" for 43.5: the finders put
    theirs in the middle of a range of equal thresholds); "" for one that is whole already, or infinite."""
    if not math.isfinite(threshold) or threshold == math.ceil(threshold):
        return ""
    return f"On these whole-number scores, that is score ≥ {math.ceil(threshold)}."


def interval_text(estimate) -> str:
    return "—" if estimate.ci_low is None else f"{number_text(estimate.ci_low)} – {number_text(estimate.ci_high)}"


def _curve_svg(x: np.ndarray, y: np.ndarray, point: tuple[float, float], xlabel: str, ylabel: str) -> str:
    """A small line chart on [0,1]² as inline SVG (no scripts, prints anywhere)."""
    size, pad = 260, 36
    def px(a, b):
        return pad + a * size, pad + (1 - b) * size
    step = max(1, len(x) // 400)
    pts = " ".join(f"{px(a, b)[0]:.1f},{px(a, b)[1]:.1f}" for a, b in zip(x[::step], y[::step]))
    cx, cy = px(*point) if all(math.isfinite(v) for v in point) else (-10, -10)
    return (f'<svg width="{size + 2 * pad}" height="{size + 2 * pad}" role="img" aria-label="{ylabel} against {xlabel}">'
            f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#999"/>'
            f'<line x1="{pad}" y1="{pad + size}" x2="{pad + size}" y2="{pad}" stroke="#bbb" stroke-dasharray="4"/>'
            f'<polyline points="{pts}" fill="none" stroke="#0072B2" stroke-width="2"/>'
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="#D55E00"/>'
            f'<text x="{pad + size / 2}" y="{size + 2 * pad - 6}" text-anchor="middle" font-size="12">{xlabel}</text>'
            f'<text x="12" y="{pad + size / 2}" font-size="12" transform="rotate(-90 12 {pad + size / 2})" '
            f'text-anchor="middle">{ylabel}</text></svg>')


def estimate_text(value, low, high) -> str:
    """``0.943 (95% CI 0.846–0.981)``, or the value alone when it has no interval."""
    return number_text(value) if low is None else f"{number_text(value)} (95% CI {number_text(low)}–{number_text(high)})"


def auc_text(auc: float, interval: tuple[float | None, float | None]) -> str:
    """ROC AUC with its bootstrap interval. When every resample gives the same AUC (classes that do not
    overlap give 1 each time) the interval says nothing about the AUC of new cases: called so, not
    printed as a certain 1.000–1.000."""
    low, high = interval
    if low is not None and low == high:
        return f"{number_text(auc)} (no bootstrap interval: every resample gives {number_text(low)})"
    return estimate_text(auc, low, high)


def p_value_text(p: float) -> str:
    """``p = 0.043``; ``p < 0.001`` and ``p > 0.999`` beyond what three decimals show."""
    return "p < 0.001" if p < 0.0005 else "p > 0.999" if p > 0.9995 else f"p = {p:.3f}"


def _signed(value: float) -> str:
    return number_text(value).replace("-", "−")


def comparison_text(result, name_a: str, name_b: str) -> str:
    """One sentence on an ``AucComparison`` of the scores ``name_a`` and ``name_b``: their ROC AUCs, the
    difference (a − b) with its interval, and DeLong's p-value, or why there is none."""
    aucs = f"ROC AUC {number_text(result.auc_a)} for {name_a} and {number_text(result.auc_b)} for {name_b}"
    difference = f"difference ({name_a} − {name_b}) {_signed(result.difference)}"
    if min(result.positives, result.negatives) < 2:
        return f"{aucs}: {difference}, untested: DeLong's test needs at least 2 positive and 2 negative cases."
    if result.p_value is None:
        if result.difference == 0:
            return (f"{aucs}: the two give every case the same standing against the other class (the share of it "
                    "that the case outranks), so their AUCs are equal, with nothing to test.")
        return (f"{aucs}: {difference}, untested: it has no spread across these cases for DeLong's test to measure "
                "its uncertainty by (as when one score separates the classes completely and the other not at all).")
    return (f"{aucs}: {difference} (95% CI {_signed(result.ci_low)} to {_signed(result.ci_high)}), "
            f"{p_value_text(result.p_value)} (DeLong's test for two ROC curves on the same cases: is the "
            "difference more than chance?).")


def expected_cost_text(report: ThresholdReport, sweep: Sweep, *, cost_ratio: float, prevalence: float | None,
                       split: str, positive: str) -> str:
    """The expected cost per person at ``report``'s threshold (made with ``cost_ratio`` and ``prevalence``),
    beside the costs of flagging no one and everyone, which any useful threshold beats; ``split`` names the
    rows, as ``report_html``'s does."""
    at = (f"the assumed population prevalence {prevalence:.4g}" if prevalence is not None
          else f"the prevalence in {split}, {sweep.prevalence:.3f}")
    none, everyone = (sweep.report(end, prevalence=prevalence, cost_ratio=cost_ratio).expected_cost
                      for end in (math.inf, -math.inf))
    return (f"A missed {positive} case (false negative) is taken to cost {cost_ratio:g} times a false alarm (false "
            f"positive). Expected cost per person at {at}: {number_text(report.expected_cost)}, in units of one "
            f"false alarm (flagging no one: {number_text(none)}; flagging everyone: {number_text(everyone)}).")


def report_html(report: ThresholdReport, sweep: Sweep, *, names: tuple[str, str], split: str, origin: str,
                how: str, prevalence: float | None = None, cost_ratio: float | None = None,
                card: dict | None = None, threshold_label: str | None = None, notes: list[str] = ()) -> str:
    """One HTML page: threshold and how it was chosen, the 2×2 table, metrics with intervals,
    ROC curve with the operating point, prevalence and cost assumptions and a model summary.
    ``report`` is made with the same ``prevalence`` and ``cost_ratio``; ``split`` names the rows the
    numbers are on ("the test split", "all rows"); ``threshold_label`` is the threshold as the page labels
    it (default: ``threshold_texts`` on this split's scores); ``notes``: plain-text cautions about these
    numbers (a threshold tuned on test, few cases), shown under the threshold as on the page."""
    e = html.escape
    label = threshold_label or threshold_texts([report.threshold], sweep.sorted_scores)[0]
    cut = whole_cut_text(report.threshold) if whole_scores(sweep) else ""  # "… score ≥ 44" for 43.5
    neg, pos = names
    c = report.counts
    split_prevalence = sweep.prevalence if prevalence is not None and report.prevalence_adjusted else None
    rows = "".join(
        f"<tr><td>{metric_label(k, split_prevalence)}</td><td>{metric_text(report, k)}</td>"
        f"<td>{interval_text(v)}</td></tr>"
        for k, v in report.metrics.items())
    fpr, tpr, _ = sweep.roc()
    auc = auc_text(sweep.roc_auc(), sweep.roc_auc_ci())
    roc = _curve_svg(fpr, tpr, (report.metrics["fpr"].value, report.metrics["sensitivity"].value),
                     "false-positive rate", "sensitivity")
    prev_text = f"Prevalence in {split}: {sweep.prevalence:.3f}. "
    adj = report.prevalence_adjusted
    if prevalence is not None and adj:
        prev_text += (f"Population prevalence assumed: {prevalence:g} ({percent_text(prevalence)}) — "
                      f"PPV {number_text(adj['ppv'].value)} "
                      f"(95% CI {interval_text(adj['ppv'])}), NPV {number_text(adj['npv'].value)} (95% CI "
                      f"{interval_text(adj['npv'])}; both intervals conservative, from 97.5% intervals of "
                      "sensitivity and specificity)")
        sens, spec = report.metrics["sensitivity"].value, report.metrics["specificity"].value
        if 0 < prevalence < 1 and math.isfinite(sens) and math.isfinite(spec):  # whole people, as page and CLI
            people = per_1000_texts(sens, spec, prevalence)
            prev_text += "; per 1,000 people: " + ", ".join(f"{k.upper()} {people[k]}"
                                                            for k in ("tp", "fp", "tn", "fn"))
    else:
        prev_text += "No other population prevalence assumed."
    cost_text = ""
    if cost_ratio is not None and report.expected_cost is not None:
        cost_text = expected_cost_text(report, sweep, cost_ratio=cost_ratio, prevalence=prevalence, split=split,
                                       positive=pos)
    card_rows = "".join(f"<tr><td>{e(str(k))}</td><td>{e(str(v))}</td></tr>" for k, v in (card or {}).items())
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Threshold report</title>
<style>body{{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#111}}
table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #999;padding:.3em .7em;text-align:left}}
.note{{background:#fff4e0;padding:.6em;border-left:4px solid #E69F00}}@media print{{body{{margin:0}}}}</style></head><body>
<h1>Threshold report</h1>
<p class="note">For teaching and exploration, not for clinical decisions.</p>
<p><b>Threshold {e(label)}</b> — {e(how)}. Convention: {e(CONVENTION)}. {cut}<br>
Scores: {e(origin)}. Numbers below are on <b>{e(split)}</b> ({sweep.n:,} cases: {sweep.n_pos:,} {e(pos)}, {sweep.n_neg:,} {e(neg)}).</p>
{"".join(f'<p class="note">{e(note)}</p>' for note in notes)}
<h2>Confusion matrix</h2>
<table><tr><th></th><th>Predicted {e(pos)}</th><th>Predicted {e(neg)}</th></tr>
<tr><th>Actual {e(pos)}</th><td>TP {c.tp:,}</td><td>FN {c.fn:,}</td></tr>
<tr><th>Actual {e(neg)}</th><td>FP {c.fp:,}</td><td>TN {c.tn:,}</td></tr></table>
<h2>Metrics with 95% intervals</h2>
<table><tr><th>Metric</th><th>Value</th><th>95% interval</th></tr>{rows}</table>
<p>{e(INTERVALS)}</p>
<h2>ROC curve</h2><p>ROC AUC {auc}; average precision {number_text(sweep.average_precision())}.</p>{roc}
<h2>Prevalence</h2><p>{e(prev_text)}</p>
{f'<h2>Costs</h2><p>{e(cost_text)}</p>' if cost_text else ''}
{f'<h2>Model</h2><table>{card_rows}</table>' if card_rows else ''}
<p><small>Generated by LogReg Lab on {created}.</small></p></body></html>"""
