/**
 * A model module (`check --model FILE`) of models that end badly, for the tests of how a check
 * stops: each breaks an `always` property within a few steps and then goes on for ever, so that
 * only the timeout, the heap, a signal or `--stop-at-first` ends its search, and the report must
 * still carry the counterexample. And two machines that fail inside a step: one whose guard
 * throws, one whose eventless transitions go round in a cycle for ever.
 */

import { assign, setup } from "xstate";
import { ActorModel } from "../../checker/actors.js";
import type { Model } from "../../checker/model.js";
import { defineModel } from "../../models/index.js";

/** A node of an endless binary tree: its number (1 the root; children 2k and 2k + 1) and depth. */
interface Node {
  readonly id: number;
  readonly depth: number;
  /** Bytes of heap each state holds, so that a search's queue fills the heap (`heavy`). */
  readonly payload?: readonly number[];
}

/**
 * The endless tree, searched breadth-first its queue doubles at each level: `shallow` holds only
 * at depth 0 and 1 (violated in 2 steps). `stepMs`: each step busy-waits this long (a slow model);
 * `undescribed`: no `describe`, so no trace file can be written of it.
 */
function tree(
  name: string,
  options: { heavy?: boolean; stepMs?: number; undescribed?: boolean } = {},
): Model<Node, number> {
  const payload = (id: number) => (options.heavy ? Array.from({ length: 256 }, (_, i) => id + i) : undefined);
  const node = (id: number, depth: number): Node => {
    const heavy = payload(id);
    return heavy === undefined ? { id, depth } : { id, depth, payload: heavy };
  };
  return {
    name,
    initStates: () => [{ id: 1, depth: 0 }],
    actions: (_state, out) => {
      out.push(0, 1);
    },
    nextState: (state, action) => {
      if (options.stepMs !== undefined) {
        const until = Date.now() + options.stepMs;
        while (Date.now() < until) {
          // A step that takes its time, as one through a large codec does.
        }
      }
      return node(state.id * 2 + action, state.depth + 1);
    },
    fingerprint: (state, out) => {
      // The visited set places a state by `hi`: spread (an odd multiplier is one-to-one on 32 bits).
      out.hi = Math.imul(state.id >>> 0, 0x9e3779b1);
      out.lo = Math.floor(state.id / 2 ** 32) + 1;
    },
    properties: [
      { kind: "always", id: "shallow", name: "shallow", holds: (state) => state.depth < 2 },
      { kind: "sometimes", id: "deep", name: "deep", holds: (state) => state.depth === 3 },
    ],
    formatAction: (action) => (action === 0 ? "left" : "right"),
    ...(options.undescribed ? {} : { describe: (state: Node) => ({ id: state.id, depth: state.depth }) }),
    // Portable (`--workers`): the number in two words and the depth; the payload follows from the number.
    portable: {
      words: 3,
      encode: (state, out, at) => {
        out[at] = Math.floor(state.id / 2 ** 32);
        out[at + 1] = state.id >>> 0;
        out[at + 2] = state.depth;
      },
      decode: (words, at) =>
        node((words[at] as number) * 2 ** 32 + ((words[at + 1] as number) >>> 0), words[at + 2] as number),
    },
  };
}

/** A machine whose guard throws on its second event: a model error, not the checker's own. */
const brittle = setup({
  types: {} as { context: { count: number } },
  guards: {
    belowLimit: ({ context }) => {
      if (context.count >= 1) throw new Error("the limit table has no entry for 1");
      return true;
    },
  },
  actions: { count: assign({ count: ({ context }) => context.count + 1 }) },
}).createMachine({
  id: "brittle",
  context: { count: 0 },
  initial: "counting",
  states: { counting: { on: { Tick: { guard: "belowLimit", actions: "count" } } } },
});

/** A machine whose eventless transitions go round for ever once it is poked. */
const restless = setup({}).createMachine({
  id: "restless",
  initial: "idle",
  states: {
    idle: { on: { Poke: "ping" } },
    ping: { always: "pong" },
    pong: { always: "ping" },
  },
});

/** One actor running `machine`, which takes `event` of its own accord. */
function alone(name: string, machine: typeof brittle | typeof restless, event: string) {
  return new ActorModel({
    name,
    actors: [{ name: "A", machine, internalEvents: [{ type: event }] }],
    properties: [{ kind: "always", id: "anything", name: "anything", reads: ["A"], holds: () => true }],
  });
}

export const models = [
  defineModel({
    name: "endless",
    description: "an endless tree; shallow fails in 2 steps",
    build: () => tree("endless"),
  }),
  defineModel({
    name: "endless-heavy",
    description: "an endless tree whose states hold 256 numbers each",
    build: () => tree("endless-heavy", { heavy: true }),
  }),
  defineModel({
    name: "endless-slow",
    description: "an endless tree whose steps take 100 ms each",
    build: () => tree("endless-slow", { stepMs: 100 }),
  }),
  defineModel({
    name: "undescribed",
    description: "the endless tree without describe",
    build: () => tree("undescribed", { undescribed: true }),
  }),
  defineModel({ name: "brittle", description: "a guard that throws", build: () => alone("brittle", brittle, "Tick") }),
  defineModel({
    name: "restless",
    description: "eventless transitions in a cycle",
    build: () => alone("restless", restless, "Poke"),
  }),
];
