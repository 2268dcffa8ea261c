"""The one place TensorFlow is imported, lazily, with its thread pools set once.

TensorFlow's thread pools belong to the process and can only be sized before
its first use, so every caller goes through ``tensorflow()``. Importing
TensorFlow costs seconds: the dashboard's first page and all threshold work
must never reach this module.

Importing TensorFlow also adds about 400,000 long-lived Python objects, which
every full garbage collection then walks (about 0.2 s here, holding the GIL).
Streamlit collects after every script run, twice a second while the Train
page streams, which starved the training threads. So the objects alive once
TensorFlow is loaded are moved out of the collector's reach (``gc.freeze``);
they are modules and their tables, which live as long as the process anyway.
"""
from __future__ import annotations

import gc
import os
import threading

_lock = threading.Lock()
_tf = None


def thread_count() -> int:
    """Threads per pool: ``LOGREG_TF_THREADS`` or the number of cores."""
    return int(os.environ.get("LOGREG_TF_THREADS") or os.cpu_count() or 1)


def tensorflow():
    """Import and configure TensorFlow on first call; return the module."""
    global _tf
    with _lock:
        if _tf is None:
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            import tensorflow as tf

            threads = thread_count()
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
            tf.get_logger().setLevel("ERROR")
            gc.collect()
            gc.freeze()
            _tf = tf
    return _tf
