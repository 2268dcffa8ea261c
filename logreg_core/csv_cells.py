"""One cell or column of a CSV read as people write numbers in spreadsheets.

Decimal commas, thousands grouped in threes, a currency sign before or a percent
sign after, true/false columns, the strings pandas takes for missing, and values
too big for 32-bit floats. The reader uses this to sniff a file; the loader, the
score reader and prediction use it to read columns the same way.
"""
from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd

from .model import HUGE

# The strings pandas reads as missing by default.
PANDAS_NA = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)
NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)", re.IGNORECASE)
_UNIT_MARKS = re.compile(r"^\s*[$€£¥]\s*|\s*%\s*$")
# digits in groups of three: "1,346.23" in a file with decimal points, "1.346,23" or "1 346,23" with commas. The
# first group never starts with 0: "0.350" or "0,350" is no grouping of thousands (a probability, not 350).
GROUPED = {".": re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?"),
           ",": re.compile(r"[+-]?[1-9]\d{0,2}(?:[. \u00a0]\d{3})+(?:,\d+)?")}
_POINT_GROUPED = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"  # "1.346": a number, but grouped where decimals are commas


def as_text(series: pd.Series) -> pd.Series:
    """Strings stripped of surrounding spaces; missing cells, empty ones and 'NA' & co. are NaN."""
    text = series.astype("str").str.strip()
    return text.mask(text.isin(PANDAS_NA))


def numeric_view(series: pd.Series) -> np.ndarray | None:
    """The column as float64 when it is numeric or boolean, else None."""
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return None


def without_huge(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``values`` with infinite ones and those beyond ±1e30 (too big for 32-bit floats) made missing
    (NaN), and how many there were."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(values) > HUGE)
    if not bad.any():
        return values, 0
    return np.where(bad, np.nan, values), int(bad.sum())


def true_false(text: pd.Series) -> np.ndarray | None:
    """A text column of true/false only (any case; blanks allowed) as 1/0 (blank: NaN), else None."""
    if not {str(v).lower() for v in text.dropna().unique()} <= {"true", "false"}:
        return None
    return text.str.lower().map({"true": 1.0, "false": 0.0}).to_numpy(dtype=np.float64, na_value=np.nan)


def _bare_number(cell: str, decimal: str) -> str:
    """``cell`` without a unit mark or thousands separators, with a decimal point: "$1,346.23" is "1346.23",
    and so is "1.346,23" where the decimal mark is a comma."""
    cell = _UNIT_MARKS.sub("", cell)
    if GROUPED[decimal].fullmatch(cell):
        cell = re.sub("," if decimal == "." else r"[. \u00a0]", "", cell)
    return cell.replace(",", ".") if decimal == "," else cell


def is_number(cell: str, decimal: str) -> bool:
    """Whether ``cell`` reads as a number, as ``marked_numbers`` reads it."""
    return NUMBER.fullmatch(_bare_number(cell, decimal)) is not None


def percent_fraction(cell: str, decimal: str) -> float:
    """A percentage as the fraction it stands for, to the nearest float of the decimal written: "1.4%" is
    0.014, where 1.4 / 100 is 0.013999999999999999, which a threshold of 0.014 does not reach."""
    return float(Decimal(_bare_number(cell, decimal)).scaleb(-2))


def text_numbers(text: pd.Series, decimal: str) -> pd.Series:
    """Text read as numbers (decimal commas when the file uses them); what is not one becomes NaN."""
    return marked_numbers(text, decimal)[0]


def marked_numbers(text: pd.Series, decimal: str) -> tuple[pd.Series, pd.Series]:
    """``text_numbers``, and which of them were written with a unit or thousands separators: a
    percent sign after ("12.3%" is 12.3), a currency sign before ("$45.00" is 45), digits grouped in
    threes ("1,346.23" is 1346.23 where the file's decimal mark is a point, "1.346,23" where it is a comma)."""
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False) if decimal == "," else text, errors="coerce")
    odd = numbers.isna() & text.notna()
    if decimal == ",":  # "1.346" where decimals are commas groups thousands, as in "1.346,5": 1346, not 1.346
        odd |= text.str.fullmatch(_POINT_GROUPED, na=False)
    if not odd.any():
        return numbers, odd
    marked = pd.to_numeric(text[odd].map(lambda cell: _bare_number(str(cell), decimal)), errors="coerce")
    return numbers.mask(odd, marked), marked.notna().reindex(text.index, fill_value=False)


def typed_columns(frame: pd.DataFrame, decimal: str) -> pd.DataFrame:
    """A ``read_text_table`` frame with the types ``read_table`` would have given its columns: numbers
    where every filled cell is one, True/False where every cell is true or false; other columns as text."""
    typed = frame.copy()
    for column in frame.columns:
        text = frame[column]
        filled = int(text.notna().sum())
        numbers = text_numbers(text, decimal)
        if int(numbers.notna().sum()) == filled:  # an empty column too: NaN, as the reader gives it
            typed[column] = numbers
        elif filled == len(text) and (flags := true_false(text)) is not None:
            typed[column] = flags == 1.0
    return typed


def numeric_column(series: pd.Series, decimal: str) -> np.ndarray:
    """A column the loader keeps as one number feature, read as the loader reads it: numbers as they
    are, a true/false column as 1/0, other text as numbers with anything else missing (NaN), and
    infinite or huge values missing too. New rows to predict go through here, as training's did."""
    values = numeric_view(series)
    if values is None:
        text = as_text(series)
        values = true_false(text)
        if values is None:
            values = text_numbers(text, decimal).to_numpy(dtype=np.float64, na_value=np.nan)
    return without_huge(values)[0]
