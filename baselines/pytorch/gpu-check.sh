#!/usr/bin/env bash
# The dense GPU baseline in one short run (about 3-4 minutes, 13 runs of >= 5 s): tokens/s and Joules/token on CUDA
# for the trained reference models and a GPT-2-small-sized random model, scoring and greedy generation, at batch 1
# and a large batch, float32 and bfloat16, fused attention (and once the plain formula, for comparison).
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

# One failed run (out of memory, a driver refusal) must not cost the others: it is recorded with its error and the
# script goes on; the exit status says whether any failed.
FAILED=0
run() {
  local name=$1
  shift
  echo "== $name"
  if "$PY" baselines/pytorch/baseline.py "$@" --device cuda --min-seconds 5 --out "$RUNS/$name.json" 2>"$RUNS/$name.err" >/dev/null; then
    grep -E '"(loss_per_token|[a-z_]*per_second[a-z_]*|joules[a-z_]*|[a-z_]*power_w|energy_unavailable)"' "$RUNS/$name.json" || true
  else
    FAILED=$((FAILED + 1))
    "$PY" -c 'import json, sys; json.dump({"failed": True, "error": open(sys.argv[1]).read()[-2000:]}, open(sys.argv[2], "w"))' "$RUNS/$name.err" "$RUNS/$name.json"
  fi
  cat "$RUNS/$name.err" >&2
  rm -f "$RUNS/$name.err"
}

# scoring (the perplexity protocol) and greedy generation with a KV cache
for m in sotu-relu sotu-gelu; do
  for b in 1 64; do run "$m-fp32-b$b" --model "models/$m" --text "$TEXT" --batch "$b"; done
done
for b in 1 64; do run "sotu-relu-generate-fp32-b$b" --model models/sotu-relu --text "$TEXT" --generate 64 --prompt-len 64 --batch "$b"; done
G=(--random-gpt2-small --random-tokens 65536)
run gpt2small-random-float32-b1 "${G[@]}" --context 1024 --stride 1023 --batch 1
for dt in float32 bfloat16; do
  run "gpt2small-random-$dt-b16" "${G[@]}" --context 1024 --stride 1023 --batch 16 --dtype "$dt"
done
# the same with the plain attention formula instead of the fused kernel: how much the baseline's attention matters
run gpt2small-random-bfloat16-b16-manual-attention "${G[@]}" --context 1024 --stride 1023 --batch 16 --dtype bfloat16 --attention manual
run gpt2small-random-generate-float32-b1 "${G[@]}" --generate 256 --prompt-len 64 --batch 1
for b in 1 16; do run "gpt2small-random-generate-bfloat16-b$b" "${G[@]}" --generate 256 --prompt-len 64 --batch "$b" --dtype bfloat16; done
"$PY" - "$RUNS" "$OUTDIR/results.json" <<'PYEOF'
import json, os, sys
runs, out = sys.argv[1], sys.argv[2]
rows = [dict(json.load(open(os.path.join(runs, f))), run=f[:-5]) for f in sorted(os.listdir(runs))]
json.dump(rows, open(out, "w"), indent=2)
print(f"wrote {out}: {len(rows)} runs, {sum(1 for r in rows if r.get('failed'))} failed")
PYEOF
exit $((FAILED > 0))
