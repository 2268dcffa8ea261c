"""Reading and writing score files: ``y_true,score[,split]`` from any model."""
from __future__ import annotations

import numpy as np

from .csv_cells import marked_numbers, percent_fraction, text_numbers, typed_columns
from .csv_reader import NoDataRows, read_text_table
from .csv_target import MAX_TARGET_LABELS, TARGET_NAMES, encode_labels, is_id_name, match_positive, usual_positive
from .errors import LogRegError, listed
from .threshold import Sweep, validate_scores

SPLITS = ("val", "test")


class ScoreParts(dict):
    """Scores by split, ``{"val": (y, s), "test": (y, s)}``, or ``{"all": (y, s)}`` with ``unsplit``
    saying why they are not split (no split column, or a split column with one split only), ``notes``:
    sentences on how cells were read that a reader should know of ("90%" read as 0.9, a guessed positive
    class), ``names``: the negative and positive classes' names, ``positive``: the positive label as the file
    writes it, and ``columns``: where y and s came from."""

    def __init__(self, parts: dict, unsplit: str = ""):
        super().__init__(parts)
        self.unsplit = unsplit
        self.notes: list[str] = []
        self.names = ("negative", "positive")  # the classes coded 0 and 1, as the file names them
        self.columns = {"label": "y_true", "score": "score"}  # the columns they were read from
        self.positive = "1"  # the positive class's label as the file writes it
        self.warnings: list[str] = []  # what makes these numbers likely not the ones meant

    def same_rows_warning(self) -> str | None:
        """What choosing and reporting on the same rows means, when they are not split."""
        if "all" not in self:
            return None
        return (f"{self.unsplit}: operating points are chosen and reported on the same rows, so they look "
                "better than they will on new data.")


# the loader's names for a target column, y_true (the format's own) first, and what a scores file adds
LABEL_COLUMNS = ("y_true", *(name for name in TARGET_NAMES if name != "y_true"), "truth", "actual")
SCORE_COLUMNS = ("score", "y_score", "y_prob", "y_proba", "y_pred_proba", "prob", "proba", "probability", "risk",
                 "risk_score", "predicted_risk", "predicted_probability", "decision_function", "margin", "logit")
SPLIT_COLUMNS = ("set", "subset", "partition", "fold", "dataset")  # beside "split", read when holding split names
PROBABILITY_PREFIX = "probability_"  # the app's prediction files: probability_<class> per class
CLASS_PREFIXES = (PROBABILITY_PREFIX, "proba_", "prob_")  # a class's probability column, as exports name it


class PositiveToChoose(LogRegError):
    """The file cannot say which class is positive (a probability column per class, or more than two labels):
    a choice to ask for, not a fault of the file."""


def how_to_choose(*options: str) -> str:
    """Where a choice is made, on the page and on the command line: "(Threshold page: Columns; …)"."""
    return f"(Threshold page: Columns; command line: {' or '.join(options)})"


class ScoreTable:
    """A scores file read once, so that which columns hold the true class and the score, and which label is
    positive, can be chosen (or guessed) and changed without reading it again. Read as the CSV loader reads a
    table (its encodings, delimiters, ``sep=`` line and decimal mark, decided once for the file), with a header
    row; every cell is kept as text until a column is chosen."""

    def __init__(self, file):
        raw = _file_bytes(file)
        if not raw.strip():
            raise LogRegError("the scores file is empty: expected a header line y_true,score (and optionally split) "
                              "and then one row per case")
        try:
            frame, _, facts = read_text_table(raw, header=True)
        except NoDataRows:
            raise LogRegError("the scores file has no rows: put one row per case below the header "
                              "y_true,score") from None
        except LogRegError as exc:
            raise LogRegError(f"cannot read the scores file: {exc}") from None
        frame.columns = [str(c).strip() for c in frame.columns]
        # A column without a name before a named one is in the header (pandas' row index: ",y_true,score"), and
        # is not read; filled columns past the last name are not, as when "1,0,9" splits a decimal comma's score
        named = [i for i, c in enumerate(frame.columns) if c not in facts["unnamed"]]
        extra = [c for i, c in enumerate(frame.columns)
                 if c in facts["unnamed"] and i > max(named, default=-1) and frame[c].notna().any()]
        if extra:
            raise LogRegError(f"some rows have {len(frame.columns)} fields, but the header names "
                              f"{len(frame.columns) - len(facts['unnamed'])}: a decimal comma in a comma-separated "
                              "file splits a number in two; separate fields with semicolons, or write decimal points")
        self.frame, self.decimal, self.rows = frame, facts["decimal"], facts["rows"]
        self.columns = [c for c in frame.columns if c not in facts["unnamed"]]
        self._written = [name.strip().lower() for name in facts["names"]]  # "score,score": score and score_2
        self._encoded: dict[str, tuple] = {}  # a true-class column's labels, codes and kind, once per column
        self._with_numbers: list[str] | None = None  # the columns that could hold scores, once asked for

    def column(self, given, role: str, guesses: tuple[str, ...] = ()) -> str | None:
        """The column named ``given`` (as written, else ignoring case), or when none is given the first of
        ``guesses`` the file has (``None`` if it has none)."""
        lowered = [c.lower() for c in self.columns]
        if given is not None:
            wanted = str(given).strip()
            if wanted in self.columns:
                return wanted
            if lowered.count(wanted.lower()) == 1:
                return self.columns[lowered.index(wanted.lower())]
            raise LogRegError(f"the scores file has no column {wanted!r} for the {role}; its columns are "
                              f"{listed(self.columns, 12)}")
        return next((self.columns[lowered.index(name)] for name in guesses if name in lowered), None)

    def labels(self, column: str) -> list[str]:
        """The distinct true-class labels in ``column``, sorted as they are coded (what ``positive`` names)."""
        return self._classes(column)[0]

    def _classes(self, column: str) -> tuple[list[str], np.ndarray, bool]:
        """``column`` as true classes: its sorted labels, each row's code among them, and whether they are
        numbers; typed as the loader types a column (numbers, true/false or text), once."""
        if column not in self._encoded:
            typed = typed_columns(self.frame[[column]], self.decimal)[column]
            labels, codes, _, numeric = encode_labels(typed)
            self._encoded[column] = (labels, codes, numeric)
        return self._encoded[column]

    def guessed(self, label_column=None, score_column=None, positive=None) -> tuple[str | None, str | None]:
        """The true-class and score columns read for these choices: as given, else found by name (``None``
        where no column has a usual name). Of the columns holding one class's probability each
        (``probability_<class>``), the positive class's is the score: the one named, else the one 0/1 or
        yes/no-like labels make positive; a lone one is the score whatever its class."""
        label = self.column(label_column, "true class", LABEL_COLUMNS)
        score = self.column(score_column, "score", SCORE_COLUMNS)
        if score is None and score_column is None:
            per_class = {class_of(c).lower(): c for c in self.columns if class_of(c) is not None}
            wanted = positive if positive is not None else self._usual_positive(label)
            score = per_class.get(str(wanted).strip().lower()) if wanted is not None else None
            if score is None and len(per_class) == 1:
                score = next(iter(per_class.values()))
        return label, score

    def _usual_positive(self, label: str | None) -> str | None:
        """The label taken as positive without looking at scores: 1 of 0/1 (or −1/1), or of two text labels the
        one with a usual positive name (yes, true, positive, …)."""
        if label is None:
            return None
        try:
            labels, _, numeric = self._classes(label)
        except LogRegError:
            return None
        if set(labels) <= {"0", "1"} or set(labels) == {"-1", "1"}:
            return "1"
        index = usual_positive(labels) if len(labels) == 2 and not numeric else None
        return None if index is None else labels[index]

    def parts(self, label_column=None, score_column=None, positive=None) -> ScoreParts:
        """Scores by split (``ScoreParts``) for the chosen columns and positive label (each ``None``: guessed,
        with a note that says so): validation and test when a ``split`` column has both, else all rows."""
        label, score = self.guessed(label_column, score_column, positive)
        if label is not None and positive is not None:  # a label the column lacks is said before anything else
            labels, _, numeric = self._classes(label)
            match_positive(positive, labels, numeric, label)
        if label is None or score is None:
            raise self._missing_columns(label, score)
        if label == score:
            raise LogRegError(f"the true class and the score are both column {label!r}: choose two columns")
        split = self._split_column(notes := [])
        twice = [c for c in (label, score, split) if c and self._written.count(c.lower()) > 1]
        if twice:
            raise LogRegError(f"the scores file has more than one column named {' and '.join(twice)}: keep one")
        notes += self._found_by_name(label if label_column is None else None, score if score_column is None else None)
        s = _scores(self.frame[score], self.decimal, self.rows, score, notes)
        y, names, shown = self._true_classes(label, score, s, positive, notes)
        parts = _by_split(self.frame, split, y, s, self.rows)
        _both_classes(parts, label, shown)
        parts.notes, parts.names, parts.positive = notes, names, shown[1]
        parts.columns = {"label": label, "score": score}
        if self._other_class(score, parts):
            named = class_of(score)
            parts.warnings.append(f"The score column {score!r} is the probability of {named!r}, but {shown[1]!r} "
                                  f"is the positive class: these scores rank the other class; choose "
                                  f"{_class_column(score, shown[1])!r} as the score, or {named!r} as the positive "
                                  f"class {how_to_choose('--score-column', '--positive')}.")
        distinct = np.unique(s)
        if distinct.size == 1:
            parts.warnings.append(f"Every score in column {score!r} is {distinct[0]:g}: they do not tell any case "
                                  "from another, so a threshold flags everyone (at or below it) or no one (above); "
                                  "no threshold trades one error for the other. Choose a column of probabilities "
                                  "or margins.")
        elif distinct.size == 2:
            parts.warnings.append(f"The score column {score!r} holds only 2 different values "
                                  f"({', '.join(f'{v:g}' for v in distinct)}): predicted classes, it seems, not "
                                  "scores. Every threshold between them gives the same matrix; for the trade-off, "
                                  "choose a column of probabilities or margins.")
        return parts

    def comparable_columns(self, parts: ScoreParts) -> list[str]:
        """The columns another model's scores for ``parts``' cases could be in: those with numbers in them, but
        not their true class, their score, the split, an identifier (``row``, ``patient_id``, …) or another
        class's probability."""
        if self._with_numbers is None:
            self._with_numbers = [c for c in self.columns
                                  if not is_id_name(c) and text_numbers(self.frame[c], self.decimal).notna().any()]
        taken = {parts.columns["label"], parts.columns["score"], self._split_column([])}
        return [c for c in self._with_numbers if c not in taken and not self._other_class(c, parts)]

    def other_scores(self, parts: ScoreParts, column) -> ScoreParts:
        """Another model's scores for ``parts``' cases, from ``column``, to compare with them: read with
        ``parts``' true-class column and positive class, so the rows, their split and their labels are the same."""
        other = self.column(column, "scores to compare with")
        if other == parts.columns["score"]:
            raise LogRegError(f"{other!r} is the score shown already: compare it with another model's score column")
        if is_id_name(other):
            raise LogRegError(f"{other!r} is named as an identifier, not as a model's scores: compare with a column "
                              "of another model's scores")
        if self._other_class(other, parts):
            raise LogRegError(f"{other!r} is the probability of {class_of(other)!r}, not of the positive class "
                              f"{parts.positive!r}: compare with another model's probability of {parts.positive!r}")
        return self.parts(parts.columns["label"], other, parts.positive)

    def _other_class(self, column: str, parts: ScoreParts) -> bool:
        """Whether ``column`` is named as the probability of one of the true-class column's labels other than
        ``parts``' positive one."""
        named = class_of(column)
        return (named is not None and named.lower() != parts.positive.lower()
                and named.lower() in map(str.lower, self.labels(parts.columns["label"])))

    def _split_column(self, notes: list[str]) -> str | None:
        """The column named ``split``; else one with another usual name for it (``set``, ``subset``, …) that
        holds split names only (val, test, …), noted; a ``fold`` of numbers is no split."""
        split = self.column(None, "split", ("split",))
        if split is not None:
            return split
        for column in (c for c in self.columns if c.lower() in SPLIT_COLUMNS):
            values = set(self.frame[column].dropna().str.strip().str.lower())
            if values and values <= {*SPLITS, "validation", "train", "training"}:
                notes.append(f"Read the split (validation or test) from column {column!r}, found by its name.")
                return column
        return None

    def _found_by_name(self, label: str | None, score: str | None) -> list[str]:
        """A note on the columns found by their names (not y_true and score, which the format names), and on
        other columns with a usual score name, which could be meant instead."""
        others = [c for c in self.columns if score and c != score and
                  (c.lower() in SCORE_COLUMNS or (class_of(c) is not None and class_of(score) is None))]
        found = [f"{what} from column {name!r}" for what, name, usual in
                 (("true classes", label, "y_true"), ("scores", score, "score"))
                 if name and (name.lower() != usual or (what == "scores" and others))]
        if not found:
            return []
        also = f" (the file also has {listed([repr(c) for c in others], 4)})" if others else ""
        how = how_to_choose("--label-column", "--score-column")
        return [f"Read {' and '.join(found)}{also}, found by {'their names' if len(found) > 1 else 'its name'}; "
                f"to read others, choose them {how}."]

    def _true_classes(self, column: str, score: str, s: np.ndarray, positive, notes: list[str]):
        """(1 for positive cases else 0, the classes' names (negative, positive) and their labels as written in
        messages). The positive class is the one named; else the class a ``probability_<class>`` score column
        names; else 1 of 0/1 or −1/1; of two text labels, one with a usual positive name (yes, true, …); of any
        other two, the one whose cases score higher (scores are for the class they rank higher), with a note;
        of more labels, one must be chosen, and the rest count as negative."""
        missing = self.frame[column].isna().to_numpy()
        if missing.any():
            raise LogRegError(f"the {column} column is blank or NA on {int(missing.sum())} row(s) (first on data "
                              f"row {self.rows[missing.argmax()]}): each case needs its true class; fill or remove "
                              "those rows")
        labels, codes, numeric = self._classes(column)
        choose_columns = how_to_choose("--label-column", "--score-column")
        if numeric and not all(float(label).is_integer() for label in labels):
            fractions = [label for label in labels if not float(label).is_integer()][:3]
            raise LogRegError(f"the {column} column holds numbers that are not whole ({', '.join(fractions)}): it "
                              f"should hold each case's true class (0/1, or two labels), not scores; choose the "
                              f"columns {choose_columns}")
        if len(labels) > MAX_TARGET_LABELS:
            raise LogRegError(f"the {column} column has {len(labels):,} different values, too many for classes (an "
                              f"identifier, it seems): choose the column of true classes {choose_columns}")
        named = class_of(score) if positive is None else None
        if named is not None and named.lower() in map(str.lower, labels):
            positive = named
        if positive is None and len(labels) != 2:  # one label, or many: ask which
            if set(labels) <= {"0", "1"}:  # 0/1 with one class missing, said as such later
                return (codes == labels.index("1") if "1" in labels else codes < 0).astype(np.int64), \
                    ("negative", "positive"), ("0", "1")
            many = "only one label" if len(labels) == 1 else f"{len(labels)} labels"
            raise PositiveToChoose(f"the {column} column has {many} ({listed([repr(v) for v in labels], 8)}), not "
                                   f"0/1: choose the positive one {how_to_choose('--positive')}; the others count "
                                   "as negative")
        if positive is not None:
            index, remark = match_positive(positive, labels, numeric, column)
            notes += [remark] if remark else []
            if named is not None:
                notes.append(f"{labels[index]!r} is the positive class, as the score column {score!r} names it.")
        elif (usual := self._usual_positive(column)) is not None:
            index = labels.index(usual)
            if set(labels) not in ({"0", "1"}, {"-1", "1"}):
                notes.append(f"{usual!r} in column {column!r} was taken as the positive class, as a usual name for "
                             f"it, and {labels[1 - index]!r} as negative; to swap them, choose "
                             f"{labels[1 - index]!r} as the positive class {how_to_choose('--positive')}.")
        else:  # two labels that say nothing: the scores do
            auc = Sweep.from_scores(codes, s).roc_auc()
            index = int(auc >= 0.5)
            notes.append(f"{labels[index]!r} in column {column!r} was taken as the positive class because its cases "
                         f"score higher (ROC AUC {max(auc, 1 - auc):.3f} that way round), and {labels[1 - index]!r} "
                         f"as negative; to swap them, choose {labels[1 - index]!r} as the positive class "
                         f"{how_to_choose('--positive')}.")
        chosen = labels[index]
        y = (codes == index).astype(np.int64)
        if len(labels) > 2:
            notes.append(f"One-vs-rest: column {column!r} has {len(labels)} labels; {chosen!r} is the positive "
                         f"class and the other {len(labels) - 1} are negative.")
            return y, (f"not {chosen}", chosen), (f"other than {chosen}", chosen)
        other = labels[1 - index] if len(labels) == 2 else f"other than {chosen}"
        if {chosen, other} in ({"0", "1"}, {"-1", "1"}) and chosen == "1":
            return y, ("negative", "positive"), (other, chosen)
        names = (f"class {other}", f"class {chosen}") if numeric else (other, chosen)
        return y, names, (other, chosen)

    def _missing_columns(self, label, score) -> LogRegError:
        per_class = [c for c in self.columns if class_of(c) is not None]
        if label is not None and len(per_class) > 1:  # the app's predictions of a multiclass model
            return PositiveToChoose(f"the scores file has a probability column per class ({listed(per_class, 4)}): "
                                    "choose the positive class, and its probability is the score, or choose the "
                                    f"score column {how_to_choose('--positive', '--score-column')}")
        wanted = [f"a column of true classes (y_true, or one named {', '.join(LABEL_COLUMNS[1:4])}, …)"
                  if label is None else "",
                  f"a column of scores (score, or one named {', '.join(SCORE_COLUMNS[1:3])}, …, or "
                  f"{PROBABILITY_PREFIX}<class>)" if score is None else ""]
        how = how_to_choose("--label-column", "--score-column")
        return LogRegError(f"the scores file needs {' and '.join(w for w in wanted if w)}; its columns are "
                           f"{listed(self.columns, 12)}: choose them {how}")


def read_scores(file, label_column=None, score_column=None, positive=None) -> ScoreParts:
    """``ScoreTable(file).parts(...)``: the scores by split, with the true class and the score read from the
    columns named (or found by name) and ``positive`` the label counted as positive (0/1 needs none)."""
    return ScoreTable(file).parts(label_column, score_column, positive)


def class_of(column: str) -> str | None:
    """The class a ``probability_<class>`` column (or ``proba_``, ``prob_``) holds the probability of, if it
    is one."""
    return next((column[len(p):] for p in CLASS_PREFIXES if column.lower().startswith(p) and len(column) > len(p)),
                None)


def _class_column(score: str, cls: str) -> str:
    """``probability_<cls>`` written as ``score`` writes its prefix."""
    return score[:len(score) - len(class_of(score))] + cls


def _file_bytes(file) -> bytes:
    try:
        if isinstance(file, bytes) or hasattr(file, "read"):
            return file if isinstance(file, bytes) else file.read()
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise LogRegError(f"cannot read the scores file {file}: {exc.strerror or exc}") from None


def _by_split(frame, column: str | None, y: np.ndarray, s: np.ndarray, rows: np.ndarray) -> ScoreParts:
    """The rows by the split ``column``, if there is one with both splits; else all of them (``rows``: each
    row's data row in the file, for the messages)."""
    if column is None:
        return ScoreParts({"all": validate_scores(y, s)}, "No split column")
    split = frame[column].fillna("").str.lower().replace({"validation": "val"})
    unknown = sorted(set(split) - set(SPLITS))
    if unknown:
        training = {"train", "training"} & set(unknown)
        advice = (f": remove the {int(split.isin(training).sum())} {'/'.join(sorted(training))} rows (scores on the "
                  "cases a model learned from flatter it; thresholds are chosen on val, reported on test)"
                  if training else "")
        found = ", ".join(value or "(blank or NA)" for value in unknown[:5])
        first = rows[np.flatnonzero(~split.isin(SPLITS).to_numpy())[0]]
        raise LogRegError(f"split must be 'val' or 'test', found {found} (first on data row {first}){advice}")
    parts = {name: validate_scores(y[split == name], s[split == name]) for name in SPLITS if (split == name).any()}
    if len(parts) == 2:
        return ScoreParts(parts)
    only = "validation" if "val" in parts else "test"
    return ScoreParts({"all": validate_scores(y, s)}, f"The split column holds {only} rows only")


def _both_classes(parts: ScoreParts, column: str, shown: tuple[str, str]) -> None:
    """Sensitivity, specificity, ROC AUC and the operating points all need positives and negatives."""
    rows = {"val": "validation rows", "test": "test rows", "all": "rows"}
    for part, (y, _) in parts.items():
        for code, kind in ((1, "positive"), (0, "negative")):
            if not (y == code).any():
                raise LogRegError(f"the scores file's {rows[part]} have no {kind} cases ({column} {shown[code]}): "
                                  "threshold analysis needs both classes")


def _scores(text, decimal: str, rows: np.ndarray, name: str, notes: list[str]) -> np.ndarray:
    """The score column ``name`` as finite numbers, with the file's decimal mark. Text that is not one ("high", "inf")
    is named in the error, by its data row in the file (``rows``); a blank cell, or one the loader reads as
    missing ("NA"), is called missing. A percentage is read as the fraction it stands for ("90%" is 0.9, so
    that "0.9" beside it means the same), and thousands separators or a currency sign are dropped ("1,250" is
    1250); each of these is noted, as a threshold is on the scale the cells are read in."""
    missing = text.isna().to_numpy()
    numbers, marked = marked_numbers(text, decimal)
    percent = marked & text.str.strip().str.endswith("%", na=False)
    if percent.any():
        numbers[percent] = text[percent].map(lambda cell: percent_fraction(str(cell).strip(), decimal))
        notes.append(f"The {name} column has {int(percent.sum()):,} value(s) written as a percentage, such as "
                     f"{text[percent].iloc[0]!r}: read as the fraction it stands for "
                     f"({numbers[percent].iloc[0]:g}), so thresholds are fractions too.")
    if (marked & ~percent).any():
        unit = marked & ~percent
        notes.append(f"The {name} column has {int(unit.sum()):,} value(s) written with a currency sign or thousands "
                     f"separators, read as plain numbers (such as {text[unit].iloc[0]!r} as "
                     f"{numbers[unit].iloc[0]:g}).")
    values = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~missing & ~np.isfinite(values)
    if bad.any():
        if bad.sum() == (~missing).sum() and not np.isinf(values).any():  # every value is text: labels
            labels = ", ".join(repr(v) for v in sorted(text[bad].unique())[:3])
            raise LogRegError(f"the {name} column holds text ({labels}), not numbers: each score must be a "
                              "number; choose the score column, or recode it")
        examples = ", ".join(repr(v) for v in text[bad].unique()[:3])
        raise LogRegError(f"the {name} column has {int(bad.sum())} value(s) that are not finite numbers, such as "
                          f"{examples} (first on data row {rows[bad.argmax()]}): each score must be a number; "
                          "fix or remove those rows")
    if missing.any():
        raise LogRegError(f"the {name} column is blank or NA on {int(missing.sum())} row(s) (first on data row "
                          f"{rows[missing.argmax()]}): each score must be a number; fill or remove those rows")
    return values


def scores_csv(val: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray],
               rows: tuple[np.ndarray, np.ndarray]) -> str:
    """``split,y_true,score,row`` rows for validation then test (full float precision), ``row`` being each
    case's place in the data (``Dataset.val_rows``, ``test_rows``), so that the scores join back to it."""
    lines = ["split,y_true,score,row"]
    for name, (y, s), where in (("val", val, rows[0]), ("test", test, rows[1])):
        lines += [f"{name},{int(t)},{float(p)!r},{int(r)}" for t, p, r in zip(y, s, where)]
    return "\n".join(lines) + "\n"
