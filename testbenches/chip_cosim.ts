// Co-simulation driver for the chip top: host work (bus writes and reads, spike packets into the host port) is
// turned into per-cycle port vectors by a planner that holds each operation on the ports until the golden chip
// model says it is taken (bus_ready, sin_ready); the off-chip memory is the behavioural model, fed by the golden
// model's requests. The vectors are then streamed through the RTL (Verilator) and every chip output of every cycle
// is compared with what the golden model showed; results (read data, host spikes, attention outputs) are taken
// from the RTL's own outputs.
import { chipTop } from '../dsl/chip.js';
import type { ChipBackend, Delivered, FlushResult, Phase } from '../src/chip/backend.js';
import { ChipCycleModel, quietChipInputs, type ChipPortsIn } from '../src/golden/chip-cycle.js';
import { OffchipMemory } from '../src/golden/offchip-memory.js';
import { Scoreboard } from '../src/harness/assert.js';
import { Dut } from '../src/harness/cocotb.js';
import { elaborate } from '../src/hdl/index.js';
import type { ChipSpec } from '../src/spec/chip.js';
import type { Rng } from '../src/util/random.js';

type Vector = Record<string, number | bigint>;

const signed = (v: bigint, w: number) => Number(v >> BigInt(w - 1) ? v - (1n << BigInt(w)) : v);

export async function startChip(spec: ChipSpec): Promise<Dut> {
  return Dut.start(elaborate(() => chipTop(spec)));
}

/**
 * One chip under test: the golden model plans cycles as phases are added; flush() runs the planned cycles on the
 * RTL, compares every output every cycle and returns what the RTL produced.
 */
export class ChipSession implements ChipBackend {
  readonly model: ChipCycleModel;
  readonly board: Scoreboard;
  private vectors: Vector[] = [];
  private expected: Record<string, bigint>[] = [];
  private readAt: number[] = [];
  private unchecked = new Set<number>();
  /** cycles streamed to the RTL so far */
  cycle = 0;
  /** golden model cycles per second and RTL cycles per second, accumulated */
  planMs = 0;
  simMs = 0;
  private readonly memory?: OffchipMemory;

  constructor(
    readonly spec: ChipSpec,
    readonly dut: Dut,
    name: string,
    readonly opts: { rng?: Rng; soutStall?: number; memory?: OffchipMemory } = {},
  ) {
    this.model = new ChipCycleModel(spec);
    this.board = new Scoreboard(name);
    this.memory = opts.memory;
  }

  /** Records one cycle: the golden model's outputs for inputs x, then its edge. */
  private step(x: ChipPortsIn): Record<string, bigint> {
    const mem = this.memory?.outputs();
    if (mem) Object.assign(x, { mem_req_ready: mem.req_ready, mem_data_valid: mem.data_valid, mem_data: mem.data, mem_data_last: mem.data_last });
    const o = this.model.outputs(x);
    this.vectors.push({ ...x });
    this.expected.push(o);
    this.model.edge(x);
    this.memory?.edge({ req_valid: o.mem_req_valid!, req_addr: o.mem_req_addr!, req_len: o.mem_req_len!, data_ready: o.mem_data_ready! });
    return o;
  }

  /** Resets the chip; the outputs of the first reset cycle (the state before it: a reused DUT's last test) are not compared. */
  reset(cycles = 2): void {
    this.unchecked.add(this.vectors.length);
    for (let i = 0; i < cycles; i++) this.step({ ...quietChipInputs(), rst: 1 });
  }

  /** Plans a phase on the golden model (nothing runs on the RTL until flush). */
  plan(ph: Phase): number {
    const t0 = performance.now();
    const bus = [...(ph.bus ?? [])];
    const pk = [...(ph.packets ?? [])];
    const max = ph.maxCycles ?? 1_000_000;
    let n = 0;
    const rng = this.opts.rng;
    for (;;) {
      const done = bus.length === 0 && pk.length === 0;
      if (done && (!ph.until || ph.until(this.model))) break;
      if (++n > max) throw new Error(`chip planner: phase '${ph.label}' not done after ${max} cycles (${bus.length} bus ops and ${pk.length} packets left)`);
      const x = quietChipInputs();
      x.sout_ready = rng && this.opts.soutStall && rng.chance(this.opts.soutStall) ? 0 : 1;
      const op = bus[0];
      if (op?.kind === 'write') Object.assign(x, { bus_we: 1, bus_addr: op.addr, bus_wdata: op.data });
      if (op?.kind === 'read') Object.assign(x, { bus_re: 1, bus_addr: op.addr });
      // packets follow the phase's bus writes (its routing entries apply from the edge after they are written)
      const p = bus.length === 0 ? pk[0] : undefined;
      if (p) Object.assign(x, { sin_valid: 1, sin_neuron: p.neuron, sin_timestep: p.timestep, sin_payload: p.payload < 0 ? p.payload + 2 ** this.model.rs.payloadBits : p.payload });
      const at = this.vectors.length;
      const o = this.step(x);
      if (op && o.bus_ready === 1n) {
        if (op.kind === 'read') this.readAt.push(at);
        bus.shift();
      }
      if (p && o.sin_ready === 1n) pk.shift();
    }
    for (let i = 0; i < (ph.idle ?? 0); i++) this.step(quietChipInputs());
    this.planMs += performance.now() - t0;
    return n;
  }

  /** Runs the planned cycles on the RTL and compares every output of every cycle. */
  async flush(): Promise<FlushResult> {
    const t0 = performance.now();
    const got = await this.dut.stream(this.vectors);
    this.simMs += performance.now() - t0;
    const h = this.dut.handles;
    const spikes: Delivered[] = [];
    const attention: FlushResult['attention'] = [];
    const pb = this.model.rs.payloadBits;
    got.forEach((o, i) => {
      const e = this.expected[i]!;
      if (!this.unchecked.has(i)) for (const [k, v] of Object.entries(e)) this.board.check(this.cycle + i, k, v, o[k]!, h[k]!.width, h[k]!.signed);
      if (o.sout_valid === 1n && Number(this.vectors[i]!.sout_ready) === 1) spikes.push({ cycle: this.cycle + i, src: Number(o.sout_src), neuron: Number(o.sout_neuron), timestep: Number(o.sout_timestep), payload: signed(o.sout_payload!, pb) });
      if (o.att_out_valid === 1n) attention.push({ cycle: this.cycle + i, word: Number(o.att_out_word), step: Number(o.att_out_step), spikes: o.att_out_spikes!, v: o.att_out_v! });
    });
    // a read's word is on bus_rdata in the cycle after its edge
    const reads = this.readAt.map((i) => (i + 1 < got.length ? got[i + 1]!.bus_rdata! : this.pendingRead(i)));
    const cycles = got.length;
    this.cycle += cycles;
    this.vectors = [];
    this.expected = [];
    this.readAt = [];
    this.unchecked.clear();
    return { reads, spikes, attention, cycles };
  }

  private pendingRead(i: number): never {
    throw new Error(`chip session: the read planned in cycle ${this.cycle + i} ends the flush; plan one idle cycle after it`);
  }
}

