"""One whole training run, consumed from the per-epoch generator.

The CLI and the dashboard's background jobs both drive training through
``run_training``, so stopping, history and the final model mean the same
thing everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .config import TrainConfig
from .datasets import Dataset
from .model import TrainedModel
from .training import EpochReport, train


@dataclass
class RunResult:
    """A finished (or stopped) run: its history and the model it keeps."""

    config: TrainConfig
    model: TrainedModel
    history: list[dict] = field(default_factory=list)
    stopped_reason: str = "stopped"
    message: str | None = None
    notes: list[str] = field(default_factory=list)
    val_scores: np.ndarray | None = None
    test_scores: np.ndarray | None = None

    @property
    def epochs_run(self) -> int:
        return len(self.history)

    @property
    def kept_history(self) -> list[dict]:
        """The history up to the kept model's epoch: early stopping and divergence discard the epochs
        after it, and a run continued from this one resumes there."""
        return [row for row in self.history if row["epoch"] <= self.model.epochs_trained]

    @property
    def seconds(self) -> float:
        """Wall time of the epochs themselves (each epoch's step and its evaluation)."""
        return sum(row["seconds"] for row in self.history)


def run_training(dataset: Dataset, config: TrainConfig, *, initial: TrainedModel | None = None,
                 on_epoch: Callable[[EpochReport], None] | None = None,
                 should_stop: Callable[[], bool] | None = None) -> RunResult:
    """Train to the end, or until ``should_stop()`` is true after an epoch.

    ``on_epoch`` sees every report as it arrives. A run stopped by the caller
    keeps the weights of its last finished epoch (``stopped_reason="stopped"``).
    """
    start = initial if initial is not None else TrainedModel.untrained(dataset)
    epochs = train(dataset, config, start)  # from the untrained model is from scratch: built once
    result = RunResult(config.validated(), start)
    try:
        for report in epochs:
            result.history.append(report.history_row())
            result.notes.extend(report.notes)
            result.model, result.val_scores, result.test_scores = report.model, report.val_scores, report.test_scores
            if on_epoch is not None:
                on_epoch(report)
            if report.stop:
                result.stopped_reason, result.message = report.stop, report.message
                break
            if should_stop is not None and should_stop():
                result.message = f"Stopped by request after epoch {report.epoch}; its weights are kept."
                break
    finally:
        epochs.close()
    return result
