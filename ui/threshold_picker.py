"""The threshold slider, its caption line, the 2×2 table and the four headline rates, as one component
that redraws itself in the browser as the slider moves (components v2).

A slider step used to be a fragment rerun: a websocket round trip and two React renders before the
table changed. Here the server sends, once per rerun, the counts and rates at every slider position
(``Sweep.at_thresholds``: one binary search), and the browser only looks them up: no arithmetic in
JavaScript. Rates and shares arrive as text, formatted by the same function as the metrics table, so
the two always show the same digits (JavaScript rounds a double's shortest decimal form, Python its exact
value: 0.1235 would read 0.124 in one and 0.123 in the other); that also sends a third less per rerun.
Once the user lets go of the keys (after ``REPORT_AFTER_MS``) the component reports the threshold as a
"threshold" trigger; the page then recomputes the rest (intervals, charts, link).

Positions are indices 0…N: the range input's value is the position, its ``aria-valuetext`` the
threshold as the slider shows it. The arrays have one entry more, N + 1: the page's own threshold,
exact (a button's answer lies between positions), shown while the component follows the page.

It follows the page until the user moves the slider, and again whenever ``revision`` changes (a
button, a link, a new scale or range): a rerun caused by the user's own step never moves the slider
back to an older value. Styles are not isolated, so the app's theme and presentation mode reach it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from logreg_core.report import METRIC_LABELS, number_text


REPORT_AFTER_MS = 120
KEY = "threshold_picker"
CELLS = ("TP", "FN", "FP", "TN")
RATES = ("fpr", "fnr", "sensitivity", "specificity")

HTML = """
<div class="thr">
  <div class="thr-label"><span data-text="label"></span><span data-part="value" aria-hidden="true"></span></div>
  <input type="range" min="0" step="1" data-part="slider">
  <div class="thr-ends" aria-hidden="true"><span data-part="min"></span><span data-text="keys"></span>
    <span data-part="max"></span></div>
  <p class="thr-caption"><strong>Threshold <span data-part="threshold"></span></strong>
    (<span data-part="how"></span>) <span data-text="tail"></span> <span data-part="cut"></span></p>
  <div class="thr-body">
    <div>
      <table class="cm" aria-label="Confusion matrix">
        <tr><th></th><th>Predicted <span data-text="positive"></span></th>
          <th>Predicted <span data-text="negative"></span></th></tr>
        <tr><th>Actual <span data-text="positive"></span></th>
          <td data-cell="TP"><div class="cm-count"></div><div class="cm-sub"></div></td>
          <td data-cell="FN"><div class="cm-count"></div><div class="cm-sub"></div></td></tr>
        <tr><th>Actual <span data-text="negative"></span></th>
          <td data-cell="FP"><div class="cm-count"></div><div class="cm-sub"></div></td>
          <td data-cell="TN"><div class="cm-count"></div><div class="cm-sub"></div></td></tr>
      </table>
      <div class="cm-note">Rows: actual class; columns: predicted. Percentages: <span data-text="shares"></span>.</div>
    </div>
    <div class="thr-rates">
      <div data-rate="fpr"><div>FPR</div><div class="thr-rate-value"></div></div>
      <div data-rate="fnr"><div>FNR</div><div class="thr-rate-value"></div></div>
      <div data-rate="sensitivity"><div>Sensitivity</div><div class="thr-rate-value"></div></div>
      <div data-rate="specificity"><div>Specificity</div><div class="thr-rate-value"></div></div>
    </div>
  </div>
</div>
"""

CSS = """
.thr { font-family: var(--st-font); color: var(--st-text-color); }
.thr-label { display: flex; justify-content: space-between; font-size: 0.875rem; }
.thr input { width: 100%; margin: 0.5rem 0 0; accent-color: var(--st-primary-color); }
.thr-ends { display: flex; justify-content: space-between; font-size: 0.75rem; margin-bottom: 0.75rem; opacity: 0.75; }
.thr input:focus-visible { outline: 2px solid var(--st-primary-color); outline-offset: 4px; border-radius: 4px; }
.thr-caption { margin: 0 0 1rem; }
/* The matrix and the rates side by side, or the rates below once the column is too narrow for both
   (a projector's large font, a narrow window). */
.thr-body { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.thr-body > :first-child { flex: 3 1 22rem; }
.thr-body > .thr-rates { flex: 2 1 14rem; }
.cm { border-collapse: collapse; font-size: 1.05em; width: 100%; }
.cm th, .cm td { border: 1px solid #999; padding: .5em .8em; text-align: center; }
.cm td[data-cell="TP"], .cm td[data-cell="TN"] { background: rgb(0 114 178 / calc(0.12 + 0.6 * var(--share))); }
.cm td[data-cell="FP"], .cm td[data-cell="FN"] { background: rgb(213 94 0 / calc(0.12 + 0.6 * var(--share))); }
.cm-count { font-size: 1.8em; font-weight: 700; }
.cm-sub, .cm-note { font-size: .85em; }
.cm-note { color: #444; }
.thr-rates { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; font-size: 0.875rem; }
.thr-rate-value { font-size: 2.25rem; line-height: 1.4; }
"""

JS = f"""
const REPORT_AFTER_MS = {REPORT_AFTER_MS};
const count = new Intl.NumberFormat("en-US");

function show(root, data, entry, how) {{
  root.querySelector('[data-part="threshold"]').textContent = data.threshold_text[entry];
  root.querySelector('[data-part="how"]').textContent = how;
  root.querySelector('[data-part="cut"]').textContent = data.cuts ? data.cuts[entry] : "";
  for (const td of root.querySelectorAll("td[data-cell]")) {{
    const cell = td.dataset.cell;
    td.querySelector(".cm-count").textContent = count.format(data.counts[cell][entry]);
    td.querySelector(".cm-sub").textContent = `${{cell}} · ${{data.shares[cell][entry]}}`;
    td.style.setProperty("--share", data.shades[cell][entry]);
  }}
  for (const tile of root.querySelectorAll("[data-rate]")) {{
    tile.querySelector(".thr-rate-value").textContent = data.rates[tile.dataset.rate][entry];
  }}
}}

function place(root, slider, data, following) {{
  // Following the page, the slider names the page's own threshold (a button's answer lies between
  // positions); moved by hand, the position's own value.
  const text = following ? data.current.text : data.slider_text[slider.value];
  slider.setAttribute("aria-valuetext", text);
  root.querySelector('[data-part="value"]').textContent = text;
}}

export default function ({{ data, parentElement, setTriggerValue }}) {{
  const root = parentElement.querySelector(".thr");
  const slider = root.querySelector('[data-part="slider"]');
  let own = root.picker;  // kept on the element: this function runs again with each rerun's data
  if (!own) {{
    own = root.picker = {{ revision: null, following: true, timer: undefined }};
    slider.addEventListener("input", () => {{
      own.following = false;
      place(root, slider, own.data, false);
      show(root, own.data, Number(slider.value), own.data.by_hand);
      clearTimeout(own.timer);
      own.timer = setTimeout(() => own.report(own.data.thresholds[Number(slider.value)]), REPORT_AFTER_MS);
    }});
  }}
  own.data = data;
  own.report = (value) => setTriggerValue("threshold", value);
  for (const element of root.querySelectorAll("[data-text]")) element.textContent = data.text[element.dataset.text];
  slider.setAttribute("aria-label", data.text.label);
  slider.title = data.help;
  slider.max = data.slider_text.length - 1;
  root.querySelector('[data-part="min"]').textContent = data.slider_text[0];
  root.querySelector('[data-part="max"]').textContent = data.slider_text[slider.max];
  for (const tile of root.querySelectorAll("[data-rate]")) tile.title = data.rate_help[tile.dataset.rate];
  const revision = JSON.stringify(data.current.revision);
  if (revision !== own.revision) {{
    own.revision = revision;
    own.following = true;
    clearTimeout(own.timer);
  }}
  if (own.following) {{
    slider.value = data.current.position;
    show(root, data, data.thresholds.length - 1, data.current.how);
  }} else {{
    show(root, data, Number(slider.value), data.by_hand);
  }}
  place(root, slider, data, own.following);
  return () => clearTimeout(own.timer);
}}
"""

_component = st.components.v2.component("logreg_lab.threshold_picker", html=HTML, css=CSS, js=JS,
                                        isolate_styles=False)


@dataclass(frozen=True)
class Grid:
    """The slider's positions: the text each shows and the threshold (a score) each stands for;
    ``logodds`` when the positions are log-odds of probability thresholds."""

    label: str
    texts: list[str]
    thresholds: np.ndarray
    logodds: bool = False

    def nearest(self, threshold: float) -> int:
        return int(np.abs(self.thresholds - threshold).argmin())

    def logodds_text(self, threshold: float) -> str:
        """A probability threshold in the log-odds slider's units."""
        if not 0 < threshold < 1:
            return "−∞" if threshold <= 0 else "∞"
        return f"{np.log(threshold / (1 - threshold)):.2f}".replace("-0.00", "0.00")  # no "−0.00" for 0.4988

    def keys(self) -> str:
        """What the keyboard does: the native range input steps one position per arrow key and a
        tenth of the range per Page Up/Down."""
        step, span = self.thresholds[1] - self.thresholds[0], self.thresholds[-1] - self.thresholds[0]
        if self.logodds:
            step, span = 0.01, 20.0
        return f"keys: ←/→ {step:.3g} · PgUp/PgDn {span / 10:.3g} · Home/End"


def grid(low: float, high: float, probability: bool, logodds: bool) -> Grid:
    """1,001 positions from ``low`` to ``high`` (0.001 apart for probabilities), or log-odds −10 to 10
    in steps of 0.01, each the probability 1 / (1 + e^−x)."""
    if logodds:
        x = np.arange(-1000, 1001) / 100
        return Grid("Decision threshold (log-odds)", [f"{v:.2f}" for v in x], 1 / (1 + np.exp(-x)), logodds=True)
    values = np.arange(1001) / 1000 if probability else np.linspace(low, high, 1001)
    # written as the page writes thresholds (threshold_texts: 4 significant digits), so that a position
    # reads the same, 0.47, while it is dragged and once the page has answered
    return Grid("Decision threshold", [f"{v:.4g}" for v in values], values)


def show(positions: Grid, table: dict, threshold_texts: list[str], *, names: tuple[str, str], share_of_all: bool,
         tail: str, how: str, by_hand: str, revision: list, on_move, cuts: list[str] | None = None) -> None:
    """Mount the picker. ``table`` is ``Sweep.at_thresholds`` of the grid's thresholds followed by the
    page's threshold, and ``threshold_texts`` their labels (``logreg_core.threshold.threshold_texts``);
    the slider reads the page's own label too, or its log-odds on that scale. ``how`` says how the page's
    threshold was set, ``by_hand`` how one the user moves to is. ``on_move`` runs when the user has moved
    it (read ``moved_to()`` there). ``cuts``: a sentence per threshold said after ``tail`` (whole-number
    scores' cut-off), each as its threshold is shown."""
    counts = {cell: table[cell.lower()] for cell in CELLS}
    positives, negatives = table["tp"] + table["fn"], table["fp"] + table["tn"]
    wholes = {"TP": positives, "FN": positives, "FP": negatives, "TN": negatives}  # each actual row
    if share_of_all:
        wholes = dict.fromkeys(CELLS, positives + negatives)
    shares = {cell: counts[cell] / np.maximum(wholes[cell], 1) for cell in CELLS}
    data = {
        "text": {"label": positions.label, "positive": names[1], "negative": names[0], "tail": tail,
                 "keys": positions.keys(),
                 "shares": "% of all cases" if share_of_all else "% of each actual row"},
        "help": f"Predict {names[1]} when score ≥ threshold.", "by_hand": by_hand,
        "rate_help": {name: METRIC_LABELS[name][1] for name in RATES},
        "slider_text": positions.texts,
        "thresholds": table["threshold"].tolist(),
        "threshold_text": threshold_texts,
        "cuts": cuts,  # for whole-number scores: each threshold's whole-number cut-off, said after the tail
        "counts": {cell: c.tolist() for cell, c in counts.items()},
        "shares": {cell: [f"{v:.1%}" for v in s] for cell, s in shares.items()},
        "shades": {cell: np.round(s, 2).tolist() for cell, s in shares.items()},  # the cells' colour only
        "rates": {name: [number_text(v) for v in table[name]] for name in RATES},  # "—" where undefined
        "current": {"position": positions.nearest(table["threshold"][-1]), "how": how, "revision": revision,
                    "text": positions.logodds_text(table["threshold"][-1]) if positions.logodds
                    else threshold_texts[-1]},
    }
    _component(key=KEY, data=data, on_threshold_change=on_move)


def moved_to() -> object:
    """Where the user left the slider (as the browser reported it: check it before use)."""
    return st.session_state[KEY]["threshold"]
