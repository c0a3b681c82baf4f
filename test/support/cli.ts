/**
 * Runs the `walrus-spec` command as a user does: a separate process (from the TypeScript sources),
 * with CI set so that progress comes as plain lines; returns its exit code and output.
 */

import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const root = new URL("../..", import.meta.url).pathname;

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(root, "cli/bin.ts"), ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
