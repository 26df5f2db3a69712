// The on-chip memory hierarchy and the off-chip weight stream (docs/memory.md), shared by the RTL generators
// (dsl/weight_stream.ts, dsl/streamed_tile.ts, the access counters of dsl/lif_array.ts), the golden models
// (src/golden/weight-stream.ts, offchip-memory.ts), the functional counterpart (src/functional/memory.ts) and the
// compiler: parameters and ranges, derived widths, the command rules, the burst plan, the word <-> beat layout,
// fault codes and counters. Each model implements the datapath itself.
import { makeDiagnostic, report, validateAll } from '../hdl/diagnostics.js';
import { captureLoc, formatLoc, type SrcLoc } from '../hdl/srcloc.js';
import { bitsFor } from '../hdl/types.js';
import { requireRange } from '../params/define.js';
import { crossbarMap, type CrossbarSpec } from './crossbar.js';

// ---- access counters of the LIF array's state memory (opt-in parameter `counters` of dsl/lif_array.ts) ----

/** Counter widths every memory's access counters may have (they wrap modulo 2^bits). */
export const COUNTER_BITS: readonly [number, number] = [8, 48];

export const LIF_STATE_COUNTERS = ['state_reads', 'state_writes'] as const;
export type LifStateCounter = (typeof LIF_STATE_COUNTERS)[number];
export const LIF_STATE_COUNTER_DOC: Record<LifStateCounter, string> = {
  state_reads: 'state-memory words read: one per accepted update request (at its accepting edge)',
  state_writes: 'state-memory words written: one per clear-sequencer cycle after reset and one per write-back (the edge after the accepting one)',
};
