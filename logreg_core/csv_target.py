"""Which column of a table is the target, and its labels as classes: guessed, or as the user names them.

Also the UI's pickers: :func:`target_candidates`, :func:`label_values` and
:func:`guess_positive` answer for a table from ``csv_reader.read_table`` what
:func:`~logreg_core.csv_loader.from_csv` would do with it.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .csv_cells import NUMBER, as_text, numeric_view
from .csv_reader import guarded, unique_names
from .errors import LogRegError, listed

MAX_TARGET_LABELS = 50       # more distinct numeric target values than this looks continuous
TARGET_NAMES = ("target", "label", "class", "outcome", "diagnosis", "y", "y_true")
_POSITIVE_NAMES = ("1", "yes", "y", "true", "positive", "pos", "malignant", "m")
_ID_NAMES = {
    "id", "index", "idx", "row", "rowid", "row_id", "row id", "rownum", "row number", "#", "unnamed: 0",
}
_MISSING_MARKS = {"?", "na", "n/a", "nan", "null", "none", "missing", "-", "."}


def target_candidates(frame) -> list[str]:
    """All columns, in the order a target picker should offer them.

    The guessed target comes first (what :func:`from_csv` picks when no target
    is given), then other columns that look like class labels, then columns
    with up to 50 distinct values, then the rest.
    """
    def run():
        frame_ = _as_frame(frame)
        columns = [str(c) for c in frame_.columns]
        if not columns:
            return []
        guess, _ = guess_target(frame_)
        labelish = [c for c in columns if c != guess and _looks_like_labels(frame_[c], c)]
        plausible = [
            c for c in columns if c != guess and c not in labelish and _plausible_target(frame_[c], c)
        ]
        rest = [c for c in columns if c not in (guess, *labelish, *plausible)]
        rest.sort(key=is_id_name)  # identifiers last
        return [guess, *labelish, *plausible, *rest]

    return guarded(run)


def label_values(frame, target) -> list[str]:
    """The distinct labels of ``target`` as strings, sorted as :func:`from_csv` codes them.

    These are exactly the strings ``positive=`` is compared with. Numbers are
    written without a trailing ``.0`` (``"1"``, not ``"1.0"``) and sorted
    numerically; text labels are stripped and sorted as text. A numeric column
    with more than 50 distinct values raises the LogRegError that
    :func:`from_csv` would raise (it looks continuous); a text column returns
    all its labels, however many.
    """
    def run():
        frame_ = _as_frame(frame)
        column, _ = resolve_target(frame_, target)
        labels, _, _, numeric = encode_labels(frame_[column])
        if numeric and len(labels) > MAX_TARGET_LABELS:
            raise _continuous_target(frame_, column, len(labels))
        return labels

    return guarded(run)


def guess_positive(frame, target) -> str | None:
    """The label :func:`from_csv` makes positive when ``positive`` is not given.

    For a two-label target: the label with a usual positive name (1, yes, true,
    positive, malignant, M, Y, …) if there is one, else the second in sorted
    order. ``None`` when the target does not have exactly two labels.
    """
    def run():
        frame_ = _as_frame(frame)
        column, _ = resolve_target(frame_, target)
        labels, _, _, _ = encode_labels(frame_[column])
        if len(labels) != 2:
            return None
        return labels[default_positive(labels)[0]]

    return guarded(run)


def _as_frame(frame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise LogRegError(
            f"expected the table returned by read_table (a pandas DataFrame), got {type(frame).__name__}"
        )
    if frame.columns.has_duplicates or any(not isinstance(c, str) for c in frame.columns):
        frame = frame.copy()
        frame.columns = unique_names([str(c) for c in frame.columns], [])
    return frame


def is_id_name(name: str) -> bool:
    lowered = name.strip().lower()
    return (
        lowered in _ID_NAMES
        or re.search(r"(?:^|[_\s.\-])id$", lowered) is not None
        or re.search(r"[a-z0-9]I[dD]$", name.strip()) is not None
    )


def _profile(series: pd.Series) -> tuple[str, int, bool]:
    """(kind, distinct non-missing values, all integers) with kind 'empty', 'numeric', 'bool' or 'text'."""
    if pd.api.types.is_bool_dtype(series):
        return "bool", int(series.nunique()), True
    values = numeric_view(series)
    if values is not None:
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return "empty", 0, False
        return "numeric", int(pd.unique(finite).size), bool(np.all(finite == np.round(finite)))
    count = int(series.nunique(dropna=True))
    return ("text" if count else "empty"), count, False


def _looks_like_labels(series: pd.Series, name: str) -> bool:
    if is_id_name(name):
        return False
    kind, distinct, integers = _profile(series)
    if kind == "bool":
        return distinct == 2
    if kind == "numeric":
        return integers and 2 <= distinct <= 10
    if kind == "text":
        filled = int(series.notna().sum())
        return 2 <= distinct <= 20 and distinct <= max(2, filled // 2)
    return False


def _plausible_target(series: pd.Series, name: str) -> bool:
    if is_id_name(name):
        return False
    kind, distinct, _ = _profile(series)
    return kind != "empty" and 2 <= distinct <= MAX_TARGET_LABELS


def guess_target(frame: pd.DataFrame) -> tuple[str, str]:
    columns = [str(c) for c in frame.columns]
    lowered = [c.strip().lower() for c in columns]
    for key in TARGET_NAMES:
        if key in lowered:
            return columns[lowered.index(key)], "its name suggests the class label"
    filled = [c for c in columns if frame[c].notna().any()]  # trailing empty columns (",,") are not the last
    last = filled[-1] if filled else columns[-1]
    if len(columns) == 1 or _plausible_target(frame[last], last):
        return last, "it is the last column" + ("" if last == columns[-1] else " with values")
    for column in columns:
        if _looks_like_labels(frame[column], column):
            return column, (
                f"it is the first column that looks like class labels (the last column, '{last}', does not)"
            )
    return last, "it is the last column"


def resolve_target(frame: pd.DataFrame, target) -> tuple[str, str | None]:
    """(column name, how it was found) for a name, an index or a numeric string."""
    columns = [str(c) for c in frame.columns]
    index = None
    how = None
    if isinstance(target, (bool, np.bool_)):
        raise LogRegError(f"target={target!r}: give a column name or a 0-based column number")
    if isinstance(target, (int, np.integer)):
        index = int(target)
        how = f"target column number {index}"
    elif isinstance(target, str):
        wanted = target.strip()
        if wanted in columns:
            return wanted, None
        folded = [c for c in columns if c.strip().lower() == wanted.lower()]
        if len(folded) == 1:
            return folded[0], f"matched '{target}' to column '{folded[0]}' ignoring case"
        match = re.fullmatch(r"[+-]?\d+", wanted) or re.fullmatch(r"col_(\d+)", wanted)
        if match is None:
            shown = ", ".join(repr(c) for c in columns[:30]) + (" …" if len(columns) > 30 else "")
            raise LogRegError(
                f"target column {target!r} not found: the columns are {shown}; pick one of them "
                "(or give a 0-based column number)"
            )
        index = int(match.group(1) if match.lastindex else match.group(0))
        how = f"target '{target}' taken as column number {index}"
    else:
        raise LogRegError(
            f"target={target!r} ({type(target).__name__}): give a column name or a 0-based column number"
        )
    position = index + len(columns) if index < 0 else index
    if not 0 <= position < len(columns):
        raise LogRegError(
            f"target column number {index} is out of range: the file has {len(columns)} column(s), "
            f"numbered 0 to {len(columns) - 1}"
        )
    return columns[position], f"{how}: '{columns[position]}'"


def _format_number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 2 ** 53:
        return str(int(value))
    return repr(float(value))


def encode_labels(series: pd.Series) -> tuple[list[str], np.ndarray, np.ndarray, bool]:
    """(sorted label strings, codes of the kept rows, mask of kept rows, numeric?)."""
    if pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=bool)
        keep = np.ones(values.size, dtype=bool)
        labels_present = sorted(set(values.tolist()))
        labels = [str(v) for v in labels_present]
        codes = np.searchsorted(np.array(labels_present), values)
        return labels, codes.astype(np.int64), keep, False
    numbers = numeric_view(series)
    if numbers is not None:
        keep = np.isfinite(numbers)
        unique, codes = np.unique(numbers[keep], return_inverse=True)
        return [_format_number(v) for v in unique], codes.astype(np.int64).ravel(), keep, True
    text = as_text(series)
    keep = text.notna().to_numpy()
    values = text[keep].to_numpy(dtype=object)
    if not values.size:
        return [], np.zeros(0, dtype=np.int64), keep, False
    unique, codes = np.unique(values.astype(str), return_inverse=True)
    return [str(v) for v in unique], np.asarray(codes, dtype=np.int64).ravel(), keep, False


def match_positive(positive, labels: list[str], numeric: bool, column: str) -> tuple[int, str | None]:
    """The index of ``positive`` among ``labels`` (as written, else ignoring case, else as a number: "1.0" is
    "1"), and a remark when it matched only ignoring case; a label that is not there is an error naming them."""
    wanted = str(positive).strip()
    if wanted in labels:
        return labels.index(wanted), None
    folded = [i for i, label in enumerate(labels) if label.lower() == wanted.lower()]
    if len(folded) == 1:
        return folded[0], f"positive={positive!r} matched the label '{labels[folded[0]]}' ignoring case."
    if numeric and NUMBER.fullmatch(wanted):
        try:
            as_label = _format_number(float(wanted))
        except (ValueError, OverflowError):
            as_label = None
        if as_label in labels:
            return labels.index(as_label), None
    shown = ", ".join(repr(label) for label in labels[:20]) + (" …" if len(labels) > 20 else "")
    raise LogRegError(
        f"positive={positive!r} does not occur in column '{column}': its labels are {shown}; "
        "choose one of them"
    )


def usual_positive(labels: list[str]) -> int | None:
    """The index of the label with a usual positive name (1, yes, true, positive, malignant, M, …), if any."""
    lowered = [label.lower() for label in labels]
    return next((lowered.index(name) for name in _POSITIVE_NAMES if name in lowered), None)


def default_positive(labels: list[str]) -> tuple[int, str]:
    """Of two labels, the one taken as positive when none is named, and why (a usual positive name first)."""
    index = usual_positive(labels)
    if index is not None:
        return index, f"'{labels[index]}' is a usual name for the positive label"
    return 1, "it is the second label in sorted order"


def _suggest_targets(frame: pd.DataFrame, exclude: str) -> str:
    columns = [str(c) for c in frame.columns]
    picks = [
        f"'{c}' (column {i})" for i, c in enumerate(columns)
        if c != exclude and _looks_like_labels(frame[c], c)
    ][:5]
    if picks:
        return "choose a column with a few distinct labels as the target, e.g. " + ", ".join(picks)
    return "choose a column with a few distinct labels (classes) as the target"


def _continuous_target(frame: pd.DataFrame, column: str, count: int) -> LogRegError:
    return LogRegError(
        f"the target column '{column}' has {count:,} different numbers, so it looks like a continuous "
        "measurement: this tool is for classification (predicting a class label); "
        + _suggest_targets(frame, column)
    )


def _label_doubts(column: str, labels: list[str]) -> list[str]:
    """Notes on labels that are likely one class written two ways ("Yes" and "yes"), or a missing value
    written as a label ("?"): each is a class of its own, as the file says, but seldom what was meant."""
    doubts, spellings = [], {}
    for label in labels:
        spellings.setdefault(label.casefold(), []).append(label)
    twins = [" and ".join(repr(s) for s in group) for group in spellings.values() if len(group) > 1]
    if twins:
        doubts.append(f"Target '{column}': {listed(twins, 3, '; ')} differ only in letter case, so they are "
                      "different classes here; where two spellings mean one class, write it one way in the file.")
    marks = [repr(label) for label in labels if label.casefold() in _MISSING_MARKS]
    if marks:
        doubts.append(f"Target '{column}': {', '.join(marks)} {'is a label' if len(marks) == 1 else 'are labels'} "
                      "here, a class of its own; if it marks a missing value, leave those cells blank (rows with "
                      "no target are dropped).")
    return doubts


def target_labels(frame, column, positive, notes):
    """(y codes, class names, mask of rows kept)."""
    labels, codes, keep, numeric = encode_labels(frame[column])
    missing = int((~keep).sum())
    if not labels:
        raise LogRegError(
            f"the target column '{column}' is empty: every row lacks a label; "
            + _suggest_targets(frame, column)
        )
    if missing:
        notes.append(f"Dropped {missing:,} row(s) with no value in the target column '{column}'.")
    notes += _label_doubts(column, labels)
    if len(labels) == 1:
        raise LogRegError(
            f"the target column '{column}' has a single class ('{labels[0]}'): a classifier needs at "
            "least two different labels; " + _suggest_targets(frame, column)
        )
    if numeric and len(labels) > MAX_TARGET_LABELS:
        raise _continuous_target(frame, column, len(labels))
    if positive is not None:
        index, remark = match_positive(positive, labels, numeric, column)
        if remark:
            notes.append(remark)
        chosen = labels[index]
        y = (codes == index).astype(np.int64)
        if len(labels) == 2:
            other = labels[1 - index]
            notes.append(
                f"Target '{column}': '{chosen}' is the positive class (1) and '{other}' the negative (0)."
            )
            return y, [other, chosen], keep
        notes.append(
            f"One-vs-rest: the target '{column}' has {len(labels)} labels; '{chosen}' is the positive "
            f"class (1) and the other {len(labels) - 1} are negative (0)."
        )
        return y, [f"not {chosen}", chosen], keep
    if len(labels) == 2:
        index, why = default_positive(labels)
        chosen, other = labels[index], labels[1 - index]
        if numeric and labels == ["0", "1"]:
            notes.append(f"Target '{column}' holds 0/1: 1 is the positive class.")
        else:
            notes.append(
                f"Target '{column}': '{chosen}' was taken as the positive class (1) because {why}, "
                f"and '{other}' as negative (0); to swap them, choose '{other}' as the positive class (Data "
                f"page: Positive class; command line: --positive {other}; Python: positive='{other}')."
            )
        return (codes == index).astype(np.int64), [other, chosen], keep
    if len(labels) > MAX_TARGET_LABELS:
        raise LogRegError(
            f"the target column '{column}' has {len(labels):,} different labels, too many classes to "
            "learn here: " + _suggest_targets(frame, column)
            + ", or choose one of its labels as the positive class (positive=<label>; --positive on the "
            "command line) to train that label against all the others"
        )
    shown = ", ".join(repr(label) for label in labels[:12]) + (" …" if len(labels) > 12 else "")
    notes.append(
        f"Target '{column}' has {len(labels)} labels, so this is a multiclass problem "
        f"(classes in sorted order: {shown}); for one label against the rest, choose it as the positive class "
        "(Data page: Positive class; command line: --positive; Python: positive=)."
    )
    return codes, labels, keep
