"""What a run trains and how: checked data and settings, models with their optimizers and
losses, the ``tf.distribute`` strategy, the compute precision, and the compiled program.

Shared by :func:`reglab.training.train` (one model) and :func:`reglab.sweeps.sweep` (K variants).
"""

from __future__ import annotations

import hashlib
import warnings
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import numpy as np

from reglab import devices, precision
from reglab._validation import as_float_array, check_float, check_int


# --- checked input -------------------------------------------------------------------------
@dataclass(frozen=True)
class RunSettings:
    """The scalar settings of a run, validated."""

    epochs: int
    batch_size: int
    shuffle: bool
    seed: int
    progress: bool
    sparsity_tolerance: float

    @classmethod
    def check(cls, epochs, batch_size, shuffle, seed, progress, sparsity_tolerance) -> RunSettings:
        return cls(
            epochs=check_int(epochs, "epochs"),
            batch_size=check_int(batch_size, "batch_size"),
            shuffle=_check_bool(shuffle, "shuffle"),
            seed=check_int(seed, "seed", minimum=0),
            progress=_check_bool(progress, "progress"),
            sparsity_tolerance=check_float(sparsity_tolerance, "sparsity_tolerance"),
        )


@dataclass(frozen=True)
class Data:
    """Training (and validation) arrays, checked and converted."""

    x: np.ndarray
    y: np.ndarray
    validation: tuple[np.ndarray, np.ndarray] | None

    def fingerprint(self) -> str:
        """A short hash of the arrays, so a checkpoint is never resumed on other data."""
        digest = hashlib.sha1()
        for array in (self.x, self.y, *(self.validation or ())):
            digest.update(f"{array.dtype}{array.shape}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()[:16]


def check_data(x, y, validation_data) -> Data:
    """Check features and targets: numeric, finite, non-empty, as many targets as samples."""
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
    return Data(x, y, validation)


def _check_pair(x, y, x_name: str, y_name: str) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(x, x_name, dtype=np.float32, allow_empty=False)
    if x.ndim == 0:
        raise ValueError(f"Invalid value for argument {x_name}: expected an array of samples. "
                         f"Received: {x_name}={x!r}")
    y_array = np.asarray(y)
    if np.issubdtype(y_array.dtype, np.integer):
        y = y_array.astype(np.int32)
    else:
        y = as_float_array(y, y_name, dtype=np.float32, allow_empty=False)
    if y.ndim == 0 or len(y) != len(x):
        received = len(y) if y.ndim else "a scalar"
        raise ValueError(
            f"Invalid value for argument {y_name}: expected one target per sample of {x_name} "
            f"({len(x)}). Received: {y_name} with {received} samples"
        )
    return x, y


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"Invalid value for argument {name}: expected True or False. "
                        f"Received: {name}={value!r}")
    return bool(value)


# --- models, optimizers, strategy, precision ------------------------------------------------
@dataclass
class Setup:
    """What trains: the models with their optimizers and losses, and how (strategy, precision)."""

    models: list
    optimizers: list
    losses: list
    strategy: object
    policy: str
    jit_compile: bool | str
    vectorize: bool | str = False
    engine: str = field(default="lockstep", init=False)
    compiled: bool = field(default=False, init=False)

    @contextmanager
    def active(self):
        """Models in their compute precision, under the strategy; losses cleared afterwards."""
        with ExitStack() as stack:
            for model in self.models:
                stack.enter_context(precision.computing_in(model, self.policy))
            stack.enter_context(self.strategy.scope())
            self.optimizers = [precision.with_loss_scaling(o, m) for m, o in self._pairs()]
            for model, optimizer in self._pairs():
                if not optimizer.built:
                    optimizer.build(model.trainable_variables)
            try:
                yield self
            finally:
                for model in self.models:
                    model._clear_losses()

    def _pairs(self):
        return list(zip(self.models, self.optimizers, strict=True))

    def program(self, data: Data):
        """The compiled program: vectorized variants when allowed and possible, else lockstep."""
        from reglab._engine import Lockstep
        from reglab._vectorized import NotVectorizable, Vectorized, check_vectorizable

        if self.vectorize is not False and len(self.models) > 1:
            try:
                check_vectorizable(self.models, self.optimizers, self.losses, self.strategy, self.policy)
                program = Vectorized(self.models, self.optimizers[0], self.losses, data.x, data.y,
                                     data.validation, jit_compile=self._jit("vectorized"))
            except NotVectorizable as reason:
                if self.vectorize is True:
                    raise ValueError(
                        "Invalid value for argument vectorize: expected variants that differ only "
                        f"in their regularizers. Received: vectorize=True, but {reason}"
                    ) from None
            else:
                self.engine, self.compiled = program.engine, self._jit("vectorized")
                return program
        self.engine, self.compiled = "lockstep", self._jit("lockstep")
        return Lockstep(self.models, self.optimizers, self.losses, self.strategy, data.x, data.y,
                        data.validation, jit_compile=self.compiled)

    def _jit(self, engine: str) -> bool:
        """``"auto"``: XLA for one model on one replica; for several models (stacked or side by
        side) only on a GPU. On a CPU, XLA takes seconds to compile K models' products and speeds
        an epoch up by about 1.5x only, so it pays after many tens of epochs (measured with
        ``python -m benchmarks.training``; a 4-autoencoder sweep's first epoch took 11.7 s with
        XLA and 4.5 s without)."""
        import tensorflow as tf

        if self.jit_compile != "auto":
            return self.jit_compile
        if engine == "vectorized" or len(self.models) > 1:
            return bool(tf.config.list_physical_devices("GPU"))
        return self.strategy.num_replicas_in_sync == 1

    def params(self, run: RunSettings, data: Data) -> dict:
        import keras

        steps = -(-len(data.x) // run.batch_size)
        return {
            "epochs": run.epochs,
            "batch_size": run.batch_size,
            "samples": len(data.x),
            "steps_per_epoch": steps,
            "shuffle": run.shuffle,
            "seed": run.seed,
            "strategy": devices.describe_strategy(self.strategy),
            "replicas": self.strategy.num_replicas_in_sync,
            "precision": self.policy,
            "loss_scaling": isinstance(self.optimizers[0], keras.optimizers.LossScaleOptimizer),
            "engine": self.engine,
            "jit_compile": self.compiled,
            "sparsity_tolerance": run.sparsity_tolerance,
        }


def prepare(models, loss, optimizer, strategy, mixed_precision, jit_compile, *, fresh=False,
            vectorize=False):
    """Resolve strategy, losses, optimizers, precision and compilation for ``models``.

    ``fresh=True`` gives every model its own new optimizer made from ``optimizer`` (sweeps);
    ``vectorize`` (True, False or "auto") allows stacking the variants into one model.
    """
    for model in models:
        _check_built(model)
    strategy = _resolve_strategy(models[0], strategy)
    losses = [_resolve_loss(model, loss) for model in models]
    optimizers = [_resolve_optimizer(model, optimizer, strategy, fresh) for model in models]
    if len({id(o) for o in optimizers}) < len(optimizers):
        raise ValueError(
            "Invalid value for argument models: expected each model compiled with its own "
            "optimizer. Received: models sharing one optimizer instance"
        )
    policy = _resolve_policy(models[0], mixed_precision)
    if vectorize not in ("auto", True, False):
        raise ValueError("Invalid value for argument vectorize: expected 'auto', True or False. "
                         f"Received: vectorize={vectorize!r}")
    return Setup(models, optimizers, losses, strategy, policy, _check_jit(jit_compile, strategy),
                 vectorize)


def _resolve_strategy(model, strategy):
    import tensorflow as tf

    own = devices.strategy_of(model)
    if strategy is None:
        if own.num_replicas_in_sync == 1 and devices.detect().strategy_kind == "mirrored":
            warnings.warn(
                "The model's variables belong to one device, so training uses one GPU. To use all "
                "of them, build and compile the model under "
                "`with reglab.devices.pick_strategy().scope():`.",
                stacklevel=4,
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


def _check_built(model) -> None:
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"Invalid value for argument model: expected a keras.Model. "
                        f"Received: model={model!r}")
    if not model.built:
        raise ValueError(
            "Invalid value for argument model: expected a built model (give it a keras.Input, or "
            f"call it once on a batch). Received: model={model.name!r}, not built"
        )


def _resolve_loss(model, loss):
    import keras

    loss = loss if loss is not None else getattr(model, "loss", None)
    if loss is None:
        raise ValueError(
            "Invalid value for argument model: expected a compiled model, or pass loss= and "
            f"optimizer=. Received: model={model.name!r} with no loss"
        )
    if isinstance(loss, list | tuple | dict):
        raise ValueError(
            "Invalid value for argument loss: expected one loss (reglab trains single-output "
            f"models). Received: loss={loss!r}"
        )
    return keras.losses.get(loss)


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
            return keras.optimizers.get(spec)
        if not isinstance(spec, keras.optimizers.Optimizer):
            raise TypeError(
                "Invalid value for argument optimizer: expected a keras optimizer or its name. "
                f"Received: optimizer={spec!r}"
            )
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
    report = devices.detect() if mixed_precision == "auto" else None
    return devices.mixed_precision_policy(mixed_precision, report)


def _check_jit(jit_compile, strategy) -> bool | str:
    replicas = strategy.num_replicas_in_sync
    if jit_compile == "auto":
        return "auto"
    if not isinstance(jit_compile, bool):
        raise ValueError(
            "Invalid value for argument jit_compile: expected 'auto', True or False. "
            f"Received: jit_compile={jit_compile!r}"
        )
    if jit_compile and replicas > 1:
        raise ValueError(
            "Invalid value for argument jit_compile: expected False or 'auto' with several "
            f"replicas (XLA compiles one device's program). Received: jit_compile=True with "
            f"{devices.describe_strategy(strategy)}"
        )
    return jit_compile
