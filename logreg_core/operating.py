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
        value = _number(arg, f"target {kind}")
        if not 0 < value <= 1:
            raise LogRegError(f"target {kind} must be in (0, 1], got {arg}")
        return kind, value
    if kind == "cost" and arg:
        return kind, validate_cost_ratio(_number(arg, "cost ratio"))
    raise LogRegError(f"unknown way to choose a threshold {choice!r}: use {CHOICES}")


def choose_threshold(sweep: Sweep, choice: str) -> float:
    """The threshold that ``choice`` (e.g. ``"youden"``, ``"sensitivity:0.95"``, ``"cost:5"``) picks."""
    kind, value = parse_choice(choice)
    finders = {"youden": sweep.find_youden, "f1": sweep.find_max_f1, "sensitivity": sweep.find_sensitivity,
               "specificity": sweep.find_specificity, "cost": sweep.find_min_cost}
    return finders[kind]() if value is None else finders[kind](value)
