"""Keep Streamlit's script runs and TensorFlow out of each other's way.

Two patches of Streamlit internals, both installed by ``keep_tensorflow_warm``.

1. No Keras reset after every script run.

After each script run, fragment reruns included, Streamlit calls
``keras.backend.clear_session()`` whenever Keras has been imported, and
importing TensorFlow imports Keras. That call clears TensorFlow's kernel cache
and runs a full garbage collection for the whole process, while other
sessions' training jobs run in background threads. With the Train page's
progress panel refreshing twice a second, training dropped from over 600 to
between 2 and 100 epochs a second. LogReg Lab keeps no Keras global state
(models are plain tensors built per job), so the reset costs time and
protects nothing.

2. No page compiled while TensorFlow is being imported. Streamlit parses a page
the first time it runs it, and TensorFlow's import (in a training thread)
parses too; on Python 3.11.7 the two at once can fail either of them
(``tf_runtime.apart_from_import`` says why). A page compiled already is not
parsed again, so only a first run of a page can wait, and only during the
import's few seconds.
"""
from __future__ import annotations

import os
import sys

from streamlit.runtime.scriptrunner import script_cache, script_runner

from logreg_core import tf_runtime

_streamlit_get_bytecode = script_cache.ScriptCache.get_bytecode


def _close_matplotlib_only() -> None:
    """What Streamlit's clean-up does apart from the Keras reset."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def _get_bytecode_apart_from_import(cache: script_cache.ScriptCache, script_path: str):
    if os.path.abspath(script_path) in cache._cache:  # compiled already: nothing to parse
        return _streamlit_get_bytecode(cache, script_path)
    with tf_runtime.apart_from_import():
        return _streamlit_get_bytecode(cache, script_path)


def keep_tensorflow_warm() -> None:
    """Install both patches (idempotent)."""
    script_runner._clean_problem_modules = _close_matplotlib_only
    script_cache.ScriptCache.get_bytecode = _get_bytecode_apart_from_import
