/**
 * Actor systems of xstate v5 machines as checkable models. Each actor is a machine; what it sends
 * is data: a `send` action whose params name the recipient (`to`) and the event. The network holds
 * messages in flight; an action of the system delivers one of them (in any order: the network is
 * asynchronous) or lets an actor take one of its spontaneous steps (`internalEvents`).
 *
 * Local states are interned: each distinct (actor, value, context) gets an integer id, so a global
 * state is a short array of integers, its fingerprint hashes only those integers, and each local
 * transition is computed once with xstate's `transition()` and memoised by (state id, event id).
 */

import { type AnyStateMachine, type EventObject, type SnapshotFrom, initialTransition, transition } from "xstate";
import { fingerprintWords } from "./fingerprint.js";
import type { Fingerprint, Model, Property } from "./model.js";

/** One actor of the system. */
export interface ActorSpec {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly input?: unknown;
  /** Events the actor may take on its own at any time (guards decide when they do anything). */
  readonly internalEvents?: readonly EventObject[];
}

/** A message in flight. */
export interface Message {
  readonly from: number;
  readonly to: number;
  readonly event: EventObject;
}

/** How the network treats messages: `duplicating` keeps a delivered message (a set of messages). */
export type NetworkKind = "duplicating" | "unordered";

/** A global state: local state ids, then the ids of the messages in flight (sorted). */
export type SystemState = Int32Array;

/** An action of the system. */
export type SystemAction =
  | { readonly kind: "deliver"; readonly message: number }
  | { readonly kind: "internal"; readonly actor: number; readonly event: number };

/** What properties see of a state. */
export interface SystemView {
  readonly actors: readonly SnapshotFrom<AnyStateMachine>[];
  readonly messages: readonly Message[];
}

export interface ActorModelSpec {
  readonly name: string;
  readonly actors: readonly ActorSpec[];
  readonly network?: NetworkKind;
  readonly properties: readonly Property<SystemView>[];
}

/** The memoised local transition of one (local state, event). */
interface LocalStep {
  readonly next: number;
  readonly sent: readonly number[];
}

/** An actor system as a {@link Model}, with its interning tables. */
export class ActorModel implements Model<SystemState, SystemAction> {
  readonly name: string;
  readonly properties: readonly Property<SystemState>[];
  readonly actors: readonly ActorSpec[];
  private readonly network: NetworkKind;
  private readonly localIds = new Map<string, number>();
  private readonly locals: Array<{ actor: number; snapshot: SnapshotFrom<AnyStateMachine> }> = [];
  private readonly eventIds = new Map<string, number>();
  private readonly events: EventObject[] = [];
  private readonly messageIds = new Map<string, number>();
  private readonly messages: Message[] = [];
  /** The interned event of each message, so that a delivery needs no lookup by content. */
  private readonly messageEvents: number[] = [];
  private readonly memo = new Map<number, LocalStep>();
  private readonly internal: number[][];
  private readonly initial: SystemState;
  /** Local transitions computed with xstate (the rest came from the memo). */
  transitionsComputed = 0;

  constructor(spec: ActorModelSpec) {
    this.name = spec.name;
    this.actors = spec.actors;
    this.network = spec.network ?? "unordered";
    this.internal = spec.actors.map((actor) => (actor.internalEvents ?? []).map((event) => this.internEvent(event)));
    const sent: number[] = [];
    const locals = spec.actors.map((actor, index) => {
      const [snapshot, actions] = initialTransition(actor.machine, actor.input);
      sent.push(...this.outputs(index, actions));
      return this.internLocal(index, snapshot);
    });
    this.initial = this.compose(locals, sent);
    this.properties = spec.properties.map((property) => ({
      ...property,
      holds: (state: SystemState) => property.holds(this.view(state)),
    }));
  }

  initStates(): SystemState[] {
    return [this.initial];
  }

  actions(state: SystemState, out: SystemAction[]): void {
    const n = this.actors.length;
    for (let i = n; i < state.length; i++) {
      if (i > n && state[i] === state[i - 1]) continue; // the same message twice: one delivery
      out.push({ kind: "deliver", message: state[i] });
    }
    for (let actor = 0; actor < n; actor++) {
      for (const event of this.internal[actor]) out.push({ kind: "internal", actor, event });
    }
  }

  nextState(state: SystemState, action: SystemAction): SystemState | undefined {
    const n = this.actors.length;
    let actor: number;
    let event: number;
    let consumed = -1;
    if (action.kind === "deliver") {
      const message = this.messages[action.message];
      actor = message.to;
      event = this.messageEvents[action.message];
      if (this.network === "unordered") consumed = state.indexOf(action.message, n);
    } else {
      actor = action.actor;
      event = action.event;
    }
    const step = this.step(state[actor], event);
    if (step.next === state[actor] && step.sent.length === 0 && consumed < 0) return undefined;
    // Merge the messages still in flight (sorted) with the step's sent messages (sorted, distinct).
    const sent = step.sent;
    const next = new Int32Array(state.length - (consumed < 0 ? 0 : 1) + sent.length);
    next.set(state.subarray(0, n));
    next[actor] = step.next;
    const dedupe = this.network === "duplicating";
    let out = n;
    let j = 0;
    for (let i = n; i <= state.length; i++) {
      const inFlight = i < state.length ? state[i] : Number.POSITIVE_INFINITY;
      while (j < sent.length && sent[j] <= inFlight) {
        if (!(dedupe && sent[j] === inFlight)) next[out++] = sent[j];
        j++;
      }
      if (i < state.length && i !== consumed) next[out++] = inFlight;
    }
    const result = out === next.length ? next : next.subarray(0, out);
    if (result.length === state.length && result.every((v, i) => v === state[i])) return undefined;
    return result;
  }

  fingerprint(state: SystemState, out: Fingerprint): void {
    fingerprintWords(state, state.length, out);
  }

  formatAction(action: SystemAction): string {
    if (action.kind === "internal") return `${this.actors[action.actor].name}: ${this.events[action.event].type}`;
    const message = this.messages[action.message];
    return `${this.actors[message.from].name} → ${this.actors[message.to].name}: ${message.event.type}`;
  }

  /** What properties see: each actor's snapshot and the messages in flight. */
  view(state: SystemState): SystemView {
    const n = this.actors.length;
    return {
      actors: Array.from(state.subarray(0, n), (id) => this.locals[id].snapshot),
      messages: Array.from(state.subarray(n), (id) => this.messages[id]),
    };
  }

  /**
   * What a counterexample shows: one variable per actor ({state, context}) and `network`, the
   * messages in flight as {from, to, type, ...payload}. Message ids follow the order in which they
   * were first sent, which depends on the search, so the messages are sorted by content instead;
   * a duplicating network is a set of messages, an unordered one a list (a message may be twice).
   */
  describe(state: SystemState): Record<string, unknown> {
    const view = this.view(state);
    const vars: Record<string, unknown> = {};
    this.actors.forEach((actor, i) => {
      vars[actor.name] = { state: view.actors[i].value, context: view.actors[i].context };
    });
    const inFlight = view.messages
      .map((message) => ({ event: JSON.stringify(message.event), message }))
      .sort(
        (a, b) =>
          a.message.from - b.message.from ||
          a.message.to - b.message.to ||
          (a.event < b.event ? -1 : a.event > b.event ? 1 : 0),
      )
      .map(({ message }) => ({
        from: this.actors[message.from].name,
        to: this.actors[message.to].name,
        ...message.event,
      }));
    vars.network = this.network === "duplicating" ? new Set(inFlight) : inFlight;
    return vars;
  }

  private compose(locals: number[], inFlight: number[]): SystemState {
    let messages = inFlight.sort((a, b) => a - b);
    if (this.network === "duplicating") messages = messages.filter((id, i) => i === 0 || id !== messages[i - 1]);
    return Int32Array.from([...locals, ...messages]);
  }

  private step(local: number, event: number): LocalStep {
    const key = local * 1_048_576 + event;
    const cached = this.memo.get(key);
    if (cached) return cached;
    this.transitionsComputed++;
    const { actor, snapshot } = this.locals[local];
    const [next, actions] = transition(this.actors[actor].machine, snapshot, this.events[event]);
    const step = {
      next: next === snapshot ? local : this.internLocal(actor, next),
      sent: this.outputs(actor, actions),
    };
    this.memo.set(key, step);
    return step;
  }

  private outputs(from: number, actions: readonly { type: string; params?: unknown }[]): number[] {
    const sent: number[] = [];
    for (const action of actions) {
      if (action.type !== "send") continue;
      const { to, ...event } = action.params as { to: string; type: string };
      const recipient = this.actors.findIndex((actor) => actor.name === to);
      if (recipient < 0) throw new Error(`${this.actors[from].name} sends to unknown actor ${to}`);
      sent.push(this.internMessage({ from, to: recipient, event }));
    }
    return sent;
  }

  private internLocal(actor: number, snapshot: SnapshotFrom<AnyStateMachine>): number {
    const key = `${actor}|${JSON.stringify(snapshot.value)}|${JSON.stringify(snapshot.context)}`;
    let id = this.localIds.get(key);
    if (id === undefined) {
      id = this.locals.length;
      this.locals.push({ actor, snapshot });
      this.localIds.set(key, id);
    }
    return id;
  }

  private internEvent(event: EventObject): number {
    const key = JSON.stringify(event);
    let id = this.eventIds.get(key);
    if (id === undefined) {
      id = this.events.length;
      this.events.push(event);
      this.eventIds.set(key, id);
    }
    return id;
  }

  private internMessage(message: Message): number {
    const key = `${message.from}|${message.to}|${JSON.stringify(message.event)}`;
    let id = this.messageIds.get(key);
    if (id === undefined) {
      id = this.messages.length;
      this.messages.push(message);
      this.messageEvents.push(this.internEvent(message.event));
      this.messageIds.set(key, id);
    }
    return id;
  }
}
