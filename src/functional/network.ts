// A stack of spiking layers pipelined by one timestep (architecture.md; the step semantics of the SNN benchmark,
// /work/shared/bench/snn/README.md): at step t, layer 1 integrates the input spikes of step t and layer l > 1
// integrates the spikes layer l - 1 fired at step t - 1 (none at a token's step 0). A layer's neurons integrate, then
// fire (docs/lif.md), so what layer l sends at step t is what its neurons fired at step t - 1; that is the README's
// s[l] (fire on the membrane left by the previous step). Since every layer's inputs for all T steps are known once
// the layer below has run, the network runs layer by layer, each layer over all steps of all positions at once.
import { TileInputError } from '../golden/crossbar.js';
import type { TileCounters } from '../golden/crossbar.js';
import { delayOneStep } from './delay.js';
import type { SpikingLinear } from './layer.js';

export interface NetworkRun {
  /** per layer l = 1..L (index l - 1): the spikes it sends at each step, [positions][T][n_l] (0 at step 0; made on first use) */
  readonly sent: Int8Array[];
  /** per layer: what its neurons fired at each step, [positions][T][n_l] (sent one step later; the last is not) */
  fired: Int8Array[];
  /** per layer: the events of this run, summed over its tiles */
  events: TileCounters[];
}

/**
 * Runs T steps of every position through the layers (neurons from rest at each position's step 0). x: the input
 * spikes [positions][T][dIn of layer 1].
 */
export function runNetwork(layers: SpikingLinear[], x: ArrayLike<number>, T: number): NetworkRun {
  if (layers.length === 0) throw new TileInputError('runNetwork: no layers');
  const P = layers[0]!.positions;
  layers.forEach((l, i) => {
    if (l.tile.output !== 'neurons') throw new TileInputError(`runNetwork: layer ${i + 1} has output '${l.tile.output}'; every layer of a network fires spikes (output 'neurons')`);
    if (l.positions !== P) throw new TileInputError(`runNetwork: layer ${i + 1} holds ${l.positions} positions, layer 1 holds ${P}`);
    if (i > 0 && l.grid.dIn !== layers[i - 1]!.grid.dOut) throw new TileInputError(`runNetwork: layer ${i + 1} has dIn = ${l.grid.dIn}, layer ${i} has dOut = ${layers[i - 1]!.grid.dOut}`);
  });
  const fired: Int8Array[] = [];
  const events: TileCounters[] = [];
  const delayed = (l: number) => delayOneStep(fired[l]!, P, T, layers[l]!.grid.dOut);
  layers.forEach((layer, l) => {
    // a layer reads the spikes of the layer below where they lie when both run on the SIMD engine
    const r = l === 0 ? layer.run(x, T, { restart: true }) : (layer.runOnSpikesOf(layers[l - 1]!, T) ?? layer.run(delayed(l - 1), T, { restart: true }));
    fired.push(r.spikes!);
    events.push(r.events);
  });
  let sent: Int8Array[] | undefined;
  return {
    get sent() {
      return (sent ??= layers.map((_, l) => delayed(l)));
    },
    fired,
    events,
  };
}
