#!/usr/bin/env bash
# The dense GPU baseline in one short run (about 2-3 minutes): tokens/s and Joules/token on CUDA for the trained
# reference models and for a GPT-2-small-sized random model, at batch 1 and a large batch, float32 and bfloat16.
# Prepared for a lent GPU machine, which has torch but no node_modules, so export the text first:
#
#   npm run export-text -- sotu:test .scratch/sotu-test.txt --limit-bytes 200000
#   bash baselines/pytorch/gpu-check.sh .scratch/sotu-test.txt OUTDIR     (on the GPU machine; .scratch/ is carried)
#
# Writes OUTDIR/results.json (one object per run; see baseline.py for what is measured and how) and OUTDIR/gpu.txt
# (the GPU, driver and torch): two files, well inside what a device run may bring back.
set -euo pipefail
TEXT=${1:?usage: gpu-check.sh TEXT_FILE OUTDIR}
OUTDIR=${2:?usage: gpu-check.sh TEXT_FILE OUTDIR}
PY=${PYTHON:-python3}
mkdir -p "$OUTDIR"
RUNS=$(mktemp -d)
{
  date -u +%FT%TZ
  nvidia-smi --query-gpu=name,driver_version,power.limit,clocks.max.sm --format=csv || echo "nvidia-smi unavailable"
  "$PY" -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'
} | tee "$OUTDIR/gpu.txt"
"$PY" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "no CUDA device: this script measures the GPU baseline only")'

run() {
  local name=$1
  shift
  echo "== $name"
  "$PY" baselines/pytorch/baseline.py "$@" --device cuda --min-seconds 5 --out "$RUNS/$name.json" |
    grep -E '"(loss_per_token|tokens_per_second_processed|joules_per_token_processed|joules_per_token_above_idle|mean_power_w|idle_power_w|joules|joules_from_power_samples)"'
}

for m in sotu-relu sotu-gelu; do
  for b in 1 64; do run "$m-fp32-b$b" --model "models/$m" --text "$TEXT" --batch "$b"; done
done
for dt in float32 bfloat16; do
  for b in 1 16; do
    run "gpt2small-random-$dt-b$b" --random-gpt2-small --random-tokens 65536 --context 1024 --stride 1024 --batch "$b" --dtype "$dt"
  done
done
"$PY" - "$RUNS" "$OUTDIR/results.json" <<'PYEOF'
import json, os, sys
runs, out = sys.argv[1], sys.argv[2]
rows = [dict(json.load(open(os.path.join(runs, f))), run=f[:-5]) for f in sorted(os.listdir(runs))]
json.dump(rows, open(out, "w"), indent=2)
print(f"wrote {out}: {len(rows)} runs")
PYEOF
