/**
 * `eventually` properties: a behaviour that stops in a quiescent state without the goal, or
 * cycles without it, is a violation (reported as a path or a lasso); cycles after the goal are
 * not; and a lasso written as an ITF trace replays.
 */

import { describe, expect, it } from "vitest";
import { fingerprintWords } from "../checker/fingerprint.js";
import { checkEventually } from "../checker/liveness.js";
import type { Fingerprint, Model } from "../checker/model.js";
import { checkModel } from "../checker/search.js";
import { replayTrace, toItf } from "../checker/trace.js";
import { findModel } from "../models/index.js";

/**
 * A counter that steps 0 → 1 → … and wraps from `wrapAt` back to `wrapTo`, with an optional exit
 * from `exitFrom` to the goal state 100 (which is quiescent).
 */
function counter(options: { wrapAt: number; wrapTo: number; exitFrom?: number }): Model<number, string> {
  return {
    name: "counter",
    initStates: () => [0],
    actions: (_state, out) => {
      out.push("step");
      if (options.exitFrom !== undefined) out.push("exit");
    },
    nextState: (state, action) => {
      if (state === 100) return undefined;
      if (action === "exit") return state === options.exitFrom ? 100 : undefined;
      return state === options.wrapAt ? options.wrapTo : state + 1;
    },
    fingerprint: (state: number, out: Fingerprint) => fingerprintWords([state], 1, out),
    describe: (state) => ({ count: state }),
    properties: [{ kind: "eventually", id: "reaches-100", name: "reaches 100", holds: (state) => state === 100 }],
  };
}

describe("eventually", () => {
  it("a cycle that avoids the goal is a lasso: 0 → 1 → 2 → 3 → 1", () => {
    const result = checkEventually(counter({ wrapAt: 3, wrapTo: 1 }), (state) => state === 100);
    if (result.holds) throw new Error("expected a lasso");
    expect(result.violation).toBe("lasso");
    expect([result.path.init, ...result.path.steps.map((step) => step.state)]).toEqual([0, 1, 2, 3, 1]);
    expect(result.loopStart).toBe(1);
  });

  it("a cycle with an exit is still a lasso (no fairness is assumed)", () => {
    const [property] = checkModel(counter({ wrapAt: 3, wrapTo: 0, exitFrom: 2 })).properties;
    expect(property).toMatchObject({ kind: "eventually", holds: false, violation: "lasso", loopStart: 0 });
  });

  it("holds when every behaviour reaches the goal, and cycles after it do not count", () => {
    const model: Model<number, string> = {
      ...counter({ wrapAt: 3, wrapTo: 0 }),
      nextState: (state) => (state === 2 ? 100 : state === 100 ? 101 : state === 101 ? 100 : state + 1),
    };
    expect(checkEventually(model, (state) => state === 100)).toEqual({ holds: true, complete: true, states: 3 });
  });

  it("a quiescent state without the goal: the lossy write", () => {
    const entry = findModel("quorum-write-4-lossy");
    const report = checkModel(entry?.build() as Model<unknown, unknown>);
    const eventually = report.properties.find((p) => p.kind === "eventually");
    expect(eventually).toMatchObject({ name: "the write completes", holds: false, violation: "quiescent" });
    if (eventually?.kind !== "eventually" || eventually.holds) throw new Error("expected a violation");
    expect(eventually.counterexample.steps.length).toBe(8);
  });

  it("a depth bound makes the answer incomplete, not wrong", () => {
    const result = checkEventually(counter({ wrapAt: 50, wrapTo: 0, exitFrom: 49 }), (s) => s === 100, {
      maxDepth: 10,
    });
    expect(result).toEqual({ holds: true, complete: false, states: 11 });
  });

  it("a lasso written as ITF records its loop and replays; a broken loop does not", () => {
    const model = counter({ wrapAt: 3, wrapTo: 1 });
    const result = checkEventually(model, (state) => state === 100);
    if (result.holds) throw new Error("expected a lasso");
    const itf = toItf(model, result.path, {
      model: "counter",
      property: "reaches-100",
      kind: "eventually",
      loopStart: result.loopStart as number,
    });
    expect(itf.loop).toBe(1);
    expect(itf["#meta"].verdict).toBe("violation");
    expect(replayTrace(model, itf).confirmed).toBe(true);
    expect(replayTrace(model, { ...itf, loop: 0 })).toMatchObject({
      confirmed: false,
      divergence: { step: 4, reason: "the last state is not state 0: the lasso does not close" },
    });
  });
});

describe("eventually within a time limit", () => {
  // A ring of a million states where "negative" never holds, each step made slow: the whole
  // search would take seconds to find the lasso.
  const negative = (state: number) => state < 0;
  const base = counter({ wrapAt: 1_000_000, wrapTo: 0 });
  const ring: Model<number, string> = {
    ...base,
    nextState: (state, action) => {
      const until = performance.now() + 0.005;
      while (performance.now() < until) {
        // a slow step
      }
      return action === "step" ? (state + 1) % 1_000_000 : undefined;
    },
    fingerprint: (state: number, out: Fingerprint) => fingerprintWords([state & 0xffff, state >>> 16], 2, out),
    properties: [{ kind: "eventually", id: "negative", name: "negative", holds: negative }],
  };

  it("stops when the time is up, incomplete rather than wrong, and tells its progress on the way", () => {
    const seen: number[] = [];
    const verdict = checkEventually(ring, negative, {
      timeoutMs: 400,
      onProgress: (p) => seen.push(p.uniqueStates),
    });
    expect(verdict.holds).toBe(true);
    expect(verdict).toMatchObject({ complete: false });
    expect(seen.length).toBeGreaterThan(0);
  });

  it("shares a check's timeout with the search before it: the check ends by its deadline", () => {
    const start = Date.now();
    const report = checkModel(ring, { timeoutMs: 500 });
    // The safety search takes the 500 ms; a liveness search given the whole timeout again would
    // take the check to 1 s.
    expect(Date.now() - start).toBeLessThan(900);
    expect(report.properties[0]).toMatchObject({ kind: "eventually", holds: true, complete: false });
  });
});
