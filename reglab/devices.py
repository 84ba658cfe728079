"""What TensorFlow can run on here, and what that implies for training.

Three decisions follow from the devices, and this module makes each of them in one place:

- the distribution strategy (:func:`pick_strategy`): the default strategy for a machine without
  GPUs, ``OneDeviceStrategy`` for one GPU, ``MirroredStrategy`` for several;
- the strategy a model was built for (:func:`strategy_of`): variables created under
  ``strategy.scope()`` belong to that strategy, and training must use it;
- the compute precision (:func:`mixed_precision_policy`): ``mixed_float16`` where every GPU has
  tensor cores, ``float32`` everywhere else.

Without several GPUs, :func:`split_cpu` splits the CPU into logical devices, so that
``MirroredStrategy`` has devices to mirror over (how the tests and notebook 08 show the
multi-device path on one CPU).

Introduced in notebooks/00-setup.ipynb (the doctor report); notebooks/08-training-on-gpus.ipynb
builds on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reglab._validation import _invalid, _short, check_int

# Tensor cores, which make float16 matrix products fast, arrived with compute capability 7.0
# (Volta). On older GPUs and on CPUs mixed precision is slower than float32.
MIN_MIXED_PRECISION_CAPABILITY = (7, 0)

MIXED_PRECISION_SETTINGS = ("auto", True, False, "mixed_float16", "mixed_bfloat16", "float32")
"""What ``mixed_precision=`` accepts: ``True`` means ``"mixed_float16"``, ``False`` ``"float32"``."""

__all__ = [
    "GPU",
    "MIXED_PRECISION_SETTINGS",
    "DeviceReport",
    "describe_strategy",
    "detect",
    "mixed_precision_policy",
    "pick_strategy",
    "split_cpu",
    "strategy_of",
]


@dataclass(frozen=True)
class GPU:
    """One physical GPU as TensorFlow sees it."""

    name: str
    compute_capability: tuple[int, int] | None = None

    @property
    def has_tensor_cores(self) -> bool:
        cc = self.compute_capability
        return cc is not None and tuple(cc) >= MIN_MIXED_PRECISION_CAPABILITY


@dataclass(frozen=True)
class DeviceReport:
    """The devices TensorFlow sees: CPU names and GPUs with their capabilities."""

    cpus: list[str] = field(default_factory=list)
    gpus: list[GPU] = field(default_factory=list)

    @property
    def mixed_precision_recommended(self) -> bool:
        """True when every visible GPU has tensor cores (and there is at least one)."""
        return bool(self.gpus) and all(gpu.has_tensor_cores for gpu in self.gpus)

    @property
    def strategy_kind(self) -> str:
        """``"default"`` without GPUs, ``"one_device"`` for one GPU, ``"mirrored"`` for more."""
        return {0: "default", 1: "one_device"}.get(len(self.gpus), "mirrored")

    def summary(self) -> str:
        """A few readable lines, as printed by ``python -m reglab doctor``.

        Examples
        --------
        >>> print(DeviceReport(cpus=["/physical_device:CPU:0"]).summary())
        CPUs: /physical_device:CPU:0
        GPUs: none (TensorFlow will run on the CPU)
        Mixed precision: off (it only pays on GPUs with tensor cores)
        Strategy: default (one device, no tf.distribute replicas)
        """
        gpus = ", ".join(_describe_gpu(gpu) for gpu in self.gpus) or "none (TensorFlow will run on the CPU)"
        mixed = (
            "on (mixed_float16: the GPUs have tensor cores)"
            if self.mixed_precision_recommended
            else "off (it only pays on GPUs with tensor cores)"
        )
        strategy = {
            "default": "default (one device, no tf.distribute replicas)",
            "one_device": "OneDeviceStrategy on /gpu:0",
            "mirrored": f"MirroredStrategy over {len(self.gpus)} GPUs (one replica each)",
        }[self.strategy_kind]
        return (
            f"CPUs: {', '.join(self.cpus) or 'none'}\nGPUs: {gpus}\nMixed precision: {mixed}\n"
            f"Strategy: {strategy}"
        )


def detect() -> DeviceReport:
    """Ask TensorFlow which physical devices exist (imports TensorFlow).

    Only physical devices are listed, so calling this does not start TensorFlow's runtime: logical
    devices can still be configured afterwards.
    """
    import tensorflow as tf

    cpus = [device.name for device in tf.config.list_physical_devices("CPU")]
    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        gpus.append(GPU(details.get("device_name", device.name), details.get("compute_capability")))
    return DeviceReport(cpus=cpus, gpus=gpus)


def split_cpu(devices: int = 2) -> list[str]:
    """Split the CPU into ``devices`` logical devices, before TensorFlow initialises its devices.

    ``tf.config.set_logical_device_configuration`` works only before TensorFlow's runtime starts
    (at its first operation); the split then holds for the whole process. Each logical CPU runs
    on the same cores, so a ``MirroredStrategy`` over them computes what several GPUs would,
    slowly. Nothing else changes: the default strategy still places every operation on
    ``/cpu:0``, and :func:`detect` still reports one physical CPU. Calling it again with the
    same number, after the split, returns the same devices.

    Parameters
    ----------
    devices : int
        How many logical CPUs (1 or more).

    Returns
    -------
    list of str
        The names of the logical CPUs, ``["/device:CPU:0", "/device:CPU:1", ...]``.

    Raises
    ------
    RuntimeError
        If TensorFlow's devices were already initialised with another number of logical CPUs:
        the message says to call ``split_cpu`` first (in a notebook, restart the kernel).

    Examples
    --------
    In a fresh process, first of all (here TensorFlow already runs with one logical CPU):

    >>> split_cpu(1)
    ['/device:CPU:0']

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    devices = check_int(devices, "devices", minimum=1)
    from reglab.notebook import _import_tensorflow_quietly

    _import_tensorflow_quietly()  # C++ lines at import would land in the notebook's first cell
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)
    except RuntimeError:  # already initialised: fine if with this very split
        pass
    names = [device.name for device in tf.config.list_logical_devices("CPU")]
    if len(names) != devices:
        raise RuntimeError(
            f"Cannot split the CPU into {devices} logical devices: TensorFlow's devices are already "
            f"initialised, with {len(names)} logical CPU(s), by an earlier TensorFlow operation in "
            f"this process. Call split_cpu({devices}) first, before reglab.notebook.setup() and "
            "anything else that runs TensorFlow; in a notebook, restart the kernel (Kernel → "
            "Restart Kernel) and run the cells from the top."
        )
    return names


def pick_strategy(report: DeviceReport | None = None):
    """The ``tf.distribute`` strategy that fits the devices: build and compile models under it.

    =========  ===========================================================
    devices    strategy
    =========  ===========================================================
    no GPU     the default strategy (``tf.distribute.get_strategy()``)
    one GPU    ``OneDeviceStrategy("/gpu:0")``
    n GPUs     ``MirroredStrategy`` (one replica per GPU, gradients summed)
    =========  ===========================================================

    Parameters
    ----------
    report : DeviceReport, optional
        The devices to decide for; :func:`detect` by default.

    Returns
    -------
    tf.distribute.Strategy

    Examples
    --------
    Build under the strategy, then train: :func:`reglab.training.train` uses the strategy the
    model's variables belong to.

    >>> strategy = pick_strategy(DeviceReport(cpus=["/physical_device:CPU:0"]))
    >>> describe_strategy(strategy)
    'default strategy (1 replica)'

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import tensorflow as tf

    report = detect() if report is None else _check_report(report)
    kind = report.strategy_kind
    if kind == "default":
        return tf.distribute.get_strategy()
    if kind == "one_device":
        return tf.distribute.OneDeviceStrategy("/gpu:0")
    return tf.distribute.MirroredStrategy([f"/gpu:{i}" for i in range(len(report.gpus))])


def strategy_of(model):
    """The strategy whose ``scope()`` created the model's variables; the current one otherwise.

    Variables created under ``MirroredStrategy.scope()`` are mirrored on every replica and can
    only be trained by that strategy; plain variables belong to whatever strategy is current
    (the default strategy outside any ``scope()``).

    Examples
    --------
    >>> import keras
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    >>> describe_strategy(strategy_of(model))
    'default strategy (1 replica)'

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    import keras
    import tensorflow as tf

    if not isinstance(model, keras.layers.Layer):
        raise TypeError(_invalid("model", "a Keras model or layer", _short(model)))
    for variable in model.variables:
        value = getattr(variable, "value", variable)
        # Mirrored variables expose the strategy publicly; variables created under
        # OneDeviceStrategy.scope() only record it privately (TensorFlow 2.21).
        owner = getattr(value, "distribute_strategy", None) or getattr(value, "_distribute_strategy", None)
        if owner is not None:
            return owner
    return tf.distribute.get_strategy()


def describe_strategy(strategy) -> str:
    """One readable phrase: the strategy's class, its replica count and, if several, devices.

    Examples
    --------
    >>> import tensorflow as tf
    >>> describe_strategy(tf.distribute.get_strategy())
    'default strategy (1 replica)'
    """
    if not (hasattr(strategy, "num_replicas_in_sync") and hasattr(strategy, "extended")):
        raise TypeError(_invalid("strategy", "a tf.distribute strategy", _short(strategy)))
    replicas = strategy.num_replicas_in_sync
    name = type(strategy).__name__
    name = "default strategy" if name == "_DefaultDistributionStrategy" else name
    if replicas == 1:
        return f"{name} (1 replica)"
    devices = ", ".join(_short_device(d) for d in strategy.extended.worker_devices)
    return f"{name} ({replicas} replicas: {devices})"


def mixed_precision_policy(setting: object = "auto", report: DeviceReport | None = None) -> str:
    """Resolve ``mixed_precision=`` to a Keras dtype policy name.

    ``"auto"`` gives ``"mixed_float16"`` when :attr:`DeviceReport.mixed_precision_recommended`
    (every GPU has tensor cores) and ``"float32"`` otherwise, on every CPU in particular.
    ``True`` forces ``"mixed_float16"`` (it works on a CPU, slowly: that is how the tests check
    it), ``False`` forces ``"float32"``; a policy name is returned unchanged.

    Parameters
    ----------
    setting : {"auto", True, False, "mixed_float16", "mixed_bfloat16", "float32"}
    report : DeviceReport, optional
        The devices for ``"auto"``; :func:`detect` by default.

    Examples
    --------
    >>> mixed_precision_policy("auto", DeviceReport(cpus=["cpu"]))
    'float32'
    >>> mixed_precision_policy("auto", DeviceReport(cpus=["cpu"], gpus=[GPU("A100", (8, 0))]))
    'mixed_float16'
    >>> mixed_precision_policy(True)
    'mixed_float16'

    Introduced in notebooks/08-training-on-gpus.ipynb.
    """
    report = None if report is None else _check_report(report)
    if not any(setting is s or (isinstance(s, str) and setting == s) for s in MIXED_PRECISION_SETTINGS):
        raise ValueError(
            "Invalid value for argument mixed_precision: expected one of "
            f"{', '.join(map(repr, MIXED_PRECISION_SETTINGS))}. Received: mixed_precision={setting!r}"
        )
    if setting is True:
        return "mixed_float16"
    if setting is False:
        return "float32"
    if setting == "auto":
        report = detect() if report is None else report
        return "mixed_float16" if report.mixed_precision_recommended else "float32"
    return str(setting)


def _check_report(report) -> DeviceReport:
    if not isinstance(report, DeviceReport):
        raise TypeError(_invalid("report", "a DeviceReport (from detect()) or None", _short(report)))
    return report


def _describe_gpu(gpu: GPU) -> str:
    cc = gpu.compute_capability
    return f"{gpu.name} (compute capability {cc[0]}.{cc[1]})" if cc else gpu.name


def _short_device(device: str) -> str:
    """``/job:localhost/replica:0/task:0/device:CPU:1`` → ``/cpu:1``."""
    kind, _, index = device.rpartition("device:")[2].partition(":")
    return f"/{kind.lower()}:{index}"
