// The chip functional model of a whole language model: runs a chip program (src/compiler/program.ts) on a block of
// token positions (a prefill or a perplexity window; decoding runs blocks of one), op by op over the whole block:
// the spiking linear ops on the functional crossbar model (src/functional: all T steps of every position at once),
// the attention unit's functional model position by position, the digital units per token. Layers are pipelined by
// timestep on the chip; running each op's T steps before the next op gives the same integers, since an op's step t
// reads only its input's step t. Semantics: docs/compiler.md.
import type { TileCounters } from '../golden/crossbar.js';
import { zeroCounters } from '../golden/crossbar.js';
import { attentionSpecOf } from '../compiler/attention-spec.js';
import { tileSpec } from '../compiler/chip-config.js';
import { blob, type ChipProgram, type ProgOp } from '../compiler/program.js';
import { AttentionFunctional } from '../functional/attention.js';
import { SpikingLinear } from '../functional/layer.js';
import { zeroAttentionCounters, type AttentionCounters } from '../golden/attention.js';
import { activate } from '../lm/model.js';
import { TILE_COUNTERS } from '../spec/crossbar.js';
import { ATT_COUNTERS } from '../spec/attention.js';
import { PruningFunctional } from '../functional/pruning.js';
import { pruningForTile, type RowPolicy } from '../spec/pruning.js';
import { DigitalSoftmaxAttention } from './attention-int.js';
import { encode, normUnit, ropeInt } from './digital.js';

type AttentionState = AttentionFunctional | DigitalSoftmaxAttention;

export interface SnnState {
  /** position of the next token */
  pos: number;
  /** per attention op: its unit, holding the KV cache of the sequence */
  attention: Map<string, AttentionState>;
}

/** Adaptive synaptic pruning on the functional model (docs/compiler.md, "Pruning"): one pruning controller
 *  (docs/pruning.md) per row of tiles of each pruned linear op, counting its rows' activity over `window` tokens. */
export interface PruningOptions {
  policy: RowPolicy;
  window: number;
  /** linear ops to prune (default: every one but the LM head) */
  ops?: string[];
}

export interface SnnStats {
  /** spikes sent per spike tensor: nonzero values, their total magnitude, and values sent */
  spikes: Map<string, { events: number; magnitude: number; elements: number }>;
  tokens: number;
}

type Value = Int32Array | Int8Array;

/** Replaces what an op computes (error analysis: a layer run back in float, src/report/attribution.ts): return the
 *  op's output, or undefined to run it on the chip's model as usual. */
export type OpOverride = (op: ProgOp, vals: ReadonlyMap<string, Value>, S: number) => Value | undefined;

export interface SnnHooks {
  override?: OpOverride;
  /** sees every tensor of every block run (forward's tap, for runs made through windowLogits) */
  tap?: (tensor: string, value: Value, positions: number) => void;
}

export class SnnModel {
  readonly T: number;
  readonly stats: SnnStats = { spikes: new Map(), tokens: 0 };
  /** the LM head's integer membranes of the last block [S][vocab] (the spike domain's logits) */
  lastIntLogits: Int32Array = new Int32Array(0);
  /** per linear op and block size */
  private readonly layers = new Map<string, SpikingLinear>();
  private readonly finishedTiles = new Map<string, TileCounters>();
  private readonly finishedAttention = new Map<string, AttentionCounters>();

  /** per pruned linear op: one controller per row tile */
  private readonly pruners = new Map<string, PruningFunctional[]>();

  constructor(
    readonly program: ChipProgram,
    readonly pruning?: PruningOptions,
    readonly hooks: SnnHooks = {},
  ) {
    this.T = program.chip.T;
    if (pruning) {
      for (const op of program.ops) {
        if (op.kind !== 'linear' || (pruning.ops ? !pruning.ops.includes(op.name) : op.name === 'head')) continue;
        const tile = tileSpec(program.chip, op.tiles.kind);
        const spec = pruningForTile(tile, { window: pruning.window, countBits: 16, counterBits: 48, policy: pruning.policy, columns: { thetaOn: 1, thetaOff: 0 } });
        this.pruners.set(op.name, Array.from({ length: op.tiles.rowTiles }, () => new PruningFunctional(spec)));
      }
    }
  }

  /** Clipped ADC conversions per tile of a linear op [rowTile * colTiles + colTile], over everything run so far. */
  tileClips(op: ProgOp & { kind: 'linear' }): number[] {
    const out = new Array<number>(op.tiles.rowTiles * op.tiles.colTiles).fill(0);
    for (const [key, l] of this.layers) {
      if (!key.startsWith(`${op.name}@`)) continue;
      for (let i = 0; i < out.length; i++) out[i]! += l.tileCounters(Math.floor(i / op.tiles.colTiles), i % op.tiles.colTiles).adc_clipped;
    }
    return out;
  }

  get vocabSize(): number {
    return this.program.model.vocabSize;
  }

  /** Event counters of every linear op (its tiles, summed), over everything run so far. */
  tileCounters(): Map<string, TileCounters> {
    const out = new Map<string, TileCounters>();
    for (const op of this.program.ops) if (op.kind === 'linear') out.set(op.name, { ...(this.finishedTiles.get(op.name) ?? zeroCounters()) });
    for (const [key, l] of this.layers) {
      const acc = out.get(key.split('@')[0]!)!;
      const c = l.counters;
      for (const k of TILE_COUNTERS) acc[k] += k === 'weight_writes' ? 0 : c[k];
    }
    return out;
  }

  /** The attention units' counters per attention op, over every sequence run so far. */
  attentionCounters(): Map<string, AttentionCounters> {
    return new Map([...this.finishedAttention].map(([k, v]) => [k, { ...v }]));
  }

  /** Logits of a window from position 0 (a fresh state): the perplexity protocol's unit. */
  windowLogits(ids: readonly number[]): Float32Array {
    const st = this.newState();
    const out = this.forward(ids, st, this.hooks.tap);
    this.endSequence(st);
    return out;
  }

  newState(): SnnState {
    return { pos: 0, attention: new Map() };
  }

  /** Adds a finished sequence's attention counters to the totals. */
  endSequence(state: SnnState): void {
    for (const [name, u] of state.attention) {
      const acc = this.finishedAttention.get(name) ?? zeroAttentionCounters();
      for (const c of ATT_COUNTERS) acc[c] += u.counters[c];
      this.finishedAttention.set(name, acc);
    }
    state.attention.clear();
  }

  private width(t: string): number {
    return this.program.tensors[t]!.width;
  }

  private layer(op: ProgOp & { kind: 'linear' }, positions: number): SpikingLinear {
    const key = `${op.name}@${positions}`;
    let l = this.layers.get(key);
    if (!l) {
      const p = this.program;
      l = new SpikingLinear({
        tile: tileSpec(p.chip, op.tiles.kind),
        dIn: op.dIn,
        dOut: op.dOut,
        weights: blob(p, op.weights),
        positions,
        adcShift: op.tiles.adcShift,
        threshold: op.theta,
        bias: op.bias ? blob(p, op.bias) : undefined,
      });
      op.tiles.masks?.forEach((m, i) => l!.setMask(Math.floor(i / op.tiles.colTiles), i % op.tiles.colTiles, blob(p, m)));
      for (let rt = 0; rt < op.tiles.rowTiles; rt++) {
        const m = this.masks.get(`${op.name}/${rt}`);
        if (m) for (let ct = 0; ct < op.tiles.colTiles; ct++) l.setMask(rt, ct, m);
      }
      this.layers.set(key, l);
    }
    return l;
  }

  /**
   * Runs `tokens` at positions state.pos.. and appends them to the state. Returns the logits [S, vocab] as real
   * numbers (the head's integer membranes times their scale). `tap` sees every tensor of the block.
   */
  forward(tokens: ArrayLike<number>, state: SnnState, tap?: (tensor: string, value: Value, positions: number) => void): Float32Array {
    const p = this.program;
    const S = tokens.length;
    const vals = new Map<string, Value>();
    for (const op of p.ops) {
      const out = this.hooks.override?.(op, vals, S) ?? this.exec(op, vals, tokens, S, state);
      vals.set(op.out, out);
      tap?.(op.out, out, S);
      if (out instanceof Int8Array) this.countSpikes(op.out, out);
    }
    const lg = vals.get(p.logits)! as Int32Array;
    const scale = p.tensors[p.logits]!.scale;
    this.lastIntLogits = lg;
    state.pos += S;
    this.stats.tokens += S;
    return Float32Array.from(lg, (x) => x * scale);
  }

  private countSpikes(name: string, x: Int8Array): void {
    let st = this.stats.spikes.get(name);
    if (!st) this.stats.spikes.set(name, (st = { events: 0, magnitude: 0, elements: 0 }));
    let ev = 0;
    let mag = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v !== 0) {
        ev++;
        mag += v < 0 ? -v : v;
      }
    }
    st.events += ev;
    st.magnitude += mag;
    st.elements += x.length;
  }

  /**
   * Runs one op of the program on S positions (the values it reads in `vals`); the one definition of every op, which the
   * chip's host loop (src/chip/host.ts) also calls for the digital units it runs on the host.
   */
  exec(op: ProgOp, vals: Map<string, Value>, tokens: ArrayLike<number>, S: number, state: SnnState): Value {
    const p = this.program;
    const T = this.T;
    const int = (n: string) => vals.get(n) as Int32Array;
    const perToken = (input: Int32Array, d: number, f: (x: Int32Array, out: Int32Array, s: number) => void): Int32Array => {
      const out = new Int32Array(S * d);
      for (let s = 0; s < S; s++) f(input.subarray(s * d, (s + 1) * d), out.subarray(s * d, (s + 1) * d), s);
      return out;
    };
    switch (op.kind) {
      case 'embed': {
        const d = this.width(op.out);
        const table = blob(p, op.table);
        const pe = op.pos ? blob(p, op.pos) : undefined;
        const out = new Int32Array(S * d);
        for (let s = 0; s < S; s++) {
          out.set(table.subarray(tokens[s]! * d, (tokens[s]! + 1) * d), s * d);
          if (pe) for (let i = 0; i < d; i++) out[s * d + i]! += pe[(state.pos + s + op.posOffset) * d + i]!;
        }
        return out;
      }
      case 'norm': {
        const d = this.width(op.out);
        const fmt = { bits: p.chip.normBits, fracBits: p.chip.normFracBits };
        return perToken(int(op.input), d, (x, o) => normUnit(x, d, o, op.norm, op.eps, p.tensors[op.input]!.scale, fmt));
      }
      case 'encode': {
        const d = this.width(op.out);
        const c = p.tensors[op.out]!.coding!;
        const out = new Int8Array(S * T * d);
        const x = int(op.input);
        const e = { theta: op.theta, thetas: op.thetas ? blob(p, op.thetas) : undefined, levels: c.levels, signed: c.signed, T, ttfs: c.scheme === 'ttfs', compensate: op.compensate, burst: op.burst };
        for (let s = 0; s < S; s++) encode(x.subarray(s * d, (s + 1) * d), d, e, out.subarray(s * T * d, (s + 1) * T * d));
        return out;
      }
      case 'linear': {
        const lin = this.layer(op, S);
        const x = vals.get(op.input)!;
        const r = lin.run(x, T);
        this.prune(op, x as Int8Array, S);
        return op.readout === 'spikes' ? r.spikes! : lin.membranes();
      }
      case 'count': {
        const x = vals.get(op.input) as Int8Array;
        const d = this.width(op.out);
        const w = this.width(op.input);
        const out = new Int32Array(S * d);
        for (let s = 0; s < S; s++) {
          for (let t = 0; t < T; t++) {
            const b = (s * T + t) * w;
            for (let i = 0; i < d; i++) out[s * d + i]! += x[b + i]! - (op.pair ? x[b + d + i]! : 0);
          }
        }
        return out;
      }
      case 'rope': {
        const d = this.width(op.out);
        return perToken(int(op.input), d, (x, o, s) => ropeInt(x, d, op.headDim, op.invFreq, state.pos + s, op.fracBits, o));
      }
      case 'attention':
        return this.attention(op, int(op.q), int(op.k), int(op.v), S, state);
      case 'activation': {
        const x = int(op.input);
        const out = new Int32Array(x.length);
        for (let i = 0; i < x.length; i++) out[i] = Math.max(-op.clamp, Math.min(op.clamp, Math.round(activate(op.fn, x[i]! * op.inScale) / op.outScale)));
        return out;
      }
      case 'mul': {
        const a = int(op.a);
        const b = int(op.b);
        const out = new Int32Array(a.length);
        const k = 2 ** -op.shift;
        for (let i = 0; i < a.length; i++) out[i] = Math.floor(a[i]! * b[i]! * op.mult * k + 0.5);
        return out;
      }
      case 'rescale': {
        const a = int(op.input);
        const out = new Int32Array(a.length);
        const k = 2 ** -op.shift;
        for (let i = 0; i < a.length; i++) out[i] = Math.floor(a[i]! * op.mult * k + 0.5);
        return out;
      }
      case 'residual': {
        const a = int(op.input);
        const b = int(op.add);
        const hi = 2 ** (p.chip.residualBits - 1) - 1;
        const lo = -hi - 1;
        const k = 2 ** -op.shift;
        const out = new Int32Array(a.length);
        for (let i = 0; i < a.length; i++) {
          const r = a[i]! + Math.floor(b[i]! * op.mult * k + 0.5);
          out[i] = r < lo ? lo : r > hi ? hi : r;
        }
        return out;
      }
      case 'logits':
        return int(op.input);
    }
  }

  /**
   * Counts each row tile's row activity in this block (a row is active in a timestep when its input is nonzero,
   * masked or not) and, when a window closes, gives every tile of that row the new mask — from the next block on
   * (decoding runs blocks of one token, so there the mask changes between tokens as on the chip).
   */
  private prune(op: ProgOp & { kind: 'linear' }, x: Int8Array, S: number): void {
    const ctrl = this.pruners.get(op.name);
    if (!ctrl) return;
    const T = this.T;
    const R = this.program.chip.tile.rows;
    const C = this.program.chip.tile.cols;
    const noCols = new Uint32Array(C);
    ctrl.forEach((pc, rt) => {
      let update: { rowMask: ArrayLike<number> } | undefined;
      const hits = new Uint32Array(R);
      for (let s = 0; s < S; s++) {
        hits.fill(0);
        for (let t = 0; t < T; t++) {
          const b = (s * T + t) * op.dIn + rt * R;
          for (let i = 0; i < R && rt * R + i < op.dIn; i++) if (x[b + i] !== 0) hits[i]!++;
        }
        update = pc.hits(hits, noCols) ?? update;
      }
      if (!update) return;
      for (const [key, l] of this.layers) if (key.startsWith(`${op.name}@`)) for (let ct = 0; ct < op.tiles.colTiles; ct++) l.setMask(rt, ct, update.rowMask);
      this.masks.set(`${op.name}/${rt}`, Uint8Array.from(update.rowMask));
    });
  }

  /** masks in force per (linear op, row tile), for layers made later */
  private readonly masks = new Map<string, Uint8Array>();

  private attention(op: ProgOp & { kind: 'attention' }, q: Int32Array, k: Int32Array, v: Int32Array, S: number, state: SnnState): Int32Array {
    const p = this.program;
    let unit = state.attention.get(op.name);
    if (!unit) {
      if (op.softmax === 'approx') {
        const u = new AttentionFunctional(attentionSpecOf(p.chip, op, op.inRange));
        u.setRegisters({ scoreShift: op.scoreShift, steps: this.T });
        unit = u;
      } else {
        const scoreScale = (p.tensors[op.q]!.scale * p.tensors[op.k]!.scale) / Math.sqrt(op.headDim);
        unit = new DigitalSoftmaxAttention({ heads: op.heads, kvHeads: op.kvHeads, headDim: op.headDim, context: p.chip.attention.context, scoreScale }, attentionSpecOf(p.chip, op, op.inRange), this.T);
      }
      state.attention.set(op.name, unit);
    }
    const hd = op.headDim;
    const dq = op.heads * hd;
    const dk = op.kvHeads * hd;
    const out = new Int32Array(S * dq);
    for (let s = 0; s < S; s++) {
      const qs = q.subarray(s * dq, (s + 1) * dq);
      const ks = k.subarray(s * dk, (s + 1) * dk);
      const vs = v.subarray(s * dk, (s + 1) * dk);
      if (unit instanceof AttentionFunctional) {
        const r = unit.token(qs, ks, vs, state.pos + s === 0);
        if (r.refused) throw new RangeError(`attention ${op.name}: the token at position ${state.pos + s} is refused: the KV cache holds ${p.chip.attention.context} positions (chip attention.context, policy 'error')`);
        out.set(r.out, s * dq);
      } else out.set(unit.token(qs, ks, vs), s * dq);
    }
    return out;
  }
}
