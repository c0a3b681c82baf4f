/**
 * Persistent sets of one actor, with independence decided from behaviour: the partial-order
 * reduction that cuts actor models where every actor may send to every other (Godefroid's
 * persistent sets, "Partial-Order Methods for the Verification of Concurrent Systems", LNCS 1032,
 * ch. 4; conditional independence after Godefroid and Pirottin, "Refining dependencies improves
 * partial-order verification methods", CAV 1993; the ample-set conditions C0–C3 of Clarke,
 * Grumberg and Peled, "Model Checking", ch. 10).
 *
 * On an unordered network two steps of different actors always commute: each takes one message
 * out of the multiset in flight, changes its own local state and adds its sends, and neither can
 * take away what the other needs. So the only thing that can interfere with the enabled actions
 * T of an actor A, while T is held back, is a message that reaches A later. T is persistent (C1)
 * when every such message commutes with T in every local state A can be in by then:
 *
 * 1. The messages still to come to A (F) are over-approximated by a fixpoint over the system with
 *    T held back: each actor's local states reachable from its current one under any event that
 *    is in flight to it or that the fixpoint finds sent to it (messages are never used up there,
 *    so every real schedule is covered). A takes part with F alone: it may answer those messages,
 *    and its answers can bring more. The fixpoint runs on the memoised local transitions, so a
 *    step already computed costs an array lookup; an actor whose chart says it sends nothing more
 *    (recipients.ts) is left out; it has budgets, and giving up only means A is not taken. It goes
 *    actor by actor: each actor's closure from its local state under the events found to reach it
 *    is a function of those alone, so it is kept, and the search, which meets the same local
 *    state of an actor with the same events to come in many global states, mostly looks it up
 *    (on the full challenge of four nodes this made the reduction pay: 106 470 states searched
 *    whole, where the fixpoints had kept it near 300 states a second).
 * 2. In each local state of A in the fixpoint, each action of T and each message of F lead to the
 *    same local state and the same sends in either order.
 * 3. A crash of A is one of A's actions, and a message that arrives after it is never received:
 *    T may hold a crash only when F is empty. Crashes of other actors share the budget with it,
 *    which can only disable one of them, never change what another does; T must hold a step other
 *    than the crash, which stays enabled along every path that holds T back.
 * 4. An action that changes nothing is no step (a step to the same state is a cycle the proviso
 *    would have to break): it is left out of T, and since it may do something in a later local
 *    state of A, its event counts among those still to come.
 * 5. With `dropToFinished`, a message of F that ends A's machine would take T's messages out of
 *    the network: such an A is not taken.
 *
 * Invisibility (C2) is decided per local state where it can be: a property that reads A alone is
 * a function of A's local state, so an action of T is invisible when it keeps every such property
 * at the same value in each local state of step 2. An actor read together with another actor (or
 * with the network) by some property is never taken. The cycle proviso (C3) is the search's.
 *
 * A Byzantine actor of a fixed menu is a candidate of its own: its sends only add messages that no
 * one else sends or consumes, so they commute with everything (as `menuInFlight` argues).
 *
 * test/reduction-soundness.test.ts compares reduced and full searches on the catalogue's small
 * models and on random actor systems; it found the crash of step 3 hidden behind a step of step 4.
 */

import { type ByteSink, type ByteSource, expectData, readNumbers, writeNumbers } from "../binary.js";
import { type Adversary, BYZANTINE, CRASHED, downActors, faultsOf } from "./adversary.js";
import type { ActorTables, LocalStep } from "./interning.js";
import type { Recipients } from "./recipients.js";
import type { SystemAction, SystemState } from "./types.js";

/** How many (local state, event) steps the fixpoint of one candidate may take before it gives up. */
const MAX_FIXPOINT_STEPS = 20_000;
/** Local transitions one fixpoint may compute with xstate (the rest come from the memo). */
const MAX_NEW_STEPS = 512;
/** Local transitions the fixpoints may compute in all: so many per state asked about, and more at the start. */
const NEW_STEPS_PER_STATE = 4;
const NEW_STEPS_AT_START = 2_000;
/** Local states beyond which the fixpoints compute nothing more (ids are 16-bit words). */
const MAX_LOCALS = 32_768;
/** States whose chosen actor is kept before the table starts again. */
const MAX_CHOSEN = 250_000;
/** Pairs of events known to commute or not, kept before the table starts again. */
const MAX_SWAPS = 1_000_000;
/** Closures of actors kept before the table starts again. */
const MAX_CLOSURES = 200_000;
/** How many local states of the candidate the fixpoint may visit before it gives up. */
const MAX_CLOSURE = 512;
/**
 * After a candidate's fixpoint gives up (a budget ran out) this many times in a row, the actor is
 * not tried again for 2^(times − 1) states asked about, at most {@link MAX_PAUSE}: a fixpoint that
 * gives up has done its whole budget of work for nothing, and in the models where one actor's does,
 * the next ones nearly always do too (epoch-change-4-write: 2 694 of 2 734).
 */
const PAUSE_AFTER = 2;
const MAX_PAUSE = 1_024;

/** What a fixpoint found: the candidate's actions are persistent, they are not, or it gave up. */
type Outcome = "persistent" | "dependent" | "gave up";

/**
 * An actor's closure from one local state under a set of events: the local states it reaches, the
 * messages it sends, and whether the candidate checks named by their keys pass over it.
 */
interface Closure {
  /** The local states reached: kept for the candidate's closures only, which its checks read again. */
  readonly reached: readonly number[];
  readonly sent: readonly number[];
  /** By check key, whether the candidate's local states pass it (the candidate's closures only). */
  readonly passes?: Map<string, boolean>;
}

/**
 * What a candidate's local states must pass: `local`, each of them; `pair`, each with each event
 * to come; `key` names the check (the same key, the same answers).
 */
interface Check {
  readonly key: string;
  local(here: number): boolean;
  pair(here: number, event: number): boolean;
}

/** What reduction needs to know of the properties: who is read with whom, and who is read alone. */
export interface ReadsOfProperties {
  /** Actors (bits) some property reads together with another actor or the network. */
  readonly shared: number;
  /** Per actor: the properties (or parts of properties) that read it alone, as functions of a state. */
  readonly alone: readonly (readonly ((state: SystemState) => boolean)[])[];
  /** Actors (bits) whose status alone some property reads: their crash is visible. */
  readonly status: number;
}

/** One model's persistent sets of one actor. */
export class ActorPersistentSets {
  /** Per actor, the enabled actions it owns (scratch, refilled per state). */
  private readonly owned: SystemAction[][];
  /** States asked about, and local transitions the fixpoints computed with xstate. */
  private asked = 0;
  private madeUp = 0;
  /**
   * The set chosen in a state, by the state's words as text: an actor `a` ≥ 0 (its actions that
   * change the state), a single delivery of message `m` (−2 − m), or none (−1).
   */
  private readonly chosen = new Map<string, number>();
  /** Per local state: the values of the properties that read its actor alone, as bits. */
  private readonly values: number[] = [];
  /** Per actor: its fixpoints that gave up in a row, and the count of states asked about until it is tried again. */
  private readonly gaveUp: number[];
  private readonly pausedUntil: number[];
  /** The fixpoints' scratch: the number of the current one, and per actor the number of the last one that reached each event. */
  private marks = 0;
  private readonly eventMarks: Int32Array[];
  /**
   * The closures of actors, by actor, local state and events to come ({@link closureOf}; null: too
   * large), and their scratch.
   */
  private readonly closures = new Map<string, Closure | null>();
  private closureMark = 0;
  private closureMarks = new Int32Array(1024);
  private sentMarks = new Int32Array(1024);
  /** Per local state: whether two events commute there ({@link swap}), by f · 2^15 + t. */
  private readonly swaps: (Map<number, boolean> | undefined)[] = [];
  private swapsKept = 0;

  /**
   * `n` actors, messages from word `header` on; `internal`: each actor's spontaneous events;
   * `reads`: what the properties read; `remember`: whether the answers are kept for the liveness
   * searches that ask again (a model with an `eventually` property).
   */
  constructor(
    private readonly n: number,
    private readonly header: number,
    private readonly tables: ActorTables,
    private readonly internal: readonly (readonly number[])[],
    private readonly adversary: Adversary | undefined,
    private readonly dropToFinished: boolean,
    private readonly reads: ReadsOfProperties,
    private readonly nextState: (state: SystemState, action: SystemAction) => SystemState | undefined,
    private readonly recipients: Recipients,
    private readonly remember = true,
  ) {
    this.owned = Array.from({ length: n }, () => []);
    this.gaveUp = new Array<number>(n).fill(0);
    this.pausedUntil = new Array<number>(n).fill(0);
    this.eventMarks = Array.from({ length: n }, () => new Int32Array(256));
  }

  /**
   * At most one candidate: the enabled actions of the actor with the fewest of them whose actions
   * form a persistent, invisible set (none: the state is expanded fully).
   */
  candidates(state: SystemState, actions: readonly SystemAction[]): SystemAction[][] {
    const n = this.n;
    const { owned } = this;
    for (const list of owned) list.length = 0;
    for (const action of actions) owned[this.ownerOf(action)].push(action);
    const faults = faultsOf(state, n, this.header);
    const byzantine = faults >>> 16;
    if (byzantine !== 0 && !this.adversary?.menusAreStatic) return [];
    const order: number[] = [];
    let busy = 0;
    for (let a = 0; a < n; a++) {
      if (owned[a].length === 0) continue;
      busy++;
      // An actor read together with another is never taken (see the header).
      if ((byzantine & (1 << a)) !== 0 || (this.reads.shared & (1 << a)) === 0) order.push(a);
    }
    // Every enabled action belongs to one actor, or no actor can be taken: there is nothing to cut.
    if (busy < 2 || order.length === 0) return [];
    // The liveness searches ask again about the states the search expanded: the answer is kept
    // (without an `eventually` property nothing asks again, and keeping it costs a key per state).
    const key = this.remember ? String.fromCharCode(...state) : "";
    const known = this.remember ? this.chosen.get(key) : undefined;
    if (known !== undefined) return known === -1 ? [] : [this.recall(state, known)];
    this.asked++;
    order.sort((a, b) => owned[a].length - owned[b].length || a - b);
    let found = -1;
    let ample: SystemAction[] | undefined;
    for (const actor of order) {
      if (this.pausedUntil[actor] > this.asked) continue;
      ample = this.persistent(state, faults, actor, (byzantine & (1 << actor)) !== 0);
      if (ample !== undefined) {
        const [only] = ample;
        found = ample.length === 1 && only.kind === "deliver" ? -2 - only.message : actor;
        break;
      }
    }
    if (this.remember) {
      if (this.chosen.size >= MAX_CHOSEN) this.chosen.clear();
      this.chosen.set(key, found);
    }
    return ample === undefined ? [] : [ample];
  }

  /** The set a state was given before (see {@link chosen}), from its enabled actions. */
  private recall(state: SystemState, known: number): SystemAction[] {
    if (known >= 0) return this.owned[known].filter((action) => this.nextState(state, action) !== undefined);
    const message = -2 - known;
    const owner = this.owned[this.tables.messages[message].to];
    return [owner.find((action) => action.kind === "deliver" && action.message === message) as SystemAction];
  }

  /**
   * Writes what its answers depend on besides the memoised transitions: the counts its budget of
   * new transitions grows with, which actors are paused after fixpoints that gave up, and the
   * answers it keeps (in the order given, which decides when the table starts again). A resumed
   * search reads them back with {@link read}.
   */
  write(sink: ByteSink): void {
    let length = 0;
    for (const key of this.chosen.keys()) length += 2 + key.length;
    const words = new Int32Array(length);
    let at = 0;
    for (const [key, actor] of this.chosen) {
      words[at++] = key.length;
      for (let k = 0; k < key.length; k++) words[at++] = key.charCodeAt(k);
      words[at++] = actor;
    }
    writeNumbers(sink, [this.asked, this.madeUp, this.chosen.size, length]);
    sink.write(words);
    writeNumbers(sink, [...this.gaveUp, ...this.pausedUntil]);
  }

  /** Reads what {@link write} wrote, into a model built just now. */
  read(source: ByteSource): void {
    const [asked, madeUp, count, length] = readNumbers(source, 4);
    expectData(Number.isSafeInteger(length) && length >= 0 && length < 2 ** 31, `${length} words of chosen actors`);
    const words = new Int32Array(length);
    source.read(words);
    this.asked = asked;
    this.madeUp = madeUp;
    this.chosen.clear();
    for (let at = 0; at < length; ) {
      const size = words[at];
      expectData(size >= 0 && at + size + 2 <= length, "a chosen actor past the end of its table");
      this.chosen.set(String.fromCharCode(...words.subarray(at + 1, at + 1 + size)), words[at + 1 + size]);
      at += size + 2;
    }
    expectData(this.chosen.size === count, `${this.chosen.size} chosen actors where ${count} were written`);
    const paused = readNumbers(source, 2 * this.n);
    for (let a = 0; a < this.n; a++) {
      this.gaveUp[a] = paused[a];
      this.pausedUntil[a] = paused[this.n + a];
    }
  }

  /**
   * The actions of `actor` that change the state, when they form a persistent, invisible set. An
   * action that changes nothing is no step (a step to the same state would be a cycle the proviso
   * must break): it is left out, and since it may do something in a later local state of the
   * actor, it counts among the events still to come.
   */
  private persistent(
    state: SystemState,
    faults: number,
    actor: number,
    byzantine: boolean,
  ): SystemAction[] | undefined {
    const own = this.owned[actor];
    const ample = own.filter((action) => this.nextState(state, action) !== undefined);
    if (ample.length === 0) return undefined;
    // A Byzantine actor's sends commute with everything (see the header).
    if (byzantine) return ample;
    const { tables } = this;
    const crash = ample.some((action) => action.kind === "crash");
    // A crash changes the status a property of the actor reads.
    if (crash && (this.reads.alone[actor].length > 0 || (this.reads.status & (1 << actor)) !== 0)) return undefined;
    // The events of T (deliveries and spontaneous steps), the messages T delivers, and the events
    // of the actions that change nothing now.
    const events = new Set<number>();
    const idle = new Set<number>();
    const delivered = new Set<number>();
    for (const action of own) {
      if (action.kind === "crash" || action.kind === "byzantine" || action.kind === "drop") continue;
      const event = action.kind === "deliver" ? tables.messageEvents[action.message] : action.event;
      if (action.kind === "deliver") delivered.add(action.message);
      (ample.includes(action) ? events : idle).add(event);
    }
    // Without a step other than the crash, no action of T stays enabled along every path.
    if (events.size === 0) return undefined;
    const single = crash ? undefined : this.single(state, faults, actor, ample, idle);
    if (single !== undefined && single !== "gave up") return single;
    // A fixpoint that gave up for one delivery would for all of them: its budget is the same.
    const outcome = single ?? this.decide(state, faults, actor, [...events], delivered, idle, crash);
    if (outcome === "gave up") {
      const times = ++this.gaveUp[actor];
      if (times >= PAUSE_AFTER) this.pausedUntil[actor] = this.asked + Math.min(MAX_PAUSE, 2 ** (times - PAUSE_AFTER));
    } else {
      this.gaveUp[actor] = 0;
    }
    return outcome === "persistent" ? ample : undefined;
  }

  /**
   * One delivery of T alone, when it is persistent too: the actor's other enabled actions are then
   * among those still to come (its other messages in flight are counted by the fixpoint, its
   * spontaneous steps go with the idle ones) and must commute with it as well. Where one does, the
   * actor's own messages no longer branch among themselves: k of them give k + 1 states along one
   * order instead of 2^k (`gave up`: a fixpoint gave up). Tried before T as a whole: one passes in many states where T does not (on
   * challenge-4-one-node, trying them only after T passed left 321 474 states instead of 2 676).
   */
  private single(
    state: SystemState,
    faults: number,
    actor: number,
    ample: readonly SystemAction[],
    idle: ReadonlySet<number>,
  ): SystemAction[] | "gave up" | undefined {
    if (ample.length < 2) return undefined;
    const others = new Set(idle);
    for (const action of ample) if (action.kind === "internal") others.add(action.event);
    for (const action of ample) {
      if (action.kind !== "deliver") continue;
      const event = this.tables.messageEvents[action.message];
      const alone = this.decide(state, faults, actor, [event], new Set([action.message]), others, false);
      if (alone === "persistent") return [action];
      if (alone === "gave up") return alone;
    }
    return undefined;
  }

  /** Whether the actions of `actor` with events `tEvents` are persistent and invisible (the fixpoint and its checks). */
  private decide(
    state: SystemState,
    faults: number,
    actor: number,
    tEvents: readonly number[],
    delivered: ReadonlySet<number>,
    idle: ReadonlySet<number>,
    crash: boolean,
  ): Outcome {
    try {
      return this.fixpoint(state, faults, actor, delivered, idle, crash, {
        key: `${tEvents.join(" ")}|${[...idle].join(" ")}`,
        local: (here) => this.invisible(state, actor, here, tEvents),
        pair: (here, f) => this.commutes(here, f, tEvents, idle),
      });
    } catch {
      // A machine that throws in a local state the fixpoint made up: no reduction here.
      return "gave up";
    }
  }

  /**
   * The fixpoint of the system from `state` without `actor`'s enabled actions (see the header):
   * the events of the messages other actors may still send to `actor` (other than those in flight
   * to it, `delivered`), and the local states `actor` reaches by receiving them; the events of the
   * actor's actions that change nothing now (`idle`) are available to it too. Whether every local
   * state passes `check.local` and every (local state, event) pair `check.pair`: `dependent` as
   * soon as one does not, or when `none` asks for no message still to come and there is one; `gave
   * up` when a budget runs out.
   *
   * It runs actor by actor: each actor's closure from its local state under the events found to
   * reach it so far ({@link closureOf}), and what it sends, until no actor's events grow. Closures
   * and the candidate's checks over them are functions of their arguments and are kept from one
   * fixpoint to the next: the search meets the same local state of an actor, with the same events to
   * come, in many states.
   */
  private fixpoint(
    state: SystemState,
    faults: number,
    actor: number,
    delivered: ReadonlySet<number>,
    idle: ReadonlySet<number>,
    none: boolean,
    check: Check,
  ): Outcome {
    const { n, tables } = this;
    const { messages, messageEvents } = tables;
    const down = downActors(faults);
    // Each actor's events, marked with this fixpoint's number in arrays kept from one fixpoint to
    // the next, and the actors whose events grew since their closure was last taken (bits).
    const mark = ++this.marks;
    const eventList: number[][] = Array.from({ length: n }, () => []);
    let dirty = 1 << actor;
    let violated = false;
    const addEvent = (b: number, event: number) => {
      let marks = this.eventMarks[b];
      if (event >= marks.length) {
        marks = grown(marks, tables.events.length);
        this.eventMarks[b] = marks;
      }
      if (marks[event] === mark) return;
      marks[event] = mark;
      eventList[b].push(event);
      dirty |= 1 << b;
    };
    // A message sent: a delivery to come. One to `actor` that is in flight already is a delivery
    // of T (the same action), and the actor receives the others in the local states of the
    // fixpoint, where it may answer: so it takes part, with these events only.
    const send = (message: number) => {
      const to = messages[message].to;
      if ((down & (1 << to)) !== 0 || (to === actor && delivered.has(message))) return;
      if (to === actor && none) violated = true;
      addEvent(to, messageEvents[message]);
    };
    for (const event of idle) addEvent(actor, event);
    // The actors that take part: the candidate, and every other one that is up and whose chart
    // says it may still send (the chart's may-send-to relation over-approximates what it sends:
    // recipients.ts).
    let taking = 1 << actor;
    for (let b = 0; b < n; b++) {
      if (b === actor) continue;
      if (faults & (BYZANTINE << b)) {
        for (const message of this.adversary?.staticMenuOf(b) ?? []) send(message);
      } else if ((faults & (CRASHED << b)) === 0 && this.recipients.of(state[b], b) !== 0) {
        taking |= 1 << b;
        dirty |= 1 << b;
        for (const event of this.internal[b]) addEvent(b, event);
      }
    }
    for (let at = this.header; at < state.length; at++) send(state[at]);
    const budget = { computed: 0 };
    // One actor at a time, the candidate whenever its events grew: a check that fails ends the
    // fixpoint before the other actors' closures are all taken.
    while (!violated && (dirty & taking) !== 0) {
      const now = dirty & taking;
      const b = (now & (1 << actor)) !== 0 ? actor : 31 - Math.clz32(now & -now);
      dirty &= ~(1 << b);
      const events = [...eventList[b]].sort((x, y) => x - y);
      const closure = this.closureOf(b, state[b], events, b === actor ? check : undefined, budget);
      if (closure === "gave up") return "gave up";
      // The candidate's local states must pass the checks, which a closure too large fails; another
      // actor's closure too large to take means giving up.
      if (typeof closure === "string") return b === actor ? "dependent" : "gave up";
      for (const message of closure.sent) send(message);
    }
    return violated ? "dependent" : "persistent";
  }

  /**
   * The closure of actor `b` from its local state `local` when the events `events` (sorted) reach
   * it as often as it likes (the messages are never used up, as in the fixpoint): the local states
   * it reaches and the messages it sends. The answer depends on nothing else, so it is kept.
   *
   * For another actor than the candidate (no `check`), local states from which its chart says it
   * sends nothing more are not followed. For the candidate every local state is, and each must pass
   * `check` (`dependent` as soon as one does not, so that a candidate that fails computes little;
   * whether a kept closure passes a check is kept with it).
   *
   * `too large`: more than {@link MAX_FIXPOINT_STEPS} steps, or the candidate past
   * {@link MAX_CLOSURE} local states (kept too: it always would be); `gave up`: the budget of
   * transitions to compute ran out (not kept: the transitions it computed are memoised for the next
   * try).
   */
  private closureOf(
    b: number,
    local: number,
    events: readonly number[],
    check: Check | undefined,
    budget: { computed: number },
  ): Closure | "too large" | "gave up" | "dependent" {
    const all = check !== undefined;
    const key = `${all ? "*" : ""}${b} ${local} ${events.join(" ")}`;
    const kept = this.closures.get(key);
    if (kept === null) return "too large";
    const passes = (here: number) =>
      check === undefined || (check.local(here) && events.every((f) => check.pair(here, f)));
    if (kept !== undefined) {
      if (check === undefined || kept.passes === undefined) return kept;
      let passed = kept.passes.get(check.key);
      if (passed === undefined) {
        passed = kept.reached.every(passes);
        kept.passes.set(check.key, passed);
      }
      return passed ? kept : "dependent";
    }
    const { tables } = this;
    const mark = ++this.closureMark;
    const reached = [local];
    if (local >= this.closureMarks.length) this.closureMarks = grown(this.closureMarks, tables.locals.length);
    this.closureMarks[local] = mark;
    if (!passes(local)) return "dependent";
    const sent: number[] = [];
    let steps = 0;
    for (let i = 0; i < reached.length; i++) {
      for (const event of events) {
        if (++steps > MAX_FIXPOINT_STEPS || (all && reached.length > MAX_CLOSURE)) {
          this.keep(key, null);
          return "too large";
        }
        const step = this.stepOf(reached[i], event, budget);
        if (step === undefined) return "gave up";
        for (const message of step.sent) {
          if (message >= this.sentMarks.length) this.sentMarks = grown(this.sentMarks, tables.messages.length);
          if (this.sentMarks[message] === mark) continue;
          this.sentMarks[message] = mark;
          sent.push(message);
        }
        const next = step.next;
        if (next >= this.closureMarks.length) this.closureMarks = grown(this.closureMarks, tables.locals.length);
        if (this.closureMarks[next] === mark) continue;
        this.closureMarks[next] = mark;
        if (!all && this.recipients.of(next, b) === 0) continue;
        if (!passes(next)) return "dependent";
        reached.push(next);
      }
    }
    // Another actor's closure is asked only what it sends: its local states are not kept.
    const closure: Closure =
      check === undefined ? { reached: [], sent } : { reached, sent, passes: new Map([[check.key, true]]) };
    this.keep(key, closure);
    return closure;
  }

  /** Keeps a closure, starting the table again when it is full (what it holds only saves work). */
  private keep(key: string, closure: Closure | null): void {
    if (this.closures.size >= MAX_CLOSURES) this.closures.clear();
    this.closures.set(key, closure);
  }

  /**
   * The memoised local transition, computed with xstate when it is not yet known and the budgets
   * allow: so many per fixpoint, so many per state asked about, and none past the ceiling of local
   * states (local states the fixpoint makes up share the tables, and their 16-bit ids, with the
   * search: a machine whose context grows without bound under repeated messages must not fill
   * them). Undefined: a budget ran out.
   */
  private stepOf(local: number, event: number, budget: { computed: number }): LocalStep | undefined {
    const { tables } = this;
    const known = tables.known(local, event);
    if (known !== undefined) return known;
    if (++budget.computed > MAX_NEW_STEPS || tables.locals.length > MAX_LOCALS) return undefined;
    // What the fixpoints compute grows with the search, so that a short search pays little.
    if (this.madeUp >= NEW_STEPS_PER_STATE * this.asked + NEW_STEPS_AT_START) return undefined;
    this.madeUp++;
    return tables.step(local, event);
  }

  /** Whether T's events (`events`) keep the properties that read `actor` alone in its local state `here`. */
  private invisible(state: SystemState, actor: number, here: number, events: readonly number[]): boolean {
    if (this.reads.alone[actor].length === 0) return true;
    const value = this.valuesOf(state, actor, here);
    for (const t of events) if (this.valuesOf(state, actor, this.tables.step(here, t).next) !== value) return false;
    return true;
  }

  /**
   * Whether the event `f` still to come commutes with each event of T (`events`) in the local
   * state `here`: either order leads to the same local state and the same sends.
   */
  private commutes(here: number, f: number, events: readonly number[], idle: ReadonlySet<number>): boolean {
    const { tables } = this;
    // Past the ceiling of local states, only steps already computed are used.
    if (tables.locals.length > MAX_LOCALS) {
      const known = (local: number, event: number) => tables.known(local, event) !== undefined;
      if (!known(here, f) || events.some((t) => !known(here, t))) return false;
      for (const t of events) {
        if (!known((tables.known(here, t) as LocalStep).next, f)) return false;
        if (!known((tables.known(here, f) as LocalStep).next, t)) return false;
      }
    }
    const first = tables.step(here, f);
    // An idle action is a step only where it changes something (a message of F always is: it is
    // taken out of the network).
    if (idle.has(f) && first.next === here && first.sent.length === 0) return true;
    // A message of F that finishes the actor would take T's messages out of the network.
    if (this.dropToFinished && !tables.finished(here) && tables.finished(first.next)) return false;
    for (const t of events) if (t !== f && !this.swap(here, first, f, t)) return false;
    return true;
  }

  /**
   * Whether events `f` and `t` commute in the local state `here` (`first`: the step of `f` there):
   * either order leads to the same local state and the same sends. A function of the memoised
   * transitions alone, so it is kept per local state (for events below 2^15, as one small key).
   */
  private swap(here: number, first: LocalStep, f: number, t: number): boolean {
    const { tables } = this;
    const keyed = f < 0x8000 && t < 0x8000;
    const key = f * 0x8000 + t;
    let row = this.swaps[here];
    if (keyed && row !== undefined) {
      const kept = row.get(key);
      if (kept !== undefined) return kept;
    }
    const tFirst = tables.step(here, t);
    const tThenF = tables.step(tFirst.next, f);
    const fThenT = tables.step(first.next, t);
    const swaps = tThenF.next === fThenT.next && sameMultiset(tFirst.sent, tThenF.sent, first.sent, fThenT.sent);
    if (keyed) {
      if (++this.swapsKept > MAX_SWAPS) {
        this.swaps.length = 0;
        this.swapsKept = 1;
        row = undefined;
      }
      if (row === undefined) {
        row = new Map();
        this.swaps[here] = row;
      }
      row.set(key, swaps);
    }
    return swaps;
  }

  /** The values of the properties that read `actor` alone, in its local state `local`, as bits. */
  private valuesOf(state: SystemState, actor: number, local: number): number {
    const cached = this.values[local];
    if (cached !== undefined) return cached;
    const probe = state.slice();
    probe[actor] = local;
    let bits = 0;
    this.reads.alone[actor].forEach((holds, i) => {
      if (holds(probe)) bits |= 1 << i;
    });
    this.values[local] = bits;
    return bits;
  }

  private ownerOf(action: SystemAction): number {
    return action.kind === "deliver" || action.kind === "drop" ? this.tables.messages[action.message].to : action.actor;
  }
}

/** Whether a ++ b and c ++ d hold the same messages, each as often (all four sorted). */
function sameMultiset(a: readonly number[], b: readonly number[], c: readonly number[], d: readonly number[]): boolean {
  if (a.length + b.length !== c.length + d.length) return false;
  if (a.length + b.length === 0) return true;
  const left = [...a, ...b].sort((x, y) => x - y);
  const right = [...c, ...d].sort((x, y) => x - y);
  return left.every((m, i) => m === right[i]);
}

/** `marks` grown to hold at least `length` entries (doubling), its entries kept. */
function grown(marks: Int32Array, length: number): Int32Array<ArrayBuffer> {
  let size = marks.length;
  while (size < length) size *= 2;
  const bigger = new Int32Array(size);
  bigger.set(marks);
  return bigger;
}
