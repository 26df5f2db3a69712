// One tile slot of the chip (docs/chip.md, "Slots"): a crossbar tile with neurons (dsl/crossbar.ts) and the glue
// that connects it to the chip: the row-input buffers of T timesteps filled from the router, the partial-sum buffer
// filled by the slot above (chains), the bias registers, the packetizer that sends nonzero spikes and an
// end-of-step marker, the membrane store the host reads, the slot counters and the slot's read mux.
import { Bool, Module, UInt, bitsFor, cat, lit, log2ceil, mux, type Expr, type Signal } from '../src/hdl/index.js';
import { colGroups, crossbarMap, inputWidth, TILE_COUNTERS, type CrossbarSpec } from '../src/spec/crossbar.js';
import { SLOT_REG, SLOT_STATUS_BITS } from '../src/spec/chip-map.js';
import { SLOT_COUNTERS, SLOT_MODE, type TileKind } from '../src/spec/chip.js';
import { spikeType } from './lif_neuron.js';
import { crossbarName, crossbarTile } from './crossbar.js';
import { tileNeuronSpec } from '../src/spec/crossbar.js';

export interface SlotParams {
  tile: CrossbarSpec;
  kind: TileKind;
  /** a slot above (partial sums in) and below (partial sums out) exist; the pruning controller taps this slot */
  north: boolean;
  south: boolean;
  tap: boolean;
  /** bits of the router's src field */
  srcBits: number;
  timesteps: number;
  vWidth: number;
  busBits: number;
  indexBits: number;
  /** the router's packet fields */
  neuronBits: number;
  timestepBits: number;
  payloadBits: number;
}

export const slotName = (p: SlotParams) => `chip_slot_${p.kind[0]}${p.north ? 'n' : ''}${p.south ? 's' : ''}${p.tap ? 'p' : ''}_t${p.timesteps}_i${p.indexBits}_n${p.neuronBits}s${p.srcBits}__${crossbarName(p.tile)}`;

/** Fields of `packed`, field i at [i*w +: w]. */
const fields = (packed: Expr, n: number, w: number) => Array.from({ length: n }, (_, i) => packed.slice((i + 1) * w - 1, i * w));
/** Packs values, element 0 the least significant. */
const pack = (xs: Expr[]) => (xs.length === 1 ? xs[0]!.asUnsigned() : cat(...[...xs].reverse().map((x) => x.asUnsigned())));

/** Index of the lowest set bit of `bits` (0 when none is set). */
function lowestSet(bits: Expr, width: number): Expr {
  const t = UInt(Math.max(1, log2ceil(width)));
  let idx: Expr = lit(0, t);
  for (let i = width - 1; i >= 0; i--) idx = mux(bits.bit(i), lit(i, t), idx);
  return idx;
}

/** `values[sel]` for a small list (a mux chain; index >= length gives the last). */
function pick(sel: Expr, values: Expr[]): Expr {
  let out = values[values.length - 1]!;
  for (let i = values.length - 2; i >= 0; i--) out = mux(sel.eq(i), values[i]!, out);
  return out;
}

/** `tileModule`: the slot's crossbar tile (crossbarTile(p.tile)), when the caller shares one among slots. */
export function chipSlot(p: SlotParams, tileModule: Module = crossbarTile(p.tile)): Module {
  const tile = p.tile;
  const m = new Module(slotName(p), { kind: p.kind, north: p.north, south: p.south, tap: p.tap, timesteps: p.timesteps, tile: crossbarName(tile) }, `Chip tile slot (${p.kind} neurons): tile, input buffers, chain buffer, packetizer (spec: docs/chip.md)`);
  const { rows: R, cols: C, colsPerCycle: Pc, psumBits: P } = tile;
  const T = p.timesteps;
  const G = colGroups(tile);
  const gw = Math.max(1, log2ceil(G));
  const xw = inputWidth(tile);
  const tmap = crossbarMap(tile);
  const sw = spikeType(tileNeuronSpec(tile)).width;
  const vw = p.vWidth;
  const tsb = p.timestepBits;
  const rowBits = log2ceil(R);
  const cw = tile.counterBits;
  const B = p.busBits;

  // ---- ports ----
  const tileWe = m.input('tile_we', Bool, 'a configuration write for the tile (validated and prioritized by the top)');
  const tileAddr = m.input('tile_addr', UInt(tmap.addrBits));
  const tileData = m.input('tile_data', UInt(tmap.dataBits));
  const wrEn = m.input('wr_en', Bool, 'a validated write to the slot\'s registers (region 3) or bias (region 4)');
  const wrRegion = m.input('wr_region', Bool, '0: registers (region 3), 1: bias (region 4)');
  const wrIndex = m.input('wr_index', UInt(p.indexBits));
  const wrData = m.input('wr_data', UInt(P), 'the word (bias: psumBits; registers: the low bits)');
  const rdRegion = m.input('rd_region', UInt(2), 'read select: 0 membranes, 1 counters, 2 status (regions 5, 6, 7)');
  const rdIndex = m.input('rd_index', UInt(p.indexBits));
  const hold = m.input('hold', Bool, 'no timestep may be taken (a pruning mask or a stream load is pending)');
  const pkValid = m.input('pk_valid', Bool, 'the router delivers a packet (always taken)');
  const pkSrc = m.input('pk_src', UInt(p.srcBits));
  const pkNeuron = m.input('pk_neuron', UInt(p.neuronBits));
  const pkTimestep = m.input('pk_timestep', UInt(tsb));
  const pkPayload = m.input('pk_payload', UInt(p.payloadBits), 'signed spike value; 0 = end-of-step marker');
  const txReady = m.input('tx_ready', Bool, 'the router takes the packet offered');
  const northValid = p.north ? m.input('north_valid', Bool, 'the slot above shows a column group of partial sums') : undefined;
  const northGroup = p.north ? m.input('north_group', UInt(gw)) : undefined;
  const northPsum = p.north ? m.input('north_psum', UInt(Pc * P), 'its partial sums, lane j at [j*psumBits +: psumBits]') : undefined;
  const southTook = p.south ? m.input('south_took', Bool, 'the slot below took a timestep (the link is free again)') : undefined;

  // ---- registers ----
  const regWrite = (i: number) => wrEn.and(wrRegion.not()).and(wrIndex.eq(i));
  const mode = m.reg('mode', UInt(2), { reset: SLOT_MODE.off, enable: regWrite(SLOT_REG.mode) }, 'off, link, spikes, membrane');
  mode.assign(wrData.slice(1, 0));
  let chain: Expr = lit(0, Bool);
  if (p.north) {
    const c = m.reg('chain', Bool, { reset: 0, enable: regWrite(SLOT_REG.chain) }, '1: partial sums from the slot above');
    c.assign(wrData.bit(0));
    chain = c;
  }
  const clearSlot = m.let('clear_slot_counters', regWrite(SLOT_REG.clearCounters));
  const isLink = m.let('is_link', mode.eq(SLOT_MODE.link));
  const isSpikes = m.let('is_spikes', mode.eq(SLOT_MODE.spikes));
  const bias = Array.from({ length: C }, (_, c) => {
    const r = m.reg(`bias_${c}`, UInt(P), { reset: 0, enable: wrEn.and(wrRegion).and(wrIndex.eq(c)) });
    r.assign(wrData);
    return r;
  });

  // ---- tile ----
  const tReady = m.wire('tile_ready_w', Bool);
  const tOutValid = m.wire('tile_out_valid', Bool);
  const tOutGroup = G > 1 ? m.wire('tile_out_group', UInt(gw)) : undefined;
  const tSpikes = m.wire('tile_out_spikes', UInt(Pc * sw));
  const tV = m.wire('tile_out_v', UInt(Pc * vw));
  const tCfgError = m.wire('tile_cfg_error', Bool);
  const tCounters = TILE_COUNTERS.map((c) => m.wire(`tile_cnt_${c}`, UInt(cw)));
  const outGroup: Expr = tOutGroup ?? lit(0, UInt(gw));

  // ---- input buffers: one per timestep, filled by the router ----
  const nxt = m.reg('next_step', UInt(tsb), { reset: 0 }, 'the timestep taken next');
  const runStep = m.reg('run_step', UInt(tsb), { reset: 0 }, 'the timestep in the tile');
  const have = m.reg('have', UInt(T), { reset: 0 }, 'bit t: step t\'s end-of-step marker has arrived');
  const outBusy = m.reg('out_busy', Bool, { reset: 0 }, 'spikes mode: a step is in the tile or being sent');
  const linkBusy = p.south ? m.reg('link_busy', Bool, { reset: 0 }, 'link mode: a step sent down is not yet taken by the slot below') : undefined;
  const psFull = p.north ? m.reg('psum_full', Bool, { reset: 0 }, 'every column group of the slot above\'s step is buffered') : undefined;
  const haveNext = m.let('have_next', T === 1 ? have.bit(0) : have.shrVar(nxt).bit(0));
  const linkFree: Expr = linkBusy ? linkBusy.not() : lit(1, Bool);
  const outFree = m.let('out_free', mux(isLink, linkFree, mux(isSpikes, outBusy.not(), lit(1, Bool))));
  const chainOk: Expr = psFull ? chain.not().or(psFull) : lit(1, Bool);
  const inValid = m.let('step_valid', mode.ne(SLOT_MODE.off).and(haveNext).and(chainOk).and(outFree).and(hold.not()));
  const took = m.let('step_take', inValid.and(tReady).and(tileWe.not()));

  const tsOk = 2 ** tsb === T ? lit(1, Bool) : pkTimestep.lt(T);
  const marker = m.let('pk_marker', pkPayload.eq(0));
  const deposit = m.let('pk_deposit', pkValid.and(tsOk).and(marker.not()));
  const markIn = m.let('pk_mark', pkValid.and(tsOk).and(marker));
  // the delivered packet's field in a buffer word: its value and its bit mask, at row * xw
  const rowAt = m.let('pk_row_bit', pkNeuron.slice(rowBits - 1, 0).mul(xw));
  const rowValue = m.let('pk_row_value', pkPayload.slice(xw - 1, 0).resize(R * xw).shlVar(rowAt));
  const rowMask = m.let('pk_row_mask', lit(2 ** xw - 1, UInt(R * xw)).shlVar(rowAt).not());
  const bufs: Signal[] = [];
  for (let t = 0; t < T; t++) {
    const buf = m.reg(`inbuf_${t}`, UInt(R * xw), { reset: 0 }, `row inputs of step ${t}, row r at [r*${xw} +: ${xw}]`);
    const kept = m.let(`inbuf_${t}_kept`, mux(took.and(nxt.eq(t)), lit(0, UInt(R * xw)), buf));
    // the deposit wins over the clear of the step taken at the same edge (docs/chip.md)
    buf.assign(mux(deposit.and(pkTimestep.eq(t)), kept.and(rowMask).or(rowValue), kept));
    bufs.push(buf);
  }
  const haveSet = pack(Array.from({ length: T }, (_, t) => markIn.and(pkTimestep.eq(t))));
  const haveClr = pack(Array.from({ length: T }, (_, t) => took.and(nxt.eq(t))));
  have.assign(have.and(haveClr.not()).or(haveSet));
  m.when(took, () => {
    nxt.assign(mux(nxt.eq(T - 1), lit(0, UInt(tsb)), nxt.addWrap(1)));
    runStep.assign(nxt);
  });
  const lastPacket = m.reg('last_packet', UInt(p.srcBits + p.neuronBits + tsb + p.payloadBits), { reset: 0, enable: pkValid }, 'the last packet delivered {src, neuron, timestep, payload} (status)');
  lastPacket.assign(cat(pkSrc, pkNeuron, pkTimestep, pkPayload));

  // ---- partial sums from the slot above ----
  let psum: Expr = pack(bias);
  if (northValid && northGroup && northPsum && psFull) {
    const psRegs = Array.from({ length: G }, (_, g) => {
      const r = m.reg(`psum_buf_${g}`, UInt(Pc * P), { reset: 0, enable: northValid.and(northGroup.eq(g)) });
      r.assign(northPsum);
      return r;
    });
    m.when(took, () => psFull.assign(0)).elseWhen(northValid.and(northGroup.eq(G - 1)), () => psFull.assign(1));
    psum = mux(chain, pack(psRegs), psum);
  }
  if (linkBusy && southTook) m.when(took.and(isLink), () => linkBusy.assign(1)).elseWhen(southTook, () => linkBusy.assign(0));

  // ---- outputs of the tile: spikes to send, membranes to keep ----
  const spkRegs = Array.from({ length: G }, (_, g) => m.reg(`spk_${g}`, UInt(Pc * sw), { reset: 0, enable: tOutValid.and(isSpikes).and(outGroup.eq(g)) }));
  spkRegs.forEach((r) => r.assign(tSpikes));
  const memRegs = Array.from({ length: G }, (_, g) => m.reg(`mem_${g}`, UInt(Pc * vw), { reset: 0, enable: tOutValid.and(outGroup.eq(g)) }));
  memRegs.forEach((r) => r.assign(tV));
  const lastGroup = m.let('tile_last_group', tOutValid.and(outGroup.eq(G - 1)));
  const sending = m.reg('sending', Bool, { reset: 0 }, 'spikes mode: packets of send_step are offered');
  const sendStep = m.reg('send_step', UInt(tsb), { reset: 0 });
  const pend = m.reg('pending', UInt(C), { reset: 0 }, 'bit c: column c\'s nonzero spike is not yet sent');
  const spkAll = pack(spkRegs);
  const pendNz = m.let('pending_any', pend.orReduce());
  const first = m.let('send_column', lowestSet(pend, C));
  const spike = m.let('send_spike', C === 1 ? spkAll : spkAll.shrVar(first.mul(sw)).slice(sw - 1, 0));
  const payload = sw === p.payloadBits ? spike : p.kind === 'signed' ? spike.asSigned().resize(p.payloadBits).asUnsigned() : spike.resize(p.payloadBits);
  const txTake = m.let('tx_take', sending.and(txReady));
  const txMarker = m.let('tx_marker', txTake.and(pendNz.not()));
  const groupNz = (g: Expr[]) => pack(g.map((s) => s.ne(0)));
  const newPend = Array.from({ length: G }, (_, g) => mux(tOutValid.and(isSpikes).and(outGroup.eq(g)), groupNz(fields(tSpikes, Pc, sw)), pend.slice((g + 1) * Pc - 1, g * Pc)));
  const sentBit = m.let('sent_bit', mux(txTake.and(pendNz), lit(1, UInt(C)).shlVar(first), lit(0, UInt(C))));
  pend.assign(pack(newPend).and(sentBit.not()));
  m.when(lastGroup.and(isSpikes), () => {
    sending.assign(1);
    sendStep.assign(runStep);
  }).elseWhen(txMarker, () => sending.assign(0));
  m.when(took.and(isSpikes), () => outBusy.assign(1)).elseWhen(txMarker, () => outBusy.assign(0));

  const stepRows = m.let('step_rows', pick(nxt, bufs));
  m.instance('u_tile', tileModule, {
    cfg_we: tileWe,
    cfg_addr: tileAddr,
    cfg_data: tileData,
    in_valid: inValid,
    in_spikes: stepRows,
    in_psum: m.let('step_psum', psum),
    in_restart: isLink.or(nxt.eq(0)),
    ready: tReady,
    out_valid: tOutValid,
    ...(tOutGroup ? { out_group: tOutGroup } : {}),
    out_spikes: tSpikes,
    out_v: tV,
    cfg_error: tCfgError,
    ...Object.fromEntries(TILE_COUNTERS.map((c, i) => [`cnt_${c}`, tCounters[i]!])),
  });

  // ---- slot counters ----
  const events: Record<string, Expr> = { packets_out: txTake.and(pendNz), markers_out: txMarker, packets_in: deposit, markers_in: markIn, dropped_in: pkValid.and(tsOk.not()) };
  const slotCounters = SLOT_COUNTERS.map((name) => {
    const r = m.reg(`count_${name}`, UInt(cw), { reset: 0 });
    m.when(clearSlot, () => r.assign(0)).elseWhen(events[name]!, () => r.assign(r.addWrap(1)));
    return r;
  });

  // ---- read mux ----
  const zext = (e: Expr) => e.resize(B);
  const memAll = pack(memRegs);
  const status = pack([tReady, tCfgError, linkBusy ?? lit(0, Bool), outBusy, psFull ?? lit(0, Bool)]);
  if (status.width !== SLOT_STATUS_BITS.length) throw new Error('slot status bits out of step with SLOT_STATUS_BITS');
  const membrane = m.let('rd_membrane', C === 1 ? memAll : memAll.shrVar(rdIndex.resize(bitsFor(C - 1)).mul(vw)).slice(vw - 1, 0));
  const counter = m.let('rd_counter', pick(rdIndex, [...tCounters, ...slotCounters]));
  const stat = m.let('rd_status', pick(rdIndex, [zext(status), zext(have), zext(nxt), zext(lastPacket)]));
  m.output('rd_data', UInt(B), 'the word selected by rd_region / rd_index').assign(mux(rdRegion.eq(0), zext(membrane), mux(rdRegion.eq(1), zext(counter), stat)));

  // ---- outputs ----
  m.output('tile_ready', Bool, 'the tile takes a configuration write or a timestep at the end of this cycle').assign(tReady);
  if (p.north || p.tap) m.output('took', Bool, 'the tile took a timestep at this edge').assign(took);
  m.output('tx_valid', Bool, 'a packet is offered to the router').assign(sending);
  m.output('tx_neuron', UInt(p.neuronBits), 'the column (0 for a marker)').assign(mux(pendNz, first.resize(p.neuronBits), lit(0, UInt(p.neuronBits))));
  m.output('tx_timestep', UInt(tsb)).assign(sendStep);
  m.output('tx_payload', UInt(p.payloadBits), 'the spike (0: end-of-step marker)').assign(mux(pendNz, payload, lit(0, UInt(p.payloadBits))));
  if (p.south) {
    m.output('link_valid', Bool, 'link mode: a column group of partial sums for the slot below').assign(tOutValid.and(isLink));
    m.output('link_group', UInt(gw)).assign(outGroup);
    m.output('link_psum', UInt(Pc * P), 'the partial sums (the link\'s membranes, psumBits each)').assign(pack(fields(tV, Pc, vw).map((v) => v.slice(P - 1, 0))));
  }
  if (p.tap) {
    m.output('tap_rows', UInt(R * xw), 'the rows of the step offered to the tile (the pruning tap)').assign(stepRows);
    m.output('tap_valid', Bool, 'the tile shows a column group').assign(tOutValid);
    m.output('tap_group', UInt(gw)).assign(outGroup);
    m.output('tap_spikes', UInt(Pc * sw)).assign(tSpikes);
  }
  return m;
}
