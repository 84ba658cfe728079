"""A training loop whose objective you can see: ``total = data_loss + Σ model.losses``.

:func:`train` is a drop-in for ``model.fit(x, y)`` on in-memory data that records every part of
the objective per epoch (data loss, each layer's kernel/bias/activity penalty, validation loss,
weight norms and sparsity) and handles what a long run meets:

- devices: it trains under the ``tf.distribute`` strategy the model was built for (see
  :func:`reglab.devices.pick_strategy`); several replicas are kept in lockstep and their gradients
  summed, so the numbers equal one device's within float32 rounding;
- mixed precision: ``mixed_precision="auto"`` computes in float16 on GPUs with tensor cores and
  in float32 elsewhere, with the loss and every penalty summed in float32 and the loss scaled;
- faults: a NaN or an infinity stops training with an error naming the epoch, the step and the
  part of the loss; ``checkpoint_dir`` makes a killed run resumable; Ctrl-C returns what is done;
- speed: a whole epoch runs as one compiled program (XLA on one device), without Python between
  steps.

Introduced in notebooks/08-training-on-gpus.ipynb; notebooks 04 to 07 use it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from reglab import checkpoints, metrics
from reglab._setup import Data, RunSettings, Setup, check_data, prepare
from reglab.history import TrainingHistory

__all__ = ["NonFiniteLossError", "train"]


class NonFiniteLossError(FloatingPointError):
    """Training met a NaN or an infinity; the message says where and in which part of the loss.

    Attributes
    ----------
    epoch : int
        The epoch (counted from 1).
    step : int or None
        The step within the epoch (counted from 1); None when the validation loss went bad.
    parts : dict
        The non-finite parts: ``{"data_loss": nan, "penalty/dense/kernel": inf, ...}``.
    variant : object
        The sweep variant that went bad (None for :func:`train`).
    history : TrainingHistory or None
        What was recorded before (set by :func:`train`).
    """

    def __init__(self, epoch: int, step: int | None, steps: int, parts: dict, variant=None):
        self.epoch, self.step, self.parts, self.variant = epoch, step, parts, variant
        self.history = None
        where = f"step {step} of {steps}" if step is not None else "on the validation data"
        which = "; ".join(f"{_describe_part(name)} is {value}" for name, value in parts.items())
        of_variant = "" if variant is None else f" in variant {variant!r}"
        super().__init__(
            f"Training stopped at epoch {epoch}, {where}{of_variant}: {which}. The weights keep "
            "their values from before that step; a checkpoint_dir holds the last finished epoch. "
            "Common causes: a learning rate or penalty factor too large, or inputs not scaled."
        )


def train(
    model,
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
    strategy=None,
    mixed_precision: bool | str = "auto",
    jit_compile: bool | str = "auto",
    checkpoint_dir=None,
    progress: bool = True,
    on_epoch_end: Callable[[int, dict], object] | None = None,
    sparsity_tolerance: float = 1e-3,
) -> TrainingHistory:
    """Train ``model`` on in-memory data, minimising ``total = data_loss + Σ model.losses``.

    Each step takes a batch of the epoch's permutation (seeded by ``seed`` and the epoch, so a
    resumed run sees the same batches), computes the parts of the objective in float32

    .. math:: \\text{total} = \\frac{1}{B}\\sum_{i \\in \\text{batch}} \\ell(y_i, f(x_i))
              + \\sum_{\\text{layers}}\\;\\sum_{\\text{kernel, bias, activity}} \\text{penalty},

    checks that every part is finite, and applies the optimizer to the gradient of the total.

    Parameters
    ----------
    model : keras.Model
        Compiled, or pass ``loss`` and ``optimizer``. Its weights are updated in place.
    x, y : array_like
        Features and targets with the same number of samples (integer targets stay integers).
    epochs : int
        How many epochs the run should have in total (resumed ones included).
    batch_size : int
        Samples per step; the last batch of an epoch holds the rest.
    loss, optimizer : optional
        Anything ``keras.losses.get`` / ``keras.optimizers.get`` accepts; default: the model's.
    validation_data : tuple (x_val, y_val), optional
        Evaluated at the end of every epoch (``val_loss``, ``val_data_loss``, ``val_penalty``).
    shuffle : bool
        Shuffle the samples every epoch.
    seed : int
        Seed of the shuffling. Weight initialisation is the model's: seed it before building
        (``keras.utils.set_random_seed``). Same seed, same model, same numbers on a CPU.
    strategy : tf.distribute.Strategy, optional
        Default: the strategy the model's variables were created under (build the model inside
        ``strategy.scope()``, e.g. of :func:`reglab.devices.pick_strategy`). Any strategy works,
        multi-worker ones included, if the model and optimizer were created in its scope.
    mixed_precision : {"auto", True, False, "mixed_float16", "mixed_bfloat16", "float32"}
        Resolved by :func:`reglab.devices.mixed_precision_policy`: ``"auto"`` is float16 on GPUs
        with tensor cores, float32 elsewhere. The model computes in that precision for this run
        only (its weights stay float32); a model built in low precision keeps its own.
    jit_compile : {"auto", True, False}
        Compile each epoch with XLA. ``"auto"``: on with one replica, off with several (and in a
        :func:`reglab.sweeps.sweep` of several models, on only on a GPU: XLA compiles slowly on CPUs).
    checkpoint_dir : str or path, optional
        Save after every epoch (atomically). A later call with the same directory and settings
        resumes after the last finished epoch; if all ``epochs`` are done, it only restores.
    progress : bool
        Show a progress bar (a widget in notebooks) with the latest losses.
    on_epoch_end : callable(epoch, row), optional
        Called after each epoch is recorded and checkpointed.
    sparsity_tolerance : float
        Entries with ``|w| <=`` this count as zero in the ``sparsity/`` columns
        (:func:`reglab.metrics.sparsity`); recorded in ``params``.

    Returns
    -------
    TrainingHistory
        One row per finished epoch; ``interrupted=True`` if Ctrl-C stopped the run. A compiled
        epoch cannot be stopped half-way: the interrupt lands when it returns, so the weights may
        hold steps of an epoch that has no row (a checkpoint holds the last finished epoch).

    Raises
    ------
    NonFiniteLossError
        A loss part became NaN or infinite (the bad step is not applied).
    TypeError, ValueError
        Bad input; the message names the argument.

    Examples
    --------
    >>> import keras, numpy as np
    >>> keras.utils.set_random_seed(0)
    >>> x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    >>> y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(
    ...     1, kernel_regularizer=keras.regularizers.L2(1e-3), name="linear")])
    >>> model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    >>> history = train(model, x, y, epochs=20, batch_size=16, progress=False)
    >>> history.rows[-1]["data_loss"] < 0.01
    True
    >>> sorted(c for c in history.to_frame().columns if c.startswith("penalty"))
    ['penalty', 'penalty/linear/kernel']

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    run = RunSettings.check(epochs, batch_size, shuffle, seed, progress, sparsity_tolerance)
    data = check_data(x, y, validation_data)
    hook = _adapt_hook(on_epoch_end)
    setup = prepare([model], loss, optimizer, strategy, mixed_precision, jit_compile)
    with setup.active():
        outcome = run_epochs(setup, data, run, checkpoint_dir, hook, None)
    history = TrainingHistory(outcome.rows[0], setup.params(run, data), outcome.seconds)
    history.interrupted = outcome.interrupted
    if outcome.error is not None:
        outcome.error.history = history
        raise outcome.error
    return history


# --- the epochs ----------------------------------------------------------------------------
@dataclass
class Outcome:
    """What :func:`run_epochs` produced: rows per model, epoch times, how it ended."""

    rows: list[list[dict]]
    seconds: list[float]
    interrupted: bool = False
    error: NonFiniteLossError | None = None


def run_epochs(setup: Setup, data: Data, run: RunSettings, checkpoint_dir, hook, variants):
    """Train ``setup.models`` for ``run.epochs`` epochs in lockstep; record, checkpoint, report.

    ``hook(epoch, rows)`` gets the epoch's row of every model; ``variants`` names the models in
    error messages (None for a single model). Ctrl-C ends the loop with ``interrupted=True``;
    a non-finite loss ends it with ``error`` set (the caller raises it).
    """
    program = setup.program(data)
    config = _config(setup, data, run)
    rows, start = _resume(program, config, run.epochs, checkpoint_dir)
    outcome = Outcome(rows, [])
    if start >= run.epochs:
        program.finish()
        return outcome
    recorder = _Recorder(setup.models[0], program.labels, run.sparsity_tolerance)
    bar = _progress_bar(run, start, len(setup.models))
    try:
        for epoch in range(start + 1, run.epochs + 1):
            began = time.perf_counter()
            means, validation = _one_epoch(program, data, run, epoch, variants)
            epoch_rows = [recorder.row(epoch, m, v, w) for m, v, w in
                          zip(means, validation, program.weights(), strict=True)]
            outcome.seconds.append(time.perf_counter() - began)
            for model_rows, row in zip(outcome.rows, epoch_rows, strict=True):
                model_rows.append(row)
            if checkpoint_dir is not None:
                checkpoints.save(checkpoint_dir, epoch, program.state_variables(),
                                 {"config": config, "rows": outcome.rows})
            bar.set_postfix(_postfix(epoch_rows, variants), refresh=False)
            bar.update(1)
            if hook is not None:
                hook(epoch, epoch_rows)
    except KeyboardInterrupt:
        outcome.interrupted = True
    except NonFiniteLossError as error:
        outcome.error = error
    finally:
        bar.close()
        program.finish()
    return outcome


def _one_epoch(program, data: Data, run: RunSettings, epoch: int, variants):
    """One epoch of steps (full batches, then the rest), then validation; raise on non-finite."""
    n, size = len(data.x), run.batch_size
    order = epoch_order(n, epoch, run.seed, run.shuffle)
    full = n // size
    chunks = [(order[: full * size].reshape(full, size), 0, True)] if full else []
    if n % size:
        chunks.append((order[full * size :].reshape(1, n % size), full, False))
    steps = full + (1 if n % size else 0)
    sums = 0.0
    for batches, first, compiled in chunks:
        chunk_sums, bad_step, bad_parts = program.train_batches(batches, compiled=compiled)
        if bad_step >= 0:
            _raise_non_finite(program, epoch, first + bad_step + 1, steps, bad_parts, variants)
        sums = sums + chunk_sums.astype(np.float64)
    validation = program.evaluate()
    if validation is not None and not np.all(np.isfinite(validation)):
        _raise_non_finite(program, epoch, None, steps, validation, variants)
    if validation is None:
        validation = [None] * len(program.models)
    return sums / n, validation


def epoch_order(n: int, epoch: int, seed: int, shuffle: bool) -> np.ndarray:
    """The order of the samples in ``epoch``: a permutation drawn from ``(seed, epoch)`` alone,
    so a resumed run sees exactly the batches an uninterrupted one would."""
    if not shuffle:
        return np.arange(n, dtype=np.int32)
    return np.random.default_rng([seed, epoch]).permutation(n).astype(np.int32)


def _raise_non_finite(program, epoch, step, steps, parts, variants):
    for k, vector in enumerate(parts):
        bad = {name: float(v) for name, v in zip(program.labels, vector, strict=True)
               if not np.isfinite(v)}
        if bad:
            variant = None if variants is None else variants[k]
            raise NonFiniteLossError(epoch, step, steps, bad, variant)


def _describe_part(name: str) -> str:
    if name == "data_loss":
        return "the data loss"
    layer, _, kind = name.removeprefix("penalty/").rpartition("/")
    return f"the {kind} penalty of layer {layer!r}"


class _Recorder:
    """Turns an epoch's sums into a row: losses, penalties, validation, weight statistics."""

    def __init__(self, reference, labels, tolerance):
        self.labels, self.tolerance = labels, tolerance
        self.weight_labels = ["/".join(v.path.split("/")[-2:]) for v in reference.trainable_weights]

    def row(self, epoch, means, validation, weights) -> dict:
        data, penalties = float(means[0]), [float(v) for v in means[1:]]
        row = {"epoch": epoch, "loss": data + sum(penalties), "data_loss": data,
               "penalty": sum(penalties)}
        row.update(zip(self.labels[1:], penalties, strict=True))
        if validation is not None:
            val_data, val_penalty = float(validation[0]), float(np.sum(validation[1:], dtype=np.float64))
            row.update(val_loss=val_data + val_penalty, val_data_loss=val_data, val_penalty=val_penalty)
        row.update(self._weight_stats(weights))
        return row

    def _weight_stats(self, weights) -> dict:
        weights = [np.abs(w) for w in weights]
        stats = {}
        for prefix, statistic in (
            ("l1_norm", lambda w: float(w.sum(dtype=np.float64))),
            ("l2_norm", lambda w: float(np.sqrt(np.square(w, dtype=np.float64).sum()))),
            ("sparsity", lambda w: metrics.sparsity(w, self.tolerance)),
        ):
            stats.update({f"{prefix}/{label}": statistic(w) for label, w in
                          zip(self.weight_labels, weights, strict=True)})
        return stats


# --- checkpoints, progress, hooks ----------------------------------------------------------
def _config(setup: Setup, data: Data, run: RunSettings) -> dict:
    """The settings a resumed run must share with the one that wrote the checkpoint."""
    return {"samples": len(data.x), "data": data.fingerprint(), "batch_size": run.batch_size,
            "shuffle": run.shuffle, "seed": run.seed, "models": len(setup.models),
            "precision": setup.policy, "engine": setup.engine}


def _resume(program, config: dict, epochs: int, checkpoint_dir):
    """Restore the last finished epoch from ``checkpoint_dir``; return rows so far and its number."""
    empty = [[] for _ in program.models]
    path = None if checkpoint_dir is None else checkpoints.latest(checkpoint_dir)
    if path is None:
        return empty, 0
    state = checkpoints.read_state(path)
    different = {k: (state["config"].get(k), v) for k, v in config.items() if state["config"].get(k) != v}
    if different:
        changes = ", ".join(f"{k}: {old!r} then, {new!r} now" for k, (old, new) in different.items())
        raise ValueError(
            "Invalid value for argument checkpoint_dir: expected a checkpoint of a run with the "
            f"same settings and data. Received: {str(checkpoint_dir)!r}, written with other "
            f"settings ({changes}); use another directory"
        )
    if state["epoch"] > epochs:
        raise ValueError(
            f"Invalid value for argument epochs: expected at least the {state['epoch']} epochs "
            f"already finished in checkpoint_dir. Received: epochs={epochs}"
        )
    checkpoints.load(path, program.state_variables())
    return state["rows"], state["epoch"]


def _progress_bar(run: RunSettings, start: int, models: int):
    from tqdm.auto import tqdm

    what = "train" if models == 1 else f"sweep ({models} variants)"
    return tqdm(total=run.epochs, initial=start, desc=what, unit="epoch", disable=not run.progress,
                leave=True)


def _postfix(rows: list[dict], variants) -> dict:
    if variants is None:
        row = rows[0]
        keys = ("loss", "data_loss", "penalty", "val_loss")
        return {k.replace("_loss", ""): f"{row[k]:.4g}" for k in keys if k in row}
    key = "val_loss" if "val_loss" in rows[0] else "loss"
    best = min(range(len(rows)), key=lambda k: rows[k][key])
    return {f"best {key}": f"{rows[best][key]:.4g}", "variant": str(variants[best])}


def _adapt_hook(on_epoch_end):
    if on_epoch_end is None:
        return None
    if not callable(on_epoch_end):
        raise TypeError("Invalid value for argument on_epoch_end: expected a callable "
                        f"(epoch, row). Received: on_epoch_end={on_epoch_end!r}")
    return lambda epoch, rows: on_epoch_end(epoch, rows[0])
