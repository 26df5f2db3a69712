// End-to-end co-simulation of the streamed tile (dsl/streamed_tile.ts): tile images placed in the behavioural
// off-chip memory are streamed into the RTL crossbar tile by the RTL loader, then timesteps run. A planner drives the
// composed golden model (loader + tile cycle model) in a closed loop with the memory; the RTL is compared with it on
// every output every cycle, and the timesteps' results are compared with a golden timestep tile programmed directly
// with the same images (so the streamed image is the intended one).
import { streamedTile } from '../dsl/streamed_tile.js';
import { CrossbarTile } from '../src/golden/crossbar.js';
import { OffchipMemory } from '../src/golden/offchip-memory.js';
import { StreamedTileModel, type StreamedTilePortsIn } from '../src/golden/streamed-tile.js';
import { quietLoaderInputs } from '../src/golden/weight-stream.js';
import { spikeWidth } from '../src/golden/lif.js';
import type { Scoreboard } from '../src/harness/assert.js';
import { lockstep } from '../src/harness/lockstep.js';
import { Dut } from '../src/harness/cocotb.js';
import { elaborate } from '../src/hdl/index.js';
import { inputWidth } from '../src/spec/crossbar.js';
import { imageCommands, streamedLoaderSpec, tileImageParts, type StreamedTileParams, type TileImage } from '../src/spec/memory.js';
import type { Rng } from '../src/util/random.js';
import { XBAR_SETS, packFields } from './crossbar_cosim.js';
import type { StreamOp, Vector } from './weight_stream_cosim.js';

/** A neurons tile with several column groups (time-multiplexed neurons) and a bit-sliced psum tile with pad bits. */
export const STREAMED_SETS: Record<string, StreamedTileParams> = {
  neurons: { tile: XBAR_SETS.grouped!, stream: { beatBits: 16, addrBits: 12, maxBurst: 4, maxOutstanding: 2, timeoutCycles: 64, counterBits: 16 } },
  psum: { tile: XBAR_SETS.sliced!, stream: { beatBits: 32, addrBits: 14, maxBurst: 8, maxOutstanding: 3, timeoutCycles: 0, counterBits: 20 } },
};

export type TileStepOp = { kind: 'step'; spikes: number[]; psum: number[]; restart?: boolean };
export type StreamedOp =
  | Exclude<StreamOp, { kind: 'cmd' } | { kind: 'refused' } | { kind: 'target' }>
  /** an image loaded by its commands (placed in the memory at `src`) */
  | { kind: 'image'; image: TileImage; src: number }
  /** a timestep, held until the tile takes it */
  | TileStepOp
  /** a timestep offered for `cycles` cycles whether taken or not */
  | { kind: 'offer'; step: TileStepOp; cycles: number };

/** A random image: weights over the whole range, a mask with a few rows off, registers that make outputs move. */
export function randomImage(p: StreamedTileParams, rng: Rng): TileImage {
  const t = p.tile;
  const wmax = t.cellLevels ** t.slices - 1;
  const img: TileImage = {
    weights: Array.from({ length: t.rows * t.cols }, () => (rng.chance(0.2) ? 0 : rng.int(-wmax, wmax))),
    mask: Array.from({ length: t.rows }, () => (rng.chance(0.85) ? 1 : 0)),
    adcShift: rng.int(0, 2),
  };
  if (t.output === 'neurons') {
    img.threshold = rng.int(1, 6);
    if (t.neuron!.leak !== 'none') img.leak = rng.int(0, 2);
  }
  return img;
}

export function randomStep(p: StreamedTileParams, rng: Rng, density = 0.4): TileStepOp {
  const t = p.tile;
  const hi = t.inSpikes === 'binary' || t.inSpikes === 'signed' ? 1 : t.inLevels;
  const lo = t.inSpikes === 'signed' || t.inSpikes === 'graded-signed' ? -hi : 0;
  const pmax = 2 ** (t.psumBits - 3);
  return { kind: 'step', spikes: Array.from({ length: t.rows }, () => (rng.chance(density) ? rng.int(lo, hi) : 0)), psum: Array.from({ length: t.cols }, () => (rng.chance(0.5) ? 0 : rng.int(-pmax, pmax))), restart: rng.chance(0.1) };
}

export class StreamedTilePlanner {
  readonly model: StreamedTileModel;
  readonly mem: OffchipMemory;
  readonly vectors: Vector[] = [];
  /** timesteps taken, in order, and the image in effect for each (for the timestep-level reference) */
  readonly taken: { step: TileStepOp; image: number }[] = [];
  readonly images: TileImage[] = [];
  private readonly xw: number;

  constructor(
    readonly p: StreamedTileParams,
    rng: Rng,
  ) {
    this.model = new StreamedTileModel(p);
    const ls = streamedLoaderSpec(p);
    this.mem = new OffchipMemory(ls.beatBits, ls.addrBits, rng);
    this.xw = inputWidth(p.tile);
  }

  private cycle(x: Omit<StreamedTilePortsIn, 'req_ready' | 'data_valid' | 'data' | 'data_last'>, step?: TileStepOp): boolean {
    const mo = this.mem.outputs();
    const v: StreamedTilePortsIn = { ...x, req_ready: mo.req_ready, data_valid: mo.data_valid, data: mo.data, data_last: mo.data_last };
    const o = this.model.outputs();
    this.vectors.push({ ...v } as unknown as Vector);
    // `ready` includes `loaded`, so the loader is idle and writes nothing: the tile takes the timestep
    const took = !v.rst && v.in_valid === 1 && o.ready === 1n;
    if (v.rst) this.mem.flush();
    else this.mem.edge({ req_valid: o.req_valid!, req_addr: o.req_addr!, req_len: o.req_len!, data_ready: o.data_ready! });
    this.model.edge(v);
    if (took && step) this.taken.push({ step, image: this.images.length - 1 });
    return took;
  }

  private quiet(): Omit<StreamedTilePortsIn, 'req_ready' | 'data_valid' | 'data' | 'data_last'> {
    const { req_ready: _a, data_valid: _b, data: _c, data_last: _d, tgt_ready: _e, ...q } = quietLoaderInputs();
    return { ...q, in_valid: 0, in_spikes: 0n, in_psum: 0n, in_restart: 0 };
  }

  private stepInputs(s: TileStepOp) {
    return { ...this.quiet(), in_valid: 1, in_spikes: packFields(s.spikes, this.xw), in_psum: packFields(s.psum, this.p.tile.psumBits), in_restart: s.restart ? 1 : 0 };
  }

  apply(ops: readonly StreamedOp[]): this {
    const ls = streamedLoaderSpec(this.p);
    for (const op of ops) {
      if (op.kind === 'reset') {
        // the timestep reference (expectedGroups) starts from rest once: no reset after the first timestep
        if (this.taken.length) throw new Error('a reset after timesteps is not supported by the reference');
        this.cycle({ ...this.quiet(), rst: 1 });
      } else if (op.kind === 'idle') for (let i = 0; i < op.cycles; i++) this.cycle(this.quiet());
      else if (op.kind === 'memory') this.mem.timing = { ...this.mem.timing, ...op.timing };
      else if (op.kind === 'faults') this.mem.inject(...op.faults);
      else if (op.kind === 'stall') this.mem.stall(op.side, op.cycles);
      else if (op.kind === 'image') {
        const cmds = imageCommands(ls, tileImageParts(this.p.tile, op.image), op.src);
        this.images.push(op.image);
        for (const { cmd, beats } of cmds) {
          const x = { ...this.quiet(), cmd_valid: 1, cmd_src: cmd.src, cmd_count: cmd.count, cmd_region: cmd.region, cmd_base: cmd.base, cmd_first: cmd.first ? 1 : 0 };
          for (let guard = 0; ; guard++) {
            if (guard > 1_000_000) throw new Error('the loader never took the command');
            const taken = this.model.loader.idle;
            if (taken) {
              if (this.mem.busy) this.mem.flush(); // after a timeout
              this.mem.write(cmd.src, beats);
            }
            this.cycle(x);
            if (taken) break;
          }
        }
      } else if (op.kind === 'step') {
        for (let guard = 0; ; guard++) {
          if (guard > 1_000_000) throw new Error('the tile never took the timestep (is its image loaded?)');
          if (this.cycle(this.stepInputs(op), op)) break;
        }
      } else if (op.kind === 'offer') for (let i = 0; i < op.cycles; i++) this.cycle(this.stepInputs(op.step), op.step);
    }
    return this;
  }

  /** Runs until the loader and the tile are idle, plus the tile's output latency. */
  finish(): this {
    for (let guard = 0; !this.model.loader.idle || !this.model.tile.ready; guard++) {
      if (guard > 1_000_000) throw new Error('never idle');
      this.cycle(this.quiet());
    }
    for (let i = 0; i < 8; i++) this.cycle(this.quiet());
    return this;
  }
}

/** The column groups' outputs the timesteps should produce, from a timestep tile programmed with each image directly. */
export function expectedGroups(p: StreamedTileParams, taken: readonly { step: TileStepOp; image: number }[], images: readonly TileImage[]): bigint[] {
  const t = p.tile;
  const ref = new CrossbarTile(t);
  const G = t.cols / t.colsPerCycle;
  const sw = t.neuron ? spikeWidth({ ...t.neuron, iWidth: t.psumBits, neurons: 1 }) : 0;
  const out: bigint[] = [];
  let current = -1;
  for (const { step, image } of taken) {
    if (image !== current) {
      const img = images[image]!;
      ref.program(img.weights);
      if (img.mask) ref.setMask(img.mask);
      if (img.threshold !== undefined) ref.threshold = img.threshold;
      if (img.leak !== undefined) ref.leak = img.leak;
      if (img.adcShift !== undefined) ref.adcShift = img.adcShift;
      current = image;
    }
    const r = ref.step(step.spikes, step.psum, step.restart);
    for (let g = 0; g < G; g++) {
      const cols = Array.from({ length: t.colsPerCycle }, (_, j) => g * t.colsPerCycle + j);
      if (t.output === 'psum') out.push(packFields(cols.map((c) => r.z[c]!), t.psumBits));
      else out.push((packFields(cols.map((c) => r.v![c]!), t.neuron!.vWidth) << BigInt(t.colsPerCycle * sw)) | packFields(cols.map((c) => r.spikes![c]!), sw));
    }
  }
  return out;
}

/** The RTL's column-group outputs in order (out_valid cycles), packed as expectedGroups packs them. */
export function observedGroups(p: StreamedTileParams, outs: readonly Record<string, bigint>[]): bigint[] {
  const t = p.tile;
  const sw = t.neuron ? spikeWidth({ ...t.neuron, iWidth: t.psumBits, neurons: 1 }) : 0;
  return outs.filter((o) => o.out_valid).map((o) => (t.output === 'psum' ? o.out_psum! : (o.out_v! << BigInt(t.colsPerCycle * sw)) | o.out_spikes!));
}

/** Runs the vectors through RTL and a fresh composed golden model; every output compared on every cycle after the first reset. */
export async function cosimStreamedTile(dut: Dut, p: StreamedTileParams, vectors: Vector[], name: string, chunk = 25_000): Promise<{ scoreboard: Scoreboard; outputs: Record<string, bigint>[]; simMs: number; goldenMs: number }> {
  const r = await lockstep(dut, vectors, name, new StreamedTileModel(p), (v) => v as unknown as StreamedTilePortsIn, { chunk, keep: true });
  return { scoreboard: r.scoreboard, outputs: r.outputs!, simMs: r.simMs, goldenMs: r.goldenMs };
}

export async function startStreamedTile(p: StreamedTileParams): Promise<Dut> {
  return Dut.start(elaborate(() => streamedTile(p)));
}
