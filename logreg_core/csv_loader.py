"""Turn a user's CSV file into a :class:`~logreg_core.datasets.Dataset`.

The loader reads everything in memory (a path, bytes or a binary file-like
object such as Streamlit's ``UploadedFile``), guesses what it has to guess
(encoding, delimiter, header row, target column, positive label, what to do
with each column) and writes every such decision as a sentence into the notes
that end up in ``Dataset.notes``. Splitting and median imputation are left to
:func:`~logreg_core.datasets.build_dataset`.

Nothing in a file is ever executed, unpickled or evaluated, and bad input of
any kind raises :class:`~logreg_core.errors.LogRegError` only.

Public API: :func:`from_csv`, :func:`read_table` (parse only, for previews),
:func:`target_candidates`, :func:`label_values` and :func:`guess_positive`
(for the UI's pickers).
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from .datasets import Dataset, build_dataset
from .errors import LogRegError
from .model import HUGE

MAX_UPLOAD_MB = 200          # the largest file accepted (the app's server.maxUploadSize is set from this)
MAX_COLUMNS = 20_000

MAX_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_ONE_HOT_LEVELS = 10      # text columns with at most this many distinct values are one-hot encoded
MAX_TARGET_LABELS = 50       # more distinct numeric target values than this looks continuous

_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", ":": "colon"}
_HOW_HEADER = "(Data page: Header row No; command line: --no-header; Python: header=False)"
TARGET_NAMES = ("target", "label", "class", "outcome", "diagnosis", "y", "y_true")
_POSITIVE_NAMES = ("1", "yes", "y", "true", "positive", "pos", "malignant", "m")
_ID_NAMES = {
    "id", "index", "idx", "row", "rowid", "row_id", "row id", "rownum", "row number", "#", "unnamed: 0",
}
# The strings pandas reads as missing by default.
_PANDAS_NA = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)
_NA_TOKENS = {token.lower() for token in _PANDAS_NA}  # for the header detector
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)", re.IGNORECASE)
# a number with a decimal comma, or point, for guessing the file's decimal mark: a currency sign before,
# a percent sign after, and digits grouped in threes by the other mark allowed ("€ 1.346,23", "12.5%")
_DECIMAL_COMMA = re.compile(r"(?:[$€£¥]\s*)?[+-]?(?:\d{1,3}(?:[. \u00a0]\d{3})+|\d+),\d+(?:\s*%)?")
_DECIMAL_DOT = re.compile(r"(?:[$€£¥]\s*)?[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+(?:[eE][+-]?\d+)?(?:\s*%)?")
_MAGIC = (
    (b"PK\x03\x04", "an Excel workbook (.xlsx) or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Excel workbook (.xls)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
_SAMPLE_ROWS = 60


# --------------------------------------------------------------------------- public API


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
    return _guarded(
        _from_csv, file, target, positive, header, seed, val_fraction, test_fraction, name
    )


class NoDataRows(LogRegError):
    """A file with no rows below its header (the message is for a training file)."""


def read_table(file, header=None) -> tuple[pd.DataFrame, list[str]]:
    """Parse ``file`` only: the frame (column names final and unique) and the notes.

    Text cells are stripped of surrounding spaces, empty text is missing (NaN);
    no column is converted or dropped yet. For previews and column pickers.
    """
    frame, notes, _ = _guarded(_parse_file, file, header, False)
    return frame, notes


def read_text_table(file, header=None) -> tuple[pd.DataFrame, list[str], dict]:
    """``read_table`` with every cell kept as text (a column of 1s stays "1", not 1.0; "007" stays), and
    facts about the file: its decimal mark ("decimal": "." or ","), whether it has a header row
    ("has_header"), the column names as the file gives them, before repeated ones are made unique
    ("names"), the columns that had no name there ("unnamed", all of them without a header), and
    how many rows without any value were skipped ("empty_rows"), and each kept row's number among the file's
    data rows ("rows", 1 = the first; blank lines are not counted). For rows to predict, read as
    ``numeric_column`` and the loader's text levels expect, whatever types their few rows would suggest on
    their own."""
    return _guarded(_parse_file, file, header, True)


def _parse_file(file, header, all_text: bool):
    return _parse_bytes(_read_source(file)[0], header, all_text)


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
        guess, _ = _guess_target(frame_)
        labelish = [c for c in columns if c != guess and _looks_like_labels(frame_[c], c)]
        plausible = [
            c for c in columns if c != guess and c not in labelish and _plausible_target(frame_[c], c)
        ]
        rest = [c for c in columns if c not in (guess, *labelish, *plausible)]
        rest.sort(key=_is_id_name)  # identifiers last
        return [guess, *labelish, *plausible, *rest]

    return _guarded(run)


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
        column, _ = _resolve_target(frame_, target)
        labels, _, _, numeric = encode_labels(frame_[column])
        if numeric and len(labels) > MAX_TARGET_LABELS:
            raise _continuous_target(frame_, column, len(labels))
        return labels

    return _guarded(run)


def guess_positive(frame, target) -> str | None:
    """The label :func:`from_csv` makes positive when ``positive`` is not given.

    For a two-label target: the label with a usual positive name (1, yes, true,
    positive, malignant, M, Y, …) if there is one, else the second in sorted
    order. ``None`` when the target does not have exactly two labels.
    """
    def run():
        frame_ = _as_frame(frame)
        column, _ = _resolve_target(frame_, target)
        labels, _, _, _ = encode_labels(frame_[column])
        if len(labels) != 2:
            return None
        return labels[default_positive(labels)[0]]

    return _guarded(run)


# --------------------------------------------------------------------------- guard


def _guarded(function, *args):
    """Run ``function``; anything but a LogRegError becomes one (bad bytes must never crash the UI)."""
    try:
        return function(*args)
    except LogRegError:
        raise
    except MemoryError:
        raise LogRegError(
            "the file is too large to load into memory: use a smaller sample of its rows or columns"
        ) from None
    except RecursionError:
        raise LogRegError("the file is too deeply nested or malformed to read as CSV") from None
    except Exception as exc:  # noqa: BLE001 - the contract is "LogRegError or nothing"
        raise LogRegError(
            f"could not read this file as a CSV table ({type(exc).__name__}: {exc}): check that it is "
            "a plain comma-, semicolon- or tab-separated text file"
        ) from exc


def _as_frame(frame) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise LogRegError(
            f"expected the table returned by read_table (a pandas DataFrame), got {type(frame).__name__}"
        )
    if frame.columns.has_duplicates or any(not isinstance(c, str) for c in frame.columns):
        frame = frame.copy()
        frame.columns = _unique_names([str(c) for c in frame.columns], [])
    return frame


# --------------------------------------------------------------------------- bytes in


def _too_large(size: int) -> LogRegError:
    return LogRegError(
        f"the file is {size / 1024 / 1024:,.1f} MB, more than the {MAX_UPLOAD_MB} MB limit: "
        "use a smaller file (fewer rows or columns)"
    )


def _read_source(file) -> tuple[bytes, str | None]:
    """The raw bytes of ``file`` and its name's stem (None when it has no name)."""
    if isinstance(file, (bytes, bytearray, memoryview)):
        data = bytes(file)
        stem = None
    elif isinstance(file, (str, os.PathLike)):
        try:
            path = Path(file)
        except TypeError:
            raise LogRegError(f"cannot use {file!r} as a file path") from None
        shown = str(path) if len(str(path)) <= 200 else str(path)[:200] + "…"
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise _too_large(size)
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise LogRegError(
                f"file not found: {shown}: check the path"
            ) from None
        except IsADirectoryError:
            raise LogRegError(f"{shown} is a folder, not a CSV file") from None
        except PermissionError:
            raise LogRegError(f"no permission to read {shown}") from None
        except (OSError, ValueError) as exc:
            raise LogRegError(f"cannot read {shown}: {getattr(exc, 'strerror', None) or exc}") from None
        stem = path.stem
    elif hasattr(file, "read"):
        size = getattr(file, "size", None)
        if isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > MAX_BYTES:
            raise _too_large(int(size))
        try:
            if getattr(file, "seekable", lambda: False)():
                file.seek(0)
            data = file.read(MAX_BYTES + 1)
        except (OSError, ValueError) as exc:
            raise LogRegError(f"cannot read the file: {exc}") from None
        if isinstance(data, str):
            data = data.encode("utf-8", errors="surrogatepass")
        elif isinstance(data, (bytearray, memoryview)):
            data = bytes(data)
        elif not isinstance(data, bytes):
            raise LogRegError(f"reading the file gave {type(data).__name__}, not bytes: open it in binary mode")
        file_name = getattr(file, "name", None)
        stem = Path(file_name).stem if isinstance(file_name, str) and file_name.strip() else None
    else:
        raise LogRegError(
            f"cannot read a CSV from a {type(file).__name__}: pass a file path, bytes, or a file opened in binary mode"
        )
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    return data, (stem or None)


def decode_text(data: bytes, notes: list[str]) -> tuple[str, str]:
    """Text and a short description of its encoding; rejects binaries and empty files."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            if "Excel" in what:
                raise LogRegError(
                    f"this looks like an Excel file ({what}), not CSV text: open it in Excel or "
                    "LibreOffice and save it as CSV (comma-separated values), then use that file"
                )
            raise LogRegError(
                f"this looks like {what}, not CSV text: save the table as CSV (comma-separated values) "
                "and use that file"
            )
    if not data.strip():
        raise LogRegError("the file is empty: it has no header and no rows; use a CSV with data")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not data.startswith(codecs.BOM_UTF32_LE):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise LogRegError(
                "the file starts like UTF-16 text but cannot be decoded: save it as CSV UTF-8"
            ) from None
        encoding = "UTF-16"
        notes.append("The file is UTF-16 text (as Excel's 'Unicode text' export writes it).")
    else:
        if b"\x00" in data:
            raise LogRegError(
                "this looks like an Excel file or another binary file (it contains NUL bytes), not CSV "
                "text: save it as CSV (comma-separated values) and use that file"
            )
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
            encoding = "UTF-8 with byte-order mark"
        else:
            encoding = "UTF-8"
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            encoding = "latin-1"
            notes.append(
                "The file is not valid UTF-8, so it was read as latin-1 (ISO-8859-1); if accented "
                "letters look wrong, save it as CSV UTF-8."
            )
    if "\x00" in text:
        raise LogRegError(
            "this looks like an Excel file or another binary file (it contains NUL characters), not "
            "CSV text: save it as CSV (comma-separated values) and use that file"
        )
    head = text[:65536]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\n\r")
    if controls > max(8, len(head) // 20):
        raise LogRegError(
            "this looks like a binary file (an Excel workbook, an image, …), not CSV text: save the "
            "table as CSV (comma-separated values) and use that file"
        )
    if not text.strip():
        raise LogRegError("the file is empty: it has no header and no rows; use a CSV with data")
    return text, encoding


# --------------------------------------------------------------------------- sniffing


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_BLANK_LINES = re.compile(r"(?:[^\S\r\n]*(?:\r\n|\r|\n))*")


def _lines(text: str):
    """The lines of ``text`` with their endings, lazily (io.StringIO would take 4 bytes a character)."""
    return (match.group(0) for match in _LINE.finditer(text))


def _without_leading_comments(text: str) -> tuple[int, str]:
    """(how many lines starting with # lead the text, the text after them): a title or a source line above
    the table. A # line laid out as the line under it (as many commas, semicolons and tabs, some of them) is a
    header such as "#id,x,label", and stays."""
    if not text.lstrip().startswith("#"):
        return 0, text
    lines = text[:1 << 16].splitlines(keepends=True)  # comments are a few lines at the top
    table = next((line for line in lines if line.strip() and not line.lstrip().startswith("#")), "")
    shape = [table.count(d) for d in ",;\t"]
    skipped = 0
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            break
        if line.strip() and any(shape) and [line.count(d) for d in ",;\t"] == shape:
            break  # a header written after a #
        skipped += 1
    count = sum(1 for line in lines[:skipped] if line.strip())
    return count, _strip_leading_blank_lines(text[sum(map(len, lines[:skipped])):]) if count else text


def _strip_leading_blank_lines(text: str) -> str:
    return text[_BLANK_LINES.match(text).end():]


def _sample(text: str) -> tuple[str, bool]:
    """A prefix of ``text`` holding at least ~40 lines when possible; True when it is all of it."""
    limit = 1 << 16
    while len(text) > limit:
        if text.count("\n", 0, limit) + text.count("\r", 0, limit) >= 80 or limit >= 1 << 24:
            break
        limit *= 4
    if len(text) <= limit:
        return text, True
    sample = text[:limit]
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    return (sample[:cut] if cut > 0 else sample), False


def _sample_rows(sample: str, delimiter: str, whole: bool) -> list[list[str]]:
    """Up to _SAMPLE_ROWS complete records of ``sample`` (blank lines skipped, as pandas does)."""
    reader = csv.reader(_lines(sample), delimiter=delimiter, quotechar='"', skipinitialspace=True)
    rows: list[list[str]] = []
    complete = False
    try:
        for row in reader:
            if not row:
                continue
            rows.append(row)
            if len(rows) > _SAMPLE_ROWS:
                complete = True
                break
    except csv.Error as exc:
        if not rows:
            raise LogRegError(
                f"could not parse the file as CSV ({exc}): a field is extremely long, or a quote (\") "
                "is opened and never closed"
            ) from None
        complete = True  # a malformed record further down: keep what came before it
    if complete:
        return rows[:_SAMPLE_ROWS]
    if not whole and len(rows) > 1:
        rows.pop()  # the sample may have cut the last record in half
    return rows


def _is_number(cell: str, decimal: str) -> bool:
    """Whether ``cell`` reads as a number, as ``marked_numbers`` reads it."""
    return _NUMBER.fullmatch(_bare_number(cell, decimal)) is not None


def _cell_kind(cell: str, decimal: str) -> str:
    """'empty', 'num' (numbers and booleans) or 'text'."""
    value = cell.strip()
    if value.lower() in _NA_TOKENS:
        return "empty"
    if _is_number(value, decimal) or value.lower() in ("true", "false"):
        return "num"
    return "text"


def _sniff(sample: str, whole: bool) -> tuple[str, str, list[list[str]]]:
    """(delimiter, decimal mark, sample rows)."""
    best = None
    failure = None
    for order, delimiter in enumerate(_DELIMITERS):
        try:
            rows = _sample_rows(sample, delimiter, whole)
        except LogRegError as exc:  # e.g. one giant field: this delimiter is probably wrong
            failure = failure or exc
            continue
        if not rows:
            continue
        counts = Counter(len(r) for r in rows)
        mode = max(counts, key=lambda k: (counts[k], k))
        consistency = counts[mode] / len(rows)
        others = [d for d in _DELIMITERS if d != delimiter]
        cells = [c.strip() for r in rows for c in r]
        clean = sum(
            1 for c in cells
            if not any(d in c for d in others)
            or (delimiter != "," and _DECIMAL_COMMA.fullmatch(c) is not None)
        ) / max(1, len(cells))
        score = (mode > 1, round(consistency, 1), round(clean, 2), mode, -order)
        if best is None or score > best[0]:
            best = (score, delimiter, rows)
    if best is None:
        if failure is not None:
            raise failure
        return ",", ".", []
    _, delimiter, rows = best
    return delimiter, _decimal_mark(delimiter, rows), rows


def _decimal_mark(delimiter: str, rows: list[list[str]]) -> str:
    """"," when more numbers below the first row are written with a decimal comma than with a point. Between
    commas such a number is quoted ("0,9", as a spreadsheet in a decimal-comma locale exports it), and one that
    could be thousands grouped in threes ("1,250") does not count: only "0,9", "12,5" or "1.346,2" do."""
    cells = [c.strip() for r in rows[1:] for c in r]
    commas = sum(1 for c in cells if _DECIMAL_COMMA.fullmatch(c)
                 and not (delimiter == "," and _GROUPED["."].fullmatch(c)))
    dots = sum(1 for c in cells if _DECIMAL_DOT.fullmatch(c))
    return "," if commas and commas >= dots else "."


def _detect_header(rows: list[list[str]], decimal: str) -> tuple[bool, str]:
    """Whether the first record is a header, and why (a fragment of a sentence)."""
    if not rows:
        return False, "the file has no records"
    first, rest = rows[0], rows[1:]
    kinds = [_cell_kind(c, decimal) for c in first]
    if not rest:
        is_header = "text" in kinds
        return is_header, "the only row " + ("has text in it" if is_header else "is all numbers")
    if _numbers_the_columns(first, decimal) and not _numbers_the_columns(rest[0], decimal):
        return True, "the first row numbers the columns 0, 1, 2, …, as pandas writes columns without names"
    header_votes = data_votes = 0
    for j, (cell, kind) in enumerate(zip(first, kinds)):
        column = [r[j].strip() for r in rest if j < len(r)]
        below = [_cell_kind(c, decimal) for c in column]
        filled = [k for k in below if k != "empty"]
        numeric_share = (filled.count("num") / len(filled)) if filled else None
        if kind == "num":
            if numeric_share is None or numeric_share >= 0.5:
                data_votes += 1
        elif kind == "text":
            if numeric_share is not None and numeric_share >= 0.8:
                header_votes += 1
            elif cell.strip() in column:
                data_votes += 1  # a repeated category value, such as a class label
    if header_votes == 0 and data_votes == 0:
        is_header = "text" in kinds and len({c.strip() for c in first}) == len(first)
        reason = "the first row is distinct text, as names are" if is_header else "the first row looks like data"
        return is_header, reason
    if header_votes >= data_votes:
        return True, "the first row is text above columns of numbers"
    return False, "the first row looks like data, with numbers or repeated labels"


def _numbers_the_columns(row: list[str], decimal: str) -> bool:
    """Whether ``row``'s numbers are whole and count up from 0 or 1 along it (at least 3, over half of its
    cells; blank and text cells aside, as an index's or a target's name beside them): column positions as
    names. A row with a fraction in it is data."""
    numbers = []
    for cell in (c.strip() for c in row):
        if cell.isdecimal() and cell.isascii():
            numbers.append(int(cell))
        elif _is_number(cell, decimal):
            return False
    return (len(numbers) >= max(3, len(row) / 2)
            and numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(numbers))))


# --------------------------------------------------------------------------- parsing


def _unique_names(names: list[str], notes: list[str]) -> list[str]:
    taken = set(names)
    seen: set[str] = set()
    result, renamed = [], []
    for original in names:
        new = original
        if new in seen:
            k = 2
            while f"{original}_{k}" in taken or f"{original}_{k}" in seen:
                k += 1
            new = f"{original}_{k}"
            renamed.append(f"'{original}' → '{new}'")
        seen.add(new)
        result.append(new)
    if renamed:
        shown = ", ".join(renamed[:8]) + (f" and {len(renamed) - 8} more" if len(renamed) > 8 else "")
        notes.append(f"Duplicate column names were made unique: {shown}.")
    return result


def _column_limit_error(count: int) -> LogRegError:
    return LogRegError(
        f"the file has {count:,} columns, more than the limit of {MAX_COLUMNS:,}: remove columns "
        "(or transpose the table if rows and columns are swapped) and try again"
    )


def _max_fields(text: str, delimiter: str) -> int:
    reader = csv.reader(_lines(text), delimiter=delimiter, quotechar='"', skipinitialspace=True)
    widest = 0
    try:
        for row in reader:
            widest = max(widest, len(row))
    except csv.Error as exc:
        raise LogRegError(f"could not parse the file as CSV ({exc}): check that quotes are balanced") from None
    return widest


def _read_csv(payload: bytes, delimiter: str, decimal: str, ncols: int | None, skip_header: bool,
              nrows: int | None = None, all_text: bool = False) -> pd.DataFrame:
    """pandas' C parser on UTF-8 ``payload``; ``ncols=None`` lets it count the first row's fields (as
    text, as ``all_text`` reads every cell)."""
    return pd.read_csv(
        io.BytesIO(payload),
        encoding="utf-8",
        sep=delimiter,
        decimal=decimal,
        header=None,
        names=None if ncols is None else list(range(ncols)),
        skiprows=1 if skip_header else 0,
        nrows=nrows,
        index_col=False,
        skipinitialspace=True,
        quotechar='"',
        low_memory=False,
        engine="c",
        dtype=str if ncols is None or all_text else None,
    )


def _first_row_width(payload: bytes, delimiter: str, decimal: str, skip_header: bool) -> int:
    """How many fields pandas sees in the first data row.

    pandas silently truncates a first row that is wider than ``names``, so the
    width it will be given must cover what pandas itself sees there.
    """
    try:
        return _read_csv(payload, delimiter, decimal, None, skip_header, nrows=1).shape[1]
    except pd.errors.EmptyDataError:
        return 0


def _parse_bytes(data: bytes, header, all_text: bool = False) -> tuple[pd.DataFrame, list[str], dict]:
    """Decode, sniff and parse; the frame, the notes and facts the loader needs (``all_text``: every
    cell as text, see ``read_text_table``)."""
    if not (header is None or isinstance(header, (bool, np.bool_))):
        raise LogRegError(f"header={header!r}: use None (detect), True or False")
    notes: list[str] = []
    text, encoding = decode_text(data, notes)
    text = _strip_leading_blank_lines(text)
    count, text = _without_leading_comments(text)
    if count:
        notes.append(f"Skipped {count} line{'s' * (count != 1)} starting with # above the table (comments).")
        if not text.strip():
            raise LogRegError("the file holds only lines starting with # (comments): add the table below them")
    forced_delimiter = None
    first_line = re.match(r"[^\r\n]*(?:\r\n|\r|\n)?", text).group(0)
    if re.fullmatch(r"sep=[,;\t|:]", first_line.strip(" \r\n")):
        forced_delimiter = first_line.strip(" \r\n")[-1]
        text = _strip_leading_blank_lines(text[len(first_line):])
        notes.append(f"The first line 'sep={forced_delimiter}' (an Excel hint) set the delimiter and was skipped.")
        if not text.strip():
            raise LogRegError("the file has no header and no data rows after its 'sep=' line: add data")
    if "\r" in text and re.search(r"\r(?!\n)", text):
        # Old Mac line ends: pandas' C parser drops a leading empty field after a skipped
        # row ended by a bare CR, so give it newlines.
        text = re.sub(r"\r\n?", "\n", text)
    sample, whole = _sample(text)
    if forced_delimiter is not None:
        rows = _sample_rows(sample, forced_delimiter, whole)
        delimiter = forced_delimiter
        decimal = _decimal_mark(delimiter, rows)
    else:
        delimiter, decimal, rows = _sniff(sample, whole)
    ncols = max((len(r) for r in rows), default=1)
    if ncols > MAX_COLUMNS:
        raise _column_limit_error(ncols)

    if header is None:
        has_header, why = _detect_header(rows, decimal)
        header_note = (
            f"Detected a header row ({why}); if that row is data, say the file has no header row {_HOW_HEADER}."
            if has_header else
            f"No header row detected ({why}); columns are named col_0, col_1, …; if the first row holds "
            "the names, say the file has a header row (Data page: Header row Yes; command line: --header; "
            "Python: header=True)."
        )
    else:
        has_header = bool(header)
        header_note = (
            "The first row is used as column names, as asked."
            if has_header else "The first row is data, as asked (no header row): columns are named col_0, col_1, …."
        )

    ragged = len({len(r) for r in rows}) > 1
    payload = text.encode("utf-8", errors="replace")
    try:
        ncols = max(ncols, _first_row_width(payload, delimiter, decimal, has_header))
        if ncols > MAX_COLUMNS:
            raise _column_limit_error(ncols)
        try:
            frame = _read_csv(payload, delimiter, decimal, ncols, has_header, all_text=all_text)
        except pd.errors.ParserError as exc:
            if not re.search(r"Expected \d+ fields", str(exc)):
                raise
            widest = _max_fields(text, delimiter)
            if widest > MAX_COLUMNS:
                raise _column_limit_error(widest) from None
            ncols = max(widest, ncols)
            frame = _read_csv(payload, delimiter, decimal, ncols, has_header, all_text=all_text)
            ragged = True
    except (ValueError, OverflowError, csv.Error) as exc:  # pandas' ParserError is a ValueError
        raise LogRegError(_parse_failure(exc)) from None
    del payload
    if frame.shape[1] > MAX_COLUMNS:
        raise _column_limit_error(frame.shape[1])
    if ragged:
        notes.append(
            f"Rows have different numbers of fields (up to {ncols}); shorter rows were padded "
            "with missing values."
        )

    if has_header and rows:
        raw = [c.strip() for c in rows[0]] + [""] * max(0, ncols - len(rows[0]))
        unnamed = [i for i, c in enumerate(raw) if not c]
        names = [c or f"col_{i}" for i, c in enumerate(raw)]
        if unnamed and len(unnamed) < ncols:
            shown = ", ".join(f"col_{i}" for i in unnamed[:8]) + (" …" if len(unnamed) > 8 else "")
            notes.append(f"{len(unnamed)} column(s) had no name in the header and were named {shown}.")
    else:
        unnamed = range(ncols)
        names = [f"col_{i}" for i in unnamed]
    frame.columns = _unique_names(names[: frame.shape[1]], notes)
    unnamed = [frame.columns[i] for i in unnamed if i < frame.shape[1]]

    for column in frame.columns:
        series = frame[column]
        if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
            frame[column] = as_text(series)
    empty_rows = frame.isna().all(axis=1)
    if empty_rows.any():
        frame = frame.loc[~empty_rows].reset_index(drop=True)
        notes.append(f"Skipped {int(empty_rows.sum())} empty row(s).")
    if len(frame) == 0:
        if has_header:
            raise NoDataRows(
                "the file has a header row but no data rows: add at least 10 rows of data "
                f"(or, if that first row is data, say the file has no header row {_HOW_HEADER})"
            )
        raise NoDataRows("the file has no data rows: add at least 10 rows of data")

    what = _DELIMITER_NAMES.get(delimiter, repr(delimiter))
    decimal_text = ", decimal commas" if decimal == "," else ""
    notes.insert(
        0,
        f"Read {len(frame):,} row(s) × {frame.shape[1]:,} column(s) ({encoding}, {what}-separated"
        f"{decimal_text}).",
    )
    if delimiter != ",":
        notes.insert(1, f"Fields are separated by {what}s, not commas.")
    if decimal == ",":
        notes.append("Numbers use a decimal comma (1,5 means 1.5).")
    notes.append(header_note)
    return frame, notes, {"has_header": has_header, "names": names[: frame.shape[1]], "unnamed": unnamed,
                          "decimal": decimal,
                          "empty_rows": int(empty_rows.sum()),
                          "rows": np.flatnonzero(~empty_rows.to_numpy()) + 1}


def _parse_failure(exc) -> str:
    message = str(exc).strip().replace("Error tokenizing data. C error: ", "")
    hint = "check that quotes are balanced and the delimiter is used consistently"
    if "EOF inside string" in message:
        hint = "a quote (\") is opened but never closed; fix or remove it"
    return f"could not parse the file as CSV ({message}): {hint}"


def as_text(series: pd.Series) -> pd.Series:
    """Strings stripped of surrounding spaces; missing cells, empty ones and 'NA' & co. are NaN."""
    text = series.astype("str").str.strip()
    return text.mask(text.isin(_PANDAS_NA))


# --------------------------------------------------------------------------- columns


def _is_id_name(name: str) -> bool:
    lowered = name.strip().lower()
    return (
        lowered in _ID_NAMES
        or re.search(r"(?:^|[_\s.\-])id$", lowered) is not None
        or re.search(r"[a-z0-9]I[dD]$", name.strip()) is not None
    )


def _numeric_view(series: pd.Series) -> np.ndarray | None:
    """The column as float64 when it is numeric or boolean, else None."""
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return None


def _profile(series: pd.Series) -> tuple[str, int, bool]:
    """(kind, distinct non-missing values, all integers) with kind 'empty', 'numeric', 'bool' or 'text'."""
    if pd.api.types.is_bool_dtype(series):
        return "bool", int(series.nunique()), True
    values = _numeric_view(series)
    if values is not None:
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return "empty", 0, False
        return "numeric", int(pd.unique(finite).size), bool(np.all(finite == np.round(finite)))
    count = int(series.nunique(dropna=True))
    return ("text" if count else "empty"), count, False


def _looks_like_labels(series: pd.Series, name: str) -> bool:
    if _is_id_name(name):
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
    if _is_id_name(name):
        return False
    kind, distinct, _ = _profile(series)
    return kind != "empty" and 2 <= distinct <= MAX_TARGET_LABELS


def _guess_target(frame: pd.DataFrame) -> tuple[str, str]:
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


def _resolve_target(frame: pd.DataFrame, target) -> tuple[str, str | None]:
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
    numbers = _numeric_view(series)
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
    if numeric and _NUMBER.fullmatch(wanted):
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


_MISSING_MARKS = {"?", "na", "n/a", "nan", "null", "none", "missing", "-", "."}


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


def _target_labels(frame, column, positive, notes):
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


def _without_huge(values: np.ndarray) -> tuple[np.ndarray, int]:
    """``values`` with infinite ones and those beyond ±1e30 (too big for 32-bit floats) made missing
    (NaN), and how many there were."""
    with np.errstate(invalid="ignore"):
        bad = np.isinf(values) | (np.abs(values) > HUGE)
    if not bad.any():
        return values, 0
    return np.where(bad, np.nan, values), int(bad.sum())


def _true_false(text: pd.Series) -> np.ndarray | None:
    """A text column of true/false only (any case; blanks allowed) as 1/0 (blank: NaN), else None."""
    if not {str(v).lower() for v in text.dropna().unique()} <= {"true", "false"}:
        return None
    return text.str.lower().map({"true": 1.0, "false": 0.0}).to_numpy(dtype=np.float64, na_value=np.nan)


_UNIT_MARKS = re.compile(r"^\s*[$€£¥]\s*|\s*%\s*$")
# digits in groups of three: "1,346.23" in a file with decimal points, "1.346,23" or "1 346,23" with commas. The
# first group never starts with 0: "0.350" or "0,350" is no grouping of thousands (a probability, not 350).
_GROUPED = {".": re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?"),
            ",": re.compile(r"[+-]?[1-9]\d{0,2}(?:[. \u00a0]\d{3})+(?:,\d+)?")}
_POINT_GROUPED = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"  # "1.346": a number, but grouped where decimals are commas


def _bare_number(cell: str, decimal: str) -> str:
    """``cell`` without a unit mark or thousands separators, with a decimal point: "$1,346.23" is "1346.23",
    and so is "1.346,23" where the decimal mark is a comma."""
    cell = _UNIT_MARKS.sub("", cell)
    if _GROUPED[decimal].fullmatch(cell):
        cell = re.sub("," if decimal == "." else r"[. \u00a0]", "", cell)
    return cell.replace(",", ".") if decimal == "," else cell


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
        elif filled == len(text) and (flags := _true_false(text)) is not None:
            typed[column] = flags == 1.0
    return typed


def numeric_column(series: pd.Series, decimal: str) -> np.ndarray:
    """A column the loader keeps as one number feature, read as the loader reads it: numbers as they
    are, a true/false column as 1/0, other text as numbers with anything else missing (NaN), and
    infinite or huge values missing too. New rows to predict go through here, as training's did."""
    values = _numeric_view(series)
    if values is None:
        text = as_text(series)
        values = _true_false(text)
        if values is None:
            values = text_numbers(text, decimal).to_numpy(dtype=np.float64, na_value=np.nan)
    return _without_huge(values)[0]


def listed(items: list[str], limit: int, separator: str = ", ") -> str:
    """The first ``limit`` of ``items`` and how many more: "a, b, c and 4 more"."""
    more = f" and {len(items) - limit:,} more" if len(items) > limit else ""
    return separator.join(items[:limit]) + more


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
        if _is_id_name(column):
            identifiers.append(f"'{column}' (its name)")
            continue
        values = _numeric_view(series)
        one_hot = False
        if values is None:
            text = as_text(series)
            filled = text.dropna()
            distinct = filled.unique()
            values = _true_false(text)
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
        values, huge = _without_huge(np.asarray(values, dtype=np.float64))
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


# --------------------------------------------------------------------------- the loader


def _from_csv(file, target, positive, header, seed, val_fraction, test_fraction, name) -> Dataset:
    try:
        seed = int(seed)
        val_fraction, test_fraction = float(val_fraction), float(test_fraction)
    except (TypeError, ValueError, OverflowError):
        raise LogRegError(
            f"seed must be a whole number and the fractions numbers (got seed={seed!r}, "
            f"val_fraction={val_fraction!r}, test_fraction={test_fraction!r})"
        ) from None
    data, stem = _read_source(file)
    frame, notes, facts = _parse_bytes(data, header)
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
        column, why = _guess_target(frame)
        notes.append(f"No target given: guessed '{column}' because {why}; pick another one if that is wrong.")
    else:
        column, how = _resolve_target(frame, target)
        if how:
            notes.append(f"Target: {how}.")
    if positive is not None and not isinstance(positive, (str, int, float, bool, np.generic)):
        raise LogRegError(f"positive={positive!r}: give the positive label as text, e.g. 'M' or '1'")
    y, class_names, keep = _target_labels(frame, column, positive, notes)
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
    feature_names = _unique_names(feature_names, notes)
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
