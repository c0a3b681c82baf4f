/**
 * Epoch changes while blobs are stored, written and read, over the real codec: the chain with its
 * epochs, the driver of the permissionless epoch calls, storage nodes through the change
 * (machines/node/, with its epoch regions), a writer whose write races the change and a reader whose read
 * does.
 *
 * Configuration (defaults: paper §6's smallest interesting case): n = 4 shards, four nodes of one
 * shard in epoch 1; one change to epoch 2 in which N3 leaves and N4 joins, so shard 3 moves from
 * N3 to N4 and the three others stay. A blob (`stored`) was certified in epoch 1 before the model
 * starts: every member of epoch 1 holds its slivers. A second blob (`write`) is written while the
 * change happens, and a reader (`read`) reads the stored blob at any point of it, from the
 * committee `read_committee` names as far as it has seen the chain.
 *
 * Faults, within f shards of each committee: the leaving node may crash at any point (the new
 * owner gives up the transfer and recovers the shard blob by blob), or be Byzantine, answering the
 * shard sync, reads and recovery requests with slivers and symbols whose proofs fail. The
 * environment may make a transfer give up at any time (`ShardSyncTimeout`, what a silent previous
 * owner causes), and, in the variant that shows the implementation's gap, make the filling of a
 * shard fail for good (`ShardSyncFails`).
 *
 * What keeps the space finite: the changes are listed (the driver makes them and stops); each
 * request is answered once; each chain event goes once to each subscriber; a Byzantine message
 * stays in flight (the checker's rule); what still comes to a reader that has returned leaves the
 * network.
 */

import { ActorModel, type ActorSpec, type NetworkKind } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import {
  type EncodedBlob,
  type Sliver,
  blobIdToString,
  encodeBlob,
  encodeInconsistently,
  encodeMetadataWithId,
  sliverIndexOf,
} from "../spec/index.js";
import { putBytes } from "../spec/store.js";
import { adversaryOf, codecChecked, epochChangeMenu } from "./faults.js";
import { createChainWithEpochsMachine, type ChainWithEpochsSubscriber } from "../machines/chain-with-epochs.js";
import { pairOfShard, putSliver } from "../machines/codec.js";
import { CHAIN, type Committee, type CommitteeMember } from "../machines/committee.js";
import { epochDriverMachine } from "../machines/epoch-driver.js";
import { type StoredBlob, createStorageNodeMachine } from "../machines/node/index.js";
import { type ShardCount, invalidShardCounts, transitionCommittee } from "../machines/shard-assignment.js";
import { writerMachine } from "../machines/writer.js";
import { type EpochChangeLayout, epochChangeProperties } from "../properties/epoch-change.js";
import { readerOnRead } from "./reader-actor.js";

export interface EpochChangeOptions {
  /** Shards of each node of the first committee (nodes N0, N1, …); default four nodes of one shard. */
  readonly shards?: readonly number[];
  /**
   * The shard counts of each next committee, by node name (new names join); default N3 → N4. None
   * (`[]`): the first committee keeps its shards, and the model checks its blobs without a change.
   */
  readonly changes?: readonly (readonly ShardCount[])[];
  /** The blob certified before the model starts, held by the first committee (default {@link STORED_BLOB}). */
  readonly stored?: Uint8Array;
  /** A blob written while the change happens; `false`: none. Default {@link WRITTEN_BLOB}. */
  readonly write?: Uint8Array | false;
  /**
   * The written blob comes from a malicious writer: the primary sliver N1 stores is inconsistent
   * with the others, and the writer withholds N1's upload, so that N1 recovers it, proves the
   * inconsistency and the committee invalidates the blob ID (paper §3.3) while the change runs.
   */
  readonly malicious?: boolean;
  /** A reader of the stored blob racing the change (default true). */
  readonly read?: boolean;
  /** Nodes that may crash at any point. */
  readonly crash?: readonly string[];
  /** Byzantine nodes: they answer shard syncs, reads and recovery requests with corrupted bytes. */
  readonly byzantine?: readonly string[];
  /** The adversary's budget in shards (default f). */
  readonly budget?: number;
  /** Whether a transfer may give up at any time (default true). */
  readonly timeouts?: boolean;
  /** Whether the filling of a shard may fail for good (default false). */
  readonly failures?: boolean;
  /** When nodes call `epoch_sync_done` (default `allShardsActive`). */
  readonly attestWhen?: "allShardsActive" | "noTaskRunning";
  readonly network?: NetworkKind;
  /**
   * Also check no write lost and attestation soundness (default: when there is no reader; the
   * models with a reader check the reads, the others what the nodes hold).
   */
  readonly nodeProperties?: boolean;
}

/** The blob stored before the change: 41 bytes, six source symbols of 8 bytes at n = 4. */
export const STORED_BLOB: Uint8Array = new TextEncoder().encode("Walrus: stored before the epoch changes..");
/** The blob written during the change. */
export const WRITTEN_BLOB: Uint8Array = new TextEncoder().encode("Walrus: written while the committee moves");

/** Default change: N3 leaves, N4 joins and takes shard 3. */
export const DEFAULT_CHANGE: readonly ShardCount[] = [
  { name: "N0", shards: 1 },
  { name: "N1", shards: 1 },
  { name: "N2", shards: 1 },
  { name: "N4", shards: 1 },
];

const WRITER = "writer";
const READER = "reader";
const DRIVER = "driver";

/** A blob encoded by `encode`, with its ID and metadata as the machines take them. */
function encodedWith(what: string, blob: Uint8Array, encode: () => EncodedBlob) {
  const result = codecChecked("epoch-change", what, encode);
  const metadata = putBytes(encodeMetadataWithId({ blobId: result.blobId, metadata: result.metadata }));
  return { ...result, blob, id: blobIdToString(result.blobId), metadataRef: metadata };
}

/** A blob encoded with the real codec. */
const encoded = (what: string, blob: Uint8Array, n: number) => encodedWith(what, blob, () => encodeBlob(blob, n));

/** The committees of every epoch: the first from `shards`, each next one by `transitionCommittee`. */
function committeesOf(shards: readonly number[], changes: readonly (readonly ShardCount[])[]): Committee[] {
  let next = 0;
  const first: Committee = {
    epoch: 1,
    nShards: shards.reduce((a, b) => a + b, 0),
    members: shards.map((count, i) => ({ name: `N${i}`, shards: Array.from({ length: count }, () => next++) })),
  };
  const committees = [first];
  for (const counts of changes) {
    const previous = committees[committees.length - 1];
    const problem = invalidShardCounts(previous, counts);
    if (problem !== null) throw new ModelError(`epoch-change: epoch ${previous.epoch + 1}: ${problem}`);
    committees.push(transitionCommittee(previous, counts));
  }
  return committees;
}

/**
 * The written blob encoded by a malicious writer: one primary sliver altered, the one stored by
 * the first committee's node `holder` (its pair depends on the blob ID, so each index is tried).
 */
function inconsistentFor(blob: Uint8Array, n: number, holder: CommitteeMember) {
  for (let index = 0; index < n; index++) {
    const result = encodeInconsistently(blob, n, { primary: [index] });
    const id = blobIdToString(result.blobId);
    if (holder.shards.some((shard) => sliverIndexOf("primary", pairOfShard(id, shard, n), n) === index)) return result;
  }
  throw new ModelError(`epoch-change: no primary sliver of ${holder.name} to make inconsistent`);
}

/** The epoch-change model. */
export function epochChange(options: EpochChangeOptions = {}): ActorModel {
  const shardCounts = options.shards ?? [1, 1, 1, 1];
  const n = shardCounts.reduce((a, b) => a + b, 0);
  if (shardCounts.some((s) => !Number.isInteger(s) || s < 1) || n < 4 || shardCounts.length > 12) {
    throw new ModelError("epoch-change: 1 to 12 nodes of at least one shard each, and at least 4 shards");
  }
  const changes = options.changes ?? [DEFAULT_CHANGE];
  if (changes.length > 3) throw new ModelError("epoch-change: 0 to 3 epoch changes");
  const committees = committeesOf(shardCounts, changes);
  const first = committees[0];
  const names = [...new Set(committees.flatMap((c) => c.members.map((m) => m.name)))].sort(
    (a, b) => Number(a.slice(1)) - Number(b.slice(1)) || (a < b ? -1 : 1),
  );
  const shardsOf = (name: string) =>
    Math.max(...committees.map((c) => c.members.find((m) => m.name === name)?.shards.length ?? 0));
  for (const name of [...(options.crash ?? []), ...(options.byzantine ?? [])]) {
    if (!names.includes(name)) throw new ModelError(`epoch-change: no node ${JSON.stringify(name)}`);
  }

  // The stored blob, held by every member of the first committee.
  const stored = encoded("the stored blob", options.stored ?? STORED_BLOB, n);
  const sliverOf = (shard: number, axis: "primary" | "secondary"): Sliver => {
    const index = sliverIndexOf(axis, pairOfShard(stored.id, shard, n), n);
    return (axis === "primary" ? stored.primarySlivers : stored.secondarySlivers)[index];
  };
  const storedAt = (name: string): StoredBlob[] => {
    const member = first.members.find((m) => m.name === name);
    return [
      {
        blobId: stored.id,
        certifiedEpoch: first.epoch,
        metadata: member ? stored.metadataRef : null,
        slivers: (member?.shards ?? []).map((shard) => ({
          shard,
          primary: putSliver(sliverOf(shard, "primary")),
          secondary: putSliver(sliverOf(shard, "secondary")),
        })),
      },
    ];
  };

  const malicious = options.malicious === true;
  if (malicious && options.write === false)
    throw new ModelError("epoch-change: a malicious writer needs a blob to write");
  /** The node the malicious writer withholds from: the one that finds the inconsistency. */
  const detector = first.members[1];
  const writtenBytes = options.write === false ? undefined : (options.write ?? WRITTEN_BLOB);
  const written =
    writtenBytes === undefined
      ? undefined
      : malicious
        ? encodedWith("the written blob", writtenBytes, () => inconsistentFor(writtenBytes, n, detector))
        : encoded("the written blob", writtenBytes, n);
  const read = options.read ?? true;

  // The Byzantine nodes' menus: answers whose bytes fail their proofs (models/faults.ts).
  const byzantine = options.byzantine ?? [];
  const faultContext = {
    committees,
    nodes: names,
    blobId: stored.id,
    encoded: stored,
    metadata: stored.metadataRef,
    reader: read ? READER : undefined,
  };
  const menu = (name: string) => epochChangeMenu(faultContext, name);
  const crash = options.crash ?? [];
  const adversary = adversaryOf(
    n,
    { crash, byzantine, ...(options.budget === undefined ? {} : { budget: options.budget }) },
    menu,
  );

  // Nodes follow what they act on; `EpochParametersSelected` and `ShardsReceived` change nothing at a node.
  const nodeEvents = [
    "BlobRegistered",
    "BlobCertified",
    ...(malicious ? (["InvalidBlobID"] as const) : []),
    "EpochChangeStart",
    "EpochChangeDone",
  ] as const;
  const subscribers: ChainWithEpochsSubscriber[] = [
    ...(changes.length > 0 ? [{ name: DRIVER, events: ["EpochParametersSelected", "EpochChangeDone"] as const }] : []),
    ...names.map((name) => ({ name, events: nodeEvents })),
    ...(written ? [{ name: WRITER, events: ["BlobRegistered", "BlobCertified", "EpochChangeStart"] as const }] : []),
    ...(read ? [{ name: READER, events: ["EpochChangeStart", "EpochChangeDone"] as const }] : []),
  ];
  const internal = [
    ...((options.timeouts ?? true) ? [{ type: "ShardSyncTimeout" }] : []),
    ...(options.failures ? [{ type: "ShardSyncFails" }] : []),
  ];
  const nodeMachine = createStorageNodeMachine({ blobs: written ? 2 : 1, epochs: { shards: n } });
  const actors: ActorSpec[] = [
    {
      name: CHAIN,
      machine: createChainWithEpochsMachine({ invalidation: malicious }),
      input: { committee: first, subscribers },
      sendsTo: subscribers.map((s) => s.name),
    },
    ...(changes.length > 0
      ? [{ name: DRIVER, machine: epochDriverMachine, input: { changes }, sendsTo: [CHAIN] }]
      : []),
    ...names.map((name) => ({
      name,
      machine: nodeMachine,
      input: {
        name,
        committee: first,
        committees,
        blobIds: [stored.id, ...(written ? [written.id] : [])],
        stored: storedAt(name),
        attestWhen: options.attestWhen ?? "allShardsActive",
      },
      shards: shardsOf(name),
      ...(internal.length > 0 ? { internalEvents: internal } : {}),
      sendsTo: [
        CHAIN,
        ...names.filter((other) => other !== name),
        ...(written ? [WRITER] : []),
        ...(read ? [READER] : []),
      ],
    })),
  ];
  if (written) {
    actors.push({
      name: WRITER,
      machine: writerMachine,
      input: {
        name: WRITER,
        committee: first,
        committees,
        blobId: written.id,
        size: written.blob.length,
        rootHash: Buffer.from(written.rootHash).toString("hex"),
        metadata: written.metadataRef,
        primary: written.primarySlivers.map(putSliver),
        secondary: written.secondarySlivers.map(putSliver),
      },
      internalEvents: names
        .filter((node) => !malicious || node !== detector.name)
        .map((node) => ({ type: "Upload", node })),
      sendsTo: [CHAIN, ...names],
    });
  }
  if (read) {
    actors.push(readerOnRead(READER, committees, stored.id, names));
  }
  const layout: EpochChangeLayout = {
    chain: CHAIN,
    nodes: names,
    writer: written ? WRITER : undefined,
    reader: read ? READER : undefined,
    index: (name) => actors.findIndex((actor) => actor.name === name),
    committees,
    stored: { blobId: stored.id, bytes: putBytes(stored.blob) },
    written: written ? written.id : undefined,
    maliciousWriter: malicious,
  };
  const faults = [
    crash.length > 0 ? `crash ${crash.join(",")}` : "",
    byzantine.length > 0 ? `byzantine ${byzantine.join(",")}` : "",
    options.failures ? "sync failures" : "",
    options.attestWhen === "noTaskRunning" ? "attest when no task runs" : "",
    malicious ? `malicious writer, no upload to ${detector.name}` : "",
  ].filter(Boolean);
  return new ActorModel({
    name: `epoch-change(${shardCounts.join(",")}; ${changes.length} change${changes.length === 1 ? "" : "s"}${faults.map((f) => `; ${f}`).join("")})`,
    network: options.network ?? "unordered",
    dropToFinished: true,
    actors,
    ...(adversary ? { adversary } : {}),
    properties: epochChangeProperties(layout, { nodes: options.nodeProperties ?? !read }),
  });
}
