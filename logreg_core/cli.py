"""Command line: ``python -m logreg_core {datasets,train,threshold}``.

Bad input exits with code 2 and one line starting ``error:`` on stderr.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path

from .errors import LogRegError

BINARY_ONLY = ("--threshold", "--choose", "--scores-out", "--weights")
CSV_ONLY = ("--target", "--positive", "--header", "--no-header")
SYNTHETIC_ONLY = ("--n-samples", "--n-features", "--n-classes", "--weights", "--class-sep")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2: the project's convention for bad input
        raise LogRegError(message)


def _parser() -> argparse.ArgumentParser:
    from .datasets import BUILTIN_DATASETS
    from .operating import CHOICES

    parser = _Parser(prog="python -m logreg_core", description="Logistic regression you can watch and question.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("datasets", help="list the built-in datasets")

    t = sub.add_parser("train", help="train a model and report on validation and test",
                       description="Train a logistic regression and report on validation and test. Progress goes "
                                   "to stdout, or to stderr with --json.")
    source = t.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", help=f"a built-in dataset: {', '.join(BUILTIN_DATASETS)}")
    source.add_argument("--csv", type=Path, help="a CSV file of feature columns and a target column")
    t.add_argument("--target", help="--csv: the target column, a name or (with --no-header) a 0-based index "
                                    "(default: guessed, as a note says)")
    t.add_argument("--positive", help="--csv: the label of the positive class; with more than two labels, that "
                                      "label against the rest (default: guessed, as a note says)")
    header = t.add_mutually_exclusive_group()
    header.add_argument("--header", action="store_true",
                        help="--csv: the first row holds the column names (default: detected)")
    header.add_argument("--no-header", action="store_true",
                        help="--csv: the file has no header row (default: detected)")
    t.add_argument("--epochs", type=int, default=200, help="passes over the training split (default: %(default)s)")
    t.add_argument("--batch-size", type=int, default=64, help="examples per gradient step (default: %(default)s)")
    t.add_argument("--learning-rate", type=float, default=0.01, help="step size (default: %(default)s)")
    t.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), default="sgd",
                   help="update rule; momentum is 0.9 (default: %(default)s)")
    t.add_argument("--l2", type=float, default=0.0,
                   help="L2 penalty λ/2·‖W‖² on the weights (default: %(default)s)")
    t.add_argument("--class-weight", choices=("balanced",), default=None,
                   help="balanced: weight each class inversely to its frequency (default: unweighted)")
    t.add_argument("--early-stopping", type=int, default=0, metavar="PATIENCE",
                   help="stop after PATIENCE epochs without a lower validation loss and keep the best epoch's "
                        "weights; 0 is off (default: %(default)s)")
    t.add_argument("--seed", type=int, default=0,
                   help="seed of the data split, the shuffling and the start (default: %(default)s)")
    t.add_argument("--n-samples", type=int, help="synthetic: number of samples, 30 to 200,000 (default: 1000)")
    t.add_argument("--n-features", type=int, help="synthetic: number of features, 1 to 2,000 (default: 2)")
    t.add_argument("--n-classes", type=int, help="synthetic: number of classes, 2 to 10 (default: 2)")
    t.add_argument("--weights", type=float, metavar="SHARE",
                   help="synthetic, binary: share of positive examples, between 0 and 1 (default: balanced)")
    t.add_argument("--class-sep", type=float,
                   help="synthetic: separation of the classes, above 0; larger is easier (default: 1.0)")
    pick = t.add_mutually_exclusive_group()
    pick.add_argument("--threshold", type=float,
                      help="binary: decision threshold, positive when score ≥ threshold (default: 0.5)")
    pick.add_argument("--choose", metavar="HOW",
                      help=f"binary: choose the threshold on validation: {CHOICES}, such as sensitivity:0.95, "
                           "specificity:0.9 or cost:5 (a false negative costs 5 false positives); where "
                           "thresholds tie, youden, f1 and cost take the middle of their range (default: 0.5, "
                           "not chosen)")
    t.add_argument("--export", type=Path, metavar="DIR",
                   help="write a SavedModel and model_card.json to this directory, created if missing "
                        "(default: no export)")
    t.add_argument("--scores-out", type=Path, metavar="PATH",
                   help="binary: write validation and test scores to this CSV file (split,y_true,score,row; "
                        "row: the case's row in the data, counted from 1) (default: not written)")
    t.add_argument("--json", action="store_true", help="print one JSON object on stdout; progress goes to stderr")

    th = sub.add_parser("threshold", help="threshold analytics on a CSV of y_true,score[,split]",
                        description="Metrics with 95% intervals at a threshold, for scores from any model.")
    th.add_argument("--scores", type=Path, required=True, metavar="PATH",
                    help="CSV with columns y_true (1 positive, 0 negative), score and optionally split (val or "
                         "test): operating points are then chosen on val and everything is reported on test; "
                         "other usual names are found (label, target, prob, probability_<class>, …), as the "
                         "app's Test predictions file names them")
    th.add_argument("--label-column", metavar="COL",
                    help="the column of true classes (default: y_true, else one named target, label, class, …)")
    th.add_argument("--score-column", metavar="COL",
                    help="the column of scores (default: score, else one named y_score, y_prob, prob, …, or the "
                         "positive class's probability_<class>)")
    th.add_argument("--positive", metavar="LABEL",
                    help="the true-class label that is positive; with more than two labels, that label against "
                         "the rest (default: 1 for 0/1 labels, else guessed, as a note says)")
    th.add_argument("--threshold", type=float,
                    help="report at this threshold, positive when score ≥ threshold (default: 0.5 for "
                         "probabilities, 0 for scores of both signs, else the middle of the scores' range)")
    th.add_argument("--prevalence", type=float,
                    help="also give PPV, NPV and counts per 1,000 people at this prevalence, between 0 and 1, "
                         "and find the lowest-cost threshold at it (default: the rows' own)")
    th.add_argument("--cost-ratio", type=float, default=1.0,
                    help="cost of a false negative : a false positive, for the lowest-cost operating point and "
                         "the expected cost per person, in false-positive units (default: %(default)s)")
    th.add_argument("--target-sensitivity", type=float, default=0.95,
                    help="sensitivity the sensitivity-target operating point must reach (default: %(default)s)")
    th.add_argument("--compare", metavar="COL",
                    help="another model's score column in the same file: compare the two ROC AUCs on the rows "
                         "reported on, with DeLong's test for paired ROC curves (default: no comparison)")
    th.add_argument("--json", action="store_true",
                    help="print one JSON object on stdout; the readable report goes to stderr")
    return parser


def _negative_numbers_attached(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--threshold -inf`` as ``--threshold=-inf``: argparse takes a value starting with "-" for an option
    unless it reads like -1 or -0.5, so "-inf" and "-1e-3" were "expected one argument". Done for the options
    that take a number, so that a negative one is checked as any other (a negative learning rate is refused
    by its own rule)."""
    numeric = {option for sub in (parser, *_subparsers(parser)) for action in sub._actions
               if action.type in (int, float) for option in action.option_strings}
    out = []
    for token in argv:
        if out and out[-1] in numeric and token.startswith("-") and _is_number(token):
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def _subparsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    return [sub for action in parser._actions if isinstance(action, argparse._SubParsersAction)
            for sub in action.choices.values()]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _refuse_unless(args, flags: tuple[str, ...], allowed: bool, where: str, why: str = "") -> None:
    """An option given where it would be ignored is an error, not a silent no-op."""
    given = [flag for flag in flags if getattr(args, flag[2:].replace("-", "_")) not in (None, False)]
    if given and not allowed:
        raise LogRegError(f"{', '.join(given)} appl{'ies' if len(given) == 1 else 'y'} to {where} only{why}")


def _check_output(option: str, path: Path, folder: Path) -> None:
    """``folder``, where ``path`` goes, must exist or be creatable, and be writable: checked before training."""
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise LogRegError(f"{option} {path}: {existing} is a file, not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise LogRegError(f"{option} {path}: no permission to write in {existing}")
    try:  # and really: permissions do not tell of /proc, read-only mounts or quotas
        handle, probe = tempfile.mkstemp(dir=existing)
        os.close(handle)
        os.unlink(probe)
    except OSError as exc:
        raise LogRegError(f"{option} {path}: cannot write in {existing} ({exc.strerror or exc})") from None


def _check_outputs(args) -> None:
    if args.export is not None:
        if args.export.exists() and not args.export.is_dir():
            raise LogRegError(f"--export {args.export} is a file: give a directory (it is created if missing)")
        _check_output("--export", args.export, args.export)
    if args.scores_out is not None:
        if args.scores_out.is_dir():
            raise LogRegError(f"--scores-out {args.scores_out} is a directory: give a file name, such as "
                              f"{args.scores_out / 'scores.csv'}")
        _check_output("--scores-out", args.scores_out, args.scores_out.parent)


@contextlib.contextmanager
def _writing(option: str, path: Path):
    """A failure to write (no permission, a full disk, TensorFlow's own file errors) is one error line."""
    try:
        yield
    except OSError as exc:
        raise LogRegError(f"cannot write {option} {path}: {exc.strerror or exc}") from None
    except Exception as exc:
        tf = sys.modules.get("tensorflow")
        if tf is None or not isinstance(exc, tf.errors.OpError):
            raise
        raise LogRegError(f"cannot write {option} {path}: {exc.message}") from None


def _estimate(e: dict) -> str:
    """``0.943 (95% CI 0.846–0.981)`` from an ``Estimate.to_dict()``, in the page's and report's digits."""
    from .report import estimate_text

    return "undefined" if e["value"] is None else estimate_text(e["value"], e["ci_low"], e["ci_high"])


def _dataset(args):
    from .datasets import load_dataset

    if args.csv is not None:
        from .csv_loader import from_csv

        target = args.target
        if target is not None and args.no_header and target.isdigit():
            target = int(target)
        return from_csv(args.csv, target=target, positive=args.positive,
                        header=True if args.header else False if args.no_header else None, seed=args.seed)
    options = {k: v for k in ("n_samples", "n_features", "n_classes", "weights", "class_sep")
               if (v := getattr(args, k)) is not None}
    return load_dataset(args.dataset, seed=args.seed, **options)


def _train(args, progress) -> dict:
    from .config import TrainConfig
    from .runs import run_training

    _refuse_unless(args, CSV_ONLY, args.csv is not None, "--csv", ": a built-in dataset fixes its target and classes")
    _refuse_unless(args, SYNTHETIC_ONLY, args.dataset == "synthetic", "--dataset synthetic")
    _refuse_unless(args, ("--weights",), args.n_classes in (None, 2), "binary data",
                   f": synthetic has {args.n_classes} classes")  # before make_classification sees one share
    if args.choose:
        from .operating import parse_choice

        parse_choice(args.choose)  # bad input fails before any data is loaded or TensorFlow starts
    if args.threshold is not None:
        from .threshold import validate_threshold

        validate_threshold(args.threshold)
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                         optimizer=args.optimizer, l2=args.l2, class_weight=args.class_weight,
                         early_stopping=args.early_stopping, seed=args.seed).validated()  # before loading data
    _check_outputs(args)
    dataset = _dataset(args)
    hint = " (--positive LABEL trains one label against the rest)" if args.csv is not None else ""
    _refuse_unless(args, BINARY_ONLY, dataset.is_binary, "binary data",
                   f": {args.dataset or args.csv.name} has {dataset.n_classes} classes{hint}")
    for note in dataset.notes:
        print(f"note: {note}", file=progress)

    def show(report):  # no test numbers on these lines (the JSON history has them): shown as training runs,
        # they invite choosing epochs or settings on the test split. Notes (a batch clamped) come with the first.
        for note in report.notes:
            print(f"note: {note}", file=progress)
        print(f"epoch {report.epoch:>5}/{report.epochs_total}  train_loss {report.train_loss:.4f}  "
              f"train_acc {report.train_accuracy:.4f}  val_loss {report.val_loss:.4f}  "
              f"val_acc {report.val_accuracy:.4f}  ({report.seconds * 1000:.1f} ms)", file=progress)

    result = run_training(dataset, config, on_epoch=show)
    if result.message:
        print(result.message, file=progress)
    test_loss, test_acc = result.model.loss_and_accuracy(dataset.X_test, dataset.y_test)
    summary = {
        "dataset": dataset.name, **{f"n_{k}": v for k, v in dataset.sizes().items()},
        "n_features": dataset.n_features, "classes": list(dataset.class_names),
        "epochs_run": result.epochs_run, "stopped_reason": result.stopped_reason,
        "model_epoch": result.model.epochs_trained,  # early stopping and divergence keep an earlier epoch
        "history": result.history, "test_accuracy": test_acc, "test_log_loss": test_loss,
        "feature_names": list(dataset.feature_names), "notes": list(dataset.notes) + list(result.notes),
    }
    threshold, card_threshold, test_report = 0.5, None, None
    if dataset.is_binary:
        from .export import binary_test_metrics
        from .operating import choose_threshold, describe_choice, parse_choice
        from .threshold import CONVENTION, Sweep

        sweep_val = Sweep.from_scores(dataset.y_val, result.val_scores)
        if args.choose:
            threshold, how = choose_threshold(sweep_val, args.choose), args.choose
        else:
            threshold = 0.5 if args.threshold is None else args.threshold
            how = "given" if args.threshold is not None else "default"
        test_report = binary_test_metrics(dataset.y_test, result.test_scores, threshold)
        # in the card, as the app's card words it: "max Youden's J, found on validation"
        card_threshold = {"value": threshold, "convention": CONVENTION, "split": "validation" if args.choose else None,
                          "chosen_by": f"{describe_choice(*parse_choice(args.choose))}, found on validation"
                          if args.choose else how}
        summary.update(threshold=threshold, threshold_chosen_by=how, convention=CONVENTION,
                       positive_class=dataset.positive_class, test_at_threshold=test_report)
        m = test_report["metrics"]
        print(f"threshold {threshold:g} ({card_threshold['chosen_by']}); on test: sensitivity "
              f"{_estimate(m['sensitivity'])}, specificity {_estimate(m['specificity'])}", file=progress)
        if args.scores_out:
            from .scores import scores_csv

            with _writing("--scores-out", args.scores_out):
                args.scores_out.parent.mkdir(parents=True, exist_ok=True)
                args.scores_out.write_text(scores_csv((dataset.y_val, result.val_scores),
                                                      (dataset.y_test, result.test_scores),
                                                      (dataset.val_rows, dataset.test_rows)))
    if args.export:
        from .export import model_card, save_model
        from .threshold import multiclass_report

        if not dataset.is_binary:
            test_report = multiclass_report(dataset.y_test, result.test_scores, dataset.class_names)

        card = model_card(result.model, dataset=dataset, config=config, threshold=card_threshold,
                          test_report=test_report, history=result.history, stopped_reason=result.stopped_reason)
        with _writing("--export", args.export):
            save_model(result.model, args.export, threshold, card)
        print(f"exported to {args.export}", file=progress)
    kept_epoch = result.model.epochs_trained
    kept = "" if kept_epoch == result.epochs_run else f"; the model is epoch {kept_epoch}'s"
    print(f"test accuracy {test_acc:.4f}, test log loss {test_loss:.4f} after {result.epochs_run} epochs "
          f"({result.stopped_reason}{kept})", file=progress)
    return summary


def _threshold_report(summary: dict, args, n_chosen_on: int, scores) -> list[str]:
    """The summary as readable lines; thresholds to 4 significant digits, more where fewer would flag other
    ``scores``."""
    import numpy as np

    from .report import METRIC_LABELS, auc_text, infinite_ratio, number_text, percent_text
    from .threshold import CONVENTION, per_1000_texts, threshold_texts

    c, m, points = summary["counts"], summary["metrics"], summary["operating_points"]
    sorted_scores = np.sort(scores)
    negative, positive = summary["classes"]
    named = ("", "") if (negative, positive) == ("negative", "positive") else (f": {positive}", f": {negative}")
    classes = f"{c['positives']:,} positive{named[0]}, {c['negatives']:,} negative{named[1]}"
    if summary["reported_on"] == "test":
        rows = (f"Rows: the {c['n']:,} test rows ({classes}); operating points chosen on the "
                f"{n_chosen_on:,} validation rows.")
    else:
        rows = f"Rows: all {c['n']:,} rows ({classes}); operating points chosen on the same rows."
    lines = [rows, f"At threshold {threshold_texts([summary['threshold']], sorted_scores)[0]} "
                   f"({summary['threshold_chosen_by']}; {CONVENTION}): "
                   f"TP {c['tp']:,}, FP {c['fp']:,}, TN {c['tn']:,}, FN {c['fn']:,}"]
    width = max(len(label) for label, _ in METRIC_LABELS.values())
    counts = {cell: c[cell] for cell in ("tp", "fp", "tn", "fn")}
    lines += [f"  {label:<{width}} {'∞' if infinite_ratio(key, **counts) else _estimate(m[key])}"
              for key, (label, _) in METRIC_LABELS.items()]
    lines.append(f"ROC AUC {auc_text(summary['roc_auc'], summary['roc_auc_ci'])}, "
                 f"average precision {summary['average_precision']:.3f}"
                 + (f", Brier score {summary['brier']:.3f}" if "brier" in summary else ""))
    if "prevalence_adjusted" in summary:
        adjusted = summary["prevalence_adjusted"]
        people = per_1000_texts(m["sensitivity"]["value"], m["specificity"]["value"], adjusted["prevalence"])
        lines += [f"At prevalence {adjusted['prevalence']:g} = {percent_text(adjusted['prevalence'])} (in these rows "
                  f"it is {c['positives'] / c['n']:.3f}):",
                  f"  {'PPV':<{width}} {_estimate(adjusted['ppv'])}",
                  f"  {'NPV':<{width}} {_estimate(adjusted['npv'])}",
                  f"  per 1,000 people: TP {people['tp']}, FN {people['fn']}, FP {people['fp']}, TN {people['tn']}"]
        if "net_benefit" in adjusted:
            lines.append(f"  {'net benefit':<{width}} {number_text(adjusted['net_benefit'])} per person (in these "
                         f"rows {number_text(summary['net_benefit'])})")
    at_prevalence = "" if args.prevalence is None else f", prevalence {args.prevalence:g}"
    lines.append(f"Expected cost per person (FN:FP = {args.cost_ratio:g}{at_prevalence}): "
                 f"{number_text(summary['expected_cost'])}, in units of one false positive")
    short = dict(zip(points, threshold_texts(list(points.values()), sorted_scores)))
    lines.append(f"Operating points (thresholds): Youden {short['youden']}, max F1 {short['max_f1']}, lowest cost "
                 f"(FN:FP = {args.cost_ratio:g}{at_prevalence}) {short['min_cost']}, sensitivity ≥ {args.target_sensitivity:g} "
                 f"{short['sensitivity_target']}")
    return lines


def _threshold(args, progress) -> dict:
    import numpy as np

    from .compare import compare_aucs
    from .operating import choice_target
    from .report import comparison_text
    from .scores import ScoreTable
    from .threshold import (CONVENTION, Sweep, brier_score, default_threshold, threshold_texts, validate_cost_ratio,
                            validate_prevalence, validate_threshold)

    # the numbers first: a bad one is the one line said, before a file (maybe large) is read and noted on
    prevalence = None if args.prevalence is None else validate_prevalence(args.prevalence)
    validate_cost_ratio(args.cost_ratio)
    choice_target("sensitivity", args.target_sensitivity)
    given = None if args.threshold is None else validate_threshold(args.threshold)
    table = ScoreTable(args.scores)
    parts = table.parts(args.label_column, args.score_column, args.positive)
    other = None if args.compare is None else table.other_scores(parts, args.compare)
    choose_on, report_on = (parts["val"], parts["test"]) if "val" in parts else (parts["all"], parts["all"])
    scores = np.concatenate((choose_on[1], report_on[1]))
    choose_sweep, sweep = Sweep.from_scores(*choose_on), Sweep.from_scores(*report_on)
    inverted = sweep.inverted_ranking_note("the test rows" if "val" in parts else "these rows")
    few = choose_sweep.few_cases_note("The validation rows have" if "val" in parts else "These rows have")
    notes = parts.notes + [note for note in (inverted, few) if note]
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    for warning in parts.warnings:  # a score column for the other class, predicted classes as scores
        print(f"warning: {warning}", file=sys.stderr)
    points = choose_sweep.operating_points(cost_ratio=args.cost_ratio, target_sensitivity=args.target_sensitivity,
                                           prevalence=prevalence)
    threshold, how = (given, "given") if given is not None else default_threshold([choose_sweep, sweep])
    highest, lowest = float(report_on[1].max()), float(report_on[1].min())
    if threshold > highest or threshold <= lowest:  # e.g. 35 on scores read from "35%" as 0.35
        print(f"note: threshold {threshold:g} is " + (f"above every score (the highest is {highest:g}): no one"
                                                     if threshold > highest else
                                                     f"at or below every score (the lowest is {lowest:g}): everyone")
              + " is flagged", file=sys.stderr)
    if how not in ("given", "default"):  # not probabilities: 0.5 would mean nothing
        print(f"note: the scores are not probabilities: reporting at threshold "
              f"{threshold_texts([threshold], np.sort(scores))[0]} ({how}); "
              "give --threshold to choose another", file=sys.stderr)
    report = sweep.report(threshold, prevalence=prevalence, cost_ratio=args.cost_ratio).to_dict()
    summary = {
        "threshold": threshold, "threshold_chosen_by": how, "convention": CONVENTION,
        "classes": list(parts.names), "positive_label": parts.positive, "columns": parts.columns,
        "operating_points_chosen_on": "val" if "val" in parts else "all",
        "reported_on": "test" if "val" in parts else "all",
        **{k: report[k] for k in ("counts", "metrics", "expected_cost", "net_benefit")},
        **sweep.ranking(),
        "operating_points": points,
        # what the operating points were found for, echoed so that the JSON stands on its own
        "cost_ratio": args.cost_ratio, "target_sensitivity": args.target_sensitivity, "prevalence": prevalence,
        "notes": notes + parts.warnings,
    }
    if sweep.is_probability:
        summary["brier"] = brier_score(*report_on)
    if prevalence is not None:
        summary["prevalence_adjusted"] = report["prevalence_adjusted"]
    if warning := parts.same_rows_warning():
        summary["warning"] = warning
        print(f"warning: {summary['warning']}", file=sys.stderr)
    lines = _threshold_report(summary, args, choose_sweep.n, scores)
    if other is not None:  # on the rows reported on, with how the other column was read where it differs
        said = [note for note in other.notes if note not in parts.notes]
        print("".join(f"note: {note}\n" for note in said)
              + "".join(f"warning: {warning}\n" for warning in other.warnings), end="", file=sys.stderr)
        said += other.warnings
        result = compare_aucs(*report_on, other[summary["reported_on"]][1])
        columns = (parts.columns["score"], other.columns["score"])
        summary["comparison"] = {"score_columns": list(columns), **result.to_dict(), "notes": said}
        rows = "the test rows" if summary["reported_on"] == "test" else "all rows"
        lines.append(f"On {rows} ({result.positives:,} positive, {result.negatives:,} negative), "
                     + comparison_text(result, *(repr(c) for c in columns)))
    print("\n".join(lines), file=progress)
    return summary


def main(argv=None) -> int:
    try:
        parser = _parser()
        args = parser.parse_args(_negative_numbers_attached(parser, sys.argv[1:] if argv is None else list(argv)))
        if args.command == "datasets":
            from .datasets import BUILTIN_DATASETS

            print("\n".join(BUILTIN_DATASETS))
            return 0
        as_json = args.json
        progress = sys.stderr if as_json else sys.stdout
        summary = (_train if args.command == "train" else _threshold)(args, progress)
        if as_json:
            from .jsonsafe import json_safe

            print(json.dumps(json_safe(summary)))
        return 0
    except LogRegError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}".rstrip(": "), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
