// Weight-streaming loader: RTL co-simulated against the golden port model (docs/memory.md), every output on every
// cycle, over random and directed stimulus and several parameter sets, with a behavioural off-chip memory.
import { describe, expect, it } from 'vitest';
import { Rng, testSeed } from '../src/util/random.js';
import { loaderCounts, wrapCount } from '../src/functional/memory.js';
import { streamCycles } from '../src/spec/memory.js';
import { STREAM_SETS, StreamPlanner, cosimStream, randomStreamOps, startLoader, type StreamOp } from './weight_stream_cosim.js';
import { dutPool } from './dut-pool.js';

const CYCLES = Number(process.env.STREAM_CYCLES ?? 100_000);
const dutFor = dutPool(STREAM_SETS, startLoader);

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

describe.each(Object.keys(STREAM_SETS))('weight stream %s: functional counts', (name) => {
  it('the RTL counters after random commands (refused ones too) over a stalling memory equal src/functional/memory.ts', async () => {
    const p = STREAM_SETS[name]!;
    const seed = testSeed(0xf00 + name.length);
    const rng = new Rng(seed);
    // no injected faults: every command either runs to its end or is refused
    const ops = randomStreamOps(p, rng, 400).filter((o) => o.kind !== 'faults' && o.kind !== 'reset' && !(o.kind === 'cmd' && o.padFault !== undefined));
    const plan = new StreamPlanner(p, new Rng(seed + 1)).apply([{ kind: 'reset' }, ...ops]).finish();
    const r = await cosimStream(await dutFor(name), p, plan.vectors, `functional ${name} seed ${seed}`, 25_000, true);
    expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
    const cmds = ops.flatMap((o) => (o.kind === 'cmd' || o.kind === 'refused' ? [o.cmd] : []));
    const want = loaderCounts(p, cmds);
    const end = r.outputs![r.outputs!.length - 1]!;
    for (const [k, v] of Object.entries(want)) expect([k, Number(end[`cnt_${k}`])]).toEqual([k, wrapCount(v, p.counterBits)]);
    expect(want.faults).toBeGreaterThan(5);
    expect(want.words).toBeGreaterThan(200);
  });
});

/** Runs ops (after a reset) on RTL and golden, compared every cycle; returns the inputs and the RTL's outputs. */
async function directed(name: string, ops: StreamOp[]) {
  const p = STREAM_SETS[name]!;
  const plan = new StreamPlanner(p, new Rng(testSeed(4711))).apply([{ kind: 'reset' }, ...ops]).finish();
  const r = await cosimStream(await dutFor(name), p, plan.vectors, `directed ${name}`, 25_000, true);
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  const outs = r.outputs!;
  const end = (sig: string) => Number(outs[outs.length - 1]![sig]);
  /** cycles whose command was taken */
  const accepts = plan.vectors.map((v, i) => (v.cmd_valid && outs[i]!.cmd_ready ? i : -1)).filter((i) => i >= 0);
  return { p, plan, vectors: plan.vectors, outs, end, accepts };
}

/** A memory that never stalls on its own, with the given latency, and a target that is always ready. */
const quiet = (latency: number): StreamOp[] => [
  { kind: 'memory', timing: { latency, queue: 4, reqStall: 0, dataStall: 0, longStall: 0 } },
  { kind: 'target', readyChance: 1 },
];
const words = (n: number, seed = 1) => Array.from({ length: n }, (_, k) => BigInt((k + 1) * 0x9e3779b1 * seed) & 0xffffn);
const cmd = (region: number, base: number, ws: bigint[], first: boolean, src = 16): StreamOp => ({ kind: 'cmd', cmd: { src, count: ws.length, region, base, first }, words: ws });

describe('weight stream directed cases', () => {
  it('a stalled stream: 150-cycle stalls on the request and the data side, below the timeout, load completely', async () => {
    const name = 'single'; // timeout 200
    const p = STREAM_SETS[name]!;
    const n = p.target.regionWords[0]!;
    const { end, vectors, outs, plan } = await directed(name, [
      ...quiet(4),
      { kind: 'stall', side: 'req', cycles: 150 },
      { kind: 'faults', faults: [{ kind: 'dataStall', cycles: 150 }] },
      cmd(0, 0, words(n), true),
    ]);
    const reqStalls = outs.filter((o, i) => o.req_valid && !vectors[i]!.req_ready).length;
    const dataStalls = outs.filter((o, i) => o.data_ready && !vectors[i]!.data_valid).length;
    expect(reqStalls).toBeGreaterThanOrEqual(150);
    expect(dataStalls).toBeGreaterThanOrEqual(150);
    expect(end('cnt_req_stalls')).toBe(reqStalls);
    expect(end('cnt_data_stalls')).toBe(dataStalls);
    expect([end('loaded'), end('fault'), end('cnt_faults'), end('cnt_words')]).toEqual([1, 0, 0, n]);
    expect(plan.checked).toBe(1); // the target holds exactly the command's words
  });

  it('a stall as long as the timeout ends the command at the T-th waiting cycle; the next image loads', async () => {
    const name = 'byte'; // timeout 40
    const p = STREAM_SETS[name]!;
    const T = p.timeoutCycles;
    // the stall outlasts the first command's T cycles but not the second's
    const { outs, end, accepts } = await directed(name, [...quiet(2), { kind: 'stall', side: 'req', cycles: T + 20 }, cmd(0, 0, words(8), true), cmd(0, 0, words(8, 3), true)]);
    const a = accepts[0]!;
    // cycles 0..T-1 after the accepting edge wait on a request the memory does not take
    for (let k = 1; k <= T; k++) expect([outs[a + k]!.cmd_ready, outs[a + k]!.req_valid, outs[a + k]!.fault]).toEqual([0n, 1n, 0n]);
    expect([outs[a + T + 1]!.cmd_ready, outs[a + T + 1]!.fault, outs[a + T + 1]!.loaded]).toEqual([1n, 5n, 0n]);
    expect(end('cnt_faults')).toBe(1);
    expect([end('loaded'), end('fault'), end('cnt_words')]).toEqual([1, 0, 8]);
  });

  it('a stream that ends early (last on the 4th beat of the 2nd burst) is flagged, counted, drained and not loaded', async () => {
    const name = 'padded'; // bursts of 8 beats, 2 beats per word, 2 bursts outstanding
    const p = STREAM_SETS[name]!;
    const n = p.target.regionWords[0]!; // 12 words = 24 beats = 3 bursts
    const { end, plan } = await directed(name, [...quiet(3), { kind: 'faults', faults: [{ kind: 'none' }, { kind: 'earlyLast', beat: 3 }] }, cmd(0, 0, words(n), true)]);
    expect([end('loaded'), end('fault'), end('cnt_faults')]).toEqual([0, 2, 1]);
    // 4 words from burst 0, word 4 from beats 8-9; beat 11 (last too early) ends the command
    expect(end('cnt_words')).toBe(5);
    // every beat the memory sent was taken: burst 0, 4 beats of burst 1, and burst 2 if it had been requested
    expect(end('cnt_beats')).toBe(8 + 4 + 8 * (end('cnt_bursts') - 2));
    expect(end('cmd_ready')).toBe(1);
    expect(plan.ends).toEqual({ earlyLast: 1 });
    // the same image again, without the fault: loaded
    const again = await directed(name, [...quiet(3), { kind: 'faults', faults: [{ kind: 'earlyLast', beat: 3 }] }, cmd(0, 0, words(n), true), cmd(0, 0, words(n), true)]);
    expect([again.end('loaded'), again.end('fault'), again.end('cnt_faults')]).toEqual([1, 0, 1]);
  });

  it('a missing last and pad bits set are faults too, with their own codes', async () => {
    const missing = await directed('padded', [...quiet(2), { kind: 'faults', faults: [{ kind: 'missingLast' }] }, cmd(1, 0, [1n], true)]);
    expect([missing.end('loaded'), missing.end('fault'), missing.end('cnt_words'), missing.end('cnt_beats')]).toEqual([0, 3, 0, 3]);
    const pad = await directed('padded', [...quiet(2), { kind: 'cmd', cmd: { src: 0, count: 4, region: 0, base: 0, first: true }, words: words(4), padFault: 2 }]);
    expect([pad.end('loaded'), pad.end('fault'), pad.end('cnt_words')]).toEqual([0, 4, 2]);
  });

  it('back-to-back commands: each is taken the cycle cmd_ready returns, streamCycles() apart; a refused one takes one cycle', async () => {
    const name = 'single'; // latency 3 <= (maxOutstanding - 1) x maxBurst hides the memory
    const p = STREAM_SETS[name]!;
    const n = p.target.regionWords[0]!;
    const refused: StreamOp = { kind: 'refused', cmd: { src: 0, count: 0, region: 0, base: 0, first: false } };
    const { accepts, end, plan } = await directed(name, [...quiet(3), cmd(0, 0, words(n, 1), true), cmd(0, 0, words(n, 2), false, 100), refused, cmd(0, 0, words(n, 3), false, 300), cmd(1, 0, [5n], false)]);
    const gaps = accepts.slice(1).map((a, i) => a - accepts[i]!);
    expect(gaps).toEqual([streamCycles(p, n, 3), streamCycles(p, n, 3), 1, streamCycles(p, n, 3)]);
    expect(gaps[0]).toBe(3 + n + 2);
    expect(plan.checked).toBe(4);
    expect([end('loaded'), end('fault'), end('cnt_commands'), end('cnt_faults'), end('cnt_words')]).toEqual([0, 1, 5, 1, 3 * n + 1]);
  });

  it('image status: loaded needs a first command, and a fault holds it at 0 until the next first command', async () => {
    const name = 'byte';
    const status = async (ops: StreamOp[]) => {
      const r = await directed(name, [...quiet(2), ...ops]);
      return [r.end('loaded'), r.end('fault')];
    };
    expect(await status([cmd(0, 0, words(3), false)])).toEqual([0, 0]); // no image started
    expect(await status([cmd(0, 0, words(3), true)])).toEqual([1, 0]);
    expect(await status([cmd(0, 0, words(3), true), cmd(2, 0, words(2), false)])).toEqual([1, 0]);
    const early: StreamOp = { kind: 'faults', faults: [{ kind: 'earlyLast', beat: 0 }] };
    expect(await status([cmd(0, 0, words(3), true), early, cmd(0, 3, words(3), false), cmd(0, 0, words(3), false)])).toEqual([0, 2]);
    expect(await status([cmd(0, 0, words(3), true), early, cmd(0, 3, words(3), false), { kind: 'refused', cmd: { src: 0, count: 0, region: 0, base: 0, first: false } }])).toEqual([0, 2]);
    expect(await status([cmd(0, 0, words(3), true), { kind: 'refused', cmd: { src: 0, count: 9, region: 0, base: 0, first: true } }])).toEqual([0, 1]);
    expect(await status([cmd(0, 0, words(3), true), early, cmd(0, 3, words(3), false), cmd(0, 0, words(3), true)])).toEqual([1, 0]);
  });

  it('refused commands (empty, past the region, unwritable region, past the address space): nothing requested, each counted', async () => {
    const name = 'byte'; // regions 8, 1, 4, 0 words; 2 beats per word; 1024 beats
    const ops: StreamOp[] = [
      { src: 0, count: 0, region: 0, base: 0 },
      { src: 0, count: 3, region: 0, base: 6 },
      { src: 0, count: 1, region: 3, base: 0 },
      { src: 1023, count: 1, region: 0, base: 0 },
    ].map((c) => ({ kind: 'refused', cmd: { ...c, first: true } }));
    const { outs, end, accepts } = await directed(name, [...quiet(2), ...ops]);
    expect(accepts.length).toBe(4);
    expect(accepts.slice(1).map((a, i) => a - accepts[i]!)).toEqual([1, 1, 1]); // cmd_ready stays 1
    expect(outs.some((o) => o.req_valid)).toBe(false);
    expect([end('cnt_commands'), end('cnt_faults'), end('cnt_bursts'), end('fault'), end('loaded')]).toEqual([4, 4, 0, 1, 0]);
    // the last word of the address space is accepted
    const ok = await directed(name, [...quiet(2), cmd(0, 0, [7n], true, 1022)]);
    expect([ok.end('loaded'), ok.end('cnt_words')]).toEqual([1, 1]);
  });
});
