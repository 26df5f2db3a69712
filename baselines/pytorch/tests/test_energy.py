"""Tests of energy.py without a GPU: the trapezoid integration, the timed loop, and the NVML ctypes binding against
a stand-in libnvidia-ml.so.1 built from fake_nvml.c (constant power, so every figure has a known answer).
Run from the repository root: python3 -m unittest discover -s baselines/pytorch/tests -v   (needs gcc)"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from energy import Nvml, PowerSampler, measure  # noqa: E402

UUID0 = "GPU-11111111-2222-3333-4444-555555555555"
UUID1 = "GPU-66666666-7777-8888-9999-000000000000"


class Trapezoid(unittest.TestCase):
    def test_integrates_samples_and_averages(self):
        s = PowerSampler(None, 1.0)
        s.samples = [(0.0, 100.0), (1.0, 200.0), (3.0, 200.0), (4.0, 0.0)]
        self.assertAlmostEqual(s.joules(), 150.0 + 400.0 + 100.0)
        self.assertAlmostEqual(s.mean_w(), 650.0 / 4.0)

    def test_single_sample_mean_is_that_sample(self):
        s = PowerSampler(None, 1.0)
        s.samples = [(5.0, 42.0)]
        self.assertEqual(s.joules(), 0)
        self.assertEqual(s.mean_w(), 42.0)


class TimedLoop(unittest.TestCase):
    def test_repeats_until_min_seconds_and_syncs_each_pass(self):
        calls = {"body": 0, "sync": 0}

        def body():
            calls["body"] += 1
            time.sleep(0.01)

        passes, dt, energy = measure(body, lambda: calls.__setitem__("sync", calls["sync"] + 1), 0.1, None, 20)
        self.assertIsNone(energy)
        self.assertGreaterEqual(dt, 0.1)
        self.assertEqual(passes, calls["body"])
        self.assertEqual(passes, calls["sync"])
        self.assertGreater(passes, 1)

    def test_zero_min_seconds_runs_once(self):
        passes, _, _ = measure(lambda: None, lambda: None, 0.0, None, 20)
        self.assertEqual(passes, 1)


class FakeNvml(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="fake-nvml-")
        cls.lib = os.path.join(cls.dir, "libnvidia-ml.so.1")
        gcc = shutil.which("gcc") or shutil.which("cc")
        if gcc is None:
            raise RuntimeError("gcc is needed to build the stand-in NVML library (apt-get install -y gcc)")
        subprocess.run([gcc, "-shared", "-fPIC", "-O1", "-o", cls.lib, os.path.join(HERE, "fake_nvml.c")], check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.env = {k: os.environ.get(k) for k in ("CUDA_VISIBLE_DEVICES", "FAKE_NVML_NO_ENERGY", "FAKE_NVML_NO_POWER")}
        for k in self.env:
            os.environ.pop(k, None)

    def tearDown(self):
        for k, v in self.env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    def test_finds_device_by_uuid_with_or_without_the_gpu_prefix(self):
        for given in (UUID1, UUID1[len("GPU-"):]):
            n = Nvml(given, 0, self.lib)
            self.assertEqual(n.how, f"by UUID {UUID1}")
            self.assertEqual(n.power_w(), 300.0)

    def test_falls_back_to_the_index_mapped_through_cuda_visible_devices(self):
        n = Nvml("not-a-known-uuid", 0, self.lib)
        self.assertEqual((n.how, n.power_w()), ("by index 0", 200.0))
        os.environ["CUDA_VISIBLE_DEVICES"] = "1"
        n = Nvml(None, 0, self.lib)
        self.assertEqual((n.how, n.power_w()), ("by index 1 (CUDA_VISIBLE_DEVICES)", 300.0))
        os.environ["CUDA_VISIBLE_DEVICES"] = "GPU-abc"  # UUIDs there: NVML's order is unknown, use torch's index
        self.assertEqual(Nvml(None, 1, self.lib).how, "by index 1")

    def test_errors_carry_nvml_code_and_text(self):
        with self.assertRaisesRegex(RuntimeError, r"nvmlDeviceGetHandleByIndex failed: NVML error 2 \(Invalid Argument\)"):
            Nvml(None, 7, self.lib)
        with self.assertRaisesRegex(RuntimeError, "libnvidia-ml.so.1 not found"):
            Nvml(None, 0, os.path.join(self.dir, "missing.so"))

    def test_a_device_without_power_readings_is_refused_up_front(self):
        os.environ["FAKE_NVML_NO_POWER"] = "1"
        with self.assertRaisesRegex(RuntimeError, r"nvmlDeviceGetPowerUsage failed: NVML error 3 \(Not Supported\)"):
            Nvml(UUID0, 0, self.lib)

    def test_energy_counter_is_read_in_millijoules(self):
        n = Nvml(UUID0, 0, self.lib)
        e0 = n.energy_mj()
        time.sleep(0.2)
        # 200 W for 0.2 s = 40 J = 40000 mJ (sleep may overshoot a little)
        self.assertGreaterEqual(n.energy_mj() - e0, 39000)
        self.assertLess(n.energy_mj() - e0, 60000)

    def test_measure_reports_counter_energy_crosschecked_by_samples(self):
        n = Nvml(UUID1, 0, self.lib)
        passes, dt, e = measure(lambda: time.sleep(0.02), lambda: None, 0.5, n, 10, idle_seconds=0.1)
        self.assertEqual(e["source"], "NVML total energy counter (measured)")
        self.assertEqual(e["idle_w"], 300.0)
        # the counter brackets the loop (read just before the sampler starts and after the loop), so it is 300 W x dt
        # plus thread start-up; loose bounds for a busy machine, tight enough to catch a unit slip (mJ, mW)
        self.assertGreaterEqual(e["joules"], 300.0 * dt * 0.99)
        self.assertLess(e["joules"], 300.0 * dt * 1.2)
        self.assertAlmostEqual(e["sampled_joules"] / e["joules"], 1.0, delta=0.15)
        self.assertGreater(e["samples"], 5)
        self.assertGreaterEqual(passes, 10)

    def test_measure_falls_back_to_integrated_samples_without_a_counter(self):
        os.environ["FAKE_NVML_NO_ENERGY"] = "1"
        n = Nvml(UUID0, 0, self.lib)
        with self.assertRaisesRegex(RuntimeError, r"error 3 \(Not Supported\)"):
            n.energy_mj()
        _, dt, e = measure(lambda: time.sleep(0.02), lambda: None, 0.3, n, 10, idle_seconds=0.05)
        self.assertEqual(e["source"], "NVML power samples every 10 ms, integrated (measured)")
        self.assertEqual(e["joules"], e["sampled_joules"])
        self.assertAlmostEqual(e["joules"] / (200.0 * dt), 1.0, delta=0.2)


if __name__ == "__main__":
    unittest.main()
