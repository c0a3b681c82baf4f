/**
 * One blob written and read, over the real codec: the chain, the writer, the storage nodes and the
 * readers are the machines of machines/, exchanging the messages of spec/messages.ts. The blob is
 * encoded once, when the model is built (spec/ `encodeBlob`, or `encodeInconsistently` for a
 * malicious writer); every sliver, symbol and proof in a state is a reference to real bytes.
 *
 * Configuration: n shards over the nodes (default four nodes of one shard: n = 4, f = 1), a blob of
 * 41 bytes (six source symbols of 8 bytes at n = 4), an unordered reliable network. A reader
 * starts when it sees the blob certified (after the point of availability, where the paper's
 * validity and the docs' availability speak), racing the nodes that still recover; with `start:
 * "immediately"` it races the whole write; a `lateReader` looks the blob up after the chain
 * invalidated it. Without a reader (`reader: false`) the model is the write alone, where write
 * completeness is checked.
 *
 * Faults, within the adversary's budget (f shards unless told otherwise): nodes that may crash at
 * any point; or nodes Byzantine from the start, which send nothing but what their menu holds (the
 * behaviours of `BYZANTINE_BEHAVIOURS`, models/faults.ts). Withholding — sending nothing at all —
 * is what a Byzantine node does when it sends nothing from its menu, so every Byzantine model
 * includes it. The menus are in flight from the start (the checker's `menuInFlight`): a Byzantine
 * message is never consumed, so when it goes out matters less than when it arrives, which the
 * network chooses.
 *
 * A malicious writer (`tamper`) commits to an inconsistent encoding and may withhold its upload
 * from some nodes (`withholdFrom`), so that they recover and meet the inconsistency.
 *
 * Where the exploration starts (`from`): at the `start`, or at the `pointOfAvailability`, where the
 * write has run along one schedule — each step the first action that changes the state, in the
 * checker's order (oldest message first, then the environment's choices, and only when no correct
 * actor can move a Byzantine node's message to the writer; no crash, nothing delivered to a
 * reader) — until the writer sees its blob certified. The second explores what happens after the
 * point of availability (self-healing, invalidation, reads, the adversary's other messages) in
 * every order, without the interleavings of the write before it, which the models from the start
 * cover.
 *
 * What keeps the space finite: one blob; every request is answered once; each chain event is sent
 * once to each subscriber; a Byzantine message stays in flight (the checker's rule); what still
 * comes to a reader that has returned leaves the network (the checker's `dropToFinished`).
 */

import { ActorModel, type ActorModelSpec, type NetworkKind, type NetworkSpec } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { ActorModelAfterPrefix } from "../checker/prefix.js";
import {
  type Tampering,
  blobIdToString,
  encodeBlob,
  encodeInconsistently,
  encodeMetadataWithId,
  pairIndexOf,
} from "../spec/index.js";
import { putBytes } from "../spec/store.js";
import type { ValidityRule } from "../spec/params.js";
import { BYZANTINE_BEHAVIOURS, type ByzantineBehaviour, adversaryOf, codecChecked, writeReadMenu } from "./faults.js";
import { createChainMachine, type Subscriber } from "../machines/chain.js";
import { pairOfShard, putSliver } from "../machines/codec.js";
import { CHAIN, type Committee, type CommitteeMember } from "../machines/committee.js";
import { readerMachine, type ReaderInput } from "../machines/reader.js";
import { storageNodeMachine } from "../machines/node/index.js";
import { writerMachine, type WriterInput } from "../machines/writer.js";
import { type WriteReadLayout, writeReadProperties } from "../properties/write-read.js";

export { BYZANTINE_BEHAVIOURS, type ByzantineBehaviour } from "./faults.js";

export interface WriteReadOptions {
  /** The blob (default {@link DEFAULT_BLOB}). */
  readonly blob?: Uint8Array;
  /** Shards of each node (its length is the number of nodes); default four nodes of one shard. */
  readonly shards?: readonly number[];
  /**
   * The reader's axis (default `primary`), consistency check (default `default`) and start
   * (default `afterCertification`); `false`: no reader, a model of the write alone.
   */
  readonly reader?: Partial<Pick<ReaderInput, "axis" | "consistency" | "start">> | false;
  /** Readers (default 1); each as `reader` describes. */
  readonly readers?: number;
  /**
   * One more reader, who looks the blob up after the chain invalidated it (it sees only
   * `InvalidBlobID`, as a client that checks the blob's status first), beside those that race.
   */
  readonly lateReader?: boolean;
  /**
   * A malicious writer: it alters these slivers and commits to them (spec/ `encodeInconsistently`),
   * an encoding whose slivers each match the metadata but that is not one codeword.
   */
  readonly tamper?: Tampering;
  /**
   * Attestations a node collects before asking the chain to invalidate: `validity` (the least the
   * contract accepts, 3w ≥ n + 1; default) or `quorum` (n − f, the implementation's node).
   */
  readonly invalidationAttestations?: "validity" | "quorum";
  /**
   * The rule by which the chain's `invalidate_blob_id` takes attestations to include a correct
   * node: `contract` (3w ≥ n + 1, `includes_one_correct_node`; default) or `paper` (f + 1).
   */
  readonly validity?: ValidityRule;
  /** Nodes (by index) the writer never uploads to: a malicious writer's choice. */
  readonly withholdFrom?: readonly number[];

  /**
   * Whether the chain has `invalidate_blob_id`. Default: yes, except in a model of an honest
   * writer's blob with readers, which checks the reads (see machines/chain.ts); the models of the
   * write alone keep it and check encoding protection.
   */
  readonly invalidation?: boolean;
  /** Nodes (by index) that may crash at any point. */
  readonly crash?: readonly number[];
  /** Byzantine nodes (by index) and what each may send. */
  readonly byzantine?: { readonly nodes: readonly number[]; readonly behaviours: readonly ByzantineBehaviour[] };
  /** The adversary's budget in shards; default f. */
  readonly budget?: number;
  readonly network?: NetworkKind | NetworkSpec;
  /** Where the exploration starts (default `start`); see the header. */
  readonly from?: "start" | "pointOfAvailability";
  /**
   * Also check write completeness and what correct nodes store at the point of availability (the
   * models of the write alone do; those with readers check the reads).
   */
  readonly nodeProperties?: boolean;
}

/** The default blob: 41 bytes, six source symbols of 8 bytes at n = 4. */
export const DEFAULT_BLOB: Uint8Array = new TextEncoder().encode("Walrus: one blob, written once, read back");

const WRITER = "writer";
const READER = "reader";

/** The write-read model. */
export function writeRead(options: WriteReadOptions = {}): ActorModel {
  const shardCounts = options.shards ?? [1, 1, 1, 1];
  const n = shardCounts.reduce((a, b) => a + b, 0);
  if (shardCounts.some((s) => !Number.isInteger(s) || s < 1) || n < 4 || shardCounts.length > 12) {
    throw new ModelError("write-read: 1 to 12 nodes of at least one shard each, and at least 4 shards");
  }
  const names = shardCounts.map((_, i) => `N${i}`);
  const nodeName = (i: number) => {
    if (!(Number.isInteger(i) && i >= 0 && i < names.length)) throw new ModelError(`write-read: no node ${i}`);
    return names[i];
  };
  let nextShard = 0;
  const committee: Committee = {
    epoch: 1,
    nShards: n,
    members: shardCounts.map((count, i) => ({
      name: names[i],
      shards: Array.from({ length: count }, () => nextShard++),
    })),
  };

  // The blob, encoded with the real codec (inconsistently, by a malicious writer).
  const blob = options.blob ?? DEFAULT_BLOB;
  const encoded = codecChecked("write-read", "the blob's encoding", () =>
    options.tamper ? encodeInconsistently(blob, n, options.tamper) : encodeBlob(blob, n),
  );
  const blobId = blobIdToString(encoded.blobId);
  const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
  const writerInput: WriterInput = {
    name: WRITER,
    committee,
    blobId,
    size: blob.length,
    rootHash: Buffer.from(encoded.rootHash).toString("hex"),
    metadata,
    primary: encoded.primarySlivers.map(putSliver),
    secondary: encoded.secondarySlivers.map(putSliver),
  };
  const readerOptions = options.reader === false ? undefined : (options.reader ?? {});
  const readerCount = readerOptions ? (options.readers ?? 1) : 0;
  if (!Number.isInteger(readerCount) || readerCount < 0 || readerCount > 4) {
    throw new ModelError("write-read: readers must be a count from 0 to 4");
  }
  for (const [option, value, allowed] of [
    ["validity", options.validity, ["contract", "paper"]],
    ["invalidationAttestations", options.invalidationAttestations, ["validity", "quorum"]],
  ] as const) {
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      throw new ModelError(`write-read: ${option} must be one of ${allowed.join(", ")}, got ${JSON.stringify(value)}`);
    }
  }
  const from = options.from ?? "start";
  if (from === "pointOfAvailability" && readerOptions?.start === "immediately") {
    throw new ModelError("write-read: a reader that races the write needs the exploration to start with the write");
  }
  const late = readerOptions !== undefined && options.lateReader === true;
  const allReaders = readerCount + (late ? 1 : 0);
  const readers = Array.from({ length: allReaders }, (_, i) => (allReaders === 1 ? READER : `${READER}${i + 1}`));
  const lateReader = late ? readers[readers.length - 1] : undefined;
  const readerInput = (name: string): ReaderInput => ({
    name,
    committee,
    blobId,
    axis: readerOptions?.axis ?? "primary",
    consistency: readerOptions?.consistency ?? "default",
    start: readerOptions?.start ?? "afterCertification",
  });
  const axis = readerOptions?.axis ?? "primary";

  // The Byzantine nodes' menus: real messages in their own names, with real (or really corrupted) bytes.
  const byzantine = options.byzantine;
  const byzantineNames = (byzantine?.nodes ?? []).map(nodeName);
  for (const behaviour of byzantine?.behaviours ?? []) {
    if (!BYZANTINE_BEHAVIOURS.includes(behaviour)) {
      throw new ModelError(`write-read: unknown Byzantine behaviour ${JSON.stringify(behaviour)}`);
    }
  }
  const menu = (node: number) =>
    writeReadMenu(
      { committee, blobId, encoded, metadata, axis, readers, writer: WRITER, byzantine: byzantineNames },
      committee.members[node] as CommitteeMember,
      byzantine?.behaviours ?? [],
    );
  const crash = (options.crash ?? []).map(nodeName);
  const withheld = new Set(options.withholdFrom ?? []);
  for (const i of withheld) nodeName(i);
  const uploadTargets = names.filter((_, i) => !withheld.has(i));
  if (options.tamper !== undefined && withheld.size > 0) {
    // Detection needs a node that recovers a tampered sliver: the withheld ones are those that
    // recover. Otherwise whether anyone meets the altered symbols depends on which ones a recovery
    // happens to use, and the detection properties would fail for the configuration's sake.
    const tampered = new Set(
      (["primary", "secondary"] as const).flatMap((axis) =>
        (options.tamper?.[axis] ?? []).map((index) => pairIndexOf(axis, index, n)),
      ),
    );
    const holders = committee.members
      .map((member, i) => (member.shards.some((shard) => tampered.has(pairOfShard(blobId, shard, n))) ? i : -1))
      .filter((i) => i >= 0);
    if (!holders.some((i) => withheld.has(i))) {
      throw new ModelError(
        `write-read: the writer withholds from ${[...withheld].map(nodeName).join(",")}, none of which holds a tampered sliver; withhold from one of ${holders.map(nodeName).join(",")}`,
      );
    }
  }
  const adversary = adversaryOf(
    n,
    { crash, byzantine: byzantineNames, ...(options.budget === undefined ? {} : { budget: options.budget }) },
    (name) => menu(names.indexOf(name)),
  );
  const invalidation =
    options.invalidation ??
    (options.tamper !== undefined || readers.length === 0 || (byzantine?.behaviours ?? []).includes("attestInvalid"));

  // Nodes see every chain event; the writer the effects of its transactions; the reader the certification.
  const subscribers: Subscriber[] = [
    { name: WRITER, events: ["BlobRegistered", "BlobCertified"] },
    ...names.map((name) => ({ name, events: ["BlobRegistered", "BlobCertified", "InvalidBlobID"] as const })),
    ...readers.map((name) => ({
      name,
      events: name === lateReader ? (["InvalidBlobID"] as const) : (["BlobCertified", "InvalidBlobID"] as const),
    })),
  ];
  const actors = [
    {
      name: CHAIN,
      machine: createChainMachine({ invalidation, validity: options.validity ?? "contract" }),
      input: { committee, subscribers },
      sendsTo: subscribers.map((s) => s.name),
    },
    {
      name: WRITER,
      machine: writerMachine,
      input: writerInput,
      internalEvents: uploadTargets.map((node) => ({ type: "Upload", node })),
      sendsTo: [CHAIN, ...names],
    },
    ...committee.members.map((member) => ({
      name: member.name,
      machine: storageNodeMachine,
      input: {
        name: member.name,
        committee,
        blobIds: [blobId],
        invalidationAttestations: options.invalidationAttestations ?? "validity",
      },
      shards: member.shards.length,
      sendsTo: [CHAIN, WRITER, ...readers, ...names.filter((name) => name !== member.name)],
    })),
    ...readers.map((name) => ({ name, machine: readerMachine, input: readerInput(name), sendsTo: names })),
  ];
  const layout: WriteReadLayout = {
    chain: CHAIN,
    writer: WRITER,
    readers,
    nodes: names,
    index: (name) => actors.findIndex((actor) => actor.name === name),
    committee,
    blob: putBytes(blob),
    honestWriter: options.tamper === undefined,
    invalidation,
  };
  const faults = [
    crash.length > 0 ? `crash ${crash.join(",")}` : "",
    byzantine ? `byzantine ${byzantineNames.join(",")}: ${byzantine.behaviours.join(", ")}` : "",
    options.tamper ? "malicious writer" : "",
    withheld.size > 0 ? `no upload to ${[...withheld].map(nodeName).join(",")}` : "",
    readerCount > 1 ? `${readerCount} readers` : "",
    late ? "a reader after the invalidation" : "",
    from === "pointOfAvailability" ? "from the point of availability" : "",
  ].filter(Boolean);
  const spec: ActorModelSpec = {
    name: `${readers.length > 0 ? "write-read" : "write"}(${shardCounts.join(",")}${faults.map((f) => `; ${f}`).join("")})`,
    network: options.network ?? "unordered",
    // A reader that has returned ignores what still comes to it.
    dropToFinished: true,
    actors,
    ...(adversary ? { adversary } : {}),
    properties: writeReadProperties(layout, { nodes: options.nodeProperties ?? false }),
  };
  if (from === "start") return new ActorModel(spec);
  // The write runs along one schedule to its point of availability (see the header): the correct
  // actors' steps first, nothing delivered to a reader, and the adversary's messages to the writer
  // only when nothing else moves.
  const writer = layout.index(WRITER);
  const readerIndices = new Set(readers.map(layout.index));
  const byzantineIndices = new Set(byzantineNames.map(layout.index));
  return new ActorModelAfterPrefix(spec, {
    goal: (view) => view.actors[writer].value === "certified",
    rank: (action, message) => {
      if (action.kind === "internal") return 0;
      if (message === undefined) return undefined;
      if (byzantineIndices.has(message.from)) return message.to === writer ? 1 : undefined;
      return readerIndices.has(message.to) ? undefined : 0;
    },
    failure: "the write does not reach its point of availability",
  });
}
