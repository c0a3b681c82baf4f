/**
 * Recovery bounds over the real codec (analysis/recovery-bounds.ts): the exact bytes a recovering
 * pair downloads, its share of |B|/n, the total over recovering pairs, the threshold's tightness and
 * the rejection of corrupted answers, for random n, blobs, recovering pairs and suppliers.
 */

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { mix32 } from "../checker/random.js";
import { shuffledBy } from "./support/suppliers.js";
import {
  MAX_SHARE_COEFFICIENT,
  type PairHoldings,
  type ResponseChannel,
  type SupplierOrder,
  acceptResponse,
  holdingsAfterLoss,
  honestResponse,
  pairRecoveryBytes,
  paddingSiblings,
  proofWireBytes,
  recoverFromSuppliers,
  recoverPairs,
  recoveryBounds,
  responseWireBytes,
  shareRatio,
} from "../analysis/recovery-bounds.js";
import { decodeRecoverySymbols, encodeRecoverySymbols } from "../spec/bcs.js";
import { EMPTY_NODE, MerkleTree, pathLength } from "../spec/commitments/merkle.js";
import { verifyMetadata } from "../spec/commitments/metadata.js";
import { type EncodedBlob, encodeBlob } from "../spec/codec/encode.js";
import { type RecoverySymbol, recoveryThreshold } from "../spec/codec/recovery.js";
import { type Axis, sliverIndexOf } from "../spec/codec/slivers.js";
import {
  DataTooLargeError,
  InvalidParametersError,
  InvalidSymbolError,
  MalformedBcsError,
  NotEnoughSymbolsError,
} from "../spec/errors.js";
import { encodingParams, sourceSymbolsPerBlob } from "../spec/params.js";

const SEED = 0x5eed;
const range = (n: number) => [...Array(n).keys()];
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

/** n in 4..max and a blob of 0..4 KiB, edge sizes around multiples of the kp·ks source symbols included. */
const blobCase = (minShards: number) =>
  fc.integer({ min: minShards, max: 40 }).chain((n) => {
    const k = sourceSymbolsPerBlob(encodingParams(n));
    const length = fc.oneof(
      fc.constantFrom(0, 1, 2, k - 1, k, k + 1, 2 * k, 2 * k + 1, 4096),
      fc.integer({ min: 0, max: 4096 }),
    );
    return fc.record({
      n: fc.constant(n),
      blob: length.chain((len) => fc.uint8Array({ minLength: len, maxLength: len })),
      seed: fc.integer(),
    });
  });

function original(enc: EncodedBlob, axis: Axis, index: number): Uint8Array {
  return (axis === "primary" ? enc.primarySlivers : enc.secondarySlivers)[index].data;
}

describe("the closed form", () => {
  it("matches the proofs and responses spec/ serialises, for every leaf of every n in 4..70", () => {
    for (let n = 4; n <= 70; n++) {
      const tree = MerkleTree.fromLeaves(range(n).map((i) => Uint8Array.of(i)));
      for (let t = 0; t < n; t++) {
        const proof = tree.proof(t);
        expect(proof.path.length).toBe(pathLength(n));
        expect(proof.path.filter((node) => node === EMPTY_NODE || node.kind === "empty").length).toBe(
          paddingSiblings(n, t),
        );
        for (const symbolSize of [2, 126, 128, 65534]) {
          const symbol: RecoverySymbol = {
            target: "primary",
            targetIndex: t,
            sourceIndex: 0,
            data: new Uint8Array(symbolSize),
            proof,
          };
          expect(encodeRecoverySymbols([symbol]).length).toBe(responseWireBytes(n, symbolSize, t));
        }
      }
    }
  });

  it("pins n = 10, |B| = 100, pair 0", () => {
    // S = 4; secondary target 9 has padding siblings at levels 1 and 2 (proof 1 + 2·33 + 2 = 69,
    // response 6 + 1 + 4 + 69 = 80); primary target 0 has none (proof 133, response 144).
    expect(proofWireBytes(10, 9)).toBe(69);
    expect(proofWireBytes(10, 0)).toBe(133);
    expect(pairRecoveryBytes(10, 100, 0)).toEqual({ symbolSize: 4, secondary: 4 * 80, primary: 7 * 144, total: 1328 });
    const enc = encodeBlob(
      Uint8Array.from({ length: 100 }, (_, i) => i),
      10,
    );
    const [report] = recoverPairs(verifyMetadata(enc), holdingsAfterLoss(enc, [0]), [0], shuffledBy(SEED));
    expect(report.bytes).toBe(1328);
  });

  it("differs from the guess 'ceil(log2 n) digests of 32 bytes' wherever the tree is padded", () => {
    const guess = (n: number, s: number) => {
      const p = encodingParams(n);
      return (p.primarySourceSymbols + p.secondarySourceSymbols) * (s + 32 * pathLength(n));
    };
    expect(pairRecoveryBytes(10, 100, 0).total).not.toBe(guess(10, 4));
    // Where no level is padded (n a power of two) the proofs are full and only the framing differs:
    // 7 bytes of fields and prefixes, 1 per digest node, and uleb(S).
    const full = pairRecoveryBytes(16, 1000, 5);
    const p = encodingParams(16);
    expect(full.total - guess(16, full.symbolSize)).toBe(
      (p.primarySourceSymbols + p.secondarySourceSymbols) * (7 + pathLength(16) + 1),
    );
  });

  it("keeps n/(n−2f) + n/(n−f) below 9/2, approaching it", () => {
    let previousForm1 = 0;
    for (let n = 4; n <= 3001; n++) {
      const c = recoveryBounds(n, 0).shareCoefficient;
      expect(c).toBeLessThan(MAX_SHARE_COEFFICIENT);
      if (n % 3 === 1) {
        expect(c).toBeGreaterThan(previousForm1);
        previousForm1 = c;
      }
    }
    expect(previousForm1).toBeGreaterThan(4.49);
  });

  it("bounds the formula for every pair recovering, n in 4..40, by (9/2)·|B| plus a term free of |B|", () => {
    for (let n = 4; n <= 40; n++) {
      const k = sourceSymbolsPerBlob(encodingParams(n));
      for (const length of [0, 1, k, k + 1, 4096, 65534 * k]) {
        const bounds = recoveryBounds(n, length);
        let total = 0;
        for (const pair of range(n)) {
          const bytes = pairRecoveryBytes(n, length, pair).total;
          expect(bytes).toBeLessThanOrEqual(bounds.perNode);
          total += bytes;
        }
        expect(total).toBeLessThanOrEqual(bounds.total);
        expect(bounds.totalOverhead).toBe(recoveryBounds(n, 65534 * k).totalOverhead);
      }
    }
  });
});

describe("measured over the real codec", () => {
  test.prop(
    [
      blobCase(4).chain((c) => {
        const f = encodingParams(c.n).maxFaulty;
        return fc.record({
          c: fc.constant(c),
          recovering: fc.shuffledSubarray(range(c.n), { minLength: 1, maxLength: 2 * f }),
        });
      }),
    ],
    { numRuns: 90, seed: SEED },
  )(
    "each recovering pair downloads exactly the closed form, within O(|B|/n); all of them within O(|B|)",
    ({ c, recovering }) => {
      const { n, blob } = c;
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const reports = recoverPairs(meta, holdingsAfterLoss(enc, recovering), recovering, shuffledBy(c.seed));
      const bounds = recoveryBounds(n, blob.length);
      let total = 0;
      for (const report of reports) {
        const expected = pairRecoveryBytes(n, blob.length, report.pair);
        // Claim 1: exact, phase by phase, from exactly the thresholds' worth of other pairs.
        expect(report.secondary.bytes).toBe(expected.secondary);
        expect(report.primary.bytes).toBe(expected.primary);
        expect(report.secondary.suppliers.length).toBe(n - 2 * enc.params.maxFaulty);
        expect(report.primary.suppliers.length).toBe(n - enc.params.maxFaulty);
        expect(report.secondary.suppliers).not.toContain(report.pair);
        expect(report.primary.suppliers).not.toContain(report.pair);
        for (const phase of [report.secondary, report.primary]) {
          expect(phase.rejected).toEqual([]);
          expect(phase.result.kind).toBe("recovered");
          if (phase.result.kind === "recovered") {
            expect(hex(phase.result.sliver.data)).toBe(hex(original(enc, phase.target, phase.targetIndex)));
          }
        }
        // Claim 2: below c_n·|B|/n + overhead, i.e. a ratio to |B|/n below c_n + n·overhead/|B|.
        expect(report.bytes).toBeLessThanOrEqual(bounds.perNode);
        if (blob.length > 0) {
          expect(shareRatio(report.bytes, n, blob.length)).toBeLessThanOrEqual(
            bounds.shareCoefficient + (n * bounds.perNodeOverhead) / blob.length,
          );
        }
        total += report.bytes;
      }
      // Claim 3: the total grows with |B| at most like (9/2)·|B|.
      expect(total).toBeLessThanOrEqual(
        (recovering.length / n) * bounds.shareCoefficient * blob.length + recovering.length * bounds.perNodeOverhead,
      );
      expect(total).toBeLessThanOrEqual(bounds.total);
    },
  );

  test.prop([blobCase(4), fc.boolean(), fc.nat()], { numRuns: 80, seed: SEED + 1 })(
    "the threshold is tight: exactly that many symbols recover the sliver, one fewer throws NotEnoughSymbolsError",
    (c, primary, pairSeed) => {
      const { n, blob } = c;
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const pair = pairSeed % n;
      const target: Axis = primary ? "primary" : "secondary";
      const targetIndex = sliverIndexOf(target, pair, n);
      const need = recoveryThreshold(enc.params, target);
      const holdings = holdingsAfterLoss(enc, [pair]);
      const suppliers = shuffledBy(c.seed)(
        { target, targetIndex },
        range(n).filter((q) => q !== pair),
      );
      const enough = recoverFromSuppliers(meta, holdings, target, targetIndex, suppliers.slice(0, need));
      expect(enough.result.kind).toBe("recovered");
      expect(enough.bytes).toBe(need * responseWireBytes(n, enc.symbolSize, targetIndex));
      const short = () => recoverFromSuppliers(meta, holdings, target, targetIndex, suppliers.slice(0, need - 1));
      expect(short).toThrow(NotEnoughSymbolsError);
      expect(short).toThrow(`have ${need - 1}, need ${need}`);
      // Asking everyone does not help when only need − 1 of them still hold the sliver to cut from.
      const lost = suppliers.slice(need - 1);
      const thin = holdingsAfterLoss(enc, [pair, ...lost]);
      expect(() => recoverFromSuppliers(meta, thin, target, targetIndex, suppliers)).toThrow(NotEnoughSymbolsError);
    },
  );

  const corruptions = [
    "data byte",
    "digest byte",
    "dropped node",
    "extra node",
    "digest to empty",
    "any byte",
  ] as const;
  type Corruption = (typeof corruptions)[number];

  function corrupt(kind: Corruption, response: Uint8Array, at: number): Uint8Array {
    if (kind === "any byte") {
      const bytes = response.slice();
      bytes[at % bytes.length] ^= 1 + (mix32(at) % 255);
      return bytes;
    }
    const [symbol] = decodeRecoverySymbols(response);
    const path = [...symbol.proof.path];
    const digests = path.flatMap((node, i) => (node.kind === "digest" ? [i] : []));
    const victim = digests[at % digests.length];
    let data = symbol.data;
    if (kind === "data byte") {
      data = data.slice();
      data[at % data.length] ^= 1 << (at % 8);
    } else if (kind === "dropped node") path.pop();
    else if (kind === "extra node") path.push(EMPTY_NODE);
    else if (kind === "digest to empty") path[victim] = EMPTY_NODE;
    else {
      const node = path[victim];
      if (node.kind === "digest") {
        const digest = node.digest.slice();
        digest[at % 32] ^= 1 << (at % 8);
        path[victim] = { kind: "digest", digest };
      }
    }
    return encodeRecoverySymbols([{ ...symbol, data, proof: { path } }]);
  }

  test.prop(
    [
      blobCase(7).chain((c) => {
        const f = encodingParams(c.n).maxFaulty;
        return fc.record({
          c: fc.constant(c),
          pair: fc.nat({ max: c.n - 1 }),
          // The pair that lost its slivers is one of the f faults, so at most f − 1 suppliers lie.
          liars: fc.shuffledSubarray(range(c.n), { minLength: 1, maxLength: f - 1 }),
          kind: fc.constantFrom(...corruptions),
          at: fc.nat(),
        });
      }),
    ],
    { numRuns: 90, seed: SEED + 2 },
  )(
    "a corrupted byte or a wrong proof is rejected with a typed error and not counted",
    ({ c, pair, liars, kind, at }) => {
      const { n, blob } = c;
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const lying = new Set(liars.filter((q) => q !== pair));
      const channel: ResponseChannel = (request, response) =>
        lying.has(request.supplier) ? corrupt(kind, response, at + request.supplier) : response;
      // Everyone is asked, the liars first, so every lie is downloaded before the honest answers.
      const order: SupplierOrder = (request, candidates) => {
        const shuffled = shuffledBy(c.seed)(request, candidates);
        return [...shuffled.filter((q) => lying.has(q)), ...shuffled.filter((q) => !lying.has(q))];
      };
      const [report] = recoverPairs(meta, holdingsAfterLoss(enc, [pair]), [pair], order, channel);
      const expected = pairRecoveryBytes(n, blob.length, pair);
      for (const phase of [report.secondary, report.primary]) {
        expect(phase.rejected.map((r) => r.supplier).sort((a, b) => a - b)).toEqual([...lying].sort((a, b) => a - b));
        for (const rejection of phase.rejected) {
          expect(rejection.error instanceof InvalidSymbolError || rejection.error instanceof MalformedBcsError).toBe(
            true,
          );
        }
        for (const liar of lying) expect(phase.suppliers).not.toContain(liar);
        expect(phase.result.kind).toBe("recovered");
      }
      expect(report.secondary.bytes).toBe(expected.secondary);
      expect(report.primary.bytes).toBe(expected.primary);
    },
  );

  it("with f lying suppliers besides the lost pair, the primary phase is one symbol short", () => {
    const n = 10;
    const enc = encodeBlob(
      Uint8Array.from({ length: 500 }, (_, i) => i * 31),
      n,
    );
    const f = enc.params.maxFaulty;
    const lying = new Set([1, 2, 3].slice(0, f));
    const channel: ResponseChannel = (request, response) =>
      lying.has(request.supplier) ? corrupt("data byte", response, 0) : response;
    const run = () =>
      recoverPairs(verifyMetadata(enc), holdingsAfterLoss(enc, [0]), [0], (_, candidates) => [...candidates], channel);
    expect(run).toThrow(NotEnoughSymbolsError);
    expect(run).toThrow(`have ${n - 1 - f}, need ${n - f}`);
  });
});

describe("bad input", () => {
  const enc = encodeBlob(Uint8Array.of(1, 2, 3), 7);
  const meta = verifyMetadata(enc);
  const holdings: PairHoldings[] = holdingsAfterLoss(enc, [0]);

  it("rejects n or indices out of range and impossible blob lengths with typed errors", () => {
    expect(() => pairRecoveryBytes(3, 10, 0)).toThrow(InvalidParametersError);
    expect(() => pairRecoveryBytes(4.5, 10, 0)).toThrow(InvalidParametersError);
    expect(() => recoveryBounds(49156, 10)).toThrow(InvalidParametersError);
    expect(() => pairRecoveryBytes(7, 10, 7)).toThrow(InvalidParametersError);
    expect(() => pairRecoveryBytes(7, 10, -1)).toThrow(InvalidParametersError);
    expect(() => pairRecoveryBytes(7, 10, 1.5)).toThrow(InvalidParametersError);
    expect(() => pairRecoveryBytes(7, -1, 0)).toThrow(InvalidParametersError);
    expect(() => pairRecoveryBytes(4, 393_205, 0)).toThrow(DataTooLargeError);
    expect(() => paddingSiblings(7, 7)).toThrow(InvalidParametersError);
    expect(() => holdingsAfterLoss(enc, [7])).toThrow(InvalidParametersError);
  });

  it("rejects bad recovering sets, suppliers, targets and holdings with typed errors", () => {
    const order: SupplierOrder = (_, candidates) => [...candidates];
    expect(() => recoverPairs(meta, holdings, [0, 0], order)).toThrow(InvalidParametersError);
    expect(() => recoverPairs(meta, holdings, [-1], order)).toThrow(InvalidParametersError);
    expect(() => recoverFromSuppliers(meta, holdings, "primary", 0, [1, 9])).toThrow(InvalidParametersError);
    expect(() => recoverFromSuppliers(meta, holdings, "primary", 7, [1])).toThrow(InvalidParametersError);
    expect(() => recoverFromSuppliers(meta, holdings.slice(1), "primary", 0, [1])).toThrow(InvalidParametersError);
  });

  it("accepts only the one symbol asked for", () => {
    const request = { target: "primary" as const, targetIndex: 0, supplier: 1 };
    const response = honestResponse(enc.params, holdings, request);
    expect(response).toBeDefined();
    if (response === undefined) return;
    const [symbol] = decodeRecoverySymbols(response);
    expect(acceptResponse(meta, request, response).sourceIndex).toBe(sliverIndexOf("secondary", 1, 7));
    expect(honestResponse(enc.params, holdings, { ...request, supplier: 0 })).toBeUndefined();
    expect(() => acceptResponse(meta, request, encodeRecoverySymbols([symbol, symbol]))).toThrow(InvalidSymbolError);
    expect(() => acceptResponse(meta, request, encodeRecoverySymbols([]))).toThrow(InvalidSymbolError);
    expect(() => acceptResponse(meta, { ...request, supplier: 2 }, response)).toThrow(/asked for/);
    expect(() => acceptResponse(meta, { ...request, target: "secondary" }, response)).toThrow(InvalidSymbolError);
    expect(() => acceptResponse(meta, request, response.subarray(1))).toThrow(MalformedBcsError);
    expect(() => acceptResponse(meta, request, Uint8Array.of(...response, 0))).toThrow(MalformedBcsError);
  });
});
