// Cycle-level golden model of the chip top (docs/chip.md), written from the spec: the golden models of the modules
// the chip instantiates (crossbar tiles, router mesh, attention unit, pruning controller, weight-streaming loader),
// composed with the chip's own glue (bus decoder from src/spec/chip-map.ts, staging words, slot buffers, chains,
// packetizers, holds, read mux). outputs(x) is what the chip's ports show during a cycle with inputs x; edge(x) is
// the rising edge that ends it. Every next value is computed from the state before the edge, as in the RTL.
import { captureLoc, formatLoc } from '../hdl/srcloc.js';
import { ATT_COUNTERS } from '../spec/attention.js';
import {
  attentionSpecOfChip,
  BUS_COUNTERS,
  checkChipSpec,
  chipId,
  hostTile,
  loaderSpecOf,
  northOf,
  positions,
  pruningSpecOf,
  routerSpecOf,
  SLOT_COUNTERS,
  SLOT_MODE,
  slotCount,
  slotKind,
  southOf,
  tileSpecOf,
  type ChipSpec,
} from '../spec/chip.js';
import { ATT_TOKEN, busMap, colMaskStatus, decodeRead, decodeWrite, LOADER_REG, PRUNE_REG, PRUNE_STATUS, SLOT_REG, unpackCommand, type BusMap, type WriteEffect } from '../spec/chip-map.js';
import { cfgAddress, colGroups, crossbarMap, inputWidth, REGION, TILE_COUNTERS, type CrossbarMap } from '../spec/crossbar.js';
import { LOADER_COUNTERS } from '../spec/memory.js';
import { PRUNING_COUNTERS, type PruningSpec } from '../spec/pruning.js';
import { registerAddress, ROUTER_COUNTERS, tileBits, type RouterSpec } from '../spec/router.js';
import { AttentionCycleModel } from './attention-cycle.js';
import { CrossbarTileCycleModel } from './crossbar-cycle.js';
import { spikeWidth } from './lif.js';
import { PruningCycleModel } from './pruning-cycle.js';
import { RouterMeshModel } from './router.js';
import { WeightStreamModel } from './weight-stream.js';

export interface ChipPortsIn {
  rst: number;
  bus_we: number;
  bus_re: number;
  bus_addr: number;
  bus_wdata: bigint;
  sin_valid: number;
  sin_neuron: number;
  sin_timestep: number;
  sin_payload: number;
  sout_ready: number;
  mem_req_ready: number;
  mem_data_valid: number;
  mem_data: bigint;
  mem_data_last: number;
}

export const quietChipInputs = (): ChipPortsIn => ({ rst: 0, bus_we: 0, bus_re: 0, bus_addr: 0, bus_wdata: 0n, sin_valid: 0, sin_neuron: 0, sin_timestep: 0, sin_payload: 0, sout_ready: 1, mem_req_ready: 0, mem_data_valid: 0, mem_data: 0n, mem_data_last: 0 });

const mask = (w: number) => (1n << BigInt(w)) - 1n;
const toSigned = (v: number, w: number) => (v >= 2 ** (w - 1) ? v - 2 ** w : v);
const bit = (v: bigint, i: number) => Number((v >> BigInt(i)) & 1n);

interface Slot {
  mode: number;
  chain: number;
  /** raw P-bit words */
  bias: bigint[];
  /** [t][r]: signed row inputs */
  inbuf: Int32Array[];
  have: number;
  nxt: number;
  runStep: number;
  /** [c]: raw P-bit partial sums from the slot above */
  psBuf: bigint[];
  psFull: number;
  linkBusy: number;
  outBusy: number;
  /** [c]: spike values */
  spk: Int32Array;
  pend: Uint8Array;
  sending: number;
  sendStep: number;
  /** [c]: raw vWidth-bit membranes */
  mem: bigint[];
  counters: bigint[];
  lastPacket: bigint;
}

/** One cycle's combinational values (from the state and the cycle's inputs). */
interface Comb {
  tile: Record<string, bigint>[];
  router: Record<string, bigint>;
  att: Record<string, bigint>;
  prune?: Record<string, bigint>;
  loader: Record<string, bigint>;
  eff?: WriteEffect;
  ready: boolean;
  wr: boolean;
  rd: boolean;
  good: boolean;
  refused: boolean;
  took: boolean[];
  tileWe: { we: number; addr: number; data: bigint }[];
  tgtReady: number;
}

export class ChipCycleModel {
  readonly map: BusMap;
  readonly tiles: CrossbarTileCycleModel[];
  readonly router: RouterMeshModel;
  readonly att: AttentionCycleModel;
  readonly prune?: PruningCycleModel;
  readonly loader: WeightStreamModel;
  readonly N: number;
  readonly rs: RouterSpec;
  private readonly ps?: PruningSpec;
  private readonly tmap: CrossbarMap;
  private readonly G: number;
  private readonly xw: number;
  private readonly sw: number[];
  private readonly id: number;
  private slots: Slot[] = [];
  private stage: bigint[] = [];
  private busErr = 0;
  private busCnt: bigint[] = [];
  private rdata = 0n;
  private rvalid = 0;
  private attQ: bigint[] = [];
  private attK: bigint[] = [];
  private attV: bigint[] = [];
  private attPending = 0;
  private attSeq = 0;
  private ldTarget = 0;
  private watch = 0;
  private copy = 0n;
  private pend: Uint8Array;
  private combCache: { x: ChipPortsIn; c: Comb } | undefined;

  constructor(readonly spec: ChipSpec) {
    checkChipSpec(spec, captureLoc(), 'ChipCycleModel');
    this.map = busMap(spec);
    this.N = slotCount(spec);
    this.rs = routerSpecOf(spec);
    const tile = tileSpecOf(spec, 'signed');
    this.tmap = crossbarMap(tile);
    this.G = colGroups(tile);
    this.xw = inputWidth(tile);
    this.tiles = Array.from({ length: this.N }, (_, s) => new CrossbarTileCycleModel(tileSpecOf(spec, slotKind(spec, s))));
    this.sw = Array.from({ length: this.N }, (_, s) => spikeWidth({ ...tileSpecOf(spec, slotKind(spec, s)).neuron!, iWidth: spec.tile.psumBits, neurons: 1 }));
    this.router = new RouterMeshModel(this.rs);
    this.att = new AttentionCycleModel(attentionSpecOfChip(spec));
    if (spec.pruning.enabled) {
      this.ps = pruningSpecOf(spec);
      this.prune = new PruningCycleModel(this.ps);
    }
    this.loader = new WeightStreamModel(loaderSpecOf(spec));
    this.id = chipId(spec);
    this.pend = new Uint8Array(this.N);
    this.resetGlue();
  }

  private resetGlue(): void {
    const p = this.spec;
    const C = p.tile.cols;
    this.slots = Array.from({ length: this.N }, () => ({
      mode: SLOT_MODE.off,
      chain: 0,
      bias: new Array<bigint>(C).fill(0n),
      inbuf: Array.from({ length: p.timesteps }, () => new Int32Array(p.tile.rows)),
      have: 0,
      nxt: 0,
      runStep: 0,
      psBuf: new Array<bigint>(C).fill(0n),
      psFull: 0,
      linkBusy: 0,
      outBusy: 0,
      spk: new Int32Array(C),
      pend: new Uint8Array(C),
      sending: 0,
      sendStep: 0,
      mem: new Array<bigint>(C).fill(0n),
      counters: SLOT_COUNTERS.map(() => 0n),
      lastPacket: 0n,
    }));
    this.stage = new Array<bigint>(this.map.stageSlots).fill(0n);
    this.busErr = 0;
    this.busCnt = BUS_COUNTERS.map(() => 0n);
    this.rdata = 0n;
    this.rvalid = 0;
    const regionWords = (name: string) => this.map.regions.find((r) => r.unit === 'attention' && r.name === name)!.words.length;
    this.attQ = new Array<bigint>(regionWords('q')).fill(0n);
    this.attK = new Array<bigint>(regionWords('k')).fill(0n);
    this.attV = new Array<bigint>(regionWords('v')).fill(0n);
    this.attPending = 0;
    this.attSeq = 0;
    this.ldTarget = 0;
    this.watch = 0;
    this.copy = 0n;
    this.pend.fill(0);
  }

  // ---- the cycle's combinational values ----

  private ldBusyOn(s: number, loader: Record<string, bigint>): boolean {
    return loader.cmd_ready === 0n && this.ldTarget === s;
  }

  private comb(x: ChipPortsIn): Comb {
    if (this.combCache && this.combCache.x === x) return this.combCache.c;
    const N = this.N;
    const tile = this.tiles.map((t) => t.outputs());
    const tReady = (s: number) => tile[s]!.ready === 1n;
    const tgtReady = tReady(this.ldTarget) && !this.pend[this.ldTarget] ? 1 : 0;
    const router = this.router.outputs();
    const att = this.att.outputs();
    const prune = this.prune?.outputs();
    const loader = this.loader.outputs({ tgt_ready: tgtReady });
    const we = x.bus_we === 1;
    const eff = we ? decodeWrite(this.map, x.bus_addr, x.bus_wdata, this.stage) : undefined;
    let waitFor = true;
    if (eff?.ok) {
      const u = eff.unit;
      const r = eff.region;
      if (u === 'slot' && r.forward === 'tile') waitFor = tReady(eff.slot) && !this.ldBusyOn(eff.slot, loader) && !this.pend[eff.slot];
      else if (u === 'attention') waitFor = r.name === 'registers' ? att.ready === 1n : this.attPending === 0;
      else if (u === 'loader' && r.name === 'registers') waitFor = loader.cmd_ready === 1n;
      else if (u === 'pruning' && r.name === 'registers' && eff.index === PRUNE_REG.tokenEnd) waitFor = prune!.ready === 1n && prune!.mask_valid === 0n;
    }
    const ready = !we || !eff!.ok || waitFor;
    const wr = we && ready;
    const rd = x.bus_re === 1 && !we;
    const good = wr && eff!.ok;
    const readOk = rd ? decodeRead(this.map, x.bus_addr).ok : true;
    const refused = (wr && !eff!.ok) || (rd && !readOk);
    // tile configuration ports: a pending pruning mask, then the loader, then the bus
    const tileWe = Array.from({ length: N }, (_, s) => {
      if (this.pend[s] && prune) return { we: 1, addr: cfgAddress(this.tmap, REGION.mask, 0), data: prune.row_mask! };
      if (loader.cfg_we === 1n && this.ldTarget === s) return { we: 1, addr: Number(loader.cfg_addr), data: loader.cfg_data! };
      if (good && eff!.ok && eff!.unit === 'slot' && eff!.slot === s && eff!.region.forward === 'tile') return { we: 1, addr: cfgAddress(this.tmap, eff!.region.region, eff!.index), data: eff!.value };
      return { we: 0, addr: 0, data: 0n };
    });
    const took = this.slots.map((sl, s) => {
      const hold = this.ldBusyOn(s, loader) || (prune !== undefined && bit(this.copy, s) === 1 && (this.pend[s] === 1 || prune.ready === 0n || prune.mask_valid === 1n));
      const outFree = sl.mode === SLOT_MODE.link ? !sl.linkBusy : sl.mode === SLOT_MODE.spikes ? !sl.outBusy : true;
      const valid = sl.mode !== SLOT_MODE.off && ((sl.have >> sl.nxt) & 1) === 1 && (!sl.chain || sl.psFull === 1) && outFree && !hold;
      return valid && tReady(s) && tileWe[s]!.we === 0;
    });
    const c: Comb = { tile, router, att, prune, loader, eff, ready, wr, rd, good, refused, took, tileWe, tgtReady };
    this.combCache = { x, c };
    return c;
  }

  // ---- ports ----

  outputs(x: ChipPortsIn): Record<string, bigint> {
    const c = this.comb(x);
    const H = hostTile(this.spec);
    const r = c.router;
    const rs = this.rs;
    const f = (name: string, w: number) => (r[name]! >> BigInt(H * w)) & mask(w);
    const o: Record<string, bigint> = {
      bus_ready: c.ready ? 1n : 0n,
      bus_rvalid: BigInt(this.rvalid),
      bus_rdata: this.rdata,
      bus_error: BigInt(this.busErr),
      sin_ready: (r.in_ready! >> BigInt(H)) & 1n,
      sout_valid: (r.out_valid! >> BigInt(H)) & 1n,
      sout_src: f('out_src', tileBits(rs)),
      sout_neuron: f('out_neuron', rs.neuronBits),
      sout_timestep: f('out_timestep', rs.timestepBits),
      sout_payload: f('out_payload', rs.payloadBits),
      att_out_valid: c.att.out_valid!,
      att_out_word: c.att.out_word!,
      att_out_step: c.att.out_step!,
      att_out_spikes: c.att.out_spikes!,
      att_out_v: c.att.out_v!,
      mem_req_valid: c.loader.req_valid!,
      mem_req_addr: c.loader.req_addr!,
      mem_req_len: c.loader.req_len!,
      mem_data_ready: c.loader.data_ready!,
    };
    return o;
  }

  /** The value a read of `addr` returns in this cycle (0 when refused). */
  private readValue(addr: number, c: Comb): bigint {
    const e = decodeRead(this.map, addr);
    if (!e.ok) return 0n;
    const i = e.index;
    const cnt = (o: Record<string, bigint>, names: readonly string[]) => o[`cnt_${names[i]}`]!;
    switch (e.unit) {
      case 'chip':
        return e.region.name === 'info' ? BigInt([this.id, this.N][i]!) : this.busCnt[i]!;
      case 'router':
        return e.region.name === 'counters' ? cnt(c.router, ROUTER_COUNTERS) : c.router.cfg_error!;
      case 'attention': {
        if (e.region.name === 'counters') return cnt(c.att, ATT_COUNTERS);
        const a = c.att;
        return [BigInt(this.attPending) | (a.ready! << 1n) | (a.ctx_error! << 2n) | (a.cfg_error! << 3n), a.tok_pos!, a.cache_len!][i]!;
      }
      case 'loader': {
        if (e.region.name === 'counters') return cnt(c.loader, LOADER_COUNTERS);
        return c.loader.cmd_ready! | (c.loader.loaded! << 1n) | (c.loader.fault! << 2n);
      }
      case 'pruning': {
        const pr = c.prune!;
        if (e.region.name === 'counters') return cnt(pr, PRUNING_COUNTERS);
        const B = BigInt(this.map.dataBits);
        const colAt = colMaskStatus(this.map);
        if (i < PRUNE_STATUS.flags) return [pr.enabled_rows!, pr.active_cols!, pr.last_rows_off!, pr.last_rows_on!][i]!;
        if (i === PRUNE_STATUS.flags) return pr.ready! | (this.pend.some((b) => b === 1) ? 2n : 0n);
        if (i < colAt) return (pr.row_mask! >> (BigInt(i - PRUNE_STATUS.rowMask) * B)) & mask(this.map.dataBits);
        return (pr.col_mask! >> (BigInt(i - colAt) * B)) & mask(this.map.dataBits);
      }
      case 'slot': {
        const sl = this.slots[e.slot]!;
        const t = c.tile[e.slot]!;
        if (e.region.name === 'membranes') return sl.mem[i]!;
        if (e.region.name === 'counters') return i < TILE_COUNTERS.length ? t[`cnt_${TILE_COUNTERS[i]}`]! : sl.counters[i - TILE_COUNTERS.length]!;
        if (i === 0) return t.ready! | (t.cfg_error! << 1n) | (BigInt(sl.linkBusy) << 2n) | (BigInt(sl.outBusy) << 3n) | (BigInt(sl.psFull) << 4n);
        return [0n, BigInt(sl.have), BigInt(sl.nxt), sl.lastPacket][i]!;
      }
    }
  }

  // ---- the edge ----

  edge(x: ChipPortsIn): void {
    const p = this.spec;
    const N = this.N;
    if (x.rst) {
      for (const t of this.tiles) t.edge({ rst: 1, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0, in_spikes: 0n, in_psum: 0n, in_restart: 0 });
      this.router.edge({ rst: 1, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0n, in_neuron: 0n, in_timestep: 0n, in_payload: 0n, out_ready: 0n });
      this.att.edge({ rst: 1, cfg_we: 0, cfg_addr: 0, cfg_data: 0n, in_valid: 0, in_seq_start: 0, in_q: 0n, in_k: 0n, in_v: 0n });
      this.prune?.edge({ rst: 1, row_valid: 0, row_in: 0n, col_valid: 0, col_group: 0, col_out: 0n, token_end: 0 });
      this.loader.edge({ rst: 1, cmd_valid: 0, cmd_src: 0, cmd_count: 0, cmd_region: 0, cmd_base: 0, cmd_first: 0, req_ready: 0, data_valid: 0, data: 0n, data_last: 0, tgt_ready: 0 });
      this.resetGlue();
      this.combCache = undefined;
      return;
    }
    const c = this.comb(x);
    const e = c.good && c.eff!.ok ? c.eff! : undefined;
    const R = p.tile.rows;
    const C = p.tile.cols;
    const Pc = p.tile.colsPerCycle;
    const P = p.tile.psumBits;
    const vw = p.neuronVWidth;
    const T = p.timesteps;
    const rs = this.rs;
    const H = hostTile(p);
    const cw = p.tile.counterBits;

    // router ports from the slots' packetizers and the host
    let inValid = 0n;
    let inNeuron = 0n;
    let inTs = 0n;
    let inPayload = 0n;
    for (let t = positions(p) - 1; t >= 0; t--) {
      let v = 0;
      let n = 0;
      let ts = 0;
      let pl = 0;
      if (t === H) [v, n, ts, pl] = [x.sin_valid, x.sin_neuron, x.sin_timestep, x.sin_payload];
      else {
        const sl = this.slots[t]!;
        if (sl.sending) {
          v = 1;
          ts = sl.sendStep;
          const j = sl.pend.indexOf(1);
          if (j >= 0) [n, pl] = [j, sl.spk[j]!];
        }
      }
      inValid = (inValid << 1n) | BigInt(v);
      inNeuron = (inNeuron << BigInt(rs.neuronBits)) | BigInt(n);
      inTs = (inTs << BigInt(rs.timestepBits)) | BigInt(ts);
      inPayload = (inPayload << BigInt(rs.payloadBits)) | (BigInt(pl) & mask(rs.payloadBits));
    }
    const outReady = (BigInt(x.sout_ready & 1) << BigInt(H)) | mask(N);
    let rCfgWe = 0;
    let rCfgAddr = 0;
    let rCfgData = 0n;
    if (e?.unit === 'router') {
      rCfgWe = 1;
      rCfgAddr = e.region.name === 'registers' ? registerAddress(rs, 0) : e.index;
      rCfgData = e.value;
    }

    // attention unit
    const attCfgWe = e?.unit === 'attention' && e.region.name === 'registers' ? 1 : 0;
    const packWords = (ws: bigint[], widths: number[]) => ws.reduceRight((acc, w, k) => (acc << BigInt(widths[k]!)) | w, 0n);
    const widthsOf = (name: string) => this.map.regions.find((r) => r.unit === 'attention' && r.name === name)!.words.map((w) => w!.width);
    const attIn = { rst: 0, cfg_we: attCfgWe, cfg_addr: attCfgWe ? e!.index : 0, cfg_data: attCfgWe ? e!.value : 0n, in_valid: this.attPending, in_seq_start: this.attSeq, in_q: packWords(this.attQ, widthsOf('q')), in_k: packWords(this.attK, widthsOf('k')), in_v: packWords(this.attV, widthsOf('v')) };

    // pruning controller taps on the watched slot
    let pruneIn: Parameters<PruningCycleModel['edge']>[0] | undefined;
    if (this.prune && this.ps) {
      const w = this.watch;
      const to = c.tile[w]!;
      const sl = this.slots[w]!;
      const rowValid = c.took[w]! ? 1 : 0;
      let rowIn = 0n;
      if (rowValid) for (let r = R - 1; r >= 0; r--) rowIn = (rowIn << BigInt(this.xw)) | (BigInt(sl.inbuf[sl.nxt]![r]!) & mask(this.xw));
      const colValid = Number(to.out_valid);
      let colOut = 0n;
      if (colValid) {
        const sw = this.sw[w]!;
        for (let j = Pc - 1; j >= 0; j--) {
          const raw = Number((to.out_spikes! >> BigInt(j * sw)) & mask(sw));
          const v = slotKind(p, w) === 'signed' ? toSigned(raw, sw) : raw;
          colOut = (colOut << BigInt(this.ps.colWidth)) | (BigInt(v) & mask(this.ps.colWidth));
        }
      }
      const tokenEnd = e?.unit === 'pruning' && e.index === PRUNE_REG.tokenEnd && e.region.name === 'registers' ? 1 : 0;
      pruneIn = { rst: 0, row_valid: rowValid, row_in: rowIn, col_valid: colValid, col_group: this.G > 1 ? Number(to.out_group) : 0, col_out: colOut, token_end: tokenEnd };
    }

    // loader
    const cmdValid = e?.unit === 'loader' && e.index === LOADER_REG.command ? 1 : 0;
    const cmd = cmdValid ? unpackCommand(this.map, e!.value) : { src: 0, count: 0, region: 0, base: 0, first: false };
    const loaderIn = { rst: 0, cmd_valid: cmdValid, cmd_src: cmd.src, cmd_count: cmd.count, cmd_region: cmd.region, cmd_base: cmd.base, cmd_first: cmd.first ? 1 : 0, req_ready: x.mem_req_ready, data_valid: x.mem_data_valid, data: x.mem_data, data_last: x.mem_data_last, tgt_ready: c.tgtReady };

    // tiles' timestep inputs (packed only when a step is taken)
    const tileIns = this.slots.map((sl, s) => {
      const tw = c.tileWe[s]!;
      const took = c.took[s]!;
      let spikes = 0n;
      let psum = 0n;
      if (took) {
        const row = sl.inbuf[sl.nxt]!;
        for (let r = R - 1; r >= 0; r--) spikes = (spikes << BigInt(this.xw)) | (BigInt(row[r]!) & mask(this.xw));
        const ps = sl.chain ? sl.psBuf : sl.bias;
        for (let k = C - 1; k >= 0; k--) psum = (psum << BigInt(P)) | ps[k]!;
      }
      const hold = !took;
      return { rst: 0, cfg_we: tw.we, cfg_addr: tw.addr, cfg_data: tw.data, in_valid: hold ? 0 : 1, in_spikes: spikes, in_psum: psum, in_restart: sl.mode === SLOT_MODE.link || sl.nxt === 0 ? 1 : 0 };
    });

    // ---- glue next state (from the state before the edge) ----
    const rdValue = c.rd ? this.readValue(x.bus_addr, c) : this.rdata;
    const clearBus = e?.unit === 'chip' && e.region.name === 'registers';
    const busInc = [c.wr, c.rd, c.refused];
    this.busCnt = this.busCnt.map((v, k) => (clearBus ? 0n : busInc[k] ? (v + 1n) & mask(cw) : v));
    this.busErr = clearBus ? 0 : c.refused ? 1 : this.busErr;
    this.rdata = rdValue;
    this.rvalid = c.rd ? 1 : 0;
    if (e?.unit === 'chip' && e.region.name === 'stage') this.stage[e.index] = e.value;
    if (e?.unit === 'attention') {
      const n = e.region.name;
      if (n === 'q') this.attQ[e.index] = e.value;
      if (n === 'k') this.attK[e.index] = e.value;
      if (n === 'v') this.attV[e.index] = e.value;
      if (n === 'token' && e.index === ATT_TOKEN.token) this.attSeq = Number(e.value & 1n);
    }
    const attTok = e?.unit === 'attention' && e.region.name === 'token';
    this.attPending = attTok ? 1 : c.att.ready === 1n && !attCfgWe ? 0 : this.attPending;
    if (e?.unit === 'loader' && e.index === LOADER_REG.target) this.ldTarget = Number(e.value);
    if (e?.unit === 'pruning' && e.region.name === 'registers') {
      if (e.index === PRUNE_REG.watch) this.watch = Number(e.value);
      if (e.index === PRUNE_REG.copy) this.copy = e.value;
    }
    if (this.prune) {
      const mv = c.prune!.mask_valid === 1n;
      for (let s = 0; s < N; s++) {
        if (mv && bit(this.copy, s)) this.pend[s] = 1;
        else if (c.tile[s]!.ready === 1n) this.pend[s] = 0;
      }
    }

    const old = this.slots.map((sl) => ({ linkBusy: sl.linkBusy, mode: sl.mode }));
    this.slots.forEach((sl, s) => {
      const to = c.tile[s]!;
      const took = c.took[s]!;
      const mode = sl.mode;
      const clearSlot = e?.unit === 'slot' && e.slot === s && e.region.name === 'registers' && e.index === SLOT_REG.clearCounters;
      // a packet delivered by the router
      const pv = Number((c.router.out_valid! >> BigInt(s)) & 1n);
      const fld = (name: string, w: number) => Number((c.router[name]! >> BigInt(s * w)) & mask(w));
      const pts = fld('out_timestep', rs.timestepBits);
      const ppl = fld('out_payload', rs.payloadBits);
      const tsOk = pts < T;
      const deposit = pv === 1 && tsOk && ppl !== 0;
      const markIn = pv === 1 && tsOk && ppl === 0;
      const dropped = pv === 1 && !tsOk;
      const nxt = sl.nxt;
      if (took) sl.inbuf[nxt]!.fill(0);
      if (deposit) sl.inbuf[pts]![fld('out_neuron', rs.neuronBits) % R] = toSigned(ppl, rs.payloadBits);
      let have = sl.have;
      if (took) have &= ~(1 << nxt);
      if (markIn) have |= 1 << pts;
      if (pv) sl.lastPacket = (((((BigInt(fld('out_src', tileBits(rs))) << BigInt(rs.neuronBits)) | BigInt(fld('out_neuron', rs.neuronBits))) << BigInt(rs.timestepBits)) | BigInt(pts)) << BigInt(rs.payloadBits)) | BigInt(ppl);
      // partial sums from the slot above
      const n = northOf(p, s);
      let psFull = sl.psFull;
      if (n !== undefined) {
        const no = c.tile[n]!;
        const nv = no.out_valid === 1n && old[n]!.mode === SLOT_MODE.link;
        const ng = this.G > 1 ? Number(no.out_group) : 0;
        if (nv) for (let j = 0; j < Pc; j++) sl.psBuf[ng * Pc + j] = (no.out_v! >> BigInt(j * vw)) & mask(P);
        if (took) psFull = 0;
        else if (nv && ng === this.G - 1) psFull = 1;
      }
      const so = southOf(p, s);
      let linkBusy = sl.linkBusy;
      if (so !== undefined) {
        if (took && mode === SLOT_MODE.link) linkBusy = 1;
        else if (c.took[so]) linkBusy = 0;
      }
      // tile outputs: membranes kept, spikes to send
      const ov = to.out_valid === 1n;
      const og = this.G > 1 ? Number(to.out_group) : 0;
      const spikesMode = mode === SLOT_MODE.spikes;
      const sw = this.sw[s]!;
      const pendAny = sl.pend.indexOf(1);
      const txTake = sl.sending === 1 && ((c.router.in_ready! >> BigInt(s)) & 1n) === 1n;
      const txMarker = txTake && pendAny < 0;
      if (ov) {
        for (let j = 0; j < Pc; j++) {
          sl.mem[og * Pc + j] = (to.out_v! >> BigInt(j * vw)) & mask(vw);
          if (spikesMode) {
            const raw = Number((to.out_spikes! >> BigInt(j * sw)) & mask(sw));
            const v = slotKind(p, s) === 'signed' ? toSigned(raw, sw) : raw;
            sl.spk[og * Pc + j] = v;
            sl.pend[og * Pc + j] = v !== 0 ? 1 : 0;
          }
        }
      }
      // the bit sent at this edge is cleared after a group's spikes are stored (as the RTL's pend & ~sent)
      if (txTake && pendAny >= 0) sl.pend[pendAny] = 0;
      let sending = sl.sending;
      let sendStep = sl.sendStep;
      if (ov && og === this.G - 1 && spikesMode) {
        sending = 1;
        sendStep = sl.runStep;
      } else if (txMarker) sending = 0;
      let outBusy = sl.outBusy;
      if (took && spikesMode) outBusy = 1;
      else if (txMarker) outBusy = 0;
      // counters
      const ev = [txTake && pendAny >= 0, txMarker, deposit, markIn, dropped];
      sl.counters = sl.counters.map((v, k) => (clearSlot ? 0n : ev[k] ? (v + 1n) & mask(cw) : v));
      // commit (register writes last: everything above used the values before the edge)
      if (e?.unit === 'slot' && e.slot === s) {
        if (e.region.name === 'registers') {
          if (e.index === SLOT_REG.mode) sl.mode = Number(e.value);
          if (e.index === SLOT_REG.chain) sl.chain = Number(e.value);
        }
        if (e.region.name === 'bias') sl.bias[e.index] = e.value;
      }
      sl.have = have;
      sl.psFull = psFull;
      sl.linkBusy = linkBusy;
      sl.sending = sending;
      sl.sendStep = sendStep;
      sl.outBusy = outBusy;
      if (took) {
        sl.nxt = nxt === T - 1 ? 0 : nxt + 1;
        sl.runStep = nxt;
      }
    });

    // ---- sub-model edges with the inputs of this cycle ----
    this.tiles.forEach((t, s) => t.edge(tileIns[s]!));
    this.router.edge({ rst: 0, cfg_we: rCfgWe, cfg_addr: rCfgAddr, cfg_data: rCfgData, in_valid: inValid, in_neuron: inNeuron, in_timestep: inTs, in_payload: inPayload, out_ready: outReady });
    this.att.edge(attIn);
    if (this.prune && pruneIn) this.prune.edge(pruneIn);
    this.loader.edge(loaderIn);
    this.combCache = undefined;
  }

  /**
   * Nothing in flight: no packet in the router, no slot holding inputs, partial sums, a step in its tile or spikes
   * to send, the attention unit idle (no token offered, no output shown), the loader idle, no mask write pending.
   * Not a port: testbenches end a phase of host work with it.
   */
  /** The sticky bus error flag (bus_error). */
  get busError(): boolean {
    return this.busErr === 1;
  }

  quiet(): boolean {
    if (this.router.inFlight > 0 || this.attPending || !this.att.ready || !this.loader.idle || this.pend.some((b) => b === 1)) return false;
    if (this.att.outputs().out_valid === 1n) return false;
    return this.slots.every((sl, s) => {
      if (sl.have || sl.sending || sl.linkBusy || sl.outBusy || sl.psFull) return false;
      const t = this.tiles[s]!;
      return t.ready && t.outputs().out_valid === 0n;
    });
  }

  /** Bad data for a model port: names it and the caller's line. */
  static check(cond: boolean, what: string): void {
    if (!cond) throw new RangeError(`${what} (at ${formatLoc(captureLoc())})`);
  }
}
