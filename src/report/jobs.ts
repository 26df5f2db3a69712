// The report's jobs (issue #15, parts 5-7): every figure of `npm run report` is one job's result, a pure function
// of its spec (models, texts and seeds are named in it), so jobs can run in any order, in shards on other machines,
// and merge into the same report. planJobs() is the one list; --quick shrinks the texts, not the code paths.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LowerOptions } from '../compiler/lower.js';
import type { CodingScheme } from '../compiler/program.js';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import type { PruningOptions } from '../runtime/snn.js';

export const STORIES = path.join(PROJECT_ROOT, '..', 'shared', 'fixtures', 'llama2c', 'stories260K.bin');

/** Changes to the default chip (src/compiler/chip-config.ts DEFAULT_CHIP) an ablation makes. */
export interface ChipChanges {
  adcBits?: number;
  cellLevels?: number;
  slices?: number;
}

/** One compiled program: model, coding, T, compile options and chip changes (the default chip otherwise). */
export interface Setup {
  /** project-relative model path, or 'stories260K' (the llama2.c fixture) */
  model: string;
  scheme: CodingScheme;
  T: number;
  lower?: Partial<LowerOptions>;
  chip?: ChipChanges;
}

/** The texts of a run: calibration and evaluation tokens (sotu train/test, or a llama2.c model's own samples). */
export interface Texts {
  calibration: number;
  adc: number;
  evaluation: number;
  /** tokens of the headline's measured run (events and cycles) */
  headline: number;
}

export const FULL_TEXTS: Texts = { calibration: 8192, adc: 256, evaluation: 4096, headline: 1024 };
export const QUICK_TEXTS: Texts = { calibration: 512, adc: 128, evaluation: 256, headline: 128 };

export type JobSpec =
  /** dense, quantized-dense and SNN perplexity, events and energy; with errors: saturation, ADC clipping, worst tokens */
  | { kind: 'eval'; setup: Setup; pruning?: PruningOptions; errors?: boolean }
  /** the quantized-dense model on programmed (noisy) conductances: a float proxy of device noise */
  | { kind: 'device-noise'; setup: Setup; scale: number; seed: number }
  /** one sublayer back to dense (the rest on the chip), or alone on the chip (the rest dense) */
  | { kind: 'attribution'; setup: Setup; segment: string; mode: 'back-to-dense' | 'alone' }
  /** the headline table: measured reference runs and config-only models extrapolated from them */
  | { kind: 'headline'; setups: Setup[]; configs: string[]; cpu: boolean };

export type Group = 'points' | 'ablations' | 'attribution' | 'headline';

export interface Job {
  id: string;
  group: Group;
  /** what the row is called in the report */
  title: string;
  /** for ablations: the family it belongs to (coding, attention, pruning, ADC, weights, device noise, refinement) */
  family?: string;
  spec: JobSpec;
  texts: Texts;
}

const RELU = 'models/sotu-relu';
const GELU = 'models/sotu-gelu';
/** the reference setup every ablation changes one thing of */
export const BASELINE: Setup = { model: RELU, scheme: 'multilevel', T: 4 };

const nLayersOf = (model: string) => {
  const f = path.join(PROJECT_ROOT, model, 'config.json');
  const c = JSON.parse(readFileSync(f, 'utf8')) as { n_layer?: number; num_hidden_layers?: number };
  return c.n_layer ?? c.num_hidden_layers ?? 0;
};

export function setupKey(s: Setup): string {
  const lower = Object.entries(s.lower ?? {}).sort().map(([k, v]) => `${k}=${v}`);
  const chip = Object.entries(s.chip ?? {}).sort().map(([k, v]) => `${k}=${v}`);
  return [path.basename(s.model), s.scheme, `T${s.T}`, ...lower, ...chip].join('-');
}

export function planJobs(quick: boolean): Job[] {
  const texts = quick ? QUICK_TEXTS : FULL_TEXTS;
  const jobs: Job[] = [];
  const add = (j: Omit<Job, 'texts'>) => jobs.push({ ...j, texts });
  const stories = existsSync(STORIES);

  // conversion points: coding scheme x T per model (the energy-perplexity plane)
  const points: [string, CodingScheme, number[]][] = quick
    ? [[RELU, 'multilevel', [2, 4]], [RELU, 'rate', [4]]]
    : [
        [RELU, 'multilevel', [1, 2, 4, 8]], [RELU, 'rate', [4, 8, 16]], [RELU, 'ttfs', [4, 8]],
        [GELU, 'multilevel', [2, 4, 8]], [GELU, 'rate', [8]], [GELU, 'ttfs', [8]],
        ...(stories ? ([['stories260K', 'multilevel', [4, 8, 32]]] as [string, CodingScheme, number[]][]) : []),
      ];
  for (const [model, scheme, Ts] of points) {
    for (const T of Ts) {
      const setup: Setup = { model, scheme, T };
      const base = model === BASELINE.model && scheme === BASELINE.scheme && T === BASELINE.T;
      add({ id: `point-${setupKey(setup)}`, group: 'points', title: `${path.basename(model)} ${scheme} T=${T}`, spec: { kind: 'eval', setup, errors: base } });
    }
  }

  // ablations: one change to the baseline each
  const ab = (family: string, title: string, change: Partial<Setup>, extra: Partial<Extract<JobSpec, { kind: 'eval' }>> = {}) => {
    const setup: Setup = { ...BASELINE, ...change };
    const id = `ablation-${setupKey(setup)}${extra.pruning ? `-prune-${pruneKey(extra.pruning)}` : ''}`;
    add({ id, group: 'ablations', family, title, spec: { kind: 'eval', setup, ...extra } });
  };
  ab('attention', 'digital softmax unit (exact float softmax) instead of the spiking exp-LUT unit', { lower: { softmax: 'exact' } });
  const prunings: [string, PruningOptions][] = quick
    ? [['rows silent for 16 tokens pruned', { policy: { kind: 'threshold', thetaOn: 1, thetaOff: 1 }, window: 16 }]]
    : [
        ['rows silent for 16 tokens pruned', { policy: { kind: 'threshold', thetaOn: 1, thetaOff: 1 }, window: 16 }],
        ['rows silent for 64 tokens pruned', { policy: { kind: 'threshold', thetaOn: 1, thetaOff: 1 }, window: 64 }],
        ['rows active < 4 times in 32 tokens pruned (hysteresis on at 8)', { policy: { kind: 'threshold', thetaOn: 8, thetaOff: 4 }, window: 32 }],
        ['top-k: the 75 % most active rows of each tile kept (32-token window)', { policy: { kind: 'top-k', keep: { fraction: 192, fractionBits: 8 }, bonus: 0 }, window: 32 }],
      ];
  for (const [title, pruning] of prunings) ab('pruning', `pruning: ${title}`, {}, { pruning });
  for (const adcBits of quick ? [8] : [8, 10, 16]) ab('ADC bits', `ADC ${adcBits} bits (baseline 12)`, { chip: { adcBits } });
  const weightSets: [number, number][] = quick ? [[4, 2]] : [[4, 2], [4, 3], [16, 3]];
  for (const [cellLevels, slices] of weightSets) ab('weight bits', `weights ${slices} slices of ${cellLevels} levels (${slices * Math.log2(cellLevels)}-bit magnitude; baseline 2 x 16, 8-bit)`, { chip: { cellLevels, slices } });
  if (!quick) {
    ab('refinement', 'no expectation compensation (membranes start at 0: counts floor)', { lower: { compensate: false } });
    ab('refinement', 'signed Q/K/V neurons instead of a W/-W pair', { lower: { signedOutputs: 'signed' } });
    ab('refinement', 'clipping at the largest calibration value instead of the MSE-optimal percentile', { lower: { clip: 'max' } });
    ab('refinement', 'SmoothQuant-style per-channel encoder thresholds (alpha 0.5)', { lower: { smooth: 0.5 } });
    ab('refinement', 'burst encoders (front-loaded counts), 12-bit ADC', { lower: { burst: true } });
    ab('refinement', 'burst encoders with a 16-bit ADC', { lower: { burst: true }, chip: { adcBits: 16 } });
    // compared with the conversion point sotu-gelu multilevel T=4
    const gelu: Setup = { model: GELU, scheme: 'multilevel', T: 4, lower: { gelu: 'neuron' } };
    add({ id: `ablation-${setupKey(gelu)}`, group: 'ablations', family: 'refinement', title: 'sotu-gelu: GELU as ReLU neurons instead of the digital activation unit', spec: { kind: 'eval', setup: gelu } });
  }
  for (const scale of quick ? [1] : [0.5, 1, 2, 4]) {
    add({ id: `ablation-device-noise-x${scale}`, group: 'ablations', family: 'device noise', title: `PCM programming noise x ${scale}`, spec: { kind: 'device-noise', setup: BASELINE, scale, seed: 1 } });
  }

  // error analysis: every sublayer back to dense, and alone on the chip
  const L = nLayersOf(BASELINE.model);
  const segs = [...Array.from({ length: L }, (_, i) => [`L${i} attention`, `L${i} FFN`]).flat(), 'head'];
  for (const mode of ['back-to-dense', 'alone'] as const) {
    for (const segment of quick ? segs.slice(0, 2) : segs) {
      add({ id: `attribution-${mode}-${segment.replace(' ', '-')}`, group: 'attribution', title: segment, spec: { kind: 'attribution', setup: BASELINE, segment, mode } });
    }
  }

  // the headline table
  const cfgDir = path.join(PROJECT_ROOT, 'models', 'configs');
  const configs = ['gpt2', 'opt-125m', 'opt-1.3b', 'opt-13b'].filter((c) => existsSync(path.join(cfgDir, c, 'config.json'))).map((c) => `models/configs/${c}`);
  add({ id: 'headline', group: 'headline', title: 'headline table', spec: { kind: 'headline', setups: quick ? [BASELINE] : [BASELINE, { model: GELU, scheme: 'multilevel', T: 4 }], configs, cpu: !quick } });
  return jobs;
}

function pruneKey(p: PruningOptions): string {
  const pol = p.policy.kind === 'threshold' ? `th${p.policy.thetaOn}_${p.policy.thetaOff}` : `top${'fraction' in p.policy.keep ? `${p.policy.keep.fraction}of${2 ** p.policy.keep.fractionBits}` : p.policy.keep.rows}`;
  return `${pol}-w${p.window}`;
}

/** Jobs of shard i of n (1-based): every n-th job, so long and short jobs spread over the shards. */
export function shardOf(jobs: readonly Job[], i: number, n: number): Job[] {
  return jobs.filter((_, k) => k % n === i - 1);
}
