/**
 * Random schedules through fast-check against what exhaustive search knows: on the seeded
 * commit-early bug of two-phase commit the shrunk run is as short as the breadth-first
 * counterexample, it replays exactly from what the failure reports, and the correct model holds
 * while its witnesses are reached; the actor version runs through the catch-all family.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ANY_ACTION,
  FastCheckOptionsError,
  type FastCheckResult,
  PropertyViolation,
  checkWithFastCheck,
  modelCommands,
  startRun,
} from "../checker/fast-check.js";
import type { Fingerprint, Model } from "../checker/model.js";
import type { Path } from "../checker/path.js";
import { checkModel } from "../checker/search.js";
import { quorumWrite } from "../models/examples/quorum-write.js";
import { twoPhaseCommitActors } from "../models/examples/two-phase-commit-actors.js";
import {
  RM_ABORTED,
  RM_COMMITTED,
  type TwoPhaseAction,
  type TwoPhaseState,
  twoPhaseCommit,
} from "../models/examples/two-phase-commit.js";

const buggy = twoPhaseCommit(3, { commitEarly: true });

/** The length of the breadth-first (shortest) counterexample of `property`. */
function shortestCounterexample<S, A>(model: Model<S, A>, property: string): number {
  const result = checkModel(model).properties.find((p) => p.name === property);
  if (result?.kind !== "always" || result.holds) throw new Error(`${property} holds`);
  return result.counterexample.steps.length;
}

/** Fails unless every step of `path` is an enabled action leading to the recorded state. */
function expectValidPath<S, A>(model: Model<S, A>, path: Path<S, A>): void {
  const fp = (state: S) => {
    const out: Fingerprint = { hi: 0, lo: 0 };
    model.fingerprint(state, out);
    return `${out.hi}:${out.lo}`;
  };
  expect(model.initStates().map(fp)).toContain(fp(path.init));
  let state = path.init;
  for (const step of path.steps) {
    const enabled: A[] = [];
    model.actions(state, enabled);
    expect(enabled).toContainEqual(step.action);
    const next = model.nextState(state, step.action);
    expect(next === undefined ? undefined : fp(next)).toBe(fp(step.state));
    state = step.state;
  }
}

function failed<S, A>(result: FastCheckResult<S, A>): Extract<FastCheckResult<S, A>, { holds: false }> {
  if (result.holds) throw new Error("expected a violation");
  return result;
}

const names = (path: Path<TwoPhaseState, TwoPhaseAction>) =>
  path.steps.map((step) => buggy.formatAction?.(step.action));

describe("fast-check over the commit-early bug", () => {
  const bfsLength = shortestCounterexample(buggy, "TCConsistent");

  it("finds TCConsistent broken and shrinks to the breadth-first length", () => {
    expect(bfsLength).toBe(5);
    const result = failed(checkWithFastCheck(buggy, { seed: 1 }));
    expect(result.property).toBe("TCConsistent");
    expect(result.path.steps).toHaveLength(bfsLength);
    expectValidPath(buggy, result.path);
    const last = result.path.steps[result.path.steps.length - 1].state;
    expect(last.rmState).toContain(RM_COMMITTED);
    expect(last.rmState).toContain(RM_ABORTED);
    // Only the last state breaks the invariant: a shrunk run does not go on past the failure.
    const tcConsistent = buggy.properties[0];
    expect(result.path.steps.slice(0, -1).every((step) => tcConsistent.holds(step.state))).toBe(true);
    expect(result.seed).toBe(1);
    expect(result.runs).toBeGreaterThanOrEqual(1);
    expect(result.replayPath).toMatch(/^\d+(:\d+)*$/);
    expect(result.commandsReplayPath).toMatch(/^[A-Za-z0-9+/]+:[A-Za-z0-9+/]*$/);
  });

  it("reports the shrunk commands readably: family, k and the action each one took", () => {
    // Over many seeds, since a report showing the actions of some other shrink candidate shows up
    // only on some of them.
    for (let seed = 1; seed <= 30; seed++) {
      const result = failed(checkWithFastCheck(buggy, { seed, numRuns: 1000 }));
      const counterexample = result.report.split("\n").find((line) => line.startsWith("Counterexample:")) ?? "";
      const taken = [...counterexample.matchAll(/(tm|rm|deliver|any)#\d+ (\w+(\(rm\d\))?)/g)].map((m) => m[2]);
      expect(taken).toEqual(names(result.path));
    }
  });

  it("replays exactly from the seed and both replay paths, in one run", () => {
    const first = failed(checkWithFastCheck(buggy, { seed: 1 }));
    const replay = failed(
      checkWithFastCheck(buggy, {
        seed: first.seed,
        replayPath: first.replayPath,
        commandsReplayPath: first.commandsReplayPath,
      }),
    );
    expect(replay.runs).toBe(1);
    expect(replay.shrinks).toBe(0);
    expect(names(replay.path)).toEqual(names(first.path));
    expect(replay.path).toEqual(first.path);
  });

  it("needs the commands' replay record too: fast-check cannot replay the path without it", () => {
    const first = failed(checkWithFastCheck(buggy, { seed: 1 }));
    const init = buggy.initStates()[0];
    const property = (commands: ReturnType<typeof modelCommands<TwoPhaseState, TwoPhaseAction>>) =>
      fc.property(fc.integer({ min: 0, max: 0 }), commands, (_, cmds) =>
        fc.modelRun(() => startRun(buggy, init), cmds),
      );
    const params = { seed: first.seed, path: first.replayPath, endOnFailure: true };
    expect(() => fc.check(property(modelCommands(buggy)), params)).toThrow(/Unable to replay/);
    const replayed = fc.check(property(modelCommands(buggy, { replayPath: first.commandsReplayPath })), params);
    expect(replayed.failed).toBe(true);
    expect(replayed.errorInstance).toBeInstanceOf(PropertyViolation);
    expect(() => checkWithFastCheck(buggy, { seed: 1, replayPath: first.replayPath })).toThrow(FastCheckOptionsError);
  });

  it("is deterministic: the same seed gives the same result", () => {
    const a = checkWithFastCheck(buggy, { seed: 123 });
    const b = checkWithFastCheck(buggy, { seed: 123 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("with the families tm / rm / deliver, every seed shrinks to the shortest counterexample", () => {
    const lengths = Array.from({ length: 20 }, (_, i) => {
      const result = failed(
        checkWithFastCheck(buggy, { seed: 1000 + i, numRuns: 1000, kinds: ["tm", "rm", "deliver"] }),
      );
      expectValidPath(buggy, result.path);
      return result.path.steps.length;
    });
    expect(lengths).toEqual(new Array(20).fill(bfsLength));
  });

  it("draws runs up to maxCommands long, not fast-check's default of about ten", () => {
    const lengths = (maxCommands?: number) =>
      fc
        .sample(modelCommands(buggy, maxCommands === undefined ? {} : { maxCommands }), { seed: 3, numRuns: 200 })
        .map((cmds) => [...cmds].length);
    expect(Math.max(...lengths())).toBeGreaterThan(30);
    expect(Math.max(...lengths())).toBeLessThanOrEqual(60);
    expect(Math.max(...lengths(200))).toBeGreaterThan(60);
  });

  it("cannot find a violation longer than maxCommands", () => {
    const result = checkWithFastCheck(buggy, { seed: 1, maxCommands: bfsLength - 1, numRuns: 300 });
    expect(result.holds).toBe(true);
    expect(result.runs).toBe(300);
  });
});

describe("fast-check over correct models", () => {
  it("two-phase commit holds for 200 runs and reaches both witnesses", () => {
    // All RMs committed needs the TM to wait for every vote while abort is enabled all along: about
    // one random run in 2 000 gets there, so the seed is one whose 200 runs include such a run.
    const result = checkWithFastCheck(twoPhaseCommit(3), { seed: 39, numRuns: 200 });
    if (!result.holds) throw new Error(result.report);
    expect(result.runs).toBe(200);
    expect(result.witnesses["all committed"]).toBeGreaterThan(0);
    expect(result.witnesses["all aborted"]).toBeGreaterThan(result.witnesses["all committed"]);
    expect(result.witnesses["all aborted"]).toBeLessThanOrEqual(200);
    expect(Object.keys(result.witnesses)).toEqual(["all committed", "all aborted"]);
  });

  it("the actor two-phase commit holds for 100 runs through the catch-all family", () => {
    // The catch-all named explicitly, so that the run stays the same once actor models classify
    // their actions.
    const result = checkWithFastCheck(twoPhaseCommitActors(3), { seed: 7, numRuns: 100, kinds: [ANY_ACTION] });
    if (!result.holds) throw new Error(result.report);
    expect(result.runs).toBe(100);
    expect(result.witnesses["all aborted"]).toBeGreaterThan(0);
  });
});

/** The families of the commands fast-check draws from `model` by default. */
function defaultFamilies<S, A>(model: Model<S, A>): string[] {
  const drawn = fc.sample(modelCommands(model), { seed: 5, numRuns: 50 });
  return [...new Set(drawn.flatMap((cmds) => [...cmds].map((cmd) => cmd.toString().split("#")[0])))].sort();
}

describe("edge cases and bad options", () => {
  /** A counter from `start` that must stay below 3; `step` throws at 2 when `crashAt2`. */
  function counter(start: number, crashAt2 = false): Model<number, "inc"> {
    return {
      name: "counter",
      initStates: () => [start],
      actions: (_, out) => out.push("inc"),
      nextState: (n) => {
        if (crashAt2 && n === 2) throw new TypeError("model defect");
        return n + 1;
      },
      fingerprint: (n, out) => {
        out.hi = 0;
        out.lo = n;
      },
      properties: [
        { kind: "always", id: "below-3", name: "below 3", holds: (n) => n < 3 },
        { kind: "sometimes", id: "reaches-1", name: "reaches 1", holds: (n) => n === 1 },
      ],
    };
  }

  it("an initial state that breaks a property is a violation with no steps", () => {
    const result = failed(checkWithFastCheck(counter(5), { seed: 1 }));
    expect(result.property).toBe("below 3");
    expect(result.path).toEqual({ init: 5, steps: [] });
  });

  it("shrinks a counter to exactly three steps, and counts witnesses only in runs drawn before shrinking", () => {
    const result = failed(checkWithFastCheck(counter(0), { seed: 2 }));
    expect(result.path.steps.map((step) => step.state)).toEqual([1, 2, 3]);
    expect(result.witnesses["reaches 1"]).toBeLessThanOrEqual(result.runs);
    expect(result.witnesses["reaches 1"]).toBeGreaterThan(0);
  });

  it("a model that throws is not reported as a property violation", () => {
    expect(() => checkWithFastCheck(counter(0, true), { seed: 1 })).toThrow(TypeError);
  });

  it.each([
    [{ numRuns: 0 }, /numRuns/],
    [{ maxCommands: 1.5 }, /maxCommands/],
    [{ seed: Number.NaN }, /seed/],
    [{ kinds: [] }, /at least one/],
    [{ kinds: ["tm", "tm"] }, /repeat/],
    [{ commandsReplayPath: "A:B" }, /replay needs/],
  ])("rejects %j", (options, message) => {
    expect(() => checkWithFastCheck(buggy, options)).toThrow(FastCheckOptionsError);
    expect(() => checkWithFastCheck(buggy, options)).toThrow(message);
  });

  it("draws by default from the families enabled initially plus the catch-all, or the catch-all alone", () => {
    // Deliveries are not enabled in 2PC's initial state: only the catch-all reaches them by default.
    expect(defaultFamilies(buggy)).toEqual([ANY_ACTION, "rm", "tm"]);
    expect(defaultFamilies(counter(0))).toEqual([ANY_ACTION]);
  });

  it("rejects named families for a model that does not classify its actions", () => {
    expect(() => modelCommands(counter(0), { kinds: ["deliver"] })).toThrow(/no actionKind/);
    expect(() => modelCommands(counter(0), { kinds: [ANY_ACTION] })).not.toThrow();
  });

  it.each([
    "x",
    "1:12:99999",
  ])("turns the replay path %s, which fits no run of the seed, into a typed error", (path) => {
    const first = failed(checkWithFastCheck(buggy, { seed: 1 }));
    expect(() =>
      checkWithFastCheck(buggy, { seed: 1, replayPath: path, commandsReplayPath: first.commandsReplayPath }),
    ).toThrow(/cannot replay/);
  });
});

describe("fast-check over an actor model with an adversary", () => {
  it("finds the f + 1 Byzantine break of quorum intersection and shrinks it to the breadth-first length", () => {
    const model = quorumWrite({ shards: [1, 1, 1, 1], byzantine: [2, 3], budget: 2 });
    const shortest = checkModel(quorumWrite({ shards: [1, 1, 1, 1], byzantine: [2, 3], budget: 2 })).properties[0];
    if (shortest.holds || shortest.kind !== "always") throw new Error("expected a counterexample");
    const result = checkWithFastCheck(model, { seed: 3, numRuns: 300, kinds: ["deliver", "fault"] });
    if (result.holds) throw new Error("expected a violation");
    expect(result.property).toBe("quorum intersection: committed ⇒ f+1 correct shards store the value");
    expect(result.path.steps.length).toBe(shortest.counterexample.steps.length);
    expect(result.path.steps.filter((step) => step.action.kind === "byzantine").length).toBe(2);
  });
});

describe("fast-check and eventually", () => {
  it("a run that ends quiescent without the goal violates it: the lossy write", () => {
    const result = checkWithFastCheck(quorumWrite({ shards: [1, 1, 1, 1], network: { loss: true } }), {
      seed: 11,
      numRuns: 300,
    });
    if (result.holds) throw new Error("expected a violation");
    expect(result.property).toBe("the write completes");
    expect(result.path.steps.some((step) => step.action.kind === "drop")).toBe(true);
  });

  it("a reliable network completes the write on every run", () => {
    expect(
      checkWithFastCheck(quorumWrite({ shards: [1, 1, 1, 1], byzantine: [3] }), { seed: 2, numRuns: 100 }).holds,
    ).toBe(true);
  });
});
