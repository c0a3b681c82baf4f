/**
 * The interning tables of an actor model and its memoised local transitions. Each distinct
 * (actor, value, context), event and message gets a small integer id, so a global state is a short
 * array of integers and its fingerprint hashes only those integers (as TLC and Stateright hash a
 * canonical encoding rather than objects). Each local transition is computed once with xstate's
 * `transition()` and memoised by (local-state id, event id): in a system most global states share
 * most local states, so the cache answers nearly every step.
 */

import {
  type AnyActorRef,
  type AnyActorScope,
  type AnyStateMachine,
  type EventObject,
  type ExecutableActionObject,
  type SnapshotFrom,
  createActor,
} from "xstate";
import { ModelError, NeverEndingTransition, TransitionError } from "../errors.js";
import { fingerprintText } from "../fingerprint.js";
import type { Fingerprint } from "../model.js";
import { InterningJournal } from "./journal.js";
import { BUILT, DERIVATION_WORDS, ELSEWHERE, STEP, type SharedIdBuffers, SharedIds } from "./shared-ids.js";
import type { ActorSpec, Message, OutgoingMessage } from "./types.js";

/** Local-state and message ids are 16-bit words of the state. */
const MAX_ID = 0xffff;

/**
 * Microsteps one local transition may take (xstate's `maxIterations`) unless its machine sets its
 * own limit: beyond it, eventless transitions or raised events go round in a cycle, and xstate
 * would loop for ever, collecting microsteps until the heap is exhausted.
 */
export const MAX_MICROSTEPS = 10_000;

/**
 * What a machine's `step` of an actor gives, with whatever it throws turned into a
 * {@link TransitionError} naming the actor, its state and the event. A machine that sets no
 * `maxIterations` of its own gets {@link MAX_MICROSTEPS} for the step: it is xstate's own guard
 * against a transition that never ends, which the checker must have, since no timeout can stop a
 * step that never returns.
 */
export function guardedStep<T>(
  machine: AnyStateMachine,
  where: { actor: string; state: unknown; event: string },
  step: () => T,
): T {
  const options = machine.options as { maxIterations?: number } | undefined;
  const own = options?.maxIterations;
  const bounded = options !== undefined && (own === undefined || !Number.isFinite(own));
  if (bounded) options.maxIterations = MAX_MICROSTEPS;
  try {
    return step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const mark = NeverEndingTransition.MARK;
    if (/^Infinite loop detected/.test(message)) {
      const limit = bounded ? MAX_MICROSTEPS : own;
      const reason = `${mark}: more than ${limit} microsteps without coming to rest (eventless transitions or raised events in a cycle)`;
      throw new NeverEndingTransition(where, reason, { cause: error });
    }
    // A mutant's guard evaluated without end says so in its message, which xstate wraps in its own.
    if (message.includes(mark))
      throw new NeverEndingTransition(where, message.slice(message.indexOf(mark)), { cause: error });
    throw new TransitionError(where, `the machine threw: ${message}`, { cause: error });
  } finally {
    if (bounded) options.maxIterations = own as number;
  }
}

/** A machine's pure transition: the next snapshot and the actions to execute, none executed. */
type PureTransition = (
  snapshot: SnapshotFrom<AnyStateMachine>,
  event: EventObject,
) => [SnapshotFrom<AnyStateMachine>, ExecutableActionObject[]];

/**
 * What xstate's pure `transition(machine, snapshot, event)` computes, with one inert actor scope
 * made for the machine rather than one per call: xstate makes its scope by creating an actor,
 * which works out the machine's initial state every time (a sixth of a challenge-4 search,
 * profiled). The scope is xstate's inert one: an actor never started, actions collected rather
 * than executed, nothing deferred, logged or emitted.
 */
function pureTransition(machine: AnyStateMachine): PureTransition {
  let actions: ExecutableActionObject[] = [];
  const scope = inertScope(createActor(machine), (action) => {
    actions.push(action);
  });
  return (snapshot, event) => {
    actions = [];
    return [machine.transition(snapshot, event, scope), actions];
  };
}

/**
 * An inert actor scope around `self`, as xstate's pure functions make one: nothing is deferred,
 * logged, emitted or stopped, and the actions a step would execute go to `execute`.
 */
export function inertScope(
  self: AnyActorRef,
  execute: (action: ExecutableActionObject) => void,
  id = "",
): AnyActorScope {
  return {
    self,
    id,
    sessionId: id,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    system: self.system,
    stopChild: () => {},
    actionExecutor: execute,
  };
}

/** How many local transitions actor models have computed so far, in this thread. */
let localTransitions = 0;

/**
 * The number of the local transition being computed (it grows by one for each): lets a rule tell
 * the evaluations of one transition from the next (a mutant's guard that never lets a transition
 * end, checker/mutation.ts).
 */
export function localTransitionNumber(): number {
  return localTransitions;
}

/** The memoised local transition of one (local state, event): the next local state and what it sent. */
export interface LocalStep {
  readonly next: number;
  /** Message ids, sorted and distinct. */
  readonly sent: readonly number[];
}

/** A local state: the actor it belongs to and its xstate snapshot. */
export interface LocalState {
  readonly actor: number;
  readonly snapshot: SnapshotFrom<AnyStateMachine>;
}

/**
 * What the threads of a parallel search share of an actor model's tables: the ids of its local
 * states and messages (shared-ids.ts), and the keys of the events made while the model was built,
 * which each thread's model must have made alike.
 */
export interface SharedTables {
  readonly locals: SharedIdBuffers;
  readonly messages: SharedIdBuffers;
  readonly builtEvents: readonly string[];
}

/** One actor model's ids for local states, events and messages, and its local-transition memo. */
export class ActorTables {
  // Local states, events and messages by id; each key is the value's JSON, so equal values share an id.
  readonly locals: LocalState[] = [];
  private readonly localIds = new Map<string, number>();
  readonly events: EventObject[] = [];
  private readonly eventIds = new Map<string, number>();
  readonly messages: Message[] = [];
  private readonly messageIds = new Map<string, number>();
  /** The interned event of each message, so that a delivery needs no lookup by content. */
  readonly messageEvents: number[] = [];
  /** memo[local][event]: the memoised step. */
  private readonly memo: Array<Array<LocalStep | undefined> | undefined> = [];
  /** Local transitions computed with xstate (the rest came from the memo). */
  transitionsComputed = 0;
  /** Each actor's pure transition, made when it first steps. */
  private readonly transitions: (PureTransition | undefined)[] = [];
  /** How the ids came to be and which transitions were computed, for another process to redo (journal.ts). */
  readonly journal = new InterningJournal();
  /**
   * How each local state and message id was made ({@link DERIVATION_WORDS} words each, shared-ids.ts),
   * for a parallel search to share; and the derivation of whatever is interned now.
   */
  private readonly localsMade: number[] = [];
  private readonly messagesMade: number[] = [];
  private deriving: readonly number[] = [BUILT, 0, 0];
  /** Events made while the model was built (−1 while it is being built). */
  private builtEvents = -1;
  /**
   * Per event, how a step on it is written in a derivation: a message that carries it, or −1 − its
   * id when the model was built with it (undefined: neither, the step is not redone elsewhere).
   */
  private readonly eventVia: (number | undefined)[] = [];
  /** The ids this thread shares with the other threads of a parallel search, once it does. */
  private shared:
    | { readonly locals: SharedIds; readonly messages: SharedIds; readonly tables: SharedTables }
    | undefined;
  private readonly key: Fingerprint = { hi: 0, lo: 0 };

  /** `name` is the model's, for errors; `actors` run the machines as the model was built with them. */
  constructor(
    readonly name: string,
    readonly actors: readonly ActorSpec[],
  ) {}

  /** The index of the actor called `name`; `where` says which part of the model named it, for the error. */
  actorIndex(name: string, where: string): number {
    const index = this.actors.findIndex((actor) => actor.name === name);
    if (index < 0) throw new ModelError(`${this.name}: ${where} names unknown actor ${name}`);
    return index;
  }

  /**
   * The step of local state `local` on event `event`, from the memo or else computed once with
   * xstate's pure `transition()`.
   */
  step(local: number, event: number): LocalStep {
    let row = this.memo[local];
    if (row === undefined) {
      row = [];
      this.memo[local] = row;
    }
    const cached = row[event];
    if (cached) return cached;
    this.transitionsComputed++;
    localTransitions++;
    const { actor, snapshot } = this.locals[local];
    // A machine in a final state is done: xstate's actors take no more events, but its pure
    // `transition` would still take one through a handler of the root (a final state has none of
    // its own). The checker keeps the actor's semantics: the message is consumed, nothing changes.
    if (snapshot.status !== "active") {
      const done = { next: local, sent: [] };
      row[event] = done;
      this.journal.step(local, event, done.next, done.sent);
      return done;
    }
    const spec = this.actors[actor];
    const occurring = this.events[event];
    let pure = this.transitions[actor];
    if (pure === undefined) {
      pure = pureTransition(spec.machine);
      this.transitions[actor] = pure;
    }
    const [next, actions] = guardedStep(
      // xstate reads the limit from the machine the snapshot belongs to.
      snapshot.machine,
      { actor: spec.name, state: snapshot.value, event: occurring.type },
      () => (pure as PureTransition)(snapshot, occurring),
    );
    // What this step makes new, another thread makes again by redoing it.
    const via = this.eventVia[event];
    const outside = this.deriving;
    this.deriving = via === undefined ? [ELSEWHERE, 0, 0] : [STEP, local, via];
    let step: LocalStep;
    try {
      step = {
        next: next === snapshot ? local : this.internLocal(actor, next),
        sent: [...new Set(this.outputs(actor, actions))].sort((a, b) => a - b),
      };
    } finally {
      this.deriving = outside;
    }
    row[event] = step;
    this.journal.step(local, event, step.next, step.sent);
    return step;
  }

  /** The memoised step of `local` on `event`, if it was computed already. */
  known(local: number, event: number): LocalStep | undefined {
    return this.memo[local]?.[event];
  }

  /**
   * Whether the local transitions computed so far rule out a cycle of global states: the steps
   * that change a local state form no cycle; a step that keeps it, on an event whose delivery
   * leaves something in place (`kept`: spontaneous events, a Byzantine actor's menu), sends
   * nothing; and a step that keeps it on a message it takes out sends only messages lower in the
   * order of events such steps make (their graph has no cycle either).
   *
   * Then along any path some actor's local state moves forward on a graph without cycles, or none
   * does and the path only adds faults (crashes, Byzantine sends, which nothing takes back) or
   * replaces a message in flight by messages of lower events, which in the multiset order of events
   * can happen only finitely often (Dershowitz and Manna, "Proving termination with multiset
   * orderings", 1979). So no global state reached through these transitions lies on a cycle, and the
   * search's cycle proviso has nothing to guard against (search.ts).
   */
  acyclic(kept: ReadonlySet<number>): boolean {
    const { memo } = this;
    // Steps that change a local state, by local state; steps that keep it, as edges between events.
    const forward: number[][] = Array.from({ length: memo.length }, () => []);
    const lower: number[][] = Array.from({ length: this.events.length }, () => []);
    for (let local = 0; local < memo.length; local++) {
      const row = memo[local];
      if (row === undefined) continue;
      for (let event = 0; event < row.length; event++) {
        const step = row[event];
        if (step === undefined) continue;
        if (step.next !== local) {
          forward[local].push(step.next);
        } else if (step.sent.length > 0) {
          if (kept.has(event)) return false;
          for (const message of step.sent) lower[event].push(this.messageEvents[message]);
        }
      }
    }
    return !hasCycle(forward) && !hasCycle(lower);
  }

  /** Whether local state `local` is final: its actor does nothing more. */
  finished(local: number): boolean {
    return this.locals[local].snapshot.status === "done";
  }

  /** The messages that actor `from`'s `send` actions name, interned in the order sent. */
  outputs(from: number, actions: readonly { type: string; params?: unknown }[]): number[] {
    const sent: number[] = [];
    for (const action of actions) {
      if (action.type !== "send") continue;
      sent.push(this.internOutgoing(from, action.params as OutgoingMessage));
    }
    return sent;
  }

  /** The id of a message actor `from` sends as a machine or the adversary names it. */
  internOutgoing(from: number, outgoing: OutgoingMessage): number {
    const { to, ...event } = outgoing;
    const recipient = this.actors.findIndex((actor) => actor.name === to);
    if (recipient < 0) throw new ModelError(`${this.actors[from].name} sends to unknown actor ${to}`);
    return this.internMessage({ from, to: recipient, event: event as EventObject });
  }

  /** The id of actor `actor`'s local state `snapshot`. */
  internLocal(actor: number, snapshot: SnapshotFrom<AnyStateMachine>): number {
    const key = `${actor}|${JSON.stringify(snapshot.value)}|${JSON.stringify(snapshot.context)}`;
    let id = this.localIds.get(key);
    if (id === undefined) {
      id = this.newId(key, this.locals.length, this.shared?.locals, this.localsMade, "local states");
      this.locals[id] = { actor, snapshot };
      this.localIds.set(key, id);
    }
    return id;
  }

  /** The id of an event. */
  internEvent(event: EventObject): number {
    const key = JSON.stringify(event);
    let id = this.eventIds.get(key);
    if (id === undefined) {
      id = this.events.length;
      this.events.push(event);
      this.eventIds.set(key, id);
      if (this.builtEvents < 0) this.eventVia[id] = -1 - id;
    }
    return id;
  }

  /** The id of a message. */
  internMessage(message: Message): number {
    const key = `${message.from}|${message.to}|${JSON.stringify(message.event)}`;
    let id = this.messageIds.get(key);
    if (id === undefined) {
      id = this.newId(key, this.messages.length, this.shared?.messages, this.messagesMade, "messages");
      this.messages[id] = message;
      const event = this.internEvent(message.event);
      this.messageEvents[id] = event;
      this.eventVia[event] ??= id;
      this.messageIds.set(key, id);
    }
    return id;
  }

  /**
   * A new id for the content of `key`: the next of this thread's, or the shared table's (an id
   * another thread gave the same content, or a new one) once the thread shares its ids.
   */
  private newId(key: string, next: number, shared: SharedIds | undefined, made: number[], what: string): number {
    let id: number | undefined = next;
    if (shared !== undefined) {
      fingerprintText(key, this.key);
      id = shared.intern(this.key, this.deriving);
    }
    if (id === undefined || id > MAX_ID) throw new ModelError(`${this.name}: more than ${MAX_ID + 1} distinct ${what}`);
    for (let w = 0; w < DERIVATION_WORDS; w++) made[id * DERIVATION_WORDS + w] = this.deriving[w];
    return id;
  }

  /**
   * The model is built: the ids made so far (spontaneous events, initial states and what they
   * send, static menus) are the same in every thread that builds it; what is interned from now on
   * is made by a step, or otherwise elsewhere.
   */
  built(): void {
    this.builtEvents = this.events.length;
    this.deriving = [ELSEWHERE, 0, 0];
  }

  /**
   * Shares this thread's ids with other threads (a parallel search): from now on new local states
   * and messages take their ids from the shared table, which starts with this thread's.
   */
  share(): SharedTables {
    if (this.shared !== undefined) return this.shared.tables;
    const locals = new SharedIds();
    const messages = new SharedIds();
    this.enter(locals, this.localIds, this.localsMade, "local state");
    this.enter(messages, this.messageIds, this.messagesMade, "message");
    const tables = { locals: locals.buffers, messages: messages.buffers, builtEvents: this.builtEventKeys() };
    this.shared = { locals, messages, tables };
    return tables;
  }

  /**
   * Takes its ids from the tables another thread shared, which must hold this thread's ids of the
   * same contents (both built the same model), as checked here.
   */
  join(tables: SharedTables): void {
    const events = this.builtEventKeys();
    if (events.length !== tables.builtEvents.length || events.some((key, e) => key !== tables.builtEvents[e])) {
      throw new ModelError(
        `${this.name}: this thread built the model with other events than the thread that shares its ids`,
      );
    }
    const locals = new SharedIds(tables.locals);
    const messages = new SharedIds(tables.messages);
    this.enter(locals, this.localIds, this.localsMade, "local state");
    this.enter(messages, this.messageIds, this.messagesMade, "message");
    this.shared = { locals, messages, tables };
  }

  /** Puts this thread's ids of `keys` into `shared`, or checks that it holds them under the same ids. */
  private enter(shared: SharedIds, keys: ReadonlyMap<string, number>, made: readonly number[], what: string): void {
    const byId: string[] = [];
    for (const [key, id] of keys) byId[id] = key;
    byId.forEach((key, id) => {
      fingerprintText(key, this.key);
      const given = shared.intern(this.key, made.slice(id * DERIVATION_WORDS, (id + 1) * DERIVATION_WORDS));
      if (given !== id) {
        throw new ModelError(`${this.name}: ${what} ${id} of this thread is ${given ?? "none"} in the shared ids`);
      }
    });
  }

  private builtEventKeys(): string[] {
    const keys: string[] = [];
    for (const [key, id] of this.eventIds) if (id < this.builtEvents) keys[id] = key;
    return keys;
  }

  /** Makes local state `id` in this thread if it has not yet: another thread gave the id. */
  haveLocal(id: number): void {
    if (this.locals[id] === undefined) this.redo(id, this.shared?.locals, "local state");
    if (this.locals[id] === undefined) throw new ModelError(`${this.name}: local state ${id} could not be made again`);
  }

  /** Makes message `id` in this thread if it has not yet: another thread gave the id. */
  haveMessage(id: number): void {
    if (this.messages[id] === undefined) this.redo(id, this.shared?.messages, "message");
    if (this.messages[id] === undefined) throw new ModelError(`${this.name}: message ${id} could not be made again`);
  }

  /** Redoes the local transition that made id `id` in another thread: it interns the same content, so the same id. */
  private redo(id: number, shared: SharedIds | undefined, what: string): void {
    if (shared === undefined || id >= shared.size) throw new ModelError(`${this.name}: there is no ${what} ${id}`);
    const [kind, local, via] = shared.derivation(id);
    if (kind !== STEP) {
      const how = kind === BUILT ? "when the model was built" : "outside a local transition";
      throw new ModelError(
        `${this.name}: ${what} ${id} was made ${how} in another thread, and cannot be made again here`,
      );
    }
    this.haveLocal(local);
    if (via >= 0) this.haveMessage(via);
    this.step(local, via >= 0 ? this.messageEvents[via] : -1 - via);
  }
}

/** Whether the directed graph of `edges` (node → successors; nodes 0 … edges.length − 1) has a cycle. */
function hasCycle(edges: readonly (readonly number[])[]): boolean {
  // Depth-first colouring: 1 on the current path, 2 done; an edge to a node on the path closes a cycle.
  const colour = new Uint8Array(edges.length);
  const path: number[] = [];
  const cursor: number[] = [];
  for (let root = 0; root < edges.length; root++) {
    if (colour[root] !== 0) continue;
    colour[root] = 1;
    path.push(root);
    cursor.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const out = edges[path[top]];
      if (cursor[top] === out.length) {
        colour[path[top]] = 2;
        path.pop();
        cursor.pop();
        continue;
      }
      const next = out[cursor[top]++];
      if (next >= edges.length || colour[next] === 2) continue;
      if (colour[next] === 1) return true;
      colour[next] = 1;
      path.push(next);
      cursor.push(0);
    }
  }
  return false;
}
