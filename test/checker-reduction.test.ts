/**
 * Reduction never changes a verdict: the catalogue's small models are checked with and without
 * partial-order reduction and symmetry, with both state counts pinned; what the properties can
 * observe is the same either way; and on a model of many independent deliveries the reduction is
 * more than tenfold.
 */

import { assign, enqueueActions, setup } from "xstate";
import { describe, expect, it } from "vitest";
import { ActorModel, type SystemAction, type SystemState, type SystemView } from "../checker/actors.js";
import type { Model } from "../checker/model.js";
import { checkModel } from "../checker/search.js";
import { quorumWrite } from "../models/examples/quorum-write.js";
import { twoPhaseCommitActors } from "../models/examples/two-phase-commit-actors.js";
import { findModel } from "../models/index.js";

// The large ones (two-phase-commit-7, its symmetric and plain forms, quorum-write-10 without
// reduction: 296 448 and 61 128 states) belong to the long check, not to the tests; symmetry and
// partial-order reduction are shown below on 5 RMs and 7 acceptors.
// Model → [unique states without reduction, with reduction, verdicts (1 holds, 0 fails) per property].
const TABLE: Array<[string, number, number, string]> = [
  ["two-phase-commit-3", 288, 288, "111"],
  ["two-phase-commit-5", 8_832, 8_832, "111"],
  ["two-phase-commit-3-buggy", 498, 498, "011"],
  ["quorum-write-4-byzantine", 83, 57, "1111"],
  ["quorum-write-4-crash", 420, 420, "1111"],
  ["quorum-write-weighted-byzantine", 261, 181, "1111"],
  ["quorum-write-4-two-byzantine", 82, 39, "0111"],
  ["quorum-write-4-lossy", 624, 624, "1101"],
  // Walrus models: independence decided from behaviour (checker/actors/persistent.ts), with the
  // properties of several actors taken as their parts, actor by actor.
  ["malicious-writer-4-detection", 1_078, 159, "111111"],
  ["write-read-4-f-plus-1-invalidation", 421, 113, "10011101"],
  ["epoch-change-4-byzantine", 8_405, 875, "1111111"],
];

describe("the same verdicts with and without reduction", () => {
  it.each(TABLE)(
    "%s: %i unique states without reduction, %i with",
    (name, without, withReduction, verdicts) => {
      const entry = findModel(name);
      if (!entry) throw new Error(`no model ${name}`);
      const plain = checkModel(entry.build({ reduction: false }), { reduction: false });
      const reduced = checkModel(entry.build({ reduction: true }), { reduction: true });
      expect([plain.uniqueStates, reduced.uniqueStates]).toEqual([without, withReduction]);
      const summary = (report: typeof plain) => report.properties.map((p) => (p.holds ? 1 : 0)).join("");
      expect(summary(plain)).toBe(verdicts);
      expect(summary(reduced)).toBe(verdicts);
      expect(plain.complete && reduced.complete).toBe(true);
    },
    60_000,
  );

  it("partial-order reduction: more than 10× fewer states already for 7 acceptors", () => {
    const [plain, reduced] = [false, true].map((reduction) =>
      checkModel(quorumWrite({ shards: Array(7).fill(1), intersection: false }), { reduction }),
    );
    expect([plain.uniqueStates, reduced.uniqueStates]).toEqual([2_277, 190]);
    expect(reduced.reduction).toEqual({ partialOrder: true, symmetry: false, cycleProviso: false });
  });
});

/** The model with one more property: it records what `observe` sees in every state the search visits. */
function observing(
  model: Model<SystemState, SystemAction>,
  reads: (state: SystemState) => string,
  seen: Set<string>,
): Model<SystemState, SystemAction> {
  return {
    name: model.name,
    initStates: () => model.initStates(),
    actions: (state, out) => model.actions(state, out),
    nextState: (state, action) => model.nextState(state, action),
    fingerprint: (state, out) => model.fingerprint(state, out),
    ...(model.symmetricFingerprint ? { symmetricFingerprint: model.symmetricFingerprint.bind(model) } : {}),
    ...(model.ampleSets ? { ampleSets: model.ampleSets.bind(model) } : {}),
    properties: [
      {
        kind: "sometimes",
        id: "observe",
        name: "observe",
        holds: (state) => {
          seen.add(reads(state));
          return false;
        },
      },
    ],
  };
}

describe("reduction keeps what properties observe", () => {
  it("partial-order: every writer state of the full space is visited in the reduced one", () => {
    const observe = (reduction: boolean) => {
      const model = quorumWrite({ shards: Array(7).fill(1), intersection: false });
      const seen = new Set<string>();
      const writer = (state: SystemState) => {
        const snapshot = model.view(state).actors[0];
        return `${JSON.stringify(snapshot.value)} ${JSON.stringify(snapshot.context)}`;
      };
      checkModel(observing(model, writer, seen), { reduction });
      return seen;
    };
    const full = observe(false);
    // Collecting with each set of fewer than 5 acknowledgements (99), committed with each set of 5 (21).
    expect(full.size).toBe(120);
    expect(observe(true)).toEqual(full);
  });

  it("symmetry: the multisets of RM states reachable are the same, from 80 instead of 288 states", () => {
    const observe = (symmetry: boolean) => {
      const model = twoPhaseCommitActors(3, { symmetry });
      const seen = new Set<string>();
      const rms = (state: SystemState) => {
        const view = model.view(state);
        const values = view.actors.slice(1).map((snapshot) => String(snapshot.value));
        return `${String(view.actors[0].value)} ${values.sort().join(",")}`;
      };
      const report = checkModel(observing(model, rms, seen));
      return { seen, states: report.uniqueStates };
    };
    const full = observe(false);
    const reduced = observe(true);
    expect([full.states, reduced.states]).toEqual([288, 80]);
    expect(reduced.seen).toEqual(full.seen);
  });

  it("symmetry at 5 RMs: 366 states instead of 8 832, the same verdicts", () => {
    const report = checkModel(twoPhaseCommitActors(5, { symmetry: true }));
    expect(report.uniqueStates).toBe(366);
    expect(report.properties.map((p) => p.holds)).toEqual([true, true, true]);
  });
});

describe("partial-order reduction sees the sends of named actions", () => {
  /**
   * A greeter's entry sends Hello to a recorder; a pinger's internal step sends Ping to it, from
   * an action written in the chart or named there and implemented in `setup`. The recorder tells
   * an auditor, whom the property reads, the order in which the two came. The pinger may still send
   * to the recorder, so the recorder's delivery of Hello cannot be taken alone: Ping can come
   * first whichever way the action is written.
   */
  function orders(named: boolean) {
    const noop = (_: unknown, _params: object) => {};
    const ping = enqueueActions(({ enqueue }) => enqueue({ type: "send", params: { to: "recorder", type: "Ping" } }));
    // The two spellings type differently; the checker sees only the chart.
    const pinger = setup({ actions: { send: noop, ping: ping as never } }).createMachine({
      initial: "idle",
      states: { idle: { on: { Go: { target: "done", actions: (named ? "ping" : ping) as never } } }, done: {} },
    });
    const greeter = setup({ actions: { send: noop } }).createMachine({
      entry: { type: "send", params: { to: "recorder", type: "Hello" } },
    });
    const recorder = setup({ types: {} as { context: { got: string[] } }, actions: { send: noop } }).createMachine({
      context: { got: [] },
      on: {
        "*": {
          actions: enqueueActions(({ context, event, enqueue }) => {
            const got = [...context.got, event.type];
            enqueue.assign({ got });
            if (got.length === 2) enqueue({ type: "send", params: { to: "auditor", type: got.join("-") } });
          }) as never,
        },
      },
    });
    const auditor = setup({ types: {} as { context: { order: string } } }).createMachine({
      context: { order: "" },
      on: { "*": { actions: assign({ order: ({ event }) => event.type }) } },
    });
    const pingFirst = (view: SystemView) => view.actors[3].context.order === "Ping-Hello";
    return new ActorModel({
      name: named ? "named ping" : "inline ping",
      actors: [
        { name: "pinger", machine: pinger, internalEvents: [{ type: "Go" }] },
        { name: "greeter", machine: greeter },
        { name: "recorder", machine: recorder },
        { name: "auditor", machine: auditor },
      ],
      properties: [
        {
          kind: "sometimes",
          id: "ping-arrives-first",
          name: "Ping arrives first",
          reads: ["auditor"],
          holds: pingFirst,
        },
      ],
    });
  }

  it("the same states and witness whether the sending action is written in the chart or named", () => {
    const [inline, named] = [false, true].map((n) => checkModel(orders(n)));
    expect([inline.uniqueStates, named.uniqueStates]).toEqual([9, 9]);
    expect([inline.properties[0].holds, named.properties[0].holds]).toEqual([true, true]);
  });
});

describe("the ample set of a state is the same however often it is asked for", () => {
  // The eventually searches ask again about the states the search expanded, and get the answer the
  // reduction kept: it must be the set it chose, a single delivery included, not the actor's whole set.
  it.each(["challenge-4-one-node"])("%s: every state of a breadth-first walk", (name) => {
    const model = (findModel(name) as NonNullable<ReturnType<typeof findModel>>).build() as unknown as Model<
      SystemState,
      SystemAction
    >;
    const label = (set: readonly SystemAction[][]) => JSON.stringify(set);
    let queue = model.initStates();
    const seen = new Set<string>();
    let singles = 0;
    for (let depth = 0; depth < 12 && queue.length > 0; depth++) {
      const next: SystemState[] = [];
      for (const state of queue) {
        const actions: SystemAction[] = [];
        model.actions(state, actions);
        const first = model.ampleSets?.(state, actions) ?? [];
        expect(label(model.ampleSets?.(state, actions) ?? [])).toBe(label(first));
        if (first.length > 0 && first[0].length === 1) singles++;
        for (const action of first.length > 0 ? first[0] : actions) {
          const successor = model.nextState(state, action);
          if (successor === undefined || seen.has(successor.join())) continue;
          seen.add(successor.join());
          next.push(successor);
        }
      }
      queue = next;
    }
    expect(singles).toBeGreaterThan(0);
  });
});
