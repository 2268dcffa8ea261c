"""Command line: ``python -m logreg_core {datasets,train,threshold}``.

Bad input exits with code 2 and one line starting ``error:`` on stderr.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import LogRegError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2: the project's convention for bad input
        raise LogRegError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m logreg_core", description="Logistic regression you can watch and question.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("datasets", help="list the built-in datasets")

    t = sub.add_parser("train", help="train a model and report on validation and test")
    source = t.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", help="a built-in dataset (see `datasets`)")
    source.add_argument("--csv", type=Path, help="a CSV file")
    t.add_argument("--target", help="target column: a name, or a 0-based index for files without a header")
    t.add_argument("--positive", help="the label of the positive class")
    t.add_argument("--no-header", action="store_true", help="the CSV has no header row")
    t.add_argument("--epochs", type=int, default=200)
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--learning-rate", type=float, default=0.01)
    t.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), default="sgd")
    t.add_argument("--l2", type=float, default=0.0)
    t.add_argument("--class-weight", choices=("balanced",), default=None)
    t.add_argument("--early-stopping", type=int, default=0, metavar="PATIENCE")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--n-samples", type=int, help="synthetic: number of samples")
    t.add_argument("--n-features", type=int, help="synthetic: number of features")
    t.add_argument("--n-classes", type=int, help="synthetic: number of classes")
    pick = t.add_mutually_exclusive_group()
    pick.add_argument("--threshold", type=float, help="decision threshold (binary; default 0.5)")
    pick.add_argument("--choose", help="choose the threshold on validation: youden, f1, sensitivity:0.95, cost:5")
    t.add_argument("--export", type=Path, metavar="DIR", help="write a SavedModel and model_card.json here")
    t.add_argument("--scores-out", type=Path, metavar="PATH", help="write validation and test scores as CSV")
    t.add_argument("--json", action="store_true", help="one JSON object on stdout; progress on stderr")

    th = sub.add_parser("threshold", help="threshold analytics on a CSV of y_true,score[,split]")
    th.add_argument("--scores", type=Path, required=True)
    th.add_argument("--threshold", type=float)
    th.add_argument("--prevalence", type=float)
    th.add_argument("--cost-ratio", type=float, default=1.0, help="cost of a false negative : a false positive")
    th.add_argument("--target-sensitivity", type=float, default=0.95)
    th.add_argument("--json", action="store_true")
    return parser


def _dataset(args):
    from .datasets import load_dataset

    if args.csv is not None:
        from .csv_loader import from_csv

        target = args.target
        if target is not None and args.no_header and target.isdigit():
            target = int(target)
        return from_csv(args.csv, target=target, positive=args.positive,
                        header=False if args.no_header else None, seed=args.seed)
    options = {k: v for k in ("n_samples", "n_features", "n_classes") if (v := getattr(args, k)) is not None}
    if options and args.dataset != "synthetic":
        raise LogRegError("--n-samples, --n-features and --n-classes apply to --dataset synthetic only")
    return load_dataset(args.dataset, seed=args.seed, **options)


def _train(args, progress) -> dict:
    from .config import TrainConfig
    from .runs import run_training

    if args.choose:
        from .operating import parse_choice

        parse_choice(args.choose)  # bad input fails before any data is loaded or TensorFlow starts
    if args.threshold is not None:
        from .threshold import validate_threshold

        validate_threshold(args.threshold)
    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate,
                         optimizer=args.optimizer, l2=args.l2, class_weight=args.class_weight,
                         early_stopping=args.early_stopping, seed=args.seed).validated()  # before loading data
    dataset = _dataset(args)
    for note in dataset.notes:
        print(f"note: {note}", file=progress)

    def show(report):
        print(f"epoch {report.epoch:>5}/{report.epochs_total}  loss {report.train_loss:.4f}  "
              f"val_loss {report.val_loss:.4f}  val_acc {report.val_accuracy:.4f}  "
              f"test_acc {report.test_accuracy:.4f}  ({report.seconds * 1000:.1f} ms)", file=progress)

    result = run_training(dataset, config, on_epoch=show)
    for note in result.notes:
        print(f"note: {note}", file=progress)
    if result.message:
        print(result.message, file=progress)
    test_loss, test_acc = result.model.loss_and_accuracy(dataset.X_test, dataset.y_test)
    summary = {
        "dataset": dataset.name, **{f"n_{k}": v for k, v in dataset.sizes().items()},
        "n_features": dataset.n_features, "classes": list(dataset.class_names),
        "epochs_run": result.epochs_run, "stopped_reason": result.stopped_reason,
        "history": result.history, "test_accuracy": test_acc, "test_log_loss": test_loss,
    }
    threshold, card_threshold, test_report = 0.5, None, None
    if dataset.is_binary:
        from .operating import choose_threshold
        from .threshold import CONVENTION, Sweep

        sweep_val = Sweep.from_scores(dataset.y_val, result.val_scores)
        if args.choose:
            threshold, how = choose_threshold(sweep_val, args.choose), args.choose
        else:
            threshold = 0.5 if args.threshold is None else args.threshold
            how = "given" if args.threshold is not None else "default"
        test_report = Sweep.from_scores(dataset.y_test, result.test_scores).report(threshold).to_dict()
        card_threshold = {"value": threshold, "chosen_by": how, "split": "validation" if args.choose else None,
                          "convention": CONVENTION}
        summary.update(threshold=threshold, threshold_chosen_by=how, convention=CONVENTION,
                       positive_class=dataset.positive_class, test_at_threshold=test_report)
        print(f"threshold {threshold:.4f} ({how}); test sensitivity "
              f"{test_report['metrics']['sensitivity']['value']}, specificity "
              f"{test_report['metrics']['specificity']['value']}", file=progress)
        if args.scores_out:
            from .scores import scores_csv

            args.scores_out.write_text(scores_csv((dataset.y_val, result.val_scores),
                                                  (dataset.y_test, result.test_scores)))
    elif args.scores_out:
        raise LogRegError("--scores-out writes binary scores: use a binary dataset or --positive")
    if args.export:
        from .export import model_card, save_model

        card = model_card(result.model, dataset=dataset, config=config, threshold=card_threshold,
                          test_report=test_report, history=result.history, stopped_reason=result.stopped_reason)
        save_model(result.model, args.export, threshold, card)
        print(f"exported to {args.export}", file=progress)
    print(f"test accuracy {test_acc:.4f}, test log loss {test_loss:.4f} after {result.epochs_run} epochs "
          f"({result.stopped_reason})", file=progress)
    return summary


def _threshold(args, progress) -> dict:
    from .scores import read_scores
    from .threshold import CONVENTION, Sweep, brier_score, validate_prevalence, validate_threshold

    parts = read_scores(args.scores)
    choose_on, report_on = (parts["val"], parts["test"]) if "val" in parts else (parts["all"], parts["all"])
    choose_sweep, sweep = Sweep.from_scores(*choose_on), Sweep.from_scores(*report_on)
    prevalence = None if args.prevalence is None else validate_prevalence(args.prevalence)
    points = choose_sweep.operating_points(cost_ratio=args.cost_ratio, target_sensitivity=args.target_sensitivity)
    threshold = validate_threshold(args.threshold) if args.threshold is not None else 0.5
    report = sweep.report(threshold, prevalence=prevalence, cost_ratio=args.cost_ratio).to_dict()
    summary = {
        "threshold": threshold, "convention": CONVENTION,
        "chosen_on": "val" if "val" in parts else "all", "reported_on": "test" if "val" in parts else "all",
        **{k: report[k] for k in ("counts", "metrics")},
        "roc_auc": sweep.roc_auc(), "roc_auc_ci": list(sweep.roc_auc_ci()),
        "average_precision": sweep.average_precision(),
        "operating_points": points,
    }
    if sweep.is_probability:
        summary["brier"] = brier_score(*report_on)
    if prevalence is not None:
        summary["prevalence_adjusted"] = report["prevalence_adjusted"]
    if "val" not in parts:
        summary["warning"] = ("No split column: operating points were chosen and are reported on the same rows, "
                              "so they look better than they will on new data.")
        print(f"warning: {summary['warning']}", file=progress)
    m = report["metrics"]
    print(f"at threshold {threshold:g} ({CONVENTION}): TP {report['counts']['tp']} FP {report['counts']['fp']} "
          f"TN {report['counts']['tn']} FN {report['counts']['fn']}; sensitivity {m['sensitivity']['value']}, "
          f"specificity {m['specificity']['value']}; ROC AUC {summary['roc_auc']:.4f}", file=progress)
    return summary


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
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
