/**
 * Symmetry reduction of an actor model: interchangeable actors (the same machine, inputs that
 * differ only in identity) make states that differ by a permutation of them equivalent, and the
 * search explores each orbit once through the fingerprint of a canonical representative (Ip and
 * Dill's scalarsets in Murφ, TLC's SYMMETRY, Stateright's `Representative`). Identities inside
 * contexts and events are renamed by the model's own functions.
 */

import { ModelError } from "../errors.js";
import { fingerprintWords } from "../fingerprint.js";
import type { Fingerprint } from "../model.js";
import type { ActorTables } from "./interning.js";
import type { Network } from "./network.js";
import type { SymmetrySpec, SystemState } from "./types.js";

/** Orders of tied symmetric actors tried when canonicalising a state. */
const MAX_TIE_ORDERS = 24;
/** The largest symmetry group: its 7! = 5040 permutations number the renaming caches' keys. */
const MAX_MEMBERS = 7;
const PERMUTATIONS_OF_MAX = 5040;

/** Every permutation of 0..n−1, in lexicographic order of their written form. */
function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const result: number[][] = [];
  for (const rest of permutations(n - 1)) {
    for (let at = 0; at <= rest.length; at++) result.push([...rest.slice(0, at), n - 1, ...rest.slice(at)]);
  }
  return result.sort((a, b) => a.join().localeCompare(b.join()));
}

function lexLess(a: SystemState, b: SystemState): boolean {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return a[i] < b[i];
  return a.length < b.length;
}

/** One model's symmetry group and its renaming caches. */
export class Symmetry {
  /** The group's actors, by index. */
  private readonly members: number[];
  /** The group's permutations: `perms[p][i]` is the new group position of the member at position i. */
  private readonly perms: number[][];
  private readonly permIndex: Map<string, number>;
  /** For member i: the permutation that moves it to position 0 and keeps the others in order. */
  private readonly shiftToFirst: number[];
  // Renamed local states and messages, by (id, permutation).
  private readonly locals = new Map<number, number>();
  private readonly messages = new Map<number, number>();
  /** Per permutation: where it moves each actor. */
  private readonly wheres: Int32Array[] = [];

  /** Checks the group against the model (`n` actors, messages from word `header` on). */
  constructor(
    private readonly spec: SymmetrySpec,
    private readonly n: number,
    private readonly header: number,
    private readonly tables: ActorTables,
    private readonly network: Network,
  ) {
    const { name, actors } = tables;
    const members = spec.actors.map((actor) => tables.actorIndex(actor, "symmetry.actors"));
    if (members.length > MAX_MEMBERS)
      throw new ModelError(`${name}: a symmetry group has at most ${MAX_MEMBERS} actors`);
    const machine = actors[members[0]].machine;
    if (members.some((a) => actors[a].machine !== machine)) {
      throw new ModelError(`${name}: symmetric actors must run the same machine`);
    }
    this.members = members;
    this.perms = permutations(members.length);
    const permIndex = new Map(this.perms.map((perm, p) => [perm.join(), p]));
    this.permIndex = permIndex;
    this.shiftToFirst = members.map((_, i) => {
      const others = members.map((__, k) => k).filter((k) => k !== i);
      const perm = new Array<number>(members.length);
      perm[i] = 0;
      others.forEach((k, position) => {
        perm[k] = position + 1;
      });
      return permIndex.get(perm.join()) as number;
    });
  }

  /** The fingerprint of the state's canonical representative. */
  fingerprint(state: SystemState, out: Fingerprint): void {
    const canonical = this.canonical(state);
    fingerprintWords(canonical, canonical.length, out);
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
    const members = this.members;
    const shiftToFirst = this.shiftToFirst;
    const first = members[0];
    const signature = members.map((actor, i) => {
      // The member's own state and the messages it sends or receives, renamed as if it were first.
      const p = shiftToFirst[i];
      const own: number[] = [];
      for (let at = this.header; at < state.length; at++) {
        const { from, to } = this.tables.messages[state[at]];
        if (from === actor || to === actor) own.push(this.renameMessage(state[at], p));
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
      const candidate = this.permute(state, this.permIndex.get(perm.join()) as number);
      if (best === undefined || lexLess(candidate, best)) best = candidate;
    }
    return best as SystemState;
  }

  private permute(state: SystemState, p: number): SystemState {
    const n = this.n;
    const where = this.whereOf(p);
    const header = new Array<number>(this.header).fill(0);
    for (let a = 0; a < n; a++) {
      header[where[a]] = this.renameLocal(state[a], where[a], p);
      if (this.header > n) {
        if (state[n] & (1 << a)) header[n] |= 1 << where[a];
        if (state[n + 1] & (1 << a)) header[n + 1] |= 1 << where[a];
      }
    }
    const network = Array.from(state.subarray(this.header), (message) => this.renameMessage(message, p));
    return Uint16Array.from([...header, ...this.network.arrange(network)]);
  }

  /** Where permutation `p` moves each actor: actor → its new index. */
  private whereOf(p: number): Int32Array {
    let where = this.wheres[p];
    if (where === undefined) {
      const perm = this.perms[p];
      where = new Int32Array(this.n).map((_, a) => a);
      this.members.forEach((actor, i) => {
        (where as Int32Array)[actor] = this.members[perm[i]];
      });
      this.wheres[p] = where;
    }
    return where;
  }

  /**
   * Local state `local` renamed under permutation `p`, as a local state of actor `actor`. A new id
   * it makes goes into the journal (journal.ts), which a resumed search replays through here.
   */
  renameLocal(local: number, actor: number, p: number): number {
    const key = local * PERMUTATIONS_OF_MAX + p;
    const cached = this.locals.get(key);
    if (cached !== undefined) return cached;
    const { actor: from, snapshot } = this.tables.locals[local];
    const actors = this.tables.actors;
    const rename = this.spec.renameContext;
    const context = rename ? rename(actors[from].name, snapshot.context, this.perms[p]) : snapshot.context;
    const made = this.tables.locals.length;
    const id =
      from === actor && context === snapshot.context
        ? local
        : this.tables.internLocal(actor, actors[actor].machine.resolveState({ value: snapshot.value, context }));
    if (this.tables.locals.length > made) this.tables.journal.renamedLocal(local, actor, p, id);
    this.locals.set(key, id);
    return id;
  }

  /** Message `message` renamed under permutation `p`; a new id it makes goes into the journal. */
  renameMessage(message: number, p: number): number {
    const key = message * PERMUTATIONS_OF_MAX + p;
    const cached = this.messages.get(key);
    if (cached !== undefined) return cached;
    const { from, to, event } = this.tables.messages[message];
    const rename = this.spec.renameEvent;
    const where = this.whereOf(p);
    const made = this.tables.messages.length;
    const id = this.tables.internMessage({
      from: where[from],
      to: where[to],
      event: rename ? rename(event, this.perms[p]) : event,
    });
    if (this.tables.messages.length > made) this.tables.journal.renamedMessage(message, p, id);
    this.messages.set(key, id);
    return id;
  }
}
