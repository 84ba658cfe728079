"""Every argument of :func:`reglab.training.train` and :func:`reglab.training.sweep`, checked up
front, before anything is built or traced.

Each check raises ``TypeError`` (wrong kind) or ``ValueError`` (wrong value) with a message that
names the argument, says what was expected and shows what came (see :mod:`reglab._validation`).
Targets are checked against the model: their shape against its output, integer labels against
the number of classes, their dtype against what float32 or int32 can hold.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reglab._validation import _invalid, as_float_array, check_bool, check_float, check_int

__all__ = ["Data", "RunSettings", "check_bool", "check_data", "check_directory", "check_models"]


# --- scalars ---------------------------------------------------------------------------------
def check_auto_bool(value, name: str) -> bool | str:
    """``"auto"``, ``True`` or ``False`` exactly (``1`` and ``"yes"`` are refused)."""
    if value == "auto" and isinstance(value, str):
        return "auto"
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ValueError(f"Invalid value for argument {name}: expected 'auto', True or False. "
                     f"Received: {name}={value!r}")


def check_directory(value, name: str) -> Path | None:
    """A path for checkpoints: None, or a non-empty str/PathLike that is not an existing file."""
    if value is None:
        return None
    if not isinstance(value, str | os.PathLike):
        raise TypeError(f"Invalid value for argument {name}: expected a path (str or os.PathLike) "
                        f"or None. Received: {name}={value!r}")
    text = os.fspath(value)
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"Invalid value for argument {name}: expected a non-empty path (an empty "
                         f"one would write into the working directory). Received: {name}={value!r}")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise ValueError(f"Invalid value for argument {name}: expected a directory (new or "
                         f"existing). Received: {name}={text!r}, which is a file")
    return path


@dataclass(frozen=True)
class RunSettings:
    """The scalar settings of a run, validated."""

    epochs: int
    batch_size: int
    shuffle: bool
    seed: int
    progress: bool
    sparsity_tolerance: float
    progress_delay: float = 0.0

    @classmethod
    def check(cls, epochs, batch_size, shuffle, seed, progress, sparsity_tolerance) -> RunSettings:
        return cls(
            epochs=check_int(epochs, "epochs"),
            batch_size=check_int(batch_size, "batch_size"),
            shuffle=check_bool(shuffle, "shuffle"),
            seed=_check_seed(seed),
            progress=_resolve_progress(progress),
            sparsity_tolerance=check_float(sparsity_tolerance, "sparsity_tolerance"),
            progress_delay=AUTO_PROGRESS_DELAY_S if progress == "auto" else 0.0,
        )


AUTO_PROGRESS_DELAY_S = 3.0
"""``progress="auto"`` shows the bar only once a run has taken this long: short runs stay quiet."""

PROGRESS_ENV = "REGLAB_PROGRESS"
"""Set to 0 (``make nbval``, ``make notebooks`` do) and ``progress="auto"`` shows no bar at all, so
an executed notebook's outputs do not depend on how fast the machine was."""


def _resolve_progress(progress) -> bool:
    """``"auto"``: a bar unless ``REGLAB_PROGRESS`` is 0/false/no/off; otherwise a strict bool."""
    if isinstance(progress, str) and progress == "auto":
        setting = os.environ.get(PROGRESS_ENV, "1").strip().lower()
        return setting not in ("0", "false", "no", "off")
    if isinstance(progress, str):
        raise TypeError(_invalid("progress", "True, False or 'auto'", progress))
    return check_bool(progress, "progress")


def _check_seed(seed) -> int:
    seed = check_int(seed, "seed", minimum=0)
    if seed >= 2**63:
        raise ValueError(f"Invalid value for argument seed: expected an integer in [0, 2**63). "
                         f"Received: seed={seed}")
    return seed


# --- data --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Data:
    """Training (and validation) arrays, checked and converted (float32 features, float32 or int32
    targets)."""

    x: np.ndarray
    y: np.ndarray
    validation: tuple[np.ndarray, np.ndarray] | None


def check_data(x, y, validation_data, model=None, loss=None) -> Data:
    """Check features and targets: numeric, finite, non-empty, as many targets as samples, and,
    given the model and its loss, features of the model's input shape and targets it can take."""
    x, y = _check_pair(x, y, "x", "y")
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
            raise TypeError(
                "Invalid value for argument validation_data: expected a tuple (x_val, y_val). "
                f"Received: validation_data of type {type(validation_data).__name__}"
            )
        validation = _check_pair(*validation_data, "validation_data[0]", "validation_data[1]")
        if validation[0].shape[1:] != x.shape[1:]:
            raise ValueError(
                f"Invalid value for argument validation_data: expected features of shape "
                f"(n, {', '.join(map(str, x.shape[1:]))}) like x. Received: validation_data[0] of "
                f"shape {validation[0].shape}"
            )
    if model is not None:
        _check_against_model(model, loss, x, y, "x", "y")
        if validation is not None:
            _check_against_model(model, loss, *validation, "validation_data", "validation_data")
    return Data(x, y, validation)


def _check_pair(x, y, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is refused just below
        x = as_float_array(x, x_name, dtype=np.float32, allow_empty=False)
    if x.ndim == 0:
        raise ValueError(f"Invalid value for argument {x_name}: expected an array of samples. "
                         f"Received: {x_name}={x!r}")
    if not np.all(np.isfinite(x)):  # finite in float64, overflowing in float32
        raise ValueError(f"Invalid value for argument {x_name}: expected values that float32 can "
                         f"hold (|x| < 3.4e38). Received: {x_name} with values beyond that")
    y_array = np.asarray(y)
    if y_array.dtype != bool and np.issubdtype(y_array.dtype, np.integer):
        y = _as_int32(y_array, y_name)
    else:
        with np.errstate(over="ignore", invalid="ignore"):
            y = as_float_array(y, y_name, dtype=np.float32, allow_empty=False)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"Invalid value for argument {y_name}: expected values that float32 "
                             f"can hold. Received: {y_name} with values beyond 3.4e38")
    if y.ndim == 0 or len(y) != len(x):
        received = len(y) if y.ndim else "a scalar"
        raise ValueError(
            f"Invalid value for argument {y_name}: expected one target per sample of {x_name} "
            f"({len(x)}). Received: {y_name} with {received} samples"
        )
    return x, y


def _as_int32(y: np.ndarray, name: str) -> np.ndarray:
    if y.size == 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-empty array. "
                         f"Received: {name} of shape {y.shape}")
    low, high = int(y.min()), int(y.max())
    bounds = np.iinfo(np.int32)
    if low < bounds.min or high > bounds.max:
        raise ValueError(
            f"Invalid value for argument {name}: expected integer targets that int32 holds "
            f"([{bounds.min}, {bounds.max}]). Received: {name} of dtype {y.dtype} with values in "
            f"[{low}, {high}]"
        )
    return y.astype(np.int32)


SPARSE_LOSSES = ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy",
                 "sparse_categorical_focal_crossentropy", "SparseCategoricalFocalCrossentropy")


def _is_sparse(loss) -> bool:
    name = loss if isinstance(loss, str) else getattr(loss, "__name__", type(loss).__name__)
    return name in SPARSE_LOSSES or getattr(loss, "fn", None) is not None and \
        getattr(loss.fn, "__name__", "") in SPARSE_LOSSES


def _is_keras_loss(loss) -> bool:
    if isinstance(loss, str):
        return True
    module = getattr(loss, "__module__", "") or ""
    return module.startswith("keras.")


def _known_shape(tensor_shape) -> tuple | None:
    try:
        return tuple(None if d is None else int(d) for d in tensor_shape)
    except TypeError:
        return None


def _model_shapes(model) -> tuple[tuple | None, tuple | None]:
    """The model's input and output shapes (batch axis included), where it declares them."""
    inputs = getattr(model, "inputs", None)
    outputs = getattr(model, "outputs", None)
    try:
        in_shape = _known_shape(inputs[0].shape) if inputs and len(inputs) == 1 else None
        out_shape = _known_shape(outputs[0].shape) if outputs and len(outputs) == 1 else None
    except (AttributeError, IndexError, TypeError, ValueError):
        return None, None
    return in_shape, out_shape


def _check_against_model(model, loss, x, y, x_name, y_name) -> None:
    in_shape, out_shape = _model_shapes(model)
    if in_shape is not None and not _fits(x.shape[1:], in_shape[1:]):
        raise ValueError(
            f"Invalid value for argument {x_name}: expected features of shape "
            f"{_shape_text(in_shape)} (the input of model {model.name!r}). Received: {x_name} of "
            f"shape {x.shape}"
        )
    if out_shape is None or loss is None:
        return
    if _is_sparse(loss):
        _check_labels(y, out_shape, y_name, model)
    elif _is_keras_loss(loss):
        expected = out_shape[1:]
        squeezable = len(expected) == 1 and expected[0] == 1 and y.ndim == 1
        if not squeezable and not _fits(y.shape[1:], expected):
            raise ValueError(
                f"Invalid value for argument {y_name}: expected targets of shape "
                f"{_shape_text(out_shape)} (the output of model {model.name!r}; other shapes would "
                f"broadcast in the loss). Received: targets of shape {y.shape}"
            )


def _check_labels(y, out_shape, name, model) -> None:
    classes = out_shape[-1]
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"Invalid value for argument {name}: expected integer class labels of "
                         f"shape (n,) or (n, 1) for a sparse categorical loss. Received: targets "
                         f"of shape {y.shape}")
    if y.dtype != np.int32 and not np.array_equal(y, np.round(y)):
        raise ValueError(f"Invalid value for argument {name}: expected integer class labels for a "
                         f"sparse categorical loss. Received: targets of dtype {y.dtype} with "
                         f"fractional values")
    low, high = float(np.min(y)), float(np.max(y))
    if classes is not None and (low < 0 or high >= classes):
        raise ValueError(
            f"Invalid value for argument {name}: expected class labels in [0, {classes - 1}] (model "
            f"{model.name!r} outputs {classes} classes). Received: labels in [{low:g}, {high:g}]"
        )


def _fits(shape, expected) -> bool:
    return len(shape) == len(expected) and all(e is None or s == e for s, e in
                                               zip(shape, expected, strict=True))


def _shape_text(shape) -> str:
    return "(" + ", ".join("n" if d is None and i == 0 else str(d) for i, d in enumerate(shape)) + \
        ("," if len(shape) == 1 else "") + ")"


# --- models -------------------------------------------------------------------------------------
def check_model(model, name: str = "model") -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"Invalid value for argument {name}: expected a keras.Model. "
                        f"Received: {name}={model!r}")
    if not model.built:
        raise ValueError(
            f"Invalid value for argument {name}: expected a built model (give it a keras.Input, or "
            f"call it once on a batch). Received: {name}={model.name!r}, not built"
        )


def check_models(models) -> tuple[list, list]:
    """Labels and models of a sweep: distinct, built models of one architecture."""
    if isinstance(models, Mapping):
        variants, models = list(models.keys()), list(models.values())
    elif isinstance(models, Sequence) and not isinstance(models, str):
        variants, models = list(range(len(models))), list(models)
    else:
        raise TypeError(
            "Invalid value for argument models: expected a mapping of label to keras.Model (or a "
            f"list of models). Received: models of type {type(models).__name__}"
        )
    import keras

    if not models or not all(isinstance(m, keras.Model) for m in models):
        raise ValueError(
            "Invalid value for argument models: expected at least one keras.Model, all of them "
            f"models. Received: models={models!r}"
        )
    seen: dict[int, object] = {}
    for variant, model in zip(variants, models, strict=True):
        if id(model) in seen:
            raise ValueError(
                "Invalid value for argument models: expected each model once (one passed twice "
                f"would take two steps per batch). Received: variants {seen[id(model)]!r} and "
                f"{variant!r} are the same model object {model.name!r}"
            )
        seen[id(model)] = variant
    for model in models:
        check_model(model, "models")
    _check_one_architecture(models, variants)
    return variants, models


def _check_one_architecture(models, variants) -> None:
    """The same variables, of the same shapes (where a penalty sits may add a layer without
    weights: notebook 06 places an activity penalty before or after the activation)."""
    reference = [tuple(v.shape) for v in models[0].variables]
    for variant, model in zip(variants[1:], models[1:], strict=True):
        shapes = [tuple(v.shape) for v in model.variables]
        if shapes != reference:
            raise ValueError(
                "Invalid value for argument models: expected variants of one architecture (same "
                f"variable shapes). Received: variant {variant!r} with shapes {shapes}, variant "
                f"{variants[0]!r} with {reference}"
            )
