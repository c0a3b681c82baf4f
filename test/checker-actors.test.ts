/**
 * Actor systems of xstate machines: two-phase commit written as xstate machines explores exactly
 * TwoPhase.tla's state space, and the memoised local transitions equal xstate's own `transition()`.
 */

import { setup, transition } from "xstate";
import { describe, expect, it } from "vitest";
import { forEachReachableStep } from "./support/reachable.js";
import { ActorModel } from "../checker/actors.js";
import type { Model } from "../checker/model.js";
import { type SearchReport, checkModel } from "../checker/search.js";
import { buildModel } from "../models/load.js";
import { twoPhaseCommitActors } from "../models/examples/two-phase-commit-actors.js";

describe("two-phase commit as xstate machines", () => {
  // 7 RMs (two-phase-commit-7: 296 448 states from 2 404 xstate transitions) belongs to the long check.
  it.each([
    [3, 288, 124],
    [5, 8_832, 520],
  ])(
    "%i RMs: %i unique states, as TwoPhase.tla, from %i xstate transitions",
    (rms, states, computed) => {
      const model = twoPhaseCommitActors(rms);
      const report = checkModel(model);
      expect(report.uniqueStates).toBe(states);
      expect(report.properties.map((p) => p.holds)).toEqual([true, true, true]);
      // Each local transition is computed by xstate once; every other step comes from the memo.
      expect(model.transitionsComputed).toBe(computed);
    },
    60_000,
  );

  it("memoised steps equal xstate's public transition() on every reachable state of 3 RMs", () => {
    const model = twoPhaseCommitActors(3);
    let compared = 0;
    const reached = forEachReachableStep(model, (state, action, next) => {
      const before = model.view(state);
      // Recompute the step with xstate directly, from the snapshot, without the memo.
      if (action.kind !== "internal" && action.kind !== "deliver") throw new Error(`unexpected ${action.kind}`);
      const delivered = action.kind === "deliver" ? before.messages[action.at - 4] : undefined;
      const actor = action.kind === "internal" ? action.actor : delivered?.to;
      if (actor === undefined) throw new Error("no recipient");
      const event = action.kind === "internal" ? { type: model.formatAction(action).split(": ")[1] } : delivered?.event;
      const machine = actor === 0 ? "TM" : "RM";
      const [direct] = transition(before.actors[actor].machine, before.actors[actor], event as never);
      const after = next === undefined ? before : model.view(next);
      expect([machine, after.actors[actor].value, after.actors[actor].context]).toEqual([
        machine,
        direct.value,
        direct.context,
      ]);
      compared++;
    });
    expect(reached).toBe(288);
    expect(compared).toBeGreaterThan(500);
  });
});

describe("successors in scratch words (Model.transient)", () => {
  /** The model as it would be without scratch words: every successor a new state. */
  const withoutScratch = <S, A>(model: Model<S, A>): Model<S, A> => {
    const plain = Object.create(model) as Model<S, A>;
    Object.defineProperty(plain, "transient", { value: undefined });
    return plain;
  };
  const seen = <S, A>(model: Model<S, A>, report: SearchReport<S, A>) =>
    report.properties.map((result) => {
      const path =
        "counterexample" in result ? result.counterexample : "witness" in result ? result.witness : undefined;
      return [result.id, result.holds, path?.steps.map((step) => model.describe?.(step.state))];
    });

  it.each([
    ["write-read-4-f-plus-1-invalidation", false],
    ["write-read-4-f-plus-1", true],
  ])(
    "%s (reduction %s): the same counts, verdicts and paths, eventually properties included, as with a new state each",
    async (name, reduction) => {
      const model = await buildModel(name, { reduction });
      expect(model.transient).toBeDefined();
      const scratch = checkModel(model, { reduction });
      const plain = withoutScratch(await buildModel(name, { reduction }));
      const fresh = checkModel(plain, { reduction });
      expect([scratch.uniqueStates, scratch.generatedStates, scratch.maxDepth]).toEqual([
        fresh.uniqueStates,
        fresh.generatedStates,
        fresh.maxDepth,
      ]);
      expect(seen(model, scratch)).toEqual(seen(plain, fresh));
      // Not vacuous: something fails, eventually properties included.
      expect(scratch.properties.some((p) => p.kind === "eventually" && !p.holds)).toBe(true);
    },
    60_000,
  );

  it("a property asked of a successor in scratch words sees that successor, not the one the words held before", () => {
    // From its start T goes to `good` or to `bad` on its own, and stops: the two successors have the
    // same length, so they take the same scratch words in turn. Eventually `good` fails (T may stop
    // in `bad`); a view cached for the words' first content would say it holds.
    const toggle = setup({ types: { events: {} as { type: "a" } | { type: "b" } } }).createMachine({
      initial: "start",
      states: { start: { on: { a: "good", b: "bad" } }, good: { type: "final" }, bad: { type: "final" } },
    });
    const model = new ActorModel({
      name: "fork",
      actors: [{ name: "T", machine: toggle, internalEvents: [{ type: "a" }, { type: "b" }] }],
      properties: [
        {
          id: "good",
          name: "T ends good",
          kind: "eventually",
          reads: ["T"],
          holds: (view) => view.actors[0].value === "good",
        },
      ],
    });
    const result = checkModel(model).properties[0];
    expect(result.holds).toBe(false);
    expect(result.kind === "eventually" && !result.holds && result.counterexample.steps.length).toBe(1);
  });
});
