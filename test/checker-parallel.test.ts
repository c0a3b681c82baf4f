/**
 * The parallel breadth-first search explores exactly what the one-thread search does: the same
 * counts, the same verdicts, counterexamples and witnesses of the same (shortest) length; and it
 * refuses, with a typed error, a model whose states cannot travel between workers. The workers
 * build TwoPhase.tla from a factory that loads nothing else (test/support/two-phase-models.ts);
 * the command line's `--workers` goes through the catalogue's.
 */

import { describe, expect, it } from "vitest";
import { MAX_SHARED_IDS, STEP, SharedIds } from "../checker/actors/shared-ids.js";
import { ModelError } from "../checker/errors.js";
import { checkModelParallel } from "../checker/parallel.js";
import { type SearchReport, checkModel } from "../checker/search.js";
import type { Fingerprint } from "../checker/model.js";
import { twoPhaseCommit } from "../models/examples/two-phase-commit.js";
import { buildModel as buildFromCatalogue } from "../models/load.js";
import { runCli } from "./support/cli.js";
import { TWO_PHASE_MODELS, buildModel } from "./support/two-phase-models.js";
import { echoModel } from "./support/echo-model.js";

const factory = (name: string) => ({ module: TWO_PHASE_MODELS, name });
/** The catalogue's factory, as `walrus-spec check --workers` gives it to the workers. */
const CATALOGUE = new URL("../models/load.ts", import.meta.url).href;
const buildCatalogued = (name: string) => buildFromCatalogue(name, { reduction: false });

const verdicts = (report: SearchReport<unknown, unknown>) =>
  report.properties.map((p) => [
    p.name,
    p.holds,
    "counterexample" in p ? p.counterexample.steps.length : "witness" in p ? p.witness.steps.length : null,
  ]);

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
      expect(verdicts(two)).toEqual(verdicts(one));
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
    // Again: the same path, whatever the timing of the threads.
    const again = await checkModelParallel(model, factory("two-phase-commit-3-buggy"), { workers: 3 });
    expect(again.properties[0]).toEqual(result);
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

  it.each([
    "write-read-4-f-plus-1-invalidation",
    "self-healing-4",
  ])("actor model %s (unreduced): the one-thread search's counts, verdicts and path lengths, paths that replay", async (name) => {
    // write-read-4-f-plus-1-invalidation fails always and eventually properties and has witnesses;
    // self-healing-4's nodes recover slivers, bytes that a worker has only by redoing the
    // transition that computed them.
    const [model, other] = [await buildCatalogued(name), await buildCatalogued(name)];
    const one = checkModel(model, { reduction: false });
    const two = await checkModelParallel(
      other,
      { module: CATALOGUE, name, options: { reduction: false } },
      { workers: 2 },
    );
    expect([two.uniqueStates, two.generatedStates, two.maxDepth, two.complete]).toEqual([
      one.uniqueStates,
      one.generatedStates,
      one.maxDepth,
      one.complete,
    ]);
    // An eventually property's counterexample is the first a depth-first search meets, in an order of
    // actions that follows the ids the threads gave: its verdict is the same, its path may differ.
    const shortest = (report: SearchReport<unknown, unknown>) =>
      verdicts(report).map(([name, holds, length], p) => [
        name,
        holds,
        report.properties[p].kind === "eventually" ? null : length,
      ]);
    expect(shortest(two)).toEqual(shortest(one));
    for (const result of two.properties) {
      const path =
        "counterexample" in result ? result.counterexample : "witness" in result ? result.witness : undefined;
      if (path === undefined) continue;
      // Replayed, action by action as a reader names them, in a model that has never searched (its
      // ids in another order): the same states as a reader sees them.
      const fresh = await buildCatalogued(name);
      let state = fresh.initStates()[0];
      expect(fresh.describe?.(state)).toEqual(other.describe?.(path.init));
      for (const step of path.steps) {
        const actions: unknown[] = [];
        fresh.actions(state, actions);
        const named = actions.find((a) => fresh.formatAction?.(a) === other.formatAction?.(step.action));
        state = fresh.nextState(state, named);
        expect(fresh.describe?.(state)).toEqual(other.describe?.(step.state));
      }
    }
  }, 60_000);

  it("refuses an actor model whose Byzantine menu is computed from the state (its messages come from no step)", async () => {
    const model = echoModel();
    expect(model.shared).toBeUndefined();
    await expect(checkModelParallel(model, factory("echo"), { workers: 2 })).rejects.toThrow(
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
    expect((await runCli("check", "two-phase-commit-3", "--workers", "2", "--dfs")).stderr).toMatch(
      /--workers applies to breadth-first search only/,
    );
  }, 60_000);
});

describe("ids shared between the threads of a search", () => {
  it("one content, one id, whichever table meets it first; its derivation kept; out of ids, an answer rather than a hang", () => {
    const a = new SharedIds();
    const b = new SharedIds(a.buffers);
    const key = (n: number) => ({ hi: Math.imul(n, 0x9e3779b1), lo: Math.imul(n, 0x85ebca6b) });
    expect(a.intern(key(1), [STEP, 3, 4])).toBe(0);
    expect(a.made).toBe(true);
    expect(b.intern(key(2), [STEP, 0, -1])).toBe(1);
    expect(b.intern(key(1), [STEP, 9, 9])).toBe(0);
    expect(b.made).toBe(false);
    expect(b.derivation(0)).toEqual([STEP, 3, 4]);
    for (let n = 3; b.size < MAX_SHARED_IDS; n++) b.intern(key(n), [STEP, 0, 0]);
    expect(a.intern(key(0), [STEP, 0, 0])).toBeUndefined();
    expect(b.intern(key(0), [STEP, 0, 0])).toBeUndefined();
    expect(a.intern(key(2), [STEP, 0, 0])).toBe(1);
  });

  it("a model joins only the tables of a model built alike", async () => {
    const tables = (await buildCatalogued("self-healing-4")).shared?.share();
    const other = await buildCatalogued("write-4-f-plus-1");
    expect(() => other.shared?.join(tables)).toThrow(ModelError);
  });

  it("ids another thread made are made here by redoing their steps: every state reads the same in both models", async () => {
    const [a, b] = [await buildCatalogued("self-healing-4"), await buildCatalogued("self-healing-4")];
    const [sharing, joining] = [a.shared, b.shared];
    if (sharing === undefined || joining === undefined) throw new Error("actor models share their tables");
    joining.join(sharing.share());
    // Every state of a's search, written as words and read by b, which has made none of its ids.
    const seen = a.initStates();
    const actions: unknown[] = [];
    for (let i = 0; i < seen.length; i++) {
      actions.length = 0;
      a.actions(seen[i], actions);
      for (const action of actions) {
        const next = a.nextState(seen[i], action);
        if (next !== undefined && seen.length < 2_000) seen.push(next);
      }
    }
    const words = new Int32Array(64);
    for (const state of seen) {
      const length = sharing.words.length(state);
      sharing.words.encode(state, words, 0);
      expect(b.describe?.(joining.words.decode(words, 0, length))).toEqual(a.describe?.(state));
    }
  });
});
