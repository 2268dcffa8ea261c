"""Plotly figures for the Train page."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from logreg_core.describe import probability_grid

from . import theme


# Other runs' validation lines: far from the splits' blue, orange and green (vermillion read as orange)
OVERLAY_COLOURS = (theme.PALETTE["purple"], theme.PALETTE["black"])


def learning_curves(history: list[dict], metric: str, overlays: dict[str, list[dict]] | None = None,
                    splits=("train", "val"), resumed_at: int | None = None) -> go.Figure:
    """``metric`` is "loss" or "accuracy": one line per split in ``splits``, plus other runs' validation dashed;
    ``resumed_at``: the last epoch before Continue, marked with a line."""
    fig = go.Figure()
    epochs = [h["epoch"] for h in history]
    this_run = " (this run)" if overlays else ""  # told apart from the other runs' lines
    for split in splits:
        fig.add_scatter(x=epochs, y=[h[f"{split}_{metric}"] for h in history], mode="lines",
                        name=theme.SPLIT_NAMES[split] + this_run,
                        line=dict(color=theme.SPLIT_COLOURS[split], width=theme.line_width()))
    for (name, other), colour in zip((overlays or {}).items(), OVERLAY_COLOURS):
        fig.add_scatter(x=[h["epoch"] for h in other], y=[h[f"val_{metric}"] for h in other], mode="lines",
                        name=f"{theme.chart_text(name)} (validation)",
                        line=dict(color=colour, width=theme.line_width(), dash="dash"))
    if resumed_at is not None and len(history) and history[0]["epoch"] <= resumed_at:
        marker = dict(color="#888", dash="dot", width=1)
        if theme.presentation():  # named in the one legend (the loss plot's): a label by the line sat on it
            fig.add_vline(x=resumed_at, line=marker)
            fig.add_scatter(x=[None], y=[None], mode="lines", line=marker | dict(width=2), name="Continue")
        else:
            fig.add_vline(x=resumed_at, line=marker, annotation_text="Continue",
                          annotation_position=_label_end(fig, resumed_at, low=0 if metric == "loss" else None)
                          + " left")
    fig.update_xaxes(title="epoch")
    fig.update_yaxes(title=metric, rangemode="tozero" if metric == "loss" else None)
    if theme.presentation():  # both side by side under the folded settings, on a 768 px projector screen; short
        # titles, which a 1024 px screen's half-width chart does not cut (the page's caption says the rest). One
        # legend for both, inside the loss plot's top right, which a falling loss leaves empty: above the plots, it
        # took two rows of a half-width chart, and the curves' lower edge was below a 768 px screen's.
        theme.style(fig, "Loss" if metric == "loss" else "Accuracy", height=280, legend_band=False)
        return fig.update_layout(showlegend=metric == "loss", legend=dict(
            orientation="v", x=1, xanchor="right", y=1, yanchor="top", bgcolor="rgba(255,255,255,0.8)"))
    if metric == "loss":
        return theme.style(fig, "Loss", subtitle="cross-entropy, lower is better")
    return theme.style(fig, "Accuracy", subtitle="at P ≥ 0.5, or the most probable class")


def _label_end(fig: go.Figure, epoch: int, low: float | None) -> str:
    """ "top" or "bottom": the end of the vertical line at ``epoch`` whose label, drawn just left of it, is
    farther from the curves there (the last sixth of the epochs up to it). Usually loss has fallen and accuracy
    has risen by then, but not after an early Continue, or a run that diverged. ``low``: where the axis starts,
    when it does not start at the curves' lowest point."""
    everything = [v for trace in fig.data for v in trace.y if v is not None]
    first = min(x for trace in fig.data for x in trace.x)
    reach = (epoch - first) / 6
    near = [v for trace in fig.data for x, v in zip(trace.x, trace.y) if v is not None and epoch - reach <= x <= epoch]
    if not near:
        return "top"
    bottom = min(everything) if low is None else min(low, min(everything))
    return "top" if max(everything) - max(near) >= min(near) - bottom else "bottom"


def decision_boundary(model, dataset, max_points: int = 1500) -> go.Figure:
    X, y = dataset.X_train, dataset.y_train
    xs, ys, z, classes = probability_grid(model, X)
    fig = go.Figure()
    if classes is None:
        fig.add_contour(x=xs, y=ys, z=z, colorscale="RdBu_r", zmin=0, zmax=1, opacity=0.55,
                        contours=dict(start=0.1, end=0.9, size=0.1), colorbar=dict(title="P(positive)"),
                        name="P(positive)")
        # coloring "none": the line in line.color ("lines" coloured it from the scale, an orange among the shades)
        fig.add_contour(x=xs, y=ys, z=z, contours=dict(start=0.5, end=0.5, coloring="none"),
                        line=dict(width=theme.line_width() + 1, color="black"), showscale=False,
                        name="boundary (P = 0.5)", showlegend=True)
    else:
        fig.add_heatmap(x=xs, y=ys, z=classes, colorscale=[[i / max(len(dataset.class_names) - 1, 1), c]
                                                           for i, c in enumerate(theme.SERIES[:len(dataset.class_names)])],
                        opacity=0.35, showscale=False, name="predicted class")
    rng = np.random.default_rng(0)
    keep = rng.permutation(len(y))[:max_points]
    for code, name in enumerate(dataset.class_names):
        sel = keep[y[keep] == code]
        fig.add_scatter(x=X[sel, 0], y=X[sel, 1], mode="markers", name=theme.chart_text(name),
                        marker=dict(color=theme.SERIES[code % len(theme.SERIES)], size=7,
                                    line=dict(width=0.5, color="white"),
                                    symbol=["circle", "x", "diamond", "square", "triangle-up", "cross"][code % 6]))
    fig.update_xaxes(title=theme.chart_text(dataset.feature_names[0]))
    fig.update_yaxes(title=theme.chart_text(dataset.feature_names[1]))
    if theme.presentation():  # beside the curves and as high, on a projector: a short title, and the classes'
        # legend in a font that fits one row over a plot this narrow; the line and the shading are named in the
        # page's caption, which has room for it (no colour scale's bar)
        fig.update_traces(showscale=False, showlegend=False, selector=dict(type="contour"))
        theme.style(fig, f"Boundary, epoch {model.epochs_trained}", height=280, legend_band=False)  # the curves'
        return fig.update_layout(legend=dict(font=dict(size=16), itemwidth=30), margin=dict(t=95))  # one row's room
    return theme.style(fig, f"Decision boundary after epoch {model.epochs_trained} (training points)", height=460)
