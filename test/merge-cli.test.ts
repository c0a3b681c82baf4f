/**
 * `walrus-spec merge` as a CI job runs it: shard reports written to files, one verdict on stdout,
 * and the exit code (0 no violation, 1 a violation, 2 unusable input or missing shards).
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./support/cli.js";
import { afterAll, describe, expect, it } from "vitest";
import type { Model } from "../checker/model.js";
import { type SimulationOptions, simulate } from "../checker/simulate.js";
import { mergeSimulationReports } from "../checker/swarm.js";
import { twoPhaseCommit } from "../models/examples/two-phase-commit.js";

const work = mkdtempSync(join(tmpdir(), "walrus-spec-merge-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = runCli;

/** Writes the reports of a 3-shard swarm; returns their files. */
function swarm<S, A>(name: string, model: Model<S, A>, options: SimulationOptions): string[] {
  return [0, 1, 2].map((index) => {
    const file = join(work, `${name}-${index + 1}.json`);
    writeFileSync(file, JSON.stringify(simulate(model, { ...options, shard: { index, count: 3 } })));
    return file;
  });
}

const options = { runs: 90, seed: 17, maxDepth: 40 };
const correct = swarm("correct", twoPhaseCommit(3), options);
const buggyModel = twoPhaseCommit(3, { commitEarly: true });
const buggy = swarm("buggy", buggyModel, options);

describe("walrus-spec merge", () => {
  it("exits 0 when no walk of any shard violates an invariant", async () => {
    const result = await run("merge", ...correct);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^two-phase-commit\(3\): simulation \(seed 17, swarm of 3 shards\): 90 of 90 walks/);
    expect(result.stdout).toMatch(/ok {10}always TCConsistent: no violation in 90 walks/);
    expect(result.stdout).toMatch(/ok {10}sometimes all aborted: reached in walk \d+/);
  });

  it("exits 1 on a violation and prints the unsharded run's counterexample, numbered", async () => {
    const result = await run("merge", ...buggy);
    expect(result.code).toBe(1);
    const [consistent] = simulate(buggyModel, options).properties;
    if (consistent.kind !== "always" || consistent.holds) throw new Error("expected a violation");
    const numbered = consistent.labels.map((label, i) => `      ${i + 1}. ${label}`).join("\n");
    expect(result.stdout).toContain(
      `FAIL        always TCConsistent: violated in walk ${consistent.walk} after ${consistent.labels.length} steps\n${numbered}\n`,
    );
  });

  it("prints the merged report as JSON with --format json", async () => {
    const result = await run("merge", "--format", "json", ...buggy);
    expect(result.code).toBe(1);
    const shards = buggy.map((_, index) => simulate(buggyModel, { ...options, shard: { index, count: 3 } }));
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(mergeSimulationReports(shards, buggy))));
  });

  it("exits 2 and names the missing shards, after printing what it has", async () => {
    const result = await run("merge", correct[0], correct[2]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/MISSING shards 2\/3/);
    expect(result.stderr).toBe("walrus-spec: the swarm is incomplete: two-phase-commit(3): no report of shard 2/3\n");
  });

  it("exits 2 on unusable input: a missing file, bad JSON, a report of another swarm, a repeated shard", async () => {
    const notJson = join(work, "not.json");
    writeFileSync(notJson, "{ not json");
    const notReport = join(work, "search.json");
    writeFileSync(notReport, JSON.stringify({ model: "two-phase-commit-3", uniqueStates: 288 }));
    const cases: Array<[string[], RegExp]> = [
      [[join(work, "absent.json")], /cannot read .*absent\.json/],
      [[notJson], /not\.json is not JSON/],
      [[notReport], /search\.json\.kind: must be "simulation"/],
      [[correct[0], buggy[1]], /buggy-2\.json is not from the same swarm as .*correct-1\.json: model/],
      [[correct[0], correct[0]], /are both shard 1\/3/],
      [["--format", "xml", correct[0]], /must be text or json/],
      [[], /missing required argument/],
    ];
    for (const [args, message] of cases) {
      const result = await run("merge", ...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stdout).toBe("");
    }
  }, 60_000);
});
