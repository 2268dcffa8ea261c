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

import contextlib
import gc
import os
import re
import sys
import threading

_lock = threading.Lock()
_tf = None

_TF_LOG_LINE = re.compile(r"([IWEF])\d{4} [\d:.]+ +\d+ \S+:\d+\] ")  # I0000 00:00:1795.25  15728 port.cc:153] …
_ABSL_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"


def thread_count() -> int:
    """Threads per pool: ``LOGREG_TF_THREADS`` or the number of cores."""
    return int(os.environ.get("LOGREG_TF_THREADS") or os.cpu_count() or 1)


@contextlib.contextmanager
def _start_up_lines_hidden(level: str):
    """Hide the C++ start-up lines (oneDNN and the like) that TF_CPP_MIN_LOG_LEVEL is meant to hide.

    Abseil prints them before TensorFlow applies that level, and no environment variable stops them short
    of TF_ENABLE_ONEDNN_OPTS=0, which changes the arithmetic. So during the import stderr (file descriptor
    2) is a pipe, and a thread passes on, as they come, all lines but those: the server's own lines are
    not held back, and a fatal line before an abort still gets out. TF_CPP_MIN_LOG_LEVEL=0 keeps them all.
    """
    hidden = "IWE"[:int(level)] if level.isdigit() else ""
    try:
        saved = os.dup(2) if hidden else None
    except OSError:  # no stderr to catch
        saved = None
    if saved is None:
        yield
        return
    read_end, write_end = os.pipe()
    sys.stderr.flush()
    os.dup2(write_end, 2)
    os.close(write_end)
    forwarder = threading.Thread(target=_forward, args=(read_end, saved, hidden), daemon=True,
                                 name="tensorflow-start-up-lines")
    forwarder.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last write end: the forwarder reads to its end and stops
        forwarder.join(timeout=5)
        if not forwarder.is_alive():  # else a copy of the write end lives on: leave it its output
            os.close(saved)


def _forward(read_end: int, out: int, hidden: str) -> None:
    with os.fdopen(read_end, "rb") as pipe:
        for line in pipe:
            text = line.decode(errors="replace")
            log = _TF_LOG_LINE.match(text)
            if not (text.startswith(_ABSL_NOTICE) or log and log.group(1) in hidden):
                os.write(out, line)


def loaded() -> bool:
    """Whether TensorFlow is imported already: until it is, a first training waits seconds for it."""
    return _tf is not None


@contextlib.contextmanager
def apart_from_import():
    """Run a block that turns source into syntax trees so that it never overlaps TensorFlow's import.

    Python 3.11 up to 3.11.7 keeps one syntax-tree recursion counter per process (CPython gh-106905), so
    two threads building trees at once can fail with "SystemError: AST constructor recursion depth
    mismatch". Importing TensorFlow parses hundreds of signatures (``inspect``), in the training thread,
    while the dashboard may be compiling a page: under load the first training failed with that error.
    Once TensorFlow is loaded its import is over and the block runs at once.
    """
    if _tf is not None:
        yield
        return
    with _lock:
        yield


def tensorflow():
    """Import and configure TensorFlow on first call; return the module."""
    global _tf
    with _lock:
        if _tf is None:
            with _start_up_lines_hidden(os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")):
                import tensorflow as tf

            threads = thread_count()
            tf.config.threading.set_intra_op_parallelism_threads(threads)
            tf.config.threading.set_inter_op_parallelism_threads(threads)
            tf.get_logger().setLevel("ERROR")
            gc.collect()
            gc.freeze()
            _tf = tf
    return _tf
