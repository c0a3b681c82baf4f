/**
 * The Walrus write and write-read models, checked exhaustively with partial-order reduction: pinned
 * state counts, every property holding within the adversary's budget with every witness reached,
 * the properties that must break with f + 1 faulty shards breaking with a readable counterexample,
 * and the memoised local steps equal to xstate's own `transition()`. The same models without
 * reduction are in walrus-write-read-unreduced.test.ts.
 */

import { transition } from "xstate";
import { describe, expect, it } from "vitest";
import type { ActorModel, SystemAction, SystemState } from "../checker/actors.js";
import { type SearchReport, checkModel } from "../checker/search.js";
import { findModel } from "../models/index.js";
import { writeRead } from "../models/write-read.js";

function build(name: string): ActorModel {
  const entry = findModel(name);
  if (!entry) throw new Error(`no model ${name}`);
  return entry.build() as unknown as ActorModel;
}

/** Each property as `kind name-prefix`, and whether it holds. */
const summary = (report: SearchReport<unknown, unknown>, prefixes: readonly string[]) =>
  report.properties.map(
    (p, i) => `${p.holds ? "ok" : "FAIL"} ${p.kind} ${p.name.startsWith(prefixes[i]) ? prefixes[i] : p.name}`,
  );

const READ = [
  "always read consistency (Definition 1.2)",
  "always validity (Definition 1.3)",
  "eventually availability after the point of availability",
  "sometimes witness: the reader returns the blob written",
];
const CHAIN = [
  "eventually correct storage guarantee",
  "always the chain certifies only with confirmations from a quorum (2f+1 shards) of the epoch",
  "sometimes witness: the blob is certified",
];
const NODES = [
  "eventually write completeness (Definition 1.1)",
  "sometimes witness: a correct node stores slivers it recovered",
  "always at the point of availability correct nodes holding f+1 shards store their slivers",
];

describe("within the budget every property holds and every witness is reached", () => {
  it.each([
    ["write-read-4", 57_450, [...READ, ...CHAIN]],
    ["write-read-4-crash", 115_522, [...READ, ...CHAIN]],
    ["write-read-4-byzantine", 21_821, [...READ, ...CHAIN]],
    ["write-read-4-paper-reader", 45_962, [...READ, ...CHAIN]],
    ["write-4", 7_681, [...CHAIN, ...NODES]],
    ["write-4-crash", 38_817, [...CHAIN, ...NODES]],
    ["write-4-byzantine", 281_600, [...CHAIN, ...NODES]],
  ])("%s: %i states", (name, states, expected) => {
    const report = checkModel(build(name));
    expect(report.complete).toBe(true);
    expect(report.reduction.partialOrder).toBe(true);
    expect(report.uniqueStates).toBe(states);
    const prefixes = expected.map((e) => e.slice(e.indexOf(" ") + 1));
    expect(summary(report, prefixes)).toEqual(expected.map((e) => `ok ${e}`));
  });
});

describe("tightness: f + 1 faulty shards (a Byzantine confirmation and a crash)", () => {
  it("the read after the point of availability never completes: availability fails at a quiescent state", () => {
    const model = build("write-read-4-f-plus-1");
    const report = checkModel(model);
    expect(report.uniqueStates).toBe(33_532);
    const failed = report.properties.filter((p) => !p.holds).map((p) => p.name);
    expect(failed).toEqual(["availability after the point of availability: the read returns the blob written"]);
    const availability = report.properties.find((p) => !p.holds);
    if (availability?.kind !== "eventually" || availability.holds) throw new Error("expected a violation");
    expect(availability.violation).toBe("quiescent");
    // The end of the counterexample: N2 crashed, N3 Byzantine, the blob certified by N0, N2 and N3,
    // and the reader still reading with one sliver.
    const path = availability.counterexample;
    const last = model.view(path.steps[path.steps.length - 1].state as SystemState);
    const names = model.actors.map((actor) => actor.name);
    const at = (name: string) => names.indexOf(name);
    expect([last.status[at("N2")], last.status[at("N3")]]).toEqual(["crashed", "byzantine"]);
    expect(last.actors[at("chain")].context.signers).toEqual(["N0", "N2", "N3"]);
    expect(last.actors[at("reader")].value).toBe("reading");
    expect(last.actors[at("reader")].context.slivers).toHaveLength(1);
    const labels = path.steps.map((step) => model.formatAction(step.action as SystemAction));
    expect(labels).toContain("N2 crashes");
    expect(labels.some((label) => label.startsWith("N3 (Byzantine) sends StorageConfirmation"))).toBe(true);
  });

  it("write completeness and what is stored at the point of availability both fail", () => {
    const report = checkModel(build("write-4-f-plus-1"));
    expect(report.uniqueStates).toBe(8_032);
    expect(report.properties.filter((p) => !p.holds).map((p) => p.name.split(":")[0])).toEqual([
      "write completeness (Definition 1.1)",
      "at the point of availability correct nodes holding f+1 shards store their slivers (§4)",
    ]);
    const stored = report.properties.find((p) => p.kind === "always" && !p.holds);
    if (stored?.kind !== "always" || stored.holds) throw new Error("expected a counterexample");
    // The shortest way: two confirmations from nodes that store, one Byzantine, then a crash.
    expect(stored.counterexample.steps.length).toBe(14);
  });

  it("the same faults within a budget of f are refused when the model is built", () => {
    expect(() =>
      writeRead({ crash: [2], byzantine: { node: 3, behaviours: ["confirmWithoutStoring"] }, budget: 0 }),
    ).toThrow(/above the budget of 0/);
  });
});

describe("the model checks what the machines do", () => {
  it("memoised steps equal xstate's transition() on every delivery of every reachable state", () => {
    const model = build("write-4-f-plus-1");
    const seen = new Set<string>();
    const queue: SystemState[] = model.initStates();
    let compared = 0;
    while (queue.length > 0) {
      const state = queue.pop() as SystemState;
      const key = state.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      const actions: SystemAction[] = [];
      model.actions(state, actions);
      for (const action of actions) {
        const next = model.nextState(state, action);
        if (next !== undefined) queue.push(next);
        if (action.kind !== "deliver") continue;
        const { to, event } = model.message(action.message);
        const before = model.view(state).actors[to];
        const [direct] = transition(model.actors[to].machine, before, event as never);
        const after = next === undefined ? before : model.view(next).actors[to];
        expect([after.value, after.context]).toEqual([direct.value, direct.context]);
        compared++;
      }
    }
    expect(seen.size).toBe(8_032);
    expect(compared).toBeGreaterThan(10_000);
  });

  it("bad model parameters are ModelErrors", () => {
    expect(() => writeRead({ shards: [1, 1, 1] })).toThrow(/at least 4 shards/);
    expect(() => writeRead({ crash: [7] })).toThrow(/no node 7/);
    expect(() => writeRead({ byzantine: { node: -1, behaviours: [] } })).toThrow(/no node -1/);
  });
});
