// Prints the plain closing line CI reads: "vitest: N passed, N failed, N skipped". An unhandled error (a worker that
// died: killed, out of memory; an unhandled rejection) is counted as a failure there too, with a line saying so:
// vitest reports such a run as 'passed' to reporters, and its tests as pending or passed, so the line would hide it.
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

export default class CiReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<SerializedError> = []): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let unfinished = 0;
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failed++;
        else {
          skipped++;
          if (s === 'pending') unfinished++;
        }
      }
      // a file that failed to load has no tests: count it as a failure
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    }
    failed += unhandledErrors.length;
    if (unhandledErrors.length) {
      const first = unhandledErrors[0]!;
      console.log(`vitest: ${unhandledErrors.length} unhandled error(s) counted as failed (a worker crash or an unhandled rejection; first: ${first.name ?? 'Error'}: ${first.message})${unfinished ? `; ${unfinished} test(s) never finished` : ''}`);
    }
    console.log(`vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
