/**
 * The visited set against a JavaScript Set of the same fingerprints (random ones, the all-zero one,
 * ones that share a home slot, ones that wrap around the end of the table), its growth and its
 * bytes per state; and the breadth-first trail's parent arithmetic on a tree built by hand.
 */

import { describe, expect, it } from "vitest";
import { BreadthFirstTrail } from "../checker/trail.js";
import { GROWTH, MAX_LOAD, VisitedSet } from "../checker/visited.js";

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

  it("grows ×1.45 past 85 % load and ends at ≤ 16 bytes per state after a large fill", () => {
    const next = random(7);
    const visited = new VisitedSet();
    let lowest = 1;
    let highest = 0;
    let growths = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const bytes = visited.byteLength;
      visited.add(next(), next());
      if (visited.byteLength !== bytes) growths++;
      if (i > 1000) lowest = Math.min(lowest, visited.load);
      highest = Math.max(highest, visited.load);
    }
    expect(visited.size).toBe(1_000_000);
    // From 64 slots to 1 474 001 by ×1.45 steps.
    expect(growths).toBe(27);
    expect(visited.byteLength).toBe(8 * 1_474_001);
    expect(highest).toBeLessThanOrEqual(MAX_LOAD);
    expect(lowest).toBeGreaterThan(MAX_LOAD / GROWTH - 0.01);
    expect(visited.bytesPerState()).toBeLessThanOrEqual(16);
    expect(visited.byteLength).toBe(visited.bytesPerState() * visited.size);
    const probes = visited.probeLengths();
    expect(probes.present).toBeGreaterThanOrEqual(1);
    expect(probes.present).toBeLessThan(5);
    expect(probes.absent).toBeGreaterThan(probes.present);
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
