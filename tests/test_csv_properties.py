"""Property tests: whatever the bytes, the CSV loader raises LogRegError or returns a sound Dataset."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logreg_core.csv_loader import from_csv
from logreg_core.csv_reader import read_table
from logreg_core.csv_target import label_values, target_candidates
from logreg_core.datasets import Dataset
from logreg_core.errors import LogRegError
from logreg_core.scores import read_scores

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def check_dataset(ds: Dataset) -> None:
    """What every successfully loaded dataset must satisfy."""
    assert isinstance(ds, Dataset)
    assert ds.n_classes >= 2 and len(set(ds.class_names)) == ds.n_classes
    assert len(ds.feature_names) == ds.n_features >= 1
    assert len(set(ds.feature_names)) == ds.n_features
    for split in ("train", "val", "test"):
        X, y = ds.split(split)
        assert X.dtype == np.float64 and X.shape == (len(y), ds.n_features)
        assert np.isfinite(X).all() and np.abs(X).max(initial=0) <= 1e30
        assert y.dtype == np.int64 and ((0 <= y) & (y < ds.n_classes)).all()
    assert all(isinstance(note, str) and note for note in ds.notes)


def exercise(data: bytes, **kwargs) -> None:
    """Every public entry point on ``data``: LogRegError is the only acceptable failure."""
    try:
        frame, notes = read_table(data, header=kwargs.get("header"))
    except LogRegError:
        frame = None
    if frame is not None:
        assert isinstance(frame, pd.DataFrame) and all(isinstance(n, str) for n in notes)
        assert frame.columns.is_unique
        candidates = target_candidates(frame)
        assert sorted(candidates) == sorted(frame.columns)
        for column in candidates[:2]:
            try:
                labels = label_values(frame, column)
            except LogRegError:
                continue
            assert all(isinstance(label, str) for label in labels)
            assert len(set(labels)) == len(labels)
    try:
        ds = from_csv(data, **kwargs)
    except LogRegError as exc:
        assert str(exc)
        return
    check_dataset(ds)


@SETTINGS
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes_raise_only_logreg_error(data):
    exercise(data)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=1000),
                      st.text(alphabet="y_truesplitvaltes,;\t\n\r\"01.5e-+ inf", max_size=300).map(str.encode),
                      st.binary(max_size=300).map(lambda b: b"y_true,score\n" + b)))
def test_scores_files_raise_only_logreg_error(data):
    """read_scores on any bytes: LogRegError, or 0/1 labels and finite scores of equal length per split."""
    try:
        parts = read_scores(data)
    except LogRegError as exc:
        assert str(exc)
        return
    assert set(parts) in ({"all"}, {"val", "test"})
    for y, s in parts.values():
        assert len(y) == len(s) > 0 and set(np.unique(y)) <= {0, 1} and np.isfinite(s).all()


MAGIC = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", b"sep=;\n", b"\r\n", b'"'])


@SETTINGS
@given(prefix=MAGIC, data=st.binary(max_size=500), header=st.sampled_from([None, True, False]))
def test_prefixed_bytes_raise_only_logreg_error(prefix, data, header):
    exercise(prefix + data, header=header)


NUMBERS = st.one_of(
    st.integers(-5, 5).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e308", "-1e400", "1e31", "0.5", "1,5", "inf", "NaN", "NA", "", "?", "TRUE", "false"]),
)
TEXT = st.one_of(
    st.sampled_from(["a", "b", "M", "B", "yes", "no", "Malignant", " x ", "", "café", "id", "label"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6),
    st.text(alphabet='ab,;\t"\n\r ', max_size=5),
)
CELLS = st.one_of(NUMBERS, TEXT)


def render(rows, delimiter, eol, quote_all, special=""):
    def cell(value):
        if quote_all or any(ch in value for ch in (delimiter, '"', "\n", "\r", *special)):
            return '"' + value.replace('"', '""') + '"'
        return value

    return eol.join(delimiter.join(cell(v) for v in row) for row in rows) + eol


@SETTINGS
@given(
    rows=st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=0, max_size=14),
    delimiter=st.sampled_from([",", ";", "\t"]),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    quote_all=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]),
    header=st.sampled_from([None, True, False]),
    target=st.one_of(st.none(), st.integers(-6, 6), st.sampled_from(["0", "1", "col_2", "label", "x"])),
    positive=st.one_of(st.none(), st.sampled_from(["1", "0", "a", "M", "yes", 1, 0.0, True])),
)
def test_small_text_tables_raise_only_logreg_error(
    rows, delimiter, eol, quote_all, encoding, header, target, positive
):
    text = render(rows, delimiter, eol, quote_all)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    exercise(data, header=header, target=target, positive=positive)


@SETTINGS
@given(
    n_features=st.integers(1, 4),
    n_rows=st.integers(12, 40),
    delimiter=st.sampled_from([",", ";", "\t"]),
    with_header=st.booleans(),
    labels=st.sampled_from([("0", "1"), ("B", "M"), ("no", "yes"), ("cat", "dog")]),
    seed=st.integers(0, 2**16),
)
def test_well_formed_numeric_tables_always_load(n_features, n_rows, delimiter, with_header, labels, seed):
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n_rows, n_features)) * 100, 3) + 0.001  # never whole numbers
    y = np.arange(n_rows) % 2
    rng.shuffle(y)
    rows = [[f"f{j}" for j in range(n_features)] + ["target"]] if with_header else []
    rows += [[repr(float(v)) for v in X[i]] + [labels[y[i]]] for i in range(n_rows)]
    ds = from_csv(render(rows, delimiter, "\n", False).encode())
    check_dataset(ds)
    assert ds.n_features == n_features and sum(ds.sizes().values()) == n_rows
    assert set(ds.class_names) == set(labels)
    key = lambda a: a[np.lexsort(a.T[::-1])]  # noqa: E731
    X_all = np.vstack([ds.X_train, ds.X_val, ds.X_test])
    np.testing.assert_array_equal(key(X_all), key(X))


TEXT_CELLS = st.one_of(
    st.text(alphabet='ab ,;\t"\n\r', max_size=5),
    st.sampled_from(["NA", " NA ", "null", "", "  ", "a b", '"', "x\ny"]),
)


@SETTINGS
@given(
    width=st.integers(1, 4),
    body=st.lists(st.lists(TEXT_CELLS, min_size=4, max_size=4), min_size=1, max_size=10),
    delimiter=st.sampled_from([",", ";", "\t"]),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_text_tables_parse_cell_for_cell(width, body, delimiter, eol):
    """Properly quoted text: read_table gives back every cell (stripped; blank and 'NA' missing).

    Cells holding any candidate delimiter are quoted, so that sniffing is unambiguous.
    """
    names = [f"h{j}" for j in range(width)]
    rows = [row[:width] for row in body]
    data = render([names] + rows, delimiter, eol, False, special=",;\t").encode()
    na = {"", "NA", "null"}
    expected = [[c.strip() if c.strip() not in na else None for c in row] for row in rows]
    expected = [row for row in expected if any(c is not None for c in row)]
    if not expected:
        with pytest.raises(LogRegError, match="no data rows"):
            read_table(data, header=True)
        return
    frame, _ = read_table(data, header=True)
    assert list(frame.columns) == names
    assert len(frame) == len(expected)
    # Where a file has bare CRs, line ends become newlines everywhere, also inside quotes.
    bare_cr = re.search(r"\r(?!\n)", data.decode()) is not None
    same = (lambda v: re.sub(r"\r\n?", "\n", v) if bare_cr and v else v)  # noqa: E731
    for got, want in zip(frame.itertuples(index=False), expected):
        assert [None if pd.isna(v) else v for v in got] == [same(v) for v in want]
