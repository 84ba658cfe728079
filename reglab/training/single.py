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
  steps; calling ``train`` again on the same model with the same settings reuses that program
  (:mod:`reglab.training.reuse`).

Introduced in notebooks/08-training-on-gpus.ipynb; notebooks 04 to 07 use it.
"""

from __future__ import annotations

from collections.abc import Callable

from reglab.training.arguments import RunSettings, check_directory
from reglab.training.errors import NonFiniteLossError
from reglab.training.history import TrainingHistory
from reglab.training.loop import run_epochs
from reglab.training.plan import resolve

__all__ = ["NonFiniteLossError", "train"]


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
    progress: bool | str = "auto",
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
        Save after every epoch (atomically: a run killed at any moment, while saving included,
        resumes bit for bit). A later call with the same directory resumes after the last
        finished epoch (if all ``epochs`` are done, it only restores) only if the run's
        fingerprint is the same: the data, every setting, the model's layers and regularizers,
        the loss, the optimizer's hyperparameters and the initial weights
        (:mod:`reglab.training.fingerprint`). A checkpoint of another run is refused with an
        error naming the settings that differ; a damaged checkpoint is skipped with a warning
        for the newest complete one.
    progress : bool or "auto"
        Show a progress bar (a widget in notebooks) with the latest losses. ``"auto"`` (the
        default) shows it only on a run longer than a few seconds, and never where the
        environment variable ``REGLAB_PROGRESS`` is 0 (``make nbval`` and ``make notebooks`` set
        it, so executed notebooks carry no bar).
    on_epoch_end : callable(epoch, row), optional
        Called after each epoch is recorded and checkpointed, with the model as the user built
        it (its own dtype policy and regularizers: ``model.save`` inside it writes that model).
        Returning ``True`` or :data:`reglab.training.STOP` stops the run after this epoch
        (early stopping; ``history.stopped_early`` is then True); any other value continues.
    sparsity_tolerance : float
        Entries with ``|w| <=`` this count as zero in the ``sparsity/`` columns
        (:func:`reglab.metrics.sparsity`); recorded in ``params``.

    Returns
    -------
    TrainingHistory
        One row per finished epoch; ``interrupted=True`` if Ctrl-C stopped the run, at any point
        (while checking, tracing or restoring too: the history is then empty or holds the
        restored epochs). A compiled epoch cannot be stopped half-way: the interrupt lands when
        it returns, so the weights may hold steps of an epoch that has no row (a checkpoint
        holds the last finished epoch).

    Raises
    ------
    NonFiniteLossError
        A loss part, a gradient or an update became NaN or infinite: the bad step is not applied
        (the weights keep their values) and ``error.history`` holds the finished epochs.
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
    try:
        run = RunSettings.check(epochs, batch_size, shuffle, seed, progress, sparsity_tolerance)
        hook = _adapt_hook(on_epoch_end)
        directory = check_directory(checkpoint_dir, "checkpoint_dir")
        plan = resolve([model], run, x, y, validation_data, loss=loss, optimizer=optimizer,
                       strategy=strategy, mixed_precision=mixed_precision, jit_compile=jit_compile)
    except KeyboardInterrupt:  # while checking and planning: nothing trained yet
        return TrainingHistory(interrupted=True)
    outcome = run_epochs(plan, directory, hook)
    history = TrainingHistory(outcome.rows[0], plan.params(), outcome.seconds,
                              interrupted=outcome.interrupted, stopped_early=outcome.stopped)
    if outcome.error is not None:
        outcome.error.history = history
        raise outcome.error
    return history


def _adapt_hook(on_epoch_end):
    if on_epoch_end is None:
        return None
    if not callable(on_epoch_end):
        raise TypeError("Invalid value for argument on_epoch_end: expected a callable "
                        f"(epoch, row). Received: on_epoch_end={on_epoch_end!r}")
    return lambda epoch, rows: on_epoch_end(epoch, rows[0])
