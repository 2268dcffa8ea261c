"""Training against scikit-learn's LogisticRegression on the same splits, and its contract."""
import re

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from logreg_core import LogRegError, TrainConfig, load_dataset, run_training, train
from logreg_core.training import compiled_epoch

SEED_SETTINGS = TrainConfig(epochs=200, batch_size=64, learning_rate=0.01, optimizer="sgd")


def sklearn_best_accuracy(ds):
    scaler = StandardScaler().fit(ds.X_train)
    return max(
        LogisticRegression(C=C, max_iter=10_000).fit(scaler.transform(ds.X_train), ds.y_train)
        .score(scaler.transform(ds.X_test), ds.y_test)
        for C in (1.0, 100.0)
    )


@pytest.mark.slow
def test_breast_cancer_with_the_seeds_settings_matches_sklearn():
    """Over five seeded splits, the mean gap to scikit-learn is at most 1 point (no split worse than 3)."""
    gaps = []
    for seed in range(5):
        ds = load_dataset("breast_cancer", seed=seed)
        ours = run_training(ds, TrainConfig(**{**SEED_SETTINGS.to_dict(), "seed": seed})).history[-1]["test_accuracy"]
        gaps.append(sklearn_best_accuracy(ds) - ours)
    assert np.mean(gaps) <= 0.01, gaps
    assert max(gaps) <= 0.03, gaps


def test_digits_multiclass_within_two_points_of_sklearn():
    ds = load_dataset("digits")
    result = run_training(ds, TrainConfig(epochs=60, batch_size=64, learning_rate=0.1))
    assert result.stopped_reason == "completed" and result.epochs_run == 60
    assert result.history[-1]["test_accuracy"] >= sklearn_best_accuracy(ds) - 0.02
    # the reported accuracy is the kept model's accuracy on test
    assert result.model.loss_and_accuracy(ds.X_test, ds.y_test)[1] == result.history[-1]["test_accuracy"]


def test_same_seed_same_numbers_and_different_seed_differs():
    ds = load_dataset("breast_cancer")
    run = lambda seed: [{k: v for k, v in h.items() if k != "seconds"}  # noqa: E731
                        for h in run_training(ds, TrainConfig(epochs=5, seed=seed)).history]
    assert run(3) == run(3)
    assert run(3) != run(4)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_every_optimizer_lowers_the_loss(optimizer):
    ds = load_dataset("breast_cancer")
    history = run_training(ds, TrainConfig(epochs=5, learning_rate=0.01, optimizer=optimizer)).history
    assert history[-1]["train_loss"] < np.log(2) - 0.05


def test_reports_scores_that_are_the_models_probabilities():
    ds = load_dataset("breast_cancer")
    report = next(iter(train(ds, TrainConfig(epochs=1))))
    np.testing.assert_allclose(report.val_scores, report.model.predict_proba(ds.X_val))
    assert report.val_scores.shape == (len(ds.y_val),)
    assert 0 <= report.val_scores.min() and report.val_scores.max() <= 1


def test_divergence_is_reported_with_advice_and_keeps_finite_weights():
    ds = load_dataset("digits")
    result = run_training(ds, TrainConfig(epochs=50, learning_rate=1e6))
    assert result.stopped_reason == "diverged"
    assert "lower the learning rate" in result.message.lower()
    assert np.isfinite(result.model.weights).all()
    assert result.epochs_run < 50


def test_a_loss_that_stays_high_ends_training_with_the_weights_from_before_it_went_up():
    ds = load_dataset("breast_cancer")
    first = run_training(ds, TrainConfig(epochs=2))
    result = run_training(ds, TrainConfig(epochs=20, learning_rate=1e38), initial=first.model)
    start = first.history[-1]["train_loss"]
    assert all(h["train_loss"] > 10 * start for h in result.history)  # high (finite) from its first epoch
    assert result.stopped_reason == "diverged" and [h["epoch"] for h in result.history] == [3, 4, 5, 6, 7]
    assert result.model.epochs_trained == 2 and "the weights of epoch 2 are kept" in result.message
    np.testing.assert_array_equal(result.model.weights, first.model.weights)
    np.testing.assert_array_equal(result.val_scores, first.val_scores)


def test_early_stopping_with_no_epoch_better_than_the_start_keeps_the_start_and_names_its_loss():
    ds = load_dataset("breast_cancer")
    first = run_training(ds, TrainConfig(epochs=2))
    result = run_training(ds, TrainConfig(epochs=20, learning_rate=1e38, early_stopping=2), initial=first.model)
    assert result.stopped_reason == "early_stopped" and [h["epoch"] for h in result.history] == [3, 4]
    assert result.model.epochs_trained == 2
    assert f"restored the weights of epoch 2 (validation loss {first.history[-1]['val_loss']:.4f})" in result.message


def test_early_stopping_restores_the_best_epoch():
    ds = load_dataset("breast_cancer")
    result = run_training(ds, TrainConfig(epochs=400, learning_rate=1.0, optimizer="adam", early_stopping=3))
    assert result.stopped_reason == "early_stopped"
    losses = [h["val_loss"] for h in result.history]
    best = int(np.argmin(losses)) + 1
    assert result.model.epochs_trained == best
    assert result.model.loss_and_accuracy(ds.X_val, ds.y_val)[0] == pytest.approx(min(losses))
    assert result.message.startswith("Stopped early: validation loss has not improved for 3 epochs; restored "
                                     f"the weights of epoch {best} ")
    one = run_training(ds, TrainConfig(epochs=400, learning_rate=1.0, optimizer="adam", early_stopping=1))
    assert "has not improved for 1 epoch; restored" in one.message


def test_continue_resumes_from_the_weights_and_numbers_epochs_on():
    ds = load_dataset("breast_cancer")
    first = run_training(ds, TrainConfig(epochs=3))
    more = run_training(ds, TrainConfig(epochs=2), initial=first.model)
    assert [h["epoch"] for h in more.history] == [4, 5]
    assert more.history[-1]["train_loss"] < first.history[-1]["train_loss"]


def test_stopping_by_closing_the_generator_or_by_request():
    ds = load_dataset("breast_cancer")
    epochs = train(ds, TrainConfig(epochs=100))
    next(epochs)
    epochs.close()  # nothing to wait for: no thread, nothing left behind
    calls = []
    result = run_training(ds, TrainConfig(epochs=100), should_stop=lambda: len(calls) >= 2,
                          on_epoch=calls.append)
    assert result.stopped_reason == "stopped" and result.epochs_run == 2
    assert result.model.epochs_trained == 2


def test_batch_larger_than_data_is_clamped_with_a_note():
    ds = load_dataset("breast_cancer")
    result = run_training(ds, TrainConfig(epochs=1, batch_size=10_000))
    assert any("full batch" in note for note in result.notes)


@pytest.mark.parametrize("field,value,fragment", [
    ("epochs", 0, "1–10,000"), ("epochs", -5, "1–10,000"), ("epochs", 1_000_000, "1–10,000"),
    ("batch_size", 0, "at least 1"), ("learning_rate", 0, "positive"), ("learning_rate", -1, "positive"),
    ("learning_rate", float("nan"), "finite"), ("optimizer", "rmsprop", "choose one of"),
    ("epochs", "ten", "whole number"),
])
def test_invalid_config_raises_a_clear_error(field, value, fragment):
    with pytest.raises(LogRegError, match=fragment):
        train(load_dataset("breast_cancer"), TrainConfig(**{field: value}))


def test_the_epoch_is_compiled_once_and_never_retraced():
    ds = load_dataset("breast_cancer")
    run_training(ds, TrainConfig(epochs=2))
    run_training(load_dataset("synthetic", n_samples=200, n_features=3), TrainConfig(epochs=2, batch_size=7))
    assert compiled_epoch(True, "sgd").experimental_get_tracing_count() == 1


def test_constant_features_do_not_produce_nan():
    ds = load_dataset("breast_cancer")
    ds.X_train[:, 0] = ds.X_val[:, 0] = ds.X_test[:, 0] = 5.0
    result = run_training(ds, TrainConfig(epochs=3))
    assert np.isfinite(result.model.weights).all() and np.isfinite(result.history[-1]["val_loss"])


@pytest.mark.parametrize("split,value", [("train", np.nan), ("val", np.inf), ("test", 1e154)])
def test_features_that_are_not_finite_are_named_before_training(split, value):
    """A Dataset built by hand with a NaN (which ended training as "diverged: lower the learning rate") or a
    value whose square overflows (which standardized every row to 0) is refused, naming the value's place."""
    ds = load_dataset("breast_cancer")
    getattr(ds, f"X_{split}")[3, 2] = value
    with pytest.raises(LogRegError, match=re.escape(f"first {value!r} at X_{split}[3, 2] (feature 'mean perimeter'): "
                                                    "fill or remove them")):
        run_training(ds, TrainConfig(epochs=1))


def test_a_constant_column_of_an_inexact_value_has_no_effect_on_the_model():
    """A column of 0.1s has a float std of ~1e-17, not 0: it must still count as constant."""
    ds = load_dataset("breast_cancer")
    assert np.std(np.full(len(ds.y_train), 0.1)) > 0  # the rounding noise this is about
    for X in (ds.X_train, ds.X_val, ds.X_test):
        X[:, 0] = 0.1
    model = run_training(ds, TrainConfig(epochs=20)).model
    assert model.scale[0] == 1 and not model.standardize(ds.X_train)[:, 0].any()
    assert model.weights[0, 0] == 0 and model.odds_ratios()["per_unit"][0] == 1
    other = ds.X_test.copy()
    other[:, 0] = 0.11
    np.testing.assert_array_equal(model.predict_proba(other), model.predict_proba(ds.X_test))


def test_probabilities_keep_their_precision_in_both_tails():
    """Far-out logits stay distinct probabilities (0.5·(1 + tanh(z/2)) made every z below −37 exactly 0)."""
    from scipy.special import expit

    from logreg_core.model import sigmoid

    z = np.concatenate([np.linspace(-700, 700, 20_001), [-40.0, -50.0, 0.0, 40.0]])
    np.testing.assert_allclose(sigmoid(z), expit(z), rtol=2e-15, atol=0)
    assert 0 < sigmoid(np.array([-50.0]))[0] < sigmoid(np.array([-40.0]))[0]


def test_tensorflows_objects_are_kept_out_of_full_garbage_collections():
    """Streamlit runs gc.collect(2) after every script run; walking TensorFlow's ~400k objects each
    time held the GIL for ~0.2 s and slowed training (logreg_core/tf_runtime.py)."""
    import gc

    from logreg_core.tf_runtime import tensorflow

    tensorflow()
    assert gc.get_freeze_count() > 100_000


def test_tensorflows_start_up_lines_are_hidden_for_every_caller_but_other_stderr_passes():
    """The dashboard imports TensorFlow through tf_runtime too: its server log had oneDNN and absl lines."""
    import os
    import subprocess
    import sys

    code = ("import sys, threading, time; from logreg_core.tf_runtime import tensorflow\n"
            "print('before', file=sys.stderr)\n"
            "server = threading.Thread(target=lambda: (time.sleep(0.3), print('during', file=sys.stderr)))\n"
            "server.start(); tensorflow(); server.join(); print('after', file=sys.stderr)")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    # the server's own line, written from another thread during the import, passes (the import takes seconds)
    assert quiet.returncode == 0 and quiet.stderr.split() == ["before", "during", "after"], quiet.stderr
    loud = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**env, "TF_CPP_MIN_LOG_LEVEL": "0"})
    assert "oneDNN" in loud.stderr  # the lines exist: the quiet run hid them rather than never printing them


@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
def test_the_probability_of_a_given_class_is_the_softmax_or_sigmoid_entry(name):
    """``proba_of_class`` (the Model page's "said 7 (84%)"), against scipy on the model's own logits."""
    from scipy.special import expit, softmax

    from logreg_core.model import TrainedModel

    ds = load_dataset(name)
    rng = np.random.default_rng(0)
    start = TrainedModel.untrained(ds)
    model = start.with_weights(rng.normal(size=start.weights.shape), rng.normal(size=start.bias.shape), 1)
    classes = rng.integers(0, ds.n_classes, len(ds.y_test))
    z = model.logits(ds.X_test)
    expected = (np.where(classes == 1, expit(z), 1 - expit(z)) if ds.n_classes == 2
                else softmax(z, axis=1)[np.arange(len(classes)), classes])
    np.testing.assert_allclose(model.proba_of_class(ds.X_test, classes), expected, rtol=1e-12, atol=1e-15)
