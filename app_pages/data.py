import plotly.express as px
import streamlit as st

from logreg_core import LogRegError
from logreg_core.datasets import mnist_available, mnist_cache_path
from logreg_core.describe import class_balance, feature_summary, preview
from ui import data, state, theme

MULTICLASS = "(multiclass: all classes)"  # the Positive class choice that keeps every class

st.title("Data")
setup = state.setup()
labels = {v: k for k, v in data.SOURCES.items()}
if "source_label" not in st.session_state:
    st.session_state["source_label"] = labels[setup["dataset"]]
source = data.SOURCES[st.radio(
    "Dataset", list(data.SOURCES), key="source_label", horizontal=True,
    help="Where the examples come from. Breast cancer is the default: malignant is the positive class.",
)]
setup["dataset"] = source


if source == "synthetic":
    c1, c2, c3 = st.columns(3)
    with c1:
        # typed, not slid: 30 to 200,000 rows and up to 2,000 columns (60,000 × 784 is MNIST-sized)
        state.number_box("Samples", "n_samples", step=500,
                         help="How many examples to generate (30 to 200,000).")
        state.number_box("Features", "n_features", step=1,
                         help="Columns per example (1 to 2,000). Two features give the decision-boundary picture "
                              "on Train.")
    with c2:
        state.bound(st.slider, "Classes", "n_classes", **state.limits("n_classes"),
                    help="Number of classes; more than two trains a softmax (multiclass) model.")
        state.bound(st.slider, "Positive share (imbalance)", "imbalance", **state.limits("imbalance"), step=0.05,
                    disabled=int(state.setup()["n_classes"]) > 2,  # more classes are generated equal in size
                    help="Share of the positive class when there are two classes: 0.1 means 1 in 10 are positive.")
    with c3:
        state.bound(st.slider, "Class separation", "class_sep", **state.limits("class_sep"), step=0.1,
                    help="How far apart the classes lie; small values make a hard problem.")
    state.show_clamped()

if source == "csv":
    st.info("Uploads are processed in memory for this session only and are not stored.")
    upload = st.file_uploader("CSV file", type=["csv", "txt", "data", "tsv"],
                              help="Comma, semicolon or tab separated; one row per example, one column is the target.")
    header_choice = state.kept(st.radio, "Header row", "csv_header", "Detect", options=list(state.HEADER_CHOICES),
                               horizontal=True,
                               help="Whether the first row holds column names. Detect guesses from the content.")
    earlier = st.session_state.get("base_dataset")
    if upload is None and earlier is not None and st.session_state.get("csv_key"):
        # Streamlit forgets an uploaded file once another page is shown; the data it gave stays.
        st.info(f"Using **{state.literal(earlier.title)}**, uploaded earlier. To pick another target or positive "
                "class, upload it again.")
    if upload is not None:
        from logreg_core import csv_target

        raw = upload.getvalue()
        digest = data.file_digest(raw)
        header = state.HEADER_CHOICES[header_choice]
        try:
            frame = data.read_upload(raw, digest, header)
            if {"y_true", "score"} <= {str(c).strip().lower() for c in frame.columns} <= {"y_true", "score", "split"}:
                st.info("This looks like a file of scores from another model (y_true, score). To choose a "
                        "threshold for those scores, upload it on the **Threshold** page under **Uploaded "
                        "scores**; here it would train a new model on those columns as features.")
            columns = csv_target.target_candidates(frame)
            # a target chosen for another file that this one lacks gives way in silence; a link's is announced
            another_files = st.session_state.get("csv_choices_file", digest) != digest
            st.session_state["csv_choices_file"] = digest
            target = state.kept_choice("Target column", "csv_target", columns, columns[0], announce=not another_files,
                                       help="The column to predict.")
            values = csv_target.label_values(frame, target)
            if another_files and st.session_state.get("csv_positive_labels") != values:
                # another file with other labels: its own guess, not a class chosen among the last file's labels
                # (a binary file's "1" made a 0/1/2 file one-vs-rest without a word)
                st.session_state.pop("csv_positive_kept", None)
            st.session_state["csv_positive_labels"] = values
            positive = None
            if len(values) >= 2:
                options = [MULTICLASS] + values if len(values) > 2 else values
                guess = csv_target.guess_positive(frame, target) if len(values) == 2 else None
                positive = state.kept_choice(
                    "Positive class", "csv_positive", options, guess if guess in values else options[0],
                    announce=False,  # shown right here, and a new target column's labels are new anyway
                    help="The label that counts as 'positive' (e.g. the disease). Thresholds act on its probability.")
                positive = None if positive == MULTICLASS else positive
            key = (digest, header, target, positive, int(setup["seed"]))
            if st.session_state.get("csv_key") != key:
                data.load_csv(raw, key, upload.name)
                st.success(f"Loaded {state.literal(upload.name)}.")
        except LogRegError as exc:  # csv_key stays that of the data in use (load_csv sets it on success only)
            state.show_error(exc, f"Could not use {state.literal(upload.name)}")
            if earlier is not None:  # shown below: say that it, not the failed file, is what Train uses
                in_use = st.session_state.get("csv_key")  # (digest, header, target, positive, seed) of the data in use
                target_in_use = f" with the target column {state.literal(repr(in_use[2]))}" if in_use else ""
                st.info(f"Still using **{state.literal(earlier.title)}**{target_in_use}, as loaded before: the Train "
                        "page trains on it until a file loads.")
            if state.trained_run() is not None:
                st.caption("Your trained model and settings are kept.")
elif source == "mnist" and not mnist_available():
    st.warning(f"MNIST is not cached on this server. Place `mnist.npz` at `{mnist_cache_path()}` "
               "(or connect the server to the internet) and reload.")
else:
    data.ensure_dataset()

base = st.session_state.get("base_dataset")
if base is None:
    st.stop()

data.drop_unknown_choices(base)
if not base.is_binary:
    st.subheader("Multiclass data")
    if source == "csv":  # one control for one choice: the file's Positive class above
        choice = state.TRAIN_AS[0]
        st.caption("To train one class against the rest, choose it as **Positive class** above.")
    else:
        choice = state.kept(st.radio, "Train as", "train_as", state.TRAIN_AS[0], options=state.TRAIN_AS,
                            horizontal=True, help="A softmax model learns every class; one-vs-rest trains a binary "
                                                  "model for one class.")
    if choice == state.ONE_VS_REST:
        state.kept(st.selectbox, "Positive class for one-vs-rest", "ovr_pick", base.class_names[0],
                   options=base.class_names, help="This class becomes positive (1); all others negative (0).")
    else:
        state.view_class_select("Class for the threshold view", base.class_names,
                                help="The Threshold page uses this class's softmax probability as the score, "
                                     "without retraining.")
if base.n_features > 2:
    state.kept(st.multiselect, "Train on two features only", "feature_pair", [], options=base.feature_names,
               max_selections=2, select_all=False,
               help="Pick two columns to see the decision boundary on the Train page (leave empty to use all).")
st.session_state["dataset"] = dataset = data.refine(base)

st.subheader(state.literal(dataset.title))
sizes = dataset.sizes()
c1, c2, c3, c4 = st.columns(4)
# short labels (the help says "rows"): "Validation rows" is cut at projector font sizes
c1.metric("Training", f"{sizes['train']:,}", help="Training rows: used to fit the weights and the standardization.")
c2.metric("Validation", f"{sizes['val']:,}", help="Validation rows: used to choose thresholds and for early stopping.")
c3.metric("Test", f"{sizes['test']:,}", help="Test rows: held back for reporting, never used to choose anything.")
c4.metric("Features", f"{dataset.n_features:,}", help="Input columns after encoding.")
with st.expander("What loading did", expanded=source == "csv"):
    for note in dataset.notes:
        st.markdown(f"- {state.literal(note)}")

balance = class_balance(dataset)
fig = px.bar(balance, x="class", y="count", color="split", barmode="group",
             color_discrete_map={"train": theme.SPLIT_COLOURS["train"], "val": theme.SPLIT_COLOURS["val"],
                                 "test": theme.SPLIT_COLOURS["test"]})
fig.update_xaxes(type="category")  # every class named (digits: 0 to 9, not every other one)
left, right = st.columns([1, 1])
with left:
    st.plotly_chart(theme.style(fig, "Class balance per split"), key="balance")
with right:
    if dataset.image_shape:
        st.markdown("**Sample training images**")
        images = dataset.X_train[:24] / max(dataset.X_train.max(), 1e-9)
        st.image([im.reshape(dataset.image_shape) for im in images], width=56,
                 caption=[dataset.class_names[c] for c in dataset.y_train[:24]], clamp=True)
    else:
        st.markdown("**Feature summary (training split)**")
        summary = feature_summary(dataset)
        theme.data_table(summary, hide_index=True, height=min(320, 36 * (len(summary) + 1) + 2))  # no empty rows
st.markdown("**Preview (first training rows as the model gets them: before standardization, text one-hot "
            "encoded, blanks filled)**")
theme.data_table(preview(dataset), hide_index=True, height=280)
