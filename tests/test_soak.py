"""Issue 7, faults: a classroom server trains model after model in one process.

100 trainings through the same background jobs the dashboard uses, a third of
them stopped mid-run and a few abandoned by their owner (a closed tab): no
thread may be left behind, resident memory must stay within 10% of its level
after the first runs (the warm-up, when TensorFlow builds its caches), each
stopped run keeps its history up to the stop, and the compiled epoch is never
traced again.
"""
from __future__ import annotations

import gc
import os
import threading

import pytest

from logreg_core import TrainConfig, load_dataset, run_training
from logreg_core.jobs import JobSlots, TrainingJob
from logreg_core.training import compiled_epoch

from .test_jobs import wait_for

pytestmark = pytest.mark.slow
RUNS, WARM_UP = 100, 10


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class Owner:
    """Stands for a browser session's state; dropping it is closing the tab."""


def one_run(i: int, dataset, slots: JobSlots) -> None:
    kind = ("complete", "stop", "abandon")[i % 3]
    owner = Owner()
    epochs = 3 if kind == "complete" else 10_000
    job = TrainingJob(dataset, TrainConfig(epochs=epochs, seed=i), owner=owner, slots=slots).start()
    if kind == "stop":
        assert wait_for(lambda: len(job.history) >= 2, 30)
        job.stop()
    elif kind == "abandon":
        assert wait_for(lambda: len(job.history) >= 1, 30)
        del owner
        gc.collect()
    assert job.join(60), f"run {i} ({kind}) did not end"
    result = job.result
    if kind == "complete":
        assert result.stopped_reason == "completed" and result.epochs_run == 3
    else:
        assert result.stopped_reason == "stopped" and result.epochs_run < epochs
        assert result.epochs_run == len(job.history) >= 1  # the history up to the stop is kept
        assert result.model.epochs_trained == result.epochs_run


def test_a_hundred_trainings_leak_no_threads_and_no_memory():
    dataset = load_dataset("breast_cancer")
    slots = JobSlots(2)
    threads = threading.active_count()
    one_run(0, dataset, slots)  # TensorFlow's first trace and thread pools
    traced = compiled_epoch(True, "sgd").experimental_get_tracing_count()
    for i in range(1, WARM_UP):
        one_run(i, dataset, slots)
    gc.collect()
    warm = rss_bytes()
    peak = warm
    for i in range(WARM_UP, RUNS):
        one_run(i, dataset, slots)
        peak = max(peak, rss_bytes())
    gc.collect()
    after = rss_bytes()
    assert wait_for(lambda: threading.active_count() <= threads, 10), [t.name for t in threading.enumerate()]
    assert slots.running == 0
    assert compiled_epoch(True, "sgd").experimental_get_tracing_count() == traced
    assert after <= warm * 1.10, f"resident memory grew from {warm / 2**20:.0f} MB to {after / 2**20:.0f} MB"
    print(f"\nRSS after warm-up {warm / 2**20:.0f} MB, peak {peak / 2**20:.0f} MB, end {after / 2**20:.0f} MB")


def test_training_never_parses_source_code():
    """On Python 3.11, ``ast`` is not safe in two threads at once (CPython gh-106905: "SystemError: AST
    constructor recursion depth mismatch"). A server compiles page scripts on one thread while jobs
    trace on others, so tracing the epoch must not parse source (AutoGraph did: about 250 ast.parse
    calls per process). A fresh process, since each compiled epoch is traced once per process."""
    import subprocess
    import sys
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = textwrap.dedent("""
        import ast, sys
        from logreg_core import TrainConfig, load_dataset, run_training
        from logreg_core.tf_runtime import tensorflow

        tensorflow()  # importing it may parse; tracing must not
        calls = []
        parse = ast.parse
        ast.parse = lambda *a, **k: calls.append(a[1:2]) or parse(*a, **k)
        for name in ("breast_cancer", "digits"):
            dataset = load_dataset(name)
            for optimizer in ("sgd", "momentum", "adam"):
                run_training(dataset, TrainConfig(epochs=1, optimizer=optimizer))
        print(len(calls))
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "0"


def test_datasets_of_many_sizes_share_compiled_programs():
    """XLA keeps a program per set of input shapes for the life of the process, so a server that
    trains on 60 uploads of 60 different sizes must not keep 60 of them: the rows and batches are
    padded to a few sizes. (Unpadded, these 60 runs grew by 15 MB; padded, by none.)"""
    sizes = range(300, 360)
    config = TrainConfig(epochs=1, batch_size=16)
    datasets = [load_dataset("synthetic", n_samples=n, n_features=6, seed=n) for n in sizes]
    for dataset in datasets[::4]:  # warm-up: every padded size these sizes fall into
        run_training(dataset, config)
    gc.collect()
    warm = rss_bytes()
    for dataset in datasets:
        run_training(dataset, config)
    gc.collect()
    grown = (rss_bytes() - warm) / 2**20
    assert grown < 5, f"resident memory grew by {grown:.0f} MB over {len(sizes)} dataset sizes"
