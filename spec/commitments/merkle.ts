/**
 * BLAKE2b-256 Merkle trees as Walrus builds them (walrus-core `merkle.rs`).
 *
 * - leaf hash  = H(0x00 ‖ leaf bytes), inner node = H(0x01 ‖ left ‖ right);
 * - a level with an odd number of nodes is padded with the *empty node*, whose bytes are 32 zeros
 *   (not a hash of anything), before pairs are hashed;
 * - one leaf: the root is that leaf's hash; no leaves: the root is the empty node;
 * - a proof lists the sibling of each level from the leaf up; a padding sibling is the empty node.
 *
 * Digests are handled as 8 little-endian u32 words so that building the 2n trees of a blob (about
 * 2 million inner nodes at n = 1000) never allocates; {@link MerkleNode} is the wire-level view.
 */

import {
  digestBytesToWords,
  digestWordsToBytes,
  hashInnerInto,
  hashInnerPairInto,
  hashLeafInto,
} from "../hash/blake2b.js";

/** Bytes in a digest. */
export const DIGEST_LENGTH = 32;
/** u32 words in a digest. */
export const DIGEST_WORDS = 8;

/** A tree node as it appears on the wire (`merkle::Node`): the padding node or a digest. */
export type MerkleNode = { readonly kind: "empty" } | { readonly kind: "digest"; readonly digest: Uint8Array };

/** The padding node. */
export const EMPTY_NODE: MerkleNode = Object.freeze({ kind: "empty" });

/** A digest node. */
export function digestNode(digest: Uint8Array): MerkleNode {
  return { kind: "digest", digest };
}

const ZERO_DIGEST = new Uint8Array(DIGEST_LENGTH);
const ZERO_WORDS = new Uint32Array(DIGEST_WORDS);

/** The 32 bytes a node contributes to its parent's hash (zeros for the empty node). */
export function nodeBytes(node: MerkleNode): Uint8Array {
  return node.kind === "empty" ? ZERO_DIGEST : node.digest;
}

/** A Merkle inclusion proof (`merkle::MerkleProof`): siblings from the leaf level up. */
export interface MerkleProof {
  readonly path: readonly MerkleNode[];
}

/** Number of levels above the leaves: ⌈log2(leafCount)⌉, 0 for one leaf (`merkle::path_length`). */
export function pathLength(leafCount: number): number {
  let levels = 0;
  while (2 ** levels < leafCount) levels++;
  return levels;
}

/** H(0x00 ‖ data): the hash of a leaf. */
export function leafHash(data: Uint8Array): Uint8Array {
  const words = new Uint32Array(DIGEST_WORDS);
  hashLeafInto(data, 0, data.length, words, 0);
  return digestWordsToBytes(words, 0);
}

/**
 * Hashes one level into its parent level: `count` nodes at src[srcOffset + i·srcStride], parents to
 * dst[dstOffset + j·8]. An odd last node is paired with the empty node. dst may alias src when
 * dstOffset ≤ srcOffset and srcStride ≥ 8 (each parent is written after both children were read).
 * Returns the parent count.
 */
function hashLevel(
  src: Uint32Array,
  srcOffset: number,
  srcStride: number,
  count: number,
  dst: Uint32Array,
  dstOffset: number,
): number {
  const pairs = count >>> 1;
  for (let j = 0; j < pairs; j++) {
    const left = srcOffset + 2 * j * srcStride;
    if (src === dst) hashInnerInto(src, left, left + srcStride, dst, dstOffset + j * DIGEST_WORDS);
    else hashInnerPairInto(src, left, src, left + srcStride, dst, dstOffset + j * DIGEST_WORDS);
  }
  if (count & 1) {
    hashInnerPairInto(src, srcOffset + (count - 1) * srcStride, ZERO_WORDS, 0, dst, dstOffset + pairs * DIGEST_WORDS);
    return pairs + 1;
  }
  return pairs;
}

let scratch = new Uint32Array(0);

/**
 * The root over `count` leaf hashes stored at hashes[offset + i·stride] (8 words each), written to
 * out[outOffset]. `stride` lets one flat array of all n² leaf hashes serve both the row trees
 * (stride 8) and the column trees (stride 8n).
 */
export function merkleRootInto(
  hashes: Uint32Array,
  offset: number,
  stride: number,
  count: number,
  out: Uint32Array,
  outOffset: number,
): void {
  if (count <= 1) {
    if (count === 0) out.fill(0, outOffset, outOffset + DIGEST_WORDS);
    else out.set(hashes.subarray(offset, offset + DIGEST_WORDS), outOffset);
    return;
  }
  const need = ((count + 1) >>> 1) * DIGEST_WORDS;
  if (scratch.length < need) scratch = new Uint32Array(need);
  let width = hashLevel(hashes, offset, stride, count, scratch, 0);
  while (width > 1) width = hashLevel(scratch, 0, DIGEST_WORDS, width, scratch, 0);
  out.set(scratch.subarray(0, DIGEST_WORDS), outOffset);
}

/** A tree with every level kept, for serving proofs. */
export class MerkleTree {
  /** levels[0] = leaf hashes, last level = the root (8 words each node). */
  private readonly levels: Uint32Array[];
  readonly leafCount: number;

  private constructor(levels: Uint32Array[], leafCount: number) {
    this.levels = levels;
    this.leafCount = leafCount;
  }

  /** Builds the tree over `count` leaf hashes at hashes[offset + i·stride]. */
  static fromLeafHashes(hashes: Uint32Array, offset: number, stride: number, count: number): MerkleTree {
    const leaves = new Uint32Array(count * DIGEST_WORDS);
    for (let i = 0; i < count; i++) {
      leaves.set(hashes.subarray(offset + i * stride, offset + i * stride + DIGEST_WORDS), i * DIGEST_WORDS);
    }
    const levels = [leaves];
    let width = count;
    while (width > 1) {
      const parent = new Uint32Array(((width + 1) >>> 1) * DIGEST_WORDS);
      width = hashLevel(levels[levels.length - 1], 0, DIGEST_WORDS, width, parent, 0);
      levels.push(parent);
    }
    return new MerkleTree(levels, count);
  }

  /** Builds the tree over the given leaves' data. */
  static fromLeaves(leaves: readonly Uint8Array[]): MerkleTree {
    const hashes = new Uint32Array(leaves.length * DIGEST_WORDS);
    leaves.forEach((leaf, i) => {
      hashLeafInto(leaf, 0, leaf.length, hashes, i * DIGEST_WORDS);
    });
    return MerkleTree.fromLeafHashes(hashes, 0, DIGEST_WORDS, leaves.length);
  }

  /** The root (32 zero bytes for an empty tree). */
  root(): Uint8Array {
    if (this.leafCount === 0) return new Uint8Array(DIGEST_LENGTH);
    return digestWordsToBytes(this.levels[this.levels.length - 1], 0);
  }

  /** The inclusion proof of leaf `index`. */
  proof(index: number): MerkleProof {
    if (!Number.isInteger(index) || index < 0 || index >= this.leafCount) {
      throw new RangeError(`leaf index ${index} out of range 0..${this.leafCount - 1}`);
    }
    const path: MerkleNode[] = [];
    let width = this.leafCount;
    let i = index;
    for (let level = 0; width > 1; level++) {
      const sibling = i ^ 1;
      const nodes = this.levels[level];
      path.push(sibling < width ? digestNode(digestWordsToBytes(nodes, sibling * DIGEST_WORDS)) : EMPTY_NODE);
      i >>>= 1;
      width = (width + 1) >>> 1;
    }
    return { path };
  }
}

/** The root over the given leaves' data. */
export function merkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return MerkleTree.fromLeaves(leaves).root();
}

/**
 * Verifies that `leafData` is leaf `leafIndex` of a tree of `leafCount` leaves with root `root`
 * (walrus-core `MerkleProof::verify_proof_with_leaf_count`): the path may not be longer than the
 * tree is deep, and the index must fit in the path.
 */
export function verifyMerkleProof(
  root: Uint8Array,
  leafData: Uint8Array,
  leafIndex: number,
  leafCount: number,
  proof: MerkleProof,
): boolean {
  if (root.length !== DIGEST_LENGTH) return false;
  if (proof.path.length > pathLength(leafCount)) return false;
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || Math.floor(leafIndex / 2 ** proof.path.length) !== 0) {
    return false;
  }
  const cur = new Uint32Array(DIGEST_WORDS);
  const sib = new Uint32Array(DIGEST_WORDS);
  hashLeafInto(leafData, 0, leafData.length, cur, 0);
  let index = leafIndex;
  for (const node of proof.path) {
    const bytes = nodeBytes(node);
    if (bytes.length !== DIGEST_LENGTH) return false;
    digestBytesToWords(bytes, 0, sib, 0);
    if (index & 1) hashInnerPairInto(sib, 0, cur, 0, cur, 0);
    else hashInnerPairInto(cur, 0, sib, 0, cur, 0);
    index >>>= 1;
  }
  const computed = digestWordsToBytes(cur, 0);
  return equalBytes(computed, root);
}

/** Constant-shape byte equality. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}
