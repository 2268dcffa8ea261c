"""Background training jobs for a server with many sessions.

A job trains on its own thread so the page that started it can go away and
come back. At most ``max_jobs()`` jobs train at once in a process (TensorFlow's
thread pools are shared, so more would only slow everyone); later ones wait
in first-come order and can tell their place in the queue. A job holds only a
weak reference to its owner (the browser session's state): when the owner is
garbage-collected the job stops itself and frees its slot.
"""
from __future__ import annotations

import math
import os
import threading
import time
import weakref
from collections import deque

import numpy as np

from .config import TrainConfig
from .datasets import Dataset
from .model import TrainedModel
from .runs import RunResult, run_training
from .training import EpochReport

SCORE_BUDGET_BYTES = 32 * 2**20


def max_jobs() -> int:
    """Concurrent trainings per process: ``LOGREG_MAX_JOBS`` or the number of cores."""
    return max(1, int(os.environ.get("LOGREG_MAX_JOBS") or os.cpu_count() or 1))


class JobSlots:
    """A counting semaphore that serves waiters in order and can say where each one stands."""

    def __init__(self, size: int):
        self.size = size
        self._running = 0
        self._waiting: deque = deque()
        self._cond = threading.Condition()

    def acquire(self, job: "TrainingJob") -> bool:
        """Wait for a slot; False if the job was stopped while waiting."""
        with self._cond:
            self._waiting.append(job)
            try:
                while not (self._running < self.size and self._waiting[0] is job):
                    if job.stop_requested:
                        return False
                    self._cond.wait(0.2)
                self._running += 1
                return True
            finally:
                self._waiting.remove(job)
                self._cond.notify_all()

    def release(self) -> None:
        with self._cond:
            self._running -= 1
            self._cond.notify_all()

    def position(self, job: "TrainingJob") -> int | None:
        """1 for the next job to start, None when not waiting."""
        with self._cond:
            return self._waiting.index(job) + 1 if job in self._waiting else None

    @property
    def running(self) -> int:
        return self._running


_default_slots: JobSlots | None = None
_slots_lock = threading.Lock()


def default_slots() -> JobSlots:
    global _default_slots
    with _slots_lock:
        if _default_slots is None:
            _default_slots = JobSlots(max_jobs())
        return _default_slots


class TrainingJob:
    """One run on a background thread. Read it with ``snapshot()`` from any thread."""

    def __init__(self, dataset: Dataset, config: TrainConfig, *, initial: TrainedModel | None = None,
                 owner=None, slots: JobSlots | None = None):
        self.dataset = dataset
        self.config = config.validated()
        self.initial = initial
        self.slots = slots or default_slots()
        self._owner = weakref.ref(owner) if owner is not None else None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.state = "queued"
        self.started_at: float | None = None
        self.first_epoch_at: float | None = None  # after TensorFlow's import and the first compilation
        self.history: list[dict] = []
        self.score_history: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self.latest: EpochReport | None = None
        # Every epoch's model, on two-feature data only (three numbers a class each): a slow-motion replay
        # draws the decision boundary of the epoch it shows, not the one training has reached.
        self.boundary_models: list[TrainedModel] = []
        self.result: RunResult | None = None
        self.error: str | None = None
        per_epoch = (len(dataset.y_val) + len(dataset.y_test)) * (1 if dataset.is_binary else dataset.n_classes) * 4
        self._score_stride = max(1, math.ceil(self.config.epochs * per_epoch / SCORE_BUDGET_BYTES))
        self._thread = threading.Thread(target=self._run, name="logreg-training", daemon=True)

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set() or (self._owner is not None and self._owner() is None)

    def start(self) -> "TrainingJob":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def done(self) -> bool:
        return self.state == "finished"

    def queue_position(self) -> int | None:
        return self.slots.position(self) if self.state == "queued" else None

    def _record(self, report: EpochReport) -> None:
        with self._lock:
            if not self.history:
                self.first_epoch_at = time.perf_counter()
            self.history.append(report.history_row())
            self.latest = report
            if self.dataset.n_features == 2:
                self.boundary_models.append(report.model)
            if report.epoch % self._score_stride == 0:
                self.score_history[report.epoch] = (report.val_scores.astype(np.float32),
                                                    report.test_scores.astype(np.float32))

    def _run(self) -> None:
        if not self.slots.acquire(self):
            self._finish(None, "Stopped before it started.")
            return
        try:
            self.state, self.started_at = "running", time.perf_counter()
            result = run_training(self.dataset, self.config, initial=self.initial,
                                  on_epoch=self._record, should_stop=lambda: self.stop_requested)
            self._finish(result, None)
        except Exception as exc:  # a failure must reach the page as a message, not kill the server
            self._finish(None, f"Training failed: {exc}")
        finally:
            self.slots.release()

    def _finish(self, result: RunResult | None, error: str | None) -> None:
        with self._lock:
            if result is not None:  # the scrubber ends at the kept model: epochs after it were discarded
                kept = result.model.epochs_trained  # (early stopping, divergence), and a stop may fall between strides
                self.score_history = {epoch: scores for epoch, scores in self.score_history.items() if epoch < kept}
                self.score_history[kept] = (result.val_scores.astype(np.float32),
                                            result.test_scores.astype(np.float32))
            self.result, self.error, self.state = result, error, "finished"

    def snapshot(self) -> dict:
        """A consistent copy of the job's progress for drawing a page."""
        with self._lock:
            now = time.perf_counter()
            elapsed = now - self.started_at if self.started_at else 0.0
            done_epochs = len(self.history)
            left = None  # at the pace since the first epoch: that one takes in compiling (and, in a new process,
            # TensorFlow's import), and from it the first run of 200 epochs said "about 45 s left" and took 0.7 s
            if done_epochs >= 2 and self.state == "running":
                left = (now - self.first_epoch_at) / (done_epochs - 1) * (self.config.epochs - done_epochs)
            return {
                "state": self.state, "history": list(self.history), "latest": self.latest,
                "boundary_models": list(self.boundary_models),
                "epochs_done": done_epochs, "epochs_total": self.config.epochs,
                "seconds_left": left, "seconds_since_start": elapsed,
                "seconds_since_first_epoch": now - self.first_epoch_at if self.first_epoch_at else 0.0,
                "queue_position": self.queue_position(),
                "result": self.result, "error": self.error,
            }
