"""Scores files from any model: columns found by their usual names or chosen, true classes as 0/1 or labels,
and the app's own Test predictions file read back as it is, checked against scikit-learn on the same numbers."""
from __future__ import annotations

import contextlib
import dataclasses
import io
import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, roc_auc_score

from logreg_core import LogRegError, cli, load_dataset
from logreg_core.model import TrainedModel
from logreg_core.predict import predictions_file, safe_csv
from logreg_core.scores import ScoreTable, read_scores
from logreg_core.threshold import Sweep


def leaning_scores(seed: int, n: int, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """0/1 classes, and scores in [0, 1) that lean towards each case's class (positives 0.3 higher)."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, np.round(rng.random(n) * 0.6 + 0.3 * y, decimals)


def run_main(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def sklearn_model(dataset) -> TrainedModel:
    """A model whose weights scikit-learn found, on standardized training rows: no TensorFlow needed."""
    model = TrainedModel.untrained(dataset)
    fitted = LogisticRegression(max_iter=5000).fit((dataset.X_train - model.mean) / model.scale, dataset.y_train)
    return dataclasses.replace(model, weights=fitted.coef_.T.copy(), bias=fitted.intercept_.copy())


@pytest.fixture(scope="module")
def cancer_file():
    dataset = load_dataset("breast_cancer", seed=3)
    model = sklearn_model(dataset)
    return dataset, model.predict_proba(dataset.X_test), safe_csv(predictions_file(model, dataset, 0.5)).encode()


def test_the_apps_test_predictions_file_reads_back_as_its_positive_class_scores(cancer_file, tmp_path):
    """The Model page's download, uploaded or given to the command line: malignant is positive, as its
    probability column names it, and the numbers are scikit-learn's on the same scores."""
    dataset, p, raw = cancer_file
    parts = read_scores(raw)
    y, s = parts["all"]
    assert np.array_equal(y, dataset.y_test) and np.allclose(s, p, rtol=0, atol=1e-15)
    assert parts.names == ("benign", "malignant") and parts.positive == "malignant"
    assert parts.columns == {"label": "y_true", "score": "probability_malignant"}
    assert "'malignant' is the positive class, as the score column 'probability_malignant' names it." in parts.notes
    path = tmp_path / "test_predictions.csv"
    path.write_bytes(raw)
    code, out, err = run_main("threshold", "--scores", path, "--threshold", 0.3, "--json")
    summary = json.loads(out)
    tn, fp, fn, tp = confusion_matrix(dataset.y_test, p >= 0.3).ravel()
    assert code == 0 and {k: summary["counts"][k] for k in ("tp", "fp", "tn", "fn")} == dict(tp=tp, fp=fp, tn=tn, fn=fn)
    assert summary["roc_auc"] == pytest.approx(roc_auc_score(dataset.y_test, p), abs=1e-12)
    assert summary["classes"] == ["benign", "malignant"] and summary["positive_label"] == "malignant"
    _, text, _ = run_main("threshold", "--scores", path)
    assert f"Rows: all {len(p)} rows ({tp + fn} positive: malignant, {tn + fp} negative: benign)" in text


def test_the_other_class_named_positive_reverses_the_ranking(cancer_file, tmp_path):
    """--positive benign reads benign as positive against the malignant probability: AUC is 1 − AUC."""
    dataset, p, raw = cancer_file
    path = tmp_path / "test_predictions.csv"
    path.write_bytes(raw)
    code, out, _ = run_main("threshold", "--scores", path, "--positive", "Benign", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["positive_label"] == "benign" and summary["classes"] == ["malignant", "benign"]
    assert summary["roc_auc"] == pytest.approx(roc_auc_score(dataset.y_test == 0, p), abs=1e-12)
    assert summary["counts"]["positives"] == int((dataset.y_test == 0).sum())


def test_a_multiclass_predictions_file_is_one_class_against_the_rest(tmp_path):
    """Digits: naming the positive class picks its probability column; the rest count as negative."""
    dataset = load_dataset("digits", seed=1)
    model = sklearn_model(dataset)
    raw = safe_csv(predictions_file(model, dataset)).encode()
    with pytest.raises(LogRegError, match=r"a probability column per class \(probability_0, probability_1, "
                                          r"probability_2, probability_3 and 6 more\): choose the positive class"):
        read_scores(raw)
    parts = read_scores(raw, positive="3")
    y, s = parts["all"]
    truth = dataset.y_test == 3
    assert np.array_equal(y, truth) and np.allclose(s, model.predict_proba(dataset.X_test)[:, 3], rtol=0, atol=1e-15)
    assert parts.names == ("not 3", "3") and parts.columns["score"] == "probability_3"
    path = tmp_path / "digits.csv"
    path.write_bytes(raw)
    code, out, _ = run_main("threshold", "--scores", path, "--positive", 3, "--json")
    assert code == 0 and json.loads(out)["roc_auc"] == pytest.approx(roc_auc_score(truth, s), abs=1e-12)
    assert json.loads(out)["counts"]["positives"] == int(truth.sum())


@pytest.mark.parametrize("header,label,score", [("label,prob", "label", "prob"), ("Target,Y_Prob", "Target", "Y_Prob"),
                                                ("outcome,risk", "outcome", "risk"),
                                                ("diagnosis,Risk_Score", "diagnosis", "Risk_Score")])
def test_usual_column_names_are_found_and_said(header, label, score):
    y, s = leaning_scores(5, 80, 4)
    raw = (header + "\n" + "\n".join(f"{a},{b}" for a, b in zip(y, s))).encode()
    parts = read_scores(raw)
    assert np.array_equal(parts["all"][0], y) and np.array_equal(parts["all"][1], s)
    assert parts.columns == {"label": label, "score": score} and parts.names == ("negative", "positive")
    assert parts.notes == [f"Read true classes from column {label!r} and scores from column {score!r}, found by "
                           "their names; to read others, choose them (Threshold page: Columns; command line: "
                           "--label-column or --score-column)."]


def test_chosen_columns_compare_two_models_in_one_file(tmp_path):
    """truth, model_a, model_b: each model's scores by --score-column, each as scikit-learn scores it."""
    rng = np.random.default_rng(8)
    truth = rng.integers(0, 2, 120)
    a, b = rng.random(120) + 0.2 * truth, rng.random(120) + 0.8 * truth
    frame = pd.DataFrame({"id": np.arange(120), "truth": truth, "model_a": a, "model_b": b})
    path = tmp_path / "two.csv"
    frame.to_csv(path, index=False)
    for column, scores in (("model_a", a), ("model_b", b)):
        code, out, err = run_main("threshold", "--scores", path, "--label-column", "truth", "--score-column",
                                  column, "--json")
        summary = json.loads(out)
        assert code == 0 and summary["columns"] == {"label": "truth", "score": column}
        assert summary["roc_auc"] == pytest.approx(roc_auc_score(truth, scores), abs=1e-12)
        assert "found by their names" not in err
    code, _, err = run_main("threshold", "--scores", path)
    assert code == 2 and err.startswith("error: the scores file needs a column of scores") \
        and "its columns are id, truth, model_a, model_b: choose them" in err


@pytest.mark.parametrize("labels,positive,note", [
    (("no", "yes"), "yes", "'yes' in column 'y_true' was taken as the positive class, as a usual name for it"),
    (("False", "True"), "True", "'True' in column 'y_true' was taken as the positive class, as a usual name"),
    (("B", "M"), "M", "'M' in column 'y_true' was taken as the positive class, as a usual name"),
    # names that say nothing, and numbers other than 0/1: the class whose cases score higher (labels[1] here)
    (("1", "2"), "2", "'2' in column 'y_true' was taken as the positive class because its cases score higher"),
    (("healthy", "cancer"), "cancer", "'cancer' in column 'y_true' was taken as the positive class because its"),
    (("paid", "default"), "default", "'default' in column 'y_true' was taken as the positive class because its"),
])
def test_two_labels_other_than_0_and_1_take_the_positive_class_they_name_or_score_higher(labels, positive, note):
    """As training takes a positive class from a usual name; where the names say nothing, the scores are taken
    to be for the class whose cases they rank higher (the ROC AUC above 0.5 that way round), and that is said."""
    rng = np.random.default_rng(2)
    codes = rng.integers(0, 2, 60)
    s = rng.random(60) + 0.5 * codes
    raw = ("y_true,score\n" + "\n".join(f"{labels[c]},{v}" for c, v in zip(codes, s))).encode()
    parts = read_scores(raw)
    is_positive = np.asarray(labels)[codes] == positive
    assert np.array_equal(parts["all"][0], is_positive) and parts.positive == positive
    assert any(n.startswith(note) for n in parts.notes), parts.notes
    other = next(label for label in labels if label != positive)
    swapped = read_scores(raw, positive=other)
    assert np.array_equal(swapped["all"][0], ~is_positive) and swapped.positive == other and not swapped.notes


def test_0_1_labels_named_positive_keep_their_names_and_0_can_be_positive():
    raw = b"y_true,score\n1,0.9\n0,0.2\n1,0.6\n0,0.4\n"
    assert read_scores(raw, positive="1").names == read_scores(raw).names == ("negative", "positive")
    flipped = read_scores(raw, positive="0")
    assert list(flipped["all"][0]) == [0, 1, 0, 1] and flipped.names == ("class 1", "class 0")


@pytest.mark.parametrize("choice,message", [
    (dict(label_column="truth"), "the scores file has no column 'truth' for the true class; its columns are "
                                 "y_true, score, other"),
    (dict(score_column="y_true"), "the true class and the score are both column 'y_true': choose two columns"),
    (dict(label_column="other"), "the other column has 3 labels ('a', 'b', 'c'), not 0/1: choose the positive one"),
    (dict(label_column="other", positive="d"), "positive='d' does not occur in column 'other': its labels are "
                                               "'a', 'b', 'c'; choose one of them"),
])
def test_choices_the_file_cannot_meet_say_what_it_has(choice, message):
    raw = b"y_true,score,other\n1,0.9,a\n0,0.2,b\n1,0.6,c\n0,0.4,a\n"
    with pytest.raises(LogRegError) as caught:
        read_scores(raw, **choice)
    assert str(caught.value).startswith(message), str(caught.value)


def test_one_class_against_the_rest_of_a_label_column():
    raw = b"y_true,score,other\n1,0.9,a\n0,0.2,b\n1,0.6,c\n0,0.4,a\n"
    parts = read_scores(raw, label_column="OTHER", positive="a")
    assert list(parts["all"][0]) == [1, 0, 0, 1] and parts.names == ("not a", "a")
    assert "One-vs-rest: column 'other' has 3 labels; 'a' is the positive class and the other 2 are negative." \
        in parts.notes
    with pytest.raises(LogRegError, match=r"rows have no negative cases \(other other than a\)"):
        read_scores(b"other,score\na,0.2\na,0.4\n", label_column="other", positive="a")
    with pytest.raises(LogRegError, match=r"rows have no negative cases \(y_true other than 0\)"):
        read_scores(b"y_true,score\n0,0.2\n0,0.4\n", positive="0")  # 0s only, and 0 positive: no negatives


def test_a_table_offers_its_columns_and_a_columns_labels():
    table = ScoreTable(b"truth;risk score;split\nyes;0,4;val\nno;0,3;val\nyes;0,8;test\nno;0,1;test\n")
    assert table.columns == ["truth", "risk score", "split"]
    assert table.labels("truth") == ["no", "yes"] and table.guessed() == ("truth", None)
    parts = table.parts("truth", "risk score")
    assert list(parts["val"][0]) == [1, 0] and list(parts["test"][1]) == [0.8, 0.1]


def test_the_command_line_cautions_on_few_cases_as_the_page_does(tmp_path):
    """Fewer than 100 positives or negatives where thresholds are chosen (validation rows): said, with how wide
    an interval of a proportion of them can be (at 50%, 1.96·√(0.25/30) is 18%); 100 of each are not few."""
    rng = np.random.default_rng(9)
    path = tmp_path / "few.csv"
    note = ("The validation rows have only 30 positives and 150 negatives: intervals there are up to ±18% wide, "
            "and a threshold chosen on so few cases looks better than it will be.")
    for val_positives in (30, 100):
        y = np.r_[np.ones(val_positives), np.zeros(150), np.ones(120), np.zeros(120)].astype(int)
        split = ["val"] * (val_positives + 150) + ["test"] * 240
        pd.DataFrame({"y_true": y, "score": rng.random(y.size) * 0.5 + 0.4 * y, "split": split}).to_csv(
            path, index=False)
        code, out, err = run_main("threshold", "--scores", path, "--json")
        notes = json.loads(out)["notes"]
        if val_positives == 30:
            assert code == 0 and note in notes and f"note: {note}" in err, notes
        else:
            assert code == 0 and not any("intervals there are up to" in n for n in notes), notes


@pytest.mark.parametrize("column,values,split", [
    ("set", ("validation", "Test"), True), ("subset", ("val", "test"), True),
    ("fold", ("1", "2"), False), ("set", ("a", "b"), False)])
def test_a_split_column_by_another_name_is_read_when_it_holds_split_names(column, values, split):
    """``set`` (or ``subset``, …) holding val/test splits the rows as ``split`` does, said in a note; a ``fold``
    of numbers, or a ``set`` of other values, is not a split, and all rows are read, as scikit-learn counts them."""
    rng = np.random.default_rng(13)
    y = np.r_[0, 1, 0, 1, rng.integers(0, 2, 56)]
    s, where = np.round(rng.random(60) * 0.6 + 0.3 * y, 3), np.arange(60) % 2
    frame = pd.DataFrame({"y_true": y, "score": s, column: np.array(values)[where]})
    parts = read_scores(frame.to_csv(index=False).encode())
    if split:
        assert set(parts) == {"val", "test"} and np.array_equal(parts["val"][1], s[where == 0])
        assert f"Read the split (validation or test) from column {column!r}, found by its name." in parts.notes
    else:
        assert list(parts) == ["all"] and not parts.notes
    rows = where == 1 if split else np.full(60, True)
    tn, fp, fn, tp = confusion_matrix(y[rows], s[rows] >= 0.5).ravel()
    counts = Sweep.from_scores(*parts["test" if split else "all"]).report(0.5).counts.to_dict()
    assert [counts[k] for k in ("tp", "fp", "tn", "fn")] == [tp, fp, tn, fn]


def test_a_few_cases_note_counts_one_case_as_one():
    parts = read_scores(b"y_true,score\n1,0.9\n1,0.8\n0,0.4\n")
    assert Sweep.from_scores(*parts["all"]).few_cases_note("These rows have").startswith(
        "These rows have only 2 positives and 1 negative: intervals")


def test_pandas_row_index_column_is_not_read(tmp_path):
    """``DataFrame.to_csv`` writes the row index first, under no name: it is not a column to read (it was
    taken for a decimal comma's second half), while fields past the header's last name still are refused."""
    rng = np.random.default_rng(10)
    y = rng.integers(0, 2, 50)
    s = np.round(rng.random(50) * 0.7 + 0.2 * y, 3)
    path = tmp_path / "pandas.csv"
    pd.DataFrame({"y_true": y, "y_prob": s}, index=rng.permutation(50) + 1000).to_csv(path)
    assert path.read_text().startswith(",y_true,y_prob\n")
    code, out, _ = run_main("threshold", "--scores", path, "--threshold", 0.5, "--json")
    tn, fp, fn, tp = confusion_matrix(y, s >= 0.5).ravel()
    counts = json.loads(out)["counts"]
    assert code == 0 and {k: counts[k] for k in ("tp", "fp", "tn", "fn")} == dict(tp=tp, fp=fp, tn=tn, fn=fn)
    with pytest.raises(LogRegError, match="some rows have 3 fields, but the header names 2: a decimal comma"):
        read_scores(b"y_true,score\n1,0,9\n0,0,2\n")


def test_a_probability_column_for_the_other_class_is_warned_of(tmp_path):
    """Iris-like: versicolor as positive but virginica's probability as the score ranks the wrong class; said
    as a warning on the command line (and in the JSON's notes), whose numbers stay those asked for."""
    rng = np.random.default_rng(11)
    truth = np.array(["setosa", "versicolor", "virginica"])[rng.integers(0, 3, 150)]
    p = rng.dirichlet(np.ones(3), 150)
    frame = pd.DataFrame({"y_true": truth, "probability_setosa": p[:, 0], "probability_versicolor": p[:, 1],
                          "probability_virginica": p[:, 2]})
    path = tmp_path / "iris.csv"
    frame.to_csv(path, index=False)
    code, out, err = run_main("threshold", "--scores", path, "--positive", "versicolor", "--score-column",
                              "probability_virginica", "--json")
    summary = json.loads(out)
    warning = ("The score column 'probability_virginica' is the probability of 'virginica', but 'versicolor' is "
               "the positive class: these scores rank the other class; choose 'probability_versicolor' as the "
               "score, or 'virginica' as the positive class")
    assert code == 0 and f"warning: {warning}" in err and any(n.startswith(warning) for n in summary["notes"])
    assert summary["roc_auc"] == pytest.approx(roc_auc_score(truth == "versicolor", p[:, 2]), abs=1e-12)
    code, out, err = run_main("threshold", "--scores", path, "--positive", "virginica", "--json")
    assert code == 0 and "warning: The score column" not in err and json.loads(out)["columns"]["score"] == \
        "probability_virginica"
    code, _, err = run_main("threshold", "--scores", path, "--positive", "dog")  # said before anything else
    assert code == 2 and err.startswith("error: positive='dog' does not occur in column 'y_true': its labels are "
                                        "'setosa', 'versicolor', 'virginica'")


@pytest.mark.parametrize("header,labels,score", [
    ("y_true,probability_0,probability_1", ("0", "1"), "probability_1"),
    ("y_true,proba_no,proba_yes", ("no", "yes"), "proba_yes"),
    ("label,prob_False,prob_True", ("False", "True"), "prob_True"),
])
def test_a_binary_export_with_both_classes_probabilities_reads_the_positive_ones(header, labels, score):
    codes, p1 = leaning_scores(12, 40, 3)
    raw = (header + "\n" + "".join(f"{labels[c]},{1 - v:.3f},{v}\n" for c, v in zip(codes, p1))).encode()
    parts = read_scores(raw)
    assert parts.columns["score"] == score and parts.positive == labels[1]
    assert np.array_equal(parts["all"][0], codes) and np.array_equal(parts["all"][1], p1)


def test_predicted_classes_as_scores_and_other_score_columns_are_said():
    raw = b"y_true,score,prob,y_pred\n1,0.9,0.8,1\n0,0.2,0.1,0\n1,0.7,0.6,1\n0,0.4,0.5,0\n"
    parts = read_scores(raw)
    assert parts.notes == ["Read scores from column 'score' (the file also has 'prob'), found by its name; to read "
                           "others, choose them (Threshold page: Columns; command line: --label-column or "
                           "--score-column)."] and parts.warnings == []
    hard = read_scores(raw, score_column="y_pred")
    assert hard.warnings == ["The score column 'y_pred' holds only 2 different values (0, 1): predicted classes, "
                             "it seems, not scores. Every threshold between them gives the same matrix; for the "
                             "trade-off, choose a column of probabilities or margins."]
    same = read_scores(b"y_true,score\n1,42\n0,42\n1,42\n0,42\n")  # one value: no classes, predicted or not
    assert same.warnings == ["Every score in column 'score' is 42: they do not tell any case from another, so a "
                             "threshold flags everyone (at or below it) or no one (above); no threshold trades one "
                             "error for the other. Choose a column of probabilities or margins."]
    with pytest.raises(LogRegError, match=r"the id column has 60 different values, too many for classes"):
        read_scores(("id,score\n" + "".join(f"{i},{i / 60}\n" for i in range(60))).encode(), label_column="id")
