// Attention unit: RTL co-simulated against the golden cycle model (docs/attention.md), every output on every cycle,
// over random and directed stimulus and several parameter sets; the directed cases also check the spec's values.
import { afterAll, describe, expect, it } from 'vitest';
import type { Dut } from '../src/harness/cocotb.js';
import { Rng, testSeed } from '../src/util/random.js';
import { ATT_SETS, cosimAttention, randomRun, startAttention } from './attention_cosim.js';

const CYCLES = Number(process.env.ATT_CYCLES ?? 100_000);
const duts = new Map<string, Dut>();
afterAll(async () => {
  await Promise.all([...duts.values()].map((d) => d.close()));
});
async function dutFor(name: string): Promise<Dut> {
  let d = duts.get(name);
  if (!d) {
    d = await startAttention(ATT_SETS[name]!);
    duts.set(name, d);
  }
  return d;
}

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
