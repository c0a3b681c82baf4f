/**
 * Migration cost over the real codec (analysis/migration-cost.ts): the bytes the cooperative shard
 * transfer downloads against its closed form and the slivers it carries, the recovery path against
 * recovery-bounds' formula and bound, and the ratio of the two, for random committees, shard-count
 * changes and blobs.
 */

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { mix32 } from "../checker/random.js";
import { shuffledBy } from "./support/suppliers.js";
import type { Committee } from "../machines/committee.js";
import { type ShardCount, transitionCommittee } from "../machines/shard-assignment.js";
import {
  type CertifiedBlob,
  DEFAULT_SLIVERS_PER_REQUEST,
  type SyncShardServer,
  blobsToSync,
  cooperativeBlobBytes,
  cooperativeMigrationBytes,
  cooperativeShardBytes,
  cooperativeTransfer,
  migrationRatio,
  migrationRatioBounds,
  pageCount,
  pageFramingBytes,
  recoveryPath,
  recoveryPathBytes,
  serveSyncShard,
  shardSliver,
  signedSyncShardRequestBytes,
  syncShard,
} from "../analysis/migration-cost.js";
import { pairRecoveryBytes, recoveryBounds } from "../analysis/recovery-bounds.js";
import { decodeSyncShardResponse, encodeSliver, encodeSyncShardRequest, encodeSyncShardResponse } from "../spec/bcs.js";
import { pairForShard } from "../spec/commitments/blob-id.js";
import { verifyMetadata } from "../spec/commitments/metadata.js";
import { encodeBlob } from "../spec/codec/encode.js";
import { type Axis, verifySliver } from "../spec/codec/slivers.js";
import { DataTooLargeError, InvalidParametersError } from "../spec/errors.js";
import { encodingParams, sourceSymbolsPerBlob } from "../spec/params.js";

const SEED = 0x319a7e;
const AXES: readonly Axis[] = ["primary", "secondary"];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** A committee whose shard s is held by node `N${owners[s]}`. */
function committeeOf(epoch: number, owners: readonly number[]): Committee {
  const byNode = new Map<string, number[]>();
  owners.forEach((owner, shard) => {
    byNode.set(`N${owner}`, [...(byNode.get(`N${owner}`) ?? []), shard]);
  });
  return {
    epoch,
    nShards: owners.length,
    members: [...byNode.entries()]
      .map(([name, shards]) => ({ name, shards }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Shard counts for the next epoch: one unit per entry of `picks`, nodes N0..N7 (N6, N7 join). */
function countsOf(picks: readonly number[]): ShardCount[] {
  return Array.from({ length: 8 }, (_, i) => ({ name: `N${i}`, shards: picks.filter((p) => p === i).length }));
}

/** Page sizes of one axis of one shard: full pages of c, then the rest. */
function pagesOf(blobs: number, c: number): number[] {
  const pages: number[] = [];
  for (let left = blobs; left > 0; left -= c) pages.push(Math.min(c, left));
  return pages;
}

/** A random epoch change over n in 4..40, with 1..3 blobs of 0..4 KiB certified around it. */
const migrationCase = fc.integer({ min: 4, max: 40 }).chain((n) => {
  const k = sourceSymbolsPerBlob(encodingParams(n));
  const length = fc.oneof(fc.constantFrom(0, 1, k, k + 1, 4096), fc.integer({ min: 0, max: 4096 }));
  return fc.record({
    n: fc.constant(n),
    epoch: fc.integer({ min: 1, max: 5 }),
    // Owners among N0..N5 before, N0..N7 after: nodes leave, join, grow and shrink.
    before: fc.array(fc.nat({ max: 5 }), { minLength: n, maxLength: n }),
    after: fc.array(fc.nat({ max: 7 }), { minLength: n, maxLength: n }),
    blobs: fc.array(
      fc.record({
        bytes: length.chain((len) => fc.uint8Array({ minLength: len, maxLength: len })),
        // Relative to the previous epoch e: certified in e − 1 or e moves; in e + 1 it does not.
        certified: fc.constantFrom(-1, 0, 0, 1),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    perRequest: fc.constantFrom(DEFAULT_SLIVERS_PER_REQUEST, 1, 2),
    seed: fc.integer(),
  });
});

describe("the closed form", () => {
  it("pins n = 4, a 5-byte blob, one moved shard: 2 + 44 bytes of primary, 2 + 42 of secondary", () => {
    const enc = encodeBlob(Uint8Array.of(1, 2, 3, 4, 5), 4);
    // S = 2: a primary sliver is 3 symbols, SliverData 1 + 6 + 4 = 11 bytes; a secondary 2 symbols, 9.
    expect(cooperativeBlobBytes(4, 5)).toEqual({ symbolSize: 2, primary: 44, secondary: 42, total: 86 });
    expect(cooperativeShardBytes(4, [5])).toBe(90);
    const previous = committeeOf(1, [0, 0, 1, 1]);
    const next = transitionCommittee(previous, countsOf([0, 1, 1, 1]));
    const report = cooperativeTransfer(previous, next, [{ encoded: enc, certifiedEpoch: 1 }]);
    expect(report.moves).toEqual([{ shard: 1, from: "N0", to: "N1" }]);
    expect(report.shards[0].exchanges.map((e) => e.response.length)).toEqual([46, 44]);
    const [primary] = report.shards[0].exchanges;
    // V1, one entry, the blob ID, variant Primary, then the sliver as a writer uploads it.
    expect(hex(primary.response)).toBe(`0001${hex(enc.blobId)}00${hex(encodeSliver(shardSliver(enc, 1, "primary")))}`);
    // A request is 48 bytes (V1, u16, variant, 32, u64, u32); signed 152.
    expect(encodeSyncShardRequest(primary.request).length).toBe(48);
    expect(signedSyncShardRequestBytes(primary.request)).toBe(152);
    expect(report.requestBytes).toBe(2 * 152);
  });

  it("pins n = 10, |B| = 100: 66 + 54 bytes cooperative per shard, 1328 by recovery for pair 0", () => {
    expect(cooperativeBlobBytes(10, 100)).toEqual({ symbolSize: 4, primary: 66, secondary: 54, total: 120 });
    expect(pairRecoveryBytes(10, 100, 0).total).toBe(1328);
    expect(migrationRatio(10, 100, 0)).toBeCloseTo(1328 / 120, 12);
  });

  it("frames pages with a variant and a count prefix, two bytes of prefix from 128 entries", () => {
    expect(pageFramingBytes(0)).toBe(0);
    expect(pageFramingBytes(1)).toBe(2);
    expect(pageFramingBytes(127)).toBe(2);
    expect(pageFramingBytes(128)).toBe(3);
    expect(pageFramingBytes(2000)).toBe(6);
    expect(pageFramingBytes(2001)).toBe(8);
    expect(pageFramingBytes(5, 2)).toBe(6);
    expect(cooperativeShardBytes(7, [])).toBe(0);
  });

  it("measures 130 blobs in one page of 1000 (a two-byte count) and in pages of 50", () => {
    const n = 4;
    const blobs: CertifiedBlob[] = Array.from({ length: 130 }, (_, i) => ({
      encoded: encodeBlob(Uint8Array.of(i, i >> 8, 7), n),
      certifiedEpoch: 0,
    }));
    const previous = committeeOf(1, [0, 1, 2, 3]);
    const next = transitionCommittee(previous, countsOf([0, 1, 2, 2]));
    for (const perRequest of [DEFAULT_SLIVERS_PER_REQUEST, 50]) {
      const report = cooperativeTransfer(previous, next, blobs, perRequest);
      expect(report.moves.length).toBe(1);
      expect(report.shards[0].exchanges.length).toBe(2 * Math.ceil(130 / perRequest));
      expect(report.responseBytes).toBe(cooperativeMigrationBytes(n, 1, Array(130).fill(3), perRequest));
    }
  });

  it("moves a blob stored twice once, and none certified in the new epoch", () => {
    const enc = encodeBlob(Uint8Array.of(9, 9), 5);
    const later = encodeBlob(Uint8Array.of(8), 5);
    const previous = committeeOf(3, [0, 0, 1, 1, 2]);
    const next = transitionCommittee(previous, countsOf([0, 1, 1, 1, 2]));
    const blobs: CertifiedBlob[] = [
      { encoded: enc, certifiedEpoch: 1 },
      { encoded: later, certifiedEpoch: 4 },
      { encoded: encodeBlob(Uint8Array.of(9, 9), 5), certifiedEpoch: 3 },
    ];
    expect(blobsToSync(blobs, 4).map((blob) => blob.blobId)).toEqual([enc.blobId]);
    const report = cooperativeTransfer(previous, next, blobs);
    expect(report.responseBytes).toBe(cooperativeMigrationBytes(5, 1, [2]));
  });

  it("keeps every pair's ratio within the derived bounds, above 1, for n in 4..100", () => {
    for (let n = 4; n <= 100; n++) {
      const k = sourceSymbolsPerBlob(encodingParams(n));
      for (const length of [0, 1, k + 1, 4096, 65534 * k]) {
        const bounds = migrationRatioBounds(n, length);
        expect(bounds.lower).toBeGreaterThan(1);
        expect(bounds.upper).toBeLessThan(bounds.simpleUpper);
        const healing = recoveryBounds(n, length).perNode;
        expect(cooperativeBlobBytes(n, length).total).toBeLessThan(healing);
        for (let pair = 0; pair < n; pair++) {
          const ratio = migrationRatio(n, length, pair);
          expect(ratio).toBeGreaterThanOrEqual(bounds.lower);
          expect(ratio).toBeLessThanOrEqual(bounds.upper);
        }
        // Pair 0's primary proof is all digests; the upper bound is reached when the secondary's is too.
        if ((n & (n - 1)) === 0) expect(migrationRatio(n, length, 0)).toBeCloseTo(bounds.upper, 12);
      }
    }
  });
});

describe("measured over the real codec", () => {
  test.prop([migrationCase], { numRuns: 80, seed: SEED })(
    "the transfer downloads the closed form, carries exactly the moved shards' slivers; recovery costs its formula",
    (c) => {
      const { n } = c;
      const previous = committeeOf(c.epoch, c.before);
      const next = transitionCommittee(previous, countsOf(c.after));
      const certified: CertifiedBlob[] = c.blobs.map((blob) => ({
        encoded: encodeBlob(blob.bytes, n),
        certifiedEpoch: c.epoch + blob.certified,
      }));
      const report = cooperativeTransfer(previous, next, certified, c.perRequest);
      const synced = blobsToSync(certified, next.epoch);
      const lengths = synced.map((blob) => blob.metadata.unencodedLength);
      const moved = report.moves.map((move) => move.shard);

      // (a) The measured bytes equal the closed form, and the sliver bodies plus framing.
      expect(report.responseBytes).toBe(cooperativeMigrationBytes(n, moved.length, lengths, c.perRequest));
      let bodies = 0;
      for (const shard of moved) {
        for (const blob of synced) {
          for (const axis of AXES) bodies += 32 + 1 + encodeSliver(shardSliver(blob, shard, axis)).length;
        }
      }
      const framing = sum(pagesOf(synced.length, c.perRequest).map((m) => 1 + (m < 128 ? 1 : 2)));
      expect(report.responseBytes).toBe(bodies + 2 * moved.length * framing);
      expect(report.shards.map((s) => s.exchanges.length)).toEqual(
        moved.map(() => 2 * Math.ceil(synced.length / c.perRequest)),
      );
      // Uploads, not counted in the figure: one 152-byte signed request per page.
      expect(report.requestBytes).toBe(moved.length * 2 * pageCount(synced.length, c.perRequest) * 152);

      // (b) Decoding the answers gives back exactly the moved shards' slivers, each verifying, in
      // blob-ID order (hex strings compare as the bytes do).
      const order = synced.map((blob) => hex(blob.blobId));
      expect(order).toEqual([...new Set(order)].sort());
      const carried = new Map<string, Uint8Array>();
      for (const shardReport of report.shards) {
        expect(shardReport.pending).toEqual([]);
        for (const { request, response } of shardReport.exchanges) {
          for (const { blobId, sliver } of decodeSyncShardResponse(response)) {
            expect(sliver.axis).toBe(request.axis);
            const key = `${shardReport.shard}/${sliver.axis}/${hex(blobId)}`;
            expect(carried.has(key)).toBe(false);
            carried.set(key, encodeSliver(sliver));
            const blob = synced.find((b) => hex(b.blobId) === hex(blobId));
            expect(blob).toBeDefined();
            if (blob !== undefined) verifySliver(verifyMetadata(blob), sliver);
          }
        }
        for (const axis of AXES) {
          expect(shardReport.received[axis].map((e) => hex(e.blobId))).toEqual(synced.map((b) => hex(b.blobId)));
        }
      }
      expect(carried.size).toBe(moved.length * synced.length * 2);
      for (const shard of moved) {
        for (const blob of synced) {
          for (const axis of AXES) {
            expect(hex(carried.get(`${shard}/${axis}/${hex(blob.blobId)}`) ?? new Uint8Array())).toBe(
              hex(encodeSliver(shardSliver(blob, shard, axis))),
            );
          }
        }
      }

      // (c) Previous owners holding at most f shards fail; their moved shards take the recovery path.
      const f = encodingParams(n).maxFaulty;
      const failedOwners: string[] = [];
      let weight = 0;
      const members = [...previous.members].sort((a, b) => mix32(c.seed ^ a.shards[0]) - mix32(c.seed ^ b.shards[0]));
      for (const member of members) {
        if (weight + member.shards.length <= f) {
          failedOwners.push(member.name);
          weight += member.shards.length;
        }
      }
      const failed = previous.members.filter((m) => failedOwners.includes(m.name)).flatMap((m) => m.shards);
      const recovering = report.moves.filter((move) => failedOwners.includes(move.from ?? "")).map((m) => m.shard);
      if (recovering.length > 0) {
        for (const { blobId, shard, report: pair } of recoveryPath(synced, failed, recovering, shuffledBy(c.seed))) {
          const blob = synced.find((b) => hex(b.blobId) === hex(blobId))!;
          const length = blob.metadata.unencodedLength;
          const formula = pairRecoveryBytes(n, length, pairForShard(blobId, shard, n));
          expect(pair.pair).toBe(pairForShard(blobId, shard, n));
          expect(pair.secondary.bytes).toBe(formula.secondary);
          expect(pair.primary.bytes).toBe(formula.primary);
          expect(recoveryPathBytes({ blobId, length }, shard, n)).toEqual(formula);
          expect(pair.bytes).toBeLessThanOrEqual(recoveryBounds(n, length).perNode);
          for (const phase of [pair.secondary, pair.primary]) {
            expect(phase.result.kind).toBe("recovered");
            if (phase.result.kind === "recovered") {
              expect(hex(encodeSliver(phase.result.sliver))).toBe(
                hex(encodeSliver(shardSliver(blob, shard, phase.target))),
              );
            }
          }
          // (d) The measured ratio, against the transfer's measured entries for this blob and shard.
          const entries = AXES.map((axis) => 33 + (carried.get(`${shard}/${axis}/${hex(blobId)}`)?.length ?? 0));
          const bounds = migrationRatioBounds(n, length);
          expect(pair.bytes / sum(entries)).toBeGreaterThanOrEqual(bounds.lower);
          expect(pair.bytes / sum(entries)).toBeLessThanOrEqual(bounds.upper);
        }
      }

      // (d) For every moved shard and blob, the ratio of the closed forms within the bounds.
      for (const shard of moved) {
        for (const blob of synced) {
          const length = blob.metadata.unencodedLength;
          const ratio = migrationRatio(n, length, pairForShard(blob.blobId, shard, n));
          const bounds = migrationRatioBounds(n, length);
          expect(ratio).toBeGreaterThanOrEqual(bounds.lower);
          expect(ratio).toBeLessThanOrEqual(bounds.upper);
          expect(bounds.lower).toBeGreaterThan(1);
          expect(bounds.upper).toBeLessThan(bounds.simpleUpper);
          expect(cooperativeBlobBytes(n, length).total).toBeLessThan(recoveryBounds(n, length).perNode);
        }
      }
    },
  );
});

describe("a previous owner that does not cooperate", () => {
  const n = 7;
  const blobs: CertifiedBlob[] = [10, 500, 2000].map((length, i) => ({
    encoded: encodeBlob(
      Uint8Array.from({ length }, (_, j) => (j * 31 + i) & 0xff),
      n,
    ),
    certifiedEpoch: 1,
  }));
  const synced = blobsToSync(blobs, 2);
  const honest: SyncShardServer = (request) => serveSyncShard(blobs, request);
  const decoded = (request: Parameters<SyncShardServer>[0]) => decodeSyncShardResponse(honest(request));
  const ids = (entries: readonly { blobId: Uint8Array }[]) => entries.map((e) => hex(e.blobId));

  it("leaves a corrupted, misplaced or wrong-axis sliver pending and still counts its bytes", () => {
    const lie: SyncShardServer = (request) => {
      const entries = decoded(request);
      if (request.axis === "primary") {
        const data = entries[0].sliver.data.slice();
        data[0] ^= 1;
        entries[0] = { ...entries[0], sliver: { ...entries[0].sliver, data } };
        entries[1] = { ...entries[1], sliver: shardSliver(synced[1], (3 + 1) % n, "primary") };
      } else {
        entries[2] = { ...entries[2], sliver: shardSliver(synced[2], 3, "primary") };
      }
      return encodeSyncShardResponse(entries);
    };
    const report = syncShard(3, blobs, 2, lie);
    expect(report.pending.map((p) => [p.axis, hex(p.blobId)])).toEqual([
      ["primary", hex(synced[0].blobId)],
      ["primary", hex(synced[1].blobId)],
      ["secondary", hex(synced[2].blobId)],
    ]);
    expect(report.pending.map((p) => p.reason)).toEqual([
      expect.stringMatching(/Merkle root/),
      expect.stringMatching(/shard 3 stores primary sliver/),
      expect.stringMatching(/asked for secondary slivers/),
    ]);
    expect(ids(report.received.primary)).toEqual([hex(synced[2].blobId)]);
    expect(ids(report.received.secondary)).toEqual(ids(synced.slice(0, 2)));
    // Downloaded all the same; the primary sliver in place of a secondary one is the larger entry.
    const swapped = cooperativeBlobBytes(n, synced[2].metadata.unencodedLength);
    expect(report.responseBytes).toBe(sum(report.exchanges.map((e) => e.response.length)));
    expect(report.responseBytes).toBe(cooperativeShardBytes(n, [10, 500, 2000]) + swapped.primary - swapped.secondary);
  });

  it("leaves skipped blobs pending, and everything after an empty or malformed answer", () => {
    const skip: SyncShardServer = (request) =>
      encodeSyncShardResponse(decoded(request).filter((e) => hex(e.blobId) !== hex(synced[1].blobId)));
    const skipped = syncShard(0, blobs, 2, skip, 2);
    expect(skipped.pending.map((p) => [p.axis, hex(p.blobId), p.reason])).toEqual(
      AXES.map((axis) => [axis, hex(synced[1].blobId), "not in the answer"]),
    );
    expect(skipped.received.primary.length).toBe(2);
    const silent = syncShard(0, blobs, 2, () => encodeSyncShardResponse([]));
    expect(silent.exchanges.length).toBe(2);
    expect(silent.pending.length).toBe(6);
    const garbled = syncShard(0, blobs, 2, (request) => honest(request).subarray(1));
    expect(garbled.pending.map((p) => p.reason)).toEqual(Array(6).fill("the transfer stopped before it"));
    // An answer from before the starting blob advances nothing: asked again, it would loop.
    const stale: SyncShardServer = (request) =>
      serveSyncShard(blobs, { ...request, startingBlobId: new Uint8Array(32) });
    const looped = syncShard(0, blobs, 2, stale, 1);
    expect(looped.received.primary.length).toBe(1);
    expect(looped.exchanges.length).toBe(4);
  });
});

describe("bad input", () => {
  const enc = encodeBlob(Uint8Array.of(1, 2, 3), 7);
  const previous = committeeOf(1, [0, 0, 1, 1, 2, 2, 3]);
  const next = transitionCommittee(previous, countsOf([0, 0, 1, 1, 2, 4, 4]));
  const blobs: CertifiedBlob[] = [{ encoded: enc, certifiedEpoch: 1 }];

  it("rejects n, shards, counts and page sizes out of range with typed errors", () => {
    expect(() => cooperativeBlobBytes(3, 10)).toThrow(InvalidParametersError);
    expect(() => cooperativeBlobBytes(7, -1)).toThrow(InvalidParametersError);
    expect(() => cooperativeBlobBytes(4, 393_205)).toThrow(DataTooLargeError);
    expect(() => migrationRatio(7, 10, 7)).toThrow(InvalidParametersError);
    expect(() => migrationRatioBounds(2, 10)).toThrow(InvalidParametersError);
    expect(() => shardSliver(enc, 7, "primary")).toThrow(InvalidParametersError);
    expect(() => shardSliver(enc, -1, "secondary")).toThrow(InvalidParametersError);
    expect(() => recoveryPathBytes({ blobId: enc.blobId, length: 3 }, 7, 7)).toThrow(InvalidParametersError);
    expect(() => pageFramingBytes(3, 0)).toThrow(InvalidParametersError);
    expect(() => pageFramingBytes(-1)).toThrow(InvalidParametersError);
    expect(() => cooperativeMigrationBytes(7, 8, [3])).toThrow(InvalidParametersError);
    expect(() => syncShard(7, blobs, 2, () => new Uint8Array())).toThrow(InvalidParametersError);
    expect(() => syncShard(0, blobs, 2, () => new Uint8Array(), 0)).toThrow(InvalidParametersError);
  });

  it("rejects committees that cannot hand shards over, and blobs of another n", () => {
    expect(() => cooperativeTransfer({ epoch: 1, nShards: 7, members: [] }, next, blobs)).toThrow(/empty committee/);
    expect(() => cooperativeTransfer(previous, { ...next, epoch: 3 }, blobs)).toThrow(InvalidParametersError);
    expect(() => cooperativeTransfer(previous, { ...next, nShards: 8 }, blobs)).toThrow(InvalidParametersError);
    expect(() => cooperativeTransfer({ ...previous, nShards: 3 }, { ...next, nShards: 3 }, [])).toThrow(
      InvalidParametersError,
    );
    const stray = { ...previous, members: [...previous.members, { name: "N9", shards: [7] }] };
    expect(() => cooperativeTransfer(stray, next, blobs)).toThrow(InvalidParametersError);
    const other = [{ encoded: encodeBlob(Uint8Array.of(1), 4), certifiedEpoch: 1 }];
    expect(() => cooperativeTransfer(previous, next, other)).toThrow(InvalidParametersError);
    // Shard 6 held by nobody before: no one to sync it from.
    const partial = { ...previous, members: previous.members.filter((m) => m.name !== "N3") };
    expect(() =>
      cooperativeTransfer(partial, transitionCommittee(partial, countsOf([0, 0, 1, 1, 2, 2, 4])), blobs),
    ).toThrow(/no previous owner/);
    expect(() => recoveryPath([enc], [1], [2], shuffledBy(SEED))).toThrow(InvalidParametersError);
    expect(() => recoveryPath([enc], [7], [7], shuffledBy(SEED))).toThrow(InvalidParametersError);
  });
});
