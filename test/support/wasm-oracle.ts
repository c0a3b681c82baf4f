/**
 * The official encoder, @mysten/walrus-wasm (a development dependency), as a test oracle: what the
 * Walrus network computes for the same bytes.
 */

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// The package's CommonJS entry loads the Node build of the wasm synchronously.
const wasm = require("@mysten/walrus-wasm") as {
  BlobEncoder: new (
    n: number,
  ) => {
    encode(data: Uint8Array, primary: Uint8Array[], secondary: Uint8Array[]): unknown;
    compute_metadata(data: Uint8Array): unknown;
    decode(blobId: unknown, size: bigint, slivers: Uint8Array[], out: Uint8Array): void;
    free(): void;
  };
};

function ulebLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    length++;
  }
  return length;
}

/** The symbol size as walrus-core computes it, written independently of `spec/params.ts`. */
export function oracleSymbolSize(n: number, length: number): number {
  const f = Math.floor((n - 1) / 3);
  const per = Math.ceil(Math.max(length, 1) / ((n - 2 * f) * (n - f)));
  return per + (per % 2);
}

type Digest = { Digest: number[] };

export interface OracleEncoding {
  readonly blobId: Uint8Array;
  readonly rootHash: Uint8Array;
  readonly primaryHashes: Uint8Array[];
  readonly secondaryHashes: Uint8Array[];
  /** primaryBcs[p]: BCS of primary sliver p; secondaryBcs[p]: BCS of secondary sliver n−1−p (pair order). */
  readonly primaryBcs: Uint8Array[];
  readonly secondaryBcs: Uint8Array[];
}

/** Encodes with the official wasm. */
export function oracleEncode(data: Uint8Array, n: number): OracleEncoding {
  const f = Math.floor((n - 1) / 3);
  const kp = n - 2 * f;
  const ks = n - f;
  const s = oracleSymbolSize(n, data.length);
  const primaryBcs = Array.from({ length: n }, () => new Uint8Array(ulebLength(ks * s) + ks * s + 4));
  const secondaryBcs = Array.from({ length: n }, () => new Uint8Array(ulebLength(kp * s) + kp * s + 4));
  const encoder = new wasm.BlobEncoder(n);
  try {
    const [withId, root] = encoder.encode(data, primaryBcs, secondaryBcs) as [
      { blob_id: number[]; metadata: { V1: { hashes: Array<{ primary_hash: Digest; secondary_hash: Digest }> } } },
      Digest,
    ];
    const hashes = withId.metadata.V1.hashes;
    return {
      blobId: Uint8Array.from(withId.blob_id),
      rootHash: Uint8Array.from(root.Digest),
      primaryHashes: hashes.map((h) => Uint8Array.from(h.primary_hash.Digest)),
      secondaryHashes: hashes.map((h) => Uint8Array.from(h.secondary_hash.Digest)),
      primaryBcs,
      secondaryBcs,
    };
  } finally {
    encoder.free();
  }
}

/** The official blob ID only (`compute_metadata`). */
export function oracleBlobId(data: Uint8Array, n: number): Uint8Array {
  const encoder = new wasm.BlobEncoder(n);
  try {
    const [blobId] = encoder.compute_metadata(data) as [number[]];
    return Uint8Array.from(blobId);
  } finally {
    encoder.free();
  }
}

/** The official decoder (no consistency check) from BCS primary slivers. */
export function oracleDecode(n: number, blobId: Uint8Array, length: number, primaryBcs: Uint8Array[]): Uint8Array {
  const encoder = new wasm.BlobEncoder(n);
  try {
    const out = new Uint8Array(length);
    encoder.decode(Array.from(blobId), BigInt(length), primaryBcs, out);
    return out;
  } finally {
    encoder.free();
  }
}

export { wasm };
