"""logreg_core: logistic regression you can watch learn, and threshold analytics you can trust.

Importing this package (and all threshold work) never imports TensorFlow;
training and export import it on first use.
"""
from .config import OPTIMIZERS, TrainConfig
from .datasets import BUILTIN_DATASETS, Dataset, load_dataset, one_vs_rest
from .errors import LogRegError
from .model import TrainedModel
from .runs import RunResult, run_training
from .training import EpochReport, train


def from_csv(file, target=None, positive=None, header=None, **options) -> Dataset:
    """Load a CSV (path, bytes or file object); see ``logreg_core.csv_loader``."""
    from .csv_loader import from_csv as load

    return load(file, target=target, positive=positive, header=header, **options)


__all__ = [
    "BUILTIN_DATASETS", "Dataset", "EpochReport", "LogRegError", "OPTIMIZERS", "RunResult",
    "TrainConfig", "TrainedModel", "from_csv", "load_dataset", "one_vs_rest", "run_training", "train",
]
