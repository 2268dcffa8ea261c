"""The compiled epoch against plain NumPy mini-batch descent with finite-difference gradients.

The reference knows nothing of the epoch's written-out gradient or its
padding: it differentiates the weighted cross-entropy plus ½·l2·‖W‖²
numerically, in float64, one batch after another in the same order.
"""
import numpy as np
import pytest

from logreg_core.training import (ADAM_BETA1, ADAM_BETA2, ADAM_EPSILON, MOMENTUM, compiled_epoch,
                                  epoch_batches, padded_length, padded_rows)
from logreg_core.tf_runtime import tensorflow


def batch_loss(params, X, y, w, l2, binary):
    W, b = params
    z = X @ W + b
    if binary:
        ce = np.logaddexp(0.0, z[:, 0]) - y * z[:, 0]
    else:
        ce = np.logaddexp.reduce(z, axis=1) - z[np.arange(len(y)), y]
    return np.sum(w * ce) / len(y) + 0.5 * l2 * np.sum(W * W)


def numerical_gradient(params, *args, h=1e-6):
    grads = []
    for p in params:
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            p[i] = saved + h
            up = batch_loss(params, *args)
            p[i] = saved - h
            down = batch_loss(params, *args)
            p[i] = saved
            g[i] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def reference_epoch(X, y, w, order, batch_size, lr, l2, optimizer, W, b, binary):
    params, m, v, t = [W.copy(), b.copy()], [np.zeros_like(W), np.zeros_like(b)], \
        [np.zeros_like(W), np.zeros_like(b)], 0
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        grads = numerical_gradient(params, X[rows], y[rows], w[rows], l2, binary)
        t += 1
        for j, g in enumerate(grads):
            if optimizer == "sgd":
                params[j] = params[j] - lr * g
            elif optimizer == "momentum":
                m[j] = MOMENTUM * m[j] + g
                params[j] = params[j] - lr * m[j]
            else:
                m[j] = ADAM_BETA1 * m[j] + (1 - ADAM_BETA1) * g
                v[j] = ADAM_BETA2 * v[j] + (1 - ADAM_BETA2) * g * g
                step = lr * np.sqrt(1 - ADAM_BETA2 ** t) / (1 - ADAM_BETA1 ** t)
                params[j] = params[j] - step * m[j] / (np.sqrt(v[j]) + ADAM_EPSILON)
    return params


@pytest.mark.parametrize("binary", [True, False], ids=["binary", "multiclass"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_one_epoch_matches_numpy_descent_with_numerical_gradients(binary, optimizer):
    tf = tensorflow()
    rng = np.random.default_rng(7)
    n, d, k = 76, 3, 1 if binary else 3
    X = rng.standard_normal((n, d))
    y = rng.integers(0, 2 if binary else k, n)
    w = rng.uniform(0.5, 2.0, n).astype(np.float32)  # class weights or any per-example weights
    W0, b0 = rng.standard_normal((d, k)) * 0.3, rng.standard_normal(k) * 0.1
    order = rng.permutation(n)
    batch_size, lr, l2 = 9, 0.3, 0.05  # 76 rows: eight batches of 9 and a short one of 4

    expected_W, expected_b = reference_epoch(X, y, w.astype(np.float64), order, batch_size, lr, l2, optimizer,
                                             W0, b0, binary)
    batches, scales, count = epoch_batches(order, w, batch_size)
    zeros = (tf.zeros([k, d]), tf.zeros([k])) * 2 + (tf.constant(0.0),)
    W, b, *_ = compiled_epoch(binary, optimizer)(
        tf.constant(padded_rows(X, np.float32)), tf.constant(padded_rows(y, np.int32)), batches, scales, count,
        tf.constant(lr), tf.constant(l2), tf.constant(W0.T, tf.float32), tf.constant(b0, tf.float32), *zeros)
    np.testing.assert_allclose(W.numpy().T, expected_W, atol=2e-5)
    np.testing.assert_allclose(b.numpy(), expected_b, atol=2e-5)


def test_batches_cover_every_row_once_and_scale_by_their_own_size():
    order = np.random.default_rng(0).permutation(76)
    weights = np.arange(1, 77, dtype=np.float32)
    batches, scales, count = epoch_batches(order, weights, 9)  # eight batches of 9, one of 4
    assert count == 9 and batches.shape == (padded_length(9), padded_length(9)) == (10, 10)
    assert sorted(batches[:count, :9].ravel()[:76]) == list(range(76))
    np.testing.assert_allclose(scales[0, :9], weights[order[:9]] / 9)
    np.testing.assert_allclose(scales[8, :4], weights[order[72:]] / 4)  # the short last batch
    assert not scales[8, 4:].any() and not scales[:, 9:].any() and not scales[count:].any()  # padding


def test_nearby_batch_sizes_and_full_batches_share_shapes():
    """XLA compiles a program per shape: batch sizes 18 to 20, or full batches of 340 to 350 rows, must
    not each make one."""
    shape = lambda n, batch: epoch_batches(np.arange(n), np.ones(n, np.float32), batch)[0].shape  # noqa: E731
    assert len({shape(1000, batch) for batch in range(18, 21)}) == 1
    assert len({shape(n, n) for n in range(340, 351)}) == 1


@pytest.mark.parametrize("m", [1, 7, 8, 9, 100, 341, 1000, 48_000, 60_000])
def test_padded_lengths_are_few_and_waste_at_most_a_quarter(m):
    padded = padded_length(m)
    assert m <= padded <= 1.25 * m or padded - m < 2
    # datasets of nearby sizes share a padded size, so XLA compiles one program for them
    assert len({padded_length(x) for x in range(m, 2 * m + 1)}) <= 5
