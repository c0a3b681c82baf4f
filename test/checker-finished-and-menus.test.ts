/**
 * An actor in a final state is done: it takes no more events (the machine's root may still have
 * handlers, which xstate's actors never run once done).
 *
 * Two ways an actor model leaves out states that change nothing any actor does: messages to an
 * actor in a final state leave the network (`dropToFinished`), and the Byzantine menus are in
 * flight from the start (`menuInFlight`). Both keep what the actors can reach and cut the states
 * that differ only in what is still in flight; both are refused with a property that reads the
 * network.
 */

import { assign, setup } from "xstate";
import { describe, expect, it } from "vitest";
import { ActorModel, type ActorModelSpec, type SystemView } from "../checker/actors.js";
import { checkModel } from "../checker/search.js";

const send = (_: unknown, _params: { to: string; type: string }) => {};

/** Three pings to a receiver that stops at the first; a counter that counts every ping it gets. */
function pings(options: { dropToFinished?: boolean; menuInFlight?: boolean; readsNetwork?: boolean }): ActorModel {
  const sender = setup({ actions: { send } }).createMachine({
    entry: [
      { type: "send", params: { to: "receiver", type: "Ping" } },
      { type: "send", params: { to: "receiver", type: "Ping" } },
      { type: "send", params: { to: "receiver", type: "Ping" } },
      { type: "send", params: { to: "counter", type: "Tick" } },
      { type: "send", params: { to: "counter", type: "Tock" } },
    ],
  });
  const receiver = setup({}).createMachine({
    initial: "waiting",
    states: { waiting: { on: { Ping: "done" } }, done: { type: "final" } },
  });
  const counter = setup({ types: {} as { context: { got: string[] } } }).createMachine({
    context: { got: [] },
    on: {
      "*": { actions: assign({ got: ({ context, event }) => [...new Set([...context.got, event.type])].sort() }) },
    },
  });
  const got = (view: SystemView) => (view.actors[2].context.got as string[]).join(",");
  const spec: ActorModelSpec = {
    name: "pings",
    dropToFinished: options.dropToFinished ?? false,
    actors: [
      { name: "sender", machine: sender },
      { name: "receiver", machine: receiver },
      { name: "counter", machine: counter },
      { name: "liar", machine: receiver },
    ],
    adversary: {
      budget: 1,
      byzantine: ["liar"],
      menu: {
        liar: [
          { to: "counter", type: "Lie" },
          { to: "counter", type: "Boast" },
        ],
      },
      menuInFlight: options.menuInFlight ?? false,
    },
    properties: [
      {
        kind: "sometimes",
        id: "the-receiver-is-done",
        name: "the receiver is done",
        reads: options.readsNetwork ? ["receiver", "network"] : ["receiver"],
        holds: (view) => view.actors[1].value === "done",
      },
      {
        kind: "sometimes",
        id: "the-counter-got-everything",
        name: "the counter got everything",
        reads: ["counter"],
        holds: (view) => got(view) === "Boast,Lie,Tick,Tock",
      },
    ],
  };
  return new ActorModel(spec);
}

const explore = (model: ActorModel) => {
  const report = checkModel(model, { reduction: false });
  return [report.uniqueStates, report.properties.map((p) => p.holds).join()];
};

describe("an actor in a final state", () => {
  it("takes no more events, even those its machine's root still handles", () => {
    const sender = setup({ actions: { send } }).createMachine({
      entry: [
        { type: "send", params: { to: "receiver", type: "Ping" } },
        { type: "send", params: { to: "receiver", type: "Again" } },
      ],
    });
    // `Again` would take a finished receiver back to waiting through the root's handler.
    const receiver = setup({ types: {} as { context: { finished: boolean } } }).createMachine({
      context: { finished: false },
      initial: "waiting",
      on: { Again: ".waiting" },
      states: {
        waiting: { on: { Ping: { target: "done", actions: assign({ finished: true }) } } },
        done: { type: "final" },
      },
    });
    const model = new ActorModel({
      name: "final",
      actors: [
        { name: "sender", machine: sender },
        { name: "receiver", machine: receiver },
      ],
      properties: [
        {
          kind: "always",
          id: "a-finished-receiver-stays-finished",
          name: "a finished receiver stays finished",
          reads: ["receiver"],
          holds: (view) => view.actors[1].value === "done" || !view.actors[1].context.finished,
        },
        {
          kind: "sometimes",
          id: "the-receiver-finishes",
          name: "the receiver finishes",
          reads: ["receiver"],
          holds: (view) => view.actors[1].value === "done",
        },
      ],
    });
    expect(checkModel(model, { reduction: false }).properties.map((p) => p.holds)).toEqual([true, true]);
  });
});

describe("states that differ only in what is still in flight", () => {
  it("the same witnesses, fewer states: 3 pings to a finished receiver, 2 Byzantine messages", () => {
    expect(explore(pings({}))).toEqual([144, "true,true"]);
    expect(explore(pings({ dropToFinished: true }))).toEqual([72, "true,true"]);
    expect(explore(pings({ menuInFlight: true }))).toEqual([64, "true,true"]);
    expect(explore(pings({ dropToFinished: true, menuInFlight: true }))).toEqual([32, "true,true"]);
  });

  it("a property that reads the network would see the difference: a ModelError", () => {
    expect(() => pings({ dropToFinished: true, readsNetwork: true })).toThrow(/reads the network/);
    expect(() => pings({ menuInFlight: true, readsNetwork: true })).toThrow(/reads the network/);
  });
});
