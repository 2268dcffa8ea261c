"""Starting, stopping and collecting the session's background training job."""
from __future__ import annotations

import streamlit as st

from logreg_core import Dataset, LogRegError, TrainConfig, tf_runtime
from logreg_core.jobs import TrainingJob

from . import state


# Slow motion: a run too fast to see (breast cancer's 200 epochs take half a second) is drawn at no
# more than 40 epochs a second, and never over more than 5 s, so that a class watches its curves grow.
# Only the drawing waits: training runs at full speed and frees its slot for the next student.
REPLAY_EPOCHS_PER_S = 40
REPLAY_MAX_S = 5.0


def shown_epochs(done: int, total: int, seconds: float) -> int:
    """How many of the ``done`` epochs to draw ``seconds`` after the run started, in slow motion."""
    per_epoch = min(1 / REPLAY_EPOCHS_PER_S, REPLAY_MAX_S / max(total, 1))
    return min(done, int(seconds / per_epoch) + 1)


def waits(job: TrainingJob) -> bool:
    """Whether a job that has no epoch yet is waiting for seconds: for a training slot (others hold them all),
    or for TensorFlow's first import in this process. Otherwise its first epoch is a fraction of a second away."""
    return not tf_runtime.loaded() or (job.state == "queued" and job.slots.running >= job.slots.size)


class SessionToken:
    """Lives in the session's state; a job stops itself once this is garbage-collected."""


def token() -> SessionToken:
    return st.session_state.setdefault("owner_token", SessionToken())


def current_job() -> TrainingJob | None:
    return st.session_state.get("job")


def start(dataset: Dataset, config: TrainConfig, continues: state.TrainedRun | None = None) -> TrainingJob | None:
    """Start a job (stopping any running one), afresh or from the weights of the run it ``continues``;
    a bad setting is shown, nothing is lost."""
    try:
        config = config.validated()
    except LogRegError as exc:  # shown by the page after the callback; the trained model stays
        st.session_state.setdefault("train_errors", []).append(f"Cannot train with these settings: {exc}")
        return None
    old = current_job()
    if old is not None and not old.done:
        old.stop()
    job = TrainingJob(dataset, config, initial=continues.result.model if continues else None, owner=token())
    st.session_state["job"] = job
    st.session_state["job_continues"] = continues.run_id if continues else None
    st.session_state["job_collected"] = False
    return job.start()


def collect_finished() -> None:
    """Once the job has finished, keep its model as the session's trained run (once)."""
    job = current_job()
    if job is None or not job.done or st.session_state.get("job_collected"):
        return
    st.session_state["job_collected"] = True
    snap = job.snapshot()
    result = snap["result"]
    if result is None or not result.history:
        return
    run = state.TrainedRun(state.next_run_id(), job.dataset, result, dict(job.score_history),
                           continues=st.session_state.get("job_continues"))
    state.keep_run(run)
    state.refind_threshold(run)
