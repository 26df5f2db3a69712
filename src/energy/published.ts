// Published, measured GPU figures (J/token) for dense LLM inference, used as the GPU baseline where no GPU was lent
// to measure our own PyTorch baseline (baselines/pytorch/). Each says which GPU, model, batch and data it is from;
// they are other models than ours, so the headline table shows them beside the nearest model size, labelled
// "published", and never scales them.
import { citationProblems, type EnergyConstant } from './constants.js';

export interface PublishedGpuFigure extends EnergyConstant {
  gpu: string;
  model: string;
  params: number;
  batch: number;
}

const MLE_V3 = 'ML.ENERGY Leaderboard v3 data (J.-W. Chung et al., The ML.ENERGY Benchmark, 2025), values as listed in design-references.md section 5';
const MLE_LEGACY = 'ML.ENERGY Leaderboard legacy data (2023; PyTorch, FastChat, Zeus energy measurement), values as listed in design-references.md section 5';

export const PUBLISHED_GPU: PublishedGpuFigure[] = [
  { value: 0.455, per: 'generated token (J)', node: 'system', source: MLE_V3, gpu: 'H100', model: 'Llama-3.1-8B', params: 8.0e9, batch: 8 },
  { value: 0.07, per: 'generated token (J)', node: 'system', source: MLE_V3, gpu: 'H100', model: 'Llama-3.1-8B', params: 8.0e9, batch: 512 },
  { value: 4.35, per: 'generated token (J)', node: 'system', source: MLE_LEGACY, gpu: 'A100', model: 'Llama-2-7B', params: 6.7e9, batch: 1 },
  { value: 8.04, per: 'generated token (J)', node: 'system', source: MLE_LEGACY, gpu: 'A100', model: 'Llama-2-13B', params: 13.0e9, batch: 1 },
];

export function publishedProblems(): string[] {
  return citationProblems(Object.fromEntries(PUBLISHED_GPU.map((f, i) => [`gpu[${i}] ${f.model}`, f])));
}

/** The published figures nearest in size to a model of `params` parameters (within a factor of 2), batch 1 first. */
export function nearestGpuFigures(params: number): PublishedGpuFigure[] {
  return PUBLISHED_GPU.filter((f) => f.params / params < 2 && params / f.params < 2).sort((a, b) => a.batch - b.batch);
}
