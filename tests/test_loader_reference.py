"""The CSV loader against references written from the definitions (NumPy, pandas, scikit-learn's own data).

* every row keeps its own label through parsing, dropping and splitting (scikit-learn's breast cancer rows,
  in the UCI layout and in a headed file with the target in the middle);
* a blank cell takes its column's median over the training rows only (np.nanmedian), in every split;
* the prediction path encodes the training CSV's own rows exactly as the loader did, so training and
  prediction cannot disagree;
* score files: "validation" means val, and a split column holding one split falls back to all rows.

Rows are found again after the seeded shuffle by a key: a unique, non-integer number kept as a feature.
No TensorFlow: models are made from the dataset with NumPy weights.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from logreg_core.csv_loader import from_csv
from logreg_core.csv_reader import read_table, read_text_table
from logreg_core.model import TrainedModel
from logreg_core.predict import feature_matrix, predict_rows
from logreg_core.errors import LogRegError
from logreg_core.scores import read_scores
from logreg_core.threshold import Sweep


def all_rows(ds) -> tuple[np.ndarray, np.ndarray]:
    return (np.vstack([ds.X_train, ds.X_val, ds.X_test]), np.concatenate([ds.y_train, ds.y_val, ds.y_test]))


def sorted_rows(a: np.ndarray) -> np.ndarray:
    """Rows in lexicographic order (first column first): a multiset of rows, comparable exactly."""
    return a[np.lexsort(a.T[::-1])]


def csv_text(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


# --------------------------------------------------------------------------- 1. rows keep their labels


@pytest.fixture(scope="module")
def cancer():
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    malignant = (bunch.target == 0).astype(np.int64)  # scikit-learn codes malignant 0; the loader must make it 1
    reference = sorted_rows(np.column_stack([bunch.data, malignant]))
    return bunch, malignant, reference


def test_uci_wdbc_layout_keeps_each_row_with_its_label(cancer):
    """id, M/B, 30 numbers, no header, rows shuffled: the three splits together are exactly the source
    rows, each with its own label (malignant = 1)."""
    bunch, malignant, reference = cancer
    rng = np.random.default_rng(11)
    order = rng.permutation(len(malignant))
    ids = 8_000 + rng.choice(999_991_999, size=len(malignant), replace=False)
    lines = [",".join([str(ids[i]), "M" if malignant[i] else "B"] + [repr(float(v)) for v in bunch.data[i]])
             for i in order]
    ds = from_csv(("\n".join(lines) + "\n").encode(), target=1, positive="M")
    assert ds.class_names == ["B", "M"] and ds.n_features == 30
    X, y = all_rows(ds)
    np.testing.assert_array_equal(sorted_rows(np.column_stack([X, y])), reference)
    # each split on its own is made of source rows with their labels, too (no row moved between X and y parts)
    source = {tuple(row) for row in np.column_stack([bunch.data, malignant])}
    for name in ("train", "val", "test"):
        Xs, ys = ds.split(name)
        assert {tuple(row) for row in np.column_stack([Xs, ys])} <= source, name


def test_headed_file_with_the_target_in_the_middle_and_unlabelled_rows(cancer):
    """A header, the label column between the measurements, text labels, and a few rows without a label
    (dropped): every remaining row keeps its own label."""
    bunch, malignant, reference = cancer
    names = [n.replace(" ", "_") for n in bunch.feature_names]
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(bunch.data, columns=names)
    frame.insert(13, "diagnosis", np.where(malignant == 1, "malignant", "benign"))
    extra = pd.DataFrame(rng.normal(50, 10, size=(7, 30)), columns=names)
    extra.insert(13, "diagnosis", "")  # no label: these rows must go, without shifting the labels of others
    frame = pd.concat([frame, extra], ignore_index=True).iloc[rng.permutation(len(frame) + 7)]
    text = frame.to_csv(index=False, float_format="%.17g").encode()
    ds = from_csv(text)
    assert ds.class_names == ["benign", "malignant"] and ds.feature_names == names
    assert "Dropped 7 row(s) with no value in the target column 'diagnosis'" in "\n".join(ds.notes)
    X, y = all_rows(ds)
    np.testing.assert_array_equal(sorted_rows(np.column_stack([X, y])), reference)


# --------------------------------------------------------------------------- 2. training medians


@pytest.fixture(scope="module")
def with_blanks():
    """120 rows: a unique non-integer key (kept as a feature, never blank), three columns with blanks
    (floats, whole numbers, true/false) and a yes/no target."""
    rng = np.random.default_rng(21)
    n = 120
    key = rng.permutation(n) * 1.25 + 0.5  # distinct, not whole numbers, not counting the rows: a feature
    y = rng.integers(0, 2, n)
    frame = pd.DataFrame({
        "key": key,
        "a": np.round(rng.normal(10 + 3 * y, 4, n), 3),
        "b": rng.integers(0, 40, n).astype(float),
        "flag": np.where(rng.random(n) < 0.45, "true", "false"),
        "label": np.where(y == 1, "yes", "no"),
    })
    blanks = {"a": rng.random(n) < 0.2, "b": rng.random(n) < 0.25, "flag": rng.random(n) < 0.15}
    values = {"a": frame["a"].to_numpy(), "b": frame["b"].to_numpy(),
              "flag": (frame["flag"] == "true").to_numpy(dtype=float)}
    written = frame.astype(object)
    for column, mask in blanks.items():
        written.loc[mask, column] = ""
    ds = from_csv(csv_text(written), target="label")
    return ds, key, values, blanks


def test_each_blank_takes_the_training_rows_median_in_every_split(with_blanks):
    ds, key, values, blanks = with_blanks
    assert ds.feature_names == ["key", "a", "b", "flag"]
    where = {k: i for i, k in enumerate(key)}
    train_rows = np.array([where[k] for k in ds.X_train[:, 0]])
    assert len(train_rows) == ds.sizes()["train"] < len(key)
    differs = []
    fill = TrainedModel.untrained(ds).fill  # what the model (and its SavedModel) fills new rows with
    for column, mask in blanks.items():
        j = ds.feature_names.index(column)
        with_nan = np.where(mask, np.nan, values[column])
        median = np.nanmedian(with_nan[train_rows])  # the reference: training rows only
        assert fill[j] == median, column
        differs.append(median != np.nanmedian(with_nan))
        for split in ("train", "val", "test"):
            X, _ = ds.split(split)
            rows = np.array([where[k] for k in X[:, 0]])
            filled = mask[rows]
            assert filled.any(), (column, split)  # blanks land in every split: each is checked
            np.testing.assert_array_equal(X[filled, j], np.full(filled.sum(), median), err_msg=f"{column} {split}")
            np.testing.assert_array_equal(X[~filled, j], values[column][rows[~filled]], err_msg=f"{column} {split}")
    # the data tells the two apart: a median over all rows (or any other split) would fail above
    assert any(differs)


# --------------------------------------------------------------------------- 3. loader and prediction agree


def mixed_table(n=90, seed=8) -> pd.DataFrame:
    """Text one-hot (with blanks), true/false in mixed case (with blanks), numbers (with blanks and a few
    non-numbers), an identifier the loader drops, and the target."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "patient_id": np.arange(500, 500 + n),
        "key": rng.permutation(n) * 0.75 + 0.25,
        "age": np.round(rng.normal(55, 12, n), 1).astype(object),
        "smoker": rng.choice(["never", "former", "current"], n, p=[0.75, 0.15, 0.1]).astype(object),  # never: median 1
        "insured": rng.choice(["true", "false", "True", "FALSE"], n).astype(object),
        "dose": np.round(rng.gamma(2.0, 3.0, n), 2).astype(object),
        "outcome": rng.choice(["sick", "well"], n),
    })
    frame.loc[rng.random(n) < 0.15, "age"] = ""
    frame.loc[rng.random(n) < 0.15, "smoker"] = ""
    frame.loc[rng.random(n) < 0.15, "insured"] = ""
    frame.loc[[4, 17, 33], "dose"] = ["?", "n.a.", "high"]  # mostly numeric: these count as missing
    return frame


def test_prediction_path_encodes_the_training_rows_as_the_loader_did():
    """feature_matrix and predict_rows on the training CSV itself give back the loader's feature rows (and
    so the model's probabilities on them) for every row, blanks, true/false and one-hot levels included."""
    frame = mixed_table()
    data = csv_text(frame)
    ds = from_csv(data, target="outcome", positive="sick")
    assert ds.feature_names == ["key", "age", "smoker=current", "smoker=former", "smoker=never", "insured", "dose"]
    X_loader, _ = all_rows(ds)
    rng = np.random.default_rng(2)
    model = TrainedModel.untrained(ds).with_weights(rng.normal(0, 1, (ds.n_features, 1)), rng.normal(0, 1, 1), 1)

    table = read_table(data, header=True)[0]
    X_pred, notes = feature_matrix(table, model.feature_sources, model.fill)
    at = {k: i for i, k in enumerate(X_pred[:, 0])}
    rows = np.array([at[k] for k in X_loader[:, 0]])  # each loader row's line in the file, by its key
    np.testing.assert_array_equal(X_pred[rows], X_loader)
    # the reference encoding, written from the file's cells: checks both sides, not only that they agree
    raw = frame.iloc[rows]
    insured = raw["insured"].str.lower().map({"true": 1.0, "false": 0.0}).to_numpy(dtype=float)
    np.testing.assert_array_equal(X_loader[~np.isnan(insured), 5], insured[~np.isnan(insured)])
    age = pd.to_numeric(raw["age"], errors="coerce").to_numpy(dtype=float)
    np.testing.assert_array_equal(X_loader[~np.isnan(age), 1], age[~np.isnan(age)])
    for j, level in ((2, "current"), (3, "former"), (4, "never")):
        np.testing.assert_array_equal(X_loader[:, j], (raw["smoker"] == level).to_numpy(dtype=float))
    assert any("insured" in note for note in notes) and any("smoker" in note for note in notes)

    out, _ = predict_rows(model, data, threshold=0.5)
    np.testing.assert_allclose(out["probability_sick"].to_numpy()[rows], model.predict_proba(X_loader),
                               rtol=0, atol=1e-12)
    np.testing.assert_array_equal(out["key"].to_numpy()[rows], X_loader[:, 0])


def _agree(frame: pd.DataFrame, data: bytes | None = None, **kwargs):
    """(loader rows, prediction-path rows) of the same file, matched by the key column."""
    data = csv_text(frame) if data is None else data
    ds = from_csv(data, **kwargs)
    X_loader, _ = all_rows(ds)
    model = TrainedModel.untrained(ds)
    rows, _, facts = read_text_table(data, header=True)  # as predict_rows reads a file
    decimal = facts["decimal"]
    X_pred, _ = feature_matrix(rows, model.feature_sources, model.fill, decimal)
    k = ds.feature_names.index("key")
    at = {key: i for i, key in enumerate(X_pred[:, k])}
    return X_loader, X_pred[[at[key] for key in X_loader[:, k]]]


def _numbers_with(cell: str, n=40, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = np.round(rng.normal(0, 1, n), 3).astype(object)
    x[5] = cell
    return pd.DataFrame({"key": np.arange(n) * 1.5 + 0.5, "x": x, "label": np.arange(n) % 2})


def test_a_true_cell_in_a_numeric_column_is_encoded_alike():
    X_loader, X_pred = _agree(_numbers_with("true"), target="label")
    np.testing.assert_array_equal(X_pred, X_loader)


def test_a_huge_number_is_encoded_alike():
    X_loader, X_pred = _agree(_numbers_with("1e35"), target="label")
    np.testing.assert_array_equal(X_pred, X_loader)


def test_decimal_commas_in_a_column_with_some_text_are_encoded_alike():
    frame = _numbers_with("?")
    data = ("key;x;label\n" + "".join(f"{k};{x};{t}\n".replace(".", ",") for k, x, t in frame.itertuples(index=False)))
    assert "0,5;" in data and ";?;" in data
    data = data.encode()
    X_loader, X_pred = _agree(frame, data, target="label")
    np.testing.assert_array_equal(X_pred, X_loader)


@pytest.mark.parametrize("sep, write", [
    (",", lambda v: [f'"{v * 1000:,.2f}"', f"{v:.1f}%", f"${v:.2f}"]),  # "1,346.20", "12.3%", "$45.00"
    (";", lambda v: [f"{v * 1000:,.2f}".replace(",", " ").replace(".", ","), f"{v:.1f}%".replace(".", ","),
                     f"€ {v:.2f}".replace(".", ",")]),  # "1 346,20", "12,3%", "€ 45,00"
    # whole thousands grouped by points where decimals are commas: "45.300" is 45300, not 45.3
    (";", lambda v: [f"{v * 1000:,.0f}".replace(",", "."), f"{v:.1f}%".replace(".", ","),
                     f"€ {v:.2f}".replace(".", ",")]),
])
def test_numbers_written_with_units_or_thousands_separators_read_as_their_values(sep, write):
    """A percent sign, a currency sign and digits grouped in threes are read off, as a spreadsheet writes them:
    the loader and the prediction path both give the numbers written, and a note says so."""
    rng = np.random.default_rng(6)
    values = np.round(rng.uniform(1, 90, 60), 1)
    lines = [sep.join(["key", "amount", "rate", "price", "label"])] + [
        sep.join([str(i + 0.5).replace(".", "," if sep == ";" else "."), *write(v), str(i % 2)])
        for i, v in enumerate(values)]  # a key that does not count the rows (such a column is dropped as an id)
    data = ("\n".join(lines) + "\n").encode()
    ds = from_csv(data, target="label")
    assert ds.feature_names == ["key", "amount", "rate", "price"]
    X, _ = all_rows(ds)
    order = (X[:, 0] - 0.5).astype(int)
    np.testing.assert_allclose(X[:, 1], values[order] * 1000, rtol=0, atol=1e-9)
    np.testing.assert_allclose(X[:, 2], values[order], rtol=0, atol=1e-9)
    np.testing.assert_allclose(X[:, 3], values[order], rtol=0, atol=1e-9)
    assert [n for n in ds.notes if n.startswith("Column 'rate': 60 number(s) written with a unit")]
    X_loader, X_pred = _agree(None, data, target="label")
    np.testing.assert_array_equal(X_pred, X_loader)


def test_a_number_with_a_leading_zero_group_is_no_grouping_of_thousands():
    """"0.350" where decimals are commas, like "0,350" where they are points, cannot be digits grouped in threes
    (no grouping starts with 0): a score of 0.35 beside "0,9" was read as 350, and the scores as no probabilities.
    Against Python's own float() of the digits written, in a scores file and a training file."""
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(11)
    scores = np.round(rng.uniform(0, 1, 40), 3)
    y = (scores + rng.normal(0, 0.2, 40) > 0.5).astype(int)
    # a decimal-comma file with one score written with a point and three decimals, as a spreadsheet pastes it
    written = [f"{v:.3f}" if i == 7 else f"{v:.3f}".replace(".", ",") for i, v in enumerate(scores)]
    written[7] = "0.350"
    expected = np.array([float(w.replace(",", ".")) for w in written])
    parts = read_scores(("y_true;score\n" + "".join(f"{a};{w}\n" for a, w in zip(y, written))).encode())
    np.testing.assert_array_equal(parts["all"][1], expected)
    assert parts["all"][1][7] == 0.35 and parts["all"][1].max() <= 1  # probabilities, as written
    tn, fp, fn, tp = confusion_matrix(y, expected >= 0.5).ravel()
    assert Sweep.from_scores(*parts["all"]).report(0.5).counts.to_dict() == {
        "tp": tp, "fp": fp, "tn": tn, "fn": fn, "n": 40, "positives": tp + fn, "negatives": tn + fp}
    # a training column: "0.350" is 0.35 there too, and "1.350" still 1350 where decimals are commas
    lines = ["x;big;label"] + [f"{w};{'1.350' if i == 3 else '2,5'};{a}" for i, (w, a) in enumerate(zip(written, y))]
    ds = from_csv(("\n".join(lines) + "\n").encode(), target="label")
    X, _ = all_rows(ds)
    assert sorted(X[:, 0]) == sorted(expected) and sorted(set(X[:, 1])) == [2.5, 1350.0]


# --------------------------------------------------------------------------- 4. score files


def scores_bytes(y, s, split) -> bytes:
    return ("y_true,score,split\n" + "".join(f"{int(a)},{float(b)!r},{c}\n" for a, b, c in zip(y, s, split))).encode()


@pytest.mark.parametrize("sep, point", [(",", "."), (";", ",")])
def test_percentage_scores_are_the_fractions_written_so_a_threshold_at_one_flags_it(sep, point):
    """"1.4%" is the float nearest 0.014 (1.4 / 100 is one step below it): at threshold 0.014, score ≥
    threshold flags it, as scikit-learn's confusion matrix does for the fractions written as decimals."""
    from sklearn.metrics import confusion_matrix

    tenths = np.arange(1000)
    y = tenths % 2
    written = [f"{t / 10:.1f}%".replace(".", point) for t in tenths]
    parts = read_scores(("y_true" + sep + "score\n" + "".join(f"{a}{sep}{w}\n" for a, w in zip(y, written))).encode())
    fractions = np.array([float(f"{t / 10:.1f}e-2") for t in tenths])  # Python's own reading of "0.014"
    np.testing.assert_array_equal(parts["all"][1], fractions)
    for threshold in (0.014, 0.007, 0.567):
        tn, fp, fn, tp = confusion_matrix(y, fractions >= threshold).ravel()
        assert Sweep.from_scores(*parts["all"]).report(threshold).counts.to_dict() == {
            "tp": tp, "fp": fp, "tn": tn, "fn": fn, "n": 1000, "positives": 500, "negatives": 500}


def test_read_scores_takes_validation_as_val():
    rng = np.random.default_rng(4)
    y, s = rng.integers(0, 2, 30), np.round(rng.random(30), 4)
    names = np.array(["validation", " Validation ", "VAL", "test", "Test"])[rng.integers(0, 5, 30)]
    names[:2] = ["validation", "test"]
    parts = read_scores(scores_bytes(y, s, names))
    assert set(parts) == {"val", "test"}
    is_val = np.char.lower(np.char.strip(names.astype(str))) != "test"
    for name, rows in (("val", is_val), ("test", ~is_val)):
        np.testing.assert_array_equal(parts[name][0], y[rows])
        np.testing.assert_array_equal(parts[name][1], s[rows])


def test_read_scores_reads_decimal_commas_as_the_csv_loader_does():
    """A spreadsheet set to a decimal comma writes "0,6010" with semicolons between fields; "1" and "-2,5e-3"
    are numbers too. A score that is not one is still refused by name."""
    rng = np.random.default_rng(5)
    y, s = rng.integers(0, 2, 40), np.round(rng.random(40) * 10 - 5, 4)
    s[:2] = [1.0, -2.5e-3]
    text = "y_true;score;split\n" + "".join(f"{a};{float(b)!r};{c}\n".replace(".", ",")
                                             for a, b, c in zip(y, s, ["val", "test"] * 20))
    assert "1,0;" in text and "-0,0025;" in text
    # as Excel saves it: its "sep=;" line first, Windows line ends
    for data in (text.encode(), ("sep=;\n" + text).replace("\n", "\r\n").encode()):
        parts = read_scores(data)
        for name, rows in (("val", slice(0, None, 2)), ("test", slice(1, None, 2))):
            np.testing.assert_array_equal(parts[name][0], y[rows])
            np.testing.assert_array_equal(parts[name][1], s[rows])
    with pytest.raises(LogRegError, match="has 1 value\\(s\\) that are not finite numbers, such as 'high'"):
        read_scores(text.replace("1,0;", "high;", 1).encode())


def test_quoted_decimal_commas_between_commas_are_read_as_numbers():
    """A spreadsheet in a decimal-comma locale that exports with commas between fields quotes each number:
    "0,6010". Scores and training features read so equal Python's float() of the digits written, and the
    confusion matrix equals scikit-learn's; a quoted "1,250" in a file with decimal points is still 1250."""
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(8)
    y, s = rng.integers(0, 2, 40), np.round(rng.random(40), 4)
    written = [f'"{v:.4f}"'.replace(".", ",") for v in s]
    parts = read_scores(("y_true,score\n" + "".join(f"{a},{w}\n" for a, w in zip(y, written))).encode())
    np.testing.assert_array_equal(parts["all"][1], s)
    tn, fp, fn, tp = confusion_matrix(y, s >= 0.5).ravel()
    assert Sweep.from_scores(*parts["all"]).report(0.5).counts.to_dict() == {
        "tp": tp, "fp": fp, "tn": tn, "fn": fn, "n": 40, "positives": tp + fn, "negatives": tn + fp}
    ds = from_csv(("x,label\n" + "".join(f"{w},{a}\n" for w, a in zip(written, y))).encode(), target="label")
    assert sorted(all_rows(ds)[0][:, 0]) == sorted(s)
    assert "Numbers use a decimal comma (1,5 means 1.5)." in ds.notes
    amounts = rng.integers(1000, 9999, 40)
    ds = from_csv(("x,amount,label\n" + "".join(f'{float(v)!r},"{m:,}",{a}\n' for v, m, a in zip(s + 0.5, amounts, y))
                   ).encode(), target="label")
    X, _ = all_rows(ds)
    assert sorted(X[:, 1]) == sorted(amounts.astype(float))


@pytest.mark.parametrize("only", ["val", "validation", "test"])
def test_read_scores_with_a_single_split_falls_back_to_all_rows(only):
    rng = np.random.default_rng(6)
    y, s = rng.integers(0, 2, 25), np.round(rng.random(25), 4)
    parts = read_scores(scores_bytes(y, s, [only] * 25))
    assert list(parts) == ["all"]
    np.testing.assert_array_equal(parts["all"][0], y)
    np.testing.assert_array_equal(parts["all"][1], s)
