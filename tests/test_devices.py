"""reglab.devices: the strategy and the precision each device set implies, in one summary.

The GPU cases are checked on reports built by hand (no GPU here); the logical-CPU
MirroredStrategy path is exercised end to end in tests/training/test_training.py.
"""

from __future__ import annotations

import keras
import pytest
import tensorflow as tf

from reglab import devices
from reglab.devices import GPU, DeviceReport

CPU_ONLY = DeviceReport(cpus=["/physical_device:CPU:0"])
ONE_GPU = DeviceReport(cpus=["cpu"], gpus=[GPU("A100", (8, 0))])
TWO_GPUS = DeviceReport(cpus=["cpu"], gpus=[GPU("V100", (7, 0)), GPU("V100", (7, 0))])
OLD_GPU = DeviceReport(cpus=["cpu"], gpus=[GPU("K80", (3, 7))])


@pytest.mark.parametrize(
    ("report", "kind", "line"),
    [
        (CPU_ONLY, "default", "Strategy: default (one device"),
        (ONE_GPU, "one_device", "Strategy: OneDeviceStrategy on /gpu:0"),
        (TWO_GPUS, "mirrored", "Strategy: MirroredStrategy over 2 GPUs"),
    ],
)
def test_strategy_follows_the_gpu_count_and_is_in_the_summary(report, kind, line):
    assert report.strategy_kind == kind
    assert line in report.summary()


def test_summary_keeps_the_doctor_lines():
    lines = CPU_ONLY.summary().splitlines()
    assert [line.split(":")[0] for line in lines] == ["CPUs", "GPUs", "Mixed precision", "Strategy"]


@pytest.mark.parametrize(
    ("setting", "report", "policy"),
    [
        ("auto", CPU_ONLY, "float32"),
        ("auto", OLD_GPU, "float32"),
        ("auto", ONE_GPU, "mixed_float16"),
        ("auto", TWO_GPUS, "mixed_float16"),
        (True, CPU_ONLY, "mixed_float16"),
        (False, ONE_GPU, "float32"),
        ("mixed_bfloat16", CPU_ONLY, "mixed_bfloat16"),
    ],
)
def test_mixed_precision_policy(setting, report, policy):
    assert devices.mixed_precision_policy(setting, report) == policy


@pytest.mark.parametrize("setting", ["half", 1, None, "Auto"])
def test_mixed_precision_policy_rejects_other_values_naming_the_argument(setting):
    with pytest.raises(ValueError, match=r"Invalid value for argument mixed_precision"):
        devices.mixed_precision_policy(setting, CPU_ONLY)


def test_pick_strategy_without_gpus_is_the_default_strategy():
    strategy = devices.pick_strategy(CPU_ONLY)
    assert strategy is tf.distribute.get_strategy() and strategy.num_replicas_in_sync == 1


def test_pick_strategy_for_one_gpu_is_one_device_strategy():
    strategy = devices.pick_strategy(ONE_GPU)  # building it needs no GPU
    assert isinstance(strategy, tf.distribute.OneDeviceStrategy)


def test_strategy_of_a_plain_model_is_the_current_strategy():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert devices.strategy_of(model) is tf.distribute.get_strategy()
    one = tf.distribute.OneDeviceStrategy("/cpu:0")
    assert devices.describe_strategy(one) == "OneDeviceStrategy (1 replica)"


def test_detect_on_this_machine_reports_its_cpus():
    report = devices.detect()
    assert report.cpus and "Strategy:" in report.summary()
    if not report.gpus:
        assert report.strategy_kind == "default" and not report.mixed_precision_recommended


def test_short_device_names():
    assert devices._short_device("/job:localhost/replica:0/task:0/device:CPU:1") == "/cpu:1"
    assert devices._short_device("/job:worker/replica:0/task:3/device:GPU:0") == "/gpu:0"


# --- split_cpu: logical CPUs, before TensorFlow initialises its devices -------------------------
def test_split_cpu_returns_the_logical_cpus_when_they_already_match():
    tf.constant(1.0) + 1.0  # TensorFlow's devices are initialised in this process: one CPU
    assert devices.split_cpu(1) == ["/device:CPU:0"]


def test_split_cpu_after_tensorflow_started_says_what_to_do():
    tf.constant(1.0) + 1.0
    with pytest.raises(RuntimeError) as caught:
        devices.split_cpu(2)
    message = str(caught.value)
    assert "already initialised, with 1 logical CPU(s)" in message
    assert "Call split_cpu(2) first, before reglab.notebook.setup()" in message
    assert "restart the kernel" in message


SPLIT_SCRIPT = """
import json
from reglab.devices import split_cpu, describe_strategy
names = split_cpu(2)
from reglab.notebook import setup
setup(seed=0, theme=False)
import tensorflow as tf
print(json.dumps({"names": names, "again": split_cpu(2),
                  "default": describe_strategy(tf.distribute.get_strategy()),
                  "placed": tf.constant(1.0).device,
                  "physical": len(tf.config.list_physical_devices("CPU"))}))
"""


def test_split_cpu_in_a_fresh_process_leaves_the_default_strategy_on_one_device():
    """As notebook 08's first cell does it: split, then the shared setup (which runs TensorFlow)."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONHASHSEED": "0", "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, "-c", SPLIT_SCRIPT], capture_output=True, text=True,
                          timeout=300, env=env, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["names"] == result["again"] == ["/device:CPU:0", "/device:CPU:1"]
    assert result["default"] == "default strategy (1 replica)"
    assert result["placed"].endswith("device:CPU:0") and result["physical"] == 1
