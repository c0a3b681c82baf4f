/**
 * The visited set as it was before it was split into segments (checker/visited.ts): one
 * open-addressing table of (hi, lo) pairs, grown ×1.45 past 85 % load. Kept here only as the
 * baseline `bench/visited.ts` measures the segmented set against, in the same run; the checker
 * does not use it. Its capacity is bounded by one typed array (and its `slot << 1` by 2³⁰ slots).
 */

const INV_2_32 = 1 / 4_294_967_296;
const MIN_CAPACITY = 64;

/** The single-table visited set (see the module comment). */
export class FlatVisitedSet {
  private table: Int32Array;
  private capacity: number;
  private scale: number;
  private limit: number;
  private hasZero = false;
  size = 0;

  constructor(
    private readonly maxLoad = 0.85,
    private readonly growth = 1.45,
  ) {
    this.capacity = MIN_CAPACITY;
    this.table = new Int32Array(2 * this.capacity);
    this.scale = this.capacity * INV_2_32;
    this.limit = Math.floor(this.capacity * maxLoad);
  }

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

  bytesPerState(): number {
    return this.size === 0 ? 0 : this.table.byteLength / this.size;
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
