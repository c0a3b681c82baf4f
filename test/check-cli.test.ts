/**
 * `walrus-spec check` as CI runs it: search modes, a sharded simulation merged into one verdict,
 * time bounds, reports in text, JSON and JUnit, trace files that replay, progress on stderr,
 * deterministic reports, and a usage error for every malformed option.
 */

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordedStates } from "./support/check-record.js";
import { runCli as run } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "walrus-spec-check-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The JSON report without its timing fields. */
function withoutTiming(text: string): unknown {
  return JSON.parse(text, (key, value) => (key === "timing" ? undefined : value));
}

describe("check: reports", () => {
  it("the same model, options and seed give the same JSON report, timing aside", async () => {
    const args = ["check", "two-phase-commit-3", "quorum-write-4-byzantine", "--format", "json"];
    const [a, b] = [await run(...args), await run(...args)];
    expect(a.code).toBe(0);
    expect(withoutTiming(a.stdout)).toEqual(withoutTiming(b.stdout));
    const report = JSON.parse(a.stdout);
    expect(report.models.map((m: { uniqueStates: number }) => m.uniqueStates)).toEqual(
      await recordedStates("two-phase-commit-3", "quorum-write-4-byzantine"),
    );
    expect(report.models[1].properties.map((p: { kind: string; holds: boolean }) => [p.kind, p.holds])).toEqual([
      ["always", true],
      ["always", true],
      ["eventually", true],
      ["sometimes", true],
    ]);
    const simulation = ["check", "quorum-write-4-crash", "--simulate", "40", "--seed", "9", "--format", "json"];
    expect(withoutTiming((await run(...simulation)).stdout)).toEqual(withoutTiming((await run(...simulation)).stdout));
  }, 60_000);

  it("JUnit: a suite per model, a failing test case with the counterexample", async () => {
    const result = await run("check", "two-phase-commit-3-buggy", "--format", "junit");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="walrus-spec check" tests="3" failures="1">/,
    );
    expect(result.stdout).toMatch(
      /<testcase classname="two-phase-commit-3-buggy" name="always TCConsistent"><failure message="counterexample in 5 steps">/,
    );
    expect(result.stdout).toMatch(/name="sometimes all committed"><\/testcase>/);
  });

  it("--trace-out writes ITF and Mermaid files that replay confirms", async () => {
    const dir = join(work, "traces");
    const result = await run("check", "quorum-write-4-lossy", "--trace-out", dir);
    expect(result.code).toBe(1);
    expect(readdirSync(dir).sort()).toEqual([
      "quorum-write-4-lossy.write-completes.itf.json",
      "quorum-write-4-lossy.write-completes.mmd",
    ]);
    expect(readFileSync(join(dir, "quorum-write-4-lossy.write-completes.mmd"), "utf8")).toMatch(
      /Note over writer: lost: Ack from A3\n {2}Note over writer,A3: violation of the write completes\n$/,
    );
    const replay = await run("replay", join(dir, "quorum-write-4-lossy.write-completes.itf.json"));
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(/violation of the write completes confirmed at step 8/);
  });
});

describe("check: bounds and progress", () => {
  it("--timeout stops a search cleanly: exit code 2 and the coverage reached", async () => {
    const result = await run("check", "two-phase-commit-7", "--timeout", "0.5");
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/INCOMPLETE: stopped by --timeout after \d+ unique states, depth \d+/);
    expect(result.stdout).toMatch(/models: 0 passed, 0 failed, 1 incomplete/);
  });

  it("progress on stderr: states, unique, depth, queue, states/s, elapsed (plain lines in CI)", async () => {
    // Progress comes after a quarter of a second of search: a time bound makes sure of it.
    const result = await run("check", "two-phase-commit-7", "--timeout", "0.6");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /two-phase-commit-7: \d+ states, \d+ unique, depth \d+, queue \d+, \d+k? states\/s, \d+\.\d s\n/,
    );
    expect((await run("check", "two-phase-commit-7", "--timeout", "0.6", "--no-progress")).stderr).toBe("");
  });

  it("--no-reduction explores every interleaving", async () => {
    const json = async (...extra: string[]) =>
      JSON.parse((await run("check", "quorum-write-10", "--max-states", "3000", "--format", "json", ...extra)).stdout);
    const [reduced, plain] = [await json(), await json("--no-reduction")];
    const [recorded] = await recordedStates("quorum-write-10");
    expect(recorded).toBeLessThan(3000);
    expect(reduced.models[0]).toMatchObject({
      uniqueStates: recorded,
      complete: true,
      reduction: { partialOrder: true },
    });
    expect(plain.models[0]).toMatchObject({ uniqueStates: 3000, complete: false, stoppedBy: "maxStates" });
    expect(plain.models[0].reduction).toEqual({ partialOrder: false, symmetry: false, cycleProviso: false });
  });
});

describe("check: a simulation swarm", () => {
  it("shards of a seeded simulation merge into the verdict of one unsharded run", async () => {
    const base = ["check", "quorum-write-4-two-byzantine", "--simulate", "30", "--seed", "5", "--format", "json"];
    const files: string[] = [];
    for (const i of [1, 2, 3]) {
      const result = await run(...base, "--shard", `${i}/3`);
      expect(result.code).toBe(1);
      const file = join(work, `shard-${i}.json`);
      writeFileSync(file, result.stdout);
      files.push(file);
    }
    const merged = await run("merge", "--format", "json", ...files);
    expect(merged.code).toBe(1);
    const whole = JSON.parse((await run(...base)).stdout).simulations[0];
    const swarm = JSON.parse(merged.stdout);
    expect(swarm.steps).toBe(whole.steps);
    expect(swarm.properties).toEqual(whole.properties);
    expect(swarm.missingShards).toEqual([]);
    const text = await run("check", "quorum-write-4-two-byzantine", "--simulate", "30", "--seed", "5");
    expect(text.stdout).toMatch(/FAIL {8}always quorum intersection.*: violated in walk \d+ after \d+ steps/);
  }, 60_000);
});

describe("check: usage errors", () => {
  it.each([
    [["--shard", "1/3"], /--shard splits a simulation: give --simulate N too/],
    [["--simulate", "5", "--shard", "4/3"], /--shard: /],
    [["--simulate", "5", "--dfs"], /choose one search: --bfs, --dfs or --simulate N/],
    [["--simulate", "0"], /must be a positive integer/],
    [["--seed", "-1"], /must be an integer in 0\.\.4294967295/],
    [["--timeout", "0"], /must be a positive number of seconds/],
    [["--format", "xml"], /must be text, json or junit/],
    [["--max-states", "1e3"], /must be a positive integer/],
  ])("%j", async (args, message) => {
    const result = await run("check", "two-phase-commit-3", ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe("");
  });
});
