"""A trained logistic-regression model as plain NumPy arrays.

Training runs in TensorFlow, but everything after it (scores for the
threshold explorer, predictions on uploaded rows, odds ratios) is NumPy, so
the dashboard never needs TensorFlow to show a model.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .errors import LogRegError


HUGE = 1e30  # magnitudes above this are not safely representable in float32 arithmetic: read as missing


def unusable(X: np.ndarray) -> np.ndarray:
    """Where a feature value is missing (NaN), infinite or huge: none a model can use as it is."""
    return ~(np.isfinite(X) & (np.abs(X) <= HUGE))


def standardization(X_train: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and scale of each training column. A constant column gets its value and scale 1, so that it
    standardizes to exactly 0 and never moves its weight: its computed std is rounding noise, not 0
    (1e-17 for a column of 0.1s), and dividing by that would blow any other value up 1e16-fold."""
    constant = np.ptp(X_train, axis=0) == 0
    mean = np.where(constant, X_train[0], X_train.mean(axis=0))
    return mean, np.where(constant, 1.0, X_train.std(axis=0))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function with full relative precision in both tails (0.5·(1 + tanh(z/2)) is 0 for
    every z below −37, so such cases would tie at 0) and no overflow."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def one_hot_groups(sources) -> list[list[int]]:
    """The indices of the features the CSV loader made from one text column (``Dataset.feature_sources``:
    those that name a level), for each such column with two or more levels, in feature order."""
    groups: dict[str, list[int]] = {}
    for j, (column, level) in enumerate(sources):
        if level is not None:
            groups.setdefault(column, []).append(j)
    return [group for group in groups.values() if len(group) > 1]


def missing_fill(dataset) -> np.ndarray:
    """What a missing value becomes, as the loader made it in training: a number column's training
    median, and 0 for a text column's level features (a blank is none of its column's levels)."""
    fill = np.median(dataset.X_train, axis=0)
    fill[[j for j, (_, level) in enumerate(dataset.feature_sources) if level is not None]] = 0.0
    return fill


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


@dataclass(frozen=True)
class TrainedModel:
    """Standardization + linear layer: logits = ((X - mean) / scale) @ weights + bias.

    Binary models have one output column (the positive class's logit) and
    ``predict_proba`` returns P(positive); multiclass models return the
    softmax probabilities, one column per class.
    """

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    fill: np.ndarray  # what a missing value becomes, as in training: see ``missing_fill``
    feature_sources: tuple[tuple[str, str | None], ...]  # as ``Dataset.feature_sources``
    epochs_trained: int = 0

    @classmethod
    def untrained(cls, dataset) -> "TrainedModel":
        mean, scale = standardization(dataset.X_train)
        outputs = 1 if dataset.is_binary else dataset.n_classes
        return cls(mean, scale, np.zeros((dataset.n_features, outputs)), np.zeros(outputs),
                   tuple(dataset.feature_names), tuple(dataset.class_names), missing_fill(dataset),
                   tuple(dataset.feature_sources))

    @property
    def is_binary(self) -> bool:
        return self.weights.shape[1] == 1

    @property
    def n_features(self) -> int:
        return self.weights.shape[0]

    def with_weights(self, weights, bias, epochs_trained: int) -> "TrainedModel":
        return replace(self, weights=np.asarray(weights, np.float64), bias=np.asarray(bias, np.float64),
                       epochs_trained=epochs_trained)

    def check_features(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            got = X.shape[1] if X.ndim == 2 else "?"
            raise LogRegError(f"the model takes {self.n_features} feature columns, got {got}")
        return X

    def standardize(self, X) -> np.ndarray:
        """Standardized rows; a missing (NaN), infinite or huge feature takes ``fill`` first, as the loader,
        ``predict_rows`` and the exported model treat one, so that every path predicts alike."""
        X = self.check_features(X)
        bad = unusable(X)
        return self.standardize_usable(np.where(bad, self.fill, X) if bad.any() else X)

    def standardize_usable(self, X) -> np.ndarray:
        """Rows already known to hold only usable values (training's splits, checked once per run)."""
        return (X - self.mean) / self.scale

    def logits(self, X) -> np.ndarray:
        return self.logits_of_standardized(self.standardize(X))

    def logits_of_standardized(self, X_standardized) -> np.ndarray:
        """Logits of rows already standardized by ``standardize``: training standardizes each split once
        per run, not once per epoch, and gets the very numbers ``logits`` would."""
        z = X_standardized @ self.weights + self.bias
        return z[:, 0] if self.is_binary else z

    def predict_proba(self, X) -> np.ndarray:
        return self.proba_of_logits(self.logits(X))

    def proba_of_logits(self, z) -> np.ndarray:
        return sigmoid(z) if self.is_binary else np.exp(_log_softmax(z))

    def predict(self, X, threshold: float = 0.5) -> np.ndarray:
        """Class codes: binary positive when P(positive) ≥ threshold; multiclass argmax."""
        p = self.predict_proba(X)
        return (p >= threshold).astype(np.int64) if self.is_binary else p.argmax(axis=1)

    def proba_of_class(self, X, classes) -> np.ndarray:
        """Each row's probability of the class code in ``classes`` (e.g. the class it was said to be)."""
        p = self.predict_proba(X)
        classes = np.asarray(classes)
        if self.is_binary:
            return np.where(classes == 1, p, 1 - p)
        return p[np.arange(len(p)), classes]

    def loss_and_accuracy(self, X, y) -> tuple[float, float]:
        """Mean cross-entropy (no penalty) and accuracy (binary at 0.5)."""
        return self.loss_and_accuracy_of_logits(self.logits(X), y)

    def loss_and_accuracy_of_logits(self, z, y) -> tuple[float, float]:
        if len(y) == 0:
            return float("nan"), float("nan")
        with np.errstate(all="ignore"):
            if self.is_binary:
                loss = np.mean(np.logaddexp(0.0, z) - y * z)
                correct = (z >= 0) == (y == 1)
            else:
                loss = -np.mean(_log_softmax(z)[np.arange(len(y)), y])
                correct = z.argmax(axis=1) == y
        return float(loss), float(np.mean(correct))

    def _binary_weights(self) -> np.ndarray:
        if not self.is_binary:
            raise LogRegError("odds ratios are defined for binary models only")
        return self.weights[:, 0]

    def odds_ratios(self) -> dict[str, np.ndarray]:
        """Binary only: odds multiplier for +1 standard deviation and +1 raw unit of each feature."""
        w = self._binary_weights()
        with np.errstate(over="ignore"):
            return {"per_sd": np.exp(w), "per_unit": np.exp(w / self.scale)}

    def level_odds_ratios(self) -> dict[str, np.ndarray]:
        """Binary only: for each level of a one-hot text column (``one_hot_groups``), the odds multiplier
        for switching a row from the column's reference level to this level, all else equal.

        A switch flips two 0/1 features at once, so the multiplier is exp(w_level/s_level − w_ref/s_ref);
        a level's per-unit odds ratio moves its own feature alone, which no row can do. The reference is
        the level most common in training (the largest mean of its 0/1 feature; the first in sorted
        order on a tie). ``reference`` is that level's value as the column holds it ("no" for
        ``smoker=yes``). Both are NaN / None outside such columns.
        """
        log_per_unit = self._binary_weights() / self.scale
        vs_reference = np.full(self.n_features, np.nan)
        reference = np.full(self.n_features, None, dtype=object)
        for group in one_hot_groups(self.feature_sources):
            ref = group[int(np.argmax(self.mean[group]))]
            with np.errstate(over="ignore"):
                vs_reference[group] = np.exp(log_per_unit[group] - log_per_unit[ref])
            reference[group] = self.feature_sources[ref][1]
        return {"vs_reference": vs_reference, "reference": reference}
