/**
 * The WebAssembly BLAKE2b kernel and the hash arenas (spec/hash/blake2b-wasm.ts) against
 * @noble/hashes, the TypeScript Merkle tree (spec/commitments/merkle.ts) and symbol layout
 * (spec/codec/symbol-layout.ts), and the encoder run on the TypeScript arena against the encoder
 * run on the kernel.
 */
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { DIGEST_WORDS, MerkleTree } from "../spec/commitments/merkle.js";
import { computeBlobCommitments, encodeBlob } from "../spec/codec/encode.js";
import { elementsToSymbols } from "../spec/codec/symbol-layout.js";
import {
  _setHashArenaForTests,
  type HashArena,
  hashArena,
  kernelBlake2b256,
  scriptHashArena,
} from "../spec/hash/blake2b-wasm.js";
import { pattern } from "../spec/self-check.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** noble's BLAKE2b-256 of (prefix ‖ data), without the prefix when it is negative. */
function reference(data: Uint8Array, prefix = -1): string {
  const input = new Uint8Array(data.length + (prefix >= 0 ? 1 : 0));
  if (prefix >= 0) input[0] = prefix;
  input.set(data, prefix >= 0 ? 1 : 0);
  return hex(blake2b(input, { dkLen: 32 }));
}

const digestHex = (words: Uint32Array, offset: number): string =>
  hex(new Uint8Array(words.buffer, words.byteOffset + offset * 4, 32));

describe("WebAssembly BLAKE2b-256 kernel", () => {
  it("is the arena used in Node", () => {
    expect(hashArena().kind).toBe("wasm");
  });

  it("matches @noble/hashes at every length around the block boundaries, with and without a prefix", () => {
    for (let length = 0; length <= 400; length++) {
      const data = pattern(length, length);
      expect(hex(kernelBlake2b256(data) as Uint8Array), `length ${length}`).toBe(reference(data));
      expect(hex(kernelBlake2b256(data, 0) as Uint8Array), `leaf, length ${length}`).toBe(reference(data, 0));
    }
  });

  it("matches @noble/hashes on random inputs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: -1, max: 255 }), (data, prefix) => {
        expect(hex(kernelBlake2b256(data, prefix) as Uint8Array)).toBe(reference(data, prefix));
      }),
    );
  });
});

describe("hash arenas", () => {
  const arenas: Array<[string, () => HashArena]> = [
    ["wasm", hashArena],
    ["js", scriptHashArena],
  ];

  for (const [kind, make] of arenas) {
    it(`${kind}: leaf hashes of consecutive symbols are H(0x00 ‖ symbol)`, () => {
      const arena = make();
      for (const [size, count] of [
        [2, 5],
        [6, 40],
        [126, 3],
        [127, 3],
        [128, 2],
        [302, 7],
        [1000, 2],
      ]) {
        const data = pattern(size * count, size);
        const [src, out] = arena.layout([size * count, 32 * count]);
        arena.bytes.set(data, src);
        arena.leaves(src, size, count, out);
        for (let i = 0; i < count; i++) {
          expect(digestHex(arena.words, (out >>> 2) + i * DIGEST_WORDS)).toBe(
            reference(data.subarray(i * size, (i + 1) * size), 0),
          );
        }
      }
    });

    it(`${kind}: symbols from field elements are elementsToSymbols's bytes`, () => {
      const arena = make();
      for (const size of [2, 6, 62, 64, 66, 126, 128, 130, 302, 1000]) {
        const count = 5;
        const elements = new Uint16Array(pattern(size * count, size).buffer);
        const expected = new Uint8Array(size * count);
        elementsToSymbols(elements, 0, size, count, expected, 0);
        const [src, out] = arena.layout([size * count, size * count]);
        arena.elements.set(elements, src >>> 1);
        arena.symbols(src, size, count, out);
        expect(hex(arena.bytes.subarray(out, out + size * count)), `size ${size}`).toBe(hex(expected));
      }
    });

    it(`${kind}: roots over digests at a stride are the Merkle roots of merkle.ts`, () => {
      const arena = make();
      for (const count of [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 33, 100]) {
        for (const strideDigests of [1, 3]) {
          const leaves = Array.from({ length: count }, (_, i) => pattern(1 + (i % 5), i));
          const tree = MerkleTree.fromLeaves(leaves);
          const stride = strideDigests * 32;
          const [src, scratch] = arena.layout([Math.max(1, count) * stride, Math.ceil(count / 2) * 32 + 32]);
          const digests = new Uint8Array(32);
          leaves.forEach((leaf, i) => {
            digests.set(Buffer.from(reference(leaf, 0), "hex"));
            arena.bytes.set(digests, src + i * stride);
          });
          const root = new Uint32Array(10);
          arena.rootInto(src, stride, count, scratch, root, 2);
          expect(digestHex(root, 2), `count ${count}, stride ${stride}`).toBe(hex(tree.root()));
        }
      }
    });
  }
});

describe("the encoder on the TypeScript arena", () => {
  afterEach(() => _setHashArenaForTests());

  for (const [n, size] of [
    [4, 100],
    [10, 5000],
    [67, 20000],
  ]) {
    it(`n = ${n}, ${size} bytes: the same commitments and slivers as on the kernel`, () => {
      const blob = pattern(size, n);
      const fast = encodeBlob(blob, n);
      _setHashArenaForTests(scriptHashArena());
      const slow = encodeBlob(blob, n);
      expect(hex(slow.blobId)).toBe(hex(fast.blobId));
      expect(slow.metadata).toEqual(fast.metadata);
      expect(slow.primarySlivers).toEqual(fast.primarySlivers);
      expect(hex(computeBlobCommitments(blob, n).blobId)).toBe(hex(fast.blobId));
    });
  }
});
