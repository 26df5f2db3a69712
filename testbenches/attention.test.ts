// Attention unit: RTL co-simulated against the golden cycle model (docs/attention.md), every output on every cycle,
// over random and directed stimulus and several parameter sets; the directed cases also check the spec's values.
import { describe, expect, it } from 'vitest';
import type { AttentionParams } from '../dsl/attention.js';
import { AttentionUnit, type TokenResult } from '../src/golden/attention.js';
import { unpackSigned } from '../src/golden/attention-cycle.js';
import { attentionMap, chunks, kvHeadOf, outMax, outMin, outputCycle, outWords, scoreMax, spikeWidth, tokenSchedule } from '../src/spec/attention.js';
import { Rng, testSeed } from '../src/util/random.js';
import { ATT_SETS, cosimAttention, planVectors, randomRun, randomToken, randomVector, startAttention, writeReg, type AttOp, type Vector } from './attention_cosim.js';
import { dutPool } from './dut-pool.js';

const CYCLES = Number(process.env.ATT_CYCLES ?? 100_000);
const dutFor = dutPool(ATT_SETS, startAttention);

describe.each(Object.keys(ATT_SETS))('attention unit %s', (name) => {
  const p = ATT_SETS[name]!;
  it(`matches the golden model over at least ${CYCLES} random cycles`, async () => {
    const seed = testSeed(0xa77e + name.length * 977);
    console.log(`attention ${name}: seed ${seed} (replay with SEED=${seed})`);
    const rng = new Rng(seed);
    const { vectors } = randomRun(p, rng, CYCLES, new Rng(seed + 1));
    const r = await cosimAttention(await dutFor(name), p, vectors, `attention ${name} seed ${seed}`);
    console.log(`${r.scoreboard.report()}; ${r.tokens} tokens, ${r.refused} refused, ${r.outputs} output words, sim ${r.simMs.toFixed(0)} ms, golden ${r.goldenMs.toFixed(0)} ms`);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    expect(r.cycles).toBeGreaterThanOrEqual(CYCLES);
    expect(r.tokens).toBeGreaterThan(CYCLES / 1000);
    expect(r.outputs).toBeGreaterThan(r.tokens);
  });
});

/** The token model's results for `ops` (the arithmetic the co-simulation proved the RTL to follow). */
function replay(p: AttentionParams, ops: AttOp[]): TokenResult[] {
  const u = new AttentionUnit(p);
  const out: TokenResult[] = [];
  for (const op of ops) {
    if (op.kind === 'reset') u.reset();
    else if (op.kind === 'write') u.write(op.addr, op.data);
    else if (op.kind === 'token') out.push(u.token(op));
  }
  return out;
}

/** Runs ops on RTL and golden (compared every cycle) and returns the RTL's outputs per cycle and the token results. */
async function directed(name: string, ops: AttOp[]): Promise<{ outs: Record<string, bigint>[]; vectors: Vector[]; results: TokenResult[] }> {
  const p = ATT_SETS[name]!;
  const all: AttOp[] = [{ kind: 'reset' }, ...ops];
  const vectors = planVectors(p, all);
  const dut = await dutFor(name);
  const r = await cosimAttention(dut, p, vectors, `directed ${name}`);
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  // the same vectors again, keeping the RTL's outputs (the co-simulation above proved them equal to the model)
  return { outs: await dut.stream(vectors), vectors, results: replay(p, all) };
}

interface OutWord {
  cycle: number;
  word: number;
  step: number;
  spikes: number[];
  v: number[];
}
/** The output words shown after the first cycle (vector 0 is the reset; before its edge the ports show a past run). */
function outputWords(p: AttentionParams, outs: Record<string, bigint>[]): OutWord[] {
  return outs.flatMap((o, cycle) =>
    o.out_valid && cycle > 0 ? [{ cycle, word: Number(o.out_word), step: Number(o.out_step), spikes: unpackSigned(o.out_spikes!, p.lanes, spikeWidth(p)), v: unpackSigned(o.out_v!, p.lanes, p.encVBits) }] : [],
  );
}
/** The RTL's spikes of the last `tokens` tokens, as [t][h * D + d] per token (output words in their order). */
function spikesOf(p: AttentionParams, words: OutWord[], T: number): number[][][] {
  const per = T * outWords(p);
  const tokens: number[][][] = [];
  for (let i = 0; i + per <= words.length; i += per) {
    const steps = Array.from({ length: T }, () => new Array<number>(p.qHeads * p.headSize).fill(0));
    for (const w of words.slice(i, i + per)) w.spikes.forEach((s, l) => (steps[w.step]![w.word * p.lanes + l] = s));
    tokens.push(steps);
  }
  return tokens;
}
const last = (outs: Record<string, bigint>[], sig: string) => Number(outs[outs.length - 1]![sig]);
const fill = (n: number, v: number) => new Array<number>(n).fill(v);
const seqOf = (p: AttentionParams, rng: Rng, n: number): AttOp[] => Array.from({ length: n }, (_, i) => randomToken(p, rng, i === 0));
const setup = (p: AttentionParams, shift: number, theta: number, steps: number): AttOp[] => [writeReg('scoreShift', shift), writeReg('theta', theta), writeReg('steps', Math.min(steps, p.maxSteps))];

describe('attention directed cases', () => {
  it("'error' policy: a full KV cache, then the token after it is refused (flagged, counted, nothing written)", async () => {
    const p = ATT_SETS.mha!;
    const rng = new Rng(testSeed(11));
    const seq = seqOf(p, rng, p.context + 1);
    const { outs, results } = await directed('mha', [...setup(p, 4, 9, 2), ...seq]);
    expect(results.map((r) => r.refused)).toEqual([...fill(p.context, 0).map(() => false), true]);
    expect(last(outs, 'cnt_tokens')).toBe(p.context);
    expect(last(outs, 'cnt_refused_tokens')).toBe(1);
    expect(last(outs, 'ctx_error')).toBe(1);
    expect(last(outs, 'cache_len')).toBe(p.context);
    expect(last(outs, 'tok_pos')).toBe(p.context - 1);
    expect(last(outs, 'cnt_kv_writes')).toBe(p.context * 2 * p.kvHeads * chunks(p)); // none for the refused token
    expect(outputWords(p, outs).length).toBe(p.context * 2 * outWords(p));
    // a sequence start is taken again, at position 0 with one cached position
    const again = await directed('mha', [...setup(p, 4, 9, 2), ...seq, randomToken(p, rng, true)]);
    expect(last(again.outs, 'cache_len')).toBe(1);
    expect(last(again.outs, 'tok_pos')).toBe(0);
    expect(last(again.outs, 'cnt_tokens')).toBe(p.context + 1);
  });

  it("'sliding' policy: past a full cache the oldest slot is overwritten; attention covers positions pos-N+1..pos", async () => {
    const p = ATT_SETS.gqa!;
    const rng = new Rng(testSeed(12));
    const seq = seqOf(p, rng, p.context + 3);
    const cfg = setup(p, 3, 4, 3);
    const { outs, results } = await directed('gqa', [...cfg, ...seq]);
    expect(results.every((r) => !r.refused)).toBe(true);
    expect(last(outs, 'cache_len')).toBe(p.context);
    expect(last(outs, 'tok_pos')).toBe(p.context + 2);
    // the last token's attention equals a fresh sequence of the last N tokens (sums do not depend on slot order)
    const fresh = replay(p, [...cfg, ...seq.slice(3).map((t, i) => ({ ...t, seqStart: i === 0 }))]);
    const rtl = spikesOf(p, outputWords(p, outs), 3);
    expect(Array.from(results.at(-1)!.out)).toEqual(Array.from(fresh.at(-1)!.out));
    expect(rtl.at(-1)!.flat()).toEqual(Array.from(fresh.at(-1)!.spikes));
  });

  it('positions are finite: the token after position 2^positionBits - 1 is refused until a sequence start', async () => {
    const p = ATT_SETS.gqa!;
    const rng = new Rng(testSeed(13));
    const n = 2 ** p.positionBits;
    const { outs } = await directed('gqa', [...setup(p, 3, 4, 1), ...seqOf(p, rng, n + 1)]);
    expect(last(outs, 'tok_pos')).toBe(n - 1);
    expect(last(outs, 'cnt_tokens')).toBe(n);
    expect(last(outs, 'cnt_refused_tokens')).toBe(1);
    expect(last(outs, 'ctx_error')).toBe(1);
  });

  it.each(Object.keys(ATT_SETS))('%s: saturated scores (extreme q and k, shift 0) are clamped, counted, and weigh alike', async (name) => {
    const p = ATT_SETS[name]!;
    const rng = new Rng(testSeed(14));
    const HD = p.qHeads * p.headSize;
    const KD = p.kvHeads * p.headSize;
    const qMin = -(2 ** (p.qBits - 1));
    const kMin = -(2 ** (p.kBits - 1));
    const kMax = 2 ** (p.kBits - 1) - 1;
    const n = Math.min(p.context, 3);
    // q = min, k = min: q.k = D * 2^(qBits+kBits-2), above every score range; k = max: the most negative q.k
    const tokens: AttOp[] = Array.from({ length: n }, (_, i) => ({ kind: 'token', q: fill(HD, qMin), k: fill(KD, i % 2 ? kMax : kMin), v: randomVector(rng, KD, p.vBits), seqStart: i === 0 }));
    const { outs, results } = await directed(name, [...setup(p, 0, 3, 1), ...tokens]);
    let saturated = 0;
    for (const r of results) {
      saturated += r.events.scores_saturated;
      for (let j = 0; j < r.n; j += 2) {
        for (let h = 0; h < p.qHeads; h++) {
          expect(r.scores[h * r.n + j]).toBe(scoreMax(p));
          expect(r.saturated[h * r.n + j]).toBe(1);
          // the positions at the clamped maximum weigh 2^F each
          expect(r.weights[h * r.n + j]).toBe(2 ** p.expFracBits);
        }
      }
    }
    expect(saturated).toBeGreaterThanOrEqual(p.qHeads * (1 + 1 + 2)); // the even positions of tokens 1, 2, 3 at least
    expect(last(outs, 'cnt_scores_saturated')).toBe(saturated);
  });

  it.each(Object.keys(ATT_SETS))('%s: a one-token context gives o = v (clamped), and T steps of spikes integrate to T x o', async (name) => {
    const p = ATT_SETS[name]!;
    const rng = new Rng(testSeed(15));
    const T = p.maxSteps;
    // theta with K x theta >= |o|: the soft-reset membrane never saturates, so sum(k) * theta + v_T = T * o exactly
    const theta = Math.ceil(2 ** (p.outBits - 1) / p.spikeLevels);
    const tokens = Array.from({ length: 4 }, () => randomToken(p, rng, true));
    const { outs, results } = await directed(name, [...setup(p, 2, theta, T), ...tokens]);
    const words = outputWords(p, outs);
    const rtl = spikesOf(p, words, T);
    expect(rtl.length).toBe(tokens.length);
    results.forEach((r, i) => {
      const tok = tokens[i] as AttOp & { kind: 'token' };
      for (let h = 0; h < p.qHeads; h++) {
        for (let d = 0; d < p.headSize; d++) {
          const e = h * p.headSize + d;
          const o = Math.max(outMin(p), Math.min(outMax(p), tok.v[kvHeadOf(p, h) * p.headSize + d]!));
          expect(r.out[e]).toBe(o);
          const sum = rtl[i]!.reduce((s, step) => s + step[e]!, 0);
          // the membrane after the last step, from the RTL's output word that carries it
          const lastWord = words[i * T * outWords(p) + (T - 1) * outWords(p) + Math.floor(e / p.lanes)]!;
          expect(sum * theta + lastWord.v[e % p.lanes]!).toBe(T * o);
        }
      }
    });
  });

  it('back-to-back tokens: each is taken the cycle ready returns, with the latency the spec gives', async () => {
    const p = ATT_SETS.mqa!;
    const rng = new Rng(testSeed(16));
    const T = 2;
    const tokens = seqOf(p, rng, 4);
    const { outs, vectors } = await directed('mqa', [...setup(p, 5, 20, T), ...tokens]);
    const accepts = vectors.map((v, i) => (v.in_valid && outs[i]!.ready ? i : -1)).filter((i) => i >= 0);
    expect(accepts.length).toBe(4);
    const words = outputWords(p, outs);
    for (let t = 0; t < 4; t++) {
      const sch = tokenSchedule(p, t + 1, T);
      // cycle 0 is the cycle after the accepting edge
      expect(words[t * sch.issues]!.cycle).toBe(accepts[t]! + 1 + outputCycle(sch, 0));
      if (t < 3) expect(accepts[t + 1]! - accepts[t]!).toBe(sch.ready + 1);
      // ready is low from the accepting edge until the cycle that shows the last output
      for (let c = accepts[t]! + 1; c < accepts[t]! + 1 + sch.ready; c++) expect(Number(outs[c]!.ready)).toBe(0);
      expect(words[(t + 1) * sch.issues - 1]!.cycle).toBe(accepts[t]! + 1 + sch.ready);
    }
  });

  it('refused configuration writes set cfg_error and change nothing; clearCounters clears both flags', async () => {
    const p = ATT_SETS.lut16!;
    const rng = new Rng(testSeed(17));
    const bad: AttOp[] = [writeReg('steps', 0), writeReg('steps', p.maxSteps + 1), { kind: 'write', addr: 5, data: 0n }, writeReg('scoreShift', 1n << BigInt(attentionMap(p).registerBits.scoreShift))];
    for (const w of bad) {
      const { outs } = await directed('lut16', [writeReg('steps', 2), w, randomToken(p, rng, true), { kind: 'idle', cycles: 2 }]);
      expect(last(outs, 'cfg_error')).toBe(1);
      expect(last(outs, 'cnt_encoder_updates')).toBe(2 * p.qHeads * p.headSize); // steps is still 2
    }
    const { outs } = await directed('lut16', [bad[0]!, ...seqOf(p, rng, p.context + 1), writeReg('clearCounters', 0), { kind: 'idle', cycles: 2 }]);
    expect(last(outs, 'cfg_error')).toBe(0);
    expect(last(outs, 'ctx_error')).toBe(0);
    expect(last(outs, 'cnt_refused_tokens')).toBe(0);
  });
});
