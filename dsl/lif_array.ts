// LIF neuron array generator: N neurons, every width derived from the parameters.
//  - 'parallel': one register set per neuron; all neurons update together on in_valid (latency 1).
//  - 'timemux':  ODIN-style: neuron states live in one synchronous memory; one neuron update per cycle,
//                pipelined (latency 2, back-to-back updates of one neuron are exact thanks to write-first reads).
//                After reset the array clears its state memory (ready is low for `neurons` cycles).
import { Bool, Module, SInt, UInt, captureCallerLoc, cat, lit, log2ceil, mux, paramName, validateAll, type Expr } from '../src/hdl/index.js';
import { makeDiagnostic, report } from '../src/hdl/diagnostics.js';
import { requireChoice, requireRange } from '../src/params/define.js';
import { COUNTER_BITS, LIF_STATE_COUNTER_DOC, LIF_STATE_COUNTERS, type LifStateCounter } from '../src/spec/memory.js';
import { leakType, neuronUpdate, refractoryWidth, spikeType, thresholdType, type NeuronParams } from './lif_neuron.js';

export interface LifArrayParams extends NeuronParams {
  neurons: number;
  arch: 'timemux' | 'parallel';
  /** adds `in_restart`: an update that starts from rest (v = 0, r = 0), for the first timestep of a token */
  restart?: boolean;
  /** timemux: neurons updated per request (one state word holds `lanes` neurons); divides `neurons` */
  lanes?: number;
  /** timemux: adds the state memory's access counters (docs/memory.md), this many bits wide (wrapping) */
  counters?: number;
}

export const LIF_LIMITS = { neurons: [1, 1024], vWidth: [4, 32], iWidth: [2, 32], refractory: [0, 255], levels: [1, 15] } as const;

function validate(p: LifArrayParams): void {
  const loc = captureCallerLoc();
  validateAll(() => {
    for (const [k, [lo, hi]] of Object.entries(LIF_LIMITS)) requireRange('lifArray', k, p[k as keyof typeof LIF_LIMITS], lo, hi, loc);
    requireChoice('lifArray', 'leak', p.leak, ['none', 'shift', 'subtract'], loc);
    requireChoice('lifArray', 'reset', p.reset, ['zero', 'subtract'], loc);
    requireChoice('lifArray', 'spikes', p.spikes, ['binary', 'signed', 'graded', 'graded-signed'], loc);
    requireChoice('lifArray', 'arch', p.arch, ['timemux', 'parallel'], loc);
    if (p.lanes !== undefined) {
      requireRange('lifArray', 'lanes', p.lanes, 1, p.neurons, loc);
      if (p.neurons % p.lanes !== 0) report(makeDiagnostic('PARAM_RANGE', `lifArray: lanes = ${p.lanes} must divide neurons = ${p.neurons}`, loc));
      if (p.lanes > 1 && p.arch !== 'timemux') report(makeDiagnostic('PARAM_RANGE', `lifArray: lanes = ${p.lanes} applies to arch 'timemux' only`, loc));
    }
    if (p.counters !== undefined) {
      requireRange('lifArray', 'counters', p.counters, COUNTER_BITS[0], COUNTER_BITS[1], loc);
      if (p.arch !== 'timemux') report(makeDiagnostic('PARAM_RANGE', `lifArray: counters = ${p.counters} applies to arch 'timemux' only (the parallel array keeps its state in registers, not a memory)`, loc));
    }
    if (p.floor && (p.spikes === 'signed' || p.spikes === 'graded-signed')) {
      report(makeDiagnostic('PARAM_RANGE', `lifArray: floor = true keeps the membrane >= 0, so spikes = '${p.spikes}' could never fire negatively; use 'binary' or 'graded'`, loc));
    }
  });
}

export function lifArrayName(p: LifArrayParams): string {
  const arch = p.arch === 'timemux' ? 'tm' : 'par';
  const sp = { binary: 'b', signed: 's', graded: 'g', 'graded-signed': 'gs' }[p.spikes];
  const name = paramName(`lif_${arch}`, { n: p.neurons, v: p.vWidth, i: p.iWidth, l: p.leak[0]!, r: p.reset[0]!, rf: p.refractory, s: `${sp}${p.levels}` });
  return `${name}${(p.lanes ?? 1) > 1 ? `_x${p.lanes}` : ''}${p.floor ? '_floor' : ''}${p.restart ? '_restart' : ''}${p.counters ? `_cnt${p.counters}` : ''}`;
}

export function lifArray(p: LifArrayParams): Module {
  validate(p);
  const m = new Module(lifArrayName(p), { ...p }, `LIF neuron array, ${p.neurons} neurons, ${p.arch} (spec: docs/lif.md)`);
  return p.arch === 'parallel' ? parallel(m, p) : timemux(m, p);
}

function configPorts(m: Module, p: LifArrayParams): { theta: Expr; leak: Expr | undefined } {
  const theta = m.input('threshold', thresholdType(p), 'firing threshold (unsigned)');
  const lt = leakType(p);
  const leak = lt ? m.input('leak', lt, p.leak === 'shift' ? 'leak shift: |v| -= ceil(|v| / 2^leak)' : 'leak amount: |v| -= leak') : undefined;
  return { theta, leak };
}

function parallel(m: Module, p: LifArrayParams): Module {
  const n = p.neurons;
  const inValid = m.input('in_valid', Bool, 'update all neurons this cycle');
  const inCurrent = m.input('in_current', UInt(n * p.iWidth), 'packed signed currents, neuron i at [i*iWidth +: iWidth]');
  const restart = p.restart ? m.input('in_restart', Bool, 'this update starts every neuron from rest (v = 0, r = 0)') : undefined;
  const { theta, leak } = configPorts(m, p);
  const outValid = m.output('out_valid', Bool);
  const outSpikes = m.output('out_spikes', UInt(n * spikeType(p).width), 'packed spikes of the last update');
  const outV = m.output('out_v', UInt(n * p.vWidth), 'packed membrane potentials');

  const valid = m.reg('valid', Bool);
  valid.assign(inValid);
  outValid.assign(valid);
  const spikes: Expr[] = [];
  const vs: Expr[] = [];
  const rw = refractoryWidth(p);
  for (let i = 0; i < n; i++) {
    const v = m.reg(`v_${i}`, SInt(p.vWidth), { reset: 0, enable: inValid });
    const r = rw ? m.reg(`refr_${i}`, UInt(rw), { reset: 0, enable: inValid }) : undefined;
    const spike = m.reg(`spike_${i}`, spikeType(p), { reset: 0, enable: inValid });
    const cur = inCurrent.slice((i + 1) * p.iWidth - 1, i * p.iWidth).asSigned();
    const next = neuronUpdate(m, `n${i}_`, p, { v, r }, cur, theta, leak, restart);
    v.assign(next.v);
    if (r && next.r) r.assign(next.r);
    spike.assign(next.spike);
    spikes.unshift(spike.asUnsigned());
    vs.unshift(v.asUnsigned());
  }
  outSpikes.assign(cat(...spikes));
  outV.assign(cat(...vs));
  return m;
}

function timemux(m: Module, p: LifArrayParams): Module {
  const lanes = p.lanes ?? 1;
  const words = p.neurons / lanes;
  const aw = Math.max(1, log2ceil(words));
  const rw = refractoryWidth(p);
  const sw = spikeType(p).width;
  const stateBits = p.vWidth + rw;
  const one = lanes === 1;
  const inValid = m.input('in_valid', Bool, 'an update request this cycle (dropped while ready is low)');
  const inAddr = m.input('in_addr', UInt(aw), one ? 'neuron index (requests with in_addr >= neurons are dropped)' : `neuron group: neurons in_addr*${lanes} + j (requests with in_addr >= ${words} are dropped)`);
  const inCurrent = m.input('in_current', one ? SInt(p.iWidth) : UInt(lanes * p.iWidth), one ? 'input current' : 'packed signed currents, lane j at [j*iWidth +: iWidth]');
  const inRestart = p.restart ? m.input('in_restart', Bool, 'this update starts the neurons from rest (v = 0, r = 0)') : undefined;
  const { theta: thetaIn, leak: leakIn } = configPorts(m, p);
  const ready = m.output('ready', Bool, 'low while the state memory is cleared after reset');
  const outValid = m.output('out_valid', Bool);
  const outAddr = m.output('out_addr', UInt(aw));
  const outSpike = m.output('out_spike', one ? spikeType(p) : UInt(lanes * sw), one ? undefined : 'packed spikes, lane j at [j*sw +: sw]');
  const outV = m.output('out_v', one ? SInt(p.vWidth) : UInt(lanes * p.vWidth), one ? 'membrane after the update' : 'packed membranes after the update');

  // clear sequencer: writes zero to every state word after reset
  const clearing = m.reg('clearing', Bool, { reset: 1 });
  const clearAddr = m.reg('clear_addr', UInt(aw), { reset: 0 });
  ready.assign(clearing.not());
  m.when(clearing, () => {
    m.when(clearAddr.eq(words - 1), () => clearing.assign(0));
    clearAddr.assign(clearAddr.addWrap(1));
  });

  const accept = m.let('accept', words === 1 << aw ? inValid.and(ready) : inValid.and(ready).and(inAddr.lt(words)));
  const state = m.memory('state', { type: UInt(lanes * stateBits), depth: words, readUnderWrite: 'write-first' });
  const word = state.read('state_rd', inAddr, accept);

  // stage 1: the read word is here; compute and write back
  const s1Valid = m.reg('s1_valid', Bool);
  const s1Addr = m.reg('s1_addr', UInt(aw), { reset: null });
  const s1Current = m.reg('s1_current', inCurrent.type, { reset: null });
  s1Valid.assign(accept);
  s1Addr.assign(inAddr);
  s1Current.assign(inCurrent);
  // the configuration inputs are sampled with the request (as in the parallel array), not a cycle later
  const theta = m.reg('s1_threshold', thetaIn.type, { reset: null });
  theta.assign(thetaIn);
  let leak: Expr | undefined;
  if (leakIn) {
    const l = m.reg('s1_leak', leakIn.type, { reset: null });
    l.assign(leakIn);
    leak = l;
  }
  let restart: Expr | undefined;
  if (inRestart) {
    const rs = m.reg('s1_restart', Bool, { reset: null });
    rs.assign(inRestart);
    restart = rs;
  }
  const nextWords: Expr[] = [];
  const spikes: Expr[] = [];
  const vs: Expr[] = [];
  let lane0: { spike: Expr; v: Expr } | undefined;
  for (let j = 0; j < lanes; j++) {
    const pre = one ? '' : `l${j}_`;
    const lo = j * stateBits;
    const v = rw || !one ? m.let(`${pre}v`, word.slice(lo + p.vWidth - 1, lo).asSigned()) : word.asSigned();
    const r = rw ? m.let(`${pre}refr`, word.slice(lo + stateBits - 1, lo + p.vWidth)) : undefined;
    const cur = one ? s1Current : s1Current.slice((j + 1) * p.iWidth - 1, j * p.iWidth).asSigned();
    const next = neuronUpdate(m, pre, p, { v, r }, cur, theta, leak, restart);
    nextWords.unshift(next.r ? cat(next.r, next.v.asUnsigned()) : next.v.asUnsigned());
    spikes.unshift(next.spike.asUnsigned());
    vs.unshift(next.v.asUnsigned());
    lane0 ??= next;
  }
  const nextWord = m.let('next_word', cat(...nextWords));
  // (not a named wire, so that arrays without counters emit the same Verilog as before they existed)
  const stateWe = clearing.or(s1Valid);
  state.write(mux(clearing, clearAddr, s1Addr), mux(clearing, lit(0, UInt(lanes * stateBits)), nextWord), stateWe);
  if (p.counters) {
    const events: Record<LifStateCounter, Expr> = { state_reads: accept, state_writes: stateWe };
    for (const name of LIF_STATE_COUNTERS) {
      const r = m.reg(`count_${name}`, UInt(p.counters), { reset: 0 });
      m.when(events[name], () => r.assign(r.addWrap(1)));
      m.output(`cnt_${name}`, UInt(p.counters), LIF_STATE_COUNTER_DOC[name]).assign(r);
    }
  }

  const oValid = m.reg('o_valid', Bool);
  const oAddr = m.reg('o_addr', UInt(aw), { reset: 0 });
  const oSpike = m.reg('o_spike', outSpike.type, { reset: 0 });
  const oV = m.reg('o_v', outV.type, { reset: 0 });
  oValid.assign(s1Valid);
  m.when(s1Valid, () => {
    oAddr.assign(s1Addr);
    oSpike.assign(one ? lane0!.spike : cat(...spikes));
    oV.assign(one ? lane0!.v : cat(...vs));
  });
  outValid.assign(oValid);
  outAddr.assign(oAddr);
  outSpike.assign(oSpike);
  outV.assign(oV);
  return m;
}
