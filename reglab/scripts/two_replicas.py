"""Train notebook 08's digits model on two logical CPUs (``MirroredStrategy``) and on one device.

Run as ``python -m reglab.scripts.two_replicas``: it hides every GPU (both runs compute on the
CPU, on Colab too), splits the CPU into two logical devices before TensorFlow's runtime starts,
and prints one line of JSON: the logical CPUs, the error ``train`` gives for a model built
outside ``mirrored.scope()``, and the ``params`` and ``rows`` of both two-epoch runs.

Introduced in notebooks/08-training-on-gpus.ipynb.
"""

from __future__ import annotations

import json

import reglab  # noqa: F401  (quiets TensorFlow's C++ logs before TensorFlow starts)

SAMPLES, EPOCHS, SEED = 500, 2, 0


def split_the_cpu(devices: int = 2) -> None:
    """Hide the GPUs and split the CPU into ``devices`` logical devices (before TF starts)."""
    import tensorflow as tf

    tf.config.set_visible_devices([], "GPU")
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * devices)


def build():
    """The model of notebook 08's section 2: 64 -> 128 relu -> 10 softmax, L2(1e-4), Adam."""
    import keras

    from reglab.models import mlp

    model = mlp(64, hidden=(128,), outputs=10, output_activation="softmax",
                kernel_regularizer=keras.regularizers.L2(1e-4), seed=SEED)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    return model


def compare() -> dict:
    """Both runs and what the strategy refuses, as a JSON-ready dict (call after split_the_cpu)."""
    import tensorflow as tf

    from reglab.data import digits
    from reglab.training import train

    data = digits(seed=SEED)
    x, y, validation = data.x[:SAMPLES], data.y[:SAMPLES], (data.x_val, data.y_val)
    mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    result = {"logical CPUs": [device.name for device in tf.config.list_logical_devices("CPU")]}
    try:
        train(build(), x, y, strategy=mirrored, progress=False)  # built outside mirrored.scope()
    except ValueError as error:
        result["built outside the scope"] = str(error)
    with mirrored.scope():
        model = build()
    two = train(model, x, y, epochs=EPOCHS, validation_data=validation, progress=False)
    one = train(build(), x, y, epochs=EPOCHS, validation_data=validation, progress=False, jit_compile=False)
    for name, history in (("two replicas", two), ("one device", one)):
        result[name] = {"params": history.params, "rows": history.rows}
    return result


def main() -> int:
    split_the_cpu()
    print(json.dumps(compare()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
