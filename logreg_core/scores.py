"""Reading and writing score files: ``y_true,score[,split]`` from any model."""
from __future__ import annotations

import numpy as np

from .csv_loader import NoDataRows, marked_numbers, percent_fraction, read_text_table
from .errors import LogRegError
from .threshold import validate_scores

SPLITS = ("val", "test")


class ScoreParts(dict):
    """Scores by split, ``{"val": (y, s), "test": (y, s)}``, or ``{"all": (y, s)}`` with ``unsplit``
    saying why they are not split (no split column, or a split column with one split only), and ``notes``:
    sentences on how cells were read that a reader should know of ("90%" read as 0.9)."""

    def __init__(self, parts: dict, unsplit: str = ""):
        super().__init__(parts)
        self.unsplit = unsplit
        self.notes: list[str] = []

    def same_rows_warning(self) -> str | None:
        """What choosing and reporting on the same rows means, when they are not split."""
        if "all" not in self:
            return None
        return (f"{self.unsplit}: operating points are chosen and reported on the same rows, so they look "
                "better than they will on new data.")


def read_scores(file) -> ScoreParts:
    """Scores by split (``ScoreParts``): validation and test when a ``split`` column has both, else
    all rows. ``y_true`` must be 0/1 (1 = positive). Read as the CSV loader reads a table (its encodings,
    delimiters, ``sep=`` line and decimal mark, decided once for the file), with a header row."""
    try:
        if isinstance(file, bytes) or hasattr(file, "read"):
            raw = file if isinstance(file, bytes) else file.read()
        else:
            with open(file, "rb") as handle:
                raw = handle.read()
    except OSError as exc:
        raise LogRegError(f"cannot read the scores file {file}: {exc.strerror or exc}") from None
    if not raw.strip():
        raise LogRegError("the scores file is empty: expected a header line y_true,score (and optionally split) "
                          "and then one row per case")
    try:
        frame, _, facts = read_text_table(raw, header=True)
    except NoDataRows:
        raise LogRegError("the scores file has no rows: put one row per case below the header y_true,score") from None
    except LogRegError as exc:
        raise LogRegError(f"cannot read the scores file: {exc}") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = {"y_true", "score"} - set(frame.columns)
    if missing:
        raise LogRegError(f"the scores file needs columns y_true and score (missing: {', '.join(sorted(missing))}; "
                          f"found: {', '.join(frame.columns[:10])})")
    written = [name.strip().lower() for name in facts["names"]]  # "score,score" is read as score, score_2
    twice = [c for c in ("y_true", "score", "split") if written.count(c) > 1]
    if twice:
        raise LogRegError(f"the scores file has more than one column named {' and '.join(twice)}: keep one")
    extra = [c for c in facts["unnamed"] if frame[c].notna().any()]
    if extra:  # e.g. "1,0,9": a decimal comma in a comma-separated file splits the score in two
        raise LogRegError(f"some rows have {len(frame.columns)} fields, but the header names "
                          f"{len(frame.columns) - len(facts['unnamed'])}: a decimal comma in a comma-separated file "
                          "splits a number in two; separate fields with semicolons, or write decimal points")
    rows = facts["rows"]  # each row's data row in the file, for the messages
    notes: list[str] = []
    y = _numbers(frame["y_true"], facts["decimal"], rows, "y_true", "0 or 1 (1 = positive)", notes)
    s = _numbers(frame["score"], facts["decimal"], rows, "score", "a number", notes)
    parts = _both_classes(_by_split(frame, y, s))
    parts.notes = notes
    return parts


def _by_split(frame, y: np.ndarray, s: np.ndarray) -> ScoreParts:
    """The rows by the ``split`` column, if there is one with both splits; else all of them."""
    if "split" not in frame.columns:
        return ScoreParts({"all": validate_scores(y, s)}, "No split column")
    split = frame["split"].fillna("").str.lower().replace({"validation": "val"})
    unknown = sorted(set(split) - set(SPLITS))
    if unknown:
        training = {"train", "training"} & set(unknown)
        advice = (f": remove the {int(split.isin(training).sum())} {'/'.join(sorted(training))} rows (scores on the "
                  "cases a model learned from flatter it; thresholds are chosen on val, reported on test)"
                  if training else "")
        found = ", ".join(value or "(blank or NA)" for value in unknown[:5])
        raise LogRegError(f"split must be 'val' or 'test', found {found}{advice}")
    parts = {name: validate_scores(y[split == name], s[split == name]) for name in SPLITS if (split == name).any()}
    if len(parts) == 2:
        return ScoreParts(parts)
    only = "validation" if "val" in parts else "test"
    return ScoreParts({"all": validate_scores(y, s)}, f"The split column holds {only} rows only")


def _both_classes(parts: ScoreParts) -> ScoreParts:
    """Sensitivity, specificity, ROC AUC and the operating points all need positives and negatives."""
    rows = {"val": "validation rows", "test": "test rows", "all": "rows"}
    for part, (y, _) in parts.items():
        for label, kind in ((1, "positive"), (0, "negative")):
            if not (y == label).any():
                raise LogRegError(f"the scores file's {rows[part]} have no {kind} cases (y_true {label}): "
                                  "threshold analysis needs both classes")
    return parts


def _numbers(text, decimal: str, rows: np.ndarray, name: str, wanted: str, notes: list[str]) -> np.ndarray:
    """A text column as finite numbers, with the file's decimal mark. Text that is not one ("high", "inf")
    is named in the error, by its data row in the file (``rows``); a blank cell, or one the loader reads as
    missing ("NA"), is called missing. A percentage is read as the fraction it stands for ("90%" is 0.9, so
    that "0.9" beside it means the same), and thousands separators or a currency sign are dropped ("1,250" is
    1250); each of these is noted, as a threshold is on the scale the cells are read in."""
    missing = text.isna().to_numpy()
    numbers, marked = marked_numbers(text, decimal)
    percent = marked & text.str.strip().str.endswith("%", na=False)
    if percent.any():
        numbers[percent] = text[percent].map(lambda cell: percent_fraction(str(cell).strip(), decimal))
        notes.append(f"The {name} column has {int(percent.sum()):,} value(s) written as a percentage, such as "
                     f"{text[percent].iloc[0]!r}: read as the fraction it stands for "
                     f"({numbers[percent].iloc[0]:g}), so thresholds are fractions too.")
    if (marked & ~percent).any():
        unit = marked & ~percent
        notes.append(f"The {name} column has {int(unit.sum()):,} value(s) written with a currency sign or thousands "
                     f"separators, read as plain numbers (such as {text[unit].iloc[0]!r} as "
                     f"{numbers[unit].iloc[0]:g}).")
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~missing & ~np.isfinite(values)
    if bad.any():
        if bad.sum() == (~missing).sum() and not np.isinf(values).any():  # every value is text: labels
            labels = ", ".join(repr(v) for v in sorted(text[bad].unique())[:3])
            raise LogRegError(f"the {name} column holds text ({labels}), not numbers: each {name} must be "
                              f"{wanted}; recode the column")
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        raise LogRegError(f"the {name} column has {int(bad.sum())} value(s) that are not finite numbers, such as "
                          f"{examples} (first on data row {rows[bad.argmax()]}): each {name} must be "
                          f"{wanted}; fix or remove those rows")
    if missing.any():
        raise LogRegError(f"the {name} column is blank or NA on {int(missing.sum())} row(s) (first on data row "
                          f"{rows[missing.argmax()]}): each {name} must be {wanted}; fill or remove those rows")
    return values


def scores_csv(val: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> str:
    """``split,y_true,score`` rows for validation then test (full float precision)."""
    lines = ["split,y_true,score"]
    for name, (y, s) in (("val", val), ("test", test)):
        lines += [f"{name},{int(t)},{float(p)!r}" for t, p in zip(y, s)]
    return "\n".join(lines) + "\n"
