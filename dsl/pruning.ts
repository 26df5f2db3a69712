// Adaptive synaptic pruning controller generator (spec: docs/pruning.md; rules and the policy: src/spec/pruning.ts).
// Saturating activity counts per row and column of one tile, a token counter for the window, and at each window's
// end the next row mask by the policy (threshold rule: one cycle; top-k: a bit-serial search for the k-th largest
// score with R comparators and a popcount, then a search for the last tied row kept) plus the column-activity
// mask by the threshold rule; stats and wrapping counters for the energy model.
import { Bool, Module, UInt, bitsFor, captureCallerLoc, cat, lit, log2ceil, mux, popcount, type Expr, type Signal, type SrcLoc } from '../src/hdl/index.js';
import {
  checkPruningSpec,
  colGroups,
  comparisonsPerWindow,
  countMax,
  indexBits,
  keepRows,
  maskLatency,
  PRUNING_COUNTERS,
  scoreBits,
  type ColumnPolicy,
  type PruningSpec,
} from '../src/spec/pruning.js';

export type PruningParams = PruningSpec;

export function pruningName(p: PruningParams): string {
  const pol = p.policy.kind === 'threshold' ? `th${p.policy.thetaOn}o${p.policy.thetaOff}` : `tk${keepRows(p.policy, p.rows)}h${p.policy.bonus}`;
  return [`prune_r${p.rows}c${p.cols}`, `f${p.rowWidth}x${p.colWidth}`, `p${p.colsPerCycle}`, `w${p.window}`, `cb${p.countBits}`, `c${p.counterBits}`, pol, `col${p.columns.thetaOn}o${p.columns.thetaOff}`].join('_');
}

/** Values of `packed` fields [count] of `width` bits, field i at [i*width +: width]. */
function fields(packed: Expr, count: number, width: number): Expr[] {
  return Array.from({ length: count }, (_, i) => packed.slice((i + 1) * width - 1, i * width));
}

/** Bit vector from 1-bit values, element 0 the least significant. */
const vector = (bits: Expr[]) => (bits.length === 1 ? bits[0]! : cat(...[...bits].reverse()));

/** The threshold rule with hysteresis: on when count >= on, else off when count < off, else prev (constants folded). */
function band(count: Expr, prev: Expr, rule: ColumnPolicy): Expr {
  if (rule.thetaOn === 0) return lit(1, Bool);
  const stay = rule.thetaOff === 0 ? prev : count.ge(rule.thetaOff).and(prev);
  return count.ge(rule.thetaOn).or(stay);
}

const ST = { idle: 0, searchScore: 1, searchTie: 2, apply: 3 } as const;

/** `locs`: where each parameter is defined (paramLocations of a parameter file), for diagnostics at those lines. */
export function pruningController(p: PruningParams, locs?: Record<string, SrcLoc | undefined>): Module {
  checkPruningSpec(p, captureCallerLoc(), 'pruningController', locs);
  const flat = { ...p, policy: JSON.stringify(p.policy), columns: JSON.stringify(p.columns) };
  const m = new Module(pruningName(p), flat, `Pruning controller for a ${p.rows} x ${p.cols} tile, ${p.policy.kind} policy (spec: docs/pruning.md)`);
  const { rows: R, cols: C, rowWidth: rw, colWidth: cw, colsPerCycle: Pc, window: W, countBits: cb } = p;
  const G = colGroups(p);
  const gw = Math.max(1, log2ceil(G));
  const max = countMax(p);
  const nw = bitsFor(Math.max(R, C));

  // ---- ports ----
  const rowValid = m.input('row_valid', Bool, 'a timestep\'s row inputs are on row_in (taken at an edge where ready = 1)');
  const rowIn = m.input('row_in', UInt(R * rw), `row inputs, row r at [r*${rw} +: ${rw}]; active-in when nonzero`);
  const colValid = m.input('col_valid', Bool, 'a column group\'s outputs are on col_out (taken at an edge where ready = 1)');
  const colGroup = G > 1 ? m.input('col_group', UInt(gw), 'which column group col_out holds') : undefined;
  const colOut = m.input('col_out', UInt(Pc * cw), `outputs of columns group*${Pc} + j at [j*${cw} +: ${cw}]; active when nonzero`);
  const tokenEnd = m.input('token_end', Bool, 'the token ends at this edge (this cycle\'s activity included)');
  const ready = m.output('ready', Bool, 'inputs are taken at the end of this cycle; low while the next mask is computed');
  const maskValidOut = m.output('mask_valid', Bool, 'a new mask is on row_mask/col_mask (one cycle per window)');

  // ---- state ----
  const state = m.reg('state', UInt(2), { reset: ST.idle });
  const idle = m.let('idle', state.eq(ST.idle));
  const applying = m.let('applying', state.eq(ST.apply));
  ready.assign(idle);

  // ---- activity counts (frozen while busy, cleared when a mask is applied) ----
  const rowTake = m.let('row_take', idle.and(rowValid));
  const rowEvents = m.let('row_events', vector(fields(rowIn, R, rw).map((f) => f.orReduce().and(rowTake))));
  const groupOk = colGroup && 2 ** gw !== G ? m.let('col_group_ok', colGroup.lt(G)) : undefined;
  const colTake = m.let('col_take', groupOk ? idle.and(colValid).and(groupOk) : idle.and(colValid));
  const laneEvents = m.let('lane_events', vector(fields(colOut, Pc, cw).map((f) => f.orReduce().and(colTake))));
  const counter = (name: string, event: Expr) => {
    const c = m.reg(name, UInt(cb), { reset: 0 });
    m.when(applying, () => c.assign(0)).elseWhen(event.and(c.ne(max)), () => c.assign(c.addWrap(1)));
    return c;
  };
  const rowCounts = Array.from({ length: R }, (_, r) => counter(`row_count_${r}`, rowEvents.bit(r)));
  const colCounts = Array.from({ length: C }, (_, c) => {
    const lane = laneEvents.bit(c % Pc);
    return counter(`col_count_${c}`, colGroup ? lane.and(colGroup.eq(Math.floor(c / Pc))) : lane);
  });

  // ---- window: W tokens ----
  const tokenTake = m.let('token_take', idle.and(tokenEnd));
  let windowEnd: Signal;
  if (W > 1) {
    const tokens = m.reg('tokens_in_window', UInt(bitsFor(W - 1)), { reset: 0 });
    windowEnd = m.let('window_end', tokenTake.and(tokens.eq(W - 1)));
    m.when(windowEnd, () => tokens.assign(0)).elseWhen(tokenTake, () => tokens.assign(tokens.addWrap(1)));
  } else windowEnd = m.let('window_end', tokenTake);

  // ---- masks in force ----
  const rowMask = m.reg('row_mask_q', UInt(R), { reset: (1n << BigInt(R)) - 1n, enable: applying }, 'row mask, 1 = enabled');
  const colMask = m.reg('col_mask_q', UInt(C), { reset: (1n << BigInt(C)) - 1n, enable: applying }, 'column-activity mask');

  // ---- the policy ----
  let rowNext: Signal;
  if (p.policy.kind === 'threshold') {
    const pol = p.policy;
    rowNext = m.let('row_next', vector(rowCounts.map((c, r) => band(c, rowMask.bit(r), pol))));
    m.switch(state)
      .is(ST.idle, () => m.when(windowEnd, () => state.assign(ST.apply)))
      .default(() => state.assign(ST.idle));
  } else {
    rowNext = topK(m, p, rowCounts, rowMask, { state, windowEnd });
  }
  const colNext = m.let('col_next', vector(colCounts.map((c, i) => band(c, colMask.bit(i), p.columns))));
  rowMask.assign(rowNext);
  colMask.assign(colNext);

  // ---- stats of the update ----
  const maskBits = (v: Expr, n: number) => Array.from({ length: n }, (_, i) => v.bit(i));
  const offBits = m.let('rows_off_bits', rowMask.and(rowNext.not()));
  const onBits = m.let('rows_on_bits', rowMask.not().and(rowNext));
  const turnedOff = m.let('rows_turned_off', popcount(maskBits(offBits, R)).resize(nw));
  const turnedOn = m.let('rows_turned_on', popcount(maskBits(onBits, R)).resize(nw));
  const changed = m.let('row_mask_changed', rowMask.ne(rowNext));
  const stat = (name: string, value: Expr, reset: number) => {
    const r = m.reg(name, UInt(nw), { reset, enable: applying });
    r.assign(value);
    return r;
  };
  const maskValid = m.reg('mask_valid_q', Bool, { reset: 0 });
  maskValid.assign(applying);
  maskValidOut.assign(maskValid);
  m.output('row_mask', UInt(R), 'the row mask in force, 1 = enabled (written into the tile between tokens)').assign(rowMask);
  m.output('col_mask', UInt(C), 'the column-activity mask, 1 = active').assign(colMask);
  m.output('enabled_rows', UInt(nw), 'rows enabled in row_mask').assign(stat('enabled_rows_q', popcount(maskBits(rowNext, R)).resize(nw), R));
  m.output('active_cols', UInt(nw), 'columns active in col_mask').assign(stat('active_cols_q', popcount(maskBits(colNext, C)).resize(nw), C));
  m.output('last_rows_off', UInt(nw), 'rows the last update turned off').assign(stat('last_rows_off_q', turnedOff, 0));
  m.output('last_rows_on', UInt(nw), 'rows the last update turned on').assign(stat('last_rows_on_q', turnedOn, 0));

  // ---- counters ----
  const cwid = p.counterBits;
  const inc = (e: Expr) => (e.width >= cwid ? e.truncate(cwid) : e.resize(cwid));
  const events = m.let('count_events', popcount(maskBits(rowEvents, R)).add(popcount(maskBits(laneEvents, Pc))));
  const offered = rowValid.or(colValid).or(tokenEnd);
  const ignored = m.let('inputs_ignored', groupOk ? idle.not().and(offered).or(idle.and(colValid).and(groupOk.not())) : idle.not().and(offered));
  const one = lit(1, UInt(1));
  const increments: Record<string, [Expr, Expr]> = {
    tokens: [tokenTake, one],
    windows: [applying, one],
    mask_updates: [applying.and(changed), one],
    rows_off: [applying, turnedOff],
    rows_on: [applying, turnedOn],
    increments: [idle, events],
    comparisons: [applying, lit(comparisonsPerWindow(p))],
    ignored: [ignored, one],
  };
  for (const name of PRUNING_COUNTERS) {
    const [when, by] = increments[name]!;
    const r = m.reg(`count_${name}`, UInt(cwid), { reset: 0 });
    m.when(when, () => r.assign(r.addWrap(inc(by))));
    m.output(`cnt_${name}`, UInt(cwid)).assign(r);
  }
  return m;
}

/**
 * Top-k over score_r = count_r + (enabled ? bonus : 0), ties to the lower index (docs/pruning.md, "Top-k in
 * hardware"). Searching the score, MSB first, keeps t = the largest value with #{score >= t} >= k (the k-th largest
 * score); searching the tie index keeps q = the largest index with #{score > t} + #{score = t, index < q} < k (the
 * last tied row kept). Kept: score > t, or score = t and index <= q. Drives the state machine; returns the next mask.
 */
function topK(m: Module, p: PruningParams, counts: Signal[], rowMask: Signal, ctl: { state: Signal; windowEnd: Signal }): Signal {
  if (p.policy.kind !== 'top-k') throw new Error('topK needs a top-k policy');
  const R = p.rows;
  const k = keepRows(p.policy, R);
  const bonus = p.policy.bonus;
  const sb = scoreBits(p);
  const ib = indexBits(p);
  const { state, windowEnd } = ctl;
  const scores = counts.map((c, r) => m.let(`score_${r}`, bonus > 0 ? mux(rowMask.bit(r), c.add(bonus).resize(sb), c.resize(sb)) : c));

  const bit = m.reg('search_bit', UInt(bitsFor(Math.max(sb, ib) - 1)), { reset: 0 }, 'bit of the value being decided, MSB first');
  const lastBit = m.let('search_last_bit', bit.eq(0));
  const searchScore = m.let('searching_score', state.eq(ST.searchScore));
  const t = m.reg('kth_score', UInt(sb), { reset: 0 }, 'the k-th largest score (bits decided so far)');
  const scoreCand = m.let('score_candidate', t.or(lit(1, UInt(sb)).shlVar(bit)));
  const atLeast = m.let('rows_at_least_candidate', popcount(scores.map((s) => s.ge(scoreCand))));
  m.when(windowEnd, () => t.assign(0)).elseWhen(searchScore.and(atLeast.ge(k)), () => t.assign(scoreCand));

  const above = scores.map((s) => s.gt(t));
  const tied = scores.map((s) => s.eq(t));
  let keep: Expr[];
  if (ib > 0) {
    const searchTie = m.let('searching_tie', state.eq(ST.searchTie));
    const q = m.reg('last_tie_index', UInt(ib), { reset: 0 }, 'index of the last tied row kept (bits decided so far)');
    const idxCand = m.let('index_candidate', q.or(lit(1, UInt(ib)).shlVar(bit)));
    // row r lies below the candidate index; the last index of a power-of-two R never does
    const below = (r: number) => (r === 2 ** ib - 1 ? lit(0, Bool) : idxCand.gt(r));
    const keptBelow = m.let('kept_below_candidate', popcount(above.map((a, r) => a.or(tied[r]!.and(below(r))))));
    const inRange = 2 ** ib === R ? lit(1, Bool) : idxCand.le(R - 1);
    m.when(windowEnd, () => q.assign(0)).elseWhen(searchTie.and(inRange).and(keptBelow.lt(k)), () => q.assign(idxCand));
    keep = above.map((a, r) => a.or(tied[r]!.and(r === 0 ? lit(1, Bool) : q.ge(r))));
    m.switch(state)
      .is(ST.idle, () => m.when(windowEnd, () => state.assign(ST.searchScore)))
      .is(ST.searchScore, () => m.when(lastBit, () => state.assign(ST.searchTie)))
      .is(ST.searchTie, () => m.when(lastBit, () => state.assign(ST.apply)))
      .default(() => state.assign(ST.idle));
    m.when(windowEnd, () => bit.assign(sb - 1))
      .elseWhen(searchScore.and(lastBit), () => bit.assign(ib - 1))
      .elseWhen(searchScore.or(searchTie), () => bit.assign(bit.subWrap(1)));
  } else {
    // one row: it is the only candidate, kept (k = 1)
    keep = above.map((a, r) => a.or(tied[r]!));
    m.switch(state)
      .is(ST.idle, () => m.when(windowEnd, () => state.assign(ST.searchScore)))
      .is(ST.searchScore, () => m.when(lastBit, () => state.assign(ST.apply)))
      .default(() => state.assign(ST.idle));
    m.when(windowEnd, () => bit.assign(sb - 1)).elseWhen(searchScore, () => bit.assign(bit.subWrap(1)));
  }
  if (maskLatency(p) !== sb + ib + 1) throw new Error('top-k latency out of step with the spec');
  return m.let('row_next', vector(keep));
}
