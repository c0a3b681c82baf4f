/**
 * The visited set: 64-bit state fingerprints and nothing else, in open-addressing tables of
 * (hi, lo) word pairs — 8 bytes a slot. How a discovery turns into a path without parent links is
 * the business of `trail.ts` (breadth-first) and of the search's current branch (depth-first).
 *
 * Segments. The set is {@link SEGMENTS} tables, a fingerprint going to the one its top
 * {@link SEGMENT_BITS} bits of `hi` name, each table growing on its own. So the set is not bounded
 * by what one typed array can hold (a segment holds up to 2²⁹ slots, 4 GiB, so 2³⁵ slots in all),
 * and growing copies one segment at a time: the memory a growth needs on top of the set is a
 * sixty-fourth of it, not the set again and half as much, which matters once the set is most of
 * the machine's memory.
 *
 * Layout of a segment. Within its segment a fingerprint goes to slot ⌊key · capacity / 2³²⌋, where
 * the key is the 32 bits of the fingerprint after the segment's (multiply-high: any capacity works,
 * and slot order follows the order of keys), and on to the next free slot (linear probing,
 * wrapping within the segment). The pair (0, 0) marks an empty slot, so the fingerprint (0, 0)
 * itself is kept in a flag. Because the home slot grows with the key, growing walks the old table
 * and writes the new one almost in order.
 *
 * Load. A segment grows ×1.45 when more than 85 % of its slots are full, so its load stays in
 * [0.586, 0.85]. Fingerprints are uniform, so segments of one size would fill and grow together;
 * instead segment s starts 1.45^(s/64) times the size of segment 0, and they stay that far apart
 * in their growth cycles. The set's load is then the mean load over a cycle, 0.586 · 0.45 / ln 1.45
 * ≈ 0.71, at any size: about 11.3 bytes a state (a single table swung between 9.4 and 13.7), which
 * leaves room for the breadth-first trail's 2 bytes within 16. The price is longer probes. Measured with `bench/visited.ts` (2 M slots, 16 MiB, far beyond the
 * caches; 2-core EPYC VM, node 20; medians of 3 runs of 5, ±15 % noise; one table then):
 *
 *   load                        0.50   0.60   0.70   0.80   0.85   0.90   0.95
 *   probes, fingerprint present 1.50   1.75   2.17   3.01   3.86   5.59   10.9
 *   probes, fingerprint absent  2.51   3.64   6.07   13.2   23.3   52.8    211
 *   ns per lookup, present        50     79    101    102    104    115    125
 *   ns per lookup, absent         58     60     82     88    107    158    392
 *
 * A lookup is one or two cache misses until the load passes ~0.85; beyond 0.9 the absent case,
 * which every new state pays, takes off. The same benchmark runs a breadth-first-like stream
 * through the segmented set and through the single table it replaced, in the same run
 * (docs/checker.md, "Past RAM, and resumable").
 */

import { type ByteSink, type ByteSource, expectData, readNumbers, writeNumbers } from "./binary.js";

/** 2⁻³³: a 32-bit key times a table's length in words, to its home slot by multiply-high. */
const INV_2_33 = 1 / 8_589_934_592;

/**
 * The word index of the home slot of `key` in a table of `words` words: slot ⌊key · capacity / 2³²⌋,
 * from the table's length (at hand for the bounds check) rather than from another array.
 */
function homeWord(key: number, words: number): number {
  return Math.floor(key * words * INV_2_33) << 1;
}
/** Grow a segment when its load passes this. */
export const MAX_LOAD = 0.85;
/** Capacity multiplier on growth: the load after growing is MAX_LOAD / GROWTH ≈ 0.586. */
export const GROWTH = 1.45;
/** The top bits of `hi` that choose a segment. */
export const SEGMENT_BITS = 6;
/** How many segments the set has. */
export const SEGMENTS = 1 << SEGMENT_BITS;
/** Bits of `lo` shifted into a segment's key, in place of the bits of `hi` that chose the segment. */
const KEY_SHIFT = 32 - SEGMENT_BITS;
/** The smallest segment: small sets (a breadth-first level's) stay small. */
const MIN_SEGMENT_SLOTS = 32;
/** The largest segment: 2²⁹ slots (4 GiB), so that a slot's word index fits 32 bits. */
export const MAX_SEGMENT_SLOTS = 2 ** 29;

/** Sizing of the visited set: expected states, load before growing, growth factor. */
export interface VisitedSetOptions {
  readonly expected?: number;
  readonly maxLoad?: number;
  readonly growth?: number;
  /** Segments of sizes spread over a growth step (default), or all of one size (to measure one load). */
  readonly staggered?: boolean;
}

/** The set of visited fingerprints (see the module comment). */
export class VisitedSet {
  /** Per segment: slot i holds hi at 2i and lo at 2i + 1. */
  private readonly tables: Int32Array[] = [];
  /** Per segment: its slots, its fingerprints and how many it takes before growing. */
  private readonly capacities = new Int32Array(SEGMENTS);
  private readonly counts = new Int32Array(SEGMENTS);
  private readonly limits = new Int32Array(SEGMENTS);
  private hasZero = false;
  /** Distinct fingerprints added so far. */
  size = 0;

  private readonly maxLoad: number;
  private readonly growth: number;

  /**
   * `expected`: how many fingerprints to make room for before the first growth. `maxLoad` and
   * `growth` (other values than {@link MAX_LOAD} and {@link GROWTH} are for measuring probe costs):
   * grow a segment ×`growth` when its load passes `maxLoad`. `staggered`: see {@link VisitedSetOptions}.
   */
  constructor({ expected = 0, maxLoad = MAX_LOAD, growth = GROWTH, staggered = true }: VisitedSetOptions = {}) {
    if (!(maxLoad > 0 && maxLoad < 1)) throw new RangeError(`maxLoad must be in (0, 1), got ${maxLoad}`);
    if (!(growth > 1 && growth <= 4)) throw new RangeError(`growth must be in (1, 4], got ${growth}`);
    this.maxLoad = maxLoad;
    this.growth = growth;
    const base = Math.max(MIN_SEGMENT_SLOTS, expected / SEGMENTS / maxLoad);
    // Sizes a sixty-fourth of a growth step apart, so that the segments grow at different times.
    for (let s = 0; s < SEGMENTS; s++) {
      const slots = Math.min(MAX_SEGMENT_SLOTS, Math.ceil(base * (staggered ? growth ** (s / SEGMENTS) : 1)));
      this.resize(s, new Int32Array(2 * slots));
    }
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
    const s = hi >>> KEY_SHIFT;
    const table = this.tables[s];
    // Probing wraps at the table's end.
    let at = homeWord(((hi << SEGMENT_BITS) | (lo >>> KEY_SHIFT)) >>> 0, table.length);
    for (;;) {
      const h = table[at];
      const l = table[at + 1];
      if (h === hi && l === lo) return false;
      if (h === 0 && l === 0) {
        table[at] = hi;
        table[at + 1] = lo;
        this.size++;
        if (++this.counts[s] > this.limits[s]) this.grow(s);
        return true;
      }
      at += 2;
      if (at === table.length) at = 0;
    }
  }

  /** Whether the fingerprint (hi, lo) has been added. */
  has(hi: number, lo: number): boolean {
    hi |= 0;
    lo |= 0;
    if (hi === 0 && lo === 0) return this.hasZero;
    const s = hi >>> KEY_SHIFT;
    const table = this.tables[s];
    let at = homeWord(((hi << SEGMENT_BITS) | (lo >>> KEY_SHIFT)) >>> 0, table.length);
    for (;;) {
      const h = table[at];
      const l = table[at + 1];
      if (h === hi && l === lo) return true;
      if (h === 0 && l === 0) return false;
      at += 2;
      if (at === table.length) at = 0;
    }
  }

  /** Bytes held by the tables. */
  get byteLength(): number {
    let bytes = 0;
    for (const table of this.tables) bytes += table.byteLength;
    return bytes;
  }

  /** Bytes held per distinct fingerprint. */
  bytesPerState(): number {
    return this.size === 0 ? 0 : this.byteLength / this.size;
  }

  /** Fraction of slots in use, over all segments. */
  get load(): number {
    let slots = 0;
    for (let s = 0; s < SEGMENTS; s++) slots += this.capacities[s];
    return (this.size - (this.hasZero ? 1 : 0)) / slots;
  }

  /** Each segment's fraction of slots in use. */
  segmentLoads(): number[] {
    return Array.from(this.counts, (count, s) => count / this.capacities[s]);
  }

  /**
   * Mean probes of a lookup at the current load, from the tables' contents: over the stored
   * fingerprints (a lookup that finds its fingerprint) and over every home slot (one that does not).
   */
  probeLengths(): { present: number; absent: number } {
    let present = 0;
    let stored = 0;
    let absent = 0;
    let slots = 0;
    for (let s = 0; s < SEGMENTS; s++) {
      const table = this.tables[s];
      const capacity = this.capacities[s];
      const empty = (slot: number) => table[2 * slot] === 0 && table[2 * slot + 1] === 0;
      for (let slot = 0; slot < capacity; slot++) {
        if (empty(slot)) continue;
        const home = homeWord(this.keyOf(table[2 * slot], table[2 * slot + 1]), table.length) >> 1;
        present += ((slot - home + capacity) % capacity) + 1;
        stored++;
      }
      // An absent lookup from home slot h probes the run of full slots from h, plus the empty one;
      // walking backwards turns that into one pass.
      let firstEmpty = 0;
      while (firstEmpty < capacity && !empty(firstEmpty)) firstEmpty++;
      let run = 0;
      for (let k = 0; k < capacity; k++) {
        const slot = (firstEmpty - k + capacity) % capacity;
        run = empty(slot) ? 0 : run + 1;
        absent += run + 1;
      }
      slots += capacity;
    }
    return { present: stored === 0 ? 0 : present / stored, absent: absent / slots };
  }

  /** Writes the set, tables as they are, for {@link VisitedSet.read}. */
  write(sink: ByteSink): void {
    const header = [SEGMENT_BITS, this.size, this.hasZero ? 1 : 0, this.maxLoad, this.growth];
    for (let s = 0; s < SEGMENTS; s++) header.push(this.capacities[s], this.counts[s]);
    writeNumbers(sink, header);
    for (const table of this.tables) sink.write(table);
  }

  /** A set written by {@link VisitedSet.write}; data that does not add up is a `MalformedData` error. */
  static read(source: ByteSource): VisitedSet {
    const [bits, size, zero, maxLoad, growth] = readNumbers(source, 5);
    expectData(bits === SEGMENT_BITS, `a visited set of ${bits}-bit segments`);
    const set = new VisitedSet({ maxLoad, growth });
    const sizes = readNumbers(source, 2 * SEGMENTS);
    let total = zero === 1 ? 1 : 0;
    for (let s = 0; s < SEGMENTS; s++) {
      const [capacity, count] = [sizes[2 * s], sizes[2 * s + 1]];
      expectData(
        Number.isInteger(capacity) && capacity >= MIN_SEGMENT_SLOTS && capacity <= MAX_SEGMENT_SLOTS,
        `a visited-set segment of ${capacity} slots`,
      );
      const table = new Int32Array(2 * capacity);
      source.read(table);
      set.resize(s, table);
      expectData(count <= set.limits[s], `a visited-set segment of ${count} fingerprints in ${capacity} slots`);
      set.counts[s] = count;
      total += count;
    }
    expectData(total === size, `a visited set of ${size} fingerprints whose segments hold ${total}`);
    set.hasZero = zero === 1;
    set.size = size;
    return set;
  }

  /** The 32-bit key that places (hi, lo) within its segment. */
  private keyOf(hi: number, lo: number): number {
    return ((hi << SEGMENT_BITS) | (lo >>> KEY_SHIFT)) >>> 0;
  }

  /** Makes `table` segment `s`'s, with the capacity and limit that go with its size. */
  private resize(s: number, table: Int32Array): void {
    const capacity = table.length / 2;
    this.tables[s] = table;
    this.capacities[s] = capacity;
    // A segment that cannot grow any more takes fingerprints until it is nearly full.
    this.limits[s] = Math.floor(capacity * (capacity === MAX_SEGMENT_SLOTS ? 0.98 : this.maxLoad));
  }

  private grow(s: number): void {
    const old = this.tables[s];
    if (old.length / 2 === MAX_SEGMENT_SLOTS) {
      throw new RangeError(`the visited set is full: a segment holds ${this.counts[s]} fingerprints`);
    }
    const capacity = Math.min(MAX_SEGMENT_SLOTS, Math.ceil((old.length / 2) * this.growth));
    const table = new Int32Array(2 * capacity);
    for (let at = 0; at < old.length; at += 2) {
      const hi = old[at];
      const lo = old[at + 1];
      if (hi === 0 && lo === 0) continue;
      let to = homeWord(this.keyOf(hi, lo), table.length);
      while (table[to] !== 0 || table[to + 1] !== 0) {
        to += 2;
        if (to === table.length) to = 0;
      }
      table[to] = hi;
      table[to + 1] = lo;
    }
    this.resize(s, table);
  }
}
