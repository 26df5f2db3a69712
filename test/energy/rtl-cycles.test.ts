// The cycle model (src/energy/latency.ts) against Verilator, on two chip configurations: (1) the FFN segment of
// layer 0 of the reference model (encoder -> up projection chain -> down projection chain, every row tile a
// Verilator-built tile, each offered its timestep as soon as the previous stage's outputs are buffered) token by
// token with the inputs the functional model saw; (2) the attention unit's cycles per token on layer 0's Q/K/V.
// Measured: the tiles and the attention unit (RTL). Composed: the encoder's timing (docs/lif.md, its model), the
// one-edge handoff between stages. The goal is agreement within 5 %; the figures are printed.
import { afterAll, describe, expect, it } from 'vitest';
import { tileSpec } from '../../src/compiler/chip-config.js';
import { tileStepCycles } from '../../src/compiler/map.js';
import { blob, type ProgOp } from '../../src/compiler/program.js';
import { activityOf, DEFAULT_ASSUMPTIONS, planOf, tokenCycles, type LatOp } from '../../src/energy/latency.js';
import type { Dut } from '../../src/harness/cocotb.js';
import { tokenSchedule } from '../../src/spec/attention.js';
import type { CrossbarSpec } from '../../src/spec/crossbar.js';
import { planVectors as planAttention, startAttention } from '../../testbenches/attention_cosim.js';
import { startTile } from '../../testbenches/crossbar_cosim.js';
import { attentionRun, CHIPS, referenceSetup } from './reference-setup.js';
import { runTile, tileLevels, type TileStepIn } from './rtl-tile.js';

const duts: Dut[] = [];
afterAll(async () => {
  await Promise.all(duts.map((d) => d.close()));
});
const psumSpec = (t: CrossbarSpec): CrossbarSpec => {
  const { neuron: _, ...rest } = t;
  return { ...rest, output: 'psum' };
};
type LinearOp = ProgOp & { kind: 'linear' };

describe.each(Object.keys(CHIPS))('chip %s: cycle model vs Verilator', (chipName) => {
  const TOKENS = 6;
  const ref = referenceSetup(CHIPS[chipName]!, TOKENS);
  const p = ref.program;
  const T = p.chip.T;

  it('layer-0 FFN segment (encoder, up chain, down chain), token by token, within 5 %', async () => {
    const lin = (n: string) => p.ops.find((o): o is LinearOp => o.kind === 'linear' && o.name === n)!;
    const up = lin('L0.up');
    const down = lin('L0.down');
    const plan = planOf(p);
    const enc = plan.find((o) => o.name === 'L0.h2.encode')!;
    const seg: LatOp[] = [{ kind: 'host', name: 'in', out: 'L0.h2' }, enc, plan.find((o) => o.name === 'L0.up')!, plan.find((o) => o.name === 'L0.down')!];
    const spec = tileSpec(p.chip, up.tiles.kind);
    const dspec = tileSpec(p.chip, down.tiles.kind);
    const duts4 = { upN: await startTile(spec), upP: await startTile(psumSpec(spec)), downN: await startTile(dspec), downP: await startTile(psumSpec(dspec)) };
    duts.push(...Object.values(duts4));
    const words = Math.ceil((enc as LatOp & { kind: 'encode' }).width / DEFAULT_ASSUMPTIONS.encoderLanes);
    let measuredTotal = 0;
    let modelTotal = 0;
    const rows: string[] = [];
    for (let s = 0; s < TOKENS; s++) {
      const xs = (t: string) => ref.tensors.get(t) as Int8Array;
      const act = new Map([[up.name, activityOf(p, up, xs(up.input), s * T * up.dIn)], [down.name, activityOf(p, down, xs(down.input), s * T * down.dIn)]]);
      const model = tokenCycles(seg, p.chip, (op, rt, t) => act.get(op)![rt]![t]!, s + 1).cycles;
      // the encoder (not on RTL here) makes step t available at (t + 1) words + 2 (its schedule), from edge 0
      let avail = Array.from({ length: T }, (_, t) => (t + 1) * words + 2);
      for (const [op, st, dutN, dutP] of [[up, spec, duts4.upN, duts4.upP], [down, dspec, duts4.downN, duts4.downP]] as const) {
        const x = xs(op.input);
        const w = blob(p, op.weights);
        const bias = op.bias ? blob(p, op.bias) : undefined;
        let z: number[][] | undefined;
        for (let rt = 0; rt < op.tiles.rowTiles; rt++) {
          const last = rt === op.tiles.rowTiles - 1;
          const steps: TileStepIn[] = Array.from({ length: T }, (_, t) => ({
            spikes: Array.from({ length: st.rows }, (_, r) => (rt * st.rows + r < op.dIn ? x[(s * T + t) * op.dIn + rt * st.rows + r]! : 0)),
            psum: rt === 0 ? Array.from({ length: st.cols }, (_, c) => (bias && c < op.dOut ? bias[c]! : 0)) : z![t]!,
            restart: t === 0,
            notBefore: avail[t]!,
          }));
          const run = await runTile(last ? dutN : dutP, last ? st : psumSpec(st), tileLevels(st, w, op.dIn, op.dOut, rt, 0), { adcShift: op.tiles.adcShift[rt * op.tiles.colTiles]!, threshold: op.theta }, steps);
          z = run.out;
          // the next stage may take step t once this one's outputs are buffered: one edge after the cycle showing them
          avail = run.done.map((d) => d + 1);
        }
      }
      const measured = avail[T - 1]!;
      measuredTotal += measured;
      modelTotal += model;
      rows.push(`token ${s}: RTL ${measured}, model ${model}`);
    }
    const crude = T * tileStepCycles(spec) + T * tileStepCycles(dspec);
    const err = (modelTotal - measuredTotal) / measuredTotal;
    console.log(`chip ${chipName}: FFN segment over ${TOKENS} tokens: Verilator ${measuredTotal} cycles, cycle model ${modelTotal} (${(100 * err).toFixed(2)} %); map.ts's first estimate (every row group active, ops not overlapped, no encoder) ${crude * TOKENS}\n  ${rows.join('\n  ')}`);
    expect(Math.abs(err)).toBeLessThanOrEqual(0.05);
  });

  it('the attention unit: cycles per token on layer 0\'s Q/K/V, within 5 %', async () => {
    const { op, spec, ops } = attentionRun(ref, 'L0.attn', TOKENS);
    const dq = op.heads * op.headDim;
    const dut = await startAttention(spec);
    duts.push(dut);
    const vec = planAttention(spec, ops);
    const got = await dut.stream(vec);
    const accepts: number[] = [];
    got.forEach((o, i) => {
      if (Number(vec[i]!.in_valid) && !Number(vec[i]!.cfg_we) && o.ready === 1n) accepts.push(i);
    });
    expect(accepts).toHaveLength(TOKENS);
    // back to back, a token occupies the unit from its accepting edge to the next one; the last one until the edge
    // of the cycle in which ready is 1 again (where a next token would be taken)
    let end = accepts[TOKENS - 1]! + 1;
    while (got[end]!.ready !== 1n) end++;
    const measured = [...accepts.slice(1), end].map((a, i) => a - accepts[i]!);
    // the latency model's attention op: outputs complete at encode start, the encoder's last step 3 cycles after its last word
    const model = Array.from({ length: TOKENS }, (_, s) => {
      const sched = tokenSchedule(spec, s + 1, T);
      const plan: LatOp[] = [{ kind: 'host', name: 'in', out: 'qkv' }, { kind: 'attention', name: 'a', inputs: ['qkv'], out: 'o', spec }, { kind: 'encode', name: 'e', input: 'o', out: 's', width: dq, attention: spec }];
      const c = tokenCycles(plan, p.chip, () => ({ groups: 0, active: 0 }), s + 1).cycles;
      expect(c).toBe(sched.encode + sched.issues + 3);
      return c;
    });
    const mt = measured.reduce((a, b) => a + b, 0);
    const ct = model.reduce((a, b) => a + b, 0);
    const err = (ct - mt) / mt;
    console.log(`chip ${chipName}: attention unit over ${TOKENS} tokens: Verilator ${mt} cycles (${measured.join(', ')}), cycle model ${ct} (${model.join(', ')}): ${(100 * err).toFixed(2)} %`);
    expect(Math.abs(err)).toBeLessThanOrEqual(0.05);
  });
});
