/**
 * Properties of the codec over random blobs and shard counts (fast-check): decoding from any
 * sufficient subset of either axis, recovery from any sufficient set of verified symbols, proofs
 * that verify and reject any flipped bit, and inconsistency proofs only for inconsistent encodings.
 */

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { verifyMerkleProof } from "../spec/commitments/merkle.js";
import { sliverCommitment, verifyMetadata } from "../spec/commitments/metadata.js";
import { decodeBlob } from "../spec/codec/decode.js";
import { type EncodedBlob, encodeBlob } from "../spec/codec/encode.js";
import { encodeInconsistently } from "../spec/codec/malicious.js";
import {
  type RecoverySymbol,
  RecoverySymbolSource,
  recoverSliver,
  recoveryThreshold,
  verifyInconsistencyProof,
  verifyRecoverySymbol,
} from "../spec/codec/recovery.js";
import { type Axis, orthogonal, verifySliver } from "../spec/codec/slivers.js";
import { InvalidSymbolError, NotEnoughSliversError, NotEnoughSymbolsError } from "../spec/errors.js";
import { encodingParams } from "../spec/params.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

const shardCounts = fc.constantFrom(4, 5, 7, 10, 13, 16, 22);
const blobs = fc.uint8Array({ minLength: 0, maxLength: 3000 });
/** A random subset of 0..n−1 of exactly `size` elements, as a shuffled permutation prefix. */
const subsetOf = (n: number, size: number) =>
  fc.shuffledSubarray([...Array(n).keys()], { minLength: size, maxLength: size });

const cache = new Map<string, EncodedBlob>();
function encoded(blob: Uint8Array, n: number): EncodedBlob {
  const key = `${n}:${hex(blob)}`;
  let value = cache.get(key);
  if (!value) {
    value = encodeBlob(blob, n);
    if (cache.size > 200) cache.clear();
    cache.set(key, value);
  }
  return value;
}

describe("decoding", () => {
  test.prop([shardCounts, blobs, fc.boolean(), fc.infiniteStream(fc.nat())], { numRuns: 60 })(
    "decode(encode(b)) = b from any sufficient subset of either axis",
    (n, blob, primary, picks) => {
      const enc = encoded(blob, n);
      const axis: Axis = primary ? "primary" : "secondary";
      const need = axis === "primary" ? enc.params.primarySourceSymbols : enc.params.secondarySourceSymbols;
      const pool = [...(axis === "primary" ? enc.primarySlivers : enc.secondarySlivers)];
      const chosen = [];
      const it = picks[Symbol.iterator]();
      while (chosen.length < need) chosen.push(pool.splice((it.next().value as number) % pool.length, 1)[0]);
      for (const consistency of ["default", "strict", "skip"] as const) {
        const result = decodeBlob(verifyMetadata(enc), chosen, { consistency });
        expect(result.kind).toBe("decoded");
        if (result.kind === "decoded") {
          expect(hex(result.blob)).toBe(hex(blob));
          expect(result.axis).toBe(axis);
        }
      }
    },
  );

  test.prop([shardCounts, blobs], { numRuns: 20 })("one sliver short of the threshold is not enough", (n, blob) => {
    const enc = encoded(blob, n);
    const meta = verifyMetadata(enc);
    const p = enc.params;
    const offered = [
      ...enc.primarySlivers.slice(0, p.primarySourceSymbols - 1),
      ...enc.secondarySlivers.slice(0, p.secondarySourceSymbols - 1),
    ];
    expect(() => decodeBlob(meta, offered)).toThrow(NotEnoughSliversError);
  });

  it("drops slivers that do not match the metadata and still decodes from the valid ones", () => {
    const blob = Uint8Array.from({ length: 500 }, (_, i) => i * 7);
    const enc = encoded(blob, 7);
    const bad = { ...enc.primarySlivers[0], data: enc.primarySlivers[0].data.slice() };
    bad.data[3] ^= 1;
    const result = decodeBlob(verifyMetadata(enc), [bad, ...enc.primarySlivers.slice(1)]);
    expect(result.kind).toBe("decoded");
    if (result.kind === "decoded") {
      expect(result.rejected.map((r) => r.index)).toEqual([0]);
      expect(result.used).not.toContain(0);
      expect(hex(result.blob)).toBe(hex(blob));
    }
  });
});

function symbolsFor(enc: EncodedBlob, target: Axis, targetIndex: number): RecoverySymbol[] {
  const sources = target === "primary" ? enc.secondarySlivers : enc.primarySlivers;
  return sources.map((sliver) => new RecoverySymbolSource(enc.params, sliver).symbolFor(targetIndex));
}

describe("recovery", () => {
  test.prop([shardCounts, blobs, fc.boolean(), fc.nat(), fc.nat()], { numRuns: 50 })(
    "any sliver recovers from any sufficient set of verified symbols",
    (n, blob, primary, targetSeed, subsetSeed) => {
      const enc = encoded(blob, n);
      const target: Axis = primary ? "primary" : "secondary";
      const targetIndex = targetSeed % n;
      const need = recoveryThreshold(enc.params, target);
      const all = symbolsFor(enc, target, targetIndex);
      const subset = fc.sample(subsetOf(n, need), { seed: subsetSeed, numRuns: 1 })[0];
      const result = recoverSliver(
        verifyMetadata(enc),
        target,
        targetIndex,
        subset.map((i) => all[i]),
      );
      expect(result.kind).toBe("recovered");
      const expected = (target === "primary" ? enc.primarySlivers : enc.secondarySlivers)[targetIndex];
      if (result.kind === "recovered") expect(hex(result.sliver.data)).toBe(hex(expected.data));
    },
  );

  it("needs n−f symbols for a primary sliver and n−2f for a secondary sliver", () => {
    for (const n of [4, 7, 10, 100]) {
      const p = encodingParams(n);
      expect(recoveryThreshold(p, "primary")).toBe(n - p.maxFaulty);
      expect(recoveryThreshold(p, "secondary")).toBe(n - 2 * p.maxFaulty);
    }
    const enc = encoded(
      Uint8Array.from({ length: 99 }, (_, i) => i),
      10,
    );
    const symbols = symbolsFor(enc, "primary", 2).slice(0, recoveryThreshold(enc.params, "primary") - 1);
    expect(() => recoverSliver(verifyMetadata(enc), "primary", 2, symbols)).toThrow(NotEnoughSymbolsError);
  });

  test.prop([shardCounts, blobs, fc.boolean(), fc.nat(), fc.nat(), fc.nat()], { numRuns: 50 })(
    "every honest symbol's proof verifies, and any flipped bit is rejected",
    (n, blob, primary, targetSeed, sourceSeed, bitSeed) => {
      const enc = encoded(blob, n);
      const meta = verifyMetadata(enc);
      const target: Axis = primary ? "primary" : "secondary";
      const symbol = symbolsFor(enc, target, targetSeed % n)[sourceSeed % n];
      verifyRecoverySymbol(meta, symbol);
      const root = sliverCommitment(enc.metadata, orthogonal(target), symbol.sourceIndex);
      expect(verifyMerkleProof(root, symbol.data, symbol.targetIndex, n, symbol.proof)).toBe(true);
      // Flip one bit of the symbol data or of one proof node.
      const nodes = symbol.proof.path.filter((node) => node.kind === "digest");
      const bits = symbol.data.length * 8 + nodes.length * 256;
      const bit = bitSeed % bits;
      let tampered: RecoverySymbol;
      if (bit < symbol.data.length * 8) {
        const data = symbol.data.slice();
        data[bit >> 3] ^= 1 << (bit & 7);
        tampered = { ...symbol, data };
      } else {
        const nodeBit = bit - symbol.data.length * 8;
        const victim = nodes[nodeBit >> 8];
        const path = symbol.proof.path.map((node) => {
          if (node !== victim || node.kind !== "digest") return node;
          const digest = node.digest.slice();
          digest[(nodeBit & 255) >> 3] ^= 1 << (nodeBit & 7);
          return { kind: "digest" as const, digest };
        });
        tampered = { ...symbol, proof: { path } };
      }
      expect(() => verifyRecoverySymbol(meta, tampered)).toThrow(InvalidSymbolError);
    },
  );

  test.prop([shardCounts, blobs, fc.boolean(), fc.nat()], { numRuns: 30 })(
    "recovery uses only verified symbols: corrupt ones are skipped",
    (n, blob, primary, targetSeed) => {
      const enc = encoded(blob, n);
      const target: Axis = primary ? "primary" : "secondary";
      const targetIndex = targetSeed % n;
      const all = symbolsFor(enc, target, targetIndex);
      const corrupt = all.slice(0, enc.params.maxFaulty).map((symbol) => {
        const data = symbol.data.slice();
        data[0] ^= 0x80;
        return { ...symbol, data };
      });
      const result = recoverSliver(verifyMetadata(enc), target, targetIndex, [...corrupt, ...all]);
      expect(result.kind).toBe("recovered");
    },
  );
});

describe("inconsistency proofs", () => {
  test.prop([shardCounts, blobs, fc.boolean(), fc.nat()], { numRuns: 30 })(
    "no inconsistency proof verifies for an honest encoding",
    (n, blob, primary, targetSeed) => {
      const enc = encoded(blob, n);
      const meta = verifyMetadata(enc);
      const axis: Axis = primary ? "primary" : "secondary";
      const targetIndex = targetSeed % n;
      const need = recoveryThreshold(enc.params, axis);
      const symbols = symbolsFor(enc, axis, targetIndex).slice(0, need);
      expect(verifyInconsistencyProof(meta, { axis, targetIndex, symbols })).toBe(false);
    },
  );

  test.prop([shardCounts, fc.uint8Array({ minLength: 1, maxLength: 2000 }), fc.boolean(), fc.nat()], { numRuns: 30 })(
    "a malicious encoding is caught by the strict check and yields a valid inconsistency proof",
    (n, blob, tamperPrimary, indexSeed) => {
      const index = indexSeed % n;
      const enc = encodeInconsistently(blob, n, tamperPrimary ? { primary: [index] } : { secondary: [index] });
      const meta = verifyMetadata(enc);
      const axis: Axis = tamperPrimary ? "primary" : "secondary";
      // Each tampered sliver matches its own commitment, so a node that receives it stores it…
      const tampered = (axis === "primary" ? enc.primarySlivers : enc.secondarySlivers)[index];
      verifySliver(meta, tampered);
      // …but whoever recovers it from the other axis detects the inconsistency and can prove it.
      const result = recoverSliver(meta, axis, index, symbolsFor(enc, axis, index));
      expect(result.kind).toBe("inconsistent");
      if (result.kind === "inconsistent") {
        expect(result.proof.symbols.length).toBe(recoveryThreshold(enc.params, axis));
        expect(verifyInconsistencyProof(meta, result.proof)).toBe(true);
        // A proof with one symbol fewer, or with a symbol altered, is not valid.
        expect(verifyInconsistencyProof(meta, { ...result.proof, symbols: result.proof.symbols.slice(1) })).toBe(false);
      }
      // The strict check rejects the blob whichever slivers the reader uses.
      const strict = decodeBlob(meta, [...enc.primarySlivers, ...enc.secondarySlivers], { consistency: "strict" });
      expect(strict.kind).toBe("inconsistent");
    },
  );

  it("the default check misses an inconsistency the reader decoded around, the strict check does not", () => {
    // Tamper a systematic primary sliver and read from exactly the systematic slivers: the default
    // check skips input slivers (as the implementation does), the strict check re-encodes.
    const n = 7;
    const blob = Uint8Array.from({ length: 300 }, (_, i) => i);
    const enc = encodeInconsistently(blob, n, { primary: [0] });
    const meta = verifyMetadata(enc);
    const systematic = enc.primarySlivers.slice(0, enc.params.primarySourceSymbols);
    expect(decodeBlob(meta, systematic, { consistency: "default" }).kind).toBe("decoded");
    expect(decodeBlob(meta, systematic, { consistency: "strict" }).kind).toBe("inconsistent");
    // From the other primary slivers the default check sees the contradiction.
    const others = enc.primarySlivers.slice(n - enc.params.primarySourceSymbols);
    expect(decodeBlob(meta, others, { consistency: "default" }).kind).toBe("inconsistent");
  });
});
