// Chip-top figures for npm run bench: the whole of models/sotu-relu (every block and the head) compiled for the
// `loop` chip (testbenches/chip_sets.ts: one column of four 128 x 128 tiles, so each block is weight-streamed in
// loads over the configuration bus) and run for a few tokens on the Verilator-simulated chip top, the RTL compared
// with the golden chip model on every output of every cycle and the loop's tensors and counters with the chip
// functional model. Prints the chip cycles per token measured on the RTL beside the compiler's estimate, and the
// speeds of the RTL, the golden planner and the functional model on the same tokens.
import { SnnModel } from '../src/runtime/snn.js';
import { startChip } from '../testbenches/chip_cosim.js';
import { loopReference, runLoop } from '../testbenches/chip_loop.js';
import { CHIP_SETS } from '../testbenches/chip_sets.js';

type Put = (k: string, v: string) => void;

export async function benchChip(put: Put, tokens = Number(process.env.CHIP_BENCH_TOKENS ?? 8)): Promise<void> {
  const spec = CHIP_SETS.loop!;
  let t = performance.now();
  const ref = loopReference(spec, tokens);
  put('chip loop: compile sotu-relu + functional reference', `${((performance.now() - t) / 1000).toFixed(1)} s (${tokens} tokens)`);
  t = performance.now();
  const dut = await startChip(spec);
  put('chip loop: Verilator build + start of the loop chip', `${((performance.now() - t) / 1000).toFixed(1)} s`);
  try {
    t = performance.now();
    const { result, session, differences } = await runLoop(dut, spec, ref);
    const wall = performance.now() - t;
    const compute = result.phaseCycles.reduce((a, per) => a + per.reduce((x, y) => x + y, 0), 0);
    const loads = result.loadCycles.reduce((a, b) => a + b, 0);
    const reads = result.readCycles.reduce((a, b) => a + b, 0);
    put('chip loop: whole model on the RTL', `${result.loads.length} loads, ${session.cycle} cycles, ${(wall / 1000).toFixed(1)} s`);
    put('chip loop: RTL = golden chip model (every output, every cycle)', session.board.count === 0 ? `yes (${session.board.report().replace(/^PASS [^:]*: /, '')})` : `NO: ${session.board.report()}`);
    put('chip loop: tensors and counters = functional model', differences.length === 0 ? 'yes, bit-exact' : `NO: ${differences.length} differences, first: ${differences[0]}`);
    put('chip loop: compute cycles per token (RTL, measured)', `${(compute / tokens).toFixed(0)} (phases and attention tokens, ${tokens}-token block)`);
    put('chip loop: weight-streaming cycles per block of tokens (RTL)', `${loads} bus-load cycles + ${reads} counter-read cycles, once per block`);
    put('chip loop: cycles per token, compiler estimate (map.ts)', `${ref.program.summary.cyclesPerToken} (decode at full context, every row group active, no host-port serialisation)`);
    put('chip loop: RTL speed under Verilator', `${(session.cycle / (session.simMs / 1000)).toExponential(2)} cycles/s (${(session.simMs / 1000).toFixed(1)} s)`);
    put('chip loop: golden chip model (planner) speed', `${(session.cycle / (session.planMs / 1000)).toExponential(2)} cycles/s (${(session.planMs / 1000).toFixed(1)} s)`);
    t = performance.now();
    const m = new SnnModel(ref.program);
    m.windowLogits(ref.tokens);
    put('chip loop: functional model on the same tokens', `${((performance.now() - t) / 1000).toFixed(2)} s`);
  } finally {
    await dut.close();
  }
}
