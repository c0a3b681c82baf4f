/**
 * Node and shard status: the tables read off the storage node's charts are the implementation's
 * (listed here by hand from `NodeStatus::can_transition_to` and the shard changes of `shard.rs`,
 * not read back from the module), and the node's status and shard regions move as the
 * implementation's do when the node is driven through an epoch change, a transfer, and a lag.
 */

import { describe, expect, it } from "vitest";
import { blobIdToString, encodeBlob, encodeMetadataWithId, sliverIndexOf } from "../spec/index.js";
import { putBytes } from "../spec/store.js";
import { pairOfShard, putSliver } from "../machines/codec.js";
import type { Committee } from "../machines/committee.js";
import { createStorageNodeMachine, nodeView } from "../machines/node/index.js";
import { SHARD_STATUSES, SHARD_STATUS_TRANSITIONS, shardStatusForApi } from "../machines/node/shards.js";
import {
  NODE_STATUS_KINDS,
  NODE_STATUS_TRANSITIONS,
  nodeStatusCanTransitionTo,
  nodeStatusOf,
} from "../machines/node/status.js";
import { drive } from "./support/drive.js";

/** The legal changes between different node statuses. */
const legalNodeChanges = [
  "Standby → RecoverMetadata",
  "Standby → RecoveryCatchUp",
  "Standby → RecoveryCatchUpWithIncompleteHistory",
  "Active → Standby",
  "Active → RecoveryCatchUp",
  "RecoverMetadata → Active",
  "RecoverMetadata → Standby",
  "RecoverMetadata → RecoveryCatchUp",
  "RecoveryCatchUp → Standby",
  "RecoveryCatchUp → RecoverMetadata",
  "RecoveryCatchUp → RecoveryInProgress",
  "RecoveryCatchUpWithIncompleteHistory → Standby",
  "RecoveryCatchUpWithIncompleteHistory → RecoverMetadata",
  "RecoveryCatchUpWithIncompleteHistory → RecoveryInProgress",
  "RecoveryInProgress → Active",
  "RecoveryInProgress → Standby",
  "RecoveryInProgress → RecoveryCatchUp",
];

/** The legal changes of shard status. */
const legalShardChanges = [
  "None → Active",
  "None → ActiveSync",
  "Active → LockedToMove",
  "ActiveSync → ActiveRecover",
  "ActiveSync → Active",
  "ActiveSync → LockedToMove",
  "ActiveRecover → Active",
  "ActiveRecover → ActiveSync",
  "ActiveRecover → LockedToMove",
];

const changes = (table: Readonly<Record<string, readonly string[]>>) =>
  Object.entries(table).flatMap(([from, tos]) => tos.map((to) => `${from} → ${to}`));

describe("the status charts", () => {
  it("the node status chart has the six statuses and exactly the implementation's changes", () => {
    expect([...NODE_STATUS_KINDS].sort()).toEqual(
      [
        "Active",
        "RecoverMetadata",
        "RecoveryCatchUp",
        "RecoveryCatchUpWithIncompleteHistory",
        "RecoveryInProgress",
        "Standby",
      ].sort(),
    );
    expect(changes(NODE_STATUS_TRANSITIONS).sort()).toEqual([...legalNodeChanges].sort());
    expect(nodeStatusCanTransitionTo({ kind: "Active" }, { kind: "RecoverMetadata" })).toBe(false);
    expect(
      nodeStatusCanTransitionTo({ kind: "RecoveryInProgress", epoch: 3 }, { kind: "RecoveryInProgress", epoch: 4 }),
    ).toBe(true);
  });

  it("the shard status chart has the five statuses and exactly the implementation's changes", () => {
    expect([...SHARD_STATUSES].sort()).toEqual(["Active", "ActiveRecover", "ActiveSync", "LockedToMove", "None"]);
    expect(changes(SHARD_STATUS_TRANSITIONS).sort()).toEqual([...legalShardChanges].sort());
    expect(SHARD_STATUSES.map(shardStatusForApi)).toEqual(["Unknown", "Ready", "InTransfer", "InRecovery", "ReadOnly"]);
  });
});

// --- the node driven through an epoch change ---

const n = 4;
const bytes = new TextEncoder().encode("Walrus: stored before the epoch changes..");
const encoded = encodeBlob(bytes, n);
const blobId = blobIdToString(encoded.blobId);
const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
const sliver = (shard: number, axis: "primary" | "secondary") =>
  putSliver(
    (axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[
      sliverIndexOf(axis, pairOfShard(blobId, shard, n), n)
    ],
  );
const member = (name: string, shard: number) => ({ name, shards: [shard] });
const epoch1: Committee = { epoch: 1, nShards: n, members: [0, 1, 2, 3].map((i) => member(`N${i}`, i)) };
const epoch2: Committee = { epoch: 2, nShards: n, members: [0, 1, 2, 4].map((i) => member(`N${i}`, Math.min(i, 3))) };
const machine = createStorageNodeMachine({ blobs: 1, epochs: { shards: n } });

/** Node `name` of the change N3 → N4, holding the blob certified in epoch 1 in its shards. */
function node(name: string) {
  const shard = epoch1.members.find((m) => m.name === name)?.shards[0];
  const stored = {
    blobId,
    certifiedEpoch: 1,
    metadata: shard === undefined ? null : metadata,
    slivers:
      shard === undefined ? [] : [{ shard, primary: sliver(shard, "primary"), secondary: sliver(shard, "secondary") }],
  };
  return drive(machine, { name, committee: epoch1, committees: [epoch1, epoch2], blobIds: [blobId], stored: [stored] });
}

const value = (driven: ReturnType<typeof node>) => driven.snapshot.value as Record<string, unknown>;
const start2 = { type: "EpochChangeStart", seq: 0, epoch: 2 };
const synced = (axis: "primary" | "secondary", slivers = [{ blobId, metadata, sliver: sliver(3, axis) }]) => ({
  type: "ShardSyncResponse",
  node: "N3",
  shard: 3,
  axis,
  epoch: 2,
  slivers,
});

describe("the storage node through an epoch change", () => {
  it("a member of the first committee starts Active with its shard Active; the others start Standby", () => {
    expect(value(node("N0"))).toMatchObject({ status: "Active", shard0: "Active", shard1: "None", blob0: "stored" });
    expect(value(node("N4"))).toMatchObject({ status: "Standby", shard3: "None" });
  });

  it("the leaving node locks its shard and goes Standby, and still serves its slivers to the new owner", () => {
    const n3 = node("N3").step(start2);
    expect(value(n3)).toMatchObject({ status: "Standby", shard3: "LockedToMove" });
    n3.step({ type: "ShardSyncRequest", from: "N4", shard: 3, axis: "primary", epoch: 2 });
    expect(n3.sent).toEqual([
      { to: "N4", ...synced("primary"), slivers: [{ blobId, metadata, sliver: sliver(3, "primary") }] },
    ]);
    // The previous epoch's owner of another shard is refused: only the current owner may sync.
    n3.step({ type: "ShardSyncRequest", from: "N0", shard: 3, axis: "primary", epoch: 2 });
    expect(n3.sent).toMatchObject([{ to: "N0", type: "ShardSyncResponse", slivers: null }]);
  });

  it("the joining node syncs the shard, primary then secondary, recovers the metadata, turns Active and attests", () => {
    const n4 = node("N4").step(start2);
    expect(value(n4)).toMatchObject({ status: "RecoverMetadata", shard3: "ActiveSync" });
    expect(n4.sent).toEqual([{ to: "N3", type: "ShardSyncRequest", from: "N4", shard: 3, axis: "primary", epoch: 2 }]);
    n4.step(synced("primary"));
    expect(n4.sent).toEqual([
      { to: "N3", type: "ShardSyncRequest", from: "N4", shard: 3, axis: "secondary", epoch: 2 },
    ]);
    expect(value(n4)).toMatchObject({ status: "Active", shard3: "ActiveSync" });
    n4.step(synced("secondary"));
    expect(value(n4)).toMatchObject({ status: "Active", shard3: "Active", blob0: "stored" });
    expect(n4.sent).toEqual([{ to: "chain", type: "EpochSyncDone", node: "N4", epoch: 2 }]);
    expect(nodeView(n4.snapshot).attestedEpoch).toBe(2);
  });

  it("a sync answer with a sliver that fails its proof leaves the shard to recovery, which the node asks the old committee for", () => {
    const n4 = node("N4").step(start2).step(synced("primary"));
    n4.step(synced("secondary", [{ blobId, metadata, sliver: sliver(2, "secondary") }]));
    expect(value(n4)).toMatchObject({ shard3: "ActiveRecover", blob0: { recovering: "recoveringSecondary" } });
    expect(n4.sent.map((m) => [m.type, m.to])).toEqual([
      ["RecoverySymbolRequest", "N0"],
      ["RecoverySymbolRequest", "N1"],
      ["RecoverySymbolRequest", "N2"],
      ["RecoverySymbolRequest", "N3"],
    ]);
    // A restart tries the transfer again first.
    n4.step({ type: "RestartShardSync" });
    expect(value(n4)).toMatchObject({ shard3: "ActiveSync" });
    expect(n4.sent).toEqual([{ to: "N3", type: "ShardSyncRequest", from: "N4", shard: 3, axis: "primary", epoch: 2 }]);
  });

  it("a restart tries the transfer of a shard whose filling failed for good again, the failure forgotten", () => {
    const n4 = node("N4").step(start2).step({ type: "ShardSyncTimeout" }).step({ type: "ShardSyncFails" });
    const shard3 = () => nodeView(n4.snapshot).shards.find((s) => s.shard === 3);
    expect(value(n4)).toMatchObject({ shard3: "ActiveRecover" });
    expect(shard3()).toMatchObject({ failedIn: 2, syncing: null });
    n4.step({ type: "RestartShardSync" });
    expect(value(n4)).toMatchObject({ shard3: "ActiveSync" });
    expect(shard3()).toMatchObject({ failedIn: null, syncing: "primary", source: "N3" });
  });

  it("a shard lost while its transfer runs is locked with the transfer stopped; a late answer changes nothing", () => {
    const epoch3: Committee = { ...epoch1, epoch: 3 };
    const n4 = drive(machine, {
      name: "N4",
      committee: epoch1,
      committees: [epoch1, epoch2, epoch3],
      blobIds: [blobId],
      stored: [{ blobId, certifiedEpoch: 1, metadata: null, slivers: [] }],
    }).step(start2);
    n4.step({ type: "EpochChangeStart", seq: 1, epoch: 3 });
    expect(value(n4)).toMatchObject({ status: "Standby", shard3: "LockedToMove" });
    expect(nodeView(n4.snapshot).shards).toEqual([
      { shard: 3, status: "LockedToMove", since: 2, syncing: null, source: null, failedIn: null },
    ]);
    const before = n4.snapshot.context;
    n4.step(synced("primary"));
    expect(n4.snapshot.context).toEqual(before);
    expect(n4.sent).toEqual([]);
  });

  it("a shard gained from a committee that held no shards is Active at once: nothing was certified before, nothing moves", () => {
    const epoch0: Committee = { epoch: 0, nShards: n, members: [{ name: "N0", shards: [] }] };
    const n0 = drive(machine, {
      name: "N0",
      committee: epoch0,
      committees: [epoch0, epoch1],
      blobIds: [blobId],
      stored: [{ blobId, certifiedEpoch: null, metadata: null, slivers: [] }],
    }).step({ type: "EpochChangeStart", seq: 0, epoch: 1 });
    expect(value(n0)).toMatchObject({ status: "Active", shard0: "Active" });
    expect(n0.sent).toEqual([{ to: "chain", type: "EpochSyncDone", node: "N0", epoch: 1 }]);
  });

  it("the garbage collection at an epoch's start takes an object that ended, and the data once no object is left", () => {
    const ends = (endEpoch: number, objectId: string) => ({
      type: "BlobRegistered",
      seq: 0,
      epoch: 1,
      blobId,
      size: bytes.length,
      endEpoch,
      deletable: false,
      objectId,
    });
    const fresh = () =>
      drive(machine, { name: "N0", committee: epoch1, committees: [epoch1, epoch2], blobIds: [blobId] });
    const endsAt2 = fresh()
      .step(ends(2, `0x${"02".repeat(32)}`))
      .step({ ...start2, seq: 1 });
    expect(value(endsAt2).blob0).toBe("deleted");
    expect(endsAt2.snapshot.context.blobs[0].record.objects).toEqual([]);
    const endsAt3 = fresh()
      .step(ends(3, `0x${"03".repeat(32)}`))
      .step({ ...start2, seq: 1 });
    expect(value(endsAt3).blob0).toBe("awaitingSlivers");
    expect(endsAt3.snapshot.context.blobs[0].record.objects).toHaveLength(1);
  });

  it("an upload held for a retired blob ID stays held across epoch starts and is stored for a new object", () => {
    const epoch3: Committee = { ...epoch2, epoch: 3 };
    const object = (objectId: string, seq: number, endEpoch: number) => ({
      type: "BlobRegistered",
      seq,
      epoch: 1,
      blobId,
      size: bytes.length,
      endEpoch,
      deletable: true,
      objectId,
    });
    const n0 = drive(machine, {
      name: "N0",
      committee: epoch1,
      committees: [epoch1, epoch2, epoch3],
      blobIds: [blobId],
    });
    n0.step(object(`0x${"01".repeat(32)}`, 0, 2)).step({ ...start2, seq: 1 });
    expect(value(n0).blob0).toBe("deleted");
    const pair = { pair: pairOfShard(blobId, 0, n), primary: sliver(0, "primary"), secondary: sliver(0, "secondary") };
    n0.step({ type: "StoreSliverPairs", from: "writer", blobId, object: null, metadata, pairs: [pair] });
    n0.step({ type: "EpochChangeStart", seq: 2, epoch: 3 });
    expect(n0.snapshot.context.blobs[0].pendingUpload).not.toBeNull();
    n0.step({ ...object(`0x${"02".repeat(32)}`, 3, 6), epoch: 3 });
    expect(value(n0).blob0).toBe("stored");
  });

  it("a lagging member catches up, recovers up to the chain's epoch, then is Active", () => {
    const n0 = node("N0").step({ type: "LagDetected" });
    expect(value(n0).status).toBe("RecoveryCatchUp");
    n0.step({ type: "CaughtUp", epoch: 1, membership: "ContinuingMember" });
    const detail = () => n0.snapshot.context as { recoveryEpoch: number | null; incompleteHistory: null };
    expect(nodeStatusOf("RecoveryInProgress", detail())).toEqual({ kind: "RecoveryInProgress", epoch: 1 });
    // Still recovering at the next change: the target moves to the new epoch.
    n0.step(start2);
    expect(nodeStatusOf("RecoveryInProgress", detail())).toEqual({ kind: "RecoveryInProgress", epoch: 2 });
    n0.step({ type: "NodeRecoveryComplete" });
    expect(value(n0).status).toBe("Active");
  });

  it("a node behind an expired history catches up as a new member through metadata recovery", () => {
    const n4 = node("N4").step({ type: "LagDetectedWithIncompleteHistory", firstCompleteEpoch: 1, epochAtStart: 3 });
    expect(value(n4).status).toBe("RecoveryCatchUpWithIncompleteHistory");
    expect(nodeStatusOf("RecoveryCatchUpWithIncompleteHistory", n4.snapshot.context as never)).toEqual({
      kind: "RecoveryCatchUpWithIncompleteHistory",
      firstCompleteEpoch: 1,
      epochAtStart: 3,
    });
    // The events it replays move its epoch; the status waits for the end of the catch-up.
    n4.step(start2);
    expect(value(n4)).toMatchObject({ status: "RecoveryCatchUpWithIncompleteHistory", shard3: "ActiveSync" });
    n4.step({ type: "CaughtUp", epoch: 2, membership: "NewMember" });
    expect(value(n4).status).toBe("RecoverMetadata");
  });
});
