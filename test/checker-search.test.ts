/**
 * The breadth-first checker against known answers: two-phase commit modelled exactly as
 * TwoPhase.tla has the state counts TLC and Stateright report; a seeded bug gives its shortest
 * counterexample; a witness that is never reached is reported as vacuous; bounds stop cleanly.
 */

import { describe, expect, it } from "vitest";
import { checkModel } from "../checker/search.js";
import { collisionProbability } from "../checker/fingerprint.js";
import type { Model } from "../checker/model.js";
import {
  RM_ABORTED,
  RM_COMMITTED,
  TM_ABORTED,
  type TwoPhaseState,
  twoPhaseCommit,
} from "../models/examples/two-phase-commit.js";

describe("two-phase commit (TwoPhase.tla)", () => {
  it.each([
    [3, 288],
    [5, 8_832],
    [7, 296_448],
  ])(
    "%i RMs: %i unique states, as TLC and Stateright count",
    (rms, states) => {
      const report = checkModel(twoPhaseCommit(rms));
      expect(report.uniqueStates).toBe(states);
      expect(report.complete).toBe(true);
      expect(report.properties.map((p) => [p.name, p.holds])).toEqual([
        ["TCConsistent", true],
        ["all committed", true],
        ["all aborted", true],
      ]);
    },
    30_000,
  );

  it("pins the witnesses: the shortest path to all RMs committed", () => {
    const report = checkModel(twoPhaseCommit(3));
    const witness = report.properties.find((p) => p.name === "all committed");
    if (witness?.kind !== "sometimes" || !witness.holds) throw new Error("no witness");
    const model = twoPhaseCommit(3);
    expect(witness.witness.steps.map((s) => model.formatAction?.(s.action))).toEqual([
      "RMPrepare(rm0)",
      "TMRcvPrepared(rm0)",
      "RMPrepare(rm1)",
      "TMRcvPrepared(rm1)",
      "RMPrepare(rm2)",
      "TMRcvPrepared(rm2)",
      "TMCommit",
      "RMRcvCommitMsg(rm0)",
      "RMRcvCommitMsg(rm1)",
      "RMRcvCommitMsg(rm2)",
    ]);
  });

  it("finds the seeded commit-early bug with its exact shortest counterexample", () => {
    const model = twoPhaseCommit(3, { commitEarly: true });
    const report = checkModel(model);
    const consistent = report.properties[0];
    expect(consistent.kind === "always" && !consistent.holds).toBe(true);
    if (consistent.kind !== "always" || consistent.holds) return;
    const steps = consistent.counterexample.steps;
    expect(steps.map((s) => model.formatAction?.(s.action))).toEqual([
      "RMPrepare(rm0)",
      "TMRcvPrepared(rm0)",
      "TMCommit",
      "RMRcvCommitMsg(rm0)",
      "RMChooseToAbort(rm1)",
    ]);
    const last = steps[steps.length - 1].state;
    expect(last.rmState).toContain(RM_COMMITTED);
  });

  it("is deterministic: the same counts and paths on every run", () => {
    const a = checkModel(twoPhaseCommit(4, { commitEarly: true }));
    const b = checkModel(twoPhaseCommit(4, { commitEarly: true }));
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe("depth-first search", () => {
  it.each([
    [3, 288],
    [5, 8_832],
  ])("%i RMs: the same %i unique states and verdicts as breadth-first", (rms, states) => {
    const dfs = checkModel(twoPhaseCommit(rms), { strategy: "dfs" });
    const bfs = checkModel(twoPhaseCommit(rms));
    expect(dfs.uniqueStates).toBe(states);
    expect(dfs.complete).toBe(true);
    expect(dfs.properties.map((p) => p.holds)).toEqual(bfs.properties.map((p) => p.holds));
  });

  it("finds the seeded bug with a counterexample that replays to a violation", () => {
    const model = twoPhaseCommit(3, { commitEarly: true });
    const [consistent] = checkModel(model, { strategy: "dfs" }).properties;
    if (consistent.kind !== "always" || consistent.holds) throw new Error("expected a violation");
    let state = consistent.counterexample.init;
    for (const step of consistent.counterexample.steps) {
      const enabled: unknown[] = [];
      model.actions(state, enabled as never[]);
      expect(enabled).toContainEqual(step.action);
      state = model.nextState(state, step.action) ?? state;
      expect(state).toEqual(step.state);
    }
    expect(state.rmState).toContain(RM_COMMITTED);
    expect(state.rmState).toContain(RM_ABORTED);
  });
});

describe("checker behaviour", () => {
  it("reports a witness that is never reached as vacuous", () => {
    const base = twoPhaseCommit(3);
    const model: Model<TwoPhaseState, unknown> = {
      ...base,
      properties: [
        {
          kind: "sometimes",
          name: "TM aborted and an RM committed",
          holds: (s) => s.tmState === TM_ABORTED && s.rmState.includes(RM_COMMITTED),
        },
      ],
    } as Model<TwoPhaseState, unknown>;
    const [result] = checkModel(model).properties;
    expect(result).toEqual({ name: "TM aborted and an RM committed", kind: "sometimes", holds: false, vacuous: true });
  });

  it("stops cleanly at a state bound or a depth bound and says so", () => {
    const byStates = checkModel(twoPhaseCommit(5), { maxStates: 1000 });
    expect(byStates).toMatchObject({ uniqueStates: 1000, complete: false, stoppedBy: "maxStates" });
    const byDepth = checkModel(twoPhaseCommit(5), { maxDepth: 3 });
    expect(byDepth).toMatchObject({ complete: false, stoppedBy: "maxDepth", maxDepth: 3 });
    expect(byDepth.uniqueStates).toBeLessThan(8_832);
  });

  it("estimates the fingerprint collision probability as n²/2^65", () => {
    expect(collisionProbability(296_448)).toBeCloseTo(296_448 ** 2 / 2 ** 65, 20);
    expect(collisionProbability(2 ** 40)).toBe(1);
  });
});
