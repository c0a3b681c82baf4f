/**
 * The visited set against a JavaScript Set of the same fingerprints (random ones, the all-zero one,
 * ones that share a home slot, ones that wrap around the end of the table), its growth and its
 * bytes per state; and the breadth-first trail's parent arithmetic on a tree built by hand.
 */

import { describe, expect, it } from "vitest";
import { BreadthFirstTrail } from "../checker/trail.js";
import { GROWTH, MAX_LOAD, SEGMENTS, VisitedSet } from "../checker/visited.js";

/** xorshift32, so that the test sees the same fingerprints on every run. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

const key = (hi: number, lo: number) => (hi >>> 0) * 2 ** 32 + (lo >>> 0);

describe("VisitedSet", () => {
  it("agrees with a Set on 300 000 random fingerprints with repeats, (0, 0) among them", () => {
    const next = random(2024);
    const visited = new VisitedSet();
    const oracle = new Set<number>();
    const pool: Array<[number, number]> = [
      [0, 0],
      [0, 1],
      [1, 0],
      [0xffffffff, 0xffffffff],
    ];
    let disagreements = 0;
    for (let i = 0; i < 300_000; i++) {
      // One step in four repeats an earlier fingerprint.
      const [hi, lo] = i < 4 ? pool[i] : next() % 4 === 0 ? pool[next() % pool.length] : [next(), next()];
      if (i >= 4) pool.push([hi, lo]);
      const fresh = !oracle.has(key(hi, lo));
      oracle.add(key(hi, lo));
      if (visited.add(hi, lo) !== fresh) disagreements++;
    }
    expect(disagreements).toBe(0);
    expect(visited.size).toBe(oracle.size);
    expect(visited.size).toBeGreaterThan(200_000);
    expect(pool.filter(([hi, lo]) => !visited.has(hi, lo))).toEqual([]);
    let absent = 0;
    for (let i = 0; i < 10_000; i++) {
      const hi = next();
      const lo = next();
      if (!oracle.has(key(hi, lo)) && !visited.has(hi, lo)) absent++;
    }
    expect(absent).toBe(10_000);
    expect(visited.add(0, 0)).toBe(false);
  });

  it("takes signed and unsigned halves as the same fingerprint", () => {
    const visited = new VisitedSet();
    expect(visited.add(-1, -2)).toBe(true);
    expect(visited.add(0xffffffff, 0xfffffffe)).toBe(false);
    expect(visited.has(0xffffffff, 0xfffffffe)).toBe(true);
    expect(visited.size).toBe(1);
  });

  it("keeps fingerprints that share a home slot, including runs that wrap past the last slot", () => {
    const visited = new VisitedSet();
    // hi = 0xffffffff maps to the last slot, so each run of these wraps to the start.
    for (let lo = 1; lo <= 40; lo++) expect(visited.add(0xffffffff, lo)).toBe(true);
    for (let lo = 1; lo <= 40; lo++) expect(visited.add(0, lo)).toBe(true);
    for (let lo = 1; lo <= 40; lo++) {
      expect(visited.add(0xffffffff, lo)).toBe(false);
      expect(visited.add(0, lo)).toBe(false);
    }
    expect(visited.has(0xffffffff, 41)).toBe(false);
    expect(visited.size).toBe(80);
  });

  it("grows each segment ×1.45 past 85 % load and ends at ≤ 16 bytes per state after a large fill", () => {
    const next = random(7);
    const visited = new VisitedSet();
    let growths = 0;
    let largest = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const bytes = visited.byteLength;
      visited.add(next(), next());
      if (visited.byteLength !== bytes) {
        growths++;
        // One segment grows at a time: by ×1.45 of a sixty-fourth of the set, not of all of it.
        largest = Math.max(largest, (visited.byteLength - bytes) / bytes);
      }
    }
    expect(visited.size).toBe(1_000_000);
    expect(growths).toBeGreaterThan(SEGMENTS * 8);
    expect(largest).toBeLessThan((GROWTH - 1) / 16);
    const loads = visited.segmentLoads();
    expect(loads).toHaveLength(SEGMENTS);
    for (const load of loads) {
      expect(load).toBeLessThanOrEqual(MAX_LOAD);
      expect(load).toBeGreaterThan(MAX_LOAD / GROWTH - 0.01);
    }
    // Segments grow at different times, so the whole set sits between the bounds, not at one of them.
    expect(visited.load).toBeGreaterThan(0.66);
    expect(visited.load).toBeLessThan(0.76);
    expect(visited.bytesPerState()).toBeLessThanOrEqual(12.2);
    expect(visited.byteLength).toBe(visited.bytesPerState() * visited.size);
    const probes = visited.probeLengths();
    expect(probes.present).toBeGreaterThanOrEqual(1);
    expect(probes.present).toBeLessThan(5);
    expect(probes.absent).toBeGreaterThan(probes.present);
  });

  it("holds fingerprints that all fall in one segment, spread over it", () => {
    const next = random(11);
    const visited = new VisitedSet();
    const hiOf = (r: number) => ((3 << 26) | (r & 0x3ffffff)) >>> 0;
    const pairs = Array.from({ length: 30_000 }, () => [hiOf(next()), next()] as const);
    for (const [hi, lo] of pairs) expect(visited.add(hi, lo)).toBe(true);
    for (const [hi, lo] of pairs) expect(visited.has(hi, lo)).toBe(true);
    expect(visited.size).toBe(30_000);
    expect(visited.probeLengths().present).toBeLessThan(5);
    expect(visited.segmentLoads().filter((load) => load > 0)).toHaveLength(1);
  });

  it("writes and reads back the same set, which goes on as the original", () => {
    const next = random(99);
    const visited = new VisitedSet();
    for (let i = 0; i < 50_000; i++) visited.add(next(), next());
    visited.add(0, 0);
    const chunks: Buffer[] = [];
    visited.write({
      write: (bytes) => chunks.push(Buffer.from(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))),
    });
    const all = Buffer.concat(chunks);
    let at = 0;
    const copy = VisitedSet.read({
      read: (into) => {
        const view = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
        if (at + view.length > all.length) throw new Error("short");
        view.set(all.subarray(at, at + view.length));
        at += view.length;
      },
    });
    expect(at).toBe(all.length);
    expect(copy.size).toBe(visited.size);
    expect(copy.byteLength).toBe(visited.byteLength);
    const again = random(99);
    for (let i = 0; i < 50_000; i++) expect(copy.has(again(), again())).toBe(true);
    expect(copy.has(0, 0)).toBe(true);
    for (let i = 0; i < 20_000; i++) {
      const [hi, lo] = [next(), next()];
      expect(copy.add(hi, lo)).toBe(visited.add(hi, lo));
    }
    expect(copy.byteLength).toBe(visited.byteLength);
  });

  it("rejects a maximum load outside (0, 1) and a growth factor of 1 or less", () => {
    expect(() => new VisitedSet({ maxLoad: 1 })).toThrow(RangeError);
    expect(() => new VisitedSet({ maxLoad: 0 })).toThrow(RangeError);
    expect(() => new VisitedSet({ growth: 1 })).toThrow(RangeError);
  });
});

describe("BreadthFirstTrail", () => {
  // Two initial states (entries 0, 1). Expanding 0 adds 2 (action 4) and 3 (action 7); 1 adds
  // nothing; 2 adds 4 (action 1); 3 adds 5 (action 0) and 6 (action 300, past one byte); 4 adds 7.
  function tree(): BreadthFirstTrail {
    const trail = new BreadthFirstTrail();
    trail.add(0, true);
    trail.add(1, true);
    trail.add(4, false);
    trail.add(7, false);
    trail.expanded(0, 2);
    trail.expanded(1, 0);
    trail.add(1, false);
    trail.expanded(2, 1);
    trail.add(0, false);
    trail.add(300, false);
    trail.expanded(3, 2);
    trail.add(2, false);
    trail.expanded(4, 1);
    return trail;
  }

  it("routes every entry back to its initial state through its parents", () => {
    const trail = tree();
    expect(trail.route(0)).toEqual([0]);
    expect(trail.route(1)).toEqual([1]);
    expect(trail.route(3)).toEqual([0, 7]);
    expect(trail.route(5)).toEqual([0, 7, 0]);
    expect(trail.route(6)).toEqual([0, 7, 300]);
    expect(trail.route(7)).toEqual([0, 4, 1, 2]);
  });

  it("handles an expansion with more than 255 new states", () => {
    const trail = new BreadthFirstTrail();
    trail.add(0, true);
    for (let a = 0; a < 600; a++) trail.add(a, false);
    trail.expanded(0, 600);
    trail.add(9, false);
    trail.expanded(600, 1);
    expect(trail.route(600)).toEqual([0, 599]);
    expect(trail.route(601)).toEqual([0, 599, 9]);
  });

  it("refuses an initial state after a successor", () => {
    const trail = new BreadthFirstTrail();
    trail.add(0, true);
    trail.add(0, false);
    expect(() => trail.add(1, true)).toThrow(/initial states must come first/);
  });
});
