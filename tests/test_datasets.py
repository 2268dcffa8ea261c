"""Built-in datasets: labels, splits, MNIST from a cache file, synthetic options."""
import sys

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits

from logreg_core import LogRegError, load_dataset, one_vs_rest
from logreg_core.datasets import build_dataset, mnist_cache_path, select_features


def test_breast_cancer_has_malignant_as_positive_and_stratified_seeded_splits():
    ds = load_dataset("breast_cancer", seed=1)
    assert ds.class_names == ["benign", "malignant"] and ds.positive_class == "malignant"
    assert sum(ds.sizes().values()) == 569 and ds.sizes()["test"] == 143
    malignant = (load_breast_cancer().target == 0).sum()
    assert sum(int(ds.split(s)[1].sum()) for s in ("train", "val", "test")) == malignant
    shares = [ds.split(s)[1].mean() for s in ("train", "val", "test")]
    assert max(shares) - min(shares) < 0.02  # stratified
    again = load_dataset("breast_cancer", seed=1)
    np.testing.assert_array_equal(ds.X_test, again.X_test)
    assert not np.array_equal(ds.X_test, load_dataset("breast_cancer", seed=2).X_test)
    # raw, unscaled features
    assert ds.X_train[:, 3].max() > 100


def test_digits_is_ten_classes_of_8x8_images():
    ds = load_dataset("digits")
    assert ds.n_classes == 10 and ds.image_shape == (8, 8) and ds.n_features == 64
    assert sum(ds.sizes().values()) == len(load_digits().target)


def test_synthetic_options_are_sklearns_and_two_features_work():
    ds = load_dataset("synthetic", seed=3, n_samples=400, n_features=2, n_classes=2, weights=[0.9, 0.1], class_sep=2.0)
    assert ds.n_features == 2 and sum(ds.sizes().values()) == 400
    assert 0.05 < np.concatenate([ds.y_train, ds.y_val, ds.y_test]).mean() < 0.16
    assert load_dataset("synthetic", n_classes=3, n_features=4).n_classes == 3
    with pytest.raises(LogRegError, match="classes"):
        load_dataset("synthetic", n_classes=6, n_features=2)


@pytest.mark.parametrize("n_classes,weights,shares", [(2, 0.2, [0.8, 0.2]), (2, [0.9], [0.9, 0.1]),
                                                      (3, [0.5, 0.3, 0.2], [0.5, 0.3, 0.2]),
                                                      (3, [0.5, 0.3], [0.5, 0.3, 0.2])])
def test_synthetic_class_shares_are_make_classifications(n_classes, weights, shares):
    """One share is the positive class's of two; a list gives each class's (the last may be left to take the
    rest): the rows are the very ones make_classification makes with those shares, and a note says them."""
    from sklearn.datasets import make_classification

    ds = load_dataset("synthetic", seed=4, n_samples=300, n_features=4, n_classes=n_classes, weights=weights)
    _, y = make_classification(n_samples=300, n_features=4, n_informative=2, n_redundant=0, n_repeated=0,
                               n_classes=n_classes, n_clusters_per_class=1, flip_y=0.01,
                               weights=[0.8, 0.2] if weights == 0.2 else weights,
                               random_state=4)
    assert np.array_equal(np.bincount(np.concatenate([ds.y_train, ds.y_val, ds.y_test])), np.bincount(y))
    assert f"Class shares asked for: {', '.join(f'{w:.0%}' for w in shares)} (before the flipped labels)." \
        in ds.notes


@pytest.mark.parametrize("options,message", [
    (dict(n_classes=3, weights=0.2), "weights=0.2: one number is the positive share of 2 classes; for 3 classes"),
    (dict(weights=[2, 3]), "weights=\\[2, 3\\]: give each of the 2 classes a share between 0 and 1"),
    (dict(weights=[0.5, 0.6]), "the shares adding up to 1"),
    (dict(weights="0.2"), "weights=0.2: give each of the 2 classes a share"),  # a text, not read letter by letter
    (dict(weights=[0.5, "half"]), "give each of the 2 classes a share"),
    (dict(weights=1.2), "weights=1.2: the positive share must be between 0 and 1"),
    (dict(n_samples="abc"), "n_samples='abc': use a whole number"),
    (dict(n_features=float("nan")), "n_features=nan: use a whole number"),
    (dict(n_classes=2.5), "n_classes=2.5: use a whole number"),
])
def test_synthetic_options_that_make_no_sense_are_named(options, message):
    with pytest.raises(LogRegError, match=message):
        load_dataset("synthetic", **options)


def test_unknown_dataset_is_a_clear_error():
    with pytest.raises(LogRegError, match="choose one of"):
        load_dataset("iris")


def test_mnist_reads_the_keras_cache_without_tensorflow(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    path = mnist_cache_path()
    path.parent.mkdir(parents=True)
    rng = np.random.default_rng(0)
    x_train, x_test = (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for n in (300, 50))
    np.savez(path, x_train=x_train, y_train=np.arange(300) % 10, x_test=x_test, y_test=np.arange(50) % 10)
    ds = load_dataset("mnist")
    assert ds.sizes() == {"train": 240, "val": 60, "test": 50}  # official test set kept whole
    np.testing.assert_array_equal(ds.X_test, x_test.reshape(50, -1))  # in its own order: rows 1 to 50
    np.testing.assert_array_equal(ds.X_val, x_train.reshape(300, -1)[ds.val_rows - 1])  # training images' rows
    assert ds.n_features == 784 and ds.image_shape == (28, 28)


def test_mnist_without_cache_or_network_fails_fast_naming_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr("logreg_core.datasets._network_reachable", lambda: False)
    with pytest.raises(LogRegError, match="mnist.npz") as info:
        load_dataset("mnist")
    assert str(tmp_path) in str(info.value)


def test_one_vs_rest_and_feature_selection():
    ds = load_dataset("digits")
    binary = one_vs_rest(ds, "3")
    assert binary.class_names == ["not 3", "3"] and binary.is_binary
    np.testing.assert_array_equal(binary.y_test, (ds.y_test == 3).astype(int))
    pair = select_features(load_dataset("breast_cancer"), ["mean radius", "mean texture"])
    assert pair.n_features == 2 and pair.feature_names == ["mean radius", "mean texture"]
    # the id stays machine-readable for the CLI and the card; pages show the title
    assert (binary.name, binary.title) == ("digits (3 vs rest)", "Digits (8×8): 3 vs rest")
    assert (pair.name, pair.title) == ("breast_cancer [mean radius, mean texture]",
                                       "Breast cancer (Wisconsin) [mean radius, mean texture]")
    with pytest.raises(LogRegError):
        one_vs_rest(ds, "eleven")


def test_importing_the_core_does_not_import_tensorflow():
    import subprocess

    code = ("import sys, logreg_core, logreg_core.threshold, logreg_core.describe, logreg_core.report;"
            "logreg_core.load_dataset('breast_cancer'); print('tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("classes,per_class", [(10, 3), (5, 3)])
def test_too_few_rows_to_stratify_many_classes_splits_at_random_with_a_note(classes, per_class):
    y = np.repeat(np.arange(classes), per_class)
    X = np.random.default_rng(0).random((len(y), 2))
    ds = build_dataset("tiny", X, y, ["a", "b"], [f"c{i}" for i in range(classes)], [], seed=0)
    assert len(ds.y_train) + len(ds.y_val) + len(ds.y_test) == len(y)
    assert any("random rather than stratified" in note for note in ds.notes)
    assert not any("stratified by class" in note for note in ds.notes)  # the split's summary says so too


def test_a_split_left_with_one_class_is_refused_with_the_reason():
    """60 rows with 3 positives: stratified, the validation split gets none, and no threshold could be
    chosen on it (every finder would be undefined). Refused when loading, not found out on Threshold."""
    y = np.r_[np.ones(3, int), np.zeros(57, int)]
    X = np.random.default_rng(0).random((60, 2))
    with pytest.raises(LogRegError, match="the validation split would hold only no cases"):
        build_dataset("fewpos", X, y, ["a", "b"], ["no", "yes"], [], seed=0)
    ds = build_dataset("enough", np.r_[X, X[:10]], np.r_[y, np.ones(10, int)], ["a", "b"], ["no", "yes"], [], seed=0)
    assert all(set(part) == {0, 1} for part in (ds.y_train, ds.y_val, ds.y_test))


def test_the_preview_names_the_target_as_the_data_does():
    """The Data page's preview heads the labels with the target's own name, not "label"."""
    from logreg_core.csv_loader import from_csv
    from logreg_core.describe import preview

    rows = "".join(f"{i},{i % 7 * 1.5},{'yes' if i % 3 else 'no'}\n" for i in range(40))
    ds = from_csv(("id,dose,disease\n" + rows).encode(), target="disease")
    shown = preview(ds, rows=5)
    assert list(shown.columns) == ["disease", "dose"]
    assert shown["disease"].tolist() == [ds.class_names[c] for c in ds.y_train[:5]]
    assert [load_dataset(name).target_name for name in ("breast_cancer", "digits", "synthetic")] == [
        "diagnosis", "digit", "class"]
    # a feature of the same name (a one-hot level "color=red" beside a target column "color=red")
    rows = "".join(f"{'red' if i % 2 else 'blue'},{i},{'yes' if i % 3 else 'no'}\n" for i in range(40))
    ds = from_csv(("color,dose,color=red\n" + rows).encode(), target="color=red")
    assert "color=red" in ds.feature_names and list(preview(ds).columns)[0] == "color=red (target)"


def test_test_rows_point_back_to_the_source_rows():
    """``test_rows`` joins test predictions back to the data: a bundled dataset's sample (1-based), a CSV's
    data row, counted past rows the loader dropped (no target) or skipped (no value at all)."""
    from logreg_core.csv_loader import from_csv

    data = load_breast_cancer().data
    ds = load_dataset("breast_cancer", seed=3)
    np.testing.assert_array_equal(ds.X_test, data[ds.test_rows - 1])
    assert ds.test_rows.min() >= 1 and ds.test_rows.max() <= len(data) and len(set(ds.test_rows)) == len(ds.y_test)
    np.testing.assert_array_equal(ds.X_val, data[ds.val_rows - 1])  # and validation's, apart from test's
    assert not set(ds.val_rows) & set(ds.test_rows) and len(set(ds.val_rows)) == len(ds.y_val)
    rng = np.random.default_rng(0)
    lines, targets = [], []
    for i in range(60):  # row i + 1 of the file: its own features say which it is
        target = "" if i in (4, 17) else ("yes" if rng.random() < 0.5 else "no")
        lines.append(",,," if i == 9 else f"{i + 1},{(i + 1) * 0.5},{target}")
        targets.append(target)
    ds = from_csv(("row_id_x,half,outcome\n" + "\n".join(lines) + "\n").encode(), target="outcome", seed=1)
    assert ds.feature_names == ["row_id_x", "half"]
    np.testing.assert_array_equal(ds.X_test[:, 0], ds.test_rows)  # each test row's own number
    np.testing.assert_array_equal(ds.X_val[:, 0], ds.val_rows)
    assert not {5, 10, 18} & set(ds.test_rows)
    assert [targets[r - 1] for r in ds.test_rows] == [ds.class_names[c] for c in ds.y_test]
    picked = select_features(one_vs_rest(load_dataset("digits"), "3"), ["pixel_3_3"])
    np.testing.assert_array_equal(picked.test_rows, load_dataset("digits").test_rows)
