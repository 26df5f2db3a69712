// The reference model (models/sotu-relu) compiled for two chip configurations with a short calibration (the RTL
// checks need a real compiled program, not a good one), and a few tokens of held-out text run on the chip functional
// model with every tensor kept (the inputs the RTL tiles and the attention unit are then given).
import path from 'node:path';
import { DEFAULT_CHIP, type ChipConfig } from '../../src/compiler/chip-config.js';
import { compileModel } from '../../src/compiler/compile.js';
import { attentionSpecOf } from '../../src/compiler/attention-spec.js';
import type { ChipProgram, ProgOp } from '../../src/compiler/program.js';
import { PROJECT_ROOT } from '../../src/hdl/srcloc.js';
import { readTextSpec } from '../../src/lm/data/text-spec.js';
import { loadModel } from '../../src/lm/load.js';
import { SnnModel } from '../../src/runtime/snn.js';
import { writeReg as attReg, type AttOp } from '../../testbenches/attention_cosim.js';

/** The default chip (64 x 64 tiles, Pr 8, Pc 16, 12-bit ADC, 8 attention lanes) and a second one (32 x 32 tiles,
 *  Pr 4, Pc 8, 10-bit ADC, 4 attention lanes). */
export const CHIPS: Record<string, ChipConfig> = {
  default: DEFAULT_CHIP,
  small: { ...DEFAULT_CHIP, name: 'small-32x32', tile: { ...DEFAULT_CHIP.tile, rows: 32, cols: 32, rowsPerCycle: 4, colsPerCycle: 8, adcBits: 10 }, tiles: { signed: 1024, unsigned: 1024 }, attention: { ...DEFAULT_CHIP.attention, lanes: 4 } },
};

export interface ReferenceSetup {
  program: ChipProgram;
  model: SnnModel;
  tokens: number[];
  /** every tensor of the block, [S][T][width] for spike trains, [S][width] for integers */
  tensors: Map<string, Int32Array | Int8Array>;
}

const bytes = (spec: string, n: number) => Array.from(Buffer.from(readTextSpec(spec, n * 4).text, 'utf8')).slice(0, n);

export function referenceSetup(chip: ChipConfig, tokens = 10): ReferenceSetup {
  const { lm } = loadModel(path.join(PROJECT_ROOT, 'models', 'sotu-relu'));
  const program = compileModel(lm, 'models/sotu-relu', chip, { calibration: bytes('sotu:train', 512), adcTokens: 128 });
  const model = new SnnModel(program);
  const ids = bytes('sotu:test', tokens);
  const tensors = new Map<string, Int32Array | Int8Array>();
  const st = model.newState();
  model.forward(ids, st, (t, v) => tensors.set(t, v));
  model.endSequence(st);
  return { program, model, tokens: ids, tensors };
}

/**
 * Attention op `name` of the reference program: its unit's spec and what the runtime gives the unit — a reset, the
 * registers (scoreShift and steps = T; theta left at its reset value), then q, k and v of the first `tokens` tokens.
 */
export function attentionRun(ref: ReferenceSetup, name: string, tokens: number) {
  const p = ref.program;
  const op = p.ops.find((o): o is ProgOp & { kind: 'attention' } => o.kind === 'attention' && o.name === name)!;
  const spec = attentionSpecOf(p.chip, op, op.inRange);
  const q = ref.tensors.get(op.q) as Int32Array;
  const k = ref.tensors.get(op.k) as Int32Array;
  const v = ref.tensors.get(op.v) as Int32Array;
  const dq = op.heads * op.headDim;
  const dk = op.kvHeads * op.headDim;
  const ops: AttOp[] = [{ kind: 'reset' }, attReg('scoreShift', op.scoreShift), attReg('steps', p.chip.T)];
  for (let s = 0; s < tokens; s++) ops.push({ kind: 'token', q: [...q.subarray(s * dq, (s + 1) * dq)], k: [...k.subarray(s * dk, (s + 1) * dk)], v: [...v.subarray(s * dk, (s + 1) * dk)], seqStart: s === 0 });
  return { op, spec, ops };
}
