/**
 * Actor systems of xstate v5 machines as checkable models. Each actor is a machine; what it sends
 * is data: a `send` action whose params name the recipient (`to`) and the event. The network holds
 * messages in flight; an action of the system delivers one of them (in any order on an unordered
 * network, in send order per link on a FIFO one), loses one (a lossy network), lets an actor take
 * one of its spontaneous steps (`internalEvents`: the environment), crashes an actor, or lets a
 * Byzantine actor send a message from the adversary's menu. Faults are bounded by a budget counted
 * in shards, as Walrus counts them.
 *
 * This module builds the model (after Stateright's `ActorModel`) from parts, one concern each, in
 * `checker/actors/`: the types a model declares (`types.ts`, with the layout of a global state),
 * the interning tables and memoised local transitions (`interning.ts`), the network
 * (`network.ts`), the adversary (`adversary.ts`), symmetry (`symmetry.ts`), partial-order
 * reduction (`reduction.ts`, `persistent.ts`, `recipients.ts`), what properties and readers see
 * (`views.ts`), and the machine rewrites of mutation testing (`rewrite.ts`). With reduction on,
 * fingerprints leave out the dead parts of crashed actors that no property reads.
 *
 * Local states are interned: each distinct (actor, value, context) gets an integer id, so a global
 * state is a short array of integers, its fingerprint hashes only those integers, and each local
 * transition is computed once with xstate's `transition()` and memoised by (state id, event id).
 */

import { initialTransition, type EventObject } from "xstate";
import { CheckpointError, ModelError } from "./errors.js";
import { fingerprintWords } from "./fingerprint.js";
import { type ByteSink, type ByteSource, readNumbers, writeNumbers } from "./binary.js";
import type { Fingerprint, InProcessStates, Model, Property, SharedStates, TransientStates } from "./model.js";
import { Adversary, BYZANTINE, CRASHED, downActors, faultsOf } from "./actors/adversary.js";
import { ActorTables, type LocalStep, type SharedTables, guardedStep } from "./actors/interning.js";
import { InterningJournal } from "./actors/journal.js";
import { Network, networkSpec } from "./actors/network.js";
import { Recipients } from "./actors/recipients.js";
import { ActorPersistentSets } from "./actors/persistent.js";
import { AmpleSets } from "./actors/reduction.js";
import { rewriteMachines } from "./actors/rewrite.js";
import { Symmetry } from "./actors/symmetry.js";
import type {
  ActorModelSpec,
  ActorSpec,
  Message,
  NetworkSpec,
  SystemAction,
  SystemState,
  SystemView,
} from "./actors/types.js";
import { ALL_VISIBLE, NETWORK_READ, Views } from "./actors/views.js";

export type {
  ActorModelSpec,
  ActorPart,
  ActorSpec,
  ActorStatus,
  AdversarySpec,
  Message,
  NetworkKind,
  NetworkSpec,
  OutgoingMessage,
  SymmetrySpec,
  SystemAction,
  SystemProperty,
  SystemState,
  SystemView,
} from "./actors/types.js";
export { everyActor, ofParts, someActor } from "./actors/types.js";
export { localTransitionNumber } from "./actors/interning.js";
export { type MachineRewrite, withMachineRewrite } from "./actors/rewrite.js";

/** An actor system as a {@link Model}, with its interning tables. */
export class ActorModel implements Model<SystemState, SystemAction> {
  readonly name: string;
  readonly properties: readonly Property<SystemState>[];
  readonly actors: readonly ActorSpec[];
  readonly network: Required<NetworkSpec>;
  private readonly n: number;
  /** Where the messages start: after the local states and, with an adversary, the fault words. */
  private readonly header: number;
  private readonly shards: readonly number[];
  /** Each actor's spontaneous events, as event ids, and as actions (made once: actions are values). */
  private readonly internal: number[][];
  private readonly internalActions: SystemAction[][];
  private readonly initial: SystemState;
  private readonly dropToFinished: boolean;
  /** Scratch words for fingerprints without dead parts. */
  private scratch = new Uint16Array(0);
  // The parts, one concern each.
  private readonly tables: ActorTables;
  /** The messages in flight: where they sit in a state, which may be delivered or lost next. */
  private readonly transit: Network;
  private readonly adversary: Adversary | undefined;
  private readonly views: Views;
  private readonly reduction: AmpleSets;
  private readonly symmetry: Symmetry | undefined;
  /** Persistent sets decided from behaviour (on an unordered network that loses nothing). */
  private readonly semantic: ActorPersistentSets | undefined;

  constructor(given: ActorModelSpec) {
    const spec = rewriteMachines(given);
    this.name = spec.name;
    this.actors = spec.actors;
    this.n = spec.actors.length;
    this.network = networkSpec(spec.network);
    this.header = this.n + (spec.adversary === undefined ? 0 : 2);
    this.tables = new ActorTables(spec.name, spec.actors);
    this.transit = new Network(this.network, this.n, this.header, this.tables.messages);
    const names = new Set(spec.actors.map((actor) => actor.name));
    if (names.size !== this.n) throw new ModelError(`${spec.name}: actor names must be distinct`);
    this.shards = spec.actors.map((actor) => {
      const shards = actor.shards ?? 1;
      if (!Number.isInteger(shards) || shards < 1)
        throw new ModelError(`${actor.name}: shards must be a positive integer`);
      return shards;
    });
    this.adversary = spec.adversary === undefined ? undefined : new Adversary(spec.adversary, this.shards, this.tables);
    const faults = this.adversary?.initialFaults ?? 0;
    // Ids are handed out in this order (spontaneous events, initial states and their sends, the
    // menus): it fixes the order of the messages in flight, and so of the actions and the traces.
    this.internal = spec.actors.map((actor) =>
      (actor.internalEvents ?? []).map((event) => this.tables.internEvent(event)),
    );
    this.internalActions = this.internal.map((events, actor) =>
      events.map((event): SystemAction => ({ kind: "internal", actor, event })),
    );
    const sent: number[] = [];
    const locals = spec.actors.map((actor, index) => {
      const [snapshot, actions] = guardedStep(
        actor.machine,
        { actor: actor.name, state: "(none yet)", event: "xstate.init" },
        () => initialTransition(actor.machine, actor.input),
      );
      if ((faults & (BYZANTINE << index)) === 0) sent.push(...this.tables.outputs(index, actions));
      return this.tables.internLocal(index, snapshot);
    });
    if (this.adversary !== undefined) sent.push(...this.adversary.internMenus());
    if (spec.symmetry !== undefined) {
      const symmetry = new Symmetry(spec.symmetry, this.n, this.header, this.tables, this.transit);
      this.symmetry = symmetry;
      this.symmetricFingerprint = (state, out) => symmetry.fingerprint(state, out);
    }
    this.initial = this.compose(locals, faults, sent);
    this.views = new Views(this.n, this.header, this.tables, this.network, spec.adversary !== undefined);
    const { properties, visible, reads } = this.views.properties(spec.properties, this.adversary?.mayCrash ?? 0);
    this.properties = properties;
    this.dropToFinished = spec.dropToFinished ?? false;
    if ((this.dropToFinished || spec.adversary?.menuInFlight) && (visible === ALL_VISIBLE || visible & NETWORK_READ)) {
      throw new ModelError(`${spec.name}: dropToFinished or menuInFlight with a property that reads the network`);
    }
    // On an unordered network that loses nothing, independence is decided from behaviour
    // (persistent.ts); otherwise from who may still send to whom (reduction.ts).
    const recipients = new Recipients(this.tables);
    this.semantic =
      this.network.ordering === "unordered" && !this.network.loss
        ? new ActorPersistentSets(
            this.n,
            this.header,
            this.tables,
            this.internal,
            this.adversary,
            this.dropToFinished,
            reads,
            (state, action) => this.nextState(state, action),
            recipients,
            spec.properties.some((property) => property.kind === "eventually"),
          )
        : undefined;
    // A crashed actor no property reads never changes again and nothing reads it: its local state
    // and the messages to it are dead (a computed menu reads the whole state, so not then).
    const dead = (this.adversary?.mayCrash ?? 0) & ~visible;
    if (
      dead !== 0 &&
      visible !== ALL_VISIBLE &&
      (visible & NETWORK_READ) === 0 &&
      spec.symmetry === undefined &&
      (this.adversary?.menusAreStatic || (spec.adversary?.byzantine ?? []).length === 0)
    ) {
      this.quotientFingerprint = (state, out) => this.fingerprintAlive(state, dead, out);
    }
    // Without loss, duplication or symmetry, a message delivered is gone (unless a Byzantine actor
    // sent it) and an actor's id is its own: the local transitions alone say whether a cycle can be
    // (ActorTables.acyclic). A computed menu is not known in advance, so it is left out.
    const byzantine = spec.adversary?.byzantine ?? [];
    if (
      !this.network.loss &&
      !this.network.duplication &&
      spec.symmetry === undefined &&
      (byzantine.length === 0 || this.adversary?.menusAreStatic)
    ) {
      const kept = new Set(this.internal.flat());
      for (const name of byzantine) {
        const menu = this.adversary?.staticMenuOf(this.tables.actorIndex(name, "adversary.byzantine")) ?? [];
        for (const message of menu) kept.add(this.tables.messageEvents[message]);
      }
      this.stepsAcyclic = () => this.tables.acyclic(kept);
    }
    // Every thread of a parallel search can make again what a step made in another (a menu computed
    // from a whole state is not a step).
    if (this.adversary === undefined || this.adversary.menusAreStatic) this.shared = this.sharedStates();
    this.reduction = new AmpleSets(
      this.n,
      this.header,
      visible,
      this.tables,
      recipients,
      this.adversary,
      (state, action) => this.nextState(state, action),
      this.semantic,
    );
    this.tables.built();
  }

  /**
   * States portable between the threads of a parallel search: their words are the ids of the tables
   * the threads share (actors/shared-ids.ts), and a thread that reads an id another thread made
   * makes it again by redoing the local transition that made it.
   */
  readonly shared?: SharedStates<SystemState>;

  private sharedStates(): SharedStates<SystemState> {
    const { n, header, tables } = this;
    return {
      share: () => tables.share(),
      join: (shared) => tables.join(shared as SharedTables),
      words: {
        length: this.inProcess.length,
        encode: this.inProcess.encode,
        decode: (words, at, length) => {
          const state = this.inProcess.decode(words, at, length);
          for (let i = 0; i < n; i++) tables.haveLocal(state[i]);
          for (let i = header; i < length; i++) tables.haveMessage(state[i]);
          return state;
        },
      },
    };
  }

  /**
   * Global states as their words — ids valid in this process — for a breadth-first queue that
   * spills to disk and for checkpoints; `save` writes the interning journal (actors/journal.ts)
   * and what partial-order reduction has decided so far, `restore` redoes them in a model built
   * just now, so that the ids, and the search's further decisions, come out the same.
   */
  readonly inProcess: InProcessStates<SystemState> = {
    length: (state) => state.length,
    encode: (state, out, at) => {
      for (let i = 0; i < state.length; i++) out[at + i] = state[i];
    },
    decode: (words, at, length) => Uint16Array.from(words.subarray(at, at + length)),
    save: (sink) => this.saveTables(sink),
    restore: (source) => this.restoreTables(source),
  };

  private saveTables(sink: ByteSink): void {
    const { locals, events, messages } = this.tables;
    writeNumbers(sink, [locals.length, events.length, messages.length, this.semantic === undefined ? 0 : 1]);
    this.tables.journal.write(sink);
    this.semantic?.write(sink);
  }

  private restoreTables(source: ByteSource): void {
    const [locals, events, messages, semantic] = readNumbers(source, 4);
    if (semantic !== (this.semantic === undefined ? 0 : 1)) {
      throw new CheckpointError(
        "model-changed",
        "the model changed since the checkpoint: its reduction is not the same",
      );
    }
    const { tables } = this;
    tables.journal.replay(InterningJournal.read(source), {
      step: (local, event) => {
        tables.step(local, event);
      },
      renameLocal: (local, actor, permutation) => {
        if (this.symmetry === undefined) throw new Error("the model has no symmetry now");
        this.symmetry.renameLocal(local, actor, permutation);
      },
      renameMessage: (message, permutation) => {
        if (this.symmetry === undefined) throw new Error("the model has no symmetry now");
        this.symmetry.renameMessage(message, permutation);
      },
      menu: (actor, state) => {
        if (this.adversary === undefined) throw new Error("the model has no adversary now");
        this.adversary.menuOf(state, actor, (at) => this.view(at));
      },
    });
    const made = [tables.locals.length, tables.events.length, tables.messages.length];
    if (made[0] !== locals || made[1] !== events || made[2] !== messages) {
      throw new CheckpointError(
        "model-changed",
        `the model changed since the checkpoint: ${made.join("/")} local states, events and messages where it had ${locals}/${events}/${messages}`,
      );
    }
    this.semantic?.read(source);
  }

  /** Local transitions computed with xstate (the rest came from the memo). */
  get transitionsComputed(): number {
    return this.tables.transitionsComputed;
  }

  /** The one initial state, built from the actors' inputs when the model was made. */
  initStates(): SystemState[] {
    return [this.initial];
  }

  actions(state: SystemState, out: SystemAction[]): void {
    const faults = faultsOf(state, this.n, this.header);
    const down = downActors(faults);
    this.transit.deliveries(state, down, out);
    for (let actor = 0; actor < this.n; actor++) {
      if ((down & (1 << actor)) !== 0) continue;
      for (const action of this.internalActions[actor]) out.push(action);
    }
    this.adversary?.faultActions(state, faults, this.transit, (at) => this.view(at), out);
  }

  nextState(state: SystemState, action: SystemAction): SystemState | undefined {
    const n = this.n;
    const { messages, messageEvents } = this.tables;
    // A plain switch rather than ts-pattern's match: this is the search's inner loop.
    switch (action.kind) {
      case "crash": {
        const next = state.slice();
        next[n] |= CRASHED << action.actor;
        return next;
      }
      case "byzantine":
        if (this.dropToFinished && this.tables.finished(state[messages[action.message].to])) return undefined;
        return this.transit.withNetwork(state, -1, 0, -1, [action.message]);
      case "drop":
        return this.transit.withNetwork(state, -1, 0, action.at, []);
      default: {
        const deliver = action.kind === "deliver";
        const actor = deliver ? messages[action.message].to : action.actor;
        const event = deliver ? messageEvents[action.message] : action.event;
        const consumed =
          deliver &&
          !action.keep &&
          !(this.network.duplication && this.network.ordering === "unordered") &&
          (faultsOf(state, n, this.header) & (BYZANTINE << messages[action.message].from)) === 0;
        const step = this.tables.step(state[actor], event);
        const removeAt = consumed ? action.at : -1;
        if (!this.dropToFinished) return this.transit.withNetwork(state, actor, step.next, removeAt, step.sent);
        const next = this.transit.withNetwork(state, actor, step.next, removeAt, this.toUnfinished(state, actor, step));
        const { tables } = this;
        if (next === undefined || !tables.finished(step.next) || tables.finished(state[actor])) return next;
        return next.filter((word, at) => at < this.header || messages[word].to !== actor);
      }
    }
  }

  /**
   * With `dropToFinished`: what `step` of `actor` in `state` sends to actors whose machines have not
   * finished (the step's own list when it is all of it, the common case: no copy).
   */
  private toUnfinished(state: SystemState, actor: number, step: LocalStep): readonly number[] {
    const { tables } = this;
    const sent = step.sent;
    let kept: number[] | undefined;
    for (let i = 0; i < sent.length; i++) {
      const to = tables.messages[sent[i]].to;
      const finished = tables.finished(to === actor ? step.next : state[to]);
      if (finished) kept ??= sent.slice(0, i);
      else kept?.push(sent[i]);
    }
    return kept ?? sent;
  }

  /** Successors into scratch words (the network's), copied only when the search keeps one. */
  readonly transient: TransientStates<SystemState, SystemAction> = {
    next: (state: SystemState, action: SystemAction): SystemState | undefined => {
      // Views are cached by the state they are of, and the scratch words are about to hold another.
      this.views.forget();
      this.transit.reuse = true;
      try {
        return this.nextState(state, action);
      } finally {
        this.transit.reuse = false;
      }
    },
    keep: (state: SystemState): SystemState => state.slice(),
  };

  fingerprint(state: SystemState, out: Fingerprint): void {
    fingerprintWords(state, state.length, out);
  }

  /** Whether the states reached so far lie on no cycle (see the constructor). */
  readonly stepsAcyclic?: () => boolean;

  /** With a symmetry group: the fingerprint of the least permutation of the state. */
  readonly symmetricFingerprint?: (state: SystemState, out: Fingerprint) => void;

  /** With actors that may crash and that no property reads: the fingerprint without their dead parts. */
  readonly quotientFingerprint?: (state: SystemState, out: Fingerprint) => void;

  /**
   * The fingerprint of `state` with each crashed actor of `dead` (a bit mask) left out: its local
   * state a constant, the messages to it gone. A crash is for good, so those are never read again.
   */
  private fingerprintAlive(state: SystemState, dead: number, out: Fingerprint): void {
    const crashed = faultsOf(state, this.n, this.header) & dead & 0xffff;
    if (crashed === 0) {
      fingerprintWords(state, state.length, out);
      return;
    }
    if (this.scratch.length < state.length) this.scratch = new Uint16Array(2 * state.length);
    const alive = this.scratch;
    let length = 0;
    for (let i = 0; i < state.length; i++) {
      if (i < this.n) alive[length++] = crashed & (1 << i) ? 0xffff : state[i];
      else if (i < this.header || (crashed & (1 << this.tables.messages[state[i]].to)) === 0)
        alive[length++] = state[i];
    }
    fingerprintWords(alive, length, out);
  }

  formatAction(action: SystemAction): string {
    return this.views.formatAction(action);
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
    return this.tables.messages[id];
  }

  /** The event with id `id` (as an actor's spontaneous step names it). */
  event(id: number): EventObject {
    return this.tables.events[id];
  }

  /** What properties see: each actor's snapshot, its status and the messages in flight. */
  view(state: SystemState): SystemView {
    return this.views.view(state);
  }

  /**
   * What a counterexample shows: one variable per actor ({state, context}), `faulty` when there is
   * an adversary, and `network`, the messages in flight ({@link Views.describe}).
   */
  describe(state: SystemState): Record<string, unknown> {
    return this.views.describe(state);
  }

  /**
   * Candidate ample sets for partial-order reduction, smallest first ({@link AmpleSets.candidates});
   * the cycle proviso is the search's to check.
   */
  ampleSets(state: SystemState, actions: readonly SystemAction[]): SystemAction[][] {
    return this.reduction.candidates(state, actions);
  }

  private compose(locals: number[], faults: number, inFlight: number[]): SystemState {
    const words = this.header === this.n ? locals : [...locals, faults & 0xffff, faults >>> 16];
    const start = Uint16Array.from(words);
    return (
      this.transit.withNetwork(
        start,
        -1,
        0,
        -1,
        [...inFlight].sort((a, b) => a - b),
      ) ?? start
    );
  }
}
