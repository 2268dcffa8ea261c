"""Bytes to a table: read a file, decode it, find its delimiter, decimal mark and header row, parse it.

Accepts a path, bytes or a binary file-like object (Streamlit's ``UploadedFile``)
and keeps it all in memory, up to ``MAX_UPLOAD_MB``. Every guess is a sentence in
the notes. Nothing in a file is ever executed, unpickled or evaluated, and bad
input of any kind raises :class:`~logreg_core.errors.LogRegError` only.
No column is converted or dropped here: that is the loader's work.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from .csv_cells import GROUPED, PANDAS_NA, as_text, is_number
from .errors import LogRegError

MAX_UPLOAD_MB = 200          # the largest file accepted (the app's server.maxUploadSize is set from this)
MAX_COLUMNS = 20_000
MAX_BYTES = MAX_UPLOAD_MB * 1024 * 1024

_DELIMITERS = (",", ";", "\t")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", ":": "colon"}
_HOW_HEADER = "(Data page: Header row No; command line: --no-header; Python: header=False)"
_NA_TOKENS = {token.lower() for token in PANDAS_NA}  # for the header detector
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


class NoDataRows(LogRegError):
    """A file with no rows below its header (the message is for a training file)."""


def read_table(file, header=None) -> tuple[pd.DataFrame, list[str]]:
    """Parse ``file`` only: the frame (column names final and unique) and the notes.

    Text cells are stripped of surrounding spaces, empty text is missing (NaN);
    no column is converted or dropped yet. For previews and column pickers.
    """
    frame, notes, _ = guarded(_parse_file, file, header, False)
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
    return guarded(_parse_file, file, header, True)


def _parse_file(file, header, all_text: bool):
    return parse_bytes(read_source(file)[0], header, all_text)


def guarded(function, *args):
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


def _too_large(size: int) -> LogRegError:
    return LogRegError(
        f"the file is {size / 1024 / 1024:,.1f} MB, more than the {MAX_UPLOAD_MB} MB limit: "
        "use a smaller file (fewer rows or columns)"
    )


def read_source(file) -> tuple[bytes, str | None]:
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


def _cell_kind(cell: str, decimal: str) -> str:
    """'empty', 'num' (numbers and booleans) or 'text'."""
    value = cell.strip()
    if value.lower() in _NA_TOKENS:
        return "empty"
    if is_number(value, decimal) or value.lower() in ("true", "false"):
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
                 and not (delimiter == "," and GROUPED["."].fullmatch(c)))
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
        elif is_number(cell, decimal):
            return False
    return (len(numbers) >= max(3, len(row) / 2)
            and numbers[0] in (0, 1) and numbers == list(range(numbers[0], numbers[0] + len(numbers))))


def unique_names(names: list[str], notes: list[str]) -> list[str]:
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


def parse_bytes(data: bytes, header, all_text: bool = False) -> tuple[pd.DataFrame, list[str], dict]:
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
    frame.columns = unique_names(names[: frame.shape[1]], notes)
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
