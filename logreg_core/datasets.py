"""Datasets: the built-ins, the seeded stratified split, and one-vs-rest.

Every loader returns raw (unscaled) features. Standardization is fitted later,
on the training split only, and lives inside the model, so an exported model
takes the same raw columns a user has.
"""
from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .errors import LogRegError

TEST_FRACTION = 0.25
VAL_FRACTION = 0.20
BUILTIN_DATASETS = ("breast_cancer", "digits", "mnist", "synthetic")


@dataclass
class Dataset:
    """Raw features split three ways, with readable names for everything.

    Labels are integer codes 0..k-1 indexing ``class_names``. For binary data
    the class coded 1 is the positive class. ``name`` is the id the CLI and the
    model card use ("breast_cancer", a file name); ``title`` is what pages show.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    feature_names: list[str]
    class_names: list[str]
    notes: list[str] = field(default_factory=list)
    image_shape: tuple[int, int] | None = None
    options: dict = field(default_factory=dict)
    title: str = ""
    feature_sources: list[tuple[str, str | None]] = field(default_factory=list)
    target_name: str = "label"  # what the labels are called: a CSV's target column, "diagnosis"
    # Each test row's place in the source, counted from 1: a CSV's data row (neither the header nor blank lines
    # counted, as the loader's messages count rows), a bundled dataset's sample; so that predictions join back.
    test_rows: np.ndarray | None = None
    val_rows: np.ndarray | None = None  # the same for the validation rows (MNIST's: its training images')

    def __post_init__(self):
        self.title = self.title or self.name
        self.feature_sources = list(self.feature_sources) or [(name, None) for name in self.feature_names]
        if self.test_rows is None:
            self.test_rows = np.arange(1, len(self.y_test) + 1)
        if self.val_rows is None:
            self.val_rows = np.arange(1, len(self.y_val) + 1)
        if len(self.feature_sources) != len(self.feature_names):
            raise ValueError("feature_sources must name one source per feature")

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def is_binary(self) -> bool:
        return self.n_classes == 2

    @property
    def positive_class(self) -> str | None:
        return self.class_names[1] if self.is_binary else None

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    def split(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) of ``"train"``, ``"val"`` or ``"test"``."""
        if name not in ("train", "val", "test"):
            raise LogRegError(f"unknown split {name!r}: use train, val or test")
        return getattr(self, f"X_{name}"), getattr(self, f"y_{name}")

    def sizes(self) -> dict[str, int]:
        return {s: len(self.split(s)[1]) for s in ("train", "val", "test")}


def _stratify_or_none(y: np.ndarray, notes: list[str]):
    counts = np.bincount(y)
    if counts[counts > 0].min() >= 2:
        return y
    notes.append("A class has a single example, so the split is random rather than stratified.")
    return None


def _split_off(X, y, rows, fraction, seed, notes):
    """The two parts (X, X_out, y, y_out, rows, rows_out), and whether the split is stratified."""
    from sklearn.model_selection import train_test_split

    stratify = _stratify_or_none(y, notes)
    n_classes = np.unique(y).size
    n_out = math.ceil(fraction * len(y))  # as train_test_split sizes it
    if stratify is not None and min(n_out, len(y) - n_out) < n_classes:
        notes.append(f"{len(y)} rows are too few to put each of the {n_classes} classes in every split, "
                     "so the split is random rather than stratified.")
        stratify = None
    return train_test_split(X, y, rows, test_size=fraction, random_state=seed, stratify=stratify), stratify is not None


def _impute_with_train_median(parts, feature_names, notes):
    """Fill NaNs in every split with the training split's column medians."""
    X_train = parts[0]
    missing = [np.isnan(p).any(axis=0) for p in parts]
    columns = np.flatnonzero(np.any(missing, axis=0))
    if columns.size == 0:
        return parts
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            medians = np.nanmedian(X_train[:, columns], axis=0)
    medians = np.where(np.isnan(medians), 0.0, medians)
    filled = []
    for p in parts:
        p = p.copy()
        block = p[:, columns]
        rows, cols = np.nonzero(np.isnan(block))
        block[rows, cols] = medians[cols]
        p[:, columns] = block
        filled.append(p)
    total = int(sum(np.isnan(p[:, columns]).sum() for p in parts))
    named = ", ".join(feature_names[c] for c in columns[:8]) + (" …" if columns.size > 8 else "")
    notes.append(
        f"Filled {total} missing value(s) in {columns.size} column(s) ({named}) "
        "with the training split's median."
    )
    return filled


def build_dataset(
    name: str,
    X: np.ndarray,
    y: np.ndarray,
    feature_names: list[str],
    class_names: list[str],
    notes: list[str] | None = None,
    *,
    seed: int = 0,
    val_fraction: float = VAL_FRACTION,
    test_fraction: float = TEST_FRACTION,
    image_shape: tuple[int, int] | None = None,
    options: dict | None = None,
    title: str = "",
    feature_sources: list[tuple[str, str | None]] | None = None,
    target_name: str = "label",
    rows: np.ndarray | None = None,
) -> Dataset:
    """Split (X, y) into seeded stratified train/validation/test parts.

    Test takes ``test_fraction`` of all rows; validation takes ``val_fraction``
    of the rest. Missing values (NaN) are filled with training-split medians.
    ``rows``: each row's place in the source (default 1, 2, …), kept for the test split.
    """
    notes = list(notes or [])
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.int64)
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise LogRegError("features and labels must have one row per example")
    if X.shape[1] == 0:
        raise LogRegError("no usable feature columns are left: add numeric columns")
    present = np.unique(y)
    if present.size < 2:
        only = class_names[int(present[0])] if present.size else "none"
        raise LogRegError(
            f"the target has a single class ({only}): a classifier needs at least two"
        )
    if not (0 < test_fraction < 1 and 0 < val_fraction < 1):
        raise LogRegError("split fractions must be between 0 and 1")
    counts = np.bincount(y, minlength=len(class_names))
    if len(y) < 10 or counts[present].min() < 3:
        rare = [f"{class_names[c]!r} has {n} row{'s' * (n != 1)}" for c in present if (n := int(counts[c])) < 3]
        # a header or a note line read as data is a label of its own, one row strong
        stray = ("; a class of one row is often a header or a note line read as data" if 1 in counts[present]
                 else "")
        raise LogRegError(
            f"too few rows to split into train, validation and test ({len(y)} rows, "
            f"smallest class {int(counts[present].min())}{': ' * bool(rare)}{', '.join(rare[:5])}): use at least "
            f"10 rows and 3 of each class{stray}"
        )
    rows = np.arange(1, len(y) + 1) if rows is None else np.asarray(rows)
    (X_rest, X_test, y_rest, y_test, rows_rest, test_rows), test_stratified = _split_off(
        X, y, rows, test_fraction, seed, notes)
    (X_train, X_val, y_train, y_val, _, val_rows), val_stratified = _split_off(
        X_rest, y_rest, rows_rest, val_fraction, seed, notes)
    how = ("stratified by class" if test_stratified and val_stratified else "at random"
           if not (test_stratified or val_stratified) else
           f"test {'stratified by class' if test_stratified else 'at random'}, "
           f"validation {'stratified by class' if val_stratified else 'at random'}")
    for split, part in (("training", y_train), ("validation", y_val), ("test", y_test)):
        held = np.unique(part)
        if held.size < 2:
            raise LogRegError(
                f"the {split} split would hold only {class_names[int(held[0])]} cases ({len(y)} rows, smallest "
                f"class {int(counts[present].min())}): thresholds cannot be chosen or checked there; add rows "
                "of the rarer class (about 10 or more)"
            )
    X_train, X_val, X_test = _impute_with_train_median([X_train, X_val, X_test], feature_names, notes)
    notes.append(
        f"Split {len(y)} rows (seed {seed}, {how}): {len(y_train)} train, "
        f"{len(y_val)} validation, {len(y_test)} test."
    )
    if len(feature_names) >= len(y_train):
        notes.append(f"{len(feature_names):,} features for {len(y_train):,} training rows: with as many features as "
                     "rows or more, a logistic regression can fit the training rows exactly and learn little that "
                     "holds for new cases; an L2 penalty (Train page; --l2) or fewer columns help.")
    return Dataset(
        name, X_train, y_train, X_val, y_val, X_test, y_test,
        list(feature_names), list(class_names), notes, image_shape, dict(options or {}), title,
        list(feature_sources or []), target_name, test_rows, val_rows,
    )


def _breast_cancer(seed: int) -> Dataset:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    # scikit-learn codes malignant as 0; clinicians (and the seed) call malignant positive.
    y = (bunch.target == 0).astype(np.int64)
    notes = [
        "Wisconsin Diagnostic Breast Cancer (569 tumours, 30 measurements), "
        "bundled with scikit-learn; malignant is the positive class (1)."
    ]
    return build_dataset(
        "breast_cancer", bunch.data, y, list(bunch.feature_names),
        ["benign", "malignant"], notes, seed=seed, title="Breast cancer (Wisconsin)", target_name="diagnosis",
    )


def _digits(seed: int) -> Dataset:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    notes = ["8×8 handwritten digits (1,797 images, pixel values 0–16), bundled with scikit-learn."]
    return build_dataset(
        "digits", bunch.data, bunch.target, [f"pixel_{r}_{c}" for r in range(8) for c in range(8)],
        [str(d) for d in range(10)], notes, seed=seed, image_shape=(8, 8),
        title="Digits (8×8)", target_name="digit",
    )


def mnist_cache_path() -> Path:
    """Where Keras keeps ``mnist.npz`` (``$KERAS_HOME`` or ``~/.keras``)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def mnist_available() -> bool:
    return mnist_cache_path().is_file()


def _network_reachable(host="storage.googleapis.com", port=443, timeout=3.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _mnist(seed: int, val_fraction: float = VAL_FRACTION) -> Dataset:
    path = mnist_cache_path()
    if not path.is_file():
        if not _network_reachable():
            raise LogRegError(
                f"MNIST is not cached and there is no network to download it: place "
                f"mnist.npz at {path} (arrays x_train, y_train, x_test, y_test)"
            )
        from .tf_runtime import tensorflow

        tensorflow().keras.datasets.mnist.load_data()
    try:
        with np.load(path, allow_pickle=False) as data:
            x_train, y_train = data["x_train"], data["y_train"]
            x_test, y_test = data["x_test"], data["y_test"]
    except (OSError, KeyError, ValueError) as exc:
        raise LogRegError(f"{path} is not a valid mnist.npz ({exc}): delete it and load again") from exc
    side = x_train.shape[1]
    flat = lambda a: a.reshape(len(a), -1).astype(np.float64)  # noqa: E731
    notes = [
        f"MNIST from Keras' cache ({path}): {len(y_train):,} training images, "
        f"the official {len(y_test):,}-image test set kept as test.",
    ]
    (X_train, X_val, y_train, y_val, _, val_rows), stratified = _split_off(
        flat(x_train), y_train.astype(np.int64), np.arange(1, len(y_train) + 1), val_fraction, seed, notes)
    notes.append(f"Validation: {len(y_val):,} images taken from the training set (seed {seed}, "
                 f"{'stratified' if stratified else 'at random'}).")
    return Dataset(
        "mnist", X_train, y_train, X_val, y_val, flat(x_test), y_test.astype(np.int64),
        [f"pixel_{r}_{c}" for r in range(side) for c in range(side)],
        [str(d) for d in range(10)], notes, (side, side), title="MNIST", target_name="digit", val_rows=val_rows,
    )


def _synthetic(
    seed: int,
    n_samples: int = 1000,
    n_features: int = 2,
    n_classes: int = 2,
    weights: list[float] | float | None = None,
    class_sep: float = 1.0,
) -> Dataset:
    from sklearn.datasets import make_classification

    n_samples, n_features, n_classes = (_whole(value, name) for name, value in
                                        (("n_samples", n_samples), ("n_features", n_features),
                                         ("n_classes", n_classes)))
    if not 30 <= n_samples <= 200_000:
        raise LogRegError(f"n_samples={n_samples}: use 30 to 200,000")
    if not 1 <= n_features <= 2_000:
        raise LogRegError(f"n_features={n_features}: use 1 to 2,000")
    if not 2 <= n_classes <= 10:
        raise LogRegError(f"n_classes={n_classes}: use 2 to 10")
    if not np.isfinite(class_sep) or class_sep <= 0:
        raise LogRegError(f"class_sep={class_sep}: use a number above 0 (0.1 makes the classes overlap a lot)")
    informative = min(n_features, max(2, n_features // 2)) if n_features > 1 else 1
    if n_classes > 2 ** informative:
        raise LogRegError(
            f"{n_classes} classes need at least {int(np.ceil(np.log2(n_classes)))} "
            f"informative features; use more features or fewer classes"
        )
    weights, shares = _class_shares(weights, n_classes)
    X, y = make_classification(
        n_samples=n_samples, n_features=n_features, n_informative=informative,
        n_redundant=0, n_repeated=0, n_classes=n_classes, n_clusters_per_class=1,
        weights=weights, class_sep=class_sep, flip_y=0.01, random_state=seed,
    )
    options = dict(n_samples=n_samples, n_features=n_features, n_classes=n_classes,
                   weights=weights, class_sep=class_sep)
    notes = [
        f"Synthetic data from scikit-learn's make_classification: {n_samples} samples, "
        f"{n_features} feature{'s' * (n_features != 1)} ({informative} informative), {n_classes} classes, "
        f"class_sep={class_sep:g}, 1% of labels flipped."
    ]
    if shares is not None:
        notes.append(f"Class shares asked for: {', '.join(f'{w:.0%}' for w in shares)} (before the flipped labels).")
    names = ["negative", "positive"] if n_classes == 2 else [f"class {i}" for i in range(n_classes)]
    return build_dataset(
        "synthetic", X, y, [f"x{i + 1}" for i in range(n_features)], names, notes,
        seed=seed, options=options, title="Synthetic", target_name="class",
    )


def _whole(value, name: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not number.is_integer():
        raise LogRegError(f"{name}={value!r}: use a whole number")
    return int(number)


def _class_shares(weights, n_classes: int) -> tuple[list[float] | None, list[float] | None]:
    """make_classification's ``weights`` as it takes them, and every class's share: one number is the
    positive share of two classes; a list gives every class's share, or all but the last (which takes the
    rest, as make_classification's own rule)."""
    if weights is None:
        return None, None
    if isinstance(weights, (int, float)):
        if n_classes != 2:
            raise LogRegError(f"weights={weights}: one number is the positive share of 2 classes; for "
                              f"{n_classes} classes give {n_classes} shares")
        if not 0 < weights < 1:
            raise LogRegError(f"weights={weights}: the positive share must be between 0 and 1")
        given = [1 - weights, weights]
    else:
        try:
            given = [float(w) for w in ([] if isinstance(weights, str) else weights)]
        except (TypeError, ValueError):
            given = []
    shares = given + [1 - sum(given)] if len(given) == n_classes - 1 else given
    if len(shares) != n_classes or not all(0 < w < 1 for w in shares) or abs(sum(shares) - 1) > 1e-9:
        raise LogRegError(f"weights={weights}: give each of the {n_classes} classes a share between 0 and 1, "
                          "the shares adding up to 1 (e.g. 0.9 and 0.1)")
    return given, shares


def load_dataset(name: str, seed: int = 0, **options) -> Dataset:
    """Load a built-in dataset by name (see ``BUILTIN_DATASETS``)."""
    loaders = {"breast_cancer": _breast_cancer, "digits": _digits, "mnist": _mnist, "synthetic": _synthetic}
    if name not in loaders:
        raise LogRegError(f"unknown dataset {name!r}: choose one of {', '.join(BUILTIN_DATASETS)}")
    try:
        return loaders[name](int(seed), **options)
    except TypeError as exc:
        raise LogRegError(f"bad option for {name}: {exc}") from exc


def one_vs_rest(dataset: Dataset, cls: int | str) -> Dataset:
    """A binary copy of ``dataset``: class ``cls`` (name or code) against all others."""
    if isinstance(cls, str) and cls in dataset.class_names:
        code = dataset.class_names.index(cls)
    elif isinstance(cls, (int, np.integer)) and 0 <= cls < dataset.n_classes:
        code = int(cls)
    else:
        raise LogRegError(f"unknown class {cls!r}: choose one of {', '.join(dataset.class_names)}")
    name = dataset.class_names[code]
    binary = lambda y: (y == code).astype(np.int64)  # noqa: E731
    return replace(
        dataset,
        name=f"{dataset.name} ({name} vs rest)", title=f"{dataset.title}: {name} vs rest",
        y_train=binary(dataset.y_train), y_val=binary(dataset.y_val), y_test=binary(dataset.y_test),
        class_names=[f"not {name}", name],
        notes=dataset.notes + [f"One-vs-rest: class {name!r} is positive (1), every other class negative (0)."],
    )


def select_features(dataset: Dataset, names: list[str]) -> Dataset:
    """A copy of ``dataset`` keeping only the named feature columns (e.g. two, for a picture)."""
    unknown = [n for n in names if n not in dataset.feature_names]
    if unknown or not names:
        raise LogRegError(f"unknown feature(s) {', '.join(unknown) or '(none given)'}: choose from the dataset's columns")
    cols = [dataset.feature_names.index(n) for n in names]
    return replace(
        dataset,
        name=f"{dataset.name} [{', '.join(names)}]", title=f"{dataset.title} [{', '.join(names)}]",
        X_train=dataset.X_train[:, cols], X_val=dataset.X_val[:, cols], X_test=dataset.X_test[:, cols],
        feature_names=list(names), image_shape=None,
        feature_sources=[dataset.feature_sources[c] for c in cols],
        notes=dataset.notes + [f"Using only feature(s) {', '.join(names)}."],
    )
