// Comparison helpers in the style of llm.c's test_gpt2: report cycle, signal, expected vs actual (hex and
// signed decimal), the first N mismatches, and a closing verdict.
import { toBits } from '../hdl/types.js';
import { showValue } from './value.js';

export interface Mismatch {
  cycle: number;
  signal: string;
  expected: bigint;
  actual: bigint;
  width: number;
  signed: boolean;
}

export class Scoreboard {
  readonly mismatches: Mismatch[] = [];
  count = 0;
  checks = 0;
  constructor(
    readonly name: string,
    readonly maxShown = 10,
  ) {}

  /** Compares one value; both sides are reduced to `width` bits first. */
  check(cycle: number, signal: string, expected: bigint | number, actual: bigint | number, width: number, signed = false): boolean {
    this.checks++;
    const e = toBits(BigInt(expected), width);
    const a = toBits(BigInt(actual), width);
    if (e === a) return true;
    this.count++;
    if (this.mismatches.length < this.maxShown) this.mismatches.push({ cycle, signal, expected: e, actual: a, width, signed });
    return false;
  }

  report(): string {
    const lines = this.mismatches.map((m) => `  cycle ${m.cycle}: ${m.signal} expected ${showValue(m.expected, m.width, m.signed)} got ${showValue(m.actual, m.width, m.signed)}`);
    const verdict = this.count === 0 ? `PASS ${this.name}: ${this.checks} checks, 0 mismatches` : `FAIL ${this.name}: ${this.count} mismatches in ${this.checks} checks (first ${this.mismatches.length} shown)`;
    return [...lines, verdict].join('\n');
  }

  /** Throws with the report when anything mismatched. */
  assertClean(): void {
    if (this.count) throw new Error(this.report());
  }
}
