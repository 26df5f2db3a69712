// Running one crossbar tile of a compiled linear op on the RTL (Verilator): its weights, registers and timesteps
// planned with the golden cycle model (each timestep offered no earlier than a given cycle and held until taken),
// then the RTL's own outputs read back: accepting and done cycles per timestep, partial sums or spikes per step,
// and the counters. Cycle i is the i-th vector; its ending edge is edge i.
import { CrossbarTileCycleModel, type TilePortsIn } from '../../src/golden/crossbar-cycle.js';
import type { Dut } from '../../src/harness/cocotb.js';
import { colGroups, encodeWeight, inputWidth, TILE_COUNTERS, type CrossbarSpec, type TileCounter } from '../../src/spec/crossbar.js';
import { signedSpikes, type NeuronSpec } from '../../src/spec/lif.js';
import { loadWeights, packFields, tileVector, writeReg, type TileOp, type Vector } from '../../testbenches/crossbar_cosim.js';

export interface TileStepIn {
  spikes: number[];
  psum: number[];
  restart: boolean;
  /** the earliest cycle in which the timestep may be offered */
  notBefore: number;
}

export interface TileRun {
  /** per timestep: the cycle whose edge accepted it, and the cycle that shows its last column group */
  accept: number[];
  done: number[];
  /** per timestep: z (psum tiles) or spikes (neurons tiles), one per column */
  out: number[][];
  counters: Record<TileCounter, number>;
  /** the first cycle after configuration */
  start: number;
}

const field = (v: bigint, i: number, w: number, signed: boolean) => {
  const b = (v >> BigInt(i * w)) & ((1n << BigInt(w)) - 1n);
  return Number(signed && b >> BigInt(w - 1) ? b - (1n << BigInt(w)) : b);
};

/** The weights of tile (rt, ct) of a [dIn][dOut] matrix as canonical cells (missing rows/columns are zero). */
export function tileLevels(spec: CrossbarSpec, w: Int32Array, dIn: number, dOut: number, rt: number, ct: number) {
  return (r: number, c: number, s: number): [number, number] => {
    const i = rt * spec.rows + r;
    const j = ct * spec.cols + c;
    const x = i < dIn && j < dOut ? w[i * dOut + j]! : 0;
    const cells = encodeWeight(x, spec);
    return [cells.pos[s]!, cells.neg[s]!];
  };
}

/** Plans and runs one tile: reset, weights, registers, then the timesteps; returns what the RTL did. */
export async function runTile(dut: Dut, spec: CrossbarSpec, levels: (r: number, c: number, s: number) => [number, number], regs: { adcShift: number; threshold?: number }, steps: readonly TileStepIn[]): Promise<TileRun> {
  const model = new CrossbarTileCycleModel(spec);
  const xw = inputWidth(spec);
  const vectors: Vector[] = [];
  const quiet: TilePortsIn = { rst: 0, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0, in_spikes: 0n, in_psum: 0n, in_restart: 0 };
  const push = (x: TilePortsIn) => {
    vectors.push(tileVector(spec, x));
    model.edge(x);
  };
  const config: TileOp[] = [...loadWeights(spec, levels), writeReg(spec, 'adcShift', regs.adcShift)];
  if (spec.output === 'neurons') config.push(writeReg(spec, 'threshold', regs.threshold ?? 0));
  push({ ...quiet, rst: 1 });
  for (const op of config) {
    if (op.kind !== 'write') continue;
    for (let g = 0; ; g++) {
      if (g > 100_000) throw new Error('runTile: the tile never became ready for a write');
      const taken = model.ready;
      push({ ...quiet, cfg_we: 1, cfg_addr: op.addr, cfg_data: op.data });
      if (taken) break;
    }
  }
  const start = vectors.length;
  for (const s of steps) {
    const x: TilePortsIn = { ...quiet, in_valid: 1, in_spikes: packFields(s.spikes, xw), in_psum: packFields(s.psum, spec.psumBits), in_restart: s.restart ? 1 : 0 };
    while (vectors.length < start + s.notBefore) push(quiet);
    for (let g = 0; ; g++) {
      if (g > 100_000) throw new Error('runTile: the tile never became ready for a timestep');
      const taken = model.ready;
      push(x);
      if (taken) break;
    }
  }
  // let the last timestep finish: until the tile is ready again (the cycle showing its last group), then a few more
  push(quiet);
  while (!model.ready) push(quiet);
  for (let i = 0; i < 4; i++) push(quiet);
  const got = await dut.stream(vectors);
  const G = colGroups(spec);
  const accept: number[] = [];
  const done: number[] = [];
  const out: number[][] = [];
  let cur: number[] = [];
  for (let i = start; i < got.length; i++) {
    const o = got[i]!;
    if (Number(vectors[i]!.in_valid) && !Number(vectors[i]!.cfg_we) && o.ready === 1n) accept.push(i - start);
    if (o.out_valid === 1n) {
      const vals = spec.output === 'psum' ? o.out_psum! : o.out_spikes!;
      const w = spec.output === 'psum' ? spec.psumBits : Number(dut.handles.out_spikes!.width) / spec.colsPerCycle;
      const signed = spec.output === 'psum' || signedSpikes(spec.neuron as NeuronSpec);
      for (let j = 0; j < spec.colsPerCycle; j++) cur.push(field(vals, j, w, signed));
      const g = G > 1 ? Number(o.out_group) : 0;
      if (g === G - 1) {
        done.push(i - start);
        out.push(cur);
        cur = [];
      }
    }
  }
  const last = got[got.length - 1]!;
  const counters = Object.fromEntries(TILE_COUNTERS.map((c) => [c, Number(last[`cnt_${c}`])])) as Record<TileCounter, number>;
  if (done.length !== accept.length) throw new Error(`runTile: ${accept.length} timesteps accepted, ${done.length} finished`);
  return { accept, done, out, counters, start };
}
