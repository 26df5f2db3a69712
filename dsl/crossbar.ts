// Crossbar tile generator (spec: docs/crossbar.md; rules: src/spec/crossbar.ts). The memristive array is modelled
// digitally: a weight memory of conductance levels, one word per (row group, column group), read only for row groups
// with an active row; exact column-sum accumulators; an ADC stage per column group; the recombined output plus the
// incoming partial sum either leaves the tile or drives one LIF neuron per column (dsl/lif_array.ts).
// Every width comes from the parameters; throughput is rowsPerCycle x colsPerCycle.
import { Bool, Module, SInt, UInt, bitsFor, captureCallerLoc, cat, lit, log2ceil, mux, popcount, saturate, sumTree, type Expr, type Signal, type SrcLoc } from '../src/hdl/index.js';
import {
  cellBits,
  checkCrossbarSpec,
  colGroups,
  crossbarMap,
  inputRange,
  inputWidth,
  REGION,
  rowGroups,
  sliceShift,
  sumWidth,
  TILE_COUNTERS,
  TILE_REG,
  tileNeuronSpec,
  type CrossbarSpec,
} from '../src/spec/crossbar.js';
import { lifArray, type LifArrayParams } from './lif_array.js';
import { spikeType } from './lif_neuron.js';

export type CrossbarParams = CrossbarSpec;

export function crossbarName(p: CrossbarParams): string {
  const sp = { binary: 'b', signed: 's', graded: 'g', 'graded-signed': 'gs' }[p.inSpikes];
  const parts = [`xbar_r${p.rows}c${p.cols}`, `l${p.cellLevels}s${p.slices}`, `i${sp}${p.inLevels}`, `a${p.adcBits}${p.adcRounding === 'floor' ? 'f' : 'h'}`, `p${p.rowsPerCycle}x${p.colsPerCycle}`, `ps${p.psumBits}`, `c${p.counterBits}`];
  if (p.neuron) {
    const n = p.neuron;
    const nsp = { binary: 'b', signed: 's', graded: 'g', 'graded-signed': 'gs' }[n.spikes];
    parts.push(`n${n.vWidth}${n.leak[0]}${n.reset[0]}${n.refractory}${nsp}${n.levels}${n.floor ? 'f' : ''}`);
  } else parts.push('psum');
  return parts.join('_');
}

/** Values of `packed` fields [count] of `width` bits, field i at [i*width +: width]. */
function fields(packed: Expr, count: number, width: number): Expr[] {
  return Array.from({ length: count }, (_, i) => packed.slice((i + 1) * width - 1, i * width));
}

/** Field `index` of `packed` (count fields of `width` bits): a variable right shift, then the low bits. */
function selectField(packed: Expr, index: Expr | undefined, count: number, width: number): Expr {
  if (count === 1 || !index) return packed.slice(width - 1, 0);
  return packed.shrVar(index.mul(width)).slice(width - 1, 0);
}

/** AND of the conditions given (undefined ones are always true). */
function allOf(conds: (Expr | undefined)[]): Expr {
  const cs = conds.filter((c): c is Expr => c !== undefined);
  return cs.length ? cs.reduce((a, b) => a.and(b)) : lit(1, Bool);
}

/** Index of the lowest set bit of `bits` (0 when none is set). */
function lowestSet(bits: Expr, width: number): Expr {
  const t = UInt(Math.max(1, log2ceil(width)));
  let idx: Expr = lit(0, t);
  for (let i = width - 1; i >= 0; i--) idx = mux(bits.bit(i), lit(i, t), idx);
  return idx;
}

const ST = { idle: 0, scan: 1, flush: 2, conv: 3, drain: 4 } as const;

/** `locs`: where each parameter is defined (paramLocations of the parameter file), for diagnostics at those lines. */
export function crossbarTile(p: CrossbarParams, locs?: Record<string, SrcLoc | undefined>): Module {
  checkCrossbarSpec(p, captureCallerLoc(), 'crossbarTile', locs);
  const m = new Module(crossbarName(p), { ...p, neuron: p.neuron ? JSON.stringify(p.neuron) : 'none' }, `Crossbar tile ${p.rows} x ${p.cols}, ${p.output} output (spec: docs/crossbar.md)`);
  const { rows: R, cols: C, slices: S, rowsPerCycle: Pr, colsPerCycle: Pc, psumBits: P } = p;
  const G = colGroups(p);
  const H = rowGroups(p);
  const map = crossbarMap(p);
  const cb = cellBits(p);
  const xw = inputWidth(p);
  const signedIn = inputRange(p)[0] < 0;
  const sw = sumWidth(p);
  const gw = Math.max(1, log2ceil(G));
  const hw = Math.max(1, log2ceil(H));
  const neurons = p.output === 'neurons';

  // ---- ports ----
  const cfgWe = m.input('cfg_we', Bool, 'configuration write (performed at an edge where ready = 1)');
  const cfgAddr = m.input('cfg_addr', UInt(map.addrBits), '{region[1:0], index}: see docs/crossbar.md');
  const cfgData = m.input('cfg_data', UInt(map.dataBits));
  const inValid = m.input('in_valid', Bool, 'a timestep is offered (accepted at an edge where ready = 1 and cfg_we = 0)');
  const inSpikes = m.input('in_spikes', UInt(R * xw), `row inputs, row r at [r*${xw} +: ${xw}]`);
  const inPsum = m.input('in_psum', UInt(C * P), `partial sums in, column c at [c*${P} +: ${P}], signed`);
  const inRestart = neurons ? m.input('in_restart', Bool, 'this timestep starts a token: neurons from rest') : undefined;
  const ready = m.output('ready', Bool);
  const outValid = m.output('out_valid', Bool, 'a column group\'s result is on the outputs');
  const outGroup = G > 1 ? m.output('out_group', UInt(gw), 'the column group shown') : undefined;
  const cfgError = m.output('cfg_error', Bool, 'sticky: a configuration write was refused');

  // ---- state ----
  const state = m.reg('state', UInt(3), { reset: ST.idle });
  const idle = m.let('idle', state.eq(ST.idle));
  // column group being read or converted (absent when G = 1), and the row groups still to read (absent when H = 1)
  const cg = G > 1 ? m.reg('col_group', UInt(gw), { reset: 0 }) : undefined;
  const cgLast = cg ? m.let('col_group_last', cg.eq(G - 1)) : lit(1, Bool);
  const pend = H > 1 ? m.reg('pending', UInt(H), { reset: 0 }, 'row groups still to read') : undefined;
  const xReg = m.reg('x', UInt(R * xw), { reset: null }, 'the timestep\'s inputs, masked rows zeroed');
  const psumReg = m.reg('psum', UInt(C * P), { reset: null });
  const restartReg = inRestart ? m.reg('restart', Bool, { reset: null }) : undefined;

  // ---- configuration ----
  const region = m.let('cfg_region', cfgAddr.slice(map.addrBits - 1, map.indexBits));
  const index = m.let('cfg_index', cfgAddr.slice(map.indexBits - 1, 0));
  const neuronsReady = m.wire('neurons_ready', Bool);
  ready.assign(idle.and(neuronsReady));
  const we = m.let('cfg_write', cfgWe.and(ready));
  const accept = m.let('accept', inValid.and(ready).and(cfgWe.not()));
  const dataFits = (w: number) => (w >= map.dataBits ? undefined : cfgData.slice(map.dataBits - 1, w).eq(0));

  // weights: levels above L-1 exist only when L is not a power of two
  const wordFields = fields(cfgData.resize(map.wordBits), Pr * Pc * S * 2, cb);
  const levelsOk = 2 ** cb === p.cellLevels ? undefined : allOf(wordFields.map((f) => f.le(p.cellLevels - 1)));
  const weightOk = m.let('cfg_weight_ok', allOf([region.eq(REGION.weights), index.lt(map.weightWords), dataFits(map.wordBits), levelsOk]));
  const weights = m.memory('weights', { type: UInt(map.wordBits), depth: map.weightWords, readUnderWrite: 'read-first', init: [] });
  const memAw = weights.addrWidth;
  const weightWe = m.let('weight_we', we.and(weightOk));
  weights.write(index.resize(memAw), cfgData.resize(map.wordBits), weightWe);

  const maskChunks: Signal[] = [];
  const maskOks: Expr[] = [];
  for (let k = 0; k < map.maskWords; k++) {
    const n = Math.min(map.maskChunk, R - k * map.maskChunk);
    const ok = allOf([region.eq(REGION.mask), index.eq(k), dataFits(n)]);
    maskOks.push(ok);
    const chunk = m.reg(map.maskWords === 1 ? 'row_mask' : `row_mask_${k}`, UInt(n), { reset: (1n << BigInt(n)) - 1n, enable: we.and(ok) }, 'row mask, 1 = enabled');
    chunk.assign(cfgData.slice(n - 1, 0));
    maskChunks.push(chunk);
  }
  const rowMask = maskChunks.length === 1 ? maskChunks[0]! : cat(...[...maskChunks].reverse());

  const isReg = (i: number) => region.eq(REGION.registers).and(index.eq(i));
  const regOks: Expr[] = [];
  const register = (name: string, i: number, width: number): Signal => {
    const ok = allOf([isReg(i), dataFits(width)]);
    regOks.push(ok);
    const r = m.reg(name, UInt(width), { reset: 0, enable: we.and(ok) });
    r.assign(cfgData.slice(width - 1, 0));
    return r;
  };
  const threshold = neurons ? register('threshold', TILE_REG.threshold, map.registerBits.threshold) : undefined;
  const leak = neurons && map.registerBits.leak ? register('leak', TILE_REG.leak, map.registerBits.leak) : undefined;
  const adcShift = register('adc_shift', TILE_REG.adcShift, map.registerBits.adcShift);
  const clear = m.let('clear_counters', we.and(isReg(TILE_REG.clearCounters)));
  const writeOk = [weightOk, ...maskOks, ...regOks, isReg(TILE_REG.clearCounters)].reduce((a, b) => a.or(b));
  const err = m.reg('cfg_err', Bool, { reset: 0 });
  m.when(clear, () => err.assign(0)).elseWhen(we.and(writeOk.not()), () => err.assign(1));
  cfgError.assign(err);

  // ---- accept: which rows are active ----
  const xs = fields(inSpikes, R, xw);
  const nonzero = xs.map((x) => x.orReduce());
  const active = nonzero.map((nz, r) => nz.and(rowMask.bit(r)));
  const masked = nonzero.map((nz, r) => nz.and(rowMask.bit(r).not()));
  const activeCount = m.let('active_count', popcount(active));
  const maskedCount = m.let('masked_count', popcount(masked));
  const anyActive = m.let('any_active', active.reduce((a, b) => a.or(b)));
  const groupAny = Array.from({ length: H }, (_, g) => active.slice(g * Pr, (g + 1) * Pr).reduce((a, b) => a.or(b)));
  const xMasked = cat(...xs.map((x, r) => mux(active[r]!, x, lit(0, UInt(xw)))).reverse());

  // ---- scan: one weight word per cycle ----
  const gSel = pend ? m.let('row_group', lowestSet(pend, H)) : undefined;
  const pendLeft = pend && gSel ? m.let('pending_left', pend.and(lit(1, UInt(H)).shlVar(gSel).not())) : lit(0, UInt(1));
  const scanning = m.let('scanning', state.eq(ST.scan));
  let rdAddr: Expr = lit(0, UInt(memAw));
  if (gSel && cg) rdAddr = gSel.mul(G).add(cg.resize(gSel.width + log2ceil(G))).resize(memAw);
  else if (gSel) rdAddr = gSel.resize(memAw);
  else if (cg) rdAddr = cg.resize(memAw);
  const word = weights.read('word', rdAddr, scanning);
  const sValid = m.reg('acc_valid', Bool, { reset: 0 }, 'the word read last cycle is to be accumulated');
  const sGroup = gSel ? m.reg('acc_row_group', UInt(hw), { reset: null }) : undefined;
  const sCg = cg ? m.reg('acc_col_group', UInt(gw), { reset: null }) : undefined;
  sValid.assign(scanning);
  if (sGroup && gSel) sGroup.assign(gSel.resize(hw));
  if (sCg && cg) sCg.assign(cg);

  // rows of the group being accumulated, and their contribution per (lane j, slice s)
  const xGroup = fields(m.let('x_group', selectField(xReg, sGroup, H, Pr * xw)), Pr, xw);
  const deltas: Expr[][] = [];
  for (let j = 0; j < Pc; j++) {
    deltas.push([]);
    for (let s = 0; s < S; s++) {
      const terms = xGroup.map((x, i) => {
        const off = map.cellOffset(i, j, s);
        const diff = word.slice(off + cb - 1, off).sub(word.slice(off + 2 * cb - 1, off + cb));
        if (p.inSpikes === 'binary') return mux(x, diff, lit(0, diff.type));
        return (signedIn ? x.asSigned() : x.toSigned()).mul(diff);
      });
      deltas[j]!.push(m.let(`delta_${j}_${s}`, sumTree(terms)));
    }
  }
  const accs: Signal[][] = [];
  for (let c = 0; c < C; c++) {
    accs.push([]);
    for (let s = 0; s < S; s++) {
      const acc = m.reg(`acc_${c}_${s}`, SInt(sw), { reset: null }, `exact column sum, column ${c}, slice ${s}`);
      const mine = sCg ? sValid.and(sCg.eq(Math.floor(c / Pc))) : sValid;
      // the sum of a subset of rows is bounded like the whole, so the truncation to sw bits is exact
      m.when(accept, () => acc.assign(0)).elseWhen(mine, () => acc.assign(acc.add(deltas[c % Pc]![s]!).resize(sw)));
      accs[c]!.push(acc);
    }
  }

  // ---- convert: one column group per cycle ----
  const converting = m.let('converting', state.eq(ST.conv));
  const clips: Expr[] = [];
  const sats: Expr[] = [];
  const zs: Expr[] = [];
  const psums = fields(m.let('psum_group', selectField(psumReg, cg, G, Pc * P)), Pc, P);
  for (let j = 0; j < Pc; j++) {
    let y: Expr | undefined;
    for (let s = S - 1; s >= 0; s--) {
      const sum = cg ? m.let(`sum_${j}_${s}`, selectField(cat(...accs.filter((_, c) => c % Pc === j).map((a) => a[s]!).reverse()), cg, G, sw).asSigned()) : accs[j]![s]!;
      const { q, clip } = adc(m, `adc_${j}_${s}`, sum, adcShift, p);
      clips.push(clip);
      const part = s === 0 ? q : q.shl(sliceShift(p) * s);
      y = y ? y.add(part) : part;
    }
    const t = m.let(`z_sum_${j}`, psums[j]!.asSigned().add(y!));
    const z = m.let(`z_${j}`, saturate(t, SInt(P)));
    sats.push(t.ne(z));
    zs.push(z);
  }
  const clipCount = m.let('clip_count', popcount(clips));
  const satCount = m.let('sat_count', popcount(sats));

  // ---- FSM ----
  m.switch(state)
    .is(ST.idle, () => {
      m.when(accept, () => state.assign(mux(anyActive, lit(ST.scan, UInt(3)), lit(ST.conv, UInt(3)))));
    })
    .is(ST.scan, () => {
      m.when(cgLast.and(pendLeft.eq(0)), () => state.assign(ST.flush));
    })
    .is(ST.flush, () => state.assign(ST.conv))
    .is(ST.conv, () => {
      m.when(cgLast, () => state.assign(neurons && G > 1 ? ST.drain : ST.idle));
    })
    .default(() => state.assign(ST.idle));
  if (cg) m.when(accept, () => cg.assign(0)).elseWhen(scanning.or(converting), () => cg.assign(mux(cgLast, lit(0, UInt(gw)), cg.addWrap(1))));
  if (pend) m.when(accept, () => pend.assign(cat(...groupAny.reverse()))).elseWhen(scanning.and(cgLast), () => pend.assign(pendLeft));
  m.when(accept, () => {
    xReg.assign(xMasked);
    psumReg.assign(inPsum);
    restartReg?.assign(inRestart!);
  });

  // ---- counters ----
  const cw = p.counterBits;
  const inc = (e: Expr) => (e.width >= cw ? e.truncate(cw) : e.resize(cw));
  const increments: Record<string, [Expr, Expr]> = {
    timesteps: [accept, lit(1, UInt(1))],
    active_rows: [accept, activeCount],
    masked_rows: [accept, maskedCount],
    cell_reads: [accept, activeCount.mul(C * S * 2)],
    adc_conversions: [accept, mux(anyActive, lit(C * S, UInt(bitsFor(C * S))), lit(0, UInt(bitsFor(C * S))))],
    adc_clipped: [converting, clipCount],
    psum_saturated: [converting, satCount],
    weight_reads: [scanning, lit(1, UInt(1))],
    weight_writes: [weightWe, lit(1, UInt(1))],
  };
  for (const name of TILE_COUNTERS) {
    const [when, by] = increments[name]!;
    const r = m.reg(`count_${name}`, UInt(cw), { reset: 0 });
    m.when(clear, () => r.assign(0)).elseWhen(when, () => r.assign(r.addWrap(inc(by))));
    m.output(`cnt_${name}`, UInt(cw)).assign(r);
  }

  // ---- outputs ----
  if (!neurons) {
    neuronsReady.assign(1);
    const oValid = m.reg('o_valid', Bool, { reset: 0 });
    const oGroup = outGroup ? m.reg('o_group', UInt(gw), { reset: 0, enable: converting }) : undefined;
    const oPsum = m.reg('o_psum', UInt(Pc * P), { reset: 0, enable: converting });
    oValid.assign(converting);
    if (oGroup && cg) oGroup.assign(cg);
    oPsum.assign(cat(...zs.map((z) => z.asUnsigned()).reverse()));
    outValid.assign(oValid);
    if (outGroup && oGroup) outGroup.assign(oGroup);
    m.output('out_psum', UInt(Pc * P), `z of columns group*${Pc} + j at [j*${P} +: ${P}]`).assign(oPsum);
    return m;
  }

  const ns = tileNeuronSpec(p);
  const lp: LifArrayParams = { ...ns, neurons: C, arch: cg ? 'timemux' : 'parallel', restart: true, ...(cg ? { lanes: Pc } : {}) };
  const lif = lifArray(lp);
  const portType = (name: string) => lif.ports.find((q) => q.name === name)!.type;
  const spw = spikeType(ns).width;
  const lifSpikes = m.wire('lif_spikes', portType(cg ? 'out_spike' : 'out_spikes'));
  const lifV = m.wire('lif_v', portType('out_v'));
  const currents = Pc === 1 && cg ? zs[0]! : cat(...zs.map((z) => z.asUnsigned()).reverse());
  const bind: Record<string, Expr | Signal> = { in_valid: converting, in_current: currents, in_restart: restartReg!, threshold: threshold!, out_valid: outValid, out_v: lifV };
  if (leak) bind.leak = leak;
  if (cg) Object.assign(bind, { in_addr: cg, ready: neuronsReady, out_addr: outGroup!, out_spike: lifSpikes });
  else {
    neuronsReady.assign(1);
    bind.out_spikes = lifSpikes;
  }
  m.instance('u_neurons', lif, bind);
  m.output('out_spikes', UInt(Pc * spw), `spikes of columns group*${Pc} + j at [j*${spw} +: ${spw}]`).assign(lifSpikes.asUnsigned());
  m.output('out_v', UInt(Pc * p.neuron!.vWidth), 'membranes after the update, same packing').assign(lifV.asUnsigned());
  return m;
}

/** The ADC of docs/crossbar.md on one exact column sum: shift with the tile's rounding, clip to A signed bits. */
function adc(m: Module, name: string, sum: Expr, shift: Expr, p: CrossbarParams): { q: Expr; clip: Expr } {
  let t: Expr;
  if (p.adcRounding === 'floor') t = sum.shrVar(shift);
  else {
    // floor(I / 2^sh + 1/2) = ((I >>> (sh - 1)) + 1) >>> 1 for sh >= 1 (exact for any sh, however large)
    const shMinus = shift.subWrap(1);
    const half = sum.shrVar(shMinus).add(1).shr(1).resize(sum.width);
    t = mux(shift.eq(0), sum, half);
  }
  t = m.let(`${name}_shifted`, t);
  const A = p.adcBits;
  if (A >= t.width) return { q: t.resize(A), clip: lit(0, Bool) };
  const q = m.let(`${name}_q`, saturate(t, SInt(A)));
  return { q, clip: t.ne(q) };
}
