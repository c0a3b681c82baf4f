/**
 * Byte-compatibility with the Walrus network: our encoder against the official @mysten/walrus-wasm
 * on many shard counts and blob sizes, comparing the blob ID, the root hash, every sliver hash and
 * every BCS sliver byte for byte, and our decoder against the official decoder.
 */

import { describe, expect, it } from "vitest";
import { encodeMetadataWithId, encodeSliver, sliverBcsParts } from "../spec/bcs.js";
import { blobIdFromString, blobIdToString } from "../spec/commitments/blob-id.js";
import { nodeBytes } from "../spec/commitments/merkle.js";
import { verifyMetadata } from "../spec/commitments/metadata.js";
import { decodeBlob } from "../spec/codec/decode.js";
import { computeBlobCommitments, encodeBlob } from "../spec/codec/encode.js";
import { encodingParams, maxBlobSize, useHighRate } from "../spec/index.js";
import { pattern } from "../spec/self-check.js";
import { oracleBlobId, oracleDecode, oracleEncode } from "./support/wasm-oracle.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** Sizes around the boundaries that matter: symbol size steps, the 64-byte RS block, the maximum. */
function interestingSizes(n: number): number[] {
  const params = encodingParams(n);
  const block = params.primarySourceSymbols * params.secondarySourceSymbols; // bytes per 1-byte symbol step
  const sizes = new Set<number>([0, 1, 2, 3, 33, 2 * block - 1, 2 * block, 2 * block + 1, 64 * block, 64 * block + 1]);
  sizes.add(66 * block - 3); // a 64-byte block plus a 2-byte tail
  sizes.add(130 * block); // two blocks and a tail
  if (maxBlobSize(params) <= 1 << 20) sizes.add(maxBlobSize(params));
  return [...sizes].filter((size) => size <= maxBlobSize(params)).sort((a, b) => a - b);
}

function compareWithOracle(n: number, blob: Uint8Array): ReturnType<typeof encodeBlob> {
  const ours = encodeBlob(blob, n);
  const theirs = oracleEncode(blob, n);
  expect(blobIdToString(ours.blobId)).toBe(blobIdToString(theirs.blobId));
  expect(hex(ours.rootHash)).toBe(hex(theirs.rootHash));
  for (let p = 0; p < n; p++) {
    const pair = ours.metadata.hashes[p];
    if (hex(nodeBytes(pair.primaryHash)) !== hex(theirs.primaryHashes[p])) {
      expect.fail(`n = ${n}, ${blob.length} bytes: primary hash of pair ${p} differs`);
    }
    if (hex(nodeBytes(pair.secondaryHash)) !== hex(theirs.secondaryHashes[p])) {
      expect.fail(`n = ${n}, ${blob.length} bytes: secondary hash of pair ${p} differs`);
    }
    if (hex(encodeSliver(ours.primarySlivers[p])) !== hex(theirs.primaryBcs[p])) {
      expect.fail(`n = ${n}, ${blob.length} bytes: BCS of primary sliver ${p} differs`);
    }
    if (hex(encodeSliver(ours.secondarySlivers[n - 1 - p])) !== hex(theirs.secondaryBcs[p])) {
      expect.fail(`n = ${n}, ${blob.length} bytes: BCS of secondary sliver ${n - 1 - p} differs`);
    }
    // The parts the CLI writes to sliver files, concatenated.
    if (hex(Buffer.concat(sliverBcsParts(ours.primarySlivers[p]))) !== hex(theirs.primaryBcs[p])) {
      expect.fail(`n = ${n}, ${blob.length} bytes: BCS parts of primary sliver ${p} differ`);
    }
    if (hex(Buffer.concat(sliverBcsParts(ours.secondarySlivers[n - 1 - p]))) !== hex(theirs.secondaryBcs[p])) {
      expect.fail(`n = ${n}, ${blob.length} bytes: BCS parts of secondary sliver ${n - 1 - p} differ`);
    }
  }
  return ours;
}

describe("encoder equals @mysten/walrus-wasm", () => {
  it("reproduces the walrus-core blob-ID regression vector", () => {
    const blob = new TextEncoder().encode("walrus blob id v1 regression test");
    expect(blobIdToString(computeBlobCommitments(blob, 10).blobId)).toBe("RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY");
    expect(hex(oracleBlobId(blob, 10))).toBe(hex(blobIdFromString("RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY")));
  });

  for (let n = 4; n <= 20; n++) {
    it(`n = ${n}: every size boundary`, () => {
      for (const size of interestingSizes(n)) compareWithOracle(n, pattern(size, n + size));
    });
  }

  it("covers both rates of the primary code and the high rate of the secondary code", () => {
    const rates = new Set<string>();
    for (const n of [4, 5, 6, 7, 9, 10, 31, 100, 301, 1000]) {
      const p = encodingParams(n);
      rates.add(`primary:${useHighRate(p.primarySourceSymbols, n - p.primarySourceSymbols) ? "high" : "low"}`);
      rates.add(`secondary:${useHighRate(p.secondarySourceSymbols, p.maxFaulty) ? "high" : "low"}`);
    }
    expect([...rates].sort()).toEqual(["primary:high", "primary:low", "secondary:high"]);
  });

  for (const [n, sizes] of [
    [31, [0, 1, 4097, 100_000]],
    [100, [0, 33, 65_536, 1 << 20]],
    [301, [7, 200_001]],
  ] as const) {
    it(`n = ${n}: sizes ${sizes.join(", ")}`, () => {
      for (const size of sizes) compareWithOracle(n, pattern(size, size));
    });
  }

  // An encoding at n = 1000 takes seconds whatever the blob's size, so one blob (of three 2-byte
  // elements a symbol); the blob IDs of the empty blob and of bytes 0..9 at n = 1000 are known
  // answers of the codec self-check, which npm run check runs.
  it("n = 1000: a blob of 6-byte symbols, and its metadata's BCS length", () => {
    const ours = compareWithOracle(1000, pattern(1_000_003, 3));
    expect(ours.symbolSize).toBe(6);
    // 42 + uleb(1000) + 66·1000 bytes, as docs/migration-cost.md says.
    const bytes = encodeMetadataWithId(ours);
    expect([bytes.length, bytes[33]]).toEqual([66_044, 1]);
  }, 60_000);

  it("metadata BCS has the documented length and the encoding type at offset 33", () => {
    for (const [n, length] of [
      [4, 307],
      [7, 505],
      [10, 703],
    ] as const) {
      const bytes = encodeMetadataWithId(computeBlobCommitments(pattern(5, 1), n));
      expect(bytes.length).toBe(length);
      expect(bytes[33]).toBe(1);
    }
  });
});

describe("decoder equals @mysten/walrus-wasm", () => {
  for (const [n, size] of [
    [4, 5],
    [10, 1000],
    [13, 70_001],
    [100, 300_000],
  ] as const) {
    it(`n = ${n}, ${size} bytes: from the last n−2f primary slivers`, () => {
      const blob = pattern(size, 9);
      const encoded = encodeBlob(blob, n);
      const need = encoded.params.primarySourceSymbols;
      const chosen = encoded.primarySlivers.slice(n - need);
      const theirs = oracleDecode(n, encoded.blobId, size, chosen.map(encodeSliver));
      const ours = decodeBlob(verifyMetadata(encoded), chosen);
      expect(ours.kind).toBe("decoded");
      if (ours.kind !== "decoded") return;
      expect(hex(ours.blob)).toBe(hex(theirs));
      expect(hex(ours.blob)).toBe(hex(blob));
    });
  }
});
