// The energy model's events against the RTL's counters on the same run: every tile of a compiled linear op of the
// reference model (sotu-relu's layer-0 FFN up projection, a 2-tile chain per column) runs on the Verilator-built
// crossbar tile with the very inputs the chip functional model saw, chained through the RTL's own partial sums; each
// tile's counters must equal SpikingLinear's for that tile, and their sum the SnnModel counters the energy model
// reads (eventsFromSnn). Likewise the attention unit: the RTL fed layer 0's Q/K/V counts against the functional
// unit's counters. On two chip configurations.
import { afterAll, describe, expect, it } from 'vitest';
import { tileSpec } from '../../src/compiler/chip-config.js';
import { blob, type ProgOp } from '../../src/compiler/program.js';
import { eventsFromSnn } from '../../src/energy/events.js';
import { SpikingLinear } from '../../src/functional/layer.js';
import type { Dut } from '../../src/harness/cocotb.js';
import { ATT_COUNTERS } from '../../src/spec/attention.js';
import { TILE_COUNTERS, type CrossbarSpec } from '../../src/spec/crossbar.js';
import { planVectors as planAttention, startAttention } from '../../testbenches/attention_cosim.js';
import { startTile } from '../../testbenches/crossbar_cosim.js';
import { attentionRun, CHIPS, referenceSetup } from './reference-setup.js';
import { runTile, tileLevels } from './rtl-tile.js';

const duts: Dut[] = [];
afterAll(async () => {
  await Promise.all(duts.map((d) => d.close()));
});

const psumSpec = (t: CrossbarSpec): CrossbarSpec => {
  const { neuron: _, ...rest } = t;
  return { ...rest, output: 'psum' };
};

describe.each(Object.keys(CHIPS))('chip %s: RTL counters = functional model counters = energy-model events', (chipName) => {
  const ref = referenceSetup(CHIPS[chipName]!, 10);
  const p = ref.program;
  const T = p.chip.T;
  const S = ref.tokens.length;

  it('L0.up: every tile of the chain, counters and output spikes', async () => {
    const op = p.ops.find((o): o is ProgOp & { kind: 'linear' } => o.kind === 'linear' && o.name === 'L0.up')!;
    const spec = tileSpec(p.chip, op.tiles.kind);
    const { rowTiles: RT, colTiles: CT } = op.tiles;
    expect(RT).toBeGreaterThan(1); // a real chain: psum tiles feeding the neurons tile
    const x = ref.tensors.get(op.input) as Int8Array;
    const spikesOut = ref.tensors.get(op.out) as Int8Array;
    const weights = blob(p, op.weights);
    const bias = op.bias ? blob(p, op.bias) : undefined;
    // the functional model of this op alone, built as the runtime builds it, on the same inputs
    const lin = new SpikingLinear({ tile: spec, dIn: op.dIn, dOut: op.dOut, weights, positions: S, adcShift: op.tiles.adcShift, threshold: op.theta, bias });
    lin.run(x, T);
    const neuronsDut = await startTile(spec);
    const psumDut = await startTile(psumSpec(spec));
    duts.push(neuronsDut, psumDut);
    const R = spec.rows;
    const C = spec.cols;
    const sum = Object.fromEntries(TILE_COUNTERS.map((c) => [c, 0])) as Record<string, number>;
    for (let ct = 0; ct < CT; ct++) {
      let z: number[][] | undefined;
      for (let rt = 0; rt < RT; rt++) {
        const last = rt === RT - 1;
        const steps = [];
        for (let s = 0; s < S; s++) {
          for (let t = 0; t < T; t++) {
            const m = s * T + t;
            const spikes = Array.from({ length: R }, (_, r) => (rt * R + r < op.dIn ? x[m * op.dIn + rt * R + r]! : 0));
            const psum = rt === 0 ? Array.from({ length: C }, (_, c) => (bias && ct * C + c < op.dOut ? bias[ct * C + c]! : 0)) : z![m]!;
            steps.push({ spikes, psum, restart: t === 0, notBefore: 0 });
          }
        }
        const run = await runTile(last ? neuronsDut : psumDut, last ? spec : psumSpec(spec), tileLevels(spec, weights, op.dIn, op.dOut, rt, ct), { adcShift: op.tiles.adcShift[rt * CT + ct]!, threshold: op.theta }, steps);
        expect(run.accept.length).toBe(S * T);
        expect(run.counters, `tile (${rt}, ${ct})`).toEqual(lin.tileCounters(rt, ct));
        for (const c of TILE_COUNTERS) sum[c]! += run.counters[c];
        if (last) {
          // the RTL's spikes are the functional model's
          for (let m = 0; m < S * T; m++) for (let c = 0; c < C && ct * C + c < op.dOut; c++) expect(run.out[m]![c], `spike m=${m} col=${ct * C + c}`).toBe(spikesOut[m * op.dOut + ct * C + c]);
        }
        z = run.out;
      }
    }
    expect(sum.active_rows).toBeGreaterThan(0);
    expect(sum.adc_conversions).toBeGreaterThan(0);
    // the energy model's source: SnnModel's counters of the op (weight_writes, programming, excluded) and eventsFromSnn
    const snn = ref.model.tileCounters().get('L0.up')!;
    const ev = eventsFromSnn(ref.model, 'sotu-relu').linears.find((l) => l.name === 'L0.up')!;
    for (const c of TILE_COUNTERS) {
      if (c === 'weight_writes') continue;
      expect(snn[c], c).toBe(sum[c]);
      expect(ev.counters[c] * S, c).toBeCloseTo(sum[c]!, 6);
    }
    console.log(`chip ${chipName} L0.up (${RT}x${CT} tiles, ${S} tokens x T=${T}): RTL counters = functional = energy-model events: ${TILE_COUNTERS.map((c) => `${c} ${sum[c]}`).join(', ')}`);
  });

  it('L0.attn: the attention unit\'s counters on layer 0\'s Q/K/V counts', async () => {
    const { spec, ops } = attentionRun(ref, 'L0.attn', S);
    const dut = await startAttention(spec);
    duts.push(dut);
    const got = await dut.stream(planAttention(spec, ops));
    const last = got[got.length - 1]!;
    const fn = ref.model.attentionCounters().get('L0.attn')!;
    const ev = eventsFromSnn(ref.model, 'sotu-relu').attentions.find((a) => a.name === 'L0.attn')!;
    for (const c of ATT_COUNTERS) {
      expect(Number(last[`cnt_${c}`]), c).toBe(fn[c]);
      expect(ev.counters[c] * S, c).toBeCloseTo(fn[c], 6);
    }
    expect(fn.kv_reads).toBeGreaterThan(0);
    console.log(`chip ${chipName} L0.attn (${S} tokens): RTL counters = functional = energy-model events: ${ATT_COUNTERS.map((c) => `${c} ${fn[c]}`).join(', ')}`);
  });
});
