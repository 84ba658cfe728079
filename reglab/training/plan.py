"""The plan of a run: every setting resolved, validated and fingerprinted once, before the first
step, and never changed afterwards.

:func:`resolve` turns the arguments of :func:`reglab.training.train` or
:func:`reglab.training.sweep` into a frozen :class:`Plan`: the models, their losses and
optimizers (loss-scaled under ``mixed_float16``), the ``tf.distribute`` strategy, the compute
precision, the engine (one model or K in lockstep, or K stacked), XLA on or off, the checked data
and run settings, and the run's fingerprint (:mod:`reglab.training.fingerprint`). A program
(:mod:`reglab.training.programs`) is compiled from a plan; a checkpoint or cache is resumed only
by a plan with the same fingerprint.
"""

from __future__ import annotations

import warnings
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from reglab import devices
from reglab.training import precision
from reglab.training.arguments import Data, RunSettings, check_auto_bool, check_data, check_model
from reglab.training.fingerprint import describe, describe_model, fingerprint, flatten, hash_arrays

__all__ = ["Plan", "activated", "resolve"]


@dataclass(frozen=True)
class Plan:
    """What trains and how, fixed before the first step (see the module docstring)."""

    models: tuple
    variants: tuple | None
    optimizers: tuple
    losses: tuple
    strategy: object
    policy: str
    engine: str
    jit_compile: bool
    run: RunSettings
    data: Data
    settings: MappingProxyType
    fingerprint: str

    @property
    def loss_scaling(self) -> bool:
        import keras

        return isinstance(self.optimizers[0], keras.optimizers.LossScaleOptimizer)

    def params(self) -> dict:
        """How the run was set up, as recorded in the history's ``params``."""
        steps = -(-len(self.data.x) // self.run.batch_size)
        return {
            "epochs": self.run.epochs,
            "batch_size": self.run.batch_size,
            "samples": len(self.data.x),
            "steps_per_epoch": steps,
            "shuffle": self.run.shuffle,
            "seed": self.run.seed,
            "strategy": devices.describe_strategy(self.strategy),
            "replicas": self.strategy.num_replicas_in_sync,
            "precision": self.policy,
            "loss_scaling": self.loss_scaling,
            "engine": self.engine,
            "jit_compile": self.jit_compile,
            "sparsity_tolerance": self.run.sparsity_tolerance,
            "fingerprint": self.fingerprint,
        }


def resolve(models, run: RunSettings, x, y, validation_data, *, loss, optimizer, strategy,
            mixed_precision, jit_compile, variants=None, vectorize=False, same_init=False) -> Plan:
    """Check and resolve every setting; copy initial weights (``same_init``); fingerprint.

    ``variants`` is None for :func:`reglab.training.train` (one model) and the labels of a sweep
    otherwise; a sweep gives every model its own new optimizer made from ``optimizer``.
    """
    for model in models:
        check_model(model, "model" if variants is None else "models")
    strategy = _resolve_strategy(models[0], strategy)
    losses = tuple(_resolve_loss(model, loss) for model in models)
    data = check_data(x, y, validation_data, models[0], losses[0])
    optimizers = [_resolve_optimizer(model, optimizer, strategy, fresh=variants is not None)
                  for model in models]
    if len({id(o) for o in optimizers}) < len(optimizers):
        raise ValueError(
            "Invalid value for argument models: expected each model compiled with its own "
            "optimizer. Received: models sharing one optimizer instance"
        )
    policy = _resolve_policy(models[0], mixed_precision)
    jit_setting = _check_jit(jit_compile, strategy)
    vectorize = check_auto_bool(vectorize, "vectorize")
    engine = _choose_engine(models, optimizers, losses, strategy, policy, vectorize)
    jit = _choose_jit(jit_setting, engine, len(models), strategy, run, data)
    if same_init:
        _copy_initial_weights(models)
    settings = _describe_run(models, variants, optimizers, losses, strategy, policy, engine, jit, run,
                             data)
    optimizers = [_with_loss_scaling(o, policy, strategy) for o in optimizers]
    return Plan(tuple(models), None if variants is None else tuple(variants), tuple(optimizers),
                losses, strategy, policy, engine, jit, run, data, MappingProxyType(settings),
                fingerprint(settings))


@contextmanager
def activated(plan: Plan):
    """The models computing in the plan's precision, under its strategy; the models' own dtype
    policies, regularizers and losses back afterwards (also after an error or Ctrl-C)."""
    with ExitStack() as stack:
        for model in plan.models:
            stack.enter_context(precision.computing_in(model, plan.policy))
        stack.enter_context(plan.strategy.scope())
        try:
            yield plan
        finally:
            for model in plan.models:
                model._clear_losses()


# --- the fingerprinted description ------------------------------------------------------------
def _describe_run(models, variants, optimizers, losses, strategy, policy, engine, jit, run, data):
    one = variants is None

    def each(values):
        return values[0] if one else list(values)

    description = {
        "x": hash_arrays([data.x]),
        "y": hash_arrays([data.y]),
        "validation_data": None if data.validation is None else hash_arrays(data.validation),
        "batch_size": run.batch_size,
        "shuffle": run.shuffle,
        "seed": run.seed,
        "mixed_precision": policy,
        "jit_compile": jit,
        "engine": engine,
        "strategy": devices.describe_strategy(strategy),
        "sparsity_tolerance": run.sparsity_tolerance,
        "loss": each([describe(loss) for loss in losses]),
        "optimizer": each([_describe_optimizer(o) for o in optimizers]),
        "initial_weights": each([hash_arrays([np.asarray(v.numpy()) for v in m.variables])
                                 for m in models]),
        "model": each([describe_model(m) for m in models]),
    }
    if not one:
        description["variants"] = [describe(v) for v in variants]
    return flatten(description)


def _describe_optimizer(optimizer) -> dict:
    config = dict(optimizer.get_config())
    config.pop("name", None)
    state = hash_arrays([np.asarray(v.numpy()) for v in optimizer.variables]) if optimizer.built \
        else "new"
    return {"class": type(optimizer).__qualname__, "config": describe(config), "state": state}


# --- engine and XLA -----------------------------------------------------------------------------
def _choose_engine(models, optimizers, losses, strategy, policy, vectorize) -> str:
    from reglab.training.stacked import NotVectorizable, check_vectorizable

    if vectorize is False or len(models) < 2:
        return "lockstep"
    try:
        check_vectorizable(models, optimizers, losses, strategy, policy)
    except NotVectorizable as reason:
        if vectorize is True:
            raise ValueError(
                "Invalid value for argument vectorize: expected variants that differ only "
                f"in their regularizers. Received: vectorize=True, but {reason}"
            ) from None
        return "lockstep"
    return "vectorized"


XLA_PAYS_AFTER_STEPS = 1500
"""On a CPU, compiling several models with XLA takes seconds (a few for 8 stacked variants of the
benchmark MLP) and then saves a fraction of every step; measured with ``python -m
benchmarks.training`` (57 steps per epoch), it pays from about 27 epochs on: about 1500 steps."""

XLA_PAYS_AFTER_STEPS_ONE_MODEL = 10_000
"""On a CPU, one small model: XLA's compilation costs seconds more than tracing the graph (3 to 9
s on this 2-core machine, the more the busier) and then saves a fraction of a millisecond a step;
across five runs it paid after 4,800 to 21,700 steps (``python -m benchmarks.xla_cost`` prints
both figures and the break-even on the machine at hand; notebook 08, "When XLA pays", shows
them). The notebooks' single runs (a hundred to a few thousand steps) stay on the graph."""


def _choose_jit(setting, engine: str, models: int, strategy, run: RunSettings, data: Data) -> bool:
    """``"auto"``, by cost: on a GPU, XLA on one replica; on a CPU, XLA once the run is long
    enough for the compilation to pay: :data:`XLA_PAYS_AFTER_STEPS` steps for several models
    (stacked or side by side), :data:`XLA_PAYS_AFTER_STEPS_ONE_MODEL` for one."""
    import tensorflow as tf

    if setting != "auto":
        return setting
    if strategy.num_replicas_in_sync > 1:
        return False
    if tf.config.list_physical_devices("GPU"):
        return True
    steps = run.epochs * -(-len(data.x) // run.batch_size)
    several = engine == "vectorized" or models > 1
    return steps >= (XLA_PAYS_AFTER_STEPS if several else XLA_PAYS_AFTER_STEPS_ONE_MODEL)


def _check_jit(jit_compile, strategy) -> bool | str:
    jit_compile = check_auto_bool(jit_compile, "jit_compile")
    if jit_compile is True and strategy.num_replicas_in_sync > 1:
        raise ValueError(
            "Invalid value for argument jit_compile: expected False or 'auto' with several "
            f"replicas (XLA compiles one device's program). Received: jit_compile=True with "
            f"{devices.describe_strategy(strategy)}"
        )
    return jit_compile


# --- models, optimizers, strategy, precision ------------------------------------------------
def _copy_initial_weights(models) -> None:
    """Give every variant the first one's starting point (weights and seed states)."""
    for model in models[1:]:
        for target, source in zip(model.variables, models[0].variables, strict=True):
            target.assign(source.value)


def _resolve_strategy(model, strategy):
    import tensorflow as tf

    own = devices.strategy_of(model)
    if strategy is None:
        if own.num_replicas_in_sync == 1 and devices.detect().strategy_kind == "mirrored":
            warnings.warn(
                "The model's variables belong to one device, so training uses one GPU. To use all "
                "of them, build and compile the model under "
                "`with reglab.devices.pick_strategy().scope():`.",
                stacklevel=5,
            )
        return own
    if not isinstance(strategy, tf.distribute.Strategy):
        raise TypeError(
            "Invalid value for argument strategy: expected a tf.distribute.Strategy or None. "
            f"Received: strategy={strategy!r}"
        )
    # Only the strategy that owns the variables: an optimizer with slots (Adam) would otherwise
    # fail later with TensorFlow's "Mixing different tf.distribute.Strategy objects".
    if own is strategy:
        return strategy
    raise ValueError(
        "Invalid value for argument strategy: expected the strategy whose scope() created the "
        f"model's variables ({devices.describe_strategy(own)}); build and compile the model under "
        f"`with strategy.scope():`. Received: strategy={devices.describe_strategy(strategy)}"
    )


def _resolve_loss(model, loss):
    import keras

    spec = loss if loss is not None else getattr(model, "loss", None)
    if spec is None:
        raise ValueError(
            "Invalid value for argument model: expected a compiled model, or pass loss= and "
            f"optimizer=. Received: model={model.name!r} with no loss"
        )
    if isinstance(spec, list | tuple | dict):
        raise ValueError(
            "Invalid value for argument loss: expected one loss (reglab trains single-output "
            f"models). Received: loss={spec!r}"
        )
    if not (isinstance(spec, str) or callable(spec)):
        raise TypeError("Invalid value for argument loss: expected a loss name, function or "
                        f"keras.losses.Loss. Received: loss={spec!r}")
    try:
        return keras.losses.get(spec)
    except (ValueError, TypeError):
        raise ValueError(f"Invalid value for argument loss: expected a name keras.losses.get knows "
                         f"(such as 'mse'). Received: loss={spec!r}") from None


def _resolve_optimizer(model, optimizer, strategy, fresh: bool):
    import keras

    spec = optimizer if optimizer is not None else getattr(model, "optimizer", None)
    if spec is None:
        raise ValueError(
            "Invalid value for argument model: expected a compiled model, or pass loss= and "
            f"optimizer=. Received: model={model.name!r} with no optimizer"
        )
    with strategy.scope():
        if isinstance(spec, str | dict):
            try:
                return keras.optimizers.get(spec)
            except (ValueError, TypeError):
                raise ValueError("Invalid value for argument optimizer: expected a name "
                                 "keras.optimizers.get knows (such as 'adam'). Received: "
                                 f"optimizer={spec!r}") from None
        if not isinstance(spec, keras.optimizers.Optimizer):
            raise TypeError(
                "Invalid value for argument optimizer: expected a keras optimizer or its name. "
                f"Received: optimizer={spec!r}"
            )
        if isinstance(spec, keras.optimizers.LossScaleOptimizer) and fresh and optimizer is not None:
            spec = spec.inner_optimizer
        if fresh and optimizer is not None:
            return type(spec).from_config(spec.get_config())
    if spec.built:
        try:
            spec._check_variables_are_known(model.trainable_variables)
        except ValueError:
            raise ValueError(
                "Invalid value for argument optimizer: expected a new optimizer or the one already "
                f"used for this model. Received: {type(spec).__name__} built for other variables "
                "(create one optimizer per model)"
            ) from None
    owner = getattr(spec, "_distribution_strategy", strategy)
    if owner is not strategy and strategy.num_replicas_in_sync > 1:
        raise ValueError(
            "Invalid value for argument optimizer: expected an optimizer created under "
            f"strategy.scope() ({devices.describe_strategy(strategy)}); compile the model inside "
            "the scope. Received: an optimizer created outside it"
        )
    return spec


def _resolve_policy(model, mixed_precision) -> str:
    own = precision.compute_dtype(model)
    if own != "float32":  # built under a mixed policy: keep it
        devices.mixed_precision_policy(mixed_precision, devices.DeviceReport())  # still validate
        return "mixed_" + own
    report = devices.detect() if mixed_precision == "auto" and isinstance(mixed_precision, str) \
        else None
    return devices.mixed_precision_policy(mixed_precision, report)


def _with_loss_scaling(optimizer, policy: str, strategy):
    """A ``LossScaleOptimizer`` around ``optimizer`` when the run computes in float16."""
    import keras

    if policy != "mixed_float16" or isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    with strategy.scope():
        return keras.optimizers.LossScaleOptimizer(optimizer)
