/**
 * The two-dimensional RS2 encoder ("RedStuff"): slivers, sliver hashes, metadata and blob ID.
 *
 * Follows walrus-core `encoding/blob_encoding.rs` (`BlobEncoder::encode_with_metadata`,
 * `compute_metadata`). The blob is a (n−2f) × (n−f) matrix of symbols, row-major, zero-padded:
 *
 * 1. every row is extended with the secondary code (k = n−f, m = f): columns n−f..n−1;
 * 2. every one of the n columns, the repair columns included, is extended with the primary code
 *    (k = n−2f, m = 2f): rows n−2f..n−1. This gives the expanded n × n matrix M;
 * 3. primary sliver i = M[i][0..n−f), secondary sliver j = M[0..n−2f)[j];
 * 4. every symbol of M is a Merkle leaf; row i's tree gives the primary hash of pair i, column j's
 *    tree the secondary hash of pair n−1−j; the root hash and the blob ID follow (metadata.ts).
 *    The hashing runs in the thread's hash arena (hash/blake2b-wasm.ts).
 *
 * Codewords that share a code are batched: the row code runs once over all rows (its shards are the
 * columns), the column code runs over blocks of columns (its shards are row segments). The work is
 * split into stages over index ranges so that the same functions run on one thread
 * ({@link encodeBlob}) or on several ({@link ./parallel.ts}), over shared buffers.
 */

import { type EncodingParams, encodingParams, symbolSizeFor } from "../params.js";
import { DIGEST_WORDS, digestNode } from "../commitments/merkle.js";
import { DIGEST_BYTES, digestWordsToBytes } from "../hash/blake2b.js";
import { hashArena } from "../hash/blake2b-wasm.js";
import type { BlobMetadata, SliverPairMetadata } from "../commitments/metadata.js";
import { deriveBlobId } from "../commitments/blob-id.js";
import { ENCODING_TYPE_RS2 } from "../params.js";
import { rsEncodeInto } from "./reed-solomon.js";
import { elementsToSymbols, symbolsToElements } from "./symbol-layout.js";
import type { Sliver } from "./slivers.js";

/** Column-code blocks aim at this many elements per row segment: long enough to amortise the
 * transform's per-butterfly overhead, short enough that a block of n rows stays in cache. */
const COLUMN_BLOCK_ELEMENTS = 1024;

/** Everything one encoding works on. Plain typed arrays, so the job can be shared with workers. */
export interface EncodingJob {
  readonly nShards: number;
  readonly symbolSize: number;
  readonly unencodedLength: number;
  /** The blob, zero-padded to (n−2f)·(n−f) symbols. */
  readonly source: Uint8Array;
  /** All n columns (secondary slivers) as field elements; column j at j·(n−2f)·S/2. */
  readonly columns: Uint16Array;
  /** Leaf hash of every symbol M[r][c], at (r·n + c)·8, as u32 words. */
  readonly leafHashes: Uint32Array;
  /** Merkle root of row i, at i·8. */
  readonly rowRoots: Uint32Array;
  /** Merkle root of column j, at j·8. */
  readonly columnRoots: Uint32Array;
  /** Primary slivers, sliver i at i·(n−f)·S; empty when only metadata is wanted. */
  readonly primary: Uint8Array;
  /** Secondary slivers, sliver j at j·(n−2f)·S; empty when only metadata is wanted. */
  readonly secondary: Uint8Array;
}

/** The result of encoding a blob. */
export interface EncodedBlob {
  readonly params: EncodingParams;
  readonly symbolSize: number;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly metadata: BlobMetadata;
  /** primarySlivers[i] is primary sliver i. */
  readonly primarySlivers: readonly Sliver[];
  /** secondarySlivers[j] is secondary sliver j (held by pair n−1−j). */
  readonly secondarySlivers: readonly Sliver[];
}

/** The commitments of a blob without its slivers (walrus-core `compute_metadata`). */
export interface BlobCommitments {
  readonly params: EncodingParams;
  readonly symbolSize: number;
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly metadata: BlobMetadata;
}

/** How the job's buffers are allocated: plain or shared (for workers). */
export type BufferKind = "plain" | "shared";

function allocate(bytes: number, kind: BufferKind): ArrayBufferLike {
  return kind === "shared" ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/** Allocates the buffers of an encoding of `blob` into `nShards` shards. */
export function createEncodingJob(
  blob: Uint8Array,
  nShards: number,
  options: { withSlivers: boolean; buffers?: BufferKind },
): EncodingJob {
  const params = encodingParams(nShards);
  const symbolSize = symbolSizeFor(params, blob.length);
  const kind = options.buffers ?? "plain";
  const n = nShards;
  const kp = params.primarySourceSymbols;
  const ks = params.secondarySourceSymbols;
  const source = new Uint8Array(allocate(kp * ks * symbolSize, kind));
  source.set(blob);
  return {
    nShards,
    symbolSize,
    unencodedLength: blob.length,
    source,
    columns: new Uint16Array(allocate(n * kp * symbolSize, kind)),
    leafHashes: new Uint32Array(allocate(n * n * DIGEST_WORDS * 4, kind)),
    rowRoots: new Uint32Array(allocate(n * DIGEST_WORDS * 4, kind)),
    columnRoots: new Uint32Array(allocate(n * DIGEST_WORDS * 4, kind)),
    primary: new Uint8Array(allocate(options.withSlivers ? n * ks * symbolSize : 0, kind)),
    secondary: new Uint8Array(allocate(options.withSlivers ? n * kp * symbolSize : 0, kind)),
  };
}

function shape(job: EncodingJob) {
  const {
    nShards: n,
    maxFaulty: f,
    primarySourceSymbols: kp,
    secondarySourceSymbols: ks,
  } = encodingParams(job.nShards);
  const elementsPerSymbol = job.symbolSize / 2;
  return { n, f, kp, ks, elementsPerSymbol, columnLength: kp * elementsPerSymbol };
}

/**
 * Stage 1, rows [r0, r1) of the systematic block: load them into the column buffer and extend them
 * with the secondary code. Each column is one shard of the row code, so one call encodes all rows.
 */
export function encodeRows(job: EncodingJob, r0: number, r1: number): void {
  const { ks, f, elementsPerSymbol: e, columnLength } = shape(job);
  const s = job.symbolSize;
  for (let r = r0; r < r1; r++) {
    for (let c = 0; c < ks; c++) {
      symbolsToElements(job.source, (r * ks + c) * s, s, 1, job.columns, c * columnLength + r * e);
    }
  }
  rsEncodeInto(ks, f, job.columns, 0, columnLength, job.columns, ks * columnLength, columnLength, r0 * e, r1 * e);
}

/** Stage 2 (slivers only), columns [j0, j1): write secondary slivers j0..j1−1 as bytes. */
export function writeSecondarySlivers(job: EncodingJob, j0: number, j1: number): void {
  const { kp, columnLength } = shape(job);
  const s = job.symbolSize;
  for (let j = j0; j < j1; j++) {
    elementsToSymbols(job.columns, j * columnLength, s, kp, job.secondary, j * kp * s);
  }
}

/**
 * The column blocks that stage 3 is split into: [start, end) pairs covering 0..n, at least
 * `minBlocks` of them (so that small symbols still give every worker its share).
 */
export function columnBlocks(job: EncodingJob, minBlocks = 1): Array<[number, number]> {
  const { n, elementsPerSymbol } = shape(job);
  const width = Math.max(1, Math.min(Math.floor(COLUMN_BLOCK_ELEMENTS / elementsPerSymbol), Math.ceil(n / minBlocks)));
  const blocks: Array<[number, number]> = [];
  for (let c = 0; c < n; c += width) blocks.push([c, Math.min(n, c + width)]);
  return blocks;
}

/**
 * Stage 3, columns [c0, c1): extend the columns with the primary code, hash every symbol of them,
 * compute their Merkle roots (secondary hashes), and (with slivers) write their part of the primary
 * slivers. Needs stage 1 for all rows. The leaf hashes also go to `job.leafHashes` for the row
 * trees of stage 4.
 */
export function encodeColumnsAndHash(job: EncodingJob, c0: number, c1: number): void {
  const { n, kp, ks, elementsPerSymbol: e, columnLength } = shape(job);
  const s = job.symbolSize;
  const width = c1 - c0;
  const rowLength = width * e;
  // The block of these columns lives in the thread's hash arena, so that its symbols are converted
  // to bytes and hashed in place: elements (row r = M[r][c0..c1), row-major), their bytes (symbol
  // (r, c) at bytes + (r·width + c − c0)·S), leaf hashes (likewise, 32 bytes each), and a tree.
  const arena = hashArena();
  const [elements, bytes, leaves, tree] = arena.layout([
    n * rowLength * 2,
    n * width * s,
    n * width * DIGEST_BYTES,
    Math.ceil(n / 2) * DIGEST_BYTES,
  ]);
  const block = arena.elements.subarray(elements >>> 1, (elements >>> 1) + n * rowLength);
  // Gather the systematic rows. Symbols are a few elements each for small blobs, so a plain loop
  // beats a subarray and a set per symbol.
  const columns = job.columns;
  for (let c = c0; c < c1; c++) {
    const from = c * columnLength;
    const to = (c - c0) * e;
    for (let r = 0; r < kp; r++) {
      const src = from + r * e;
      const dst = to + r * rowLength;
      for (let k = 0; k < e; k++) block[dst + k] = columns[src + k];
    }
  }
  rsEncodeInto(kp, n - kp, block, 0, rowLength, block, kp * rowLength, rowLength, 0, rowLength);
  arena.symbols(elements, s, n * width, bytes);
  arena.leaves(bytes, s, n * width, leaves);
  const withSlivers = job.primary.length > 0;
  const inSliver = Math.min(c1, ks) - c0;
  for (let r = 0; r < n; r++) {
    const first = (leaves >>> 2) + r * width * DIGEST_WORDS;
    job.leafHashes.set(arena.words.subarray(first, first + width * DIGEST_WORDS), (r * n + c0) * DIGEST_WORDS);
    if (withSlivers && inSliver > 0) {
      const row = bytes + r * width * s;
      job.primary.set(arena.bytes.subarray(row, row + inSliver * s), (r * ks + c0) * s);
    }
  }
  for (let c = c0; c < c1; c++) {
    arena.rootInto(leaves + (c - c0) * DIGEST_BYTES, width * DIGEST_BYTES, n, tree, job.columnRoots, c * DIGEST_WORDS);
  }
}

/** Stage 4, rows [i0, i1): the Merkle root of each row's leaf hashes (primary hashes). */
export function computeRowRoots(job: EncodingJob, i0: number, i1: number): void {
  const n = job.nShards;
  const arena = hashArena();
  const [leaves] = arena.layout([n * DIGEST_BYTES]);
  for (let i = i0; i < i1; i++) {
    arena.words.set(job.leafHashes.subarray(i * n * DIGEST_WORDS, (i + 1) * n * DIGEST_WORDS), leaves >>> 2);
    arena.rootInto(leaves, DIGEST_BYTES, n, leaves, job.rowRoots, i * DIGEST_WORDS);
  }
}

/** Assembles metadata, root hash and blob ID from the roots of stage 4. */
export function finishCommitments(job: EncodingJob): BlobCommitments {
  const params = encodingParams(job.nShards);
  const n = job.nShards;
  const hashes: SliverPairMetadata[] = [];
  for (let p = 0; p < n; p++) {
    hashes.push({
      primaryHash: digestNode(digestWordsToBytes(job.rowRoots, p * DIGEST_WORDS)),
      secondaryHash: digestNode(digestWordsToBytes(job.columnRoots, (n - 1 - p) * DIGEST_WORDS)),
    });
  }
  const metadata: BlobMetadata = { encodingType: ENCODING_TYPE_RS2, unencodedLength: job.unencodedLength, hashes };
  // The root hash of metadata.ts (`computeRootHash`): leaf p = primary hash ‖ secondary hash of
  // pair p. Hashed in the arena too: the TypeScript BLAKE2b would run its 2n hashes before the
  // JIT has compiled it, which costs more than all the rest of a small blob's metadata.
  const arena = hashArena();
  const [leaves, digests] = arena.layout([n * 2 * DIGEST_BYTES, n * DIGEST_BYTES]);
  for (let p = 0; p < n; p++) {
    const at = (leaves >>> 2) + 2 * p * DIGEST_WORDS;
    arena.words.set(job.rowRoots.subarray(p * DIGEST_WORDS, (p + 1) * DIGEST_WORDS), at);
    arena.words.set(job.columnRoots.subarray((n - 1 - p) * DIGEST_WORDS, (n - p) * DIGEST_WORDS), at + DIGEST_WORDS);
  }
  arena.leaves(leaves, 2 * DIGEST_BYTES, n, digests);
  const root = new Uint32Array(DIGEST_WORDS);
  arena.rootInto(digests, DIGEST_BYTES, n, digests, root, 0);
  const rootHash = digestWordsToBytes(root, 0);
  return {
    params,
    symbolSize: job.symbolSize,
    blobId: deriveBlobId(rootHash, job.unencodedLength),
    rootHash,
    metadata,
  };
}

/** Cuts the job's sliver buffers into slivers (views, no copy). */
export function finishSlivers(job: EncodingJob): { primarySlivers: Sliver[]; secondarySlivers: Sliver[] } {
  const { n, kp, ks } = shape(job);
  const s = job.symbolSize;
  const primarySlivers: Sliver[] = [];
  const secondarySlivers: Sliver[] = [];
  for (let i = 0; i < n; i++) {
    primarySlivers.push({
      axis: "primary",
      index: i,
      symbolSize: s,
      data: job.primary.subarray(i * ks * s, (i + 1) * ks * s),
    });
    secondarySlivers.push({
      axis: "secondary",
      index: i,
      symbolSize: s,
      data: job.secondary.subarray(i * kp * s, (i + 1) * kp * s),
    });
  }
  return { primarySlivers, secondarySlivers };
}

/** Runs every stage of a job on this thread. */
export function runEncodingJob(job: EncodingJob): void {
  const { n, kp } = shape(job);
  encodeRows(job, 0, kp);
  if (job.secondary.length > 0) writeSecondarySlivers(job, 0, n);
  for (const [c0, c1] of columnBlocks(job)) encodeColumnsAndHash(job, c0, c1);
  computeRowRoots(job, 0, n);
}

/** Encodes a blob for `nShards` shards: all slivers, the metadata and the blob ID. */
export function encodeBlob(blob: Uint8Array, nShards: number): EncodedBlob {
  const job = createEncodingJob(blob, nShards, { withSlivers: true });
  runEncodingJob(job);
  return { ...finishCommitments(job), ...finishSlivers(job) };
}

/** The metadata and blob ID of a blob, without keeping its slivers. */
export function computeBlobCommitments(blob: Uint8Array, nShards: number): BlobCommitments {
  const job = createEncodingJob(blob, nShards, { withSlivers: false });
  runEncodingJob(job);
  return finishCommitments(job);
}
