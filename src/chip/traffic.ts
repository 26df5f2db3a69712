// The router's counters a loop run must show, from the functional model's spike tensors (src/functional/router.ts
// RouterTraffic): per chip phase, the host's packets (every nonzero input and one end-of-step marker per row group
// and step) and every spikes op's chain-end packets (each nonzero spike and one marker per step), over the
// phase's routing tables.
import type { ChipProgram, ProgOp } from '../compiler/program.js';
import { RouterTraffic, type TrafficCounts } from '../functional/router.js';
import { hostTile, routerSpecOf, type ChipSpec } from '../spec/chip.js';
import type { LoadTrace } from './host.js';
import { chainEnds } from './loader.js';

/** `spikes(name, token)`: the functional model's spike train of a tensor for one token, [T][width]. */
export function expectedTraffic(p: ChipProgram, spec: ChipSpec, seg: LoadTrace, tokens: number, spikes: (name: string, token: number) => ArrayLike<number>): TrafficCounts {
  const rt = new RouterTraffic(routerSpecOf(spec));
  const T = p.chip.T;
  const R = spec.tile.rows;
  const H = hostTile(spec);
  for (const r of seg.routes) rt.setEntry(r.tile, r.group, r.dests);
  const lin = (n: string) => p.ops.find((o): o is ProgOp & { kind: 'linear' } => o.kind === 'linear' && o.name === n)!;
  for (let s = 0; s < tokens; s++) {
    for (const ph of seg.phases) {
      for (const r of ph.hostRoutes) rt.setEntry(r.tile, r.group, r.dests);
      const d = p.tensors[ph.input]!.width;
      const x = spikes(ph.input, s);
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < d; i++) if (x[t * d + i]) rt.send(H, i);
        for (let g = 0; g < ph.groups; g++) rt.send(H, g * R);
      }
      for (const part of ph.parts) {
        const op = lin(part.op);
        if (op.readout !== 'spikes') continue;
        const pl = seg.placements.find((q) => q.op === part.op)!;
        const y = spikes(op.out, s);
        for (const e of chainEnds(pl)) {
          for (let t = 0; t < T; t++) {
            for (let c = 0; c < R && e.ct * R + c < op.dOut; c++) if (y[t * op.dOut + e.ct * R + c]) rt.send(e.slot, c);
            rt.send(e.slot, 0);
          }
        }
      }
    }
  }
  return rt.counts;
}
