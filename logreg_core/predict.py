"""Predictions on new rows, and CSV output that spreadsheets cannot execute."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .csv_cells import as_text, numeric_column, typed_columns
from .csv_reader import NoDataRows, read_text_table
from .errors import LogRegError, listed
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


def predict_rows(model: TrainedModel, file, threshold: float = 0.5) -> tuple[pd.DataFrame, list[str]]:
    """Read a CSV of new rows laid out like the training CSV and put the probabilities and classes
    in front of its columns; also say what was filled in (with the model's fill values, as
    training did). See ``feature_matrix``."""
    raw = file if isinstance(file, bytes) else file.read()
    try:  # the training CSV's reader: its encodings, separators, decimal marks and messages
        frame, _, facts = read_text_table(raw, header=True)
    except NoDataRows:
        raise LogRegError("the file has no rows to predict: put one row per case below a header row that names "
                          "the training data's columns") from None
    X, notes = feature_matrix(frame, model.feature_sources, model.fill, facts["decimal"], unweighted_columns(model))
    notes += _far_notes(model, X)
    if facts["empty_rows"]:  # (blank lines are no rows at all, to the reader as to a spreadsheet)
        notes.insert(0, f"Skipped {_rows(facts['empty_rows'], 'with no value', 'with no value')}: there is one "
                        "prediction per row with a value, and data rows are counted without the skipped ones.")
    shown = typed_columns(frame, facts["decimal"])  # the rows' own columns with the types their values have
    return pd.concat([prediction_columns(model, X, threshold), shown], axis=1), notes


def unweighted_columns(model: TrainedModel) -> set[str]:
    """The columns whose every feature has weight 0 for every class: ones the model ignores. A column with a
    single value in training is one (standardized, it is all zeros, so its weights never move from 0)."""
    weighted = np.any(model.weights != 0, axis=1)
    columns = [column for column, _ in model.feature_sources]
    return set(columns) - {column for column, used in zip(columns, weighted) if used}


def feature_matrix(frame: pd.DataFrame, sources, fill: np.ndarray, decimal: str = ".",
                   optional: set[str] = frozenset()):
    """The model's features from rows laid out as the training CSV was, encoded as the loader did,
    and notes on what was filled in or matched nothing.

    ``sources`` are the model's ``feature_sources``: each feature's column, found by name, and for a
    text column the loader one-hot encoded, the level its 0/1 feature marks. Such a column is encoded
    the same way: a blank gives 0 in all its features, as in training, and so does a value training
    never saw; a note counts the rows of each. Number columns are read as the loader reads them
    (``numeric_column``, with the file's ``decimal`` mark). A missing or non-numeric value takes
    ``fill`` (``model.fill``: a number column's training median, as in training). A column in ``optional``
    (``unweighted_columns``: the model ignores it) may be missing, and takes ``fill``; the file's columns the
    model does not use are named in a note.
    """
    columns = {str(c).strip(): c for c in frame.columns}
    named = list(dict.fromkeys(column for column, _ in sources))
    missing = [column for column in named if column not in columns]
    needed = [column for column in missing if column not in optional]
    if needed:
        shown = ", ".join(needed[:5]) + (" …" if len(needed) > 5 else "")
        raise LogRegError(f"the file lacks {len(needed)} of the training data's columns ({shown}): "
                          "use the training data's column names")
    about_columns = []
    if missing:
        about_columns.append(f"The file lacks {listed(missing, 5)}, which the model gives no weight (as it gives a "
                             "column with a single value in training), so it changes no prediction: filled as "
                             "training did.")
    unused = [str(c) for c in frame.columns if str(c).strip() not in named]
    if unused:
        about_columns.append(f"Not used by the model, shown as given: {listed(unused, 5)}.")
    blocks, levels = [], {}
    for j, (column, level) in enumerate(sources):
        if column in missing:  # ignored by the model: its fill, as the note says
            blocks.append(np.full(len(frame), fill[j], dtype=np.float64))
        elif level is None:
            blocks.append(numeric_column(frame[columns[column]], decimal))
        else:
            levels.setdefault(column, []).append(level)
            blocks.append((as_text(frame[columns[column]]) == level).to_numpy(dtype=np.float64))
    X, notes = _filled(np.column_stack(blocks), [column for column, _ in sources], fill)
    for column, known in levels.items():
        notes += _level_notes(column, as_text(frame[columns[column]]), known)
    return X, notes + about_columns


def _filled(X: np.ndarray, names: list[str], fill: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """``X`` with its missing, non-numeric or huge values (``numeric_column`` makes those NaN) taken from
    ``fill``, and a note saying so."""
    holes = ~np.isfinite(X)
    if not holes.any():
        return X, []
    bad = sorted({names[j] for j in np.nonzero(holes)[1]})
    X = np.where(holes, np.asarray(fill, dtype=np.float64), X)
    rows = np.flatnonzero(holes.any(axis=1)) + 1  # data rows, as the file's reader counts them
    return X, [f"Filled {int(holes.sum()):,} missing, non-numeric or huge (beyond ±1e30) value(s) in "
               f"{', '.join(bad[:5])}{' …' if len(bad) > 5 else ''} (data row{'s' * (len(rows) > 1)} "
               f"{', '.join(map(str, rows[:5]))}{' …' if len(rows) > 5 else ''}) with the training split's "
               "medians, as training did."]


FAR_SD = 10  # standard deviations from the training mean beyond which a value is far outside the training data


def _far_notes(model: TrainedModel, X: np.ndarray) -> list[str]:
    """Say which rows hold a number far outside the training data (more than ``FAR_SD`` training standard
    deviations from its mean): a linear model gives such a row a confident probability all the same, and a
    typo (an age of 99999) is the usual cause."""
    numeric = [j for j, (_, level) in enumerate(model.feature_sources) if level is None]
    far = np.abs(model.standardize(X)[:, numeric]) > FAR_SD
    if not far.any():
        return []
    names = list(dict.fromkeys(model.feature_sources[numeric[j]][0] for j in np.nonzero(far)[1]))
    rows = np.flatnonzero(far.any(axis=1)) + 1
    return [f"{_rows(len(rows), 'has', 'have')} a value more than {FAR_SD} standard deviations from the training "
            f"mean (in {', '.join(names[:5])}{' …' if len(names) > 5 else ''}; data row{'s' * (len(rows) > 1)} "
            f"{', '.join(map(str, rows[:5]))}{' …' if len(rows) > 5 else ''}): the model has seen nothing like "
            "it, so its probability there is an extrapolation, however confident. Check such values for typos."]


def _level_notes(column: str, text: pd.Series, known: list[str]) -> list[str]:
    """Say how many rows of a one-hot encoded column are blank or hold a value training never saw
    (the first few named): both get 0 in all of the column's features."""
    notes = []
    blank = int(text.isna().sum())
    if blank:
        notes.append(f"{column}: {_rows(blank, 'is', 'are')} blank; as in training, a blank counts as none of "
                     f"{column}'s levels.")
    unseen = text[text.notna() & ~text.isin(known)]
    if len(unseen):
        values = unseen.unique()
        shown = ", ".join(values[:3]) + (f" and {len(values) - 3:,} more" if len(values) > 3 else "")
        notes.append(f"{column}: {_rows(len(unseen), 'has', 'have')} a value training never saw ({shown}); "
                     f"{'it counts' if len(unseen) == 1 else 'they count'} as none of {column}'s levels.")
    return notes


def _rows(count: int, singular: str, plural: str) -> str:
    """'1 row is' or '3 rows are'."""
    return f"1 row {singular}" if count == 1 else f"{count:,} rows {plural}"


def prediction_columns(model: TrainedModel, X: np.ndarray, threshold: float = 0.5) -> pd.DataFrame:
    """``probability_<class>`` (binary: the positive class only) and ``predicted_class``, by name.

    Binary: positive when its probability ≥ threshold; multiclass: the most probable class.
    """
    p = model.predict_proba(X)
    names = np.asarray(model.class_names)
    columns = ({f"probability_{names[1]}": p} if model.is_binary
               else {f"probability_{name}": p[:, k] for k, name in enumerate(names)})
    return pd.DataFrame({**columns, "predicted_class": names[model.predict(X, threshold)]})


def predictions_file(model: TrainedModel, dataset, threshold: float = 0.5) -> pd.DataFrame:
    """The Test predictions file: each test case's ``row`` in the data (counted from 1), its true class by
    name (``y_true``), ``prediction_columns`` and ``split`` (test, all of them); the Threshold page and the
    ``threshold`` command read it back as a scores file as it is, and know its rows for test rows."""
    named = pd.DataFrame({"row": dataset.test_rows, "y_true": np.asarray(dataset.class_names)[dataset.y_test]})
    return pd.concat([named, prediction_columns(model, dataset.X_test, threshold)], axis=1).assign(split="test")
