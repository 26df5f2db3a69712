// Runs one report job (jobs.ts) and returns its result as plain JSON. Models, texts, calibrations and compiled
// programs are shared between the jobs of one process, and programs also through a folder (so a shard compiles a
// program once even across runs). Every figure is measured on this machine's functional model or estimated from
// its events with the constants table; the result says which.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CHIP, tileSpec, type ChipConfig } from '../compiler/chip-config.js';
import { calibrationStats, compileModel } from '../compiler/compile.js';
import type { TensorStats } from '../compiler/calibrate.js';
import { irFromDense, type ModelIR } from '../compiler/ir.js';
import { programDigest, readProgram, writeProgram, type ChipProgram } from '../compiler/program.js';
import { tokenStream } from '../compiler/token-stream.js';
import { meanSpikeRate } from '../energy/breakeven.js';
import { chipTiers, type Tier } from '../energy/chip-energy.js';
import { measureCpuDecode, randomDense } from '../energy/cpu.js';
import { eventsFromSnn } from '../energy/events.js';
import { referenceRow, scaledRows, type HeadlineRow } from '../energy/headline.js';
import { measureProgram } from '../energy/measure.js';
import { PROJECT_ROOT } from '../hdl/srcloc.js';
import { configFromHf } from '../lm/formats/hf.js';
import { loadModel } from '../lm/load.js';
import { paramCount, type DenseLM, type LmConfig } from '../lm/model.js';
import type { TextTokenizer } from '../lm/tokenizers/index.js';
import { fidelity, type Fidelity } from '../runtime/fidelity.js';
import { floatSegments, segments } from './attribution.js';
import { programmedWeights } from './device-noise.js';
import { errorStats, type ErrorStats } from './error-stats.js';
import { STORIES, setupKey, type Job, type Setup, type Texts } from './jobs.js';
import { readFileSync } from 'node:fs';

export type Progress = (done: number, total: number) => void;

export interface EvalResult {
  kind: 'eval';
  /** scored positions and the text they come from */
  tokens: number;
  data: string;
  ppl: { dense: number; quantizedDense?: number; snn: number };
  deltaPpl: number;
  deltaPplQuantized?: number;
  top1: number;
  meanKl: number;
  /** J/token per tier (estimated from the run's events with src/energy/constants.ts) */
  energy: Record<Tier, number>;
  /** the crossbar tier's largest parts, J/token */
  crossbarParts: [string, number][];
  /** mean crossbar-input spike rate (src/energy/breakeven.ts) and per spike tensor */
  spikeRate: number;
  tensors: { tensor: string; rate: number; meanMagnitude: number }[];
  synaptic: { skipped: number; skippedByMask: number };
  errors?: ErrorStats;
  program: { digest: string; tiles: number };
  seconds: number;
}

export interface DeviceNoiseResult {
  kind: 'device-noise';
  tokens: number;
  ppl: { dense: number; quantizedDense: number; noisy: number };
  /** quantized-dense on programmed weights vs dense, and vs noise-free quantized-dense, % */
  deltaPpl: number;
  deltaPplVsQuantized: number;
  seconds: number;
}

export interface AttributionResult {
  kind: 'attribution';
  tokens: number;
  deltaPpl: number;
  meanKl: number;
  top1: number;
  seconds: number;
}

export interface HeadlineResult {
  kind: 'headline';
  rows: HeadlineRow[];
  /** per reference model: the run it was measured on */
  runs: { model: string; tokens: number; windows: number; context: number; data: string; cyclesPerToken: { mean: number; min: number; max: number }; byKind: Record<string, number> }[];
  seconds: number;
}

export type JobResult = EvalResult | DeviceNoiseResult | AttributionResult | HeadlineResult;

interface Loaded {
  lm: DenseLM;
  tokenizer?: TextTokenizer;
  ir: ModelIR;
  cal: number[];
  test: { ids: number[]; label: string };
  headline: { ids: number[]; label: string };
  stats: Map<string, TensorStats>;
}

const modelPath = (m: string) => (m === 'stories260K' ? STORIES : path.join(PROJECT_ROOT, m));

/** What jobs of one process share. `programDir`: where compiled programs are kept between runs (optional). */
export class JobContext {
  private readonly models = new Map<string, Loaded>();
  private readonly programs = new Map<string, ChipProgram>();
  constructor(readonly programDir?: string) {}

  model(name: string, texts: Texts): Loaded {
    const key = `${name}|${texts.calibration}|${texts.evaluation}|${texts.headline}`;
    let m = this.models.get(key);
    if (!m) {
      const p = modelPath(name);
      if (!existsSync(p)) throw new Error(`report: model ${name} is not here (${p})`);
      const { lm, tokenizer } = loadModel(p);
      const cal = tokenStream(lm, tokenizer, tokenizer ? 'sotu:train' : 'generated:1', texts.calibration).ids;
      const test = tokenStream(lm, tokenizer, tokenizer ? 'sotu:test' : 'generated:2', texts.evaluation);
      const headline = texts.headline <= texts.evaluation ? { ids: test.ids.slice(0, texts.headline), label: test.label } : tokenStream(lm, tokenizer, tokenizer ? 'sotu:test' : 'generated:2', texts.headline);
      const { stats } = calibrationStats(lm, p, cal, lm.config.maxSeq);
      m = { lm, tokenizer, ir: irFromDense(lm, p), cal, test: { ids: test.ids, label: test.label }, headline: { ids: headline.ids, label: headline.label }, stats };
      this.models.set(key, m);
    }
    return m;
  }

  program(s: Setup, texts: Texts, onProgress?: Progress): ChipProgram {
    const key = `${setupKey(s)}-cal${texts.calibration}-adc${texts.adc}`;
    let p = this.programs.get(key);
    if (p) return p;
    const dir = this.programDir ? path.join(this.programDir, key) : undefined;
    if (dir && existsSync(path.join(dir, 'program.json'))) p = readProgram(dir);
    else {
      const m = this.model(s.model, texts);
      p = compileModel(m.lm, modelPath(s.model), chipOf(s), {
        ...s.lower,
        calibration: m.cal,
        stats: m.stats,
        T: s.T,
        scheme: s.scheme,
        adcTokens: texts.adc,
        onProgress: onProgress && ((step, d, t) => step === 'adc' && onProgress(d, t)),
      });
      if (dir) writeProgram(p, dir);
    }
    this.programs.set(key, p);
    return p;
  }
}

export function chipOf(s: Setup): ChipConfig {
  const c = s.chip ?? {};
  return { ...DEFAULT_CHIP, tile: { ...DEFAULT_CHIP.tile, ...c } };
}

const window = (lm: DenseLM) => ({ context: lm.config.maxSeq, stride: lm.config.maxSeq - 1 });
const since = (t0: number) => (performance.now() - t0) / 1000;

export function runJob(job: Job, ctx: JobContext, onProgress?: Progress): JobResult {
  const t0 = performance.now();
  const spec = job.spec;
  switch (spec.kind) {
    case 'eval': {
      const m = ctx.model(spec.setup.model, job.texts);
      const p = ctx.program(spec.setup, job.texts);
      const tap = spec.errors ? errorStats(p) : undefined;
      const f = fidelity(m.lm, p, m.test.ids, { ...window(m.lm), pruning: spec.pruning, perPosition: spec.errors, hooks: tap && { tap: tap.tap }, onProgress });
      return evalResult(f, p, m, spec.setup, tap && tap.finish(f, m.test.ids, m.tokenizer), since(t0));
    }
    case 'device-noise': {
      const m = ctx.model(spec.setup.model, job.texts);
      const p = ctx.program(spec.setup, job.texts);
      const clean = fidelity(m.lm, p, m.test.ids, { ...window(m.lm), snn: false });
      const noisy = fidelity(m.lm, p, m.test.ids, {
        ...window(m.lm),
        snn: false,
        // each op's cells drawn from their own stream: the result does not depend on op order
        quantizedOptions: { weights: (op, levels) => programmedWeights(levels, tileSpec(p.chip, op.tiles.kind), spec.scale, spec.seed * 1_000_003 + hash(op.name)) },
        onProgress,
      });
      const q = clean.quantizedDense!.perplexity;
      const n = noisy.quantizedDense!.perplexity;
      return { kind: 'device-noise', tokens: clean.tokens, ppl: { dense: clean.dense.perplexity, quantizedDense: q, noisy: n }, deltaPpl: 100 * (n / clean.dense.perplexity - 1), deltaPplVsQuantized: 100 * (n / q - 1), seconds: since(t0) };
    }
    case 'attribution': {
      const m = ctx.model(spec.setup.model, job.texts);
      const p = ctx.program(spec.setup, job.texts);
      const all = segments(p);
      const seg = all.find((s) => s.label === spec.segment);
      if (!seg) throw new Error(`report: the program has no sublayer '${spec.segment}' (it has ${all.map((s) => s.label).join(', ')})`);
      const floatOnes = spec.mode === 'back-to-dense' ? [seg] : all.filter((s) => s !== seg);
      const f = fidelity(m.lm, p, m.test.ids, { ...window(m.lm), quantized: false, hooks: { override: floatSegments(p, m.ir, floatOnes) }, onProgress });
      return { kind: 'attribution', tokens: f.tokens, deltaPpl: f.deltaPpl, meanKl: f.meanKl, top1: f.top1Agreement, seconds: since(t0) };
    }
    case 'headline': {
      const rows: HeadlineRow[] = [];
      const runs: HeadlineResult['runs'] = [];
      const refs: { run: ReturnType<typeof measureProgram>; config: LmConfig; name: string }[] = [];
      spec.setups.forEach((s, i) => {
        const m = ctx.model(s.model, job.texts);
        const p = ctx.program(s, job.texts);
        const name = path.basename(s.model);
        const run = measureProgram(p, m.headline.ids, m.lm.config.maxSeq, name);
        rows.push(referenceRow(run, m.lm.config, spec.cpu ? measureCpuDecode(m.lm) : undefined));
        refs.push({ run, config: m.lm.config, name });
        runs.push({ model: name, tokens: run.latency.tokens, windows: run.windows, context: run.context, data: m.headline.label, cyclesPerToken: { mean: run.latency.mean, min: run.latency.min, max: run.latency.max }, byKind: run.latency.byKind });
        onProgress?.(i + 1, spec.setups.length + spec.configs.length);
      });
      spec.configs.forEach((dir, i) => {
        const file = path.join(PROJECT_ROOT, dir, 'config.json');
        const cfg = configFromHf(JSON.parse(readFileSync(file, 'utf8')), file);
        const ref = refs.find((r) => family(r.config) === family(cfg)) ?? refs[0]!;
        const scaled = scaledRows(ref.run, ref.config, path.basename(dir), cfg, ref.run.events.chip);
        if (spec.cpu && paramCount(cfg) <= 2e8) {
          const lm = randomDense(cfg);
          const cpu = measureCpuDecode(lm, 16);
          lm.release();
          for (const r of scaled) r.cpu = cpu;
        }
        for (const r of scaled) r.notes.unshift(`extrapolated from ${ref.name}'s activity (per-role spike rates, active row groups, ADC activity)${family(ref.config) === family(cfg) ? '' : `; its FFN is ${cfg.activation}, the reference's ${ref.config.activation}`}`);
        rows.push(...scaled);
        onProgress?.(spec.setups.length + i + 1, spec.setups.length + spec.configs.length);
      });
      return { kind: 'headline', rows, runs, seconds: since(t0) };
    }
  }
}

const family = (c: LmConfig) => (c.activation === 'relu' ? 'relu' : c.activation.startsWith('gelu') ? 'gelu' : c.activation);

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h % 1_000_000;
}

function evalResult(f: Fidelity, p: ChipProgram, m: Loaded, s: Setup, errors: ErrorStats | undefined, seconds: number): EvalResult {
  const e = eventsFromSnn(f.snnModel, path.basename(s.model));
  const tiers = chipTiers(e);
  const total = tiers.crossbar.totalPj;
  return {
    kind: 'eval',
    tokens: f.tokens,
    data: m.test.label,
    ppl: { dense: f.dense.perplexity, quantizedDense: f.quantizedDense?.perplexity, snn: f.snn.perplexity },
    deltaPpl: f.deltaPpl,
    deltaPplQuantized: f.deltaPplQuantized,
    top1: f.top1Agreement,
    meanKl: f.meanKl,
    energy: { crossbar: total * 1e-12, memory: tiers.memory.totalPj * 1e-12, ops: tiers.ops.totalPj * 1e-12 },
    crossbarParts: Object.entries(tiers.crossbar.parts).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => [k, v * 1e-12]),
    spikeRate: meanSpikeRate(e),
    tensors: f.spikeRate,
    synaptic: { skipped: f.synaptic.skipped, skippedByMask: f.synaptic.skippedByMask },
    errors,
    program: { digest: programDigest(p), tiles: p.summary.tiles.signed + p.summary.tiles.unsigned },
    seconds,
  };
}
