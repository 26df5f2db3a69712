"""Writes baselines/reference/logits-v1.json: logits of fixed inputs for the project's checkpoints, computed by
the plain-PyTorch baseline. A TypeScript test compares the TS forward against it (max abs diff <= 1e-4), so CI
does not need Python. Run from the repository root: python3 baselines/pytorch/reference.py"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from nllm_torch import Model, cpu_blas, greedy, strided_nll  # noqa: E402

MODELS = [
    ("test/fixtures/hf/gpt2-tiny", [3, 17, 4, 42, 0, 9, 9, 31, 2, 48, 11, 5]),
    ("test/fixtures/hf/opt-tiny", [2, 8, 40, 13, 13, 7, 29, 0, 44, 1, 30, 6]),
    ("test/fixtures/hf/llama-tiny", [1, 14, 22, 37, 5, 5, 49, 18, 3, 26, 40, 12]),
    ("test/fixtures/hf/llama3-tiny", [1, 9, 33, 2, 47, 16, 16, 8, 25, 4, 38, 11, 30, 6, 19, 44, 0, 27, 13, 7, 41, 3, 35, 22, 10, 49, 17, 29, 5, 36, 24, 1]),
    ("models/sotu-gelu", list(b"Fellow-Citizens of the Senate and House of Representatives:")),
    ("models/sotu-relu", list(b"Fellow-Citizens of the Senate and House of Representatives:")),
]

entries = []
for d, ids in MODELS:
    if not os.path.exists(os.path.join(d, "config.json")):
        print(f"skip {d}: not present")
        continue
    m = Model(d)
    logits = m.logits(ids)
    entries.append({"model": d, "input_ids": ids, "logits": [[round(float(v), 7) for v in row] for row in logits]})
    print(f"{d}: {len(ids)} positions x {logits.shape[1]} logits")
# strided perplexity of a fixed sequence, to check the TS protocol against the torch one
ppl = []
for d, ctx, stride in [("test/fixtures/hf/gpt2-tiny", 16, 8), ("test/fixtures/hf/llama-tiny", 16, 5)]:
    ids = [(i * 7 + 3) % 50 for i in range(57)]
    nll, n = strided_nll(Model(d), ids, ctx, stride)
    ppl.append({"model": d, "input_ids": ids, "context": ctx, "stride": stride, "nll": nll, "tokens": n})
# greedy decoding with the KV cache (a batch of prompts), to check the TS decoder and cache end to end
gen = []
for d, prompts, n in [
    ("test/fixtures/hf/gpt2-tiny", [[3, 17, 4], [40, 2, 9]], 12),
    ("test/fixtures/hf/opt-tiny", [[2, 8, 40], [5, 5, 5]], 12),
    ("test/fixtures/hf/llama-tiny", [[1, 14, 22], [7, 30, 1]], 12),
    ("test/fixtures/hf/llama3-tiny", [[1, 9, 33], [12, 40, 2]], 24),
    ("models/sotu-gelu", [list(b"Fellow-Citizens of the Senate"), list(b"Our Nation faces a great test")], 40),
    ("models/sotu-relu", [list(b"Fellow-Citizens of the Senate"), list(b"Our Nation faces a great test")], 40),
]:
    if not os.path.exists(os.path.join(d, "config.json")):
        continue
    new = greedy(Model(d), torch.tensor(prompts), n)
    gen.append({"model": d, "prompts": prompts, "greedy": new.tolist()})
out = {"version": 1, "perplexity": ppl, "generation": gen, "producer": f"baselines/pytorch/reference.py, torch {torch.__version__}, float32 CPU, BLAS {', '.join(os.path.basename(b) for b in cpu_blas() or ['unknown'])}", "entries": entries}
os.makedirs("baselines/reference", exist_ok=True)
with open("baselines/reference/logits-v1.json", "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote baselines/reference/logits-v1.json")
