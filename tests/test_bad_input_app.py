"""Issue 7, app level: every bad input gives a clear st.error (what is wrong, what to do), never an
exception on the page, and the user's trained model and settings survive it.

One real training through the Train page (module fixture) provides the model. Each case then opens a
fresh session (AppTest) holding that trained run and the same settings, exactly as the user left them,
so the cases cannot influence one another's outcome. The core/CLI side of the same cases is in
tests/test_bad_input_cli.py.
"""
from __future__ import annotations

import json
import math
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from logreg_core import LogRegError, TrainConfig
from logreg_core.threshold import Sweep

from .apptest_support import move_threshold, page_html, seen, shown_counts as confusion_counts

APP = str(Path(__file__).resolve().parents[1] / "app.py")
# The user's settings: none of them the default, so a silent reset to defaults would show.
SETTINGS = {"epochs": 3, "batch_size": 32, "lr": 0.03, "optimizer": "adam", "seed": 4, "l2": 0.001,
            "early_stopping": 0, "threshold": 0.4}
SETTING_KEYS = tuple(SETTINGS)
# What the fixture's training leaves in the session and every case starts from.
SESSION_KEYS = ("trained", "runs", "run_counter", "job", "job_collected", "dataset", "base_dataset")


@dataclass
class Trained:
    session: dict
    weights: np.ndarray
    bias: np.ndarray

    @property
    def run(self):
        return self.session["trained"]


def new_app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = str(value)
    return at


def wait_for_training(at: AppTest, timeout=60) -> AppTest:
    end = time.time() + timeout
    while time.time() < end and not (at.session_state["job"].done and at.session_state["job_collected"]):
        time.sleep(0.1)
        at.run()
    assert at.session_state["job"].done and at.session_state["job_collected"], "training did not finish"
    return at


@pytest.fixture(scope="module")
def trained() -> Trained:
    # Import TensorFlow here, on the main thread. Imported first on the training thread, under pytest,
    # it makes pytest's assertion rewriter ast.parse tensorflow/python/framework/test_util.py (its name
    # matches test_*.py) while AppTest compiles the page scripts on another thread, and Python 3.11's
    # ast is not thread-safe (gh-106905): "Training failed: AST constructor recursion depth mismatch".
    # A served app imports TensorFlow from bytecode and never parses it.
    from logreg_core.tf_runtime import tensorflow

    tensorflow()
    at = new_app(**SETTINGS).run()
    at.switch_page("app_pages/train.py").run()
    assert at.number_input(key="epochs").value == SETTINGS["epochs"]
    next(b for b in at.button if b.label == "Train").click().run()
    wait_for_training(at)
    snap = at.session_state["job"].snapshot()
    assert not at.exception and "trained" in at.session_state, (snap["state"], snap["error"], snap["result"])
    assert at.session_state["trained"].result.stopped_reason == "completed"
    session = {key: at.session_state[key] for key in SESSION_KEYS}
    model = session["trained"].result.model
    return Trained(session, model.weights.copy(), model.bias.copy())


@pytest.fixture
def app(trained) -> AppTest:
    """A session where the user has trained a model with SETTINGS (shared link + the fixture's run)."""
    at = new_app(**SETTINGS)
    for key, value in trained.session.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception and at.session_state["trained"] is trained.run
    return at


# --------------------------------------------------------------------------- helpers


def settings(at: AppTest) -> dict:
    return {key: at.session_state["setup"][key] for key in SETTING_KEYS}


def errors(at: AppTest) -> str:
    return "\n".join(seen(e.value) for e in at.error)


def page_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + page_html(at)
    parts += [e.body for e in (*at.info, *at.success, *at.warning)] + [e.value for e in at.error]
    parts += [json.loads(e.proto.json)["text"]["tail"] for e in at.get("bidi_component")]  # the threshold caption
    return "\n".join(parts)


def validation_sweep(run) -> Sweep:
    return Sweep.from_scores(run.dataset.y_val, run.score_history[max(run.score_history)][0])


def assert_work_kept(at: AppTest, trained: Trained) -> None:
    """No exception; the trained run, its weights and the settings as they were; Threshold still works."""
    assert not at.exception, at.exception
    assert at.session_state["trained"] is trained.run
    assert trained.run in at.session_state["runs"]
    np.testing.assert_array_equal(trained.run.result.model.weights, trained.weights)
    np.testing.assert_array_equal(trained.run.result.model.bias, trained.bias)
    assert settings(at) == SETTINGS
    at.switch_page("app_pages/threshold.py").run()
    assert not at.exception, at.exception
    assert f"run {trained.run.run_id} on Breast cancer (Wisconsin)" in page_text(at)
    counts = confusion_counts(at)
    assert sum(counts.values()) == len(trained.run.dataset.y_val)
    assert at.session_state["threshold_exact"] == pytest.approx(SETTINGS["threshold"])
    assert counts == asdict(validation_sweep(trained.run).counts_at(SETTINGS["threshold"]))


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.switch_page("app_pages/data.py").run()
    at.radio(key="source_label").set_value("Upload CSV").run()
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    return at


# --------------------------------------------------------------------------- files


def csv_bytes(rows, sep=",", encoding="utf-8") -> bytes:
    return ("\n".join(sep.join(str(c) for c in row) for row in rows) + "\n").encode(encoding)


def rows_with(n=40, extra=None, label=("no", "yes"), seed=0):
    """Header + ``n`` rows of two numeric features, optional extra columns (name -> f(i)), a label."""
    rng = np.random.default_rng(seed)
    extra = extra or {}
    rows = [["x1", "x2", *extra, "label"]]
    for i in range(n):
        rows.append([f"{rng.normal() + i % 2:.4f}", f"{rng.normal():.4f}", *(f(i) for f in extra.values()),
                     label[i % 2]])
    return rows


def wide(n_columns: int, n_rows=12) -> bytes:
    rng = np.random.default_rng(1)
    header = ",".join(f"c{j}" for j in range(n_columns - 1)) + ",label"
    body = "\n".join(",".join(f"{v:.1f}" for v in rng.integers(0, 9, n_columns - 1)) + f",{i % 2}"
                     for i in range(n_rows))
    return (header + "\n" + body + "\n").encode()


def many_levels(n=240, levels=60) -> bytes:
    """60 text labels, 4 rows each: too many classes, but any one of them has enough rows to be positive."""
    return csv_bytes([["x1", "x2", "label"]] + [[i % 7, (i * 3) % 11, f"kind{i % levels}"] for i in range(n)])


RNG = np.random.default_rng(5)
BAD_FILES = {
    # id: (file bytes, what the message must say is wrong, what it must say to do[, target to pick])
    "empty": (b"", "the file is empty", "use a csv with data"),
    "header only": (b"x1,x2,label\n", "no data rows", "add at least 10 rows"),
    "one row": (b"x1,x2,label\n1.5,2,yes\n", "only one data row", "at least 10 rows"),
    "a single class": (csv_bytes(rows_with(label=("yes", "yes"))), "single class", "choose a column"),
    "target all empty": (csv_bytes([["x1", "x2", "label"]] + [[i, i % 3, ""] for i in range(30)]),
                         "is empty: every row lacks a label", "choose a column"),
    "binary file": (bytes(RNG.integers(1, 32, 4000, dtype=np.uint8)), "binary file", "save the table as csv"),
    "binary file with NUL bytes": (bytes(range(256)) * 8, "binary file", "save it as csv"),
    "xlsx renamed .csv": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "excel", "save it as csv"),
    "xls renamed .csv": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "excel", "save it as csv"),
    "20,001 columns": (wide(20_001, n_rows=3), "20,001 columns", "remove columns"),
    "many text levels, all classes": (many_levels(), "60 different labels", "choose one of its labels"),
    "continuous target": (csv_bytes([["x1", "price"]] + [[i % 2, i * 1.37] for i in range(80)]),
                          "looks like a continuous measurement", "choose a column", "price"),
    "no usable features": (csv_bytes([["name", "label"]] + [[f"person {i}", i % 2] for i in range(30)]),
                           "no usable feature columns", "add numeric columns"),
    "too few of a class": (csv_bytes([["x1", "label"]] + [[i * 0.5, "yes" if i < 2 else "no"] for i in range(20)]),
                           "smallest class 2", "use at least 10 rows and 3 of each class"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_upload_is_an_error_that_says_what_to_do_and_keeps_the_model(app, trained, case):
    data, problem, remedy, *target = BAD_FILES[case]
    upload(app, f"{case}.csv", data)
    # with a target to pick, the file first loads with the guessed target; otherwise nothing may replace the data
    before = app.session_state["dataset"] if target else trained.session["dataset"]
    if target:  # the loader guessed a usable target: the user picks the bad one
        app.selectbox[0].set_value(target[0]).run()
    assert not app.exception, app.exception
    message = errors(app)
    assert message.startswith(f"Could not use {case}.csv:"), message
    assert problem.lower() in message.lower() and remedy.lower() in message.lower(), message
    assert "Your trained model and settings are kept." in page_text(app)
    assert not app.success  # nothing was loaded
    assert app.session_state["dataset"] is before
    still = app.session_state["base_dataset"].title  # shown below the error: said to be the one in use
    in_use = app.session_state.get("csv_key")  # a file that loaded before this one failed: its target is named
    target = f" with the target column {in_use[2]!r}" if in_use else ""
    assert f"Still using **{still}**{target}, as loaded before" in seen(page_text(app))
    assert_work_kept(app, trained)


def test_a_file_over_the_upload_limit(app, trained, monkeypatch):
    """The browser refuses files over server.maxUploadSize (= MAX_UPLOAD_MB, 200 MB) before any script
    runs; the loader checks the size again for files that get past it. AppTest has no browser, so this
    shrinks the loader's limit to 1 KB (its MAX_BYTES and the MAX_UPLOAD_MB its message names) and
    uploads 1.6 KB."""
    from logreg_core import csv_reader

    monkeypatch.setattr(csv_reader, "MAX_UPLOAD_MB", 0.001)
    monkeypatch.setattr(csv_reader, "MAX_BYTES", 1024)
    data = csv_bytes(rows_with(60))
    assert len(data) > 1024
    upload(app, "big.csv", data)
    message = errors(app)
    assert "more than the 0.001 MB limit" in message and "use a smaller file" in message, message
    assert_work_kept(app, trained)


def test_a_positive_label_is_picked_from_the_labels_in_the_file(app, trained):
    """A positive label that does not occur cannot be chosen in the app: the Positive class box offers
    exactly the file's labels (the loader's error for one that does not occur is tested through the
    CLI). Choosing one of many text labels is the 'binary' route for a target with many levels."""
    upload(app, "kinds.csv", many_levels())
    assert "60 different labels" in errors(app)
    box = app.selectbox[1]
    assert box.label == "Positive class"
    assert box.options == ["(multiclass: all classes)"] + sorted(f"kind{i}" for i in range(60))
    box.set_value("kind7").run()
    assert not app.exception and not app.error, errors(app)
    dataset = app.session_state["dataset"]
    assert dataset.is_binary and dataset.class_names == ["not kind7", "kind7"]
    assert "One-vs-rest: the target 'label' has 60 labels; 'kind7' is the positive class" in page_text(app)
    # A new dataset does not throw the trained model away: it stays until the next training.
    assert_work_kept(app, trained)


# Files that are not errors: they load, and the page shows the loader's note about what it did.
ODD_FILES = {
    "all-NaN column": (csv_bytes(rows_with(extra={"blank": lambda i: "NaN"})), "Dropped column(s) with no values: 'blank'"),
    "constant columns": (csv_bytes(rows_with(extra={"k": lambda i: 7, "s": lambda i: "same"})),
                         "Column(s) with a single value carry no information (kept, but they cannot help): 'k', 's'"),
    "duplicate column names": (csv_bytes([["x", "x", "label"]] + [[i % 5, i % 3, i % 2] for i in range(40)]),
                               "Duplicate column names were made unique: 'x' → 'x_2'"),
    "inf, -inf and 1e308": (csv_bytes(rows_with(extra={"big": lambda i: ("inf", "-inf", "1e308", i)[i % 4]})),
                            "Column 'big': 30 infinite or extremely large value(s)"),
    "mixed types": (csv_bytes(rows_with(extra={"m": lambda i: "oops" if i == 5 else i * 0.5})),
                    "Mostly numeric column(s) with some text: the non-numbers were treated as missing: 'm'"),
    "quoted fields with commas and newlines": (
        csv_bytes(rows_with(extra={"note": lambda i: f'"line one, {i % 3}\nline two"'})),
        "Read 40 row(s) × 4 column(s) (UTF-8, comma-separated)"),
    "semicolon-separated": (csv_bytes(rows_with(), sep=";"), "Fields are separated by semicolons, not commas."),
    "tab-separated": (csv_bytes(rows_with(), sep="\t"), "Fields are separated by tabs, not commas."),
    "UTF-8 byte-order mark": (b"\xef\xbb\xbf" + csv_bytes(rows_with()), "(UTF-8 with byte-order mark, comma-separated)"),
    "latin-1": (csv_bytes(rows_with(label=("négatif", "positif")), encoding="latin-1"), "so it was read as latin-1"),
}


@pytest.mark.parametrize("case", list(ODD_FILES))
def test_odd_but_valid_files_load_with_a_note(app, trained, case):
    data, note = ODD_FILES[case]
    upload(app, "odd.csv", data)
    assert not app.exception and not app.error, errors(app)
    assert [s.body for s in app.success] == ["Loaded odd.csv."]
    notes = [seen(m.value) for m in app.markdown if m.value.startswith("- ")]
    assert any(note in n for n in notes), notes
    dataset = app.session_state["dataset"]
    assert dataset.name == "odd.csv" and sum(dataset.sizes().values()) == 40 and dataset.n_classes == 2
    assert_work_kept(app, trained)


@pytest.mark.slow  # the loader and the page take 10–45 s on 20,000 columns (two shared cores)
def test_twenty_thousand_columns_is_within_the_limit_and_loads(app, trained):
    from logreg_core.csv_reader import MAX_COLUMNS

    assert MAX_COLUMNS == 20_000  # 20,000 columns is allowed; 20,001 is refused (BAD_FILES)
    upload(app, "wide.csv", wide(20_000))
    assert not app.exception and not app.error, errors(app)
    assert app.session_state["dataset"].n_features == 19_999
    assert_work_kept(app, trained)


# --------------------------------------------------------------------------- Train page settings


@pytest.mark.parametrize("key,value", [("epochs", 0), ("epochs", -3), ("epochs", 10**6), ("batch_size", 0)])
def test_out_of_range_numbers_become_the_nearest_allowed_and_the_model_is_kept(app, trained, key, value):
    """The number boxes have no bounds in the browser (which refused a number silently): the page makes an
    out-of-range number the nearest allowed one (and says so, tests/test_app.py), so training never sees
    it, nothing crashes, and the trained model stays."""
    from ui.state import BOUNDS

    app.switch_page("app_pages/train.py").run()
    app.number_input(key=key).set_value(value).run()
    assert not app.exception
    low, high = BOUNDS[key]
    assert app.number_input(key=key).value == app.session_state["setup"][key] == min(max(value, low), high)
    assert app.session_state["trained"] is trained.run
    np.testing.assert_array_equal(trained.run.result.model.weights, trained.weights)


@pytest.mark.parametrize("param,value,widget", [
    ("n_samples", 300_000, "number_input"), ("n_samples", 29, "number_input"), ("n_features", 2_001, "number_input"),
    ("n_classes", 11, "slider"), ("class_sep", 5.5, "slider"), ("class_sep", 0.0, "slider"),
    ("imbalance", 0.99, "slider")])
def test_synthetic_link_values_beyond_the_widgets_are_ignored_with_a_warning(param, value, widget):
    """A link may only hold what the Data page's widgets can show (a value beyond a slider crashed the page)."""
    at = new_app(dataset="synthetic", **{param: value}).switch_page("app_pages/data.py").run()
    assert not at.exception
    from ui.state import BOUNDS, DEFAULTS

    low, high = BOUNDS[param]
    assert [w.body for w in at.sidebar.warning] == [
        f"Ignored invalid link settings: {param}={value} (use {low:g} to {high:,g}; {DEFAULTS[param]:g} used)"]
    assert getattr(at, widget)(key=param).value == DEFAULTS[param]


def test_an_mnist_sized_synthetic_link_opens_the_data_page():
    """60,000 × 784, 10 classes: the speed benchmark's link, within the engine's ranges, shows as typed."""
    at = new_app(dataset="synthetic", n_samples=60_000, n_features=784, n_classes=10).switch_page(
        "app_pages/data.py").run()
    assert not at.exception and not at.sidebar.warning
    assert (at.number_input(key="n_samples").value, at.number_input(key="n_features").value) == (60_000, 784)
    assert at.slider(key="n_classes").value == 10 and at.session_state["dataset"].X_train.shape[1] == 784


@pytest.mark.parametrize("param,value", [("epochs", 0), ("epochs", -3), ("epochs", 10**6), ("batch_size", 0),
                                         ("lr", 0), ("lr", -1), ("lr", "nan"), ("lr", 10**6),
                                         ("threshold", "abc"), ("threshold", "nan")])
def test_invalid_link_settings_are_ignored_with_a_warning(param, value):
    """A shared link is the one way to hand the app any number: invalid ones are reported and the
    default is used instead (learning rates outside the slider's 1e-5–10 included)."""
    at = new_app(**{param: value}).run()
    assert not at.exception
    from ui.state import DEFAULTS

    (warning,) = [w.body for w in at.sidebar.warning]
    # what it should be and what is used instead: "lr=0 (use 1e-05 to 10; 0.01 used)"
    assert warning.startswith(f"Ignored invalid link settings: {param}={value} (use ")
    assert warning.endswith(f"; {DEFAULTS[param]:g} used)")
    assert at.session_state["setup"][param] == DEFAULTS[param]
    if param == "epochs":  # once the user sets things up themselves, the link's mistakes are moot
        at.switch_page("app_pages/train.py").run()
        at.number_input(key="epochs").set_value(30).run()
        assert not at.sidebar.warning


def test_in_presentation_mode_a_links_ignored_settings_are_said_over_the_page():
    """Presentation mode folds the sidebar away, where the warning was: it is said over the page instead."""
    at = new_app(lr=50, present=1).run()
    text = "Ignored invalid link settings: lr=50 (use 1e-05 to 10; 0.01 used)"
    def said(where):
        return [w.body for w in where.warning if w.body.startswith("Ignored")]

    assert not at.exception and said(at.main) == [text] and not said(at.sidebar)
    at.toggle(key="presentation").set_value(False).run()
    assert said(at.sidebar) == [text] and not said(at.main)


@pytest.mark.parametrize("key,value,fragment", [
    ("epochs", 0, "epochs=0 is outside 1–10,000: choose a number in that range"),
    ("epochs", -3, "epochs=-3 is outside 1–10,000"),
    ("epochs", 10**6, "epochs=1000000 is outside 1–10,000"),
    ("batch_size", 0, "batch_size=0: a batch needs at least 1 example"),
    ("lr", 0.0, "learning_rate=0.0: it must be a positive, finite number (try 0.01)"),
    ("lr", -1.0, "learning_rate=-1.0: it must be a positive, finite number"),
    ("lr", math.nan, "learning_rate=nan: it must be a positive, finite number"),
])
def test_invalid_settings_reaching_train_are_refused_and_nothing_is_lost(app, trained, key, value, fragment):
    """Defence in depth behind the widgets and the link parser: a bad value in the set-up when Train is
    pressed is refused by TrainConfig, shown as an error, and no job starts."""
    with pytest.raises(LogRegError, match=re.escape(fragment.split(":")[0])):
        TrainConfig(**{{"lr": "learning_rate"}.get(key, key): value}).validated()
    app.switch_page("app_pages/train.py").run()
    job = app.session_state["job"]
    app.session_state["setup"][key] = value  # what the Train button's callback reads
    next(b for b in app.button if b.label == "Train").click().run()
    assert not app.exception
    assert f"Cannot train with these settings: {fragment}" in errors(app)
    assert app.session_state["job"] is job  # no new training started
    assert_work_kept(app, trained)  # the page put the widget's value back into the set-up


def test_batch_larger_than_the_data_is_clamped_with_a_note(app, trained):
    app.switch_page("app_pages/train.py").run()
    app.number_input(key="batch_size").set_value(100_000).run()
    next(b for b in app.button if b.label == "Train").click().run()
    wait_for_training(app)
    assert not app.exception
    run = app.session_state["trained"]
    n_train = len(run.dataset.y_train)
    assert run is not trained.run and run.result.stopped_reason == "completed"
    assert run.config.batch_size == 100_000 and app.session_state["setup"]["batch_size"] == 100_000
    note = f"Batch size 100000 is larger than the {n_train} training rows: using {n_train} (full batch)."
    assert note in run.result.notes and note in page_text(app)
    assert trained.run in app.session_state["runs"]  # the earlier run stays in the history


@pytest.mark.parametrize("epochs", [3, 10])
def test_a_diverging_learning_rate_is_reported_and_keeps_finite_weights(app, trained, epochs):
    """The slider's largest rate (10) does not diverge on this data; 10^6 (not offered, and links are
    bounded to 10, so only reachable in the set-up itself) does. Ten epochs: the run stops as diverged
    with a warning and keeps the last finite weights. Three epochs end before the divergence check
    (5 epochs above 10× the starting loss) can stop it: the run completes, and still says why its
    loss is so high."""
    app.switch_page("app_pages/train.py").run()
    assert max(app.select_slider(key="lr").options, key=float) == "10"
    app.number_input(key="epochs").set_value(epochs).run()
    app.session_state["setup"]["lr"] = 1e6
    next(b for b in app.button if b.label == "Train").click().run()
    wait_for_training(app)
    assert not app.exception
    run = app.session_state["trained"]
    assert run is not trained.run and run.config.learning_rate == 1e6
    model = run.result.model
    assert np.isfinite(model.weights).all() and np.isfinite(model.bias).all()
    assert max(run.score_history) == model.epochs_trained  # the Threshold page shows the kept weights
    if epochs == 10:
        assert run.result.stopped_reason == "diverged" and model.epochs_trained < len(run.result.history) <= 10
        shown = " ".join(w.body for w in app.warning)
        assert "Training diverged" in shown and "Lower the learning rate (now 1e+06)" in shown, shown
    else:
        assert run.result.stopped_reason == "completed" and model.epochs_trained == 3
        shown = " ".join(i.body for i in app.info)
        assert "the learning rate (now 1e+06) is probably too large. Lower it" in shown, shown
    assert trained.run in app.session_state["runs"]  # the earlier run stays in the history
    app.switch_page("app_pages/threshold.py").run()
    assert not app.exception and f"run {run.run_id} on Breast cancer (Wisconsin)" in page_text(app)
    assert sum(confusion_counts(app).values()) == len(run.dataset.y_val)


# --------------------------------------------------------------------------- Threshold page


def test_a_threshold_beyond_the_scores_puts_everyone_in_one_class(app, trained):
    """For probabilities the slider spans 0–1: below the lowest score everyone is flagged positive. At
    the top, 1.0 flags exactly the scores that reached 1.0 (in float32 a confident model's scores do),
    per the convention 'positive when score ≥ threshold'."""
    app.switch_page("app_pages/threshold.py").run()
    sweep = validation_sweep(trained.run)
    scores = trained.run.score_history[max(trained.run.score_history)][0]
    assert sweep.min_score > 0  # so the slider's lower end lies beyond the scores
    move_threshold(app, 0.0)
    assert not app.exception
    assert confusion_counts(app) == {"tp": sweep.n_pos, "fp": sweep.n_neg, "tn": 0, "fn": 0}
    move_threshold(app, 1.0)
    assert not app.exception
    counts = confusion_counts(app)
    assert counts["tp"] + counts["fp"] == int((scores >= 1.0).sum())
    assert counts["tn"] + counts["fn"] == int((scores < 1.0).sum())


def test_a_link_threshold_outside_the_scores_range_is_reported(trained):
    at = new_app(**{**SETTINGS, "threshold": 5})
    for key, value in trained.session.items():
        at.session_state[key] = value
    at.run().switch_page("app_pages/threshold.py").run()
    assert not at.exception
    sweep = validation_sweep(trained.run)
    # 5 is a valid number (a link may carry a threshold for scores that are not probabilities), but
    # outside these probabilities: the slider starts mid-range and the page says so.
    assert [i.body for i in at.info if "outside these scores" in i.body] == [
        "The threshold 5 is outside these scores' range (0 to 1), so it starts at 0.5: move the slider to change it."]
    assert at.session_state["threshold_exact"] == 0.5 and at.session_state["threshold_how"] == "default"
    assert confusion_counts(at) == asdict(sweep.counts_at(0.5))


@pytest.mark.parametrize("key,value", [("prevalence", 0.0), ("prevalence", 1.0), ("cost_ratio", 0.0),
                                       ("cost_ratio", -1.0)])
def test_prevalence_and_cost_ratio_outside_their_range_cannot_be_entered(app, trained, key, value):
    """Prevalence is bounded to 0.0001–0.9999 (a number from 1 to 100 is read as a percentage) and the cost
    ratio to 0.001–1e6 by the page (the boxes have no bounds of their own), so the core (which refuses prevalence 0 or 1 and a cost ratio ≤ 0,
    see below) never sees those values."""
    from logreg_core.threshold import validate_cost_ratio, validate_prevalence
    from ui.state import POPULATION

    with pytest.raises(LogRegError, match="strictly between 0 and 1" if key == "prevalence" else "positive"):
        (validate_prevalence if key == "prevalence" else validate_cost_ratio)(value)
    app.session_state["chart_tab"] = "Per 1,000 people"
    app.switch_page("app_pages/threshold.py").run()
    widget = app.number_input(key=key)
    widget.set_value(value).run()
    assert not app.exception
    kept = app.number_input(key=key).value
    low, high = POPULATION[key][2]  # prevalence: no limits in the box, the page applies them
    assert kept is None or low <= kept <= high
    if (key, value) == ("prevalence", 1.0):
        assert kept == 0.01 and any(i.value.endswith("1 is read as 1% = 0.01.") for i in app.info)
        app.number_input(key=key).set_value(None).run()
    elif key == "prevalence":
        assert kept is None and not any(m.label.startswith("PPV at") for m in app.metric)
        assert any(c.key == "per1000" for c in app.get("plotly_chart"))  # at the data's own prevalence
    assert_work_kept(app, trained)


def test_a_scores_file_with_a_non_numeric_score(app, trained):
    app.switch_page("app_pages/threshold.py").run()
    app.radio(key="score_source").set_value("Uploaded scores").run()
    data = b"y_true,score\n1,0.9\n0,0.2\n1,high\n0,0.1\n"
    app.file_uploader[0].set_value(("mine.csv", data, "text/csv")).run()
    assert not app.exception
    message = errors(app)
    assert message.startswith("Could not use mine.csv:") and "'high'" in message and "number" in message, message
    columns = next(e for e in app.expander if "Columns" in e.label)  # the rows to fix, not the columns to choose
    assert (columns.label, columns.proto.expanded) == ("Columns of mine.csv", False)
    app.file_uploader[0].set_value(("mine.csv", b"y_true,score\n1,a\n0,b\n1,a\n0,c\n", "text/csv")).run()
    assert "choose the score column" in errors(app)  # a column of text: perhaps another column is the score
    columns = next(e for e in app.expander if "Columns" in e.label)
    assert (columns.label, columns.proto.expanded) == ("Columns of mine.csv: choose the true class and the score", True)
    app.radio(key="score_source").set_value("Trained model").run()
    assert_work_kept(app, trained)


@pytest.mark.parametrize("data,fragment", [(b"", "is empty"), (b"   \r\n", "is empty"),
                                           (b"a|b\n1|2\n", "needs a column of true classes")])
def test_an_empty_or_unparsable_scores_file_after_a_good_one(app, trained, data, fragment):
    """A bad file after a good one: the error names the file, and the good file's analysis stays, said so."""
    app.switch_page("app_pages/threshold.py").run()
    app.radio(key="score_source").set_value("Uploaded scores").run()
    app.file_uploader[0].set_value(("good.csv", b"y_true,score\n1,0.9\n0,0.2\n1,0.7\n0,0.1\n", "text/csv")).run()
    app.file_uploader[0].set_value(("bad.csv", data, "text/csv")).run()
    assert not app.exception
    message = errors(app)
    assert message.startswith("Could not use bad.csv:") and fragment in message, message
    assert any("Still showing the scores from good.csv" in i.value for i in app.info)
    assert app.session_state["uploaded_scores"][0] == "good.csv"
    app.radio(key="score_source").set_value("Trained model").run()
    assert_work_kept(app, trained)


def test_a_scores_file_replaced_by_a_bad_one_keeps_its_scores_and_threshold(app, trained):
    """The browser replaces a file in two messages, as Chromium sends them: no file (the old one removed,
    as by its ✕, which fires the uploader's on_change), then the new file. A new file that cannot be used
    leaves the old file's scores and threshold, said so; a ✕ a while before it stays a removal."""
    app.switch_page("app_pages/threshold.py").run()
    app.radio(key="score_source").set_value("Uploaded scores").run()
    uploader = lambda: app.file_uploader(key="scores_upload")  # noqa: E731
    good = "y_true,score,split\n" + "\n".join(
        f"{i % 2},{(i % 2) * 0.3 + (i % 7) / 10:.2f},{'val' if i < 100 else 'test'}" for i in range(200))
    uploader().set_value(("scores.csv", good.encode(), "text/csv")).run()
    move_threshold(app, 0.45).run()
    counts = confusion_counts(app)
    assert sum(counts.values()) == 100
    assert app.session_state["upload_threshold_how"] == "set by hand on the validation split"
    for name, data, fragment in (("garbage.csv", BAD_FILES["binary file"][0], "binary file"),
                                 ("header.csv", b"y_true,score\n", "has no rows")):
        uploader().set_value(None).run()  # the browser's first message: the file shown is removed
        uploader().set_value((name, data, "text/csv")).run()  # its second: the new file
        assert not app.exception
        message = errors(app)
        assert message.startswith(f"Could not use {name}:") and fragment in message and "codec" not in message, message
        still = [i.value for i in app.info if "Still showing" in i.value]
        assert still == ["Still showing the scores from scores.csv."], still
        assert app.session_state["uploaded_scores"][0] == "scores.csv"
        assert (app.session_state["upload_threshold_exact"], app.session_state["upload_threshold_how"]) == (
            0.45, "set by hand on the validation split")
        assert confusion_counts(app) == counts
    uploader().set_value(None).run()  # the user's ✕: the scores go
    assert "uploaded_scores" not in app.session_state and not page_html(app)
    when, removed = app.session_state["scores_put_aside"]
    app.session_state["scores_put_aside"] = (when - 60, removed)  # a minute later, a file that cannot be used
    uploader().set_value(("late.csv", b"y_true,score\n", "text/csv")).run()
    assert errors(app).startswith("Could not use late.csv:") and not any("Still showing" in i.value for i in app.info)
    assert "uploaded_scores" not in app.session_state and not page_html(app)
    app.radio(key="score_source").set_value("Trained model").run()
    assert_work_kept(app, trained)


def test_a_scores_file_of_one_class_is_refused_and_the_earlier_scores_stay(app, trained):
    """As the command line refuses it: sensitivity or specificity, ROC AUC and the finders need both classes."""
    app.switch_page("app_pages/threshold.py").run()
    app.radio(key="score_source").set_value("Uploaded scores").run()
    good = "y_true,score\n" + "\n".join(f"{i % 2},{(i % 2) * 0.5 + i / 100}" for i in range(40))
    app.file_uploader[0].set_value(("good.csv", good.encode(), "text/csv")).run()
    move_threshold(app, 0.3).run()
    rows = ["val,0,0.2", "val,0,0.4", "val,0,0.3", "test,1,0.9", "test,0,0.1", "test,1,0.6"]
    app.file_uploader[0].set_value(("oneclass.csv", ("split,y_true,score\n" + "\n".join(rows)).encode(),
                                    "text/csv")).run()
    assert not app.exception
    assert errors(app) == ("Could not use oneclass.csv: the scores file's validation rows have no positive cases "
                           "(y_true 1): threshold analysis needs both classes")
    assert any(i.value == "Still showing the scores from good.csv." for i in app.info)
    assert app.session_state["uploaded_scores"][0] == "good.csv" and app.session_state["upload_threshold_exact"] == 0.3
    app.radio(key="score_source").set_value("Trained model").run()
    assert_work_kept(app, trained)


def test_a_finder_on_a_validation_split_of_one_class_says_so_and_keeps_the_threshold(app, trained):
    """Scores whose validation rows are of one class (as a multiclass model's rare class can give, viewed
    one-vs-rest; put in place here as an upload's, which the reader refuses)."""
    from logreg_core.scores import ScoreParts

    app.switch_page("app_pages/threshold.py").run()
    app.radio(key="score_source").set_value("Uploaded scores").run()
    app.session_state["uploaded_scores"] = ("oneclass.csv", ScoreParts({
        "val": (np.array([0, 0, 0]), np.array([0.2, 0.4, 0.3])),
        "test": (np.array([1, 0, 1]), np.array([0.9, 0.1, 0.6]))}))
    app.run()
    move_threshold(app, 0.35).run()  # (the move reran the slider's panel only: the page, for its buttons)
    next(b for b in app.button if b.label == "Max Youden").click().run()
    assert not app.exception
    assert errors(app) == ("max Youden's J is undefined on validation: it has 0 positive and 3 negative cases, "
                           "and this needs both (the threshold is unchanged)")
    assert any(w.value.startswith("The validation split has 0 positive and 3 negative cases: with one class only, "
                                  "sensitivity is undefined, and a threshold that flags no one makes no error here")
               for w in app.warning)
    assert app.session_state["upload_threshold_exact"] == 0.35
    # the one finder that answers on negatives only flags no one, as the warning says
    next(b for b in app.button if b.label == "Min cost").click().run()
    assert not app.exception and app.session_state["upload_threshold_exact"] > 0.4
    app.radio(key="score_source").set_value("Trained model").run()
    assert_work_kept(app, trained)


def test_scores_all_equal_are_said_to_tell_no_case_apart_and_a_finder_says_it_does_no_better(app, trained):
    """A score column of one value (a constant placeholder, say): the page names it as such, not as "predicted
    classes", and Max Youden's answer, which flags everyone, comes with the news that its J is 0."""
    app.switch_page("app_pages/threshold.py").run()
    app.radio(key="score_source").set_value("Uploaded scores").run()
    rows = "".join(f"{i % 3 == 0:d},42,{'val' if i % 2 else 'test'}\n" for i in range(120))
    app.file_uploader(key="scores_upload").set_value(("same.csv", ("y_true,score,split\n" + rows).encode(),
                                                      "text/csv")).run()
    assert not app.exception
    assert any(w.value.startswith("Every score in column 'score' is 42: they do not tell any case from another")
               for w in app.warning)
    next(b for b in app.button if b.label == "Max Youden").click().run()
    assert not app.exception
    y_val = np.array([i % 3 == 0 for i in range(120) if i % 2], int)
    j = Sweep.from_scores(y_val, np.full(len(y_val), 42.0)).report(app.session_state["upload_threshold_exact"])
    assert j.metrics["youden_j"].value == 0  # the core's answer, which flags everyone or no one
    assert ("Youden's J is at most 0 on validation: with higher scores as positive, no threshold there tells the "
            "classes apart better than chance, so this one is no better than flagging everyone or no one.") in [
        i.value for i in app.info]
    app.radio(key="score_source").set_value("Trained model").run()
    assert_work_kept(app, trained)


def test_a_new_scores_file_starts_from_the_default_threshold(app, trained):
    """A threshold found on one file's scores says nothing about another file's."""
    app.switch_page("app_pages/threshold.py").run()
    app.radio(key="score_source").set_value("Uploaded scores").run()
    first = "y_true,score\n" + "\n".join(f"{i % 2},{(i % 2) * 0.5 + i / 100}" for i in range(40))
    app.file_uploader[0].set_value(("first.csv", first.encode(), "text/csv")).run()
    next(b for b in app.button if b.label == "Max F1").click().run()
    assert app.session_state["upload_threshold_how"].startswith("max F1")
    app.run()  # the same file again: its threshold stays
    assert app.session_state["upload_threshold_how"].startswith("max F1")
    app.file_uploader[0].set_value(("second.csv", b"y_true,score\n1,0.9\n0,0.2\n1,0.7\n0,0.1\n", "text/csv")).run()
    assert not app.exception
    assert (app.session_state["upload_threshold_exact"], app.session_state["upload_threshold_how"]) == (0.5, "default")
    app.radio(key="score_source").set_value("Trained model").run()
    assert_work_kept(app, trained)


@pytest.mark.parametrize("case", ["xlsx renamed .csv", "empty"])
def test_rows_to_predict_that_are_not_a_csv_get_the_loaders_message(app, trained, case):
    """The rows to predict are read by the training CSV's own reader, so a spreadsheet or an empty file
    gets the same plain message as on the Data page, not a codec error."""
    app.switch_page("app_pages/model.py").run()
    app.file_uploader(key="predict_upload").set_value(("rows.csv", BAD_FILES[case][0], "text/csv")).run()
    assert not app.exception
    message = errors(app)
    assert message.startswith("Could not predict rows.csv:") and BAD_FILES[case][1].lower() in message.lower(), message
    assert "codec" not in message
    assert_work_kept(app, trained)


# --------------------------------------------------------------------------- one session, many mistakes


def test_one_session_survives_a_run_of_mistakes(trained):
    """The same user, in one session, tries bad file after bad file and bad setting after bad setting."""
    at = new_app(**SETTINGS)
    for key, value in trained.session.items():
        at.session_state[key] = value
    at.run()
    for case in ("empty", "xlsx renamed .csv", "a single class", "20,001 columns"):
        upload(at, f"{case}.csv", BAD_FILES[case][0])
        assert BAD_FILES[case][1].lower() in errors(at).lower()
    at.switch_page("app_pages/train.py").run()
    at.session_state["setup"]["epochs"] = 0
    next(b for b in at.button if b.label == "Train").click().run()
    assert "epochs=0" in errors(at)
    assert_work_kept(at, trained)


def test_an_upload_is_parsed_once_however_often_the_data_page_reruns(app, monkeypatch):
    """A wide file takes seconds to parse: reruns (any widget change) reuse the parsed table."""
    from logreg_core import csv_reader

    parses = []
    real = csv_reader.read_table
    monkeypatch.setattr(csv_reader, "read_table", lambda *a, **k: parses.append(a[0]) or real(*a, **k))
    upload(app, "mine.csv", csv_bytes(rows_with()))
    assert not app.exception and not app.error
    loaded = len(parses)
    app.run()
    app.run()
    assert len(parses) == loaded
    next(r for r in app.radio if r.label == "Header row").set_value("Yes").run()
    assert len(parses) > loaded and not app.exception  # a new header choice is a new parse
