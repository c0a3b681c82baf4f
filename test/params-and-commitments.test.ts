/**
 * Parameters, quorum predicates, Merkle trees and the blob ID, each against an independent
 * computation (a textbook Merkle tree over @noble/hashes, the walrus-core parameter table).
 */

import { blake2b } from "@noble/hashes/blake2.js";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  EMPTY_NODE,
  MerkleTree,
  digestNode,
  merkleRoot,
  pathLength,
  verifyMerkleProof,
} from "../spec/commitments/merkle.js";
import {
  blobIdFromString,
  blobIdToString,
  blobIdToU256,
  pairForShard,
  rotationOffset,
  shardForPair,
} from "../spec/commitments/blob-id.js";
import { computeBlobCommitments } from "../spec/codec/encode.js";
import { DataTooLargeError, InvalidBlobIdError, InvalidParametersError } from "../spec/errors.js";
import {
  MAX_N_SHARDS,
  encodedBlobLength,
  encodingParams,
  includesOneCorrectNode,
  isAboveValidity,
  meetsValidity,
  isQuorum,
  maxBlobSize,
  reedSolomonAcceptsShards,
  symbolSizeFor,
} from "../spec/params.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const H = (...parts: Uint8Array[]) => {
  const all = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return blake2b(all, { dkLen: 32 });
};

/** A textbook reading of walrus-core's tree: pad each odd level with 32 zero bytes. */
function referenceRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return new Uint8Array(32);
  let level: Uint8Array[] = leaves.map((leaf) => H(Uint8Array.of(0), leaf));
  while (level.length > 1) {
    if (level.length % 2 === 1) level.push(new Uint8Array(32));
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(H(Uint8Array.of(1), level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

describe("parameters", () => {
  it("matches the walrus-core table of (n−2f, n−f)", () => {
    const table: Array<[number, number, number]> = [
      [4, 2, 3],
      [7, 3, 5],
      [9, 5, 7],
      [10, 4, 7],
      [13, 5, 9],
      [31, 11, 21],
      [100, 34, 67],
      [301, 101, 201],
      [1000, 334, 667],
    ];
    for (const [n, kp, ks] of table) {
      const p = encodingParams(n);
      expect([p.primarySourceSymbols, p.secondarySourceSymbols]).toEqual([kp, ks]);
      expect(p.maxFaulty).toBe(Math.floor((n - 1) / 3));
    }
  });

  it("rejects n below 4 and above the Reed-Solomon limit with a typed error", () => {
    for (const n of [0, 1, 2, 3, 49_156, 65_535, 1.5, Number.NaN, -4]) {
      expect(() => encodingParams(n)).toThrow(InvalidParametersError);
    }
    expect(encodingParams(MAX_N_SHARDS).nShards).toBe(49_155);
  });

  it("pins the largest n to where reed-solomon-simd stops accepting the primary code", () => {
    expect(reedSolomonAcceptsShards(49_155)).toBe(true);
    expect(reedSolomonAcceptsShards(49_156)).toBe(false);
    for (const n of [4, 5, 1000, 10_000, 32_768, 49_154]) expect(reedSolomonAcceptsShards(n)).toBe(true);
  });

  it("computes the symbol size as walrus-core does: even, at least 2, typed error above 65534", () => {
    const p = encodingParams(4); // 6 source symbols
    expect(symbolSizeFor(p, 0)).toBe(2);
    expect(symbolSizeFor(p, 12)).toBe(2);
    expect(symbolSizeFor(p, 13)).toBe(4);
    expect(symbolSizeFor(p, 19)).toBe(4);
    expect(symbolSizeFor(p, 25)).toBe(6);
    expect(maxBlobSize(p)).toBe(393_204);
    expect(symbolSizeFor(p, 393_204)).toBe(65_534);
    expect(() => symbolSizeFor(p, 393_205)).toThrow(DataTooLargeError);
    expect(() => computeBlobCommitments(new Uint8Array(393_205), 4)).toThrow(/too large/);
    expect(maxBlobSize(encodingParams(1000))).toBe(14_599_533_452);
  });

  it("gives the on-chain encoded length", () => {
    // n · ((kp + ks)·S + n·64 + 32) with S = 2 for a tiny blob at n = 10: 10 · (11·2 + 640 + 32).
    expect(encodedBlobLength(encodingParams(10), 5)).toBe(10 * (22 + 640 + 32));
  });

  test.prop([fc.integer({ min: 4, max: 3000 }), fc.nat()])("quorum predicates count shards: f+1 and n−f", (n, w) => {
    const f = Math.floor((n - 1) / 3);
    const weight = w % (n + 1);
    expect(isAboveValidity(weight, n)).toBe(weight >= f + 1);
    expect(isQuorum(weight, n)).toBe(weight >= n - f);
    // Two quorums intersect in more than f shards: at least one honest shard in common.
    expect(2 * (n - f) - n).toBeGreaterThan(f);
  });
});

describe("the validity threshold: the contract's 3w ≥ n + 1 and the paper's f + 1", () => {
  test.prop([fc.integer({ min: 4, max: 3000 }), fc.nat()])(
    "equal unless 3 divides n, where the contract asks one shard more",
    (n, w) => {
      const f = Math.floor((n - 1) / 3);
      const weight = w % (n + 1);
      expect(includesOneCorrectNode(weight, n)).toBe(3 * weight >= n + 1);
      expect(meetsValidity("paper", weight, n)).toBe(isAboveValidity(weight, n));
      expect(meetsValidity("contract", weight, n)).toBe(includesOneCorrectNode(weight, n));
      const least = (holds: (weight: number, n: number) => boolean) => {
        let least = 0;
        while (!holds(least, n)) least++;
        return least;
      };
      expect(least(includesOneCorrectNode) - least(isAboveValidity)).toBe(n % 3 === 0 ? 1 : 0);
      expect(least(isAboveValidity)).toBe(f + 1);
    },
  );

  it.each([
    [9, 3, 4],
    [12, 4, 5],
    [10, 4, 4],
  ])("n = %i: the paper takes %i shards, the contract %i", (n, paper, contract) => {
    expect([paper - 1, paper].map((w) => isAboveValidity(w, n))).toEqual([false, true]);
    expect([contract - 1, contract].map((w) => includesOneCorrectNode(w, n))).toEqual([false, true]);
  });
});

describe("Merkle trees", () => {
  test.prop([fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 70 })])(
    "root equals a textbook tree with 32-zero-byte padding",
    (leaves) => {
      expect(hex(merkleRoot(leaves))).toBe(hex(referenceRoot(leaves)));
    },
  );

  test.prop([fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 70 }), fc.nat()])(
    "every proof verifies; a wrong index, leaf count or leaf does not",
    (leaves, seed) => {
      const tree = MerkleTree.fromLeaves(leaves);
      const root = tree.root();
      const index = seed % leaves.length;
      const proof = tree.proof(index);
      expect(proof.path.length).toBe(pathLength(leaves.length));
      expect(verifyMerkleProof(root, leaves[index], index, leaves.length, proof)).toBe(true);
      const other = leaves[index].length > 0 ? leaves[index].slice(1) : Uint8Array.of(1);
      expect(verifyMerkleProof(root, other, index, leaves.length, proof)).toBe(false);
      const sibling = leaves[index ^ 1];
      if (sibling !== undefined && Buffer.compare(sibling, leaves[index]) !== 0) {
        // Swapping two different siblings changes the root (equal siblings would not).
        expect(verifyMerkleProof(root, leaves[index], index ^ 1, leaves.length, proof)).toBe(false);
      }
      if (leaves.length > 1) {
        // A path longer than the tree is deep is rejected even if it would hash right.
        expect(
          verifyMerkleProof(root, leaves[index], index, leaves.length, { path: [...proof.path, EMPTY_NODE] }),
        ).toBe(false);
      }
    },
  );

  it("uses the empty node as padding sibling and one leaf's hash as a one-leaf root", () => {
    const leaves = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    const proof = MerkleTree.fromLeaves(leaves).proof(2);
    expect(proof.path[0]).toEqual(EMPTY_NODE);
    expect(proof.path[1].kind).toBe("digest");
    expect(hex(merkleRoot([Uint8Array.of(9)]))).toBe(hex(H(Uint8Array.of(0), Uint8Array.of(9))));
    expect(hex(merkleRoot([]))).toBe("00".repeat(32));
    // The empty node and a digest of 32 zero bytes contribute the same bytes (as in walrus-core).
    const zeroDigest = { path: [digestNode(new Uint8Array(32)), proof.path[1]] };
    expect(verifyMerkleProof(MerkleTree.fromLeaves(leaves).root(), leaves[2], 2, 3, zeroDigest)).toBe(true);
  });
});

describe("blob ID", () => {
  const id = "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY";

  it("round-trips the text form and rejects anything else with a typed error", () => {
    const bytes = blobIdFromString(id);
    expect(hex(bytes).slice(0, 8)).toBe("45c53cd8");
    expect(blobIdToString(bytes)).toBe(id);
    for (const bad of ["", "RcU82", `${id}A`, `${id.slice(0, 42)}+`, `${id.slice(0, 42)}=`, `${id.slice(0, 42)}l`]) {
      expect(() => blobIdFromString(bad)).toThrow(InvalidBlobIdError);
    }
    expect(() => blobIdToString(new Uint8Array(31))).toThrow(InvalidBlobIdError);
  });

  it("rotates pairs to shards by the big-endian blob ID, the chain reads it little-endian", () => {
    const bytes = blobIdFromString(id);
    expect(rotationOffset(bytes, 10)).toBe(8);
    expect(shardForPair(bytes, 0, 10)).toBe(8);
    expect(pairForShard(bytes, 8, 10)).toBe(0);
    let bigEndian = 0n;
    for (const byte of bytes) bigEndian = (bigEndian << 8n) | BigInt(byte);
    for (const n of [4, 7, 1000, 49_155]) expect(BigInt(rotationOffset(bytes, n))).toBe(bigEndian % BigInt(n));
    expect(blobIdToU256(bytes) & 0xffn).toBe(0x45n);
  });

  test.prop([fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 4, max: 2000 }), fc.nat()])(
    "shardForPair and pairForShard are inverse bijections",
    (bytes, n, p) => {
      const pair = p % n;
      expect(pairForShard(bytes, shardForPair(bytes, pair, n), n)).toBe(pair);
    },
  );
});
