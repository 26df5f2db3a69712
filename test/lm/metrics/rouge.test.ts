// ROUGE against rouge_score's documented values and hand-derived Lsum; stemming against NLTK's Porter stemmer.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { porterStem } from '../../../src/lm/metrics/porter.js';
import { describe, expect, it } from 'vitest';
import { corpusRouge, rouge, tokenize, type RougeType } from '../../../src/lm/metrics/rouge.js';
import { PROJECT_ROOT } from '../../../src/hdl/srcloc.js';

describe('ROUGE (rouge_score-compatible)', () => {
  it("reproduces rouge_score's README example", () => {
    // RougeScorer(['rouge1','rougeL']).score('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.')
    const s = rouge('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.', ['rouge1', 'rougeL']);
    expect(s.rouge1.precision).toBeCloseTo(0.75, 12);
    expect(s.rouge1.recall).toBeCloseTo(0.6666666666666666, 12);
    expect(s.rouge1.fmeasure).toBeCloseTo(0.7058823529411765, 12);
    expect(s.rougeL.precision).toBeCloseTo(0.625, 12);
    expect(s.rougeL.recall).toBeCloseTo(0.5555555555555556, 12);
    expect(s.rougeL.fmeasure).toBeCloseTo(0.5882352941176471, 12);
  });

  it('rouge2 and tokenisation (lowercase, punctuation to spaces)', () => {
    expect(tokenize("It's 3 o'clock, Mr. Smith!", false)).toEqual(['it', 's', '3', 'o', 'clock', 'mr', 'smith']);
    const s = rouge('the cat sat on the mat', 'the cat sat on a mat', ['rouge2']);
    // bigrams: ref {the cat, cat sat, sat on, on the, the mat}; pred {the cat, cat sat, sat on, on a, a mat}: 3 hits
    expect(s.rouge2.precision).toBeCloseTo(3 / 5, 12);
    expect(s.rouge2.recall).toBeCloseTo(3 / 5, 12);
  });

  it('rougeLsum uses the union LCS over newline-separated sentences', () => {
    // ref sentences: [a b c d e] [f g]; prediction: [a b x] [c d e f] -> union LCS with sentence 1 = {a b c d e} (5),
    // with sentence 2 = {f} (1): hits 6 of m=7 reference, n=7 predicted tokens
    const s = rouge('a b c d e\nf g', 'a b x\nc d e f', ['rougeLsum', 'rougeL']);
    expect(s.rougeLsum.recall).toBeCloseTo(6 / 7, 12);
    expect(s.rougeLsum.precision).toBeCloseTo(6 / 7, 12);
    // plain rougeL over the joined text: LCS(a b c d e f g, a b x c d e f) = 6
    expect(s.rougeL.recall).toBeCloseTo(6 / 7, 12);
  });

  it('stemming matches NLTK PorterStemmer() (default mode, as rouge_score uses) on 3,198 words', () => {
    const ref = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'test', 'fixtures', 'porter-nltk.json'), 'utf8')) as { stems: Record<string, string> };
    const words = Object.entries(ref.stems);
    expect(words.length).toBeGreaterThan(3000);
    const wrong = words.filter(([w, s]) => porterStem(w) !== s);
    expect(wrong).toEqual([]);
    expect(tokenize('The runners were running quickly', true)).toEqual(['the', 'runner', 'were', 'run', 'quickli']);
    expect(['enjoy', 'exceed', 'dying', 'cheerfully', 'generalization'].map(porterStem)).toEqual(['enjoy', 'exceed', 'die', 'cheer', 'gener']);
  });

  it('corpus means and degenerate inputs', () => {
    expect(rouge('', 'anything').rouge1.fmeasure).toBe(0);
    const c = corpusRouge([{ target: 'a b', prediction: 'a b' }, { target: 'a b', prediction: 'c d' }], false);
    expect(c.rouge1).toBeCloseTo(0.5, 12);
  });
});

describe('ROUGE vs the ROUGE-1.5.5 ground truth in rouge_score\'s own tests (test/fixtures/rouge/)', () => {
  const dir = path.join(PROJECT_ROOT, 'test', 'fixtures', 'rouge');
  const lines = (f: string) => readFileSync(path.join(dir, f), 'utf8').split('\n');
  const targets = lines('target.txt');
  const predictions = lines('prediction.txt');
  // [type, stemming, pair, recall, precision, F]: the values rouge_scorer_test.py asserts to 5 places
  const cases: [RougeType, boolean, number, number, number, number][] = [
    ['rouge1', false, 0, 0.40741, 0.6875, 0.51163],
    ['rouge1', false, 1, 0.40476, 0.65385, 0.5],
    ['rouge1', true, 0, 0.40741, 0.6875, 0.51163],
    ['rouge1', true, 1, 0.42857, 0.69231, 0.52941],
    ['rouge2', false, 0, 0.30769, 0.53333, 0.39024],
    ['rouge2', false, 1, 0.29268, 0.48, 0.36364],
    ['rouge2', true, 0, 0.30769, 0.53333, 0.39024],
    ['rouge2', true, 1, 0.29268, 0.48, 0.36364],
    ['rougeL', false, 0, 0.40741, 0.6875, 0.51163],
    ['rougeL', false, 1, 0.40476, 0.65385, 0.5],
  ];
  it.each(cases)('%s (stemming %s), pair %i', (type, stem, i, r, p, f) => {
    const s = rouge(targets[i]!, predictions[i]!, [type], stem)[type];
    expect(s.recall).toBeCloseTo(r, 5);
    expect(s.precision).toBeCloseTo(p, 5);
    expect(s.fmeasure).toBeCloseTo(f, 5);
  });
  it('rougeLsum with stemming on the multi-sentence pair', () => {
    const s = rouge(readFileSync(path.join(dir, 'target_multi.0.txt'), 'utf8'), readFileSync(path.join(dir, 'prediction_multi.0.txt'), 'utf8'), ['rougeLsum'], true).rougeLsum;
    expect(s.recall).toBeCloseTo(0.36538, 5);
    expect(s.precision).toBeCloseTo(0.66667, 5);
    expect(s.fmeasure).toBeCloseTo(0.47205, 5);
  });
  it('rouge_score\'s small cases: empty prediction, all-punctuation prediction, Lsum union LCS', () => {
    expect(rouge('testing one two', '', ['rouge1', 'rouge2', 'rougeL', 'rougeLsum']).rougeL.fmeasure).toBe(0);
    expect(rouge('w1 w2 w3 w4 w5', '/', ['rougeLsum']).rougeLsum.fmeasure).toBe(0);
    const s = rouge('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5', ['rougeLsum']).rougeLsum;
    expect(s.recall).toBeCloseTo(0.8, 12);
    expect(s.precision).toBeCloseTo(0.4, 12);
    expect(s.fmeasure).toBeCloseTo(0.5333, 3);
    const l = rouge('testing one two', 'testing two', ['rougeL']).rougeL;
    expect([l.precision, l.recall, l.fmeasure]).toEqual([1, 2 / 3, 0.8]);
  });
});
