/**
 * Machines driven one event at a time with xstate's `initialTransition()` and `transition()`. As
 * with xstate's actors (and the checker), a machine in a final state takes no more events.
 */

import { type AnyStateMachine, initialTransition, transition } from "xstate";

/** A machine driven step by step: the snapshot, and the messages the last step sent. */
export function drive(machine: AnyStateMachine, input: unknown) {
  let [snapshot, actions] = initialTransition(machine, input);
  const sends = () =>
    (actions as readonly { type: string; params?: unknown }[])
      .filter((a) => a.type === "send")
      .map((a) => a.params as Record<string, unknown>);
  return {
    get snapshot() {
      return snapshot;
    },
    sent: sends(),
    step(event: Record<string, unknown>) {
      [snapshot, actions] =
        snapshot.status === "active" ? transition(machine, snapshot, event as never) : [snapshot, []];
      this.sent = sends();
      return this;
    },
  };
}
