// The latency plan of an extrapolated model (scaling.ts): the reference program's plan of layer 0 and its head,
// instantiated for every layer with the scaled model's widths, tiles and attention unit, and its mean activity per
// role (fractional active row groups per tile-step: an expected cycle count, not one token's).
import type { LmConfig } from '../lm/model.js';
import type { TokenEvents } from './events.js';
import type { Activity, LatOp } from './latency.js';
import { roleStats } from './scaling.js';

export function scaledPlan(refPlan: readonly LatOp[], refLayers: number, scaled: TokenEvents, config: LmConfig): LatOp[] {
  const lin = new Map(scaled.linears.map((l) => [l.name, l]));
  const enc = new Map(scaled.encoders.map((x) => [x.name, x]));
  const dig = new Map(scaled.digital.map((d) => [d.name, d]));
  const spec = scaled.attentions[0]?.spec;
  const inLayer = (name: string) => /^L\d+\./.test(name);
  const first = refPlan.findIndex((o) => inLayer(o.name));
  const layer0 = refPlan.filter((o) => o.name.startsWith('L0.'));
  // the ops before the layers (embedding), every layer from layer 0's ops, then the ops after them (final norm, head)
  const seq: [LatOp, number][] = [
    ...refPlan.slice(0, first).map((o): [LatOp, number] => [o, -1]),
    ...Array.from({ length: config.nLayers }, (_, l) => layer0.map((o): [LatOp, number] => [o, l])).flat(),
    ...refPlan.slice(first).filter((o) => !inLayer(o.name)).map((o): [LatOp, number] => [o, -1]),
  ];
  const out: LatOp[] = [];
  for (const [op, l] of seq) {
    {
      // tensors of layer k of the template move to layer k + l; the head's input (layer refLayers) to the last layer
      // layer 0 reads the embedding ('x0'), layer l the output of layer l - 1 ('L<l>.x')
      const r = (x: string) => (x === 'x0' && l > 0 ? `L${l}.x` : x.replace(/^L(\d+)\./, (_, k: string) => `L${l < 0 ? Number(k) - refLayers + config.nLayers : Number(k) + l}.`));
      const name = r(op.name);
      switch (op.kind) {
        case 'host':
          out.push({ ...op, name, out: r(op.out) });
          break;
        case 'linear':
          out.push({ ...op, name, input: r(op.input), out: r(op.out), tile: lin.get(name)!.tile, rowTiles: lin.get(name)!.rowTiles });
          break;
        case 'encode':
          out.push({ ...op, name, input: r(op.input), out: r(op.out), width: enc.get(name)?.width ?? op.width, attention: op.attention && spec });
          break;
        case 'count':
          out.push({ ...op, name, input: r(op.input), out: r(op.out), width: dig.get(name)?.elements ?? op.width });
          break;
        case 'digital':
          out.push({ ...op, name, inputs: op.inputs.map(r), out: r(op.out), width: dig.get(name)?.elements ?? op.width });
          break;
        case 'attention':
          out.push({ ...op, name, inputs: op.inputs.map(r), out: r(op.out), spec: spec! });
          break;
      }
    }
  }
  return out;
}

/** Mean activity per linear op of an extrapolated model: its role's active row groups and active-step fraction. */
export function meanActivity(ref: TokenEvents, scaled: TokenEvents): Activity {
  const stats = roleStats(ref);
  const role = new Map(scaled.linears.map((l) => [l.name, l.role]));
  return (op) => {
    const s = stats.get(role.get(op)!)!;
    return { groups: s.activeGroups, active: s.activeStepFraction };
  };
}
