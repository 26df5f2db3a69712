// WikiText-2/-103 raw files (wiki.train.raw, wiki.valid.raw, wiki.test.raw): articles start with a " = Title = "
// line; sections use " = = Heading = = ". The raw text is scored as-is unless detokenised (detokenizeWikitext).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface WikiArticle {
  title: string;
  text: string;
  /** 1-based line of the title in the file */
  line: number;
}

export class DatasetError extends Error {}

export function readWikitextRaw(file: string): { text: string; articles: WikiArticle[] } {
  if (!existsSync(file)) throw new DatasetError(`${file}: no such file (expected a WikiText raw file such as wiki.test.raw)`);
  const buf = readFileSync(file);
  const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  if (!text.trim()) throw new DatasetError(`${file}: the file is empty`);
  const lines = text.split('\n');
  const articles: WikiArticle[] = [];
  let cur: WikiArticle | undefined;
  lines.forEach((l, i) => {
    const m = /^ = ([^=].*[^=]) = $/.exec(l);
    if (m) {
      cur = { title: m[1]!.trim(), text: l + '\n', line: i + 1 };
      articles.push(cur);
    } else if (cur) cur.text += l + '\n';
    else if (l.trim()) throw new DatasetError(`${file}:${i + 1}: text before the first " = Title = " line; not a WikiText raw file?`);
  });
  if (!articles.length) throw new DatasetError(`${file}: no " = Title = " article heading found; not a WikiText raw file?`);
  return { text, articles };
}

export function wikitextSplitFile(dir: string, split: 'train' | 'valid' | 'test'): string {
  return path.join(dir, `wiki.${split}.raw`);
}

// The rules of the WikiText detokeniser used for zero-shot GPT-2 evaluation (NVIDIA Megatron-LM's
// tasks/zeroshot_gpt/detokenizer.py, adopted by EleutherAI's lm-evaluation-harness, wikitext task), in their order,
// quirks included (the "/' [0-9]/" rule matches those literal characters), so scores compare with that protocol.
const DETOK_RULES: [string | RegExp, string][] = [
  ["s '", "s'"],
  [/\/' [0-9]\//g, "/'[0-9]/"],
  [' @-@ ', '-'],
  [' @,@ ', ','],
  [' @.@ ', '.'],
  ...[':', ';', '.', '!', '?', ','].map((p): [string, string] => [` ${p} `, `${p} `]),
  [/\(\s*([^)]*?)\s*\)/g, '($1)'],
  [/\[\s*([^\]]*?)\s*\]/g, '[$1]'],
  [/\{\s*([^}]*?)\s*\}/g, '{$1}'],
  [/"\s*([^"]*?)\s*"/g, '"$1"'],
  [/'\s*([^']*?)\s*'/g, "'$1'"],
  ['= = = =', '===='],
  ['= = =', '==='],
  ['= =', '=='],
  [' \u00b0 ', '\u00b0'],
  [' \n', '\n'],
  ['\n ', '\n'],
  [' N ', ' 1 '],
  [" 's", "'s"],
];

/** WikiText's tokenised spacing (" @-@ ", " , ", "( x )", "= = h = =") undone, as GPT-2-style evaluations score it. */
export function detokenizeWikitext(text: string): string {
  let s = text;
  for (const [from, to] of DETOK_RULES) s = typeof from === 'string' ? s.replaceAll(from, to) : s.replace(from, to);
  return s;
}
