/**
 * Migration cost of an epoch change: the bytes that bring a moved shard to its new owner, by the
 * cooperative path (the previous owner sends the shard) and by the recovery path (the new owner
 * rebuilds it from the committee with Red Stuff recovery symbols), and how the two compare.
 *
 * The claim. Paper §6 and the whitepaper's "shard migration" (walrus-protocol.md §6.1): when the
 * previous owner does not transfer a shard, the new owner and the committee rebuild it by recovery,
 * whose cost the self-healing bound caps, so "recovery costs the same as a write". Per blob and moved
 * shard, the cooperative transfer sends the shard's sliver pair, kp + ks symbols, as a write does;
 * the recovery path downloads the same number of symbols, each with a Merkle opening. Checked here:
 *
 * 1. exact count: the cooperative transfer downloads exactly the closed form below;
 * 2. ratio: per blob and moved shard, 1 < recovery/cooperative < 1 + (7 + uleb(S) + 33·L)/S, which
 *    tends to 1 as symbols grow;
 * 3. self-healing bound: both paths, per blob and moved shard, stay below recovery-bounds' one-node
 *    bound c_n·|B|/n + (kp+ks)·(9 + uleb(S) + 33·L).
 *
 * The cooperative path as the implementation runs it (walrus-service `node/storage/shard.rs`,
 * `start_sync_shard_before_epoch` and `sync_shard_before_epoch_internal`; server side `node.rs`
 * `sync_shard` and `storage.rs` `handle_sync_shard_request`): for each gained shard the new owner
 * posts signed `SyncShardRequest`s to the previous owner (`/v1/migrate/sync_shard`), all primary
 * slivers first, then all secondary ones. Each request asks for `sliver_count` slivers (default 1000,
 * `ShardSyncConfig::sliver_count_per_sync_request`) from a starting blob ID, in blob-ID order, of the
 * blobs certified before the new epoch; the new owner pages until its own list of those blobs is
 * exhausted, so a shard with no such blob costs no request. Each answer is BCS
 * `SyncShardResponse::V1(Vec<(BlobId, Sliver)>)` (walrus-core `messages/sync_shard.rs`; spec/bcs.ts).
 * Fetched slivers are checked against the metadata; blobs an answer skips or gets wrong are left to
 * per-blob recovery (`pending_recover_slivers`).
 *
 * The recovery path is what analysis/recovery-bounds.ts measures for one pair (`pairRecoveryBytes`,
 * `recoverPairs`): a moved shard stores, of each blob, pair (shard − offset(blob ID)) mod n
 * (walrus-core `encoding/mapping.rs`).
 *
 * Counted, on both paths: the bytes the new owner downloads (response bodies), as recovery-bounds
 * counts answers. Not counted: blob metadata, which the new owner needs on both paths; HTTP framing;
 * requests, which are uploads (a signed sync request is {@link signedSyncShardRequestBytes} bytes, a
 * recovery-symbol request has no body).
 *
 * The closed forms, with S the symbol size, kp = n−2f, ks = n−f, L = ⌈log2 n⌉, uleb(x) the length of
 * a uleb128 and c the slivers per request:
 *
 *     entry(k)     = 32 (blob ID) + 1 (Sliver variant) + uleb(k·S) + k·S + 4 (u16 symbol size, u16 index)
 *     blob(n, |B|) = entry(ks) + entry(kp) = (kp+ks)·S + 74 + uleb(ks·S) + uleb(kp·S)
 *     page(m)      = 1 (V1 variant) + uleb(m) + m entries
 *     shard        = Σ over blobs of blob(n, |B|) + 2·Σ over pages of (1 + uleb(m)),
 *                    pages of c blobs, the last of the remainder; none for no blob
 *     migration    = Σ over moved shards of shard
 *
 * blob(n, |B|) is the same for every pair: every primary sliver has ks symbols, every secondary kp.
 * It is the two `SliverData` bodies a writer uploads to that shard plus 66 bytes of blob IDs and
 * variants. The recovery path for pair p (recovery-bounds.ts) is
 *
 *     rec(p) = (kp+ks)·(S + 7 + uleb(S) + L) + 32·(kp·d(n−1−p) + ks·d(p)),   1 ≤ d(t) ≤ L
 *
 * with d(t) the digest nodes of the proof of leaf t (at least the top sibling is a digest: (n−1)≫(L−1)
 * is 1, so leaf t's top ancestor is never an unpaired last node). Hence
 *
 *     (kp+ks)·(S + 39 + uleb(S) + L) / blob  ≤  rec(p)/blob  ≤  (kp+ks)·(S + 7 + uleb(S) + 33·L) / blob
 *
 * and, since (kp+ks)·S < blob < (kp+ks)·(S + 39 + uleb(S) + L) (kp+ks ≥ 5 and L ≥ 2 give at least 210
 * on the right against 74 + 2·5 on the left), 1 < rec(p)/blob < 1 + (7 + uleb(S) + 33·L)/S. For
 * claim 3, S < |B|/(kp·ks) + 2 gives (kp+ks)·S < c_n·|B|/n + 2·(kp+ks), and 74 + 2·5 is below
 * (kp+ks)·(7 + uleb(S) + 33·L) ≥ 5·74, so blob(n, |B|) is below the one-node bound as rec(p) is.
 */

import { type Committee, memberOf } from "../machines/committee.js";
import { type ShardMove, shardMoves } from "../machines/shard-assignment.js";
import {
  type SyncShardEntry,
  type SyncShardRequest,
  decodeSyncShardResponse,
  encodeSyncShardRequest,
  encodeSyncShardResponse,
} from "../spec/bcs.js";
import { pairForShard } from "../spec/commitments/blob-id.js";
import { equalBytes, pathLength } from "../spec/commitments/merkle.js";
import { type VerifiedMetadata, verifyMetadata } from "../spec/commitments/metadata.js";
import type { EncodedBlob } from "../spec/codec/encode.js";
import { type Axis, type Sliver, sliverIndexOf, verifySliver } from "../spec/codec/slivers.js";
import { InvalidParametersError, InvalidSliverError, WalrusSpecError } from "../spec/errors.js";
import { encodingParams, symbolSizeFor } from "../spec/params.js";
import {
  type PairRecoveryBytes,
  type PairRecoveryReport,
  type SupplierOrder,
  holdingsAfterLoss,
  pairRecoveryBytes,
  recoverPairs,
  ulebLength,
} from "./recovery-bounds.js";

// --- the closed form ---

/** `ShardSyncConfig::sliver_count_per_sync_request` default: slivers asked for in one request. */
export const DEFAULT_SLIVERS_PER_REQUEST = 1000;
/** Bytes of an entry besides the sliver data and its length prefix: blob ID, variant, two u16. */
export const ENTRY_FIXED_BYTES = 32 + 1 + 2 + 2;
/** Bytes of a response besides its entries and their count's prefix: the `V1` variant. */
export const RESPONSE_VARIANT_BYTES = 1;
/**
 * A signed request besides the request: uleb of the message length (1, the message is 55 bytes),
 * the intent (type, version, app ID), the u32 epoch of the `ProtocolMessage`, and a BLS12-381
 * min-pk signature, 96 bytes as a fixed array (walrus-core `messages.rs`, fastcrypto).
 */
export const SIGNED_REQUEST_ENVELOPE_BYTES = 1 + 3 + 4 + 96;

function checkedIndex(name: string, index: number, nShards: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= nShards) {
    throw new InvalidParametersError(`${name} must be an integer in 0..${nShards - 1}, got ${index}`);
  }
  return index;
}

function checkedPageSize(slivers: number): number {
  if (!Number.isSafeInteger(slivers) || slivers < 1) {
    throw new InvalidParametersError(`slivers per request must be a positive integer, got ${slivers}`);
  }
  return slivers;
}

/** Bytes of a signed `SyncShardRequest` as posted: the request and its envelope. */
export function signedSyncShardRequestBytes(request: SyncShardRequest): number {
  return SIGNED_REQUEST_ENVELOPE_BYTES + encodeSyncShardRequest(request).length;
}

/** What one blob of a moved shard costs on the cooperative path, by axis. */
export interface CooperativeBlobBytes {
  readonly symbolSize: number;
  /** The `(BlobId, Sliver::Primary)` entry: ks symbols. */
  readonly primary: number;
  /** The `(BlobId, Sliver::Secondary)` entry: kp symbols. */
  readonly secondary: number;
  readonly total: number;
}

/**
 * Claim 1 (exact count, per blob): the two entries that carry a shard's slivers of one blob,
 * 74 + uleb(ks·S) + ks·S + uleb(kp·S) + kp·S bytes, whatever the pair.
 */
export function cooperativeBlobBytes(nShards: number, blobLength: number): CooperativeBlobBytes {
  const params = encodingParams(nShards);
  const symbolSize = symbolSizeFor(params, blobLength);
  const entry = (symbols: number) => ENTRY_FIXED_BYTES + ulebLength(symbols * symbolSize) + symbols * symbolSize;
  const primary = entry(params.secondarySourceSymbols);
  const secondary = entry(params.primarySourceSymbols);
  return { symbolSize, primary, secondary, total: primary + secondary };
}

/** Response framing of one axis of one shard: a variant byte and a count prefix per page. */
export function pageFramingBytes(blobCount: number, sliversPerRequest = DEFAULT_SLIVERS_PER_REQUEST): number {
  if (!Number.isSafeInteger(blobCount) || blobCount < 0) {
    throw new InvalidParametersError(`blob count must be a non-negative integer, got ${blobCount}`);
  }
  const perPage = checkedPageSize(sliversPerRequest);
  const full = Math.floor(blobCount / perPage);
  const rest = blobCount % perPage;
  return (
    full * (RESPONSE_VARIANT_BYTES + ulebLength(perPage)) + (rest > 0 ? RESPONSE_VARIANT_BYTES + ulebLength(rest) : 0)
  );
}

/** Requests one axis of one shard takes: one per page, none without blobs. */
export function pageCount(blobCount: number, sliversPerRequest = DEFAULT_SLIVERS_PER_REQUEST): number {
  return Math.ceil(blobCount / checkedPageSize(sliversPerRequest));
}

/** Claim 1 (exact count, per shard): every blob's two entries and both axes' page framing. */
export function cooperativeShardBytes(
  nShards: number,
  blobLengths: readonly number[],
  sliversPerRequest = DEFAULT_SLIVERS_PER_REQUEST,
): number {
  const entries = blobLengths.reduce((sum, length) => sum + cooperativeBlobBytes(nShards, length).total, 0);
  return entries + 2 * pageFramingBytes(blobLengths.length, sliversPerRequest);
}

/** Claim 1 (exact count, per epoch change): every moved shard carries every blob certified before. */
export function cooperativeMigrationBytes(
  nShards: number,
  movedShards: number,
  blobLengths: readonly number[],
  sliversPerRequest = DEFAULT_SLIVERS_PER_REQUEST,
): number {
  if (!Number.isInteger(movedShards) || movedShards < 0 || movedShards > nShards) {
    throw new InvalidParametersError(`moved shards must be an integer in 0..${nShards}, got ${movedShards}`);
  }
  return movedShards * cooperativeShardBytes(nShards, blobLengths, sliversPerRequest);
}

/** The recovery path's cost for the pair a shard stores of a blob: recovery-bounds' closed form. */
export function recoveryPathBytes(
  blob: { readonly blobId: Uint8Array; readonly length: number },
  shard: number,
  nShards: number,
): PairRecoveryBytes {
  checkedIndex("shard", shard, nShards);
  return pairRecoveryBytes(nShards, blob.length, pairForShard(blob.blobId, shard, nShards));
}

/** Claim 2: recovery over cooperative bytes for pair p of a blob of |B| bytes. */
export function migrationRatio(nShards: number, blobLength: number, pairIndex: number): number {
  return pairRecoveryBytes(nShards, blobLength, pairIndex).total / cooperativeBlobBytes(nShards, blobLength).total;
}

/** The bounds of claim 2 for n and |B|, whatever the pair. */
export interface MigrationRatioBounds {
  /** (kp+ks)·(S + 39 + uleb(S) + L) / blob: every proof with one digest; above 1. */
  readonly lower: number;
  /** (kp+ks)·(S + 7 + uleb(S) + 33·L) / blob: every proof all digests. */
  readonly upper: number;
  /** 1 + (7 + uleb(S) + 33·L)/S, free of the framing: above {@link upper}. */
  readonly simpleUpper: number;
}

/** Claim 2: the ratio of every pair lies in [lower, upper] ⊂ (1, simpleUpper). */
export function migrationRatioBounds(nShards: number, blobLength: number): MigrationRatioBounds {
  const params = encodingParams(nShards);
  const { symbolSize: s, total } = cooperativeBlobBytes(nShards, blobLength);
  const symbols = params.primarySourceSymbols + params.secondarySourceSymbols;
  const levels = pathLength(nShards);
  const perSymbol = 7 + ulebLength(s) + levels;
  return {
    lower: (symbols * (s + perSymbol + 32)) / total,
    upper: (symbols * (s + perSymbol + 32 * levels)) / total,
    simpleUpper: 1 + (7 + ulebLength(s) + 33 * levels) / s,
  };
}

// --- the cooperative path over the real codec ---

/** A blob and the epoch it was certified in: only blobs certified before the new epoch move. */
export interface CertifiedBlob {
  readonly encoded: EncodedBlob;
  readonly certifiedEpoch: number;
}

/** The sliver of `axis` that shard `shard` stores of the blob (its pair is rotated by the blob ID). */
export function shardSliver(encoded: EncodedBlob, shard: number, axis: Axis): Sliver {
  const n = encoded.params.nShards;
  const sliver = sliverIndexOf(axis, pairForShard(encoded.blobId, checkedIndex("shard", shard, n), n), n);
  return (axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[sliver];
}

/** Blob IDs in key order: RocksDB orders the BCS keys, 32 raw bytes, bytewise. */
function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * The blobs certified before `epoch`, in blob-ID order, each once: a node keeps one blob info per
 * blob ID, however often the same contents were stored.
 */
export function blobsToSync(blobs: readonly CertifiedBlob[], epoch: number): EncodedBlob[] {
  const sorted = blobs
    .filter((blob) => blob.certifiedEpoch < epoch)
    .map((blob) => blob.encoded)
    .sort((a, b) => compareIds(a.blobId, b.blobId));
  return sorted.filter((blob, i) => i === 0 || compareIds(sorted[i - 1].blobId, blob.blobId) !== 0);
}

/**
 * What an honest previous owner answers (`handle_sync_shard_request`): the shard's slivers of
 * `axis` of the first `sliverCount` blobs certified before the request's epoch, from the starting
 * blob ID on.
 */
export function serveSyncShard(blobs: readonly CertifiedBlob[], request: SyncShardRequest): Uint8Array {
  const entries: SyncShardEntry[] = blobsToSync(blobs, request.epoch)
    .filter((blob) => compareIds(blob.blobId, request.startingBlobId) >= 0)
    .slice(0, request.sliverCount)
    .map((blob) => ({ blobId: blob.blobId, sliver: shardSliver(blob, request.shard, request.axis) }));
  return encodeSyncShardResponse(entries);
}

/** How the previous owner answers a request (honest: {@link serveSyncShard}). */
export type SyncShardServer = (request: SyncShardRequest) => Uint8Array;

/** One page: the request, its size as posted, and the response as downloaded. */
export interface SyncShardExchange {
  readonly request: SyncShardRequest;
  readonly requestBytes: number;
  readonly response: Uint8Array;
}

/** A blob whose sliver of one axis the transfer did not deliver, to recover per blob. */
export interface PendingRecovery {
  readonly axis: Axis;
  readonly blobId: Uint8Array;
  /** Why: the typed error of a rejected entry, or a reason the answer gave none. */
  readonly reason: string;
}

/** What syncing one shard downloaded and stored. */
export interface ShardSyncReport {
  readonly shard: number;
  readonly exchanges: readonly SyncShardExchange[];
  /** Accepted slivers by axis, in blob-ID order. */
  readonly received: Readonly<Record<Axis, readonly SyncShardEntry[]>>;
  readonly pending: readonly PendingRecovery[];
  /** Response bytes downloaded, rejected entries included: the figure claim 1 is about. */
  readonly responseBytes: number;
  readonly requestBytes: number;
}

/**
 * Checks an entry as the new owner does before storing it (`verify_fetched_slivers`): the axis asked
 * for, then the sliver against the metadata. The sliver must also be this shard's: another pair's
 * sliver verifies against the metadata too. Throws {@link InvalidSliverError}.
 */
export function acceptEntry(meta: VerifiedMetadata, shard: number, axis: Axis, entry: SyncShardEntry): void {
  if (entry.sliver.axis !== axis) {
    throw new InvalidSliverError(`asked for ${axis} slivers, got a ${entry.sliver.axis} sliver`);
  }
  const n = meta.params.nShards;
  const expected = sliverIndexOf(axis, pairForShard(meta.blobId, shard, n), n);
  if (entry.sliver.index !== expected) {
    throw new InvalidSliverError(`shard ${shard} stores ${axis} sliver ${expected}, got ${entry.sliver.index}`);
  }
  verifySliver(meta, entry.sliver);
}

/**
 * Syncs one shard from its previous owner as `sync_shard_before_epoch_internal` does: per axis
 * (primary first), pages of `sliversPerRequest` from the next blob the new owner expects, until it
 * expects none. Expected blobs an answer skips, and entries that fail {@link acceptEntry}, are left
 * pending; an empty or malformed answer, or one that advances nothing, leaves the rest pending.
 */
export function syncShard(
  shard: number,
  blobs: readonly CertifiedBlob[],
  epoch: number,
  server: SyncShardServer,
  sliversPerRequest = DEFAULT_SLIVERS_PER_REQUEST,
): ShardSyncReport {
  const expected = blobsToSync(blobs, epoch);
  const n = expected[0]?.params.nShards;
  if (n !== undefined) checkedIndex("shard", shard, n);
  const perPage = checkedPageSize(sliversPerRequest);
  const metadata = new Map(expected.map((blob) => [blob.blobId, verifyMetadata(blob)] as const));
  const exchanges: SyncShardExchange[] = [];
  const received: Record<Axis, SyncShardEntry[]> = { primary: [], secondary: [] };
  const pending: PendingRecovery[] = [];
  let responseBytes = 0;
  let requestBytes = 0;
  for (const axis of ["primary", "secondary"] as const) {
    let next = 0;
    while (next < expected.length) {
      const request: SyncShardRequest = {
        shard,
        axis,
        startingBlobId: expected[next].blobId,
        sliverCount: perPage,
        epoch,
      };
      const response = server(request);
      exchanges.push({ request, requestBytes: signedSyncShardRequestBytes(request), response });
      requestBytes += signedSyncShardRequestBytes(request);
      responseBytes += response.length;
      let entries: SyncShardEntry[];
      try {
        entries = decodeSyncShardResponse(response);
      } catch (error) {
        if (!(error instanceof WalrusSpecError)) throw error;
        break;
      }
      const before = next;
      for (const entry of entries) {
        // As `check_and_record_missing_blobs`: expected blobs below the fetched one were skipped.
        while (next < expected.length && compareIds(expected[next].blobId, entry.blobId) < 0) {
          pending.push({ axis, blobId: expected[next].blobId, reason: "not in the answer" });
          next++;
        }
        const blob = expected[next];
        if (blob === undefined || !equalBytes(blob.blobId, entry.blobId)) continue;
        next++;
        try {
          acceptEntry(metadata.get(blob.blobId)!, shard, axis, entry);
        } catch (error) {
          if (!(error instanceof WalrusSpecError)) throw error;
          pending.push({ axis, blobId: blob.blobId, reason: error.message });
          continue;
        }
        received[axis].push(entry);
      }
      // An answer that advances nothing would be asked again forever: the rest goes to recovery.
      if (next === before) break;
    }
    for (const blob of expected.slice(next)) {
      pending.push({ axis, blobId: blob.blobId, reason: "the transfer stopped before it" });
    }
  }
  return { shard, exchanges, received, pending, responseBytes, requestBytes };
}

/** What the cooperative path of an epoch change downloads, shard by shard. */
export interface CooperativeTransferReport {
  readonly moves: readonly ShardMove[];
  readonly shards: readonly ShardSyncReport[];
  readonly responseBytes: number;
  readonly requestBytes: number;
}

function checkCommittees(previous: Committee, next: Committee, blobs: readonly CertifiedBlob[]): void {
  encodingParams(previous.nShards);
  if (next.nShards !== previous.nShards) {
    throw new InvalidParametersError(`committees of ${previous.nShards} and ${next.nShards} shards`);
  }
  if (next.epoch !== previous.epoch + 1) {
    throw new InvalidParametersError(`epoch ${next.epoch} does not follow epoch ${previous.epoch}`);
  }
  if (previous.members.length === 0 || next.members.length === 0) {
    throw new InvalidParametersError("an empty committee holds no shard to move from or to");
  }
  for (const committee of [previous, next]) {
    for (const member of committee.members) {
      for (const shard of member.shards) checkedIndex(`shard of ${member.name}`, shard, committee.nShards);
    }
  }
  for (const { encoded } of blobs) {
    if (encoded.params.nShards !== previous.nShards) {
      throw new InvalidParametersError(`a blob encoded for ${encoded.params.nShards} shards, not ${previous.nShards}`);
    }
  }
}

/**
 * The cooperative path of the epoch change from `previous` to `next`: every moved shard is synced
 * from its previous owner, who answers through `serverOf(move)` (honest by default).
 * Throws {@link InvalidParametersError} on committees that do not follow each other, an empty
 * committee, a shard out of range, a blob of another n, or a moved shard with no previous owner.
 */
export function cooperativeTransfer(
  previous: Committee,
  next: Committee,
  blobs: readonly CertifiedBlob[],
  sliversPerRequest = DEFAULT_SLIVERS_PER_REQUEST,
  serverOf: (move: ShardMove) => SyncShardServer = () => (request) => serveSyncShard(blobs, request),
): CooperativeTransferReport {
  checkCommittees(previous, next, blobs);
  const moves = shardMoves(previous, next);
  const shards = moves.map((move) => {
    if (move.from === null || memberOf(previous, move.from) === undefined) {
      throw new InvalidParametersError(`shard ${move.shard} has no previous owner to sync from`);
    }
    return syncShard(move.shard, blobs, next.epoch, serverOf(move), sliversPerRequest);
  });
  return {
    moves,
    shards,
    responseBytes: shards.reduce((sum, report) => sum + report.responseBytes, 0),
    requestBytes: shards.reduce((sum, report) => sum + report.requestBytes, 0),
  };
}

// --- the recovery path over the real codec ---

/** What rebuilding one moved shard's pair of one blob downloaded. */
export interface ShardRecoveryReport {
  readonly blobId: Uint8Array;
  readonly shard: number;
  readonly report: PairRecoveryReport;
}

/**
 * The recovery path for the shards in `recovering`, whose previous owners failed along with every
 * shard in `failed` (which must include `recovering`): for each blob, those pairs are lost and the
 * recovering ones are rebuilt from the other pairs with `recoverPairs` of recovery-bounds.ts.
 */
export function recoveryPath(
  blobs: readonly EncodedBlob[],
  failed: readonly number[],
  recovering: readonly number[],
  order: SupplierOrder,
): ShardRecoveryReport[] {
  const lost = new Set(failed);
  for (const shard of recovering) {
    if (!lost.has(shard)) throw new InvalidParametersError(`shard ${shard} recovers but its owner did not fail`);
  }
  return blobs.flatMap((encoded) => {
    const n = encoded.params.nShards;
    const pairOf = (shard: number) => pairForShard(encoded.blobId, checkedIndex("shard", shard, n), n);
    const reports = recoverPairs(
      verifyMetadata(encoded),
      holdingsAfterLoss(encoded, failed.map(pairOf)),
      recovering.map(pairOf),
      order,
    );
    return reports.map((report, i) => ({ blobId: encoded.blobId, shard: recovering[i], report }));
  });
}
