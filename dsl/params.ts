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
  /** One memristive crossbar tile (docs/crossbar.md); the ranges are src/spec/crossbar.ts's (a test checks they agree). */
  crossbar: {
    /** Crossbar rows R (inputs). */
    rows: p.int(64, { min: 1, max: 1024 }),
    /** Crossbar columns C (outputs, one neuron each). */
    cols: p.int(16, { min: 1, max: 1024 }),
    /** Conductance levels per cell L (0..L-1). */
    cellLevels: p.int(4, { min: 2, max: 256 }),
    /** Cell pairs per weight S (bit slicing, base L): weights in -(L^S-1)..L^S-1. */
    slices: p.int(2, { min: 1, max: 8 }),
    /** Row input alphabet. */
    inSpikes: p.enum('graded-signed', ['binary', 'signed', 'graded', 'graded-signed']),
    /** Largest graded input K. */
    inLevels: p.int(2, { min: 1, max: 15 }),
    /** ADC output bits (signed). */
    adcBits: p.int(6, { min: 1, max: 24 }),
    /** ADC rounding of the right shift. */
    adcRounding: p.enum('half-up', ['floor', 'half-up']),
    /** Rows read per cycle (divides rows). */
    rowsPerCycle: p.int(4, { min: 1, max: 1024 }),
    /** Columns per cycle (divides cols). */
    colsPerCycle: p.int(4, { min: 1, max: 1024 }),
    /** Partial-sum width (also the neurons' input current). */
    psumBits: p.int(16, { min: 2, max: 32 }),
    /** Event counter width. */
    counterBits: p.int(32, { min: 8, max: 48 }),
    /** The column neurons (docs/lif.md). */
    neuron: {
      /** Membrane width in bits (signed, saturating). */
      vWidth: p.int(16, { min: 4, max: 32 }),
      /** Leak toward zero: none, shift or subtract (docs/lif.md). */
      leak: p.enum('none', ['none', 'shift', 'subtract']),
      /** Reset after a spike: to zero, or by subtracting the threshold. */
      reset: p.enum('subtract', ['zero', 'subtract']),
      /** Refractory period in updates (0 = none). */
      refractory: p.int(0, { min: 0, max: 255 }),
      /** Spike output alphabet of the column neurons. */
      spikes: p.enum('graded-signed', ['binary', 'signed', 'graded', 'graded-signed']),
      /** Largest spike count per update for graded outputs. */
      levels: p.int(2, { min: 1, max: 15 }),
      /** Membrane bounded below at 0 (needs unsigned spikes). */
      floor: p.bool(false),
    },
  },
};
