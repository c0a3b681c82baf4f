/**
 * An actor model whose Byzantine menu is computed from the whole state: a counter R that takes
 * Ping(n) only when n is its count (up to 40), and a Byzantine B whose menu is Ping(count) and
 * Ping(count + 1), so each count met makes new messages that no local transition sent.
 */

import { assign, setup } from "xstate";
import { ActorModel } from "../../checker/actors.js";

export function echoModel(): ActorModel {
  const counter = setup({
    types: { context: {} as { n: number }, events: {} as { type: "Ping"; n: number } },
    guards: { current: ({ context, event }) => event.n === context.n && context.n < 40 },
    actions: { tick: assign({ n: ({ context }) => context.n + 1 }) },
  }).createMachine({ context: { n: 0 }, on: { Ping: { guard: "current", actions: "tick" } } });
  return new ActorModel({
    name: "echo",
    actors: [
      { name: "R", machine: counter },
      { name: "B", machine: counter },
    ],
    adversary: {
      budget: 1,
      byzantine: ["B"],
      menu: (view) => {
        const n = (view.actors[0].context as { n: number }).n;
        return [
          { to: "R", type: "Ping", n },
          { to: "R", type: "Ping", n: n + 1 },
        ];
      },
    },
    properties: [
      {
        id: "small",
        name: "small",
        kind: "always",
        holds: (view) => (view.actors[0].context as { n: number }).n < 100,
      },
    ],
  });
}
