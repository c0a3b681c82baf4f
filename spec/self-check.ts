/**
 * The codec self-check: known answers from the Walrus network and round trips through every path
 * of the codec (encode, decode on both axes, recovery on both axes, inconsistency proofs). It is
 * what `walrus-spec check --codec` runs; the test suite covers the same ground far more widely.
 *
 * Known answers come from walrus-core (`test_v1_blob_id_stability`) and from @mysten/walrus-wasm
 * 0.3.0 (its encoder tests and direct runs), as recorded in the codec reference notes.
 */

import { encodeSliver } from "./bcs.js";
import { blobIdToString } from "./commitments/blob-id.js";
import { verifyMetadata } from "./commitments/metadata.js";
import { decodeBlob } from "./codec/decode.js";
import { computeBlobCommitments, encodeBlob } from "./codec/encode.js";
import { encodeInconsistently } from "./codec/malicious.js";
import { RecoverySymbolSource, recoverSliver, verifyInconsistencyProof } from "./codec/recovery.js";
import { rsEncode } from "./codec/reed-solomon.js";
import { elementsToSymbols, symbolsToElements } from "./codec/symbol-layout.js";
import type { Axis } from "./codec/slivers.js";

/** One self-check and its outcome. */
export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** The deterministic test pattern of the reference notes: byte i = (31·i + 7·seed + 11) mod 251. */
export function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + 11) % 251;
  return bytes;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

function check(name: string, run: () => string | true): CheckResult {
  try {
    const outcome = run();
    return { name, ok: outcome === true, detail: outcome === true ? "ok" : outcome };
  } catch (error) {
    return { name, ok: false, detail: `threw ${(error as Error).name}: ${(error as Error).message}` };
  }
}

function expectEqual(actual: string, expected: string): string | true {
  return actual === expected ? true : `got ${actual}, expected ${expected}`;
}

const KNOWN_BLOB_IDS: ReadonlyArray<{
  name: string;
  n: number;
  blob: () => Uint8Array;
  id: string;
  form: "text" | "hex";
}> = [
  {
    name: "walrus-core regression vector (n = 10)",
    n: 10,
    blob: () => new TextEncoder().encode("walrus blob id v1 regression test"),
    id: "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY",
    form: "text",
  },
  {
    name: "bytes 0..99 (n = 10)",
    n: 10,
    blob: () => Uint8Array.from({ length: 100 }, (_, i) => i),
    id: "jx0xLJr_aRAP2HOZYfj5wdaXGzIElcBUndsm1oBzH4E",
    form: "text",
  },
  {
    name: "empty blob (n = 1000, walrus-wasm test)",
    n: 1000,
    blob: () => new Uint8Array(0),
    id: "dc63d02f71d936716137f17b97901af97d553ad00ac08b20f73b9693c47cd6fe",
    form: "hex",
  },
  {
    name: "bytes 0..9 (n = 1000, walrus-wasm test)",
    n: 1000,
    blob: () => Uint8Array.from({ length: 10 }, (_, i) => i),
    id: "865ca48479104a9bdc136f7d6730b7f3920012eccb4e99ba8540b9363766e093",
    form: "hex",
  },
];

/** reed-solomon-simd vectors: originals[i] = pattern(2, 100 + i); first and last recovery symbol. */
const RS_VECTORS: ReadonlyArray<[k: number, m: number, first: string, last: string]> = [
  [2, 2, "b2fa", "bbfd"],
  [3, 4, "78b3", "8141"],
  [4, 6, "bbb1", "8212"],
  [7, 3, "7263", "7dae"],
  [5, 8, "e579", "834f"],
];

function rsVector(k: number, m: number): [string, string] {
  const originals = Array.from({ length: k }, (_, i) => {
    const elements = new Uint16Array(1);
    symbolsToElements(pattern(2, 100 + i), 0, 2, 1, elements, 0);
    return elements;
  });
  const recovery = rsEncode(originals, m).map((elements) => {
    const bytes = new Uint8Array(2);
    elementsToSymbols(elements, 0, 2, 1, bytes, 0);
    return hex(bytes);
  });
  return [recovery[0], recovery[recovery.length - 1]];
}

function roundTrip(n: number, length: number): string | true {
  const blob = pattern(length, n);
  const encoded = encodeBlob(blob, n);
  const meta = verifyMetadata(encoded);
  const { params } = encoded;
  // Decode from the last n−2f primary slivers and from the last n−f secondary slivers: the
  // non-systematic ones, which exercise the decoder rather than a copy.
  for (const [axis, slivers, need] of [
    ["primary", encoded.primarySlivers, params.primarySourceSymbols],
    ["secondary", encoded.secondarySlivers, params.secondarySourceSymbols],
  ] as const) {
    for (const consistency of ["default", "strict"] as const) {
      const result = decodeBlob(meta, slivers.slice(n - need), { consistency });
      if (result.kind !== "decoded" || hex(result.blob) !== hex(blob)) return `${axis} decode (${consistency}) failed`;
    }
  }
  // Recover one sliver of each axis from the other axis's holders.
  for (const target of ["primary", "secondary"] as Axis[]) {
    const sources = target === "primary" ? encoded.secondarySlivers : encoded.primarySlivers;
    const symbols = sources.map((sliver) => new RecoverySymbolSource(params, sliver).symbolFor(n - 1));
    const result = recoverSliver(meta, target, n - 1, symbols.reverse());
    const expected = (target === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[n - 1];
    if (result.kind !== "recovered" || hex(encodeSliver(result.sliver)) !== hex(encodeSliver(expected))) {
      return `recovery of ${target} sliver ${n - 1} failed`;
    }
  }
  return true;
}

function maliciousIsCaught(n: number): string | true {
  const blob = pattern(200, n);
  const encoded = encodeInconsistently(blob, n, { primary: [0] });
  const meta = verifyMetadata(encoded);
  const symbols = encoded.secondarySlivers.map((sliver) =>
    new RecoverySymbolSource(encoded.params, sliver).symbolFor(0),
  );
  const result = recoverSliver(meta, "primary", 0, symbols);
  if (result.kind !== "inconsistent") return "recovering the tampered sliver did not detect the inconsistency";
  if (!verifyInconsistencyProof(meta, result.proof)) return "the inconsistency proof does not verify";
  const strict = decodeBlob(meta, encoded.primarySlivers, { consistency: "strict" });
  if (strict.kind !== "inconsistent") return "the strict check accepted an inconsistent encoding";
  return true;
}

/** Runs every self-check. */
export function runCodecSelfCheck(): CheckResult[] {
  const results: CheckResult[] = [];
  for (const vector of KNOWN_BLOB_IDS) {
    results.push(
      check(`blob ID: ${vector.name}`, () => {
        const id = computeBlobCommitments(vector.blob(), vector.n).blobId;
        return expectEqual(vector.form === "text" ? blobIdToString(id) : hex(id), vector.id);
      }),
    );
  }
  results.push(
    check("slivers: pattern(5, 1) at n = 4 (walrus-wasm)", () => {
      const encoded = encodeBlob(pattern(5, 1), 4);
      const got = `${hex(encoded.blobId).slice(0, 8)} ${hex(encodeSliver(encoded.primarySlivers[0]))} ${hex(encodeSliver(encoded.secondarySlivers[3]))}`;
      return expectEqual(got, "5164e9c9 061231506f8e0002000000 04cc5e000002000300");
    }),
  );
  for (const [k, m, first, last] of RS_VECTORS) {
    results.push(
      check(`Reed-Solomon (k = ${k}, m = ${m})`, () => expectEqual(rsVector(k, m).join(" "), `${first} ${last}`)),
    );
  }
  for (const [n, length] of [
    [4, 0],
    [4, 1000],
    [7, 333],
    [10, 4096],
    [13, 1],
    [31, 10000],
  ] as const) {
    results.push(check(`round trip: n = ${n}, ${length} bytes`, () => roundTrip(n, length)));
  }
  for (const n of [4, 10]) results.push(check(`malicious writer caught: n = ${n}`, () => maliciousIsCaught(n)));
  return results;
}
