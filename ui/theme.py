"""Colours, presentation mode and the common look of every chart.

The palette is Okabe–Ito, readable with the common colour-vision deficiencies.
Presentation mode (for a projector) enlarges text and thickens lines.
"""
from __future__ import annotations

import streamlit as st

PALETTE = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
           "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000"}
SERIES = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
SPLIT_COLOURS = {"train": PALETTE["blue"], "val": PALETTE["orange"], "test": PALETTE["green"]}
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}

_PRESENTATION_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMetricValue"], .thr .thr-rate-value { font-size: 2.6rem; }
[data-testid="stMarkdownContainer"] p, [data-testid="stWidgetLabel"] p, .thr .thr-caption, .thr .thr-label {
  font-size: 1.15rem; }
</style>
"""


def presentation() -> bool:
    return bool(st.session_state.get("presentation"))


def apply_presentation_css() -> None:
    if presentation():
        st.markdown(_PRESENTATION_CSS, unsafe_allow_html=True)


def line_width() -> float:
    return 4.0 if presentation() else 2.0


def style(fig, title: str | None = None, height: int = 360):
    """Common layout: readable fonts (larger in presentation mode), the title at the very top and the
    legend between it and the plot, with room for a legend that wraps onto a second row.

    The empty "none" template: Streamlit's chart theme styles the figure in the browser anyway, and a
    full template such as "plotly_white" is deep-copied into every figure: two thirds of a learning
    curve's build time, redone at every refresh of the Train page, and 6 kB more to send each time."""
    big = presentation()
    top = (130 if big else 90) if title else 20
    fig.update_layout(
        title=dict(text=title, y=1, yanchor="top", pad=dict(t=8)), height=height + (80 if big else 0) + top - 50,
        margin=dict(l=10, r=10, t=top, b=10),
        font=dict(size=20 if big else 14), colorway=SERIES, template="none",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
    )
    return fig
