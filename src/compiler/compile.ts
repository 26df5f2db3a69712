// The compiler pipeline (docs/compiler.md): model -> IR -> fold norm affines -> calibrate (float, on training text)
// -> lower (coding, thresholds, weight levels) -> map onto tiles -> calibrate the ADC shifts (on the functional model)
// -> chip program. Each step is a function of its own, testable alone.
import type { DenseLM } from '../lm/model.js';
import { SnnModel } from '../runtime/snn.js';
import { shiftWidth } from '../spec/crossbar.js';
import { checkChip, tileSpec, type ChipConfig } from './chip-config.js';
import { calibrate, CalibrationError, type TensorStats } from './calibrate.js';
import { irFromDense, type ModelIR } from './ir.js';
import { CompileError, lowerIr, type LowerOptions } from './lower.js';
import { mapTiles } from './map.js';
import { foldNormAffine } from './passes/fold-norms.js';
import type { ChipProgram, CodingScheme } from './program.js';

export interface CompileOptions extends Partial<LowerOptions> {
  /** timesteps per token and spike levels, overriding the chip's */
  T?: number;
  levels?: number;
  /** calibration token ids (from the training split) and the window they run in */
  calibration: readonly number[];
  context?: number;
  /** tokens of the calibration text used for the ADC shifts (the functional model is slower than the float model) */
  adcTokens?: number;
  /** float calibration already made for this model (calibrationStats), shared by the points of a sweep */
  stats?: Map<string, TensorStats>;
  onProgress?: (step: string, done: number, total: number) => void;
}

export const DEFAULT_LOWER: LowerOptions = { scheme: 'multilevel', compensate: true, signedOutputs: 'pair', gelu: 'digital', softmax: 'approx', clip: 'mse', smooth: 0, burst: false };

export function chipFor(chip: ChipConfig, o: { T?: number; levels?: number; scheme?: CodingScheme }): ChipConfig {
  const c = { ...chip, T: o.T ?? chip.T, spikeLevels: o.scheme && o.scheme !== 'multilevel' ? 1 : (o.levels ?? chip.spikeLevels) };
  checkChip(c, `chip ${chip.name}`);
  return c;
}

export function compileModel(lm: DenseLM, source: string, chip: ChipConfig, o: CompileOptions): ChipProgram {
  const lo: LowerOptions = { ...DEFAULT_LOWER, ...Object.fromEntries(Object.entries(o).filter(([k, v]) => k in DEFAULT_LOWER && v !== undefined)) };
  const c = chipFor(chip, { T: o.T, levels: o.levels, scheme: lo.scheme });
  if (c.attention.context < lm.config.maxSeq) o.onProgress?.('note', 0, 0);
  const context = Math.min(o.context ?? lm.config.maxSeq, lm.config.maxSeq);
  o.onProgress?.('calibrate', 0, 1);
  const { ir, stats } = o.stats ? { ir: foldNormAffine(irFromDense(lm, source)), stats: o.stats } : calibrationStats(lm, source, o.calibration, context);
  o.onProgress?.('calibrate', 1, 1);
  const program = lowerIr(ir, stats, c, lo);
  mapTiles(program);
  calibrateAdc(program, o.calibration.slice(0, o.adcTokens ?? Math.min(o.calibration.length, 2 * context)), context, o.onProgress);
  return program;
}

/** The folded IR and its float calibration statistics on `ids` (at least 2 windows' worth of tokens). */
export function calibrationStats(lm: DenseLM, source: string, ids: readonly number[], context: number): { ir: ModelIR; stats: Map<string, TensorStats> } {
  if (ids.length < 2 * Math.min(context, 64)) throw new CalibrationError(`calibration text gives ${ids.length} tokens; at least ${2 * Math.min(context, 64)} are needed`);
  const ir = foldNormAffine(irFromDense(lm, source));
  return { ir, stats: calibrate(ir, ids, context) };
}

/**
 * Sets each tile's ADC shift to the smallest at which the calibration text makes it clip no conversion: every shift
 * starts at 0, and each pass of the functional model raises the shift of the tiles that clipped, until none does
 * (or a tile reaches its largest shift).
 */
export function calibrateAdc(p: ChipProgram, ids: readonly number[], context: number, onProgress?: CompileOptions['onProgress']): void {
  const lins = p.ops.filter((x): x is ChipProgram['ops'][number] & { kind: 'linear' } => x.kind === 'linear');
  const maxShift = 2 ** shiftWidth(tileSpec(p.chip, 'signed')) - 1;
  for (const l of lins) l.tiles.adcShift.fill(0);
  for (let pass = 0; pass <= maxShift; pass++) {
    const m = new SnnModel(p);
    for (let b = 0; b < ids.length; b += context) m.windowLogits(ids.slice(b, b + context));
    let raised = 0;
    for (const l of lins) {
      m.tileClips(l).forEach((clips, i) => {
        if (clips > 0 && l.tiles.adcShift[i]! < maxShift) {
          l.tiles.adcShift[i]!++;
          raised++;
        }
      });
    }
    onProgress?.('adc', pass + 1, pass + 1 + (raised ? 1 : 0));
    if (!raised) return;
  }
}

export { CompileError };
