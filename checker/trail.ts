/**
 * How a breadth-first search rebuilds the path to any state it has visited without storing a
 * parent link or a fingerprint per state: two bytes per state, in the order states were first
 * reached (their entry number).
 *
 * - `ordinal[e]`: which action of its parent's action list first reached entry e (for an initial
 *   state: its index in the model's initial states);
 * - `fresh[e]`: how many new entries the expansion of e added.
 *
 * A queue expands states in entry order and the new states one expansion adds get consecutive
 * entry numbers, so the children of e are the entries from F(e) = roots + Σ_{k<e} fresh[k] on,
 * and the parent of t is the last e with F(e) ≤ t. One backwards pass over `fresh` therefore
 * yields the whole chain of parents, and replaying the ordinals from the initial state gives the
 * states and actions. Values of 255 and more are rare (a state with that many actions or new
 * successors) and go to an overflow map. Entry numbers are doubles throughout, so a trail of more
 * than 2³² states is indexed as well as a small one.
 */

import { type ByteSink, type ByteSource, expectData, readNumbers, writeNumbers } from "./binary.js";

/** Entries per chunk: small, so a half-used last chunk wastes little. */
const CHUNK_BITS = 13;
const CHUNK = 1 << CHUNK_BITS;
/** The first chunk starts this small and doubles, so that small searches stay small too. */
const FIRST_CHUNK = 256;
const ESCAPE = 255;
/** Bytes charged for one overflow entry (a Map entry with two small integers, V8 on 64 bits). */
const OVERFLOW_ENTRY_BYTES = 32;

/** One byte per entry, grown in fixed chunks, with an overflow map for larger values. */
class ByteLog {
  private readonly chunks: Uint8Array[] = [];
  private readonly overflow = new Map<number, number>();
  length = 0;

  push(value: number): void {
    const index = this.length++;
    const chunk = Math.floor(index / CHUNK);
    if (chunk === this.chunks.length) {
      this.chunks.push(new Uint8Array(chunk === 0 ? FIRST_CHUNK : CHUNK));
    } else if (chunk === 0 && index === this.chunks[0].length) {
      const bigger = new Uint8Array(2 * index);
      bigger.set(this.chunks[chunk]);
      this.chunks[chunk] = bigger;
    }
    this.set(index, value);
  }

  set(index: number, value: number): void {
    if (value >= ESCAPE) this.overflow.set(index, value);
    this.chunks[Math.floor(index / CHUNK)][index % CHUNK] = value >= ESCAPE ? ESCAPE : value;
  }

  get(index: number): number {
    const value = this.chunks[Math.floor(index / CHUNK)][index % CHUNK];
    return value === ESCAPE ? (this.overflow.get(index) as number) : value;
  }

  get byteLength(): number {
    let bytes = this.overflow.size * OVERFLOW_ENTRY_BYTES;
    for (const chunk of this.chunks) bytes += chunk.byteLength;
    return bytes;
  }

  /** Writes the log: its length, the chunks' bytes, the overflow as (index, value) pairs. */
  write(sink: ByteSink): void {
    const overflow: number[] = [];
    for (const [index, value] of this.overflow) overflow.push(index, value);
    writeNumbers(sink, [this.length, this.chunks.length, this.chunks[0]?.length ?? 0, this.overflow.size]);
    for (const chunk of this.chunks) sink.write(chunk);
    writeNumbers(sink, overflow);
  }

  /** Reads what {@link write} wrote. */
  static read(source: ByteSource): ByteLog {
    const log = new ByteLog();
    const [length, chunks, first, overflow] = readNumbers(source, 4);
    expectData(
      Number.isSafeInteger(length) && chunks === Math.ceil(length / CHUNK) && (chunks === 0 || first >= 1),
      `a trail of ${length} entries in ${chunks} chunks`,
    );
    for (let k = 0; k < chunks; k++) {
      const chunk = new Uint8Array(k === 0 ? first : CHUNK);
      source.read(chunk);
      log.chunks.push(chunk);
    }
    expectData(chunks <= 1 ? first >= length : first === CHUNK, `a first trail chunk of ${first} bytes`);
    const pairs = readNumbers(source, 2 * overflow);
    for (let k = 0; k < pairs.length; k += 2) log.overflow.set(pairs[k], pairs[k + 1]);
    log.length = length;
    return log;
  }
}

/** The two byte logs of a breadth-first search, and the paths rebuilt from them (see the module comment). */
export class BreadthFirstTrail {
  private ordinals = new ByteLog();
  private fresh = new ByteLog();
  private roots = 0;

  /** Writes the trail, for {@link BreadthFirstTrail.read}. */
  write(sink: ByteSink): void {
    writeNumbers(sink, [this.roots]);
    this.ordinals.write(sink);
    this.fresh.write(sink);
  }

  /** A trail {@link BreadthFirstTrail.write} wrote. */
  static read(source: ByteSource): BreadthFirstTrail {
    const trail = new BreadthFirstTrail();
    [trail.roots] = readNumbers(source, 1);
    trail.ordinals = ByteLog.read(source);
    trail.fresh = ByteLog.read(source);
    expectData(trail.ordinals.length === trail.fresh.length, "a trail whose two logs differ in length");
    expectData(trail.roots <= trail.ordinals.length, "a trail with more roots than entries");
    return trail;
  }

  /** Records the next entry: an initial state (`root`) or a successor, by its ordinal. */
  add(ordinal: number, root: boolean): void {
    if (root) {
      if (this.roots !== this.ordinals.length) throw new Error("internal: initial states must come first");
      this.roots++;
    }
    this.ordinals.push(ordinal);
    this.fresh.push(0);
  }

  /** Records that expanding `entry` added `count` new entries (the last ones added). */
  expanded(entry: number, count: number): void {
    if (count > 0) this.fresh.set(entry, count);
  }

  /**
   * The ordinals from an initial state to `target`: the index of the initial state, then the
   * index of each action in its state's action list.
   */
  route(target: number): number[] {
    let first = this.roots; // F(e), for e walking down from target
    for (let e = 0; e < target; e++) first += this.fresh.get(e);
    const chain = [target];
    let at = target;
    for (let e = target - 1; at >= this.roots; e--) {
      first -= this.fresh.get(e);
      if (first <= at) {
        chain.push(e);
        at = e;
      }
    }
    return chain.reverse().map((entry) => this.ordinals.get(entry));
  }

  /** Entries recorded. */
  get length(): number {
    return this.ordinals.length;
  }

  /** Bytes held. */
  get byteLength(): number {
    return this.ordinals.byteLength + this.fresh.byteLength;
  }
}
