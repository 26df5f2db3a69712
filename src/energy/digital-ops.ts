// Arithmetic per element of the chip's digital units (no RTL of them yet, so these are the operations their
// definitions in src/runtime/digital.ts and docs/compiler.md need, counted by hand; an assumption, stated in
// docs/energy.md) and of the attention unit's normalisation, which its counters do not count.
import type { DigitalEvents } from './events.js';

export interface OpCount {
  mult: number;
  add: number;
}

/** Multiplies and adds per element (count: per element per step). */
export function digitalOps(d: DigitalEvents): OpCount {
  switch (d.kind) {
    // LayerNorm/RMSNorm: mean (add), variance (mult + add), centre (add) and scale (mult); the rsqrt once per vector
    case 'norm':
      return { mult: 2, add: 3 };
    // residual: b * mult >> shift, then the add and the saturation compare
    case 'residual':
      return { mult: 1, add: 2 };
    case 'rescale':
    case 'mul':
      return { mult: 1, add: 0 };
    // a piecewise-quadratic evaluation of the activation (ReLU needs one compare, counted the same way: an upper bound)
    case 'activation':
      return { mult: 2, add: 1 };
    // RoPE: a rotated pair is two multiplies and an add per element
    case 'rope':
      return { mult: 2, add: 1 };
    case 'count':
      return { mult: 0, add: d.steps ?? 1 };
    // the embedding lookup is the host's (architecture.md, step 1): no chip arithmetic
    case 'embed':
      return { mult: 0, add: 0 };
  }
}
