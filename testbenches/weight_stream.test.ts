// Weight-streaming loader: RTL co-simulated against the golden port model (docs/memory.md), every output on every
// cycle, over random and directed stimulus and several parameter sets, with a behavioural off-chip memory.
import { afterAll, describe, expect, it } from 'vitest';
import type { Dut } from '../src/harness/cocotb.js';
import { Rng, testSeed } from '../src/util/random.js';
import { STREAM_SETS, StreamPlanner, cosimStream, randomStreamOps, startLoader } from './weight_stream_cosim.js';

const CYCLES = Number(process.env.STREAM_CYCLES ?? 100_000);
const duts = new Map<string, Dut>();
afterAll(async () => {
  await Promise.all([...duts.values()].map((d) => d.close()));
});
async function dutFor(name: string): Promise<Dut> {
  let d = duts.get(name);
  if (!d) {
    d = await startLoader(STREAM_SETS[name]!);
    duts.set(name, d);
  }
  return d;
}

describe.each(Object.keys(STREAM_SETS))('weight stream %s', (name) => {
  const p = STREAM_SETS[name]!;
  it(`matches the golden model over at least ${CYCLES} random cycles`, async () => {
    const seed = testSeed(0x57e4 + [...name].reduce((a, ch) => a * 31 + ch.charCodeAt(0), 0) % 10007);
    console.log(`weight stream ${name}: seed ${seed} (replay with SEED=${seed})`);
    const rng = new Rng(seed);
    const plan = new StreamPlanner(p, new Rng(seed + 1));
    while (plan.vectors.length < CYCLES) plan.apply(randomStreamOps(p, rng, 200));
    plan.finish();
    const r = await cosimStream(await dutFor(name), p, plan.vectors, `weight stream ${name} seed ${seed}`);
    console.log(r.scoreboard.report(), plan.ends, `checked ${plan.checked}`);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    expect(r.cycles).toBeGreaterThanOrEqual(CYCLES);
    expect(plan.checked).toBeGreaterThan(20);
  });
});
