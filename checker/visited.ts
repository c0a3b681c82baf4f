/**
 * The visited set: 64-bit state fingerprints and nothing else, in one open-addressing table of
 * (hi, lo) word pairs — 8 bytes a slot. How a discovery turns into a path without parent links is
 * the business of `trail.ts` (breadth-first) and of the search's current branch (depth-first).
 *
 * Layout. A fingerprint goes to slot ⌊hi · capacity / 2³²⌋ (multiply-high: any capacity works, and
 * slot order follows the order of `hi`) and on to the next free slot (linear probing). The pair
 * (0, 0) marks an empty slot, so the fingerprint (0, 0) itself is kept in a flag. Because the home
 * slot grows with `hi`, growing walks the old table and writes the new one almost in order.
 *
 * Load. The table grows ×1.45 when more than 85 % of its slots are full, so the load stays in
 * [0.586, 0.85]: 9.4–13.7 bytes a state, which leaves room for the breadth-first trail's 2 bytes
 * within 16. The price is longer probes. Measured with `bench/visited.ts` (2 M slots, 16 MiB, far
 * beyond the caches; 2-core EPYC VM, node 20; medians of 3 runs of 5, ±15 % noise):
 *
 *   load                        0.50   0.60   0.70   0.80   0.85   0.90   0.95
 *   probes, fingerprint present 1.50   1.75   2.17   3.01   3.86   5.59   10.9
 *   probes, fingerprint absent  2.51   3.64   6.07   13.2   23.3   52.8    211
 *   ns per lookup, present        50     79    101    102    104    115    125
 *   ns per lookup, absent         58     60     82     88    107    158    392
 *
 * A lookup is one or two cache misses until the load passes ~0.85; beyond 0.9 the absent case,
 * which every new state pays, takes off. Over a breadth-first-like stream (1.75 M fingerprints,
 * 6.7 lookups each, growing from empty) this rule costs 105 ns a lookup at 9.8 bytes a state at
 * the end, against 83 ns at 19.2 bytes for a table kept at most half full and doubled; the rules
 * that fit the budget (max load 0.7 ×1.2, 0.75 ×1.28, 0.8 ×1.37, 0.9 ×1.55) measured 109–117 ns.
 */

/** 2⁻³², to map a 32-bit hash to a slot by multiply-high. */
const INV_2_32 = 1 / 4_294_967_296;
/** Grow when the load passes this. */
export const MAX_LOAD = 0.85;
/** Capacity multiplier on growth: the load after growing is MAX_LOAD / GROWTH ≈ 0.586. */
export const GROWTH = 1.45;
const MIN_CAPACITY = 64;

/** Sizing of the visited set: expected states, load before growing, growth factor. */
export interface VisitedSetOptions {
  readonly expected?: number;
  readonly maxLoad?: number;
  readonly growth?: number;
}

/** The set of visited fingerprints (see the module comment). */
export class VisitedSet {
  /** Slot i holds hi at 2i and lo at 2i + 1. */
  private table: Int32Array;
  private capacity: number;
  private scale: number;
  private limit: number;
  private hasZero = false;
  /** Distinct fingerprints added so far. */
  size = 0;

  private readonly maxLoad: number;
  private readonly growth: number;

  /**
   * `expected`: how many fingerprints to make room for before the first growth. `maxLoad` and
   * `growth` (other values than {@link MAX_LOAD} and {@link GROWTH} are for measuring probe costs):
   * grow ×`growth` when the load passes `maxLoad`.
   */
  constructor({ expected = 0, maxLoad = MAX_LOAD, growth = GROWTH }: VisitedSetOptions = {}) {
    if (!(maxLoad > 0 && maxLoad < 1)) throw new RangeError(`maxLoad must be in (0, 1), got ${maxLoad}`);
    if (!(growth > 1 && growth <= 4)) throw new RangeError(`growth must be in (1, 4], got ${growth}`);
    this.maxLoad = maxLoad;
    this.growth = growth;
    this.capacity = Math.max(MIN_CAPACITY, Math.ceil(expected / maxLoad));
    this.table = new Int32Array(2 * this.capacity);
    this.scale = this.capacity * INV_2_32;
    this.limit = Math.floor(this.capacity * maxLoad);
  }

  /** Adds the fingerprint (hi, lo); true when it was not there yet. */
  add(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 && lo === 0) {
      if (this.hasZero) return false;
      this.hasZero = true;
      this.size++;
      return true;
    }
    const table = this.table;
    const capacity = this.capacity;
    let slot = Math.floor((hi >>> 0) * this.scale);
    for (;;) {
      const at = slot << 1;
      const h = table[at];
      const l = table[at + 1];
      if (h === hi && l === lo) return false;
      if (h === 0 && l === 0) {
        table[at] = hi;
        table[at + 1] = lo;
        this.size++;
        if (this.size - (this.hasZero ? 1 : 0) > this.limit) this.grow();
        return true;
      }
      if (++slot === capacity) slot = 0;
    }
  }

  /** Whether the fingerprint (hi, lo) has been added. */
  has(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 && lo === 0) return this.hasZero;
    const table = this.table;
    let slot = Math.floor((hi >>> 0) * this.scale);
    for (;;) {
      const at = slot << 1;
      const h = table[at];
      const l = table[at + 1];
      if (h === hi && l === lo) return true;
      if (h === 0 && l === 0) return false;
      if (++slot === this.capacity) slot = 0;
    }
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.table.byteLength;
  }

  /** Bytes held per distinct fingerprint. */
  bytesPerState(): number {
    return this.size === 0 ? 0 : this.byteLength / this.size;
  }

  /** Fraction of slots in use. */
  get load(): number {
    return (this.size - (this.hasZero ? 1 : 0)) / this.capacity;
  }

  /**
   * Mean probes of a lookup at the current load, from the table's contents: over the stored
   * fingerprints (a lookup that finds its fingerprint) and over every home slot (one that does not).
   */
  probeLengths(): { present: number; absent: number } {
    const { table, capacity } = this;
    let present = 0;
    let stored = 0;
    for (let slot = 0; slot < capacity; slot++) {
      const hi = table[2 * slot];
      if (hi === 0 && table[2 * slot + 1] === 0) continue;
      const home = Math.floor((hi >>> 0) * this.scale);
      present += ((slot - home + capacity) % capacity) + 1;
      stored++;
    }
    // An absent lookup from home slot s probes the run of full slots from s, plus the empty one;
    // walking backwards turns that into one pass.
    let firstEmpty = 0;
    while (firstEmpty < capacity && !this.empty(firstEmpty)) firstEmpty++;
    let absent = 0;
    let run = 0;
    for (let k = 0; k < capacity; k++) {
      const slot = (firstEmpty - k + capacity) % capacity;
      run = this.empty(slot) ? 0 : run + 1;
      absent += run + 1;
    }
    return { present: stored === 0 ? 0 : present / stored, absent: absent / capacity };
  }

  private empty(slot: number): boolean {
    return this.table[2 * slot] === 0 && this.table[2 * slot + 1] === 0;
  }

  private grow(): void {
    const old = this.table;
    const capacity = Math.ceil(this.capacity * this.growth);
    const table = new Int32Array(2 * capacity);
    const scale = capacity * INV_2_32;
    for (let at = 0; at < old.length; at += 2) {
      const hi = old[at];
      const lo = old[at + 1];
      if (hi === 0 && lo === 0) continue;
      let slot = Math.floor((hi >>> 0) * scale);
      while (table[2 * slot] !== 0 || table[2 * slot + 1] !== 0) if (++slot === capacity) slot = 0;
      table[2 * slot] = hi;
      table[2 * slot + 1] = lo;
    }
    this.table = table;
    this.capacity = capacity;
    this.scale = scale;
    this.limit = Math.floor(capacity * this.maxLoad);
  }
}
