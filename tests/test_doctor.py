"""`python -m reglab doctor`: a readable report when all is well, a clear failure when not."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import tensorflow as tf

from reglab import devices


def run_doctor(env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "reglab", "doctor"], capture_output=True, text=True, env=env, timeout=120
    )


def test_doctor_reports_versions_devices_and_a_verdict():
    result = run_doctor()
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (tf.__version__, keras.__version__, np.__version__, "CPUs:", "GPUs:", "Verdict:"):
        assert expected in out
    if not tf.config.list_physical_devices("GPU"):
        assert "GPUs: none" in out and "runs on the CPU" in out
        assert "Mixed precision: off" in out


def test_doctor_fails_clearly_when_tensorflow_cannot_be_imported(tmp_path):
    fake = tmp_path / "tensorflow"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('libtensorflow_framework.so.2: not found')\n")
    result = run_doctor({"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 1
    assert "NOT READY" in result.stderr and "TensorFlow cannot be imported" in result.stderr
    assert "libtensorflow_framework" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_rejected():
    result = subprocess.run([sys.executable, "-m", "reglab", "docter"], capture_output=True, text=True)
    assert result.returncode == 2 and "invalid choice: 'docter'" in result.stderr


def test_mixed_precision_needs_tensor_cores_on_every_gpu():
    volta, kepler = devices.GPU("V100", (7, 0)), devices.GPU("K80", (3, 7))
    assert devices.DeviceReport(["cpu"], [volta]).mixed_precision_recommended
    assert not devices.DeviceReport(["cpu"], [volta, kepler]).mixed_precision_recommended
    assert not devices.DeviceReport(["cpu"], []).mixed_precision_recommended
    summary = devices.DeviceReport(["cpu"], [volta]).summary()
    assert "V100 (compute capability 7.0)" in summary and "Mixed precision: on" in summary


def test_doctor_script_in_a_fresh_interpreter_imports_no_tensorflow_before_reporting():
    code = textwrap.dedent(
        """
        import sys, reglab, reglab.doctor, reglab.devices, reglab.notebook
        print("tensorflow" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False"
