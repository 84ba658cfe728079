"""Train many regularization settings side by side, and get one tidy table.

A λ sweep (the regularization path) trains one architecture several times, changing only the
regularization: the factor λ, L1 against L2, where the penalty sits. :func:`sweep` trains all
variants together in one compiled program (:mod:`reglab._engine`): every step, each variant takes
its step on the same batch, from the same initial weights, so the differences in the table come
from the regularization alone. That is also much faster than K separate ``fit`` calls: the
per-step overhead is paid once, not K times.

Introduced in notebooks/08-training-on-gpus.ipynb; notebooks 04 to 07 use it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from reglab._setup import RunSettings, check_data, prepare
from reglab._vectorized import anonymous_config
from reglab.training import run_epochs

__all__ = ["sweep"]


def sweep(
    models,
    x,
    y,
    *,
    epochs: int = 1,
    batch_size: int = 32,
    loss=None,
    optimizer=None,
    validation_data=None,
    shuffle: bool = True,
    seed: int = 0,
    same_init: bool = True,
    vectorize: bool | str = "auto",
    strategy=None,
    mixed_precision: bool | str = "auto",
    jit_compile: bool | str = "auto",
    cache_dir=None,
    progress: bool = True,
    sparsity_tolerance: float = 1e-3,
):
    """Train K variants of one architecture side by side; return one row per variant and epoch.

    Every variant minimises its own ``total = data_loss + Σ penalties`` with its own optimizer,
    on the same batches in the same order; with ``same_init`` all start from the first variant's
    weights. The rows hold what :func:`reglab.training.train` records (``loss``, ``data_loss``,
    ``penalty``, one column per penalty term, ``val_*``, weight norms and sparsity), with the
    columns named after the first variant's layers.

    Parameters
    ----------
    models : mapping of label → keras.Model, or a sequence of models
        The variants, built (and optionally compiled, each with its own optimizer). The label
        (a λ, a name, a tuple) becomes the ``variant`` column; a sequence is labelled 0..K-1.
    x, y, epochs, batch_size, validation_data, shuffle, seed, strategy, mixed_precision, \
jit_compile, progress, sparsity_tolerance
        As in :func:`reglab.training.train`.
    loss, optimizer : optional
        Default: each model's own. An optimizer given here is copied (``from_config``) for each
        variant, so no two share state.
    same_init : bool
        Copy the first variant's initial weights (and dropout seeds) into all the others.
    vectorize : {"auto", True, False}
        Train the variants as one model with weights stacked along a variant axis (one forward
        pass of batched matrix products, one optimizer over the stacked weights; much quicker to
        start). Possible when the variants differ only in their regularizers, use one elementwise
        optimizer setting (SGD, Adam, ...) and run in float32 on one replica. ``"auto"`` does it
        where possible and steps the K models side by side otherwise; ``attrs["params"]["engine"]``
        says which ran. Stacked variants are compiled with XLA (``jit_compile="auto"``) only on
        a GPU: on a CPU the compilation costs more than it saves in a sweep of tens of epochs.
    cache_dir : str or path, optional
        Save after every epoch under ``cache_dir/<key>/``, where the key hashes the variants'
        configurations, the data and the settings. Calling again with the same arguments resumes an
        interrupted sweep, or restores a finished one (weights included) without training.

    Returns
    -------
    pandas.DataFrame
        Columns ``variant``, ``epoch``, then the recorded numbers; ``attrs["interrupted"]`` is
        True when Ctrl-C stopped the sweep, ``attrs["params"]`` holds the run's settings and
        ``attrs["seconds"]`` the wall time of each epoch trained by this call.

    Examples
    --------
    >>> import keras, numpy as np
    >>> x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    >>> y = x @ np.array([[1.0], [0.0], [0.0]], dtype="float32")
    >>> def build(lam):
    ...     return keras.Sequential([keras.Input((3,)), keras.layers.Dense(
    ...         1, kernel_regularizer=keras.regularizers.L1(lam), name="linear")])
    >>> table = sweep({lam: build(lam) for lam in (0.0, 0.1)}, x, y, epochs=30, batch_size=16,
    ...               loss="mse", optimizer=keras.optimizers.SGD(0.05), progress=False)
    >>> table.shape[0]  # 2 variants x 30 epochs
    60
    >>> last = table[table.epoch == 30].set_index("variant")
    >>> bool(last.loc[0.1, "l1_norm/linear/kernel"] < last.loc[0.0, "l1_norm/linear/kernel"])
    True

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    variants, models = _check_models(models)
    run = RunSettings.check(epochs, batch_size, shuffle, seed, progress, sparsity_tolerance)
    data = check_data(x, y, validation_data)
    setup = prepare(models, loss, optimizer, strategy, mixed_precision, jit_compile, fresh=True,
                    vectorize=vectorize)
    if same_init:
        _copy_initial_weights(models, variants)
    directory = None if cache_dir is None else Path(cache_dir) / _cache_key(setup, data, run, variants)
    with setup.active():
        outcome = run_epochs(setup, data, run, directory, None, variants)
    table = _table(variants, outcome.rows)
    table.attrs.update(interrupted=outcome.interrupted, params=setup.params(run, data),
                       seconds=outcome.seconds)
    if outcome.error is not None:
        outcome.error.table = table
        raise outcome.error
    return table


def _check_models(models) -> tuple[list, list]:
    import keras

    if isinstance(models, Mapping):
        variants, models = list(models.keys()), list(models.values())
    elif isinstance(models, Sequence) and not isinstance(models, str):
        variants, models = list(range(len(models))), list(models)
    else:
        raise TypeError(
            "Invalid value for argument models: expected a mapping of label to keras.Model (or a "
            f"list of models). Received: models of type {type(models).__name__}"
        )
    if not models or not all(isinstance(m, keras.Model) for m in models):
        raise ValueError(
            "Invalid value for argument models: expected at least one keras.Model, all of them "
            f"models. Received: models={models!r}"
        )
    return variants, models


def _copy_initial_weights(models, variants) -> None:
    """Give every variant the first one's starting point; refuse different architectures."""
    reference = models[0].variables
    for variant, model in zip(variants[1:], models[1:], strict=True):
        shapes = [tuple(v.shape) for v in model.variables]
        if shapes != [tuple(v.shape) for v in reference]:
            raise ValueError(
                "Invalid value for argument models: expected variants of one architecture (same "
                f"variable shapes). Received: variant {variant!r} with shapes {shapes}, variant "
                f"{variants[0]!r} with {[tuple(v.shape) for v in reference]}"
            )
        for target, source in zip(model.variables, reference, strict=True):
            target.assign(source.value)


def _cache_key(setup, data, run, variants) -> str:
    """A hash of everything that determines the sweep's numbers, the number of epochs aside."""
    description = {
        "variants": [repr(v) for v in variants],
        "models": [anonymous_config(m) for m in setup.models],
        "regularizers": [[repr(_config_of(v.regularizer)) for v in m.trainable_variables]
                         for m in setup.models],
        "optimizers": [anonymous_config(o) for o in setup.optimizers],
        "losses": [repr(getattr(loss, "get_config", lambda loss=loss: loss)()) for loss in setup.losses],
        "data": data.fingerprint(),
        "run": [run.batch_size, run.shuffle, run.seed, setup.policy, setup.vectorize],
    }
    text = json.dumps(description, sort_keys=True, default=repr)
    return "sweep-" + hashlib.sha1(text.encode()).hexdigest()[:16]


def _config_of(regularizer):
    return None if regularizer is None else anonymous_config(regularizer)


def _table(variants, rows):
    import pandas as pd

    records = [{"variant": variant, **row} for variant, model_rows in zip(variants, rows, strict=True)
               for row in model_rows]
    return pd.DataFrame.from_records(records)
