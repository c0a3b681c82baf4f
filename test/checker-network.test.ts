/**
 * Network semantics and faults of actor models: FIFO links against an unordered network, loss,
 * duplication, crashes and a Byzantine adversary within its shard budget; and the typed errors
 * of a model built with impossible parameters.
 */

import { assign, setup } from "xstate";
import { describe, expect, it } from "vitest";
import {
  ActorModel,
  type NetworkKind,
  type NetworkSpec,
  type SystemView,
  everyActor,
  ofParts,
} from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { checkModel } from "../checker/search.js";
import { quorumWrite } from "../models/examples/quorum-write.js";

const send = (_: unknown, _params: { to: string; type: string }) => {};

/** A sender that sends First then Second to a receiver, which records the order it got them in. */
function ordering(network: NetworkKind | NetworkSpec): ActorModel {
  const sender = setup({ actions: { send } }).createMachine({
    entry: [
      { type: "send", params: { to: "receiver", type: "First" } },
      { type: "send", params: { to: "receiver", type: "Second" } },
    ],
  });
  const receiver = setup({
    types: {} as { context: { got: string[] }; events: { type: "First" } | { type: "Second" } },
  }).createMachine({
    context: { got: [] },
    on: {
      "*": { actions: assign({ got: ({ context, event }) => [...context.got, event.type] }) },
    },
  });
  const got = (view: SystemView) => (view.actors[1].context.got as string[]).join(",");
  return new ActorModel({
    name: "ordering",
    network,
    actors: [
      { name: "sender", machine: sender },
      { name: "receiver", machine: receiver },
    ],
    properties: [
      {
        kind: "sometimes",
        id: "second-before-first",
        name: "Second before First",
        holds: (view) => got(view).startsWith("Second"),
      },
      {
        kind: "sometimes",
        id: "first-then-second",
        name: "First then Second",
        holds: (view) => got(view) === "First,Second",
      },
      {
        kind: "sometimes",
        id: "a-message-received-twice",
        name: "a message received twice",
        holds: (view) => /(First|Second).*\1/.test(got(view)),
      },
      {
        kind: "sometimes",
        id: "second-without-first",
        name: "Second without First",
        holds: (view) => got(view) === "Second" && view.messages.length === 0,
      },
    ],
  });
}

const reached = (model: ActorModel) =>
  Object.fromEntries(checkModel(model, { maxDepth: 3 }).properties.map((p) => [p.name, p.holds]));

describe("network semantics", () => {
  it("unordered: either message may arrive first, each once", () => {
    expect(reached(ordering("unordered"))).toEqual({
      "Second before First": true,
      "First then Second": true,
      "a message received twice": false,
      "Second without First": false,
    });
  });

  it("FIFO: a link delivers in send order", () => {
    expect(reached(ordering("fifo"))).toEqual({
      "Second before First": false,
      "First then Second": true,
      "a message received twice": false,
      "Second without First": false,
    });
  });

  it("loss: a message may vanish", () => {
    expect(reached(ordering({ ordering: "fifo", loss: true }))).toMatchObject({
      "Second before First": true, // First was lost
      "Second without First": true,
    });
  });

  it("duplication: a delivered message can be delivered again, on either ordering", () => {
    expect(reached(ordering("duplicating"))["a message received twice"]).toBe(true);
    const fifo = reached(ordering({ ordering: "fifo", duplication: true }));
    expect(fifo["a message received twice"]).toBe(true);
    expect(fifo["Second before First"]).toBe(false);
  });

  it("pins the state counts of each network", () => {
    const count = (network: NetworkKind | NetworkSpec) => checkModel(ordering(network), { maxDepth: 3 }).uniqueStates;
    expect([
      count("unordered"),
      count("fifo"),
      count({ loss: true }),
      count({ ordering: "fifo", loss: true }),
      count("duplicating"),
    ]).toEqual([5, 3, 10, 8, 15]);
  });
});

describe("faults within a budget counted in shards", () => {
  it("a crashed acceptor never receives: the write still completes with n − f", () => {
    const report = checkModel(quorumWrite({ shards: [1, 1, 1, 1], crash: [0, 1, 2, 3] }));
    expect(report.properties.every((p) => p.holds)).toBe(true);
  });

  it("with two crashes allowed (f + 1) the write can stall: a quiescent state without commit", () => {
    const report = checkModel(quorumWrite({ shards: [1, 1, 1, 1], crash: [0, 1, 2, 3], budget: 2 }));
    const eventually = report.properties.find((p) => p.kind === "eventually");
    expect(eventually).toMatchObject({ holds: false, violation: "quiescent" });
  });

  it("one Byzantine acceptor (f) cannot break quorum intersection; two (f + 1) can, in 6 steps", () => {
    expect(checkModel(quorumWrite({ shards: [1, 1, 1, 1], byzantine: [3] })).properties.every((p) => p.holds)).toBe(
      true,
    );
    const model = quorumWrite({ shards: [1, 1, 1, 1], byzantine: [2, 3], budget: 2 });
    // The full search's first shortest path (a reduced search finds one as short, in another order).
    const [intersection] = checkModel(model, { reduction: false }).properties;
    if (intersection.holds || intersection.kind !== "always") throw new Error("expected a counterexample");
    expect(intersection.counterexample.steps.map((step) => model.formatAction(step.action))).toEqual([
      'writer → A0: Write {"value":"v1"}',
      'A0 → writer: Ack {"acceptor":"A0","value":"v1"}',
      'A2 (Byzantine) sends Ack {"acceptor":"A2","value":"v1"} to writer',
      'A2 → writer: Ack {"acceptor":"A2","value":"v1"}',
      'A3 (Byzantine) sends Ack {"acceptor":"A3","value":"v1"} to writer',
      'A3 → writer: Ack {"acceptor":"A3","value":"v1"}',
    ]);
  });

  it("weights count: a Byzantine acceptor of 2 shards within f = 2 of n = 7", () => {
    const report = checkModel(quorumWrite({ shards: [2, 1, 1, 1, 2], byzantine: [0] }));
    expect(report.properties.every((p) => p.holds)).toBe(true);
  });

  it("rejects impossible adversaries and models with typed errors", () => {
    expect(() => quorumWrite({ shards: [2, 1, 1, 1, 2], byzantine: [0, 4] })).toThrow(
      /Byzantine actors hold 4 shards, above the budget of 2/,
    );
    expect(() => quorumWrite({ shards: [1, 1, 1, 1], byzantine: [7] })).toThrow(ModelError);
    expect(() => quorumWrite({ shards: [1, 1] })).toThrow(/at least 4 shards/);
    const machine = setup({}).createMachine({});
    const make = (spec: Partial<ConstructorParameters<typeof ActorModel>[0]>) =>
      new ActorModel({ name: "m", actors: [{ name: "a", machine }], properties: [], ...spec });
    expect(() => make({ adversary: { budget: 1, byzantine: ["a"] } })).toThrow(/need a menu/);
    expect(() => make({ adversary: { budget: 1, crash: ["b"] } })).toThrow(/unknown actor b/);
    expect(() => make({ adversary: { budget: -1 } })).toThrow(/non-negative integer/);
    expect(() => make({ actors: [{ name: "a", machine, shards: 0 }] })).toThrow(/shards must be a positive integer/);
    expect(() =>
      make({
        actors: [
          { name: "a", machine },
          { name: "a", machine },
        ],
      }),
    ).toThrow(/names must be distinct/);
  });

  it("a property that reads an actor it does not declare is a ModelError, not a silent answer", () => {
    const machine = setup({}).createMachine({});
    const model = new ActorModel({
      name: "m",
      actors: [
        { name: "a", machine },
        { name: "b", machine },
      ],
      properties: [
        { kind: "always", id: "peeks", name: "peeks", reads: ["a"], holds: (view) => view.actors[1].value !== "x" },
      ],
    });
    expect(() => checkModel(model)).toThrow(ModelError);
    expect(() => checkModel(model)).toThrow(/property "peeks" failed .*does it read an actor it does not declare/);
    const network = new ActorModel({
      name: "m",
      actors: [{ name: "a", machine }],
      properties: [
        { kind: "always", id: "counts", name: "counts", reads: ["a"], holds: (view) => view.messages.length === 0 },
      ],
    });
    expect(() => checkModel(network)).toThrow(/property "counts" reads the network, which it does not declare/);
  });

  it("a property of parts must give every actor it reads a part, and an actor takes at most 31 parts", () => {
    const machine = setup({}).createMachine({});
    const actors = [
      { name: "a", machine },
      { name: "b", machine },
    ];
    const always = (id: string) => ({ kind: "always" as const, id, name: id });
    const unparted = () =>
      new ActorModel({
        name: "m",
        actors,
        properties: [
          {
            ...always("half"),
            ...ofParts({ a: { actor: "a", holds: () => true } }, (value) => value("a")),
            reads: ["a", "b"],
          },
        ],
      });
    expect(unparted).toThrow(/property "half" reads b but has no part for it/);
    const crowded = () =>
      new ActorModel({
        name: "m",
        actors,
        properties: [{ ...always("many"), ...everyActor(Array(32).fill("a"), () => true) }],
      });
    expect(crowded).toThrow(/a is read alone by 32 properties or parts: at most 31/);
  });
});
