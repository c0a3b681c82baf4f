/**
 * How a check ends when it cannot end well: whatever stops a search (`--timeout`, the heap nearing
 * its limit, SIGINT or SIGTERM, `--stop-at-first`), the report still shows every violation found
 * with its counterexample, and the timeout is kept even when steps are slow, in every kind of
 * search; a machine that throws or never comes to rest in a step is a model error that names the
 * actor, its state and the event. The models are those of test/support/failing-models.ts.
 */

import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withMachineRewrite } from "../checker/actors.js";
import { TransitionError } from "../checker/errors.js";
import { checkEventually } from "../checker/liveness.js";
import { applyMutation } from "../checker/mutation.js";
import { checkModel, checkModelAsync } from "../checker/search.js";
import { simulate, simulateAsync } from "../checker/simulate.js";
import { findModel } from "../models/index.js";
import { type CliResult, root, runCli } from "./support/cli.js";
import { models } from "./support/failing-models.js";

const MODULE = join(root, "test/support/failing-models.ts");
const work = mkdtempSync(join(tmpdir(), "walrus-spec-fail-fast-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const build = (name: string) => {
  const entry = models.find((m) => m.name === name);
  if (entry === undefined) throw new Error(`no model ${name}`);
  return entry.build();
};

/** Runs `check` on a model of the module, in this process; with its wall time. */
async function check(...args: string[]): Promise<CliResult & { seconds: number }> {
  const started = performance.now();
  const result = await runCli("check", "--model", MODULE, "--no-progress", ...args);
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** The counterexample of `endless`, as the text report shows it. */
const COUNTEREXAMPLE =
  /FAIL {4}always shallow: counterexample in 2 steps\n {6}0\. initial state\n[\s\S]* {6}2\. left\n {9}id: 2 → 4\n {9}depth: 1 → 2\n/;

/** The search's first progress line: it is under way, and the signal handlers are in place. */
const SEARCHING = /^endless(-slow)?: \d+ states/m;

/**
 * Runs the CLI in a process of its own (the process boundary is the point: a signal, a heap
 * limit); `signals`: each sent `ms` after its stderr first matches `when`.
 */
function spawnCheck(
  nodeOptions: readonly string[],
  args: readonly string[],
  signals: readonly { when: RegExp; ms: number; signal: NodeJS.Signals }[] = [],
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeOptions, "--import", "tsx", join(root, "cli/bin.ts"), "check", "--model", MODULE, ...args],
      { cwd: root, env: { ...process.env, CI: "true" } },
    );
    const out: string[] = [];
    const err: string[] = [];
    const timers: NodeJS.Timeout[] = [];
    const pending = [...signals];
    child.stdout.on("data", (chunk) => out.push(String(chunk)));
    child.stderr.on("data", (chunk) => {
      err.push(String(chunk));
      const text = err.join("");
      for (const due of pending.filter((p) => p.when.test(text))) {
        pending.splice(pending.indexOf(due), 1);
        timers.push(setTimeout(() => child.kill(due.signal), due.ms));
      }
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("error", reject);
    child.on("close", (code) => {
      for (const timer of [...timers, guard]) clearTimeout(timer);
      resolve({ code, stdout: out.join(""), stderr: err.join("") });
    });
  });
}

describe("a machine that fails inside a step", () => {
  it("is a TransitionError naming the actor, its state and the event: a guard that throws", () => {
    const error = (() => {
      try {
        checkModel(build("brittle"));
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(TransitionError);
    expect((error as TransitionError).step).toEqual({ actor: "A", state: "counting", event: "Tick" });
    expect((error as Error).message).toMatch(
      /^actor A in state "counting" on event Tick: the machine threw: .*belowLimit/,
    );
    expect((error as Error).message).toContain("the limit table has no entry for 1");
  });

  it("and one whose eventless transitions never come to rest, instead of filling the heap", () => {
    expect(() => checkModel(build("restless"))).toThrow(
      /^actor A in state "idle" on event Poke: a transition never ends: more than 10000 microsteps/,
    );
  });

  it("as the seeded bug of a small Walrus model does (an action skipped: recovery loops for ever)", () => {
    // The mutant that once grew past 3.7 GB: an eventless transition that the skipped action
    // would have disabled goes round for ever inside one xstate macrostep.
    const entry = findModel("self-healing-4-byzantine");
    const mutant = withMachineRewrite(
      (machine) => applyMutation(machine, { machine: "storageNode", rule: "recoverPrimarySlivers", kind: "skipped" }),
      () => entry?.build({ reduction: true }),
    );
    expect(() => checkModel(mutant as NonNullable<typeof mutant>)).toThrow(
      /^actor N\d in state .* on event \w+: a transition never ends/,
    );
  });

  it("check shows it as a model error, exit code 2, without a stack", async () => {
    const result = await check("brittle");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^walrus-spec: model brittle: actor A in state "counting" on event Tick: /);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
  });
});

describe("--timeout", () => {
  it("is kept by every search when steps are slow (100 ms each, never a thousand states)", () => {
    const slow = build("endless-slow");
    for (const strategy of ["bfs", "dfs"] as const) {
      const started = Date.now();
      const report = checkModel(slow, { strategy, timeoutMs: 200 });
      expect(report.stoppedBy).toBe("timeout");
      expect(Date.now() - started).toBeLessThan(800);
    }
    let started = Date.now();
    // A walk of 1000 steps would take 100 s: the timeout cuts it short.
    expect(simulate(slow, { runs: 10, seed: 1, timeoutMs: 200 }).stoppedBy).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(800);
    started = Date.now();
    expect(checkEventually(slow, () => false, { timeoutMs: 200 })).toMatchObject({ holds: true, complete: false });
    expect(Date.now() - started).toBeLessThan(800);
  });

  it("stops check within its time and reports the violation found, with its trace file", async () => {
    const traces = join(work, "timeout");
    const result = await check("endless-slow", "--timeout", "1", "--trace-out", traces);
    expect(result.code).toBe(1);
    // The time after the timeout goes to replaying the counterexample and the witness (without the
    // fix, the search never looked at the clock below a thousand states, and ran on for ever).
    expect(result.seconds).toBeLessThan(6);
    expect(result.stdout).toMatch(/INCOMPLETE: stopped by --timeout after \d+ unique states/);
    expect(result.stdout).toMatch(COUNTEREXAMPLE);
    expect(readdirSync(traces)).toContain("endless-slow.shallow.itf.json");
  });

  it("stops a simulation within a walk, with the counterexample; --stop-at-first a parallel search", async () => {
    const parallel = await check("endless", "--workers", "2", "--stop-at-first");
    expect(parallel.stdout).toMatch(/stopped by the first violation/);
    expect(parallel.stdout).toMatch(COUNTEREXAMPLE);
    const walks = await check("endless-slow", "--simulate", "50", "--timeout", "0.5");
    // The time after the timeout goes to replaying the counterexample for the report.
    expect(walks.seconds).toBeLessThan(5);
    expect(walks.stdout).toMatch(/stopped by the timeout: \d+ walks not run/);
  }, 20_000);
});

describe("--stop-at-first", () => {
  it("ends the search at the first violated always property, as TLC does", async () => {
    const result = await check("endless", "--stop-at-first");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^endless: 4 unique states .* INCOMPLETE: stopped by the first violation/);
    expect(result.stdout).toMatch(COUNTEREXAMPLE);
    const walks = await check("endless", "--simulate", "100", "--stop-at-first");
    expect(walks.stdout).toMatch(/1 of 100 walks[\s\S]*stopped by the first violation: 99 walks not run/);
    // Without it, a bounded search goes on past the violation.
    expect((await check("endless", "--max-states", "100")).stdout).toMatch(/^endless: 100 unique states/);
  });

  it("a trace that cannot be written is a line of the report, which still shows the counterexample", async () => {
    const result = await check("undescribed", "--stop-at-first", "--trace-out", join(work, "undescribed"));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {4}always shallow: counterexample in 2 steps\n {6}1\. left\n {6}2\. left/);
    expect(result.stdout).toContain("trace not written: shallow: model undescribed cannot describe its states");
  });

  it("is refused with a usage error when a bound is malformed", async () => {
    for (const bad of ["-3", "abc", "0"]) {
      const result = await runCli("check", "two-phase-commit-3", "--timeout", bad);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`argument '${bad}' is invalid. must be a positive number of seconds`);
    }
  });
});

describe("a check cut short from outside", () => {
  it("the asynchronous searches give the event loop turns, so a timer (or a signal handler) can stop them", async () => {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const request = () => setTimeout(() => Atomics.store(flag, 0, 1), 150);
    request();
    const report = await checkModelAsync(build("endless"), { interrupt: flag });
    expect(report.stoppedBy).toBe("interrupted");
    expect(report.properties[0]).toMatchObject({ id: "shallow", holds: false });
    Atomics.store(flag, 0, 0);
    request();
    const walks = await simulateAsync(build("endless-slow"), { runs: 1000, seed: 0, interrupt: flag });
    expect(walks.stoppedBy).toBe("interrupted");
  });

  it("SIGINT prints the report with the counterexample (exit 130); SIGTERM twice quits at once (143); a small heap stops the search before V8 runs out", async () => {
    const [interrupted, terminated, heap] = await Promise.all([
      spawnCheck([], ["endless"], [{ when: SEARCHING, ms: 300, signal: "SIGINT" }]),
      // Slow steps: the report takes its time (replays), and the second signal, sent once the
      // first is acknowledged, comes before it.
      spawnCheck(
        [],
        ["endless-slow"],
        [
          { when: SEARCHING, ms: 300, signal: "SIGTERM" },
          { when: /SIGTERM: stopping/, ms: 0, signal: "SIGTERM" },
        ],
      ),
      spawnCheck(["--max-old-space-size=64"], ["endless-heavy", "--no-progress"]),
    ]);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stderr).toContain("SIGINT: stopping the searches to report what they found");
    expect(interrupted.stdout).toMatch(/INCOMPLETE: stopped by an interrupt after \d+ unique states/);
    expect(interrupted.stdout).toMatch(COUNTEREXAMPLE);
    expect(terminated.code).toBe(143);
    expect(terminated.stdout).toBe("");
    expect(heap.code).toBe(1);
    expect(heap.stdout).toMatch(/INCOMPLETE: stopped by the heap nearing its limit .*--max-states/);
    expect(heap.stdout).toMatch(COUNTEREXAMPLE);
    expect(heap.stderr).not.toContain("heap out of memory");
  }, 30_000);
});
