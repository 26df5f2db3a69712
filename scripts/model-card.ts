// npm run model-card -- models/sotu-gelu : writes MODEL_CARD.md from train_summary.json (written by npm run train).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseCli, runCli, UsageError } from '../src/cli/args.js';

const OPTIONS = `Writes MODEL_DIR/MODEL_CARD.md from the train_summary.json that npm run train wrote there.
  MODEL_DIR    the model folder
  -h, --help   this text`;

await runCli('npm run model-card -- MODEL_DIR   (a folder npm run train wrote, with train_summary.json)', () => {
  const { positionals } = parseCli({ allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new UsageError(`give one model folder, got ${positionals.length} argument(s)`);
  const dir = path.resolve(positionals[0]!);
  const s = JSON.parse(readFileSync(path.join(dir, 'train_summary.json'), 'utf8'));
  const c = s.config;
  const o = s.optimizer;
  const bpb = (nats: number) => (nats / Math.LN2).toFixed(3);
  const card = `# ${path.basename(dir)}: byte-level GPT-2 reference model (${c.activation.toUpperCase()} FFN)

A small reference language model trained by this project's own TypeScript trainer (\`src/lm/train/\`), so that the
neuromorphic compiler has a real pre-trained transformer to map. Hugging Face GPT-2 layout: \`config.json\` +
\`model.safetensors\`; tokenizer: UTF-8 bytes (vocabulary 256, no tokenizer file needed).

| | |
|---|---|
| architecture | GPT-2 (pre-LayerNorm, learned positions, tied LM head), ${c.activation === 'relu' ? 'ReLU' : 'GELU (tanh approximation)'} feed-forward |
| size | ${s.params.toLocaleString('en-US')} parameters: d_model ${c.dModel}, ${c.nLayers} layers, ${c.nHeads} heads, d_ff ${c.dFF}, context ${c.maxSeq} |
| corpus | ${s.corpus}: US State of the Union addresses 1790-2018 (speeches: US-government works; data files PDDL/CC0) |
| split | ${s.split.rule}; ${s.split.trainDocs} / ${s.split.validationDocs} / ${s.split.testDocs} addresses; ${s.tokens.train.toLocaleString('en-US')} / ${s.tokens.validation.toLocaleString('en-US')} / ${s.tokens.test.toLocaleString('en-US')} bytes |
| training | ${o.steps} steps x batch ${o.batch} x ${o.seqLen} tokens = ${s.tokensSeen.toLocaleString('en-US')} tokens (${(s.tokensSeen / s.tokens.train).toFixed(2)} epochs); AdamW (beta 0.9/0.95, weight decay ${o.weightDecay} on matrices), lr ${o.lr} with ${o.warmup} warmup steps and cosine decay to ${o.minLr}, gradient clipping ${o.clip}, seed ${o.seed} |
| time | ${(s.seconds / 60).toFixed(1)} min on a 2-core CPU (WebAssembly SIMD matmuls), measured |
| command | \`${s.command}\` |

## Held-out results (measured)

| split | loss (nats/byte) | bits/byte |
|---|---|---|
| validation (first ${s.validationWindows} windows of ${c.maxSeq}) | ${s.validationLoss.toFixed(4)} | ${bpb(s.validationLoss)} |
| test (all non-overlapping windows of ${c.maxSeq}) | ${s.testLoss.toFixed(4)} | ${bpb(s.testLoss)} |
| unigram baseline on test (train byte frequencies) | ${s.unigramTestLoss.toFixed(4)} | ${bpb(s.unigramTestLoss)} |

Bytes and characters coincide for this corpus except for a few non-ASCII characters.
Dense logits of this checkpoint match the plain-PyTorch baseline (\`baselines/pytorch/\`) to 1e-4 (\`baselines/reference/logits-v1.json\`).

## Use and limits
A research artefact for the NeuromorphicLLM compiler and its ablations (GELU vs ReLU activation sparsity). It models
19th-21st century American political prose at the byte level and has no instruction following or factual reliability.
`;
  writeFileSync(path.join(dir, 'MODEL_CARD.md'), card);
  console.log(`wrote ${path.join(dir, 'MODEL_CARD.md')}`);
}, OPTIONS);
