// Byte-level tokenizer for the reference models: token = UTF-8 byte (vocabulary 256). Any text round-trips.
export class ByteTokenizer {
  readonly vocabSize = 256;
  encode(text: string): Int32Array {
    return Int32Array.from(Buffer.from(text, 'utf8'));
  }
  decode(ids: ArrayLike<number>): string {
    return Buffer.from(Uint8Array.from(ids as ArrayLike<number>)).toString('utf8');
  }
}
