"""The Threshold page's uploaded scores: the file, which of its columns hold the true class and the score
(found by name, or chosen), and what stays shown when a file cannot be used."""
from __future__ import annotations

import re
import time

import streamlit as st

from logreg_core import LogRegError
from logreg_core.csv_target import MAX_TARGET_LABELS
from logreg_core.scores import PositiveToChoose, ScoreParts, ScoreTable, class_of
from ui import state

SHOWN = ("uploaded_scores", "uploaded_scores_id", "upload_threshold_exact", "upload_threshold_how")
THRESHOLD_KEYS = SHOWN[2:]  # found on the scores shown: not on another file's, or other columns'
HAND_SET = re.compile(r"set by hand|typed in")  # how a threshold that stays for other columns was set
TABLE, CHOICE, READ_ERROR = "scores_table", "scores_columns", "scores_read_error"  # the latest file read
FILE_KEYS = (TABLE, CHOICE, READ_ERROR)
# The browser replaces a file in two messages: "no file" (the old one removed, as by its ✕), then, once the new
# file has arrived, that file (37 ms later on a local server). A removal this recent before a new file that
# cannot be used was a replacement, and the old file's scores come back; a ✕ longer ago stays a removal.
REPLACED_WITHIN_S = 5.0
PUT_ASIDE = "scores_put_aside"
# The uploader's key, renewed each time "Uploaded scores" is chosen again: under its old key, the uploader came
# back empty in the browser while the server still held the old file, so the page did not say which file it showed.
UPLOADER_ROUND = "scores_uploader_round"
# The column pickers' keys, renewed after each reading, so that they show the columns and positive class read
# (a guessed positive class included) rather than what was last picked; the choice itself is kept in CHOICE.
PICKERS_ROUND = "scores_pickers_round"
ROLES = {"label": "True class", "score": "Score", "positive": "Positive class"}
COMPARE, COMPARED = "scores_compare", "scores_compared"  # the column picked to compare with, and its reading


def uploader_key() -> str:
    return f"scores_upload{st.session_state.get(UPLOADER_ROUND, '')}"


def hidden() -> None:
    """The trained model's scores are shown instead: when shown again, the uploader starts empty."""
    if st.session_state.pop("scores_uploader_shown", False):
        st.session_state[UPLOADER_ROUND] = f"_{time.monotonic_ns()}"


def _removed() -> None:
    """The user removed the file (✕), or the browser did, to replace it: its scores go with it, put aside
    for a moment, in case a replacement that cannot be used follows. (Leaving the page forgets the upload
    without this callback, and the scores stay.)"""
    if st.session_state.get(uploader_key()) is None:
        removed = {key: st.session_state.pop(key) for key in SHOWN + FILE_KEYS if key in st.session_state}
        if "uploaded_scores" in removed:
            st.session_state[PUT_ASIDE] = (time.monotonic(), removed)


def shown() -> tuple[str, ScoreParts] | None:
    """The uploader, and the column pickers of the latest file read; the scores to show, ``(file name, parts)``,
    if there are any."""
    st.session_state["scores_uploader_shown"] = True
    upload = st.file_uploader("Upload scores", type=["csv", "txt"], key=uploader_key(), on_change=_removed,
                              help="A CSV with a row per case: its true class (column y_true: 1 positive, 0 "
                                   "negative; or label, target, …) and its score (score, prob, "
                                   "probability_<class>, …), and optionally split (val/test). Other columns can "
                                   "be chosen once it is read.")
    put_aside = st.session_state.get(PUT_ASIDE)
    if put_aside and (upload is not None or time.monotonic() - put_aside[0] > REPLACED_WITHIN_S):
        del st.session_state[PUT_ASIDE]  # used by this file, or a ✕'s: forgotten
    replaced = put_aside[1] if put_aside and time.monotonic() - put_aside[0] <= REPLACED_WITHIN_S else {}
    if upload is not None and upload.file_id != st.session_state.get(TABLE, (None,))[0]:
        try:
            table = ScoreTable(upload.getvalue())
        except LogRegError as exc:
            state.show_error(exc, f"Could not use {state.literal(upload.name)}")
            if "uploaded_scores" not in st.session_state:  # it replaced them: they stay, with their file's pickers
                st.session_state.update(replaced)
        else:
            st.session_state[TABLE] = (upload.file_id, upload.name, table)
            label, score = table.guessed()
            _read({"label": label, "score": score, "positive": None})
            if READ_ERROR in st.session_state and "uploaded_scores" not in st.session_state:
                st.session_state.update({key: replaced[key] for key in SHOWN if key in replaced})
    if TABLE in st.session_state:
        _pickers(*st.session_state[TABLE])
    if "uploaded_scores" not in st.session_state:
        return None
    name, parts = st.session_state["uploaded_scores"]
    if upload is None:  # Streamlit forgets an upload once another page is shown; its scores stay
        st.info(f"Showing **{state.literal(name)}**, uploaded earlier. Upload another file to replace it.")
    elif st.session_state.get("uploaded_scores_id") != upload.file_id:
        st.info(f"Still showing the scores from {state.literal(name)}.")
    elif READ_ERROR in st.session_state:  # columns chosen that cannot be read: those read before stay
        before = _reading({**parts.columns, "positive": parts.positive})
        st.info(state.literal(f"Still showing {name} as read before: {before}."))
    return name, parts


def _read(choice: dict) -> None:
    """Read the latest file's scores with ``choice`` (``None``: found by name, or guessed): shown when they can
    be, with the columns and positive class they were read with as the new choice; else the error is kept
    to be shown (a prompt, where only a positive class is missing), and the choice as made. A threshold typed
    in or set by hand stays for other columns of the same file (to compare two models' scores at it); one
    found by a finder, or any on another file's scores, goes."""
    file_id, name, table = st.session_state[TABLE]
    st.session_state[PICKERS_ROUND] = st.session_state.get(PICKERS_ROUND, 0) + 1
    try:
        parts = table.parts(choice["label"], choice["score"], choice["positive"])
    except LogRegError as exc:
        st.session_state[CHOICE] = choice
        st.session_state[READ_ERROR] = (str(exc), isinstance(exc, PositiveToChoose))
        return
    st.session_state.pop(READ_ERROR, None)
    st.session_state[CHOICE] = {**parts.columns, "positive": parts.positive}
    same_file = st.session_state.get("uploaded_scores_id") == file_id
    st.session_state["uploaded_scores"], st.session_state["uploaded_scores_id"] = (name, parts), file_id
    if not (same_file and HAND_SET.match(st.session_state.get("upload_threshold_how", ""))):
        for key in THRESHOLD_KEYS:
            st.session_state.pop(key, None)


def _picked(role: str, key: str) -> None:
    """A picker changed: read again with it. Another true-class column has other labels: its positive class
    is guessed again; another positive class takes its own probability column, where the score was one."""
    choice = {**st.session_state[CHOICE], role: st.session_state[key]}
    if role == "label":
        choice["positive"] = None
    if role == "positive" and choice["score"] and class_of(choice["score"]) is not None:
        choice["score"] = None
    _read(choice)


def _pickers(file_id: str, name: str, table: ScoreTable) -> None:
    """Which columns hold the true class and the score, and which label is positive: folded under a line that
    says what was read, open while the file cannot be read as chosen."""
    choice, (error, prompt) = st.session_state[CHOICE], st.session_state.get(READ_ERROR, (None, False))
    if prompt:
        st.info(f"{state.literal(name)}: {state.literal(error)}")
    elif error:
        state.show_error(error, f"Could not use {state.literal(name)}")
    positives = _labels(table, choice["label"])
    # open for an error that asks for other columns; one about the rows (a blank true class, one class in the
    # test rows) is fixed in the file, and the columns, open, said "choose the true class and the score"
    about_columns = bool(error) and "choose" in error
    if prompt:
        title = f"Columns of {name}: choose the positive class"
    elif about_columns:
        title = f"Columns of {name}: choose the true class and the score"
    elif error:
        title = f"Columns of {name}"
    else:
        title = f"Columns: {_reading(choice)}"
    options = {"label": table.columns, "score": table.columns, "positive": positives}
    with st.expander(state.literal(title), expanded=about_columns, icon=":material/view_column:"):
        for (role, label), column in zip(ROLES.items(), st.columns(3)):
            key = f"scores_{role}_{st.session_state[PICKERS_ROUND]}"
            shown_value = choice[role]
            column.selectbox(label, options[role], key=key, on_change=_picked, args=(role, key),
                             index=options[role].index(shown_value) if shown_value in options[role] else None,
                             placeholder="Choose a column" if role != "positive" else "Guessed",
                             disabled=role == "positive" and not positives)


def _reading(choice: dict) -> str:
    return f"true class {choice['label']} (positive {choice['positive']}), score {choice['score']}"


def _labels(table: ScoreTable, column: str | None) -> list[str]:
    """The labels a true-class column offers as the positive class; none for a column that cannot be one."""
    if column is None:
        return []
    try:
        labels = table.labels(column)
    except LogRegError:
        return []
    return labels if len(labels) <= MAX_TARGET_LABELS else []


def other_scores(parts: ScoreParts) -> tuple[str, ScoreParts] | None:
    """"Compare with": another score column of the shown scores' file, and its scores for the same cases once
    one is chosen and can be read (else why not, shown). Nothing to choose once the shown scores' file is gone
    (its table replaced by a file that could not be used)."""
    file = st.session_state.get(TABLE)
    if file is None or file[0] != st.session_state.get("uploaded_scores_id"):
        return None
    file_id, _, table = file
    options = table.comparable_columns(parts)
    if not options:
        return None
    column = state.kept_choice("Compare with another model's scores", COMPARE, options, None, announce=False,
                               placeholder="Choose a score column",
                               help="Another column of this file with scores for the same cases: both ROC curves, "
                                    "and DeLong's test of whether their AUCs differ by more than chance.")
    if column is None:
        return None
    wanted = (file_id, parts.columns["label"], parts.columns["score"], parts.positive, column)
    if st.session_state.get(COMPARED, (None,))[0] != wanted:
        try:
            st.session_state[COMPARED] = (wanted, table.other_scores(parts, column))
        except LogRegError as exc:
            st.session_state[COMPARED] = (wanted, exc)
    other = st.session_state[COMPARED][1]
    if isinstance(other, LogRegError):
        state.show_error(other, f"Cannot compare with {state.literal(column)}")
        return None
    for note in (note for note in other.notes if note not in parts.notes):  # how its cells were read ("90%")
        st.info(state.literal(note))
    for warning in other.warnings:
        st.warning(state.literal(warning))
    return column, other
