"""Speed as ratios measured in one process: `make bench`. Not a test.

Epochs on MNIST-sized synthetic data (60,000 × 784, 10 classes, batch 256, SGD):
the seeds' eager per-batch loop over tf.data, a tf.function per step, and our
whole-epoch tf.function, against one compiled full-data forward+backward pass.
Threshold work: a full sweep against scikit-learn's roc_curve, and one report.
Writes benchmarks/RESULTS.md.
"""
from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logreg_core.tf_runtime import tensorflow  # noqa: E402
from logreg_core.training import compiled_epoch  # noqa: E402


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def epoch_benchmarks(n=60_000, d=784, k=10, batch=256, lr=0.1):
    tf = tensorflow()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, d)).astype(np.float32)
    y = rng.integers(0, k, n).astype(np.int32)
    Xt, yt = tf.constant(X), tf.constant(y)
    W, b = tf.Variable(tf.zeros([d, k])), tf.Variable(tf.zeros([k]))
    opt = tf.keras.optimizers.SGD(lr)

    def loss_fn(xb, yb):
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=xb @ W + b))

    def eager_epoch():  # the seeds' way: a Python loop of GradientTape steps over tf.data
        for xb, yb in tf.data.Dataset.from_tensor_slices((X, y)).shuffle(5000).batch(batch):
            with tf.GradientTape() as tape:
                loss = loss_fn(xb, yb)
            opt.apply_gradients(zip(tape.gradient(loss, [W, b]), [W, b]))

    @tf.function
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = loss_fn(xb, yb)
        opt.apply_gradients(zip(tape.gradient(loss, [W, b]), [W, b]))

    def per_step_epoch():
        order = rng.permutation(n)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            step(tf.gather(Xt, idx), tf.gather(yt, idx))

    epoch = compiled_epoch(False, "sgd")
    # weights and bias, then the optimizer state: first moments, second moments, step count
    zeros = (tf.zeros([d, k]), tf.zeros([k])) * 3 + (tf.constant(0.0),)
    ones = tf.ones([n])

    def our_epoch():
        epoch(Xt, yt, ones, tf.constant(rng.permutation(n), tf.int32), tf.constant(batch), tf.constant(lr),
              tf.constant(0.0), *zeros)[0].numpy()

    @tf.function
    def full_pass(Wc, bc):
        with tf.GradientTape() as tape:
            tape.watch([Wc, bc])
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yt, logits=Xt @ Wc + bc))
        return tape.gradient(loss, [Wc, bc])

    for warm in (eager_epoch, per_step_epoch, our_epoch, lambda: full_pass(zeros[0], zeros[1])[0].numpy()):
        warm()
    eager = best_of(eager_epoch, 2)
    per_step = best_of(per_step_epoch)
    ours = best_of(our_epoch, 5)
    floor = best_of(lambda: full_pass(zeros[0], zeros[1])[0].numpy(), 5)
    return {"eager per-batch loop (seeds)": eager, "tf.function per step": per_step,
            "whole epoch compiled (ours)": ours, "one full forward+backward pass": floor}


def threshold_benchmarks(n=100_000):
    from sklearn.metrics import roc_curve

    from logreg_core.threshold import Sweep

    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, n)
    s = rng.random(n) * 0.6 + 0.3 * y
    sk = best_of(lambda: roc_curve(y, s), 5)
    ours = best_of(lambda: Sweep.from_scores(y, s).curves(), 5)
    sweep = Sweep.from_scores(y, s)
    start = time.perf_counter()
    for t in np.linspace(0.05, 0.95, 200):
        sweep.report(t)
    report = (time.perf_counter() - start) / 200
    return {"scikit-learn roc_curve": sk, "full sweep, every metric (ours)": ours, "one report from a sweep": report}


def main():
    epochs = epoch_benchmarks()
    thresholds = threshold_benchmarks()
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, " \
              f"TensorFlow {tensorflow().__version__}"
    ours, eager = epochs["whole epoch compiled (ours)"], epochs["eager per-batch loop (seeds)"]
    floor = epochs["one full forward+backward pass"]
    lines = ["# Benchmark results", "", f"Machine: {machine}", "",
             "## Epoch time (60,000 × 784, 10 classes, batch 256, SGD)", "", "| variant | seconds | vs ours |",
             "|---|---|---|"]
    lines += [f"| {name} | {t:.4f} | {t / ours:.2f}× |" for name, t in epochs.items()]
    lines += ["", f"Speed-up over the seeds' eager loop: **{eager / ours:.1f}×**; "
              f"our epoch / one full forward+backward pass: **{ours / floor:.2f}×**.", "",
              "## Threshold sweep (100,000 scores)", "", "| variant | seconds |", "|---|---|"]
    lines += [f"| {name} | {t:.6f} |" for name, t in thresholds.items()]
    lines += ["", f"Full sweep / roc_curve: **{thresholds['full sweep, every metric (ours)'] / thresholds['scikit-learn roc_curve']:.2f}×**; "
              f"one report: **{thresholds['one report from a sweep'] * 1000:.3f} ms**."]
    text = "\n".join(lines) + "\n"
    (Path(__file__).parent / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
