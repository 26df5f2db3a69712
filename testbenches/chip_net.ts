// A small multi-layer spiking network with one attention step, written as a chip program (src/compiler/program.ts)
// so that the chip functional model (SnnModel) runs it as it runs a compiled model, and the host loop
// (src/chip/host.ts) runs it on the chip: an embedding and two encoders; layer A (two column tiles) on the first
// encoding and layer B, a chain of two row tiles, on A's spikes (tile to tile through the router); Q, K and V on the
// second encoding (one phase, the input multicast); counts of Q, K, V into the attention unit; its output
// re-encoded into layer C, whose membranes are the logits. Random weights, thresholds, ADC shifts and biases.
import { PROGRAM_FORMAT, PROGRAM_VERSION, type ChipProgram, type ProgOp, type TensorInfo } from '../src/compiler/program.js';
import { attentionSpecOfChip, chipConfigOf, northOf, slotCount, slotKind, tileSpecOf, type ChipSpec, type TileKind } from '../src/spec/chip.js';
import { maxWeight, shiftWidth } from '../src/spec/crossbar.js';
import type { Rng } from '../src/util/random.js';

/** Kinds from the chip's pools: A (two column tiles, ReLU-like), B's chain end (a slot with one above), Q, K, V (one phase), C. */
function kinds(spec: ChipSpec): { a: TileKind; chainEnd: TileKind; qkv: TileKind[]; other: TileKind } {
  const all = Array.from({ length: slotCount(spec) }, (_, s) => slotKind(spec, s));
  const count = (k: TileKind) => all.filter((x) => x === k).length;
  const ends = Array.from({ length: slotCount(spec) }, (_, s) => s).filter((s) => northOf(spec, s) !== undefined).map((s) => slotKind(spec, s));
  const chainEnd: TileKind = ends.includes('signed') ? 'signed' : 'unsigned';
  const left = { signed: count('signed'), unsigned: count('unsigned') };
  const qkv = [0, 1, 2].map(() => {
    const k: TileKind = left.unsigned >= left.signed ? 'unsigned' : 'signed';
    left[k]--;
    return k;
  });
  return { a: count('unsigned') >= 2 ? 'unsigned' : 'signed', chainEnd, qkv, other: count('signed') ? 'signed' : 'unsigned' };
}

export function tinyProgram(spec: ChipSpec, rng: Rng, vocab = 8): ChipProgram {
  const chip = chipConfigOf(spec);
  const T = spec.timesteps;
  const K = spec.spikeLevels;
  const R = spec.tile.rows;
  const att = attentionSpecOfChip(spec);
  const dq = att.qHeads * att.headSize;
  const dk = att.kvHeads * att.headSize;
  if (dq > R || dk > R) throw new Error(`tinyProgram: the attention unit's ${dq} query elements need tiles of ${dq} rows`);
  const k = kinds(spec);
  const blobs = new Map<string, Int32Array>();
  const tensors: Record<string, TensorInfo> = {};
  const ops: ProgOp[] = [];
  const vMax = 2 ** (spec.neuronVWidth - 1) - 1;
  const int = (name: string, width: number) => (tensors[name] = { kind: 'int', width, scale: 1 });
  const spikes = (name: string, width: number, signed: boolean) => (tensors[name] = { kind: 'spikes', width, scale: 1, coding: { scheme: 'multilevel', signed, levels: K } });
  const tile = tileSpecOf(spec, 'signed');
  const wMax = maxWeight(tile);
  const shiftMax = Math.min(3, 2 ** shiftWidth(tile) - 1);
  const linear = (name: string, input: string, out: string, dIn: number, dOut: number, kind: TileKind, readout: 'spikes' | 'membrane', theta: number) => {
    const rowTiles = Math.ceil(dIn / R);
    const colTiles = Math.ceil(dOut / R);
    // mostly small weights with a few large ones (to reach the ADC's limits now and then)
    blobs.set(`${name}.w`, Int32Array.from({ length: dIn * dOut }, () => (rng.chance(0.1) ? rng.int(-wMax, wMax) : rng.int(-3, 4))));
    blobs.set(`${name}.b`, Int32Array.from({ length: dOut }, () => rng.int(-20, 30)));
    ops.push({
      kind: 'linear', name, input, out, dIn, dOut, weights: `${name}.w`, weightScale: 1, bias: `${name}.b`, readout, theta,
      tiles: { rowTiles, colTiles, kind, adcShift: Array.from({ length: rowTiles * colTiles }, () => rng.int(0, shiftMax)), firstTile: -1 },
    });
  };
  blobs.set('embed.tok', Int32Array.from({ length: vocab * R }, () => rng.int(-300, 300)));
  ops.push({ kind: 'embed', name: 'embed', out: 'x0', table: 'embed.tok', posOffset: 0 });
  int('x0', R);
  ops.push({ kind: 'encode', name: 'x0.encode', input: 'x0', out: 'x0.s', theta: rng.int(40, 90), compensate: true });
  spikes('x0.s', R, true);
  const th = () => rng.int(20, 60);
  linear('A', 'x0.s', 'a.s', R, 2 * R, k.a, 'spikes', th());
  spikes('a.s', 2 * R, k.a === 'signed');
  // Q, K, V read a second encoding of x0: their own phase (multicast), so A and B fit a small chip together
  ops.push({ kind: 'encode', name: 'x0.encode2', input: 'x0', out: 'x0.t', theta: rng.int(40, 90), compensate: false });
  spikes('x0.t', R, true);
  for (const [i, [n, d]] of ([['Q', dq], ['K', dk], ['V', dk]] as const).entries()) {
    linear(n, 'x0.t', `${n}.s`, R, d, k.qkv[i]!, 'spikes', th());
    spikes(`${n}.s`, d, k.qkv[i] === 'signed');
  }
  linear('B', 'a.s', 'b', 2 * R, R, k.chainEnd, 'membrane', vMax);
  int('b', R);
  for (const [n, d] of [['Q', dq], ['K', dk], ['V', dk]] as const) {
    ops.push({ kind: 'count', name: `${n}.count`, input: `${n}.s`, out: n.toLowerCase(), pair: false });
    int(n.toLowerCase(), d);
  }
  ops.push({ kind: 'attention', name: 'att', q: 'q', k: 'k', v: 'v', out: 'o', heads: att.qHeads, kvHeads: att.kvHeads, headDim: att.headSize, scoreShift: rng.int(0, 3), softmax: 'approx', inRange: 2 ** (att.qBits - 1) - 1 });
  int('o', dq);
  ops.push({ kind: 'encode', name: 'o.encode', input: 'o', out: 'o.s', theta: rng.int(1, 3), compensate: true });
  spikes('o.s', dq, true);
  linear('C', 'o.s', 'c', dq, R, k.other, 'membrane', vMax);
  int('c', R);
  ops.push({ kind: 'logits', name: 'logits', input: 'c', out: 'c.out' });
  int('c.out', R);
  return {
    format: PROGRAM_FORMAT,
    version: PROGRAM_VERSION,
    chip,
    model: { source: 'testbenches/chip_net.ts', family: 'tiny', vocabSize: vocab, dModel: R, nLayers: 1, maxSeq: att.context },
    options: { T },
    tensors,
    ops,
    logits: 'c.out',
    summary: { tiles: { signed: 0, unsigned: 0 }, tileCapacity: { ...chip.tiles }, utilization: 0, weightStreaming: false, cyclesPerToken: 0, notes: [] },
    blobs,
  };
}
