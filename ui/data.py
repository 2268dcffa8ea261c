"""Which dataset the session uses: built-ins (cached per process) and uploads."""
from __future__ import annotations

import hashlib

import streamlit as st

from logreg_core import Dataset, LogRegError, load_dataset, one_vs_rest
from logreg_core.datasets import mnist_available, select_features

from . import state

SOURCES = {"Breast cancer": "breast_cancer", "Digits": "digits", "MNIST": "mnist",
           "Synthetic": "synthetic", "Upload CSV": "csv"}


@st.cache_resource(show_spinner="Loading the dataset…", max_entries=16)
def _builtin(name: str, seed: int, options: tuple) -> Dataset:
    return load_dataset(name, seed=seed, **dict(options))


def synthetic_options(setup: dict) -> dict:
    return {"n_samples": int(setup["n_samples"]), "n_features": int(setup["n_features"]),
            "n_classes": int(setup["n_classes"]), "class_sep": float(setup["class_sep"]),
            "weights": float(setup["imbalance"]) if int(setup["n_classes"]) == 2 else None}


def builtin_key(s: dict) -> tuple:
    """(name, seed, options) of the built-in dataset the set-up ``s`` names."""
    options = synthetic_options(s) if s["dataset"] == "synthetic" else {}
    return s["dataset"], int(s["seed"]), tuple(sorted(options.items()))


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_upload(raw: bytes, digest: str, header: bool | None):
    """The uploaded table, parsed once per file (its ``file_digest``) and header choice: the Data page
    reruns on every widget change, and a wide file takes seconds to parse."""
    from logreg_core import csv_reader

    key = (digest, header)
    cached = st.session_state.get("csv_table")
    if cached is None or cached[0] != key:
        cached = (key, csv_reader.read_table(raw, header=header)[0])  # a LogRegError leaves the old one
        st.session_state["csv_table"] = cached
    return cached[1]


def refine(dataset: Dataset) -> Dataset:
    """Apply the session's one-vs-rest and two-feature choices to a loaded dataset. An uploaded file's
    one-vs-rest class is its Positive class, applied by the loader: a choice left from built-in data is not."""
    ovr = state.kept_value("ovr_pick")
    if (state.kept_value("train_as") == state.ONE_VS_REST and state.setup()["dataset"] != "csv"
            and not dataset.is_binary and ovr in dataset.class_names):
        dataset = one_vs_rest(dataset, ovr)
    pair = state.kept_value("feature_pair") or []
    if len(pair) == 2 and all(p in dataset.feature_names for p in pair):
        dataset = select_features(dataset, list(pair))
    return dataset


def drop_unknown_choices(base: Dataset) -> None:
    """Forget chosen classes and features that ``base`` does not have, so that no widget is drawn with a
    value outside its options: left from another dataset (dropped quietly), or from a link made on
    other data (said, on the page that first loads the link's dataset)."""
    checks = {"ovr_pick": ("one-vs-rest class", base.class_names),
              "view_class": ("threshold view class", base.class_names),
              "feature_pair": ("features", base.feature_names)}
    dropped = []
    for key, (label, options) in checks.items():
        value = state.kept_value(key)
        if value is not None and not set(value if isinstance(value, list) else [value]) <= set(options):
            del st.session_state[f"{key}_kept"]
            dropped.append(label)
    if "one-vs-rest class" in dropped:  # no class to train against the rest: back to all classes
        st.session_state["train_as_kept"] = state.TRAIN_AS[0]
    if dropped and st.session_state.get("opened_from_link") and not st.session_state.get("link_choices_checked"):
        verb = "are" if len(dropped) > 1 or dropped == ["features"] else "is"
        st.warning(f"The link's {' and '.join(dropped)} {verb} not in {state.literal(base.title)}: ignored, choose "
                   "on the Data page.")
    st.session_state["link_choices_checked"] = True


def use(base: Dataset) -> None:
    """Make ``base`` the session's dataset (a trained model stays until the next training)."""
    st.session_state["base_dataset"] = base
    st.session_state["dataset"] = refine(base)


def load_csv(raw: bytes, key: tuple, name: str) -> None:
    """Split an uploaded file as ``key`` = (digest, header, target, positive, seed) says and use it. The
    bytes are kept for this session, so that a new seed can re-split the file after the uploader has
    forgotten it (it does once another page is shown)."""
    from logreg_core import csv_loader

    _, header, target, positive, seed = key
    base = csv_loader.from_csv(raw, target=target, positive=positive, header=header, seed=seed, name=name)
    st.session_state["csv_key"], st.session_state["csv_raw"] = key, (raw, name)
    st.session_state.pop("builtin_key", None)
    use(base)


def ensure_dataset() -> Dataset | None:
    """The session's dataset, following the set-up: the built-in it names (loaded when none is chosen
    yet, or when its seed or options changed), or the uploaded file split by the set-up's seed.

    What is loaded is remembered by its key, not by the object: the built-ins' cache is shared by every
    session and may drop an entry, and a reload then would be a new object that no trained run is on
    (Continue would be refused). A failure (e.g. MNIST not cached) is shown and leaves the previous
    dataset in place; a file that cannot be re-split for a new seed keeps the seed of its split.
    """
    s = state.setup()
    if s["dataset"] == "mnist" and not mnist_available():  # said on the Data page; no download from here
        st.warning(f"MNIST is not cached on this server: Train uses {state.literal(state.current_dataset().title)}."
                   if state.current_dataset() else "MNIST is not cached on this server: see the Data page.")
        return state.current_dataset()
    try:
        if s["dataset"] != "csv":
            key = builtin_key(s)
            if st.session_state.get("builtin_key") != key:
                base = _builtin(*key)
                drop_unknown_choices(base)
                use(base)
                st.session_state["builtin_key"] = key
                for stale in ("csv_key", "csv_raw"):  # the uploaded file's data is no longer the one in use
                    st.session_state.pop(stale, None)
        elif (key := st.session_state.get("csv_key")) and key[-1] != int(s["seed"]):
            raw, name = st.session_state["csv_raw"]
            try:
                load_csv(raw, key[:-1] + (int(s["seed"]),), name)
            except LogRegError:
                s["seed"] = st.session_state["seed"] = key[-1]
                raise
    except LogRegError as exc:
        state.show_error(exc, "Could not load the dataset")
        if s["dataset"] == "csv":
            st.info(f"Seed is back to {s['seed']}, the seed the file in use was split with.")
    return state.current_dataset()
