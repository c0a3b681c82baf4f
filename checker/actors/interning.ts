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
import { InterningJournal } from "./journal.js";
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
    const step = {
      next: next === snapshot ? local : this.internLocal(actor, next),
      sent: [...new Set(this.outputs(actor, actions))].sort((a, b) => a - b),
    };
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
      id = this.locals.length;
      if (id > MAX_ID) throw new ModelError(`${this.name}: more than ${MAX_ID + 1} distinct local states`);
      this.locals.push({ actor, snapshot });
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
    }
    return id;
  }

  /** The id of a message. */
  internMessage(message: Message): number {
    const key = `${message.from}|${message.to}|${JSON.stringify(message.event)}`;
    let id = this.messageIds.get(key);
    if (id === undefined) {
      id = this.messages.length;
      if (id > MAX_ID) throw new ModelError(`${this.name}: more than ${MAX_ID + 1} distinct messages`);
      this.messages.push(message);
      this.messageEvents.push(this.internEvent(message.event));
      this.messageIds.set(key, id);
    }
    return id;
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
