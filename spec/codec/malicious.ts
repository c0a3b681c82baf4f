/**
 * A malicious writer's encoder: slivers that each match their own commitment but are not one
 * codeword, so the blob ID commits to an inconsistent encoding (paper §3, "malicious writers";
 * walrus-core `inconsistency.rs` is the defence).
 *
 * The writer encodes honestly, alters the chosen slivers, and commits to the altered slivers'
 * own hashes. A node that receives an altered sliver accepts it (it matches the metadata); a node
 * that recovers one of them from the other axis decodes the honest sliver instead, whose root the
 * metadata contradicts — that recovery is an inconsistency proof.
 */

import { InvalidParametersError } from "../errors.js";
import { digestNode } from "../commitments/merkle.js";
import { type BlobMetadata, type SliverPairMetadata, computeRootHash } from "../commitments/metadata.js";
import { deriveBlobId } from "../commitments/blob-id.js";
import { type EncodedBlob, encodeBlob } from "./encode.js";
import { type Sliver, pairIndexOf, sliverRoot } from "./slivers.js";

/** Which slivers the malicious writer alters, by sliver index on each axis. */
export interface Tampering {
  readonly primary?: readonly number[];
  readonly secondary?: readonly number[];
}

function tamper(sliver: Sliver): Sliver {
  const data = sliver.data.slice();
  // Any change works; flipping every bit of the first symbol keeps the change visible in traces.
  for (let b = 0; b < sliver.symbolSize; b++) data[b] ^= 0xff;
  return { ...sliver, data };
}

/** Encodes `blob` and then makes the chosen slivers inconsistent with the rest, committing to them. */
export function encodeInconsistently(blob: Uint8Array, nShards: number, tampering: Tampering): EncodedBlob {
  const honest = encodeBlob(blob, nShards);
  const n = nShards;
  const primaryTargets = new Set(tampering.primary ?? []);
  const secondaryTargets = new Set(tampering.secondary ?? []);
  for (const index of [...primaryTargets, ...secondaryTargets]) {
    if (!Number.isInteger(index) || index < 0 || index >= n) {
      throw new InvalidParametersError(`tampered sliver index ${index} out of range 0..${n - 1}`);
    }
  }
  if (primaryTargets.size + secondaryTargets.size === 0) {
    throw new InvalidParametersError("a malicious encoding must alter at least one sliver");
  }
  const primarySlivers = honest.primarySlivers.map((s) => (primaryTargets.has(s.index) ? tamper(s) : s));
  const secondarySlivers = honest.secondarySlivers.map((s) => (secondaryTargets.has(s.index) ? tamper(s) : s));
  const hashes: SliverPairMetadata[] = honest.metadata.hashes.map((pair, p) => {
    const primary = primarySlivers[pairIndexOf("primary", p, n)];
    const secondary = secondarySlivers[pairIndexOf("secondary", p, n)];
    return {
      primaryHash: primaryTargets.has(primary.index)
        ? digestNode(sliverRoot(honest.params, primary))
        : pair.primaryHash,
      secondaryHash: secondaryTargets.has(secondary.index)
        ? digestNode(sliverRoot(honest.params, secondary))
        : pair.secondaryHash,
    };
  });
  const metadata: BlobMetadata = { ...honest.metadata, hashes };
  const rootHash = computeRootHash(hashes);
  return {
    ...honest,
    metadata,
    rootHash,
    blobId: deriveBlobId(rootHash, blob.length),
    primarySlivers,
    secondarySlivers,
  };
}
