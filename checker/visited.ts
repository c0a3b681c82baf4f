/**
 * The visited set: open addressing over typed arrays, 12 bytes per state (a 64-bit fingerprint
 * and the index of the state it was first reached from, for rebuilding counterexamples).
 * Fingerprint (0, 0) marks an empty slot, so a state hashing to it is stored as (0, 1).
 */

import type { Fingerprint } from "./model.js";

/** Index returned by {@link VisitedSet.insert} for a fingerprint already present. */
export const ALREADY_VISITED = -1;

export class VisitedSet {
  private slots: Int32Array; // slot → entry index + 1, 0 = empty
  private his: Uint32Array;
  private los: Uint32Array;
  private parents: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, capacity * 2)));
    this.slots = new Int32Array(slots);
    this.mask = slots - 1;
    this.his = new Uint32Array(capacity);
    this.los = new Uint32Array(capacity);
    this.parents = new Int32Array(capacity);
  }

  /** Adds the fingerprint; returns its new entry index, or {@link ALREADY_VISITED}. */
  insert(fp: Fingerprint, parent: number): number {
    const hi = fp.hi >>> 0;
    const lo = hi === 0 && fp.lo === 0 ? 1 : fp.lo >>> 0;
    let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & this.mask;
    for (;;) {
      const entry = this.slots[slot];
      if (entry === 0) break;
      if (this.his[entry - 1] === hi && this.los[entry - 1] === lo) return ALREADY_VISITED;
      slot = (slot + 1) & this.mask;
    }
    const index = this.size++;
    if (index >= this.his.length) this.growEntries();
    this.his[index] = hi;
    this.los[index] = lo;
    this.parents[index] = parent;
    this.slots[slot] = index + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
    return index;
  }

  /** The entry a state was first reached from (−1 for initial states). */
  parentOf(index: number): number {
    return this.parents[index];
  }

  /** Whether entry `index` holds fingerprint `fp`. */
  matches(index: number, fp: Fingerprint): boolean {
    const hi = fp.hi >>> 0;
    const lo = hi === 0 && fp.lo === 0 ? 1 : fp.lo >>> 0;
    return this.his[index] === hi && this.los[index] === lo;
  }

  /** Bytes held per visited state (entries plus slots). */
  bytesPerState(): number {
    return this.size === 0 ? 0 : (this.slots.byteLength + 12 * this.his.length) / this.size;
  }

  private growEntries(): void {
    const grow = <T extends Uint32Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(old.length * 2);
      next.set(old);
      return next;
    };
    this.his = grow(this.his, (n) => new Uint32Array(n));
    this.los = grow(this.los, (n) => new Uint32Array(n));
    this.parents = grow(this.parents, (n) => new Int32Array(n));
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let index = 0; index < this.size; index++) {
      let slot = (this.los[index] ^ Math.imul(this.his[index], 0x9e3779b1)) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
