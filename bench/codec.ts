/**
 * Codec benchmark: our encoder (slivers + metadata), blob ID only, and decoder, against the official
 * @mysten/walrus-wasm on the same inputs in the same run. Prints the median of several runs of
 * each and the ratio ours / wasm (below 1.0: we are faster), and the peak memory of our encoder.
 *
 * Then the same comparison as whole processes, start-up included, which is what a user waits for:
 * `node dist/cli/bin.js blob-id FILE` and `... encode FILE --n-shards 1000 --out DIR` against
 * bench/wasm-process.ts doing the same work with the wasm. Wall time and CPU time (user + system of
 * the child, worker threads included) are both reported: on a machine with few cores, CPU spent
 * on start-up and worker threads is time another process does not get. The CLI is built first
 * (`npm run build`) unless --cli names another build, e.g. an older one to compare with.
 *
 *   npm run bench:codec                       # in-process cases, then the process cases
 *   npm run bench:codec -- --runs 5           # more runs per in-process measurement
 *   npm run bench:codec -- --quick            # smaller inputs, for a smoke test
 *   npm run bench:codec -- --process-only     # only the whole-process timings (5 runs each)
 *   npm run bench:codec -- --process-runs 9   # more runs per process measurement
 *   npm run bench:codec -- --process-only --cli /elsewhere/dist/cli/bin.js   # another build
 *   npm run bench:codec -- --process-only --baseline-cli /before/dist/cli/bin.js  # and an older one
 */

import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { median, printTable, timeProcesses } from "./codec-process.js";
import { decodeSliver } from "../spec/bcs.js";
import { verifyMetadata } from "../spec/commitments/metadata.js";
import { decodeBlob } from "../spec/codec/decode.js";
import { computeBlobCommitmentsParallel, encodeBlobParallel } from "../spec/codec/parallel.js";
import { encodingParams } from "../spec/params.js";
import { pattern } from "../spec/self-check.js";
import { oracleBlobId, oracleDecode, oracleEncode } from "../test/support/wasm-oracle.js";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    quick: { type: "boolean", default: false },
    threads: { type: "string" },
    "probe-memory": { type: "string" },
    "process-only": { type: "boolean", default: false },
    "process-runs": { type: "string", default: "5" },
    cli: { type: "string" },
    "baseline-cli": { type: "string" },
  },
});
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
const threads = flags.threads === undefined ? availableParallelism() : Number(flags.threads);

const MiB = 1 << 20;
const cases: Array<[n: number, bytes: number]> = flags.quick
  ? [
      [1000, MiB / 4],
      [100, MiB],
    ]
  : [
      [1000, MiB],
      [1000, 64 * MiB],
      [100, 10 * MiB],
    ];

async function time(run: () => unknown): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run();
    samples.push((performance.now() - start) / 1000);
  }
  return samples;
}

/** Peak resident memory above the level before `run`, sampled while `run` awaits its workers. */
async function peakMemory(run: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  await run();
  clearInterval(timer);
  return Math.max(peak, process.memoryUsage.rss()) - before;
}

// In a child process of its own, measure one encoding's memory and print it: a fresh process has
// no memory left over from earlier runs to reuse, so the figure is the encoder's own.
if (flags["probe-memory"] !== undefined) {
  const [n, size] = flags["probe-memory"].split(":").map(Number);
  const blob = pattern(size, 42);
  process.stdout.write(`${await peakMemory(() => encodeBlobParallel(blob, n, { threads }))}\n`);
  process.exit(0);
}

function probeMemory(n: number, size: number): number {
  const child = spawnSync(
    process.execPath,
    [fileURLToPath(import.meta.url), "--probe-memory", `${n}:${size}`, "--threads", String(threads)],
    { encoding: "utf8" },
  );
  if (child.status !== 0) throw new Error(`memory probe failed: ${child.stderr}`);
  return Number(child.stdout.trim());
}

const rows: string[][] = [["case", "operation", "ours (s)", "wasm (s)", "ours / wasm"]];
const fmt = (x: number) => x.toFixed(3);

console.log(
  `runs per measurement: ${runs}; threads: ${threads} (this one and ${threads - 1} workers); node ${process.version}`,
);
for (const [n, size] of flags["process-only"] ? [] : cases) {
  const label = `n=${n}, ${size / MiB} MiB`;
  const blob = pattern(size, 42);
  const params = encodingParams(n);
  const memory = probeMemory(n, size);
  const s = Math.ceil(size / (params.primarySourceSymbols * params.secondarySourceSymbols));
  const encodedSize = n * (params.primarySourceSymbols + params.secondarySourceSymbols) * (s + (s % 2));
  console.log(
    `${label}: encoder peak memory (fresh process) ${(memory / MiB).toFixed(0)} MiB = ${(memory / encodedSize).toFixed(2)} × the encoded size (${(encodedSize / MiB).toFixed(0)} MiB)`,
  );

  const oursEncode = await time(() => encodeBlobParallel(blob, n, { threads }));
  let wasmEncoding = oracleEncode(blob, n);
  const wasmEncode = await time(() => {
    wasmEncoding = oracleEncode(blob, n);
  });
  rows.push([
    label,
    "encode (slivers + metadata)",
    fmt(median(oursEncode)),
    fmt(median(wasmEncode)),
    fmt(median(oursEncode) / median(wasmEncode)),
  ]);

  const oursId = await time(() => computeBlobCommitmentsParallel(blob, n, { threads }));
  const wasmId = await time(() => oracleBlobId(blob, n));
  rows.push([label, "blob ID only", fmt(median(oursId)), fmt(median(wasmId)), fmt(median(oursId) / median(wasmId))]);

  // Decode from the last n−2f primary slivers (non-systematic, so the decoder really decodes),
  // starting from their BCS bytes on both sides. The wasm runs no consistency check and does not
  // verify slivers, so ours runs the same way; the fully checked decode follows on its own line.
  const kp = params.primarySourceSymbols;
  const chosen = wasmEncoding.primaryBcs.slice(n - kp);
  const ours = encodeBlobParallel(blob, n, { threads });
  const meta = verifyMetadata(await ours);
  const wasmDecode = await time(() => oracleDecode(n, wasmEncoding.blobId, size, chosen));
  const oursDecode = await time(() => {
    const slivers = chosen.map((bytes) => decodeSliver(bytes, "primary"));
    const result = decodeBlob(meta, slivers, { consistency: "skip", sliversVerified: true });
    if (result.kind !== "decoded" || result.blob.length !== size) throw new Error("decode failed");
  });
  rows.push([
    label,
    "decode (unchecked, as the wasm)",
    fmt(median(oursDecode)),
    fmt(median(wasmDecode)),
    fmt(median(oursDecode) / median(wasmDecode)),
  ]);
  const oursChecked = await time(() => {
    const slivers = chosen.map((bytes) => decodeSliver(bytes, "primary"));
    const result = decodeBlob(meta, slivers, { consistency: "default" });
    if (result.kind !== "decoded") throw new Error("decode failed");
  });
  rows.push([
    label,
    "decode (verified slivers + default check)",
    fmt(median(oursChecked)),
    fmt(median(wasmDecode)),
    fmt(median(oursChecked) / median(wasmDecode)),
  ]);
}

if (rows.length > 1) printTable(rows);

await timeProcesses({
  runs: Number(flags["process-runs"]),
  quick: flags.quick,
  ...(flags.cli === undefined ? {} : { cli: flags.cli }),
  ...(flags["baseline-cli"] === undefined ? {} : { baselineCli: flags["baseline-cli"] }),
});
