/**
 * The parallel breadth-first search explores exactly what the one-thread search does: the same
 * counts, the same verdicts, counterexamples and witnesses of the same (shortest) length; and it
 * refuses, with a typed error, a model whose states cannot travel between workers.
 */

import { describe, expect, it } from "vitest";
import { ModelError } from "../checker/errors.js";
import { checkModelParallel } from "../checker/parallel.js";
import { checkModel } from "../checker/search.js";
import { buildModel } from "../models/index.js";
import { runCli } from "./support/cli.js";

const factory = (name: string) => ({ module: new URL("../models/index.ts", import.meta.url).href, name });

describe("parallel breadth-first search", () => {
  it.each([
    ["two-phase-commit-plain-7", 296_448],
    ["two-phase-commit-3-buggy", 498],
  ])(
    "%s: the one-thread search's counts, verdicts and path lengths",
    async (name, states) => {
      const model = buildModel(name);
      const [one, two] = [checkModel(model), await checkModelParallel(model, factory(name), { workers: 2 })];
      expect(two.uniqueStates).toBe(states);
      expect([two.uniqueStates, two.generatedStates, two.maxDepth, two.complete]).toEqual([
        one.uniqueStates,
        one.generatedStates,
        one.maxDepth,
        one.complete,
      ]);
      const lengths = (report: typeof one) =>
        report.properties.map((p) => [
          p.name,
          p.holds,
          "counterexample" in p ? p.counterexample.steps.length : "witness" in p ? p.witness.steps.length : null,
        ]);
      expect(lengths(two)).toEqual(lengths(one));
    },
    60_000,
  );

  it("refuses an actor model (its interned states are not portable) with a ModelError", async () => {
    const model = buildModel("two-phase-commit-3");
    await expect(checkModelParallel(model, factory("two-phase-commit-3"), { workers: 2 })).rejects.toThrow(ModelError);
    await expect(checkModelParallel(model, factory("two-phase-commit-3"), { workers: 2 })).rejects.toThrow(
      /cannot be searched in parallel/,
    );
  });

  it("stops at a depth bound like the one-thread search", async () => {
    const model = buildModel("two-phase-commit-plain-7");
    const report = await checkModelParallel(model, factory("two-phase-commit-plain-7"), { workers: 2, maxDepth: 5 });
    expect(report.complete).toBe(false);
    expect(report.stoppedBy).toBe("maxDepth");
    expect(report.uniqueStates).toBe(checkModel(model, { maxDepth: 5 }).uniqueStates);
  });

  it("the command line: --workers 2, and usage errors", () => {
    const result = runCli("check", "two-phase-commit-3-buggy", "--workers", "2");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/498 unique states .* complete/);
    expect(result.stdout).toMatch(/FAIL {4}always TCConsistent: counterexample in 5 steps/);
    const actors = runCli("check", "two-phase-commit-3", "--workers", "2");
    expect(actors.code).toBe(2);
    expect(actors.stderr).toMatch(/cannot be searched in parallel/);
    expect(runCli("check", "two-phase-commit-3", "--workers", "2", "--dfs").stderr).toMatch(
      /--workers applies to breadth-first search only/,
    );
  }, 60_000);
});
