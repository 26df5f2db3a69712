// Yosys (wasm, @yowasp/yosys): one JS API, reused in-process so later runs are fast (the wasm module stays compiled).
import { Exit, runYosys } from '@yowasp/yosys';

export interface YosysResult {
  ok: boolean;
  log: string;
  files: Record<string, unknown>;
}

/** Runs a Yosys script over an in-memory file tree. Never throws for a Yosys failure: `ok` says. */
export async function yosys(script: string, files: Record<string, string>, extraArgs: string[] = []): Promise<YosysResult> {
  let log = '';
  const sink = (bytes: Uint8Array | null) => {
    if (bytes) log += new TextDecoder().decode(bytes);
  };
  try {
    const tree = await runYosys([...extraArgs, '-p', script], files, { stdout: sink, stderr: sink, synchronously: false } as never);
    return { ok: true, log, files: (tree ?? {}) as Record<string, unknown> };
  } catch (e) {
    if (e instanceof Exit) return { ok: false, log, files: {} };
    throw e;
  }
}
