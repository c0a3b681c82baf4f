/**
 * Partial-order reduction of an actor model by ample sets (Peled; Clarke, Grumberg and Peled,
 * "Model Checking", ch. 10): at a state the search may expand only the actions of a set of actors
 * that nothing outside it can affect. On an unordered network that loses nothing, the candidates
 * come from persistent.ts (one actor, independence decided on the memoised local transitions); on
 * FIFO and lossy networks from the may-send-to relation read from the charts
 * (checker/actors/recipients.ts) and the menus of the Byzantine actors. This module gives the
 * candidates (conditions C1, dependence, and C2, invisibility); the cycle proviso (C3) is the
 * search's to check.
 */

import { type Adversary, faultsOf } from "./adversary.js";
import type { ActorTables } from "./interning.js";
import type { ActorPersistentSets } from "./persistent.js";
import type { Recipients } from "./recipients.js";
import type { SystemAction, SystemState } from "./types.js";
import { ALL_VISIBLE, NETWORK_READ } from "./views.js";

const NO_CANDIDATES: SystemAction[][] = [];

/** One model's ample sets. */
export class AmpleSets {
  /** Scratch space: the actors that may still send to each actor. */
  private readonly senders: Int32Array;

  /**
   * `n` actors, messages from word `header` on; `visible`: the actors (bits) and the network
   * (NETWORK_READ) some property reads, or ALL_VISIBLE; `nextState` is the model's.
   */
  constructor(
    private readonly n: number,
    private readonly header: number,
    private readonly visible: number,
    private readonly tables: ActorTables,
    private readonly recipients: Recipients,
    private readonly adversary: Adversary | undefined,
    private readonly nextState: (state: SystemState, action: SystemAction) => SystemState | undefined,
    private readonly semantic?: ActorPersistentSets,
  ) {
    this.senders = new Int32Array(n);
  }

  /**
   * Candidate ample sets, smallest first. A candidate is every enabled action of a set S of actors
   * closed under "may still send to": an action of an actor outside S cannot enable or disable one
   * inside it, and no message can reach S from outside before S acts, because nothing outside S
   * will ever send to S. Deliveries to different actors commute, so the interleavings cut away
   * lead to the same states. A candidate is also invisible: no action in it belongs to an actor a
   * property reads, or sends or consumes a message when a property reads the network.
   */
  candidates(state: SystemState, actions: readonly SystemAction[]): SystemAction[][] {
    const n = this.n;
    if (this.visible === ALL_VISIBLE) return NO_CANDIDATES;
    if (this.semantic !== undefined && (this.visible & NETWORK_READ) === 0)
      return this.semantic.candidates(state, actions);
    const faults = faultsOf(state, n, this.header);
    const byzantine = faults >>> 16;
    // A menu computed from the whole state depends on every actor: no reduction then.
    if (byzantine !== 0 && !this.adversary?.menusAreStatic) return NO_CANDIDATES;
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
      const mask = byzantine & bit ? (this.adversary as Adversary).menuRecipients(j) : this.recipients.of(state[j], j);
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
    return action.kind === "deliver" || action.kind === "drop" ? this.tables.messages[action.message].to : action.actor;
  }
}
