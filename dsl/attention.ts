// Spiking-attention unit generator (spec: docs/attention.md; rules: src/spec/attention.ts). Digital: K and V change
// every token, so they live in SRAM (a KV cache per KV head), not in crossbars. Per token: append k, v; per query
// head: pass 1 computes the integer scores against every cached position (P elements of q.k per cycle) into a score
// buffer and their max, pass 2 turns them into LUT softmax weights and accumulates the weighted V sum and the
// denominator, a sequential divider gives the reciprocal, and normalization writes the outputs; finally the outputs
// are re-encoded as graded-signed spikes over T steps by a time-multiplexed LIF array (dsl/lif_array.ts).
import { Bool, Module, SInt, UInt, bitsFor, captureCallerLoc, cat, lit, log2ceil, mux, popcount, saturate, sumTree, type Expr, type HdlType, type Signal, type SrcLoc } from '../src/hdl/index.js';
import {
  ATT_COUNTERS,
  ATT_REG,
  CFG_ADDR_BITS,
  accWidth,
  attentionMap,
  checkAttentionSpec,
  chunks,
  denWidth,
  dotWidth,
  encoderSpec,
  expLut,
  kvHeadOf,
  kvWords,
  lenWidth,
  outWords,
  recipWidth,
  spikeWidth,
  type AttentionCounter,
  type AttentionSpec,
} from '../src/spec/attention.js';
import { lifArray, type LifArrayParams } from './lif_array.js';

export type AttentionParams = AttentionSpec;

export function attentionName(p: AttentionParams): string {
  return [
    `att_n${p.context}`,
    `h${p.qHeads}x${p.kvHeads}`,
    `d${p.headSize}p${p.lanes}`,
    `q${p.qBits}k${p.kBits}v${p.vBits}`,
    `s${p.scoreBits}`,
    `e${p.expLutBits}f${p.expFracBits}r${p.recipBits}`,
    `o${p.outBits}`,
    `enc${p.encVBits}k${p.spikeLevels}t${p.maxSteps}`,
    `pos${p.positionBits}`,
    `c${p.counterBits}`,
    p.policy === 'error' ? 'err' : 'slide',
  ].join('_');
}

/** Field i of `packed` (count fields of `width` bits, field i at [i*width +: width]). */
function fields(packed: Expr, count: number, width: number): Expr[] {
  return Array.from({ length: count }, (_, i) => packed.slice((i + 1) * width - 1, i * width));
}

/** Field `index` of `packed`: a variable right shift, then the low bits. */
function selectField(packed: Expr, index: Expr, count: number, width: number): Expr {
  if (count === 1) return packed.slice(width - 1, 0);
  return packed.shrVar(index.mul(width)).slice(width - 1, 0);
}

/** e * k for a constant k (no multiplier when k = 1). */
function times(e: Expr, k: number): Expr {
  if (e.node.kind === 'const') return lit(e.node.value * BigInt(k));
  return k === 1 ? e : e.mul(k);
}

/** A table of constants indexed by `idx` (a mux chain; one constant when they are all equal). */
function constTable(idx: Expr, values: readonly number[], type: HdlType): Expr {
  if (values.every((v) => v === values[0])) return lit(values[0]!, type);
  let e: Expr = lit(values[values.length - 1]!, type);
  for (let i = values.length - 2; i >= 0; i--) e = mux(idx.eq(i), lit(values[i]!, type), e);
  return e;
}

/** A loop counter 0..limit-1, absent (always 0) when limit = 1; its value is max(1, log2ceil(limit)) bits wide. */
class LoopCounter {
  readonly reg: Signal | undefined;
  readonly value: Expr;
  private firstSig: Expr | undefined;
  /** value = limit - 1 */
  readonly last: Expr;
  constructor(
    private readonly m: Module,
    private readonly name: string,
    readonly limit: number,
  ) {
    const w = Math.max(1, log2ceil(limit));
    this.reg = limit > 1 ? m.reg(name, UInt(w), { reset: 0 }) : undefined;
    this.value = this.reg ?? lit(0, UInt(w));
    this.last = this.reg ? m.let(`${name}_last`, this.reg.eq(limit - 1)) : lit(1, Bool);
  }
  /** value = 0: a named wire made on first use, which must be outside any when/switch block */
  get first(): Expr {
    this.firstSig ??= this.reg ? this.m.let(`${this.name}_first`, this.reg.eq(0)) : lit(1, Bool);
    return this.firstSig;
  }
  /** Next value, wrapping to 0 after limit - 1. */
  advance(): void {
    if (this.reg) this.reg.assign(mux(this.last, lit(0, this.reg.type), this.reg.addWrap(1)));
  }
  clear(): void {
    this.reg?.assign(0);
  }
}

const ST = { idle: 0, append: 1, pass1: 2, pass1End: 3, pass2: 4, pass2End: 5, divide: 6, normalize: 7, encode: 8, drain: 9 } as const;

/** `locs`: where each parameter is defined (paramLocations of a parameter file), for diagnostics at those lines. */
export function attentionUnit(p: AttentionParams, locs?: Record<string, SrcLoc | undefined>): Module {
  checkAttentionSpec(p, captureCallerLoc(), 'attentionUnit', locs);
  const m = new Module(attentionName(p), { ...p }, `Spiking attention unit: ${p.qHeads} query / ${p.kvHeads} KV heads of ${p.headSize}, KV cache of ${p.context} (${p.policy}) (spec: docs/attention.md)`);
  const { context: N, qHeads: Hq, kvHeads: Hkv, headSize: D, lanes: P, qBits: qB, kBits: kB, vBits: vB, scoreBits: SB } = p;
  const { expLutBits: f, expFracBits: F, recipBits: R, outBits: OB } = p;
  const C = chunks(p);
  const map = attentionMap(p);
  const rb = map.registerBits;
  const words = outWords(p);
  const sw = spikeWidth(p);
  const dw = dotWidth(p);
  const lw = lenWidth(p);
  const slotW = Math.max(1, log2ceil(N));
  const kvAw = Math.max(1, log2ceil(kvWords(p)));
  const stepW = bitsFor(p.maxSteps - 1);

  // ---- ports ----
  const cfgWe = m.input('cfg_we', Bool, 'configuration write (performed at an edge where ready = 1)');
  const cfgAddr = m.input('cfg_addr', UInt(CFG_ADDR_BITS), 'register: 0 scoreShift, 1 theta, 2 steps, 3 clearCounters');
  const cfgData = m.input('cfg_data', UInt(map.dataBits));
  const inValid = m.input('in_valid', Bool, 'a token is offered (taken at an edge where ready = 1 and cfg_we = 0)');
  const inSeqStart = m.input('in_seq_start', Bool, 'the token starts a sequence: position 0, cache emptied first');
  const inQ = m.input('in_q', UInt(Hq * D * qB), `q, element h*${D} + d at [(h*${D} + d)*${qB} +: ${qB}], signed`);
  const inK = m.input('in_k', UInt(Hkv * D * kB), `k, element g*${D} + d at [(g*${D} + d)*${kB} +: ${kB}], signed`);
  const inV = m.input('in_v', UInt(Hkv * D * vB), `v, packed as k, signed`);
  const ready = m.output('ready', Bool);
  const cfgError = m.output('cfg_error', Bool, 'sticky: a configuration write was refused');
  const ctxError = m.output('ctx_error', Bool, 'sticky: a token was refused');

  // ---- state ----
  const state = m.reg('state', UInt(4), { reset: ST.idle });
  const inState = (s: number) => state.eq(s);
  const idle = m.let('idle', inState(ST.idle));
  const encoderReady = m.wire('encoder_ready', Bool);
  ready.assign(idle.and(encoderReady));

  // ---- configuration ----
  const we = m.let('cfg_write', cfgWe.and(ready));
  const dataFits = (w: number) => (w >= map.dataBits ? lit(1, Bool) : cfgData.slice(map.dataBits - 1, w).eq(0));
  const shiftOk = m.let('cfg_shift_ok', cfgAddr.eq(ATT_REG.scoreShift).and(dataFits(rb.scoreShift)));
  const thetaOk = m.let('cfg_theta_ok', cfgAddr.eq(ATT_REG.theta).and(dataFits(rb.theta)));
  // steps in 1..maxSteps (the upper test only where the register could hold more)
  const stepsInRange = 2 ** map.dataBits - 1 > p.maxSteps ? cfgData.ne(0).and(cfgData.le(p.maxSteps)) : cfgData.ne(0);
  const stepsOk = m.let('cfg_steps_ok', cfgAddr.eq(ATT_REG.steps).and(stepsInRange));
  const isClear = m.let('cfg_is_clear', cfgAddr.eq(ATT_REG.clearCounters));
  const register = (name: string, width: number, ok: Expr, reset: number): Signal => {
    const r = m.reg(name, UInt(width), { reset, enable: we.and(ok) });
    r.assign(cfgData.slice(width - 1, 0));
    return r;
  };
  const scoreShift = register('score_shift', rb.scoreShift, shiftOk, 0);
  const theta = register('theta', rb.theta, thetaOk, 0);
  const steps = register('steps', rb.steps, stepsOk, 1);
  const clear = m.let('clear_counters', we.and(isClear));
  const cfgErr = m.reg('cfg_err', Bool, { reset: 0 });
  m.when(clear, () => cfgErr.assign(0)).elseWhen(we.and(shiftOk.or(thetaOk).or(stepsOk).or(isClear).not()), () => cfgErr.assign(1));
  cfgError.assign(cfgErr);

  // ---- token acceptance and positions ----
  const len = m.reg('len', UInt(lw), { reset: 0 }, 'cached positions');
  const wr = m.reg('write_slot', UInt(slotW), { reset: 0 }, 'the slot the next token is written to');
  const nextPos = m.reg('next_pos', UInt(p.positionBits), { reset: 0 });
  const exhausted = m.reg('pos_exhausted', Bool, { reset: 0 }, 'a token was taken at the last position');
  const tokPos = m.reg('tok_pos_r', UInt(p.positionBits), { reset: 0 });
  const tokSlot = m.reg('tok_slot', UInt(slotW), { reset: null });
  const lenFull = m.let('len_full', len.eq(N));
  const offer = m.let('tok_offer', inValid.and(ready).and(cfgWe.not()));
  const blocked = m.let('tok_blocked', inSeqStart.not().and(p.policy === 'error' ? exhausted.or(lenFull) : exhausted));
  const refuse = m.let('tok_refuse', offer.and(blocked));
  const accept = m.let('tok_accept', offer.and(blocked.not()));
  const slot = m.let('new_slot', mux(inSeqStart, lit(0, UInt(slotW)), wr));
  const pos = m.let('new_pos', mux(inSeqStart, lit(0, UInt(p.positionBits)), nextPos));
  const newLen = m.let('new_len', mux(inSeqStart, lit(1, UInt(lw)), mux(lenFull, lit(N, UInt(lw)), len.addWrap(1))));
  const qReg = m.reg('q', UInt(Hq * D * qB), { reset: null });
  const kReg = m.reg('k', UInt(Hkv * D * kB), { reset: null });
  const vReg = m.reg('v', UInt(Hkv * D * vB), { reset: null });
  m.when(accept, () => {
    len.assign(newLen);
    wr.assign(mux(slot.eq(N - 1), lit(0, UInt(slotW)), slot.addWrap(1)));
    nextPos.assign(pos.addWrap(1));
    exhausted.assign(pos.eq(2 ** p.positionBits - 1));
    tokPos.assign(pos);
    tokSlot.assign(slot);
    qReg.assign(inQ);
    kReg.assign(inK);
    vReg.assign(inV);
  });
  const ctxErr = m.reg('ctx_err', Bool, { reset: 0 });
  m.when(clear, () => ctxErr.assign(0)).elseWhen(refuse, () => ctxErr.assign(1));
  ctxError.assign(ctxErr);
  m.output('tok_pos', UInt(p.positionBits), 'position of the last token taken').assign(tokPos);
  m.output('cache_len', UInt(lw), 'cached positions').assign(len);

  // ---- loop counters ----
  const apC = new LoopCounter(m, 'append_chunk', C);
  const apG = new LoopCounter(m, 'append_head', Hkv);
  const head = new LoopCounter(m, 'head', Hq);
  const pj = new LoopCounter(m, 'pos_index', N);
  const pc = new LoopCounter(m, 'chunk', C);
  const dv = new LoopCounter(m, 'div_step', recipWidth(p));
  const ew = new LoopCounter(m, 'enc_word', words);
  const et = new LoopCounter(m, 'enc_step', p.maxSteps);
  const dr = new LoopCounter(m, 'drain', 2);
  const apLast = m.let('append_last', apG.last.and(apC.last));
  const pjLast = m.let('pos_last', pj.value.resize(lw).addWrap(1).eq(len));
  const passLast = m.let('pass_last', pjLast.and(pc.last));
  const etLast = m.let('steps_done', et.value.resize(rb.steps).addWrap(1).eq(steps));

  // ---- KV cache: append, then read in the passes ----
  const kMem = m.memory('k_cache', { type: UInt(P * kB), depth: kvWords(p), readUnderWrite: 'read-first' });
  const vMem = m.memory('v_cache', { type: UInt(P * vB), depth: kvWords(p), readUnderWrite: 'read-first' });
  const appending = m.let('appending', inState(ST.append));
  const apWord = Hkv * C > 1 ? m.let('append_word', times(apG.value, C).add(apC.value)) : lit(0, UInt(1));
  const apAddr = m.let('append_addr', times(apG.value, N * C).add(times(tokSlot, C)).add(apC.value).resize(kvAw));
  kMem.write(apAddr, selectField(kReg, apWord, Hkv * C, P * kB), appending);
  vMem.write(apAddr, selectField(vReg, apWord, Hkv * C, P * vB), appending);

  const pass1 = m.let('pass1_issue', inState(ST.pass1));
  const pass2 = m.let('pass2_issue', inState(ST.pass2));
  const kvBase = m.let('kv_base', constTable(head.value, Array.from({ length: Hq }, (_, h) => kvHeadOf(p, h) * N * C), UInt(kvAw)));
  const rdAddr = m.let('kv_rd_addr', kvBase.add(times(pj.value, C)).add(pc.value).resize(kvAw));
  const kWord = kMem.read('k_word', rdAddr, pass1);
  const vWord = vMem.read('v_word', rdAddr, pass2);

  // stage 1: the word read last cycle is here
  const s1Valid = m.reg('s1_valid', Bool, { reset: 0 });
  const s1J = m.reg('s1_pos', UInt(slotW), { reset: null });
  const s1C = C > 1 ? m.reg('s1_chunk', UInt(log2ceil(C)), { reset: null }) : undefined;
  s1Valid.assign(pass1.or(pass2));
  s1J.assign(pj.value.resize(slotW));
  s1C?.assign(pc.value);
  const s1First = s1C ? m.let('s1_chunk_first', s1C.eq(0)) : lit(1, Bool);
  const s1Last = s1C ? m.let('s1_chunk_last', s1C.eq(C - 1)) : lit(1, Bool);
  const s1J0 = m.let('s1_pos_first', s1J.eq(0));
  const st1p1 = m.let('s1_pass1', s1Valid.and(inState(ST.pass1).or(inState(ST.pass1End))));
  const st1p2 = m.let('s1_pass2', s1Valid.and(inState(ST.pass2).or(inState(ST.pass2End))));

  // ---- pass 1: scores and their max ----
  const qChunk = fields(m.let('q_chunk', selectField(qReg, times(head.value, C).add(s1C ?? lit(0, UInt(1))), Hq * C, P * qB)), P, qB);
  const kChunk = fields(kWord, P, kB);
  const chunkDot = m.let('chunk_dot', sumTree(qChunk.map((q, l) => q.asSigned().mul(kChunk[l]!.asSigned()))));
  let dot: Expr;
  if (s1C) {
    const dotAcc = m.reg('dot_acc', SInt(dw), { reset: null }, 'q.k of the chunks so far');
    // a partial sum is bounded like the whole dot product, so dw bits hold it exactly
    dot = m.let('dot', mux(s1First, lit(0, SInt(dw)), dotAcc).add(chunkDot).resize(dw));
    m.when(st1p1.and(s1Last.not()), () => dotAcc.assign(dot));
  } else dot = m.let('dot', chunkDot.resize(dw));
  const shifted = m.let('dot_shifted', dot.shrVar(scoreShift));
  const score = m.let('score', saturate(shifted, SInt(SB)));
  const scoreSat = SB < dw ? m.let('score_saturated', shifted.ne(score)) : lit(0, Bool);
  const scoreWrite = m.let('score_write', st1p1.and(s1Last));
  const scoreBuf = m.memory('score_buf', { type: SInt(SB), depth: N, readUnderWrite: 'read-first' });
  scoreBuf.write(s1J.resize(scoreBuf.addrWidth), score, scoreWrite);
  const scoreMaxR = m.reg('score_max', SInt(SB), { reset: null });
  m.when(scoreWrite, () => scoreMaxR.assign(mux(s1J0.or(score.gt(scoreMaxR)), score, scoreMaxR)));

  // ---- pass 2: weights, weighted V sum and denominator ----
  const scoreRd = scoreBuf.read('score_rd', pj.value.resize(scoreBuf.addrWidth), pass2.and(pc.first));
  // d = max - s >= 0; e = LUT[d mod 2^f] >> floor(d / 2^f), 0 once the shift passes F
  const dist = m.let('exp_d', scoreMaxR.sub(scoreRd).slice(SB - 1, 0));
  const expShift = m.let('exp_shift', f > 0 ? dist.shr(f) : dist);
  const lut = expLut(f, F);
  const lutValue = m.let('exp_lut', f > 0 ? constTable(dist.slice(f - 1, 0), lut, UInt(F + 1)) : lit(lut[0]!, UInt(F + 1)));
  const shiftedLut = lutValue.shrVar(expShift);
  const weight = m.let('weight', 2 ** expShift.width - 1 > F ? mux(expShift.gt(F), lit(0, UInt(F + 1)), shiftedLut) : shiftedLut);
  const vChunk = fields(vWord, P, vB);
  const products = vChunk.map((v, l) => m.let(`ev_${l}`, weight.toSigned().mul(v.asSigned())));
  const aw = accWidth(p);
  const accs: Signal[] = [];
  for (let d = 0; d < D; d++) {
    const acc = m.reg(`acc_${d}`, SInt(aw), { reset: null }, `sum of e * v, element ${d}`);
    const mine = s1C ? st1p2.and(s1C.eq(Math.floor(d / P))) : st1p2;
    m.when(mine, () => acc.assign(mux(s1J0, lit(0, SInt(aw)), acc).add(products[d % P]!).resize(aw)));
    accs.push(acc);
  }
  const den = m.reg('den', UInt(denWidth(p)), { reset: null }, 'sum of the weights');
  m.when(st1p2.and(s1First), () => den.assign(mux(s1J0, lit(0, den.type), den).add(weight).resize(den.width)));

  // ---- divider: r = floor(2^R / den), one quotient bit per cycle (rem starts at 2^(F-1) < den) ----
  const dividing = m.let('dividing', inState(ST.divide));
  const rem = m.reg('div_rem', UInt(den.width), { reset: null });
  const rw = recipWidth(p);
  const recip = m.reg('recip', UInt(rw), { reset: null });
  const remTwice = m.let('div_rem_x2', mux(dv.first, lit(2 ** (F - 1), rem.type), rem).shl(1));
  const qBit = m.let('div_bit', remTwice.ge(den));
  const recipPrev = mux(dv.first, lit(0, recip.type), recip);
  m.when(dividing, () => {
    rem.assign(mux(qBit, remTwice.sub(den).resize(den.width).asUnsigned(), remTwice.resize(den.width)));
    recip.assign(rw === 1 ? qBit : cat(recipPrev.slice(rw - 2, 0), qBit));
  });

  // ---- normalize: o = clamp((acc * r + 2^(R-1)) >> R), P per cycle, into the output buffer ----
  const normalizing = m.let('normalizing', inState(ST.normalize));
  const accChunk = fields(m.let('acc_chunk', selectField(cat(...[...accs].reverse()), pc.value, C, P * aw)), P, aw);
  const outs = accChunk.map((a, l) => {
    const rounded = m.let(`round_${l}`, a.asSigned().mul(recip.toSigned()).add(lit(1n << BigInt(R - 1), SInt(R + 1))).shr(R));
    return m.let(`o_${l}`, saturate(rounded, SInt(OB)));
  });
  const outWord = cat(...outs.map((o) => o.asUnsigned()).reverse());
  const encoding = m.let('encoding', inState(ST.encode));
  let outRd: Expr;
  if (words === 1) {
    // one word (heads x headSize = P): registers with the memory's read-first timing (Yosys would replace a memory of
    // depth 1 by registers anyway, with a warning)
    const word = m.reg('out_buf_word', UInt(P * OB), { reset: null, enable: normalizing });
    word.assign(outWord);
    const rd = m.reg('out_rd', UInt(P * OB), { reset: null, enable: encoding });
    rd.assign(word);
    outRd = rd;
  } else {
    const outBuf = m.memory('out_buf', { type: UInt(P * OB), depth: words, readUnderWrite: 'read-first' });
    outBuf.write(times(head.value, C).add(pc.value).resize(outBuf.addrWidth), outWord, normalizing);
    outRd = outBuf.read('out_rd', ew.value.resize(outBuf.addrWidth), encoding);
  }

  // ---- encoder: for t < T, for each output word, one LIF request (P neurons) ----
  const reqValid = m.reg('req_valid', Bool, { reset: 0 });
  const reqWord = m.reg('req_word', ew.value.type, { reset: null });
  const reqRestart = m.reg('req_restart', Bool, { reset: null });
  const reqStep = m.reg('req_step', UInt(stepW), { reset: null });
  reqValid.assign(encoding);
  reqWord.assign(ew.value);
  reqRestart.assign(et.first);
  reqStep.assign(et.value.resize(stepW));
  // the step travels beside the LIF array's two pipeline stages
  const encS1Valid = m.reg('enc_s1_valid', Bool, { reset: 0 });
  const encS1Step = m.reg('enc_s1_step', UInt(stepW), { reset: null });
  encS1Valid.assign(reqValid);
  encS1Step.assign(reqStep);
  const outStep = m.reg('out_step_r', UInt(stepW), { reset: 0, enable: encS1Valid });
  outStep.assign(encS1Step);

  const lp: LifArrayParams = { ...encoderSpec(p), neurons: Hq * D, arch: 'timemux', restart: true, lanes: P };
  const lif = lifArray(lp);
  const portType = (name: string) => lif.ports.find((q) => q.name === name)!.type;
  const lifValid = m.wire('enc_valid', Bool);
  const lifWord = m.wire('enc_word_out', portType('out_addr'));
  const lifSpikes = m.wire('enc_spikes', portType('out_spike'));
  const lifV = m.wire('enc_v', portType('out_v'));
  m.instance('u_encoder', lif, {
    in_valid: reqValid,
    in_addr: reqWord,
    in_current: P === 1 ? m.let('enc_current', outRd.asSigned()) : outRd,
    in_restart: reqRestart,
    threshold: theta,
    ready: encoderReady,
    out_valid: lifValid,
    out_addr: lifWord,
    out_spike: lifSpikes,
    out_v: lifV,
  });
  m.output('out_valid', Bool, 'an output word is on out_spikes this cycle').assign(lifValid);
  m.output('out_word', lifWord.type, `output word: elements out_word*${P} + j of the Hq x D output`).assign(lifWord);
  m.output('out_step', UInt(stepW), 'the step t of the spikes shown').assign(outStep);
  m.output('out_spikes', UInt(P * sw), `spikes, lane j at [j*${sw} +: ${sw}], signed`).assign(lifSpikes.asUnsigned());
  m.output('out_v', UInt(P * p.encVBits), 'encoder membranes after the update, same packing').assign(lifV.asUnsigned());

  // ---- FSM ----
  const go = (s: number) => state.assign(s);
  m.switch(state)
    .is(ST.idle, () => {
      m.when(accept, () => {
        go(ST.append);
        apC.clear();
        apG.clear();
      });
    })
    .is(ST.append, () => {
      apC.advance();
      m.when(apC.last, () => apG.advance());
      m.when(apLast, () => {
        go(ST.pass1);
        head.clear();
        pj.clear();
        pc.clear();
      });
    })
    .is([ST.pass1, ST.pass2], () => {
      pc.advance();
      m.when(pc.last, () => pj.advance());
      m.when(passLast, () => {
        state.assign(mux(inState(ST.pass1), lit(ST.pass1End, UInt(4)), lit(ST.pass2End, UInt(4))));
        pj.clear();
      });
    })
    .is(ST.pass1End, () => go(ST.pass2))
    .is(ST.pass2End, () => {
      go(ST.divide);
      dv.clear();
    })
    .is(ST.divide, () => {
      dv.advance();
      m.when(dv.last, () => go(ST.normalize));
    })
    .is(ST.normalize, () => {
      pc.advance();
      m.when(pc.last, () => {
        head.advance();
        m.when(head.last, () => {
          go(ST.encode);
          ew.clear();
          et.clear();
        }).otherwise(() => go(ST.pass1));
      });
    })
    .is(ST.encode, () => {
      ew.advance();
      m.when(ew.last, () => et.advance());
      m.when(ew.last.and(etLast), () => {
        go(ST.drain);
        et.clear();
        dr.clear();
      });
    })
    .is(ST.drain, () => {
      dr.advance();
      m.when(dr.last, () => go(ST.idle));
    })
    .default(() => go(ST.idle));

  // ---- counters (docs/attention.md: the token's amounts at its accepting edge) ----
  const cw = p.counterBits;
  const inc = (e: Expr) => (e.width >= cw ? e.truncate(cw) : e.resize(cw));
  const k = (v: number) => lit(v, UInt(bitsFor(v)));
  const spikeFields = fields(lifSpikes.asUnsigned(), P, sw);
  const increments: Record<AttentionCounter, [Expr, Expr]> = {
    tokens: [accept, k(1)],
    refused_tokens: [refuse, k(1)],
    kv_writes: [accept, k(2 * Hkv * C)],
    kv_write_bits: [accept, k(Hkv * D * (kB + vB))],
    kv_reads: [accept, times(newLen, 2 * Hq * C)],
    kv_read_bits: [accept, times(newLen, Hq * D * (kB + vB))],
    score_macs: [accept, times(newLen, Hq * D)],
    scores_saturated: [scoreWrite.and(scoreSat), k(1)],
    score_buffer_accesses: [accept, times(newLen, 2 * Hq)],
    exp_evals: [accept, times(newLen, Hq)],
    value_macs: [accept, times(newLen, Hq * D)],
    divisions: [accept, k(Hq)],
    encoder_updates: [accept, times(steps, Hq * D)],
    spikes_out: [lifValid, popcount(spikeFields.map((s) => s.orReduce()))],
  };
  for (const name of ATT_COUNTERS) {
    const [when, by] = increments[name];
    const r = m.reg(`count_${name}`, UInt(cw), { reset: 0 });
    m.when(clear, () => r.assign(0)).elseWhen(when, () => r.assign(r.addWrap(inc(by))));
    m.output(`cnt_${name}`, UInt(cw)).assign(r);
  }
  return m;
}
