// WikiText-2/-103 raw files (wiki.train.raw, wiki.valid.raw, wiki.test.raw): articles start with a " = Title = "
// line; sections use " = = Heading = = ". The raw text is used as-is for perplexity (no detokenisation).
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
