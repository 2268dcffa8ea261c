"""Drawing pieces of the Threshold page: the metrics table and the charts (the 2×2 table is in threshold_picker).

All numbers come from ``logreg_core.threshold``; this module only lays them out.
Curves are thinned to at most ``MAX_POINTS`` points for drawing, so a slider
move redraws small figures.
"""
from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go

from logreg_core.report import METRIC_LABELS, metric_label, metric_text
from logreg_core.report import interval_text as interval
from logreg_core.threshold import ThresholdReport

from . import theme

MAX_POINTS = 600


def thin(*arrays: np.ndarray) -> list[np.ndarray]:
    """Every k-th point (keeping the last) so a curve draws with at most MAX_POINTS points."""
    n = len(arrays[0])
    if n <= MAX_POINTS:
        return list(arrays)
    idx = np.unique(np.r_[np.linspace(0, n - 1, MAX_POINTS).astype(int), n - 1])
    return [a[idx] for a in arrays]


def metrics_html(report: ThresholdReport, threshold_text: str, split_prevalence: float | None = None) -> str:
    """Every metric with its 95% interval, as a plain HTML table (cheap to redraw on each slider step).
    With ``split_prevalence`` (the page shows PPV and NPV at the user's prevalence too) the table's PPV and
    NPV say that theirs are at the split's own prevalence."""
    rows = []
    for key, (_, explanation) in METRIC_LABELS.items():
        est = report.metrics[key]
        label = metric_label(key, split_prevalence)
        rows.append(f'<tr title="{html.escape(explanation)}"><th scope="row">{html.escape(label)}</th>'
                    f'<td>{metric_text(report, key)}</td><td>{interval(est)}</td></tr>')
    style = ("<style>.mt{border-collapse:collapse;width:100%}.mt th,.mt td{border-bottom:1px solid #ddd;"
             "padding:.3em .6em;text-align:left}.mt td{font-variant-numeric:tabular-nums}"
             ".mt caption{text-align:left;font-weight:600;padding:.3em .6em}</style>")
    caption = f"<caption>Every metric at threshold {threshold_text}</caption>"  # named like the slider's
    head = '<tr><th scope="col">Metric</th><th scope="col">Value</th><th scope="col">95% interval</th></tr>'
    return f'{style}<table class="mt" aria-label="Metrics at this threshold">{caption}{head}{"".join(rows)}</table>'


def _marker(fig, name="threshold"):
    """The operating point: always the figure's last trace, moved by ``_move_marker``."""
    fig.add_scatter(x=[None], y=[None], mode="markers", name=name, visible=False, cliponaxis=False,  # whole at 0 or 1
                    marker=dict(size=16 if theme.presentation() else 12, color=theme.PALETTE["vermillion"],
                                symbol="x", line=dict(width=2)))


def _move_marker(fig, x: float | None, y: float | None) -> None:
    shown = x is not None and y is not None and math.isfinite(x) and math.isfinite(y)
    fig.data[-1].update(x=[x if shown else None], y=[y if shown else None], visible=shown)


def _threshold_line(fig) -> None:
    """The threshold as a dashed vertical line: the figure's first shape, moved by ``ThresholdCharts``."""
    fig.add_vline(x=0, line=dict(color="black", width=theme.line_width(), dash="dash"))


def roc_figure(base: dict, auc_text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=base["fpr"], y=base["tpr"], mode="lines", name="ROC",
                    line=dict(color=theme.PALETTE["blue"], width=theme.line_width()))
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance",
                    line=dict(color="#888", dash="dot", width=1))
    _marker(fig)
    fig.update_xaxes(title="false-positive rate (1 − specificity)", range=[0, 1])
    fig.update_yaxes(title="sensitivity (TPR)", range=[0, 1.02])
    # in two lines when long ("AUC 1.000 (no bootstrap interval: …)"): a half-width chart at 1024 px cut it off
    subtitle = auc_text.replace(" (", "<br>(", 1) if len(auc_text) > 40 else auc_text
    return theme.style(fig, "ROC curve", subtitle=subtitle)


def roc_comparison_figure(curves: list[tuple[str, np.ndarray, np.ndarray]]) -> go.Figure:
    """Two scores' ROC curves on the same cases, ``(legend name, fpr, tpr)`` each: the shown score's in the
    ROC chart's blue, the other dashed in orange."""
    fig = go.Figure()
    for (name, fpr, tpr), colour, dash in zip(curves, ("blue", "orange"), ("solid", "dash")):
        fig.add_scatter(x=fpr, y=tpr, mode="lines", name=theme.chart_text(name),
                        line=dict(color=theme.PALETTE[colour], width=theme.line_width(), dash=dash))
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance", line=dict(color="#888", dash="dot", width=1))
    fig.update_xaxes(title="false-positive rate (1 − specificity)", range=[0, 1])
    fig.update_yaxes(title="sensitivity (TPR)", range=[0, 1.02])
    return theme.style(fig, "ROC curves compared")


def pr_figure(base: dict, ap: float, prevalence: float) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=base["recall"], y=base["precision"], mode="lines", name="PR curve",
                    line=dict(color=theme.PALETTE["green"], width=theme.line_width(), shape="hv"))
    fig.add_scatter(x=[0, 1], y=[prevalence, prevalence], mode="lines", name="no skill",
                    line=dict(color="#888", dash="dot", width=1))
    _marker(fig)
    fig.update_xaxes(title="recall (sensitivity)", range=[0, 1])
    fig.update_yaxes(title="precision (PPV)", range=[0, 1.02])
    return theme.style(fig, "Precision–recall", subtitle=f"average precision {ap:.3f}")


def distribution_figure(base: dict, names: tuple[str, str]) -> go.Figure:
    fig = go.Figure()
    for code, colour in ((0, theme.PALETTE["blue"]), (1, theme.PALETTE["vermillion"])):
        fig.add_bar(x=base["centres"], y=base["hist"][code], name=f"actual {names[code]}",
                    marker_color=colour, opacity=0.6)
    _threshold_line(fig)
    fig.update_layout(barmode="overlay", bargap=0)
    fig.update_xaxes(title="score")
    fig.update_yaxes(title="cases")
    return theme.style(fig, "Scores by actual class (dashed: threshold)")


def metric_curves_figure(base: dict) -> go.Figure:
    fig = go.Figure()
    for key, colour in (("sensitivity", "vermillion"), ("specificity", "blue"), ("ppv", "green"), ("npv", "purple")):
        fig.add_scatter(x=base["threshold"], y=base[key], mode="lines", name=METRIC_LABELS[key][0].split(" (")[0],
                        line=dict(color=theme.PALETTE[colour], width=theme.line_width()))
    _threshold_line(fig)
    fig.update_xaxes(title="threshold")
    fig.update_yaxes(title="value", range=[0, 1.02])
    return theme.style(fig, "Metrics against threshold")


# Where the decision curve's axis starts: treating everyone falls far below 0 at high thresholds, and the part
# that matters is above treating no one. It starts lower when the threshold's own net benefit is lower.
DECISION_FLOOR = -0.05


def decision_curve_figure(curve: dict) -> go.Figure:
    """The model's and treating everyone's net benefit on these cases (traces 0 and 1), treating no one's
    (2), the same two at an assumed prevalence (3 and 4, hidden until ``ThresholdCharts.move_to`` is given
    one), and the marker."""
    fig = go.Figure()
    x, width = curve["threshold"], theme.line_width()
    fig.add_scatter(x=x, y=curve["net_benefit"], mode="lines", name="model",
                    line=dict(color=theme.PALETTE["blue"], width=width))
    fig.add_scatter(x=x, y=curve["treat_all"], mode="lines", name="treat all",
                    line=dict(color=theme.PALETTE["orange"], width=width, dash="dash"))
    fig.add_scatter(x=x, y=curve["treat_none"], mode="lines", name="treat none",
                    line=dict(color="#555", width=width, dash="dot"))
    for colour, dash in (("blue", None), ("orange", "dash")):
        fig.add_scatter(x=x, y=[None] * len(x), mode="lines", visible=False,
                        line=dict(color=theme.PALETTE[colour], width=width * 1.5, dash=dash))
    _marker(fig)
    top = np.nanmax(curve["net_benefit"]) if len(curve["net_benefit"]) else 1
    fig.update_yaxes(title="net benefit", range=[DECISION_FLOOR, max(top, 0.05) * 1.1])
    fig.update_xaxes(title="threshold probability")
    return theme.style(fig, "Decision curve")


# The 2×2 table's cells, coloured as it colours them: right calls blue, errors vermillion (the dots were by class,
# so that the table's blue true positives were vermillion here and its vermillion false positives blue). The
# cleared are a quiet grey, so that the few flagged or missed stand out. Missed people are rings, not dots: in
# grey print, or to a colour-blind eye, a colour next to the grey of the cleared is hard to tell apart, and the
# missed are the ones a clinician must see.
PER_1000_PARTS = (("tp", "{pos}, flagged (TP)", "blue", "circle"),
                  ("fn", "{pos}, missed (FN)", "vermillion", "circle-open"),
                  ("fp", "{neg}, flagged (FP)", "vermillion", "circle"),
                  ("tn", "{neg}, cleared (TN)", "grey", "circle"))
ICON_COLUMNS = 50  # 1,000 people as 20 rows of 50


def per_1000_figure() -> go.Figure:
    """An icon array: 1,000 dots, one per person, filled row by row in the legend's order. Unlike a
    stacked bar, the 20 people with the condition at 2% prevalence stay visible as 20 dots."""
    fig = go.Figure()
    size = 12 if theme.presentation() else 9
    for _, _, colour, symbol in PER_1000_PARTS:
        fig.add_scatter(x=[], y=[], mode="markers", hoverinfo="name",
                        marker=dict(color=theme.PALETTE[colour], size=size, symbol=symbol,
                                    line=dict(width=size / 4.5 if symbol.endswith("-open") else 0)))
    fig.update_xaxes(visible=False, range=[-0.7, ICON_COLUMNS - 0.3], fixedrange=True)
    fig.update_yaxes(visible=False, range=[1000 // ICON_COLUMNS - 0.3, -0.7], fixedrange=True,
                     scaleanchor="x", constrain="domain")
    return theme.style(fig, "Out of 1,000 people", height=330)


class ThresholdCharts:
    """The charts that show the threshold, built once per sweep; a slider step only moves their
    markers and lines (and refills the per-1,000 bar), which costs far less than rebuilding them."""

    def __init__(self, base: dict, names: tuple[str, str], prevalence: float, auc_text: str, probability: bool):
        self.names = names = tuple(theme.chart_text(name) for name in names)
        self.roc = roc_figure(base, auc_text)
        self.pr = pr_figure(base, base["ap"], prevalence)
        self.distribution = distribution_figure(base, names)
        self.metric_curves = metric_curves_figure(base)
        self.per_1000 = per_1000_figure()
        self.decision = decision_curve_figure(base["decision"]) if probability else None
        self._decision_top = self.decision.layout.yaxis.range[1] if probability else None
        self.calibration = calibration_figure(base["calibration"], base["brier"]) if probability else None
        self.calibration_overall = base["calibration_overall"] if probability else None

    def move_to(self, threshold: float, report: ThresholdReport, per: dict | None, texts: dict | None,
                assumed: tuple[str, dict] | None = None) -> None:
        """``per``: whole people per 1,000 (``per_1000_people``), drawn as dots; ``texts``: the same for the
        legend, "<1" where some are expected but round to no one (``per_1000_texts``); ``assumed``: an assumed
        prevalence as text and the decision curve at it (``Sweep.decision_curve(prevalence=…)``), drawn
        over the one on these cases, which fades."""
        m = report.metrics
        _move_marker(self.roc, m["fpr"].value, m["sensitivity"].value)
        _move_marker(self.pr, m["sensitivity"].value, m["ppv"].value)
        for fig in (self.distribution, self.metric_curves, self.calibration):
            if fig is not None:
                fig.layout.shapes[0].update(x0=threshold, x1=threshold)
        if self.decision is not None:
            self._show_decision_at(threshold, report, assumed)
        if per is not None:
            neg, pos = self.names
            first = 0
            for dots, (key, label, _, _) in zip(self.per_1000.data, PER_1000_PARTS):
                people = np.arange(first, first + per[key])
                first += per[key]
                # a part with no one keeps its legend entry ("missed (FN): 0" is news too): Plotly drops
                # the entry of a trace without points, but not of one whose only point is blank
                dots.update(x=(people % ICON_COLUMNS).tolist() or [None], y=(people // ICON_COLUMNS).tolist() or [None],
                            name=f"{label.format(pos=pos, neg=neg)}: {texts[key]}")

    def _show_decision_at(self, threshold: float, report: ThresholdReport, assumed: tuple[str, dict] | None):
        """The marker on the curve the page's net benefit is read from: at the assumed prevalence when there is
        one, and the axis tall enough for both the marker and that curve."""
        fig = self.decision
        benefit = report.net_benefit
        if assumed is None:
            fig.data[3].visible = fig.data[4].visible = False
        else:
            text, curve = assumed
            fig.data[3].update(y=curve["net_benefit"], visible=True, name=f"model at {text}")
            fig.data[4].update(y=curve["treat_all"], visible=True, name=f"treat all at {text}")
            benefit = report.prevalence_adjusted.get("net_benefit")
        for trace, name in zip(fig.data[:2], ("model", "treat all")):
            trace.update(opacity=0.35 if assumed else 1, name=f"{name}, these cases" if assumed else name)
        _move_marker(fig, threshold, benefit)
        marker = [benefit * 1.1] if benefit is not None and math.isfinite(benefit) else []
        top = [np.nanmax(assumed[1]["net_benefit"], initial=0) * 1.1] if assumed is not None else []
        # the floor reaches down to the marker (one below the axis is not drawn), the top up to the bold curve
        fig.update_yaxes(range=[min([DECISION_FLOOR] + marker), max([self._decision_top] + marker + top)])


def calibration_figure(cal: dict, brier: float) -> go.Figure:
    """Each bin's observed share of positives against its mean predicted probability, with its 95% interval
    as an error bar, and its cases (how many, how many positive) on hover."""
    fig = go.Figure()
    fig.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect", line=dict(color="#888", dash="dot", width=1))
    share = cal["fraction_positive"]
    fig.add_scatter(x=cal["mean_predicted"], y=share, mode="lines+markers", name="model (bars: 95% CI)",
                    text=[f"{c} cases" for c in cal["count"]],
                    customdata=np.column_stack([cal["positives"], cal["ci_low"], cal["ci_high"]]),
                    hovertemplate="%{text}, %{customdata[0]} positive<br>predicted %{x:.3f}, observed %{y:.3f}"
                                  "<br>95% CI %{customdata[1]:.3f} – %{customdata[2]:.3f}<extra></extra>",
                    error_y=dict(type="data", symmetric=False, array=cal["ci_high"] - share,
                                 arrayminus=share - cal["ci_low"], thickness=1.5, width=4,
                                 color=theme.PALETTE["purple"]),
                    line=dict(color=theme.PALETTE["purple"], width=theme.line_width()))
    _threshold_line(fig)
    fig.update_xaxes(title="mean predicted probability", range=[0, 1])
    fig.update_yaxes(title="observed share positive", range=[-0.03, 1.03])  # room for a point at 0 or 1
    return theme.style(fig, f"Calibration (reliability) — Brier score {brier:.4f}")
