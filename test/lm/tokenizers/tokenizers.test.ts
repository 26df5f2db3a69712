import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BytesTokenizer, Gpt2Tokenizer, HfTokenizer, loadTokenizer } from '../../../src/lm/tokenizers/index.js';
import { PROJECT_ROOT } from '../../../src/hdl/srcloc.js';

describe('tokenizers', () => {
  it('bytes round-trip any text', () => {
    const t = new BytesTokenizer();
    const s = 'Fellow-Citizens — naïve ✓';
    expect(t.decode(t.encode(s))).toBe(s);
    expect(t.encode('Az')).toEqual([65, 122]);
  });
  it('GPT-2 BPE gives the known ids', () => {
    const t = new Gpt2Tokenizer();
    expect(t.encode('Hello world')).toEqual([15496, 995]);
    expect(t.decode([15496, 995])).toBe('Hello world');
  });
  it("a user's tokenizer.json through @huggingface/tokenizers", () => {
    const t = new HfTokenizer(path.join(PROJECT_ROOT, 'test', 'fixtures', 'tokenizer'));
    expect(t.encode('Fellow-Citizens of the Senate:')).toEqual([1, 6, 2, 3, 4, 5, 7]);
    expect(t.decode([3, 4, 5])).toMatch(/of\s*the\s*senate/);
  });
  it('picks a tokenizer for a checkpoint', () => {
    expect(loadTokenizer('/nonexistent', 256).name).toBe('bytes');
    expect(loadTokenizer('/nonexistent', 50257).name).toBe('gpt2-bpe');
    expect(() => loadTokenizer('/nonexistent', 1000)).toThrow(/matches neither/);
  });
});
