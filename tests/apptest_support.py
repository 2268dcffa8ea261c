"""Helpers shared by the AppTest tests."""
from streamlit.testing.v1 import AppTest


def html_block(at: AppTest, aria_label: str) -> str:
    """The body of the ``st.html`` block whose table carries this aria-label (the confusion matrix, the metrics)."""
    return next(h.proto.body for h in at.get("html") if f'aria-label="{aria_label}"' in h.proto.body)
