// What the host side of the chip loop needs from a chip under test: phases of host work planned cycle by cycle on
// the golden chip model, then run (on the RTL, in testbenches/chip_cosim.ts) and read back.
import type { ChipCycleModel } from '../golden/chip-cycle.js';
import type { BusMap } from '../spec/chip-map.js';
import type { ChipSpec } from '../spec/chip.js';
import type { BusOp } from './bus.js';

export interface HostPacket {
  neuron: number;
  timestep: number;
  /** signed; 0 is an end-of-step marker */
  payload: number;
}

export interface Phase {
  label: string;
  bus?: readonly BusOp[];
  /** sent in order once the bus operations are done (so the routes they need are in force) */
  packets?: readonly HostPacket[];
  /** the phase ends once its queues are empty and this holds (checked on the golden model before each cycle) */
  until?: (m: ChipCycleModel) => boolean;
  /** idle cycles after everything else */
  idle?: number;
  maxCycles?: number;
}

export interface Delivered {
  cycle: number;
  src: number;
  neuron: number;
  timestep: number;
  payload: number;
}

export interface FlushResult {
  /** bus reads in issue order: the word the chip returned */
  reads: bigint[];
  /** packets delivered to the host */
  spikes: Delivered[];
  /** attention unit output words shown */
  attention: { cycle: number; word: number; step: number; spikes: bigint; v: bigint }[];
  cycles: number;
}

export interface ChipBackend {
  readonly spec: ChipSpec;
  readonly model: ChipCycleModel;
  /** plans a phase; returns the cycles it took */
  plan(ph: Phase): number;
  /** runs what was planned and returns what the chip produced */
  flush(): Promise<FlushResult>;
  readonly map?: BusMap;
}
