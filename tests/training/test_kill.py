"""A run killed with SIGKILL at any moment, while writing a checkpoint included, resumes bit for
bit: the rows and the weights equal an uninterrupted run's.

Each kill is a fresh interpreter (about 5 s each on a 2-core machine: 4 of them, ~25 s): one is
killed in the middle of writing epoch 3's checkpoint (after its variables, before its state and
its rename), one at an arbitrary moment a little after epoch 2's checkpoint appeared, and a last
one resumes to the end and prints what it has.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

SCRIPT = textwrap.dedent(
    """
    import json, os, signal, sys
    import keras, numpy as np
    from reglab.training import checkpoints, train

    folder, kill_while_writing = sys.argv[1], int(sys.argv[2])
    if kill_while_writing:
        write = checkpoints._write_state

        def killing_write(path, state):
            if state["epoch"] == kill_while_writing:
                os.kill(os.getpid(), signal.SIGKILL)
            write(path, state)

        checkpoints._write_state = killing_write

    def build():
        keras.utils.set_random_seed(0)
        model = keras.Sequential([
            keras.Input((3,)),
            keras.layers.Dense(8, activation="relu", kernel_regularizer=keras.regularizers.L2(1e-3)),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1),
        ])
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
        return model

    rng = np.random.default_rng(0)
    x = rng.normal(size=(203, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True).astype("float32")
    model = build()
    history = train(model, x, y, epochs=int(sys.argv[3]), batch_size=16, progress=False,
                    checkpoint_dir=folder if folder != "-" else None)
    print("RESULT" + json.dumps({"rows": history.rows, "trained": len(history.seconds),
                                 "weights": [w.tolist() for w in model.get_weights()]}))
    """
)
EPOCHS = 40


def _run(*args, wait=True):
    command = [sys.executable, "-c", SCRIPT, *map(str, args)]
    if not wait:
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def _result(completed):
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT")]
    assert completed.returncode == 0 and lines, completed.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT"):])


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_with_sigkill_anywhere_resumes_bit_for_bit(tmp_path):
    folder = tmp_path / "run"
    killed = _run(folder, 3, EPOCHS)  # SIGKILL half-way through writing epoch 3's checkpoint
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["epoch-00002"]
    assert any(p.name.startswith(".epoch-00003.partial") for p in folder.iterdir())

    running = _run(folder, 0, EPOCHS, wait=False)  # resumes from epoch 2, killed at some moment
    deadline = time.monotonic() + 300
    while not any(p.name in ("epoch-00004", "epoch-00005") for p in folder.iterdir()):
        assert running.poll() is None and time.monotonic() < deadline, running.stderr.read()[-2000:]
        time.sleep(0.01)
    time.sleep(0.05)
    running.send_signal(signal.SIGKILL)
    running.communicate()
    done = sorted(p.name for p in folder.iterdir() if p.name.startswith("epoch-"))
    assert done and done[-1] < f"epoch-{EPOCHS:05d}"

    resumed = _result(_run(folder, 0, EPOCHS))
    straight = _result(_run("-", 0, EPOCHS))
    assert 0 < resumed["trained"] < EPOCHS
    assert resumed["rows"] == straight["rows"]
    for a, b in zip(resumed["weights"], straight["weights"], strict=True):
        np.testing.assert_array_equal(np.array(a), np.array(b))
    assert [p.name for p in Path(folder).iterdir()] == [f"epoch-{EPOCHS:05d}"]
