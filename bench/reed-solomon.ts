/**
 * Reed-Solomon (GF(2^16), reed-solomon-simd compatible) throughput benchmark.
 *
 * Run: npx tsx bench/reed-solomon.ts
 *
 * Reports MiB/s of original data (median of 5 runs after a warm-up) for encoding about 1 MiB of
 * originals with several (k, m), and the time of a 334/666 decode with all originals lost.
 */

import { rsDecode, rsEncodeInto, useHighRate } from "../spec/codec/reed-solomon.js";

const MIB = 1 << 20;
const SIZE_MIB = Number(process.env.RS_BENCH_MIB ?? 1);
const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function fill(a: Uint16Array, seed: number): void {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    a[i] = x & 0xffff;
  }
}

function timeIt(fn: () => void): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const cases: [number, number][] = [
  [334, 666],
  [667, 333],
  [34, 66],
  [67, 33],
  [4, 6],
  [7, 3],
];

console.log("encode, ~1 MiB of originals, median of 5");
for (const [k, m] of cases) {
  const len = Math.ceil((SIZE_MIB * MIB) / 2 / k); // elements per shard
  const src = new Uint16Array(k * len);
  fill(src, k * 7919 + m);
  const dst = new Uint16Array(m * len);
  const ms = timeIt(() => rsEncodeInto(k, m, src, 0, len, dst, 0, len, 0, len));
  const mib = (k * len * 2) / MIB;
  const rate = useHighRate(k, m) ? "high" : "low ";
  console.log(
    `  ${`${k}/${m}`.padEnd(8)} ${rate}  shard ${String(len * 2).padStart(6)} B  ${ms.toFixed(2).padStart(8)} ms  ${(mib / (ms / 1000)).toFixed(1).padStart(7)} MiB/s`,
  );
}

{
  const k = 334;
  const m = 666;
  const len = Math.ceil((SIZE_MIB * MIB) / 2 / k);
  const src = new Uint16Array(k * len);
  fill(src, 12345);
  const dst = new Uint16Array(m * len);
  rsEncodeInto(k, m, src, 0, len, dst, 0, len, 0, len);
  const received: [number, Uint16Array][] = [];
  for (let j = 0; j < k; j++) received.push([k + j, dst.subarray(j * len, (j + 1) * len)]);
  let out: Uint16Array[] = [];
  // First call includes the erasure-locator evaluation (two 65536-point FWHTs) and LOG_WALSH build.
  const t0 = performance.now();
  out = rsDecode(k, m, received);
  const first = performance.now() - t0;
  const ms = timeIt(() => {
    out = rsDecode(k, m, received);
  });
  for (let i = 0; i < k; i++) {
    const o = out[i] as Uint16Array;
    for (let e = 0; e < len; e++) {
      if (o[e] !== src[i * len + e]) throw new Error("decode mismatch");
    }
  }
  const mib = (k * len * 2) / MIB;
  console.log(
    `decode 334/666, all originals lost, ${mib.toFixed(2)} MiB: first call ${first.toFixed(1)} ms, ` +
      `then median ${ms.toFixed(1)} ms (${(mib / (ms / 1000)).toFixed(1)} MiB/s; pattern cached)`,
  );
}
