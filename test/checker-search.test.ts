/**
 * The breadth-first checker against known answers: two-phase commit modelled exactly as
 * TwoPhase.tla has the state counts TLC and Stateright report; a seeded bug gives its shortest
 * counterexample; a witness that is never reached is reported as vacuous; bounds stop cleanly.
 * Paths are rebuilt without parent links, so they are checked on graphs whose shortest paths are
 * known, with more than 255 actions or new successors per state and a state fingerprinted (0, 0).
 */

import { describe, expect, it } from "vitest";
import type { Path } from "../checker/path.js";
import { checkModel } from "../checker/search.js";
import { collisionProbability } from "../checker/fingerprint.js";
import type { Fingerprint, Model } from "../checker/model.js";
import {
  RM_ABORTED,
  RM_COMMITTED,
  TM_ABORTED,
  type TwoPhaseState,
  twoPhaseCommit,
} from "../models/examples/two-phase-commit.js";

describe("two-phase commit (TwoPhase.tla)", () => {
  // 7 and 8 RMs (296 448 and 1 745 408 states), two-phase-commit-plain-7 and -8, belong to the
  // long check, not to the tests.
  it.each([
    [3, 288],
    [5, 8_832],
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

describe("memory", () => {
  it.each(["bfs", "dfs"] as const)("6 RMs, %s: at most 16 bytes per visited state, paths included", (strategy) => {
    const report = checkModel(twoPhaseCommit(6), { strategy });
    expect(report.uniqueStates).toBe(50_816);
    expect(report.bytesPerState).toBeLessThanOrEqual(16);
    // 8 bytes a fingerprint at a load of at most 0.85, plus 2 bytes of trail breadth-first.
    expect(report.bytesPerState).toBeGreaterThan(strategy === "bfs" ? 8 / 0.85 + 2 : 8 / 0.85);
  });
});

/**
 * A graph over the integers 0..size-1 as a model: `edges(n)` lists the successors of n in action
 * order; `fingerprint` defaults to a spread of n over both halves.
 */
function graphModel(
  size: number,
  edges: (n: number) => number[],
  target: number,
  fingerprint: (n: number, out: Fingerprint) => void = (n, out) => {
    out.hi = Math.imul(n + 1, 0x9e3779b1) >>> 0;
    out.lo = Math.imul(n + 1, 0x85ebca6b) >>> 0;
  },
): Model<number, number> {
  return {
    name: `graph(${size})`,
    initStates: () => [0],
    actions: (n, out) => {
      for (let a = 0; a < edges(n).length; a++) out.push(a);
    },
    nextState: (n, a) => edges(n)[a],
    fingerprint,
    properties: [
      { kind: "always", id: "target-not-reached", name: "target not reached", holds: (n) => n !== target },
      { kind: "sometimes", id: "target-reached", name: "target reached", holds: (n) => n === target },
    ],
  };
}

/** Shortest distances from 0 by a plain breadth-first search. */
function distances(size: number, edges: (n: number) => number[]): number[] {
  const distance = new Array<number>(size).fill(-1);
  distance[0] = 0;
  const queue = [0];
  for (let head = 0; head < queue.length; head++) {
    for (const m of edges(queue[head])) {
      if (distance[m] === -1) {
        distance[m] = distance[queue[head]] + 1;
        queue.push(m);
      }
    }
  }
  return distance;
}

/** Replays a path on the model, checking each action is enabled and leads where the path says. */
function replay(model: Model<number, number>, path: Path<number, number>): number {
  let state = path.init;
  expect(model.initStates()).toContain(state);
  for (const step of path.steps) {
    const enabled: number[] = [];
    model.actions(state, enabled);
    expect(enabled).toContain(step.action);
    state = model.nextState(state, step.action) as number;
    expect(state).toBe(step.state);
  }
  return state;
}

describe("paths without parent links", () => {
  // 0 has 600 successors (more than a byte of new states and of action ordinals); the rest form
  // a pseudo-random graph with 3 to 9 successors each.
  const size = 20_000;
  const edges = (n: number): number[] => {
    if (n === 0) return Array.from({ length: 600 }, (_, a) => (a * 7919 + 13) % size);
    const degree = 3 + (n % 7);
    return Array.from({ length: degree }, (_, a) => (Math.imul(n + 1, 2654435761 + a * 40503) >>> 0) % size);
  };
  const distance = distances(size, edges);
  const reachable = distance.filter((d) => d >= 0).length;
  const deepest = Math.max(...distance);
  const far = distance.indexOf(deepest);
  const throughWide = (600 * 7919 + 13) % size; // not an edge of 0: reached later

  it("breadth-first: every discovery by a shortest path, even past 255 actions", () => {
    for (const target of [far, (599 * 7919 + 13) % size, throughWide]) {
      const model = graphModel(size, edges, target);
      const report = checkModel(model);
      expect(report.uniqueStates).toBe(reachable);
      const [always, sometimes] = report.properties;
      if (always.kind !== "always" || always.holds) throw new Error("expected a counterexample");
      if (sometimes.kind !== "sometimes" || !sometimes.holds) throw new Error("expected a witness");
      for (const path of [always.counterexample, sometimes.witness]) {
        expect(replay(model, path)).toBe(target);
        expect(path.steps.length).toBe(distance[target]);
      }
    }
    expect(deepest).toBeGreaterThan(3);
  });

  it("depth-first: the branch it was on, a real path to the discovery", () => {
    const model = graphModel(size, edges, far);
    const report = checkModel(model, { strategy: "dfs" });
    expect(report.uniqueStates).toBe(reachable);
    const [, sometimes] = report.properties;
    if (sometimes.kind !== "sometimes" || !sometimes.holds) throw new Error("expected a witness");
    expect(replay(model, sometimes.witness)).toBe(far);
    expect(sometimes.witness.steps.length).toBeGreaterThanOrEqual(distance[far]);
  });

  it("a state fingerprinted (0, 0) is a state like any other", () => {
    const zeroAt = 5;
    const model = graphModel(size, edges, far, (n, out) => {
      out.hi = n === zeroAt ? 0 : Math.imul(n + 1, 0x9e3779b1) >>> 0;
      out.lo = n === zeroAt ? 0 : Math.imul(n + 1, 0x85ebca6b) >>> 0;
    });
    expect(distance[zeroAt]).toBeGreaterThan(0);
    for (const strategy of ["bfs", "dfs"] as const)
      expect(checkModel(model, { strategy }).uniqueStates).toBe(reachable);
  });

  it("a path found before a state bound stops the search still comes out", () => {
    const target = (599 * 7919 + 13) % size;
    const model = graphModel(size, edges, target);
    const report = checkModel(model, { maxStates: 2_000 });
    expect(report).toMatchObject({ uniqueStates: 2_000, complete: false, stoppedBy: "maxStates" });
    const [, sometimes] = report.properties;
    if (sometimes.kind !== "sometimes" || !sometimes.holds) throw new Error("expected a witness");
    expect(replay(model, sometimes.witness)).toBe(target);
    expect(sometimes.witness.steps.length).toBe(1);
  });

  it("says so when a model does not replay the same way (nondeterministic actions)", () => {
    const model = graphModel(size, edges, far);
    let calls = 0;
    const fickle: Model<number, number> = {
      ...model,
      // After the search, the actions come out in reverse order.
      actions: (n, out) => {
        const before = out.length;
        model.actions(n, out);
        if (++calls > reachable) out.splice(before, out.length - before, ...out.slice(before).reverse());
      },
    };
    expect(() => checkModel(fickle)).toThrow(/deterministic/);
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
          id: "tm-aborted-and-an-rm-committed",
          name: "TM aborted and an RM committed",
          holds: (s) => s.tmState === TM_ABORTED && s.rmState.includes(RM_COMMITTED),
        },
      ],
    } as Model<TwoPhaseState, unknown>;
    const [result] = checkModel(model).properties;
    expect(result).toEqual({
      id: "tm-aborted-and-an-rm-committed",
      name: "TM aborted and an RM committed",
      kind: "sometimes",
      holds: false,
      vacuous: true,
    });
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
