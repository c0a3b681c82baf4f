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
 * successors) and go to an overflow map.
 */

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
    const chunk = index >>> CHUNK_BITS;
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
    this.chunks[index >>> CHUNK_BITS][index & (CHUNK - 1)] = value >= ESCAPE ? ESCAPE : value;
  }

  get(index: number): number {
    const value = this.chunks[index >>> CHUNK_BITS][index & (CHUNK - 1)];
    return value === ESCAPE ? (this.overflow.get(index) as number) : value;
  }

  get byteLength(): number {
    let bytes = this.overflow.size * OVERFLOW_ENTRY_BYTES;
    for (const chunk of this.chunks) bytes += chunk.byteLength;
    return bytes;
  }
}

/** The two byte logs of a breadth-first search, and the paths rebuilt from them (see the module comment). */
export class BreadthFirstTrail {
  private readonly ordinals = new ByteLog();
  private readonly fresh = new ByteLog();
  private roots = 0;

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

  /** Bytes held. */
  get byteLength(): number {
    return this.ordinals.byteLength + this.fresh.byteLength;
  }
}
