/**
 * Visited-set benchmark: what a lookup costs as the table fills, for the trade-off between bytes
 * per state and probe length documented in checker/visited.ts. For each load it fills a table of
 * about 2 M slots (the size two-phase commit with 8 RMs ends at) with random fingerprints, then
 * times lookups of fingerprints that are present and of fresh ones, and counts probes from the
 * table's contents. A second part runs a breadth-first-like stream (one new fingerprint for every
 * ~6.7 lookups, as two-phase commit generates) through a growing table under several growth rules.
 * A third runs that stream through the segmented set and through the single table it replaced
 * (bench/visited-flat.ts), alternating within the same run, at two sizes.
 *
 *   npx tsc -p tsconfig.bench.json && node .bench-build/bench/visited.js [--runs 3] [--large 20000000] [--compare-only]
 */

import { parseArgs } from "node:util";
import { VisitedSet } from "../checker/visited.js";
import { FlatVisitedSet } from "./visited-flat.js";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    large: { type: "string", default: "20000000" },
    // Only the third table: the segmented set against the single table.
    "compare-only": { type: "boolean", default: false },
  },
});
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
const large = Number(flags.large);
if (!Number.isInteger(large) || large < 1) throw new Error("--large must be a positive integer");

/** xorshift32: reproducible random numbers without allocation. */
function random(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** The k-th test fingerprint, computed rather than stored so that fetching it misses no cache. */
function half(k: number, seed: number): number {
  let h = Math.imul(k ^ seed, 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
const hi = (k: number) => half(k, 0x3c6ef372);
const lo = (k: number) => half(k, 0x1b873593);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

const CAPACITY = 2_097_152;
const LOOKUPS = 2_000_000;

/** Probes and time per lookup at each load of a table that does not grow. */
function probeTable(): void {
  console.log(`probe cost by load (${CAPACITY} slots, ${LOOKUPS} lookups, median of ${runs}; node ${process.version})`);
  console.log("load  probes present  probes absent  ns present  ns absent");
  for (const load of [0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]) {
    const count = Math.floor(CAPACITY * load);
    // Room for the segments' spread around the mean, so that none grows and changes the load.
    const set = new VisitedSet({ expected: count, maxLoad: Math.min(0.99, load + 0.02), staggered: false });
    for (let k = 0; k < count; k++) set.add(hi(k), lo(k));
    const present: number[] = [];
    const absent: number[] = [];
    let found = 0;
    for (let run = 0; run < runs; run++) {
      const pick = random(7 + run);
      let start = performance.now();
      for (let i = 0; i < LOOKUPS; i++) {
        const k = pick() % count;
        if (set.has(hi(k), lo(k))) found++;
      }
      present.push(((performance.now() - start) * 1e6) / LOOKUPS);
      start = performance.now();
      for (let i = 0; i < LOOKUPS; i++) if (set.has(hi(count + i), lo(count + i))) found--;
      absent.push(((performance.now() - start) * 1e6) / LOOKUPS);
    }
    if (found !== runs * LOOKUPS) throw new Error("a lookup gave a wrong answer");
    const probes = set.probeLengths();
    console.log(
      [
        set.load.toFixed(2).padEnd(4),
        probes.present.toFixed(2).padStart(14),
        probes.absent.toFixed(2).padStart(13),
        median(present).toFixed(0).padStart(10),
        median(absent).toFixed(0).padStart(9),
      ].join("  "),
    );
  }
}

/** A breadth-first-like stream: each step adds a fresh fingerprint or looks up an earlier one. */
const UNIQUE = 1_745_408;
const PER_NEW = 6.7;

/** What a stream needs of a set. */
interface StreamSet {
  add(hi: number, lo: number): boolean;
  bytesPerState(): number;
}

/** Runs the stream of `unique` fingerprints (seeded by `run`) through `set`: ns per lookup. */
function stream(set: StreamSet, unique: number, run: number): number {
  const pick = random(5 + run);
  let made = 0;
  let steps = 0;
  const start = performance.now();
  while (made < unique) {
    const k = made === 0 || pick() % 1000 < 1000 / PER_NEW ? made++ : pick() % made;
    set.add(hi(k + run), lo(k + run));
    steps++;
  }
  return ((performance.now() - start) * 1e6) / steps;
}
/** The stream through sets grown by several rules. */
function growthRules(): void {
  console.log(`\ngrowth rules on a stream of ${UNIQUE} fingerprints, ${PER_NEW} lookups each (median of ${runs})`);
  console.log("max load  growth  load range   ns per lookup  bytes/state at end");
  for (const [maxLoad, growth] of [
    [0.5, 2],
    [0.7, 1.2],
    [0.75, 1.28],
    [0.8, 1.37],
    [0.85, 1.45],
    [0.9, 1.55],
  ]) {
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run < runs; run++) {
      const set = new VisitedSet({ maxLoad, growth });
      times.push(stream(set, UNIQUE, run));
      bytes = set.bytesPerState();
    }
    const range = `${(maxLoad / growth).toFixed(2)}–${maxLoad.toFixed(2)}`;
    console.log(
      `${maxLoad.toFixed(2).padEnd(8)}  ${`×${growth}`.padEnd(6)}  ${range.padEnd(10)}  ${median(times).toFixed(0).padStart(13)}  ${bytes.toFixed(1).padStart(18)}`,
    );
  }
}

/** The stream through the segmented set and the single table, alternating. */
function segmentedAgainstSingle(): void {
  console.log(
    `\nsegmented set against the single table it replaced, alternating (median of ${runs}; max load 0.85, ×1.45)`,
  );
  console.log("fingerprints  set        ns per lookup  bytes/state at end");
  for (const unique of [UNIQUE, large]) {
    const times = { segmented: [] as number[], single: [] as number[] };
    const bytes = { segmented: 0, single: 0 };
    for (let run = 0; run < runs; run++) {
      for (const kind of run % 2 === 0 ? (["single", "segmented"] as const) : (["segmented", "single"] as const)) {
        const set = kind === "segmented" ? new VisitedSet() : new FlatVisitedSet();
        times[kind].push(stream(set, unique, run));
        bytes[kind] = set.bytesPerState();
      }
    }
    for (const kind of ["single", "segmented"] as const) {
      console.log(
        `${String(unique).padStart(12)}  ${kind.padEnd(9)}  ${median(times[kind]).toFixed(0).padStart(13)}  ${bytes[kind].toFixed(1).padStart(18)}`,
      );
    }
  }
}

if (!flags["compare-only"]) {
  probeTable();
  growthRules();
}
segmentedAgainstSingle();
