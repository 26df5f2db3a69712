// The FPGA configurations: the default (`fpgaParams`, sized for the iCE40UP5K on the iCEBreaker: fits with room and
// meets timing at the board's 12 MHz) and named variants for `npm run fpga -- --config <name>` and the sweep.
// Each value is checked against its range when the configuration is resolved; an error names this file and line.
import { p } from '../src/params/define.js';

export const fpgaParams = {
  /** The crossbar tile of the FPGA chip (docs/crossbar.md). */
  tile: {
    /** Crossbar rows R (inputs). */
    rows: p.int(64, { min: 1, max: 1024 }),
    /** Crossbar columns C (outputs, one neuron each). */
    cols: p.int(32, { min: 1, max: 1024 }),
    /** Conductance levels per cell L: weights in -(L-1)..L-1 with one slice. */
    cellLevels: p.int(4, { min: 2, max: 256 }),
    /** Cell pairs per weight S. */
    slices: p.int(1, { min: 1, max: 8 }),
    /** Row input alphabet. */
    inSpikes: p.enum('binary', ['binary', 'signed', 'graded', 'graded-signed']),
    /** Largest graded input K. */
    inLevels: p.int(1, { min: 1, max: 15 }),
    /** ADC output bits (signed). */
    adcBits: p.int(6, { min: 1, max: 24 }),
    /** ADC rounding of the right shift. */
    adcRounding: p.enum('floor', ['floor', 'half-up']),
    /** Rows read per cycle: 4 keeps the row-group search short enough for 12 MHz on the UP5K (1 reaches only ~12.5 MHz). */
    rowsPerCycle: p.int(4, { min: 1, max: 1024 }),
    /** Columns per cycle (and per output record). */
    colsPerCycle: p.int(4, { min: 1, max: 1024 }),
    /** Partial-sum width, also the neurons' input current. */
    psumBits: p.int(8, { min: 2, max: 32 }),
    /** Event counter width. */
    counterBits: p.int(24, { min: 8, max: 48 }),
    /** The column neurons (docs/lif.md). */
    neuron: {
      /** Membrane width in bits. */
      vWidth: p.int(10, { min: 4, max: 32 }),
      /** Leak: subtract (a shift leak's barrel shifter leaves too little timing margin at 12 MHz on the UP5K). */
      leak: p.enum('subtract', ['none', 'shift', 'subtract']),
      /** Reset after a spike. */
      reset: p.enum('subtract', ['zero', 'subtract']),
      /** Refractory period in updates. */
      refractory: p.int(0, { min: 0, max: 255 }),
      /** Spike output alphabet. */
      spikes: p.enum('binary', ['binary', 'signed', 'graded', 'graded-signed']),
      /** Largest spike count per update for graded outputs. */
      levels: p.int(1, { min: 1, max: 15 }),
      /** Membrane bounded below at 0. */
      floor: p.bool(false),
    },
  },
  /** The serial link (docs/fpga.md). */
  link: {
    /** UART baud rate (8N1); 115200 is what every USB-UART bridge does. */
    baud: p.int(115_200, { min: 300, max: 12_000_000 }),
    /** Request payload buffer in bytes (one SB_RAM40_4K holds 512). */
    bufferBytes: p.int(512, { min: 16, max: 4096 }),
    /** Output records one STEP request may produce (32 timesteps of the default tile). */
    fifoRecords: p.int(256, { min: 1, max: 4096 }),
    /** A request that stops arriving for this long is dropped. */
    timeoutMs: p.int(50, { min: 1, max: 10_000 }),
  },
  /** How the bitstream is built. */
  build: {
    /** Where the tile's weights live on the iCE40: SB_SPRAM256KA (spram) or block RAM (bram). */
    weightMemory: p.enum('spram', ['spram', 'bram']),
    /** nextpnr's placement seed. */
    seed: p.int(1, { min: 0, max: 2_147_483_647 }),
  },
};

type Overrides = { tile?: Record<string, unknown> & { neuron?: Record<string, unknown> }; link?: Record<string, unknown>; build?: Record<string, unknown> };

/** Named variants of the default, for --config and the sweep. */
export const FPGA_VARIANTS: Record<string, Overrides> = {
  default: {},
  'weights-bram': { build: { weightMemory: 'bram' } },
  'tile-32x16': { tile: { rows: 32, cols: 16 } },
  'signed-graded': { tile: { inSpikes: 'signed', neuron: { spikes: 'graded', levels: 3 } } },
};
