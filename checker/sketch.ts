/**
 * A k-minimum-values sketch of state fingerprints: the k smallest 64-bit values seen, enough to
 * estimate how many distinct states a swarm of independent simulation shards saw together without
 * shipping their visited sets. The union of shard sketches is the sketch of the union, so the count
 * is exact while fewer than k distinct states were seen and an estimate (relative error about
 * 1/√k) beyond.
 */

import type { Fingerprint } from "./model.js";
import { mix32 } from "./random.js";

/** Values kept per sketch (relative error of the estimate about 3%). */
export const SKETCH_SIZE = 1024;

/** A sketch value: 16 lowercase hex digits, so string order is numeric order. */
const HEX_VALUE = /^[0-9a-f]{16}$/;

const hex8 = (x: number) => (x >>> 0).toString(16).padStart(8, "0");

/**
 * The sketch value of a fingerprint: a three-round Feistel permutation of its 64 bits, so values
 * stay distinct exactly when fingerprints are, and are spread uniformly even when a model's
 * fingerprint is not (the estimate assumes uniform values).
 */
export function sketchValue(fp: Fingerprint): string {
  let left = fp.hi >>> 0;
  let right = fp.lo >>> 0;
  for (const key of [0x243f6a88, 0x85a308d3, 0x13198a2e]) {
    const next = (left ^ mix32(right ^ key)) >>> 0;
    left = right;
    right = next;
  }
  return hex8(left) + hex8(right);
}

/** Whether `value` is a well-formed sketch: sorted, distinct, well-formed values, at most k of them. */
export function isSketch(value: unknown, k = SKETCH_SIZE): value is string[] {
  if (!Array.isArray(value) || value.length > k) return false;
  return value.every((v, i) => typeof v === "string" && HEX_VALUE.test(v) && (i === 0 || value[i - 1] < v));
}

/** The k smallest values seen, kept sorted. */
export class MinValuesSketch {
  private readonly kept: string[] = [];

  constructor(readonly k = SKETCH_SIZE) {}

  /** Adds a state's fingerprint (adding one twice changes nothing). */
  add(fp: Fingerprint): void {
    this.addValue(sketchValue(fp));
  }

  /** Adds a sketch value. */
  addValue(value: string): void {
    const kept = this.kept;
    if (kept.length === this.k && value >= kept[kept.length - 1]) return;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (kept[mid] < value) low = mid + 1;
      else high = mid;
    }
    if (kept[low] === value) return;
    kept.splice(low, 0, value);
    if (kept.length > this.k) kept.pop();
  }

  /** The kept values, ascending (a copy, for a report). */
  values(): string[] {
    return this.kept.slice();
  }
}

/** The sketch of the union of the sets the given sketches summarise. */
export function unionSketches(sketches: readonly (readonly string[])[], k = SKETCH_SIZE): string[] {
  const union = new MinValuesSketch(k);
  for (const sketch of sketches) for (const value of sketch) union.addValue(value);
  return union.values();
}

/** The number of distinct values a sketch summarises: exact below k values, else the KMV estimate. */
export function estimateDistinct(sketch: readonly string[], k = SKETCH_SIZE): { count: number; exact: boolean } {
  if (sketch.length < k) return { count: sketch.length, exact: true };
  // The k-th smallest of n uniform values in [0, 1) is about k / n; (k − 1) / it is unbiased.
  const kth = sketch[k - 1];
  const fraction = (Number.parseInt(kth.slice(0, 8), 16) * 2 ** 32 + Number.parseInt(kth.slice(8), 16) + 1) / 2 ** 64;
  return { count: Math.round((k - 1) / fraction), exact: false };
}
