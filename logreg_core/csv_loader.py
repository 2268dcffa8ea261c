"""Turn a user's CSV file into a :class:`~logreg_core.datasets.Dataset`.

``csv_reader`` parses the file (encoding, delimiter, header row), ``csv_target``
finds the target column and its classes, and this module decides what to do
with every other column (numbers, true/false, one-hot text, identifiers, free
text), writing every such decision as a sentence into ``Dataset.notes``.
Splitting and median imputation are left to
:func:`~logreg_core.datasets.build_dataset`. Bad input of any kind raises
:class:`~logreg_core.errors.LogRegError` only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .csv_cells import as_text, marked_numbers, numeric_view, true_false, without_huge
from .csv_reader import MAX_COLUMNS, guarded, parse_bytes, read_source, unique_names
from .csv_target import guess_target, is_id_name, resolve_target, target_labels
from .datasets import Dataset, build_dataset
from .errors import LogRegError, listed

MAX_ONE_HOT_LEVELS = 10      # text columns with at most this many distinct values are one-hot encoded


def from_csv(
    file,
    target=None,
    positive=None,
    header=None,
    *,
    seed=0,
    val_fraction=0.2,
    test_fraction=0.25,
    name=None,
) -> Dataset:
    """Load a CSV file as a seeded train/validation/test :class:`Dataset`.

    ``file``: a path (str or Path), bytes, or a binary file-like object (read
    from its start). ``target``: a column name, a 0-based column index, or a
    numeric string such as ``"1"`` (without a header the columns are named
    ``col_0, col_1, ...``); ``None`` guesses it. ``positive``: the label
    (compared as a string) that becomes class 1; with more than two labels it
    makes a one-vs-rest binary problem. ``header``: ``None`` detects a header
    row, ``True``/``False`` force it. ``name`` defaults to the file's stem.

    Every decision is a sentence in ``Dataset.notes``; bad input raises
    :class:`LogRegError` and nothing else.
    """
    return guarded(
        _from_csv, file, target, positive, header, seed, val_fraction, test_fraction, name
    )


def _features(frame: pd.DataFrame, target: str, facts: dict, notes: list[str]):
    """(feature matrix columns, feature names, their sources as ``Dataset.feature_sources`` has them,
    dropped columns) with every decision noted. ``facts`` as ``read_text_table`` gives them."""
    decimal = facts["decimal"]
    arrays: list[np.ndarray] = []
    names: list[str] = []
    sources: list[tuple[str, str | None]] = []
    columns = [str(c) for c in frame.columns]
    first_feature = next((c for c in columns if c != target), None)
    encoded, dropped_text, empty, identifiers, constant, mixed = [], [], [], [], [], []
    n_rows = len(frame)
    for column in columns:
        if column == target:
            continue
        series = frame[column]
        if series.isna().all():
            empty.append(column)
            continue
        if is_id_name(column):
            identifiers.append(f"'{column}' (its name)")
            continue
        values = numeric_view(series)
        one_hot = False
        if values is None:
            text = as_text(series)
            filled = text.dropna()
            distinct = filled.unique()
            values = true_false(text)
            if values is not None:
                notes.append(f"Column '{column}': true/false values became 1/0.")
            else:
                numbers, marked = marked_numbers(text, decimal)
                parsed = int(numbers.notna().sum())
                if parsed > len(filled) / 2:
                    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
                    if marked.any():
                        notes.append(f"Column '{column}': {int(marked.sum()):,} number(s) written with a unit "
                                     "or thousands separators were read as plain numbers (such as "
                                     f"{text[marked].iloc[0]!r} as {numbers[marked].iloc[0]:g}).")
                    odd = filled[numbers[filled.index].isna()]
                    if len(odd):
                        examples = ", ".join(repr(v) for v in odd.unique()[:3])
                        mixed.append(f"'{column}' ({len(odd):,} value(s) such as {examples})")
                elif len(distinct) <= MAX_ONE_HOT_LEVELS:
                    one_hot = True
                    levels = sorted(str(v) for v in distinct)
                    for level in levels:
                        arrays.append((text == level).fillna(False).to_numpy(dtype=np.float64))
                        names.append(f"{column}={level}")
                        sources.append((column, level))
                    blank = n_rows - len(filled)
                    encoded.append(
                        f"'{column}' ({', '.join(levels)})"
                        + (f", {blank:,} blank row(s) get 0 in all of them" if blank else "")
                    )
                    if len(levels) == 1:
                        constant.append(column)
                else:
                    dropped_text.append(f"'{column}' ({len(distinct):,} distinct values)")
                    continue
        if one_hot:
            continue
        values, huge = without_huge(np.asarray(values, dtype=np.float64))
        if huge:
            notes.append(f"Column '{column}': {huge:,} infinite or extremely large value(s) (beyond ±1e30, too "
                         "big for 32-bit floats) were treated as missing.")
        finite = values[~np.isnan(values)]
        if finite.size == 0:
            empty.append(column)
            continue
        if finite.size == n_rows and n_rows >= 10 and np.all(finite == np.round(finite)):
            unique = np.unique(finite)
            if unique.size == n_rows:
                # (unnamed only, as wdbc.data's: a named one, say glucose, may well be a feature)
                if column == first_feature and columns.index(column) == 0 and column in facts["unnamed"]:
                    identifiers.append(f"'{column}' (first column, unnamed, a distinct whole number on every row)")
                    continue
                if np.all(np.diff(values) == 1):
                    identifiers.append(f"'{column}' (it counts the rows)")
                    continue
        if np.unique(finite).size == 1:
            constant.append(column)
        arrays.append(values)
        names.append(column)
        sources.append((column, None))
    if identifiers:
        notes.append(
            "Dropped identifier column(s), which cannot predict anything: " + listed(identifiers, 20) + "."
        )
    if empty:
        notes.append("Dropped column(s) with no values: " + listed([f"'{c}'" for c in empty], 20) + ".")
    if mixed:
        notes.append(
            "Mostly numeric column(s) with some text: the non-numbers were treated as missing: "
            + listed(mixed, 10, "; ") + "."
        )
    if encoded:
        notes.append(
            f"One-hot encoded text column(s) with at most {MAX_ONE_HOT_LEVELS} distinct values into 0/1 "
            "columns named column=value: " + listed(encoded, 10, "; ") + "."
        )
    if dropped_text:
        notes.append(
            f"Dropped text column(s) with more than {MAX_ONE_HOT_LEVELS} distinct values (free text or "
            "codes): " + listed(dropped_text, 10) + "."
        )
    if constant:
        notes.append(
            "Column(s) with a single value carry no information (kept, but they cannot help): "
            + listed([f"'{c}'" for c in constant], 20) + "."
        )
    dropped = [f"{len(x)} {what}: {listed(named, 3)}" for x, what, named in (
        (identifiers, "identifier column(s)", identifiers), (empty, "empty column(s)", [f"'{c}'" for c in empty]),
        (dropped_text, "free-text column(s)", dropped_text),
    ) if x]
    return arrays, names, sources, dropped


def _from_csv(file, target, positive, header, seed, val_fraction, test_fraction, name) -> Dataset:
    try:
        seed = int(seed)
        val_fraction, test_fraction = float(val_fraction), float(test_fraction)
    except (TypeError, ValueError, OverflowError):
        raise LogRegError(
            f"seed must be a whole number and the fractions numbers (got seed={seed!r}, "
            f"val_fraction={val_fraction!r}, test_fraction={test_fraction!r})"
        ) from None
    data, stem = read_source(file)
    frame, notes, facts = parse_bytes(data, header)
    if len(frame) == 1:
        raise LogRegError(
            "the file has only one data row: a classifier needs at least 10 rows, with at least 3 "
            "of each class"
        )
    if frame.shape[1] < 2:
        raise LogRegError(
            "the file has a single column, so there is nothing to predict the target from: it needs "
            "feature columns and a target column (check the delimiter: comma, semicolon or tab)"
        )
    if target is None:
        column, why = guess_target(frame)
        notes.append(f"No target given: guessed '{column}' because {why}; pick another one if that is wrong.")
    else:
        column, how = resolve_target(frame, target)
        if how:
            notes.append(f"Target: {how}.")
    if positive is not None and not isinstance(positive, (str, int, float, bool, np.generic)):
        raise LogRegError(f"positive={positive!r}: give the positive label as text, e.g. 'M' or '1'")
    y, class_names, keep = target_labels(frame, column, positive, notes)
    rows = facts["rows"][np.asarray(keep)]  # each row's data row in the file, for joining predictions back
    if not keep.all():
        frame = frame.loc[keep].reset_index(drop=True)
    arrays, feature_names, sources, dropped = _features(frame, column, facts, notes)
    if not arrays:
        why = f" (dropped: {'; '.join(dropped)})" if dropped else ""
        raise LogRegError(
            f"no usable feature columns are left besides the target '{column}'{why}: add numeric "
            "columns, or text columns with at most 10 distinct values"
        )
    if len(arrays) > MAX_COLUMNS:
        raise LogRegError(
            f"one-hot encoding makes {len(arrays):,} feature columns, more than the limit of "
            f"{MAX_COLUMNS:,}: remove text columns or reduce their distinct values"
        )
    feature_names = unique_names(feature_names, notes)
    X = np.column_stack(arrays)
    title = name if isinstance(name, str) and name.strip() else (stem or "uploaded CSV")
    try:
        return build_dataset(
            title, X, y, feature_names, class_names, notes,
            seed=seed, val_fraction=val_fraction, test_fraction=test_fraction, feature_sources=sources,
            target_name=column, rows=rows,
        )
    except LogRegError:
        raise
    except ValueError as exc:
        raise LogRegError(
            f"cannot split these {len(y):,} rows into train, validation and test sets ({exc}): add "
            "rows to the smallest classes or change the split fractions"
        ) from None
