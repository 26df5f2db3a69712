// ROUGE-1/2/L/Lsum with Google rouge_score's conventions: lowercase, non-alphanumerics to spaces, optional Porter (NLTK mode)
// stemming of tokens longer than 3 characters, Lsum as summary-level union-LCS over newline-separated sentences.
import { porterStem } from './porter.js';

export interface RougeScore {
  precision: number;
  recall: number;
  fmeasure: number;
}
export type RougeType = 'rouge1' | 'rouge2' | 'rougeL' | 'rougeLsum';

export function tokenize(text: string, stem: boolean): string[] {
  const toks = text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').split(/\s+/).filter((t) => t.length > 0);
  return stem ? toks.map((t) => (t.length > 3 ? porterStem(t) : t)) : toks;
}

function score(hits: number, predTotal: number, refTotal: number): RougeScore {
  const precision = predTotal ? hits / predTotal : 0;
  const recall = refTotal ? hits / refTotal : 0;
  const fmeasure = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, fmeasure };
}

function ngrams(t: string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= t.length; i++) {
    const k = t.slice(i, i + n).join(' ');
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

function rougeN(ref: string[], pred: string[], n: number): RougeScore {
  const r = ngrams(ref, n);
  const p = ngrams(pred, n);
  let hits = 0;
  for (const [k, c] of p) hits += Math.min(c, r.get(k) ?? 0);
  const tot = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return score(hits, tot(p), tot(r));
}

function lcsTable(a: string[], b: string[]): Int32Array[] {
  const t = Array.from({ length: a.length + 1 }, () => new Int32Array(b.length + 1));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) t[i]![j] = a[i - 1] === b[j - 1] ? t[i - 1]![j - 1]! + 1 : Math.max(t[i - 1]![j]!, t[i]![j - 1]!);
  }
  return t;
}

/** Indices into `ref` of one LCS with `can` (rouge_score's backtracking order). */
function lcsIndices(ref: string[], can: string[]): number[] {
  const t = lcsTable(ref, can);
  let i = ref.length;
  let j = can.length;
  const out: number[] = [];
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.unshift(i - 1);
      i--;
      j--;
    } else if (t[i]![j - 1]! > t[i - 1]![j]!) j--;
    else i--;
  }
  return out;
}

function rougeL(ref: string[], pred: string[]): RougeScore {
  if (!ref.length || !pred.length) return score(0, pred.length, ref.length);
  return score(lcsTable(ref, pred)[ref.length]![pred.length]!, pred.length, ref.length);
}

function rougeLsum(refSents: string[][], predSents: string[][]): RougeScore {
  const m = refSents.reduce((s, x) => s + x.length, 0);
  const n = predSents.reduce((s, x) => s + x.length, 0);
  if (!m || !n) return { precision: 0, recall: 0, fmeasure: 0 };
  const cntR = new Map<string, number>();
  const cntC = new Map<string, number>();
  for (const s of refSents) for (const t of s) cntR.set(t, (cntR.get(t) ?? 0) + 1);
  for (const s of predSents) for (const t of s) cntC.set(t, (cntC.get(t) ?? 0) + 1);
  let hits = 0;
  for (const r of refSents) {
    const union = new Set<number>();
    for (const c of predSents) for (const i of lcsIndices(r, c)) union.add(i);
    for (const i of [...union].sort((a, b) => a - b)) {
      const t = r[i]!;
      if ((cntC.get(t) ?? 0) > 0 && (cntR.get(t) ?? 0) > 0) {
        hits++;
        cntC.set(t, cntC.get(t)! - 1);
        cntR.set(t, cntR.get(t)! - 1);
      }
    }
  }
  return score(hits, n, m);
}

/** Scores a prediction against a target, like rouge_score's RougeScorer(types, use_stemmer).score(target, prediction). */
export function rouge(target: string, prediction: string, types: readonly RougeType[] = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'], useStemmer = false): Record<RougeType, RougeScore> {
  const out = {} as Record<RougeType, RougeScore>;
  const ref = tokenize(target, useStemmer);
  const pred = tokenize(prediction, useStemmer);
  for (const t of types) {
    if (t === 'rouge1') out[t] = rougeN(ref, pred, 1);
    else if (t === 'rouge2') out[t] = rougeN(ref, pred, 2);
    else if (t === 'rougeL') out[t] = rougeL(ref, pred);
    else {
      const sents = (s: string) => s.split('\n').filter((x) => x.length > 0).map((x) => tokenize(x, useStemmer));
      out[t] = rougeLsum(sents(target), sents(prediction));
    }
  }
  return out;
}

/** Mean F-measure of each type over a corpus (rouge_score's aggregator reports mid of a bootstrap; we report the mean). */
export function corpusRouge(pairs: readonly { target: string; prediction: string }[], useStemmer = true): Record<RougeType, number> {
  const sums: Record<RougeType, number> = { rouge1: 0, rouge2: 0, rougeL: 0, rougeLsum: 0 };
  for (const p of pairs) {
    const s = rouge(p.target, p.prediction, undefined, useStemmer);
    for (const k of Object.keys(sums) as RougeType[]) sums[k] += s[k].fmeasure;
  }
  for (const k of Object.keys(sums) as RougeType[]) sums[k] /= Math.max(1, pairs.length);
  return sums;
}
