/**
 * The adversary of an actor model (Walrus paper §2, "Network and adversarial assumptions"): actors
 * that may crash, Byzantine actors that send from a menu instead of running their machines, and a
 * budget of faulty shards, crashed and Byzantine together, as Walrus counts f. Within the budget
 * nothing must break; one shard beyond it, the checker must find the violation.
 *
 * Faults are two words of the global state after the local states: bit a of the first is actor a
 * crashed, bit a of the second actor a Byzantine. Read together they are one 32-bit fault mask.
 */

import { ModelError } from "../errors.js";
import type { ActorTables } from "./interning.js";
import type { Network } from "./network.js";
import type { ActorStatus, AdversarySpec, OutgoingMessage, SystemAction, SystemState, SystemView } from "./types.js";

/** Fault words hold one bit per actor. */
const MAX_ACTORS = 16;
/** Bit a of the fault mask: actor a has crashed. */
export const CRASHED = 1;
/** Bit 16 + a of the fault mask: actor a is Byzantine. */
export const BYZANTINE = 1 << 16;

/** The fault mask of `state`: 0 in a model without an adversary (whose `header` is its `n` actors). */
export function faultsOf(state: SystemState, n: number, header: number): number {
  return header === n ? 0 : state[n] | (state[n + 1] << 16);
}

/** The actors that do not run their machines (crashed or Byzantine), as a bit mask. */
export function downActors(faults: number): number {
  return (faults | (faults >>> 16)) & 0xffff;
}

/** Actor `actor`'s status under the fault mask `faults`. */
export function statusOf(faults: number, actor: number): ActorStatus {
  return faults & (CRASHED << actor) ? "crashed" : faults & (BYZANTINE << actor) ? "byzantine" : "correct";
}

/** One model's adversary: who may fail, the budget in shards, and the Byzantine actors' menus. */
export class Adversary {
  /** Actors that may crash, as a bit mask. */
  private readonly crashable: number = 0;
  /** The fault mask of the initial state: the actors Byzantine from the start. */
  readonly initialFaults: number = 0;
  /** Each actor's menu as message ids, when the menus are a record; undefined when they are computed. */
  private staticMenu: readonly (readonly number[])[] | undefined;

  /**
   * Checks the adversary against the model whose tables are `tables` and whose actors hold `shards`.
   * The menus are interned later ({@link Adversary.internMenus}).
   */
  constructor(
    readonly spec: AdversarySpec,
    private readonly shards: readonly number[],
    private readonly tables: ActorTables,
  ) {
    const name = tables.name;
    if (shards.length > MAX_ACTORS) throw new ModelError(`${name}: at most ${MAX_ACTORS} actors with an adversary`);
    if (!Number.isInteger(spec.budget) || spec.budget < 0) {
      throw new ModelError(`${name}: the adversary's budget must be a non-negative integer`);
    }
    for (const actor of spec.crash ?? []) this.crashable |= 1 << tables.actorIndex(actor, "adversary.crash");
    for (const actor of spec.byzantine ?? [])
      this.initialFaults |= BYZANTINE << tables.actorIndex(actor, "adversary.byzantine");
    if (this.faultyShards(this.initialFaults) > spec.budget) {
      throw new ModelError(
        `${name}: the Byzantine actors hold ${this.faultyShards(this.initialFaults)} shards, above the budget of ${spec.budget}`,
      );
    }
    if ((spec.byzantine?.length ?? 0) > 0 && spec.menu === undefined) {
      throw new ModelError(`${name}: Byzantine actors need a menu of messages`);
    }
  }

  /**
   * Interns the menus given as a record, after the initial states' messages so that message ids
   * follow the order of first sends; returns the messages that are in flight from the initial
   * state (with `menuInFlight`: every Byzantine actor's menu).
   */
  internMenus(): number[] {
    const { name, actors } = this.tables;
    const menu = this.spec.menu;
    this.staticMenu =
      menu === undefined || typeof menu === "function"
        ? undefined
        : actors.map((actor, index) => (menu[actor.name] ?? []).map((m) => this.tables.internOutgoing(index, m)));
    const inFlight: number[] = [];
    if (this.spec.menuInFlight) {
      if (this.staticMenu === undefined) throw new ModelError(`${name}: menuInFlight needs a menu by actor`);
      for (let index = 0; index < actors.length; index++) {
        if (this.initialFaults & (BYZANTINE << index)) inFlight.push(...new Set(this.staticMenu[index]));
      }
    }
    return inFlight;
  }

  /** The actors that may crash, as a bit mask. */
  get mayCrash(): number {
    return this.crashable;
  }

  /** Whether the menus are fixed (a record), so that what a Byzantine actor may send is known in advance. */
  get menusAreStatic(): boolean {
    return this.staticMenu !== undefined;
  }

  /** The shards of the faulty actors under the fault mask `faults`. */
  faultyShards(faults: number): number {
    let total = 0;
    for (let a = 0; a < this.shards.length; a++) if (faults & ((CRASHED | BYZANTINE) << a)) total += this.shards[a];
    return total;
  }

  /**
   * Appends the faults enabled in `state`: a crash of a correct crashable actor whose shards fit in
   * what is left of the budget, and each message of a Byzantine actor's menu not already in flight.
   * `view` is what a computed menu sees.
   */
  faultActions(
    state: SystemState,
    faults: number,
    network: Network,
    view: (state: SystemState) => SystemView,
    out: SystemAction[],
  ): void {
    const spare = this.spec.budget - this.faultyShards(faults);
    for (let actor = 0; actor < this.shards.length; actor++) {
      const bit = 1 << actor;
      if ((this.crashable & bit) !== 0 && (faults & (bit | (bit << 16))) === 0 && this.shards[actor] <= spare) {
        out.push({ kind: "crash", actor });
      }
      if ((faults & (bit << 16)) === 0) continue;
      for (const message of this.menuOf(state, actor, view)) {
        if (!network.inFlight(state, message)) out.push({ kind: "byzantine", actor, message });
      }
    }
  }

  /** Byzantine actor `actor`'s fixed menu, as message ids (undefined when the menus are computed). */
  staticMenuOf(actor: number): readonly number[] | undefined {
    return this.staticMenu?.[actor];
  }

  /** The actors Byzantine actor `actor`'s fixed menu sends to, as a bit mask. */
  menuRecipients(actor: number): number {
    let mask = 0;
    for (const message of this.staticMenu?.[actor] ?? []) mask |= 1 << this.tables.messages[message].to;
    return mask;
  }

  /**
   * What Byzantine actor `actor` may send in `state`, as message ids. A computed menu that makes new
   * ids goes into the journal (journal.ts), which a resumed search replays through here.
   */
  menuOf(state: SystemState, actor: number, view: (state: SystemState) => SystemView): readonly number[] {
    if (this.staticMenu !== undefined) return this.staticMenu[actor];
    const menu = this.spec.menu as (view: SystemView, actor: string) => readonly OutgoingMessage[];
    const made = this.tables.messages.length;
    const ids = menu(view(state), this.tables.actors[actor].name).map((m) => this.tables.internOutgoing(actor, m));
    if (this.tables.messages.length > made) this.tables.journal.menu(actor, state, ids);
    return ids;
  }
}
