/**
 * Blob metadata: the per-pair sliver hashes, the root hash over them, and the checks a node or a
 * reader runs before trusting metadata (walrus-core `metadata.rs`: `BlobMetadataV1`,
 * `compute_root_hash`, `UnverifiedBlobMetadataWithId::verify`).
 *
 * - primary hash of pair p  = Merkle root of row p of the expanded n × n matrix (primary sliver p
 *   expanded with the secondary code);
 * - secondary hash of pair p = Merkle root of column n − 1 − p (secondary sliver n − 1 − p expanded
 *   with the primary code);
 * - root hash = Merkle root over n leaves, leaf p = primary hash ‖ secondary hash of pair p.
 */

import { InvalidMetadataError } from "../errors.js";
import { type EncodingParams, ENCODING_TYPE_RS2, encodingParams, maxBlobSize, symbolSizeFor } from "../params.js";
import { type Axis, pairIndexOf } from "../codec/slivers.js";
import { deriveBlobId } from "./blob-id.js";
import { DIGEST_LENGTH, type MerkleNode, equalBytes, merkleRoot, nodeBytes } from "./merkle.js";

/** The two sliver commitments of one pair (`SliverPairMetadata`). */
export interface SliverPairMetadata {
  readonly primaryHash: MerkleNode;
  readonly secondaryHash: MerkleNode;
}

/** `BlobMetadataV1`. */
export interface BlobMetadata {
  readonly encodingType: number;
  readonly unencodedLength: number;
  /** One entry per sliver pair, in pair order; n entries. */
  readonly hashes: readonly SliverPairMetadata[];
}

/** `BlobMetadataWithId`: what a node serves and a reader fetches. */
export interface BlobMetadataWithId {
  readonly blobId: Uint8Array;
  readonly metadata: BlobMetadata;
}

/** Metadata that passed {@link verifyMetadata}, with what it implies. */
export interface VerifiedMetadata extends BlobMetadataWithId {
  readonly params: EncodingParams;
  readonly symbolSize: number;
}

/** The Merkle root over the pairs' hashes. */
export function computeRootHash(hashes: readonly SliverPairMetadata[]): Uint8Array {
  return merkleRoot(
    hashes.map((pair) => {
      const leaf = new Uint8Array(2 * DIGEST_LENGTH);
      leaf.set(nodeBytes(pair.primaryHash), 0);
      leaf.set(nodeBytes(pair.secondaryHash), DIGEST_LENGTH);
      return leaf;
    }),
  );
}

/** The blob ID this metadata commits to. */
export function blobIdOfMetadata(metadata: BlobMetadata): Uint8Array {
  return deriveBlobId(computeRootHash(metadata.hashes), metadata.unencodedLength, metadata.encodingType);
}

/**
 * Checks metadata against its blob ID: RS2, n hashes (n taken from the metadata unless
 * `expectedShards` is given), a length that fits, and a recomputed blob ID equal to the claimed one.
 */
export function verifyMetadata(withId: BlobMetadataWithId, expectedShards?: number): VerifiedMetadata {
  const { metadata, blobId } = withId;
  if (metadata.encodingType !== ENCODING_TYPE_RS2) {
    throw new InvalidMetadataError(`unsupported encoding type ${metadata.encodingType}; only RS2 (1) is defined`);
  }
  const nShards = expectedShards ?? metadata.hashes.length;
  if (metadata.hashes.length !== nShards) {
    throw new InvalidMetadataError(
      `metadata has ${metadata.hashes.length} sliver pairs, the committee has ${nShards} shards`,
    );
  }
  let params: EncodingParams;
  try {
    params = encodingParams(nShards);
  } catch (error) {
    throw new InvalidMetadataError(`metadata for ${nShards} shards: ${(error as Error).message}`);
  }
  if (
    !Number.isSafeInteger(metadata.unencodedLength) ||
    metadata.unencodedLength < 0 ||
    metadata.unencodedLength > maxBlobSize(params)
  ) {
    throw new InvalidMetadataError(
      `unencoded length ${metadata.unencodedLength} exceeds the maximum ${maxBlobSize(params)} for ${nShards} shards`,
    );
  }
  if (!equalBytes(blobIdOfMetadata(metadata), blobId)) {
    throw new InvalidMetadataError("the metadata does not hash to the claimed blob ID");
  }
  return { blobId, metadata, params, symbolSize: symbolSizeFor(params, metadata.unencodedLength) };
}

/** The commitment (Merkle root of the expanded sliver) of sliver `sliverIndex` on `axis`. */
export function sliverCommitment(metadata: BlobMetadata, axis: Axis, sliverIndex: number): Uint8Array {
  const pair = metadata.hashes[pairIndexOf(axis, sliverIndex, metadata.hashes.length)];
  if (pair === undefined)
    throw new InvalidMetadataError(`no sliver ${sliverIndex} in metadata of ${metadata.hashes.length} pairs`);
  return nodeBytes(axis === "primary" ? pair.primaryHash : pair.secondaryHash);
}
