/**
 * Wire formats of RS2 in BCS, with @mysten/bcs (walrus-core serde derives; walrus-codec.md §7).
 *
 * | type                   | layout                                                                 |
 * |------------------------|------------------------------------------------------------------------|
 * | SliverData             | uleb len ‖ data ‖ u16 symbol size ‖ u16 sliver index                   |
 * | Node                   | 00 (empty) │ 01 ‖ 32 bytes                                             |
 * | BlobMetadataWithId     | 32-byte blob ID ‖ 00 (V1) ‖ 01 (RS2) ‖ u64 length ‖ uleb n ‖ n × 2 Node |
 * | DecodingSymbol         | u16 index ‖ uleb len ‖ data                                            |
 * | MerkleProof            | uleb count ‖ Node*                                                     |
 * | RecoverySymbol         | DecodingSymbol ‖ MerkleProof                                           |
 * | GeneralRecoverySymbol  | (00 primary │ 01 secondary) ‖ DecodingSymbol ‖ u16 target ‖ MerkleProof |
 * | Vec<GeneralRecov…>     | uleb count ‖ GeneralRecoverySymbol*  (a `/recoverySymbols` response)   |
 * | InconsistencyProof     | u16 target sliver index ‖ uleb count ‖ RecoverySymbol*                 |
 * | Confirmation           | 01 00 03 (BLOB_CERT intent) ‖ u32 epoch ‖ 32-byte blob ID ‖ 00 (Permanent) │ 01 ‖ 32-byte object ID (Deletable) |
 * | Confirmation, pre-#1147 | 01 00 03 ‖ u32 epoch ‖ 32-byte blob ID                               |
 *
 * Parsing is strict: every byte must be consumed, variants must exist, lengths must fit; anything
 * else is a {@link MalformedBcsError}.
 */

import { type BcsType, BcsReader, bcs } from "@mysten/bcs";
import { MalformedBcsError } from "./errors.js";
import type { BlobMetadata, BlobMetadataWithId, SliverPairMetadata } from "./commitments/metadata.js";
import { DIGEST_LENGTH, EMPTY_NODE, type MerkleNode, type MerkleProof, digestNode } from "./commitments/merkle.js";
import type { Axis, Sliver } from "./codec/slivers.js";
import type { InconsistencyProof, RecoverySymbol } from "./codec/recovery.js";

// --- schemas ---

const SymbolsBcs = bcs.struct("Symbols", { data: bcs.byteVector(), symbol_size: bcs.u16() });
/** `SliverData<A>`: a sliver on the wire and in the files of `walrus-spec encode`. */
export const SliverDataBcs = bcs.struct("SliverData", { symbols: SymbolsBcs, index: bcs.u16() });

const NodeBcs = bcs.enum("Node", { Empty: null, Digest: bcs.bytes(DIGEST_LENGTH) });
const EncodingTypeBcs = bcs.enum("EncodingType", { RedStuffRaptorQ: null, RS2: null });
const SliverPairMetadataBcs = bcs.struct("SliverPairMetadata", { primary_hash: NodeBcs, secondary_hash: NodeBcs });
const BlobMetadataV1Bcs = bcs.struct("BlobMetadataV1", {
  encoding_type: EncodingTypeBcs,
  unencoded_length: bcs.u64(),
  hashes: bcs.vector(SliverPairMetadataBcs),
});
/** `BlobMetadata` (the body of a metadata upload). */
export const BlobMetadataBcs = bcs.enum("BlobMetadata", { V1: BlobMetadataV1Bcs });
/** `BlobMetadataWithId` (what a node serves at `/v1/blobs/{id}/metadata`). */
export const BlobMetadataWithIdBcs = bcs.struct("BlobMetadataWithId", {
  blob_id: bcs.bytes(32),
  metadata: BlobMetadataBcs,
});

const MerkleProofBcs = bcs.struct("MerkleProof", { path: bcs.vector(NodeBcs) });
const DecodingSymbolBcs = bcs.struct("DecodingSymbol", { index: bcs.u16(), data: bcs.byteVector() });
const RecoverySymbolBcs = bcs.struct("RecoverySymbol", { symbol: DecodingSymbolBcs, proof: MerkleProofBcs });
const EitherDecodingSymbolBcs = bcs.enum("EitherDecodingSymbol", {
  Primary: DecodingSymbolBcs,
  Secondary: DecodingSymbolBcs,
});
/** `GeneralRecoverySymbol` (an element of `/v1/blobs/{id}/recoverySymbols`). */
export const GeneralRecoverySymbolBcs = bcs.struct("GeneralRecoverySymbol", {
  symbol: EitherDecodingSymbolBcs,
  target_index: bcs.u16(),
  proof: MerkleProofBcs,
});
/** `InconsistencyProof<A>` (the body of `/v1/blobs/{id}/inconsistencyProof/{axis}`). */
export const InconsistencyProofBcs = bcs.struct("InconsistencyProof", {
  target_sliver_index: bcs.u16(),
  recovery_symbols: bcs.vector(RecoverySymbolBcs),
});

/** Parses `bytes` as `type`, requiring that every byte is consumed. */
function parseStrict<T, I>(type: BcsType<T, I>, typeName: string, bytes: Uint8Array): T {
  if (!(bytes instanceof Uint8Array)) throw new MalformedBcsError(typeName, "input is not a byte array");
  const reader = new BcsReader(bytes);
  let value: T;
  try {
    value = type.read(reader);
  } catch (error) {
    throw new MalformedBcsError(typeName, describeReadError(error, bytes.length), { cause: error });
  }
  // The reader's position can pass the end when a length prefix points past it.
  const consumed = readerPosition(reader);
  if (consumed > bytes.length)
    throw new MalformedBcsError(typeName, `truncated: needs more than ${bytes.length} bytes`);
  if (consumed !== bytes.length) {
    throw new MalformedBcsError(typeName, `${bytes.length - consumed} trailing bytes after the value`);
  }
  return value;
}

function readerPosition(reader: BcsReader): number {
  return (reader as unknown as { bytePosition: number }).bytePosition;
}

function describeReadError(error: unknown, length: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RangeError || /out of bounds|Offset is outside|length/i.test(message)) {
    return `truncated or inconsistent length (input is ${length} bytes): ${message}`;
  }
  return message;
}

function toBytes(value: ArrayLike<number>): Uint8Array {
  return value instanceof Uint8Array ? value : Uint8Array.from(value);
}

// --- Node and proofs ---

type NodeValue = { Empty: true | null; Digest?: never } | { Digest: ArrayLike<number>; Empty?: never };

function nodeToBcs(node: MerkleNode): { Empty: null } | { Digest: Uint8Array } {
  return node.kind === "empty" ? { Empty: null } : { Digest: node.digest };
}

function nodeFromBcs(value: NodeValue): MerkleNode {
  return value.Digest !== undefined ? digestNode(toBytes(value.Digest)) : EMPTY_NODE;
}

function proofFromBcs(value: { path: NodeValue[] }): MerkleProof {
  return { path: value.path.map(nodeFromBcs) };
}

function proofToBcs(proof: MerkleProof) {
  return { path: proof.path.map(nodeToBcs) };
}

// --- slivers ---

/** BCS `SliverData` of a sliver (exactly the bytes @mysten/walrus-wasm writes into its buffers). */
export function encodeSliver(sliver: Sliver): Uint8Array {
  return SliverDataBcs.serialize({
    symbols: { data: sliver.data, symbol_size: sliver.symbolSize },
    index: sliver.index,
  }).toBytes();
}

/**
 * The BCS `SliverData` of a sliver as three parts: the length prefix, the sliver's own data (not
 * copied), and symbol size ‖ index. Concatenated they are {@link encodeSliver}'s bytes; a file
 * writer takes the parts as they are, where serializing hundreds of MiB of slivers byte by byte
 * through @mysten/bcs would cost more than a second.
 */
export function sliverBcsParts(sliver: Sliver): [Uint8Array, Uint8Array, Uint8Array] {
  const prefix: number[] = [];
  let length = sliver.data.length;
  do {
    prefix.push((length & 0x7f) | (length >= 0x80 ? 0x80 : 0));
    length = Math.floor(length / 128);
  } while (length > 0);
  const { symbolSize, index } = sliver;
  const suffix = new Uint8Array([symbolSize & 0xff, symbolSize >>> 8, index & 0xff, index >>> 8]);
  return [new Uint8Array(prefix), sliver.data, suffix];
}

/** Parses BCS `SliverData`; the axis is not on the wire and comes from the context. */
export function decodeSliver(bytes: Uint8Array, axis: Axis): Sliver {
  const value = parseStrict(SliverDataBcs, "SliverData", bytes);
  return { axis, index: value.index, symbolSize: value.symbols.symbol_size, data: toBytes(value.symbols.data) };
}

// --- metadata ---

function metadataToBcs(metadata: BlobMetadata) {
  return {
    V1: {
      encoding_type: metadata.encodingType === 1 ? { RS2: null } : { RedStuffRaptorQ: null },
      unencoded_length: BigInt(metadata.unencodedLength),
      hashes: metadata.hashes.map((pair) => ({
        primary_hash: nodeToBcs(pair.primaryHash),
        secondary_hash: nodeToBcs(pair.secondaryHash),
      })),
    },
  };
}

/** BCS `BlobMetadataWithId`. */
export function encodeMetadataWithId(withId: BlobMetadataWithId): Uint8Array {
  return BlobMetadataWithIdBcs.serialize({
    blob_id: withId.blobId,
    metadata: metadataToBcs(withId.metadata),
  }).toBytes();
}

/** BCS `BlobMetadata`. */
export function encodeMetadata(metadata: BlobMetadata): Uint8Array {
  return BlobMetadataBcs.serialize(metadataToBcs(metadata)).toBytes();
}

function metadataFromBcs(value: ReturnType<typeof BlobMetadataBcs.parse>, typeName: string): BlobMetadata {
  const v1 = value.V1;
  if (v1.encoding_type.$kind !== "RS2") {
    throw new MalformedBcsError(typeName, "encoding type 0 (RedStuffRaptorQ) is retired; only RS2 (1) is accepted");
  }
  const length = BigInt(v1.unencoded_length);
  if (length > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MalformedBcsError(typeName, `unencoded length ${length} is beyond any blob Walrus can encode`);
  }
  const hashes: SliverPairMetadata[] = v1.hashes.map((pair) => ({
    primaryHash: nodeFromBcs(pair.primary_hash as NodeValue),
    secondaryHash: nodeFromBcs(pair.secondary_hash as NodeValue),
  }));
  return { encodingType: 1, unencodedLength: Number(length), hashes };
}

/** Parses BCS `BlobMetadataWithId` (structure only: {@link "spec/commitments/metadata"!verifyMetadata} checks the blob ID). */
export function decodeMetadataWithId(bytes: Uint8Array): BlobMetadataWithId {
  const value = parseStrict(BlobMetadataWithIdBcs, "BlobMetadataWithId", bytes);
  return { blobId: toBytes(value.blob_id), metadata: metadataFromBcs(value.metadata, "BlobMetadataWithId") };
}

/** Parses BCS `BlobMetadata`. */
export function decodeMetadata(bytes: Uint8Array): BlobMetadata {
  return metadataFromBcs(parseStrict(BlobMetadataBcs, "BlobMetadata", bytes), "BlobMetadata");
}

// --- recovery symbols and inconsistency proofs ---

/**
 * `Vec<GeneralRecoverySymbol>`: the body a node answers `/v1/blobs/{id}/recoverySymbols` with
 * (walrus-service `routes::list_recovery_symbols`), one symbol per shard it serves from.
 */
const RecoverySymbolListBcs = bcs.vector(GeneralRecoverySymbolBcs);

function recoverySymbolToBcs(symbol: RecoverySymbol) {
  const decoding = { index: symbol.sourceIndex, data: symbol.data };
  return {
    symbol: symbol.target === "primary" ? { Primary: decoding } : { Secondary: decoding },
    target_index: symbol.targetIndex,
    proof: proofToBcs(symbol.proof),
  };
}

function recoverySymbolFromBcs(value: ReturnType<typeof GeneralRecoverySymbolBcs.parse>): RecoverySymbol {
  const either = value.symbol;
  const decoding = either.$kind === "Primary" ? either.Primary : either.Secondary;
  return {
    target: either.$kind === "Primary" ? "primary" : "secondary",
    sourceIndex: decoding.index,
    targetIndex: value.target_index,
    data: toBytes(decoding.data),
    proof: proofFromBcs(value.proof as { path: NodeValue[] }),
  };
}

/** BCS `GeneralRecoverySymbol`. */
export function encodeRecoverySymbol(symbol: RecoverySymbol): Uint8Array {
  return GeneralRecoverySymbolBcs.serialize(recoverySymbolToBcs(symbol)).toBytes();
}

/** Parses BCS `GeneralRecoverySymbol`. */
export function decodeRecoverySymbol(bytes: Uint8Array): RecoverySymbol {
  return recoverySymbolFromBcs(parseStrict(GeneralRecoverySymbolBcs, "GeneralRecoverySymbol", bytes));
}

/** BCS `Vec<GeneralRecoverySymbol>`: a node's answer to a recovery-symbol request. */
export function encodeRecoverySymbols(symbols: readonly RecoverySymbol[]): Uint8Array {
  return RecoverySymbolListBcs.serialize(symbols.map(recoverySymbolToBcs)).toBytes();
}

/** Parses BCS `Vec<GeneralRecoverySymbol>`. */
export function decodeRecoverySymbols(bytes: Uint8Array): RecoverySymbol[] {
  return parseStrict(RecoverySymbolListBcs, "Vec<GeneralRecoverySymbol>", bytes).map(recoverySymbolFromBcs);
}

/** BCS `InconsistencyProof<A>`; the axis is in the request path, not in the body. */
export function encodeInconsistencyProof(proof: InconsistencyProof): Uint8Array {
  return InconsistencyProofBcs.serialize({
    target_sliver_index: proof.targetIndex,
    recovery_symbols: proof.symbols.map((symbol) => ({
      symbol: { index: symbol.sourceIndex, data: symbol.data },
      proof: proofToBcs(symbol.proof),
    })),
  }).toBytes();
}

/** Parses BCS `InconsistencyProof<A>` for the sliver axis `axis`. */
export function decodeInconsistencyProof(bytes: Uint8Array, axis: Axis): InconsistencyProof {
  const value = parseStrict(InconsistencyProofBcs, "InconsistencyProof", bytes);
  return {
    axis,
    targetIndex: value.target_sliver_index,
    symbols: value.recovery_symbols.map((entry) => ({
      sourceIndex: entry.symbol.index,
      data: toBytes(entry.symbol.data),
      proof: proofFromBcs(entry.proof as { path: NodeValue[] }),
    })),
  };
}

// --- shard sync (epoch change, cooperative path) ---

/**
 * `SliverType` (= `Axis` in walrus-core `by_axis.rs`): the variant index alone.
 */
const SliverTypeBcs = bcs.enum("SliverType", { Primary: null, Secondary: null });

/**
 * `SyncShardRequest` (walrus-core `messages/sync_shard.rs`): a versioned enum whose only variant
 * `V1` asks for up to `sliver_count` slivers of one axis of a shard, from `starting_blob_id` on, of
 * the blobs certified before `epoch`. On the wire it is the content of a signed `ProtocolMessage`
 * (intent `SYNC_SHARD_MSG`), posted to `/v1/migrate/sync_shard`.
 */
export const SyncShardRequestBcs = bcs.enum("SyncShardRequest", {
  V1: bcs.struct("SyncShardRequestV1", {
    shard_index: bcs.u16(),
    sliver_type: SliverTypeBcs,
    starting_blob_id: bcs.bytes(32),
    sliver_count: bcs.u64(),
    epoch: bcs.u32(),
  }),
});

/** `Sliver` = `ByAxis<SliverData<Primary>, SliverData<Secondary>>`: the axis travels as the variant. */
const SliverByAxisBcs = bcs.enum("Sliver", { Primary: SliverDataBcs, Secondary: SliverDataBcs });

/**
 * `SyncShardResponse` (walrus-core `messages/sync_shard.rs`): `V1(Vec<(BlobId, Sliver)>)`, the
 * previous owner's answer to one {@link SyncShardRequest}, in blob-ID order.
 */
export const SyncShardResponseBcs = bcs.enum("SyncShardResponse", {
  V1: bcs.vector(bcs.tuple([bcs.bytes(32), SliverByAxisBcs])),
});

/** One page request of a shard sync. */
export interface SyncShardRequest {
  readonly shard: number;
  readonly axis: Axis;
  readonly startingBlobId: Uint8Array;
  /** At most 2^53 − 1 here; the wire allows any u64. */
  readonly sliverCount: number;
  /** The epoch the requester moves to: blobs certified before it are synced. */
  readonly epoch: number;
}

/** One entry of a shard-sync page: a blob and the shard's sliver of it. */
export interface SyncShardEntry {
  readonly blobId: Uint8Array;
  readonly sliver: Sliver;
}

/** BCS `SyncShardRequest` (the unsigned request; the signed envelope wraps these bytes). */
export function encodeSyncShardRequest(request: SyncShardRequest): Uint8Array {
  return SyncShardRequestBcs.serialize({
    V1: {
      shard_index: request.shard,
      sliver_type: request.axis === "primary" ? { Primary: null } : { Secondary: null },
      starting_blob_id: request.startingBlobId,
      sliver_count: BigInt(request.sliverCount),
      epoch: request.epoch,
    },
  }).toBytes();
}

/** Parses BCS `SyncShardRequest`; a count beyond 2^53 − 1 is rejected rather than rounded. */
export function decodeSyncShardRequest(bytes: Uint8Array): SyncShardRequest {
  const value = parseStrict(SyncShardRequestBcs, "SyncShardRequest", bytes).V1;
  const count = BigInt(value.sliver_count);
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new MalformedBcsError("SyncShardRequest", `sliver count ${count} is beyond 2^53 − 1`);
  }
  return {
    shard: value.shard_index,
    axis: value.sliver_type.$kind === "Primary" ? "primary" : "secondary",
    startingBlobId: toBytes(value.starting_blob_id),
    sliverCount: Number(count),
    epoch: value.epoch,
  };
}

/** BCS `SyncShardResponse`: what the previous owner of a shard sends for one page. */
export function encodeSyncShardResponse(entries: readonly SyncShardEntry[]): Uint8Array {
  return SyncShardResponseBcs.serialize({
    V1: entries.map(({ blobId, sliver }) => {
      const data = { symbols: { data: sliver.data, symbol_size: sliver.symbolSize }, index: sliver.index };
      return [blobId, sliver.axis === "primary" ? { Primary: data } : { Secondary: data }] as const;
    }),
  }).toBytes();
}

/**
 * Parses BCS `SyncShardResponse`. Structure only: whether the entries answer the request (axis,
 * order, the shard's sliver, the metadata) is for the requester to check.
 */
export function decodeSyncShardResponse(bytes: Uint8Array): SyncShardEntry[] {
  return parseStrict(SyncShardResponseBcs, "SyncShardResponse", bytes).V1.map(([blobId, sliver]) => {
    const axis: Axis = sliver.$kind === "Primary" ? "primary" : "secondary";
    const data = sliver.$kind === "Primary" ? sliver.Primary : sliver.Secondary;
    return {
      blobId: toBytes(blobId),
      sliver: { axis, index: data.index, symbolSize: data.symbols.symbol_size, data: toBytes(data.symbols.data) },
    };
  });
}

// --- storage confirmation (BLOB_CERT) ---

/**
 * How a confirmed blob persists (walrus-core `messages/storage_confirmation.rs`,
 * `BlobPersistenceType`): a permanent blob, or the deletable `Blob` object `objectId` (32 bytes),
 * whose ID the confirmation names since walrus PR #1333 (issue #1147: a certificate of a deleted
 * deletable object could certify a new object of the same blob ID).
 */
export type BlobPersistence =
  | { readonly kind: "permanent" }
  | { readonly kind: "deletable"; readonly objectId: Uint8Array };

/**
 * The signed message of a storage confirmation, in one of two formats: `current`, whose body is the
 * blob ID and its {@link BlobPersistence}; `pre-1147`, whose body is the blob ID alone (the format
 * before walrus PR #1333; its `persistence` is absent).
 */
export interface ConfirmationMessage {
  readonly epoch: number;
  readonly blobId: Uint8Array;
  readonly persistence?: BlobPersistence;
}

/** The two formats of the storage confirmation's body. */
export type ConfirmationFormat = "current" | "pre-1147";

/** The intent of a storage confirmation: `BLOB_CERT_MSG` (1), version 0, the storage app (3). */
export const BLOB_CERT_INTENT = { intent_type: 1, intent_version: 0, app_id: 3 } as const;

const IntentBcs = bcs.struct("Intent", { intent_type: bcs.u8(), intent_version: bcs.u8(), app_id: bcs.u8() });
const BlobPersistenceTypeBcs = bcs.enum("BlobPersistenceType", {
  Permanent: null,
  Deletable: bcs.struct("Deletable", { object_id: bcs.bytes(32) }),
});
/** `ProtocolMessage<StorageConfirmationBody>`: the intent, the epoch, then the blob ID and how it persists. */
export const ConfirmationBcs = bcs.struct("Confirmation", {
  intent: IntentBcs,
  epoch: bcs.u32(),
  blob_id: bcs.bytes(32),
  blob_type: BlobPersistenceTypeBcs,
});
/** The message before walrus PR #1333: the intent, the epoch and the blob ID alone. */
export const Pre1147ConfirmationBcs = bcs.struct("Pre1147Confirmation", {
  intent: IntentBcs,
  epoch: bcs.u32(),
  blob_id: bcs.bytes(32),
});

function checkedId(bytes: Uint8Array, what: string, typeName: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new MalformedBcsError(typeName, `${what} must be 32 bytes`);
  }
  return bytes;
}

/**
 * BCS of the confirmation message in `format`. The current format needs `persistence`; the
 * pre-#1147 format has no room for it and refuses one, so that a model cannot believe it signed
 * what the old message never said.
 */
export function encodeConfirmation(message: ConfirmationMessage, format: ConfirmationFormat = "current"): Uint8Array {
  const typeName = format === "current" ? "Confirmation" : "Pre1147Confirmation";
  if (!Number.isInteger(message.epoch) || message.epoch < 0 || message.epoch > 0xffff_ffff) {
    throw new MalformedBcsError(typeName, `epoch ${message.epoch} is not a u32`);
  }
  const blobId = checkedId(message.blobId, "the blob ID", typeName);
  const head = { intent: BLOB_CERT_INTENT, epoch: message.epoch, blob_id: blobId };
  if (format === "pre-1147") {
    if (message.persistence !== undefined) {
      throw new MalformedBcsError(typeName, "the format before walrus PR #1333 carries no persistence type");
    }
    return Pre1147ConfirmationBcs.serialize(head).toBytes();
  }
  const persistence = message.persistence;
  if (persistence === undefined) throw new MalformedBcsError(typeName, "a persistence type is required");
  const blobType =
    persistence.kind === "permanent"
      ? { Permanent: null }
      : { Deletable: { object_id: checkedId(persistence.objectId, "the object ID", typeName) } };
  return ConfirmationBcs.serialize({ ...head, blob_type: blobType }).toBytes();
}

/** Parses a confirmation message in `format`, strictly: the BLOB_CERT intent, no trailing byte. */
export function decodeConfirmation(bytes: Uint8Array, format: ConfirmationFormat = "current"): ConfirmationMessage {
  const typeName = format === "current" ? "Confirmation" : "Pre1147Confirmation";
  const value =
    format === "current"
      ? parseStrict(ConfirmationBcs, typeName, bytes)
      : parseStrict(Pre1147ConfirmationBcs, typeName, bytes);
  const { intent_type, intent_version, app_id } = value.intent;
  if (
    intent_type !== BLOB_CERT_INTENT.intent_type ||
    intent_version !== BLOB_CERT_INTENT.intent_version ||
    app_id !== BLOB_CERT_INTENT.app_id
  ) {
    throw new MalformedBcsError(
      typeName,
      `intent (${intent_type}, ${intent_version}, ${app_id}) is not BLOB_CERT (1, 0, 3)`,
    );
  }
  const head = { epoch: value.epoch, blobId: toBytes(value.blob_id) };
  if (!("blob_type" in value)) return head;
  const blobType = value.blob_type as { Deletable?: { object_id: ArrayLike<number> } };
  return {
    ...head,
    persistence:
      blobType.Deletable === undefined
        ? { kind: "permanent" }
        : { kind: "deletable", objectId: toBytes(blobType.Deletable.object_id) },
  };
}
