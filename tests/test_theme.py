"""theme.style: chart text sizes that Streamlit's chart theme cannot override, in both modes.

st.plotly_chart's theme="streamlit" merges its own font sizes into each figure's *template* in the
browser (ticks and legend 0.75rem, axis titles 0.875rem, the title 1rem); they beat layout.font, so
presentation mode's larger text only shows when the figure sets the size of each text itself.
"""
from types import SimpleNamespace

import numpy as np
import plotly.express as px
import pytest

from ui import charts, theme


@pytest.fixture
def mode(monkeypatch):
    """Set presentation mode on or off through a stand-in for Streamlit's session state."""
    def set_mode(on: bool) -> None:
        monkeypatch.setattr(theme, "st", SimpleNamespace(session_state={"presentation": on}))
    return set_mode


def history(epochs: int = 5) -> list[dict]:
    return [{"epoch": e, **{f"{s}_{m}": 1.0 / e for s in ("train", "val", "test") for m in ("loss", "accuracy")}}
            for e in range(1, epochs + 1)]


def axes(fig) -> list:
    layout = fig.layout
    return [layout[name] for name in layout if name.startswith(("xaxis", "yaxis"))]


def assert_sizes(fig, tick: int, axis_title: int, legend: int, title: int, base: int) -> None:
    layout = fig.layout
    assert layout.font.size == base
    assert layout.title.font.size == title
    assert layout.legend.font.size == legend
    assert layout.legend.title.font.size == legend
    for axis in axes(fig):
        assert axis.tickfont.size == tick, axis.plotly_name
        assert axis.title.font.size == axis_title, axis.plotly_name


@pytest.mark.parametrize("on, sizes", [
    (True, dict(tick=20, axis_title=22, legend=20, title=26, base=20)),
    # Normal mode: Streamlit's own theme sizes at a 16 px root, so the look is what it was.
    (False, dict(tick=12, axis_title=14, legend=12, title=16, base=14)),
])
def test_learning_curve_sets_every_text_size(mode, on, sizes):
    mode(on)
    fig = charts.learning_curves(history(), "loss", {"run 1": history()})
    assert len(axes(fig)) == 2 and len(fig.data) >= 2  # a real chart, with both axes and a legend
    assert_sizes(fig, **sizes)
    # Sizing an axis title keeps its text, and the chart's own title keeps its place.
    assert fig.layout.xaxis.title.text == "epoch" and fig.layout.yaxis.title.text == "loss"
    assert fig.layout.title.text.startswith("Loss") and fig.layout.title.yanchor == "top"
    assert fig.layout.template.layout.to_plotly_json() == {}  # still the light "none" template


def test_presentation_text_is_clearly_larger_than_normal(mode):
    figures = {}
    for on in (False, True):
        mode(on)
        figures[on] = charts.learning_curves(history(), "accuracy")
    small, big = figures[False].layout, figures[True].layout
    assert big.xaxis.tickfont.size >= 20 and big.legend.font.size >= 20
    assert big.xaxis.tickfont.size >= 1.5 * small.xaxis.tickfont.size
    assert big.title.font.size > big.legend.font.size  # the title stays the largest text
    # on a 768 px projector, under the page's controls; the plot keeps nearly normal mode's room, for the legend
    # is inside it rather than in a band above
    assert big.height <= 380 and big.height - big.margin.t >= 0.9 * (small.height - small.margin.t)


def test_every_axis_and_colour_bar_of_a_faceted_figure_is_sized(mode):
    """Facets have axes xaxis2, yaxis3, ...: the theme sizes all of them, so must style()."""
    mode(True)
    fig = px.imshow(np.zeros((4, 3, 3)), facet_col=0, facet_col_wrap=2, color_continuous_scale="RdBu_r")
    theme.style(fig, "Weights")
    assert len(axes(fig)) == 8
    assert_sizes(fig, tick=20, axis_title=22, legend=20, title=26, base=20)
    assert fig.layout.coloraxis.colorbar.tickfont.size == 20
    assert fig.layout.coloraxis.colorbar.title.font.size == 22


def test_presentation_css_only_in_presentation_mode(mode, monkeypatch):
    written = []
    monkeypatch.setattr(theme, "st", SimpleNamespace(session_state={"presentation": False},
                                                      html=written.append))
    theme.apply_css()
    assert written == [theme._BASE_CSS] and "text-overflow: clip" in written[0]  # labels wrap in both modes
    assert '[role="tablist"] { flex-wrap: wrap' in written[0]  # and tabs ("Calibrat›" at 1024 px)
    theme.st.session_state["presentation"] = True
    theme.apply_css()
    assert written[1] == theme._BASE_CSS + theme._PRESENTATION_CSS
    css = theme._PRESENTATION_CSS
    # The review's findings: input values grow, buttons' columns hold them.
    assert 'input[type="number"]' in css
    assert "min-width: max-content" in css
    # A metric's value is a paragraph: its size comes after, and wins over, the paragraph rule.
    assert css.index('[data-testid="stMetricValue"] p') > css.index('[data-testid="stMarkdownContainer"] p')


@pytest.mark.parametrize("metric, shape, end", [
    ("accuracy", lambda e: 0.5 + 0.4 * (1 - 1 / e), "bottom"),  # risen by the Continue: the label goes low
    ("accuracy", lambda e: 0.9 - 0.4 * (e > 1), "top"),  # fell after epoch 1 (an early Continue): high
    ("loss", lambda e: 1 / e, "top"),
    ("loss", lambda e: 0.2 + e / 10, "bottom"),  # rising loss, as a diverging run's
])
def test_the_continue_label_sits_at_the_end_of_its_line_away_from_the_curves(mode, metric, shape, end):
    mode(False)
    rows = [{"epoch": e, **{f"{s}_{metric}": shape(e) for s in ("train", "val")}} for e in range(1, 21)]
    fig = charts.learning_curves(rows, metric, resumed_at=10)
    label = next(a for a in fig.layout.annotations if a.text == "Continue")
    assert (label.yanchor, label.y) == (end, 1 if end == "top" else 0)


@pytest.mark.parametrize("on", [False, True])
def test_a_long_roc_subtitle_takes_two_lines_and_their_room(mode, on):
    """"AUC 1.000 (no bootstrap interval: every resample gives 1.000)" was cut off in a half-width chart at
    1024 px: it breaks before its bracket, and the chart's top margin grows by a line, its plot keeping its
    height."""
    from ui.threshold_view import roc_figure

    mode(on)
    base = {"fpr": [0, 0, 1], "tpr": [0, 1, 1]}
    short, long = (roc_figure(base, text) for text in
                   ("AUC 0.943 (95% CI 0.846–0.981)", "AUC 1.000 (no bootstrap interval: every resample gives 1.000)"))
    assert short.layout.title.subtitle.text == "AUC 0.943 (95% CI 0.846–0.981)"
    assert long.layout.title.subtitle.text == "AUC 1.000<br>(no bootstrap interval: every resample gives 1.000)"
    line = theme.FONT_SIZES[on]["legend"] + 8
    assert long.layout.margin.t - short.layout.margin.t == long.layout.height - short.layout.height == line
