// Porter's stemmer (1980) with the variations of NLTK's default mode (NLTK_EXTENSIONS), which is what Google's
// rouge_score uses (nltk.stem.porter.PorterStemmer()). Checked against NLTK on 3,198 words
// (test/fixtures/porter-nltk.json). The npm `stemmer` package implements Porter's revised algorithm instead and
// differs on ~1.6% of those words (enjoy -> enjoi, exceed -> exce), so it is not used.

const IRREGULAR: Record<string, string> = {
  sky: 'sky', skies: 'sky', dying: 'die', lying: 'lie', tying: 'tie', news: 'news', innings: 'inning', inning: 'inning',
  outings: 'outing', outing: 'outing', cannings: 'canning', canning: 'canning', howe: 'howe', proceed: 'proceed', exceed: 'exceed', succeed: 'succeed',
};

function isConsonant(w: string, i: number): boolean {
  const c = w[i]!;
  if ('aeiou'.includes(c)) return false;
  if (c === 'y') return i === 0 ? true : !isConsonant(w, i - 1);
  return true;
}

/** m in [C](VC){m}[V] */
function measure(stem: string): number {
  let m = 0;
  let prevVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const v = !isConsonant(stem, i);
    if (!v && prevVowel) m++;
    prevVowel = v;
  }
  return m;
}

const hasVowel = (s: string) => [...s].some((_, i) => !isConsonant(s, i));
const endsDouble = (w: string) => w.length >= 2 && w[w.length - 1] === w[w.length - 2] && isConsonant(w, w.length - 1);
function endsCvc(w: string): boolean {
  const n = w.length;
  return (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1) && !'wxy'.includes(w[n - 1]!)) || (n === 2 && !isConsonant(w, 0) && isConsonant(w, 1));
}
const positive = (s: string) => measure(s) > 0;

type Rule = [suffix: string, replacement: string, cond?: (stem: string) => boolean];

/** The first rule whose suffix matches decides: applied when its condition holds, else the word is kept. */
function applyRules(word: string, rules: Rule[]): string {
  for (const [suffix, rep, cond] of rules) {
    if (suffix === '*d') {
      if (endsDouble(word)) {
        const stem = word.slice(0, -2);
        return !cond || cond(stem) ? stem + rep : word;
      }
      continue;
    }
    if (word.endsWith(suffix)) {
      const stem = word.slice(0, word.length - suffix.length);
      return !cond || cond(stem) ? stem + rep : word;
    }
  }
  return word;
}

function step1a(w: string): string {
  if (w.endsWith('ies') && w.length === 4) return w.slice(0, -3) + 'ie';
  return applyRules(w, [['sses', 'ss'], ['ies', 'i'], ['ss', 'ss'], ['s', '']]);
}

function step1b(w: string): string {
  if (w.endsWith('ied')) return w.slice(0, -3) + (w.length === 4 ? 'ie' : 'i');
  if (w.endsWith('eed')) {
    const stem = w.slice(0, -3);
    return measure(stem) > 0 ? stem + 'ee' : w;
  }
  let stem: string | undefined;
  for (const suf of ['ed', 'ing']) {
    if (w.endsWith(suf) && hasVowel(w.slice(0, -suf.length))) {
      stem = w.slice(0, -suf.length);
      break;
    }
  }
  if (stem === undefined) return w;
  const s = stem;
  return applyRules(s, [
    ['at', 'ate'],
    ['bl', 'ble'],
    ['iz', 'ize'],
    ['*d', s[s.length - 1]!, () => !'lsz'.includes(s[s.length - 1]!)],
    ['', 'e', (x) => measure(x) === 1 && endsCvc(x)],
  ]);
}

function step1c(w: string): string {
  return applyRules(w, [['y', 'i', (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]]);
}

function step2(w: string): string {
  if (w.endsWith('alli') && positive(w.slice(0, -4))) return step2(w.slice(0, -4) + 'al');
  return applyRules(w, [
    ['ational', 'ate', positive], ['tional', 'tion', positive], ['enci', 'ence', positive], ['anci', 'ance', positive], ['izer', 'ize', positive],
    ['bli', 'ble', positive], ['alli', 'al', positive], ['entli', 'ent', positive], ['eli', 'e', positive], ['ousli', 'ous', positive],
    ['ization', 'ize', positive], ['ation', 'ate', positive], ['ator', 'ate', positive], ['alism', 'al', positive], ['iveness', 'ive', positive],
    ['fulness', 'ful', positive], ['ousness', 'ous', positive], ['aliti', 'al', positive], ['iviti', 'ive', positive], ['biliti', 'ble', positive],
    ['fulli', 'ful', positive], ['logi', 'log', () => positive(w.slice(0, -3))],
  ]);
}

function step3(w: string): string {
  return applyRules(w, [['icate', 'ic', positive], ['ative', '', positive], ['alize', 'al', positive], ['iciti', 'ic', positive], ['ical', 'ic', positive], ['ful', '', positive], ['ness', '', positive]]);
}

function step4(w: string): string {
  const gt1 = (s: string) => measure(s) > 1;
  return applyRules(w, [
    ['al', '', gt1], ['ance', '', gt1], ['ence', '', gt1], ['er', '', gt1], ['ic', '', gt1], ['able', '', gt1], ['ible', '', gt1], ['ant', '', gt1],
    ['ement', '', gt1], ['ment', '', gt1], ['ent', '', gt1], ['ion', '', (s) => measure(s) > 1 && 'st'.includes(s[s.length - 1] ?? '')],
    ['ou', '', gt1], ['ism', '', gt1], ['ate', '', gt1], ['iti', '', gt1], ['ous', '', gt1], ['ive', '', gt1], ['ize', '', gt1],
  ]);
}

function step5a(w: string): string {
  if (!w.endsWith('e')) return w;
  const stem = w.slice(0, -1);
  const m = measure(stem);
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : w;
}

function step5b(w: string): string {
  return w.endsWith('ll') && measure(w.slice(0, -1)) > 1 ? w.slice(0, -1) : w;
}

export function porterStem(word: string): string {
  const w = word.toLowerCase();
  if (IRREGULAR[w] !== undefined) return IRREGULAR[w]!;
  if (w.length <= 2) return w;
  return step5b(step5a(step4(step3(step2(step1c(step1b(step1a(w))))))));
}
