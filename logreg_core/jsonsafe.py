"""Plain JSON from the engine's results: NumPy numbers and arrays become Python ones, NaN and ±inf null.

JSON has no NaN or infinity, and undefined metrics (a PPV with nothing
flagged) or a threshold beyond every score are exactly that, so they are
written as null rather than as invalid JSON.
"""
from __future__ import annotations

import math

import numpy as np


def json_safe(value):
    """``value`` with every nested result object (anything with ``to_dict``) made JSON-safe."""
    if hasattr(value, "to_dict") and callable(value.to_dict):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value
