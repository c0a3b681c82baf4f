/**
 * Actor systems of xstate machines: two-phase commit written as xstate machines explores exactly
 * TwoPhase.tla's state space, and the memoised local transitions equal xstate's own `transition()`.
 */

import { transition } from "xstate";
import { describe, expect, it } from "vitest";
import { forEachReachableStep } from "./support/reachable.js";
import { checkModel } from "../checker/search.js";
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
