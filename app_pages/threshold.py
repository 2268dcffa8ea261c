import math

import numpy as np
import streamlit as st

from logreg_core import BUILTIN_DATASETS, LogRegError
from logreg_core.compare import compare_aucs
from logreg_core.csv_cells import percent_fraction
from logreg_core.describe import score_histogram
from logreg_core.operating import describe_choice, find_threshold
from logreg_core.report import (INTERVALS, auc_text, comparison_text, expected_cost_text, number_text, percent_text,
                                report_html, whole_cut_text, whole_scores)
from logreg_core.threshold import (CONVENTION, Sweep, brier_score, calibration_curve, calibration_in_the_large,
                                   default_threshold, harm_to_benefit, multiclass_confusion, one_vs_rest_scores,
                                   per_1000_people, per_1000_texts, per_class_metrics, threshold_texts,
                                   validate_threshold)
from ui import score_upload, state, theme, threshold_picker as picker, threshold_view as view

st.title("Threshold")
TIES = "Where thresholds tie, the middle of their range, not a case's own score."

# the two choices of what is shown, in one row (at projector sizes, only with the room each needs)
source_column, split_column = st.columns([3, 2] if theme.presentation() else [2, 3])
# at projector sizes without the labels above them, which their options make plain
radio_labels = "collapsed" if theme.presentation() else "visible"
source = state.kept(source_column.radio, "Scores from", "score_source", "Trained model", label_visibility=radio_labels,
                    options=["Trained model", "Uploaded scores"], horizontal=True,
                    help="Explore the model trained here, or upload y_true,score[,split] from any model.")
names, parts, origin, cache_key, run = ("negative", "positive"), {}, "", None, None
read_notes: list[str] = []  # how an uploaded file's cells were read ("90%" as 0.9)
read_warnings: list[str] = []  # what makes its numbers likely not the ones meant (another class's probability)


EPOCH = "epoch_scrubber"


def epoch_scrubber(epochs: list[int]) -> int:
    """The epoch whose scores the page shows: the last, or one chosen on the scrubber (for a run of more)."""
    if len(epochs) < 2:
        return epochs[-1]
    return st.select_slider("Epoch", epochs, value=epochs[-1], key=EPOCH,
                            help="See the whole threshold picture as it was at any epoch of the last run.")


if source == "Uploaded scores":
    uploaded = score_upload.shown()
    if uploaded:
        origin, parts = uploaded
        names, read_notes, read_warnings = parts.names, parts.notes, parts.warnings
        cache_key = ("upload", origin, id(parts))
        origin = f"uploaded scores ({origin}, score column {parts.columns['score']})"  # two models' apart
else:
    score_upload.hidden()
    run = state.trained_run()
    if run is None:
        state.no_model_yet(", or choose **Uploaded scores** above")
        st.stop()
    state.earlier_data_note(run)
    ds = run.dataset
    epochs = sorted(run.score_history)
    # At projector sizes the scrubber goes under the 2×2 table, with the display toggles (``panel``), where it does
    # not push the table below a 768 px screen's edge; its value, kept by its key, is read here.
    epoch = st.session_state.get(EPOCH, epochs[-1]) if theme.presentation() else epoch_scrubber(epochs)
    epoch = epoch if epoch in epochs else epochs[-1]
    val_scores, test_scores = run.score_history[epoch]
    origin = f"run {run.run_id} on {ds.title}, epoch {epoch}"
    if ds.is_binary:
        names = tuple(ds.class_names)
        parts = {"val": (ds.y_val, val_scores), "test": (ds.y_test, test_scores)}
        cache_key = ("run", run.run_id, epoch)
    else:
        cls = state.view_class_select("Class for the threshold view", ds.class_names,
                                      help="Its softmax probability is the score; every other class counts as negative.")
        code = ds.class_names.index(cls)
        names = (f"not {cls}", cls)
        parts = {"val": one_vs_rest_scores(ds.y_val, val_scores, code),
                 "test": one_vs_rest_scores(ds.y_test, test_scores, code)}
        cache_key = ("run", run.run_id, epoch, code)

if not parts:
    st.stop()

# at projector sizes without "(for choosing)" and "(for reporting)", which the help says: each choice in one row
# where the page is 900 px wide, or the two rows it took pushed the 2×2 table below a 768 px screen's edge
split_labels = ({"val": "Validation", "test": "Test", "all": "All rows"} if theme.presentation() else
                {"val": "Validation (for choosing)", "test": "Test (for reporting)", "all": "All rows"})
split_names = {"val": "validation", "test": "test", "all": "all rows"}  # in a sentence
split_options = list(parts)
split_widget = dict(options=split_options, format_func=split_labels.get, horizontal=True, label_visibility=radio_labels,
                    help="Choose a threshold on validation; look at test once, to report.")
if state.kept_value("split_shown", split_options[0]) in split_options:
    split = state.kept(split_column.radio, "Split shown", "split_shown", split_options[0], **split_widget)
else:  # scores without the split kept for the others (uploaded, all rows): shown here, kept for them
    split = split_column.radio("Split shown", key="split_shown_here", **split_widget)
if run and not run.dataset.is_binary:
    split_name = split_names[split]
    y_all, scores_all = (ds.y_val, val_scores) if split == "val" else (ds.y_test, test_scores)
    # folded at projector sizes, where its 10 × 10 matrix would push the threshold explorer screens down
    with st.expander(f"All classes: confusion matrix at argmax ({split_name} split)",
                     expanded=not theme.presentation()):
        import plotly.express as px

        cm = multiclass_confusion(y_all, scores_all)
        labels = [theme.chart_text(c) for c in ds.class_names]
        fig = px.imshow(cm, x=[f"pred {c}" for c in labels], y=[f"actual {c}" for c in labels],
                        text_auto=True, color_continuous_scale="Blues")
        st.plotly_chart(theme.style(fig, f"{split_name.capitalize()} confusion matrix", 480,
                                    subtitle="rows actual, columns predicted"), key="multiclass_cm")
        per = per_class_metrics(y_all, scores_all)
        theme.data_table({"class": ds.class_names, "precision": per["precision"], "recall": per["recall"],
                      "f1": per["f1"], "support": per["support"]}, hide_index=True)
sweeps = st.session_state.setdefault("sweeps", {})
if cache_key not in sweeps:
    sweeps.clear()  # one source at a time: a new model or file replaces the old sweeps
    sweeps[cache_key] = {name: Sweep.from_scores(*yp) for name, yp in parts.items()}
sweep_by_split = sweeps[cache_key]
sweep = sweep_by_split[split]
choose_on = "val" if "val" in sweep_by_split else split
chooser = sweep_by_split[choose_on]

# What to keep in mind about these numbers, as (kind, a few words, plain text): shown here and in the report
notices: list[tuple[str, str, str]] = []
if split == "test":
    notices.append(("warning", "test split", "You are looking at the test split. Choose thresholds on validation; a "
                                             "threshold tuned on test looks better than it will be on new cases."))
elif split == "all":
    fix = ("Add a split column with val and test rows" if parts.unsplit == "No split column"
           else "Give the split column both val and test rows")
    notices.append(("warning", "no separate test rows",
                    f"{parts.same_rows_warning()} {fix} to choose on one and report on the other."))
notices += [("warning", "scores in doubt", warning) for warning in read_warnings]
notices += [("info", "how the file was read", note) for note in read_notes]
if run and not run.dataset.is_binary:
    notices.append(("info", f"{names[1]} vs the rest",
                    f"This view flags a case as {names[1]} when its softmax probability of {names[1]} is ≥ the "
                    "threshold. The all-classes matrix above takes the most probable class instead, often with a "
                    "probability below 0.5 when there are many classes: so at 0.5 this view can find fewer than the "
                    "matrix's recall. Max Youden or a target sensitivity finds a lower threshold."))
SHOWN_ROWS = "all rows" if split == "all" else f"the {split_names[split]} split"
separated = sweep.error_free_range()
if separated:  # common for small, easy data (breast cancer's validation split): say why nothing moves
    notices.append(("info", "classes do not overlap",
                    f"On {SHOWN_ROWS} the classes do not overlap: every threshold above {separated[0]:.4g} and up to "
                    f"{separated[1]:.4g} makes no error, so the matrix changes only outside that range."
                    + (" The other split, or harder data (on the Data page: synthetic, with a smaller class "
                       "separation), shows the trade-off." if run and run.dataset.name in BUILTIN_DATASETS
                       else " The other split may show the trade-off." if run else "")))
if inverted := sweep.inverted_ranking_note(SHOWN_ROWS):
    notices.append(("warning", "scores the wrong way round", inverted))
small = min(chooser.n_pos, chooser.n_neg)
chosen_on = {"val": "The validation split has", "test": "The test split has", "all": "These rows have"}[choose_on]
if small == 0:
    undefined, flagged = ("specificity", "everyone") if chooser.n_neg == 0 else ("sensitivity", "no one")
    notices.append(("warning", "one class only",
                    f"{chosen_on} {chooser.n_pos} positive and {chooser.n_neg} negative cases: with one class only, "
                    f"{undefined} is undefined, and a threshold that flags {flagged} makes no error here, so a "
                    "threshold found on these rows (the buttons that still answer find that one) says nothing about "
                    "the other class. Choose on rows with both classes."))
elif few := chooser.few_cases_note(chosen_on):
    notices.append(("info", f"few {split_names[choose_on]} cases", few))
certain = sweep.counts_at(1.0) if sweep.is_probability else None
if certain is not None and certain.tp + certain.fp:  # the slider's right end is 1: it cannot clear them
    flagged = certain.tp + certain.fp
    notices.append(("info", "scores of 1",
                    f"{flagged:,} of these {sweep.n:,} cases score exactly 1 (a probability of 1, or one that "
                    "rounds to it): every threshold, the slider's right end included, flags "
                    f"{'it' if flagged == 1 else 'them'}, as a case is positive when its score ≥ the threshold."))
finder_slot = st  # where the (folded) threshold finders go at projector sizes
if theme.presentation() and notices:  # folded too, beside them, under a line that names them: open, the notes
    # pushed the slider and the matrix it moves off the screen
    warned = any(kind == "warning" for kind, _, _ in notices)
    notes_slot, finder_slot = st.columns(2)
    notes_holder = notes_slot.expander((":material/warning:" if warned else ":material/info:") + " Notes: "
                                       + state.literal(" · ".join(gist for _, gist, _ in notices)))
else:
    notes_holder = st.container()
with notes_holder:
    for kind, _, text in notices:
        (st.warning if kind == "warning" else st.info)(state.literal(text))

probability = all(s.is_probability for s in sweep_by_split.values())
low = 0.0 if probability else min(s.min_score for s in sweep_by_split.values())
high = 1.0 if probability else max(s.max_score for s in sweep_by_split.values())
ceiling = math.nextafter(high, math.inf)  # the lowest threshold that flags no one, for scores up to ``high``
# Thresholds are labelled with the digits that every split's scores need (as the Model page and the link
# do), so that one threshold reads the same whichever split is shown.
label_scores = np.sort(np.concatenate([np.asarray(scores, np.float64) for _, scores in parts.values()]))
setup = state.setup()


# Each source of scores keeps its own threshold: one set on uploaded scores (say a model's margins,
# −4 to 4) must never reach the trained model's Model page, card, predictions or SavedModel.
EXACT, HOW = ("threshold_exact", "threshold_how") if run else ("upload_threshold_exact", "upload_threshold_how")
# said wherever the threshold is (the Model page and the card too): one set looking at test is optimistic there
BY_HAND = f"set by hand on {SHOWN_ROWS}"


def threshold_how() -> str:
    return state.threshold_how(run.run_id, epoch) if run else st.session_state.get(HOW, "default")


def set_threshold(value: float, how: str, by_hand: bool = False, on: str | None = None, rule: tuple | None = None):
    """``on``: the split whose numbers it was chosen by (a finder's, or the one shown when set by hand); ``rule``:
    the finder's (kind, target or cost ratio, prevalence), which a new run's model is given its threshold by. A
    threshold above every score (a finder's +inf, "flag no one") becomes ``ceiling``: it too flags no one."""
    value = min(max(float(value), low), ceiling)
    if run:  # the trained model's threshold: the one the Model page, the card and the link use
        state.keep_model_threshold(value, how, run.run_id, epoch if rule else None, split_names.get(on), rule)
    else:
        st.session_state[EXACT], st.session_state[HOW] = value, how
    if not by_hand:
        state.slider_follows()


PANEL = "threshold_panel"
TYPED = "typed_threshold"


def moved_by_hand() -> None:
    try:  # the browser's report of the slider: checked like any other input
        set_threshold(validate_threshold(picker.moved_to()), BY_HAND, by_hand=True, on=split)
    except LogRegError as exc:
        st.session_state["threshold_error"] = str(exc)
    st.rerun([PANEL, state.LINK_FRAGMENT])  # the panel, and the Copy link box with the new threshold


def typed_in() -> None:
    """A threshold fixed in advance (0.3, or 0 for margins): typed, for the slider's steps may miss it."""
    value = st.session_state.get(TYPED)
    if value is None:
        return
    st.session_state[TYPED] = None  # the box empties: the line under the slider names the threshold
    set_threshold(value, "typed in")
    if not low <= value <= high:  # set_threshold moved it to the end it acts like
        st.session_state["threshold_note"] = (
            f"{value:g} is {'above' if value > high else 'below'} the slider's range ({low:g} to {high:g}): it "
            f"flags {'no one' if value > high else 'everyone'} here, as does the threshold shown.")
    st.rerun([PANEL, state.LINK_FRAGMENT])  # the panel, and the Copy link box with the new threshold


def choose(kind: str, target: float | None = None, prevalence: float | None = None) -> None:
    """Set the threshold that the finder ``kind`` (``find_threshold``'s) picks on ``choose_on``."""
    on, how = split_names[choose_on], describe_choice(kind, target, prevalence)
    try:
        value = find_threshold(chooser, kind, target, prevalence)
        if math.isnan(value):  # the core's answer where its criterion is undefined
            raise LogRegError(f"{how} is undefined on {on}: it has {chooser.n_pos} positive and {chooser.n_neg} "
                              "negative cases, and this needs both (the threshold is unchanged)")
        set_threshold(value, f"{how}, found on {on}", on=choose_on, rule=(kind, target, prevalence))
        if kind == "youden" and chooser.report(value).metrics["youden_j"].value <= 0:  # all scores equal, say
            st.session_state["threshold_note"] = (
                f"Youden's J is at most 0 on {on}: with higher scores as {names[1]}, no threshold there tells the "
                "classes apart better than chance, so this one is no better than flagging everyone or no one.")
    except LogRegError as exc:
        st.session_state["threshold_error"] = str(exc)


if not low <= st.session_state.get(EXACT, math.nan) <= ceiling:
    # uploaded scores start at 0.5 for probabilities, 0 for logits and margins (both signs), else mid-range
    wanted, why = (setup["threshold"], "") if run else default_threshold(sweep_by_split.values())
    start = wanted if low <= wanted <= high else (low + high) / 2
    set_threshold(start, (why or "default") if not run else state.unset_threshold_how() if start == wanted
                  else "default" if start == state.DEFAULTS["threshold"] else "middle of the scores' range")
    if run and start != wanted:  # e.g. a link's threshold meant for other scores: say so rather than change it silently
        st.info(f"The threshold {wanted:g} is outside these scores' range ({low:g} to {high:g}), so it starts "
                f"at {start:g}: move the slider to change it.")


PREVALENCE_STEP = 0.01


def prevalence_as_proportion() -> None:
    """A prevalence typed as a percentage ("5") becomes the proportion it means (0.05), and the page says
    so. The box has no bounds of its own: the browser refused a number outside them silently, with only a
    red border, while the page went on with another. The + and − buttons past an end stop at that end, as
    does a proportion beyond it; a number that is none of these leaves the last good one in place."""
    typed, (_, _, (low, high)) = state.kept_value("prevalence"), state.POPULATION["prevalence"]
    last = st.session_state.get("prevalence_last_good")
    if typed is None or low <= typed <= high:
        st.session_state["prevalence_last_good"] = typed
        return
    # a + or − press: the browser rounds the result to the box's format (0.0001 − 0.01 shows as −0.0100)
    stepped = last is not None and abs(typed - last) <= 1.5 * PREVALENCE_STEP
    if stepped or 0 < typed < 1:
        value = min(max(typed, low), high)
        said = f"{typed:g} is read as {value:g}, the {'largest' if value == high else 'smallest'} it can be."
    elif 1 <= typed <= 100:
        fraction = percent_fraction(repr(typed), ".")  # 1.4 is 0.014, as the target sensitivity's box reads it
        value = min(fraction, high)
        said = f"{typed:g} is read as {typed:g}% = {value:g}" + ("." if value == fraction else
                                                                 ", the largest it can be.")
    else:
        value, said = last, (f"{typed:g} is {'not above 0' if typed <= 0 else 'neither a proportion nor a percentage'}"
                             ", so it stays " + (f"{last:g}." if last is not None else "empty (the split's own)."))
    st.session_state["prevalence_kept"] = st.session_state["prevalence_last_good"] = value
    st.info(f"Prevalence is a proportion ({low:g} to {high:g}; a number from 1 to 100 is read as a percentage): "
            + said)


def operating_point_controls() -> tuple[float, float | None]:
    """The population's numbers, then the buttons that find a threshold on validation, each in one row.
    Outside the slider's fragment: they are used now and then, and a slider step need not redraw them.
    Folded at projector sizes, where they would take the screen above the slider."""
    holder = (finder_slot.expander("Find a threshold: sensitivity, cost, prevalence")
              if theme.presentation() else st.container())
    with holder:
        return _operating_point_controls()


def _operating_point_controls() -> tuple[float, float | None]:
    prevalence_as_proportion()
    if theme.presentation():  # projector font sizes in half the page (beside the notes): one to a row
        c1, c2, c3 = st.container(), st.container(), st.container()
    else:
        c1, c2, c3 = st.columns(3)
    # kept across pages and carried by the link (state.POPULATION): the clinician's population
    with c1:
        target = state.kept_number_box("Target sensitivity", "target_sens", step=0.01,
                                       help=f"Highest threshold whose sensitivity on {split_names[choose_on]} "
                                            "reaches this target (95 is read as 95%).")
    with c2:
        cost = state.kept_number_box("Cost ratio (FN:FP)", "cost_ratio", step=0.5, format="%g",
                                     help="How many false positives one missed positive is worth; 5 means a miss "
                                          "is 5× worse.")
    with c3:
        # no bounds in the box, as kept_number_box: prevalence_as_proportion applies them, reading 1 to 100 as %;
        # an emptied box is empty (the split's own prevalence)
        prevalence = state.kept(st.number_input, "Prevalence", "prevalence", None, value=None, min_value=None,
                                max_value=None, step=PREVALENCE_STEP, format="%.4f",
                                placeholder=f"data: {sweep.prevalence:.3f}",
                                help="Your population's share of positives, as a proportion: 0.05 for 5% "
                                     "(empty: the split's own, as the box shows); PPV, NPV, the per-1,000 "
                                     "view, the decision curve and Min cost use it.")
        if prevalence is not None:  # 0.5 is 50%: said, for whoever meant 0.5%
            st.caption(f"Read as {percent_text(prevalence)}.")
    state.show_clamped()
    st.caption(f"Find a threshold on {split_names[choose_on]}:")
    if theme.presentation():  # projector font sizes: as many to a row as fit whole
        b1 = b2 = b3 = b4 = st.container(horizontal=True)
    else:
        b1, b2, b3, b4 = st.columns(4)
    b1.button("Max Youden", on_click=choose, args=("youden",), help="Maximise sensitivity + specificity − 1. " + TIES)
    b2.button("Max F1", on_click=choose, args=("f1",), help="Maximise F1 (balance of PPV and sensitivity). " + TIES)
    b3.button("Target sensitivity", key="target_sens_button", on_click=choose, args=("sensitivity", target),
              help="The highest threshold whose sensitivity reaches the target above.")
    b4.button("Min cost", on_click=choose, args=("cost", cost, prevalence),
              help="Minimise cost ratio × FN + FP per person, with the cost ratio above, at the prevalence above "
                   "(empty: the split's own). " + TIES)
    return cost, prevalence


@st.fragment(key=PANEL)
def panel(cost: float, prevalence: float | None):
    if "threshold_error" in st.session_state:  # from a button or the slider: shown by whichever rerun follows
        st.error(state.literal(st.session_state.pop("threshold_error")))
    if "threshold_note" in st.session_state:
        st.info(state.literal(st.session_state.pop("threshold_note")))
    above, below = st.container(), st.container()
    # at projector sizes the display toggles go under the table: then the slider and the table fit on the screen
    toggles, picker_box = (below, above) if theme.presentation() else (above, below)
    left, right, typed = toggles.columns(3, vertical_alignment="bottom")
    logodds = probability and left.toggle("Log-odds scale", key="logodds",
                                          help="Move the threshold in log-odds, for scores bunched near 0 or 1.")
    share_of_all = right.toggle("% of all cases", key="cm_share_all",  # short: a 1024 px screen broke a long word
                                help="Off: each cell as a share of its actual row. On: as a share of all cases.")
    typed.number_input("Type a threshold", key=TYPED, value=None, format="%g", on_change=typed_in,
                       placeholder="e.g. 0.3" if probability else f"{low:g} to {high:g}",
                       help="A threshold fixed in advance, exactly: the slider's steps may pass it by. "
                            "Positive when score ≥ it.")
    threshold = st.session_state[EXACT]
    if run and theme.presentation():
        with below:
            if epoch_scrubber(epochs) != epoch:  # another epoch's scores: the whole page is redrawn with them
                st.rerun()

    positions = picker.grid(low, high, probability, logodds)
    every = np.append(positions.thresholds, threshold)
    with picker_box:
        picker.show(positions, sweep.at_thresholds(every), threshold_texts(every, label_scores), names=names,
                    share_of_all=share_of_all, how=threshold_how(), by_hand=BY_HAND,
                    tail=f"— {split_names[split].capitalize()}{'' if split == 'all' else ' split'}, "
                         f"{sweep.n:,} cases, {origin}. "
                         f"Convention: {CONVENTION}.",
                    cuts=[whole_cut_text(t) for t in every] if whole_scores(sweep) else None,
                    revision=[st.session_state[state.SLIDER_MOVES], logodds, low, high], on_move=moved_by_hand)

    report = sweep.report(threshold, prevalence=prevalence, cost_ratio=cost)
    m = report.metrics
    if report.prevalence_adjusted:
        adj = report.prevalence_adjusted
        tiles = st.columns(2 if theme.presentation() else 3)
        for tile, key in zip(tiles, ("ppv", "npv")):  # a short label: a 1024 px screen cut a longer one off
            tile.metric(f"{key.upper()} at {percent_text(prevalence)} prevalence",
                        number_text(adj[key].value),
                        help=f"Bayes: {key.upper()} for your population's prevalence, from the sensitivity and "
                             f"specificity on {SHOWN_ROWS}.")
            tile.caption(f"95% CI {view.interval(adj[key])}")
        st.caption("Conservative intervals: Bayes' rule at the ends of 97.5% Wilson intervals of sensitivity "
                   "and specificity, so both hold together with at least 95% confidence.")
    label = threshold_texts([threshold], label_scores)[0]
    st.html(view.metrics_html(report, label, split_prevalence=sweep.prevalence if report.prevalence_adjusted else None))
    st.caption(f"{INTERVALS} PPV and NPV in the table use the prevalence in {SHOWN_ROWS}.")
    st.caption(state.literal(expected_cost_text(report, sweep, cost_ratio=cost, prevalence=prevalence,
                                                split=SHOWN_ROWS, positive=names[1])))
    how, card = threshold_how(), st.session_state.get("model_card_summary")
    st.download_button(
        "Download report (HTML)", key="report_download", mime="text/html", file_name="threshold_report.html",
        data=lambda: report_html(report, sweep, names=names, split=SHOWN_ROWS, origin=origin, how=how,
                                 notes=[text for _, _, text in notices],
                                 prevalence=prevalence, cost_ratio=cost, card=card, threshold_label=label),
        help="One self-contained, printable HTML page with the threshold, how it was chosen, and every number here.")

    prev = prevalence if prevalence is not None else sweep.prevalence
    per = texts = None
    if 0 < prev < 1 and math.isfinite(m["sensitivity"].value) and math.isfinite(m["specificity"].value):
        per = per_1000_people(m["sensitivity"].value, m["specificity"].value, prev)
        texts = per_1000_texts(m["sensitivity"].value, m["specificity"].value, prev)
    charts = threshold_charts(cache_key, split)
    assumed_curve = None
    if probability and prevalence is not None and sweep.n_pos and sweep.n_neg:
        assumed_curve = (percent_text(prevalence), sweep.decision_curve(prevalence=prevalence))
    charts.move_to(threshold, report, per, texts, assumed_curve)
    chart_tabs(charts, threshold, label, prevalence, texts, report, drawn_at_assumed=assumed_curve is not None)


def side_by_side(*figures) -> None:
    """Two charts in a row; one under the other in presentation mode, where a half-width chart's
    title and axes would not fit at projector font sizes."""
    columns = [st.container()] * len(figures) if theme.presentation() else st.columns(len(figures))
    for column, (figure, key) in zip(columns, figures):
        column.plotly_chart(figure, key=key)


def chart_tabs(charts: view.ThresholdCharts, threshold: float, label: str, assumed: float | None,
               people: dict | None, report, drawn_at_assumed: bool) -> None:
    """The charts, one tab at a time: only the open tab is drawn (and redrawn on a slider step),
    so the confusion matrix above them updates without waiting for five Plotly figures. ``assumed``: the
    Prevalence box's, which only some of them use, as their captions say; ``drawn_at_assumed``: whether the
    decision curve is drawn at it too (it needs both classes among the cases)."""
    own = sweep.prevalence
    at_own = (f"at the prevalence of {SHOWN_ROWS}, {percent_text(own)}; the Prevalence box's "
              f"{percent_text(assumed)} is in the PPV and NPV tiles, the per-1,000 view"
              + (" and the decision curve" if probability else "")
              if assumed is not None else "")
    titles = ["ROC and precision–recall", "Scores and metrics", "Per 1,000 people"]
    titles += ["Decision curve", "Calibration"] if probability else []
    tabs = dict(zip(titles, st.tabs(titles, key="chart_tab", on_change="rerun")))
    if not probability:  # the two tabs probabilities would have: why not (low, high: every split's scores)
        st.caption(f"No decision curve or calibration: they are for probabilities, from 0 to 1, and these scores run "
                   f"from {low:g} to {high:g}. (Risks in percent are probabilities once divided by 100, in the file.)")
    if tabs["ROC and precision–recall"].open:
        with tabs["ROC and precision–recall"]:
            side_by_side((charts.roc, "roc"), (charts.pr, "pr"))
            if at_own:
                st.caption(f"Precision (PPV) here is {at_own}.")
            compared_roc()
    if tabs["Scores and metrics"].open:
        with tabs["Scores and metrics"]:
            side_by_side((charts.distribution, "dist"), (charts.metric_curves, "curves"))
            if at_own:
                st.caption(f"PPV and NPV here are {at_own}.")
    if tabs["Per 1,000 people"].open:
        with tabs["Per 1,000 people"]:
            if people is None:
                st.caption(f"Shown when both classes occur in {SHOWN_ROWS} (so sensitivity and specificity are "
                           "defined).")
            else:
                st.plotly_chart(charts.per_1000, key="per1000")
                sens, spec = report.metrics["sensitivity"], report.metrics["specificity"]
                named = "" if names[1] == "positive" else f" ({state.literal(names[1])})"
                prevalence = (f"the assumed population prevalence {percent_text(assumed)}" if assumed is not None
                              else f"the prevalence of {SHOWN_ROWS}, {percent_text(own)} (the Prevalence box is "
                                   "empty)")
                st.caption(f"At {prevalence}: of 1,000 people, {people['positive']} "
                           f"are positive{named}; the model flags {people['flagged']}, of whom {people['tp']} truly "
                           "are (expected numbers, rounded to whole people; <1: some, but fewer than one). They rest "
                           "on the sensitivity "
                           f"{number_text(sens.value)} (95% CI {view.interval(sens)}) and specificity "
                           f"{number_text(spec.value)} ({view.interval(spec)}) on "
                           f"{SHOWN_ROWS} ({sweep.n:,} "
                           "cases), and are as uncertain as those.")
    if probability and tabs["Decision curve"].open:
        with tabs["Decision curve"]:
            if 0 < threshold < 1:
                benefit = f"Net benefit at {label}: **{number_text(report.net_benefit)}** per person on these cases"
                if assumed is not None and report.prevalence_adjusted.get("net_benefit") is not None:
                    benefit += (f", **{number_text(report.prevalence_adjusted['net_benefit'])}** at the assumed "
                                f"prevalence {percent_text(assumed)}")
                st.markdown(f"At **{label}** you accept up to **{harm_to_benefit(threshold):.1f}** false "
                            f"positives (e.g. unnecessary work-ups of {state.literal(names[0])} cases) to find one "
                            f"{state.literal(names[1])} case. {benefit}.")
            st.plotly_chart(charts.decision, key="dca")
            if not drawn_at_assumed:
                st.caption(f"Net benefit per person on the cases of {SHOWN_ROWS} (prevalence {percent_text(own)}). "
                           "Enter a Prevalence to draw it for a population with that prevalence too.")
            else:
                marker = " The marker is on the bold curve." if 0 < threshold < 1 else ""
                st.caption(f"Bold: net benefit per person at the assumed prevalence {percent_text(assumed)}, from "
                           f"the model's sensitivity and false-positive rate on {SHOWN_ROWS}; faint: on those cases "
                           f"themselves (prevalence {percent_text(own)}).{marker} A threshold is still read as a "
                           "risk: scores that are risks at the cases' prevalence overstate them in a rarer "
                           "population.")
    if probability and tabs["Calibration"].open:
        with tabs["Calibration"]:
            st.plotly_chart(charts.calibration, key="calibration")
            overall = charts.calibration_overall
            verdict = {"over": "above that interval: the model over-predicts on average",
                       "under": "below that interval: the model under-predicts on average",
                       "within": "inside that interval"}[overall["direction"]]
            st.caption(f"Each point is a tenth of the probability scale: the cases of {SHOWN_ROWS} scored in it, "
                       "their mean predicted probability across and the share of them positive up, with its 95% "
                       "Wilson interval; a bar that crosses the dotted line is consistent with calibration there, "
                       "and few cases make a long bar (hover for the counts). Each bar is 95% on its own: of ten, "
                       f"one can miss the line by chance. Over all {overall['n']:,} cases the share positive is "
                       f"{overall['observed']:.3f} (95% CI {overall['ci_low']:.3f} – {overall['ci_high']:.3f}) and "
                       f"the mean predicted probability {overall['mean_predicted']:.3f}, {verdict}.")


def earlier_run_scores() -> tuple[str, str, np.ndarray] | None:
    """"Compare with": another kept run on the same cases, and its kept model's scores on the split shown, once
    one is chosen: (the shown scores' name, the other's, its scores)."""
    others = {other.run_id: other for other in state.runs_on_the_same_cases(run)}
    if not others:
        return None
    chosen = state.kept_choice("Compare with another run", "compare_run", list(others), None, announce=False,
                               format_func=lambda run_id: state.run_label(others[run_id]),
                               placeholder="Choose a run on the same data",
                               help="A run on the same data, split the same way (the same seed): both ROC curves on "
                                    "the split shown, and DeLong's test of whether their AUCs differ by more than "
                                    "chance.")
    if chosen is None:
        return None
    other = others[chosen]
    val_scores, test_scores = other.score_history[max(other.score_history)]  # its kept model's
    y, scores = (ds.y_val, val_scores) if split == "val" else (ds.y_test, test_scores)
    if not ds.is_binary:
        scores = one_vs_rest_scores(y, scores, ds.class_names.index(names[1]))[1]
    return f"run {run.run_id} at epoch {epoch}", f"run {other.run_id}", scores


def uploaded_column_scores() -> tuple[str, str, np.ndarray] | None:
    """"Compare with": another score column of the uploaded file, once one is chosen and read: (the shown
    column's name, the other's, its scores on the split shown)."""
    other = score_upload.other_scores(parts)
    if other is None:
        return None
    column, other_parts = other
    return repr(parts.columns["score"]), repr(column), other_parts[split][1]


def compared_roc() -> None:
    """The shown scores against another model's for the same cases, if one is chosen: both ROC curves, and
    DeLong's test on the split shown (computed once per pair and split, not on a slider step)."""
    other = earlier_run_scores() if run else uploaded_column_scores()
    if other is None:
        return
    shown, name, others = other
    cache = st.session_state.setdefault("comparison_cache", {})
    wanted = (cache_key, split, name, theme.presentation())
    if wanted not in cache:  # the figure too: nothing in it moves with the threshold
        y, scores = parts[split]
        result = compare_aucs(y, scores, others)
        other_fpr, other_tpr, _ = Sweep.from_scores(y, others).roc()
        figure = view.roc_comparison_figure([
            (f"{shown} (AUC {number_text(result.auc_a)})", *view.thin(*sweep.roc()[:2])),
            (f"{name} (AUC {number_text(result.auc_b)})", *view.thin(other_fpr, other_tpr))])
        cache.clear()
        cache[wanted] = result, figure
    result, figure = cache[wanted]
    st.plotly_chart(figure, key="roc_compare")
    advice = " To report a difference, compare on the test split." if split == "val" else ""
    st.caption(state.literal(f"On {SHOWN_ROWS} ({result.positives:,} positive, {result.negatives:,} negative cases), "
                             + comparison_text(result, shown, name) + advice))


def curve_data(key, split_name: str) -> dict:
    """The heavy parts of the charts, computed once per sweep (never on a slider move)."""
    cache = st.session_state.setdefault("curve_cache", {})
    if (key, split_name) not in cache:
        s = sweep_by_split[split_name]
        fpr, tpr, _ = s.roc()
        precision, recall, _ = s.pr_curve()
        curves = s.curves()
        th, sens, spec, ppv, npv = view.thin(curves["threshold"], curves["sensitivity"], curves["specificity"],
                                             curves["ppv"], curves["npv"])
        y, scores = parts[split_name]
        data = {"fpr": view.thin(fpr)[0], "tpr": view.thin(tpr)[0], "precision": view.thin(precision)[0],
                "recall": view.thin(recall)[0], "threshold": th, "sensitivity": sens, "specificity": spec,
                "ppv": ppv, "npv": npv, "auc": s.roc_auc(), "auc_ci": s.roc_auc_ci(),
                "ap": s.average_precision(), **score_histogram(y, scores)}
        if s.is_probability:
            data["decision"] = s.decision_curve()
            data["calibration"] = calibration_curve(y, scores)
            data["calibration_overall"] = calibration_in_the_large(y, scores)
            data["brier"] = brier_score(y, scores)
        cache.clear()
        cache[(key, split_name)] = data
    return cache[(key, split_name)]


def threshold_charts(key, split_name: str) -> view.ThresholdCharts:
    """The threshold's charts for this sweep and display mode, built once; the panel only moves them."""
    cache = st.session_state.setdefault("chart_cache", {})
    wanted = (key, split_name, theme.presentation())
    if wanted not in cache:
        base = curve_data(key, split_name)
        s = sweep_by_split[split_name]
        cache.clear()
        auc = "AUC " + auc_text(base["auc"], base["auc_ci"])
        cache[wanted] = view.ThresholdCharts(base, names, s.prevalence, auc, s.is_probability)
    return cache[wanted]


panel(*operating_point_controls())
