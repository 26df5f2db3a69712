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
  /** The chip top (docs/chip.md): the tile grid, router, attention unit, pruning hook, loader and configuration bus. */
  chip: {
    /** Router positions per row; the last position of the mesh is the host port, the others are tile slots. */
    meshX: p.int(2, { min: 1, max: 16 }),
    /** Rows of router positions (chains of tiles run down a column). */
    meshY: p.int(2, { min: 1, max: 16 }),
    /** Slots with signed neurons (the first from the bottom row up); the others have unsigned (ReLU) neurons. */
    signedTiles: p.int(1, { min: 0, max: 63 }),
    /** Timesteps per token T (each slot buffers the row inputs of T steps). */
    timesteps: p.int(4, { min: 1, max: 16 }),
    /** The crossbar array every tile shares (docs/crossbar.md); rows = cols, a power of two. */
    tile: {
      /** Rows R (inputs). */
      rows: p.int(32, { min: 2, max: 1024 }),
      /** Columns C (outputs, one neuron each); equal to rows. */
      cols: p.int(32, { min: 2, max: 1024 }),
      /** Conductance levels per cell L. */
      cellLevels: p.int(16, { min: 2, max: 256 }),
      /** Cell pairs per weight S (weights in -(L^S-1)..L^S-1). */
      slices: p.int(2, { min: 1, max: 8 }),
      /** Largest graded input K (inputs graded-signed, -K..K). */
      inLevels: p.int(15, { min: 1, max: 15 }),
      /** ADC output bits (signed). */
      adcBits: p.int(10, { min: 1, max: 24 }),
      /** ADC rounding of the right shift. */
      adcRounding: p.enum('half-up', ['floor', 'half-up']),
      /** Rows read per cycle (divides rows). */
      rowsPerCycle: p.int(4, { min: 1, max: 1024 }),
      /** Columns per cycle (divides cols). */
      colsPerCycle: p.int(8, { min: 1, max: 1024 }),
      /** Partial-sum width (also the neurons' input current). */
      psumBits: p.int(24, { min: 2, max: 32 }),
      /** Event counter width of the tiles, router, loader, pruning hook and bus. */
      counterBits: p.int(32, { min: 8, max: 48 }),
    },
    /** The column neurons' membrane width (at least tile.psumBits). */
    neuronVWidth: p.int(24, { min: 8, max: 32 }),
    /** Largest graded spike K of the neurons (1: binary/ternary). */
    spikeLevels: p.int(15, { min: 1, max: 15 }),
    /** Packets per router input FIFO. */
    routerFifoDepth: p.int(2, { min: 1, max: 16 }),
    /** Configuration bus data width (wider words are staged). */
    busBits: p.int(64, { min: 32, max: 256 }),
    /** The attention unit (docs/attention.md). */
    attention: {
      /** KV cache positions per KV head. */
      context: p.int(16, { min: 1, max: 4096 }),
      /** Elements per cycle (divides headSize). */
      lanes: p.int(4, { min: 1, max: 256 }),
      /** Query heads. */
      heads: p.int(2, { min: 1, max: 64 }),
      /** KV heads (divide heads). */
      kvHeads: p.int(2, { min: 1, max: 64 }),
      /** Head size (elements per head). */
      headSize: p.int(8, { min: 1, max: 256 }),
      /** Signed width of the q/k/v spike counts. */
      inBits: p.int(8, { min: 2, max: 16 }),
      /** Score width (at most the dot product's). */
      scoreBits: p.int(24, { min: 2, max: 40 }),
      /** Exp LUT of 2^f entries. */
      expLutBits: p.int(3, { min: 0, max: 6 }),
      /** Fractional bits F of a softmax weight. */
      expFracBits: p.int(12, { min: 1, max: 16 }),
      /** Reciprocal precision. */
      recipBits: p.int(32, { min: 1, max: 48 }),
      /** Past the context: refuse the token, or keep the last positions. */
      policy: p.enum('error', ['error', 'sliding']),
    },
    /** The pruning controller hook (docs/pruning.md), threshold policy. */
    pruning: {
      /** Generate the controller. */
      enabled: p.bool(true),
      /** Tokens per window. */
      window: p.int(1, { min: 1, max: 65535 }),
      /** Bits of an activity count. */
      countBits: p.int(4, { min: 1, max: 20 }),
      /** A row is enabled when its count reaches thetaOn ... */
      thetaOn: p.int(1, { min: 0, max: 1048575 }),
      /** ... and disabled below thetaOff. */
      thetaOff: p.int(0, { min: 0, max: 1048575 }),
    },
    /** The weight-streaming loader (docs/memory.md). */
    stream: {
      /** Bits of an off-chip data beat. */
      beatBits: p.int(64, { min: 8, max: 1024 }),
      /** Bits of a beat address. */
      addrBits: p.int(20, { min: 4, max: 48 }),
      /** Most beats per burst. */
      maxBurst: p.int(8, { min: 1, max: 256 }),
      /** Most bursts in flight. */
      maxOutstanding: p.int(2, { min: 1, max: 16 }),
      /** Cycles without a handshake that end a command (0: none). */
      timeoutCycles: p.int(0, { min: 0, max: 65535 }),
    },
  },
};
