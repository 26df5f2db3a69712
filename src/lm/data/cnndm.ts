// CNN/DailyMail summarisation data: JSONL ({"article", "highlights", "id"?} per line) or the common CSV layout
// (header id,article,highlights). Malformed records are rejected with the file, line and what was wrong.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DatasetError } from './wikitext.js';

export interface SummaryExample {
  id: string;
  article: string;
  /** reference summary; sentences separated by newlines (as rouge_score's Lsum expects) */
  highlights: string;
}

export function readCnnDm(file: string): SummaryExample[] {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.csv')) return fromCsv(file, text);
  return fromJsonl(file, text);
}

function check(file: string, where: string, rec: Record<string, unknown>, idx: number): SummaryExample {
  for (const k of ['article', 'highlights']) {
    if (typeof rec[k] !== 'string' || !(rec[k] as string).trim()) throw new DatasetError(`${file}:${where}: field '${k}' is missing or empty`);
  }
  return { id: rec.id === undefined ? String(idx) : String(rec.id), article: rec.article as string, highlights: rec.highlights as string };
}

function fromJsonl(file: string, text: string): SummaryExample[] {
  const out: SummaryExample[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new DatasetError(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) throw new DatasetError(`${file}:${i + 1}: expected a JSON object per line`);
    out.push(check(file, String(i + 1), rec as Record<string, unknown>, out.length));
  });
  if (!out.length) throw new DatasetError(`${file}: no records`);
  return out;
}

function fromCsv(file: string, text: string): SummaryExample[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, relax_quotes: false }) as Record<string, string>[];
  } catch (e) {
    throw new DatasetError(`${file}: CSV error: ${(e as Error).message}`);
  }
  if (!rows.length) throw new DatasetError(`${file}: no records`);
  const cols = Object.keys(rows[0]!);
  for (const need of ['article', 'highlights']) if (!cols.includes(need)) throw new DatasetError(`${file}: header has no '${need}' column (columns: ${cols.join(', ')})`);
  return rows.map((r, i) => check(file, `record ${i + 1}`, r, i));
}
