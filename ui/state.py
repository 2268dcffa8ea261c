"""Session state for the dashboard: the shareable set-up, the dataset, the trained run.

The *set-up* (dataset, its options, hyperparameters, threshold) is one plain
dict in ``st.session_state["setup"]``. It is read from the URL once per
session, written back to the URL after every run (page switches clear query
parameters), and is what widgets are initialised from, so a link reproduces
the same set-up and no page loses it.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

import numpy as np
import streamlit as st

from logreg_core import OPTIMIZERS, Dataset, LogRegError, RunResult, TrainConfig
from logreg_core.csv_cells import percent_fraction
from logreg_core.operating import describe_choice, find_threshold
from logreg_core.threshold import Sweep, one_vs_rest_scores, threshold_texts

DEFAULTS = {
    "dataset": "breast_cancer", "epochs": 200, "batch_size": 64, "lr": 0.01, "optimizer": "sgd",
    "seed": 0, "threshold": 0.5, "l2": 0.0, "early_stopping": 0,
    "n_samples": 1000, "n_features": 2, "n_classes": 2, "imbalance": 0.5, "class_sep": 1.0,
}
SYNTHETIC_KEYS = ("n_samples", "n_features", "n_classes", "imbalance", "class_sep")
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "SGD with momentum (0.9)", "adam": "Adam"}  # as the page names them
CHOICES = {"dataset": ("breast_cancer", "digits", "mnist", "synthetic", "csv"), "optimizer": OPTIMIZERS}
BOUNDS = {"epochs": (1, 10_000), "batch_size": (1, 100_000), "lr": (1e-5, 10.0), "seed": (0, 2**32 - 1),
          "threshold": (-1e9, 1e9), "l2": (0.0, 100.0), "early_stopping": (0, 1000),
          # the engine's own ranges; the Data page's widgets take them too, so that they can show any link
          "n_samples": (30, 200_000), "n_features": (1, 2_000), "n_classes": (2, 10),
          "imbalance": (0.05, 0.95), "class_sep": (0.1, 5.0)}


def limits(key: str) -> dict:
    """A slider's ``min_value`` and ``max_value`` for the set-up's ``key`` (those a link is checked against),
    and its ``value``, the default. Number boxes take no bounds of their own (``number_box``)."""
    return dict(zip(("min_value", "max_value"), BOUNDS[key])) | {"value": DEFAULTS[key]}


def _parse(key: str, text: str):
    """A query-parameter value, or None when it is not valid (then the default stays)."""
    default = DEFAULTS[key]
    if key in CHOICES:
        return text if text in CHOICES[key] else None
    try:
        value = type(default)(float(text)) if isinstance(default, int) else float(text)
    except (TypeError, ValueError, OverflowError):
        return None
    if key == "lr" and math.isfinite(value):  # 0.010000000000000002 (a computed rate) is the slider's 0.01
        value = float(f"{value:.10g}")
    low, high = BOUNDS[key]
    return value if math.isfinite(value) and low <= value <= high else None


def _ignored(key: str, text: str) -> str:
    """A link's value that ``_parse`` refused, as the sidebar names it: what it should be, and what is used."""
    shown = text if len(text) <= 20 else f"{text[:20]}…"
    if key in CHOICES:
        return f"{key}={shown} (not one of {', '.join(CHOICES[key])}; {DEFAULTS[key]} used)"
    low, high = BOUNDS[key]
    return f"{key}={shown} (use {low:g} to {high:,g}; {DEFAULTS[key]:g} used)"


# The sidebar's Copy link box is a fragment under this key: a fragment that changes what the link carries
# (the threshold slider's) reruns it too, by ``st.rerun([its own key, LINK_FRAGMENT])`` from its callback.
LINK_FRAGMENT = "link"
ONE_VS_REST = "One class vs the rest (binary)"
TRAIN_AS = ("All classes (softmax)", ONE_VS_REST)
# Choices made on the Data, Train and Threshold pages (``kept`` widgets) that a link carries too. Class and
# feature names depend on the data: they are checked where the data is known (``data.drop_unknown_choices``).
LINK_CHOICES = ("balanced", "features", "ovr", "view_class", "header", "target", "positive", "prevalence", "cost",
                "target_sens", "split")
# The Threshold page's population numbers (kept choices the link carries): key → (link name, default, range)
POPULATION = {"prevalence": ("prevalence", None, (0.0001, 0.9999)), "cost_ratio": ("cost", 1.0, (0.001, 1e6)),
              "target_sens": ("target_sens", 0.95, (0.01, 1.0))}
POPULATION_BY_LINK = {name: key for key, (name, _, _) in POPULATION.items()}
LINKED_FROM = "from the link"
# How the threshold was found, as a link carries it ("how"): only the app's own words, which pages show as text
OWN_HOW = re.compile(r"(set by hand|typed in|max Youden's J|max F1|sensitivity ≥ [\d.]+|minimum cost at [\d.e+]+:1)"
                     r"[\w\s.,:≥']{0,100}")
HEADER_CHOICES = {"Detect": None, "Yes": True, "No": False}  # the Data page's Header row, as from_csv takes it


# In the address bar while presentation mode is on, so that a reload keeps it; not in Copy link's link, which
# is for others' screens.
PRESENT = "present"


def setup() -> dict:
    """The session's set-up, first filled from the URL's query parameters."""
    if "setup" not in st.session_state:
        values, ignored, refused = dict(DEFAULTS), [], []
        params = st.query_params.to_dict()
        for key, text in params.items():
            if key in DEFAULTS:
                parsed = _parse(key, text)
                if parsed is None:
                    refused.append(key)
                    ignored.append(_ignored(key, text))
                else:
                    values[key] = parsed
        st.session_state["setup"] = values
        if params.get(PRESENT) == "1":  # drawn before the sidebar's toggle, which takes it
            st.session_state["presentation"] = True
        choices = {key: text for key, text in params.items() if key in LINK_CHOICES}
        ignored += _restore_choices(choices)
        if "how" in params:  # kept with the link's threshold and dataset, and named only while they are the set-up's
            how = params["how"].removeprefix(f"{LINKED_FROM}: ")
            if "threshold" in params and "threshold" not in refused and OWN_HOW.fullmatch(how):
                st.session_state["link_threshold_how"] = (how, values["dataset"], values["threshold"])
            else:
                ignored.append("how")
        st.session_state["link_warnings"] = (ignored, dict(values))  # named until the set-up is changed
        st.session_state["opened_from_link"] = values != DEFAULTS or bool(choices)
    return st.session_state["setup"]


def link_warnings() -> list[str]:
    """The link's settings that were ignored, until the user changes the set-up (then they are moot)."""
    ignored, opened_with = st.session_state.get("link_warnings", ([], None))
    return ignored if setup() == opened_with else []


def _restore_choices(choices: dict[str, str]) -> list[str]:
    """Put a link's choices where their widgets will find them; returns the keys that are malformed."""
    ignored = []
    for key, text in choices.items():
        if key == "balanced" and text in ("0", "1"):
            st.session_state["balanced_kept"] = text == "1"
        elif key == "features" and len(pair := text.split("|")) == 2:
            st.session_state["feature_pair_kept"] = pair
        elif key == "ovr" and text:
            st.session_state["train_as_kept"], st.session_state["ovr_pick_kept"] = ONE_VS_REST, text
        elif key == "view_class" and text:
            st.session_state["view_class_kept"] = text
        elif key == "split" and text in ("val", "test"):  # the Threshold page's split shown
            st.session_state["split_shown_kept"] = text
        elif key in ("target", "positive") and text or key == "header" and text in HEADER_CHOICES:
            st.session_state[f"csv_{key}_kept"] = text  # an uploaded CSV's choices: used once it is uploaded
        elif key in POPULATION_BY_LINK and (value := _number_within(text, POPULATION[POPULATION_BY_LINK[key]][2])) \
                is not None:
            st.session_state[f"{POPULATION_BY_LINK[key]}_kept"] = value
        else:
            ignored.append(key)
    return ignored


def _number_within(text: str, bounds: tuple[float, float]) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if bounds[0] <= value <= bounds[1] else None


def _choice_values() -> dict[str, str]:
    """The Data, Train and Threshold pages' choices (the data, the training, the population), for the link."""
    base, ds, values = st.session_state.get("base_dataset"), current_dataset(), {}
    if kept_value("balanced"):
        values["balanced"] = "1"
    if setup()["dataset"] == "csv" and st.session_state.get("csv_key"):  # the file's choices, not the file
        values |= {key: str(kept_value(f"csv_{key}")) for key in ("header", "target", "positive")
                   if kept_value(f"csv_{key}") is not None}
    if ds is not None and base is not None:
        pair = list(kept_value("feature_pair") or [])
        if len(pair) == 2 and ds.feature_names == pair:
            values["features"] = "|".join(pair)
        if not base.is_binary:
            if ds.is_binary and kept_value("train_as") == ONE_VS_REST:
                values["ovr"] = str(kept_value("ovr_pick"))
            elif kept_value("view_class") in base.class_names:
                values["view_class"] = str(kept_value("view_class"))
    for key, (name, default, _) in POPULATION.items():
        if kept_value(key, default) != default:
            values[name] = f"{kept_value(key):.10g}"
    if kept_value("split_shown") == "test" and kept_value("score_source", "Trained model") == "Trained model":
        values["split"] = "test"
    return values


def shared_keys() -> list[str]:
    s = setup()
    keys = ["dataset", "epochs", "batch_size", "lr", "optimizer", "seed", "threshold", "l2", "early_stopping"]
    return keys + list(SYNTHETIC_KEYS) if s["dataset"] == "synthetic" else keys


def link_values() -> dict[str, str]:
    """The set-up as the link writes it, with the pages' choices (``LINK_CHOICES``).

    The trained model's threshold is written as the Threshold page labels it (``threshold_text``: a
    finder's 0.6346153846153846 reads 0.6346), the threshold its reader's Model page, predictions and
    SavedModel then use; the digits are those that flag the same validation and test cases as the page
    does (its last epoch's scores, stored as float32, where a case at the threshold can fall the other
    side of it than in full precision), for a multiclass model on the view class's. ``how`` says how
    that threshold was found (``OWN_HOW``), so that the link's reader is told that rather than "default"."""
    s = setup()
    values = {k: str(s[k]) for k in shared_keys()}
    run = trained_run()
    on_this_run = run is not None and st.session_state.get("threshold_run") == run.run_id
    if on_this_run and _kept_scores(run) is not None:
        values["threshold"] = threshold_text(run, s["threshold"])
    own = st.session_state.get("threshold_how") if on_this_run else None  # (found on another run: not this one's)
    how = (own or unset_threshold_how()).removeprefix(f"{LINKED_FROM}: ")
    if OWN_HOW.fullmatch(how):
        values["how"] = how
    return values | _choice_values()


def _kept_scores(run: "TrainedRun") -> np.ndarray | None:
    """The validation and test scores of the run's kept model, as the Threshold page has them: a
    multiclass model's for the view class (None when there is none)."""
    scores = np.concatenate(run.score_history[max(run.score_history)])
    if run.dataset.is_binary:
        return scores
    names, view = run.dataset.class_names, kept_value("view_class")
    return scores[:, names.index(view)] if view in names else None


def threshold_text(run: "TrainedRun", threshold: float) -> str:
    """The trained model's threshold as the Threshold page labels it (``threshold_texts``), on a multiclass
    model's view class's scores."""
    return threshold_texts([threshold], np.sort(_kept_scores(run)))[0]


def write_query_params(wanted: dict[str, str]) -> None:
    """Put the set-up (``link_values``) in the URL (again: switching pages clears it)."""
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def share_link(values: dict[str, str]) -> str:
    base = (st.context.url or "").split("?")[0]
    return f"{base}?{urlencode(values)}"


def _persistent(widget, label: str, key: str, stored, store, **kwargs):
    """Draw ``widget`` with the value ``stored`` and hand each value it takes to ``store``.

    Streamlit drops a widget's value once a run does not draw it, so the value lives in a store of its
    own and is put back before the widget is drawn. It is also stored when it changes (``on_change`` runs
    before the page's script), so code above the widget already sees it: the Train page loads its
    dataset before drawing Seed, and a new seed must re-split the data that same run.
    """
    st.session_state[key] = stored
    value = widget(label, key=key, on_change=lambda: store(st.session_state[key]), **kwargs)
    store(value)
    return value


def bound(widget, label: str, key: str, **kwargs):
    """Draw ``widget`` for the set-up's ``key`` (what links carry and training reads). A value the widget
    holds wins over the set-up's: a bad value put into the set-up behind the widget's back is replaced."""
    return _persistent(widget, label, key, st.session_state.get(key, setup()[key]),
                       lambda value: setup().update({key: value}), **kwargs)


CLAMPED = "clamped_settings"  # what a number box said it changed, shown once by show_clamped()


def _nearest_allowed(label: str, key: str, bounds: tuple, last, save, whole: bool = False):
    """A number box's store: an emptied box (or one given letters, which the browser empties) keeps ``last()``,
    the number it held, and says so (it took the default without a word); a number outside ``bounds`` (or, ``whole``,
    not a whole number) becomes the nearest allowed, which the box then shows and ``show_clamped`` says;
    ``save`` keeps the result. For a proportion (``bounds`` ending at 1), a number from 2 to 100 is the
    percentage it reads as ("95" is 0.95), as in the prevalence box; one between 1 and 2 is taken for a
    step past 1 (the box's + button), not for a percentage.

    The boxes have no ``min_value`` or ``max_value`` of their own: given them, the browser refuses a
    number outside with only a red border, and the page went on with the last number it took."""
    low, high = bounds

    def store(value):
        if value is None:
            value = st.session_state[key] = last()
            st.session_state.setdefault(CLAMPED, []).append(
                f"{label} was left empty, or not a number: it stays {value:,.10g}.")
        near = min(max(value, low), high)
        if whole:  # every whole-number setting is ≥ 0: half rounds up
            near = math.floor(near + 0.5)
        if high == 1 and 2 <= value <= 100:
            near = max(percent_fraction(repr(value), "."), low)  # 90.1 is 0.901, not 90.1 / 100 = 0.90099…
            said = f"{value:g} is read as {value:g}% = {near:g}."
        else:
            said = f"{value:,.10g} was entered, so it is {near:,.10g}."  # 1,000,000
        if near != value:
            st.session_state[key] = near
            st.session_state.setdefault(CLAMPED, []).append(
                f"{label} must be {'a whole number ' if whole else ''}from {low:,.10g} to {high:,.10g}: {said}")
        save(near)

    return store


def number_box(label: str, key: str, **kwargs):
    """A number box for the set-up's ``key``, within ``BOUNDS`` (``_nearest_allowed``).

    A whole-number setting is typed into a decimal box and rounded here: the browser reads a whole-number
    box with parseInt, so "1e4" became 1 without a word, and 20 digits overflowed to a number never used."""
    default = DEFAULTS[key]
    whole = isinstance(default, int)
    store = _nearest_allowed(label, key, BOUNDS[key], lambda: setup()[key], lambda value: setup().update({key: value}),
                             whole)
    if whole:
        kwargs = {"format": "%.0f", **kwargs, "step": float(kwargs.get("step", 1))}
    # value=None: an emptied box reaches ``store`` as None (with a default, Streamlit hands the default over instead)
    return _persistent(st.number_input, label, key, st.session_state.get(key, setup()[key]), store, value=None,
                       **kwargs)


def kept_number_box(label: str, key: str, **kwargs):
    """A number box for one of the population's numbers (``POPULATION``), kept as ``kept`` keeps a choice,
    within its bounds (``_nearest_allowed``)."""
    _, default, bounds = POPULATION[key]
    kept_key = f"{key}_kept"
    store = _nearest_allowed(label, key, bounds, lambda: st.session_state.get(kept_key, default),
                             lambda value: st.session_state.update({kept_key: value}))
    return _persistent(st.number_input, label, key, st.session_state.get(kept_key, default), store,
                       value=None, **kwargs)  # as number_box


def show_clamped() -> None:
    """Say which typed numbers ``number_box`` changed, once."""
    for message in st.session_state.pop(CLAMPED, []):
        st.warning(message)


def kept(widget, label: str, key: str, default, **kwargs):
    """Draw ``widget`` for a page choice outside the set-up, kept under ``<key>_kept`` (see ``kept_value``).
    The kept value wins over the widget's: a choice the data no longer has is dropped from the store."""
    store = f"{key}_kept"
    return _persistent(widget, label, key, st.session_state.get(store, default),
                       lambda value: st.session_state.update({store: value}), **kwargs)


def kept_value(key: str, default=None):
    return st.session_state.get(f"{key}_kept", default)


def kept_choice(label: str, key: str, options: list, default, announce: bool = True, **kwargs):
    """A selectbox for a kept choice (``kept``) among ``options`` that change with the data: a kept
    value that is not among them (another file's column, a link's label) gives way to ``default``,
    and the page says so when ``announce``."""
    if kept_value(key) not in options:
        gone = st.session_state.pop(f"{key}_kept", None)
        if gone is not None and announce:
            st.info(f"{label}: this data has no {literal(repr(gone))} (chosen before, or in the link), so it is "
                    f"{literal(repr(default))}.")
    return kept(st.selectbox, label, key, default, options=options, **kwargs)


def view_class_select(label: str, class_names: list[str], help: str) -> str:
    """The class a multiclass model's Threshold view scores: one choice, shared by the Data and Threshold
    pages and the link."""
    return kept_choice(label, "view_class", class_names, class_names[0], help=help)


def train_config() -> TrainConfig:
    s = setup()
    return TrainConfig(epochs=s["epochs"], batch_size=s["batch_size"], learning_rate=s["lr"],
                       optimizer=s["optimizer"], l2=s["l2"], early_stopping=s["early_stopping"],
                       class_weight="balanced" if kept_value("balanced") else None, seed=s["seed"])


def current_dataset() -> Dataset | None:
    return st.session_state.get("dataset")


ENDED = {"completed": "completed", "early_stopped": "stopped early", "diverged": "diverged",
         "stopped": "stopped by you"}  # RunResult.stopped_reason, as a sentence says it


@dataclass
class TrainedRun:
    """A finished run kept for the Threshold and Model pages.

    ``score_history`` maps epoch → (validation scores, test scores) for the
    epoch scrubber; the last entry is the kept model's. ``continues`` is the
    run whose weights this one started from (Continue), if any.
    """

    run_id: int
    dataset: Dataset
    result: RunResult
    score_history: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    continues: int | None = None

    @property
    def config(self) -> TrainConfig:
        return self.result.config

    def summary(self, show_test: bool = False) -> dict:
        """A row of the run history; test accuracy only when asked for (choose on validation). Loss and
        accuracies are the kept model's, side by side: after early stopping, an earlier epoch's. (The lowest
        loss of any epoch beside the last epoch's accuracy read as one model's: 2e-7 beside 0.94.)"""
        history, model, ds = self.result.history, self.result.model, self.dataset
        kept = model.epochs_trained
        at_kept = next(iter(self.result.kept_history[-1:]), None)
        if at_kept is None:  # the kept model is where the run started (a run that diverged at once)
            val_loss, val_accuracy = model.loss_and_accuracy(ds.X_val, ds.y_val)
            at_kept = {"val_loss": val_loss, "val_accuracy": val_accuracy,
                       "test_accuracy": model.loss_and_accuracy(ds.X_test, ds.y_test)[1]}
        c = self.config
        first, last = (history[0]["epoch"], history[-1]["epoch"]) if history else (None, None)
        epochs = "none" if not history else str(first) if first == last else f"{first}–{last}"
        if history and kept != last:
            epochs += f", kept {kept}"
        if self.continues is not None:
            epochs += f" (continues run {self.continues})"
        return {"run": self.run_id, "dataset": self.dataset.title, "seed": c.seed,
                "optimizer": OPTIMIZER_NAMES[c.optimizer], "lr": c.learning_rate, "batch": c.batch_size,
                "epochs": epochs,
                "val loss": at_kept.get("val_loss"), "val accuracy": at_kept.get("val_accuracy"),
                **({"test accuracy": at_kept.get("test_accuracy")} if show_test else {}),
                "ended": ENDED[self.result.stopped_reason]}


def trained_run() -> TrainedRun | None:
    """The latest finished run, if it still matches the current dataset."""
    return st.session_state.get("trained")


def runs() -> list[TrainedRun]:
    return st.session_state.setdefault("runs", [])


def runs_on_the_same_cases(run: TrainedRun) -> list[TrainedRun]:
    """The other kept runs whose validation and test cases are ``run``'s (the same data, split alike), so that
    their scores can be compared case by case; checked once per pair of runs."""
    checked = st.session_state.setdefault("same_cases", {})
    for other in runs():
        if (run.run_id, other.run_id) not in checked:
            a, b = run.dataset, other.dataset
            labels = ("y_val", "y_test", "val_rows", "test_rows")
            checked[run.run_id, other.run_id] = a is b or (
                a.name == b.name and a.class_names == b.class_names
                and all(np.array_equal(getattr(a, k), getattr(b, k)) for k in labels)
                and all(np.array_equal(getattr(a, k), getattr(b, k), equal_nan=True) for k in ("X_val", "X_test")))
    return [other for other in runs() if other.run_id != run.run_id and checked[run.run_id, other.run_id]]


def run_label(run: TrainedRun) -> str:
    """A run in a few words: "run 2: Adam, learning rate 0.1, 60 epochs"."""
    c, epochs = run.config, run.result.model.epochs_trained
    return (f"run {run.run_id}: {OPTIMIZER_NAMES[c.optimizer]}, learning rate {c.learning_rate:g}, "
            f"{epochs} epoch{'s' * (epochs != 1)}")


def _lineage(run_id: int | None) -> tuple[list["TrainedRun"], bool]:
    """Run ``run_id`` and the runs it continued, oldest first, as far as the kept runs (the last five) go;
    and whether an earlier one is missing because it is no longer kept."""
    kept, lineage = {r.run_id: r for r in runs()}, []
    while run_id in kept:
        lineage.insert(0, kept[run_id])
        run_id = kept[run_id].continues
    return lineage, run_id is not None


def earlier_epochs(run_id: int | None) -> list[dict]:
    """The history of run ``run_id`` and of the runs it continued, oldest first, as far as the kept runs
    go: the curves of a continued run start where its first run's did, not at the epoch it resumed."""
    return [h for r in _lineage(run_id)[0] for h in r.result.kept_history]


def training_steps() -> list[int]:
    """Epochs run by each step of the trained model, oldest first, when it was trained further with
    Continue (else empty): a link carries settings, so that it trains such a model in one step only. An
    earlier step no longer kept (the last five runs are) counts as 0."""
    run = trained_run()
    if run is None or run.continues is None:
        return []
    lineage, cut = _lineage(run.run_id)
    return [0] * cut + [len(r.result.history) for r in lineage]


def keep_run(run: TrainedRun) -> None:
    """Make ``run`` the current model and remember the last five."""
    st.session_state["trained"] = run
    history = [r for r in runs() if r.run_id != run.run_id] + [run]
    st.session_state["runs"] = history[-5:]


def next_run_id() -> int:
    st.session_state["run_counter"] = st.session_state.get("run_counter", 0) + 1
    return st.session_state["run_counter"]


def no_model_yet(alternative: str = "") -> None:
    """Say that this page needs a trained model, with a link to the page that makes one; after a shared
    link, that the link brought the settings and not the model."""
    text, page = f"Train a model on the **Train** page first{alternative}.", "train"
    if st.session_state.get("opened_from_link") and setup()["dataset"] == "csv":
        text += (" A shared link brings its settings, not an uploaded file or a trained model: upload the CSV on "
                 "the **Data** page (the link's target column and positive class are picked for you), then press "
                 "**Train** (the same seed gives the same numbers).")
        page = "data"
    elif st.session_state.get("opened_from_link"):
        text += (" A shared link brings its settings, not a trained model: press **Train** there to reproduce "
                 "it (the same seed gives the same numbers).")
    st.info(text)
    st.page_link(f"app_pages/{page}.py", label=f"Go to the {page.title()} page", icon=":material/arrow_forward:")


def earlier_data_note(run) -> None:
    """On a page showing a trained run: when the data chosen on the Data page is not what it was trained on,
    say so (only a caption naming the run's data said it)."""
    now = current_dataset()
    if now is not None and run.dataset is not now:
        st.caption(f":material/history: This is run {run.run_id}'s model, trained on **{literal(run.dataset.title)}**; "
                   f"the data chosen now is **{literal(now.title)}**: press **Train** on the Train page to train on "
                   "it.")


THRESHOLD_RULE = "threshold_rule"  # the finder that chose the trained model's threshold, for refind_threshold
SLIDER_MOVES = "threshold_moves"  # the threshold picker's revision: a new one puts the slider at the page's threshold


def slider_follows() -> None:
    """The Threshold page's slider goes to the threshold set here (the user's own moves it already shows)."""
    st.session_state[SLIDER_MOVES] = st.session_state.get(SLIDER_MOVES, 0) + 1


def keep_model_threshold(value: float, how: str, run_id: int, epoch: int | None = None, split: str | None = None,
                         rule: tuple | None = None) -> None:
    """Make ``value`` the trained model's threshold, the one the Threshold and Model pages, the card and the link
    use. ``how`` says how it was set; ``epoch``: the epoch whose scores a finder searched (None: set otherwise);
    ``split``: the split whose numbers chose it (``threshold_found_on``); ``rule``: the finder's (kind, target or
    cost ratio, prevalence), which ``refind_threshold`` applies to a new run's model."""
    setup()["threshold"] = value
    st.session_state.update({"threshold_exact": value, "threshold_how": how, "threshold_run": run_id,
                             "threshold_epoch": epoch, "threshold_split": split, THRESHOLD_RULE: rule})


def refind_threshold(run: "TrainedRun") -> None:
    """A threshold that a finder chose follows its rule to a new run: found again, the same way, on the new
    model's validation scores (a multiclass model's for the view class), for the number found on another
    model's scores means nothing for this one's (a minimum cost at 0.9999 of a diverged run flagged almost no
    one of the next). One set by hand, typed or brought by a link stays: a cut-off fixed in advance."""
    rule = st.session_state.get(THRESHOLD_RULE)
    if rule is None or st.session_state.get("threshold_run") == run.run_id:
        return
    kind, target, prevalence = rule
    epoch = max(run.score_history)
    ds, (scores, test_scores) = run.dataset, run.score_history[epoch]
    y = ds.y_val
    if not ds.is_binary:  # the view class's, or the page's first class where the data has no such class
        view = kept_value("view_class")
        code = ds.class_names.index(view) if view in ds.class_names else 0
        (y, scores), test_scores = one_vs_rest_scores(y, scores, code), test_scores[:, code]
    how = describe_choice(kind, target, prevalence)
    value = find_threshold(Sweep.from_scores(y, scores), kind, target, prevalence)
    old = setup()["threshold"]
    if math.isnan(value):  # e.g. one class only in this validation split: the number stays, set on the last run
        st.session_state[THRESHOLD_RULE] = None
        st.toast(f"The threshold stays {old:.4g}: {how} is undefined on run {run.run_id}'s validation split.")
        return
    value = min(max(value, 0.0), math.nextafter(1.0, math.inf))  # "flag no one" (+inf): just above every probability
    keep_model_threshold(value, f"{how}, found on validation", run.run_id, epoch, "validation", rule)
    slider_follows()
    label = threshold_texts([value], np.sort(np.concatenate([scores, test_scores])))[0]  # as the page labels it
    st.toast(f"Threshold found again for run {run.run_id}: {label} ({how}, found on validation; it was {old:.4g}).")


def threshold_found_on() -> str | None:
    """The split whose numbers chose the trained model's threshold: "validation" for an operating-point finder
    (they search it), the split shown for one set by hand ("test" makes test metrics at it optimistic); None
    for the default or a link's value."""
    return st.session_state.get("threshold_split")


def unset_threshold_how() -> str:
    """How the threshold came before anyone set it here: by default, or from the link, and how it was found
    there while the link's dataset and threshold are still the set-up's."""
    how, dataset, threshold = st.session_state.get("link_threshold_how", (None, None, None))
    if how and (setup()["dataset"], setup()["threshold"]) == (dataset, threshold):
        return f"{LINKED_FROM}: {how}"
    return "default" if setup()["threshold"] == DEFAULTS["threshold"] else LINKED_FROM


def threshold_how(run_id: int, epoch: int | None = None) -> str:
    """How the trained model's threshold was set, naming the run (or the epoch of the Threshold page's
    scrubber) it was found on when that is another one: the value stays, but "max Youden's J" was
    found on that run's, or that epoch's, scores."""
    how = st.session_state.get("threshold_how") or unset_threshold_how()
    set_on = st.session_state.get("threshold_run", run_id)
    if set_on != run_id and how != "default":
        return f"{how}, on run {set_on}"
    found_at = st.session_state.get("threshold_epoch")
    if epoch is not None and found_at is not None and found_at != epoch:  # set by a finder, at another epoch
        return f"{how}, at epoch {found_at}"
    return how


# Streamlit reads every message as Markdown: a column named "price $" or a level "*low*" would be shown as
# LaTeX or in italics. Text from the user's data (names, labels, a file's name) and the engine's messages,
# which quote it, go through ``literal``: a backslash before each character Markdown acts on, and the colon
# of a ":smile:" or ":red[...]" as an entity (Streamlit reads those shortcodes before the backslashes).
_MARKDOWN_SIGNS = re.compile(r"[\\`*_$\[\]<>~|&#]")
_SHORTCODE_COLON = re.compile(r":(?=[\w/+-]+(?::|\\\[))")


def literal(text) -> str:
    """``text`` escaped so that Streamlit's Markdown shows it exactly as it is."""
    return _SHORTCODE_COLON.sub("&#58;", _MARKDOWN_SIGNS.sub(lambda sign: "\\" + sign.group(0), str(text)))


def show_error(exc: LogRegError, what: str) -> None:
    """``what`` (Markdown: a name in it goes through ``literal``) and the engine's message, shown as written."""
    st.error(f"{what}: {literal(exc)}")
