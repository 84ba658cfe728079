"""How fast is reglab's training loop against the strongest peers, and a λ sweep against jax.vmap?

Run from the repository root::

    python -m benchmarks.training            # a few minutes on a 2-core CPU
    python -m benchmarks.training --quick    # a smoke run (numbers are noisy)

The JAX sides need the benchmark-only extra (jax and optax are never runtime dependencies of
reglab); without it they are skipped::

    pip install -c constraints.txt -c constraints-bench.txt -e '.[bench]'


Every side trains the same model on the same data in this one process: scikit-learn's digits
(1797 samples scaled to [0, 1]), 64 → 128 ReLU → 10 logits, an L2 penalty on the hidden kernel,
Adam (1e-3), sparse cross-entropy, batch 32 (57 steps per epoch, the last one of 5 samples), the
samples shuffled every epoch. The sides:

- ``reglab``: :func:`reglab.training.train` with its defaults and ``jit_compile=True``, what
  ``"auto"`` picks for a run long enough to pay for XLA's compilation (``benchmarks/xla_cost.py``);
  each round calls it again on the same model, which reuses the program the first call compiled
  (:mod:`reglab.training.reuse`), as ``fit`` reuses its ``train_function``;
- ``fit``: ``Model.fit`` with its defaults;
- ``fit_strong``: ``Model.fit`` at its fastest: ``jit_compile=True``,
  ``steps_per_execution`` = the steps of an epoch, a shuffled, batched, prefetched ``tf.data``
  pipeline;
- ``jax``: JAX + optax, the whole epoch (permutation, the full batches in one ``lax.scan``, the
  last batch) in one ``jax.jit``;
- ``sweep`` and ``jax_vmap``: 8 variants (8 L2 factors) trained together: one
  :func:`reglab.training.sweep` with its defaults, against ``jax.vmap`` of the JAX epoch over the 8
  factors; compared per variant (variant-steps per second).

The sides take turns in interleaved rounds (each round: a few epochs of every side), so a change
in the machine's load hits them all alike. A side's speed is the median over its timed epochs of
steps per second; every first epoch of a call is left out (tracing and compilation), and so is
the first round. The last line printed is a JSON object with the ratios and the raw figures.
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
LEARNING_RATE = 1e-3
LAMBDA = 1e-4
LAMBDAS = (0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2)


def digits():
    """Digits features in [0, 1] (float32) and integer labels."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return (data.data / 16.0).astype("float32"), data.target.astype("int32")


def build(lam: float = LAMBDA, *, seed: int = 0, **compile_options):
    """The benchmark MLP, compiled with Adam and sparse cross-entropy on logits."""
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential([
        keras.Input((64,)),
        keras.layers.Dense(128, activation="relu", kernel_regularizer=keras.regularizers.L2(lam)),
        keras.layers.Dense(10),
    ])
    model.compile(
        optimizer=keras.optimizers.Adam(LEARNING_RATE),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        **compile_options,
    )
    return model


# --- the sides: each returns an object whose .epochs(k) trains k epochs and returns their times -
class Reglab:
    def __init__(self, x, y):
        self.x, self.y, self.model = x, y, build()

    def epochs(self, k: int) -> list[float]:
        from reglab.training import train

        # Each call is short (k + 1 epochs), so "auto" would stay on the graph; a long run (what
        # this side stands for) is compiled with XLA: see benchmarks/xla_cost.py.
        history = train(self.model, self.x, self.y, epochs=k + 1, batch_size=BATCH_SIZE,
                        progress=False, jit_compile=True)
        self.params = history.params
        return history.seconds[1:]


class Fit:
    def __init__(self, x, y, *, strong: bool):
        import tensorflow as tf

        steps = -(-len(x) // BATCH_SIZE)
        options = {"jit_compile": True, "steps_per_execution": steps} if strong else {}
        self.model = build(**options)
        if strong:
            self.data = (tf.data.Dataset.from_tensor_slices((x, y))
                         .shuffle(len(x), seed=0, reshuffle_each_iteration=True)
                         .batch(BATCH_SIZE).prefetch(tf.data.AUTOTUNE))
            self.arguments = {"shuffle": False}  # the pipeline shuffles every epoch
        else:
            self.data, self.arguments = x, {"y": y, "batch_size": BATCH_SIZE}
        self.model.fit(self.data, epochs=1, verbose=0, **self.arguments)  # warm-up: tracing

    def epochs(self, k: int) -> list[float]:
        timer = _epoch_timer()
        self.model.fit(self.data, epochs=k, verbose=0, callbacks=[timer], **self.arguments)
        return timer.seconds


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self.began = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self.began)

    return EpochTimer()


class Jax:
    """The same model and objective in JAX + optax; ``lambdas`` given: vmapped over them."""

    def __init__(self, x, y, lambdas=None):
        import jax
        import jax.numpy as jnp
        import optax

        self.jax = jax
        n = len(x)
        full, rest = n // BATCH_SIZE, n % BATCH_SIZE
        xs, ys = jnp.asarray(x), jnp.asarray(y)
        optimizer = optax.adam(LEARNING_RATE)

        def init(key):
            k1, k2 = jax.random.split(key)
            glorot = jax.nn.initializers.glorot_uniform()
            return {"w1": glorot(k1, (64, 128)), "b1": jnp.zeros(128),
                    "w2": glorot(k2, (128, 10)), "b2": jnp.zeros(10)}

        def objective(params, lam, xb, yb):
            hidden = jax.nn.relu(xb @ params["w1"] + params["b1"])
            logits = hidden @ params["w2"] + params["b2"]
            data = optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()
            return data + lam * jnp.sum(jnp.square(params["w1"]))

        def step(carry, batch):
            params, state, lam = carry
            loss, grads = jax.value_and_grad(objective)(params, lam, xs[batch], ys[batch])
            updates, state = optimizer.update(grads, state, params)
            return (optax.apply_updates(params, updates), state, lam), loss

        def epoch(params, state, lam, key):
            order = jax.random.permutation(key, n)
            carry, losses = jax.lax.scan(step, (params, state, lam),
                                         order[: full * BATCH_SIZE].reshape(full, BATCH_SIZE))
            total = losses.sum() * BATCH_SIZE
            if rest:
                carry, last = step(carry, order[full * BATCH_SIZE :])
                total = total + last * rest
            return carry[0], carry[1], total / n

        params = init(jax.random.PRNGKey(0))
        if lambdas is None:
            self.lams = jnp.float32(LAMBDA)
            self.epoch = jax.jit(epoch)
        else:
            self.lams = jnp.asarray(lambdas, dtype=jnp.float32)
            params = jax.tree_util.tree_map(lambda p: jnp.stack([p] * len(lambdas)), params)
            self.epoch = jax.jit(jax.vmap(epoch, in_axes=(0, 0, 0, None)))
        self.params, self.state = params, (jax.vmap(optimizer.init) if lambdas is not None
                                           else optimizer.init)(params)
        self.key = jax.random.PRNGKey(1)
        self.epochs(1)  # warm-up: compilation

    def epochs(self, k: int) -> list[float]:
        seconds = []
        for _ in range(k):
            began = time.perf_counter()
            self.key, key = self.jax.random.split(self.key)
            self.params, self.state, loss = self.epoch(self.params, self.state, self.lams, key)
            float(loss.sum())  # wait for the result, as a recorded loss would
            seconds.append(time.perf_counter() - began)
        return seconds


class Sweep:
    def __init__(self, x, y, epochs: int):
        self.x, self.y, self.epochs_per_call = x, y, epochs

    def epochs(self, k: int) -> list[float]:
        from reglab.training import sweep

        began = time.perf_counter()
        models = {lam: build(lam) for lam in LAMBDAS}
        table = sweep(models, self.x, self.y, epochs=self.epochs_per_call, batch_size=BATCH_SIZE,
                      progress=False)
        self.wall = time.perf_counter() - began
        self.params = table.attrs["params"]
        return table.attrs["seconds"][1:]


def jax_available() -> bool:
    try:
        import jax  # noqa: F401
        import optax  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.training", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds and epochs (smoke run)")
    args = parser.parse_args(argv)
    rounds, per_round, sweep_epochs = (2, 2, 4) if args.quick else (6, 4, 40)

    import keras
    import tensorflow as tf

    x, y = digits()
    steps = -(-len(x) // BATCH_SIZE)
    sides = {"reglab": Reglab(x, y), "fit": Fit(x, y, strong=False), "fit_strong": Fit(x, y, strong=True),
             "sweep": Sweep(x, y, sweep_epochs)}
    with_jax = jax_available()
    if with_jax:
        sides["jax"] = Jax(x, y)
        sides["jax_vmap"] = Jax(x, y, LAMBDAS)
    times: dict[str, list[float]] = {name: [] for name in sides}
    per_round_ratios = []
    for round_number in range(rounds):
        this_round = {}
        for name, side in sides.items():
            seconds = side.epochs(per_round)
            this_round[name] = statistics.median(seconds)
            if round_number > 0 or rounds == 1:
                times[name] += seconds
        per_round_ratios.append(_ratios({k: 1 / v for k, v in this_round.items()}, with_jax))
        print(f"round {round_number + 1}/{rounds}:", json.dumps(
            {k: round(v, 3) for k, v in per_round_ratios[-1].items()}), flush=True)

    variants = len(LAMBDAS)
    speed = {name: steps / statistics.median(seconds) for name, seconds in times.items()}
    for name in ("sweep", "jax_vmap"):
        if name in speed:
            speed[name] *= variants  # variant-steps per second
    result = {
        **_ratios(speed, with_jax),
        **{f"{name}_steps_per_s": value for name, value in speed.items()},
        "ratios_per_round": per_round_ratios,
        "reglab_jit_compile": sides["reglab"].params["jit_compile"],
        "sweep_engine": sides["sweep"].params["engine"],
        "sweep_jit_compile": sides["sweep"].params["jit_compile"],
        "sweep_wall_s": sides["sweep"].wall,
        "sweep_epochs": sweep_epochs,
        "variants": variants,
        "rounds": rounds,
        "epochs_per_round": per_round,
        "batch_size": BATCH_SIZE,
        "steps_per_epoch": steps,
        "samples": len(x),
        "cpus": os.cpu_count(),
        "gpus": len(tf.config.list_physical_devices("GPU")),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "jax": __import__("jax").__version__ if with_jax else None,
        "machine": platform.machine(),
        "quick": args.quick,
    }
    print_table(result)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()
                      if k != "ratios_per_round"}))
    return result


def _ratios(speed: dict[str, float], with_jax: bool) -> dict[str, float]:
    ratios = {"reglab_vs_fit": speed["reglab"] / speed["fit"],
              "reglab_vs_fit_strong": speed["reglab"] / speed["fit_strong"]}
    if with_jax:
        ratios["reglab_vs_jax_scan"] = speed["reglab"] / speed["jax"]
        ratios["sweep_vs_jax_vmap_per_variant"] = speed["sweep"] / speed["jax_vmap"]
    return ratios


def print_table(result: dict) -> None:
    rows = [
        ("Model.fit (defaults)", "fit", "reglab_vs_fit", "2.0"),
        ("Model.fit (XLA, steps_per_execution=57, tf.data)", "fit_strong", "reglab_vs_fit_strong", "2.0"),
        ("JAX + optax, epoch in one lax.scan", "jax", "reglab_vs_jax_scan", "0.8"),
        (f"jax.vmap over {result['variants']} λ (per variant)", "jax_vmap",
         "sweep_vs_jax_vmap_per_variant", "0.8"),
    ]
    print(f"{'reglab.training.train':<52} {result['reglab_steps_per_s']:9.0f} steps/s")
    print(f"{'reglab.training.sweep, per variant':<52} {result['sweep_steps_per_s']:9.0f} steps/s")
    for name, side, ratio, goal in rows:
        if f"{side}_steps_per_s" in result:
            print(f"{name:<52} {result[f'{side}_steps_per_s']:9.0f} steps/s   reglab ÷ it: "
                  f"{result[ratio]:5.2f}x (goal ≥ {goal}x)")


if __name__ == "__main__":
    main()
