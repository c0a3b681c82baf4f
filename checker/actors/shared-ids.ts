/**
 * Ids of local states or messages shared by the threads of one parallel search, so that a global
 * state written as ids means the same in every thread. An id stands for a content: the table maps
 * the fingerprint of a key (an actor model's text of a local state or message, interning.ts) to
 * the id the first thread to meet that content gave it, whichever thread that was. Two keys with
 * one 64-bit fingerprint would share an id; among at most 2^16 keys that has probability below
 * 2^-32, far under the search's own fingerprints' (checker.md, "Fingerprints").
 *
 * With each id the table keeps how it was made (its derivation), so that a thread that meets an id
 * another thread made can make it again from the same machines: the local transition that gave
 * the local state or sent the message, from its parent local state on its event. Redoing it, rather
 * than copying the content across, gives that thread the very snapshot xstate computes and the
 * bytes the transition put in the process's byte store (spec/store.ts), which a copy would lack.
 *
 * The table lives in SharedArrayBuffers and takes no lock: a thread claims an empty slot with a
 * compare-and-swap, writes the id's fingerprint and derivation, and then publishes the id; a thread
 * that finds a slot being written waits for it (a few word writes).
 */

import type { Fingerprint } from "../model.js";

/** Ids fit a 16-bit word of a state. */
export const MAX_SHARED_IDS = 0x10000;
/** Slots of the open-addressing table: four per possible id, so that probes stay short. */
const SLOT_BITS = 18;
const SLOTS = 1 << SLOT_BITS;
/** Slot layout: id + 1 (0: empty; −1: being written), fingerprint hi, fingerprint lo. */
const SLOT_WORDS = 3;
const BEING_WRITTEN = -1;

/** How an id was made: words [kind, a, b]. */
export const DERIVATION_WORDS = 3;
/** Made when the model was built: every thread's model made it with the same id. */
export const BUILT = 0;
/** Made by the local transition of local state `a` on `b` (a message id ≥ 0; −1 − an event id made when the model was built). */
export const STEP = 1;
/** Made some other way (a symmetry's renaming, a Byzantine menu computed from a state): not redone. */
export const ELSEWHERE = 2;

/** The buffers another thread joins the table with. */
export interface SharedIdBuffers {
  readonly count: SharedArrayBuffer;
  readonly slots: SharedArrayBuffer;
  readonly derivations: SharedArrayBuffer;
}

/** A table of ids shared between threads (see the module comment). */
export class SharedIds {
  readonly buffers: SharedIdBuffers;
  private readonly count: Int32Array;
  private readonly slots: Int32Array;
  private readonly derivations: Int32Array;
  /** Whether the last {@link intern} made a new id. */
  made = false;

  /** A new table, or (given its buffers) one another thread made. */
  constructor(buffers?: SharedIdBuffers) {
    this.buffers = buffers ?? {
      count: new SharedArrayBuffer(4),
      slots: new SharedArrayBuffer(SLOTS * SLOT_WORDS * 4),
      derivations: new SharedArrayBuffer(MAX_SHARED_IDS * DERIVATION_WORDS * 4),
    };
    this.count = new Int32Array(this.buffers.count);
    this.slots = new Int32Array(this.buffers.slots);
    this.derivations = new Int32Array(this.buffers.derivations);
  }

  /** Ids given so far. */
  get size(): number {
    return Atomics.load(this.count, 0);
  }

  /**
   * The id of the content whose key has fingerprint `key`: the one given already, or else a new
   * one made by `derivation` ({@link made} says which). Undefined when all 2^16 ids are taken.
   */
  intern(key: Fingerprint, derivation: readonly number[]): number | undefined {
    const { slots } = this;
    const hi = key.hi | 0;
    const lo = key.lo | 0;
    let slot = (lo >>> 0) & (SLOTS - 1);
    for (;;) {
      const at = slot * SLOT_WORDS;
      let state = Atomics.load(slots, at);
      if (state === 0) {
        state = Atomics.compareExchange(slots, at, 0, BEING_WRITTEN);
        if (state === 0) return this.claim(at, hi, lo, derivation);
      }
      // Another thread is writing this slot: wait for its id (only a few writes away).
      while (state === BEING_WRITTEN) state = Atomics.load(slots, at);
      if (slots[at + 1] === hi && slots[at + 2] === lo) {
        this.made = false;
        return state - 1 < MAX_SHARED_IDS ? state - 1 : undefined;
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
  }

  /** Fills the slot at word `at`, claimed by this thread, with a new id. */
  private claim(at: number, hi: number, lo: number, derivation: readonly number[]): number | undefined {
    const id = Atomics.add(this.count, 0, 1);
    this.slots[at + 1] = hi;
    this.slots[at + 2] = lo;
    if (id >= MAX_SHARED_IDS) {
      // Out of ids: the slot says so to every thread that looks for this content (no id to wait for).
      Atomics.store(this.count, 0, MAX_SHARED_IDS);
      Atomics.store(this.slots, at, MAX_SHARED_IDS + 1);
      this.made = false;
      return undefined;
    }
    this.derivations.set(derivation.slice(0, DERIVATION_WORDS), id * DERIVATION_WORDS);
    // Publishing the id last makes the writes above visible to whoever reads it.
    Atomics.store(this.slots, at, id + 1);
    this.made = true;
    return id;
  }

  /** How id `id` was made: [kind, a, b]. */
  derivation(id: number): [number, number, number] {
    const at = id * DERIVATION_WORDS;
    return [this.derivations[at], this.derivations[at + 1], this.derivations[at + 2]];
  }
}
