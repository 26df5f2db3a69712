// The quantized-dense model of a chip program: the float model with the program's weight levels (dequantized) and,
// at every point where the chip sends spikes, the value rounded to the same number of levels at the same scale —
// but no spikes, no ADC, no integer digital units. Its distance to the dense model is the quantization error; the
// SNN's distance to it is the error that spiking and the hardware add (docs/compiler.md, "Evaluation").
import type { ChipProgram } from '../compiler/program.js';
import { blob } from '../compiler/program.js';
import { runFloat } from '../compiler/float-run.js';
import { irFromDense, type ModelIR } from '../compiler/ir.js';
import { foldNormAffine } from '../compiler/passes/fold-norms.js';
import type { DenseLM } from '../lm/model.js';

export interface QuantizedDenseOptions {
  /** the weights each linear op's tiles hold, in level units [dIn][dOut] (default: its levels; a device model's
   *  programmed conductances for the device-noise ablation, src/report/device-noise.ts) */
  weights?: (op: ChipProgram['ops'][number] & { kind: 'linear' }, levels: Int32Array) => ArrayLike<number>;
}

export class QuantizedDense {
  readonly ir: ModelIR;
  private readonly points = new Map<string, { scale: number; lo: number; hi: number; gains?: Float64Array }>();

  constructor(lm: DenseLM, readonly program: ChipProgram, o: QuantizedDenseOptions = {}) {
    const ir = foldNormAffine(irFromDense(lm, program.model.source));

    for (const op of program.ops) {
      if (op.kind !== 'linear') continue;
      const lin = ir.ops.find((o) => o.kind === 'linear' && o.name === op.name);
      if (!lin || lin.kind !== 'linear') throw new Error(`quantized-dense: the model has no linear op ${op.name}`);
      const lv = o.weights ? o.weights(op, blob(program, op.weights)) : blob(program, op.weights);
      const w = new Float32Array(op.dIn * op.dOut);
      for (let i = 0; i < op.dIn; i++) for (let o = 0; o < op.dOut; o++) w[o * op.dIn + i] = lv[i * op.dOut + o]! * op.weightScale;
      lin.w = w;
    }
    for (const t of Object.values(program.tensors)) {
      if (!t.of || !t.ideal) continue;
      const enc = program.ops.find((o) => o.kind === 'encode' && o.thetas === t.channelThetas && t.channelThetas);
      const gains = t.channelThetas && enc?.kind === 'encode' ? Float64Array.from(blob(program, t.channelThetas), (v) => v / enc.theta) : undefined;
      this.points.set(t.of, { scale: t.scale, ...t.ideal, gains });
    }

    this.ir = ir;
  }

  get vocabSize(): number {
    return this.program.model.vocabSize;
  }

  windowLogits(ids: readonly number[]): Float32Array {
    return runFloat(this.ir, ids, {
      transform: (name, x) => {
        const q = this.points.get(name);
        if (!q) return;
        // a smoothed channel is sent divided by its gain (its weight column carries the gain)
        const w = q.gains?.length ?? 1;
        for (let i = 0; i < x.length; i++) {
          const g = q.gains ? q.gains[i % w]! : 1;
          x[i] = Math.max(q.lo, Math.min(q.hi, Math.round(x[i]! / (q.scale * g)))) * q.scale;
        }
      },
    });
  }
}
