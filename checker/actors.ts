/**
 * Actor systems of xstate v5 machines as checkable models. Each actor is a machine; what it sends
 * is data: a `send` action whose params name the recipient (`to`) and the event. The network holds
 * messages in flight; an action of the system delivers one of them (in any order on an unordered
 * network, in send order per link on a FIFO one), loses one (a lossy network), lets an actor take
 * one of its spontaneous steps (`internalEvents`: the environment), crashes an actor, or lets a
 * Byzantine actor send a message from the adversary's menu. Faults are bounded by a budget counted
 * in shards, as Walrus counts them.
 *
 * Local states are interned: each distinct (actor, value, context) gets an integer id, so a global
 * state is a short array of integers, its fingerprint hashes only those integers, and each local
 * transition is computed once with xstate's `transition()` and memoised by (state id, event id).
 *
 * Layout of a global state (16-bit words, so that V8 keeps a typical state of a few dozen words
 * on its heap): one local-state id per actor; with an adversary, two fault words (bit a of the
 * first: actor a crashed; of the second: actor a is Byzantine); then the ids of the messages in flight — sorted on an
 * unordered network, grouped by link (sender, recipient) and in send order within a link on a FIFO
 * network.
 */

import {
  type AnyStateMachine,
  type EventObject,
  type SnapshotFrom,
  type AnyStateNode,
  initialTransition,
  transition,
} from "xstate";
import { ModelError } from "./errors.js";
import { fingerprintWords } from "./fingerprint.js";
import type { Fingerprint, Model, Property } from "./model.js";

/** A rewrite of the machines of the actor models built while it is in force (see {@link withMachineRewrite}). */
export type MachineRewrite = (machine: AnyStateMachine) => AnyStateMachine;

let machineRewrite: MachineRewrite | undefined;

/**
 * Builds models whose actors run `rewrite(machine)` instead of each machine they are given: how a
 * mutant of a machine (checker/mutation.ts) is put into models built by code that knows nothing
 * of it. The rewrite is in force while `build` runs, synchronously; actors that share a machine
 * share its rewrite, so symmetry still sees them as interchangeable.
 */
export function withMachineRewrite<T>(rewrite: MachineRewrite, build: () => T): T {
  const outer = machineRewrite;
  const rewritten = new Map<AnyStateMachine, AnyStateMachine>();
  machineRewrite = (machine) => {
    let result = rewritten.get(machine);
    if (result === undefined) {
      result = rewrite(machine);
      rewritten.set(machine, result);
    }
    return result;
  };
  try {
    return build();
  } finally {
    machineRewrite = outer;
  }
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

function rewriteMachines(spec: ActorModelSpec): ActorModelSpec {
  const rewrite = machineRewrite;
  if (rewrite === undefined) return spec;
  return { ...spec, actors: spec.actors.map((actor) => ({ ...actor, machine: rewrite(actor.machine) })) };
}

/** One actor of the system. */
export interface ActorSpec {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly input?: unknown;
  /** Events the actor may take on its own at any time (guards decide when they do anything). */
  readonly internalEvents?: readonly EventObject[];
  /** Shards the actor holds: its weight in quorums and in the adversary's budget. Default 1. */
  readonly shards?: number;
  /**
   * Every actor this one may ever send to, for partial-order reduction when a `send` computes its
   * recipient at run time. Default: any actor.
   */
  readonly sendsTo?: readonly string[];
}

/** A message in flight. */
export interface Message {
  readonly from: number;
  readonly to: number;
  readonly event: EventObject;
}

/** A message as a machine or the adversary names it: the recipient and the event. */
export type OutgoingMessage = EventObject & { readonly to: string };

/**
 * How the network treats messages. `ordering`: `unordered` (any message in flight may be delivered
 * next) or `fifo` (per link, in send order). `duplication`: delivery does not consume a message, so
 * it can be received again (on an unordered network the messages then form a set, as in
 * TwoPhase.tla). `loss`: the network may drop any message in flight.
 */
export interface NetworkSpec {
  readonly ordering?: "unordered" | "fifo";
  readonly duplication?: boolean;
  readonly loss?: boolean;
}

/** Shorthands: `unordered`, `fifo`, and `duplicating` (unordered with duplication). */
export type NetworkKind = "duplicating" | "unordered" | "fifo";

/** The adversary: what may fail, how, and within which budget. */
export interface AdversarySpec {
  /** Faulty shards at most, crashed and Byzantine together (Walrus's f). */
  readonly budget: number;
  /** Actors that may crash at any point (a crash stops the actor for good). */
  readonly crash?: readonly string[];
  /** Actors that are Byzantine from the start: their machines do not run, they send from the menu. */
  readonly byzantine?: readonly string[];
  /**
   * What each Byzantine actor may send, by actor name, or a function of the whole state (the
   * adversary sees everything). A Byzantine message, once sent, stays in flight and may be
   * delivered any number of times (the adversary can always send it again), which keeps the
   * state space finite without counting resends.
   */
  readonly menu?:
    | Readonly<Record<string, readonly OutgoingMessage[]>>
    | ((view: SystemView, actor: string) => readonly OutgoingMessage[]);
  /**
   * The Byzantine actors' menus (a record) are in flight from the initial state instead of sent one
   * message at a time. A Byzantine message is never consumed, so a message sent later can as well
   * be delivered later: the correct actors behave the same, and only the states where part of a
   * menu is still unsent are left out. Not with a property that reads the network.
   */
  readonly menuInFlight?: boolean;
}

/**
 * Interchangeable actors (the same machine, inputs that differ only in identity). States that
 * differ by a permutation of the group are explored once. Identities inside contexts and events
 * are rewritten by the model's functions; `perm[i]` is the new group position of the member at
 * position i.
 */
export interface SymmetrySpec {
  readonly actors: readonly string[];
  /** An actor's context with the group's identities permuted. */
  readonly renameContext?: (actor: string, context: unknown, perm: readonly number[]) => unknown;
  /** An event with the group's identities permuted. */
  readonly renameEvent?: (event: EventObject, perm: readonly number[]) => EventObject;
}

/** A global state: local state ids, the fault word, then the ids of the messages in flight. */
export type SystemState = Uint16Array;

/** An action of the system. `at` is the position of the message in the state. */
export type SystemAction =
  | { readonly kind: "deliver"; readonly message: number; readonly at: number; readonly keep?: boolean }
  | { readonly kind: "drop"; readonly message: number; readonly at: number }
  | { readonly kind: "internal"; readonly actor: number; readonly event: number }
  | { readonly kind: "crash"; readonly actor: number }
  | { readonly kind: "byzantine"; readonly actor: number; readonly message: number };

/** Whether an actor runs its machine, has crashed, or is played by the adversary. */
export type ActorStatus = "correct" | "crashed" | "byzantine";

/** What properties see of a state. */
export interface SystemView {
  readonly actors: readonly SnapshotFrom<AnyStateMachine>[];
  readonly status: readonly ActorStatus[];
  readonly messages: readonly Message[];
}

/**
 * A property of an actor system. `reads` names the actors whose snapshot or status it looks at
 * (and `network` for the messages in flight); the view it gets lets it read nothing else. Actions
 * that change nothing a property reads are invisible to it, which is what lets partial-order
 * reduction reorder them. Without `reads` a property reads everything.
 */
export type SystemProperty = Property<SystemView> & { readonly reads?: readonly string[] };

/** An actor system to check: its actors, network, adversary, symmetry and properties. */
export interface ActorModelSpec {
  readonly name: string;
  readonly actors: readonly ActorSpec[];
  readonly network?: NetworkKind | NetworkSpec;
  readonly adversary?: AdversarySpec;
  readonly symmetry?: SymmetrySpec;
  readonly properties: readonly SystemProperty[];
  /**
   * Messages to an actor in a final state leave the network at once (when sent, or when the actor
   * finishes): it would consume them one by one without doing anything, in every order, which
   * multiplies the states and changes nothing any actor does. Not allowed with a property that
   * reads the network, which would see the difference.
   */
  readonly dropToFinished?: boolean;
}

/** The memoised local transition of one (local state, event). */
interface LocalStep {
  readonly next: number;
  readonly sent: readonly number[];
}

const MAX_ACTORS = 16;
const NO_CANDIDATES: SystemAction[][] = [];
/** Local-state and message ids are 16-bit words of the state. */
const MAX_ID = 0xffff;
const NETWORK_READ = 1 << 30;
const ALL_VISIBLE = -1;
/** The reads of a property that declares none: every actor and the network. */
const ALL_READS = -1;
/** Orders of tied symmetric actors tried when canonicalising a state. */
const MAX_TIE_ORDERS = 24;
const CRASHED = 1;
const BYZANTINE = 1 << 16;

function networkSpec(network: ActorModelSpec["network"]): Required<NetworkSpec> {
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

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const result: number[][] = [];
  for (const rest of permutations(n - 1)) {
    for (let at = 0; at <= rest.length; at++) result.push([...rest.slice(0, at), n - 1, ...rest.slice(at)]);
  }
  return result.sort((a, b) => a.join().localeCompare(b.join()));
}

/** An actor system as a {@link Model}, with its interning tables. */
export class ActorModel implements Model<SystemState, SystemAction> {
  readonly name: string;
  readonly properties: readonly Property<SystemState>[];
  readonly actors: readonly ActorSpec[];
  readonly network: Required<NetworkSpec>;
  private readonly n: number;
  /** Where the messages start: after the local states and, with an adversary, the fault words. */
  private readonly header: number;
  private readonly adversary: AdversarySpec | undefined;
  private readonly shards: readonly number[];
  private readonly crashable: number; // bit mask of actors that may crash
  private readonly localIds = new Map<string, number>();
  private readonly locals: Array<{ actor: number; snapshot: SnapshotFrom<AnyStateMachine> }> = [];
  private readonly eventIds = new Map<string, number>();
  private readonly events: EventObject[] = [];
  private readonly messageIds = new Map<string, number>();
  private readonly messages: Message[] = [];
  /** The interned event of each message, so that a delivery needs no lookup by content. */
  private readonly messageEvents: number[] = [];
  /** memo[local][event]: the memoised step. */
  private readonly memo: Array<Array<LocalStep | undefined> | undefined> = [];
  private readonly internal: number[][];
  private readonly initial: SystemState;
  /** Per local state: bit mask of the actors it may still send to (see futureRecipients). */
  private readonly recipients: number[] = [];
  /** Scratch space of ampleSets: the actors that may still send to each actor. */
  private readonly senders: Int32Array;
  /** The state whose property views are in viewCache (by the reads mask). */
  private viewState: SystemState | undefined;
  private readonly viewCache = new Map<number, SystemView>();
  /** Actors (bits) and the network (NETWORK_READ) that some property reads. */
  private readonly visible: number;
  private readonly staticMenu: readonly (readonly number[])[] | undefined;
  private readonly symmetry:
    | {
        spec: SymmetrySpec;
        members: number[];
        perms: number[][];
        permIndex: Map<string, number>;
        shiftToFirst: number[];
        locals: Map<number, number>;
        messages: Map<number, number>;
      }
    | undefined;
  private readonly dropToFinished: boolean;
  /** Local transitions computed with xstate (the rest came from the memo). */
  transitionsComputed = 0;

  constructor(given: ActorModelSpec) {
    const spec = rewriteMachines(given);
    this.name = spec.name;
    this.actors = spec.actors;
    this.n = spec.actors.length;
    this.network = networkSpec(spec.network);
    this.adversary = spec.adversary;
    this.header = this.n + (spec.adversary === undefined ? 0 : 2);
    this.senders = new Int32Array(this.n);
    const names = new Set(spec.actors.map((actor) => actor.name));
    if (names.size !== this.n) throw new ModelError(`${spec.name}: actor names must be distinct`);
    this.shards = spec.actors.map((actor) => {
      const shards = actor.shards ?? 1;
      if (!Number.isInteger(shards) || shards < 1)
        throw new ModelError(`${actor.name}: shards must be a positive integer`);
      return shards;
    });
    const adversary = spec.adversary;
    let faults = 0;
    this.crashable = 0;
    if (adversary !== undefined) {
      if (this.n > MAX_ACTORS) throw new ModelError(`${spec.name}: at most ${MAX_ACTORS} actors with an adversary`);
      if (!Number.isInteger(adversary.budget) || adversary.budget < 0) {
        throw new ModelError(`${spec.name}: the adversary's budget must be a non-negative integer`);
      }
      for (const name of adversary.crash ?? []) this.crashable |= 1 << this.actorIndex(name, "adversary.crash");
      for (const name of adversary.byzantine ?? []) faults |= BYZANTINE << this.actorIndex(name, "adversary.byzantine");
      if (this.faultyShards(faults) > adversary.budget) {
        throw new ModelError(
          `${spec.name}: the Byzantine actors hold ${this.faultyShards(faults)} shards, above the budget of ${adversary.budget}`,
        );
      }
      if ((adversary.byzantine?.length ?? 0) > 0 && adversary.menu === undefined) {
        throw new ModelError(`${spec.name}: Byzantine actors need a menu of messages`);
      }
    }
    this.internal = spec.actors.map((actor) => (actor.internalEvents ?? []).map((event) => this.internEvent(event)));
    const sent: number[] = [];
    const locals = spec.actors.map((actor, index) => {
      const [snapshot, actions] = initialTransition(actor.machine, actor.input);
      if ((faults & (BYZANTINE << index)) === 0) sent.push(...this.outputs(index, actions));
      return this.internLocal(index, snapshot);
    });
    const menu = adversary?.menu;
    this.staticMenu =
      menu === undefined || typeof menu === "function"
        ? undefined
        : spec.actors.map((actor, index) => (menu[actor.name] ?? []).map((m) => this.internOutgoing(index, m)));
    if (adversary?.menuInFlight) {
      if (this.staticMenu === undefined) throw new ModelError(`${spec.name}: menuInFlight needs a menu by actor`);
      for (let index = 0; index < this.n; index++) {
        if (faults & (BYZANTINE << index)) sent.push(...new Set(this.staticMenu[index]));
      }
    }
    if (spec.symmetry !== undefined) {
      const members = spec.symmetry.actors.map((name) => this.actorIndex(name, "symmetry.actors"));
      if (members.length > 7) throw new ModelError(`${spec.name}: a symmetry group has at most 7 actors`);
      const machine = spec.actors[members[0]].machine;
      if (members.some((a) => spec.actors[a].machine !== machine)) {
        throw new ModelError(`${spec.name}: symmetric actors must run the same machine`);
      }
      const perms = permutations(members.length);
      const permIndex = new Map(perms.map((perm, p) => [perm.join(), p]));
      // For member i: the permutation that moves it to position 0 and keeps the others in order.
      const shiftToFirst = members.map((_, i) => {
        const others = members.map((__, k) => k).filter((k) => k !== i);
        const perm = new Array<number>(members.length);
        perm[i] = 0;
        others.forEach((k, position) => {
          perm[k] = position + 1;
        });
        return permIndex.get(perm.join()) as number;
      });
      this.symmetry = {
        spec: spec.symmetry,
        members,
        perms,
        permIndex,
        shiftToFirst,
        locals: new Map(),
        messages: new Map(),
      };
      this.symmetricFingerprint = (state, out) => {
        const canonical = this.canonical(state);
        fingerprintWords(canonical, canonical.length, out);
      };
    }
    this.initial = this.compose(locals, faults, sent);
    let visible = 0;
    this.properties = spec.properties.map((property) => {
      if (property.reads === undefined) {
        visible = ALL_VISIBLE;
        return {
          ...property,
          holds: (state: SystemState) => property.holds(this.restrictedView(state, ALL_READS, property.name)),
        };
      }
      let reads = 0;
      for (const name of property.reads)
        reads |= name === "network" ? NETWORK_READ : 1 << this.actorIndex(name, `${property.name}: reads`);
      visible |= reads;
      return {
        ...property,
        holds: (state: SystemState) => {
          try {
            return property.holds(this.restrictedView(state, reads, property.name));
          } catch (error) {
            if (error instanceof TypeError) {
              throw new ModelError(
                `property "${property.name}" failed (${error.message}): does it read an actor it does not declare in reads?`,
              );
            }
            throw error;
          }
        },
      };
    });
    this.visible = visible;
    this.dropToFinished = spec.dropToFinished ?? false;
    if ((this.dropToFinished || adversary?.menuInFlight) && (visible === ALL_VISIBLE || visible & NETWORK_READ)) {
      throw new ModelError(`${spec.name}: dropToFinished or menuInFlight with a property that reads the network`);
    }
  }

  /** The one initial state, built from the actors' inputs when the model was made. */
  initStates(): SystemState[] {
    return [this.initial];
  }

  actions(state: SystemState, out: SystemAction[]): void {
    const n = this.n;
    const faults = this.faultsOf(state);
    const fifo = this.network.ordering === "fifo";
    for (let at = this.header; at < state.length; at++) {
      const message = state[at];
      const previous = at > this.header ? state[at - 1] : -1;
      // On an unordered network equal messages are one choice; on a FIFO link only the head is.
      const choice = fifo ? previous < 0 || this.linkOf(previous) !== this.linkOf(message) : message !== previous;
      if (choice && (faults & ((CRASHED | BYZANTINE) << this.messages[message].to)) === 0) {
        out.push({ kind: "deliver", message, at });
        if (fifo && this.network.duplication) out.push({ kind: "deliver", message, at, keep: true });
      }
      if (this.network.loss && (fifo || message !== previous)) out.push({ kind: "drop", message, at });
    }
    for (let actor = 0; actor < n; actor++) {
      if ((faults & ((CRASHED | BYZANTINE) << actor)) !== 0) continue;
      for (const event of this.internal[actor]) out.push({ kind: "internal", actor, event });
    }
    if (this.adversary === undefined) return;
    const spare = this.adversary.budget - this.faultyShards(faults);
    for (let actor = 0; actor < n; actor++) {
      const bit = 1 << actor;
      if ((this.crashable & bit) !== 0 && (faults & (bit | (bit << 16))) === 0 && this.shards[actor] <= spare) {
        out.push({ kind: "crash", actor });
      }
      if ((faults & (bit << 16)) === 0) continue;
      for (const message of this.menuOf(state, actor)) {
        if (!this.inFlight(state, message)) out.push({ kind: "byzantine", actor, message });
      }
    }
  }

  nextState(state: SystemState, action: SystemAction): SystemState | undefined {
    const n = this.n;
    switch (action.kind) {
      case "crash": {
        const next = state.slice();
        next[n] |= CRASHED << action.actor;
        return next;
      }
      case "byzantine":
        if (this.dropToFinished && this.finished(state[this.messages[action.message].to])) return undefined;
        return this.withNetwork(state, -1, 0, -1, [action.message]);
      case "drop":
        return this.withNetwork(state, -1, 0, action.at, []);
      default: {
        const deliver = action.kind === "deliver";
        const actor = deliver ? this.messages[action.message].to : action.actor;
        const event = deliver ? this.messageEvents[action.message] : action.event;
        const consumed =
          deliver &&
          !action.keep &&
          !(this.network.duplication && this.network.ordering === "unordered") &&
          (this.faultsOf(state) & (BYZANTINE << this.messages[action.message].from)) === 0;
        const step = this.step(state[actor], event);
        if (!this.dropToFinished)
          return this.withNetwork(state, actor, step.next, consumed ? action.at : -1, step.sent);
        const localOf = (a: number) => (a === actor ? step.next : state[a]);
        const sent = step.sent.filter((m) => !this.finished(localOf(this.messages[m].to)));
        const next = this.withNetwork(state, actor, step.next, consumed ? action.at : -1, sent);
        if (next === undefined || !this.finished(step.next) || this.finished(state[actor])) return next;
        return next.filter((word, at) => at < this.header || this.messages[word].to !== actor);
      }
    }
  }

  fingerprint(state: SystemState, out: Fingerprint): void {
    fingerprintWords(state, state.length, out);
  }

  /** With a symmetry group: the fingerprint of the least permutation of the state. */
  readonly symmetricFingerprint?: (state: SystemState, out: Fingerprint) => void;

  formatAction(action: SystemAction): string {
    const name = (actor: number) => this.actors[actor].name;
    switch (action.kind) {
      case "internal":
        return `${name(action.actor)}: ${this.formatEvent(this.events[action.event])}`;
      case "crash":
        return `${name(action.actor)} crashes`;
      case "byzantine": {
        const { to, event } = this.messages[action.message];
        return `${name(action.actor)} (Byzantine) sends ${this.formatEvent(event)} to ${name(to)}`;
      }
      case "drop":
        return `network loses ${this.formatMessage(action.message)}`;
      default:
        return `${this.formatMessage(action.message)}${action.keep ? " (a copy stays in flight)" : ""}`;
    }
  }

  /**
   * The family of an action, for per-family command generation (fast-check): `deliver`,
   * `environment` (an actor's spontaneous step) or `fault` (a crash, a Byzantine send, a loss).
   */
  actionKind(action: SystemAction): "deliver" | "environment" | "fault" {
    return action.kind === "deliver" ? "deliver" : action.kind === "internal" ? "environment" : "fault";
  }

  /** The message with id `id` (as delivery and drop actions name it). */
  message(id: number): Message {
    return this.messages[id];
  }

  /** The event with id `id` (as an actor's spontaneous step names it). */
  event(id: number): EventObject {
    return this.events[id];
  }

  /** What properties see: each actor's snapshot, its status and the messages in flight. */
  view(state: SystemState): SystemView {
    const n = this.n;
    const faults = this.faultsOf(state);
    return {
      actors: Array.from(state.subarray(0, n), (id) => this.locals[id].snapshot),
      status: this.actors.map((_, a) =>
        faults & (CRASHED << a) ? "crashed" : faults & (BYZANTINE << a) ? "byzantine" : "correct",
      ),
      messages: Array.from(state.subarray(this.header), (id) => this.messages[id]),
    };
  }

  /**
   * What a counterexample shows: one variable per actor ({state, context}), `faulty` (actor →
   * crashed or byzantine) when there is an adversary, and `network`, the messages in flight as
   * {from, to, type, ...payload}. Message ids follow the order in which they were first sent,
   * which depends on the search, so on an unordered network the messages are sorted by content
   * (a duplicating one is a set); a FIFO network keeps its per-link order.
   */
  describe(state: SystemState): Record<string, unknown> {
    const view = this.view(state);
    const vars: Record<string, unknown> = {};
    this.actors.forEach((actor, i) => {
      vars[actor.name] = { state: view.actors[i].value, context: view.actors[i].context };
    });
    if (this.adversary !== undefined) {
      vars.faulty = Object.fromEntries(
        this.actors.flatMap((actor, i) => (view.status[i] === "correct" ? [] : [[actor.name, view.status[i]]])),
      );
    }
    const records = view.messages.map((message) => ({ event: JSON.stringify(message.event), message }));
    if (this.network.ordering === "unordered") {
      records.sort(
        (a, b) =>
          a.message.from - b.message.from ||
          a.message.to - b.message.to ||
          (a.event < b.event ? -1 : a.event > b.event ? 1 : 0),
      );
    }
    const inFlight = records.map(({ message }) => ({
      from: this.actors[message.from].name,
      to: this.actors[message.to].name,
      ...message.event,
    }));
    vars.network = this.network.duplication && this.network.ordering === "unordered" ? new Set(inFlight) : inFlight;
    return vars;
  }

  /**
   * The view a property that reads only `reads` gets: the actors it does not declare are absent
   * (undefined), and reading the network undeclared throws. Views are cached for the state last
   * asked about, since every property is evaluated on the same state in turn.
   */
  private restrictedView(state: SystemState, reads: number, property: string): SystemView {
    if (state !== this.viewState) {
      this.viewState = state;
      this.viewCache.clear();
    }
    const cached = this.viewCache.get(reads);
    if (cached !== undefined) return cached;
    const n = this.n;
    const faults = this.faultsOf(state);
    const actors = new Array<SnapshotFrom<AnyStateMachine>>(n);
    const status = new Array<ActorStatus>(n);
    for (let a = 0; a < n; a++) {
      if ((reads & (1 << a)) === 0) continue;
      actors[a] = this.locals[state[a]].snapshot;
      status[a] = faults & (CRASHED << a) ? "crashed" : faults & (BYZANTINE << a) ? "byzantine" : "correct";
    }
    const view: SystemView = {
      actors,
      status,
      get messages(): readonly Message[] {
        if ((reads & NETWORK_READ) === 0) {
          throw new ModelError(`property "${property}" reads the network, which it does not declare`);
        }
        return Array.from(state.subarray(header), (id) => messages[id]);
      },
    };
    const messages = this.messages;
    const header = this.header;
    this.viewCache.set(reads, view);
    return view;
  }

  /**
   * Candidate ample sets for partial-order reduction, smallest first. A candidate is every enabled
   * action of a set S of actors closed under "may still send to": an action of an actor outside S
   * cannot enable or disable one inside it, and no message can reach S from outside before S acts,
   * because nothing outside S will ever send to S. Deliveries to different actors commute, so the
   * interleavings cut away lead to the same states. A candidate is also invisible: no action in it
   * belongs to an actor a property reads, or sends or consumes a message when a property reads the
   * network. The cycle proviso is the search's to check.
   */
  ampleSets(state: SystemState, actions: readonly SystemAction[]): SystemAction[][] {
    const n = this.n;
    if (this.visible === ALL_VISIBLE) return NO_CANDIDATES;
    const faults = this.faultsOf(state);
    const byzantine = faults >>> 16;
    // A menu computed from the whole state depends on every actor: no reduction then.
    if (byzantine !== 0 && this.staticMenu === undefined) return NO_CANDIDATES;
    // Owners of enabled actions, and those no property reads: only they can seed a candidate.
    let owning = 0;
    let crashing = 0;
    for (const action of actions) {
      const owner = this.ownerOf(action);
      owning |= 1 << owner;
      if (action.kind === "crash") crashing |= 1 << owner;
    }
    let seeds = owning & ~this.visible;
    if (seeds === 0) return NO_CANDIDATES;
    // senders[a]: actors that may still send to a.
    const senders = this.senders;
    senders.fill(0);
    for (let j = 0; j < n; j++) {
      const bit = 1 << j;
      if (faults & bit) continue; // crashed
      const mask = byzantine & bit ? this.menuRecipients(j) : this.recipientsOf(state[j], j);
      for (let a = 0; a < n; a++) if (mask & (1 << a)) senders[a] |= bit;
    }
    const candidates: SystemAction[][] = [];
    const tried: number[] = [];
    while (seeds !== 0) {
      const seed = 31 - Math.clz32(seeds);
      seeds &= ~(1 << seed);
      let set = 1 << seed;
      // A set that grows to include an actor a property reads is visible: give up on it early.
      while ((set & this.visible) === 0) {
        let grown = set;
        for (let a = 0; a < n; a++) if (grown & (1 << a)) grown |= senders[a];
        // Crashes share the budget: one crash can disable another.
        if (grown & crashing) grown |= crashing;
        if (grown === set) break;
        set = grown;
      }
      if ((set & this.visible) !== 0 || (set & owning) === owning || tried.includes(set)) continue;
      tried.push(set);
      const ample = actions.filter((action) => set & (1 << this.ownerOf(action)));
      // When a property reads the network, only an action that neither sends nor consumes is invisible.
      if (this.visible & NETWORK_READ && ample.some((action) => this.touchesNetwork(state, action))) continue;
      candidates.push(ample);
    }
    return candidates.length > 1 ? candidates.sort((a, b) => a.length - b.length) : candidates;
  }

  private touchesNetwork(state: SystemState, action: SystemAction): boolean {
    if (action.kind !== "internal" && action.kind !== "deliver") return true;
    const next = this.nextState(state, action);
    return (
      next !== undefined &&
      (next.length !== state.length || next.subarray(this.header).some((m, i) => m !== state[this.header + i]))
    );
  }

  private ownerOf(action: SystemAction): number {
    return action.kind === "deliver" || action.kind === "drop" ? this.messages[action.message].to : action.actor;
  }

  private formatEvent(event: EventObject): string {
    const { type, ...payload } = event;
    return Object.keys(payload).length > 0 ? `${type} ${JSON.stringify(payload)}` : type;
  }

  private formatMessage(message: number): string {
    const { from, to, event } = this.messages[message];
    return `${this.actors[from].name} → ${this.actors[to].name}: ${this.formatEvent(event)}`;
  }

  private actorIndex(name: string, where: string): number {
    const index = this.actors.findIndex((actor) => actor.name === name);
    if (index < 0) throw new ModelError(`${this.name}: ${where} names unknown actor ${name}`);
    return index;
  }

  /** The fault word as one 32-bit mask (bit a: crashed; bit 16 + a: Byzantine). */
  private faultsOf(state: SystemState): number {
    return this.header === this.n ? 0 : state[this.n] | (state[this.n + 1] << 16);
  }

  private faultyShards(faults: number): number {
    let total = 0;
    for (let a = 0; a < this.n; a++) if (faults & ((CRASHED | BYZANTINE) << a)) total += this.shards[a];
    return total;
  }

  private linkOf(message: number): number {
    const { from, to } = this.messages[message];
    return from * this.n + to;
  }

  private inFlight(state: SystemState, message: number): boolean {
    for (let at = this.header; at < state.length; at++) if (state[at] === message) return true;
    return false;
  }

  private menuOf(state: SystemState, actor: number): readonly number[] {
    if (this.staticMenu !== undefined) return this.staticMenu[actor];
    const menu = this.adversary?.menu as (view: SystemView, actor: string) => readonly OutgoingMessage[];
    return menu(this.view(state), this.actors[actor].name).map((m) => this.internOutgoing(actor, m));
  }

  private menuRecipients(actor: number): number {
    let mask = 0;
    for (const message of this.staticMenu?.[actor] ?? []) mask |= 1 << this.messages[message].to;
    return mask;
  }

  /**
   * `state` with actor `actor`'s local state replaced by `local` (actor −1: none), the message at
   * `removeAt` taken out (−1: none) and `sent` added where the network puts them; undefined when
   * that changes nothing.
   */
  private withNetwork(
    state: SystemState,
    actor: number,
    local: number,
    removeAt: number,
    sent: readonly number[],
  ): SystemState | undefined {
    const localChanged = actor >= 0 && state[actor] !== local;
    if (removeAt < 0 && sent.length === 0) {
      if (!localChanged) return undefined;
      const next = state.slice();
      next[actor] = local;
      return next;
    }
    let next: Uint16Array;
    let out: number;
    if (this.network.ordering === "fifo") {
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
      next = new Uint16Array(this.header + network.length);
      for (let i = 0; i < this.header; i++) next[i] = state[i];
      next.set(network, this.header);
      out = next.length;
    } else {
      // Merge the messages still in flight (sorted) with the sent ones (sorted, distinct).
      const dedupe = this.network.duplication;
      next = new Uint16Array(state.length - (removeAt < 0 ? 0 : 1) + sent.length);
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

  private compose(locals: number[], faults: number, inFlight: number[]): SystemState {
    const words = this.header === this.n ? locals : [...locals, faults & 0xffff, faults >>> 16];
    const start = Uint16Array.from(words);
    return (
      this.withNetwork(
        start,
        -1,
        0,
        -1,
        [...inFlight].sort((a, b) => a - b),
      ) ?? start
    );
  }

  private step(local: number, event: number): LocalStep {
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
      return done;
    }
    const [next, actions] = transition(this.actors[actor].machine, snapshot, this.events[event]);
    const step = {
      next: next === snapshot ? local : this.internLocal(actor, next),
      sent: [...new Set(this.outputs(actor, actions))].sort((a, b) => a - b),
    };
    row[event] = step;
    return step;
  }

  private outputs(from: number, actions: readonly { type: string; params?: unknown }[]): number[] {
    const sent: number[] = [];
    for (const action of actions) {
      if (action.type !== "send") continue;
      sent.push(this.internOutgoing(from, action.params as OutgoingMessage));
    }
    return sent;
  }

  private internOutgoing(from: number, outgoing: OutgoingMessage): number {
    const { to, ...event } = outgoing;
    const recipient = this.actors.findIndex((actor) => actor.name === to);
    if (recipient < 0) throw new ModelError(`${this.actors[from].name} sends to unknown actor ${to}`);
    return this.internMessage({ from, to: recipient, event: event as EventObject });
  }

  /**
   * The actors a local state may still send to, as a bit mask: the sends on every transition,
   * entry and exit of the state nodes reachable from the active ones. A `send` whose params are
   * computed counts as the actor's declared `sendsTo` (or any actor); so does `enqueueActions`,
   * written in the chart or named there and implemented in `setup`.
   */
  private recipientsOf(local: number, actor: number): number {
    const cached = this.recipients[local];
    if (cached !== undefined) return cached;
    const all = (1 << this.n) - 1;
    const spec = this.actors[actor];
    const declared =
      spec.sendsTo === undefined
        ? all
        : spec.sendsTo.reduce((m, name) => m | (1 << this.actorIndex(name, "sendsTo")), 0);
    const snapshot = this.locals[local].snapshot as SnapshotFrom<AnyStateMachine> & {
      _nodes: AnyStateNode[];
    };
    let mask = 0;
    // Actions the chart names are looked up in the machine's implementations: a named action that
    // enqueues sends (or is `send` itself) sends as much as one written in the chart.
    const named = spec.machine.implementations.actions as Record<string, unknown>;
    const namedMask = (name: string): number => {
      if (name === "send" || (named[name] !== undefined && named[name] === named.send)) return declared;
      const implementation = named[name];
      return typeof implementation === "function" ? itemMask(implementation) : 0;
    };
    const itemMask = (item: unknown): number => {
      if (typeof item === "string") return namedMask(item);
      if (typeof item === "function") {
        return (item as { type?: string }).type === "xstate.enqueueActions" ? declared : 0;
      }
      const { type, params } = item as { type?: string; params?: unknown };
      if (typeof type === "string" && type !== "send") return namedMask(type);
      if (type !== "send") return 0;
      if (typeof params === "object" && params !== null && typeof (params as OutgoingMessage).to === "string") {
        const to = this.actors.findIndex((a) => a.name === (params as OutgoingMessage).to);
        return to < 0 ? all : 1 << to;
      }
      return declared;
    };
    if (snapshot.status === "active") {
      // Active nodes have run their entry actions already; a node reached by a transition runs
      // them (again).
      const seen = new Set<AnyStateNode>();
      const entered = new Set<AnyStateNode>();
      const active = new Set(snapshot._nodes);
      const work = [...snapshot._nodes];
      const inside = (node: AnyStateNode, ancestor: AnyStateNode) => {
        for (let at: AnyStateNode | undefined = node; at; at = at.parent) if (at === ancestor) return true;
        return false;
      };
      const enter = (node: AnyStateNode) => {
        if (!entered.has(node)) {
          entered.add(node);
          for (const item of node.entry) mask |= itemMask(item);
        }
        if (!seen.has(node)) work.push(node);
        for (const child of Object.values(node.states)) enter(child);
      };
      const reach = (target: AnyStateNode, source: AnyStateNode, reenter: boolean) => {
        enter(target);
        for (let at = target.parent; at; at = at.parent) {
          // An active ancestor that contains the source is not left, so not entered again.
          if (active.has(at) && !reenter && inside(source, at)) break;
          if (!entered.has(at)) {
            entered.add(at);
            for (const item of at.entry) mask |= itemMask(item);
          }
          if (!seen.has(at)) work.push(at);
        }
      };
      while (work.length > 0 && mask !== all) {
        const node = work.pop() as AnyStateNode;
        if (seen.has(node)) continue;
        seen.add(node);
        for (const item of node.exit) mask |= itemMask(item);
        const transitions = [...node.transitions.values()].flat().concat(node.always ?? []);
        for (const t of transitions) {
          for (const item of t.actions) mask |= itemMask(item);
          for (const target of t.target ?? []) reach(target, t.source, t.reenter);
        }
      }
    }
    this.recipients[local] = mask;
    return mask;
  }

  /**
   * A canonical representative of the state's orbit under the symmetry group. Members are sorted
   * by a signature that does not depend on their identity (their own local state renamed as if
   * each were the first member); only members with equal signatures are tried in every order
   * (while that stays within MAX_TIE_ORDERS orders), and the least resulting state is taken. Any
   * permutation of a state is equivalent to it, so a representative that is not the least of its
   * orbit costs reduction, never soundness.
   */
  private canonical(state: SystemState): SystemState {
    const symmetry = this.symmetry as NonNullable<ActorModel["symmetry"]>;
    const { members, shiftToFirst } = symmetry;
    const first = members[0];
    const n = this.n;
    const where = new Int32Array(n);
    const signature = members.map((actor, i) => {
      // The member's own state and the messages it sends or receives, renamed as if it were first.
      const p = shiftToFirst[i];
      const perm = symmetry.perms[p];
      for (let a = 0; a < n; a++) where[a] = a;
      members.forEach((member, k) => {
        where[member] = members[perm[k]];
      });
      const own: number[] = [];
      for (let at = this.header; at < state.length; at++) {
        const { from, to } = this.messages[state[at]];
        if (from === actor || to === actor) own.push(this.renameMessage(state[at], where, p));
      }
      return `${this.renameLocal(state[actor], first, p)}|${own.sort((a, b) => a - b).join(",")}`;
    });
    const order = members
      .map((_, i) => i)
      .sort((a, b) => (signature[a] < signature[b] ? -1 : signature[a] > signature[b] ? 1 : a - b));
    // Classes of equal signatures, as runs of `order`.
    const classes: number[][] = [];
    for (const i of order) {
      const last = classes[classes.length - 1];
      if (last && signature[last[0]] === signature[i]) last.push(i);
      else classes.push([i]);
    }
    let orders = 1;
    for (const group of classes) for (let k = 2; k <= group.length; k++) orders *= k;
    const arrangements =
      orders <= MAX_TIE_ORDERS
        ? classes.reduce<number[][]>(
            (acc, group) =>
              acc.flatMap((prefix) => permutations(group.length).map((q) => [...prefix, ...q.map((k) => group[k])])),
            [[]],
          )
        : [order];
    let best: SystemState | undefined;
    for (const arrangement of arrangements) {
      // The member at arrangement[k] moves to group position k.
      const perm = new Array<number>(members.length);
      arrangement.forEach((member, position) => {
        perm[member] = position;
      });
      const candidate = this.permute(state, symmetry.permIndex.get(perm.join()) as number);
      if (best === undefined || lexLess(candidate, best)) best = candidate;
    }
    return best as SystemState;
  }

  private permute(state: SystemState, p: number): SystemState {
    const n = this.n;
    const symmetry = this.symmetry as NonNullable<ActorModel["symmetry"]>;
    const perm = symmetry.perms[p];
    const where = new Int32Array(n).map((_, a) => a); // actor → its new index
    symmetry.members.forEach((actor, i) => {
      where[actor] = symmetry.members[perm[i]];
    });
    const header = new Array<number>(this.header).fill(0);
    for (let a = 0; a < n; a++) {
      header[where[a]] = this.renameLocal(state[a], where[a], p);
      if (this.header > n) {
        if (state[n] & (1 << a)) header[n] |= 1 << where[a];
        if (state[n + 1] & (1 << a)) header[n + 1] |= 1 << where[a];
      }
    }
    const network = Array.from(state.subarray(this.header), (message) => this.renameMessage(message, where, p));
    if (this.network.ordering === "fifo") {
      const stable = network.map((message, i) => [this.linkOf(message), i, message]);
      stable.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      return Uint16Array.from([...header, ...stable.map((entry) => entry[2])]);
    }
    return Uint16Array.from([...header, ...network.sort((a, b) => a - b)]);
  }

  private renameLocal(local: number, actor: number, p: number): number {
    const symmetry = this.symmetry as NonNullable<ActorModel["symmetry"]>;
    const key = local * 5040 + p;
    const cached = symmetry.locals.get(key);
    if (cached !== undefined) return cached;
    const { actor: from, snapshot } = this.locals[local];
    const rename = symmetry.spec.renameContext;
    const context = rename ? rename(this.actors[from].name, snapshot.context, symmetry.perms[p]) : snapshot.context;
    const id =
      from === actor && context === snapshot.context
        ? local
        : this.internLocal(actor, this.actors[actor].machine.resolveState({ value: snapshot.value, context }));
    symmetry.locals.set(key, id);
    return id;
  }

  private renameMessage(message: number, where: Int32Array, p: number): number {
    const symmetry = this.symmetry as NonNullable<ActorModel["symmetry"]>;
    const key = message * 5040 + p;
    const cached = symmetry.messages.get(key);
    if (cached !== undefined) return cached;
    const { from, to, event } = this.messages[message];
    const rename = symmetry.spec.renameEvent;
    const id = this.internMessage({
      from: where[from],
      to: where[to],
      event: rename ? rename(event, symmetry.perms[p]) : event,
    });
    symmetry.messages.set(key, id);
    return id;
  }

  /** Whether local state `local` is final: its actor does nothing more. */
  private finished(local: number): boolean {
    return this.locals[local].snapshot.status === "done";
  }

  private internLocal(actor: number, snapshot: SnapshotFrom<AnyStateMachine>): number {
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
      if (id > MAX_ID) throw new ModelError(`${this.name}: more than ${MAX_ID + 1} distinct messages`);
      this.messages.push(message);
      this.messageEvents.push(this.internEvent(message.event));
      this.messageIds.set(key, id);
    }
    return id;
  }
}

function lexLess(a: SystemState, b: SystemState): boolean {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return a.length < b.length;
}
