"""LogReg Lab: train a logistic regression, watch it learn, then question its threshold."""
import streamlit as st

from ui import state, theme, tf_guard, training

tf_guard.keep_tensorflow_warm()

st.set_page_config(page_title="LogReg Lab", page_icon=":material/show_chart:", layout="wide")
state.setup()

with st.sidebar:
    st.toggle("Presentation mode", key="presentation",
              help="Larger text and thicker lines, for a projector; the sidebar folds away to give the page "
                   "room (› at the top left opens it).")
# Streamlit applies a sidebar state when it differs from the last one sent: so turning presentation mode on
# folds the sidebar once, and the sidebar opened again by hand stays open.
st.set_page_config(initial_sidebar_state="collapsed" if theme.presentation() else "auto")
theme.apply_css()

pages = [
    st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("app_pages/data.py", title="Data", icon=":material/table:"),
    st.Page("app_pages/train.py", title="Train", icon=":material/monitoring:"),
    st.Page("app_pages/threshold.py", title="Threshold", icon=":material/tune:"),
    st.Page("app_pages/model.py", title="Model", icon=":material/functions:"),
]
navigation = st.navigation(pages, position="top" if theme.presentation() else "sidebar")
training.collect_finished()

with st.sidebar:
    link_slot = st.empty()
    st.caption("For teaching and exploration, not for clinical decisions.")


@st.fragment(key=state.LINK_FRAGMENT)
def link_contents() -> None:
    """The link's warnings and the Copy link box, as the set-up is now. A fragment, so that the threshold
    slider's fragment can have it redrawn with its own (see ``state.LINK_FRAGMENT``)."""
    if state.link_warnings() and not theme.presentation():  # else over the page: the sidebar starts folded
        link_warning()
    values = state.link_values()
    with st.popover("Copy link", help="A link that opens this same set-up (training starts when you press Train)."):
        st.code(state.share_link(values), language=None, wrap_lines=True)
        if steps := state.training_steps():
            # only the first step can have left the run history (``training_steps``)
            epochs = [f"{n} epoch{'s' * (n != 1)}" for n in steps]
            told = ", then ".join([f"Train {epochs[0]}" if steps[0] else "an earlier run"]
                                  + [f"Continue {e}" for e in epochs[1:]])
            st.caption(f"The model was trained in steps ({told}): the link opens the settings, and one Train "
                       "gives a model trained once. To get the same model, follow the same steps, each with its "
                       "settings (the Train page's run history lists them).")
        if state.kept_value("score_source") == "Uploaded scores":
            st.caption("Uploaded scores stay in this session, as does a threshold set on them: the link opens "
                       "the set-up with the trained model's scores.")
    state.write_query_params(values | ({state.PRESENT: "1"} if theme.presentation() else {}))


def link_warning() -> None:
    st.warning("Ignored invalid link settings: " + ", ".join(state.link_warnings()))


def link_box() -> None:
    with link_slot.container():
        link_contents()


# Drawn before the page and again after it, so that what the page chose (a file's target) is in the link;
# a page that stops early (st.stop: "train a model first") keeps the first drawing, as nothing after the
# stop is drawn.
link_box()
if state.link_warnings() and theme.presentation():
    link_warning()
navigation.run()
link_box()
