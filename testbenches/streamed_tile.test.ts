// End to end: tile images streamed from the behavioural off-chip memory by the RTL loader into the RTL crossbar tile,
// then timesteps; RTL = composed golden model on every output every cycle, and the timesteps' results = a golden
// timestep tile programmed directly with the same images.
import { describe, expect, it } from 'vitest';
import { tileWeightReads, wrapCount } from '../src/functional/memory.js';
import { crossbarMap } from '../src/spec/crossbar.js';
import { Rng, testSeed } from '../src/util/random.js';
import { STREAMED_SETS, StreamedTilePlanner, cosimStreamedTile, expectedGroups, observedGroups, randomImage, randomStep, startStreamedTile, type StreamedOp } from './streamed_tile_cosim.js';
import { dutPool } from './dut-pool.js';


const dutFor = dutPool(STREAMED_SETS, startStreamedTile);

async function run(name: string, ops: StreamedOp[], seed: number) {
  const p = STREAMED_SETS[name]!;
  const plan = new StreamedTilePlanner(p, new Rng(seed)).apply([{ kind: 'reset' }, ...ops]).finish();
  const r = await cosimStreamedTile(await dutFor(name), p, plan.vectors, `streamed ${name} seed ${seed}`);
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  const outs = r.outputs;
  return { p, plan, outs, end: (sig: string) => Number(outs[outs.length - 1]![sig]) };
}

describe.each(Object.keys(STREAMED_SETS))('streamed tile %s', (name) => {
  it('layer groups: 4 images streamed in turn (stalling memory), 25 timesteps each, match the directly programmed golden tile', async () => {
    const seed = testSeed(0x7e57 + name.length);
    console.log(`streamed tile ${name}: seed ${seed} (replay with SEED=${seed})`);
    const p = STREAMED_SETS[name]!;
    const rng = new Rng(seed);
    const ops: StreamedOp[] = [{ kind: 'memory', timing: { latency: 5, reqStall: 0.2, dataStall: 0.2 } }];
    for (let g = 0; g < 4; g++) {
      ops.push({ kind: 'image', image: randomImage(p, rng), src: rng.int(0, 512) });
      for (let k = 0; k < 25; k++) ops.push(randomStep(p, rng, [0.1, 0.4, 0.8][k % 3]));
    }
    const { plan, outs, end } = await run(name, ops, seed);
    expect(plan.taken.length).toBe(100);
    const got = observedGroups(p, outs);
    const want = expectedGroups(p, plan.taken, plan.images);
    expect(got.length).toBe(want.length);
    expect(got).toEqual(want);
    expect(new Set(want).size).toBeGreaterThan(10); // the outputs really vary
    // loader and tile agree on the traffic: every word the loader wrote is a write the tile performed
    const map = crossbarMap(p.tile);
    expect([end('loaded'), end('fault'), end('cfg_error'), end('cnt_weight_writes')]).toEqual([1, 0, 0, 4 * map.weightWords]);
    expect(end('ld_cnt_words')).toBe(4 * (map.weightWords + map.maskWords + (p.tile.output === 'psum' ? 1 : p.tile.neuron!.leak === 'none' ? 2 : 3)));
    // the functional counterpart's weight-memory reads: active row groups x G per timestep, under each image's mask
    const reads = plan.taken.reduce((n, t) => n + tileWeightReads(p.tile, t.step.spikes, plan.images[t.image]!.mask), 0);
    expect(reads).toBeGreaterThan(100);
    expect(end('cnt_weight_reads')).toBe(wrapCount(reads, p.tile.counterBits));
    expect(end('ld_cnt_req_stalls')).toBeGreaterThan(0);
    expect(end('ld_cnt_data_stalls')).toBeGreaterThan(0);
  });

  it('a stream that ends early leaves the tile not loaded: timesteps are not taken until a reload succeeds', async () => {
    const p = STREAMED_SETS[name]!;
    const rng = new Rng(testSeed(99));
    const img = randomImage(p, rng);
    const step = randomStep(p, rng);
    const { plan, outs, end } = await run(name, [
      { kind: 'faults', faults: [{ kind: 'none' }, { kind: 'earlyLast', beat: 1 }] },
      { kind: 'image', image: img, src: 0 },
      { kind: 'offer', step, cycles: 60 },
      { kind: 'image', image: img, src: 0 },
      step,
    ], 7);
    // while offered the first time: not loaded, the fault shown, `ready` low, nothing taken
    const offered = outs.filter((o, i) => plan.vectors[i]!.in_valid === 1);
    expect(offered.slice(0, 60).every((o) => o.ready === 0n && o.loaded === 0n && o.fault === 2n && o.cnt_timesteps === 0n)).toBe(true);
    expect(plan.taken.length).toBe(1);
    expect([end('loaded'), end('fault'), end('cnt_timesteps'), end('ld_cnt_faults')]).toEqual([1, 0, 1, 1]);
    expect(observedGroups(p, outs)).toEqual(expectedGroups(p, plan.taken, plan.images));
  });
});
