/**
 * The codec commands: `blob-id`, `encode` and `decode`. They read and write exactly the bytes the
 * Walrus network uses: BCS `BlobMetadataWithId` and BCS `SliverData`, one file per sliver, named
 * by sliver pair (`primary-<p>.bcs` holds primary sliver p, `secondary-<p>.bcs` secondary sliver
 * n−1−p, as a storage node's `/v1/blobs/{id}/slivers/{pair}/{axis}` does).
 */

import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { decodeMetadataWithId, decodeSliver, encodeMetadataWithId, sliverBcsParts } from "../spec/bcs.js";
import { blobIdToString } from "../spec/commitments/blob-id.js";
import { type VerifiedMetadata, verifyMetadata } from "../spec/commitments/metadata.js";
import { type BlobCommitments, type EncodedBlob, computeBlobCommitments, encodeBlob } from "../spec/codec/encode.js";
import { decodeBlob } from "../spec/codec/decode.js";
import { computeBlobCommitmentsParallel, encodeBlobParallel } from "../spec/codec/parallel.js";
import { type Axis, type Sliver, pairIndexOf, sliverIndexOf } from "../spec/codec/slivers.js";
import { NotEnoughSliversError, WalrusSpecError } from "../spec/errors.js";
import { MAX_N_SHARDS, MIN_N_SHARDS, encodingParams, symbolSizeFor } from "../spec/params.js";
import { FailureError, UsageError } from "../report/errors.js";
import { createProgress } from "./progress.js";

/** Mainnet and Testnet have 1000 shards. */
const DEFAULT_N_SHARDS = 1000;
/**
 * Single-thread encoding time, roughly (measured at n = 1000 on a 2-core EPYC): per symbol of the
 * expanded n × n matrix (its leaf hash and its share of the trees) and per blob byte (Reed-Solomon,
 * symbol layout, copies).
 */
const SECONDS_PER_SYMBOL = 5e-7;
const SECONDS_PER_BYTE = 3e-8;
/**
 * Below this estimated single-thread time, worker threads cost more than they save: a worker takes
 * about 0.1 s to start and warms up its own JIT, and on two cores a 1 MiB blob at n = 1000 (about
 * 0.55 s) was no faster with a worker, for half as much CPU time again.
 */
const PARALLEL_MIN_SECONDS = 0.75;
/** Sliver files written concurrently by `encode`. */
const WRITES_IN_FLIGHT = 4;
/** Blobs from this size on report progress. */
const PROGRESS_MIN_BYTES = 4 << 20;

function parseShards(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < MIN_N_SHARDS || n > MAX_N_SHARDS) {
    throw new InvalidArgumentError(`must be an integer in ${MIN_N_SHARDS}..${MAX_N_SHARDS}`);
  }
  return n;
}

function parseThreads(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 256) throw new InvalidArgumentError("must be an integer in 1..256");
  return n;
}

async function readInput(path: string): Promise<Uint8Array> {
  try {
    // A plain Uint8Array over the file's bytes (no copy: a blob can be hundreds of MiB).
    const bytes = await readFile(path);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function writeOutput(path: string, bytes: Uint8Array | Iterable<Uint8Array>): Promise<void> {
  try {
    await writeFile(path, bytes);
  } catch (error) {
    throw new UsageError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Checks that the blob fits, so that a too-large file is a usage error before any work. */
function checkFits(length: number, nShards: number): void {
  try {
    symbolSizeFor(encodingParams(nShards), length);
  } catch (error) {
    if (error instanceof WalrusSpecError) throw new UsageError(error.message);
    throw error;
  }
}

interface EncodeOptions {
  nShards: number;
  threads?: number;
  progress: boolean;
}

function useThreads(options: EncodeOptions, length: number): number {
  if (options.threads !== undefined) return options.threads;
  const seconds = options.nShards * options.nShards * SECONDS_PER_SYMBOL + length * SECONDS_PER_BYTE;
  return seconds >= PARALLEL_MIN_SECONDS ? 0 : 1;
}

async function encodeWith<T>(
  blob: Uint8Array,
  options: EncodeOptions,
  single: (blob: Uint8Array, n: number) => T,
  parallel: (blob: Uint8Array, n: number, o: Parameters<typeof encodeBlobParallel>[2]) => Promise<T>,
): Promise<T> {
  checkFits(blob.length, options.nShards);
  const threads = useThreads(options, blob.length);
  if (threads === 1) return single(blob, options.nShards);
  const progress = createProgress({ enabled: options.progress && blob.length >= PROGRESS_MIN_BYTES });
  try {
    return await parallel(blob, options.nShards, {
      ...(threads > 1 ? { threads } : {}),
      onProgress: ({ stage, done, total }) => progress.update(`encoding (${stage})`, done, total),
    });
  } finally {
    progress.done();
  }
}

async function blobIdCommand(file: string, options: EncodeOptions): Promise<void> {
  const blob = await readInput(file);
  const commitments: BlobCommitments = await encodeWith(
    blob,
    options,
    computeBlobCommitments,
    computeBlobCommitmentsParallel,
  );
  process.stdout.write(`${blobIdToString(commitments.blobId)}\n`);
}

async function encodeCommand(file: string, options: EncodeOptions & { out: string }): Promise<void> {
  const blob = await readInput(file);
  const encoded: EncodedBlob = await encodeWith(blob, options, encodeBlob, encodeBlobParallel);
  try {
    await mkdir(options.out, { recursive: true });
  } catch (error) {
    throw new UsageError(`cannot create ${options.out}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const n = options.nShards;
  await writeOutput(join(options.out, "metadata.bcs"), encodeMetadataWithId(encoded));
  const files: Array<[string, Sliver]> = [];
  for (let p = 0; p < n; p++) {
    files.push([`primary-${p}.bcs`, encoded.primarySlivers[sliverIndexOf("primary", p, n)]]);
    files.push([`secondary-${p}.bcs`, encoded.secondarySlivers[sliverIndexOf("secondary", p, n)]]);
  }
  // A few files in flight at once, so that the kernel copies into the page cache on every core.
  let next = 0;
  const writer = async () => {
    for (let i = next++; i < files.length; i = next++) {
      await writeOutput(join(options.out, files[i][0]), sliverBcsParts(files[i][1]));
    }
  };
  await Promise.all(Array.from({ length: WRITES_IN_FLIGHT }, writer));
  process.stdout.write(`${blobIdToString(encoded.blobId)}\n`);
}

const SLIVER_FILE = /^(primary|secondary)-(\d+)\.bcs$/;

/** Reads and parses every sliver file; files that fail to parse or are misnamed are reported and skipped. */
async function readSlivers(dir: string, meta: VerifiedMetadata): Promise<{ slivers: Sliver[]; problems: string[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new UsageError(`cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code}`);
  }
  const n = meta.params.nShards;
  const slivers: Sliver[] = [];
  const problems: string[] = [];
  const entries = names
    .map((name) => ({ name, match: SLIVER_FILE.exec(name) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .sort((a, b) => Number(a.match[2]) - Number(b.match[2]));
  for (const { name, match } of entries) {
    const axis = match[1] as Axis;
    const pair = Number(match[2]);
    if (pair >= n) {
      problems.push(`${name}: pair ${pair} does not exist with ${n} shards`);
      continue;
    }
    try {
      const sliver = decodeSliver(await readInput(join(dir, name)), axis);
      if (pairIndexOf(axis, sliver.index, n) !== pair) {
        problems.push(
          `${name}: holds ${axis} sliver ${sliver.index}, which belongs to pair ${pairIndexOf(axis, sliver.index, n)}`,
        );
        continue;
      }
      slivers.push(sliver);
    } catch (error) {
      if (!(error instanceof WalrusSpecError) && !(error instanceof UsageError)) throw error;
      problems.push(`${name}: ${error.message}`);
    }
  }
  return { slivers, problems };
}

async function decodeCommand(dir: string, options: { out: string; strict: boolean }): Promise<void> {
  const metadataPath = join(dir, "metadata.bcs");
  let meta: VerifiedMetadata;
  try {
    meta = verifyMetadata(decodeMetadataWithId(await readInput(metadataPath)));
  } catch (error) {
    if (error instanceof WalrusSpecError) throw new UsageError(`${metadataPath}: ${error.message}`);
    throw error;
  }
  const { slivers, problems } = await readSlivers(dir, meta);
  for (const problem of problems) process.stderr.write(`skipped ${problem}\n`);
  let result: ReturnType<typeof decodeBlob>;
  try {
    result = decodeBlob(meta, slivers, { consistency: options.strict ? "strict" : "default" });
  } catch (error) {
    if (error instanceof NotEnoughSliversError) {
      for (const reason of error.rejections) process.stderr.write(`rejected ${reason}\n`);
    }
    if (error instanceof WalrusSpecError)
      throw new FailureError(`cannot decode blob ${blobIdToString(meta.blobId)}: ${error.message}`);
    throw error;
  }
  for (const rejected of result.rejected) process.stderr.write(`rejected ${rejected.reason}\n`);
  if (result.kind === "inconsistent") {
    throw new FailureError(
      `blob ${blobIdToString(meta.blobId)} is inconsistently encoded (${result.check} check): ${result.detail}`,
    );
  }
  await writeOutput(options.out, result.blob);
  process.stderr.write(
    `decoded ${result.blob.length} bytes of blob ${blobIdToString(meta.blobId)} from ${result.used.length} ${result.axis} slivers\n`,
  );
}

/** Registers `blob-id`, `encode` and `decode`. */
export function registerCodecCommands(program: Command): void {
  program
    .command("blob-id")
    .description("print the Walrus blob ID of a file (URL-safe base64)")
    .argument("<file>", "the blob")
    .option("-n, --n-shards <n>", "number of shards", parseShards, DEFAULT_N_SHARDS)
    .option("--threads <n>", "threads to encode on (default: automatic; 1 = no worker threads)", parseThreads)
    .option("--no-progress", "no progress on stderr")
    .action((file: string, options: EncodeOptions) => blobIdCommand(file, options));

  program
    .command("encode")
    .description("encode a file into slivers and metadata (BCS files, exactly as Walrus stores them)")
    .argument("<file>", "the blob")
    .requiredOption("-n, --n-shards <n>", "number of shards", parseShards)
    .requiredOption("-o, --out <dir>", "directory for metadata.bcs, primary-<p>.bcs and secondary-<p>.bcs")
    .option("--threads <n>", "threads to encode on (default: automatic; 1 = no worker threads)", parseThreads)
    .option("--no-progress", "no progress on stderr")
    .action((file: string, options: EncodeOptions & { out: string }) => encodeCommand(file, options));

  program
    .command("decode")
    .description("decode a blob from the sliver files present in a directory written by `encode`")
    .argument("<dir>", "directory with metadata.bcs and any sufficient subset of the sliver files")
    .requiredOption("-o, --out <file>", "where to write the blob")
    .option("--strict", "strict consistency check: re-encode and compare the blob ID (the paper's reader)", false)
    .action((dir: string, options: { out: string; strict: boolean }) => decodeCommand(dir, options));
}
