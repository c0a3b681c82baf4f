/**
 * Typed messages: every model's `send` action takes a message of the model's own discriminated
 * union with its recipient, so a misspelled message type, a missing field or an unknown recipient
 * is a compile error rather than a message the checker delivers to no transition and drops.
 *
 * The `@ts-expect-error` lines are the test: `tsc --noEmit` (tsconfig includes test/) fails if one
 * of them compiles. The runtime checks confirm the machines still send only their unions' messages.
 */

import { describe, expect, it } from "vitest";
import { setup } from "xstate";
import { CHAIN, sendMessage } from "../machines/committee.js";
import { type QuorumOutgoing, quorumWrite, sendQuorumMessage } from "../models/examples/quorum-write.js";
import {
  type TwoPhaseOutgoing,
  sendTwoPhaseMessage,
  twoPhaseCommitActors,
} from "../models/examples/two-phase-commit-actors.js";
import { forEachReachableStep } from "./support/reachable.js";

/** A one-state machine whose `Go` event sends what `params` says, with `send` as its send action. */
const sender = <P>(send: (_: unknown, params: P) => void) =>
  setup({ types: {} as { events: { type: "Go" } }, actions: { send } });

describe("a message outside the model's union does not compile", () => {
  it("two-phase commit: the type, its fields and the recipient are checked", () => {
    const rm = sender(sendTwoPhaseMessage);
    const machines = [
      rm.createMachine({ on: { Go: { actions: { type: "send", params: { to: "TM", type: "Prepared", rm: 0 } } } } }),
      rm.createMachine({
        // @ts-expect-error: `Prepard` is no two-phase-commit message
        on: { Go: { actions: { type: "send", params: { to: "TM", type: "Prepard", rm: 0 } } } },
      }),
      rm.createMachine({
        // @ts-expect-error: `Prepared` names its RM
        on: { Go: { actions: { type: "send", params: { to: "TM", type: "Prepared" } } } },
      }),
      rm.createMachine({
        // @ts-expect-error: there is no actor `TN`
        on: { Go: { actions: { type: "send", params: { to: "TN", type: "Commit" } } } },
      }),
    ];
    const misspelled: TwoPhaseOutgoing[] = [
      // @ts-expect-error: `Comit` is no two-phase-commit message
      { to: "RM0", type: "Comit" },
    ];
    expect(machines).toHaveLength(4);
    expect(misspelled).toHaveLength(1);
  });

  it("quorum write: the machines' messages and the adversary's menu are checked", () => {
    const acceptor = sender(sendQuorumMessage);
    const machines = [
      acceptor.createMachine({
        on: { Go: { actions: { type: "send", params: { to: "writer", type: "Ack", acceptor: "A0", value: "v1" } } } },
      }),
      acceptor.createMachine({
        // @ts-expect-error: `Ack` names the acceptor that acknowledges
        on: { Go: { actions: { type: "send", params: { to: "writer", type: "Ack", value: "v1" } } } },
      }),
    ];
    const menu: QuorumOutgoing[] = [
      { to: "writer", type: "Ack", acceptor: "A2", value: "v1" },
      // @ts-expect-error: `Acknowledge` is no quorum-write message
      { to: "writer", type: "Acknowledge", acceptor: "A2", value: "v1" },
    ];
    expect(machines).toHaveLength(2);
    expect(menu).toHaveLength(2);
  });

  it("the Walrus machines: a protocol message of spec/messages.ts", () => {
    const node = sender(sendMessage);
    const machines = [
      node.createMachine({
        on: { Go: { actions: { type: "send", params: { to: CHAIN, type: "InitiateEpochChange" } } } },
      }),
      node.createMachine({
        // @ts-expect-error: `InitiateEpochChanges` is no protocol message
        on: { Go: { actions: { type: "send", params: { to: CHAIN, type: "InitiateEpochChanges" } } } },
      }),
    ];
    expect(machines).toHaveLength(2);
  });
});

describe("the example models send only their unions' messages", () => {
  it("two-phase commit (3 RMs): Prepared, Commit and Abort", () => {
    const model = twoPhaseCommitActors(3);
    const types = new Set<string>();
    forEachReachableStep(model, (state) => {
      for (const message of model.view(state).messages) types.add(message.event.type);
    });
    expect([...types].sort()).toEqual(["Abort", "Commit", "Prepared"]);
  });

  it("quorum write (4 acceptors, one Byzantine): Write and Ack", () => {
    const model = quorumWrite({ shards: [1, 1, 1, 1], byzantine: [3] });
    const types = new Set<string>();
    forEachReachableStep(model, (state) => {
      for (const message of model.view(state).messages) types.add(message.event.type);
    });
    expect([...types].sort()).toEqual(["Ack", "Write"]);
  });
});
