"""Predictions on new rows, and CSV output that spreadsheets cannot execute."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd

from .errors import LogRegError
from .model import TrainedModel

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with a quote.

    Only text is touched: numbers stay numbers, so exported scores read back unchanged.
    """
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v)
    out.columns = [("'" + c) if isinstance(c, str) and c.startswith(_FORMULA_START) else c for c in out.columns]
    return out


def safe_csv(frame: pd.DataFrame) -> str:
    return neutralize_formulas(frame).to_csv(index=False)


def predict_rows(model: TrainedModel, file, threshold: float = 0.5) -> pd.DataFrame:
    """Read a CSV of new rows (the training columns, by name) and add probabilities and classes."""
    try:
        raw = file if isinstance(file, bytes) else file.read()
        frame = pd.read_csv(io.BytesIO(raw), sep=None, engine="python", encoding="utf-8-sig")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise LogRegError(f"cannot read the rows as CSV ({exc})") from None
    if frame.empty:
        raise LogRegError("the file has no rows to predict")
    names = list(model.feature_names)
    missing = [n for n in names if n not in frame.columns]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise LogRegError(f"the file lacks {len(missing)} of the model's {len(names)} columns ({shown}): "
                          "use the same column names as the training data")
    X = frame[names].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    if not np.isfinite(X).all():
        bad = sorted({names[j] for j in np.nonzero(~np.isfinite(X))[1]})
        raise LogRegError(f"non-numeric or missing values in column(s) {', '.join(bad[:5])}: fill them in and retry")
    return pd.concat([frame, prediction_columns(model, X, threshold)], axis=1)


def prediction_columns(model: TrainedModel, X: np.ndarray, threshold: float = 0.5) -> pd.DataFrame:
    """``probability_<class>`` (binary: the positive class only) and ``predicted_class``, by name.

    Binary: positive when its probability ≥ threshold; multiclass: the most probable class.
    """
    p = model.predict_proba(X)
    names = np.asarray(model.class_names)
    columns = ({f"probability_{names[1]}": p} if model.is_binary
               else {f"probability_{name}": p[:, k] for k, name in enumerate(names)})
    return pd.DataFrame({**columns, "predicted_class": names[model.predict(X, threshold)]})
