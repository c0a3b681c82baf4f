/**
 * An actor model explored from a later starting point (checker/prefix.ts): the run before it
 * follows the ranking, the search starts where the goal first holds, and a run that cannot reach
 * the goal is a ModelError.
 */

import { assign, setup } from "xstate";
import { describe, expect, it } from "vitest";
import type { ActorModelSpec, SystemView } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { ActorModelAfterPrefix } from "../checker/prefix.js";
import { checkModel } from "../checker/search.js";

const send = (_: unknown, _params: { to: string; type: string }) => {};

/** Two senders, each with one ping for a receiver that logs who pinged, in order. */
function spec(): ActorModelSpec {
  const sender = setup({ actions: { send } }).createMachine({
    entry: { type: "send", params: { to: "receiver", type: "Ping" } },
  });
  const receiver = setup({ types: {} as { context: { log: string[] } } }).createMachine({
    context: { log: [] },
    on: { "*": { actions: assign({ log: ({ context }) => [...context.log, "ping"] }) } },
  });
  return {
    name: "pings",
    actors: [
      { name: "a", machine: sender },
      { name: "b", machine: sender },
      { name: "receiver", machine: receiver },
    ],
    properties: [
      {
        kind: "sometimes",
        id: "two-pings",
        name: "two pings",
        reads: ["receiver"],
        holds: (view) => pings(view) === 2,
      },
    ],
  };
}

const pings = (view: SystemView) => (view.actors[2].context.log as string[]).length;

describe("a model explored after a prefix", () => {
  it("starts where the ranked run first meets the goal, taking the lower rank first", () => {
    const model = new ActorModelAfterPrefix(spec(), {
      goal: (view) => pings(view) === 1,
      // b's ping before a's.
      rank: (_, message) => (message === undefined ? undefined : message.from === 1 ? 0 : 1),
    });
    const [start] = model.initStates();
    const view = model.view(start);
    expect(pings(view)).toBe(1);
    // a's ping is the one still in flight.
    expect(view.messages.map((m) => m.from)).toEqual([0]);
    const report = checkModel(model, { reduction: false });
    expect([report.uniqueStates, report.properties[0]?.holds]).toEqual([2, true]);
  });

  it("a run that cannot reach the goal is a ModelError", () => {
    const never = () => new ActorModelAfterPrefix(spec(), { goal: (view) => pings(view) === 3, rank: () => 0 });
    expect(never).toThrow(ModelError);
    expect(never).toThrow(/pings: the run does not reach its starting point/);
  });
});
