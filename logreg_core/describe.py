"""Descriptive summaries of a dataset and a model, for tables and pictures."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .datasets import Dataset
from .model import TrainedModel


def class_balance(dataset: Dataset) -> pd.DataFrame:
    """Rows per class and split (long format: split, class, count, share)."""
    rows = []
    for split in ("train", "val", "test"):
        y = dataset.split(split)[1]
        counts = np.bincount(y, minlength=dataset.n_classes)
        rows += [{"split": split, "class": name, "count": int(c), "share": c / max(len(y), 1)}
                 for name, c in zip(dataset.class_names, counts)]
    return pd.DataFrame(rows)


def feature_summary(dataset: Dataset, limit: int = 200) -> pd.DataFrame:
    """Training-split statistics per feature (the first ``limit`` features)."""
    X = dataset.X_train[:, :limit]
    return pd.DataFrame({
        "feature": dataset.feature_names[:limit], "mean": X.mean(axis=0), "std": X.std(axis=0),
        "min": X.min(axis=0), "median": np.median(X, axis=0), "max": X.max(axis=0),
    })


def preview(dataset: Dataset, rows: int = 20) -> pd.DataFrame:
    """The first training rows with their label, readable, under the target's name."""
    frame = pd.DataFrame(dataset.X_train[:rows], columns=dataset.feature_names)
    name = dataset.target_name
    if name in dataset.feature_names:  # a one-hot level named as the target ("color=red")
        name += " (target)"
    frame.insert(0, name, [dataset.class_names[c] for c in dataset.y_train[:rows]])
    return frame


def probability_grid(model: TrainedModel, X: np.ndarray, steps: int = 80, margin: float = 0.1):
    """P(positive) (or the top class's probability) over a grid spanning 2-feature data.

    Returns (xs, ys, z) with z[j, i] the probability at (xs[i], ys[j]), and, for
    multiclass models, the predicted class per grid point as a fourth item.
    """
    low, high = X.min(axis=0), X.max(axis=0)
    pad = (high - low) * margin + 1e-9
    xs = np.linspace(low[0] - pad[0], high[0] + pad[0], steps)
    ys = np.linspace(low[1] - pad[1], high[1] + pad[1], steps)
    gx, gy = np.meshgrid(xs, ys)
    p = model.predict_proba(np.column_stack([gx.ravel(), gy.ravel()]))
    if model.is_binary:
        return xs, ys, p.reshape(gx.shape), None
    return xs, ys, p.max(axis=1).reshape(gx.shape), p.argmax(axis=1).reshape(gx.shape)


def score_histogram(y: np.ndarray, scores: np.ndarray, bins: int = 40) -> dict:
    """Counts of scores per class on shared bins: {"centres", "hist": [negatives, positives]}."""
    low, high = (float(scores.min()), float(scores.max())) if len(scores) else (0.0, 1.0)
    if high <= low:
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    hist = [np.histogram(scores[y == code], bins=edges)[0] for code in (0, 1)]
    return {"centres": (edges[:-1] + edges[1:]) / 2, "hist": hist}
