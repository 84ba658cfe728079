"""How fast is reglab's training loop against ``Model.fit``, and a λ sweep against sequential fits?

Run from the repository root::

    python -m benchmarks.training            # about two minutes on a 2-core CPU
    python -m benchmarks.training --quick    # a smoke run (seconds; numbers are noisy)

Both sides run in this one process on the same data (scikit-learn's digits, 1797 samples scaled
to [0, 1]), the same model (64 → 128 ReLU → 10 logits, an L2 kernel penalty on the hidden layer),
the same optimizer (Adam, 1e-3) and the same batch size (32: 57 steps per epoch, the last one of
5 samples). A side's speed is the median over epochs of steps per second, its first epoch left
out (tracing and compilation). Three comparisons:

- ``loop_vs_fit_steps_per_s_ratio``: :func:`reglab.training.train` against ``Model.fit`` with
  its defaults (on a CPU Keras does not use XLA);
- ``loop_vs_fit_spe_ratio``: against ``Model.fit`` compiled with ``steps_per_execution=32``;
- ``sweep_vs_sequential_time_ratio``: the wall time of one :func:`reglab.sweeps.sweep` of 8
  variants (8 L2 factors) against 8 ``Model.fit`` runs one after the other, each on a fresh model
  as a user would write it, compilation included on both sides.

The last line printed is a JSON object with the ratios and the raw figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import reglab  # noqa: F401  (quiet TensorFlow logs before its first import)

BATCH_SIZE = 32
LAMBDAS = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)


def digits():
    """Digits features in [0, 1] (float32) and integer labels."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return (data.data / 16.0).astype("float32"), data.target.astype("int32")


def build(lam: float = 1e-4, *, steps_per_execution: int = 1, seed: int = 0):
    """The benchmark MLP, compiled with Adam and sparse cross-entropy on logits."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(128, activation="relu", kernel_regularizer=keras.regularizers.L2(lam)),
        keras.layers.Dense(10),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        steps_per_execution=steps_per_execution,
    )
    return model


def fit_epoch_seconds(x, y, epochs: int, steps_per_execution: int = 1) -> list[float]:
    """Per-epoch wall times of ``Model.fit`` after a warm-up epoch (which traces)."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.began = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.began)

    model = build(steps_per_execution=steps_per_execution)
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0)  # warm-up: tracing
    timer = EpochTimer()
    model.fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, verbose=0, callbacks=[timer])
    return timer.seconds


def loop_epoch_seconds(x, y, epochs: int) -> list[float]:
    """Per-epoch wall times of reglab's loop, its first (compiling) epoch left out."""
    from reglab.training import train

    history = train(build(), x, y, epochs=epochs + 1, batch_size=BATCH_SIZE, progress=False)
    return history.seconds[1:]


def sweep_vs_sequential(x, y, epochs: int) -> dict:
    """Wall time of one 8-variant sweep and of 8 sequential fits, compilation included."""
    from reglab.sweeps import sweep

    began = time.perf_counter()
    for lam in LAMBDAS:
        build(lam).fit(x, y, batch_size=BATCH_SIZE, epochs=epochs, verbose=0)
    sequential = time.perf_counter() - began

    began = time.perf_counter()
    models = {lam: build(lam) for lam in LAMBDAS}
    table = sweep(models, x, y, epochs=epochs, batch_size=BATCH_SIZE, progress=False)
    wall = time.perf_counter() - began
    return {"sweep_wall_s": wall, "sequential_fit_wall_s": sequential,
            "sweep_epoch_median_s": statistics.median(table.attrs["seconds"][1:] or [float("nan")]),
            "sweep_engine": table.attrs["params"]["engine"]}


def steps_per_second(seconds: list[float], steps: int) -> float:
    return steps / statistics.median(seconds)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.training", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few epochs only (smoke run)")
    args = parser.parse_args(argv)
    epochs, sweep_epochs = (3, 2) if args.quick else (15, 20)

    import keras
    import tensorflow as tf

    x, y = digits()
    steps = -(-len(x) // BATCH_SIZE)
    fit = fit_epoch_seconds(x, y, epochs)
    fit_spe = fit_epoch_seconds(x, y, epochs, steps_per_execution=32)
    loop = loop_epoch_seconds(x, y, epochs)
    sweeps = sweep_vs_sequential(x, y, sweep_epochs)

    figures = {
        "reglab_steps_per_s": steps_per_second(loop, steps),
        "fit_steps_per_s": steps_per_second(fit, steps),
        "fit_spe32_steps_per_s": steps_per_second(fit_spe, steps),
    }
    result = {
        "loop_vs_fit_steps_per_s_ratio": figures["reglab_steps_per_s"] / figures["fit_steps_per_s"],
        "loop_vs_fit_spe_ratio": figures["reglab_steps_per_s"] / figures["fit_spe32_steps_per_s"],
        "sweep_vs_sequential_time_ratio": sweeps["sweep_wall_s"] / sweeps["sequential_fit_wall_s"],
        **figures,
        "sweep_wall_s": sweeps["sweep_wall_s"],
        "sequential_fit_wall_s": sweeps["sequential_fit_wall_s"],
        "sweep_epoch_median_s": sweeps["sweep_epoch_median_s"],
        "fit_epoch_median_s": statistics.median(fit),
        "sweep_engine": sweeps["sweep_engine"],
        "variants": len(LAMBDAS),
        "epochs_timed": epochs,
        "sweep_epochs": sweep_epochs,
        "batch_size": BATCH_SIZE,
        "steps_per_epoch": steps,
        "samples": len(x),
        "cpus": os.cpu_count(),
        "gpus": len(tf.config.list_physical_devices("GPU")),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "machine": platform.machine(),
        "quick": args.quick,
    }
    print_table(result)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}))
    return result


def print_table(result: dict) -> None:
    rows = [
        ("Model.fit (defaults)", f"{result['fit_steps_per_s']:9.0f} steps/s", "1.00x"),
        ("Model.fit (steps_per_execution=32)", f"{result['fit_spe32_steps_per_s']:9.0f} steps/s",
         f"{result['fit_spe32_steps_per_s'] / result['fit_steps_per_s']:.2f}x"),
        ("reglab.training.train", f"{result['reglab_steps_per_s']:9.0f} steps/s",
         f"{result['loop_vs_fit_steps_per_s_ratio']:.2f}x"),
        (f"{result['variants']} sequential fits, {result['sweep_epochs']} epochs",
         f"{result['sequential_fit_wall_s']:9.2f} s", "1.00x"),
        (f"reglab.sweeps.sweep, {result['variants']} variants",
         f"{result['sweep_wall_s']:9.2f} s", f"{result['sweep_vs_sequential_time_ratio']:.3f}x"),
    ]
    width = max(len(name) for name, _, _ in rows)
    for name, figure, ratio in rows:
        print(f"{name:<{width}}  {figure}  {ratio:>7}")


if __name__ == "__main__":
    main()
