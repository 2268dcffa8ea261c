"""Plain JSON from the engine's results: NumPy numbers and arrays become Python ones, NaN null, ±inf a string.

JSON has no NaN or infinity. An undefined metric (a PPV with nothing flagged)
is written as null. An infinite value is not undefined: a threshold of +inf
flags no one, -inf everyone. It is written as "Infinity" or "-Infinity",
which Python's ``float()`` and JavaScript's ``Number()`` both read back.
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
        if math.isnan(value):
            return None
        return float(value) if math.isfinite(value) else ("Infinity" if value > 0 else "-Infinity")
    return value
