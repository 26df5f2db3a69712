// The spiking-attention unit's definition (docs/attention.md), shared by the RTL generator (dsl/attention.ts), the
// golden models (src/golden/attention.ts, attention-cycle.ts), the functional model (src/functional/attention.ts)
// and the compiler: parameters and ranges, derived widths, the integer rules of one token (score, exp LUT, weight,
// reciprocal, normalization), the configuration map, the counters and the cycle schedule. Each model implements
// the datapath itself; the rules that are formulas live here once.
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import type { SrcLoc } from '../hdl/srcloc.js';
import { bitsFor, log2ceil } from '../hdl/types.js';
import { requireChoice, requireRange } from '../params/define.js';
import type { NeuronSpec } from './lif.js';

export type ContextPolicy = 'error' | 'sliding';

export interface AttentionSpec {
  /** N: KV cache depth (positions) per KV head */
  context: number;
  /** Hq: query heads */
  qHeads: number;
  /** Hkv: KV heads; Hq is a multiple of Hkv (grouped-query attention) */
  kvHeads: number;
  /** D: head size */
  headSize: number;
  /** P: dot-product lanes, elements of q.k (and of the weighted V sum, and of the outputs) per cycle; divides D */
  lanes: number;
  /** signed widths of the q, k, v inputs (spike counts of the projections over a token's T steps) */
  qBits: number;
  kBits: number;
  vBits: number;
  /** width of a score s = clamp(floor(q.k / 2^scoreShift)) (signed) */
  scoreBits: number;
  /** f: log2 of the exp LUT's entries; scores are in units of 2^-f of log2 */
  expLutBits: number;
  /** F: fractional bits of a softmax weight (the max position weighs 2^F) */
  expFracBits: number;
  /** R: reciprocal precision, r = floor(2^R / den) */
  recipBits: number;
  /** O: signed width of a normalized output o (the encoder's input current) */
  outBits: number;
  /** membrane width of the output encoder's neurons (docs/lif.md vWidth) */
  encVBits: number;
  /** K: largest spike magnitude of the encoder (graded-signed spikes -K..K) */
  spikeLevels: number;
  /** largest T the `steps` register accepts */
  maxSteps: number;
  /** tokens of one sequence are at positions 0..2^positionBits - 1 */
  positionBits: number;
  counterBits: number;
  policy: ContextPolicy;
}

export const ATTENTION_LIMITS = {
  context: [1, 4096],
  qHeads: [1, 64],
  kvHeads: [1, 64],
  headSize: [1, 256],
  lanes: [1, 256],
  qBits: [2, 16],
  kBits: [2, 16],
  vBits: [2, 16],
  scoreBits: [2, 40],
  expLutBits: [0, 6],
  expFracBits: [1, 16],
  recipBits: [1, 48],
  outBits: [2, 16],
  encVBits: [4, 32],
  spikeLevels: [1, 15],
  maxSteps: [1, 255],
  positionBits: [1, 32],
  counterBits: [8, 48],
} as const;

export const ATTENTION_DOC: Record<keyof typeof ATTENTION_LIMITS | 'policy', string> = {
  context: 'N, KV cache positions per KV head',
  qHeads: 'Hq, query heads',
  kvHeads: 'Hkv, KV heads; Hq a multiple of Hkv (query head h uses KV head floor(h / (Hq/Hkv)))',
  headSize: 'D, head size',
  lanes: 'P, lanes: elements of q.k, of the weighted V sum and of the outputs per cycle; divides D',
  qBits: 'signed width of q (spike counts of the Q projection over T steps)',
  kBits: 'signed width of k',
  vBits: 'signed width of v',
  scoreBits: 'S, signed score width (scores saturate); at most the dot product width',
  expLutBits: 'f, exp LUT of 2^f entries; scores in units of 2^-f of log2 (f = 0: power-of-two softmax)',
  expFracBits: 'F, fractional bits of a softmax weight (weights 0..2^F)',
  recipBits: 'R, reciprocal precision r = floor(2^R / den); at least F',
  outBits: 'O, signed width of a normalized output; at most vBits',
  encVBits: 'membrane width of the output encoder (LIF vWidth); at least O + 1',
  spikeLevels: 'K, encoder spikes are graded-signed -K..K',
  maxSteps: 'largest T the steps register takes (timesteps per token)',
  positionBits: 'positions 0..2^positionBits - 1 per sequence; 2^positionBits >= N',
  counterBits: 'event counter width (counters wrap modulo 2^counterBits)',
  policy: "context policy: 'error' (a token beyond N positions is refused) or 'sliding' (ring buffer of the last N)",
};

/**
 * Checks every parameter; all problems are reported at once, each at the parameter's own location when `locs` has it
 * and at `loc` (the caller of the generator or model) otherwise.
 */
export function checkAttentionSpec(p: AttentionSpec, loc: SrcLoc | undefined, who = 'attentionUnit', locs: Record<string, SrcLoc | undefined> = {}): void {
  const at = (name: string) => locs[name] ?? loc;
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(ATTENTION_LIMITS)) requireRange(who, k, p[k as keyof typeof ATTENTION_LIMITS], lo, hi, at(k));
    requireChoice(who, 'policy', p.policy, ['error', 'sliding'], at('policy'));
  });
  // rules between parameters, checked once every parameter is in range
  validateAll(() => {
    const bad = (name: string, msg: string) => report(makeDiagnostic('PARAM_RANGE', `${who}: ${msg}`, at(name)));
    if (p.qHeads % p.kvHeads !== 0) bad('qHeads', `qHeads = ${p.qHeads} must be a multiple of kvHeads = ${p.kvHeads} (grouped-query attention)`);
    if (p.headSize % p.lanes !== 0) bad('lanes', `lanes = ${p.lanes} must divide headSize = ${p.headSize}`);
    const dw = dotWidth(p);
    if (p.scoreBits > dw) bad('scoreBits', `scoreBits = ${p.scoreBits} is wider than the dot product (${dw} bits for D = ${p.headSize}, qBits ${p.qBits}, kBits ${p.kBits}); allowed: 2..${dw}`);
    if (p.scoreBits <= p.expLutBits) bad('scoreBits', `scoreBits = ${p.scoreBits} must exceed expLutBits = ${p.expLutBits}; allowed: ${p.expLutBits + 1}..${dw}`);
    if (p.recipBits < p.expFracBits) bad('recipBits', `recipBits = ${p.recipBits} must be at least expFracBits = ${p.expFracBits} (den >= 2^F); allowed: ${p.expFracBits}..${ATTENTION_LIMITS.recipBits[1]}`);
    if (p.outBits > p.vBits) bad('outBits', `outBits = ${p.outBits} is wider than any output (|o| <= 2^(vBits-1)); allowed: 2..${p.vBits}`);
    if (p.encVBits < p.outBits + 1) bad('encVBits', `encVBits = ${p.encVBits} cannot integrate an ${p.outBits}-bit input; allowed: ${p.outBits + 1}..${ATTENTION_LIMITS.encVBits[1]}`);
    if (p.qHeads * p.headSize > 1024) bad('headSize', `qHeads x headSize = ${p.qHeads * p.headSize} exceeds the encoder's 1024 neurons (docs/lif.md); allowed: headSize 1..${Math.floor(1024 / p.qHeads)} with qHeads = ${p.qHeads}`);
    if (2 ** p.positionBits < p.context) bad('positionBits', `positionBits = ${p.positionBits} cannot number the ${p.context} cached positions; allowed: ${log2ceil(p.context)}..${ATTENTION_LIMITS.positionBits[1]}`);
  });
}

// ---- derived widths ----

/** C: chunks of P elements per head vector. */
export const chunks = (p: AttentionSpec) => p.headSize / p.lanes;
/** Query heads per KV head. */
export const groupSize = (p: AttentionSpec) => p.qHeads / p.kvHeads;
/** The KV head query head h reads. */
export const kvHeadOf = (p: AttentionSpec, h: number) => Math.floor(h / groupSize(p));
/** Signed width of an exact q.k: |q.k| <= D * 2^(qBits-1) * 2^(kBits-1). */
export const dotWidth = (p: Pick<AttentionSpec, 'headSize' | 'qBits' | 'kBits'>) => bitsFor(p.headSize * 2 ** (p.qBits + p.kBits - 2)) + 1;
/** Width of the scoreShift register: shifts 0..dotWidth. */
export const shiftWidth = (p: AttentionSpec) => bitsFor(dotWidth(p));
export const scoreMin = (p: Pick<AttentionSpec, 'scoreBits'>) => -(2 ** (p.scoreBits - 1));
export const scoreMax = (p: Pick<AttentionSpec, 'scoreBits'>) => 2 ** (p.scoreBits - 1) - 1;
/** Bits of a weight e in 0..2^F. */
export const weightWidth = (p: Pick<AttentionSpec, 'expFracBits'>) => p.expFracBits + 1;
/** Width of den = sum of e over at most N positions, den <= N * 2^F. */
export const denWidth = (p: AttentionSpec) => bitsFor(p.context * 2 ** p.expFracBits);
/** Signed width of acc_d = sum of e * v: |acc| <= N * 2^F * 2^(vBits-1). */
export const accWidth = (p: AttentionSpec) => bitsFor(p.context * 2 ** (p.expFracBits + p.vBits - 1)) + 1;
/** Width of the reciprocal r = floor(2^R / den) <= 2^(R-F). */
export const recipWidth = (p: AttentionSpec) => p.recipBits - p.expFracBits + 1;
/** Cycles of the sequential divider: one quotient bit each. */
export const divideCycles = (p: AttentionSpec) => recipWidth(p);
export const outMin = (p: Pick<AttentionSpec, 'outBits'>) => -(2 ** (p.outBits - 1));
export const outMax = (p: Pick<AttentionSpec, 'outBits'>) => 2 ** (p.outBits - 1) - 1;
/** Width of the `steps` register (T in 1..maxSteps). */
export const stepsWidth = (p: AttentionSpec) => bitsFor(p.maxSteps);
/** Width of the cached-positions count 0..N. */
export const lenWidth = (p: AttentionSpec) => bitsFor(p.context);
/** Words of one K (or V) memory: [(g * N + slot) * C + chunk], P elements each. */
export const kvWords = (p: AttentionSpec) => p.kvHeads * p.context * chunks(p);
/** Output words (encoder neuron groups): [h * C + chunk], P elements each. */
export const outWords = (p: AttentionSpec) => p.qHeads * chunks(p);

/** The encoder's neurons (docs/lif.md): leak none, soft reset, graded-signed spikes, input current O bits. */
export function encoderSpec(p: AttentionSpec): NeuronSpec {
  return { vWidth: p.encVBits, iWidth: p.outBits, leak: 'none', reset: 'subtract', refractory: 0, spikes: 'graded-signed', levels: p.spikeLevels };
}
export const thetaWidth = (p: AttentionSpec) => p.encVBits - 1;
/** Signed width of one encoder spike (-K..K). */
export const spikeWidth = (p: Pick<AttentionSpec, 'spikeLevels'>) => bitsFor(p.spikeLevels) + 1;

// ---- the integer rules of one token ----

/**
 * The exp LUT: LUT[i] = round(2^F * 2^(-i / 2^f)) for i = 0..2^f - 1, rounded half up, i.e. the integer L with
 * L - 1/2 <= x < L + 1/2. Computed in floating point and then checked exactly with integers (x is irrational
 * for i > 0, so it is never a tie): (2L - 1)^(2^f) <= 2^((F+1) 2^f - i) < (2L + 1)^(2^f).
 */
export function expLut(f: number, F: number): number[] {
  const n = 2 ** f;
  return Array.from({ length: n }, (_, i) => {
    let L = Math.floor(2 ** (F - i / n) + 0.5);
    const target = 1n << BigInt((F + 1) * n - i);
    const pow = (b: number) => BigInt(b) ** BigInt(n);
    while (pow(2 * L - 1) > target) L--;
    while (pow(2 * L + 1) <= target) L++;
    return L;
  });
}

/** Distances d = m - s from which every weight is 0: (F + 1) * 2^f (the shift passes F). */
export const expCutoff = (f: number, F: number) => (F + 1) * 2 ** f;

/** e = LUT[d mod 2^f] >> floor(d / 2^f), 0 once the shift exceeds F; d >= 0. */
export function expWeight(d: number, lut: readonly number[], f: number, F: number): number {
  const sh = Math.floor(d / 2 ** f);
  return sh > F ? 0 : Math.floor(lut[d % 2 ** f]! / 2 ** sh);
}

/** s = clamp(floor(dot / 2^shift)) to S signed bits (an arithmetic right shift, rounding toward -infinity). */
export function scoreOf(dot: number, shift: number, p: Pick<AttentionSpec, 'scoreBits'>): { s: number; saturated: boolean } {
  const t = Math.floor(dot / 2 ** shift);
  const s = Math.min(scoreMax(p), Math.max(scoreMin(p), t));
  return { s, saturated: s !== t };
}

/** r = floor(2^R / den) for den >= 2^F (what the sequential divider computes). */
export function reciprocal(den: number, p: Pick<AttentionSpec, 'recipBits'>): number {
  return Number((1n << BigInt(p.recipBits)) / BigInt(den));
}

/** o = clamp(floor((acc * r + 2^(R-1)) / 2^R)) to O signed bits: acc / den rounded half up, through r. */
export function normalize(acc: number, r: number, p: Pick<AttentionSpec, 'recipBits' | 'outBits'>): number {
  const R = BigInt(p.recipBits);
  const t = (BigInt(acc) * BigInt(r) + (1n << (R - 1n))) >> R;
  const o = Number(t);
  return Math.min(outMax(p), Math.max(outMin(p), o));
}

/**
 * Worst case of |o - acc/den| before clamping: 1/2 from rounding plus |acc| (2^R/den - r) / 2^R < |acc| / 2^R,
 * and |acc| <= den * 2^(vBits-1) <= N * 2^F * 2^(vBits-1). Below 1 (o is floor or ceil of acc/den) when
 * R >= F + log2(N) + vBits.
 */
export function normalizeErrorBound(p: AttentionSpec): number {
  return 0.5 + (p.context * 2 ** (p.expFracBits + p.vBits - 1)) / 2 ** p.recipBits;
}

// ---- configuration ----

/** cfg_addr values: registers 0..3; 4..7 are unmapped (a write there is refused). */
export const ATT_REG = { scoreShift: 0, theta: 1, steps: 2, clearCounters: 3 } as const;
export const CFG_ADDR_BITS = 3;

export const ATT_REG_DOC: Record<keyof typeof ATT_REG, string> = {
  scoreShift: 'score shift: bitsFor(dot width) bits; reset 0',
  theta: 'encoder threshold: encVBits - 1 bits; reset 0',
  steps: 'T: 1..maxSteps (0 or more than maxSteps is refused); reset 1',
  clearCounters: 'zeroes every counter, cfg_error and ctx_error (data ignored)',
};

export interface AttentionMap {
  dataBits: number;
  registerBits: { scoreShift: number; theta: number; steps: number };
}

export function attentionMap(p: AttentionSpec): AttentionMap {
  const registerBits = { scoreShift: shiftWidth(p), theta: thetaWidth(p), steps: stepsWidth(p) };
  return { dataBits: Math.max(registerBits.scoreShift, registerBits.theta, registerBits.steps), registerBits };
}

/** Why a configuration write is refused, or undefined when it is performed. */
export function refusedWrite(p: AttentionSpec, addr: number, data: bigint): string | undefined {
  const m = attentionMap(p);
  const fits = (w: number) => data >> BigInt(w) === 0n;
  if (addr === ATT_REG.scoreShift) return fits(m.registerBits.scoreShift) ? undefined : 'scoreShift wider than its register';
  if (addr === ATT_REG.theta) return fits(m.registerBits.theta) ? undefined : 'theta wider than its register';
  if (addr === ATT_REG.steps) return fits(m.registerBits.steps) && data >= 1n && data <= BigInt(p.maxSteps) ? undefined : `steps outside 1..${p.maxSteps}`;
  if (addr === ATT_REG.clearCounters) return undefined;
  return `address ${addr} is not mapped`;
}

/** Register values after reset. */
export const ATT_RESET = { scoreShift: 0, theta: 0, steps: 1 } as const;

// ---- counters ----

export const ATT_COUNTERS = [
  'tokens',
  'refused_tokens',
  'kv_writes',
  'kv_write_bits',
  'kv_reads',
  'kv_read_bits',
  'score_macs',
  'scores_saturated',
  'score_buffer_accesses',
  'exp_evals',
  'value_macs',
  'divisions',
  'encoder_updates',
  'spikes_out',
] as const;
export type AttentionCounter = (typeof ATT_COUNTERS)[number];

export const ATT_COUNTER_DOC: Record<AttentionCounter, string> = {
  tokens: 'tokens accepted and processed',
  refused_tokens: "tokens refused: cache full under 'error', or positions exhausted (nothing written)",
  kv_writes: 'KV SRAM words written: 2 x Hkv x C per token (a K and a V word per chunk)',
  kv_write_bits: 'KV SRAM bits written: Hkv x D x (kBits + vBits) per token',
  kv_reads: 'KV SRAM words read: 2 x Hq x n x C per token (K in pass 1, V in pass 2; n = cached positions)',
  kv_read_bits: 'KV SRAM bits read: Hq x n x D x (kBits + vBits) per token',
  score_macs: 'q.k multiply-accumulates: Hq x n x D per token',
  scores_saturated: 'scores that left the S-bit range (clamped)',
  score_buffer_accesses: 'score buffer accesses: 2 x Hq x n per token (a write in pass 1, a read in pass 2)',
  exp_evals: 'exp LUT evaluations: Hq x n per token',
  value_macs: 'e x v multiply-accumulates: Hq x n x D per token',
  divisions: 'reciprocals computed by the divider: Hq per token',
  encoder_updates: 'encoder neuron updates: Hq x D x T per token',
  spikes_out: 'encoder outputs with a nonzero spike',
};

/** The counters a processed token moves at its accepting edge (all but scores_saturated and spikes_out). */
export function tokenEvents(p: AttentionSpec, n: number, T: number): Record<AttentionCounter, number> {
  const C = chunks(p);
  const D = p.headSize;
  return {
    tokens: 1,
    refused_tokens: 0,
    kv_writes: 2 * p.kvHeads * C,
    kv_write_bits: p.kvHeads * D * (p.kBits + p.vBits),
    kv_reads: 2 * p.qHeads * n * C,
    kv_read_bits: p.qHeads * n * D * (p.kBits + p.vBits),
    score_macs: p.qHeads * n * D,
    scores_saturated: 0,
    score_buffer_accesses: 2 * p.qHeads * n,
    exp_evals: p.qHeads * n,
    value_macs: p.qHeads * n * D,
    divisions: p.qHeads,
    encoder_updates: p.qHeads * D * T,
    spikes_out: 0,
  };
}

// ---- cycle schedule (cycle 0 = the cycle after the accepting edge) ----

export interface TokenSchedule {
  /** APPEND: cycles 0..append-1 */
  append: number;
  /** cycles per query head: pass 1 (n*C + 1), pass 2 (n*C + 1), divide (R - F + 1), normalize (C) */
  head: number;
  /** first cycle of the encoder's issue phase */
  encode: number;
  /** encoder issues: T x Hq x C */
  issues: number;
  /** the cycle in which ready is 1 again (it shows the last output) */
  ready: number;
}

export function tokenSchedule(p: AttentionSpec, n: number, T: number): TokenSchedule {
  const C = chunks(p);
  const append = p.kvHeads * C;
  const head = 2 * (n * C + 1) + divideCycles(p) + C;
  const encode = append + p.qHeads * head;
  const issues = T * p.qHeads * C;
  return { append, head, encode, issues, ready: encode + issues + 2 };
}

/** The cycle whose ending edge writes score j of head h (and counts it when saturated). */
export const scoreCycle = (p: AttentionSpec, s: TokenSchedule, h: number, j: number) => s.append + h * s.head + (j + 1) * chunks(p);
/** Output i = (t * Hq + h) * C + c is on the ports in this cycle (issued 3 cycles before). */
export const outputCycle = (s: TokenSchedule, i: number) => s.encode + i + 3;
