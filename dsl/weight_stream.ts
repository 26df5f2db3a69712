// Weight-streaming loader (spec: docs/memory.md; rules: src/spec/memory.ts). A command (source beat address, word
// count, target region and base index) becomes burst read requests to the off-chip memory (at most maxBurst beats
// each, at most maxOutstanding in flight); the data beats are checked (last flag, pad bits), assembled into
// configuration words (B beats each) and written into the target's configuration port when it is ready. A fault
// (early or missing last, pad bits, timeout, refused command) ends the command; the image is then not loaded.
import { Bool, Module, UInt, bitsFor, captureCallerLoc, cat, lit, mux, paramName, type Expr, type Signal, type SrcLoc } from '../src/hdl/index.js';
import {
  beatsPerWord,
  cfgAddrBits,
  checkWeightStreamSpec,
  countBits,
  FAULT,
  FAULT_BITS,
  LOADER_COUNTER_DOC,
  LOADER_COUNTERS,
  lenBits,
  padBits,
  transferBits,
  type LoaderCounter,
  type WeightStreamSpec,
} from '../src/spec/memory.js';

export type WeightStreamParams = WeightStreamSpec;

export function weightStreamName(p: WeightStreamParams): string {
  const t = p.target;
  return paramName('wstream', { b: p.beatBits, a: p.addrBits, mb: p.maxBurst, mo: p.maxOutstanding, t: p.timeoutCycles, c: p.counterBits, d: t.dataBits, i: t.indexBits, r: t.regionWords.join('x') });
}

const ST = { idle: 0, run: 1, drain: 2 } as const;

/** `locs`: where each parameter is defined (paramLocations of a parameter file), for diagnostics at those lines. */
export function weightStreamLoader(p: WeightStreamParams, locs?: Record<string, SrcLoc | undefined>): Module {
  checkWeightStreamSpec(p, captureCallerLoc(), 'weightStreamLoader', locs);
  const t = p.target;
  const m = new Module(weightStreamName(p), { ...p, target: JSON.stringify(t) }, `Weight-streaming loader: ${p.beatBits}-bit beats into a ${t.dataBits}-bit configuration port (spec: docs/memory.md)`);
  const B = beatsPerWord(p);
  const pad = padBits(p);
  const tw = transferBits(p);
  const ow = bitsFor(p.maxOutstanding);

  // ---- ports ----
  const cmdValid = m.input('cmd_valid', Bool, 'a command is offered (taken at an edge where cmd_ready = 1)');
  const cmdSrc = m.input('cmd_src', UInt(p.addrBits), 'beat address of the first word');
  const cmdCount = m.input('cmd_count', UInt(countBits(p)), 'words to load (1..region words - base)');
  const cmdRegion = m.input('cmd_region', UInt(2), 'target region');
  const cmdBase = m.input('cmd_base', UInt(t.indexBits), 'index of the first word in the region');
  const cmdFirst = m.input('cmd_first', Bool, 'this command starts a new image');
  const cmdReady = m.output('cmd_ready', Bool, 'idle: a command is taken at the end of this cycle');
  const reqValidOut = m.output('req_valid', Bool, 'a burst read request (held until req_ready)');
  const reqAddrOut = m.output('req_addr', UInt(p.addrBits), 'beat address of the burst');
  const reqLenOut = m.output('req_len', UInt(lenBits(p)), `beats in the burst, 1..${p.maxBurst}`);
  const reqReady = m.input('req_ready', Bool, 'the memory takes the request at the end of this cycle');
  const dataValid = m.input('data_valid', Bool, 'a data beat is offered');
  const data = m.input('data', UInt(p.beatBits));
  const dataLast = m.input('data_last', Bool, 'the beat ends its burst');
  const dataReadyOut = m.output('data_ready', Bool, 'the loader takes the beat at the end of this cycle');
  const cfgWe = m.output('cfg_we', Bool, 'a configuration word is offered to the target (written at an edge where tgt_ready = 1)');
  const cfgAddr = m.output('cfg_addr', UInt(cfgAddrBits(p)), '{region, index}');
  const cfgData = m.output('cfg_data', UInt(t.dataBits));
  const tgtReady = m.input('tgt_ready', Bool, 'the target performs a write offered in this cycle');
  const loadedOut = m.output('loaded', Bool, 'the image is complete: every command since the last first one ended without a fault, none is running');
  const faultOut = m.output('fault', UInt(FAULT_BITS), 'the image\'s first fault (docs/memory.md codes; 0 = none)');

  // ---- state ----
  const state = m.reg('state', UInt(2), { reset: ST.idle });
  const idle = m.let('idle', state.eq(ST.idle));
  const run = m.let('running', state.eq(ST.run));
  const drain = m.let('draining', state.eq(ST.drain));
  const reqAddr = m.reg('req_addr_r', UInt(p.addrBits), { reset: 0 }, 'address of the next burst');
  const reqLeft = m.reg('req_left', UInt(tw), { reset: 0 }, 'beats not yet requested');
  const reqHold = m.reg('req_hold', Bool, { reset: 0 }, 'a request was offered and not taken: it stays valid');
  const outstanding = m.reg('outstanding', UInt(ow), { reset: 0 }, 'bursts requested whose last beat has not arrived');
  const rxLeft = m.reg('rx_left', UInt(tw), { reset: 0 }, 'beats not yet received');
  const rxPos = p.maxBurst > 1 ? m.reg('rx_pos', UInt(bitsFor(p.maxBurst - 1)), { reset: 0 }, 'beat index within the burst') : undefined;
  const wBeat = B > 1 ? m.reg('word_beat', UInt(bitsFor(B - 1)), { reset: 0 }, 'beat index within the word') : undefined;
  const full = m.reg('full', Bool, { reset: 0 }, 'a complete word waits for the target');
  const wIndex = m.reg('write_index', UInt(t.indexBits), { reset: 0 });
  const region = m.reg('region', UInt(2), { reset: 0 });
  const imageOk = m.reg('image_ok', Bool, { reset: 0 }, 'an image started and no fault since');
  const faultCode = m.reg('fault_code', UInt(FAULT_BITS), { reset: FAULT.none });

  // ---- command: accepted when idle; refused when empty, past its region or past the address space ----
  const cmdFire = m.let('cmd_fire', cmdValid.and(idle));
  const regionWords = (r: number) => lit(t.regionWords[r]!, UInt(t.indexBits + 1));
  const limit = m.let('region_words', mux(cmdRegion.eq(0), regionWords(0), mux(cmdRegion.eq(1), regionWords(1), mux(cmdRegion.eq(2), regionWords(2), regionWords(3)))));
  const beatsExact = cmdCount.mul(lit(B, UInt(bitsFor(B))));
  const pastEnd = cmdSrc.add(beatsExact).gt(lit(2 ** p.addrBits, UInt(p.addrBits + 1)));
  const refuse = m.let('cmd_refused', cmdCount.eq(0).or(cmdBase.add(cmdCount).gt(limit)).or(pastEnd));
  // a command that runs is inside its region, so its beat count fits the transfer width
  const beats = m.let('cmd_beats', beatsExact.resize(tw));
  const start = m.let('start', cmdFire.and(refuse.not()));

  // ---- requests ----
  const lw = Math.max(tw, lenBits(p));
  const reqLen = m.let('req_len_next', mux(reqLeft.ge(p.maxBurst), lit(p.maxBurst, UInt(lw)), reqLeft.resize(lw)).resize(lenBits(p)));
  const reqWant = run.and(reqLeft.ne(0)).and(outstanding.lt(p.maxOutstanding));
  const reqValid = m.let('req_offer', reqHold.or(reqWant));
  const reqFire = m.let('req_fire', reqValid.and(reqReady));

  // ---- data beats: checked, assembled into a word, the word written when the target is ready ----
  const dataReady = m.let('data_take', outstanding.ne(0).and(run.and(full.not().or(tgtReady)).or(drain)));
  const beatFire = m.let('beat_fire', dataValid.and(dataReady));
  const writeFire = m.let('write_fire', full.and(tgtReady));
  const expectLast = m.let('expect_last', rxPos ? rxPos.eq(p.maxBurst - 1).or(rxLeft.eq(1)) : lit(1, Bool));
  const wordEnd = wBeat ? m.let('word_end', wBeat.eq(B - 1)) : lit(1, Bool);
  const early = dataLast.and(expectLast.not());
  const missing = dataLast.not().and(expectLast);
  const lastBad = early.or(missing);
  const beatBad = m.let('beat_bad', pad > 0 ? lastBad.or(wordEnd.and(data.slice(p.beatBits - 1, p.beatBits - pad).ne(0))) : lastBad);
  const beatFault = m.let('beat_fault', run.and(beatFire).and(beatBad));
  const goodBeat = m.let('beat_good', run.and(beatFire).and(beatBad.not()));
  const beatCode = mux(early, lit(FAULT.earlyLast, UInt(FAULT_BITS)), mux(missing, lit(FAULT.missingLast, UInt(FAULT_BITS)), lit(FAULT.padBits, UInt(FAULT_BITS))));

  // ---- timeout: T consecutive cycles waiting on the memory without a handshake ----
  let timeoutHit: Expr = lit(0, Bool);
  if (p.timeoutCycles > 0) {
    const waiting = m.let('mem_wait', reqValid.and(reqReady.not()).or(dataReady.and(dataValid.not())));
    const timer = m.reg('wait_timer', UInt(bitsFor(p.timeoutCycles)), { reset: 0 }, 'consecutive cycles waiting on the memory');
    const stalled = m.let('mem_stalled', idle.not().and(waiting).and(reqFire.or(beatFire).not()));
    timeoutHit = m.let('timeout', stalled.and(timer.eq(p.timeoutCycles - 1)));
    m.when(stalled.and(timeoutHit.not()), () => timer.assign(timer.addWrap(1))).otherwise(() => timer.assign(0));
  }
  const timeoutFault = m.let('timeout_fault', run.and(timeoutHit));
  const cmdFault = cmdFire.and(refuse);
  const anyFault = m.let('fault_now', cmdFault.or(beatFault).or(timeoutFault));
  const code = mux(cmdFault, lit(FAULT.refused, UInt(FAULT_BITS)), mux(timeoutFault, lit(FAULT.timeout, UInt(FAULT_BITS)), beatCode));
  const done = m.let('done', run.and(rxLeft.eq(0)).and(writeFire));

  // ---- next state ----
  m.switch(state)
    .is(ST.idle, () => m.when(start, () => state.assign(ST.run)))
    .is(ST.run, () => {
      m.when(beatFault, () => state.assign(ST.drain)).elseWhen(timeoutHit.or(done), () => state.assign(ST.idle));
    })
    .is(ST.drain, () => m.when(timeoutHit.or(outstanding.eq(0).and(reqHold.not())), () => state.assign(ST.idle)))
    .default(() => state.assign(ST.idle));
  m.when(start, () => {
    reqAddr.assign(cmdSrc);
    reqLeft.assign(beats);
  }).elseWhen(reqFire, () => {
    reqAddr.assign(reqAddr.addWrap(reqLen.resize(p.addrBits)));
    reqLeft.assign(reqLeft.subWrap(reqLen.resize(tw)));
  });
  m.when(timeoutHit, () => reqHold.assign(0)).otherwise(() => reqHold.assign(reqValid.and(reqReady.not())));
  const burstEnds = beatFire.and(dataLast);
  m.when(timeoutHit, () => outstanding.assign(0))
    .elseWhen(reqFire.and(burstEnds.not()), () => outstanding.assign(outstanding.addWrap(1)))
    .elseWhen(burstEnds.and(reqFire.not()), () => outstanding.assign(outstanding.subWrap(1)));
  m.when(start, () => rxLeft.assign(beats)).elseWhen(goodBeat, () => rxLeft.assign(rxLeft.subWrap(1)));
  if (rxPos) m.when(start, () => rxPos.assign(0)).elseWhen(goodBeat, () => rxPos.assign(mux(expectLast, lit(0, rxPos.type), rxPos.addWrap(1))));
  if (wBeat) m.when(start, () => wBeat.assign(0)).elseWhen(goodBeat, () => wBeat.assign(mux(wordEnd, lit(0, wBeat.type), wBeat.addWrap(1))));
  m.when(goodBeat.and(wordEnd), () => full.assign(1)).elseWhen(writeFire.or(beatFault).or(timeoutHit), () => full.assign(0));
  m.when(start, () => {
    wIndex.assign(cmdBase);
    region.assign(cmdRegion);
  }).elseWhen(writeFire, () => wIndex.assign(wIndex.addWrap(1)));
  m.when(cmdFire.and(cmdFirst), () => {
    imageOk.assign(refuse.not());
    faultCode.assign(mux(refuse, lit(FAULT.refused, UInt(FAULT_BITS)), lit(FAULT.none, UInt(FAULT_BITS))));
  }).elseWhen(anyFault, () => {
    imageOk.assign(0);
    m.when(faultCode.eq(FAULT.none), () => faultCode.assign(code));
  });

  // the word: beat j in slot j; the last slot holds only the word's bits (its pad bits were checked to be 0)
  const slots: Signal[] = [];
  for (let j = 0; j < B; j++) {
    const w = j === B - 1 ? p.beatBits - pad : p.beatBits;
    const slot = m.reg(B === 1 ? 'word' : `word_${j}`, UInt(w), { reset: 0, enable: wBeat ? goodBeat.and(wBeat.eq(j)) : goodBeat });
    slot.assign(w === p.beatBits ? data : data.slice(w - 1, 0));
    slots.push(slot);
  }

  // ---- outputs ----
  cmdReady.assign(idle);
  reqValidOut.assign(reqValid);
  reqAddrOut.assign(reqAddr);
  reqLenOut.assign(reqLen);
  dataReadyOut.assign(dataReady);
  cfgWe.assign(full);
  cfgAddr.assign(cat(region, wIndex));
  cfgData.assign(slots.length === 1 ? slots[0]! : cat(...[...slots].reverse()));
  loadedOut.assign(imageOk.and(idle));
  faultOut.assign(faultCode);

  // ---- counters (wrapping) ----
  const cw = p.counterBits;
  const one = lit(1, UInt(cw));
  const events: Record<LoaderCounter, [Expr, Expr]> = {
    commands: [cmdFire, one],
    bursts: [reqFire, one],
    beats: [beatFire, one],
    bits: [beatFire, lit(p.beatBits % 2 ** cw, UInt(cw))],
    req_stalls: [reqValid.and(reqReady.not()), one],
    data_stalls: [dataReady.and(dataValid.not()), one],
    target_stalls: [full.and(tgtReady.not()), one],
    words: [writeFire, one],
    faults: [anyFault, one],
  };
  for (const name of LOADER_COUNTERS) {
    const [when, by] = events[name];
    const r = m.reg(`count_${name}`, UInt(cw), { reset: 0 });
    m.when(when, () => r.assign(r.addWrap(by)));
    m.output(`cnt_${name}`, UInt(cw), LOADER_COUNTER_DOC[name]).assign(r);
  }
  return m;
}
