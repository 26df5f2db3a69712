// Dataset readers on small fixtures the project wrote (labelled as such), and the SOTU corpus split.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCnnDm } from '../../../src/lm/data/cnndm.js';
import { DatasetError, readWikitextRaw } from '../../../src/lm/data/wikitext.js';
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
    expect(readTextSpec(`text:${f}`)).toEqual({ text: 'héllo\n', label: `text file ${f}` });
    expect(readTextSpec(`wikitext:${path.join(PROJECT_ROOT, 'test/fixtures/data/wiki.test.raw')}`).text.length).toBeGreaterThan(0);
  });
  it.each([['sotu:dev', /sotu:SPLIT needs a split of train, validation, test; got 'dev'/], ['text:', /sotu:SPLIT, wikitext:FILE or text:FILE; got 'text:'/], ['books', /got 'books'/]])('rejects %s', (spec, msg) => {
    expect(() => readTextSpec(spec)).toThrow(msg);
  });
});
