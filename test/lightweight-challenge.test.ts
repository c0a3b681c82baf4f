/**
 * The lightweight storage challenge (analysis/lightweight-challenge.ts): the coin's picks are k
 * distinct blobs, a function of (coin, node) cut from BLAKE2b as documented and uniform over k-subsets;
 * honest and empty nodes; the pass rate over many coins against C(s,k)/C(m,k) within Hoeffding
 * intervals; the bound p^k and the challenged counts for a target ε; the escalation to the full
 * protocol; typed errors; and the tables of docs/lightweight-challenge.md.
 *
 * The statistical checks run at fixed seeds, so they are deterministic. Each compares a mean of
 * independent {0,1} trials with its expectation at a Hoeffding half-width for δ = 10^−9 (split by a
 * union bound where several means are compared at once): over the choice of seed, a correct selection
 * fails a check with probability at most δ, and a fixed seed either always passes or always fails.
 */

import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import { blake2b } from "@noble/hashes/blake2.js";
import { describe, expect, it } from "vitest";
import {
  type EscalationPolicy,
  type EscalationState,
  challengeNode,
  challengedBlobsFor,
  challengedBlobsForBound,
  documentTables,
  escalationAfterRaises,
  escalationAfterRound,
  hoeffdingHalfWidth,
  measurePassRate,
  passProbability,
  passProbabilityBound,
  passesChallenge,
  raisesToFullProtocol,
  startEscalation,
} from "../analysis/lightweight-challenge.js";
import { COIN_BYTES, type Coin, coinFromSeed, selectChallengedBlobs } from "../spec/challenge-coin.js";
import { InvalidParametersError } from "../spec/errors.js";

const SEED = 0x11c4;
const DELTA = 1e-9;
const EPSILON_40 = 2 ** -40;
const range = (n: number) => [...Array(n).keys()];
const coinsFrom = (base: number, count: number): Coin[] => range(count).map((i) => coinFromSeed(base + i));

/** m in 1..48, k in 0..m, and a random stored subset of the m blobs. */
const challengeCase = fc.integer({ min: 1, max: 48 }).chain((m) =>
  fc.record({
    m: fc.constant(m),
    k: fc.integer({ min: 0, max: m }),
    stored: fc.subarray(range(m)),
    node: fc.nat({ max: 1_000_000 }).map((i) => `node-${i}`),
    base: fc.nat({ max: 2 ** 40 }),
  }),
);

function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let result = 1n;
  for (let i = 0; i < k; i++) result = (result * BigInt(n - i)) / BigInt(i + 1);
  return result;
}

describe("the coin's picks", () => {
  test.prop(
    [
      fc.nat({ max: 2 ** 40 }),
      fc.string({ maxLength: 80 }),
      fc.integer({ min: 1, max: 300 }).chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 0, max: m }))),
    ],
    { numRuns: 150, seed: SEED },
  )("are exactly k distinct blobs of 0..m−1, ascending, the same on every call, nested in k", (seed, node, [m, k]) => {
    const coin = coinFromSeed(seed);
    const picks = selectChallengedBlobs(coin, node, m, k);
    expect(picks.length).toBe(k);
    expect(new Set(picks).size).toBe(k);
    for (const blob of picks) expect(Number.isInteger(blob) && blob >= 0 && blob < m).toBe(true);
    expect(picks).toEqual([...picks].sort((a, b) => a - b));
    expect(selectChallengedBlobs(Uint8Array.from(coin), node, m, k)).toEqual(picks);
    // Raising k under the same coin keeps the blobs already picked.
    const more = selectChallengedBlobs(coin, node, m, Math.min(m, k + 1 + (seed % 7)));
    for (const blob of picks) expect(more).toContain(blob);
  });

  it("are all blobs when k = m, and none when k = 0", () => {
    expect(selectChallengedBlobs(coinFromSeed(1), "n", 37, 37)).toEqual(range(37));
    expect(selectChallengedBlobs(coinFromSeed(1), "n", 37, 0)).toEqual([]);
  });

  it("depend on the coin and on the node", () => {
    // C(1000, 8) ≈ 2^66 subsets: under a random function, equal picks would be a collision.
    const picks = (coin: Coin, node: string) => selectChallengedBlobs(coin, node, 1000, 8).join(",");
    const seen = new Set<string>();
    for (let seed = 0; seed < 20; seed++) {
      for (const node of ["node-0", "node-1", "node-10", "", "nœud-0"]) seen.add(picks(coinFromSeed(seed), node));
    }
    expect(seen.size).toBe(100);
    const coin = coinFromSeed(3);
    const flipped = Uint8Array.from(coin);
    flipped[COIN_BYTES - 1]! ^= 1;
    expect(picks(flipped, "node-0")).not.toBe(picks(coin, "node-0"));
  });

  it("pin one selection, so a change of the PRF's input layout shows", () => {
    expect(selectChallengedBlobs(coinFromSeed(0), "node-0", 10, 3)).toEqual([2, 6, 7]);
    expect(Buffer.from(coinFromSeed(0)).toString("hex")).toBe(
      Buffer.from(
        blake2b(
          Uint8Array.from([...new TextEncoder().encode("walrus-spec/lightweight-coin/v1"), 0, 0, 0, 0, 0, 0, 0, 0]),
          {
            dkLen: 32,
          },
        ),
      ).toString("hex"),
    );
  });

  test.prop([fc.nat({ max: 2 ** 40 }), fc.string({ maxLength: 80 }), fc.integer({ min: 2, max: 100_000 })], {
    numRuns: 200,
    seed: SEED + 1,
  })(
    "start with the first PRF word, cut from an independent BLAKE2b of tag ‖ coin ‖ 0 ‖ |name| ‖ name",
    (seed, node, m) => {
      const coin = coinFromSeed(seed);
      const name = new TextEncoder().encode(node);
      const tag = new TextEncoder().encode("walrus-spec/lightweight-challenge/v1");
      const input = new Uint8Array(tag.length + COIN_BYTES + 8 + name.length);
      input.set(tag);
      input.set(coin, tag.length);
      new DataView(input.buffer).setUint32(tag.length + COIN_BYTES + 4, name.length, true);
      input.set(name, tag.length + COIN_BYTES + 8);
      const word = new DataView(blake2b(input, { dkLen: 32 }).buffer).getUint32(0, true);
      // A word in the rejected top 2^32 mod m (probability below m/2^32) is skipped; then the pick is later.
      fc.pre(word < 2 ** 32 - (2 ** 32 % m));
      expect(selectChallengedBlobs(coin, node, m, 1)).toEqual([word % m]);
    },
  );

  it("are uniform over the k-subsets: each of the C(m, k) subsets within its Hoeffding interval", () => {
    for (const [m, k, coins, base] of [
      [4, 2, 6000, 0],
      [6, 3, 12_000, 10_000],
      [5, 1, 4000, 30_000],
    ] as const) {
      const subsets = Number(binomial(m, k));
      const counts = new Map<string, number>();
      for (const coin of coinsFrom(base, coins)) {
        const key = selectChallengedBlobs(coin, "node-u", m, k).join(",");
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      expect(counts.size).toBe(subsets);
      const width = hoeffdingHalfWidth(coins, DELTA / subsets);
      for (const count of counts.values()) expect(Math.abs(count / coins - 1 / subsets)).toBeLessThanOrEqual(width);
    }
  });

  it("include each blob with frequency k/m within its Hoeffding interval", () => {
    for (const [m, k, coins, base] of [
      [10, 3, 3000, 50_000],
      [40, 25, 3000, 60_000],
      [97, 96, 2000, 70_000],
    ] as const) {
      const included = new Array<number>(m).fill(0);
      for (const coin of coinsFrom(base, coins)) {
        for (const blob of selectChallengedBlobs(coin, "node-m", m, k)) included[blob]!++;
      }
      const width = hoeffdingHalfWidth(coins, DELTA / m);
      for (const count of included) expect(Math.abs(count / coins - k / m)).toBeLessThanOrEqual(width);
    }
  });
});

describe("pass or fail", () => {
  test.prop([challengeCase], { numRuns: 200, seed: SEED + 2 })(
    "a node passes iff every picked blob is stored; the early-stopping verdict agrees",
    ({ m, k, stored, node, base }) => {
      const coin = coinFromSeed(base);
      const storedSet = new Set(stored);
      const outcome = challengeNode(coin, node, m, k, storedSet);
      expect(outcome.challenged).toEqual(selectChallengedBlobs(coin, node, m, k));
      expect(outcome.missing).toEqual(outcome.challenged.filter((blob) => !storedSet.has(blob)));
      expect(outcome.passed).toBe(outcome.missing.length === 0);
      expect(passesChallenge(coin, node, m, k, storedSet)).toBe(outcome.passed);
    },
  );

  test.prop([challengeCase], { numRuns: 200, seed: SEED + 3 })(
    "an honest node (s = m) always passes; a node storing nothing never passes once k ≥ 1",
    ({ m, k, node, base }) => {
      const coin = coinFromSeed(base);
      expect(challengeNode(coin, node, m, k, new Set(range(m))).passed).toBe(true);
      const empty = challengeNode(coin, node, m, k, new Set());
      expect(empty.passed).toBe(k === 0);
      expect(empty.missing.length).toBe(k);
    },
  );

  it("a node missing one blob passes the full protocol never, and k = m − 1 exactly when the picks skip it", () => {
    const stored = new Set(range(20).filter((blob) => blob !== 7));
    for (const coin of coinsFrom(90_000, 50)) {
      expect(passesChallenge(coin, "node-f", 20, 20, stored)).toBe(false);
      expect(passesChallenge(coin, "node-f", 20, 19, stored)).toBe(
        !selectChallengedBlobs(coin, "node-f", 20, 19).includes(7),
      );
    }
  });
});

describe("the pass probability", () => {
  it("is C(s,k)/C(m,k) for every s, k ≤ m ≤ 40, to within 1e−12 relative", () => {
    for (let m = 1; m <= 40; m++) {
      for (let s = 0; s <= m; s++) {
        for (let k = 0; k <= m; k++) {
          const exact = Number((binomial(s, k) * 2n ** 80n) / binomial(m, k)) / 2 ** 80;
          const computed = passProbability(m, s, k);
          expect(Math.abs(computed - exact)).toBeLessThanOrEqual(1e-12 * exact + 2 ** -80);
          if (k > s) expect(computed).toBe(0);
        }
      }
    }
  });

  test.prop(
    [
      fc
        .integer({ min: 1, max: 5000 })
        .chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 0, max: m }), fc.integer({ min: 0, max: m }))),
    ],
    { numRuns: 500, seed: SEED + 4 },
  )("is at most p^k, equal to it for k ≤ 1 or s ∈ {0, m}, and falls in k and rises in s", ([m, s, k]) => {
    const probability = passProbability(m, s, k);
    const bound = passProbabilityBound(s / m, k);
    expect(probability).toBeLessThanOrEqual(bound * (1 + 1e-12));
    if (k <= 1 || s === 0 || s === m) expect(probability).toBeCloseTo(bound, 14);
    if (k < m) expect(passProbability(m, s, k + 1)).toBeLessThanOrEqual(probability);
    if (s < m) expect(passProbability(m, s + 1, k)).toBeGreaterThanOrEqual(probability);
  });

  test.prop([challengeCase], { numRuns: 40, seed: SEED + 5 })(
    "is what 3000 coins measure, within the Hoeffding half-width (exactly for 0 and 1)",
    ({ m, k, stored, node, base }) => {
      const coins = 3000;
      const rate = measurePassRate(coinsFrom(base, coins), node, m, k, new Set(stored));
      const expected = passProbability(m, stored.length, k);
      if (expected === 0) expect(rate.passes).toBe(0);
      else if (expected === 1) expect(rate.passes).toBe(coins);
      else expect(Math.abs(rate.rate - expected)).toBeLessThanOrEqual(hoeffdingHalfWidth(coins, DELTA));
    },
  );

  it("summed over many cases, deviates from the analytical sum by less than the pooled Hoeffding half-width", () => {
    // A systematic bias too small for one case (sampling with replacement passes with p^k ≥ C(s,k)/C(m,k))
    // adds up over cases, while the pooled interval shrinks as 1/√(total trials). Cases use distinct
    // nodes, so their PRF streams are independent under the random-function assumption.
    const cases = fc.sample(
      fc.integer({ min: 2, max: 30 }).chain((m) =>
        fc.record({
          m: fc.constant(m),
          k: fc.integer({ min: 2, max: m }),
          s: fc.integer({ min: 1, max: m - 1 }),
        }),
      ),
      { numRuns: 60, seed: SEED + 6 },
    );
    const coinsPerCase = 2000;
    let deviation = 0;
    cases.forEach(({ m, k, s }, index) => {
      const rate = measurePassRate(
        coinsFrom(index * coinsPerCase, coinsPerCase),
        `pooled-${index}`,
        m,
        k,
        new Set(range(s)),
      );
      deviation += rate.passes - coinsPerCase * passProbability(m, s, k);
    });
    const trials = cases.length * coinsPerCase;
    expect(Math.abs(deviation) / trials).toBeLessThanOrEqual(hoeffdingHalfWidth(trials, DELTA));
  });
});

describe("challenged blobs for a target ε", () => {
  it("k(p, 2^−40): 40 at p = 1/2, 264 at 0.9, 2759 at 0.99; 1 at p = 0; none at p = 1", () => {
    expect(challengedBlobsForBound(0.5, EPSILON_40)).toBe(40);
    expect(challengedBlobsForBound(0.9, EPSILON_40)).toBe(264);
    expect(challengedBlobsForBound(0.99, EPSILON_40)).toBe(2759);
    expect(challengedBlobsForBound(0, EPSILON_40)).toBe(1);
    expect(challengedBlobsForBound(1, EPSILON_40)).toBe(Number.POSITIVE_INFINITY);
  });

  test.prop([fc.double({ min: 0.001, max: 0.9999, noNaN: true }), fc.integer({ min: 1, max: 200 })], {
    numRuns: 500,
    seed: SEED + 7,
  })("k(p, ε) is the least k with p^k ≤ ε, and at most ⌈ln(1/ε)/(1−p)⌉", (p, bits) => {
    const epsilon = 2 ** -bits;
    const k = challengedBlobsForBound(p, epsilon);
    expect(p ** k).toBeLessThanOrEqual(epsilon);
    if (k > 1) expect(p ** (k - 1)).toBeGreaterThan(epsilon);
    expect(k).toBeLessThanOrEqual(Math.ceil(Math.log(1 / epsilon) / (1 - p)));
  });

  test.prop(
    [
      fc.integer({ min: 2, max: 20_000 }).chain((m) => fc.tuple(fc.constant(m), fc.integer({ min: 0, max: m - 1 }))),
      fc.integer({ min: 1, max: 60 }),
    ],
    { numRuns: 300, seed: SEED + 8 },
  )("the exact k for s of m is the least with P ≤ ε, and at most min(k(s/m, ε), s + 1) ≤ m", ([m, s], bits) => {
    const epsilon = 2 ** -bits;
    const k = challengedBlobsFor(m, s, epsilon);
    expect(passProbability(m, s, k)).toBeLessThanOrEqual(epsilon);
    if (k > 0) expect(passProbability(m, s, k - 1)).toBeGreaterThan(epsilon);
    expect(k).toBeLessThanOrEqual(Math.min(challengedBlobsForBound(s / m, epsilon), s + 1, m));
  });

  it("needs the full protocol at m = 100 for a node missing one blob, and never suffices for an honest one", () => {
    expect(challengedBlobsFor(100, 99, EPSILON_40)).toBe(100);
    expect(challengedBlobsFor(100, 100, EPSILON_40)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("escalation", () => {
  const policyArb = fc.integer({ min: 1, max: 2 ** 32 }).chain((m) =>
    fc.record({
      blobs: fc.constant(m),
      initialChallenged: fc.oneof(fc.integer({ min: 1, max: Math.min(m, 64) }), fc.integer({ min: 1, max: m })),
      failedReadsToRaise: fc.integer({ min: 1, max: 5 }),
    }),
  );

  it("pins m = 100, k0 = 10, t = 3: 10, 20, 40, 80, 100 after four failing rounds", () => {
    const policy: EscalationPolicy = { blobs: 100, initialChallenged: 10, failedReadsToRaise: 3 };
    let state = startEscalation(policy);
    const ks = [state.challenged];
    for (const failed of [3, 2, 5, 0, 3, 9, 1, 3]) {
      state = escalationAfterRound(policy, state, failed);
      ks.push(state.challenged);
    }
    expect(ks).toEqual([10, 20, 20, 40, 40, 80, 100, 100, 100]);
    expect(raisesToFullProtocol(policy)).toBe(4);
    expect(state).toEqual({ challenged: 100, raises: 4, full: true });
  });

  test.prop([policyArb], { numRuns: 300, seed: SEED + 9 })(
    "failing rounds reach the full protocol after exactly ⌈log2(m/k0)⌉ of them, not one fewer",
    (policy) => {
      const rounds = raisesToFullProtocol(policy);
      expect(rounds).toBe(Math.ceil(Math.log2(policy.blobs / policy.initialChallenged)));
      let state = startEscalation(policy);
      for (let r = 0; r < rounds; r++) {
        expect(state.full).toBe(false);
        state = escalationAfterRound(policy, state, policy.failedReadsToRaise);
      }
      expect(state.full).toBe(true);
      expect(state.challenged).toBe(policy.blobs);
      expect(escalationAfterRound(policy, state, policy.failedReadsToRaise)).toEqual(state);
    },
  );

  test.prop([policyArb, fc.array(fc.nat({ max: 8 }), { maxLength: 60 })], { numRuns: 300, seed: SEED + 10 })(
    "k = min(m, k0·2^r) after r rounds with at least t failed reads; never falls, never passes m",
    (policy, failedPerRound) => {
      let state: EscalationState = startEscalation(policy);
      let failingRounds = 0;
      for (const failed of failedPerRound) {
        const next = escalationAfterRound(policy, state, failed);
        if (failed >= policy.failedReadsToRaise) failingRounds++;
        expect(next.challenged).toBeGreaterThanOrEqual(state.challenged);
        expect(next.challenged).toBeLessThanOrEqual(policy.blobs);
        if (failed < policy.failedReadsToRaise) expect(next).toEqual(state);
        state = next;
        const raises = Math.min(failingRounds, raisesToFullProtocol(policy));
        expect(state.raises).toBe(raises);
        expect(state.challenged).toBe(Math.min(policy.blobs, policy.initialChallenged * 2 ** raises));
      }
    },
  );
});

describe("bad parameters", () => {
  const coin = coinFromSeed(0);
  const policy: EscalationPolicy = { blobs: 8, initialChallenged: 1, failedReadsToRaise: 1 };
  const cases: ReadonlyArray<readonly [string, () => unknown]> = [
    ["k > m", () => selectChallengedBlobs(coin, "n", 5, 6)],
    ["k < 0", () => selectChallengedBlobs(coin, "n", 5, -1)],
    ["k not an integer", () => selectChallengedBlobs(coin, "n", 5, 1.5)],
    ["m = 0", () => selectChallengedBlobs(coin, "n", 0, 0)],
    ["m not an integer", () => passProbability(4.5, 1, 1)],
    ["m above 2^32", () => selectChallengedBlobs(coin, "n", 2 ** 32 + 1, 1)],
    ["a short coin", () => selectChallengedBlobs(new Uint8Array(31), "n", 5, 1)],
    ["a node that is not a name", () => selectChallengedBlobs(coin, 7 as unknown as string, 5, 1)],
    ["a stored blob outside 0..m−1", () => challengeNode(coin, "n", 5, 1, new Set([5]))],
    ["a stored blob not an integer", () => passesChallenge(coin, "n", 5, 1, new Set([0.5]))],
    ["s > m", () => passProbability(5, 6, 1)],
    ["k > m in the probability", () => passProbability(5, 5, 6)],
    ["p > 1", () => passProbabilityBound(1.01, 3)],
    ["p < 0", () => challengedBlobsForBound(-0.1, EPSILON_40)],
    ["p NaN", () => passProbabilityBound(Number.NaN, 3)],
    ["k not an integer in the bound", () => passProbabilityBound(0.5, 2.5)],
    ["ε = 0", () => challengedBlobsForBound(0.5, 0)],
    ["ε = 1", () => challengedBlobsFor(10, 5, 1)],
    ["a negative coin seed", () => coinFromSeed(-1)],
    ["no coins to measure with", () => measurePassRate([], "n", 5, 1, new Set())],
    ["Hoeffding with no trials", () => hoeffdingHalfWidth(0, DELTA)],
    ["k0 = 0", () => startEscalation({ ...policy, initialChallenged: 0 })],
    ["k0 > m", () => startEscalation({ ...policy, initialChallenged: 9 })],
    ["t = 0", () => raisesToFullProtocol({ ...policy, failedReadsToRaise: 0 })],
    ["raises past the full protocol", () => escalationAfterRaises(policy, 4)],
    ["negative failed reads", () => escalationAfterRound(policy, startEscalation(policy), -1)],
    ["fractional failed reads", () => escalationAfterRound(policy, startEscalation(policy), 0.5)],
    [
      "a state the policy never reaches",
      () => escalationAfterRound(policy, { challenged: 3, raises: 1, full: false }, 1),
    ],
  ];
  it.each(cases)("%s throws InvalidParametersError", (_, run) => {
    expect(run).toThrow(InvalidParametersError);
  });
});

describe("docs/lightweight-challenge.md", () => {
  it("shows the tables the code produces", () => {
    const page = readFileSync(new URL("../docs/lightweight-challenge.md", import.meta.url), "utf8");
    const { passRates, challengeSizes } = documentTables();
    expect(page).toContain(passRates);
    expect(page).toContain(challengeSizes);
  });
});
