/**
 * The parallel breadth-first search explores exactly what the one-thread search does: the same
 * counts, the same verdicts, counterexamples and witnesses of the same (shortest) length; and it
 * refuses, with a typed error, a model whose states cannot travel between workers. The workers
 * build TwoPhase.tla from a factory that loads nothing else (test/support/two-phase-models.ts);
 * the command line's `--workers` goes through the catalogue's.
 */

import { describe, expect, it } from "vitest";
import { ModelError } from "../checker/errors.js";
import { checkModelParallel } from "../checker/parallel.js";
import { checkModel } from "../checker/search.js";
import type { Fingerprint, Model } from "../checker/model.js";
import { twoPhaseCommit } from "../models/examples/two-phase-commit.js";
import { twoPhaseCommitActors } from "../models/examples/two-phase-commit-actors.js";
import { runCli } from "./support/cli.js";
import { TWO_PHASE_MODELS, buildModel } from "./support/two-phase-models.js";

const factory = (name: string) => ({ module: TWO_PHASE_MODELS, name });

describe("parallel breadth-first search", () => {
  it.each([
    ["two-phase-commit-plain-6", 50_816],
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

  it("paths come from the workers' parent links: each step is a transition, the last state violates", async () => {
    const model = buildModel("two-phase-commit-3-buggy");
    const report = await checkModelParallel(model, factory("two-phase-commit-3-buggy"), { workers: 3 });
    const result = report.properties[0];
    if (result.kind !== "always" || result.holds) throw new Error("TCConsistent should fail");
    const { init, steps } = result.counterexample;
    expect(steps).toHaveLength(5);
    const fp = (state: unknown) => {
      const out: Fingerprint = { hi: 0, lo: 0 };
      model.fingerprint(state, out);
      return `${out.hi >>> 0}:${out.lo >>> 0}`;
    };
    let state = init;
    for (const step of steps) {
      expect(fp(model.nextState(state, step.action))).toBe(fp(step.state));
      state = step.state;
    }
    expect(model.properties[0].holds(state)).toBe(false);
    // Again and again: the same path, whatever the timing of the threads.
    for (let run = 0; run < 4; run++) {
      const again = await checkModelParallel(model, factory("two-phase-commit-3-buggy"), { workers: 3 });
      expect(again.properties[0]).toEqual(result);
    }
  }, 60_000);

  it("portable states: decode(encode(s)) is s for every reachable state", () => {
    const model = twoPhaseCommit(17);
    const portable = model.portable;
    if (portable === undefined) throw new Error("two-phase commit has portable states");
    expect(portable.words).toBe(5);
    const seen = [model.initStates()[0]];
    const actions: (typeof model extends { actions(s: unknown, out: (infer A)[]): void } ? A : never)[] = [];
    for (let i = 0; i < seen.length && seen.length < 5_000; i++) {
      actions.length = 0;
      model.actions(seen[i], actions);
      for (const action of actions) {
        const next = model.nextState(seen[i], action);
        if (next !== undefined) seen.push(next);
      }
    }
    const words = new Int32Array(portable.words + 2);
    for (const state of seen) {
      portable.encode(state, words, 2);
      expect(portable.decode(words, 2)).toEqual(state);
    }
  });

  it("a worker that cannot build the model fails the search with its reason, without hanging", async () => {
    const model = buildModel("two-phase-commit-plain-6");
    await expect(checkModelParallel(model, factory("no-such-model"), { workers: 2 })).rejects.toThrow(
      /worker failed.*unknown model no-such-model/s,
    );
    await expect(checkModelParallel(model, factory("two-phase-commit-plain-6"), { workers: 1 })).rejects.toThrow(
      ModelError,
    );
  }, 60_000);

  it("refuses an actor model (its interned states are not portable) with a ModelError", async () => {
    const model = twoPhaseCommitActors(3) as unknown as Model<unknown, unknown>;
    await expect(checkModelParallel(model, factory("two-phase-commit-3"), { workers: 2 })).rejects.toThrow(ModelError);
    await expect(checkModelParallel(model, factory("two-phase-commit-3"), { workers: 2 })).rejects.toThrow(
      /cannot be searched in parallel/,
    );
  });

  it("stops at a depth bound like the one-thread search", async () => {
    const model = buildModel("two-phase-commit-plain-6");
    const report = await checkModelParallel(model, factory("two-phase-commit-plain-6"), { workers: 2, maxDepth: 5 });
    expect(report.complete).toBe(false);
    expect(report.stoppedBy).toBe("maxDepth");
    expect(report.uniqueStates).toBe(checkModel(model, { maxDepth: 5 }).uniqueStates);
  });

  it("the command line: --workers 2, and usage errors", async () => {
    const result = await runCli("check", "two-phase-commit-3-buggy", "--workers", "2");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/498 unique states .* complete/);
    expect(result.stdout).toMatch(/FAIL {4}always TCConsistent: counterexample in 5 steps/);
    // The JSON report, counterexample included, is the same from run to run (timing aside).
    const json = async () =>
      JSON.parse(
        (await runCli("check", "two-phase-commit-3-buggy", "--workers", "2", "--format", "json")).stdout,
        (key, value) => (key === "timing" ? undefined : value),
      );
    expect(await json()).toEqual(await json());
    const actors = await runCli("check", "two-phase-commit-3", "--workers", "2");
    expect(actors.code).toBe(2);
    expect(actors.stderr).toMatch(/cannot be searched in parallel/);
    expect((await runCli("check", "two-phase-commit-3", "--workers", "2", "--dfs")).stderr).toMatch(
      /--workers applies to breadth-first search only/,
    );
  }, 60_000);
});
