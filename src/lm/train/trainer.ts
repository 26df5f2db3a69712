// The training loop: seeded random windows from the training tokens, AdamW with warmup + cosine decay,
// gradient clipping, periodic validation, resumable checkpoints, and a progress bar with loss and tokens/s.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Rng } from '../../util/random.js';
import { SafetensorsFile, writeSafetensors } from '../formats/safetensors.js';
import { AdamW, clipGradNorm, cosineLr } from './adamw.js';
import { Gpt2Trainer, ParamSet, initParams, type Gpt2Config } from './gpt2.js';

export interface TrainOptions {
  config: Gpt2Config;
  batch: number;
  seqLen: number;
  steps: number;
  warmup: number;
  lr: number;
  minLr: number;
  weightDecay: number;
  clip: number;
  seed: number;
  evalEvery: number;
  /** validation windows per evaluation */
  evalWindows: number;
  checkpointEvery: number;
  outDir: string;
  quiet?: boolean;
  /** stop after this step (as if interrupted); a later call with the same options resumes */
  stopAt?: number;
}

export interface TrainLog {
  step: number;
  loss: number;
  lr: number;
  gradNorm: number;
  valLoss?: number;
  tokensPerSec: number;
}

export interface TrainResult {
  params: ParamSet;
  log: TrainLog[];
  finalValLoss: number;
  seconds: number;
}

/** Mean cross-entropy (nats/token) over non-overlapping windows of `tokens` (the first `maxWindows`). */
export function evaluateLoss(model: Gpt2Trainer, tokens: Int32Array, maxWindows: number): number {
  const { B, T } = model;
  const windows = Math.min(maxWindows, Math.floor((tokens.length - 1) / T));
  const inp = new Int32Array(B * T);
  const tgt = new Int32Array(B * T);
  let sum = 0;
  let n = 0;
  for (let w0 = 0; w0 < windows; w0 += B) {
    const nb = Math.min(B, windows - w0);
    for (let b = 0; b < B; b++) {
      const start = (w0 + Math.min(b, nb - 1)) * T;
      inp.set(tokens.subarray(start, start + T), b * T);
      tgt.set(tokens.subarray(start + 1, start + T + 1), b * T);
    }
    model.forward(inp, tgt);
    const losses = model.losses;
    for (let i = 0; i < nb * T; i++) sum += losses[i]!;
    n += nb * T;
  }
  return sum / n;
}

function decayRanges(p: ParamSet): [number, number][] {
  return (['wte', 'wpe', 'qkvw', 'attprojw', 'fcw', 'fcprojw'] as const).map((k) => p.offsets[k]);
}

export function train(opts: TrainOptions, data: { train: Int32Array; val: Int32Array }): TrainResult {
  const { config, batch: B, seqLen: T } = opts;
  mkdirSync(opts.outDir, { recursive: true });
  const ckpt = path.join(opts.outDir, 'checkpoint.safetensors');
  const rng = new Rng(opts.seed);
  const params = new ParamSet(config);
  initParams(params, () => rng.next());
  const model = new Gpt2Trainer(config, B, T, params);
  const optim = new AdamW(params.count, { lr: opts.lr, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: opts.weightDecay }, decayRanges(params));
  let log: TrainLog[] = [];
  let start = 0;
  if (existsSync(ckpt)) {
    const f = new SafetensorsFile(ckpt);
    params.flat.set(f.float32('params', [params.count]));
    optim.m.set(f.float32('adam_m', [params.count]));
    optim.v.set(f.float32('adam_v', [params.count]));
    start = Number(f.metadata.step);
    optim.step = start;
    rng.state = Number(f.metadata.rng);
    log = JSON.parse(f.metadata.log ?? '[]');
    f.close();
    if (!opts.quiet) console.log(`resumed from ${ckpt} at step ${start}`);
  }
  const save = (step: number) => {
    writeSafetensors(
      ckpt,
      new Map([
        ['params', { shape: [params.count], data: params.flat }],
        ['adam_m', { shape: [params.count], data: optim.m }],
        ['adam_v', { shape: [params.count], data: optim.v }],
      ]),
      { step: String(step), rng: String(rng.state), config: JSON.stringify(config), log: JSON.stringify(log) },
    );
  };
  const inp = new Int32Array(B * T);
  const tgt = new Int32Array(B * T);
  const bar = opts.quiet || !process.stdout.isTTY ? undefined : new cliProgress.SingleBar({ format: 'train |{bar}| {value}/{total} steps | loss {loss} | val {val} | {tps} tok/s | eta {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic);
  bar?.start(opts.steps, start, { loss: '-', val: '-', tps: '-' });
  const t0 = performance.now();
  let lastVal = NaN;
  const end = Math.min(opts.steps, opts.stopAt ?? opts.steps);
  for (let step = start; step < end; step++) {
    const ts = performance.now();
    for (let b = 0; b < B; b++) {
      const off = Math.floor(rng.next() * (data.train.length - T - 1));
      inp.set(data.train.subarray(off, off + T), b * T);
      tgt.set(data.train.subarray(off + 1, off + T + 1), b * T);
    }
    const loss = model.forward(inp, tgt);
    model.zeroGrad();
    model.backward(inp, tgt);
    const gradNorm = clipGradNorm(model.grads.flat, opts.clip);
    const lr = cosineLr(step, opts.warmup, opts.steps, opts.lr, opts.minLr);
    optim.update(params.flat, model.grads.flat, lr);
    const tps = (B * T) / ((performance.now() - ts) / 1000);
    const entry: TrainLog = { step: step + 1, loss, lr, gradNorm, tokensPerSec: tps };
    if ((step + 1) % opts.evalEvery === 0 || step + 1 === opts.steps) {
      lastVal = evaluateLoss(model, data.val, opts.evalWindows);
      entry.valLoss = lastVal;
    }
    log.push(entry);
    bar?.update(step + 1, { loss: loss.toFixed(3), val: Number.isNaN(lastVal) ? '-' : lastVal.toFixed(3), tps: tps.toFixed(0) });
    if (!bar && !opts.quiet && ((step + 1) % 50 === 0 || entry.valLoss !== undefined)) {
      console.log(`step ${step + 1}/${opts.steps} loss ${loss.toFixed(4)} lr ${lr.toExponential(2)} |g| ${gradNorm.toFixed(3)} ${tps.toFixed(0)} tok/s${entry.valLoss !== undefined ? ` val ${entry.valLoss.toFixed(4)}` : ''}`);
    }
    if ((step + 1) % opts.checkpointEvery === 0 || step + 1 === end) save(step + 1);
  }
  bar?.stop();
  return { params, log, finalValLoss: lastVal, seconds: (performance.now() - t0) / 1000 };
}
