/**
 * The blob ID and the rotation of sliver pairs to shards.
 *
 * - blob ID = BLAKE2b-256(encoding type ‖ u64_le(unencoded length) ‖ root hash), 41 bytes hashed
 *   (walrus-core `lib.rs::BlobId::new_with_hash_function`; Move `blob.move::derive_blob_id`, which
 *   hashes the BCS of `(u8, u64, u256)` — the same bytes);
 * - its text form is URL-safe base64 without padding, 43 characters;
 * - pair p is stored on shard (p + offset) mod n, offset = the blob ID read as a big-endian integer
 *   mod n (walrus-core `encoding/mapping.rs`, TS SDK `toShardIndex` / `toPairIndex`). The chain reads
 *   the same 32 bytes as a little-endian u256: the two readings differ and both are Walrus's.
 */

import { InvalidBlobIdError } from "../errors.js";
import { blake2b256 } from "../hash/blake2b.js";
import { ENCODING_TYPE_RS2 } from "../params.js";
import { DIGEST_LENGTH } from "./merkle.js";

/** Bytes in a blob ID. */
export const BLOB_ID_LENGTH = 32;

/** The blob ID committed to by `rootHash` for a blob of `unencodedLength` bytes. */
export function deriveBlobId(
  rootHash: Uint8Array,
  unencodedLength: number,
  encodingType = ENCODING_TYPE_RS2,
): Uint8Array {
  if (rootHash.length !== DIGEST_LENGTH)
    throw new InvalidBlobIdError(`root hash must be 32 bytes, got ${rootHash.length}`);
  const preimage = new Uint8Array(1 + 8 + DIGEST_LENGTH);
  const view = new DataView(preimage.buffer);
  preimage[0] = encodingType;
  view.setBigUint64(1, BigInt(unencodedLength), true);
  preimage.set(rootHash, 9);
  return blake2b256(preimage);
}

/** URL-safe base64 without padding (the form Walrus prints and accepts). */
export function blobIdToString(blobId: Uint8Array): string {
  if (blobId.length !== BLOB_ID_LENGTH) throw new InvalidBlobIdError(`a blob ID is 32 bytes, got ${blobId.length}`);
  return Buffer.from(blobId.buffer, blobId.byteOffset, blobId.byteLength).toString("base64url");
}

const BLOB_ID_TEXT = /^[A-Za-z0-9_-]{43}$/;

/** Parses the text form; rejects anything but the canonical 43-character encoding of 32 bytes. */
export function blobIdFromString(text: string): Uint8Array {
  if (!BLOB_ID_TEXT.test(text)) {
    throw new InvalidBlobIdError(
      `a blob ID is 43 characters of URL-safe base64, got ${JSON.stringify(text.slice(0, 60))}`,
    );
  }
  const bytes = new Uint8Array(Buffer.from(text, "base64url"));
  if (bytes.length !== BLOB_ID_LENGTH || blobIdToString(bytes) !== text) {
    throw new InvalidBlobIdError(`not the canonical encoding of a 32-byte blob ID: ${text}`);
  }
  return bytes;
}

/** The blob ID as the chain's u256 (little-endian). */
export function blobIdToU256(blobId: Uint8Array): bigint {
  let value = 0n;
  for (let i = blobId.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(blobId[i]);
  return value;
}

/** The rotation offset: the blob ID as a big-endian integer, mod n (Horner's rule over the bytes). */
export function rotationOffset(blobId: Uint8Array, nShards: number): number {
  let acc = 0;
  for (const byte of blobId) acc = (acc * 256 + byte) % nShards;
  return acc;
}

/** The shard that stores sliver pair `pairIndex` of this blob. */
export function shardForPair(blobId: Uint8Array, pairIndex: number, nShards: number): number {
  return (pairIndex + rotationOffset(blobId, nShards)) % nShards;
}

/** The sliver pair that shard `shardIndex` stores for this blob. */
export function pairForShard(blobId: Uint8Array, shardIndex: number, nShards: number): number {
  return (nShards + shardIndex - rotationOffset(blobId, nShards)) % nShards;
}
