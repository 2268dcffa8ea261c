"""Training: a generator that yields one report per epoch.

Speed comes from compiling the *whole epoch*: one ``tf.function``, compiled
by XLA, walks a shuffled index set in mini-batches over data held as tensors,
with the gradient and the optimizer written out as tensor arithmetic. The
function is pure (weights and optimizer state in, weights and state out), has
a fixed input signature with unknown sizes, and is built once per process for
each (binary/multiclass, optimizer) pair — so no run, dataset or session ever
re-traces it, and concurrent sessions share no TensorFlow state but XLA's
programs, one per padded set of shapes (see ``compiled_epoch``).

Each split is standardized once per run and held so for its epochs' losses,
accuracies and scores: a second copy of the data while a run lasts (about
0.45 GB for MNIST), for epochs three times faster than standardizing again.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from .config import TrainConfig
from .datasets import Dataset
from .errors import LogRegError
from .model import TrainedModel, unusable

MOMENTUM = 0.9
ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON = 0.9, 0.999, 1e-7
DIVERGENCE_FACTOR, DIVERGENCE_PATIENCE = 10.0, 5


@dataclass
class EpochReport:
    """What one epoch did. ``stop`` is set on the last report of a run.

    ``stop`` is ``"completed"``, ``"diverged"`` or ``"early_stopped"``; a
    consumer that closes the generator has stopped it itself. On
    ``"early_stopped"`` and ``"diverged"``, ``model`` and the scores are those
    of the best epoch, or of the last epoch before the loss went up (NaN, infinite
    or above 10× its start), named in ``model_epoch``.
    Scores are probabilities: P(positive) for binary, one column per class otherwise.
    """

    epoch: int
    epochs_total: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    test_loss: float
    test_accuracy: float
    seconds: float
    model: TrainedModel
    val_scores: np.ndarray
    test_scores: np.ndarray
    model_epoch: int
    stop: str | None = None
    message: str | None = None
    notes: list[str] = field(default_factory=list)

    def history_row(self) -> dict:
        keys = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                "test_loss", "test_accuracy", "seconds")
        return {k: (None if isinstance(v := getattr(self, k), float) and not math.isfinite(v) else v)
                for k in keys}


@functools.lru_cache(maxsize=None)
def compiled_epoch(binary: bool, optimizer: str):
    """The compiled epoch for one model kind and optimizer (built once per process).

    XLA compiles it (``jit_compile``): the batch loop becomes one program with
    no per-operation dispatch. Measured here against the same loop as a
    TensorFlow graph: 1.7× faster on MNIST-sized data, up to 8× with small
    batches (10,000 × 100, batch 32).
    Two choices follow from what XLA runs fast on CPU:

    - the weights are held as [classes, features] inside the epoch, so both
      products read a batch row by row (x·Wᵀ, then gᵀ·x); with [features,
      classes] weights XLA's xᵀ·g made the epoch twice as slow;
    - the gradient is written out, (probability − truth) × row scale, the
      exact derivative of the weighted cross-entropy plus ½·l2·‖W‖².

    XLA compiles once per set of input shapes (0.1–0.3 s, in the first epoch
    of a run, and 0.2–0.7 MB kept for the life of the process), so callers pad
    the data's rows, the batch count and the batch width to a few sizes
    (``padded_length``): runs on datasets of nearby sizes, or with nearby batch
    sizes, share one program. Features and classes are not padded.
    """
    from .tf_runtime import tensorflow

    tf = tensorflow()
    f32, i32 = tf.float32, tf.int32
    signature = [
        tf.TensorSpec([None, None], f32),  # X (standardized), rows padded
        tf.TensorSpec([None], i32),        # y codes, padded alike
        tf.TensorSpec([None, None], i32),  # this epoch's batches of row indices, [batches, batch size]
        tf.TensorSpec([None, None], f32),  # each row's gradient scale (see epoch_batches)
        tf.TensorSpec([], i32),            # batches to run (the rest is padding)
        tf.TensorSpec([], f32),            # learning rate
        tf.TensorSpec([], f32),            # l2
        tf.TensorSpec([None, None], f32),  # W, [classes, features]
        tf.TensorSpec([None], f32),        # b
        tf.TensorSpec([None, None], f32), tf.TensorSpec([None], f32),  # first moments / velocity
        tf.TensorSpec([None, None], f32), tf.TensorSpec([None], f32),  # second moments (Adam)
        tf.TensorSpec([], f32),            # optimizer step count
    ]

    def gradients(W, b, xb, yb, scale, l2):
        z = tf.matmul(xb, W, transpose_b=True) + b
        if binary:
            g = tf.sigmoid(z) - tf.cast(yb, f32)[:, None]
        else:
            g = tf.nn.softmax(z) - tf.one_hot(yb, tf.shape(W)[0])
        g = g * scale[:, None]
        return tf.matmul(g, xb, transpose_a=True) + l2 * W, tf.reduce_sum(g, 0)

    def step(params, grads, m, v, t, lr):
        if optimizer == "sgd":
            return [p - lr * g for p, g in zip(params, grads)], m, v
        if optimizer == "momentum":
            m = [MOMENTUM * mi + g for mi, g in zip(m, grads)]
            return [p - lr * mi for p, mi in zip(params, m)], m, v
        m = [ADAM_BETA1 * mi + (1 - ADAM_BETA1) * g for mi, g in zip(m, grads)]
        v = [ADAM_BETA2 * vi + (1 - ADAM_BETA2) * g * g for vi, g in zip(v, grads)]
        correction = tf.sqrt(1 - ADAM_BETA2 ** t) / (1 - ADAM_BETA1 ** t)
        return ([p - lr * correction * mi / (tf.sqrt(vi) + ADAM_EPSILON) for p, mi, vi in zip(params, m, v)],
                m, v)

    # autograph=False, with the batch loop written as tf.while_loop: AutoGraph would parse this
    # function's source with ``ast`` on the training thread, and on Python 3.11 ``ast`` is not safe
    # to use from two threads at once (CPython gh-106905: "SystemError: AST constructor recursion
    # depth mismatch"): a first trace that met a Streamlit page compile or another job's trace on
    # the same server could fail that training. Same graph, same numbers.
    @tf.function(input_signature=signature, autograph=False, jit_compile=True)
    def epoch(X, y, batches, scales, n_batches, lr, l2, W, b, mW, mb, vW, vb, t):
        def one_batch(i, W, b, mW, mb, vW, vb, t):
            rows = batches[i]
            grads = gradients(W, b, tf.gather(X, rows), tf.gather(y, rows), scales[i], l2)
            t = t + 1.0
            (W, b), (mW, mb), (vW, vb) = step([W, b], grads, [mW, mb], [vW, vb], t, lr)
            return i + 1, W, b, mW, mb, vW, vb, t

        _, W, b, mW, mb, vW, vb, t = tf.while_loop(
            lambda i, *_: i < n_batches, one_batch, (tf.constant(0), W, b, mW, mb, vW, vb, t))
        return W, b, mW, mb, vW, vb, t

    return epoch


def padded_length(m: int) -> int:
    """The smallest of a few sizes ≥ m (at most 25% more; four per doubling) that padded shapes take."""
    step = 2 ** max(0, m.bit_length() - 3)
    return -(-m // step) * step


def padded_rows(a: np.ndarray, dtype) -> np.ndarray:
    """``a`` as ``dtype`` with zero rows added up to ``padded_length``; the epoch never reads them."""
    padded = np.zeros((padded_length(len(a)),) + a.shape[1:], dtype)
    padded[:len(a)] = a
    return padded


def epoch_batches(order: np.ndarray, weights: np.ndarray, batch_size: int):
    """One epoch's batches as the compiled epoch takes them: (row indices, scales, batch count).

    Indices are ``order`` cut into rows of ``batch_size``; both the batch count
    and the batch width are padded (``padded_length``), so batch sizes 100 and
    101, or full batches of 341 and 350 rows, share one program. A row's scale
    is its example weight over its batch's number of rows, so each batch's
    gradient is its weighted mean and a short last batch averages over its own
    rows. Padding points at row 0 with scale 0: it adds exactly nothing (while
    the weights are finite), and padded batches are not run at all.
    """
    n = len(order)
    count = -(-n // batch_size)
    rows, row_weights = np.zeros(count * batch_size, np.int32), np.zeros(count * batch_size, np.float32)
    rows[:n], row_weights[:n] = order, weights[order]
    shape = (padded_length(count), padded_length(batch_size))
    indices, scales = np.zeros(shape, np.int32), np.zeros(shape, np.float32)
    indices[:count, :batch_size] = rows.reshape(count, batch_size)
    scales[:count, :batch_size] = row_weights.reshape(count, batch_size)
    scales[:count - 1] /= batch_size
    scales[count - 1] /= n - (count - 1) * batch_size
    return indices, scales, count


def class_weights(y: np.ndarray, n_classes: int, mode: str | None) -> np.ndarray:
    """Per-example weights: all ones, or ``"balanced"`` n/(k·n_class)."""
    if mode is None:
        return np.ones(len(y), np.float32)
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    per_class = np.where(counts > 0, len(y) / (n_classes * np.maximum(counts, 1)), 0.0)
    return per_class[y].astype(np.float32)


def _diverged(loss: float, first_loss: float, high_streak: int) -> str | None:
    if not math.isfinite(loss):
        return "became NaN" if math.isnan(loss) else "became infinite"
    if high_streak >= DIVERGENCE_PATIENCE:
        return f"stayed above {DIVERGENCE_FACTOR:g}× its starting value ({first_loss:.3g}) for {DIVERGENCE_PATIENCE} epochs"
    return None


def _check_features(dataset: Dataset) -> None:
    """The loaders fill missing values and read huge ones as missing; a Dataset built by hand may not have,
    and a NaN would end training as if the learning rate were too high."""
    for split in ("train", "val", "test"):
        X = getattr(dataset, f"X_{split}")
        bad = unusable(X)
        if bad.any():
            row, column = np.argwhere(bad)[0]
            raise LogRegError(f"the {split} features hold {int(bad.sum())} missing (NaN), infinite or huge (beyond "
                              f"±1e30) value(s), first {float(X[row, column])!r} at X_{split}[{row}, {column}] "
                              f"(feature {str(dataset.feature_names[column])!r}): fill or remove them (the CSV "
                              "loader fills them with the training median)")


def train(dataset: Dataset, config: TrainConfig, initial: TrainedModel | None = None) -> Iterator[EpochReport]:
    """Train logistic regression on ``dataset``, yielding an EpochReport per epoch.

    Pass ``initial`` (a previous run's model) to continue from its weights for
    ``config.epochs`` more epochs; epoch numbers continue from it (optimizer
    state starts afresh). Close the generator to stop; nothing is left behind.
    The same dataset, config and seed give the same numbers.
    """
    config = config.validated()
    _check_features(dataset)
    notes = []
    n = len(dataset.y_train)
    batch_size = config.batch_size
    if batch_size > n:
        notes.append(f"Batch size {batch_size} is larger than the {n} training rows: using {n} (full batch).")
        batch_size = n
    model = initial if initial is not None else TrainedModel.untrained(dataset)
    if model.n_features != dataset.n_features or len(model.class_names) != dataset.n_classes:
        raise LogRegError("the model to continue was trained on different columns or classes: train afresh")
    return _epochs(dataset, config, model, batch_size, notes)


def _evaluated(model, splits):
    """(loss, accuracy) on each split, then validation and test probabilities, from one product per split."""
    logits = [model.logits_of_standardized(X) for X, _ in splits]
    return (*(model.loss_and_accuracy_of_logits(z, y) for z, (_, y) in zip(logits, splits)),
            model.proba_of_logits(logits[1]), model.proba_of_logits(logits[2]))


def _epochs(dataset, config, model, batch_size, notes):
    from .tf_runtime import tensorflow

    tf = tensorflow()
    epoch_fn = compiled_epoch(model.is_binary, config.optimizer)
    splits = [(model.standardize_usable(X), y) for X, y in ((dataset.X_train, dataset.y_train),
                                                     (dataset.X_val, dataset.y_val), (dataset.X_test, dataset.y_test))]
    X, y = tf.constant(padded_rows(splits[0][0], np.float32)), tf.constant(padded_rows(dataset.y_train, np.int32))
    weights = class_weights(dataset.y_train, dataset.n_classes, config.class_weight)
    hyper = (tf.constant(config.learning_rate, tf.float32), tf.constant(config.l2, tf.float32))
    W = tf.constant(model.weights.T, tf.float32)  # [classes, features] inside the epoch
    b = tf.constant(model.bias, tf.float32)
    state = (tf.zeros_like(W), tf.zeros_like(b), tf.zeros_like(W), tf.zeros_like(b), tf.constant(0.0))
    rng = np.random.default_rng(config.seed + model.epochs_trained)
    start = model.epochs_trained
    (first_loss, _), (best_loss, _), _, val_scores, test_scores = _evaluated(model, splits)
    last_good = (model, val_scores, test_scores, start)
    best, high_streak = last_good, 0  # the start's validation loss is the one to beat
    for epoch in range(start + 1, start + config.epochs + 1):
        began = time.perf_counter()
        batches, scales, count = epoch_batches(rng.permutation(len(dataset.y_train)), weights, batch_size)
        W, b, *state = epoch_fn(X, y, batches, scales, count, *hyper, W, b, *state)
        current = model.with_weights(W.numpy().T, b.numpy(), epoch)
        (train_loss, train_acc), (val_loss, val_acc), (test_loss, test_acc), val_scores, test_scores = \
            _evaluated(current, splits)
        seconds = time.perf_counter() - began
        high_streak = high_streak + 1 if train_loss > DIVERGENCE_FACTOR * first_loss else 0
        report = EpochReport(epoch, start + config.epochs, train_loss, train_acc, val_loss, val_acc,
                             test_loss, test_acc, seconds, current, val_scores, test_scores, epoch,
                             notes=notes if epoch == start + 1 else [])
        problem = _diverged(train_loss, first_loss, high_streak)
        if problem:
            report.model, report.val_scores, report.test_scores, report.model_epoch = last_good
            report.stop = "diverged"
            report.message = (f"Training diverged: the loss {problem} at epoch {epoch}. Lower the learning rate "
                              f"(now {config.learning_rate:g}) and train again; the weights of epoch "
                              f"{report.model_epoch} are kept.")
            yield report
            return
        if not high_streak:  # a divergence keeps the weights from before the loss went up, and none is best
            last_good = (current, val_scores, test_scores, epoch)
            if val_loss < best_loss:
                best, best_loss = last_good, val_loss
        if config.early_stopping and epoch - best[3] >= config.early_stopping:
            report.model, report.val_scores, report.test_scores, report.model_epoch = best
            report.stop = "early_stopped"
            report.message = (f"Stopped early: validation loss has not improved for {config.early_stopping} "
                              f"epoch{'s' * (config.early_stopping != 1)}; restored the weights of epoch {best[3]} "
                              f"(validation loss {best_loss:.4f}).")
            yield report
            return
        if epoch == start + config.epochs:
            report.stop = "completed"
            if high_streak:  # too few epochs for the divergence check to stop it: still say so
                report.message = (f"The loss ended at {train_loss:.3g}, above {DIVERGENCE_FACTOR:g}× its starting "
                                  f"value ({first_loss:.3g}): the learning rate (now {config.learning_rate:g}) is "
                                  "probably too large. Lower it and train again.")
        yield report
