import pandas as pd
import streamlit as st

from logreg_core import OPTIMIZERS
from ui import charts, data, state, theme, training

# The progress panel's refresh while a job runs: more than once a second, yet few enough redraws
# (server and browser share the machine's cores with training) to cost training under 30%.
REFRESH_S = 0.8
# While a job waits for a slot or for TensorFlow to load, nothing moves: refresh less often, so that
# a classroom of waiting pages does not starve the import and the trainings it waits for of the GIL.
# (Not while a job that has a slot awaits its first epoch: that comes within a second, and at this pace
# the page sat on "Epoch 0" for 2.5 s while the slow-motion replay's clock ran on unseen.)
WAITING_REFRESH_S = 2.5
# Replaying a finished run in slow motion costs no training: refresh often, for a smooth curve.
REPLAY_REFRESH_S = 0.25
# In slow motion, a run's first second refreshes at the replay's pace too: a fast run (breast cancer's 200 epochs
# take a quarter of a second) was first drawn at the first refresh after it ended, at REFRESH_S, by when the replay,
# timed from the run's start, was at epoch 35.
STARTING_S = 1.0
LEARNING_RATES = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
SETTINGS_KEY = "train_settings_open"  # the presentation-mode expander's state
STOPPED_AT = "stopped_while_showing"  # (job, the epoch on screen when Stop, which ends the replay, was pressed)

st.title("Train")
dataset = data.ensure_dataset()
if dataset is None:
    st.info("Choose a dataset on the **Data** page first.")
    st.stop()
st.caption(f"Dataset: **{state.literal(dataset.title)}** — {dataset.n_features} feature"
           f"{'s' * (dataset.n_features != 1)}, classes: {state.literal(', '.join(dataset.class_names[:10]))}"
           f"{' …' if dataset.n_classes > 10 else ''}")

setup = state.setup()


def settings_line() -> str:
    """The settings in one line: the folded settings' label in presentation mode."""
    c = state.train_config()
    extras = [f"L2 {c.l2:g}"] * (c.l2 > 0) + [f"early stopping after {c.early_stopping}"] * (c.early_stopping > 0)
    extras += ["balanced classes"] * (c.class_weight == "balanced")
    return " · ".join([f"{c.epochs} epochs", f"batch {c.batch_size}", f"learning rate {c.learning_rate:g}",
                       state.OPTIMIZER_NAMES[c.optimizer], *extras, f"seed {c.seed}"])


# At projector sizes the settings take a screen of their own: they fold away when a run starts (Train or
# Continue, below), and are folded when the page opens on curves, so that the curves are in view; the class
# still reads them in the fold's label, which is the settings in one line (a line of its own under the fold
# cost the curves' lower edge on a 768 px projector). Streamlit keeps the fold's state, by its key, when a
# changed setting changes the label.
if theme.presentation() and SETTINGS_KEY not in st.session_state:  # the page just opened, or presentation mode
    st.session_state[SETTINGS_KEY] = training.current_job() is None
# At projector sizes the buttons also come first: under the open settings, a 768 px screen cut them off.
controls = st.container() if theme.presentation() else None
settings = (st.expander(settings_line(), icon=":material/settings:", expanded=True, key=SETTINGS_KEY,
                        on_change="rerun") if theme.presentation() else st.container())
with settings:
    if theme.presentation():  # projector font sizes: two to a row, so that no label breaks mid-word
        (c1, c2), (c3, c4) = st.columns(2), st.columns(2)
    else:
        c1, c2, c3, c4 = st.columns(4)
with c1:
    state.number_box("Epochs", "epochs", step=10,
                     help="Passes over the training data (1–10,000).")
    state.number_box("Batch size", "batch_size", step=16,
                     help="Examples per gradient step; larger than the data means full-batch gradient descent.")
with c2:
    options = sorted(set(LEARNING_RATES) | {float(setup["lr"])})
    state.bound(st.select_slider, "Learning rate", "lr", options=options, format_func=lambda v: f"{v:g}",
                help="Step size of each update, on a log scale. Too large and the loss explodes.")
    state.bound(st.selectbox, "Optimizer", "optimizer", options=list(OPTIMIZERS),
                format_func=state.OPTIMIZER_NAMES.get,
                help="How gradients become updates. SGD is the classic; Adam adapts the step per weight.")
with c3:
    state.number_box("L2 penalty", "l2", step=0.001, format="%g",
                     help="λ in λ/2·‖w‖² added to the loss: shrinks weights, fights overfitting. 0 = off.")
    state.number_box("Early stopping patience", "early_stopping",
                     help="Stop when validation loss has not improved for this many epochs and keep the best "
                          "epoch. 0 = off.")
with c4:
    state.number_box("Seed", "seed",
                     help="Fixes the data split and the shuffling: same seed, same numbers.")
    state.kept(st.toggle, "Balance classes", "balanced", False,
               help="Weight each class inversely to its frequency, so a rare positive class counts as much.")

state.show_clamped()
job = training.current_job()
trained = state.trained_run()
can_continue = trained is not None and trained.dataset is dataset


def stop() -> None:
    """Stop the job; in slow motion the curves then jump to where training was, which runs ahead of them,
    and the page says which epoch was on screen (``STOPPED_AT``)."""
    job = training.current_job()
    if job is not None:
        on_screen = shown(job.snapshot())
        job.stop()
        job.join(5)
        if 0 < on_screen < job.snapshot()["epochs_done"] - 1:  # not just the epoch under way, which Stop lets end
            st.session_state[STOPPED_AT] = (job, on_screen)  # and the replay is over: every epoch is shown


def start(continues=None) -> None:
    if training.start(dataset, state.train_config(), continues=continues) is not None and theme.presentation():
        st.session_state[SETTINGS_KEY] = False


slow_motion = state.kept_value("slow_motion", True)  # its toggle, drawn below, stores a change before the run


def shown(snap: dict) -> int:
    """Epochs to draw now: all that are done, or in slow motion as many as its pace has reached since the job's
    first epoch, until Stop ends the replay. (Timed from the job's start, the first run in a process was half
    over before it was drawn: TensorFlow's import took 2.5 s of its 5. The replay timed from the page's first
    epoch instead kept the classroom test's 30 pages from ever going idle: see commit 4f6a01c.)"""
    if not slow_motion or st.session_state.get(STOPPED_AT, (None,))[0] is training.current_job():
        return snap["epochs_done"]
    return training.shown_epochs(snap["epochs_done"], snap["epochs_total"], snap["seconds_since_first_epoch"])


# Buttons act in callbacks, before the page is drawn, so every control shows the new state at once.
running = job is not None and not job.done
snap = job.snapshot() if job is not None else None
replaying = job is not None and job.done and shown(snap) < snap["epochs_done"]
waiting = running and not snap["history"] and training.waits(job)
starting = running and slow_motion and not waiting and snap["seconds_since_start"] < STARTING_S
refresh = (REPLAY_REFRESH_S if replaying or starting else WAITING_REFRESH_S if waiting
           else REFRESH_S if running else None)
with controls if controls is not None else st.container():
    # One row that wraps where it does not fit (columns would cut "Continue" and the toggles' labels short)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button("Train", type="primary", help="Train a fresh model with these settings.",
                  on_click=start)
        st.button("Stop", disabled=not running, help="Stop after the current epoch; what was learned is kept.",
                  on_click=stop)
        st.button("Continue", disabled=not can_continue or running,
                  help=f"Train {setup['epochs']} more epochs from the current weights." if can_continue else
                  f"Continue trains on from the last run's weights, on the data it used ({trained.dataset.title} as it "
                  "was then): the data has changed since. Press Train to train on the data chosen now."
                  if trained is not None else
                  "After a run, trains more epochs from its weights.",
                  on_click=lambda: start(continues=trained))
        show_test = state.kept(
            st.toggle, "Show test curves", "show_test_curves", False, width="content",
            help="Off: train and validation only, so that epochs and settings are chosen on validation. "
                 "Look at the test split once, to report.")
        state.kept(
            st.toggle, "Slow motion", "slow_motion", True, width="content",
            help="Draw a fast run at up to 40 epochs a second (5 s at most), so that the curves visibly grow. "
                 "Training itself runs at full speed; the numbers are the same.")
splits = ("train", "val", "test") if show_test else ("train", "val")
for message in st.session_state.pop("train_errors", []):
    st.error(state.literal(message))


@st.fragment(run_every=refresh)
def progress_panel():
    job = training.current_job()
    if job is None:
        st.info("Press **Train** to start. The curves appear here as the model learns.")
        return
    snap = job.snapshot()
    if job.dataset is not dataset:  # the data was changed on the Data page since: say whose curves these are
        st.caption(f"These curves are the last run's, on **{state.literal(job.dataset.title)}** as it was then (the "
                   "data has changed since): press **Train** to train on the data chosen now.")
    if refresh == WAITING_REFRESH_S and snap["history"]:
        st.rerun()  # the first epochs are in: redraw the page to refresh at the faster pace
    if snap["state"] == "queued":
        st.info(f"Waiting for a free training slot: you are number {snap['queue_position'] or 1} in the queue.")
    done, total, drawn = snap["epochs_done"], snap["epochs_total"], shown(snap)
    start = job.initial.epochs_trained if job.initial is not None else 0  # a continued run's epochs go on counting
    left = snap["seconds_left"]
    text = (f"Epoch {start + drawn} of {start + total}"
            + (f" — about {left:.0f} s left" if left is not None and left >= 1 else ""))
    took = f" in {snap['result'].seconds:.2f} s" if snap["result"] is not None else ""
    result = snap["result"]
    stopped = result is not None and result.stopped_reason == "stopped"
    if snap["state"] == "finished":
        # stopped by you: said here, not in a box of its own, which pushed the curves below a projector's fold
        ended = "Stopped" if stopped else "Finished"
        where = (f" by you; the weights of epoch {start + done} are kept" if stopped
                 else f", now at epoch {start + done}" if start else "")
        text = (f"{ended}: {done} epoch{'s' * (done != 1)}{took}{where}" if drawn == done
                else f"Epoch {start + drawn} of {start + done} — slow motion (trained{took})")
    ended_early = result is not None and result.stopped_reason in ("early_stopped", "diverged")
    st.progress(1.0 if ended_early and drawn == done else min((start + drawn) / (start + total), 1.0),
                text=text)  # ended early, by design: full
    stopped_at = st.session_state.get(STOPPED_AT)
    if stopped_at is not None and stopped_at[0] is job:
        at = f"Slow motion showed epoch {start + stopped_at[1]} when you pressed Stop"
        st.caption(f"{at}; training itself, at full speed, had reached epoch {start + done}." if stopped else
                   f"{at}, but training itself, at full speed, had already finished all {done} epochs{took}: the "
                   f"model is epoch {start + done}'s. To look at an earlier epoch, use the epoch scrubber on the "
                   "Threshold page, or train fewer epochs.")
    if snap["error"]:
        st.error(state.literal(snap["error"]))
    elif result is not None and result.message and not stopped:
        (st.warning if result.stopped_reason == "diverged" else st.info)(result.message)
    history = snap["history"][:drawn]
    whole = state.earlier_epochs(st.session_state.get("job_continues")) + history  # a continued run's, from its start
    overlay_ids = st.session_state.get("overlay_runs") or []
    overlays = {f"run {r.run_id}" + (f" ({r.dataset.title})" if r.dataset.title != job.dataset.title else ""):
                state.earlier_epochs(r.continues) + r.result.history  # a continued run from its first's start
                for r in state.runs() if r.run_id in overlay_ids}
    if whole:
        boundary = bool(snap["boundary_models"] and drawn)  # two features: the boundary of the epoch shown
        beside = boundary and theme.presentation()  # on a projector: under the curves, below a 768 px screen's edge
        columns = st.columns([1, 1, 1.25] if beside else 2)
        for column, metric in zip(columns, ("loss", "accuracy")):
            column.plotly_chart(charts.learning_curves(whole, metric, overlays, splits, resumed_at=start or None),
                                key=f"{metric}_curve")
        if boundary:
            kept = result is not None and drawn == done  # (early stopping keeps an earlier epoch's weights)
            model = result.model if kept else snap["boundary_models"][drawn - 1]
            (columns[2] if beside else st).plotly_chart(charts.decision_boundary(model, job.dataset), key="boundary")
        if theme.presentation():  # the charts' short titles, in full
            shading = ("shading: the class predicted there" if len(job.dataset.class_names) > 2 else
                       "black line: P = 0.5; shading: P(positive), red high, blue low")
            st.caption("Loss: cross-entropy, lower is better. Accuracy: at P ≥ 0.5, or the most probable class."
                       + f" Boundary: the training points; {shading}." * beside)
    if snap["state"] == "finished" and not st.session_state.get("job_collected"):
        training.collect_finished()
        if not (starting and drawn < done):  # a replay that began here goes on here, and redraws the page when it
            st.rerun()  # is over: a page redrawn now held it up, and it jumped on by the time that took when it came
    if (replaying or starting) and drawn == done and snap["state"] == "finished":
        st.rerun()  # the replay is over: redraw the page, which stops the refresh
    if starting and snap["state"] != "finished" and snap["seconds_since_start"] >= STARTING_S:
        st.rerun()  # a run that takes longer: redraw the page to refresh at the training pace


progress_panel()
finished = training.current_job()
if finished is not None and finished.done and finished.result is not None:
    for note in finished.result.notes:  # e.g. a batch size larger than the data, used as full batch
        st.info(state.literal(note))

if dataset.n_features != 2:
    st.caption("Tip: with two features (synthetic data, or two columns picked on the Data page) "
               "the decision boundary is drawn here as the model trains.")

if state.runs():
    st.subheader("Run history (this session, last five)")
    history_table = pd.DataFrame([r.summary(show_test) for r in reversed(state.runs())])
    # as typed, and to 4 digits: a loss of 2e-32 (Adam at learning rate 10) in full pushed the table's last columns
    # out of view; lr 10.0 read "10.0" in the HTML table
    history_table["lr"] = history_table["lr"].map("{:g}".format)
    history_table["val loss"] = history_table["val loss"].map(lambda v: "—" if pd.isna(v) else f"{v:.4g}")
    if set(history_table["dataset"]) == {dataset.title}:  # named in the page's caption: room for the numbers
        history_table = history_table.drop(columns="dataset")
    theme.data_table(history_table, hide_index=True, column_config={  # "201–400 (continues run 1)" in full
        "epochs": st.column_config.TextColumn(width="medium"),
        "seed": st.column_config.NumberColumn(help="The data split and the shuffling: runs with different "
                                                   "seeds are scored on different validation cases.")})
    st.multiselect("Overlay runs on the curves", [r.run_id for r in state.runs()], max_selections=2, select_all=False,
                   key="overlay_runs", format_func=lambda i: f"run {i}",
                   help="Draw up to two earlier runs' validation curves, dashed, for comparison.")
