"""Helpers shared by the AppTest tests."""
import json
import re

from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.testing.v1 import AppTest

from ui import threshold_picker


def seen(markdown: str) -> str:
    """A message as the browser shows it: without the backslashes and entities ``state.literal`` puts in
    so that Markdown leaves a name's "$" or "_" alone."""
    return re.sub(r"\\([!-/:-@[-`{-~])", r"\1", markdown).replace("&#58;", ":")


def page_html(at: AppTest) -> list[str]:
    """The bodies of the page's ``st.html`` blocks, but for the app's style sheet (``theme.apply_css``)."""
    style_only = re.compile(r"\s*(<style>.*?</style>\s*)+", re.S)
    return [h.proto.body for h in at.get("html") if not style_only.fullmatch(h.proto.body)]


def html_block(at: AppTest, aria_label: str) -> str:
    """The body of the ``st.html`` block whose table carries this aria-label (the metrics table)."""
    return next(body for body in page_html(at) if f'aria-label="{aria_label}"' in body)


def _picker_element(at: AppTest):
    return next(e for e in at.get("bidi_component") if e.key == threshold_picker.KEY)


def picker(at: AppTest) -> dict:
    """The data the threshold picker got: what its JavaScript shows (AppTest cannot run it)."""
    return json.loads(_picker_element(at).proto.json)


def shown_counts(at: AppTest) -> dict[str, int]:
    """The confusion matrix at the page's threshold: the picker's last entry, shown until the user moves it."""
    counts = picker(at)["counts"]
    return {cell.lower(): values[-1] for cell, values in counts.items()}


def slider_text(at: AppTest) -> str:
    """What the slider shows (its aria-valuetext) while it follows the page: the page's own threshold,
    in the slider's units (its knob sits at the nearest position)."""
    return picker(at)["current"]["text"]


def slider_position_text(at: AppTest) -> str:
    """The text of the position the slider's knob is put at while it follows the page."""
    data = picker(at)
    return data["slider_text"][data["current"]["position"]]


def move_threshold(at: AppTest, value: float) -> AppTest:
    """Run the app as after the user moved the threshold slider to ``value``: the browser sends the
    picker's "threshold" trigger. AppTest has no API for components v2, so this builds that widget
    state as the frontend does (the component's id plus "__events") and reruns with it."""
    element = _picker_element(at)
    states = element.root.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = _make_trigger_id(element.proto.id, "events")
    trigger.json_trigger_value = json.dumps([{"event": "threshold", "value": value}])
    return at._run(states)
