"""Speed as ratios measured in one process: `make bench`. Not a test.

Epochs on MNIST-sized synthetic data (60,000 × 784, 10 classes, batch 256, SGD):
the seeds' eager per-batch loop over tf.data, a tf.function per step, and our
whole-epoch tf.function, against one compiled full-data forward+backward pass.
Threshold work: a full sweep against scikit-learn's roc_curve at three sizes,
and one report. Accuracy against scikit-learn on the same splits. In Chromium
(benchmarks/browser.py): first paint and slider step against a trivial
Streamlit app, and training with the Train page streaming against headless.
Writes benchmarks/RESULTS.md.
"""
from __future__ import annotations

import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logreg_core.tf_runtime import tensorflow  # noqa: E402
from logreg_core.training import compiled_epoch, epoch_batches, padded_rows  # noqa: E402


ROUNDS = 4


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

    def seed_loss(xb, yb):
        """The MNIST seed's loss as it writes it: softmax, clipped log, one-hot cross-entropy."""
        probabilities = tf.clip_by_value(tf.nn.softmax(xb @ W + b), 1e-9, 1.0)
        return tf.reduce_mean(-tf.reduce_sum(tf.one_hot(yb, k) * tf.math.log(probabilities), 1))

    # Built once, as both seeds build theirs before the epoch loop; iterating it again reshuffles.
    pipeline = tf.data.Dataset.from_tensor_slices((X, y)).shuffle(5000).batch(batch).prefetch(1)

    def eager_epoch(loss=seed_loss):
        """The seeds' loop: a Python loop of GradientTape steps over a shuffled, batched tf.data pipeline."""
        for xb, yb in pipeline:
            with tf.GradientTape() as tape:
                value = loss(xb, yb)
            opt.apply_gradients(zip(tape.gradient(value, [W, b]), [W, b]))

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
    # as training holds them: rows padded, weights [classes, features], then the optimizer state
    Xp, yp = tf.constant(padded_rows(X, np.float32)), tf.constant(padded_rows(y, np.int32))
    zeros = (tf.zeros([k, d]), tf.zeros([k])) * 3 + (tf.constant(0.0),)
    ones = np.ones(n, np.float32)

    def our_epoch():
        """As training runs an epoch: a permutation, cut into batches, then the compiled epoch."""
        epoch(Xp, yp, *epoch_batches(rng.permutation(n), ones, batch), tf.constant(lr), tf.constant(0.0),
              *zeros)[0].numpy()

    def full_pass_compiled(xla):
        @tf.function(jit_compile=xla)
        def full_pass(Wc, bc):
            with tf.GradientTape() as tape:
                tape.watch([Wc, bc])
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yt, logits=Xt @ Wc + bc))
            return tape.gradient(loss, [Wc, bc])
        return lambda: full_pass(tf.zeros([d, k]), tf.zeros([k]))[0].numpy()

    full_passes = [full_pass_compiled(False), full_pass_compiled(True)]
    for warm in (eager_epoch, per_step_epoch, our_epoch, *full_passes):
        warm()
    variants = {"eager per-batch loop (seeds)": (eager_epoch, 1),
                "eager per-batch loop, fused loss": (lambda: eager_epoch(loss_fn), 1),
                "tf.function per step": (per_step_epoch, 2), "whole epoch compiled (ours)": (our_epoch, 5),
                "full pass, graph": (full_passes[0], 5), "full pass, XLA": (full_passes[1], 5)}
    # Rounds in turn, the best of each kept: a spell of load on this shared machine (seconds of it, at
    # times) then hits every variant alike instead of all of one variant's runs.
    best = {name: math.inf for name in variants}
    for _ in range(ROUNDS):
        for name, (fn, repeats) in variants.items():
            best[name] = min(best[name], best_of(fn, repeats))
    best["one full forward+backward pass"] = min(best.pop("full pass, graph"), best.pop("full pass, XLA"))
    return best


def threshold_benchmarks(sizes=(10_000, 100_000, 1_000_000)):
    """A full sweep (every metric at every threshold) against roc_curve alone, per size; one report."""
    from sklearn.metrics import roc_curve

    from logreg_core.threshold import Sweep

    rng = np.random.default_rng(1)
    rows = {}
    for n in sizes:
        y = rng.integers(0, 2, n)
        s = rng.random(n) * 0.6 + 0.3 * y
        repeats = 3 if n >= 1_000_000 else 7
        sk = best_of(lambda: roc_curve(y, s), repeats)
        ours = best_of(lambda: Sweep.from_scores(y, s).curves(), repeats)
        sweep = Sweep.from_scores(y, s)
        start = time.perf_counter()
        for t in np.linspace(0.05, 0.95, 200):
            sweep.report(t)
        rows[n] = {"roc_curve": sk, "sweep": ours, "report": (time.perf_counter() - start) / 200}
    return rows


def sklearn_best_accuracy(ds) -> float:
    """scikit-learn's LogisticRegression on the same split, standardized on training: the better of C=1, C=100."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(ds.X_train)
    return max(LogisticRegression(C=C, max_iter=10_000).fit(scaler.transform(ds.X_train), ds.y_train)
               .score(scaler.transform(ds.X_test), ds.y_test) for C in (1.0, 100.0))


def accuracy_benchmarks():
    """Test accuracy against scikit-learn, same splits: the issue's settings per dataset (MNIST when cached)."""
    from logreg_core import TrainConfig, load_dataset, run_training
    from logreg_core.datasets import mnist_available

    runs = [("breast_cancer", seed, TrainConfig(epochs=200, batch_size=64, learning_rate=0.01, seed=seed))
            for seed in range(12)]
    runs.append(("digits", 0, TrainConfig(epochs=60, batch_size=64, learning_rate=0.1)))
    if mnist_available():
        runs.append(("mnist", 0, TrainConfig(epochs=10, batch_size=256, learning_rate=0.1)))
    rows = []
    for name, seed, config in runs:
        ds = load_dataset(name, seed=seed)
        ours = run_training(ds, config).history[-1]["test_accuracy"]
        rows.append({"dataset": name, "seed": seed, "settings": f"{config.epochs} epochs, batch {config.batch_size}, "
                     f"lr {config.learning_rate:g}, {config.optimizer}", "ours": ours,
                     "sklearn": sklearn_best_accuracy(ds), "n_test": len(ds.y_test)})
    return rows, mnist_available()


def browser_benchmarks():
    """First paint, slider step and streaming overhead in Chromium (None when no browser can start)."""
    from playwright.sync_api import sync_playwright

    from benchmarks import browser
    from tests.e2e.e2e_support import CHROMIUM, CHROMIUM_ARGS, serve

    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            with serve("app.py", name="bench") as app, browser.trivial_app() as trivial:
                results = {"first_paint": browser.first_paint(chromium, app.url, trivial),
                           "slider": browser.slider_latency(chromium, app.url, trivial)}
            with serve("app.py", name="bench-streaming") as app:
                results["streaming"] = browser.streaming_overhead(chromium, app.url, repeats=3)
            chromium.close()
            return results
    except Exception as exc:  # a machine without Chromium still gets the engine's numbers
        print(f"browser benchmarks skipped: {exc}", file=sys.stderr)
        return None


def cpu_model() -> str:
    """The processor's name (the same 2-core VM can land on Intel or AMD hosts, a 2× difference in epoch
    time), from /proc/cpuinfo where there is one."""
    cpuinfo = Path("/proc/cpuinfo")
    names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
             if line.startswith("model name")] if cpuinfo.exists() else []
    return names[0] if names else platform.processor() or "unknown processor"


def main():
    epochs = epoch_benchmarks()
    thresholds = threshold_benchmarks()
    accuracy, mnist = accuracy_benchmarks()
    web = browser_benchmarks()
    machine = f"{platform.machine()} ({cpu_model()}), {os.cpu_count()} cores, Python {platform.python_version()}, " \
              f"TensorFlow {tensorflow().__version__}"
    ours, eager = epochs["whole epoch compiled (ours)"], epochs["eager per-batch loop (seeds)"]
    floor = epochs["one full forward+backward pass"]
    lines = ["# Benchmark results", "", f"Machine: {machine}. Written by `make bench` ({time.strftime('%Y-%m-%d')}); "
             "every ratio compares two things timed in the same run.", "",
             "## Epoch time (60,000 × 784, 10 classes, batch 256, SGD)", "", "| variant | seconds | vs ours |",
             "|---|---|---|"]
    lines += [f"| {name} | {t:.4f} | {t / ours:.2f}× |" for name, t in epochs.items()]
    lines += ["", "The seeds' loop is the MNIST seed's code: softmax, clipped log and one-hot cross-entropy, "
              "`tf.optimizers.SGD`, over `shuffle(5000).batch(256).prefetch(1)` built once before the epochs, "
              "as the seeds build it; the fused-loss row is the same "
              "loop with TensorFlow's fused sparse cross-entropy, a kinder baseline.", "",
              f"Speed-up over the seeds' eager loop: **{eager / ours:.1f}×** (issue 3 asks ≥ 20×; over the "
              f"fused-loss loop {epochs['eager per-batch loop, fused loss'] / ours:.1f}×); "
              f"our epoch / one full forward+backward pass: **{ours / floor:.2f}×** (asks ≤ 1.5×).", "",
              "## Threshold sweep", "",
              "| scores | roc_curve alone (s) | full sweep, every metric (s) | sweep / roc_curve | one report (ms) |",
              "|---|---|---|---|---|"]
    lines += [f"| {n:,} | {r['roc_curve']:.5f} | {r['sweep']:.5f} | {r['sweep'] / r['roc_curve']:.2f}× | "
              f"{r['report'] * 1000:.3f} |" for n, r in thresholds.items()]
    lines += ["", "Issue 3 asks: sweep / roc_curve ≤ 1× at 100,000 scores, one report under 1 ms.", "",
              "## Test accuracy against scikit-learn (same split)", "",
              "scikit-learn: LogisticRegression, the better of C=1 and C=100, on the training split standardized "
              "on itself.", "", "| dataset | seed | our settings | ours | scikit-learn | gap (points) | test rows |",
              "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['dataset']} | {r['seed']} | {r['settings']} | {r['ours']:.3f} | {r['sklearn']:.3f} | "
              f"{100 * (r['sklearn'] - r['ours']):+.1f} | {r['n_test']} |" for r in accuracy]
    cancer = [r for r in accuracy if r["dataset"] == "breast_cancer"]
    gaps = [100 * (r["sklearn"] - r["ours"]) for r in cancer]
    lines += ["", f"Breast cancer over seeds 0–{len(cancer) - 1}: ours {np.mean([r['ours'] for r in cancer]):.3f}, "
              f"scikit-learn {np.mean([r['sklearn'] for r in cancer]):.3f} on average (gap {np.mean(gaps):+.1f} "
              f"points); {sum(g <= 1 for g in gaps)} of {len(gaps)} seeds within 1 point (issue 3 asks ≤ 1). "
              "One test row is 0.7 points."]
    if not mnist:
        lines += ["", "MNIST is not in the Keras cache on this machine (no download here), so it is not measured."]
    lines += ["", "## In the browser (Chromium, same machine, same server settings)", ""]
    if web is None:
        lines += ["Not measured: Chromium could not start."]
    else:
        paint, slider, stream = web["first_paint"], web["slider"], web["streaming"]
        lines += ["| measurement | LogReg Lab | reference | ratio | issue asks |", "|---|---|---|---|---|",
                  f"| landing page: navigation → heading (median, warm) | {paint['app']['warm']['median']:.3f} s | "
                  f"{paint['trivial']['warm']['median']:.3f} s (trivial app) | {paint['ratio']:.2f}× | ≤ 1.5× |",
                  f"| one slider step → confusion matrix shows it (median) | {slider['app_step']['median']:.3f} s | "
                  f"{slider['trivial_step']['median']:.3f} s (trivial app) | {slider['ratio']:.2f}× | ≤ 1.5× |",
                  f"| one slider step → the whole page has followed (median) | "
                  f"{slider['app_step_whole_page']['median']:.3f} s | {slider['trivial_step']['median']:.3f} s "
                  f"(trivial app) | {slider['app_step_whole_page']['median'] / slider['trivial_step']['median']:.2f}× "
                  "| |",
                  f"| training time, Train page open and streaming (median) | {stream['page_open']['median']:.2f} s | "
                  f"{stream['headless']['median']:.2f} s (headless) | {stream['ratio_page_open']:.2f}× | ≤ 1.3× |",
                  f"| training time, page left while it trains (median) | {stream['page_left']['median']:.2f} s | "
                  f"{stream['headless']['median']:.2f} s (headless) | {stream['ratio_page_left']:.2f}× | |",
                  "", f"Cold first paint (a new server's first session): app {paint['app']['cold']:.2f} s, trivial "
                  f"{paint['trivial']['cold']:.2f} s. The slider, its caption, the matrix and four rates redraw in the "
                  "browser from a table the server sent; the rest of the page (intervals, charts, link) follows "
                  "when the server answers, 120 ms after the last key. Slider jump to either end → confusion "
                  "matrix changed: median "
                  f"{slider['app_jump']['median']:.3f} s. Streaming: {stream['setup']['n_samples']:,} × "
                  f"{stream['setup']['n_features']} synthetic, {stream['setup']['epochs']} epochs, batch "
                  f"{stream['setup']['batch_size']}; samples {stream['page_open']['samples']} (open), "
                  f"{stream['headless']['samples']} (headless)."]
    text = "\n".join(lines) + "\n"
    (Path(__file__).parent / "RESULTS.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
