"""Background jobs: bounded slots, queue order, stopping, and owners that go away."""
import gc
import threading
import time

import numpy as np
import pytest

from logreg_core import TrainConfig, load_dataset
from logreg_core.jobs import JobSlots, TrainingJob


def wait_for(predicate, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def test_jobs_queue_behind_a_bounded_slot_and_report_their_place():
    ds = load_dataset("breast_cancer")
    slots = JobSlots(1)
    first = TrainingJob(ds, TrainConfig(epochs=10_000), slots=slots).start()
    assert wait_for(lambda: first.state == "running")
    second = TrainingJob(ds, TrainConfig(epochs=2), slots=slots).start()
    assert wait_for(lambda: second.queue_position() == 1)
    assert second.snapshot()["state"] == "queued"
    assert second.snapshot()["seconds_since_first_epoch"] == 0.0  # the slow-motion replay's clock has not started
    assert wait_for(lambda: len(first.history) >= 1)
    snap = first.snapshot()  # the replay is timed from the first epoch, not from the start (TensorFlow's import)
    assert snap["seconds_since_first_epoch"] == pytest.approx(
        snap["seconds_since_start"] - (first.first_epoch_at - first.started_at), abs=1e-9)
    assert 0 < snap["seconds_since_first_epoch"] < snap["seconds_since_start"]
    first.stop()
    assert first.join(30) and first.result.stopped_reason == "stopped"
    assert second.join(60) and second.result.stopped_reason == "completed"
    assert len(second.history) == 2 and slots.running == 0


def test_stop_keeps_the_history_up_to_the_stop_and_leaves_no_thread():
    before = threading.active_count()
    job = TrainingJob(load_dataset("breast_cancer"), TrainConfig(epochs=10_000), slots=JobSlots(1)).start()
    assert wait_for(lambda: len(job.history) >= 3)
    job.stop()
    assert job.join(30)
    snap = job.snapshot()
    assert snap["state"] == "finished" and snap["result"].epochs_run == len(snap["history"]) >= 3
    assert snap["result"].model.epochs_trained == len(snap["history"])
    assert max(job.score_history) == snap["result"].model.epochs_trained
    assert threading.active_count() == before


def test_a_job_whose_owner_is_gone_stops_itself():
    class Owner:
        pass

    owner = Owner()
    job = TrainingJob(load_dataset("breast_cancer"), TrainConfig(epochs=10_000), owner=owner,
                      slots=JobSlots(1)).start()
    assert wait_for(lambda: len(job.history) >= 1)
    del owner
    gc.collect()
    assert job.join(30) and job.result.stopped_reason == "stopped"


def test_the_scrubbers_last_epoch_is_the_kept_model_after_early_stopping():
    """Early stopping keeps an earlier epoch's weights: the epochs after it were discarded, so the
    Threshold page's scores end at the kept epoch, with the kept model's scores."""
    config = TrainConfig(epochs=500, learning_rate=10.0, early_stopping=2)
    job = TrainingJob(load_dataset("breast_cancer"), config, slots=JobSlots(1)).start()
    assert job.join(60)
    result = job.result
    kept = result.model.epochs_trained
    assert result.stopped_reason == "early_stopped" and kept == len(job.history) - 2
    assert max(job.score_history) == kept
    np.testing.assert_array_equal(job.score_history[kept][0], result.model.predict_proba(job.dataset.X_val)
                                  .astype(np.float32))


def test_a_stop_between_recorded_epochs_still_records_the_kept_model():
    """A long multiclass run records scores every few epochs only; a Stop between two of them keeps its
    last epoch, whose scores the Threshold page must show."""
    job = TrainingJob(load_dataset("digits"), TrainConfig(epochs=10_000), slots=JobSlots(1)).start()
    assert job._score_stride > 1
    assert wait_for(lambda: len(job.history) % job._score_stride == 1 and len(job.history) > job._score_stride)
    job.stop()
    assert job.join(30)
    kept = job.result.model.epochs_trained
    assert kept == len(job.history) and max(job.score_history) == kept
    np.testing.assert_array_equal(job.score_history[kept][1], job.result.model.predict_proba(job.dataset.X_test)
                                  .astype(np.float32))


def test_two_feature_jobs_keep_every_epochs_model_for_the_boundary_replay():
    """Slow motion draws the boundary of the epoch on screen: each epoch's weights, as training reported them."""
    two = load_dataset("synthetic", n_features=2, n_samples=200)
    job = TrainingJob(two, TrainConfig(epochs=6), slots=JobSlots(1)).start()
    assert job.join(60)
    models = job.snapshot()["boundary_models"]
    assert [m.epochs_trained for m in models] == [1, 2, 3, 4, 5, 6]
    np.testing.assert_array_equal(models[-1].weights, job.result.model.weights)  # completed: the last is kept
    assert not np.array_equal(models[0].weights, models[-1].weights)
    wide = TrainingJob(load_dataset("breast_cancer"), TrainConfig(epochs=2), slots=JobSlots(1)).start()
    assert wide.join(60) and wide.snapshot()["boundary_models"] == []  # 30 features: no boundary to draw


def test_time_left_is_at_the_pace_since_the_first_epoch_not_since_the_start():
    """The first epoch takes in the compilation (and, in a new process, TensorFlow's import): counted in the
    pace, the first run of 200 epochs said "about 45 s left" and took 0.7 s. A slower start changes nothing."""
    job = TrainingJob(load_dataset("breast_cancer"), TrainConfig(epochs=10_000), slots=JobSlots(1)).start()
    assert wait_for(lambda: len(job.history) >= 1)
    assert job.snapshot()["seconds_left"] is None or len(job.history) >= 2  # one epoch: no pace yet
    assert wait_for(lambda: len(job.history) >= 20)
    first = job.snapshot()
    job.started_at -= 30.0  # as if the start had taken 30 s longer
    later = job.snapshot()
    job.stop()
    assert job.join(30)
    # (counted from the start, the 30 s spread over 20 epochs would add 30 / 20 × 9,980 s = 4 hours)
    assert later["seconds_left"] <= first["seconds_left"] * 1.5 + 1, (first["seconds_left"], later["seconds_left"])
