"""The epochs of a run: resume, train, record, checkpoint, report, call the hook, stop.

:func:`run_epochs` takes a :class:`reglab.training.plan.Plan` and runs it to the end, or until
Ctrl-C, a bad step, or the hook asks to stop; it never raises for those: it returns an
:class:`Outcome` (the caller raises a :class:`NonFiniteLossError` it holds). The models compute in
the plan's precision only while the program runs: between epochs (checkpoint, hook) they are the
user's models, with their own dtype policies and regularizers, so saving one writes what the user
built.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from reglab.training import checkpoints, programs
from reglab.training.errors import STOP, NonFiniteLossError
from reglab.training.fingerprint import differences
from reglab.training.plan import Plan, activated
from reglab.training.step import BAD_PART, BAD_UPDATE

__all__ = ["Outcome", "epoch_order", "run_epochs"]


@dataclass
class Outcome:
    """What :func:`run_epochs` produced: rows per model, epoch times, how it ended."""

    rows: list[list[dict]]
    seconds: list[float] = field(default_factory=list)
    interrupted: bool = False
    stopped: bool = False
    error: NonFiniteLossError | None = None


def run_epochs(plan: Plan, directory, hook, *, argument: str = "checkpoint_dir") -> Outcome:
    """Train ``plan.models`` for ``plan.run.epochs`` epochs in lockstep; record, checkpoint, report.

    ``directory`` (or None) holds the checkpoints; ``argument`` names it in messages.
    ``hook(epoch, rows)`` gets the epoch's row of every model; returning ``True`` or
    :data:`reglab.training.STOP` ends the run after that epoch. Ctrl-C at any point ends it with
    ``interrupted=True``; a non-finite step ends it with ``error`` set.
    """
    outcome = Outcome([[] for _ in plan.models])
    bar = None
    program = None
    try:
        if directory is not None:  # refuse another run's checkpoint before compiling anything
            checkpoints.peek(directory, _checker(plan, directory, argument))
        with activated(plan):
            program = programs.build(plan)
        start = _resume(plan, program, directory, argument, outcome)
        if start >= plan.run.epochs:
            return outcome
        recorder = _Recorder(program)
        bar = _progress_bar(plan, start)
        for epoch in range(start + 1, plan.run.epochs + 1):
            began = time.perf_counter()
            with activated(plan):
                means, validation, statistics = _one_epoch(program, plan, epoch)
            epoch_rows = [recorder.row(epoch, m, v, s) for m, v, s in
                          zip(means, validation, statistics, strict=True)]
            outcome.seconds.append(time.perf_counter() - began)
            for model_rows, row in zip(outcome.rows, epoch_rows, strict=True):
                model_rows.append(row)
            if directory is not None:
                checkpoints.save(directory, epoch, program.state_variables(),
                                 {"settings": dict(plan.settings), "fingerprint": plan.fingerprint,
                                  "rows": outcome.rows})
            bar.set_postfix(_postfix(epoch_rows, plan.variants), refresh=False)
            bar.update(1)
            if hook is not None and _stops(hook(epoch, epoch_rows)):
                outcome.stopped = True
                break
    except KeyboardInterrupt:
        outcome.interrupted = True
    except NonFiniteLossError as error:
        outcome.error = error
    finally:
        if bar is not None:
            bar.close()
        if program is not None:
            program.finish()
    return outcome


def _stops(answer) -> bool:
    """``True`` (Python's or numpy's) or :data:`STOP` stops; anything else (None, ...) goes on."""
    return answer is STOP or (isinstance(answer, bool | np.bool_) and bool(answer))


def _one_epoch(program, plan: Plan, epoch: int):
    """One epoch of steps (full batches, then the rest), then validation; raise on non-finite.
    Returns the mean parts, the validation parts and the weight statistics after the epoch
    (``[V, 3]``: Σ|w|, Σw², the count of near-zero weights), per model."""
    n, size = len(plan.data.x), plan.run.batch_size
    order = epoch_order(n, epoch, plan.run.seed, plan.run.shuffle)
    full = n // size
    steps = full + (1 if n % size else 0)
    full_batches = order[: full * size].reshape(full, size)
    rest = order[full * size :].reshape(1, n % size) if n % size else np.zeros((0, 1), np.int32)
    full_sums, rest_sums, bad_step, kind, parts, details, statistics = program.train_epoch(
        full_batches, rest, plan.run.sparsity_tolerance)
    if bad_step >= 0:
        raise _non_finite(program, plan, epoch, bad_step + 1, steps, kind, parts, details)
    sums = 0.0
    if full:
        sums = sums + full_sums.astype(np.float64)
    if n % size:
        sums = sums + rest_sums.astype(np.float64)
    validation = program.evaluate()
    if validation is not None and not np.all(np.isfinite(validation)):
        raise _non_finite(program, plan, epoch, None, steps, BAD_PART, validation, None)
    if validation is None:
        validation = [None] * len(program.models)
    return sums / n, validation, statistics


def epoch_order(n: int, epoch: int, seed: int, shuffle: bool) -> np.ndarray:
    """The order of the samples in ``epoch``: a permutation drawn from ``(seed, epoch)`` alone,
    so a resumed run sees exactly the batches an uninterrupted one would.

    Examples
    --------
    >>> epoch_order(5, 1, 0, False).tolist()
    [0, 1, 2, 3, 4]
    >>> sorted(epoch_order(5, 1, 0, True).tolist())
    [0, 1, 2, 3, 4]
    """
    if not shuffle:
        return np.arange(n, dtype=np.int32)
    return np.random.default_rng([seed, epoch]).permutation(n).astype(np.int32)


def _non_finite(program, plan, epoch, step, steps, kind, parts, details) -> NonFiniteLossError:
    variants = plan.variants
    for k in range(len(program.models)):
        if kind == BAD_PART:
            bad = {name: float(v) for name, v in zip(program.labels, parts[k], strict=True)
                   if not np.isfinite(v)}
        else:
            prefix = "update" if kind == BAD_UPDATE else "gradient"
            bad = {f"{prefix}/{name}": float(v) for name, v in
                   zip(program.variable_labels, details[k], strict=True) if not np.isfinite(v)}
        if bad:
            return NonFiniteLossError(epoch, step, steps, bad, None if variants is None else variants[k])
    raise AssertionError("a bad step without a non-finite value")  # pragma: no cover


class _Recorder:
    """Turns an epoch's sums into a row: losses, penalties, validation, weight statistics."""

    def __init__(self, program):
        self.labels, self.weight_labels = program.labels, program.variable_labels
        self.sizes = np.array([np.prod(v.shape, dtype=np.int64) for v in
                               program.models[0].trainable_weights], dtype=np.float64)

    def row(self, epoch, means, validation, statistics) -> dict:
        data, penalties = float(means[0]), [float(v) for v in means[1:]]
        row = {"epoch": epoch, "loss": data + sum(penalties), "data_loss": data,
               "penalty": sum(penalties)}
        row.update(zip(self.labels[1:], penalties, strict=True))
        if validation is not None:
            val_data, val_penalty = float(validation[0]), float(np.sum(validation[1:], dtype=np.float64))
            row.update(val_loss=val_data + val_penalty, val_data_loss=val_data, val_penalty=val_penalty)
        l1, squares, near_zero = statistics.T
        for prefix, values in (("l1_norm", l1), ("l2_norm", np.sqrt(squares)),
                               ("sparsity", near_zero / self.sizes)):
            row.update({f"{prefix}/{label}": float(value) for label, value in
                        zip(self.weight_labels, values, strict=True)})
        return row


# --- checkpoints, progress --------------------------------------------------------------------
def _resume(plan: Plan, program, directory, argument: str, outcome: Outcome) -> int:
    """Restore the newest usable checkpoint of this run from ``directory``; return its epoch."""
    if directory is None:
        return 0
    state = checkpoints.restore(directory, program.state_variables(), _checker(plan, directory, argument))
    if state is None:
        return 0
    outcome.rows = state["rows"]
    return state["epoch"]


def _checker(plan: Plan, directory, argument: str):
    """``check(state, path)``: refuse a checkpoint of another run, skip one with broken rows."""

    def check(state, path):
        if "settings" not in state or "fingerprint" not in state:
            raise ValueError(
                f"Invalid value for argument {argument}: expected a checkpoint of a run with the "
                f"same settings and data. Received: {str(directory)!r}, holding {path.name} written "
                "without a run fingerprint (an older reglab); use another directory"
            )
        if state["fingerprint"] != plan.fingerprint:
            then = state["settings"] if isinstance(state["settings"], dict) else {}
            changes = differences(then, dict(plan.settings)) or "its fingerprint"
            hint = ""
            if "initial_weights" in changes:
                hint = " (build the model from the seed that run used) or"
            raise ValueError(
                f"Invalid value for argument {argument}: expected a checkpoint of a run with the "
                f"same settings and data. Received: {str(directory)!r}, written with other "
                f"settings ({changes});{hint} use another directory"
            )
        rows = state.get("rows")
        if not isinstance(rows, list) or len(rows) != len(plan.models) or \
                any(not isinstance(r, list) or len(r) != state["epoch"] for r in rows):
            raise checkpoints.Damaged(f"its rows are not {state['epoch']} epochs of "
                                      f"{len(plan.models)} model(s)")
        if state["epoch"] > plan.run.epochs:
            raise ValueError(
                f"Invalid value for argument epochs: expected at least the {state['epoch']} epochs "
                f"already finished in {argument}. Received: epochs={plan.run.epochs}"
            )

    return check


def _progress_bar(plan: Plan, start: int):
    from tqdm.auto import tqdm

    models = len(plan.models)
    what = "train" if models == 1 else f"sweep ({models} variants)"
    return tqdm(total=plan.run.epochs, initial=start, desc=what, unit="epoch",
                disable=not plan.run.progress, leave=True, delay=plan.run.progress_delay)


def _postfix(rows: list[dict], variants) -> dict:
    if variants is None:
        row = rows[0]
        keys = ("loss", "data_loss", "penalty", "val_loss")
        return {k.replace("_loss", ""): f"{row[k]:.4g}" for k in keys if k in row}
    key = "val_loss" if "val_loss" in rows[0] else "loss"
    best = min(range(len(rows)), key=lambda k: rows[k][key])
    return {f"best {key}": f"{rows[best][key]:.4g}", "variant": str(variants[best])}
