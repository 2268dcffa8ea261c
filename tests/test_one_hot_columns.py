"""Text columns one-hot encoded by the loader: odds ratios of their levels against a reference level,
and notes on blank and unseen values when predicting new rows."""
import json

import numpy as np
import pandas as pd
import pytest

from logreg_core import LogRegError, TrainConfig, run_training
from logreg_core.csv_loader import from_csv
from logreg_core.datasets import select_features
from logreg_core.model import one_hot_groups
from logreg_core.predict import predict_rows

from .test_app import new_app, train

GRADE = ("grade=who=I", "grade=who=II", "grade=who=III")  # the column's own name holds "="
SMOKER = ("smoker=no", "smoker=yes")
BLANK_SMOKERS = 6
SOURCES = [("age", None), ("grade=who", "I"), ("grade=who", "II"), ("grade=who", "III"), ("smoker", "no"),
           ("smoker", "yes")]  # each feature's column, and the level a text column's 0/1 feature marks


def patients(n=200, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    grade = rng.choice(["I", "II", "III"], n, p=[0.25, 0.55, 0.2])  # II, not the first in sorted order, is common
    smoker = rng.choice(["yes", "no"], n, p=[0.3, 0.7])
    age = rng.normal(55, 10, n).round(1)
    logit = 0.04 * (age - 55) + 1.2 * (smoker == "yes") + np.select([grade == "I", grade == "III"], [-1.0, 1.0])
    frame = pd.DataFrame({"age": age, "grade=who": grade, "smoker": smoker,
                          "target": (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)})
    frame.loc[: BLANK_SMOKERS - 1, "smoker"] = ""
    return frame


@pytest.fixture(scope="module")
def trained():
    ds = from_csv(patients().to_csv(index=False).encode(), target="target")
    return ds, run_training(ds, TrainConfig(epochs=15, learning_rate=0.1)).model


def logit(p):
    return np.log(p) - np.log1p(-p)


def switched(row: np.ndarray, names, group, level) -> np.ndarray:
    """``row`` with its one-hot ``group`` set to ``level``."""
    out = row.copy()
    for name in group:
        out[names.index(name)] = float(name == level)
    return out


def test_levels_odds_ratio_against_the_most_common_level_is_the_models_own_odds_change(trained):
    ds, model = trained
    names = list(model.feature_names)
    assert names == ["age", *GRADE, *SMOKER]
    levels = model.level_odds_ratios()
    counts = {name: int(ds.X_train[:, names.index(name)].sum()) for name in names[1:]}
    for group in (GRADE, SMOKER):
        most_common = max(group, key=counts.get)
        row = ds.X_test[0]
        base = model.predict_proba(switched(row, names, group, most_common)[None])
        for level in group:
            j = names.index(level)
            p = model.predict_proba(switched(row, names, group, level)[None])
            assert levels["reference"][j] == model.feature_sources[names.index(most_common)][1]
            np.testing.assert_allclose(levels["vs_reference"][j], np.exp(logit(p) - logit(base))[0], rtol=1e-9)
    assert counts["grade=who=II"] > max(counts["grade=who=I"], counts["grade=who=III"])  # not the first level
    assert levels["vs_reference"][names.index("smoker=no")] == 1.0
    assert np.isnan(levels["vs_reference"][0]) and levels["reference"][0] is None  # age: an ordinary feature
    # The per-unit odds ratio of smoker=yes alone is not the yes-against-no odds ratio the level shows.
    yes = names.index("smoker=yes")
    assert not np.isclose(model.odds_ratios()["per_unit"][yes], levels["vs_reference"][yes], rtol=1e-3)


def test_the_loader_records_each_features_column_and_level(trained):
    ds, model = trained
    assert ds.feature_sources == SOURCES and list(model.feature_sources) == SOURCES
    assert one_hot_groups(model.feature_sources) == [[1, 2, 3], [4, 5]]
    picked = select_features(ds, ["smoker=yes", "age"])
    assert picked.feature_sources == [("smoker", "yes"), ("age", None)]


def test_names_holding_equals_signs_are_not_mistaken_for_levels():
    """Numeric columns named x=1 and x=2 are no text column x; a numeric column named "a=p" clashes
    with text column a's level p, so the loader renames that feature, and predictions still find both."""
    rng = np.random.default_rng(5)
    n = 120
    frame = pd.DataFrame({"x=1": rng.normal(size=n), "x=2": rng.normal(size=n), "a=p": rng.normal(size=n),
                          "a": rng.choice(["p", "q"], n), "flag": ["yes"] * n, "target": rng.integers(0, 2, n)})
    ds = from_csv(frame.to_csv(index=False).encode(), target="target")
    assert ds.feature_sources == [("x=1", None), ("x=2", None), ("a=p", None), ("a", "p"), ("a", "q"),
                                  ("flag", "yes")]
    assert len(set(ds.feature_names)) == len(ds.feature_names)  # "a=p" twice was renamed
    model = run_training(ds, TrainConfig(epochs=2)).model
    assert one_hot_groups(model.feature_sources) == [[3, 4]]  # flag has one level: no group
    new = frame.drop(columns="target").head(4)
    out, _ = predict_rows(model, new.to_csv(index=False).encode(), 0.5)
    expected = np.column_stack([new["x=1"], new["x=2"], new["a=p"], new["a"] == "p", new["a"] == "q",
                                np.ones(4)]).astype(float)
    np.testing.assert_allclose(out["probability_1"], model.predict_proba(expected), atol=1e-12)
    with pytest.raises(LogRegError, match=r"lacks 2 of the training data's columns \(x=2, a\)"):
        predict_rows(model, new.drop(columns=["x=2", "a"]).to_csv(index=False).encode(), 0.5)


def test_training_treats_a_blank_text_value_as_none_of_its_levels(trained):
    ds, model = trained
    smoker = [list(model.feature_names).index(name) for name in SMOKER]
    every_row = np.vstack([ds.X_train, ds.X_val, ds.X_test])[:, smoker]
    assert int((every_row.sum(axis=1) == 0).sum()) == BLANK_SMOKERS


def test_predictions_say_which_rows_were_blank_or_held_a_value_training_never_saw(trained):
    ds, model = trained
    new = patients().drop(columns="target").iloc[BLANK_SMOKERS:BLANK_SMOKERS + 6].reset_index(drop=True)
    new.loc[0, "grade=who"] = "IV"
    new.loc[[1, 2], "smoker"] = ["maybe", "sometimes"]
    new.loc[3, "smoker"] = ""
    out, notes = predict_rows(model, new.to_csv(index=False).encode(), 0.5)
    assert notes == [
        "grade=who: 1 row has a value training never saw (IV); it counts as none of grade=who's levels.",
        "smoker: 1 row is blank; as in training, a blank counts as none of smoker's levels.",
        "smoker: 2 rows have a value training never saw (maybe, sometimes); they count as none of smoker's levels.",
    ]
    expected = np.column_stack([new["age"]] + [(new["grade=who"] == v).astype(float) for v in ("I", "II", "III")]
                               + [(new["smoker"] == v).astype(float) for v in ("no", "yes")])
    assert expected[[0]][:, 1:4].sum() == 0 and expected[1:4, 4:].sum() == 0
    np.testing.assert_allclose(out["probability_1"], model.predict_proba(expected), atol=1e-12)


def _table(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_model_page_shows_levels_against_their_reference_level():
    at = new_app().switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Upload CSV").run()
    frame = patients()
    at.file_uploader[0].set_value(("patients.csv", frame.to_csv(index=False).encode(), "text/csv")).run()
    at = train(at, epochs=3).switch_page("app_pages/model.py").run()
    assert not at.exception
    model = at.session_state["trained"].result.model
    levels = model.level_odds_ratios()
    table = _table(at, "odds ratio vs reference level")
    assert list(zip(table["column"], table["level"])) == list(model.feature_sources[1:])
    np.testing.assert_allclose(table["odds ratio vs reference level"], levels["vs_reference"][1:])
    grade = table[table["column"] == "grade=who"].set_index("level")["reference level"]
    assert grade.to_dict() == {"I": "II", "II": "(reference)", "III": "II"}
    numeric = _table(at, "odds ratio per raw unit")
    assert numeric["feature"].tolist() == ["age"]  # levels have no per-unit odds ratio: a row cannot move one alone
    assert numeric["odds ratio per raw unit"].iloc[0] == pytest.approx(model.odds_ratios()["per_unit"][0])
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "weights")
    assert chart["data"][0]["y"] == ["age"]  # the per-SD weights chart: number columns only, as its table
    assert chart["layout"]["title"]["text"] == "Weights, largest first — number columns"
    assert any("reference level is the column's most common in training" in c.value for c in at.caption)
    new = frame.drop(columns="target").head(3).assign(smoker=["X", "no", "yes"])
    at.file_uploader(key="predict_upload").set_value(("new.csv", new.to_csv(index=False).encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert "smoker: 1 row has a value training never saw (X); it counts as none of smoker's levels." in [
        i.value for i in at.info]


def test_model_page_without_text_columns_keeps_its_odds_ratio_table():
    at = train(new_app(), epochs=2).switch_page("app_pages/model.py").run()
    assert not at.exception
    table = _table(at, "odds ratio per raw unit")
    assert list(table.columns) == ["feature", "weight (per SD)", "odds ratio per SD", "odds ratio per raw unit"]
    assert len(table) == 30 and table["odds ratio per raw unit"].notna().all() and len(at.dataframe) == 1
    assert not any("reference level" in c.value for c in at.caption)


def test_the_model_card_carries_the_levels_odds_ratios_and_their_reference(trained):
    from logreg_core.export import model_card

    ds, model = trained
    whole = json.loads(json.dumps(model_card(model, dataset=ds, config=TrainConfig(epochs=15))))
    assert [(source["column"], source["level"]) for source in whole["feature_sources"]] == SOURCES
    card = whole["parameters"]
    levels = model.level_odds_ratios()
    yes = list(model.feature_names).index("smoker=yes")
    assert card["reference_level"][yes] == "no" and card["reference_level"][0] is None
    assert card["odds_ratio_vs_reference_level"][yes] == pytest.approx(levels["vs_reference"][yes])
    assert card["odds_ratio_vs_reference_level"][0] is None  # age: JSON null, not NaN
    assert "reference level" in card["note"]



def test_the_saved_model_fills_blanks_and_huge_numbers_as_predictions_do(trained, tmp_path):
    """NaN in a text column's level features is a blank (none of its levels, 0), not the level most rows
    hold; a number beyond ±1e30 is missing, as the loader reads it; both as predict_rows does."""
    import tensorflow as tf

    from logreg_core.export import load_saved_model, save_model

    ds, model = trained
    new = patients().drop(columns="target").iloc[BLANK_SMOKERS:BLANK_SMOKERS + 4].reset_index(drop=True)
    new["smoker"] = new["smoker"].astype(object)
    new.loc[0, "smoker"], new.loc[1, "age"], new.loc[2, "grade=who"] = "", 1e31, ""
    expected, _ = predict_rows(model, new.to_csv(index=False).encode(), 0.5)
    assert list(model.fill[1:]) == [0.0] * 5  # the level features
    rows = np.column_stack([new["age"]] + [(new["grade=who"] == v).astype(float) for v in ("I", "II", "III")]
                           + [(new["smoker"] == v).astype(float) for v in ("no", "yes")])
    rows[0, 4:6] = np.nan  # a blank smoker, sent as the card says: NaN in its level columns
    rows[2, 1:4] = np.nan
    save_model(model, tmp_path / "m")
    served = load_saved_model(tmp_path / "m")(features=tf.constant(rows, tf.float64))["probabilities"].numpy()
    np.testing.assert_allclose(served, expected["probability_1"], atol=1e-12)


def test_levels_that_look_like_numbers_or_flags_are_matched_as_the_training_text():
    """A prediction file's few rows may look numeric ("1") or boolean (true/false) on their own; they are
    still the training column's text levels, and 007 stays 007."""
    rng = np.random.default_rng(8)
    n = 90
    frame = pd.DataFrame({"x": rng.normal(size=n).round(3), "grade": rng.choice(["1", "A", "B", "007"], n, p=[0.2, 0.3, 0.3, 0.2]),
                          "flag": rng.choice(["false", "maybe", "true"], n), "target": rng.integers(0, 2, n)})
    ds = from_csv(frame.to_csv(index=False).encode(), target="target")
    assert [s for s in ds.feature_sources if s[1] is not None] == [
        ("grade", "007"), ("grade", "1"), ("grade", "A"), ("grade", "B"),
        ("flag", "false"), ("flag", "maybe"), ("flag", "true")]  # mostly text: levels, not numbers
    model = run_training(ds, TrainConfig(epochs=2)).model
    new = "x,grade,flag\n0.5,1,true\n-0.2,007,false\n0.1,1,TRUE\n"
    out, notes = predict_rows(model, new.encode(), 0.5)
    expected = np.array([[0.5, 0, 1, 0, 0, 0, 0, 1], [-0.2, 1, 0, 0, 0, 1, 0, 0], [0.1, 0, 1, 0, 0, 0, 0, 0]], float)
    np.testing.assert_allclose(out["probability_1"], model.predict_proba(expected), atol=1e-12)
    assert notes == ["flag: 1 row has a value training never saw (TRUE); it counts as none of flag's levels."]
