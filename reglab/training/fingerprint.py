"""One fingerprint of everything that changes a run's numbers, the same in every process.

A run is described as a flat mapping ``setting → value`` of plain JSON values: each optimizer's
hyperparameters, each layer's configuration and each variable's regularizer, the loss, a hash of
the initial weights and of the data, the batch size, the seed, shuffling, the precision, XLA, the
engine and the sparsity tolerance. Nothing in it depends on the process: functions are named by
their qualified name, objects by their class and ``get_config()`` (or their public attributes),
never by a ``repr`` holding a memory address, and auto-generated layer names (``dense_7``) are
left out. The fingerprint is a SHA-256 of that mapping; :func:`differences` names the settings in
which two descriptions differ, so a refused checkpoint can say why.

Introduced in notebooks/08-training-on-gpus.ipynb (checkpoints that refuse another run).
"""

from __future__ import annotations

import hashlib
import json
import numbers
from contextlib import contextmanager

import numpy as np

from reglab import _keras

__all__ = ["describe", "differences", "fingerprint", "hash_arrays"]

_DEPTH = 12


def describe(obj, _depth: int = 0):
    """A JSON-able, process-independent description of ``obj`` (config, function, value).

    Examples
    --------
    >>> import keras
    >>> describe(keras.regularizers.L2(0.01))
    {'class': 'keras.src.regularizers.regularizers.L2', 'config': {'l2': 0.01}}
    >>> describe(keras.losses.get("mse"))
    {'function': 'keras.src.losses.losses.mean_squared_error'}
    """
    if _depth > _DEPTH:
        return {"class": _qualified(type(obj))}
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return {"array": hash_arrays([obj])}
    if isinstance(obj, dict):
        return {str(k): describe(v, _depth + 1) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [describe(v, _depth + 1) for v in obj]
    if isinstance(obj, type):
        return {"type": _qualified(obj)}
    config = _config(obj)
    if config is not None:
        return {"class": _qualified(type(obj)), "config": describe(config, _depth + 1)}
    if callable(obj) and hasattr(obj, "__qualname__"):
        return {"function": _qualified(obj)}
    attributes = {k: v for k, v in sorted(vars(obj).items()) if not k.startswith("_")} \
        if hasattr(obj, "__dict__") else {}
    return {"class": _qualified(type(obj)), "attributes": describe(attributes, _depth + 1)}


def _config(obj):
    get_config = getattr(obj, "get_config", None)
    if get_config is None or isinstance(obj, type):
        return None
    try:
        config = get_config()
    except (NotImplementedError, TypeError, AttributeError, ValueError):
        return None
    return config if isinstance(config, dict) else None


def _qualified(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', type(obj).__name__)}"


def hash_arrays(arrays) -> str:
    """A short SHA-256 of arrays' dtypes, shapes and bytes.

    Examples
    --------
    >>> hash_arrays([np.zeros(3, "float32")]) == hash_arrays([np.zeros(3, "float32")])
    True
    >>> hash_arrays([np.zeros(3, "float32")]) == hash_arrays([np.zeros(3, "float64")])
    False
    """
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:20]


def describe_model(model) -> dict:
    """Each layer's class and configuration (its name left out), and each trainable variable's
    regularizer: what makes two models compute different things from the same weights."""
    layers = []
    for layer in _keras.flatten_layers(model)[1:]:
        with _without_regularizers(layer):
            config = _config(layer)
        if config is None:
            entry = describe(layer)
        else:
            config.pop("name", None)
            entry = {"class": _qualified(type(layer)), "config": describe(config)}
        entry["regularizers"] = {name: describe(value) for name, value in sorted(vars(layer).items())
                                 if name.endswith("regularizer") and value is not None}
        layers.append(entry)
    return {
        "class": _qualified(type(model)),
        "layers": layers,
        "variable_regularizers": [describe(getattr(v, "regularizer", None))
                                  for v in model.trainable_variables],
        "variables": [[list(v.shape), str(v.dtype), bool(v.trainable)] for v in model.variables],
    }


@contextmanager
def _without_regularizers(layer):
    """A layer's ``*_regularizer`` attributes set to None for ``get_config`` (a custom regularizer
    may not serialize; regularizers are described on their own)."""
    saved = [(name, value) for name, value in vars(layer).items()
             if name.endswith("regularizer") and value is not None]
    try:
        for name, _ in saved:
            setattr(layer, name, None)
        yield
    finally:
        for name, value in saved:
            setattr(layer, name, value)


def flatten(description, prefix: str = "") -> dict[str, object]:
    """``{"a": {"b": 1}, "c": [2]}`` → ``{"a.b": 1, "c[0]": 2}``: one entry per setting."""
    if isinstance(description, dict) and description:
        flat = {}
        for key, value in description.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(description, list) and description:
        flat = {}
        for index, value in enumerate(description):
            flat.update(flatten(value, f"{prefix}[{index}]"))
        return flat
    return {prefix: description}


def fingerprint(settings: dict[str, object]) -> str:
    """SHA-256 (hex, 32 characters) of a flat description, independent of key order.

    Examples
    --------
    >>> fingerprint({"batch_size": 32, "seed": 0}) == fingerprint({"seed": 0, "batch_size": 32})
    True
    """
    text = json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def differences(then: dict[str, object], now: dict[str, object], limit: int = 4) -> str:
    """``"batch_size: 32 then, 64 now"`` for the settings that differ (at most ``limit``).

    Examples
    --------
    >>> differences({"batch_size": 32, "seed": 0}, {"batch_size": 64, "seed": 0})
    'batch_size: 32 then, 64 now'
    """
    keys = [k for k in sorted(set(then) | set(now), key=_rank)
            if then.get(k, _MISSING) != now.get(k, _MISSING)]
    parts = [f"{k}: {_show(then.get(k, _MISSING))} then, {_show(now.get(k, _MISSING))} now"
             for k in keys[:limit]]
    if len(keys) > limit:
        parts.append(f"and {len(keys) - limit} more")
    return "; ".join(parts)


_MISSING = "<absent>"
_ORDER = ("x", "y", "validation_data", "batch_size", "shuffle", "seed", "mixed_precision",
          "jit_compile", "engine", "strategy", "sparsity_tolerance", "variants", "loss", "optimizer",
          "initial_weights", "model")


def _rank(key: str):
    head = key.split(".")[0].split("[")[0]
    return (_ORDER.index(head) if head in _ORDER else len(_ORDER), key)


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
