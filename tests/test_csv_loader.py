"""The CSV loader: real-world layouts, every decision noted, every bad file a LogRegError."""
from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from logreg_core import csv_reader
from logreg_core.csv_loader import from_csv
from logreg_core.csv_reader import MAX_COLUMNS, MAX_UPLOAD_MB, read_table
from logreg_core.csv_target import guess_positive, label_values, target_candidates
from logreg_core.errors import LogRegError


# --------------------------------------------------------------------------- helpers


def table(rows, sep=",", eol="\n") -> str:
    return eol.join(sep.join(str(c) for c in row) for row in rows) + eol


def encoded(rows, sep=",", eol="\n", encoding="utf-8") -> bytes:
    return table(rows, sep, eol).encode(encoding)


def binary_rows(n=40, seed=0, label=("no", "yes")):
    """A header and ``n`` rows: two numeric features and a two-label target."""
    rng = np.random.default_rng(seed)
    rows = [["x1", "x2", "label"]]
    for i in range(n):
        positive = i % 2 == 1
        rows.append([f"{rng.normal() + positive:.4f}", f"{rng.normal():.4f}", label[positive]])
    return rows


def all_X(ds):
    return np.vstack([ds.X_train, ds.X_val, ds.X_test])


def all_y(ds):
    return np.concatenate([ds.y_train, ds.y_val, ds.y_test])


def notes_text(ds_or_notes) -> str:
    notes = ds_or_notes.notes if hasattr(ds_or_notes, "notes") else ds_or_notes
    return "\n".join(notes)


def raises(data, fragment, **kwargs):
    with pytest.raises(LogRegError) as info:
        from_csv(data, **kwargs)
    assert fragment.lower() in str(info.value).lower(), str(info.value)
    return str(info.value)


# --------------------------------------------------------------------------- UCI wdbc.data


@pytest.fixture(scope="module")
def wdbc():
    """The raw UCI layout: id, M/B diagnosis, 30 measurements; no header; rows shuffled."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    rng = np.random.default_rng(7)
    ids = np.sort(8_670 + rng.choice(911_312_330, size=len(bunch.target), replace=False))
    order = rng.permutation(len(bunch.target))
    lines = []
    for i in order:
        label = "M" if bunch.target[i] == 0 else "B"
        lines.append(",".join([str(ids[i]), label] + [repr(float(v)) for v in bunch.data[i]]))
    return bunch, ("\n".join(lines) + "\n").encode("ascii")


def test_wdbc_raw_layout(wdbc, tmp_path):
    bunch, data = wdbc
    path = tmp_path / "wdbc.data"
    path.write_bytes(data)
    ds = from_csv(path, target=1, positive="M")
    assert ds.name == "wdbc"
    assert ds.n_features == 30
    assert "col_0" not in ds.feature_names and "col_1" not in ds.feature_names
    assert ds.feature_names == [f"col_{i}" for i in range(2, 32)]
    assert ds.class_names == ["B", "M"] and ds.positive_class == "M"
    assert int(all_y(ds).sum()) == int((bunch.target == 0).sum()) == 212
    assert sum(ds.sizes().values()) == 569
    text = notes_text(ds)
    assert "No header row detected" in text
    assert "identifier" in text and "col_0" in text
    # The split rows are exactly sklearn's rows (as a set of rows).
    X = all_X(ds)
    key = lambda a: a[np.lexsort(a.T[::-1])]  # noqa: E731
    np.testing.assert_array_equal(key(X), key(bunch.data))
    # read_table keeps the id column: re-sorting by it restores sklearn's order exactly.
    frame, notes = read_table(path)
    ordered = frame.sort_values("col_0")
    np.testing.assert_array_equal(ordered[[f"col_{i}" for i in range(2, 32)]].to_numpy(), bunch.data)
    assert (ordered["col_1"].to_numpy() == np.where(bunch.target == 0, "M", "B")).all()


def test_wdbc_target_as_numeric_string_and_name(wdbc):
    _, data = wdbc
    by_string = from_csv(data, target="1", positive="M")
    by_name = from_csv(data, target="col_1", positive="malignant" if False else "M")
    assert by_string.class_names == by_name.class_names == ["B", "M"]
    np.testing.assert_array_equal(by_string.X_train, by_name.X_train)
    assert by_string.name == "uploaded CSV"


def test_wdbc_without_target_guesses_the_label_column(wdbc):
    _, data = wdbc
    ds = from_csv(data)
    assert ds.class_names == ["B", "M"] and ds.n_features == 30
    text = notes_text(ds)
    assert "guessed 'col_1'" in text
    assert "'M' was taken as the positive class" in text
    frame, _ = read_table(data)
    assert target_candidates(frame)[0] == "col_1"
    assert label_values(frame, 1) == ["B", "M"]


def test_wdbc_with_a_header_row(wdbc):
    bunch, data = wdbc
    names = ["id", "diagnosis"] + [n.replace(" ", "_") for n in bunch.feature_names]
    ds = from_csv((",".join(names) + "\n").encode() + data)
    assert ds.n_features == 30 and ds.feature_names == names[2:]
    assert ds.class_names == ["B", "M"]
    text = notes_text(ds)
    assert "Detected a header row" in text
    assert "guessed 'diagnosis'" in text
    assert "'id' (its name)" in text


def test_wdbc_continuous_last_column_as_target_is_refused(wdbc):
    _, data = wdbc
    message = raises(data, "classification", target=31)
    assert "col_1" in message  # suggests the label column


# --------------------------------------------------------------------------- encodings and dialects


def test_semicolon_with_utf8_bom():
    data = b"\xef\xbb\xbf" + encoded(binary_rows(), sep=";")
    ds = from_csv(data)
    assert ds.feature_names == ["x1", "x2"]  # no BOM glued to the first name
    assert ds.class_names == ["no", "yes"]
    text = notes_text(ds)
    assert "semicolon" in text and "byte-order mark" in text


def test_semicolon_with_decimal_commas():
    rows = [["a", "b", "label"]] + [[f"{i},5", f"{-i},25", "yes" if i % 2 else "no"] for i in range(20)]
    ds = from_csv(encoded(rows, sep=";"))
    frame, notes = read_table(encoded(rows, sep=";"))
    assert frame["a"].tolist()[:2] == [0.5, 1.5] and frame["b"].tolist()[1] == -1.25
    assert "decimal comma" in notes_text(ds)


def test_tab_separated():
    ds = from_csv(encoded(binary_rows(), sep="\t"))
    assert ds.feature_names == ["x1", "x2"]
    assert "tab" in notes_text(ds)


def test_latin1_text_labels():
    rows = [["mesure", "autre", "qualité"]] + [
        [i, i % 3, "élevé" if i % 2 else "réduit"] for i in range(30)
    ]
    ds = from_csv(encoded(rows, encoding="latin-1"))
    assert ds.class_names == ["réduit", "élevé"]  # neither reads as positive: the second in sorted order ("é" > "r")
    assert int(all_y(ds).sum()) == 15
    text = notes_text(ds)
    assert "latin-1" in text
    assert "qualité" in text  # the guessed target (last column) is named correctly


def test_crlf_and_lf_give_the_same_dataset():
    rows = binary_rows()
    lf = from_csv(encoded(rows, eol="\n"))
    crlf = from_csv(encoded(rows, eol="\r\n"))
    np.testing.assert_array_equal(lf.X_train, crlf.X_train)
    np.testing.assert_array_equal(lf.y_test, crlf.y_test)
    assert lf.class_names == crlf.class_names


def test_quoted_fields_with_commas_and_newlines():
    rows = ['x,comment,"the label"']
    for i in range(30):
        comment = '"hello, world\nsecond line"' if i % 3 else '"plain, ""quoted"" text"'
        rows.append(f'"{i * 1.5}",{comment},{"a" if i % 2 else "b"}')
    data = ("\r\n".join(rows) + "\r\n").encode()
    frame, _ = read_table(data)
    assert list(frame.columns) == ["x", "comment", "the label"]
    assert len(frame) == 30
    assert frame["comment"].iloc[1] == "hello, world\nsecond line"
    assert frame["comment"].iloc[0] == 'plain, "quoted" text'
    ds = from_csv(data, target="the label")
    assert "comment=hello, world\nsecond line" in ds.feature_names
    assert sum(ds.sizes().values()) == 30


def test_excel_sep_hint_line():
    data = b"sep=;\n" + encoded(binary_rows(), sep=";")
    ds = from_csv(data)
    assert ds.feature_names == ["x1", "x2"]
    assert "sep=;" in notes_text(ds)


def test_utf16_unicode_text_export():
    data = table(binary_rows(), sep="\t", eol="\r\n").encode("utf-16")
    ds = from_csv(data)
    assert ds.feature_names == ["x1", "x2"] and "UTF-16" in notes_text(ds)


def test_old_mac_line_ends():
    rows = [["a", "b", "label"]] + [["", i * 0.5, "yes" if i % 2 else "no"] for i in range(20)]
    rows[1][0] = "7"
    frame, _ = read_table(encoded(rows, eol="\r"))
    assert frame.shape == (20, 3) and frame["a"].iloc[0] == 7 and frame["b"].iloc[1] == 0.5


def test_ragged_rows_are_padded():
    rows = binary_rows(30)
    text = table(rows).splitlines()
    text[5] += ",9,9"  # a row longer than the header
    frame, notes = read_table(("\n".join(text) + "\n").encode())
    assert frame.shape == (30, 5)
    assert "different numbers of fields" in notes_text(notes)


# --------------------------------------------------------------------------- header detection


def numeric_rows(n=30, with_header=True):
    rng = np.random.default_rng(3)
    rows = [["f1", "f2", "y"]] if with_header else []
    rows += [[f"{rng.normal():.3f}", f"{rng.normal():.3f}", i % 2] for i in range(n)]
    return rows


def test_header_detected():
    frame, notes = read_table(encoded(numeric_rows()))
    assert list(frame.columns) == ["f1", "f2", "y"] and len(frame) == 30
    assert "Detected a header row" in notes_text(notes)


def test_no_header_when_first_row_is_numeric():
    frame, notes = read_table(encoded(numeric_rows(with_header=False)))
    assert list(frame.columns) == ["col_0", "col_1", "col_2"] and len(frame) == 30
    assert "No header row detected" in notes_text(notes)


def test_no_header_with_text_labels_that_repeat():
    rows = [[i * 0.5, "cat" if i % 2 else "dog"] for i in range(20)]
    frame, _ = read_table(encoded(rows))
    assert list(frame.columns) == ["col_0", "col_1"] and len(frame) == 20


@pytest.mark.parametrize("index,target_name", [(False, 4), (True, 4), (False, "target")])
def test_a_header_that_numbers_the_columns_is_a_header(index, target_name):
    """pandas writes a frame without column names as "0,1,2,…" (after a blank cell for its index): that row
    names the columns, it is not a case with those values."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(np.round(rng.normal(size=(40, 4)), 3))
    frame[target_name] = np.arange(40) % 2
    raw = frame.to_csv(index=index).encode()
    ds = from_csv(raw)
    assert ds.feature_names == ["0", "1", "2", "3"] and sum(ds.sizes().values()) == 40
    assert "the first row numbers the columns 0, 1, 2" in notes_text(ds)
    X_all = np.vstack([ds.X_train, ds.X_val, ds.X_test])
    np.testing.assert_allclose(np.sort(X_all, axis=0), np.sort(frame.iloc[:, :4].to_numpy(), axis=0))
    assert read_table(raw, header=False)[0].shape[0] == 41  # still read as data when asked


@pytest.mark.parametrize("first", [[0, 1, 2, 3, 4], [1, 2, 3, 4, 5]])
def test_a_first_row_counting_up_over_rows_that_do_too_is_data(first):
    rows = [first] + [[i + j for j in range(5)] for i in range(1, 30)]
    frame, notes = read_table(encoded(rows))
    assert frame.shape == (30, 5) and "No header row detected" in notes_text(notes)


@pytest.mark.parametrize("first", [["0", "1", "2", "0.53", "0.27", "1.9"], ["1", "2", "3", "4.5", "x", "y"]])
def test_a_first_row_of_codes_counting_up_beside_measurements_is_data(first):
    """Coded categories that happen to read 0, 1, 2 (class, sex, stage) before measurements: a case, not names."""
    rng = np.random.default_rng(4)
    rows = [first] + [[i % 2, i % 3, i % 4, *np.round(rng.normal(size=3), 2)] for i in range(30)]
    frame, notes = read_table(encoded(rows))
    assert frame.shape == (31, 6) and "No header row detected" in notes_text(notes)


def test_header_forced_both_ways():
    data = encoded(numeric_rows(with_header=False))
    forced = read_table(data, header=True)[0]
    assert len(forced) == 29 and forced.columns[0] != "col_0"
    frame, notes = read_table(encoded(numeric_rows()), header=False)
    assert list(frame.columns) == ["col_0", "col_1", "col_2"] and len(frame) == 31
    assert "The first row is data, as asked (no header row)" in notes_text(notes)
    # The names row is now data: its label 'y' is a class with a single row.
    raises(encoded(numeric_rows()), "3 of each class", header=False, target=2)
    # With a numeric target the names in feature columns become missing values (noted).
    rows = [["f1", "f2", "y"]] + numeric_rows(with_header=False)
    rows[0][2] = 1
    ds = from_csv(encoded(rows), header=False)
    assert ds.feature_names == ["col_0", "col_1"]
    assert "some text" in notes_text(ds) and np.isfinite(all_X(ds)).all()


def test_header_argument_is_validated():
    raises(encoded(numeric_rows()), "header", header="yes")


def test_unnamed_columns_get_positional_names():
    rows = [["", "a", "label"]] + [[i, i * 2.0, i % 2] for i in range(20)]
    frame, notes = read_table(encoded(rows))
    assert list(frame.columns) == ["col_0", "a", "label"]
    ds = from_csv(encoded(rows))
    assert ds.feature_names == ["a"]  # col_0 counts the rows: an identifier
    assert "identifier" in notes_text(ds)


# --------------------------------------------------------------------------- target and labels


def test_target_guessed_by_name_anywhere():
    rows = [["Outcome", "a", "b"]] + [[("pos" if i % 2 else "neg"), i * 0.5, (i * 7) % 5] for i in range(30)]
    ds = from_csv(encoded(rows))
    assert ds.feature_names == ["a", "b"] and ds.class_names == ["neg", "pos"]
    assert "guessed 'Outcome'" in notes_text(ds)
    assert target_candidates(read_table(encoded(rows))[0])[0] == "Outcome"
    # a scores file's y_true is its label, not its last column (score)
    scores = [["y_true", "score"]] + [[i % 2, round(0.1 + 0.8 * (i % 2) + i / 1000, 3)] for i in range(30)]
    assert from_csv(encoded(scores)).feature_names == ["score"]


def test_target_guessed_as_last_column():
    rows = [["a", "b", "kind"]] + [[i * 0.5, (i * 7) % 5, ("x" if i % 2 else "z")] for i in range(30)]
    ds = from_csv(encoded(rows))
    assert ds.class_names == ["x", "z"] and "guessed 'kind'" in notes_text(ds)
    assert "second label in sorted order" in notes_text(ds)


def test_trailing_empty_columns_do_not_hide_the_last_column_with_values():
    """A spreadsheet's export often ends each row with empty fields: the last column is the one before them,
    not the first label-like column (a 1–10 integer feature here)."""
    rows = [["age", "grade", "sick", "", ""]] + [[20 + i % 37, 1 + i % 10, ("oui" if i % 3 else "non"), "", ""]
                                                 for i in range(60)]
    ds = from_csv(encoded(rows))
    assert ds.class_names == ["non", "oui"] and ds.feature_names == ["age", "grade"]
    assert "guessed 'sick' because it is the last column with values" in notes_text(ds)
    assert target_candidates(read_table(encoded(rows))[0])[0] == "sick"


def test_target_by_name_case_insensitive_and_by_negative_index():
    rows = binary_rows()
    assert from_csv(encoded(rows), target="LABEL").class_names == ["no", "yes"]
    assert from_csv(encoded(rows), target=-1).class_names == ["no", "yes"]


def test_target_not_found_lists_the_columns():
    message = raises(encoded(binary_rows()), "not found", target="diagnosis")
    assert "'x1'" in message and "'label'" in message


def test_target_index_out_of_range():
    raises(encoded(binary_rows()), "out of range", target=7)


def test_target_of_wrong_type():
    raises(encoded(binary_rows()), "column name", target=1.5)


def test_rows_without_a_target_are_dropped():
    rows = binary_rows(40)
    rows[3][2] = ""
    rows[9][2] = "NA"
    ds = from_csv(encoded(rows))
    assert sum(ds.sizes().values()) == 38
    assert "Dropped 2 row(s) with no value in the target" in notes_text(ds)


def test_numeric_01_target():
    rows = [["a", "b", "y"]] + [[i * 0.1, (i * 3) % 7, i % 2] for i in range(30)]
    ds = from_csv(encoded(rows))
    assert ds.class_names == ["0", "1"]
    assert "1 is the positive class" in notes_text(ds)
    flipped = from_csv(encoded(rows), positive="0")
    assert flipped.class_names == ["1", "0"]
    for data, positive in ((ds, 1), (flipped, 0)):  # each row's code from its own label: i % 2, or flipped
        for X, y in (data.split(s) for s in ("train", "val", "test")):
            label = np.rint(X[:, data.feature_names.index("a")] * 10).astype(int) % 2
            np.testing.assert_array_equal(y, (label == positive).astype(int))
    assert from_csv(encoded(rows), positive=1.0).class_names == ["0", "1"]


def test_positive_by_text_and_case():
    rows = binary_rows(label=("benign", "Malignant"))
    ds = from_csv(encoded(rows), positive="malignant")
    assert ds.class_names == ["benign", "Malignant"]
    assert "ignoring case" in notes_text(ds)


def test_positive_that_does_not_occur():
    message = raises(encoded(binary_rows()), "does not occur", positive="maybe")
    assert "'no'" in message and "'yes'" in message


def test_single_class():
    rows = [["a", "label"]] + [[i, "same"] for i in range(20)]
    raises(encoded(rows), "single class")


def test_target_column_all_empty():
    rows = [["a", "b", "label"]] + [[i, i * 2, ""] for i in range(20)]
    raises(encoded(rows), "empty", target="label")


def test_multiclass():
    rows = [["a", "b", "species"]] + [
        [i * 0.3, (i * 5) % 11, ["setosa", "virginica", "versicolor"][i % 3]] for i in range(45)
    ]
    ds = from_csv(encoded(rows))
    assert ds.class_names == ["setosa", "versicolor", "virginica"] and ds.n_classes == 3
    assert set(np.unique(all_y(ds))) == {0, 1, 2}
    assert "multiclass" in notes_text(ds)
    frame, _ = read_table(encoded(rows))
    assert label_values(frame, "species") == ["setosa", "versicolor", "virginica"]


def test_one_vs_rest_with_positive():
    rows = [["a", "b", "species"]] + [
        [i * 0.3, (i * 5) % 11, ["setosa", "virginica", "versicolor"][i % 3]] for i in range(45)
    ]
    ds = from_csv(encoded(rows), positive="virginica")
    assert ds.class_names == ["not virginica", "virginica"]
    assert int(all_y(ds).sum()) == 15
    assert "One-vs-rest" in notes_text(ds)


def test_many_text_labels_work_one_vs_rest():
    rows = [["a", "b", "city"]] + [[i * 0.3, i % 4, f"town{i % 60}"] for i in range(300)]
    raises(encoded(rows), "too many classes", target="city")
    ds = from_csv(encoded(rows), target="city", positive="town7")
    assert ds.class_names == ["not town7", "town7"] and int(all_y(ds).sum()) == 5


def test_continuous_target_is_refused_with_a_suggestion():
    rows = [["group", "x", "price"]] + [[("a" if i % 2 else "b"), i % 3, i * 1.37] for i in range(80)]
    message = raises(encoded(rows), "classification", target="price")
    assert "'group'" in message


def test_label_values_are_readable_and_numerically_sorted():
    rows = [["a", "grade"]] + [[i, [10, 2, 1][i % 3]] for i in range(30)]
    frame, _ = read_table(encoded(rows))
    assert label_values(frame, "grade") == ["1", "2", "10"]
    with pytest.raises(LogRegError):
        label_values(frame, "nope")


@pytest.mark.parametrize(
    "labels, expected",
    [(("B", "M"), "M"), (("no", "yes"), "yes"), (("Yes", "no"), "Yes"), (("1", "2"), "1"),
     (("0", "1"), "1"), (("cat", "dog"), "dog"), (("a", "b", "c"), None)],
)
def test_guess_positive_matches_from_csv(labels, expected):
    rows = [["x", "z", "target"]] + [[i * 0.5, i % 4, labels[i % len(labels)]] for i in range(30)]
    frame, _ = read_table(encoded(rows))
    assert guess_positive(frame, "target") == expected
    if expected is not None:
        assert from_csv(encoded(rows)).positive_class == expected


def test_target_candidates_offer_every_column_guess_first():
    rows = [["id", "x", "kind", "price"]] + [[i, i * 0.37, "ab"[i % 2], i * 2.5] for i in range(80)]
    frame, _ = read_table(encoded(rows))
    candidates = target_candidates(frame)
    assert candidates[0] == "kind" and sorted(candidates) == sorted(frame.columns)


# --------------------------------------------------------------------------- features


def test_one_hot_and_free_text():
    rows = [["color", "name", "x", "label"]]
    for i in range(40):
        rows.append([["red", "green", "blue"][i % 3], f"person {i}", i * 0.5, i % 2])
    ds = from_csv(encoded(rows))
    assert ds.feature_names == ["color=blue", "color=green", "color=red", "x"]
    block = all_X(ds)[:, :3]
    assert set(np.unique(block)) <= {0.0, 1.0} and (block.sum(axis=1) == 1).all()
    text = notes_text(ds)
    assert "One-hot encoded" in text and "'color' (blue, green, red)" in text
    assert "Dropped text column(s)" in text and "'name'" in text


def test_missing_values_are_imputed_with_training_medians():
    rows = binary_rows(40)
    for r in (2, 5, 11):
        rows[r][0] = ""
    rows[7][1] = " NA "
    ds = from_csv(encoded(rows))
    assert np.isfinite(all_X(ds)).all()
    assert "Filled 4 missing value(s) in 2 column(s)" in notes_text(ds)


def test_inf_and_huge_values_become_missing():
    rows = binary_rows(40)
    rows[1][0], rows[2][0], rows[3][1], rows[4][1] = "inf", "-inf", "1e308", "-2e31"
    ds = from_csv(encoded(rows))
    X = all_X(ds)
    assert np.isfinite(X).all() and np.abs(X).max() < 1e30
    text = notes_text(ds)
    assert "'x1': 2 infinite or extremely large" in text and "'x2': 2 infinite" in text
    assert "Filled 4 missing value(s)" in text


def test_overflowing_number_in_text_column():
    rows = binary_rows(40)
    rows[1][0] = "1e400"
    ds = from_csv(encoded(rows))
    assert np.isfinite(all_X(ds)).all()


def test_mixed_type_column_is_coerced():
    rows = binary_rows(40)
    rows[4][0], rows[8][0] = "?", "n.a."
    ds = from_csv(encoded(rows))
    text = notes_text(ds)
    assert "non-numbers were treated as missing" in text and "'?'" in text
    assert ds.feature_names == ["x1", "x2"]


def test_booleans_become_01():
    rows = [["flag", "flag2", "x", "label"]] + [
        [("True" if i % 3 else "False"), ("true" if i % 2 else ("" if i == 4 else "false")), i * 0.5, i % 2]
        for i in range(30)
    ]
    ds = from_csv(encoded(rows))
    assert ds.feature_names == ["flag", "flag2", "x"]
    assert set(np.unique(all_X(ds)[:, 0])) == {0.0, 1.0}


def test_all_empty_and_constant_columns():
    rows = [["a", "empty", "const", "label"]] + [[i * 0.7, "", 5, i % 2] for i in range(30)]
    ds = from_csv(encoded(rows))
    assert ds.feature_names == ["a", "const"]
    text = notes_text(ds)
    assert "no values: 'empty'" in text and "carry no information" in text and "'const'" in text


def test_duplicate_column_names_made_unique():
    rows = [["a", "a", "b", "a_2", "label"]] + [[i * 0.5, i * 2, i * 3, i * 4, i % 2] for i in range(30)]
    frame, notes = read_table(encoded(rows))
    assert list(frame.columns) == ["a", "a_3", "b", "a_2", "label"]
    assert "Duplicate column names" in notes_text(notes)
    ds = from_csv(encoded(rows))
    assert len(set(ds.feature_names)) == ds.n_features == 4


def test_a_named_first_column_of_distinct_whole_numbers_is_a_feature():
    """Only an unnamed first column of distinct whole numbers (wdbc.data's ids) is taken for an identifier."""
    rng = np.random.default_rng(0)
    glucose = rng.choice(np.arange(70, 260), 60, replace=False)
    diabetic = (glucose > 150).astype(int)
    text = "glucose,bmi,diabetic\n" + "\n".join(f"{g},{27 + i % 5},{d}" for i, (g, d) in enumerate(zip(glucose, diabetic)))
    ds = from_csv(text.encode())
    assert ds.feature_names == ["glucose", "bmi"] and "identifier" not in notes_text(ds)
    headerless = from_csv("\n".join(f"{g},{27 + i % 5},{d}" for i, (g, d) in enumerate(zip(glucose, diabetic))).encode(),
                          header=False)
    assert headerless.feature_names == ["col_1"] and "identifier" in notes_text(headerless)
    body = text.split("\n", 1)[1]
    named_col_0 = from_csv(("col_0,bmi,diabetic\n" + body).encode())  # a name, even if it looks like ours
    assert named_col_0.feature_names == ["col_0", "bmi"] and "identifier" not in notes_text(named_col_0)
    empty_name = from_csv((",bmi,diabetic\n" + body).encode())  # a header row with no name for it
    assert empty_name.feature_names == ["bmi"] and "identifier" in notes_text(empty_name)


def test_identifier_columns_by_name():
    rows = [["PassengerId", "patient_id", "x", "y2", "label"]] + [
        [i, f"p{i}", i % 5, (i * 3) % 7, i % 2] for i in range(30)
    ]
    ds = from_csv(encoded(rows))
    assert ds.feature_names == ["x", "y2"]
    assert "'PassengerId' (its name)" in notes_text(ds)


# --------------------------------------------------------------------------- sources


class FakeUpload(io.BytesIO):
    """Like Streamlit's UploadedFile: a BytesIO with a name and a size."""

    def __init__(self, data, name):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def test_file_like_with_a_name_can_be_read_twice():
    upload = FakeUpload(encoded(binary_rows()), "my data.csv")
    frame, _ = read_table(upload)
    ds = from_csv(upload)  # read_table left the position at the end
    assert ds.name == "my data" and len(frame) == 40
    assert from_csv(upload, name="custom").name == "custom"


def test_path_as_str_and_path(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_bytes(encoded(binary_rows()))
    assert from_csv(str(path)).name == "cells" and from_csv(path).n_features == 2


def test_missing_path_and_unsupported_source(tmp_path):
    with pytest.raises(LogRegError, match=r"^file not found: .*nope.csv: check the path$"):
        from_csv(tmp_path / "nope.csv")
    with pytest.raises(LogRegError, match="folder"):
        from_csv(tmp_path)
    with pytest.raises(LogRegError, match="cannot read a CSV"):
        from_csv(12345)


def test_text_mode_file_object():
    ds = from_csv(io.StringIO(table(binary_rows())))
    assert ds.n_features == 2


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("data", [b"", b"   \n\r\n  ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\n\n"])
def test_empty_file(data):
    raises(data, "empty")


def test_header_only():
    raises(b"a,b,label\n", "no data rows")
    raises(b"a,b,label\r\n\r\n,,\r\n", "no data rows")


def test_one_row():
    raises(b"a,b,label\n1,2,yes\n", "only one data row")
    raises(b"1,2,3\n", "only one data row")


def test_too_few_rows_per_class_comes_from_build_dataset():
    rows = [["a", "label"]] + [[i * 0.5, "yes" if i < 2 else "no"] for i in range(20)]
    raises(encoded(rows), "3 of each class")
    raises(encoded(binary_rows(6)), "too few rows")


def test_too_few_rows_to_stratify_every_split():
    """10 rows of 3 classes: the 2-row validation split cannot hold every class, so the split is random."""
    rows = [["a", "b", "label"]] + [[i, i * 2 % 5, "abc"[i % 3]] for i in range(10)]
    ds = from_csv(encoded(rows))
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == 10
    assert any("random rather than stratified" in note for note in ds.notes)


def test_no_usable_feature_columns():
    rows = [["name", "label"]] + [[f"person {i}", i % 2] for i in range(30)]
    message = raises(encoded(rows), "no usable feature columns")
    assert "free-text" in message
    raises(encoded([["label"]] + [[i % 2] for i in range(20)]), "single column")


@pytest.mark.parametrize(
    "magic",
    [b"PK\x03\x04\x14\x00\x06\x00", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"],
)
def test_excel_files_renamed_to_csv(magic, tmp_path):
    path = tmp_path / "book.csv"
    path.write_bytes(magic + bytes(range(256)) * 20)
    message = raises(path, "excel")
    assert "save it as csv" in message.lower()


def test_nul_bytes_mean_binary():
    message = raises(b"a,b\n1,2\x00\x00\x003\n" * 5, "excel")
    assert "CSV" in message


def test_binary_garbage():
    rng = np.random.default_rng(0)
    raises(bytes(rng.integers(1, 32, size=4000, dtype=np.uint8)), "binary")


def test_unclosed_quote():
    data = encoded(binary_rows()) + b'1.0,"2.0,yes\n3,4,no\n'
    with pytest.raises(LogRegError):
        from_csv(data)


def test_too_many_columns():
    n = MAX_COLUMNS + 1
    header = ",".join(f"c{i}" for i in range(n))
    row = ",".join("1" for _ in range(n))
    data = (header + "\n" + (row + "\n") * 3).encode()
    message = raises(data, "20,001 columns")
    assert "20,000" in message


def test_too_many_columns_in_a_later_row():
    rows = table(binary_rows(20)) + ",".join("1" for _ in range(MAX_COLUMNS + 5)) + "\n"
    raises(rows.encode(), "columns")


def test_many_columns_within_the_limit():
    n = 2_000
    header = ",".join(f"c{i}" for i in range(n)) + ",label"
    rng = np.random.default_rng(0)
    body = "\n".join(",".join(f"{v:.2f}" for v in rng.normal(size=n)) + f",{i % 2}" for i in range(12))
    ds = from_csv((header + "\n" + body + "\n").encode())
    assert ds.n_features == n


def test_file_larger_than_the_limit(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_UPLOAD_MB * 1024 * 1024 + 1)
    raises(path, f"{MAX_UPLOAD_MB} MB")
    big = FakeUpload(b"a,b\n1,2\n", "big.csv")
    big.size = MAX_UPLOAD_MB * 1024 * 1024 + 10
    raises(big, "limit")


def test_bytes_larger_than_the_limit(monkeypatch):
    monkeypatch.setattr(csv_reader, "MAX_BYTES", 100)
    raises(encoded(binary_rows()), "limit")


def test_bad_split_settings_are_logreg_errors():
    raises(encoded(binary_rows()), "fraction", test_fraction=1.5)
    raises(encoded(binary_rows()), "seed", seed="abc")


def test_positive_of_an_odd_type():
    raises(encoded(binary_rows()), "positive", positive=["yes"])


def test_read_table_rejects_what_it_cannot_show():
    with pytest.raises(LogRegError, match="empty"):
        read_table(b"")
    with pytest.raises(LogRegError, match="DataFrame"):
        target_candidates("not a frame")


# --------------------------------------------------------------------------- hygiene


def test_loader_imports_neither_tensorflow_nor_streamlit():
    root = Path(__file__).resolve().parents[1]
    code = textwrap.dedent(
        """
        import sys
        import logreg_core
        before = set(sys.modules)
        from logreg_core.csv_loader import from_csv
        from_csv(b"a,b,label\\n" + b"".join(b"%d,%d,%d\\n" % (i, i * 7 % 5, i % 2) for i in range(30)))
        new = set(sys.modules) - before
        bad = sorted(m for m in new if m.split(".")[0] in ("tensorflow", "streamlit", "keras"))
        assert not bad, bad
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": str(root), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr


def test_label_values_refuses_a_continuous_column():
    rows = [["group", "price"]] + [["ab"[i % 2], i * 1.37] for i in range(80)]
    frame, _ = read_table(encoded(rows))
    with pytest.raises(LogRegError, match="continuous"):
        label_values(frame, "price")
    raises(encoded(rows), "continuous", target="price", positive="1.37")


@pytest.mark.parametrize("raw", [
    b"id,a,b,c,d,e\n1000,1.5,true,x,,1e3\n1001,,False,y,,2\n1002,3,TRUE,z,,inf\n",
    b"id;a;b\n1;0,5;?\n2;1,25;3\n",
    b"a,b\n007,1\n008,2\n",
])
def test_typed_columns_give_the_types_the_reader_gives(raw):
    """Rows to predict are read once, as text; what the page shows is typed as read_table types it."""
    from logreg_core.csv_cells import typed_columns
    from logreg_core.csv_reader import read_text_table

    text, _, facts = read_text_table(raw, header=True)
    decimal = facts["decimal"]
    typed, reference = typed_columns(text, decimal), read_table(raw, header=True)[0]
    for column in reference.columns:
        assert pd.api.types.is_numeric_dtype(typed[column]) == pd.api.types.is_numeric_dtype(reference[column])
        assert pd.api.types.is_bool_dtype(typed[column]) == pd.api.types.is_bool_dtype(reference[column])
        pd.testing.assert_series_equal(typed[column], reference[column], check_dtype=False)


def test_labels_written_two_ways_or_as_a_missing_mark_are_classes_with_a_note():
    """'Yes' and 'yes' are what the file says, two classes, and '?' a third: kept as written, but said, as
    each is seldom what was meant."""
    labels = ["Yes", "yes", "no", "?"]
    rows = [["x", "target"]] + [[i * 7 % 13, labels[i % 4]] for i in range(80)]
    ds = from_csv(encoded(rows))
    assert ds.class_names == sorted(labels)
    assert ("Target 'target': 'Yes' and 'yes' differ only in letter case, so they are different classes here; "
            "where two spellings mean one class, write it one way in the file.") in ds.notes
    assert ("Target 'target': '?' is a label here, a class of its own; if it marks a missing value, leave those "
            "cells blank (rows with no target are dropped).") in ds.notes
    plain = from_csv(encoded([["x", "target"]] + [[i * 7 % 13, ("yes", "no")[i % 2]] for i in range(80)]))
    assert not [n for n in plain.notes if "letter case" in n or "a class of its own" in n]


def test_more_features_than_training_rows_is_said():
    rng = np.random.default_rng(3)
    wide = [[f"f{j}" for j in range(60)] + ["label"]] + [
        [f"{v:.3f}" for v in rng.normal(size=60)] + [("no", "yes")[i % 2]] for i in range(50)]
    ds = from_csv(encoded(wide))
    assert ds.n_features == 60 and len(ds.y_train) < 60
    assert (f"60 features for {len(ds.y_train)} training rows: with as many features as rows or more, a logistic "
            "regression can fit the training rows exactly and learn little that holds for new cases; an L2 penalty "
            "(Train page; --l2) or fewer columns help.") in ds.notes
    assert not [n for n in from_csv(encoded(binary_rows(60))).notes if "training rows:" in n]


def test_comment_lines_above_the_table_are_skipped_but_a_header_written_after_a_hash_is_kept():
    body = table(binary_rows(40)).encode()
    plain = from_csv(body)
    commented = from_csv(b"# exported by the clinic's system\n\n# 2024-03-01; v2\n" + body)
    assert "Skipped 2 lines starting with # above the table (comments)." in commented.notes
    assert commented.feature_names == plain.feature_names and commented.class_names == plain.class_names
    np.testing.assert_array_equal(commented.X_train, plain.X_train)
    np.testing.assert_array_equal(commented.test_rows, plain.test_rows)  # data rows counted below the header
    hashed = from_csv(b"#" + body)  # "#x1,x2,label": laid out as the rows under it, so the header
    assert hashed.feature_names == ["#x1", "x2"] and not [n for n in hashed.notes if "starting with #" in n]
    with pytest.raises(LogRegError, match=r"only lines starting with # \(comments\): add the table below them"):
        from_csv(b"# nothing here\n#\n")


def test_no_usable_features_names_the_columns_dropped_and_why():
    with pytest.raises(LogRegError) as refused:
        from_csv(encoded([["x", "note", "label"]] + [[i, f"free text {i}", i % 2] for i in range(20)]))
    assert ("(dropped: 1 identifier column(s): 'x' (it counts the rows); 1 free-text column(s): 'note' (20 distinct "
            "values))") in str(refused.value)
