"""TrainConfig: the plain settings the UI and the CLI fill in."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from .errors import LogRegError

OPTIMIZERS = ("sgd", "momentum", "adam")
MAX_EPOCHS = 10_000


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of one training run.

    ``l2`` is λ in the penalty λ/2·‖W‖² added to the mean loss (the bias is not
    penalized); scikit-learn's ``C`` corresponds to 1/(λ·n_train).
    ``class_weight`` is None or ``"balanced"`` (weights n/(k·n_class)).
    ``early_stopping`` is the patience in epochs on validation loss (0 = off);
    when it triggers, the best epoch's weights are restored.
    """

    epochs: int = 200
    batch_size: int = 64
    learning_rate: float = 0.01
    optimizer: str = "sgd"
    l2: float = 0.0
    class_weight: str | None = None
    early_stopping: int = 0
    seed: int = 0

    def validated(self) -> "TrainConfig":
        """Return a copy with types normalized, or raise LogRegError naming the bad value."""
        def number(name, cast):
            value = getattr(self, name)
            try:
                if isinstance(value, bool):
                    raise TypeError
                converted = cast(value)
                if cast is int and float(value) != converted:
                    raise ValueError
                return converted
            except (TypeError, ValueError, OverflowError):
                raise LogRegError(f"{name} must be a {'whole number' if cast is int else 'number'}, got {value!r}") from None

        epochs, batch, seed, patience = (number(n, int) for n in ("epochs", "batch_size", "seed", "early_stopping"))
        lr, l2 = number("learning_rate", float), number("l2", float)
        if not 1 <= epochs <= MAX_EPOCHS:
            raise LogRegError(f"epochs={epochs} is outside 1–{MAX_EPOCHS:,}: choose a number in that range")
        if batch < 1:
            raise LogRegError(f"batch_size={batch}: a batch needs at least 1 example")
        if not math.isfinite(lr) or lr <= 0:
            raise LogRegError(f"learning_rate={self.learning_rate}: it must be a positive, finite number (try 0.01)")
        if not math.isfinite(l2) or l2 < 0:
            raise LogRegError(f"l2={self.l2}: the penalty must be zero or a positive, finite number")
        if self.optimizer not in OPTIMIZERS:
            raise LogRegError(f"optimizer={self.optimizer!r}: choose one of {', '.join(OPTIMIZERS)}")
        if self.class_weight not in (None, "balanced"):
            raise LogRegError(f"class_weight={self.class_weight!r}: use none or 'balanced'")
        if patience < 0:
            raise LogRegError(f"early_stopping={patience}: the patience must be 0 (off) or more epochs")
        if not 0 <= seed < 2**32:
            raise LogRegError(f"seed={seed}: use a whole number from 0 to 4,294,967,295")
        return replace(self, epochs=epochs, batch_size=batch, seed=seed, early_stopping=patience,
                       learning_rate=lr, l2=l2)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "TrainConfig":
        """Build from a plain dict (UI state, JSON), ignoring keys that are not settings."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})
