"""Export: a SavedModel that takes raw features, and a JSON model card.

The SavedModel computes in float64 from the model's own arrays and writes the
logistic function as ``model.sigmoid`` does, so reloading it gives the
probabilities of ``TrainedModel.predict_proba`` to within a unit or two in the
last place (TensorFlow's matrix product may round the logits differently).
"""
from __future__ import annotations

import io
import json
import math
import platform
import tempfile
import threading
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from .jsonsafe import json_safe
from .model import HUGE, TrainedModel
from .threshold import Sweep

CARD_FILE = "model_card.json"

# The first SavedModel written in a process makes AutoGraph convert TensorFlow's own signature
# wrapper, which parses Python source with ``ast``; on Python 3.11, ``ast`` used by two threads at once
# can fail (CPython gh-106905: "AST constructor recursion depth mismatch"). A classroom server whose
# sessions all press Export together would do exactly that, so exports take turns.
_export_lock = threading.Lock()


def library_versions() -> dict[str, str]:
    import importlib.metadata as md

    versions = {"python": platform.python_version()}
    for name in ("numpy", "scikit-learn", "pandas", "tensorflow-cpu", "tensorflow", "streamlit"):
        try:
            versions[name] = md.version(name)
        except md.PackageNotFoundError:
            pass
    return versions


TEST_CHOSEN = ("chosen looking at the test split: the test metrics at this threshold are optimistic, not an "
               "independent estimate; choose it on validation for one")


def model_card(model: TrainedModel, *, dataset, config, threshold: dict | None = None,
               test_report: dict | None = None, history: list[dict] | None = None,
               stopped_reason: str | None = None) -> dict:
    """Everything needed to understand and reproduce a model, as JSON-ready data.

    ``threshold`` is ``{"value", "chosen_by", "split"}``; ``test_report`` a
    ``ThresholdReport.to_dict()`` on the test split at that threshold. A threshold chosen on the test
    split itself gets a warning: the test metrics at it are no longer an independent estimate.
    """
    if threshold and threshold.get("split") == "test":
        threshold = {**threshold, "warning": TEST_CHOSEN}
    weights = {
        "feature_names": list(model.feature_names),
        "weights": model.weights.tolist(),
        "bias": model.bias.tolist(),
        "note": "Weights act on standardized features: (x - mean) / scale.",
    }
    if model.is_binary:
        odds = model.odds_ratios()
        weights["odds_ratio_per_sd"] = odds["per_sd"].tolist()
        weights["odds_ratio_per_unit"] = odds["per_unit"].tolist()
        levels = model.level_odds_ratios()
        if any(levels["reference"]):
            weights["odds_ratio_vs_reference_level"] = levels["vs_reference"].tolist()
            weights["reference_level"] = levels["reference"].tolist()
            weights["note"] += (" A text column's levels (column=value) compare with its reference level, the "
                                "most common in training: odds_ratio_vs_reference_level is the odds change when a "
                                "row switches from it (null for other features). Their per-SD and per-unit odds "
                                "ratios move one level's 0/1 column alone, which no row can.")
    card = {
        "model": "binary logistic regression (sigmoid)" if model.is_binary
        else f"multiclass logistic regression (softmax, {len(model.class_names)} classes)",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dataset": {"name": dataset.name, "sizes": dataset.sizes(), "notes": list(dataset.notes),
                    "options": dataset.options},
        "feature_names": list(model.feature_names),
        "feature_sources": [{"column": column, "level": level} for column, level in model.feature_sources],
        "class_names": list(model.class_names),
        "positive_class": model.class_names[1] if model.is_binary else None,
        "normalization": {"mean": model.mean.tolist(), "scale": model.scale.tolist(),
                          "fitted_on": "training split"},
        "missing_values": {"fill": model.fill.tolist(),
                           "note": "A missing or non-numeric value takes fill, in training, in predictions and "
                                   "in the SavedModel: a number column's training median; 0 for a text column's "
                                   "level features (a blank is none of its levels)."},
        "parameters": weights,
        "training": {"config": config.to_dict(), "epochs_trained": model.epochs_trained,
                     "stopped_reason": stopped_reason, "history": history or []},
        "threshold": threshold,
        "test_metrics": test_report,
        "library_versions": library_versions(),
        "intended_use": "Teaching and exploration; not for clinical decisions.",
    }
    return json_safe(card)


def binary_test_metrics(y_test, test_scores, threshold: float, prevalence: float | None = None,
                        cost_ratio: float | None = None) -> dict:
    """A binary model card's ``test_metrics``: the test split's report at ``threshold`` (with PPV, NPV, the
    net benefit and the cost at ``prevalence`` and ``cost_ratio`` when given), and its ROC AUC and average
    precision; ``prevalence_note`` says which numbers are at which prevalence."""
    sweep = Sweep.from_scores(y_test, test_scores)
    metrics = {**sweep.report(threshold, prevalence=prevalence, cost_ratio=cost_ratio).to_dict(), **sweep.ranking()}
    metrics["split_prevalence"] = sweep.prevalence
    metrics["prevalence_note"] = (
        f"counts, metrics and net_benefit are the test split's, at its own prevalence ({sweep.prevalence:.4g})"
        + ("." if prevalence is None else f"; prevalence_adjusted and expected_cost are at the population "
                                           f"prevalence assumed, {prevalence:g}."))
    if cost_ratio is not None:  # what expected_cost was computed for
        metrics["cost_ratio"] = cost_ratio
    return metrics


ROUNDING_ROOM = 1e-12


def save_model(model: TrainedModel, directory, threshold: float = 0.5, card: dict | None = None) -> Path:
    """Write a SavedModel (signature ``serving_default``: raw float64 features in,
    ``probabilities`` and ``predicted_class`` out) and, if given, the model card. A missing (NaN),
    infinite or huge (beyond ±1e30) feature takes ``model.fill``, as training and ``predict_rows`` do:
    a number column's training median, 0 for a text level."""
    from .tf_runtime import tensorflow

    tf = tensorflow()
    directory = Path(directory)

    class Exported(tf.Module):
        def __init__(self):
            super().__init__()
            self.mean = tf.constant(model.mean, tf.float64)
            self.scale = tf.constant(model.scale, tf.float64)
            self.weights = tf.constant(model.weights, tf.float64)
            self.bias = tf.constant(model.bias, tf.float64)
            # A hair below the threshold (1e-12 of it): a case whose score is the threshold itself (a target-
            # sensitivity threshold is one) stays positive, though TensorFlow may round its score an ulp lower.
            # An infinite threshold stays as it is (inf − inf·1e-12 would be NaN).
            room = abs(threshold) * ROUNDING_ROOM if math.isfinite(threshold) else 0.0
            self.threshold = tf.constant(threshold - room, tf.float64)
            self.fill = tf.constant(model.fill, tf.float64)

        # autograph=False: no source parsing for our own function (see _export_lock); the ``if`` below
        # is plain Python, decided when the function is traced.
        @tf.function(input_signature=[tf.TensorSpec([None, model.n_features], tf.float64, name="features")],
                     autograph=False)
        def serve(self, features):
            usable = tf.math.is_finite(features) & (tf.abs(features) <= HUGE)  # as the loader reads numbers
            features = tf.where(usable, features, self.fill)  # and as predict_rows fills them
            logits = tf.matmul((features - self.mean) / self.scale, self.weights) + self.bias
            if model.is_binary:
                z = logits[:, 0]  # the logistic function as model.sigmoid writes it (tf.sigmoid rounds otherwise)
                e = tf.exp(-tf.abs(z))
                p = tf.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
                return {"probabilities": p,
                        "predicted_class": tf.cast(p >= self.threshold, tf.int64)}
            return {"probabilities": tf.nn.softmax(logits), "predicted_class": tf.argmax(logits, axis=1)}

    with _export_lock:
        module = Exported()
        tf.saved_model.save(module, str(directory), signatures={"serving_default": module.serve})
    if card is not None:
        (directory / CARD_FILE).write_text(json.dumps(card, indent=2))
    return directory


def load_saved_model(directory):
    """The reloaded ``serving_default`` function: call it with ``features=`` a float64 tensor."""
    from .tf_runtime import tensorflow

    return tensorflow().saved_model.load(str(directory)).signatures["serving_default"]


def saved_model_zip(model: TrainedModel, threshold: float = 0.5, card: dict | None = None) -> bytes:
    """The SavedModel (and card) as the bytes of a zip file, for a download button."""
    with tempfile.TemporaryDirectory() as tmp:
        root = save_model(model, Path(tmp) / "logreg_model", threshold, card)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    zf.write(path, path.relative_to(root.parent).as_posix())
        return buffer.getvalue()
