// Lowering: a (folded) model IR + calibration statistics -> chip program ops over integer and spike tensors, with
// every scale chosen once and recorded (docs/compiler.md, "Lowering"). The tile mapping and the ADC shifts are set by
// later passes (map.ts, adc.ts).
import { tileSpec, type ChipConfig } from './chip-config.js';
import { mseClip, quantile, smoothed, type TensorStats } from './calibrate.js';
import type { IrOp, LinearOp, ModelIR } from './ir.js';
import type { ChipProgram, CodingScheme, ProgOp, TensorInfo } from './program.js';
import { PROGRAM_FORMAT, PROGRAM_VERSION } from './program.js';
import { quantizeWeights } from './passes/quantize-weights.js';

export interface LowerOptions {
  scheme: CodingScheme;
  /** start each neuron's membrane at floor(theta/2): counts round instead of floor (expectation compensation) */
  compensate: boolean;
  /** signed outputs of linear ops (Q, K, V): signed neurons (counts truncate toward zero), or a pair of unsigned
   *  neurons per output (W and -W), whose counts round; twice the columns */
  signedOutputs: 'signed' | 'pair';
  /** GELU: unsigned (ReLU) neurons, a spike-domain approximation, or the digital activation unit */
  gelu: 'neuron' | 'digital';
  /** attention weights: the attention unit's exp-LUT softmax, or a digital float softmax (ablation) */
  softmax: 'approx' | 'exact';
  /** clipping ranges: minimum squared error among percentiles, or the largest value seen */
  clip: 'mse' | 'max';
  /** per-channel encoder thresholds migrating activation outliers into the weights (SmoothQuant's alpha; 0 = off) */
  smooth: number;
  /** encoders send each count front-loaded, K per step (fewer active row-steps for the crossbars; same counts) */
  burst: boolean;
}

export class CompileError extends Error {}

const LOG2E = Math.LOG2E;

export function lowerIr(ir: ModelIR, stats: Map<string, TensorStats>, chip: ChipConfig, o: LowerOptions): ChipProgram {
  const c = ir.config;
  const T = chip.T;
  const K = o.scheme === 'multilevel' ? chip.spikeLevels : 1;
  const stepLevels = o.scheme === 'ttfs' ? 1 : K;
  const countLevels = o.scheme === 'ttfs' ? T : K * T;
  const tensors: Record<string, TensorInfo> = {};
  const ops: ProgOp[] = [];
  const blobs = new Map<string, Int32Array>();
  const st = (name: string) => {
    const s = stats.get(name);
    if (!s) throw new CompileError(`no calibration statistics for tensor '${name}'`);
    return s;
  };
  const clipOf = (name: string, signed: boolean) => (o.clip === 'max' ? st(name).absMax : mseClip(st(name), countLevels, signed)) || 1e-6;
  const vMax = 2 ** (chip.neuronVWidth - 1) - 1;
  const tile = tileSpec(chip, 'signed');

  // the residual stream: one scale, the largest residual seen with 25% headroom
  const residuals = ir.ops.filter((x) => x.kind === 'residual' || x.kind === 'embedding').map((x) => x.out);
  const rMax = Math.max(...residuals.map((n) => st(n).absMax));
  const sR = (rMax * 1.25) / 2 ** (chip.residualBits - 1);
  const sN = 2 ** -chip.normFracBits;
  const rLim = 2 ** (chip.residualBits - 1) - 1;
  const toResidual = (x: Float32Array) => Int32Array.from(x, (v) => Math.max(-rLim, Math.min(rLim, Math.round(v / sR))));

  /** spikes for `name`: itself when it already is a spike tensor, else an encoder op (per-channel with smoothing). */
  const spikesOf = (name: string, signed: boolean, forMembrane: boolean): string => {
    const t = tensors[name]!;
    if (t.kind === 'spikes') return name;
    if (tensors[`${name}.s`]) return `${name}.s`;
    // only tensors with outlier channels (a channel maximum several times the median) are smoothed
    const sm = o.smooth > 0 && t.width > 1 && channelSpread(st(name)) >= 3 ? smoothed(st(name), o.smooth) : undefined;
    const sst = sm?.stats ?? st(name);
    const clip = (o.clip === 'max' ? sst.absMax : mseClip(sst, countLevels, signed)) || 1e-6;
    // an integrate-and-fire encoder sees its input on every step: T x / theta spikes, so one spike is worth theta / T;
    // TTFS sends round(x / theta) as a spike time, one spike worth theta
    const ttfs = o.scheme === 'ttfs';
    const theta = Math.max(1, Math.round(ttfs ? clip / T / t.scale : (clip * T) / countLevels / t.scale));
    const out = `${name}.s`;
    tensors[out] = { kind: 'spikes', width: t.width, scale: ttfs ? theta * t.scale : (theta * t.scale) / T, coding: { scheme: o.scheme, signed, levels: stepLevels }, of: name, ideal: { lo: signed ? -countLevels : 0, hi: countLevels } };
    const enc: ProgOp & { kind: 'encode' } = { kind: 'encode', name: `${name}.encode`, input: name, out, theta, compensate: o.compensate && o.scheme !== 'ttfs', burst: o.burst && forMembrane && o.scheme === 'multilevel' };
    if (sm) {
      const thetas = Int32Array.from(sm.r, (r) => Math.max(1, Math.round(theta * r)));
      blobs.set(`${name}.thetas`, thetas);
      enc.thetas = `${name}.thetas`;
      tensors[out]!.channelThetas = enc.thetas;
    }
    ops.push(enc);
    return out;
  };

  /** Channel c of a smoothed spike tensor is worth gain[c] spikes of the tensor's scale. */
  const gains = (spikes: string): Float64Array | undefined => {
    const t = tensors[spikes]!;
    if (!t.channelThetas) return undefined;
    const th = ops.find((x): x is ProgOp & { kind: 'encode' } => x.kind === 'encode' && x.out === spikes)!.theta;
    return Float64Array.from(blobs.get(t.channelThetas)!, (v) => v / th);
  };

  const absorbed = new Set<string>();
  const linOps = new Map<string, ProgOp & { kind: 'linear' }>();
  const linMeta = new Map<string, { sw: number; sx: number; b?: Float32Array; role: LinearOp['role'] }>();

  /** weights, bias and tiles of a linear op; `theta` decides the neuron threshold from the psum unit. */
  const linear = (op: LinearOp, input: string, out: string, readout: 'spikes' | 'membrane', kind: 'signed' | 'unsigned', theta: (unit: number) => number) => {
    // a smoothed input's channel gains move into the weight columns
    const g = gains(input);
    const w = g ? Float32Array.from(op.w, (x, k) => x * g[k % op.dIn]!) : op.w;
    const q = quantizeWeights(w, op.dIn, op.dOut, tile);
    const sx = tensors[input]!.scale;
    const unit = q.scale * sx;
    const th = readout === 'membrane' ? vMax : Math.max(1, Math.min(vMax, theta(unit)));
    const wName = `${op.name}.w`;
    blobs.set(wName, q.levels);
    const lop: ProgOp & { kind: 'linear' } = {
      kind: 'linear', name: op.name, input, out, dIn: op.dIn, dOut: op.dOut, weights: wName, weightScale: q.scale, readout, theta: th,
      tiles: { rowTiles: Math.ceil(op.dIn / chip.tile.rows), colTiles: Math.ceil(op.dOut / chip.tile.cols), kind, adcShift: [], firstTile: -1 },
    };
    lop.tiles.adcShift = new Array(lop.tiles.rowTiles * lop.tiles.colTiles).fill(0);
    ops.push(lop);
    linOps.set(op.name, lop);
    linMeta.set(op.name, { sw: q.scale, sx, b: op.b, role: op.role });
    setBias(lop);
    return { unit, theta: th };
  };
  const setBias = (lop: ProgOp & { kind: 'linear' }) => {
    const m = linMeta.get(lop.name)!;
    const unit = m.sw * m.sx;
    // compensation for unsigned (ReLU) neurons only: a signed neuron would round its positive counts but push its
    // negative counts one step toward zero (the bias cannot follow the sign of a sum not known yet); left alone it
    // truncates both toward zero, without bias
    // the bias enters every timestep (the tile's psum_in holds it for the token): b / T per step, and the
    // compensation of half a threshold spread the same way
    const comp = lop.readout === 'spikes' && lop.tiles.kind === 'unsigned' && o.compensate ? lop.theta / 2 : 0;
    if (!m.b && !comp) {
      delete lop.bias;
      return;
    }
    const b = Int32Array.from({ length: lop.dOut }, (_, i) => Math.round(((m.b ? m.b[i]! / unit : 0) + comp) / T));
    blobs.set(`${lop.name}.b`, b);
    lop.bias = `${lop.name}.b`;
  };

  for (const op of ir.ops) {
    switch (op.kind) {
      case 'embedding': {
        blobs.set('embed.tok', toResidual(op.tokEmb));
        if (op.posEmb) blobs.set('embed.pos', toResidual(op.posEmb));
        ops.push({ kind: 'embed', name: op.name, out: op.out, table: 'embed.tok', pos: op.posEmb ? 'embed.pos' : undefined, posOffset: op.posOffset });
        tensors[op.out] = { kind: 'int', width: op.d, scale: sR };
        break;
      }
      case 'norm': {
        ops.push({ kind: 'norm', name: op.name, input: op.input, out: op.out, norm: op.norm, eps: op.eps });
        tensors[op.out] = { kind: 'int', width: op.d, scale: sN };
        break;
      }
      case 'linear':
        lowerLinear(op);
        break;
      case 'rope': {
        ops.push({ kind: 'rope', name: op.name, input: op.input, out: op.out, headDim: op.headDim, fracBits: 14, invFreq: Array.from(op.invFreq) });
        tensors[op.out] = { ...tensors[op.input]! };
        break;
      }
      case 'attention': {
        // RoPE rotates pairs of counts: a rotated count reaches sqrt(2) times the largest count
        const hd = op.headDim;
        let scoreShift = 0;
        if (o.softmax === 'approx') scoreShift = fitScoreScale(op, hd);
        ops.push({ kind: 'attention', name: op.name, q: op.q, k: op.k, v: op.v, out: op.out, heads: op.heads, kvHeads: op.kvHeads, headDim: hd, scoreShift, softmax: o.softmax, inRange: op.q.endsWith('_rot') ? Math.ceil(countLevels * Math.SQRT2) : countLevels });
        tensors[op.out] = { kind: 'int', width: op.heads * hd, scale: tensors[op.v]!.scale };
        break;
      }
      case 'activation': {
        if (absorbed.has(op.name)) break;
        const inp = tensors[op.input]!;
        const outScale = (st(op.out).absMax || 1) / 32767;
        ops.push({ kind: 'activation', name: op.name, input: op.input, out: op.out, fn: op.fn, inScale: inp.scale, outScale, clamp: 2 ** 20 });
        tensors[op.out] = { kind: 'int', width: op.d, scale: outScale };
        break;
      }
      case 'mul': {
        const a = tensors[op.a]!;
        const b = tensors[op.b]!;
        const m = (st(op.out).absMax || 1) / (a.scale * b.scale);
        const shift = Math.max(0, Math.ceil(Math.log2(m + 1)) - 15);
        ops.push({ kind: 'mul', name: op.name, a: op.a, b: op.b, out: op.out, mult: 1, shift });
        tensors[op.out] = { kind: 'int', width: op.d, scale: a.scale * b.scale * 2 ** shift };
        break;
      }
      case 'residual': {
        const ratio = tensors[op.add]!.scale / sR;
        const shift = Math.max(0, Math.min(40, 14 - Math.floor(Math.log2(ratio))));
        ops.push({ kind: 'residual', name: op.name, input: op.input, add: op.add, out: op.out, mult: Math.round(ratio * 2 ** shift), shift });
        tensors[op.out] = { kind: 'int', width: op.d, scale: sR };
        break;
      }
    }
  }

  function lowerLinear(op: LinearOp): void {
    const signedIn = !(op.role === 'down' && tensors[op.input]?.coding?.signed === false);
    const act = ir.ops.find((a): a is IrOp & { kind: 'activation' } => a.kind === 'activation' && a.input === op.out);
    const neuronAct = act && !c.gated && (act.fn === 'relu' || ((act.fn === 'gelu' || act.fn === 'gelu_new') && o.gelu === 'neuron'));
    const neurons = op.role === 'q' || op.role === 'k' || op.role === 'v' || (op.role === 'up' && neuronAct && o.scheme !== 'ttfs');
    // a burst (front-loaded) input only feeds ops that read the membrane: a neuron's spikes depend on when its input
    // arrives (it cannot take back a spike fired on an early surplus), a membrane only on the sum
    const x = spikesOf(op.input, signedIn, !neurons);
    if (op.role === 'q' || op.role === 'k' || op.role === 'v') {
      const clip = clipOf(op.out, true);
      const spk = `${op.out}.s`;
      const pair = o.signedOutputs === 'pair';
      // pair: W and -W side by side on unsigned neurons, so each half rounds (with compensation) like a ReLU layer
      const src = pair ? pairedLinear(op) : op;
      const { unit, theta } = linear(src, x, spk, 'spikes', pair ? 'unsigned' : 'signed', (u) => Math.round(clip / countLevels / u));
      tensors[spk] = { kind: 'spikes', width: src.dOut, scale: theta * unit, coding: { scheme: o.scheme, signed: !pair, levels: stepLevels } };
      ops.push({ kind: 'count', name: `${op.name}.count`, input: spk, out: op.out, pair });
      tensors[op.out] = { kind: 'int', width: op.dOut, scale: theta * unit, of: op.out, ideal: { lo: -countLevels, hi: countLevels } };
      return;
    }
    if (op.role === 'up' && act && neurons) {
      // ReLU comes free: unsigned neurons do not fire on a negative membrane; their spikes feed the down projection
      const clip = o.clip === 'max' ? st(act.out).absMax : mseClip(st(act.out), countLevels, false);
      const { unit, theta } = linear(op, x, act.out, 'spikes', 'unsigned', (u) => Math.round((clip || 1e-6) / countLevels / u));
      tensors[act.out] = { kind: 'spikes', width: op.dOut, scale: theta * unit, coding: { scheme: o.scheme, signed: false, levels: stepLevels }, of: act.out, ideal: { lo: 0, hi: countLevels } };
      absorbed.add(act.name);
      return;
    }
    const { unit } = linear(op, x, op.out, 'membrane', 'signed', () => vMax);
    tensors[op.out] = { kind: 'int', width: op.dOut, scale: unit };
    const headroom = (st(op.out).absMax * 1.5) / unit;
    if (headroom > vMax) throw new CompileError(`${op.name}: its sums reach ${headroom.toFixed(0)} psum units, beyond the neurons' ${chip.neuronVWidth}-bit membrane; widen neuronVWidth`);
    if (op.role === 'head') {
      ops.push({ kind: 'logits', name: 'logits', input: op.out, out: `${op.out}.out` });
      tensors[`${op.out}.out`] = { kind: 'int', width: op.dOut, scale: unit };
    }
  }

  /**
   * The attention unit scores in units of 2^-f of log2 with a right shift only, so s_q s_k log2(e) / sqrt(hd) 2^f must
   * be a power of two (2^-shift): the query neurons' threshold is chosen to make it so, as close as it can to the
   * calibrated range (the threshold is an integer of hundreds, so the power of two is met to a fraction of a percent).
   */
  function fitScoreScale(op: IrOp & { kind: 'attention' }, hd: number): number {
    const f = chip.attention.expLutBits;
    const c = (tensors[op.k]!.scale * LOG2E * 2 ** f) / Math.sqrt(hd);
    const qName = op.q.endsWith('_rot') ? op.q.slice(0, -4) : op.q;
    const lin = linOps.get(`L${op.layer}.q`)!;
    const shift = Math.max(0, Math.round(-Math.log2(tensors[op.q]!.scale * c)));
    const meta = linMeta.get(lin.name)!;
    const unit = meta.sw * meta.sx;
    lin.theta = Math.max(1, Math.min(vMax, Math.round(2 ** -shift / c / unit)));
    setBias(lin);
    for (const t of [`${qName}.s`, qName, op.q]) tensors[t] = { ...tensors[t]!, scale: lin.theta * unit };
    return shift;
  }

  const logitsOp = ops.find((x) => x.kind === 'logits')!;
  return {
    format: PROGRAM_FORMAT,
    version: PROGRAM_VERSION,
    chip,
    model: { source: ir.source, family: c.family, vocabSize: c.vocabSize, dModel: c.dModel, nLayers: c.nLayers, maxSeq: c.maxSeq },
    options: { ...o, T, levels: K },
    tensors,
    ops,
    logits: logitsOp.out,
    summary: { tiles: { signed: 0, unsigned: 0 }, tileCapacity: { ...chip.tiles }, utilization: 0, weightStreaming: false, cyclesPerToken: 0, notes: [] },
    blobs,
  };
}

/** Largest channel maximum over the median channel maximum. */
function channelSpread(st: TensorStats): number {
  const cm = Float32Array.from(st.channelAbsMax ?? [1]).sort();
  const med = cm[Math.floor(cm.length / 2)]!;
  return med > 0 ? cm[cm.length - 1]! / med : 1;
}

/** The op with its outputs doubled: [W; -W], [b; -b]. */
function pairedLinear(op: LinearOp): LinearOp {
  const w = new Float32Array(2 * op.w.length);
  w.set(op.w);
  for (let i = 0; i < op.w.length; i++) w[op.w.length + i] = -op.w[i]!;
  let b: Float32Array | undefined;
  if (op.b) {
    b = new Float32Array(2 * op.dOut);
    b.set(op.b);
    for (let i = 0; i < op.dOut; i++) b[op.dOut + i] = -op.b[i]!;
  }
  return { ...op, w, b, dOut: 2 * op.dOut };
}

/** Largest magnitude of the counts a spike tensor's coding can give in one token. */
export function countRange(scheme: CodingScheme, T: number, K: number): number {
  return scheme === 'ttfs' ? T : K * T;
}

export { quantile };
