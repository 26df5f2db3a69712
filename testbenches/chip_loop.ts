// RTL in the loop: the reference model (models/sotu-relu) compiled for the `loop` chip (testbenches/chip_sets.ts),
// loaded through the chip's configuration bus and run token by token on the Verilator-simulated chip top (host
// digital ops in TS), compared with the chip functional model (SnnModel) on the same tokens: every tensor, every
// tile's counters (per op), the attention unit's counters, the slots' packet counters and the router's counters
// (against the functional router model on the functional model's spikes). The golden chip model plans every cycle
// and is compared with the RTL on every output of every cycle as well.
import path from 'node:path';
import { compileModel } from '../src/compiler/compile.js';
import type { ChipProgram, ProgOp } from '../src/compiler/program.js';
import { ChipLoop, type LoopResult, type Value } from '../src/chip/host.js';
import { expectedTraffic } from '../src/chip/traffic.js';
import type { Dut } from '../src/harness/cocotb.js';
import { PROJECT_ROOT } from '../src/hdl/srcloc.js';
import { readTextSpec } from '../src/lm/data/text-spec.js';
import { loadModel } from '../src/lm/load.js';
import { SnnModel } from '../src/runtime/snn.js';
import { chipConfigOf, SLOT_COUNTERS, type ChipSpec } from '../src/spec/chip.js';
import { TILE_COUNTERS } from '../src/spec/crossbar.js';
import { ATT_COUNTERS } from '../src/spec/attention.js';
import { ChipSession } from './chip_cosim.js';

export interface LoopReference {
  program: ChipProgram;
  tokens: number[];
  /** every tensor of the block: [S][T][width] spikes, [S][width] integers */
  tensors: Map<string, Value>;
  model: SnnModel;
}

const bytes = (spec: string, n: number) => Array.from(Buffer.from(readTextSpec(spec, n * 4).text, 'utf8')).slice(0, n);
const programs = new Map<string, ChipProgram>();

/** sotu-relu compiled for the chip (a short calibration: the check needs a real program, not a good one), and the functional model's run on `tokens` of held-out text. */
export function loopReference(spec: ChipSpec, tokens: number): LoopReference {
  const chip = chipConfigOf(spec);
  let program = programs.get(chip.name);
  if (!program) {
    const { lm } = loadModel(path.join(PROJECT_ROOT, 'models', 'sotu-relu'));
    program = compileModel(lm, 'models/sotu-relu', chip, { calibration: bytes('sotu:train', 512), adcTokens: 128 });
    programs.set(chip.name, program);
  }
  return referenceRun(program, bytes('sotu:test', tokens));
}

/** The chip functional model's run of a program on a block of tokens, every tensor kept. */
export function referenceRun(program: ChipProgram, ids: number[]): LoopReference {
  const model = new SnnModel(program);
  const tensors = new Map<string, Value>();
  const st = model.newState();
  model.forward(ids, st, (t, v) => tensors.set(t, v));
  model.endSequence(st);
  return { program, tokens: ids, tensors, model };
}

/** Token s of a reference tensor. */
export function tokenSlice(ref: LoopReference, name: string, s: number): Value {
  const v = ref.tensors.get(name)!;
  const n = v.length / ref.tokens.length;
  return v.subarray(s * n, (s + 1) * n);
}

/** Everything the loop produced that differs from the functional model, one line each (empty: bit-exact). */
export function compareLoop(ref: LoopReference, res: LoopResult, spec: ChipSpec): string[] {
  const p = ref.program;
  const bad: string[] = [];
  for (const [name, perToken] of res.tensors) {
    perToken.forEach((got, s) => {
      const want = tokenSlice(ref, name, s);
      if (got.length !== want.length) return void bad.push(`${name} token ${s}: ${got.length} values, functional ${want.length}`);
      const i = got.findIndex((x, k) => x !== want[k]);
      if (i >= 0) bad.push(`${name} token ${s}: element ${i} = ${got[i]}, functional ${want[i]} (${got.filter((x, k) => x !== want[k]).length} of ${got.length} differ)`);
    });
  }
  const fTiles = ref.model.tileCounters();
  for (const [op, c] of res.tileCounters) for (const k of TILE_COUNTERS) if (c[k] !== fTiles.get(op)![k]) bad.push(`${op} tile counter ${k}: chip ${c[k]}, functional ${fTiles.get(op)![k]}`);
  const fAtt = ref.model.attentionCounters();
  for (const [op, c] of res.attentionCounters) for (const k of ATT_COUNTERS) if (c[k] !== fAtt.get(op)![k]) bad.push(`${op} attention counter ${k}: chip ${c[k]}, functional ${fAtt.get(op)![k]}`);
  // slot counters from the functional spikes: packets out = nonzero spikes; in = nonzero inputs, once per column tile
  const S = ref.tokens.length;
  const T = p.chip.T;
  const nnz = (name: string) => {
    let n = 0;
    for (const x of ref.tensors.get(name)!) if (x !== 0) n++;
    return n;
  };
  for (const [name, c] of res.slotCounters) {
    const op = p.ops.find((o): o is ProgOp & { kind: 'linear' } => o.kind === 'linear' && o.name === name)!;
    const { rowTiles: RT, colTiles: CT } = op.tiles;
    const want = { packets_out: op.readout === 'spikes' ? nnz(op.out) : 0, markers_out: op.readout === 'spikes' ? S * T * CT : 0, packets_in: CT * nnz(op.input), markers_in: S * T * RT * CT, dropped_in: 0 };
    for (const k of SLOT_COUNTERS) if (c[k] !== want[k]) bad.push(`${name} slot counter ${k}: chip ${c[k]}, functional ${want[k]}`);
  }
  res.loads.forEach((seg, i) => {
    const want = expectedTraffic(p, spec, seg, S, (name, s) => tokenSlice(ref, name, s));
    const got = res.routerCounters[i]!;
    for (const k of ['injected', 'unrouted', 'delivered', 'hops', 'replications'] as const) if (got[k] !== want[k]) bad.push(`load ${i} router counter ${k}: chip ${got[k]}, functional ${want[k]}`);
    if (got.refused_writes !== 0) bad.push(`load ${i}: the router refused ${got.refused_writes} writes`);
  });
  return bad;
}

/** Runs the loop on the RTL; returns the result, the session (its scoreboard: RTL = golden every cycle) and the differences from the functional model. */
export async function runLoop(dut: Dut, spec: ChipSpec, ref: LoopReference, opts: { stopAfter?: string; log?: (s: string) => void } = {}) {
  const session = new ChipSession(spec, dut, `chip loop ${chipConfigOf(spec).name}`);
  session.reset();
  session.plan({ label: 'clear after reset', until: (m) => m.quiet() && m.tiles.every((t) => t.ready) && m.att.ready, idle: 1 });
  const loop = new ChipLoop(ref.program, spec, session);
  const result = await loop.run(ref.tokens, { stopAfter: opts.stopAfter, log: opts.log });
  return { result, session, differences: compareLoop(ref, result, spec) };
}
