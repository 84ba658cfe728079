"""When does XLA pay on this machine? Compilation cost and per-step saving: `python -m benchmarks.xla_cost`.

``jit_compile="auto"`` (reglab.training.plan) chooses XLA on a CPU only for runs long enough for
the compilation to pay. This script measures the two figures that decide it, for one model
(:func:`reglab.training.train`) and for the 8-variant stacked sweep of ``benchmarks.training``:

- the extra seconds of the first epoch with XLA over the first epoch without (tracing and
  compiling), and
- the seconds XLA saves per step once compiled (median epoch time without minus with, divided by
  the steps of an epoch);

and prints their quotient, the number of steps after which XLA pays. Both sides run in this one
process, interleaved (graph, XLA, graph, XLA), so the machine's load hits them alike; the figures
still move with the load, and the break-even is an order of magnitude, not a constant. The last
line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics

import reglab  # noqa: F401  (quiet TensorFlow logs before its first import)
from benchmarks.training import BATCH_SIZE, LAMBDAS, build, digits


def one_run(x, y, *, jit: bool, epochs: int, variants: bool) -> tuple[float, float]:
    """(seconds of the first epoch, median seconds of the later ones) of one train/sweep call."""
    from reglab.training import sweep, train

    if variants:
        table = sweep({lam: build(lam) for lam in LAMBDAS}, x, y, epochs=epochs,
                      batch_size=BATCH_SIZE, progress=False, jit_compile=jit)
        seconds = list(table.attrs["seconds"])
    else:
        history = train(build(), x, y, epochs=epochs, batch_size=BATCH_SIZE, progress=False,
                        jit_compile=jit)
        seconds = list(history.seconds)
    return seconds[0], statistics.median(seconds[1:])


def measure(x, y, *, variants: bool, epochs: int, rounds: int) -> dict:
    steps = -(-len(x) // BATCH_SIZE)
    first = {False: [], True: []}
    steady = {False: [], True: []}
    for _ in range(rounds):
        for jit in (False, True):
            f, s = one_run(x, y, jit=jit, epochs=epochs, variants=variants)
            first[jit].append(f)
            steady[jit].append(s)
    extra = statistics.median(first[True]) - statistics.median(first[False])
    saved = (statistics.median(steady[False]) - statistics.median(steady[True])) / steps
    return {"compile_extra_s": round(extra, 3), "saved_per_step_ms": round(saved * 1e3, 4),
            "pays_after_steps": round(extra / saved) if saved > 0 else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=8)
    args = parser.parse_args()
    x, y = digits()
    result = {}
    for name, variants in (("one_model", False), ("sweep_8_variants", True)):
        result[name] = measure(x, y, variants=variants, epochs=args.epochs, rounds=args.rounds)
        r = result[name]
        print(f"{name}: XLA's first epoch costs {r['compile_extra_s']:.2f} s more, then saves "
              f"{r['saved_per_step_ms']:.3f} ms a step: it pays after about "
              f"{r['pays_after_steps']} steps")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
