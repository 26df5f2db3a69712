// The LIF neuron array's parameter vocabulary (docs/lif.md), shared by the RTL generator (dsl/) and the golden
// model (src/golden/). Only names and derived alphabet sizes live here; each side implements the behaviour itself.

export type LeakMode = 'none' | 'shift' | 'subtract';
export type ResetMode = 'zero' | 'subtract';
export type SpikeMode = 'binary' | 'signed' | 'graded' | 'graded-signed';

export interface NeuronSpec {
  vWidth: number;
  iWidth: number;
  leak: LeakMode;
  reset: ResetMode;
  refractory: number;
  spikes: SpikeMode;
  levels: number;
  /** membrane bounded below at 0 (ODIN-style neurons); needs an unsigned spike alphabet */
  floor?: boolean;
}

export interface LifSpec extends NeuronSpec {
  neurons: number;
}

/** The membrane's range: [vMin, vMax] (vMin = 0 with a floor). */
export function membraneRange(s: NeuronSpec): { vMin: number; vMax: number } {
  return { vMin: s.floor ? 0 : -(2 ** (s.vWidth - 1)), vMax: 2 ** (s.vWidth - 1) - 1 };
}

/** Largest spike magnitude per update. */
export const spikeLevels = (s: NeuronSpec) => (s.spikes === 'graded' || s.spikes === 'graded-signed' ? s.levels : 1);
export const signedSpikes = (s: NeuronSpec) => s.spikes === 'signed' || s.spikes === 'graded-signed';

/** Width of the `threshold` configuration input (unsigned). */
export const thresholdWidth = (s: Pick<NeuronSpec, 'vWidth'>) => s.vWidth - 1;
/** Width of the `leak` configuration input: shift amount or subtracted amount; 0 without leak. */
export function leakWidth(s: Pick<NeuronSpec, 'vWidth' | 'leak'>): number {
  if (s.leak === 'shift') return Math.max(1, Math.ceil(Math.log2(s.vWidth)));
  if (s.leak === 'subtract') return s.vWidth - 1;
  return 0;
}
