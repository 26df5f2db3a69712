// Co-simulation driver for the attention unit: operations (configuration writes, tokens, idle cycles, resets) are
// turned into per-cycle port vectors by a planner that holds each operation on the ports until the golden cycle model
// says the unit takes it; the vectors then run through the RTL (Verilator) and a fresh golden cycle model, and every
// output is compared on every cycle.
import { attentionUnit, type AttentionParams } from '../dsl/attention.js';
import { AttentionCycleModel, packSigned, type AttentionPortsIn } from '../src/golden/attention-cycle.js';
import type { Scoreboard } from '../src/harness/assert.js';
import { lockstep } from '../src/harness/lockstep.js';
import { Dut } from '../src/harness/cocotb.js';
import { elaborate } from '../src/hdl/index.js';
import { ATT_REG, attentionMap, dotWidth, thetaWidth } from '../src/spec/attention.js';
import { Rng } from '../src/util/random.js';

export { ATT_SETS } from './attention_sets.js';

export type AttOp =
  | { kind: 'write'; addr: number; data: bigint }
  | { kind: 'token'; q: number[]; k: number[]; v: number[]; seqStart?: boolean }
  | { kind: 'idle'; cycles: number }
  | { kind: 'reset' };

export const writeReg = (reg: keyof typeof ATT_REG, data: number | bigint): AttOp => ({ kind: 'write', addr: ATT_REG[reg], data: BigInt(data) });

/** A vector of `n` signed `bits`-bit values: `mode` picks uniform, small, the extremes, or constant `fill`. */
export function randomVector(rng: Rng, n: number, bits: number, mode: 'uniform' | 'small' | 'extreme' = 'uniform'): number[] {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  return Array.from({ length: n }, () => {
    if (mode === 'extreme') return rng.chance(0.5) ? lo : hi;
    if (mode === 'small') return rng.int(-2, 2);
    return rng.int(lo, hi);
  });
}

/** A random token: q, k, v drawn with one of the modes each (so scores reach both the saturation and the exp cutoff). */
export function randomToken(p: AttentionParams, rng: Rng, seqStart = false): AttOp & { kind: 'token' } {
  const mode = () => (['uniform', 'uniform', 'small', 'extreme'] as const)[rng.int(0, 3)]!;
  return {
    kind: 'token',
    q: randomVector(rng, p.qHeads * p.headSize, p.qBits, mode()),
    k: randomVector(rng, p.kvHeads * p.headSize, p.kBits, mode()),
    v: randomVector(rng, p.kvHeads * p.headSize, p.vBits, mode()),
    seqStart,
  };
}

/** A scoreShift that puts typical |q.k| near the score range, give or take a few bits (some saturate, some lose detail). */
export function randomShift(p: AttentionParams, rng: Rng): number {
  const dw = dotWidth(p);
  if (rng.chance(0.05)) return rng.chance(0.5) ? 0 : dw;
  const centre = Math.max(0, dw - p.scoreBits - 2);
  return Math.max(0, Math.min(dw, centre + rng.int(-3, 3)));
}

/** Random operations: registers (now and then refused writes), tokens in sequences of varied length, idle gaps, resets. */
export function randomOps(p: AttentionParams, rng: Rng, tokens: number): AttOp[] {
  const map = attentionMap(p);
  const ops: AttOp[] = [{ kind: 'reset' }];
  const configure = () => {
    ops.push(writeReg('scoreShift', randomShift(p, rng)));
    // thresholds around the outputs' range so the encoder fires at several levels, sometimes 0 (fires K every step)
    const thMax = 2 ** thetaWidth(p) - 1;
    ops.push(writeReg('theta', rng.chance(0.05) ? 0 : rng.chance(0.05) ? thMax : rng.int(1, Math.min(thMax, 2 ** (p.outBits - 1)))));
    ops.push(writeReg('steps', rng.int(1, p.maxSteps)));
  };
  configure();
  // sequences: mostly shorter than the cache, sometimes long enough to fill it, slide, or exhaust the positions
  let seqStartChance = 0.1;
  for (let n = 0; n < tokens; n++) {
    const r = rng.next();
    if (r < 0.02) configure();
    else if (r < 0.025) ops.push(writeReg('clearCounters', 0));
    else if (r < 0.035) {
      const bad = rng.int(0, 3);
      if (bad === 0) ops.push({ kind: 'write', addr: rng.int(4, 7), data: 1n });
      else if (bad === 1) ops.push(writeReg('scoreShift', 1n << BigInt(map.registerBits.scoreShift)));
      else if (bad === 2) ops.push(writeReg('steps', 0));
      else ops.push(writeReg('steps', p.maxSteps + 1 < 2 ** map.dataBits ? p.maxSteps + 1 : 0));
    } else if (r < 0.05) ops.push({ kind: 'idle', cycles: rng.int(1, 5) });
    else if (r < 0.052) ops.push({ kind: 'reset' }, ...(rng.chance(0.5) ? [writeReg('steps', rng.int(1, p.maxSteps))] : []));
    else {
      if (rng.chance(0.05)) seqStartChance = [0.3, 0.15, 0.05, 0.01][rng.int(0, 3)]!;
      ops.push(randomToken(p, rng, rng.chance(seqStartChance)));
    }
  }
  return ops;
}

export type Vector = Record<string, number | bigint>;

/** Random operations and their vectors, at least `cycles` long (planned a few times, growing the op list by estimate). */
export function randomRun(p: AttentionParams, rng: Rng, cycles: number, junk?: Rng): { ops: AttOp[]; vectors: Vector[] } {
  let ops = randomOps(p, rng, 200);
  let vectors = planVectors(p, ops, junk);
  while (vectors.length < cycles) {
    const perOp = vectors.length / ops.length;
    ops = ops.concat(randomOps(p, rng, Math.ceil((1.1 * (cycles - vectors.length)) / perOp) + 20));
    vectors = planVectors(p, ops, junk && new Rng(junk.seed));
  }
  return { ops, vectors };
}

/** A port vector as the golden cycle model takes it. */
export const toPorts = (v: Vector): AttentionPortsIn => ({
  rst: Number(v.rst),
  cfg_we: Number(v.cfg_we),
  cfg_addr: Number(v.cfg_addr),
  cfg_data: BigInt(v.cfg_data!),
  in_valid: Number(v.in_valid),
  in_seq_start: Number(v.in_seq_start),
  in_q: BigInt(v.in_q!),
  in_k: BigInt(v.in_k!),
  in_v: BigInt(v.in_v!),
});

/** Per-cycle port vectors that perform `ops` in order, each held until the golden model takes it. `junk`: random
 *  `rng`: random data on the token and configuration inputs of idle cycles (they must be ignored). */
export function planVectors(p: AttentionParams, ops: readonly AttOp[], rng?: Rng): Vector[] {
  const model = new AttentionCycleModel(p);
  const out: Vector[] = [];
  const quiet = (): Vector => ({
    rst: 0,
    cfg_we: 0,
    cfg_addr: rng ? rng.int(0, 7) : 0,
    cfg_data: 0n,
    in_valid: 0,
    in_seq_start: rng ? rng.int(0, 1) : 0,
    in_q: rng ? packSigned(randomVector(rng, p.qHeads * p.headSize, p.qBits), p.qBits) : 0n,
    in_k: 0n,
    in_v: 0n,
  });
  const push = (v: Vector) => {
    out.push(v);
    model.edge(toPorts(v));
  };
  for (const op of ops) {
    if (op.kind === 'reset') {
      push({ ...quiet(), rst: 1 });
      continue;
    }
    if (op.kind === 'idle') {
      for (let i = 0; i < op.cycles; i++) push(quiet());
      continue;
    }
    const v: Vector =
      op.kind === 'write'
        ? { ...quiet(), cfg_we: 1, cfg_addr: op.addr, cfg_data: op.data }
        : { ...quiet(), in_valid: 1, in_seq_start: op.seqStart ? 1 : 0, in_q: packSigned(op.q, p.qBits), in_k: packSigned(op.k, p.kBits), in_v: packSigned(op.v, p.vBits) };
    for (let guard = 0; ; guard++) {
      if (guard > 1_000_000) throw new Error('the attention unit never became ready');
      const taken = model.ready;
      push(v);
      if (taken) break;
    }
  }
  // let the last token finish (ready again in the cycle that shows its last output), then a few quiet cycles
  while (!model.ready) push(quiet());
  for (let i = 0; i < 4; i++) push(quiet());
  return out;
}

export interface CosimResult {
  scoreboard: Scoreboard;
  cycles: number;
  /** tokens processed and refused, output words seen */
  tokens: number;
  refused: number;
  outputs: number;
  simMs: number;
  goldenMs: number;
}

/** Runs the vectors through RTL and a fresh golden model, comparing every output on every cycle after the first reset. */
export async function cosimAttention(dut: Dut, p: AttentionParams, vectors: Vector[], name: string, chunk = 20_000): Promise<CosimResult> {
  const model = new AttentionCycleModel(p);
  let outputs = 0;
  const r = await lockstep(dut, vectors, name, model, toPorts, { chunk, onCycle: (e) => void (e.out_valid && outputs++) });
  return { ...r, tokens: model.tokensSeen, refused: model.refusedSeen, outputs };
}

export async function startAttention(p: AttentionParams): Promise<Dut> {
  return Dut.start(elaborate(() => attentionUnit(p)));
}
