"""Colours, presentation mode and the common look of every chart.

The palette is Okabe–Ito, readable with the common colour-vision deficiencies.
Presentation mode (for a projector) enlarges text and thickens lines.
"""
from __future__ import annotations

import html

import pandas as pd
import streamlit as st

PALETTE = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
           "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "black": "#000000",
           "grey": "#C4C4C4"}  # Okabe–Ito, and a neutral grey for "nothing happens" (cleared people)
SERIES = [PALETTE[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "yellow", "black")]
SPLIT_COLOURS = {"train": PALETTE["blue"], "val": PALETTE["orange"], "test": PALETTE["green"]}
SPLIT_NAMES = {"train": "train", "val": "validation", "test": "test"}

# In both modes: labels of widgets and buttons wrap rather than end in an ellipsis (a toggle's label in a
# quarter-width column read "Balance …" at 1024 px).
_BASE_CSS = """
<style>
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"], [data-testid="stWidgetLabel"] p,
button [data-testid="stMarkdownContainer"], button [data-testid="stMarkdownContainer"] p {
  white-space: normal; overflow: visible; text-overflow: clip; }
/* A number box keeps its number when emptied (ui.state.number_box): no "clear" button, which would not clear it.
   Only the prevalence (empty: the split's own) and the typed threshold are meant to be emptied. */
[data-testid="stElementContainer"]:not(.st-key-prevalence):not(.st-key-typed_threshold)
  [data-testid="stNumberInputClearButton"] { display: none; }
/* Tabs wrap onto more rows rather than scroll sideways behind an arrow ("Calibrat›" on a 1024 px screen). */
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; overflow-x: visible; row-gap: 0.25rem; }
/* Room between the images of a list (the misclassified digits): Streamlit sets them side by side, touching. */
[data-testid="stImage"] { column-gap: 0.75rem; }
</style>
"""
_PRESENTATION_CSS = """
<style>
html, body, [data-testid="stAppViewContainer"] { font-size: 22px; }
[data-testid="stMarkdownContainer"] p, [data-testid="stWidgetLabel"] p, .thr .thr-caption, .thr .thr-label {
  font-size: 1.15rem; }
/* After the paragraph rule: a metric's value is a paragraph too. */
[data-testid="stMetricValue"], [data-testid="stMetricValue"] p, .thr .thr-rate-value { font-size: 2.6rem; }
/* The slider's end values and key hint, read from the back of the room too. */
.thr .thr-ends { font-size: 0.95rem; margin-bottom: 0.4rem; }
/* The 2×2 table a little tighter, and less room above it, so that all of it is on a 768 px screen with the
   slider, and on a 720 px one (1280 × 720) with the sidebar folded. */
.thr .cm th, .thr .cm td { padding: 0.25em 0.8em; }
.thr .cm-count { line-height: 1.15; }
.thr .thr-caption { margin-bottom: 0.5rem; }
/* Streamlit's padding is in rem: the larger root font took 60 px of width each side, and 130 px above the
   page, which pushed the Train page's progress and curves below a 900 px projector's edge. The page starts
   just under the header bar, which holds the pages' links here (app.py). */
[data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; padding-top: 4rem; }
/* The header bar's links mark the page shown, so its title goes: 80 px that the Threshold page's 2×2 table
   needs on a 768 px projector (with the sidebar folded away, as turning this mode on does). */
[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]:has(> [data-testid="stHeading"] h1) {
  display: none; }
/* Less room between elements: 1rem is 22 px here, and the Threshold page's slider and the matrix it moves
   fit on a 900 px screen only together. */
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
/* An expander's line a little smaller than text, so that two fit side by side on one line each; where they
   still do not (the Threshold page's notes and finders on a 1024 px screen), each ends in an ellipsis rather
   than taking three lines, which pushed the 2×2 table below a 768 px screen's edge. Opened, they say it all. */
[data-testid="stExpander"] summary [data-testid="stMarkdownContainer"] p { font-size: 1rem; }
[data-testid="stColumn"] [data-testid="stExpander"] summary * { min-width: 0; }
[data-testid="stColumn"] [data-testid="stExpander"] summary [data-testid="stMarkdownContainer"] p {
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
/* A table wider than the page (the run history) scrolls sideways rather than being cut off. */
[data-testid="stTable"] { overflow-x: auto; font-size: 0.8rem; }
/* Values and placeholders in inputs, select boxes and their option lists. */
input[type="number"], input[type="text"], textarea, [role="option"], [data-testid="stMultiSelectTag"] {
  font-size: 1.1rem; }
/* A column holding only a button is at least as wide as the button, taking the room from its neighbours
   (or wrapping the row). */
[data-testid="stColumn"]:has(> [data-testid="stVerticalBlock"] > [data-testid="stElementContainer"]:only-child
  :is(.stButton, .stDownloadButton, .stFormSubmitButton)) { min-width: max-content; }
</style>
"""


def presentation() -> bool:
    return bool(st.session_state.get("presentation"))


PRESENTED_ROWS = 10  # the rows of an HTML table shown in presentation mode before it scrolls in a box of its own


def data_table(data, *, height: int | None = None, **options) -> None:
    """A table: Streamlit's data grid, or in presentation mode an HTML table, whose text scales with the
    projector font and wraps (the grid's text stayed at 13 px, and a height counted in its rows showed one
    row of the Data page's two-row feature summary). A long one scrolls, in ``height`` pixels for the grid;
    ``options`` are ``st.dataframe``'s (column settings, which an HTML table has none of)."""
    if not presentation():
        st.dataframe(data, height="auto" if height is None else height, **options)
        return
    frame = pd.DataFrame(data)
    with st.container(height=PRESENTED_ROWS * 48) if len(frame) > PRESENTED_ROWS else st.container():
        st.table(frame, hide_index=options.get("hide_index"))


def apply_css() -> None:
    """Style-only HTML: Streamlit sends it to its event container, where it takes no room on the page."""
    st.html(_BASE_CSS + (_PRESENTATION_CSS if presentation() else ""))


def chart_text(text) -> str:
    """A name from the user's data (a column, a class, a file) as a Plotly label shows it as written: Plotly
    reads the tags <b>, <i>, <br>, <a> and the like in every text it draws."""
    return html.escape(str(text), quote=False)


def line_width() -> float:
    return 4.0 if presentation() else 2.0


# Chart text sizes in px. Streamlit's chart theme (st.plotly_chart's default theme="streamlit") merges
# its own sizes into the figure's *template* in the browser: tick labels and legend 0.75rem, axis
# titles 0.875rem, the title 1rem. Being more specific than layout.font, they win over it, so a larger
# layout.font alone changes nothing there. Sizes set on the figure's own title, legend and axes win over
# the template, so every one is set explicitly. Normal mode's are the theme's own at the usual 16 px
# root (the look stays as it was); presentation mode's are for a projector.
FONT_SIZES = {
    False: dict(base=14, tick=12, legend=12, axis_title=14, title=16, hover=12),
    True: dict(base=20, tick=20, legend=20, axis_title=22, title=26, hover=18),
}


def style(fig, title: str | None = None, height: int = 360, subtitle: str | None = None, legend_band: bool = True):
    """Common layout: readable fonts (larger in presentation mode), the title at the very top (a
    ``subtitle`` on its own line under it: a half-width chart cuts a long title off) and the legend
    between it and the plot, with room for a legend that wraps onto a second row; without ``legend_band``,
    no room for it: the caller puts the legend inside the plot, or hides it.

    The empty "none" template: Streamlit's chart theme styles the figure in the browser anyway, and a
    full template such as "plotly_white" is deep-copied into every figure: two thirds of a learning
    curve's build time, redone at every refresh of the Train page, and 6 kB more to send each time.
    Font sizes are set on every text the chart theme sizes (see FONT_SIZES), or its sizes would win."""
    big = presentation()
    size = FONT_SIZES[big]
    legend_room = (70 if big else 45) if legend_band else 0
    subtitle_room = (size["legend"] + 8) * (subtitle.count("<br>") + 1) if subtitle else 0
    top = ((60 if big else 45) + legend_room + subtitle_room) if title else 20
    fig.update_layout(
        title=dict(text=title, y=1, yanchor="top", pad=dict(t=8), font=dict(size=size["title"]),
                   subtitle=dict(text=subtitle, font=dict(size=size["legend"]))),
        height=height + (80 if big else 0) + top - 50,
        margin=dict(l=10, r=10, t=top, b=10),
        font=dict(size=size["base"]), colorway=SERIES, template="none",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0,
                    font=dict(size=size["legend"]), title=dict(font=dict(size=size["legend"]))),
        hoverlabel=dict(font=dict(size=size["hover"])),
    )
    axis_fonts = dict(tickfont=dict(size=size["tick"]), title=dict(font=dict(size=size["axis_title"])))
    fig.update_xaxes(**axis_fonts)  # every x axis (facets and subplots have several)
    fig.update_yaxes(**axis_fonts)
    fig.update_coloraxes(colorbar=dict(tickfont=dict(size=size["tick"]),
                                       title=dict(font=dict(size=size["axis_title"]))))
    return fig
