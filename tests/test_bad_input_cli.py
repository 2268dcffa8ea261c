"""Issue 7, command-line level: the same bad files and settings as tests/test_bad_input_app.py.

Each is exit code 2 and exactly one stderr line ``error: …`` that says what is
wrong and what to do; the cases with a defined outcome (a batch larger than the
data, a diverging learning rate, a threshold beyond the scores) give it. Most
cases call ``logreg_core.cli.main`` in-process; a few run a real process to show
the exit code, the single line, and that bad input is refused before
TensorFlow (which prints its own log lines) is imported.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from logreg_core import cli

from .test_bad_input_app import BAD_FILES, csv_bytes, rows_with


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def refused(capsys, *argv) -> str:
    code, _, err = run_cli(capsys, *argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    return lines[0]


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_files_are_one_error_line_saying_what_to_do(capsys, tmp_path, case):
    data, problem, remedy, *target = BAD_FILES[case]
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    line = refused(capsys, "train", "--csv", path, "--epochs", 1, *(["--target", target[0]] if target else []))
    assert problem.lower() in line.lower() and remedy.lower() in line.lower(), line


def test_a_file_over_the_size_limit(capsys, tmp_path, monkeypatch):
    """The real limit is 200 MB; the check is the same with the limit shrunk to 1 KB."""
    from logreg_core import csv_reader

    monkeypatch.setattr(csv_reader, "MAX_BYTES", 1024)
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes(rows_with(60)))
    assert path.stat().st_size > 1024
    line = refused(capsys, "train", "--csv", path, "--epochs", 1)
    assert "MB limit" in line and "use a smaller file" in line, line


def test_a_header_read_as_data_is_named_and_header_forces_it(capsys, tmp_path):
    """Column names that look like numbers ("2019,2020,outcome") are taken for data; its "outcome" is then a class
    of one row. The error names that class and says what it often is; --header reads the row as names."""
    path = tmp_path / "years.csv"
    path.write_bytes(csv_bytes([["2019", "2020", "outcome"]] + [[i % 7, i * 3 % 11, i % 2] for i in range(40)]))
    line = refused(capsys, "train", "--csv", path, "--epochs", 1)
    assert "smallest class 1: 'outcome' has 1 row" in line and "a header or a note line read as data" in line, line
    code, out, err = run_cli(capsys, "train", "--csv", path, "--header", "--epochs", 1, "--json")
    summary = json.loads(out)
    assert code == 0 and summary["n_train"] + summary["n_val"] + summary["n_test"] == 40, err
    assert summary["classes"] == ["0", "1"] and "The first row is used as column names, as asked." in err
    assert "--no-header: not allowed with argument --header" in refused(capsys, "train", "--csv", path, "--header",
                                                                      "--no-header")


def test_a_positive_label_that_does_not_occur(capsys, tmp_path):
    path = tmp_path / "labels.csv"
    path.write_bytes(csv_bytes(rows_with(40)))
    line = refused(capsys, "train", "--csv", path, "--positive", "maybe", "--epochs", 1)
    assert "'maybe'" in line and "'yes'" in line and "'no'" in line, line


@pytest.mark.parametrize("argv,fragment", [
    (["--epochs", 0], "epochs=0 is outside 1–10,000"),
    (["--epochs", -3], "epochs=-3 is outside 1–10,000"),
    (["--epochs", 10**6], "epochs=1000000 is outside 1–10,000"),
    (["--batch-size", 0], "batch_size=0: a batch needs at least 1 example"),
    (["--learning-rate", 0], "learning_rate=0.0: it must be a positive, finite number"),
    (["--learning-rate", -1], "learning_rate=-1.0: it must be a positive, finite number"),
    (["--learning-rate", "nan"], "learning_rate=nan: it must be a positive, finite number"),
    (["--threshold", "nan"], "threshold"),
    (["--threshold", "abc"], "invalid float value: 'abc'"),
])
def test_bad_training_settings(capsys, argv, fragment):
    line = refused(capsys, "train", "--dataset", "breast_cancer", *argv)
    assert fragment in line, line


@pytest.mark.parametrize("argv,fragment", [
    (["--dataset", "breast_cancer", "--positive", "benign"], "--positive applies to --csv only"),
    (["--dataset", "breast_cancer", "--target", "radius", "--no-header"], "--target, --no-header apply to --csv only"),
    (["--dataset", "breast_cancer", "--class-sep", 2], "--class-sep applies to --dataset synthetic only"),
    (["--dataset", "digits", "--threshold", 0.3], "--threshold applies to binary data only: digits has 10 classes"),
    (["--dataset", "digits", "--scores-out", "s.csv"], "--scores-out applies to binary data only"),
    (["--dataset", "synthetic", "--n-classes", 3, "--choose", "youden"],
     "--choose applies to binary data only: synthetic has 3 classes"),
    (["--dataset", "synthetic", "--n-classes", 3, "--weights", 0.2], "--weights applies to binary data only"),
    (["--dataset", "synthetic", "--weights", 0], "weights=0.0: the positive share must be between 0 and 1"),
    (["--dataset", "synthetic", "--weights", 1], "weights=1.0: the positive share must be between 0 and 1"),
    (["--dataset", "synthetic", "--weights", "nan"], "weights=nan: the positive share must be between 0 and 1"),
    (["--dataset", "synthetic", "--weights", "much"], "invalid float value: 'much'"),
    (["--dataset", "synthetic", "--class-sep", -1], "class_sep=-1.0: use a number above 0"),
    (["--dataset", "synthetic", "--class-sep", "inf"], "class_sep=inf: use a number above 0"),
    (["--dataset", "synthetic", "--class-sep", 0], "class_sep=0.0: use a number above 0"),  # scikit-learn refuses 0
])
def test_options_that_would_be_ignored_or_are_out_of_range(capsys, argv, fragment):
    line = refused(capsys, "train", "--epochs", 1, *argv)
    assert fragment in line, line


def test_a_threshold_for_a_multiclass_csv_points_to_positive(capsys, tmp_path):
    path = tmp_path / "three.csv"
    path.write_bytes(csv_bytes([["x1", "x2", "label"]] + [[i % 7, i % 5, "abc"[i % 3]] for i in range(60)]))
    line = refused(capsys, "train", "--csv", path, "--epochs", 1, "--threshold", 0.3)
    assert "--threshold applies to binary data only: three.csv has 3 classes" in line, line
    assert "--positive LABEL trains one label against the rest" in line, line


@pytest.mark.parametrize("option,path,fragment", [
    ("--export", "{file}", "--export {file} is a file: give a directory (it is created if missing)"),
    ("--export", "{file}/model", "--export {file}/model: {file} is a file, not a directory"),
    ("--scores-out", "{folder}", "--scores-out {folder} is a directory: give a file name"),
    ("--scores-out", "{file}/s.csv", "--scores-out {file}/s.csv: {file} is a file, not a directory"),
])
def test_output_paths_that_cannot_work_are_refused_before_training(capsys, tmp_path, option, path, fragment):
    names = {"file": tmp_path / "taken", "folder": tmp_path}
    names["file"].write_text("not a folder")
    code, out, err = run_cli(capsys, "train", "--dataset", "breast_cancer", "--epochs", 1,
                             option, path.format(**names))
    assert code == 2 and err.startswith(f"error: {fragment.format(**names)}") and err.count("\n") == 1, err
    assert "epoch" not in out  # refused before training


@pytest.mark.parametrize("option,name", [("--export", "model"), ("--scores-out", "s.csv")])
def test_an_output_folder_without_write_permission_is_refused_before_training(capsys, tmp_path, monkeypatch,
                                                                              option, name):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.geteuid() == 0:  # root ignores file modes: answer as the kernel would for anyone else
        monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)
    code, out, err = run_cli(capsys, "train", "--dataset", "breast_cancer", "--epochs", 1, option, locked / name)
    assert code == 2 and err == f"error: {option} {locked / name}: no permission to write in {locked}\n", err
    assert "epoch" not in out


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, where no one can make a folder")
@pytest.mark.parametrize("option,name", [("--export", "model"), ("--scores-out", "s.csv")])
def test_an_output_folder_that_refuses_new_entries_despite_its_permissions_is_refused_before_training(
        capsys, option, name):
    """/proc reads as writable to root (os.access), yet nothing can be made there."""
    code, out, err = run_cli(capsys, "train", "--dataset", "breast_cancer", "--epochs", 1, option, f"/proc/{name}")
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith((f"error: {option} /proc/{name}: cannot write in /proc (",  # root
                           f"error: {option} /proc/{name}: no permission to write in /proc")), err
    assert "epoch" not in out


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full, whose writes fail as on a full disk")
def test_a_full_disk_while_writing_scores_is_one_error_line(capsys):
    line = refused(capsys, "train", "--dataset", "breast_cancer", "--epochs", 1, "--scores-out", "/dev/full")
    assert line == "error: cannot write --scores-out /dev/full: No space left on device", line


def test_a_failed_export_is_one_error_line(capsys, tmp_path, monkeypatch):
    """TensorFlow reports file trouble with its own exceptions, not OSError."""
    from logreg_core.tf_runtime import tensorflow

    tf = tensorflow()

    def denied(module, directory, signatures):
        raise tf.errors.PermissionDeniedError(None, None, f"{directory}/variables; Permission denied")

    monkeypatch.setattr(tf.saved_model, "save", denied)
    target = tmp_path / "model"
    line = refused(capsys, "train", "--dataset", "breast_cancer", "--epochs", 1, "--export", target)
    assert line == f"error: cannot write --export {target}: {target}/variables; Permission denied", line


@pytest.fixture
def scores(tmp_path):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    s = np.clip(rng.random(200) * 0.6 + 0.35 * y, 0.001, 0.999)
    path = tmp_path / "scores.csv"
    path.write_text("y_true,score\n" + "\n".join(f"{a},{b:.6f}" for a, b in zip(y, s)) + "\n")
    return path, y, s


@pytest.mark.parametrize("argv,fragment", [
    (["--prevalence", 0], "strictly between 0 and 1"),
    (["--prevalence", 1], "strictly between 0 and 1"),
    (["--cost-ratio", 0], "positive"),
    (["--cost-ratio", -1], "positive"),
    (["--threshold", "nan"], "threshold"),
])
def test_bad_threshold_settings(capsys, scores, argv, fragment):
    line = refused(capsys, "threshold", "--scores", scores[0], *argv)
    assert fragment in line, line


def test_a_scores_file_with_a_non_numeric_score(capsys, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("y_true,score\n1,0.9\n0,0.2\n1,high\n0,0.1\n")
    line = refused(capsys, "threshold", "--scores", path)
    assert "'high'" in line and "number" in line, line
    assert "first on data row 3" in line, line  # rows counted as in the file, after the header
    path.write_text("y_true,score\n1,-inf\n0,inf\n1,0.2\n")  # written out: named as they are
    line = refused(capsys, "threshold", "--scores", path)
    assert line == ("error: the score column has 2 value(s) that are not finite numbers, such as '-inf', 'inf' "
                    "(first on data row 1): each score must be a number; fix or remove those rows"), line
    path.write_text("y_true,score\n1,0.4\n0,0.2\n1,NA\n")  # missing, as the CSV loader reads NA
    line = refused(capsys, "threshold", "--scores", path)
    assert line == ("error: the score column is blank or NA on 1 row(s) (first on data row 3): each score must "
                    "be a number; fill or remove those rows"), line
    path.write_text("y_true,score,split\n1,0.9,val\n0,0.2,\n")
    assert refused(capsys, "threshold", "--scores", path) == ("error: split must be 'val' or 'test', found (blank or "
                                                             "NA) (first on data row 2)")
    path.write_text("y_true,score\n1,0.9\n0,\n1,0.7\n")
    line = refused(capsys, "threshold", "--scores", path)
    assert line == ("error: the score column is blank or NA on 1 row(s) (first on data row 2): each score must be "
                    "a number; fill or remove those rows"), line


@pytest.mark.parametrize("content,fragment", [("", "error: the scores file is empty"),
                                              ("\n\n", "error: the scores file is empty"),
                                              ("a|b\n1|2\n", "error: the scores file needs a column of true classes")])
def test_an_empty_or_undelimited_scores_file(capsys, tmp_path, content, fragment):
    path = tmp_path / "scores.csv"
    path.write_text(content)
    line = refused(capsys, "threshold", "--scores", path)
    assert line.startswith(fragment), line


@pytest.mark.parametrize("content,fragment", [
    (b"PK\x03\x04\x14\x00binary", "error: cannot read the scores file: this looks like an Excel file"),
    (b"x,y\n" + bytes(range(1, 32)) * 40, "error: cannot read the scores file: this looks like a binary"),
    (b"\x89PNG\r\n\x1a\n", "error: cannot read the scores file: this looks like a PNG image"),
])
def test_a_binary_scores_file_is_named_as_the_loader_names_it(capsys, tmp_path, content, fragment):
    path = tmp_path / "scores.csv"
    path.write_bytes(content)
    line = refused(capsys, "threshold", "--scores", path)
    assert line.startswith(fragment) and "codec" not in line, line


@pytest.mark.parametrize("content,fragment", [
    ("y_true,score\n0,0.1\n0,0.7\n0,0.4\n", "the scores file's rows have no positive cases (y_true 1)"),
    ("y_true,score\n1,0.1\n1,0.7\n", "the scores file's rows have no negative cases (y_true 0)"),
    ("y_true,score,split\n1,0.9,val\n0,0.2,val\n0,0.3,test\n0,0.6,test\n",
     "the scores file's test rows have no positive cases (y_true 1)"),
])
@pytest.mark.parametrize("as_json", [[], ["--json"]])
def test_scores_of_a_single_class_are_refused(capsys, tmp_path, content, fragment, as_json):
    """Sensitivity or specificity, ROC AUC and every operating point are undefined then."""
    path = tmp_path / "scores.csv"
    path.write_text(content)
    line = refused(capsys, "threshold", "--scores", path, *as_json)
    assert fragment in line and line.endswith("threshold analysis needs both classes"), line


@pytest.mark.parametrize("threshold,flagged", [(5.0, 0), (-5.0, 200)])
def test_a_threshold_beyond_the_scores_puts_everyone_in_one_class(capsys, scores, threshold, flagged):
    code, out, _ = run_cli(capsys, "threshold", "--scores", scores[0], "--threshold", threshold, "--json")
    counts = json.loads(out)["counts"]
    assert code == 0 and counts["tp"] + counts["fp"] == flagged
    assert sum(counts[k] for k in ("tp", "fp", "tn", "fn")) == 200
    assert counts["tp"] + counts["fn"] == int(scores[1].sum())


def test_a_batch_larger_than_the_data_is_clamped_with_a_note(capsys):
    code, out, err = run_cli(capsys, "train", "--dataset", "breast_cancer", "--epochs", 2, "--batch-size", 100_000,
                             "--json")
    summary = json.loads(out)
    assert code == 0 and summary["stopped_reason"] == "completed" and summary["epochs_run"] == 2
    n_train = summary["n_train"]
    note = f"note: Batch size 100000 is larger than the {n_train} training rows: using {n_train} (full batch)."
    assert note in err and err.index(note) < err.index("epoch     1/2")  # said before training, not after it
    assert summary["notes"].count(note[len("note: "):]) == 1


def test_a_huge_learning_rate_is_reported_as_divergence(capsys):
    code, out, err = run_cli(capsys, "train", "--dataset", "breast_cancer", "--epochs", 30, "--learning-rate", 1e6,
                             "--json")
    summary = json.loads(out)
    assert code == 0 and summary["stopped_reason"] == "diverged" and summary["epochs_run"] < 30
    assert "lower the learning rate" in err.lower()


def test_early_stopping_reports_the_kept_epochs_test_numbers(capsys):
    """The top-level test numbers are the model's, and the model is the restored epoch, not the last run."""
    code, out, err = run_cli(capsys, "train", "--dataset", "breast_cancer", "--epochs", 300, "--optimizer", "adam",
                             "--learning-rate", 0.5, "--early-stopping", 3, "--json")
    summary = json.loads(out)
    kept = summary["model_epoch"]
    assert code == 0 and summary["stopped_reason"] == "early_stopped"
    assert kept == summary["epochs_run"] - 3 == summary["history"][kept - 1]["epoch"]
    assert summary["test_accuracy"] == summary["history"][kept - 1]["test_accuracy"] \
        == summary["test_at_threshold"]["metrics"]["accuracy"]["value"]  # at the default 0.5
    assert summary["test_log_loss"] == summary["history"][kept - 1]["test_loss"]
    assert err.rstrip().endswith(f"after {summary['epochs_run']} epochs (early_stopped; the model is epoch {kept}'s)")


@pytest.mark.parametrize("argv", [
    ["train", "--csv", "{empty}"],
    ["train", "--dataset", "breast_cancer", "--epochs", "0"],
    ["train", "--dataset", "breast_cancer", "--epochs", "3", "--export", "{empty}"],
    ["threshold", "--scores", "{scores}", "--prevalence", "1"],
])
def test_in_a_real_process_bad_input_is_one_line_and_never_loads_tensorflow(tmp_path, scores, argv):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    argv = [a.format(empty=empty, scores=scores[0]) for a in argv]
    probe = ("import sys, runpy; sys.argv = ['logreg_core'] + sys.argv[1:]\n"
             "try:\n    runpy.run_module('logreg_core', run_name='__main__')\n"
             "finally:\n    print('tensorflow' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in done.stderr
    assert done.stdout.strip() == "False"  # TensorFlow was never imported


def test_a_scores_file_with_training_rows_says_to_remove_them(capsys, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("y_true,score,split\n1,0.9,train\n0,0.2,train\n1,0.7,val\n0,0.3,val\n1,0.8,test\n0,0.1,test\n")
    line = refused(capsys, "threshold", "--scores", path)
    assert line.startswith("error: split must be 'val' or 'test', found train (first on data row 1): remove the 2 "
                           "train rows"), line
    path.write_text("y_true,score,split\n1,0.9,holdout\n0,0.2,val\n")
    assert refused(capsys, "threshold", "--scores", path) == ("error: split must be 'val' or 'test', found holdout "
                                                             "(first on data row 1)")


@pytest.mark.parametrize("content,line", [
    # the row numbers are the file's data rows, past a row the reader skipped (",": no value at all)
    ("y_true,score\n1,0.4\n,\n0,high\n", "error: the score column has 1 value(s) that are not finite numbers, such "
     "as 'high' (first on data row 3): each score must be a number; fix or remove those rows"),
    # more than two labels and none named positive: which is the positive class is the user's to say
    ("y_true,score\nlow,0.4\nmid,0.3\nhigh,0.8\n", "error: the y_true column has 3 labels ('high', 'low', "
     "'mid'), not 0/1: choose the positive one (Threshold page: Columns; command line: --positive); the others "
     "count as negative"),
    # scores where the true classes belong, as a swap of the two columns gives
    ("y_true,score\n0.4,1\n0.3,0\n0.8,1\n", "error: the y_true column holds numbers that are not whole (0.3, "
     "0.4, 0.8): it should hold each case's true class (0/1, or two labels), not scores; choose the columns "
     "(Threshold page: Columns; command line: --label-column or --score-column)"),
    ("y_true,score\n1,0.4\n,\n0,0.3\n1,NA\n", "error: the score column is blank or NA on 1 row(s) (first on data "
     "row 4): each score must be a number; fill or remove those rows"),
    # decimal commas between commas: each score split in two (read as 0, silently, by a reader that padded)
    ("y_true,score\n1,0,9\n0,0,2\n1,0,7\n0,0,1\n", "error: some rows have 3 fields, but the header names 2: a "
     "decimal comma in a comma-separated file splits a number in two; separate fields with semicolons, or "
     "write decimal points"),
    ("y_true,Score,score\n1,0.9,0.8\n0,0.2,0.1\n", "error: the scores file has more than one column named Score: "
     "keep one"),
    # written exactly alike, the second is read as score_2 or y_true_2: still two scores, two truths
    ("y_true,score,score\n1,0.9,0.8\n0,0.2,0.1\n", "error: the scores file has more than one column named score: "
     "keep one"),
    ("y_true,y_true,score\n1,1,0.8\n0,0,0.1\n", "error: the scores file has more than one column named y_true: "
     "keep one"),
    ("y_true,score,split\n1,0.9,NA\n0,0.2,val\n", "error: split must be 'val' or 'test', found (blank or NA) "
     "(first on data row 1)"),
])
def test_scores_files_the_reader_cannot_take_at_their_word(capsys, tmp_path, content, line):
    path = tmp_path / "scores.csv"
    path.write_text(content)
    assert refused(capsys, "threshold", "--scores", path) == line
    path.write_text("y_true,score,\n1,0.9,\n0,0.2,\n1,0.7,\n0,0.1,\n")  # a trailing comma's empty field is fine
    assert run_cli(capsys, "threshold", "--scores", path, "--json")[0] == 0


def test_bad_threshold_options_are_the_one_line_said_before_the_file_is_read(capsys, tmp_path):
    """A file whose reading makes a note ("90%" read as 0.9) gave that note and then the error on a bad option:
    the options are checked first. A proportion given as a percentage is told how to write it."""
    path = tmp_path / "percent.csv"
    path.write_text("y_true,score\n1,90%\n0,20%\n1,60%\n0,35%\n")
    assert "(a proportion: 0.05 for 5%)" in refused(capsys, "threshold", "--scores", path, "--prevalence", 5)
    assert "target sensitivity" in refused(capsys, "threshold", "--scores", path, "--target-sensitivity", 95)
    # 0, which every threshold meets, as train --choose sensitivity:0 and the page refuse it
    for command in (("threshold", "--scores", path, "--target-sensitivity", 0),
                    ("train", "--dataset", "breast_cancer", "--choose", "sensitivity:0")):
        assert refused(capsys, *command) == "error: target sensitivity must be in (0, 1], got 0"
    assert "cost_ratio" in refused(capsys, "threshold", "--scores", path, "--cost-ratio", 0)
    assert "prevalence" in refused(capsys, "threshold", "--scores", tmp_path / "missing.csv", "--prevalence", 0)


@pytest.mark.parametrize("written, flagged", [("-inf", 4), ("-1e-3", 4), ("1e-3", 4), ("inf", 0)])
def test_a_negative_threshold_is_a_number_not_an_option(capsys, tmp_path, written, flagged):
    """argparse took "--threshold -inf" and "--threshold -1e-3" for an option missing its value."""
    path = tmp_path / "scores.csv"
    path.write_text("y_true,score\n1,0.9\n0,0.2\n1,0.6\n0,0.35\n")
    code, out, err = run_cli(capsys, "threshold", "--scores", path, "--threshold", written, "--json")
    summary = json.loads(out)
    assert code == 0 and float(summary["threshold"]) == float(written) and summary["threshold_chosen_by"] == "given"
    assert summary["counts"]["tp"] + summary["counts"]["fp"] == flagged
    line = refused(capsys, "train", "--dataset", "breast_cancer", "--learning-rate", "-1e-3")  # its own rule, said
    assert "learning_rate" in line and "positive" in line, line
