// How the spike-based beam search compares with float beam search, step by step (teacher-forced on the float
// search's beams, so one early difference does not make every later step differ): at each step of float beam search
// on the dense model, the spike search's choice for the same live beams — scored on the SNN with integer log-probs
// along the same histories — is compared with the float choice. A second measure keeps the model fixed (the SNN) and
// compares integer scoring against float log-softmax of the SNN's own logits, isolating the search arithmetic.
import { logSumExp } from '../lm/kernels.js';
import { beamSearch, type BeamChoice } from '../lm/generate.js';
import type { DenseLM } from '../lm/model.js';
import { cloneState, spikeLogProbs } from './decode.js';
import type { SnnModel, SnnState } from './snn.js';

export interface BeamAgreement {
  steps: number;
  /** steps where the spike search picks the same (beam, token) set as float beam search on the dense model */
  sameAsDense: number;
  /** steps where integer scoring on the SNN picks the same set as float scoring of the SNN's logits */
  sameAsFloatOnSnn: number;
}

const key = (c: readonly BeamChoice[]) => c.map((x) => `${x.from}:${x.tok}`).sort().join(',');

export function compareBeams(lm: DenseLM, snn: SnnModel, prompts: readonly (readonly number[])[], steps: number, beams: number): BeamAgreement {
  const V = snn.vocabSize;
  const scale = snn.program.tensors[snn.program.logits]!.scale;
  const { lutBits: f, fracBits: F } = snn.program.chip.beam;
  const r: BeamAgreement = { steps: 0, sameAsDense: 0, sameAsFloatOnSnn: 0 };
  for (const prompt of prompts) {
    // SNN states, integer and float scores along the float search's live beams
    let live: { state: SnnState; mem: Int32Array; logits: Float32Array; iscore: number; fscore: number }[] = [];
    const s0 = snn.newState();
    const l0 = snn.forward(prompt, s0);
    live.push({ state: s0, mem: snn.lastIntLogits.slice((prompt.length - 1) * V), logits: l0.slice((prompt.length - 1) * V), iscore: 0, fscore: 0 });
    beamSearch(lm, prompt, steps, beams, 0, (_step, _prefixes, chosen) => {
      const ic: (BeamChoice & { s: number })[] = [];
      const fc: (BeamChoice & { s: number })[] = [];
      live.forEach((b, bi) => {
        const lp = spikeLogProbs(b.mem, 0, V, scale, f, F);
        const lse = logSumExp(b.logits, 0, V);
        const byMem = Array.from({ length: V }, (_, j) => j).sort((x, y) => b.mem[y]! - b.mem[x]! || x - y).slice(0, beams);
        for (const j of byMem) ic.push({ from: bi, tok: j, s: b.iscore + lp[j]! });
        const byLogit = Array.from({ length: V }, (_, j) => j).sort((x, y) => b.logits[y]! - b.logits[x]!).slice(0, beams);
        for (const j of byLogit) fc.push({ from: bi, tok: j, s: b.fscore + b.logits[j]! - lse });
      });
      ic.sort((a, b) => b.s - a.s || a.from - b.from || a.tok - b.tok);
      fc.sort((a, b) => b.s - a.s);
      const spike = ic.slice(0, beams);
      r.steps++;
      if (key(spike) === key(chosen)) r.sameAsDense++;
      if (key(spike) === key(fc.slice(0, beams))) r.sameAsFloatOnSnn++;
      // follow the float search's choice
      live = chosen.map((c) => {
        const from = live[c.from]!;
        const state = cloneState(from.state);
        const lg = snn.forward([c.tok], state);
        const lp = spikeLogProbs(from.mem, 0, V, scale, f, F);
        return { state, mem: snn.lastIntLogits.slice(), logits: lg, iscore: from.iscore + lp[c.tok]!, fscore: from.fscore + from.logits[c.tok]! - logSumExp(from.logits, 0, V) };
      });
    });
  }
  return r;
}
