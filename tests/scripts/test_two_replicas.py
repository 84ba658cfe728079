"""reglab.scripts.two_replicas, run as notebook 08 runs it: ``python -m`` in a second process.

Costs one TensorFlow start and two 2-epoch runs on 500 digits: about 15 s on one CPU core.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np


def test_two_replicas_equal_one_device_and_a_model_outside_the_scope_is_refused():
    env = {**os.environ, "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-m", "reglab.scripts.two_replicas"], capture_output=True,
                          text=True, timeout=600, env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["logical CPUs"] == ["/device:CPU:0", "/device:CPU:1"]
    assert result["built outside the scope"].startswith("Invalid value for argument strategy:")
    two, one = result["two replicas"], result["one device"]
    assert two["params"]["replicas"] == 2 and one["params"]["replicas"] == 1
    assert [row["epoch"] for row in two["rows"]] == [1, 2] == [row["epoch"] for row in one["rows"]]
    for a, b in zip(two["rows"], one["rows"], strict=True):  # float32 rounding of a split batch
        assert a.keys() == b.keys()
        np.testing.assert_allclose(list(a.values()), list(b.values()), rtol=1e-5, atol=1e-6)
