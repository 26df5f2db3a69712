// Dataset readers on small fixtures the project wrote (labelled as such), and the SOTU corpus split.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCnnDm } from '../../../src/lm/data/cnndm.js';
import { DatasetError, detokenizeWikitext, readWikitextRaw } from '../../../src/lm/data/wikitext.js';
import { loadSotu, splitOf, sotuSplit } from '../../../src/lm/data/sotu.js';
import { PROJECT_ROOT } from '../../../src/hdl/srcloc.js';
import { readTextSpec } from '../../../src/lm/data/text-spec.js';

const FX = path.join(PROJECT_ROOT, 'test', 'fixtures', 'data');
const tmp = (name: string, text: string) => {
  const f = path.join(mkdtempSync(path.join(os.tmpdir(), 'nllm-ds-')), name);
  writeFileSync(f, text);
  return f;
};

describe('WikiText raw reader', () => {
  it('splits articles at " = Title = " lines and keeps the raw text', () => {
    const { articles, text } = readWikitextRaw(path.join(FX, 'wiki.test.raw'));
    expect(articles.map((a) => a.title)).toEqual(['Spiking Neuron', 'Memristor']);
    expect(articles[0]!.text).toContain(' = = Leak = = ');
    expect(articles[1]!.line).toBe(10);
    expect(text.startsWith(' \n = Spiking Neuron = ')).toBe(true);
  });
  it('rejects files that are not WikiText, with file and line', () => {
    expect(() => readWikitextRaw(tmp('x.raw', 'hello\n = T = \n'))).toThrow(/x\.raw:1: text before the first/);
    expect(() => readWikitextRaw(tmp('e.raw', '  \n'))).toThrow(/the file is empty/);
    expect(() => readWikitextRaw(tmp('b.raw', Buffer.from([0xff, 0xfe, 0x41]).toString('latin1')))).toThrow();
    expect(() => readWikitextRaw('/nonexistent/wiki.test.raw')).toThrow(DatasetError);
  });
});

describe('CNN/DailyMail reader', () => {
  it('reads JSONL and CSV layouts', () => {
    const j = readCnnDm(path.join(FX, 'cnndm-sample.jsonl'));
    expect(j.map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(j[0]!.highlights).toBe('Chip taped out in May.\nIt uses crossbars.');
    const c = readCnnDm(path.join(FX, 'cnndm-sample.csv'));
    expect(c).toEqual([{ id: 'b1', article: 'A neuron fires, then resets.', highlights: 'Neuron fires.\nThen resets.' }]);
  });
  it('rejects malformed records with the line and the problem', () => {
    expect(() => readCnnDm(tmp('x.jsonl', '{"article": "a", "highlights": "b"}\n{"article": "a"}\n'))).toThrow(/x\.jsonl:2: field 'highlights' is missing or empty/);
    expect(() => readCnnDm(tmp('y.jsonl', '{"article": "a", "highlights": "b"}\nnot json\n'))).toThrow(/y\.jsonl:2: not valid JSON/);
    expect(() => readCnnDm(tmp('z.csv', 'id,text,summary\n1,a,b\n'))).toThrow(/header has no 'article' column/);
  });
});

describe('State of the Union corpus', () => {
  it('has a fixed document-level split by year', () => {
    const docs = loadSotu();
    expect(docs.length).toBe(233); // one .txt per address (the package also ships a .json copy of each)
    expect(splitOf(1797)).toBe('validation');
    expect(splitOf(1863)).toBe('test');
    expect(splitOf(1790)).toBe('train');
    const sizes = (['train', 'validation', 'test'] as const).map((s) => sotuSplit(s).length);
    expect(sizes[0]! / (sizes[0]! + sizes[1]! + sizes[2]!)).toBeGreaterThan(0.75);
  });
});

describe('WikiText detokeniser', () => {
  it('matches the Megatron-LM / lm-evaluation-harness rules on a sample using every rule', () => {
    // expected output: lm-evaluation-harness's wikitext_detokenizer (preprocess_wikitext.py) run on the sample (see README)
    const raw = readFileSync(path.join(FX, 'wiki.detok-sample.raw'), 'utf8');
    expect(detokenizeWikitext(raw)).toBe(readFileSync(path.join(FX, 'wiki.detok-sample.expected.txt'), 'utf8'));
  });
  it('applies the rules in order, quirks included', () => {
    // expected values checked against the harness's Python function
    expect(detokenizeWikitext(' 1 @,@ 000 @.@ 5 km ( approx . ) ')).toBe(' 1,000.5 km (approx.) ');
    expect(detokenizeWikitext(" = = A = = \n")).toBe(' == A ==\n');
    expect(detokenizeWikitext("the years ' end")).toBe("the years' end"); // "s '" rule; one quote, so no pair rule
    expect(detokenizeWikitext("the 1990s ' designs used ' 9 '")).toBe("the 1990s'designs used' 9 '"); // quotes pair up wrongly, as in the original
  });
});

describe('text specs (npm run eval / export-text)', () => {
  it('names the SOTU split and returns exactly that split', () => {
    const r = readTextSpec('sotu:validation');
    expect(r.label).toMatch(/validation split/);
    expect(r.text).toBe(sotuSplit('validation'));
  });
  it('reads text: and wikitext: files', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'spec-'));
    const f = path.join(dir, 'a.txt');
    writeFileSync(f, 'héllo\n');
    expect(readTextSpec(`text:${f}`)).toEqual({ text: 'héllo\n', label: `text file ${f}`, unitsText: 'héllo\n' });
    expect(readTextSpec(`wikitext:${path.join(PROJECT_ROOT, 'test/fixtures/data/wiki.test.raw')}`).text.length).toBeGreaterThan(0);
  });
  it('cuts at a byte limit on a character boundary', () => {
    const f = tmp('b.txt', 'aé€x');
    // a: 1 byte, é: 2, €: 3, x: 1
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => readTextSpec(`text:${f}`, n).text)).toEqual(['a', 'a', 'aé', 'aé', 'aé', 'aé€', 'aé€x']);
    expect(() => readTextSpec(`text:${f}`, 0)).toThrow(/byte limit must be a positive integer, got 0/);
  });
  it('wikitext-detok: scores the detokenised text and counts units on the raw one', () => {
    const raw = path.join(FX, 'wiki.detok-sample.raw');
    const r = readTextSpec(`wikitext-detok:${raw}`);
    expect(r.text).toBe(readFileSync(path.join(FX, 'wiki.detok-sample.expected.txt'), 'utf8'));
    expect(r.unitsText).toBe(readFileSync(raw, 'utf8'));
    expect(r.label).toMatch(/detokenised .*units counted on the raw text/);
    const cut = readTextSpec(`wikitext-detok:${raw}`, 60);
    expect(cut.unitsText).toBe(readFileSync(raw, 'utf8').slice(0, 60));
    expect(cut.text).toBe(detokenizeWikitext(cut.unitsText));
  });
  it.each([['sotu:dev', /sotu:SPLIT needs a split of train, validation, test; got 'dev'/], ['text:', /wikitext:FILE, wikitext-detok:FILE or text:FILE; got 'text:'/], ['books', /got 'books'/]])('rejects %s', (spec, msg) => {
    expect(() => readTextSpec(spec)).toThrow(msg);
  });
});
