"""Keep Streamlit from resetting TensorFlow after every script run.

After each script run, fragment reruns included, Streamlit calls
``keras.backend.clear_session()`` whenever Keras has been imported, and
importing TensorFlow imports Keras. That call clears TensorFlow's kernel cache
and runs a full garbage collection for the whole process, while other
sessions' training jobs run in background threads. With the Train page's
progress panel refreshing twice a second, training dropped from over 600 to
between 2 and 100 epochs a second. LogReg Lab keeps no Keras global state
(models are plain tensors built per job), so the reset costs time and
protects nothing.
"""
from __future__ import annotations

import sys

from streamlit.runtime.scriptrunner import script_runner


def _close_matplotlib_only() -> None:
    """What Streamlit's clean-up does apart from the Keras reset."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def keep_tensorflow_warm() -> None:
    """Replace Streamlit's post-run clean-up with one that leaves TensorFlow alone (idempotent)."""
    script_runner._clean_problem_modules = _close_matplotlib_only
