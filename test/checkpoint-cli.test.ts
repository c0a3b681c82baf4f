/**
 * `walrus-spec check --checkpoint DIR` and `--resume DIR` as a user runs them, in processes of
 * their own: a search stopped by SIGINT (two-phase commit with symmetry, xstate actors) writes its
 * checkpoint, and another process resumes it to the JSON report the uninterrupted check prints,
 * timing aside. Options that cannot go with a checkpoint, and a
 * checkpoint that cannot be resumed, are usage errors (exit code 2) that say why.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type CliResult, root, runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "walrus-spec-checkpoint-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The JSON report without its timing fields. */
function withoutTiming(text: string): unknown {
  return JSON.parse(text, (key, value) => (key === "timing" ? undefined : value));
}

/** Runs `walrus-spec check ARGS` in a process of its own; `interruptWhen`: SIGINT once stderr matches it. */
function spawnCheck(args: readonly string[], interruptWhen?: RegExp): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "cli/bin.ts"), "check", ...args], {
      cwd: root,
      env: { ...process.env, CI: "true" },
    });
    const out: string[] = [];
    const err: string[] = [];
    let signalled = false;
    child.stdout.on("data", (chunk) => out.push(String(chunk)));
    child.stderr.on("data", (chunk) => {
      err.push(String(chunk));
      if (interruptWhen !== undefined && !signalled && interruptWhen.test(err.join(""))) {
        signalled = true;
        child.kill("SIGINT");
      }
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 110_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout: out.join(""), stderr: err.join("") });
    });
  });
}

describe("check --checkpoint, then --resume, each in a process of its own", () => {
  it("two-phase commit with symmetry stopped by SIGINT: exit 130, the checkpoint written, resumed to the whole report", async () => {
    const dir = join(work, "symmetric");
    const stopped = await spawnCheck(
      ["two-phase-commit-7-symmetric", "--checkpoint", dir],
      /^two-phase-commit-7-symmetric: \d+ states/m,
    );
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/INCOMPLETE: stopped by an interrupt after \d+ unique states/);
    expect(stopped.stdout).toMatch(
      /checkpoint written to .*symmetric \(1 in all; the last, at the stop by interrupted: /,
    );
    const resumed = await spawnCheck([
      "two-phase-commit-7-symmetric",
      "--resume",
      dir,
      "--format",
      "json",
      "--no-progress",
    ]);
    expect(resumed.code).toBe(0);
    const whole = await runCli("check", "two-phase-commit-7-symmetric", "--format", "json", "--no-progress");
    expect(withoutTiming(resumed.stdout)).toEqual(withoutTiming(whole.stdout));
    expect(JSON.parse(resumed.stdout).models[0]).toMatchObject({ complete: true });
  }, 120_000);
});

describe("check --checkpoint and --resume refuse", () => {
  it.each([
    [["write-4", "write-read-4", "--checkpoint", "DIR"], /one model at a time/],
    [["--checkpoint", "DIR"], /one model at a time/],
    [["write-4", "--checkpoint", "DIR", "--dfs"], /breadth-first search on one thread/],
    [["two-phase-commit-plain-7", "--resume", "DIR", "--workers", "2"], /breadth-first search on one thread/],
    [["write-4", "--checkpoint-every", "10"], /--checkpoint-every needs --checkpoint or --resume/],
  ])("%j", async (args, message) => {
    const result = await runCli("check", ...args.map((arg) => (arg === "DIR" ? join(work, "refused") : arg)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("a checkpoint that is not there, or of another model: exit 2, saying so", async () => {
    const missing = await runCli("check", "write-4", "--resume", join(work, "nowhere"), "--no-progress");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^walrus-spec: model write-4: no checkpoint in .*nowhere/);
    const dir = join(work, "quorum");
    // Two models of the catalogue whose models share a name (quorum-write(1,1,1,1)): told apart.
    const written = await runCli("check", "quorum-write-4-crash", "--checkpoint", dir, "--checkpoint-every", "0.001");
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/checkpoint written to/);
    const other = await runCli("check", "quorum-write-4-byzantine", "--resume", dir, "--no-progress");
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(
      /model quorum-write-4-byzantine: the checkpoint in .*quorum is of model quorum-write-4-crash, not of quorum-write-4-byzantine/,
    );
  });

  it("check --help lists the options", async () => {
    const help = await runCli("check", "--help");
    for (const option of [
      "--checkpoint <dir>",
      "--checkpoint-every <seconds>",
      "--resume <dir>",
      "--spill-above <states>",
    ]) {
      expect(help.stdout).toContain(option);
    }
  });
});
