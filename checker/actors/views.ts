/**
 * What is seen of an actor model's states: the views properties read (restricted to the actors a
 * property declares, so that partial-order reduction knows what each one can see, as the
 * invisibility condition of ample sets asks), the variables a counterexample shows, and actions
 * written for a reader. Properties are spec monitors in P's sense: they read, never change a state.
 */

import { match } from "ts-pattern";
import type { AnyStateMachine, EventObject, SnapshotFrom } from "xstate";
import { ModelError } from "../errors.js";
import type { Property } from "../model.js";
import { faultsOf, statusOf } from "./adversary.js";
import type { ActorTables } from "./interning.js";
import type { ReadsOfProperties } from "./persistent.js";
import type {
  ActorStatus,
  Message,
  NetworkSpec,
  SystemAction,
  SystemProperty,
  SystemState,
  SystemView,
} from "./types.js";

/** The bit of a reads mask that stands for the network (the messages in flight). */
export const NETWORK_READ = 1 << 30;
/** What properties see when one of them declares no reads: everything. */
export const ALL_VISIBLE = -1;
/** The reads of a property that declares none: every actor and the network. */
const ALL_READS = -1;

/** One model's views of its states. */
export class Views {
  /**
   * The state whose property views are cached, and its views: those of `cachedReads[i]` and
   * `cachedStatus[i]` in `cachedViews[i]` (a few: one per distinct reads of the properties).
   */
  private viewState: SystemState | undefined;
  private readonly cachedReads: number[] = [];
  private readonly cachedStatus: number[] = [];
  private readonly cachedViews: SystemView[] = [];

  /**
   * `n` actors, messages from word `header` on; `adversary`: whether the model has one (and so a
   * `faulty` variable).
   */
  constructor(
    private readonly n: number,
    private readonly header: number,
    private readonly tables: ActorTables,
    private readonly network: Required<NetworkSpec>,
    private readonly adversary: boolean,
  ) {}

  /**
   * The model's properties as properties of its states, each reading the view its `reads` allow;
   * `visible`: the actors (bits) and the network (NETWORK_READ) some property reads, or
   * ALL_VISIBLE; and `reads`, for reduction: which actors some property reads together with
   * another (or with the network), and the properties that read one actor alone.
   */
  properties(
    given: readonly SystemProperty[],
    mayCrash: number,
  ): {
    properties: Property<SystemState>[];
    visible: number;
    reads: ReadsOfProperties;
  } {
    let visible = 0;
    let shared = 0;
    let status = 0;
    const alone: ((state: SystemState) => boolean)[][] = Array.from({ length: this.n }, () => []);
    const bitsOf = (names: readonly string[], property: string) => {
      let bits = 0;
      for (const name of names)
        bits |= name === "network" ? NETWORK_READ : 1 << this.tables.actorIndex(name, `${property}: reads`);
      return bits;
    };
    const guarded = (property: string, holds: () => boolean) => {
      try {
        return holds();
      } catch (error) {
        if (error instanceof TypeError) {
          throw new ModelError(
            `property "${property}" failed (${error.message}): does it read an actor it does not declare in reads?`,
          );
        }
        throw error;
      }
    };
    const properties = given.map((property) => {
      if (property.reads === undefined) {
        visible = ALL_VISIBLE;
        return {
          ...property,
          holds: (state: SystemState) =>
            property.holds(this.restrictedView(state, ALL_READS, ALL_READS, property.name)),
        };
      }
      const reads = bitsOf(property.reads, property.name);
      const statusOnly = bitsOf(property.readsStatusOf ?? [], property.name) & ~NETWORK_READ;
      visible |= reads | statusOnly;
      status |= statusOnly;
      const holds = (state: SystemState) =>
        guarded(property.name, () =>
          property.holds(this.restrictedView(state, reads, reads | statusOnly, property.name)),
        );
      // A property of one actor alone is a function of that actor's local state (and status), and
      // so is each part of a property made of parts that read one actor each; any other reads make every actor they
      // read visible whatever the step (persistent.ts). A status another actor's crash may change
      // while the property reads a local state would not be seen from that state: shared too.
      const actors = reads & ~NETWORK_READ;
      const parts = property.parts;
      if (parts !== undefined && (reads & NETWORK_READ) === 0 && statusOnly === 0) {
        // An actor read without a part of its own would count as unread: its steps, invisible.
        const unparted = property.reads.filter((name) => !parts.some((part) => part.actor === name));
        if (unparted.length > 0) {
          throw new ModelError(`property "${property.name}" reads ${unparted.join(", ")} but has no part for it`);
        }
        for (const part of parts) {
          const bit = bitsOf([part.actor], property.name);
          if ((reads & bit) === 0)
            throw new ModelError(
              `property "${property.name}": a part reads ${part.actor}, which it does not declare in reads`,
            );
          alone[31 - Math.clz32(bit)].push((state) =>
            guarded(property.name, () => part.holds(this.restrictedView(state, bit, bit, property.name))),
          );
        }
      } else if (
        actors !== 0 &&
        (actors & (actors - 1)) === 0 &&
        (reads & NETWORK_READ) === 0 &&
        (statusOnly & mayCrash) === 0
      ) {
        alone[31 - Math.clz32(actors)].push(holds);
      } else {
        // The status of an actor that cannot crash never changes: reading it shares nothing (and
        // sharing it kept every actor of challenge-4-crash out, whose certificate property reads
        // every storing node's status beside the chain).
        shared |= actors | (statusOnly & mayCrash);
      }
      return { ...property, holds };
    });
    // The values of an actor's parts travel as the bits of one 32-bit word (persistent.ts).
    const crowded = alone.findIndex((list) => list.length > 31);
    if (crowded >= 0) {
      throw new ModelError(
        `${this.tables.actors[crowded].name} is read alone by ${alone[crowded].length} properties or parts: at most 31 are supported`,
      );
    }
    return { properties, visible, reads: { shared, alone, status } };
  }

  /** What properties see: each actor's snapshot, its status and the messages in flight. */
  view(state: SystemState): SystemView {
    const n = this.n;
    const faults = faultsOf(state, n, this.header);
    return {
      actors: Array.from(state.subarray(0, n), (id) => this.tables.locals[id].snapshot),
      status: this.tables.actors.map((_, a) => statusOf(faults, a)),
      messages: Array.from(state.subarray(this.header), (id) => this.tables.messages[id]),
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
    const actors = this.tables.actors;
    const view = this.view(state);
    const vars: Record<string, unknown> = {};
    actors.forEach((actor, i) => {
      vars[actor.name] = { state: view.actors[i].value, context: view.actors[i].context };
    });
    if (this.adversary) {
      vars.faulty = Object.fromEntries(
        actors.flatMap((actor, i) => (view.status[i] === "correct" ? [] : [[actor.name, view.status[i]]])),
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
      from: actors[message.from].name,
      to: actors[message.to].name,
      ...message.event,
    }));
    vars.network = this.network.duplication && this.network.ordering === "unordered" ? new Set(inFlight) : inFlight;
    return vars;
  }

  /** An action as a reader follows it: `A → B: Event {payload}`, `A crashes`, … */
  formatAction(action: SystemAction): string {
    const name = (actor: number) => this.tables.actors[actor].name;
    return match(action)
      .with({ kind: "internal" }, ({ actor, event }) => `${name(actor)}: ${formatEvent(this.tables.events[event])}`)
      .with({ kind: "crash" }, ({ actor }) => `${name(actor)} crashes`)
      .with({ kind: "byzantine" }, ({ actor, message }) => {
        const { to, event } = this.tables.messages[message];
        return `${name(actor)} (Byzantine) sends ${formatEvent(event)} to ${name(to)}`;
      })
      .with({ kind: "drop" }, ({ message }) => `network loses ${this.formatMessage(message)}`)
      .with(
        { kind: "deliver" },
        ({ message, keep }) => `${this.formatMessage(message)}${keep ? " (a copy stays in flight)" : ""}`,
      )
      .exhaustive();
  }

  private formatMessage(message: number): string {
    const { from, to, event } = this.tables.messages[message];
    const actors = this.tables.actors;
    return `${actors[from].name} → ${actors[to].name}: ${formatEvent(event)}`;
  }

  /** Forgets the views cached: the state they are of may be scratch words about to hold another (`Model.transient`). */
  forget(): void {
    this.viewState = undefined;
  }

  /**
   * The view a property that reads only `reads` gets: the actors it does not declare are absent
   * (undefined), and reading the network undeclared throws. Views are cached for the state last
   * asked about, since every property is evaluated on the same state in turn.
   */
  private restrictedView(state: SystemState, reads: number, statusReads: number, property: string): SystemView {
    const cachedReads = this.cachedReads;
    const cachedStatus = this.cachedStatus;
    const cachedViews = this.cachedViews;
    if (state !== this.viewState) {
      this.viewState = state;
      cachedReads.length = 0;
      cachedStatus.length = 0;
      cachedViews.length = 0;
    }
    for (let i = 0; i < cachedViews.length; i++) {
      if (cachedReads[i] === reads && cachedStatus[i] === statusReads) return cachedViews[i];
    }
    const n = this.n;
    const faults = faultsOf(state, n, this.header);
    const actors = new Array<SnapshotFrom<AnyStateMachine>>(n);
    const status = new Array<ActorStatus>(n);
    for (let a = 0; a < n; a++) {
      if ((reads & (1 << a)) !== 0) actors[a] = this.tables.locals[state[a]].snapshot;
      if ((statusReads & (1 << a)) !== 0) status[a] = statusOf(faults, a);
    }
    const view = new RestrictedView(actors, status, state, reads, this.header, this.tables.messages, property);
    cachedReads.push(reads);
    cachedStatus.push(statusReads);
    cachedViews.push(view);
    return view;
  }
}

/** A property's view of a state: the actors and statuses it declares, and the network only if it declares it. */
class RestrictedView implements SystemView {
  constructor(
    readonly actors: readonly SnapshotFrom<AnyStateMachine>[],
    readonly status: readonly ActorStatus[],
    private readonly state: SystemState,
    private readonly reads: number,
    private readonly header: number,
    private readonly messageTable: readonly Message[],
    private readonly property: string,
  ) {}

  get messages(): readonly Message[] {
    if ((this.reads & NETWORK_READ) === 0) {
      throw new ModelError(`property "${this.property}" reads the network, which it does not declare`);
    }
    return Array.from(this.state.subarray(this.header), (id) => this.messageTable[id]);
  }
}

function formatEvent(event: EventObject): string {
  const { type, ...payload } = event;
  return Object.keys(payload).length > 0 ? `${type} ${JSON.stringify(payload)}` : type;
}
