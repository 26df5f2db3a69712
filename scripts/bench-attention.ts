// Attention unit figures for npm run bench (hook: benchAttention(put)): per parameter set, a co-simulation of 10^6
// random cycles (mismatches); what each model costs on the same workload (RTL under Verilator, the golden cycle
// model, the golden token model, the functional model); and the iCE40 resources Yosys maps it to (synth_ice40,
// stat -json). Also the functional model's speed on a small-LM-sized unit.
import { attentionUnit, type AttentionParams } from '../dsl/attention.js';
import { AttentionFunctional } from '../src/functional/attention.js';
import { AttentionUnit } from '../src/golden/attention.js';
import { AttentionCycleModel } from '../src/golden/attention-cycle.js';
import { ATT_REG, refusedWrite } from '../src/spec/attention.js';
import { cellText, ice40Cells } from '../src/tools/ice40-cells.js';
import { Rng } from '../src/util/random.js';
import { ATT_SETS, cosimAttention, randomRun, randomToken, startAttention, toPorts, type AttOp } from '../testbenches/attention_cosim.js';

type Put = (k: string, v: string) => void;

const rate = (n: number, ms: number) => (n / (ms / 1000)).toExponential(2);

/** Runs ops on the token model (resets, register writes, tokens); returns the tokens offered. */
function replayGolden(u: AttentionUnit, ops: AttOp[]): number {
  let n = 0;
  for (const op of ops) {
    if (op.kind === 'reset') u.reset();
    else if (op.kind === 'write') u.write(op.addr, op.data);
    else if (op.kind === 'token') {
      u.token(op);
      n++;
    }
  }
  return n;
}

/** The same on the functional model (a refused write changes nothing there either). */
function replayFunctional(f: AttentionFunctional, ops: AttOp[]): void {
  const reg = ['scoreShift', 'theta', 'steps'] as const;
  for (const op of ops) {
    if (op.kind === 'reset') f.reset();
    else if (op.kind === 'write') {
      if (refusedWrite(f.spec, op.addr, op.data)) continue;
      if (op.addr === ATT_REG.clearCounters) f.clearCounters();
      else f.setRegisters({ [reg[op.addr]!]: Number(op.data) });
    } else if (op.kind === 'token') f.token(op.q, op.k, op.v, op.seqStart);
  }
}

export async function benchAttention(put: Put, cycles = 1_000_000): Promise<void> {
  for (const [name, p] of Object.entries(ATT_SETS)) {
    const seed = 20261202;
    const { ops, vectors } = randomRun(p, new Rng(seed), cycles, new Rng(seed + 1));
    const dut = await startAttention(p);
    const r = await cosimAttention(dut, p, vectors, `bench attention ${name}`, 50_000);
    await dut.close();
    put(`attention ${name}: ${r.cycles} cycles RTL vs golden (seed ${seed})`, `${r.scoreboard.count} mismatches in ${r.scoreboard.checks} checks, ${r.tokens} tokens, ${r.refused} refused`);
    // the golden cycle model alone on the same vectors (the co-simulation's golden time includes the comparisons)
    const model = new AttentionCycleModel(p);
    const t1 = performance.now();
    for (const v of vectors) {
      model.outputs();
      model.edge(toPorts(v));
    }
    const cycleMs = performance.now() - t1;
    put(`attention ${name}: RTL (Verilator, streamed from Node) / golden cycle model`, `${rate(r.cycles, r.simMs)} / ${rate(r.cycles, cycleMs)} cycles/s`);
    // token level: the golden token model and the functional model on the run's tokens and register writes
    const golden = new AttentionUnit(p);
    const t2 = performance.now();
    const tokens = replayGolden(golden, ops);
    const goldenMs = performance.now() - t2;
    const fast = new AttentionFunctional(p);
    const t3 = performance.now();
    replayFunctional(fast, ops);
    const fastMs = performance.now() - t3;
    put(`attention ${name}: tokens/s golden token model / functional model`, `${rate(tokens, goldenMs)} / ${rate(tokens, fastMs)} (${tokens} tokens offered, refused ones included)`);
    const cells = await ice40Cells(() => attentionUnit(p));
    put(`attention ${name}: iCE40 cells (yosys synth_ice40)`, `${cellText(cells)}, SB_MAC16 ${cells.all.SB_MAC16 ?? 0}`);
  }
  // a small-LM-sized unit: 8 query heads over 2 KV heads of 64, a 128-position sliding window, T = 4
  const big: AttentionParams = { context: 128, qHeads: 8, kvHeads: 2, headSize: 64, lanes: 8, qBits: 8, kBits: 8, vBits: 8, scoreBits: 14, expLutBits: 3, expFracBits: 10, recipBits: 26, outBits: 8, encVBits: 12, spikeLevels: 3, maxSteps: 8, positionBits: 16, counterBits: 32, policy: 'sliding' };
  const rng = new Rng(7);
  const fast = new AttentionFunctional(big);
  fast.setRegisters({ scoreShift: 6, theta: 16, steps: 4 });
  const toks = Array.from({ length: 600 }, (_, i) => randomToken(big, rng, i === 0));
  const t0 = performance.now();
  for (const t of toks) fast.token(t.q, t.k, t.v, t.seqStart);
  const ms = performance.now() - t0;
  put('attention functional model, 8x2 heads of 64, window 128, T = 4', `${rate(toks.length, ms)} tokens/s (${rate(fast.counters.score_macs + fast.counters.value_macs, ms)} MACs/s)`);
}

// run directly: npx tsx scripts/bench-attention.ts [cycles]
if (import.meta.url === `file://${process.argv[1]}`) {
  await benchAttention((k, v) => console.log(`${k}: ${v}`), Number(process.argv[2] ?? 1_000_000));
}
