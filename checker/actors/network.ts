/**
 * The network of an actor model: where the messages in flight sit in a global state, which of
 * them may be delivered or lost next, and how a step's sends go in. The semantics are Stateright's
 * (unordered, per-link FIFO, duplicating, lossy): asynchronous by default, so any message in
 * flight may be delivered next. On an unordered network the messages are kept sorted, so that two
 * states that differ only in the order of sends are one state; on a duplicating one they form a
 * set, as in TwoPhase.tla.
 */

import type { ActorModelSpec, Message, NetworkSpec, SystemAction, SystemState } from "./types.js";

/** A model's network written out in full: a shorthand or missing options take their defaults. */
export function networkSpec(network: ActorModelSpec["network"]): Required<NetworkSpec> {
  if (network === undefined || network === "unordered")
    return { ordering: "unordered", duplication: false, loss: false };
  if (network === "duplicating") return { ordering: "unordered", duplication: true, loss: false };
  if (network === "fifo") return { ordering: "fifo", duplication: false, loss: false };
  return {
    ordering: network.ordering ?? "unordered",
    duplication: network.duplication ?? false,
    loss: network.loss ?? false,
  };
}

/** The messages in flight of one model's states, from word `header` on. */
export class Network {
  /**
   * Whether the states made now go into storage reused from one to the next (scratch arrays, one
   * per length), for a search that keeps a copy of only the new ones (`Model.transient`).
   */
  reuse = false;
  private readonly scratch: Uint16Array[] = [];
  /**
   * The delivery of each message from each position, made once: actions are values nothing
   * changes, and a search asks for those of every state it expands.
   */
  private readonly deliveryActions: SystemAction[][] = [];

  /**
   * `n` actors; the messages start at word `header` of a state; `messages` is the model's table of
   * interned messages (it grows as the search meets new ones).
   */
  constructor(
    readonly spec: Required<NetworkSpec>,
    private readonly n: number,
    private readonly header: number,
    private readonly messages: readonly Message[],
  ) {}

  /**
   * Appends the deliveries and losses enabled in `state`: a message to an actor in `down` (a bit
   * mask: crashed or Byzantine, so not running its machine) is not delivered, though it may be lost.
   */
  deliveries(state: SystemState, down: number, out: SystemAction[]): void {
    const fifo = this.spec.ordering === "fifo";
    for (let at = this.header; at < state.length; at++) {
      const message = state[at];
      const previous = at > this.header ? state[at - 1] : -1;
      // On an unordered network equal messages are one choice; on a FIFO link only the head is.
      const choice = fifo ? previous < 0 || this.linkOf(previous) !== this.linkOf(message) : message !== previous;
      if (choice && (down & (1 << this.messages[message].to)) === 0) {
        out.push(this.delivery(message, at));
        if (fifo && this.spec.duplication) out.push({ kind: "deliver", message, at, keep: true });
      }
      if (this.spec.loss && (fifo || message !== previous)) out.push({ kind: "drop", message, at });
    }
  }

  /** The delivery of `message` from word `at` of a state. */
  private delivery(message: number, at: number): SystemAction {
    let row = this.deliveryActions[at];
    if (row === undefined) {
      row = [];
      this.deliveryActions[at] = row;
    }
    let action = row[message];
    if (action === undefined) {
      action = { kind: "deliver", message, at };
      row[message] = action;
    }
    return action;
  }

  /** Whether `message` is in flight in `state`. */
  inFlight(state: SystemState, message: number): boolean {
    for (let at = this.header; at < state.length; at++) if (state[at] === message) return true;
    return false;
  }

  /** The link a message travels on, as a number that orders links by sender, then recipient. */
  linkOf(message: number): number {
    const { from, to } = this.messages[message];
    return from * this.n + to;
  }

  /**
   * Messages in the order the network keeps them: grouped by link in their given order on a FIFO
   * network, sorted otherwise. Sorts `network` in place.
   */
  arrange(network: number[]): number[] {
    if (this.spec.ordering === "fifo") {
      const stable = network.map((message, i) => [this.linkOf(message), i, message]);
      stable.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      return stable.map((entry) => entry[2]);
    }
    return network.sort((a, b) => a - b);
  }

  /**
   * `state` with actor `actor`'s local state replaced by `local` (actor −1: none), the message at
   * `removeAt` taken out (−1: none) and `sent` added where the network puts them; undefined when
   * that changes nothing.
   */
  withNetwork(
    state: SystemState,
    actor: number,
    local: number,
    removeAt: number,
    sent: readonly number[],
  ): SystemState | undefined {
    const localChanged = actor >= 0 && state[actor] !== local;
    if (removeAt < 0 && sent.length === 0) {
      if (!localChanged) return undefined;
      const next = this.made(state.length);
      next.set(state);
      next[actor] = local;
      return next;
    }
    let next: Uint16Array;
    let out: number;
    if (this.spec.ordering === "fifo") {
      const network = Array.from(state.subarray(this.header));
      if (removeAt >= 0) network.splice(removeAt - this.header, 1);
      for (const message of sent) {
        const link = this.linkOf(message);
        let at = network.length;
        // After the last message of the same link, or before the first of a later link.
        for (let i = network.length - 1; i >= -1; i--) {
          if (i < 0 || this.linkOf(network[i]) <= link) {
            at = i + 1;
            break;
          }
        }
        network.splice(at, 0, message);
      }
      next = this.made(this.header + network.length);
      for (let i = 0; i < this.header; i++) next[i] = state[i];
      next.set(network, this.header);
      out = next.length;
    } else {
      // Merge the messages still in flight (sorted) with the sent ones (sorted, distinct).
      const dedupe = this.spec.duplication;
      next = this.made(state.length - (removeAt < 0 ? 0 : 1) + sent.length);
      for (let i = 0; i < this.header; i++) next[i] = state[i];
      out = this.header;
      let j = 0;
      for (let i = this.header; i <= state.length; i++) {
        const inFlight = i < state.length ? state[i] : Number.POSITIVE_INFINITY;
        while (j < sent.length && sent[j] <= inFlight) {
          if (!(dedupe && (sent[j] === inFlight || (out > this.header && next[out - 1] === sent[j]))))
            next[out++] = sent[j];
          j++;
        }
        if (i < state.length && i !== removeAt) next[out++] = inFlight;
      }
    }
    if (actor >= 0) next[actor] = local;
    const result = out === next.length ? next : next.subarray(0, out);
    // On a duplicating network a step may send only what is already in flight.
    if (!localChanged && removeAt < 0 && result.length === state.length) {
      let same = true;
      for (let i = this.header; i < state.length && same; i++) same = result[i] === state[i];
      if (same) return undefined;
    }
    return result;
  }

  /** A state's words, `length` of them: new, or scratch (see {@link reuse}). */
  private made(length: number): Uint16Array {
    if (!this.reuse) return new Uint16Array(length);
    let words = this.scratch[length];
    if (words === undefined) {
      words = new Uint16Array(length);
      this.scratch[length] = words;
    }
    return words;
  }
}
