// The chip's parameters: edit a value here, or run `npm run params -- set lif.neurons=32`.
// Every value is checked against its declared range at elaboration; an error names this file and line.
import { p } from '../src/params/define.js';

export const chipParams = {
  lif: {
    /** Number of LIF neurons in the array. */
    neurons: p.int(16, { min: 1, max: 1024 }),
    /** Membrane potential width in bits (signed two's complement, saturating). */
    vWidth: p.int(12, { min: 4, max: 32 }),
    /** Input current width in bits (signed). */
    iWidth: p.int(10, { min: 2, max: 32 }),
    /** Leak toward zero: none, shift (|v| -= ceil(|v| / 2^leak)), or subtract (|v| -= leak, stopping at 0). */
    leak: p.enum('shift', ['none', 'shift', 'subtract']),
    /** Reset after a spike: to zero, or by subtracting the threshold (soft reset, for rate conversion). */
    reset: p.enum('subtract', ['zero', 'subtract']),
    /** Refractory period in updates after a spike (0 = none). */
    refractory: p.int(0, { min: 0, max: 255 }),
    /** Spike output: binary (0/1), signed (-1/0/+1), graded (0..levels) or graded-signed (-levels..levels). */
    spikes: p.enum('binary', ['binary', 'signed', 'graded', 'graded-signed']),
    /** Largest spike count per update for graded outputs (1 for binary/signed). */
    levels: p.int(1, { min: 1, max: 15 }),
    /** Membrane bounded below at 0 (ODIN-style); needs unsigned spikes (binary or graded). */
    floor: p.bool(false),
    /** Time-multiplexed over one state memory (ODIN-style), or one register set per neuron. */
    arch: p.enum('timemux', ['timemux', 'parallel']),
  },
};
