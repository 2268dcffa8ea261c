"""Named ways of choosing a threshold, as typed on the command line or picked in the UI."""
from __future__ import annotations

from .errors import LogRegError
from .threshold import Sweep, validate_cost_ratio

CHOICES = "youden, f1, sensitivity:TARGET, specificity:TARGET or cost:RATIO"


def _number(text: str, what: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise LogRegError(f"{what} must be a number, got {text!r}") from None


def parse_choice(choice: str) -> tuple[str, float | None]:
    """``"sensitivity:0.95"`` → ``("sensitivity", 0.95)``; raises LogRegError for anything else."""
    kind, _, arg = choice.strip().lower().partition(":")
    if kind in ("youden", "f1") and not arg:
        return kind, None
    if kind in ("sensitivity", "specificity") and arg:
        return kind, choice_target(kind, _number(arg, f"target {kind}"))
    if kind == "cost" and arg:
        return kind, validate_cost_ratio(_number(arg, "cost ratio"))
    raise LogRegError(f"unknown way to choose a threshold {choice!r}: use {CHOICES}")


def choice_target(kind: str, value: float) -> float:
    """A target sensitivity or specificity to choose a threshold by, as the page takes one: above 0 (every
    threshold meets a target of 0, so the one found would flag no one) and at most 1."""
    if not 0 < value <= 1:
        raise LogRegError(f"target {kind} must be in (0, 1], got {value:g}")
    return value


def describe_choice(kind: str, value: float | None = None, prevalence: float | None = None) -> str:
    """How a threshold was chosen (``parse_choice``'s kind and value), in the words that the Threshold page,
    the CLI and the model card share: "max Youden's J", "sensitivity ≥ 0.95", "minimum cost at 5:1"."""
    if kind in ("youden", "f1"):
        return "max Youden's J" if kind == "youden" else "max F1"
    if kind == "cost":
        return f"minimum cost at {value:g}:1" + ("" if prevalence is None else f", prevalence {prevalence:.4g}")
    return f"{kind} ≥ {value:g}"


def find_threshold(sweep: Sweep, kind: str, value: float | None = None, prevalence: float | None = None) -> float:
    """The threshold that the finder ``kind`` (``parse_choice``'s) picks on ``sweep``: ``value`` is its target or
    cost ratio, ``prevalence`` the population's for a cost (None: the scores' own). NaN where it is undefined."""
    if kind == "cost":
        return sweep.find_min_cost(value, prevalence)
    finders = {"youden": sweep.find_youden, "f1": sweep.find_max_f1, "sensitivity": sweep.find_sensitivity,
               "specificity": sweep.find_specificity}
    return finders[kind]() if value is None else finders[kind](value)


def choose_threshold(sweep: Sweep, choice: str) -> float:
    """The threshold that ``choice`` (e.g. ``"youden"``, ``"sensitivity:0.95"``, ``"cost:5"``) picks."""
    return find_threshold(sweep, *parse_choice(choice))
