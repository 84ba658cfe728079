"""What TensorFlow can run on here, and what that implies for training.

Introduced in notebooks/00-setup.ipynb (the doctor report); notebooks/08 builds on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Tensor cores, which make float16 matrix products fast, arrived with compute capability 7.0
# (Volta). On older GPUs and on CPUs mixed precision is slower than float32.
MIN_MIXED_PRECISION_CAPABILITY = (7, 0)


@dataclass(frozen=True)
class GPU:
    """One physical GPU as TensorFlow sees it."""

    name: str
    compute_capability: tuple[int, int] | None = None

    @property
    def has_tensor_cores(self) -> bool:
        cc = self.compute_capability
        return cc is not None and cc >= MIN_MIXED_PRECISION_CAPABILITY


@dataclass(frozen=True)
class DeviceReport:
    """The devices TensorFlow sees: CPU names and GPUs with their capabilities."""

    cpus: list[str] = field(default_factory=list)
    gpus: list[GPU] = field(default_factory=list)

    @property
    def mixed_precision_recommended(self) -> bool:
        """True when every visible GPU has tensor cores (and there is at least one)."""
        return bool(self.gpus) and all(gpu.has_tensor_cores for gpu in self.gpus)

    def summary(self) -> str:
        """A few readable lines, as printed by ``python -m reglab doctor``.

        Examples
        --------
        >>> print(DeviceReport(cpus=["/physical_device:CPU:0"]).summary())
        CPUs: /physical_device:CPU:0
        GPUs: none (TensorFlow will run on the CPU)
        Mixed precision: off (it only pays on GPUs with tensor cores)
        """
        gpus = ", ".join(_describe_gpu(gpu) for gpu in self.gpus) or "none (TensorFlow will run on the CPU)"
        mixed = (
            "on (mixed_float16: the GPUs have tensor cores)"
            if self.mixed_precision_recommended
            else "off (it only pays on GPUs with tensor cores)"
        )
        return f"CPUs: {', '.join(self.cpus) or 'none'}\nGPUs: {gpus}\nMixed precision: {mixed}"


def detect() -> DeviceReport:
    """Ask TensorFlow which physical devices exist (imports TensorFlow)."""
    import tensorflow as tf

    cpus = [device.name for device in tf.config.list_physical_devices("CPU")]
    gpus = []
    for device in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(device)
        gpus.append(GPU(details.get("device_name", device.name), details.get("compute_capability")))
    return DeviceReport(cpus=cpus, gpus=gpus)


def _describe_gpu(gpu: GPU) -> str:
    cc = gpu.compute_capability
    return f"{gpu.name} (compute capability {cc[0]}.{cc[1]})" if cc else gpu.name
