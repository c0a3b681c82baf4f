/**
 * Every message of the write and read paths and every chain event, as one discriminated union on
 * `type`, with a checker of their shape for the handlers that receive them.
 *
 * Messages are plain JSON: bytes travel as {@link ByteRef}s to their BCS encoding (metadata as
 * `BlobMetadataWithId`, slivers as `SliverData`, symbols as `GeneralRecoverySymbol`), blob IDs in
 * their text form (URL-safe base64), so that a message is small and equal messages are equal
 * strings. Channels are authenticated: a message that speaks for a node carries its name in
 * `node`, and a Byzantine node can only send messages in its own name. Requests name in `from`
 * where the answer goes.
 *
 * | message                  | from → to          | Walrus                                                    |
 * | ------------------------ | ------------------ | --------------------------------------------------------- |
 * | `RegisterBlob`           | writer → chain     | `system::register_blob` (blob ID, size, root hash)        |
 * | `CertifyBlob`            | writer → chain     | `system::certify_blob` (the signers stand for the BLS aggregate) |
 * | `BlobRegistered`         | chain → all        | event `BlobRegistered`                                    |
 * | `BlobCertified`          | chain → all        | event `BlobCertified` (the point of availability)         |
 * | `BlobDeleted`            | chain → all        | event `BlobDeleted` (a deletable object deleted)          |
 * | `InvalidBlobID`          | chain → all        | event `InvalidBlobID`                                     |
 * | `StoreSliverPairs`       | writer → node      | `store_metadata` + `store_sliver` of every pair the node's shards hold |
 * | `StorageConfirmation`    | node → writer      | a signed `Confirmation(epoch, blob ID, persistence type)`, intent BLOB_CERT |
 * | `ReadRequest`/`Response` | reader ↔ node     | `/v1/blobs/{id}/metadata` and `/v1/blobs/{id}/slivers/{pair}/{axis}` for all the node's pairs, in one; `null` is ⊥ |
 * | `RecoverySymbolRequest`/`Response` | node ↔ node | the metadata and `/v1/blobs/{id}/recoverySymbols`: one symbol per (source sliver held, target); `null` is ⊥ |
 * | `VerifyInconsistencyProof` | node → node  | `/v1/blobs/{id}/inconsistencyProof/{axis}`                  |
 * | `InvalidBlobAttestation` | node → node      | its answer: a signed `InvalidBlobIdMsg`, intent INVALID_BLOB_ID |
 * | `InvalidateBlobId`       | node → chain      | `system::invalidate_blob_id` (the signers stand for the BLS aggregate) |
 * | `EpochChangeStart`/`Done`, `EpochParametersSelected`, `ShardsReceived` | chain → all | the epoch events |
 * | `ShardSyncRequest`/`Response` | node ↔ node | `sync_shard`: a gained shard's slivers of one axis, from its previous owner |
 * | `EpochSyncDone`          | node → chain      | `system::epoch_sync_done`                                  |
 * | `VotingEnd`, `InitiateEpochChange` | anyone → chain | `voting_end` (with the next committee's shard counts) and `initiate_epoch_change` |
 * | `ChallengeStart`/`End`   | chain → node      | the storage challenge's start (and, lightweight, its coin) and end (paper §5) |
 * | `ChallengeAck`, `ChallengeSymbols`, `ChallengeSignature` | node → node | the challenge's steps (paper §5) |
 * | `ChallengeCertificate`   | node → chain      | a node's certificate of 2f + 1 signatures (paper §5)       |
 *
 * A request for the metadata and a request for slivers or symbols are one message here, where the
 * implementation makes two calls: a node holds the metadata whenever it holds a sliver, so nothing
 * observable changes, and each read or recovery exchanges half the messages (which divides the
 * states the checker explores by about forty).
 *
 * Chain events carry the chain's sequence number: a node processes them in that order, whatever
 * order the network delivers them in (the chain reaches each node at its own pace).
 */

import type { Axis } from "./codec/slivers.js";
import { InvalidMessageError } from "./errors.js";
import { type ByteRef, isByteRef } from "./store.js";

/** A blob ID in its text form (43 characters of URL-safe base64). */
export type BlobIdText = string;
/** An actor's name: a storage node, the writer, a reader, the chain. */
export type ActorName = string;
/** A Sui object's ID (a `Blob` object's, in the blob lifecycle) as 0x-prefixed hex of its 32 bytes. */
export type ObjectIdText = string;

/** writer → chain: register the blob (the chain re-derives the blob ID from size and root hash). */
export interface RegisterBlob {
  readonly type: "RegisterBlob";
  readonly blobId: BlobIdText;
  readonly size: number;
  /** The Merkle root over the sliver pairs' hashes, 64 hex digits. */
  readonly rootHash: string;
}

/** writer → chain: certify the blob with confirmations of `signers` (node names) for `epoch`. */
export interface CertifyBlob {
  readonly type: "CertifyBlob";
  readonly blobId: BlobIdText;
  readonly epoch: number;
  readonly signers: readonly ActorName[];
}

/**
 * chain → everyone: a `Blob` object of the blob ID is registered (`objectId`), permanent or
 * deletable, living until `endEpoch` (exclusive) (`system/events.move`).
 */
export interface BlobRegistered {
  readonly type: "BlobRegistered";
  readonly seq: number;
  readonly epoch: number;
  readonly blobId: BlobIdText;
  readonly size: number;
  readonly endEpoch: number;
  readonly deletable: boolean;
  readonly objectId: ObjectIdText;
}

/**
 * chain → everyone: a `Blob` object is certified, the point of availability, or (`isExtension`)
 * extended to `endEpoch`; `epoch` is its first certification's.
 */
export interface BlobCertified {
  readonly type: "BlobCertified";
  readonly seq: number;
  readonly epoch: number;
  readonly blobId: BlobIdText;
  readonly endEpoch: number;
  readonly deletable: boolean;
  readonly objectId: ObjectIdText;
  readonly isExtension: boolean;
}

/** chain → everyone: a deletable `Blob` object is deleted (`wasCertified`: it had been certified). */
export interface BlobDeleted {
  readonly type: "BlobDeleted";
  readonly seq: number;
  readonly epoch: number;
  readonly blobId: BlobIdText;
  readonly endEpoch: number;
  readonly objectId: ObjectIdText;
  readonly wasCertified: boolean;
}

/** chain → everyone: the blob ID is invalid (an inconsistency proof was attested). */
export interface InvalidBlobID {
  readonly type: "InvalidBlobID";
  readonly seq: number;
  readonly epoch: number;
  readonly blobId: BlobIdText;
}

/** A chain event as nodes, writers and readers receive it. */
export type ChainEvent = BlobRegistered | BlobCertified | BlobDeleted | InvalidBlobID;

/** The slivers of one pair, as references to their `SliverData` bytes. */
export interface SliverPairRefs {
  readonly pair: number;
  readonly primary: ByteRef;
  readonly secondary: ByteRef;
}

/**
 * writer → node: the metadata and the sliver pairs of every shard the node holds, and the
 * confirmation asked for: of the deletable object `object`, or (null) of a permanent blob (the
 * `/confirmation/deletable/{object_id}` and `/confirmation/permanent` routes).
 */
export interface StoreSliverPairs {
  readonly type: "StoreSliverPairs";
  /** The writer, to whom the node sends its confirmation. */
  readonly from: ActorName;
  readonly blobId: BlobIdText;
  readonly object: ObjectIdText | null;
  /** `BlobMetadataWithId` bytes. */
  readonly metadata: ByteRef;
  readonly pairs: readonly SliverPairRefs[];
}

/**
 * node → writer: the node stores the slivers of all its `shards` for the blob in `epoch`; signed for
 * the deletable object `object`, or (null) for a permanent blob (`BlobPersistenceType`, spec/bcs.ts).
 */
export interface StorageConfirmation {
  readonly type: "StorageConfirmation";
  readonly node: ActorName;
  readonly epoch: number;
  readonly blobId: BlobIdText;
  readonly object: ObjectIdText | null;
  readonly shards: readonly number[];
}

/** reader → node: the metadata and the slivers of `axis` of every pair the node holds. */
export interface ReadRequest {
  readonly type: "ReadRequest";
  readonly from: ActorName;
  readonly blobId: BlobIdText;
  readonly axis: Axis;
}

/** node → reader: the metadata (`BlobMetadataWithId` bytes) and `SliverData` bytes of the slivers, or ⊥. */
export interface ReadResponse {
  readonly type: "ReadResponse";
  readonly node: ActorName;
  readonly blobId: BlobIdText;
  readonly axis: Axis;
  readonly metadata: ByteRef | null;
  readonly slivers: readonly ByteRef[] | null;
}

/**
 * node → node: recovery symbols for the node's missing slivers — `primary` and `secondary` list
 * their sliver indices on each axis — and the metadata they verify against.
 */
export interface RecoverySymbolRequest {
  readonly type: "RecoverySymbolRequest";
  readonly from: ActorName;
  readonly blobId: BlobIdText;
  readonly primary: readonly number[];
  readonly secondary: readonly number[];
}

/**
 * node → node: the metadata and `GeneralRecoverySymbol` bytes, one per (source sliver held,
 * target), or ⊥. A node answers each axis of a request once it holds the slivers of the other
 * axis, so one request may be answered by two responses.
 */
export interface RecoverySymbolResponse {
  readonly type: "RecoverySymbolResponse";
  readonly node: ActorName;
  readonly blobId: BlobIdText;
  readonly metadata: ByteRef | null;
  readonly symbols: readonly ByteRef[] | null;
}

/** node → node: an inconsistency proof for the blob, to verify and, if valid, attest. */
export interface VerifyInconsistencyProof {
  readonly type: "VerifyInconsistencyProof";
  readonly from: ActorName;
  readonly blobId: BlobIdText;
  /** Axis of the sliver the proof is about (it is not in the proof's bytes). */
  readonly axis: Axis;
  /** `InconsistencyProof` bytes. */
  readonly proof: ByteRef;
}

/** node → node: a signed `InvalidBlobIdMsg(epoch, blob ID)` (intent INVALID_BLOB_ID), for the node's shards. */
export interface InvalidBlobAttestation {
  readonly type: "InvalidBlobAttestation";
  readonly node: ActorName;
  readonly epoch: number;
  readonly blobId: BlobIdText;
}

/** node → chain: invalidate the blob ID with the attestations of `signers` for `epoch`. */
export interface InvalidateBlobId {
  readonly type: "InvalidateBlobId";
  readonly blobId: BlobIdText;
  readonly epoch: number;
  readonly signers: readonly ActorName[];
}

// --- epoch changes (paper §6) ---

/** chain → everyone: the change to `epoch` starts (`EpochChangeStart`). */
export interface EpochChangeStart {
  readonly type: "EpochChangeStart";
  readonly seq: number;
  readonly epoch: number;
}

/** chain → everyone: the change to `epoch` is done (`EpochChangeDone`). */
export interface EpochChangeDone {
  readonly type: "EpochChangeDone";
  readonly seq: number;
  readonly epoch: number;
}

/** chain → everyone: the next committee is chosen (`EpochParametersSelected`). */
export interface EpochParametersSelected {
  readonly type: "EpochParametersSelected";
  readonly seq: number;
  readonly nextEpoch: number;
}

/** chain → everyone: nodes that called `epoch_sync_done` received these shards (`ShardsReceived`). */
export interface ShardsReceived {
  readonly type: "ShardsReceived";
  readonly seq: number;
  readonly epoch: number;
  readonly shards: readonly number[];
}

/** The chain's epoch events as nodes, writers and readers receive them. */
export type EpochEvent = EpochChangeStart | EpochChangeDone | EpochParametersSelected | ShardsReceived;

/** node → previous owner: `sync_shard`, every sliver of `axis` of the shard for blobs certified before `epoch`. */
export interface ShardSyncRequest {
  readonly type: "ShardSyncRequest";
  readonly from: ActorName;
  readonly shard: number;
  readonly axis: Axis;
  readonly epoch: number;
}

/** A blob's sliver in a shard sync answer, with the blob's metadata. */
export interface SyncedSliver {
  readonly blobId: BlobIdText;
  readonly metadata: ByteRef;
  readonly sliver: ByteRef;
}

/** previous owner → node: the slivers asked for, by blob ID; `null`: refused (not the shard's owner, wrong epoch). */
export interface ShardSyncResponse {
  readonly type: "ShardSyncResponse";
  readonly node: ActorName;
  readonly shard: number;
  readonly axis: Axis;
  readonly epoch: number;
  readonly slivers: readonly SyncedSliver[] | null;
}

/** How many shards a node of the next committee gets (the apportionment by stake, which is not modelled). */
export interface ShardCount {
  readonly name: ActorName;
  readonly shards: number;
}

/** anyone → chain: `voting_end`, with the shard counts the apportionment gives the next committee. */
export interface VotingEnd {
  readonly type: "VotingEnd";
  readonly counts: readonly ShardCount[];
}

/** anyone → chain: `initiate_epoch_change`. */
export interface InitiateEpochChange {
  readonly type: "InitiateEpochChange";
}

/** node → chain: `epoch_sync_done(cap, epoch)`: the node holds all its shards of `epoch`. */
export interface EpochSyncDone {
  readonly type: "EpochSyncDone";
  readonly node: ActorName;
  readonly epoch: number;
}

// --- the storage challenge (paper §5) ---

/** chain → node: the challenge starts; the lightweight variant names a coin (its seed) and the blobs challenged per node. */
export interface ChallengeStart {
  readonly type: "ChallengeStart";
  readonly seq: number;
  readonly epoch: number;
  readonly coin?: number;
  readonly challenged?: number;
}

/** chain → node: the challenge ended. */
export interface ChallengeEnd {
  readonly type: "ChallengeEnd";
  readonly seq: number;
  readonly epoch: number;
}

/** node → node: the sender is in challenge mode. */
export interface ChallengeAck {
  readonly type: "ChallengeAck";
  readonly node: ActorName;
}

/** node → node: the symbols the sender shares with the receiver, of one blob, with their openings. */
export interface ChallengeSymbols {
  readonly type: "ChallengeSymbols";
  readonly node: ActorName;
  readonly blobId: BlobIdText;
  readonly symbols: readonly ByteRef[];
}

/** node → node: the sender verified `for`'s symbols of every blob challenged of it, and signs. */
export interface ChallengeSignature {
  readonly type: "ChallengeSignature";
  readonly node: ActorName;
  readonly for: ActorName;
}

/** node → chain: a certificate that `node` answered the challenge, signed by `signers`. */
export interface ChallengeCertificate {
  readonly type: "ChallengeCertificate";
  readonly node: ActorName;
  readonly signers: readonly ActorName[];
}

/** Every message of the protocol. */
export type ProtocolMessage =
  | RegisterBlob
  | CertifyBlob
  | ChainEvent
  | StoreSliverPairs
  | StorageConfirmation
  | ReadRequest
  | ReadResponse
  | RecoverySymbolRequest
  | RecoverySymbolResponse
  | VerifyInconsistencyProof
  | InvalidBlobAttestation
  | InvalidateBlobId
  | EpochEvent
  | ShardSyncRequest
  | ShardSyncResponse
  | EpochSyncDone
  | VotingEnd
  | InitiateEpochChange
  | ChallengeStart
  | ChallengeEnd
  | ChallengeAck
  | ChallengeSymbols
  | ChallengeSignature
  | ChallengeCertificate;

/** The message of type `T`. */
export type MessageOf<T extends ProtocolMessage["type"]> = Extract<ProtocolMessage, { type: T }>;

// --- shape checking ---

type FieldKind =
  | "name"
  | "blobId"
  | "objectId"
  | "objectIdOrNull"
  | "bool"
  | "nat"
  | "hash"
  | "ref"
  | "refOrNull"
  | "refsOrNull"
  | "refs"
  | "axis"
  | "names"
  | "nats"
  | "pairs"
  | "syncedSlivers"
  | "optionalNat"
  | "shardCounts";

const FIELDS: { readonly [T in ProtocolMessage["type"]]: Readonly<Record<string, FieldKind>> } = {
  RegisterBlob: { blobId: "blobId", size: "nat", rootHash: "hash" },
  CertifyBlob: { blobId: "blobId", epoch: "nat", signers: "names" },
  BlobRegistered: {
    seq: "nat",
    epoch: "nat",
    blobId: "blobId",
    size: "nat",
    endEpoch: "nat",
    deletable: "bool",
    objectId: "objectId",
  },
  BlobCertified: {
    seq: "nat",
    epoch: "nat",
    blobId: "blobId",
    endEpoch: "nat",
    deletable: "bool",
    objectId: "objectId",
    isExtension: "bool",
  },
  BlobDeleted: {
    seq: "nat",
    epoch: "nat",
    blobId: "blobId",
    endEpoch: "nat",
    objectId: "objectId",
    wasCertified: "bool",
  },
  InvalidBlobID: { seq: "nat", epoch: "nat", blobId: "blobId" },
  StoreSliverPairs: { from: "name", blobId: "blobId", object: "objectIdOrNull", metadata: "ref", pairs: "pairs" },
  StorageConfirmation: { node: "name", epoch: "nat", blobId: "blobId", object: "objectIdOrNull", shards: "nats" },
  ReadRequest: { from: "name", blobId: "blobId", axis: "axis" },
  ReadResponse: { node: "name", blobId: "blobId", axis: "axis", metadata: "refOrNull", slivers: "refsOrNull" },
  RecoverySymbolRequest: { from: "name", blobId: "blobId", primary: "nats", secondary: "nats" },
  RecoverySymbolResponse: { node: "name", blobId: "blobId", metadata: "refOrNull", symbols: "refsOrNull" },
  VerifyInconsistencyProof: { from: "name", blobId: "blobId", axis: "axis", proof: "ref" },
  InvalidBlobAttestation: { node: "name", epoch: "nat", blobId: "blobId" },
  InvalidateBlobId: { blobId: "blobId", epoch: "nat", signers: "names" },
  EpochChangeStart: { seq: "nat", epoch: "nat" },
  EpochChangeDone: { seq: "nat", epoch: "nat" },
  EpochParametersSelected: { seq: "nat", nextEpoch: "nat" },
  ShardsReceived: { seq: "nat", epoch: "nat", shards: "nats" },
  ShardSyncRequest: { from: "name", shard: "nat", axis: "axis", epoch: "nat" },
  ShardSyncResponse: { node: "name", shard: "nat", axis: "axis", epoch: "nat", slivers: "syncedSlivers" },
  EpochSyncDone: { node: "name", epoch: "nat" },
  VotingEnd: { counts: "shardCounts" },
  InitiateEpochChange: {},
  ChallengeStart: { seq: "nat", epoch: "nat", coin: "optionalNat", challenged: "optionalNat" },
  ChallengeEnd: { seq: "nat", epoch: "nat" },
  ChallengeAck: { node: "name" },
  ChallengeSymbols: { node: "name", blobId: "blobId", symbols: "refs" },
  ChallengeSignature: { node: "name", for: "name" },
  ChallengeCertificate: { node: "name", signers: "names" },
};

const BLOB_ID_TEXT = /^[A-Za-z0-9_-]{43}$/;
const HASH_HEX = /^[0-9a-f]{64}$/;
const OBJECT_ID_HEX = /^0x[0-9a-f]{64}$/;

const isNat = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const isName = (value: unknown) => typeof value === "string" && value.length > 0;

/** An array of records with exactly these fields, each passing its check. */
function recordsOf(value: unknown, fields: Readonly<Record<string, (field: unknown) => boolean>>): boolean {
  const names = Object.keys(fields);
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        typeof entry === "object" &&
        entry !== null &&
        Object.keys(entry).length === names.length &&
        names.every((name) => fields[name](entry[name])),
    )
  );
}

function fieldOk(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case "name":
      return isName(value);
    case "blobId":
      return typeof value === "string" && BLOB_ID_TEXT.test(value);
    case "objectId":
      return typeof value === "string" && OBJECT_ID_HEX.test(value);
    case "objectIdOrNull":
      return value === null || (typeof value === "string" && OBJECT_ID_HEX.test(value));
    case "bool":
      return typeof value === "boolean";
    case "nat":
      return isNat(value);
    case "hash":
      return typeof value === "string" && HASH_HEX.test(value);
    case "ref":
      return isByteRef(value);
    case "refOrNull":
      return value === null || isByteRef(value);
    case "refsOrNull":
      return value === null || (Array.isArray(value) && value.every(isByteRef));
    case "refs":
      return Array.isArray(value) && value.every(isByteRef);
    case "optionalNat":
      return value === undefined || isNat(value);
    case "syncedSlivers":
      return (
        value === null ||
        recordsOf(value, {
          blobId: (id) => typeof id === "string" && BLOB_ID_TEXT.test(id),
          metadata: isByteRef,
          sliver: isByteRef,
        })
      );
    case "axis":
      return value === "primary" || value === "secondary";
    case "names":
      return Array.isArray(value) && value.every(isName);
    case "nats":
      return Array.isArray(value) && value.every(isNat);
    case "shardCounts":
      return recordsOf(value, { name: isName, shards: isNat });
    case "pairs":
      return recordsOf(value, { pair: isNat, primary: isByteRef, secondary: isByteRef });
  }
}

/**
 * Checks that `value` is a well-formed protocol message: a known `type`, exactly that type's
 * fields, each of the right kind. Throws {@link InvalidMessageError} naming the first problem.
 */
export function checkMessage(value: unknown): ProtocolMessage {
  if (typeof value !== "object" || value === null) throw new InvalidMessageError("a message must be an object");
  const { type, ...fields } = value as Record<string, unknown>;
  if (typeof type !== "string" || !Object.hasOwn(FIELDS, type)) {
    throw new InvalidMessageError(`unknown message type ${JSON.stringify(type)}`);
  }
  const schema = FIELDS[type as ProtocolMessage["type"]];
  for (const [name, kind] of Object.entries(schema)) {
    if (!fieldOk(kind, fields[name])) {
      throw new InvalidMessageError(`${type}: field ${name} must be ${kind}, got ${JSON.stringify(fields[name])}`);
    }
  }
  const extra = Object.keys(fields).filter((name) => !Object.hasOwn(schema, name));
  if (extra.length > 0) throw new InvalidMessageError(`${type}: unexpected field ${extra.join(", ")}`);
  return value as ProtocolMessage;
}

/** Whether `value` is a well-formed message of type `type`. */
export function isMessage<T extends ProtocolMessage["type"]>(value: unknown, type: T): value is MessageOf<T> {
  try {
    return checkMessage(value).type === type;
  } catch {
    return false;
  }
}
