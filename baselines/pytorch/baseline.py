"""Dense PyTorch baseline: perplexity (the TS protocol), tokens/s, and on CUDA Joules/token from NVML.

  python3 baselines/pytorch/baseline.py --model models/sotu-gelu --text data.txt [--context 128 --stride 64 --batch 8]   (stride < context)
  python3 baselines/pytorch/baseline.py --model DIR --ids-json ids.json      (token ids from the TS tokenizers)
  python3 baselines/pytorch/baseline.py --random-gpt2-small --random-tokens 65536 --batch 16   (speed/energy only)

Plain torch only. Timing covers whole strided-perplexity passes (repeated until --min-seconds), with one host sync
per batch of windows. Energy on CUDA from NVML's total-energy counter, cross-checked by integrated power samples,
with idle power sampled first (see energy.py). Nothing is estimated.
"""
import argparse
import json
import math
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from energy import Nvml, measure  # noqa: E402
from nllm_torch import KvCache, Model, cpu_blas, greedy, strided_nll  # noqa: E402
from strided import stride_problem, strided_windows  # noqa: E402

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def sync(device):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def scoring(m, ids, args, ctx, stride, out, units=None):
    """Strided-perplexity passes over the data: returns (work, tokens processed per pass, finish)."""
    windows = strided_windows(len(ids), ctx, stride)

    def work(warmup):
        if warmup:
            strided_nll(m, ids[: min(len(ids), ctx * args.batch)], ctx, stride, args.batch)
            return
        nll, n = strided_nll(m, ids, ctx, stride, args.batch)
        out.update({"tokens_scored": n, "loss_per_token": nll / n, "perplexity": math.exp(nll / n)})
        if units:  # the same per-text-unit normalisations as the TS eval (src/lm/metrics/perplexity.ts)
            out.update({"units": units, "bits_per_byte": nll / math.log(2) / units["bytes"], "bits_per_char": nll / math.log(2) / units["chars"],
                        "word_perplexity": math.exp(nll / units["words"])})

    out["protocol"] = f"strided windows: context {ctx}, stride {stride}, each token scored once, per-token normalisation"
    return work, sum(e - b for b, e, _ in windows), lambda passes: None


def generation(m, ids, args, ctx, out):
    """Greedy generation with a KV cache from `batch` prompts of --prompt-len tokens cut from the data: returns
    (work, tokens generated per pass, finish). Prefill and decode are timed apart; energy covers both."""
    P, N, B = args.prompt_len, args.generate, args.batch
    if P + N > ctx:
        sys.exit(f"--prompt-len {P} + --generate {N} exceeds the model's context {ctx}")
    if len(ids) < B * P:
        sys.exit(f"the data has {len(ids)} tokens; {B} prompts of {P} need {B * P}")
    prompts = torch.tensor([ids[i * P : (i + 1) * P] for i in range(B)], device=m.device)
    times = {"prefill": 0.0, "decode": 0.0}
    last = {}
    out["mode"] = f"greedy generation with a KV cache: {B} prompts of {P} tokens, {N} new tokens each"

    def work(warmup):
        kv = KvCache()
        sync(args.device)
        t0 = time.perf_counter()
        nxt = m.logits(prompts, kv)[:, -1].argmax(-1, keepdim=True)
        sync(args.device)
        t1 = time.perf_counter()
        first = nxt
        rest = greedy(m, nxt, N - 1, kv) if N > 1 else nxt[:, :0]
        sync(args.device)
        t2 = time.perf_counter()
        if not warmup:
            times["prefill"] += t1 - t0
            times["decode"] += t2 - t1
            last["ids"] = torch.cat([first, rest], 1)[0, :48].tolist()

    def finish(passes):
        sample = last["ids"]
        out.update({
            "prefill_tokens_per_second": passes * B * P / times["prefill"],
            "decode_tokens_per_second": passes * B * (N - 1) / times["decode"] if N > 1 else None,
            "sample": bytes(sample).decode("utf-8", "replace") if m.cfg.get("vocab_size") == 256 else " ".join(map(str, sample)),
        })

    return work, B * N, finish


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", help="checkpoint directory (config.json + safetensors)")
    ap.add_argument("--random-gpt2-small", action="store_true", help="GPT-2-small-sized (124M) model with random weights, built in memory: speed/energy only")
    ap.add_argument("--text", help="UTF-8 text file (byte-level models: vocab 256)")
    ap.add_argument("--ids-json", help="JSON list of token ids")
    ap.add_argument("--random-tokens", type=int, help="this many random token ids (speed/energy only; the perplexity is meaningless)")
    ap.add_argument("--context", type=int)
    ap.add_argument("--stride", type=int)
    ap.add_argument("--batch", type=int, default=1, help="windows per forward pass (default 1)")
    ap.add_argument("--dtype", choices=list(DTYPES), default="float32")
    ap.add_argument("--attention", choices=["auto", "fused", "manual"], default="auto",
                    help="auto (default): torch's fused scaled_dot_product_attention where it exists and agrees with the manual formula, else manual")
    ap.add_argument("--generate", type=int, metavar="N", help="measure greedy generation of N new tokens per prompt instead of scoring")
    ap.add_argument("--prompt-len", type=int, default=64, help="with --generate: prompt length in tokens (default 64)")
    ap.add_argument("--min-seconds", type=float, help="repeat the pass until this long (default 5 on CUDA, 0 on CPU)")
    ap.add_argument("--sample-ms", type=float, default=20.0, help="NVML power sampling period")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--out", help="also write the JSON result to this file")
    args = ap.parse_args()
    if bool(args.model) == bool(args.random_gpt2_small):
        sys.exit("give exactly one of --model DIR or --random-gpt2-small")
    if args.batch < 1:
        sys.exit(f"--batch must be >= 1, got {args.batch}")
    if args.model and not os.path.isfile(os.path.join(args.model, "config.json")):
        sys.exit(f"{args.model}: no config.json there (give a Hugging Face checkpoint folder)")
    dtype = DTYPES[args.dtype]
    m = Model.random_gpt2(args.device, dtype, attention=args.attention) if args.random_gpt2_small else Model(args.model, args.device, dtype, attention=args.attention)
    vocab = m.cfg.get("vocab_size")
    units = None
    if args.ids_json:
        ids = json.load(open(args.ids_json))
        label = f"token ids from {args.ids_json}"
    elif args.text:
        if vocab != 256:
            sys.exit("--text needs a byte-level model (vocab 256); pass --ids-json for other tokenizers")
        raw = open(args.text, "rb").read()
        ids = list(raw)
        text = raw.decode("utf-8", "replace")
        units = {"bytes": len(raw), "chars": len(text), "words": len(text.split())}
        label = f"bytes of {args.text}"
    elif args.random_tokens:
        ids = torch.randint(0, vocab, (args.random_tokens,), generator=torch.Generator().manual_seed(1)).tolist()
        label = f"{args.random_tokens} random token ids (speed/energy only)"
    else:
        sys.exit("give --text, --ids-json or --random-tokens")
    if ids and max(ids) >= vocab:
        sys.exit(f"token id {max(ids)} is out of range for vocab_size {vocab}")
    positions = m.cfg.get("n_positions") or m.cfg.get("max_position_embeddings")
    ctx = positions if args.context is None else args.context
    if not 2 <= ctx <= positions:
        sys.exit(f"--context must be from 2 to {positions} (the model's positions), got {ctx}")
    stride = max(1, ctx // 2) if args.stride is None else args.stride
    if stride_problem(ctx, stride):  # a window of ctx tokens has ctx-1 targets (see strided.py)
        sys.exit(f"--stride must be from 1 to {ctx - 1} (the context less one; --stride {ctx - 1} gives non-overlapping windows), got {stride}")
    cuda = args.device.startswith("cuda")
    min_seconds = args.min_seconds if args.min_seconds is not None else (5.0 if cuda else 0.0)
    nvml, no_energy = None, "not a CUDA device" if not cuda else None
    device = args.device
    if cuda:
        index = torch.device(args.device).index
        index = torch.cuda.current_device() if index is None else index
        device += f" ({torch.cuda.get_device_name(index)})"
        try:
            nvml = Nvml(getattr(torch.cuda.get_device_properties(index), "uuid", None), index)
            device += f" (NVML {nvml.how})"
        except Exception as e:  # noqa: BLE001
            no_energy = f"NVML unavailable: {e}"
            print(f"{no_energy}; no energy figure", file=sys.stderr)
    out = {
        "model": args.model or "random GPT-2-small-sized (124M, in memory; speed/energy only)",
        "data": label, "device": device,
        "torch": torch.__version__, "cpu_threads": torch.get_num_threads(), "cpu_blas": cpu_blas(), "dtype": args.dtype, "attention": m.attention, "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "batch": args.batch, "measured": True,
    }
    if args.generate:
        work, per_token, finish = generation(m, ids, args, ctx, out)
    else:
        work, per_token, finish = scoring(m, ids, args, ctx, stride, out, units)
    work(warmup=True)
    sync(args.device)
    passes, dt, energy = measure(lambda: work(warmup=False), lambda: sync(args.device), min_seconds, nvml, args.sample_ms)
    tokens = per_token * passes
    unit = "generated_token" if args.generate else "token_processed"
    out.update({"passes": passes, "seconds": dt, "tokens": tokens, f"tokens_per_second_{'generated' if args.generate else 'processed'}": tokens / dt})
    finish(passes)
    if not energy:
        out["energy_unavailable"] = no_energy
    else:
        out.update({
            "joules": energy["joules"], f"joules_per_{unit}": energy["joules"] / tokens, "energy_source": energy["source"],
            "mean_power_w": energy["joules"] / dt, "idle_power_w": energy["idle_w"],
            f"joules_per_{unit}_above_idle": (energy["joules"] - energy["idle_w"] * dt) / tokens,
            "power_samples": energy["samples"], "joules_from_power_samples": energy["sampled_joules"],
        })
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
