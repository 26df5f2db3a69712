// One LIF neuron update as combinational hardware, shared by both array architectures.
// The behaviour is specified in docs/lif.md; the golden model (src/golden/lif.ts) is written from that spec.
import { Bool, Expr, Module, SInt, UInt, bitsFor, lit, mux, saturate, type HdlType } from '../src/hdl/index.js';

import { leakWidth, signedSpikes as spikeSigned, spikeLevels, thresholdWidth, type NeuronSpec as NeuronParams } from '../src/spec/lif.js';

export type { NeuronParams };
export function spikeType(p: NeuronParams): HdlType {
  const w = bitsFor(spikeLevels(p));
  return spikeSigned(p) ? SInt(w + 1) : UInt(w);
}
export const thresholdType = (p: NeuronParams) => UInt(thresholdWidth(p));
export function leakType(p: NeuronParams): HdlType | undefined {
  const w = leakWidth(p);
  return w ? UInt(w) : undefined;
}
export const refractoryWidth = (p: NeuronParams) => (p.refractory > 0 ? bitsFor(p.refractory) : 0);

export interface NeuronState {
  v: Expr;
  /** refractory counter (absent when refractory = 0) */
  r?: Expr;
}

export interface NeuronNext {
  v: Expr;
  r?: Expr;
  spike: Expr;
}

function applyLeak(p: NeuronParams, v: Expr, leak: Expr | undefined): Expr {
  if (p.leak === 'none' || !leak) return v;
  if (p.leak === 'shift') {
    // |v| shrinks by ceil(|v| / 2^leak) toward zero (a silent neuron reaches rest exactly):
    // d = (|v| >> leak) + (any bit shifted out ? 1 : 0)
    const w = p.vWidth + 1;
    const mag = mux(v.lt(0), v.neg(), v.resize(w)).asUnsigned();
    const ones = lit((1n << BigInt(w)) - 1n, UInt(w));
    const lost = mag.and(ones.shlVar(leak).not()).orReduce();
    const d = mag.shrVar(leak).add(lost).toSigned();
    return mux(v.lt(0), v.add(d), v.sub(d)).resize(p.vWidth);
  }
  const l = leak.toSigned();
  return mux(v.gt(l), v.sub(l).resize(p.vWidth), mux(v.lt(l.neg()), v.add(l).resize(p.vWidth), lit(0, SInt(p.vWidth))));
}

/**
 * Next state and spike of one neuron given its state, input current and the shared configuration.
 * Intermediates become named wires `<prefix>leaked`, `<prefix>integrated`, ... for readable Verilog.
 */
export function neuronUpdate(m: Module, prefix: string, p: NeuronParams, state: NeuronState, current: Expr, theta: Expr, leak: Expr | undefined, restart?: Expr): NeuronNext {
  const vt = SInt(p.vWidth);
  const st = spikeType(p);
  // a restarting update (first timestep of a token) sees a neuron at rest: v = 0, not refractory
  const s: NeuronState = restart
    ? { v: m.let(`${prefix}v_start`, mux(restart, lit(0, vt), state.v)), r: state.r && m.let(`${prefix}r_start`, mux(restart, lit(0, state.r.type), state.r)) }
    : state;
  const leaked = p.leak === 'none' ? s.v : m.let(`${prefix}leaked`, applyLeak(p, s.v, leak));
  const sum = leaked.add(current);
  // with a floor the membrane never goes below 0 (ODIN); otherwise it saturates at the type's limits
  const u = m.let(`${prefix}integrated`, p.floor ? saturate(mux(sum.lt(0), lit(0, sum.type), sum), vt) : saturate(sum, vt));
  // k = the largest j <= levels with u >= j*theta (and the mirror for negative spikes)
  let k: Expr = lit(0, st);
  let kTheta: Expr = lit(0, SInt(p.vWidth + 1));
  const multiples = Array.from({ length: spikeLevels(p) }, (_, i) => (i === 0 ? theta.toSigned() : m.let(`${prefix}theta_x${i + 1}`, theta.mul(i + 1).toSigned())));
  for (let j = 1; j <= spikeLevels(p); j++) {
    const jt = multiples[j - 1]!;
    const hit = u.ge(jt);
    k = mux(hit, lit(j, st), k);
    kTheta = mux(hit, jt.resize(p.vWidth + 1), kTheta);
  }
  if (spikeSigned(p)) {
    let kn: Expr = lit(0, st);
    let knTheta: Expr = lit(0, SInt(p.vWidth + 1));
    for (let j = 1; j <= spikeLevels(p); j++) {
      const jt = multiples[j - 1]!;
      const hit = u.le(jt.neg());
      kn = mux(hit, lit(-j, st), kn);
      knTheta = mux(hit, jt.neg().resize(p.vWidth + 1), knTheta);
    }
    const pos = k.ne(0);
    k = mux(pos, k, kn);
    kTheta = mux(pos, kTheta, knTheta);
  }
  k = m.let(`${prefix}k`, k);
  const fired: Expr = k.ne(0);
  const afterReset = p.reset === 'zero' ? mux(fired, lit(0, vt), u) : u.sub(m.let(`${prefix}k_theta`, kTheta)).resize(p.vWidth);
  if (!s.r) return { v: m.let(`${prefix}v_next`, afterReset), spike: k };
  const rt = UInt(refractoryWidth(p));
  const inRefractory: Expr = s.r.ne(0);
  return {
    v: m.let(`${prefix}v_next`, mux(inRefractory, s.v, afterReset)),
    r: m.let(`${prefix}r_next`, mux(inRefractory, s.r.subWrap(1), mux(fired, lit(p.refractory, rt), lit(0, rt)))),
    spike: m.let(`${prefix}spike_next`, mux(inRefractory, lit(0, st), k)),
  };
}

export { Bool };
