/**
 * Malformed input through every decode, verify and BCS entry point: random bytes and mutations of
 * valid encodings (bit flips, truncation, extension, splices). Each input must give a typed
 * WalrusSpecError or a value that is genuinely valid — never another exception, never a hang, never
 * wrong bytes accepted. More than 10 000 inputs in all.
 */

import { fc, test } from "@fast-check/vitest";
import { afterAll, describe, expect } from "vitest";
import {
  decodeInconsistencyProof,
  decodeMetadata,
  decodeMetadataWithId,
  decodeRecoverySymbol,
  decodeSliver,
  encodeInconsistencyProof,
  encodeMetadata,
  encodeMetadataWithId,
  encodeRecoverySymbol,
  encodeSliver,
} from "../spec/bcs.js";
import { blobIdFromString, blobIdToString } from "../spec/commitments/blob-id.js";
import { verifyMetadata } from "../spec/commitments/metadata.js";
import { decodeBlob } from "../spec/codec/decode.js";
import { encodeBlob } from "../spec/codec/encode.js";
import { encodeInconsistently } from "../spec/codec/malicious.js";
import {
  RecoverySymbolSource,
  recoverSliver,
  verifyInconsistencyProof,
  verifyRecoverySymbol,
} from "../spec/codec/recovery.js";
import { rsDecode } from "../spec/codec/reed-solomon.js";
import { verifySliver } from "../spec/codec/slivers.js";
import { WalrusSpecError } from "../spec/errors.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
let inputs = 0;

/** Runs `body`; a thrown error must be typed. Returns the value or undefined when rejected. */
function typedOnly<T>(body: () => T): T | undefined {
  inputs++;
  try {
    return body();
  } catch (error) {
    if (!(error instanceof WalrusSpecError)) {
      throw new Error(`untyped error: ${(error as Error)?.name}: ${(error as Error)?.message}`, { cause: error });
    }
    return undefined;
  }
}

// One honest and one malicious encoding to mutate.
const blob = Uint8Array.from({ length: 700 }, (_, i) => (i * 13 + 5) & 0xff);
const honest = encodeBlob(blob, 7);
const meta = verifyMetadata(honest);
const malicious = encodeInconsistently(blob, 7, { primary: [1] });
const maliciousMeta = verifyMetadata(malicious);
const symbol = new RecoverySymbolSource(honest.params, honest.secondarySlivers[3]).symbolFor(2);
const proofResult = recoverSliver(
  maliciousMeta,
  "primary",
  1,
  malicious.secondarySlivers.map((s) => new RecoverySymbolSource(malicious.params, s).symbolFor(1)),
);
if (proofResult.kind !== "inconsistent") throw new Error("fixture: expected an inconsistency proof");
const inconsistency = proofResult.proof;

const valid = {
  sliver: encodeSliver(honest.primarySlivers[2]),
  metadataWithId: encodeMetadataWithId(honest),
  metadata: encodeMetadata(honest.metadata),
  symbol: encodeRecoverySymbol(symbol),
  proof: encodeInconsistencyProof(inconsistency),
};

/** Mutations of a valid encoding: flips, truncation, extension, overwritten spans, or random bytes. */
function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: base.length + 16 }),
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => {
      const copy = base.slice();
      copy[at % copy.length] ^= 1 << bit;
      return copy;
    }),
    fc.nat().map((cut) => base.slice(0, cut % base.length)),
    fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra) => Uint8Array.from([...base, ...extra])),
    fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 6 })).map(([at, bytes]) => {
      const copy = base.slice();
      copy.set(bytes.subarray(0, Math.max(0, copy.length - (at % copy.length))), at % copy.length);
      return copy;
    }),
  );
}

describe("BCS entry points", () => {
  test.prop([mutated(valid.sliver), fc.constantFrom("primary", "secondary" as const)], { numRuns: 1500 })(
    "SliverData: typed error, or a canonical parse that verifies only if it is the real sliver",
    (bytes, axis) => {
      const sliver = typedOnly(() => decodeSliver(bytes, axis));
      if (!sliver) return;
      expect(hex(encodeSliver(sliver))).toBe(hex(bytes));
      const accepted = typedOnly(() => {
        verifySliver(meta, sliver);
        return true;
      });
      if (accepted) {
        const real = (axis === "primary" ? honest.primarySlivers : honest.secondarySlivers)[sliver.index];
        expect(hex(sliver.data)).toBe(hex(real.data));
      }
    },
  );

  test.prop([mutated(valid.metadataWithId)], { numRuns: 1500 })(
    "BlobMetadataWithId: typed error, or a canonical parse that verifies only if unchanged",
    (bytes) => {
      const parsed = typedOnly(() => decodeMetadataWithId(bytes));
      if (!parsed) return;
      expect(hex(encodeMetadataWithId(parsed))).toBe(hex(bytes));
      const verified = typedOnly(() => verifyMetadata(parsed));
      if (verified) expect(hex(bytes)).toBe(hex(valid.metadataWithId));
    },
  );

  test.prop([mutated(valid.metadata)], { numRuns: 1000 })("BlobMetadata: typed error or canonical parse", (bytes) => {
    const parsed = typedOnly(() => decodeMetadata(bytes));
    if (parsed) expect(hex(encodeMetadata(parsed))).toBe(hex(bytes));
  });

  test.prop([mutated(valid.symbol)], { numRuns: 1500 })(
    "GeneralRecoverySymbol: typed error, or a parse that verifies only if it is a true symbol",
    (bytes) => {
      const parsed = typedOnly(() => decodeRecoverySymbol(bytes));
      if (!parsed) return;
      expect(hex(encodeRecoverySymbol(parsed))).toBe(hex(bytes));
      const ok = typedOnly(() => {
        verifyRecoverySymbol(meta, parsed);
        return true;
      });
      if (ok) {
        const truth = new RecoverySymbolSource(
          honest.params,
          (parsed.target === "primary" ? honest.secondarySlivers : honest.primarySlivers)[parsed.sourceIndex],
        ).symbolFor(parsed.targetIndex);
        expect(hex(parsed.data)).toBe(hex(truth.data));
      }
    },
  );

  test.prop([mutated(valid.proof), fc.constantFrom("primary", "secondary" as const)], { numRuns: 1500 })(
    "InconsistencyProof: typed error, or a parse whose verification is a plain boolean",
    (bytes, axis) => {
      const parsed = typedOnly(() => decodeInconsistencyProof(bytes, axis));
      if (!parsed) return;
      expect(hex(encodeInconsistencyProof(parsed))).toBe(hex(bytes));
      const verdict = typedOnly(() => verifyInconsistencyProof(meta, parsed));
      // Against the honest blob no proof, however crafted, may verify.
      expect(verdict === undefined || verdict === false).toBe(true);
      typedOnly(() => verifyInconsistencyProof(maliciousMeta, parsed));
    },
  );
});

describe("verify and decode entry points", () => {
  test.prop(
    [
      fc.array(
        fc.record({
          axis: fc.constantFrom("primary", "secondary" as const),
          index: fc.integer({ min: -2, max: 9 }),
          symbolSize: fc.constantFrom(0, 1, 2, 4, 6, 8, 65_536),
          data: fc.uint8Array({ maxLength: 80 }),
        }),
        { maxLength: 12 },
      ),
    ],
    { numRuns: 1000 },
  )("decodeBlob on arbitrary slivers mixed with honest ones never returns wrong bytes", (garbage) => {
    const offered = [...garbage, ...honest.primarySlivers.slice(0, 2), ...honest.secondarySlivers.slice(2, 5)];
    const result = typedOnly(() => decodeBlob(meta, offered, { consistency: "default" }));
    if (result?.kind === "decoded") expect(hex(result.blob)).toBe(hex(blob));
  });

  test.prop(
    [
      fc.array(
        fc.record({
          target: fc.constantFrom("primary", "secondary" as const),
          targetIndex: fc.integer({ min: -1, max: 8 }),
          sourceIndex: fc.integer({ min: -1, max: 8 }),
          data: fc.uint8Array({ maxLength: 12 }),
          proof: fc.record({
            path: fc.array(
              fc.oneof(
                fc.constant({ kind: "empty" as const }),
                fc.uint8Array({ minLength: 0, maxLength: 33 }).map((digest) => ({ kind: "digest" as const, digest })),
              ),
              { maxLength: 5 },
            ),
          }),
        }),
        { maxLength: 8 },
      ),
    ],
    { numRuns: 1000 },
  )("recoverSliver on arbitrary symbols: a typed error or the true sliver", (symbols) => {
    const honestSymbols = honest.secondarySlivers
      .slice(0, 4)
      .map((s) => new RecoverySymbolSource(honest.params, s).symbolFor(0));
    const result = typedOnly(() => recoverSliver(meta, "primary", 0, [...symbols, ...honestSymbols]));
    if (result) {
      expect(result.kind).toBe("recovered");
      if (result.kind === "recovered") expect(hex(result.sliver.data)).toBe(hex(honest.primarySlivers[0].data));
    }
  });

  test.prop([fc.string({ maxLength: 60 })], { numRuns: 1000 })(
    "blob IDs from text: typed error or canonical",
    (text) => {
      const id = typedOnly(() => blobIdFromString(text));
      if (id) expect(blobIdToString(id)).toBe(text);
    },
  );

  test.prop(
    [
      fc.integer({ min: -1, max: 12 }),
      fc.integer({ min: -1, max: 12 }),
      fc.array(fc.tuple(fc.integer({ min: -2, max: 30 }), fc.integer({ min: 0, max: 4 })), { maxLength: 10 }),
    ],
    { numRuns: 1000 },
  )("Reed-Solomon decode on bad parameters or shards: typed errors", (k, m, shards) => {
    typedOnly(() =>
      rsDecode(
        k,
        m,
        shards.map(([index, length]) => [index, new Uint16Array(length)] as const),
      ),
    );
  });

  afterAll(() => {
    expect(inputs).toBeGreaterThanOrEqual(10_000);
  });
});
