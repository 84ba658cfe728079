"""The latest compiled program, kept for a next run that would compile the same one.

Calling :func:`reglab.training.train` again on the same model (ten more epochs, or the same
settings on new data of the same shape) would trace, and with XLA compile, the very program the
last call built: a second to several seconds, and a slower first epoch or two while the new
program warms up. ``Model.fit`` keeps its ``train_function`` between calls for the same reason.
So the latest one-model or lockstep program is kept, with what decides its graph:

- the same model, optimizer and strategy objects, the same trainable variables (a layer frozen
  since, ``layer.trainable = False``, changes them);
- the same description of the model (layers, their configs, regularizers and dtype policies),
  loss, optimizer hyperparameters, precision, engine and XLA setting: the run's fingerprint
  (:mod:`reglab.training.fingerprint`) without the data, the initial weights, the optimizer's
  state, and the settings Python reads (batch size, shuffling, seed, sparsity tolerance);
- data of the same shapes and dtypes.

Anything else builds a new program, which replaces the kept one: at most one program (and the
models it trains) is held beyond its run. A program holds no data between runs: each run hands
it its own (:meth:`reglab.training.programs.Lockstep.use_data`). A stacked sweep
(:mod:`reglab.training.stacked`) copies its variants' weights into variables of its own, so it is
never kept.
"""

from __future__ import annotations

import json

__all__ = ["forget", "kept", "keep", "program_key"]

_PYTHON_SIDE = ("x", "y", "validation_data", "batch_size", "shuffle", "seed", "sparsity_tolerance",
                "initial_weights")
"""Settings that change a run's result but not its compiled program."""

_kept: tuple | None = None


def program_key(plan) -> tuple:
    """What decides the compiled program of ``plan`` (see the module docstring)."""
    settings = {name: value for name, value in plan.settings.items()
                if name.split(".")[0].split("[")[0] not in _PYTHON_SIDE
                and not (name.startswith("optimizer") and name.endswith(".state"))}
    arrays = [plan.data.x, plan.data.y, *(plan.data.validation or ())]
    return (
        json.dumps(settings, sort_keys=True, default=str),
        tuple(id(o) for o in (*plan.models, *plan.optimizers, plan.strategy)),
        tuple(id(v) for model in plan.models for v in model.trainable_variables),
        plan.data.validation is None,
        tuple((a.shape, str(a.dtype)) for a in arrays),
    )


def kept(plan):
    """The kept program if ``plan`` would compile the same one, else None."""
    if _kept is not None and _kept[0] == program_key(plan):
        return _kept[1]
    return None


def keep(plan, program) -> None:
    """Keep ``program`` (built for ``plan``) in place of the one kept before."""
    global _kept
    _kept = (program_key(plan), program)


def forget() -> None:
    """Drop the kept program (the next run builds its own)."""
    global _kept
    _kept = None
