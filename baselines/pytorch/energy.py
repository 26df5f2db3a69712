"""GPU energy measurement for the PyTorch baseline: NVML through ctypes, a power sampler, and the timed loop.

No torch import here, so the accounting can be tested on any machine with plain python3 (test_energy.py does, against
a stand-in NVML library built from fake_nvml.c). Energy on CUDA, two ways, both measured:
  - NVML's total-energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ) read before and after: the figure reported;
  - NVML power samples (nvmlDeviceGetPowerUsage, mW, every sample_ms) integrated over the run, as a cross-check.
    On Ampere and newer (except GA100) NVML returns power averaged over the last second, hence runs of >= 5 s by
    default so the average and the counter converge.
Idle power is sampled for a second before the run, so the energy above idle can be reported too.
"""
import ctypes
import os
import sys
import threading
import time

LIBRARY_CANDIDATES = ("libnvidia-ml.so.1", "/usr/local/nvidia/lib64/libnvidia-ml.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1")


class Nvml:
    """Minimal NVML through ctypes (no pynvml needed). `uuid` is torch's device UUID (get_device_properties(i).uuid)
    when torch has it; `index` is torch's device index, used when the UUID is unknown or not found."""

    def __init__(self, uuid, index, library=None):
        self.lib = None
        for name in (library,) if library else LIBRARY_CANDIDATES:
            try:
                self.lib = ctypes.CDLL(name)
                break
            except OSError:
                continue
        if self.lib is None:
            raise RuntimeError("libnvidia-ml.so.1 not found (the NVIDIA driver's NVML library)")
        self.lib.nvmlErrorString.restype = ctypes.c_char_p
        self._check(self.lib.nvmlInit_v2(), "nvmlInit")
        self.handle = ctypes.c_void_p()
        self.how = self._find(uuid, index)
        # a driver may expose the device but not its power (some virtualised ones): fail here, before any run, so
        # the caller reports time without energy instead of losing the run halfway
        self.power_w()

    def _check(self, rc, what):
        if rc != 0:
            raise RuntimeError(f"{what} failed: NVML error {rc} ({self.lib.nvmlErrorString(rc).decode()})")

    def _find(self, uuid, index):
        # NVML enumerates all GPUs in PCI order and ignores CUDA_VISIBLE_DEVICES, so match torch's device by UUID.
        if uuid is not None:
            for s in (str(uuid), "GPU-" + str(uuid)):
                if self.lib.nvmlDeviceGetHandleByUUID(s.encode(), ctypes.byref(self.handle)) == 0:
                    return f"by UUID {s}"
        visible = [v.strip() for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if v.strip()]
        mapped = visible and all(v.isdigit() for v in visible)
        nvml_index = int(visible[index]) if mapped else index
        self._check(self.lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(nvml_index), ctypes.byref(self.handle)), "nvmlDeviceGetHandleByIndex")
        return f"by index {nvml_index}" + (" (CUDA_VISIBLE_DEVICES)" if mapped else "")

    def energy_mj(self):
        e = ctypes.c_ulonglong()
        self._check(self.lib.nvmlDeviceGetTotalEnergyConsumption(self.handle, ctypes.byref(e)), "nvmlDeviceGetTotalEnergyConsumption (needs Volta or newer)")
        return e.value

    def power_w(self):
        p = ctypes.c_uint()
        self._check(self.lib.nvmlDeviceGetPowerUsage(self.handle, ctypes.byref(p)), "nvmlDeviceGetPowerUsage")
        return p.value / 1000.0


class PowerSampler(threading.Thread):
    """Samples power every `period` seconds on a thread; joules() integrates the samples (trapezoid rule)."""

    def __init__(self, meter, period):
        super().__init__(daemon=True)
        self.meter, self.period, self.samples, self.stop = meter, period, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.samples.append((time.perf_counter(), self.meter.power_w()))
            self.stop.wait(self.period)

    def finish(self):
        self.stop.set()
        self.join()
        self.samples.append((time.perf_counter(), self.meter.power_w()))
        return self

    def joules(self):
        s = self.samples
        return sum((t1 - t0) * (p0 + p1) / 2 for (t0, p0), (t1, p1) in zip(s, s[1:]))

    def mean_w(self):
        s = self.samples
        return self.joules() / (s[-1][0] - s[0][0]) if len(s) > 1 and s[-1][0] > s[0][0] else s[0][1]


def measure(body, sync, min_seconds, meter, sample_ms, idle_seconds=1.0):
    """Runs body() (then sync()) until min_seconds have passed; returns (passes, seconds, energy or None). With a
    meter (an Nvml), idle power is sampled for idle_seconds first, and energy comes from the meter's counter, or from
    integrated power samples where the counter is missing."""
    idle = None
    sampler = None
    counter = meter is not None
    e0 = None
    if meter:
        idle = PowerSampler(meter, sample_ms / 1000)
        idle.start()
        time.sleep(idle_seconds)
        idle.finish()
        sampler = PowerSampler(meter, sample_ms / 1000)
        try:
            e0 = meter.energy_mj()
        except RuntimeError as e:  # e.g. not exposed under a sandboxed driver
            print(f"{e}; energy from power samples instead", file=sys.stderr)
            counter = False
        sampler.start()
    t0 = time.perf_counter()
    passes = 0
    while True:
        body()
        sync()
        passes += 1
        if time.perf_counter() - t0 >= min_seconds:
            break
    dt = time.perf_counter() - t0
    if not meter:
        return passes, dt, None
    e1 = meter.energy_mj() if counter else None
    sampler.finish()
    joules = (e1 - e0) / 1000.0 if counter else sampler.joules()
    source = "NVML total energy counter" if counter else f"NVML power samples every {sample_ms:g} ms, integrated"
    return passes, dt, {"joules": joules, "source": f"{source} (measured)", "idle_w": idle.mean_w(), "samples": len(sampler.samples), "sampled_joules": sampler.joules()}
