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

from reglab.training.arguments import RunSettings, check_bool, check_directory, check_models
from reglab.training.loop import run_epochs
from reglab.training.plan import resolve

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
    progress: bool | str = "auto",
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
        Copy the first variant's initial weights (and dropout seeds) into all the others. With or
        without it, the variants must share one architecture (the same layers and variable shapes).
    vectorize : {"auto", True, False}
        Train the variants as one model with weights stacked along a variant axis (one forward
        pass of batched matrix products, one optimizer over the stacked weights; much quicker to
        start). Possible when the variants differ only in their regularizers, use one elementwise
        optimizer setting (SGD, Adam, ...) and run in float32 on one replica. ``"auto"`` does it
        where possible and steps the K models side by side otherwise; ``attrs["params"]["engine"]``
        says which ran. Stacked variants are compiled with XLA (``jit_compile="auto"``) only on
        a GPU: on a CPU the compilation costs more than it saves in a sweep of tens of epochs.
    cache_dir : str or path, optional
        Save after every epoch under ``cache_dir/sweep-<fingerprint>/``, where the fingerprint
        (:mod:`reglab.training.fingerprint`) covers everything that changes the numbers: the
        variants' labels, layers and regularizers, the initial weights, the loss, the optimizer's
        hyperparameters, the data and every setting, the same in every process. Calling again with
        the same arguments resumes an interrupted sweep, or restores a finished one (weights
        included) without training; any other sweep starts afresh in a directory of its own beside
        it.

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
    variants, models = check_models(models)
    try:
        run = RunSettings.check(epochs, batch_size, shuffle, seed, progress, sparsity_tolerance)
        same_init = check_bool(same_init, "same_init")
        cache = check_directory(cache_dir, "cache_dir")
        plan = resolve(models, run, x, y, validation_data, loss=loss, optimizer=optimizer,
                       strategy=strategy, mixed_precision=mixed_precision, jit_compile=jit_compile,
                       variants=variants, vectorize=vectorize, same_init=same_init)
    except KeyboardInterrupt:
        return _table(variants, [[] for _ in models], interrupted=True, params={}, seconds=[])
    directory = None if cache is None else cache / f"sweep-{plan.fingerprint[:16]}"
    outcome = run_epochs(plan, directory, None, argument="cache_dir")
    table = _table(variants, outcome.rows, interrupted=outcome.interrupted, params=plan.params(),
                   seconds=outcome.seconds)
    if outcome.error is not None:
        outcome.error.table = table
        raise outcome.error
    return table


def _table(variants, rows, **attrs):
    import pandas as pd

    records = [{"variant": variant, **row} for variant, model_rows in zip(variants, rows, strict=True)
               for row in model_rows]
    table = pd.DataFrame.from_records(records)
    table.attrs.update(attrs)
    return table
