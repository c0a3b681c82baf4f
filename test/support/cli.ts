/**
 * Runs the `walrus-spec` command and returns its exit code and output. `runCli` runs it in this
 * process, through `main()` (what `cli/bin.ts` calls), with CI set so that progress comes as plain
 * lines; `spawnCli` runs it as a user does, a separate process from the TypeScript sources, for
 * the few tests where the process boundary is the point (the exit code the shell sees).
 */

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { main } from "../../cli/main.js";

export const root = new URL("../..", import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

type Write = typeof process.stdout.write;

/** What `write` is given, collected as text; the callback, if any, called as the stream would. */
function collecting(into: string[]): Write {
  return ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    into.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") queueMicrotask(() => done());
    return true;
  }) as Write;
}

let running = false;

/**
 * Runs the command in this process: its stdout and stderr captured, the exit code and CI restored
 * after. One run at a time (the capture replaces the process's streams' `write`).
 */
export async function runCli(...args: string[]): Promise<CliResult> {
  if (running) throw new Error("runCli: another run is under way; await it first");
  running = true;
  const out: string[] = [];
  const err: string[] = [];
  const [write, writeErr, ci] = [process.stdout.write, process.stderr.write, process.env.CI];
  process.stdout.write = collecting(out);
  process.stderr.write = collecting(err);
  process.env.CI = "true";
  process.exitCode = undefined;
  try {
    const code = await main(args);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    process.exitCode = undefined;
    running = false;
  }
}

/** Runs the command as a separate process, from the TypeScript sources. */
export function spawnCli(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli/bin.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
