// RTL in the loop (docs/chip.md, "Running a program"): the first transformer block of models/sotu-relu, compiled for
// the `loop` chip (one column of four 128 x 128 tiles: smaller than one layer, so the block is weight-streamed in
// five loads, ops in parts of their column tiles), loaded through the configuration bus and run for two tokens on
// the Verilator-simulated chip top, the digital ops on the host. Every tensor and every counter equals the chip
// functional model's, and the RTL equals the golden chip model on every output of every cycle. The whole model over
// more tokens is `npm run bench -- --only chip`.
import { afterAll, describe, expect, it } from 'vitest';
import type { Dut } from '../src/harness/cocotb.js';
import { startChip } from './chip_cosim.js';
import { loopReference, runLoop } from './chip_loop.js';
import { CHIP_SETS } from './chip_sets.js';

let dut: Dut | undefined;
afterAll(async () => dut?.close());

describe('RTL in the loop: sotu-relu block 0 on the loop chip', () => {
  it('two tokens: bit-exact with the functional model, counters included; RTL = golden every cycle', async () => {
    const spec = CHIP_SETS.loop!;
    const ref = loopReference(spec, 2);
    dut = await startChip(spec);
    const lines: string[] = [];
    const { result, session, differences } = await runLoop(dut, spec, ref, { stopAfter: 'L0.res_ffn', log: (l) => lines.push(l) });
    console.log([...lines, session.board.report(), `${session.cycle} cycles; phase cycles per load and token ${JSON.stringify(result.phaseCycles)}`].join('\n'));
    expect(session.board.count, session.board.report()).toBe(0);
    expect(differences, differences.slice(0, 20).join('\n')).toEqual([]);
    // it ran what it claims: the block's six linear ops and its attention op, streamed in several loads, one op
    // in parts of its column tiles, the down projection as a chain of four
    expect([...result.tileCounters.keys()].sort()).toEqual(['L0.down', 'L0.k', 'L0.o', 'L0.q', 'L0.up', 'L0.v'].sort());
    expect(result.attentionCounters.get('L0.attn')?.tokens ?? [...result.attentionCounters.values()][0]!.tokens).toBe(2);
    expect(result.loads.length).toBeGreaterThan(1);
    expect(result.loads.some((l) => l.placements.some((p) => p.chains.some((c) => c.length === 4)))).toBe(true);
    expect(lines.some((l) => /\[\d/.test(l))).toBe(true);
    expect([...result.tileCounters.values()].every((c) => c.timesteps > 0 && c.cell_reads > 0)).toBe(true);
  });
});
