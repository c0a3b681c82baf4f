/**
 * Seeded simulation and its swarm: the generator against the reference xoshiro128** outputs, walks
 * that find the seeded two-phase-commit bug with a trace that replays to the violation, shards whose
 * union is exactly the unsharded run, reports that are deterministic plain JSON, the sketch's
 * distinct-state count, and the merge's typed refusals.
 */

import { describe, expect, it } from "vitest";
import { fingerprintWords } from "../checker/fingerprint.js";
import type { Fingerprint, Model } from "../checker/model.js";
import { type ActionPath, followActionPath, PathError, toActionPath } from "../checker/path.js";
import { Random } from "../checker/random.js";
import { checkModel } from "../checker/search.js";
import { estimateDistinct, MinValuesSketch, unionSketches } from "../checker/sketch.js";
import {
  parseShardSpec,
  type SimulationOptions,
  type SimulationReport,
  SimulationOptionsError,
  simulate,
} from "../checker/simulate.js";
import {
  formatSimulationReport,
  mergeSimulationReports,
  SwarmMergeError,
  type SwarmMergeReason,
  validateSimulationReport,
} from "../checker/swarm.js";
import { RM_ABORTED, RM_COMMITTED, twoPhaseCommit } from "../models/examples/two-phase-commit.js";

/** The model with every fingerprinted state's fingerprint recorded (the states simulation walks through). */
function recording<S, A>(model: Model<S, A>, seen: Set<string>, onState?: (state: S) => void): Model<S, A> {
  return {
    ...model,
    fingerprint(state: S, out: Fingerprint) {
      model.fingerprint(state, out);
      seen.add(`${out.hi}:${out.lo}`);
      onState?.(state);
    },
  };
}

/** A tree: each state is the list of choices so far, `branching` actions until depth `depth`. */
function tree(branching: number, depth: number, boundary?: number): Model<readonly number[], number> {
  return {
    name: `tree(${branching}, ${depth})`,
    initStates: () => [[]],
    actions(state, out) {
      if (state.length < depth) for (let a = 0; a < branching; a++) out.push(a);
    },
    nextState: (state, action) => [...state, action],
    fingerprint(state, out) {
      fingerprintWords([state.length, ...state], state.length + 1, out);
    },
    properties: [
      {
        kind: "sometimes",
        id: "all-zero-at-depth-2",
        name: "all zero at depth 2",
        holds: (s) => s.length === 2 && s[0] + s[1] === 0,
      },
    ],
    ...(boundary === undefined ? {} : { withinBoundary: (state: readonly number[]) => state.length < boundary }),
    formatAction: (a) => `choose ${a}`,
  };
}

const shards = <S, A>(model: Model<S, A>, options: SimulationOptions, count: number) =>
  Array.from({ length: count }, (_, index) => simulate(model, { ...options, shard: { index, count } }));

describe("the generator", () => {
  it("is xoshiro128**: the reference outputs from state {1, 2, 3, 4}", () => {
    const random = new Random(1, 2, 3, 4);
    const outputs = Array.from({ length: 10 }, () => random.nextUint32());
    expect(outputs).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
  });

  it("gives each (seed, walk) its own stream and draws below(n) without bias", () => {
    const first = (seed: number, walk: number) => Random.forWalk(seed, walk).nextUint32();
    expect(first(7, 3)).toBe(first(7, 3));
    const starts = new Set<number>();
    for (let walk = 0; walk < 10_000; walk++) starts.add(first(7, walk));
    starts.add(first(8, 0));
    starts.add(first(7, 2 ** 32));
    expect(starts.size).toBe(10_002);

    const random = Random.forWalk(1, 0);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[random.below(6)]++;
    // χ² with 5 degrees of freedom; 20.5 is its 0.1% tail.
    const chiSquare = counts.reduce((sum, c) => sum + (c - 10_000) ** 2 / 10_000, 0);
    expect(chiSquare).toBeLessThan(20.5);
    expect(() => random.below(0)).toThrow(RangeError);
  });
});

describe("action paths", () => {
  it("turn a search's counterexample into indices and back", () => {
    const model = twoPhaseCommit(3, { commitEarly: true });
    const [consistent] = checkModel(model).properties;
    if (consistent.kind !== "always" || consistent.holds) throw new Error("expected a violation");
    const path = toActionPath(model, consistent.counterexample);
    expect(path.init).toBe(0);
    expect(path.actions).toHaveLength(5);
    expect(followActionPath(model, path)).toEqual(consistent.counterexample);
  });

  it("refuse an index out of range or an action that changes nothing, naming the step", () => {
    const model = twoPhaseCommit(3);
    const step = (path: ActionPath) => {
      try {
        followActionPath(model, path);
      } catch (error) {
        expect(error).toBeInstanceOf(PathError);
        return (error as PathError).step;
      }
      throw new Error("followed");
    };
    expect(step({ init: 1, actions: [] })).toBe(0);
    expect(step({ init: 0, actions: [0, 99] })).toBe(2);
    const stuck: Model<number, number> = {
      name: "stuck",
      initStates: () => [0],
      actions: (_, out) => out.push(0),
      nextState: () => undefined,
      fingerprint: (s, out) => fingerprintWords([s], 1, out),
      properties: [],
    };
    expect(() => followActionPath(stuck, { init: 0, actions: [0] })).toThrow(/changes nothing/);
  });
});

describe("simulation", () => {
  const buggy = twoPhaseCommit(3, { commitEarly: true });

  it("finds the commit-early bug, and its trace replays to a state that violates TCConsistent", () => {
    const report = simulate(buggy, { runs: 200, seed: 1, maxDepth: 50 });
    const consistent = report.properties[0];
    if (consistent.kind !== "always" || consistent.holds) throw new Error("expected a violation");
    const path = followActionPath(buggy, consistent.trace);
    const states = [path.init, ...path.steps.map((s) => s.state)];
    const invariant = buggy.properties[0];
    // The first violating step: every state before the last one satisfies the invariant.
    expect(states.map((s) => invariant.holds(s))).toEqual([...states.slice(1).map(() => true), false]);
    const last = states[states.length - 1];
    expect(last.rmState).toContain(RM_COMMITTED);
    expect(last.rmState).toContain(RM_ABORTED);
    expect(consistent.labels).toEqual(path.steps.map((s) => buggy.formatAction?.(s.action)));
    expect(consistent.walk).toBeLessThan(200);
  });

  it("keeps the lowest violating walk: no walk before it violates, and run alone it gives the same trace", () => {
    const report = simulate(buggy, { runs: 200, seed: 1, maxDepth: 50 });
    const consistent = report.properties[0];
    if (consistent.kind !== "always" || consistent.holds) throw new Error("expected a violation");
    const walk = consistent.walk;
    // Walks 0..walk−1 alone do not violate; walk alone does, with the same trace.
    const before = simulate(buggy, { runs: walk, seed: 1, maxDepth: 50 });
    expect(before.properties[0].holds).toBe(true);
    const alone = simulate(buggy, { runs: walk + 1, seed: 1, maxDepth: 50, shard: { index: walk, count: walk + 1 } });
    expect(alone.runs).toBe(1);
    expect(alone.properties[0]).toEqual(consistent);
  });

  it("is deterministic plain JSON: the same model, options and seed give an identical report", () => {
    const options = { runs: 300, seed: 0xdeadbeef, maxDepth: 40 };
    const a = simulate(twoPhaseCommit(4), options);
    const b = simulate(twoPhaseCommit(4), options);
    expect(a).toEqual(b);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
    expect(simulate(twoPhaseCommit(4), { ...options, seed: 1 })).not.toEqual(a);
  });

  it("runs walk k in shard k mod N: the shards' walks together are exactly the unsharded run's", () => {
    const model = tree(4, 12);
    const leavesOf = (shard?: { index: number; count: number }) => {
      const leaves: string[] = [];
      const recorded = recording(model, new Set(), (s) => {
        if (s.length === 12) leaves.push(s.join(""));
      });
      const report = simulate(recorded, { runs: 301, seed: 5, ...(shard ? { shard } : {}) });
      return { leaves, report };
    };
    const whole = leavesOf();
    expect(whole.leaves).toHaveLength(301);
    expect(new Set(whole.leaves).size).toBe(301); // 4^12 leaves: 301 random walks are all different
    const parts = [0, 1, 2].map((index) => leavesOf({ index, count: 3 }));
    expect(parts.map((p) => p.report.runs)).toEqual([101, 100, 100]);
    expect(parts.flatMap((p) => p.leaves).sort()).toEqual(whole.leaves.slice().sort());
    // Walk order inside a shard is the unsharded order restricted to k ≡ i (mod 3).
    expect(parts[1].leaves).toEqual(whole.leaves.filter((_, k) => k % 3 === 1));
    expect(whole.report).toMatchObject({ steps: 301 * 12, maxDepth: 12, terminalWalks: 301 });
  });

  it("merging 3 shards gives the unsharded run's properties, runs and steps", () => {
    for (const model of [buggy, twoPhaseCommit(3)]) {
      const options = { runs: 500, seed: 99, maxDepth: 60 };
      const whole = simulate(model, options);
      const merged = mergeSimulationReports(shards(model, options, 3));
      expect(merged.properties).toEqual(whole.properties);
      expect(merged).toMatchObject({
        runs: whole.runs,
        steps: whole.steps,
        maxDepth: whole.maxDepth,
        terminalWalks: whole.terminalWalks,
        shard: { index: -1, count: 3 },
        shards: [0, 1, 2],
        missingShards: [],
        uniqueStatesEstimate: whole.uniqueStates,
        uniqueStatesExact: true,
      });
      expect(merged.sketch).toEqual(whole.sketch);
    }
  });

  it("picks uniformly among the actions that change something, and stops at terminal states", () => {
    // From 0: actions 0..5, the odd ones change nothing; the even ones lead to terminal states.
    const model: Model<number, number> = {
      name: "fan",
      initStates: () => [0],
      actions: (s, out) => {
        if (s === 0) for (let a = 0; a < 6; a++) out.push(a);
      },
      nextState: (_, a) => (a % 2 === 1 ? undefined : a + 1),
      fingerprint: (s, out) => fingerprintWords([s], 1, out),
      properties: [],
    };
    const counts = new Map<number, number>();
    const recorded = recording(model, new Set(), (s) => counts.set(s, (counts.get(s) ?? 0) + 1));
    const report = simulate(recorded, { runs: 3000, seed: 3 });
    expect(report).toMatchObject({ runs: 3000, steps: 3000, maxDepth: 1, terminalWalks: 3000, uniqueStates: 4 });
    expect([...counts.keys()].sort()).toEqual([0, 1, 3, 5]);
    for (const end of [1, 3, 5]) {
      expect(counts.get(end)).toBeGreaterThan(880);
      expect(counts.get(end)).toBeLessThan(1120);
    }
  });

  it("stops walks at the depth limit and at the boundary, and reports unreached witnesses", () => {
    const deep = simulate(tree(3, 20), { runs: 10, seed: 0, maxDepth: 7 });
    expect(deep).toMatchObject({ runs: 10, steps: 70, maxDepth: 7, terminalWalks: 0, depthLimit: 7 });
    const bounded = simulate(tree(3, 20, 5), { runs: 10, seed: 0 });
    expect(bounded).toMatchObject({ steps: 50, maxDepth: 5, terminalWalks: 0 });
    const shallow = simulate(tree(3, 20), { runs: 10, seed: 0, maxDepth: 1 });
    expect(shallow.properties).toEqual([
      { id: "all-zero-at-depth-2", name: "all zero at depth 2", kind: "sometimes", holds: false, reached: false },
    ]);
  });

  it("stops starting walks at the timeout and says so; reports progress", () => {
    const seen: number[] = [];
    const report = simulate(twoPhaseCommit(5), {
      runs: 1_000_000,
      seed: 0,
      timeoutMs: 20,
      onProgress: (p) => seen.push(p.walks),
    });
    expect(report.stoppedBy).toBe("timeout");
    expect(report.runs).toBeLessThan(1_000_000);
    expect(seen[seen.length - 1]).toBe(report.runs);
  });

  it("refuses bad options with a typed error; parses --shard i/N as 1-based", () => {
    const model = twoPhaseCommit(3);
    for (const bad of [
      { runs: -1, seed: 0 },
      { runs: 1.5, seed: 0 },
      { runs: 1, seed: 2 ** 32 },
      { runs: 1, seed: 0, shard: { index: 3, count: 3 } },
      { runs: 1, seed: 0, shard: { index: 0, count: 0 } },
      { runs: 1, seed: 0, maxDepth: -1 },
      { runs: 1, seed: 0, timeoutMs: 0 },
    ]) {
      expect(() => simulate(model, bad)).toThrow(SimulationOptionsError);
    }
    expect(parseShardSpec("1/4")).toEqual({ index: 0, count: 4 });
    expect(parseShardSpec("4/4")).toEqual({ index: 3, count: 4 });
    for (const bad of ["0/4", "5/4", "1/0", "a/b", "1/", "2"])
      expect(() => parseShardSpec(bad)).toThrow(SimulationOptionsError);
  });
});

describe("the distinct-state sketch", () => {
  it("is exact for two-phase commit with 3 RMs: the merge's estimate equals the shards' true union", () => {
    const seen = new Set<string>();
    const model = recording(twoPhaseCommit(3), seen);
    const parts = shards(model, { runs: 1200, seed: 11, maxDepth: 40 }, 4);
    const merged = mergeSimulationReports(parts);
    expect(seen.size).toBeLessThanOrEqual(288);
    expect(seen.size).toBeGreaterThan(250);
    expect(Math.max(...parts.map((p) => p.uniqueStates))).toBeLessThan(seen.size);
    expect(merged.uniqueStatesExact).toBe(true);
    expect(merged.uniqueStatesEstimate).toBe(seen.size);
  });

  it("estimates larger unions within a few per cent", () => {
    const random = Random.forWalk(0, 0);
    const fps = Array.from({ length: 50_000 }, () => ({ hi: random.nextUint32(), lo: random.nextUint32() }));
    const a = new MinValuesSketch();
    const b = new MinValuesSketch();
    for (const fp of fps.slice(0, 30_000)) a.add(fp);
    for (const fp of fps.slice(20_000)) b.add(fp);
    expect(a.values()).toHaveLength(1024);
    const union = estimateDistinct(unionSketches([a.values(), b.values()]));
    expect(union.exact).toBe(false);
    expect(Math.abs(union.count - 50_000) / 50_000).toBeLessThan(0.1);
    const small = new MinValuesSketch();
    for (let i = 0; i < 3; i++) for (const fp of fps.slice(0, 1000)) small.add(fp);
    expect(estimateDistinct(small.values())).toEqual({ count: 1000, exact: true });
  });

  it("estimates a swarm of two-phase commit with 5 RMs close to the unsharded exact count", () => {
    const options = { runs: 900, seed: 2, maxDepth: 60 };
    const whole = simulate(twoPhaseCommit(5), options);
    const merged = mergeSimulationReports(shards(twoPhaseCommit(5), options, 3));
    expect(whole.uniqueStates).toBeGreaterThan(1024);
    expect(merged.uniqueStatesExact).toBe(false);
    expect(Math.abs(merged.uniqueStatesEstimate - whole.uniqueStates) / whole.uniqueStates).toBeLessThan(0.1);
  });
});

describe("merging a swarm's reports", () => {
  const model = twoPhaseCommit(3, { commitEarly: true });
  const options = { runs: 60, seed: 4, maxDepth: 30 };
  const parts = shards(model, options, 3);

  const reason = (reports: unknown[]): SwarmMergeReason | undefined => {
    try {
      mergeSimulationReports(reports);
    } catch (error) {
      expect(error).toBeInstanceOf(SwarmMergeError);
      return (error as SwarmMergeError).reason;
    }
    return undefined;
  };
  const edit = (report: SimulationReport, change: Record<string, unknown>) => ({ ...report, ...change });

  it("refuses shards of different swarms with a typed reason", () => {
    expect(reason([])).toBe("empty");
    expect(reason([parts[0], simulate(twoPhaseCommit(3), { ...options, shard: { index: 1, count: 3 } })])).toBe(
      "model",
    );
    expect(reason([parts[0], simulate(model, { ...options, seed: 5, shard: { index: 1, count: 3 } })])).toBe("seed");
    expect(reason([parts[0], simulate(model, { ...options, shard: { index: 1, count: 4 } })])).toBe("shardCount");
    expect(reason([parts[0], parts[1], parts[0]])).toBe("duplicateShard");
    expect(reason([parts[0], simulate(model, { ...options, runs: 61, shard: { index: 1, count: 3 } })])).toBe("runs");
    expect(reason([parts[0], simulate(model, { ...options, maxDepth: 31, shard: { index: 1, count: 3 } })])).toBe(
      "depthLimit",
    );
    expect(reason([parts[0], edit(parts[1], { properties: parts[1].properties.slice(1) })])).toBe("properties");
  });

  it("validates each report strictly, naming the field", () => {
    const [p0] = parts;
    const violation = p0.properties[0];
    if (violation.kind !== "always" || violation.holds) throw new Error("expected a violation in shard 0");
    const bad: Array<[unknown, RegExp]> = [
      [null, /not a JSON object/],
      [[p0], /not a JSON object/],
      [edit(p0, { kind: "search" }), /kind/],
      [edit(p0, { seed: -1 }), /seed/],
      [edit(p0, { seed: undefined }), /seed/],
      [edit(p0, { extra: 1 }), /extra/],
      [edit(p0, { shard: { index: -1, count: 3 } }), /shard\.index/],
      [edit(p0, { runs: 21 }), /runs/],
      [edit(p0, { steps: "10" }), /steps/],
      [edit(p0, { maxDepth: 31 }), /maxDepth/],
      [edit(p0, { sketch: p0.sketch.slice().reverse() }), /sketch/],
      [edit(p0, { sketch: p0.sketch.slice(1) }), /sketch/],
      [edit(p0, { stoppedBy: "maxStates" }), /stoppedBy/],
      [edit(p0, { properties: [{ ...violation, walk: 1 }] }), /walk/],
      [edit(p0, { properties: [{ ...violation, labels: [] }] }), /labels/],
      [edit(p0, { properties: [{ ...violation, trace: { init: 0, actions: [-1] } }] }), /actions/],
      [edit(p0, { properties: [{ id: "x", name: "x", kind: "always", holds: true, walk: 0 }] }), /walk/],
      [edit(p0, { properties: [{ id: "x", name: "x", kind: "sometimes", holds: false }] }), /reached/],
      [edit(p0, { properties: [{ name: "x", kind: "always", holds: true }] }), /properties\[0\]\.id/],
      [edit(p0, { properties: [p0.properties[1], p0.properties[1]] }), /twice/],
    ];
    for (const [value, message] of bad) {
      expect(() => validateSimulationReport(value, "shard.json")).toThrow(message);
      expect(reason([value])).toBe("invalid");
    }
    expect(validateSimulationReport(JSON.parse(JSON.stringify(p0)))).toEqual(p0);
    expect(validateSimulationReport({ ...p0, timing: { seconds: 1.5 } })).toEqual(p0);
  });

  it("lists missing shards and keeps the lowest violating walk", () => {
    // Shard 0's violation is in a later walk than shard 2's: the merge must not keep the first given.
    const merged = mergeSimulationReports([parts[0], parts[2]]);
    expect(mergeSimulationReports([parts[2], parts[0]])).toEqual(merged);
    expect(merged.shards).toEqual([0, 2]);
    expect(merged.missingShards).toEqual([1]);
    expect(merged.runs).toBe(parts[0].runs + parts[2].runs);
    const walks = [parts[0], parts[2]].flatMap((p) => {
      const first = p.properties[0];
      return first.kind === "always" && !first.holds ? [first.walk] : [];
    });
    const first = merged.properties[0];
    expect(first.kind === "always" && !first.holds && first.walk).toBe(Math.min(...walks));
  });

  it("formats a merged report: numbered counterexample steps, witnesses, missing shards", () => {
    const lines = formatSimulationReport(mergeSimulationReports([parts[0], parts[1]]));
    const text = lines.join("\n");
    expect(lines[0]).toMatch(
      /^two-phase-commit\(3\) with the commit-early bug: simulation \(seed 4, swarm of 3 shards\)/,
    );
    expect(text).toMatch(/MISSING shards 3\/3/);
    expect(text).toMatch(/FAIL {8}always TCConsistent: violated in walk \d+ after \d+ steps\n {6}1\. /);
    const withModel = formatSimulationReport(mergeSimulationReports(parts), model as Model<unknown, unknown>);
    expect(withModel.join("\n")).toBe(formatSimulationReport(mergeSimulationReports(parts)).join("\n"));
  });
});
