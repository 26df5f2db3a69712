// Spike router: RTL co-simulated against the golden cycle model (docs/router.md), every output on every cycle, over
// random and directed traffic and several parameter sets. On the RTL's own outputs, the delivery checker asserts
// the guarantees (no loss, no duplication, per-flow order, offers held until taken, latency >= h + 1) and that the
// counters equal the functional counterpart's counts; the directed cases check the spec's values.
import { describe, expect, it } from 'vitest';
import { RouterMeshModel } from '../src/golden/router.js';
import { Rng, testSeed } from '../src/util/random.js';
import { inputPorts, neighbour, PORT, registerAddress, ROUTER_REG, tableAddress, tiles, zeroLoadLatency, type RouterSpec } from '../src/spec/router.js';
import { DeliveryChecker, ROUTER_SETS, RouterPlanner, cosimRouter, layerLoad, randomScenario, randomTables, startRouter, toPorts } from './router_cosim.js';
import { dutPool } from './dut-pool.js';

const CYCLES = Number(process.env.ROUTER_CYCLES ?? 100_000);
const dutFor = dutPool(ROUTER_SETS, startRouter);

/** RTL vs golden on the planner's vectors (must agree everywhere), the checker on the RTL's outputs; the outputs. */
async function run(name: string, planner: RouterPlanner, label: string) {
  const p = ROUTER_SETS[name]!;
  const chk = new DeliveryChecker(p);
  const outs: Record<string, bigint>[] = [];
  const r = await cosimRouter(await dutFor(name), p, planner.vectors, label, (c, v, got) => {
    chk.observe(c, v, got);
    outs[c] = got;
  });
  chk.finish();
  expect(r.scoreboard.count, r.scoreboard.report()).toBe(0);
  expect(chk.errors, chk.errors.join('\n')).toEqual([]);
  return { r, chk, outs };
}

/** The guarantees, each its own assertion. */
function expectGuarantees(chk: DeliveryChecker): void {
  expect(chk.lost, 'no loss').toBe(0);
  expect(chk.duplicates, 'no duplication').toBe(0);
  expect(chk.reordered, 'per-flow order').toBe(0);
  expect(chk.unstable, 'an offer stays until taken').toBe(0);
  expect(chk.counterErrors, 'RTL counters = functional counts').toBe(0);
}

const bit = (v: bigint, t: number) => Number((v >> BigInt(t)) & 1n);
const all = (p: RouterSpec) => Array.from({ length: tiles(p) }, (_, d) => d);

describe.each(Object.keys(ROUTER_SETS))('router %s', (name) => {
  const p = ROUTER_SETS[name]!;
  it(`matches the golden model over at least ${CYCLES} random cycles; no loss, no duplication, order, counters = functional`, async () => {
    const seed = testSeed(0x5e7 + name.length * 977 + name.charCodeAt(1));
    console.log(`router ${name}: seed ${seed} (replay with SEED=${seed})`);
    const planner = randomScenario(new RouterPlanner(p, new Rng(seed)), CYCLES);
    const { r, chk } = await run(name, planner, `router ${name} seed ${seed}`);
    console.log(r.scoreboard.report());
    console.log(`router ${name}: ${chk.delivered} deliveries, latency max ${chk.maxLatency} (queueing max ${chk.maxQueueing}), mean ${(chk.latencySum / chk.delivered).toFixed(1)}; ${chk.countCheckpoints} counter checkpoints; ${chk.droppedByReset} dropped by resets; held offers per tile ${chk.heldOffers.join(' ')}`);
    expect(r.cycles).toBeGreaterThanOrEqual(CYCLES);
    expectGuarantees(chk);
    expect(chk.delivered).toBeGreaterThan(CYCLES / 10); // the traffic really flowed
    expect(chk.countCheckpoints).toBeGreaterThan(100); // the counters were compared, often
    // every local sink met backpressure: an offer it did not take was taken later
    expect(chk.heldOffers.every((n) => n > 0), `held offers per tile: ${chk.heldOffers}`).toBe(true);
  });
});

describe('router directed cases', () => {
  it.each(['m4x4', 'm3x2mc', 'col1x3'])('%s: a single packet between every pair of tiles takes exactly h + 1 cycles', async (name) => {
    const p = ROUTER_SETS[name]!;
    const pl = new RouterPlanner(p, new Rng(1)).reset();
    for (const s of all(p)) {
      for (const d of all(p)) {
        pl.setTables([{ tile: s, group: 0, dests: [d] }]).drain();
        pl.queues[s]!.push({ neuron: 0, timestep: d % 2 ** p.timestepBits, payload: -1 });
        pl.drain();
      }
    }
    const { chk } = await run(name, pl, `zero load ${name}`);
    expect(chk.delivered).toBe(tiles(p) ** 2);
    expect(chk.maxQueueing).toBe(0); // with the checker's latency >= h + 1 check: every latency is h + 1
    expect(chk.maxLatency).toBe(zeroLoadLatency(p, 0, tiles(p) - 1));
    expectGuarantees(chk);
  });

  it.each(['m4x4', 'm3x2mc', 'row3d1', 'col1x3'])('%s: every FIFO full, one after another — a flow into a stalled sink fills the link FIFO, then the sender\'s', async (name) => {
    const p = ROUTER_SETS[name]!;
    const D = p.fifoDepth;
    const pl = new RouterPlanner(p, new Rng(2)).reset();
    const checks: { cycle: number; from: number; to: number }[] = [];
    let seq = 0;
    for (const u of all(p)) {
      for (const i of inputPorts(p, u).filter((q) => q !== 'L')) {
        const t = neighbour(p, u, i)!; // the link t -> u feeds u's input i
        pl.setTables([{ tile: t, group: 0, dests: [u] }]).drain();
        pl.readyP = all(p).map((v) => (v === u ? 0 : 1));
        for (let k = 0; k < 2 * D + 2; k++) pl.queues[t]!.push({ neuron: 0, timestep: seq++ % 2 ** p.timestepBits, payload: 1 });
        pl.run(2 * D + 6);
        const counts = pl.model.fifoCounts();
        expect(counts[u]![PORT[i]], `tile ${u} input ${i}`).toBe(D);
        expect(counts[t]![PORT.L], `tile ${t} local FIFO`).toBe(D);
        checks.push({ cycle: pl.vectors.length - 1, from: t, to: u });
        pl.readyP = pl.readyP.map(() => 1);
        pl.drain();
      }
    }
    const { chk, outs } = await run(name, pl, `fifo full ${name}`);
    for (const c of checks) {
      const o = outs[c.cycle]!;
      // on the RTL: the sender's local input refuses, the stalled sink keeps its offer, and both stall every cycle
      expect(bit(o.in_ready!, c.from), `cycle ${c.cycle}: tile ${c.from} in_ready`).toBe(0);
      expect(bit(o.out_valid!, c.to)).toBe(1);
      expect(Number(o.cnt_stalls! - outs[c.cycle - 1]!.cnt_stalls!)).toBeGreaterThanOrEqual(c.from === c.to ? 1 : 2);
    }
    expect(checks.length).toBe(all(p).reduce((n, u) => n + inputPorts(p, u).length - 1, 0));
    expectGuarantees(chk);
  });

  it.each(['m4x4', 'm3x2mc', 'row3d1'])('%s: saturated with every sink stalled, nothing moves and nothing is lost; released, it drains', async (name) => {
    const p = ROUTER_SETS[name]!;
    const pl = new RouterPlanner(p, new Rng(8)).reset();
    pl.setTables(randomTables(p, pl.rng, 'mixed').map((e) => (e.dests.length ? e : { ...e, dests: [e.tile] }))).drain();
    pl.readyP = pl.readyP.map(() => 0);
    let seq = 0;
    const refill = () => {
      for (const t of all(p)) if (pl.queues[t]!.length < 2) pl.queues[t]!.push({ neuron: pl.rng.int(0, 2 ** p.neuronBits - 1), timestep: seq++ % 2 ** p.timestepBits, payload: 0 });
    };
    pl.run(400, refill);
    const frozen = pl.model.inFlight;
    const at = pl.vectors.length;
    pl.run(50, refill);
    expect(pl.model.inFlight).toBe(frozen);
    pl.queues.forEach((q) => (q.length = 0));
    pl.drain();
    const { chk, outs } = await run(name, pl, `saturated ${name}`);
    expect(outs[at]!.in_ready).toBe(0n); // every local FIFO full
    expect(outs[at + 50]!.cnt_delivered).toBe(outs[at]!.cnt_delivered);
    expect(outs[at + 50]!.cnt_hops).toBe(outs[at]!.cnt_hops);
    expectGuarantees(chk);
    expect(chk.delivered).toBeGreaterThan(frozen / 2);
  });

  it('m4x4: backpressure on every local port — each sink stalls in turn under uniform traffic', async () => {
    const p = ROUTER_SETS.m4x4!;
    const pl = new RouterPlanner(p, new Rng(3)).reset();
    pl.setTables(randomTables(p, pl.rng, 'mixed')).drain();
    let seq = 0;
    for (const t of all(p)) {
      pl.readyP = all(p).map((u) => (u === t ? 0 : 1));
      pl.run(80, () => {
        for (const u of all(p)) if (pl.rng.chance(0.3) && pl.queues[u]!.length < 4) pl.queues[u]!.push({ neuron: pl.rng.int(0, 63), timestep: seq++ % 16, payload: pl.rng.int(-128, 127) });
      });
    }
    pl.drain();
    const { chk } = await run('m4x4', pl, 'backpressure m4x4');
    expect(chk.heldOffers.every((n) => n > 0), `held offers per tile: ${chk.heldOffers}`).toBe(true);
    expectGuarantees(chk);
  });

  it('m4x4: all-to-one hot spot — the hot sink takes a packet every cycle, every source gets through', async () => {
    const p = ROUTER_SETS.m4x4!;
    const hot = 5;
    const pl = new RouterPlanner(p, new Rng(4)).reset();
    pl.setTables(all(p).flatMap((t) => [0, 1, 2, 3].map((g) => ({ tile: t, group: g, dests: [hot] })))).drain();
    const start = pl.vectors.length;
    let seq = 0;
    pl.run(3000, () => {
      for (const t of all(p)) if (pl.queues[t]!.length < 2) pl.queues[t]!.push({ neuron: seq % 64, timestep: seq++ % 16, payload: t });
    });
    pl.queues.forEach((q) => (q.length = 0));
    pl.drain();
    const { chk, outs } = await run('m4x4', pl, 'hot spot m4x4');
    const window = outs.slice(start + 100, start + 3000);
    expect(window.every((o) => bit(o.out_valid!, hot) === 1), 'the hot sink is offered a packet in every cycle').toBe(true);
    // per source: how many packets reached the hot tile, and the longest wait between two of them
    const per = new Array<number>(tiles(p)).fill(0);
    const lastAt = new Array<number>(tiles(p)).fill(start);
    const gap = new Array<number>(tiles(p)).fill(0);
    window.forEach((o, i) => {
      const src = Number((o.out_src! >> BigInt(hot * 4)) & 15n);
      per[src]!++;
      gap[src] = Math.max(gap[src]!, start + 100 + i - lastAt[src]!);
      lastAt[src] = start + 100 + i;
    });
    console.log(`hot spot m4x4: packets per source ${per.join(' ')}; longest gap per source ${gap.join(' ')}; latency max ${chk.maxLatency}`);
    expect(Math.min(...per), 'no source starves').toBeGreaterThan(0);
    expectGuarantees(chk);
  });

  it.each(['m4x4', 'm3x2mc'])('%s: multicast to every tile — each packet once at every tile, T - 1 hops and copies each', async (name) => {
    const p = ROUTER_SETS[name]!;
    const T = tiles(p);
    const pl = new RouterPlanner(p, new Rng(5)).reset();
    pl.setTables(randomTables(p, pl.rng, 'broadcast')).drain();
    pl.cfg.push({ addr: registerAddress(p, ROUTER_REG.clearCounters), data: 0n });
    pl.run(1);
    const n = 40;
    for (const t of all(p)) for (let k = 0; k < n; k++) pl.queues[t]!.push({ neuron: k % 2 ** p.neuronBits, timestep: k % 2 ** p.timestepBits, payload: t % 2 });
    pl.readyP = pl.readyP.map(() => 0.7);
    pl.run(500).drain();
    const { chk, outs } = await run(name, pl, `broadcast ${name}`);
    const end = outs[outs.length - 1]!;
    const injected = T * n;
    expect(chk.delivered).toBe(injected * T);
    expect(end).toMatchObject({ cnt_injected: BigInt(injected), cnt_delivered: BigInt(injected * T), cnt_hops: BigInt(injected * (T - 1)), cnt_replications: BigInt(injected * (T - 1)), cnt_unrouted: 0n });
    expectGuarantees(chk);
  });

  it('m4x4: a burst of the compiler\'s layer traffic is delivered within injected + hops + delivered cycles', async () => {
    const p = ROUTER_SETS.m4x4!;
    const pl = new RouterPlanner(p, new Rng(6)).reset();
    const bursts: { start: number }[] = [];
    for (let b = 0; b < 12; b++) {
      const load = layerLoad(p, pl.rng);
      pl.setTables(load.routes).drain();
      const start = pl.vectors.length;
      for (const s of load.sources) for (let k = 0; k < load.outputsPerTile; k++) if (pl.rng.chance(0.5)) pl.queues[s]!.push({ neuron: k, timestep: b, payload: 1 });
      pl.drain();
      bursts.push({ start });
    }
    const { chk, outs } = await run('m4x4', pl, 'bursts m4x4');
    expectGuarantees(chk);
    const ratios: string[] = [];
    for (let b = 0; b < bursts.length; b++) {
      const from = bursts[b]!.start;
      const to = b + 1 < bursts.length ? bursts[b + 1]!.start : outs.length;
      const seg = outs.slice(from, to);
      const d = (k: string) => Number(seg[seg.length - 1]![k]! - seg[0]![k]!);
      const work = d('cnt_injected') + d('cnt_hops') + d('cnt_delivered');
      // cycles from the burst's first offer to its last delivery
      const lastDelivery = seg.reduce((last, o, i) => ((o.out_valid! & BigInt(pl.vectors[from + i]!.out_ready!)) !== 0n ? i : last), -1);
      expect(lastDelivery + 1).toBeLessThanOrEqual(work);
      ratios.push(`${lastDelivery + 1}/${work}`);
    }
    console.log(`layer bursts m4x4: cycles to deliver / bound = ${ratios.join(', ')}`);
  });

  it('m3x2mc: refused writes (tile 6, mask bit 6, unmapped register) change nothing in the RTL; clear resets cfg_error', async () => {
    const p = ROUTER_SETS.m3x2mc!;
    const pl = new RouterPlanner(p, new Rng(7)).reset();
    pl.setTables([{ tile: 0, group: 0, dests: [5] }]).drain();
    pl.cfg.push({ addr: tableAddress(p, 0, 0), data: 1n << 6n }, { addr: tableAddress(p, 6, 0), data: 1n }, { addr: registerAddress(p, 3), data: 1n });
    pl.queues[0]!.push({ neuron: 1, timestep: 2, payload: -5 });
    pl.drain();
    const before = pl.vectors.length;
    pl.cfg.push({ addr: registerAddress(p, ROUTER_REG.clearCounters), data: 0n });
    pl.run(2);
    const { chk, outs } = await run('m3x2mc', pl, 'refused m3x2mc');
    expect(outs[before - 1]).toMatchObject({ cfg_error: 1n, cnt_refused_writes: 3n, cnt_delivered: 1n });
    expect(chk.delivered).toBe(1);
    expect(outs[outs.length - 1]).toMatchObject({ cfg_error: 0n, cnt_refused_writes: 0n });
  });
});

describe('the delivery checker can fail', () => {
  // golden outputs of a short run, then one tampered cycle: each guarantee's counter must see it
  const p = ROUTER_SETS.m2x2!;
  const pl = randomScenario(new RouterPlanner(p, new Rng(9)), 3000, { noResets: true });
  const g = new RouterMeshModel(p);
  const outs = pl.vectors.map((v) => {
    const o = g.outputs();
    g.edge(toPorts(v));
    return o;
  });
  const check = (tampered: Record<string, bigint>[]) => {
    const chk = new DeliveryChecker(p);
    pl.vectors.forEach((v, i) => i > 0 && chk.observe(i, v, tampered[i]!));
    chk.finish();
    return chk;
  };
  const deliveries = (d: number) => outs.map((o, i) => (bit(o.out_valid!, d) && bit(BigInt(pl.vectors[i]!.out_ready!), d) ? i : -1)).filter((i) => i > 0);
  const setField = (o: Record<string, bigint>, name: string, d: number, w: number, value: bigint) => ({ ...o, [name]: (o[name]! & ~(((1n << BigInt(w)) - 1n) << BigInt(d * w))) | (value << BigInt(d * w)) });
  const fieldOf = (o: Record<string, bigint>, name: string, d: number, w: number) => (o[name]! >> BigInt(d * w)) & ((1n << BigInt(w)) - 1n);
  const widths: Record<string, number> = { out_src: 2, out_neuron: p.neuronBits, out_timestep: p.timestepBits, out_payload: p.payloadBits };
  const copyTile = (to: Record<string, bigint>, from: Record<string, bigint>, d: number) => {
    let o: Record<string, bigint> = { ...to, out_valid: to.out_valid! | (1n << BigInt(d)) };
    for (const [n, w] of Object.entries(widths)) o = setField(o, n, d, w, fieldOf(from, n, d, w));
    return o;
  };

  it('an untampered run passes', () => {
    const chk = check(outs);
    expect([chk.lost, chk.duplicates, chk.reordered, chk.unstable, chk.errors.length]).toEqual([0, 0, 0, 0, 0]);
    expect(chk.delivered).toBeGreaterThan(100);
  });
  it('a dropped delivery is a loss', () => {
    const i = deliveries(1)[5]!;
    const t = [...outs];
    t[i] = { ...t[i]!, out_valid: t[i]!.out_valid! & ~2n };
    expect(check(t).lost).toBeGreaterThan(0);
  });
  it('a repeated delivery is a duplicate', () => {
    const i = deliveries(2)[3]!;
    const j = outs.findIndex((o, k) => k > i + 5 && !bit(o.out_valid!, 2) && bit(BigInt(pl.vectors[k]!.out_ready!), 2));
    const t = [...outs];
    t[j] = copyTile(t[j]!, outs[i]!, 2);
    expect(check(t).duplicates).toBe(1);
  });
  it('two deliveries of one flow swapped are out of order', () => {
    const ds = deliveries(0);
    const flow = (i: number) => fieldOf(outs[i]!, 'out_src', 0, 2);
    const k = ds.findIndex((i, n) => n + 1 < ds.length && flow(i) === flow(ds[n + 1]!) && fieldOf(outs[i]!, 'out_timestep', 0, p.timestepBits) !== fieldOf(outs[ds[n + 1]!]!, 'out_timestep', 0, p.timestepBits));
    const [a, b] = [ds[k]!, ds[k + 1]!];
    const t = [...outs];
    t[a] = copyTile(outs[a]!, outs[b]!, 0);
    t[b] = copyTile(outs[b]!, outs[a]!, 0);
    expect(check(t).reordered).toBeGreaterThan(0);
  });
  it('a held offer that changes is caught', () => {
    const i = outs.findIndex((o, k) => k > 0 && bit(o.out_valid!, 3) && !bit(BigInt(pl.vectors[k]!.out_ready!), 3));
    const t = [...outs];
    t[i + 1] = setField(t[i + 1]!, 'out_payload', 3, p.payloadBits, fieldOf(outs[i + 1]!, 'out_payload', 3, p.payloadBits) ^ 1n);
    expect(check(t).unstable).toBe(1);
  });
});
