/**
 * Storage-challenge soundness over the real codec (analysis/challenge-soundness.ts): an honest
 * pair's challenged symbols verify at every receiver; a pair that deleted its slivers cannot compute
 * the symbols cut from its primary sliver from what the nodes outside challenge mode disclose within
 * the adversary budget, and can one supplier beyond it; the symbols cut from its secondary sliver and
 * the implementation's primary-sliver read give the game away; wrong answers fail with typed errors.
 */

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  BYZANTINE,
  type Disclosure,
  PAPER_HONEST,
  type PairSlivers,
  acceptChallengeResponse,
  answerableReceivers,
  challengeBytes,
  challengeResponse,
  challengeResponseBytes,
  challengeResponseVerifies,
  challengedSymbols,
  cheaterAnswers,
  cheaterKnowledge,
  disclose,
  supplierBudget,
  suppliersToRebuild,
  suppliersToRebuildKeeping,
  knownSliver,
  mergeDisclosed,
  pairSlivers,
} from "../analysis/challenge-soundness.js";
import { ALL_SHARED, HIGH_THRESHOLD_ONLY, sharedSymbols } from "../spec/challenge-symbols.js";
import { decodeRecoverySymbols, encodeRecoverySymbols } from "../spec/bcs.js";
import { EMPTY_NODE } from "../spec/commitments/merkle.js";
import { type VerifiedMetadata, verifyMetadata } from "../spec/commitments/metadata.js";
import { type EncodedBlob, encodeBlob } from "../spec/codec/encode.js";
import { encodeInconsistently } from "../spec/codec/malicious.js";
import { type RecoverySymbol, recoverSliver } from "../spec/codec/recovery.js";
import { type Axis, sliverIndexOf } from "../spec/codec/slivers.js";
import {
  InvalidParametersError,
  InvalidSymbolError,
  MalformedBcsError,
  NotEnoughSymbolsError,
} from "../spec/errors.js";
import { encodingParams, isQuorum } from "../spec/params.js";

const SEED = 0xc4a1;
const range = (n: number) => [...Array(n).keys()];
const hex = (bytes: Uint8Array | undefined) => (bytes === undefined ? "none" : Buffer.from(bytes).toString("hex"));

/** n in 4..25, a blob of 0..4 KiB, a cheater and the other pairs in a random order. */
const challengeCase = fc.integer({ min: 4, max: 25 }).chain((n) =>
  fc.nat({ max: n - 1 }).chain((cheater) => {
    const others = range(n).filter((q) => q !== cheater);
    return fc.record({
      n: fc.constant(n),
      blob: fc.uint8Array({ minLength: 0, maxLength: 4096 }),
      cheater: fc.constant(cheater),
      others: fc.shuffledSubarray(others, { minLength: others.length, maxLength: others.length }),
    });
  }),
);

function disclosedBy(
  enc: EncodedBlob,
  cheater: number,
  suppliers: readonly number[],
  what: (q: number) => readonly Disclosure[],
) {
  return mergeDisclosed(suppliers.map((q) => disclose(enc.params, pairSlivers(enc, q), cheater, what(q))));
}

const recoveryOnly = () => ["recoveryForCheater"] as const;

/** The cheater's response to `receiver` from the slivers it rebuilt, if it rebuilt the ones `sources` need. */
function rebuiltResponse(
  meta: VerifiedMetadata,
  known: ReturnType<typeof cheaterKnowledge>,
  cheater: number,
  receiver: number,
  sources: readonly Axis[],
): Uint8Array | undefined {
  const answers = cheaterAnswers(known, cheater, receiver, sources);
  const symbols = answers.flatMap((a) => (a.symbol === undefined ? [] : [a.symbol]));
  if (symbols.length !== answers.length) return undefined;
  expect(acceptChallengeResponse(meta, cheater, receiver, encodeRecoverySymbols(symbols), sources)).toHaveLength(
    sources.length,
  );
  return encodeRecoverySymbols(symbols);
}

describe("the shared symbols", () => {
  it("are the two cells (p, n−1−q) and (q, n−1−p) that two pairs' rows and columns have in common", () => {
    for (let n = 4; n <= 25; n++) {
      const cells = range(n).map(
        (pair) =>
          new Set([
            ...range(n).map((c) => `${pair},${c}`),
            ...range(n).map((r) => `${r},${sliverIndexOf("secondary", pair, n)}`),
          ]),
      );
      const actual: unknown[] = [];
      const expected: unknown[] = [];
      for (let p = 0; p < n; p++) {
        for (let q = 0; q < n; q++) {
          if (p === q) continue;
          const shared = sharedSymbols(n, p, q);
          actual.push(shared.map((x) => `${x.row},${x.column}`).sort(), shared);
          expected.push([...cells[p]].filter((cell) => cells[q].has(cell)).sort(), [
            {
              source: "primary",
              sourceIndex: p,
              target: "secondary",
              targetIndex: n - 1 - q,
              row: p,
              column: n - 1 - q,
            },
            {
              source: "secondary",
              sourceIndex: n - 1 - p,
              target: "primary",
              targetIndex: q,
              row: q,
              column: n - 1 - p,
            },
          ]);
        }
      }
      expect(actual).toEqual(expected);
    }
  });
});

describe("completeness", () => {
  test.prop([challengeCase], { numRuns: 15, seed: SEED })(
    "an honest pair's challenged symbols verify at every receiver, equal the receiver's own copy, " +
      "and cost the closed form",
    ({ n, blob }) => {
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      for (const p of range(n)) {
        for (const q of range(n)) {
          if (p === q) continue;
          const response = challengeResponse(enc.params, pairSlivers(enc, p), q);
          expect(response.length).toBe(challengeResponseBytes(n, enc.symbolSize, p, q));
          const [fromPrimary, fromSecondary] = acceptChallengeResponse(meta, p, q, response);
          // The receiver's own copies are what it would send back: the same two cells, cut from its own slivers.
          const [mine, mineToo] = challengedSymbols(enc.params, pairSlivers(enc, q), p);
          expect(hex(fromPrimary.data)).toBe(hex(mineToo.data));
          expect(hex(fromSecondary.data)).toBe(hex(mine.data));
          const high = challengeResponse(enc.params, pairSlivers(enc, p), q, HIGH_THRESHOLD_ONLY);
          expect(challengeResponseVerifies(meta, p, q, high, HIGH_THRESHOLD_ONLY)).toBe(true);
          expect(high.length).toBe(challengeResponseBytes(n, enc.symbolSize, p, q, HIGH_THRESHOLD_ONLY));
        }
      }
    },
  );

  it("does not compare with the receiver's copy: under an inconsistent encoding that would fail an honest pair", () => {
    const n = 7;
    const blob = Uint8Array.from({ length: 300 }, (_, i) => i);
    // Primary sliver 2 is altered in its first symbol (column 0) and the writer commits to the altered row.
    const enc = encodeInconsistently(blob, n, { primary: [2] });
    const meta = verifyMetadata(enc);
    const receiver = sliverIndexOf("secondary", 0, n); // the pair holding column 0
    const response = challengeResponse(enc.params, pairSlivers(enc, 2), receiver);
    const [fromPrimary] = acceptChallengeResponse(meta, 2, receiver, response);
    const [, copy] = challengedSymbols(enc.params, pairSlivers(enc, receiver), 2);
    expect(hex(fromPrimary.data)).not.toBe(hex(copy.data));
    // Both stored what the writer committed to: each side's symbol verifies against the metadata.
    expect(
      challengeResponseVerifies(meta, receiver, 2, challengeResponse(enc.params, pairSlivers(enc, receiver), 2)),
    ).toBe(true);
  });
});

describe("soundness", () => {
  test.prop(
    [
      challengeCase.chain((c) => {
        const f = encodingParams(c.n).maxFaulty;
        return fc.record({
          c: fc.constant(c),
          suppliers: fc.integer({ min: 0, max: c.n - f - 2 }),
          byzantine: fc.integer({ min: 0, max: f - 1 }),
          at: fc.nat(),
        });
      }),
    ],
    { numRuns: 40, seed: SEED + 1 },
  )(
    "below n−f−1 suppliers (the budget 2f−1 included), even with Byzantine ones handing over their slivers, " +
      "the cheater computes no primary-sourced symbol for a receiver outside its suppliers and gets no certificate",
    ({ c, suppliers: h, byzantine: b, at }) => {
      const { n, blob, cheater } = c;
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const suppliers = c.others.slice(0, h);
      const byzantine = new Set(suppliers.slice(0, Math.min(b, h)));
      const known = cheaterKnowledge(
        meta,
        disclosedBy(enc, cheater, suppliers, (q) => (byzantine.has(q) ? BYZANTINE : PAPER_HONEST)),
      );
      expect(knownSliver(known, "primary", cheater)).toBeUndefined();
      const honest = pairSlivers(enc, cheater);
      for (const q of c.others) {
        const truth = challengedSymbols(enc.params, honest, q);
        const [fromPrimary, fromSecondary] = cheaterAnswers(known, cheater, q);
        // Whatever it can compute is right: the codec gives it no wrong values to offer.
        for (const [answer, symbol] of [
          [fromPrimary, truth[0]],
          [fromSecondary, truth[1]],
        ] as const) {
          if (answer.value !== undefined) expect(hex(answer.value)).toBe(hex(symbol.data));
        }
        if (suppliers.includes(q)) continue;
        expect(fromPrimary.value).toBeUndefined();
        expect(fromPrimary.symbol).toBeUndefined();
        // Its best is a guess; given the true opening for free, any value but the truth fails.
        const guess = truth[0].data.slice();
        guess[at % guess.length] ^= 1 + (at % 255);
        const forged = encodeRecoverySymbols([{ ...truth[0], data: guess }, truth[1]]);
        expect(() => acceptChallengeResponse(meta, cheater, q, forged)).toThrow(InvalidSymbolError);
      }
      const { receivers, certificate } = answerableReceivers(known, cheater);
      expect(receivers.every((q) => suppliers.includes(q))).toBe(true);
      expect(certificate).toBe(false);
      expect(answerableReceivers(known, cheater, HIGH_THRESHOLD_ONLY).certificate).toBe(false);
    },
  );

  test.prop([challengeCase, fc.nat()], { numRuns: 40, seed: SEED + 2 })(
    "with h suppliers answering its recovery requests the cheater rebuilds its secondary sliver iff h ≥ n−2f and " +
      "its primary iff h ≥ n−f−1, its own secondary supplying the last symbol; then every receiver accepts it",
    ({ n, blob, cheater, others }, pick) => {
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const { params } = enc;
      const primaryAt = suppliersToRebuild(params, "primary");
      // Half the cases sit at the primary threshold or one below it, where the claim is decided.
      const h = pick % 2 === 0 ? primaryAt - 1 + ((pick >> 1) % 2) : (pick >> 1) % n;
      const suppliers = others.slice(0, h);
      const disclosed = disclosedBy(enc, cheater, suppliers, recoveryOnly);
      const known = cheaterKnowledge(meta, disclosed);
      const secondaryIndex = sliverIndexOf("secondary", cheater, n);
      expect(knownSliver(known, "secondary", secondaryIndex) !== undefined).toBe(
        h >= suppliersToRebuild(params, "secondary"),
      );
      expect(knownSliver(known, "primary", cheater) !== undefined).toBe(h >= primaryAt);
      expect(answerableReceivers(known, cheater).certificate).toBe(h >= primaryAt);
      if (h < primaryAt) return;
      expect(known.rebuilt).toEqual([
        { axis: "secondary", index: secondaryIndex },
        { axis: "primary", index: cheater },
      ]);
      const honest = pairSlivers(enc, cheater);
      for (const q of others) {
        const response = rebuiltResponse(meta, known, cheater, q, ALL_SHARED);
        expect(hex(response)).toBe(hex(challengeResponse(params, honest, q)));
      }
      // From the suppliers alone the primary sliver is one symbol short.
      const fromSuppliers = disclosed.symbols.filter((s) => s.target === "primary");
      expect(fromSuppliers).toHaveLength(h);
      if (h === primaryAt) {
        expect(() => recoverSliver(meta, "primary", cheater, fromSuppliers)).toThrow(NotEnoughSymbolsError);
      }
    },
  );

  it("within the budget the primary sliver stays one symbol out of reach, for every n in 4..1000", () => {
    for (let n = 4; n <= 1000; n++) {
      const params = encodingParams(n);
      const f = params.maxFaulty;
      expect(supplierBudget(params)).toBe(2 * f - 1);
      // Margin n−3f: 1 when n = 3f+1, so one supplier beyond the budget is enough there.
      expect(suppliersToRebuild(params, "primary") - supplierBudget(params)).toBe(n - 3 * f);
      expect(isQuorum(supplierBudget(params) + 1, n)).toBe(false);
    }
  });
});

describe("the low-threshold axis", () => {
  test.prop([challengeCase], { numRuns: 30, seed: SEED + 3 })(
    "n−2f suppliers let the cheater answer every secondary-sourced symbol with openings that verify, " +
      "while the primary-sourced ones for receivers outside its suppliers stay out of reach (f ≥ 2)",
    ({ n, blob, cheater, others }) => {
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const { params } = enc;
      const kp = suppliersToRebuild(params, "secondary");
      const suppliers = others.slice(0, kp);
      const known = cheaterKnowledge(meta, disclosedBy(enc, cheater, suppliers, recoveryOnly));
      for (const q of others) {
        expect(rebuiltResponse(meta, known, cheater, q, ["secondary"])).toBeDefined();
        const [fromPrimary] = cheaterAnswers(known, cheater, q, HIGH_THRESHOLD_ONLY);
        if (params.maxFaulty >= 2 && !suppliers.includes(q)) expect(fromPrimary.value).toBeUndefined();
      }
      expect(answerableReceivers(known, cheater, ["secondary"]).certificate).toBe(true);
      // One supplier fewer and the secondary-sourced values it has are the suppliers' own cells.
      const fewer = cheaterKnowledge(meta, disclosedBy(enc, cheater, suppliers.slice(1), recoveryOnly));
      const answerable = answerableReceivers(fewer, cheater, ["secondary"]).receivers;
      expect(answerable).toEqual([...suppliers.slice(1)].sort((a, b) => a - b));
    },
  );

  it("n−2f suppliers are within the budget 2f−1 iff n ≤ 4f−1: of n in 4..25 all but 4, 5, 6, 8, 9, 12", () => {
    const forgeable = range(1000).filter((n) => {
      if (n < 4) return false;
      const params = encodingParams(n);
      const within = suppliersToRebuild(params, "secondary") <= supplierBudget(params);
      expect(within).toBe(n <= 4 * params.maxFaulty - 1);
      return within;
    });
    expect(forgeable.filter((n) => n <= 25)).toEqual(
      range(26).filter((n) => n >= 4 && ![4, 5, 6, 8, 9, 12].includes(n)),
    );
    expect(forgeable.length).toBe(996 - 6);
  });

  test.prop([challengeCase], { numRuns: 15, seed: SEED + 4 })(
    "the implementation's read: n−2f primary slivers give the cheater every sliver of the blob, n−2f−1 give nothing",
    ({ n, blob, cheater, others }) => {
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const kp = enc.params.primarySourceSymbols;
      const reads = () => ["primarySliver"] as const;
      const known = cheaterKnowledge(meta, disclosedBy(enc, cheater, others.slice(0, kp), reads));
      expect(known.slivers.size).toBe(2 * n);
      expect(answerableReceivers(known, cheater).receivers).toEqual(others.slice().sort((a, b) => a - b));
      for (const q of others) expect(rebuiltResponse(meta, known, cheater, q, ALL_SHARED)).toBeDefined();
      const short = cheaterKnowledge(meta, disclosedBy(enc, cheater, others.slice(0, kp - 1), reads));
      expect(short.rebuilt).toEqual([]);
    },
  );
});

describe("a node that keeps one sliver", () => {
  test.prop([challengeCase, fc.constantFrom<Axis>("primary", "secondary"), fc.nat()], { numRuns: 30, seed: SEED + 6 })(
    "rebuilds the other from one supplier fewer than its threshold: keeping the secondary saves nothing, " +
      "keeping the primary passes the primary-only challenge alone and the full one from n−2f−1 suppliers",
    ({ n, blob, cheater, others }, kept, pick) => {
      const enc = encodeBlob(blob, n);
      const meta = verifyMetadata(enc);
      const { params } = enc;
      const need = suppliersToRebuildKeeping(params, kept);
      const h = pick % 2 === 0 ? need - 1 + ((pick >> 1) % 2) : (pick >> 1) % n;
      const own = pairSlivers(enc, cheater)[kept];
      const known = cheaterKnowledge(
        meta,
        mergeDisclosed([{ slivers: [own], symbols: [] }, disclosedBy(enc, cheater, others.slice(0, h), recoveryOnly)]),
      );
      const missing = kept === "primary" ? "secondary" : "primary";
      expect(knownSliver(known, missing, sliverIndexOf(missing, cheater, n)) !== undefined).toBe(h >= need);
      expect(answerableReceivers(known, cheater).certificate).toBe(h >= need);
      expect(answerableReceivers(known, cheater, HIGH_THRESHOLD_ONLY).certificate).toBe(
        kept === "primary" || h >= need,
      );
    },
  );

  it(
    "keeping the secondary needs as many suppliers as keeping nothing; keeping the primary is within " +
      "the budget iff n ≤ 4f",
    () => {
      for (let n = 4; n <= 1000; n++) {
        const params = encodingParams(n);
        expect(suppliersToRebuildKeeping(params, "secondary")).toBe(suppliersToRebuild(params, "primary"));
        expect(suppliersToRebuildKeeping(params, "primary") <= supplierBudget(params)).toBe(n <= 4 * params.maxFaulty);
      }
    },
  );
});

describe("wrong answers", () => {
  const corruptions = [
    "data byte",
    "digest byte",
    "dropped node",
    "extra node",
    "digest to empty",
    "target index",
    "source index",
    "target axis",
    "swapped",
    "missing",
    "extra",
    "truncated",
    "trailing byte",
    "other blob",
    "guess",
  ] as const;
  type Corruption = (typeof corruptions)[number];

  function corrupt(
    kind: Corruption,
    symbols: RecoverySymbol[],
    i: number,
    at: number,
    other: RecoverySymbol[],
  ): Uint8Array {
    const s = symbols[i];
    const path = [...s.proof.path];
    const digests = path.flatMap((node, k) => (node.kind === "digest" ? [k] : []));
    const replace = (changed: RecoverySymbol) => encodeRecoverySymbols(symbols.map((x, k) => (k === i ? changed : x)));
    switch (kind) {
      case "data byte": {
        const data = s.data.slice();
        data[at % data.length] ^= 1 << (at % 8);
        return replace({ ...s, data });
      }
      case "guess":
        return replace({ ...s, data: Uint8Array.from(s.data, (b, k) => (k === 0 ? b ^ 0x5a : (b * 31 + at) & 255)) });
      case "digest byte": {
        const k = digests[at % digests.length];
        const node = path[k];
        if (node.kind === "digest") {
          const digest = node.digest.slice();
          digest[at % 32] ^= 1;
          path[k] = { kind: "digest", digest };
        }
        return replace({ ...s, proof: { path } });
      }
      case "dropped node":
        return replace({ ...s, proof: { path: path.slice(0, -1) } });
      case "extra node":
        return replace({ ...s, proof: { path: [...path, EMPTY_NODE] } });
      case "digest to empty":
        path[digests[at % digests.length]] = EMPTY_NODE;
        return replace({ ...s, proof: { path } });
      case "target index":
        return replace({ ...s, targetIndex: (s.targetIndex + 1 + (at % 3)) % 7 });
      case "source index":
        return replace({ ...s, sourceIndex: (s.sourceIndex + 1 + (at % 3)) % 7 });
      case "target axis":
        return replace({ ...s, target: s.target === "primary" ? "secondary" : "primary" });
      case "swapped":
        return encodeRecoverySymbols([...symbols].reverse());
      case "missing":
        return encodeRecoverySymbols(symbols.filter((_, k) => k !== i));
      case "extra":
        return encodeRecoverySymbols([...symbols, s]);
      case "truncated": {
        const bytes = encodeRecoverySymbols(symbols);
        return bytes.subarray(0, at % bytes.length);
      }
      case "trailing byte":
        return Uint8Array.of(...encodeRecoverySymbols(symbols), at & 255);
      case "other blob":
        return replace(other[i]);
    }
  }

  test.prop(
    [
      fc.record({
        blob: fc.uint8Array({ minLength: 1, maxLength: 2048 }),
        p: fc.nat({ max: 6 }),
        q: fc.nat({ max: 5 }),
        at: fc.nat(),
      }),
    ],
    { numRuns: 25, seed: SEED + 5 },
  )("every corrupted, misplaced or guessed symbol fails with a typed error", ({ blob, p, q: r, at }) => {
    const n = 7; // in range of the index corruptions above
    const q = r >= p ? r + 1 : r;
    const enc = encodeBlob(blob, n);
    const meta = verifyMetadata(enc);
    const symbols = challengedSymbols(enc.params, pairSlivers(enc, p), q);
    const other = challengedSymbols(enc.params, pairSlivers(encodeBlob(Uint8Array.of(...blob, 1), n), p), q);
    for (const kind of corruptions) {
      for (const i of [0, 1]) {
        // Where the other blob has the same row or column (a systematic sliver of padding), its symbol is ours.
        if (
          kind === "other blob" &&
          hex(encodeRecoverySymbols([other[i]])) === hex(encodeRecoverySymbols([symbols[i]]))
        ) {
          continue;
        }
        const bytes = corrupt(kind, symbols, i, at, other);
        let error: unknown;
        try {
          acceptChallengeResponse(meta, p, q, bytes);
        } catch (e) {
          error = e;
        }
        expect(
          error instanceof InvalidSymbolError || error instanceof MalformedBcsError,
          `${kind} of symbol ${i}`,
        ).toBe(true);
        expect(challengeResponseVerifies(meta, p, q, bytes)).toBe(false);
      }
    }
  });
});

describe("the figures", () => {
  it("pins the bytes per challenged node and blob that docs/challenge-soundness.md quotes", () => {
    const rows = [4, 7, 10, 25].map((n) => {
      const all = challengeBytes(n, 256 * 1024);
      const high = challengeBytes(n, 256 * 1024, HIGH_THRESHOLD_ONLY);
      const small = challengeBytes(n, 4096);
      return [
        n,
        all.symbolSize,
        all.storedPerNode,
        Math.round(all.meanPerNode),
        Math.round(high.meanPerNode),
        Math.round(small.meanPerNode),
      ];
    });
    // n, S, stored per node, sent per node (both shared symbols), sent per node (primary-sourced only), for
    // |B| = 256 KiB; then sent per node (both) for |B| = 4 KiB, where the openings outweigh the symbols.
    expect(rows).toEqual([
      [4, 43692, 218460, 262605, 131304, 4551],
      [7, 17478, 139824, 210983, 105495, 4523],
      [10, 9364, 103004, 170851, 85430, 4963],
      [25, 1714, 44564, 90416, 45220, 9440],
    ]);
  });

  it("sums challengeResponseBytes over the other n−1 receivers", () => {
    const n = 10;
    const s = challengeBytes(n, 1000).symbolSize;
    let pairZero = 0;
    for (let q = 1; q < n; q++) pairZero += challengeResponseBytes(n, s, 0, q);
    expect(challengeBytes(n, 1000).pairZero).toBe(pairZero);
  });
});

describe("bad input", () => {
  const enc = encodeBlob(Uint8Array.of(1, 2, 3), 7);
  const slivers: PairSlivers = pairSlivers(enc, 0);

  it("rejects impossible pairs, sources and suppliers with typed errors", () => {
    expect(() => sharedSymbols(7, 3, 3)).toThrow(InvalidParametersError);
    expect(() => sharedSymbols(7, 7, 0)).toThrow(InvalidParametersError);
    expect(() => sharedSymbols(7, 0, -1)).toThrow(InvalidParametersError);
    expect(() => sharedSymbols(3, 0, 1)).toThrow(InvalidParametersError);
    expect(() => sharedSymbols(7, 0, 1, [])).toThrow(InvalidParametersError);
    expect(() => sharedSymbols(7, 0, 1, ["primary", "primary"])).toThrow(InvalidParametersError);
    expect(() => pairSlivers(enc, 7)).toThrow(InvalidParametersError);
    expect(() => challengedSymbols(enc.params, { ...slivers, secondary: enc.secondarySlivers[0] }, 1)).toThrow(
      InvalidParametersError,
    );
    expect(() => challengedSymbols(enc.params, { primary: slivers.secondary, secondary: slivers.primary }, 1)).toThrow(
      InvalidParametersError,
    );
    expect(() => disclose(enc.params, slivers, 0, BYZANTINE)).toThrow(InvalidParametersError);
    expect(() => challengeResponseVerifies(verifyMetadata(enc), 0, 0, new Uint8Array())).toThrow(
      InvalidParametersError,
    );
  });

  it("drops disclosed data that does not verify instead of learning from it", () => {
    const meta = verifyMetadata(enc);
    const honest = disclosedBy(enc, 0, [1, 2, 3], () => BYZANTINE);
    const flipped = (data: Uint8Array) => Uint8Array.from(data, (b, i) => (i === 0 ? b ^ 1 : b));
    const bad = {
      slivers: honest.slivers.map((s) => ({ ...s, data: flipped(s.data) })),
      symbols: honest.symbols.map((s) => ({ ...s, data: flipped(s.data) })),
    };
    expect(cheaterKnowledge(meta, bad).slivers.size).toBe(0);
    expect(cheaterKnowledge(meta, bad).cells.size).toBe(0);
    expect(decodeRecoverySymbols(challengeResponse(enc.params, slivers, 1))).toHaveLength(ALL_SHARED.length);
  });
});
