"""Dense PyTorch baseline: perplexity (the TS protocol), tokens/s, and on CUDA Joules/token from NVML.

  python3 baselines/pytorch/baseline.py --model models/sotu-gelu --text data.txt [--context 128 --stride 64]
  python3 baselines/pytorch/baseline.py --model DIR --ids-json ids.json      (token ids from the TS tokenizers)

Plain torch only. Energy: NVML's total-energy counter (nvmlDeviceGetTotalEnergyConsumption, millijoules) read
through ctypes before and after the run, divided by the tokens processed; batch size 1 (one window at a time).
Everything printed is measured on the machine it runs on; nothing is estimated.
"""
import argparse
import ctypes
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from nllm_torch import Model, strided_nll  # noqa: E402


class Nvml:
    """Minimal NVML through ctypes (no pynvml needed)."""

    def __init__(self, index=0):
        self.lib = ctypes.CDLL("libnvidia-ml.so.1")
        if self.lib.nvmlInit_v2() != 0:
            raise RuntimeError("nvmlInit failed")
        self.handle = ctypes.c_void_p()
        if self.lib.nvmlDeviceGetHandleByIndex_v2(index, ctypes.byref(self.handle)) != 0:
            raise RuntimeError("nvmlDeviceGetHandleByIndex failed")

    def energy_mj(self):
        e = ctypes.c_ulonglong()
        if self.lib.nvmlDeviceGetTotalEnergyConsumption(self.handle, ctypes.byref(e)) != 0:
            raise RuntimeError("nvmlDeviceGetTotalEnergyConsumption failed (needs Volta or newer)")
        return e.value

    def name(self):
        buf = ctypes.create_string_buffer(96)
        self.lib.nvmlDeviceGetName(self.handle, buf, 96)
        return buf.value.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--text", help="UTF-8 text file (byte-level models: vocab 256)")
    ap.add_argument("--ids-json", help="JSON list of token ids")
    ap.add_argument("--context", type=int)
    ap.add_argument("--stride", type=int)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args()
    m = Model(args.model, args.device)
    if args.ids_json:
        ids = json.load(open(args.ids_json))
    elif args.text:
        if m.cfg.get("vocab_size") != 256:
            sys.exit("--text needs a byte-level model (vocab 256); pass --ids-json for other tokenizers")
        ids = list(open(args.text, "rb").read())
    else:
        sys.exit("give --text or --ids-json")
    ctx = args.context or m.cfg.get("n_positions") or m.cfg.get("max_position_embeddings")
    stride = args.stride or max(1, ctx // 2)
    nvml = None
    if args.device.startswith("cuda"):
        try:
            nvml = Nvml(torch.cuda.current_device())
        except Exception as e:  # noqa: BLE001
            print(f"NVML unavailable: {e}; no energy figure")
    m.logits(ids[: min(len(ids), ctx)])  # warm-up
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    e0 = nvml.energy_mj() if nvml else None
    t0 = time.perf_counter()
    nll, n = strided_nll(m, ids, ctx, stride)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    dt = time.perf_counter() - t0
    e1 = nvml.energy_mj() if nvml else None
    windows = max(1, (len(ids) - ctx + stride - 1) // stride + 1)
    processed = min(len(ids), ctx) + (windows - 1) * ctx
    out = {
        "model": args.model, "device": args.device if not nvml else f"{args.device} ({nvml.name()})", "torch": torch.__version__,
        "protocol": f"strided windows: context {ctx}, stride {stride}, each token scored once, per-token normalisation", "batch": 1,
        "tokens_scored": n, "loss_per_token": nll / n, "perplexity": float(torch.tensor(nll / n).exp()),
        "seconds": dt, "tokens_per_second_processed": processed / dt,
    }
    if nvml:
        joules = (e1 - e0) / 1000.0
        out.update({"joules": joules, "joules_per_token_processed": joules / processed, "energy_source": "NVML total energy counter (measured)"})
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
