/**
 * Benchmark: BLAKE2b-256 for Walrus Merkle trees, ours (spec/hash/blake2b.ts) vs
 * @noble/hashes.
 *
 * Run: `npx tsx bench/blake2b.ts` (`--quick`: 1/10 of the iterations; `--verbose`: print
 * every run).
 *
 * Workloads (each timed as the median of 5 runs):
 *  - inner: 1 M inner-node hashes H(0x01 ‖ left ‖ right) (65 bytes, one compression);
 *  - leaf7: 1 M leaf hashes H(0x00 ‖ symbol) of 7-byte symbols (one compression);
 *  - leaf302: 1 M leaf hashes of 302-byte symbols (303 bytes, three compressions).
 * Inputs cycle through a 4096-entry working set so that they stay cache resident;
 * the point is the hash cost, not memory bandwidth.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import { digestWordsToBytes, hashInnerInto, hashLeavesInto } from "../spec/hash/blake2b.js";

const quick = process.argv.includes("--quick");
const verbose = process.argv.includes("--verbose");
const N = quick ? 100_000 : 1_000_000;
const RUNS = 5;
const SET = 4096;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median over RUNS of the time of `run()` (which performs N hashes), in µs per hash. */
function time(run: () => void): number {
  run(); // warm-up (JIT)
  const ts: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    run();
    ts.push(((performance.now() - t0) * 1000) / N);
    if (verbose) console.log(`  run ${r + 1}: ${ts[r]!.toFixed(3)} µs/hash`);
  }
  return median(ts);
}

let seed = 0x12345678;
function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
    b[i] = seed >>> 24;
  }
  return b;
}

let sink = 0;

function benchInner(): [number, number] {
  // 2 * SET digests as words; hash pairs (2j, 2j + 1) into out[j].
  const words = new Uint32Array(randomBytes(2 * SET * 32).buffer);
  const out = new Uint32Array(SET * 8);
  const ours = time(() => {
    for (let i = 0; i < N; i++) {
      const j = i & (SET - 1);
      hashInnerInto(words, 16 * j, 16 * j + 8, out, 8 * j);
    }
    sink ^= out[0]!;
  });
  const bytes = new Uint8Array(words.buffer);
  const input = new Uint8Array(65);
  input[0] = 0x01;
  const noble = time(() => {
    for (let i = 0; i < N; i++) {
      const j = i & (SET - 1);
      input.set(bytes.subarray(64 * j, 64 * j + 64), 1);
      sink ^= blake2b(input, { dkLen: 32 })[0]!;
    }
  });
  return [ours, noble];
}

function benchLeaves(size: number): [number, number] {
  const src = randomBytes(SET * size);
  const out = new Uint32Array(SET * 8);
  const ours = time(() => {
    for (let done = 0; done < N; done += SET) {
      hashLeavesInto(src, 0, size, Math.min(SET, N - done), out, 0);
    }
    sink ^= out[0]!;
  });
  const input = new Uint8Array(size + 1);
  const noble = time(() => {
    for (let i = 0; i < N; i++) {
      const j = i & (SET - 1);
      input.set(src.subarray(size * j, size * j + size), 1);
      sink ^= blake2b(input, { dkLen: 32 })[0]!;
    }
  });
  return [ours, noble];
}

function sanityCheck(): void {
  const words = new Uint32Array(randomBytes(64).buffer);
  const out = new Uint32Array(8);
  hashInnerInto(words, 0, 8, out, 0);
  const input = new Uint8Array(65);
  input[0] = 1;
  input.set(new Uint8Array(words.buffer), 1);
  const a = Buffer.from(digestWordsToBytes(out, 0)).toString("hex");
  const b = Buffer.from(blake2b(input, { dkLen: 32 })).toString("hex");
  if (a !== b) throw new Error(`inner-node digest mismatch: ${a} != ${b}`);
}

sanityCheck();
console.log(`node ${process.version}, ${N} hashes per workload, median of ${RUNS} runs`);
console.log("workload            compressions  ours µs/hash  noble µs/hash  ours/noble  ours µs/compression");
const rows: Array<[string, number, () => [number, number]]> = [
  ["inner node (65 B)", 1, benchInner],
  ["leaf, 7-byte sym", 1, () => benchLeaves(7)],
  ["leaf, 302-byte sym", 3, () => benchLeaves(302)],
];
for (const [name, blocks, run] of rows) {
  const [ours, noble] = run();
  console.log(
    `${name.padEnd(20)}${String(blocks).padStart(12)}  ${ours.toFixed(3).padStart(12)}  ${noble.toFixed(3).padStart(13)}  ${(ours / noble).toFixed(3).padStart(10)}  ${(ours / blocks).toFixed(3).padStart(19)}`,
  );
}
if (sink === 0x7fffffff) console.log(""); // keep results observable
