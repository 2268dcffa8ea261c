"""Training against independent references: optimizers re-done in NumPy from the math, class weights,
history metrics and export against scikit-learn, early stopping against an independent run, and the
standardization / fill statistics against the training split.

Everything here is tiny (a few hundred rows, one to a few epochs) so the file runs in seconds.
"""
import numpy as np
import pytest
from sklearn.metrics import accuracy_score, log_loss
from sklearn.utils.class_weight import compute_class_weight

from logreg_core import TrainConfig, TrainedModel, load_dataset, run_training, train
from logreg_core.training import class_weights

# The optimizers' constants, as the textbook / Keras defaults name them (written out here, not imported,
# so a changed constant in the engine is caught).
MOMENTUM = 0.9
BETA1, BETA2, EPSILON = 0.9, 0.999, 1e-7


# ---------------------------------------------------------------------------------------------
# NumPy reference, written from the math
# ---------------------------------------------------------------------------------------------

def reference_standardize(X_train, X):
    """(X - mean) / std with the training split's statistics; a constant column gets scale 1."""
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return (X - mean) / std


def reference_gradients(W, b, xb, yb, wb, l2, binary):
    """Gradient of  sum_i w_i * CE_i / n_batch  +  l2/2 * ||W||^2  (bias not penalized)."""
    nb = len(yb)
    z = xb @ W + b
    if binary:
        p = 1.0 / (1.0 + np.exp(-z[:, 0]))
        dz = (wb * (p - yb) / nb)[:, None]          # d CE / d z = sigmoid(z) - y
    else:
        e = np.exp(z - z.max(axis=1, keepdims=True))
        P = e / e.sum(axis=1, keepdims=True)
        P[np.arange(nb), yb] -= 1.0                 # d CE / d z = softmax(z) - onehot(y)
        dz = wb[:, None] * P / nb
    return xb.T @ dz + l2 * W, dz.sum(axis=0)


def reference_training(Xs, y, sample_weight, orders, batch_size, lr, l2, W, b, optimizer, binary):
    """Mini-batch training over the given per-epoch orders; optimizer state carries across epochs
    (it starts at zero with the run). Adam is Kingma & Ba's algorithm 1 in the form of their section 2
    (step size lr·sqrt(1-β2^t)/(1-β1^t), ε added to sqrt(v_t)), which is Keras' form too."""
    W, b = np.array(W, np.float64), np.array(b, np.float64)
    mW, mb, vW, vb = np.zeros_like(W), np.zeros_like(b), np.zeros_like(W), np.zeros_like(b)
    t = 0
    for order in orders:
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            gW, gb = reference_gradients(W, b, Xs[idx], y[idx], sample_weight[idx], l2, binary)
            t += 1
            if optimizer == "sgd":
                W, b = W - lr * gW, b - lr * gb
            elif optimizer == "momentum":
                mW, mb = MOMENTUM * mW + gW, MOMENTUM * mb + gb
                W, b = W - lr * mW, b - lr * mb
            else:  # adam
                mW, mb = BETA1 * mW + (1 - BETA1) * gW, BETA1 * mb + (1 - BETA1) * gb
                vW, vb = BETA2 * vW + (1 - BETA2) * gW ** 2, BETA2 * vb + (1 - BETA2) * gb ** 2
                step = lr * np.sqrt(1 - BETA2 ** t) / (1 - BETA1 ** t)
                W = W - step * mW / (np.sqrt(vW) + EPSILON)
                b = b - step * mb / (np.sqrt(vb) + EPSILON)
    return W, b


def reference_balanced(y, n_classes):
    counts = np.bincount(y, minlength=n_classes)
    return (len(y) / (n_classes * counts))[y]


def orders_of(seed, epochs_trained, n, epochs):
    """The shuffles train() draws: one permutation per epoch from default_rng(seed + epochs_trained)."""
    rng = np.random.default_rng(seed + epochs_trained)
    return [rng.permutation(n) for _ in range(epochs)]


def small_binary():
    return load_dataset("synthetic", seed=1, n_samples=200, n_features=4, weights=0.3)  # 120 train rows, 30% positive


def small_multiclass():
    return load_dataset("synthetic", seed=2, n_samples=200, n_features=4, n_classes=3, weights=[0.6, 0.3, 0.1])


VARIANTS = {
    "plain": dict(l2=0.0, class_weight=None),
    "l2": dict(l2=0.5, class_weight=None),
    "balanced": dict(l2=0.0, class_weight="balanced"),
    "l2+balanced": dict(l2=0.2, class_weight="balanced"),
}
LEARNING_RATES = {"sgd": 0.3, "momentum": 0.1, "adam": 0.05}


def assert_close_float32(actual, expected, what):
    # float32 arithmetic over 8 steps agrees to <= 3e-6 (Adam; SGD/momentum ~1e-7); weights are ~0.4-0.9.
    np.testing.assert_allclose(actual, expected, rtol=2e-4, atol=2e-5, err_msg=what)


# ---------------------------------------------------------------------------------------------
# 1. Optimizers against the NumPy reference
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("binary", [True, False], ids=["binary", "multiclass"])
def test_two_epochs_match_a_numpy_reference(binary, optimizer, variant):
    ds = small_binary() if binary else small_multiclass()
    settings = VARIANTS[variant]
    seed, epochs, batch_size, lr = 7, 2, 32, LEARNING_RATES[optimizer]  # 120 rows: 3 full batches + one of 24
    config = TrainConfig(epochs=epochs, batch_size=batch_size, learning_rate=lr, optimizer=optimizer, seed=seed,
                         **settings)
    reports = list(train(ds, config))
    assert [r.epoch for r in reports] == [1, 2] and reports[-1].stop == "completed"

    Xs = reference_standardize(ds.X_train, ds.X_train)
    n, k = len(ds.y_train), (1 if binary else ds.n_classes)
    sw = reference_balanced(ds.y_train, ds.n_classes) if settings["class_weight"] else np.ones(n)
    orders = orders_of(seed, 0, n, epochs)
    for e, report in enumerate(reports, start=1):
        W, b = reference_training(Xs, ds.y_train, sw, orders[:e], batch_size, lr, settings["l2"],
                                  np.zeros((ds.n_features, k)), np.zeros(k), optimizer, binary)
        assert report.model.weights.shape == W.shape
        assert_close_float32(report.model.weights, W, f"weights after epoch {e}")
        assert_close_float32(report.model.bias, b, f"bias after epoch {e}")
        assert report.model.epochs_trained == e


def test_reference_is_sensitive_to_what_the_variants_change():
    """Guard on the test itself: each variant moves the reference by far more than the tolerance, so the
    parametrized comparison above would notice a penalty, weighting or bias correction that is ignored."""
    ds = small_binary()
    Xs = reference_standardize(ds.X_train, ds.X_train)
    n = len(ds.y_train)
    orders = orders_of(7, 0, n, 2)
    zeros = (np.zeros((ds.n_features, 1)), np.zeros(1))
    base = reference_training(Xs, ds.y_train, np.ones(n), orders, 32, 0.05, 0.0, *zeros, "adam", True)[0]
    l2 = reference_training(Xs, ds.y_train, np.ones(n), orders, 32, 0.05, 0.5, *zeros, "adam", True)[0]
    bal = reference_training(Xs, ds.y_train, reference_balanced(ds.y_train, 2), orders, 32, 0.05, 0.0, *zeros,
                             "adam", True)[0]
    sgd = reference_training(Xs, ds.y_train, np.ones(n), orders, 32, 0.05, 0.0, *zeros, "sgd", True)[0]
    for other in (l2, bal, sgd):
        assert np.abs(other - base).max() > 1e-2


def test_continuing_reseeds_the_shuffle_and_starts_the_optimizer_afresh():
    """From a model at epoch 3 with non-zero weights: order from default_rng(seed + 3), Adam state from zero."""
    ds = small_multiclass()
    rng = np.random.default_rng(123)
    start = TrainedModel.untrained(ds).with_weights(rng.normal(size=(ds.n_features, 3)), rng.normal(size=3), 3)
    config = TrainConfig(epochs=2, batch_size=32, learning_rate=0.05, optimizer="adam", l2=0.3, seed=11)
    reports = list(train(ds, config, initial=start))
    assert [r.epoch for r in reports] == [4, 5]
    W, b = reference_training(reference_standardize(ds.X_train, ds.X_train), ds.y_train, np.ones(len(ds.y_train)),
                              orders_of(11, 3, len(ds.y_train), 2), 32, 0.05, 0.3, start.weights, start.bias,
                              "adam", False)
    assert_close_float32(reports[-1].model.weights, W, "weights")
    assert_close_float32(reports[-1].model.bias, b, "bias")
    assert reports[-1].model.epochs_trained == 5


# ---------------------------------------------------------------------------------------------
# 2. Class weights against scikit-learn
# ---------------------------------------------------------------------------------------------

CLASS_WEIGHT_CASES = {
    "three-classes": lambda: (np.array([0, 0, 0, 0, 0, 0, 0, 1, 1, 2]), 3),
    "two-classes": lambda: (np.array([1, 0, 1, 1, 1]), 2),
    "synthetic-binary": lambda: (small_binary().y_train, 2),
    "synthetic-multiclass": lambda: (small_multiclass().y_train, 3),
}


@pytest.mark.parametrize("case", list(CLASS_WEIGHT_CASES))
def test_balanced_class_weights_match_sklearn(case):
    y, k = CLASS_WEIGHT_CASES[case]()
    per_class = compute_class_weight("balanced", classes=np.arange(k), y=y)
    ours = class_weights(y, k, "balanced")
    assert ours.shape == y.shape
    np.testing.assert_allclose(ours, per_class[y], rtol=1e-6)
    assert len(np.unique(ours)) == k  # the classes really get different weights
    np.testing.assert_array_equal(class_weights(y, k, None), np.ones(len(y)))


# ---------------------------------------------------------------------------------------------
# 3. Early stopping
# ---------------------------------------------------------------------------------------------

def overfitting_dataset():
    # 72 training rows, 20 features, a large SGD step: validation loss is lowest at epoch 3, then
    # 0.2003, 0.2037, 0.2017 (a dip that is no improvement on the best), 0.2032, ...
    return load_dataset("synthetic", seed=3, n_samples=120, n_features=20, class_sep=1.0)


@pytest.mark.parametrize("patience", [1, 3])
def test_early_stopping_ends_patience_epochs_after_the_best_and_keeps_its_weights(patience):
    ds = overfitting_dataset()
    settings = dict(batch_size=16, learning_rate=0.5, optimizer="sgd", seed=5)
    result = run_training(ds, TrainConfig(epochs=100, early_stopping=patience, **settings))
    assert result.stopped_reason == "early_stopped", result.stopped_reason
    val = [row["val_loss"] for row in result.history]
    assert [row["epoch"] for row in result.history] == list(range(1, len(val) + 1))
    best = int(np.argmin(val)) + 1  # first epoch with the lowest validation loss
    assert best > 1  # guard: the best is not simply the first epoch
    assert result.epochs_run == best + patience
    # and it did not stop earlier than that: no earlier epoch was `patience` epochs past its best so far
    for epoch in range(1, len(val)):
        best_so_far = int(np.argmin(val[:epoch])) + 1
        assert epoch - best_so_far < patience
    assert result.model.epochs_trained == best
    assert str(best) in result.message

    independent = run_training(ds, TrainConfig(epochs=best, **settings))
    assert independent.stopped_reason == "completed" and independent.epochs_run == best
    np.testing.assert_allclose(result.model.weights, independent.model.weights, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(result.model.bias, independent.model.bias, rtol=1e-6, atol=1e-7)
    # its scores are the kept model's, not the last epoch's
    np.testing.assert_allclose(result.val_scores, independent.model.predict_proba(ds.X_val), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(result.test_scores, independent.model.predict_proba(ds.X_test), rtol=1e-6, atol=1e-9)
    # the guard: the last epoch's weights are really different from the kept ones
    last = run_training(ds, TrainConfig(epochs=best + patience, **settings)).model
    assert np.abs(last.weights - result.model.weights).max() > 1e-3


# ---------------------------------------------------------------------------------------------
# 4. History rows against scikit-learn's metrics
# ---------------------------------------------------------------------------------------------

def sklearn_metrics(model, X, y, binary, n_classes):
    p = model.predict_proba(X)
    if binary:
        return log_loss(y, p, labels=[0, 1]), accuracy_score(y, (p >= 0.5).astype(int))
    return log_loss(y, p, labels=list(range(n_classes))), accuracy_score(y, p.argmax(axis=1))


@pytest.mark.parametrize("name", ["breast_cancer", "digits"])
def test_every_history_row_matches_sklearn_metrics_of_that_epochs_model(name):
    ds = load_dataset(name)
    config = TrainConfig(epochs=3, batch_size=64, learning_rate=0.05, optimizer="momentum", l2=0.05)
    reports = list(train(ds, config))
    rows = [r.history_row() for r in reports]
    assert [row["epoch"] for row in rows] == [1, 2, 3]
    for report, row in zip(reports, rows):
        assert report.model.epochs_trained == row["epoch"]
        for split in ("train", "val", "test"):
            X, y = ds.split(split)
            loss, acc = sklearn_metrics(report.model, X, y, ds.is_binary, ds.n_classes)
            assert row[f"{split}_loss"] == pytest.approx(loss, rel=1e-7), (row["epoch"], split)
            assert row[f"{split}_accuracy"] == pytest.approx(acc, abs=1e-12), (row["epoch"], split)
    # run_training's history and kept model say the same for the final epoch
    result = run_training(ds, config)
    final = result.history[-1]
    assert result.model.epochs_trained == 3
    for split in ("train", "val", "test"):
        X, y = ds.split(split)
        loss, acc = sklearn_metrics(result.model, X, y, ds.is_binary, ds.n_classes)
        assert final[f"{split}_loss"] == pytest.approx(loss, rel=1e-7), split
        assert final[f"{split}_accuracy"] == pytest.approx(acc, abs=1e-12), split
    # the three splits' numbers differ, so a row that reported one split's numbers for another would fail
    assert len({final["train_loss"], final["val_loss"], final["test_loss"]}) == 3


# ---------------------------------------------------------------------------------------------
# 5. Standardization and fill come from the training split only
# ---------------------------------------------------------------------------------------------

def test_standardization_and_fill_are_the_training_splits_statistics():
    ds = load_dataset("breast_cancer")
    ds.X_train[:, 3] = 7.5  # constant in training only: val/test still vary
    result = run_training(ds, TrainConfig(epochs=1))
    for model in (TrainedModel.untrained(ds), result.model):
        np.testing.assert_allclose(model.mean, ds.X_train.mean(axis=0), rtol=1e-12)
        expected_scale = ds.X_train.std(axis=0)
        expected_scale[3] = 1.0
        np.testing.assert_allclose(model.scale, expected_scale, rtol=1e-12)
        assert model.mean[3] == 7.5 and model.scale[3] == 1.0
        np.testing.assert_allclose(model.fill, np.median(ds.X_train, axis=0), rtol=1e-12)

        everything = np.vstack([ds.X_train, ds.X_val, ds.X_test])
        assert not np.allclose(model.mean, everything.mean(axis=0), rtol=1e-3)
        assert not np.allclose(model.scale, everything.std(axis=0), rtol=1e-3)
        assert not np.allclose(model.fill, np.median(everything, axis=0), rtol=1e-3)
        assert not np.allclose(model.fill, ds.X_train.mean(axis=0), rtol=1e-3)  # a median, not a mean
    # standardized training features are centred with unit spread (the constant column: all zeros)
    Z = result.model.standardize(ds.X_train)
    np.testing.assert_allclose(np.delete(Z.mean(axis=0), 3), 0, atol=1e-9)
    np.testing.assert_allclose(np.delete(Z.std(axis=0), 3), 1, rtol=1e-9)
    assert np.all(Z[:, 3] == 0)


# ---------------------------------------------------------------------------------------------
# 6. Multiclass SavedModel export
# ---------------------------------------------------------------------------------------------

def test_multiclass_saved_model_gives_the_models_softmax_and_argmax(tmp_path):
    from logreg_core.export import load_saved_model, save_model
    from logreg_core.tf_runtime import tensorflow

    tf = tensorflow()
    ds = load_dataset("digits")
    model = run_training(ds, TrainConfig(epochs=2, learning_rate=0.1)).model
    serve = load_saved_model(save_model(model, tmp_path / "model"))
    out = serve(features=tf.constant(ds.X_test, tf.float64))
    probabilities, predicted = out["probabilities"].numpy(), out["predicted_class"].numpy()

    expected = model.predict_proba(ds.X_test)
    assert probabilities.shape == (len(ds.y_test), 10)
    np.testing.assert_allclose(probabilities, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(predicted, expected.argmax(axis=1))
    np.testing.assert_array_equal(predicted, model.predict(ds.X_test))
    # an independent softmax of the raw-feature logits, written out here
    z = reference_standardize(ds.X_train, ds.X_test) @ model.weights + model.bias
    e = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(probabilities, e / e.sum(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)
    assert len(np.unique(predicted)) >= 5  # a real model, not one class everywhere
