/**
 * The lightweight storage challenge: which of a node's blobs a shared coin picks, whether a node that
 * stores only part of its blobs passes, how likely that is, how many blobs must be challenged to make
 * it unlikely, and how the challenged count is raised when reads keep failing.
 *
 * The claim. Paper, lightweight variant of the storage challenge (walrus-protocol.md §5.1): the nodes
 * produce a random coin with reconstruction threshold 2f+1 (e.g. a threshold signature); the coin
 * seeds a PRF that picks, for each node, a random subset of its blobs; blobs not picked stay
 * readable; the node answers for the picked blobs as in the full challenge. A node that stores only a
 * fraction of its blobs passes only if every picked blob is one it stores, so "a cheater must store
 * nearly all blobs to pass with non-negligible probability". If reads keep failing although every
 * challenge passes, the number of challenged blobs is raised, up to the full protocol. The challenge
 * exists only in the paper; the implementation has none (§5.3).
 *
 * The model. A node holds m blobs, numbered 0..m−1 in ascending blob-ID order (the list is fixed by
 * chain events before the challenge, §5.2). It stores a set S of them, |S| = s, p = s/m. The coin is 32
 * bytes (the digest of the threshold signature); in the models it is the environment's choice. A node
 * answers for a picked blob exactly when it stores it: the full challenge's argument (§5.1) is that a
 * node cannot rebuild a missing blob while the challenge runs, and that argument is taken as given
 * here, not re-proved. The pass probability is over the coin; it assumes
 *
 * 1. the coin is unpredictable to the node until S is fixed (with threshold 2f+1 at least f+1 honest
 *    shares go into it, so f Byzantine nodes neither learn nor bias it in advance);
 * 2. the PRF is indistinguishable from a random function, so the picked set is a uniform k-subset;
 * 3. S does not depend on the coin (a node cannot fetch a picked blob after seeing the coin: the
 *    picked blobs are exactly the ones not served during the challenge).
 *
 * The coin and the PRF that turns it into picks are spec/challenge-coin.ts: the picks are distinct, a
 * function of (coin, node, m, k), and nested in k.
 *
 * The formulas. With a uniform k-subset, the node passes iff the subset lies in S:
 *
 *     P(m, s, k) = C(s, k) / C(m, k) = Π_{i<k} (s − i)/(m − i)          (hypergeometric, 0 if k > s)
 *
 * Each factor is at most s/m, since m(s − i) ≤ s(m − i) ⇔ s ≤ m, so P(m, s, k) ≤ p^k, with equality for
 * k ≤ 1 or s ∈ {0, m}; every factor tends to p as m grows with k fixed, so the bound is tight for large
 * m. A target ε ∈ (0, 1) for every node storing at most a fraction p < 1 is therefore met by
 *
 *     k(p, ε) = ⌈ln(1/ε) / ln(1/p)⌉   (k = 1 for p = 0),   and, as ln(1/p) ≥ 1 − p,   k ≤ ⌈ln(1/ε)/(1 − p)⌉
 *
 * whatever m; for a given m the exact smallest k with P(m, ⌊p·m⌋, k) ≤ ε is at most min(k(p, ε), s + 1),
 * and may be m itself: then only the full protocol reaches ε. Over r rounds with independent coins a
 * node that keeps the same S passes all of them with probability P^r.
 *
 * Escalation. A round in which at least t reads fail of blobs whose holder passed its challenge is a
 * round in which "reads keep failing"; each such round doubles k, capped at m. From k0 the full
 * protocol is reached after exactly ⌈log2(m/k0)⌉ such rounds, and k never decreases (a lowering rule
 * would let a cheater wait out the raise). Rounds with fewer failed reads leave k alone, so a
 * failure rate the network explains does not escalate.
 */

import { InvalidParametersError } from "../spec/errors.js";
import type { ActorName } from "../spec/messages.js";
import {
  type Coin,
  checkedBlobs,
  checkedCount,
  checkedNode,
  coinFromSeed,
  pickOrder,
  selectChallengedBlobs,
} from "../spec/challenge-coin.js";
import { type TableOptions, table } from "../report/markdown.js";

// --- pass or fail ---

/** A challenge as the node meets it: what was picked, what it could not answer, the verdict. */
export interface ChallengeOutcome {
  /** The picked blobs, ascending. */
  readonly challenged: readonly number[];
  /** The picked blobs the node does not store, ascending: each is an answer it cannot give. */
  readonly missing: readonly number[];
  /** Whether every picked blob is stored, i.e. `missing` is empty. */
  readonly passed: boolean;
}

function checkedStored(stored: ReadonlySet<number>, blobs: number): ReadonlySet<number> {
  for (const blob of stored) {
    if (!Number.isSafeInteger(blob) || blob < 0 || blob >= blobs) {
      throw new InvalidParametersError(`a stored blob must be an integer in 0..${blobs - 1}, got ${blob}`);
    }
  }
  return stored;
}

/** The challenge of `node`, which stores the blobs in `stored` of its m, under `coin` with k picked. */
export function challengeNode(
  coin: Coin,
  node: ActorName,
  blobs: number,
  challenged: number,
  stored: ReadonlySet<number>,
): ChallengeOutcome {
  const picks = selectChallengedBlobs(coin, node, blobs, challenged);
  checkedStored(stored, blobs);
  const missing = picks.filter((blob) => !stored.has(blob));
  return { challenged: picks, missing, passed: missing.length === 0 };
}

/**
 * The verdict of {@link challengeNode} alone, stopping at the first picked blob the node lacks, as a
 * verifier may: measuring pass rates over many coins then costs what a failing node's first miss does.
 */
export function passesChallenge(
  coin: Coin,
  node: ActorName,
  blobs: number,
  challenged: number,
  stored: ReadonlySet<number>,
): boolean {
  checkedBlobs(blobs);
  checkedCount("the number of challenged blobs k", challenged, blobs);
  return passes(coin, checkedNode(node), blobs, challenged, checkedStored(stored, blobs));
}

/** {@link passesChallenge} on checked arguments, so a measurement checks them once, not per coin. */
function passes(coin: Coin, name: Uint8Array, blobs: number, challenged: number, stored: ReadonlySet<number>): boolean {
  if (challenged === 0) return true;
  let answered = 0;
  for (const blob of pickOrder(coin, name, blobs)) {
    if (!stored.has(blob)) return false;
    if (++answered === challenged) return true;
  }
  return true;
}

// --- the analytical pass probability ---

function checkedFraction(fraction: number): number {
  if (!(typeof fraction === "number" && fraction >= 0 && fraction <= 1)) {
    throw new InvalidParametersError(`the stored fraction p must be in [0, 1], got ${fraction}`);
  }
  return fraction;
}

function checkedEpsilon(epsilon: number): number {
  if (!(typeof epsilon === "number" && epsilon > 0 && epsilon < 1)) {
    throw new InvalidParametersError(`the target probability ε must be in (0, 1), got ${epsilon}`);
  }
  return epsilon;
}

/**
 * P(m, s, k) = C(s, k)/C(m, k): the probability over the coin that a node storing s of its m blobs
 * passes with k picked. Computed as Π_{i<k} (s − i)/(m − i) in floating point, each factor in [0, 1],
 * so the relative error stays below about k·2^−52.
 */
export function passProbability(blobs: number, stored: number, challenged: number): number {
  checkedBlobs(blobs);
  checkedCount("the number of stored blobs s", stored, blobs);
  checkedCount("the number of challenged blobs k", challenged, blobs);
  if (challenged > stored) return 0;
  let probability = 1;
  for (let i = 0; i < challenged; i++) probability *= (stored - i) / (blobs - i);
  return probability;
}

/** p^k: an upper bound on {@link passProbability} for every m with s ≤ p·m, tight as m grows. */
export function passProbabilityBound(fraction: number, challenged: number): number {
  checkedFraction(fraction);
  if (!Number.isSafeInteger(challenged) || challenged < 0) {
    throw new InvalidParametersError(
      `the number of challenged blobs k must be a non-negative integer, got ${challenged}`,
    );
  }
  return fraction ** challenged;
}

/**
 * k(p, ε): the fewest challenged blobs with p^k ≤ ε, so that a node storing at most a fraction p of its
 * blobs passes with probability at most ε whatever m. ⌈ln(1/ε)/ln(1/p)⌉, corrected by one where
 * floating point lands on the wrong side; 1 for p = 0; Infinity for p = 1 (a node storing every blob
 * always passes, as it should).
 */
export function challengedBlobsForBound(fraction: number, epsilon: number): number {
  checkedFraction(fraction);
  checkedEpsilon(epsilon);
  if (fraction === 1) return Number.POSITIVE_INFINITY;
  if (fraction === 0) return 1;
  let k = Math.max(1, Math.ceil(Math.log(epsilon) / Math.log(fraction)));
  while (k > 1 && fraction ** (k - 1) <= epsilon) k--;
  while (fraction ** k > epsilon) k++;
  return k;
}

/**
 * The fewest challenged blobs with P(m, s, k) ≤ ε for a node storing s of m: at most
 * min(k(s/m, ε), s + 1), since P ≤ (s/m)^k and P = 0 once k > s. Infinity for s = m. The comparison
 * with ε uses the floating-point product of {@link passProbability}.
 */
export function challengedBlobsFor(blobs: number, stored: number, epsilon: number): number {
  checkedBlobs(blobs);
  checkedCount("the number of stored blobs s", stored, blobs);
  checkedEpsilon(epsilon);
  if (stored === blobs) return Number.POSITIVE_INFINITY;
  let probability = 1;
  let k = 0;
  while (probability > epsilon) {
    probability *= (stored - k) / (blobs - k);
    k++;
  }
  return k;
}

// --- measuring ---

/**
 * Half-width t of a two-sided Hoeffding interval: n independent trials in [0, 1] have a mean within t
 * of its expectation except with probability at most δ, from 2·exp(−2nt²) = δ, t = √(ln(2/δ)/(2n)).
 */
export function hoeffdingHalfWidth(trials: number, delta: number): number {
  if (!Number.isSafeInteger(trials) || trials < 1) {
    throw new InvalidParametersError(`the number of trials must be a positive integer, got ${trials}`);
  }
  if (!(typeof delta === "number" && delta > 0 && delta < 1)) {
    throw new InvalidParametersError(`the failure probability δ must be in (0, 1), got ${delta}`);
  }
  return Math.sqrt(Math.log(2 / delta) / (2 * trials));
}

/** Passes of one node over a list of coins. */
export interface PassRate {
  readonly trials: number;
  readonly passes: number;
  readonly rate: number;
}

/** How often `node`, storing `stored` of its m blobs with k picked, passes over `coins`. */
export function measurePassRate(
  coins: readonly Coin[],
  node: ActorName,
  blobs: number,
  challenged: number,
  stored: ReadonlySet<number>,
): PassRate {
  if (coins.length === 0) throw new InvalidParametersError("measuring a pass rate needs at least one coin");
  checkedBlobs(blobs);
  checkedCount("the number of challenged blobs k", challenged, blobs);
  checkedStored(stored, blobs);
  const name = checkedNode(node);
  let passed = 0;
  for (const coin of coins) if (passes(coin, name, blobs, challenged, stored)) passed++;
  return { trials: coins.length, passes: passed, rate: passed / coins.length };
}

// --- escalation ---

/** How one node's challenged count is raised when reads keep failing. */
export interface EscalationPolicy {
  /** m: the node's blobs; challenging all of them is the full protocol. */
  readonly blobs: number;
  /** k0 in 1..m: the challenged count before any raise (0 would never grow by doubling). */
  readonly initialChallenged: number;
  /** t ≥ 1: failed reads in one round, of blobs whose holder passed, that mean "reads keep failing". */
  readonly failedReadsToRaise: number;
}

/** Where a node's escalation stands; a function of the policy and the number of raises so far. */
export interface EscalationState {
  /** k = min(m, k0·2^raises): blobs picked in the next challenge. */
  readonly challenged: number;
  readonly raises: number;
  /** k = m: the full protocol. */
  readonly full: boolean;
}

function checkedPolicy(policy: EscalationPolicy): EscalationPolicy {
  const blobs = checkedBlobs(policy.blobs);
  const k0 = policy.initialChallenged;
  if (!Number.isSafeInteger(k0) || k0 < 1 || k0 > blobs) {
    throw new InvalidParametersError(
      `the initial challenged count k0 must be an integer in 1..m = 1..${blobs}, got ${k0}`,
    );
  }
  const t = policy.failedReadsToRaise;
  if (!Number.isSafeInteger(t) || t < 1) {
    throw new InvalidParametersError(`failed reads to raise t must be a positive integer, got ${t}`);
  }
  return policy;
}

/** The raises that bring k0 to m: the least r with k0·2^r ≥ m, i.e. ⌈log2(m/k0)⌉. */
export function raisesToFullProtocol(policy: EscalationPolicy): number {
  const { blobs, initialChallenged } = checkedPolicy(policy);
  let raises = 0;
  for (let k = initialChallenged; k < blobs; k *= 2) raises++;
  return raises;
}

/** The escalation after `raises` raises: k = min(m, k0·2^raises), with raises capped where k reaches m. */
export function escalationAfterRaises(policy: EscalationPolicy, raises: number): EscalationState {
  const cap = raisesToFullProtocol(policy);
  if (!Number.isSafeInteger(raises) || raises < 0 || raises > cap) {
    throw new InvalidParametersError(`raises must be an integer in 0..${cap} for this policy, got ${raises}`);
  }
  const challenged = Math.min(policy.blobs, policy.initialChallenged * 2 ** raises);
  return { challenged, raises, full: challenged === policy.blobs };
}

/** The escalation before any round: k = k0. */
export function startEscalation(policy: EscalationPolicy): EscalationState {
  return escalationAfterRaises(policy, 0);
}

/**
 * The escalation after a round in which `failedReads` reads failed of blobs whose holder passed its
 * challenge: one raise if that is at least t and the full protocol is not yet reached, else unchanged.
 * A state that no number of raises of this policy produces is rejected.
 */
export function escalationAfterRound(
  policy: EscalationPolicy,
  state: EscalationState,
  failedReads: number,
): EscalationState {
  const expected = escalationAfterRaises(policy, state.raises);
  if (expected.challenged !== state.challenged || expected.full !== state.full) {
    throw new InvalidParametersError(
      `state (k = ${state.challenged}, ${state.raises} raises) is not one this policy reaches; expected k = ${expected.challenged}`,
    );
  }
  if (!Number.isSafeInteger(failedReads) || failedReads < 0) {
    throw new InvalidParametersError(`failed reads must be a non-negative integer, got ${failedReads}`);
  }
  if (state.full || failedReads < policy.failedReadsToRaise) return expected;
  return escalationAfterRaises(policy, state.raises + 1);
}

// --- the tables of docs/lightweight-challenge.md ---

/** One cell of the measured table: node "node-0" storing blobs 0..s−1, s = ⌊p·m⌋. */
export interface PassRateRow {
  readonly blobs: number;
  readonly fraction: number;
  readonly stored: number;
  readonly challenged: number;
  readonly measured: PassRate;
  readonly analytical: number;
  readonly bound: number;
  /** Hoeffding half-width at {@link TABLE_DELTA} for the number of coins. */
  readonly halfWidth: number;
}

/** Coins per cell of the measured table: coinFromSeed(0..n−1). */
export const TABLE_COINS = 10_000;
/** δ of the table's Hoeffding intervals. */
export const TABLE_DELTA = 1e-9;
/** The table's target cheating probability, 2^−40. */
export const TABLE_EPSILON = 2 ** -40;

/** Measured against analytical pass rates for each (p, k) at one m. */
export function passRateRows(
  blobs: number,
  fractions: readonly number[],
  challengedCounts: readonly number[],
  coins: number,
): PassRateRow[] {
  const coinList = Array.from({ length: coins }, (_, seed) => coinFromSeed(seed));
  const rows: PassRateRow[] = [];
  for (const fraction of fractions) {
    const stored = storedAtMost(fraction, blobs);
    const storedSet = new Set(Array.from({ length: stored }, (_, i) => i));
    for (const challenged of challengedCounts) {
      rows.push({
        blobs,
        fraction,
        stored,
        challenged,
        measured: measurePassRate(coinList, "node-0", blobs, challenged, storedSet),
        analytical: passProbability(blobs, stored, challenged),
        bound: passProbabilityBound(fraction, challenged),
        halfWidth: hoeffdingHalfWidth(coins, TABLE_DELTA),
      });
    }
  }
  return rows;
}

/** A table of numbers: every column right-aligned, the delimiter row compact. */
const numbers = (columns: number): TableOptions => ({
  align: Array.from({ length: columns }, () => "right"),
  delimiter: "compact",
});

const sci = (x: number) => (x === 0 ? "0" : x >= 1e-3 ? x.toFixed(4) : x.toExponential(2));

/** {@link passRateRows} as a Markdown table. */
export function renderPassRateTable(rows: readonly PassRateRow[]): string {
  const header = ["m", "p", "s", "k", "passes / coins", "measured", "C(s,k)/C(m,k)", "p^k", "± (Hoeffding)"];
  const cells = rows.map((r) => [
    ...[r.blobs, r.fraction, r.stored, r.challenged].map(String),
    `${r.measured.passes} / ${r.measured.trials}`,
    sci(r.measured.rate),
    sci(r.analytical),
    sci(r.bound),
    r.halfWidth.toFixed(4),
  ]);
  return table(header, cells, numbers(header.length)).join("\n");
}

/** ⌊p·m⌋, where p·m is first rounded to 9 decimals so that 0.29·100 = 28.999… counts as 29. */
function storedAtMost(fraction: number, blobs: number): number {
  return Math.floor(Math.round(checkedFraction(fraction) * checkedBlobs(blobs) * 1e9) / 1e9);
}

/**
 * k(p, ε) and, for each m, the exact smallest k for a node storing s = ⌊p·m⌋ of m blobs, as Markdown;
 * "full" where only the full protocol reaches ε, ∞ where s = m (no k catches a node storing all).
 */
export function renderChallengeSizeTable(
  fractions: readonly number[],
  blobCounts: readonly number[],
  epsilon: number,
): string {
  const header = ["p", "k(p, ε) = ⌈ln(1/ε)/ln(1/p)⌉", "⌈ln(1/ε)/(1−p)⌉", ...blobCounts.map((m) => `exact, m = ${m}`)];
  const rows = fractions.map((p) => {
    const exact = blobCounts.map((m) => {
      const k = challengedBlobsFor(m, storedAtMost(p, m), epsilon);
      return k === m ? `${k} (full)` : k === Number.POSITIVE_INFINITY ? "∞" : String(k);
    });
    const simple = Math.ceil(Math.log(1 / epsilon) / (1 - p));
    return [String(p), String(challengedBlobsForBound(p, epsilon)), String(simple), ...exact];
  });
  return table(header, rows, numbers(header.length)).join("\n");
}

/** Parameters of the tables in docs/lightweight-challenge.md. */
export const TABLE_BLOBS = 100;
/** Stored fractions of the pass-rate table. */
export const TABLE_FRACTIONS: readonly number[] = [0.5, 0.9, 0.99];
/** Challenged counts of the pass-rate table. */
export const TABLE_CHALLENGED: readonly number[] = [1, 10, 50];
/** Stored fractions of the challenge-size table. */
export const SIZE_FRACTIONS: readonly number[] = [0.5, 0.75, 0.9, 0.99, 0.999];
/** Blob counts of the challenge-size table. */
export const SIZE_BLOBS: readonly number[] = [100, 1000, 10_000, 1_000_000];

/** Both tables of docs/lightweight-challenge.md, as the page shows them. */
export function documentTables(coins = TABLE_COINS): { passRates: string; challengeSizes: string } {
  return {
    passRates: renderPassRateTable(passRateRows(TABLE_BLOBS, TABLE_FRACTIONS, TABLE_CHALLENGED, coins)),
    challengeSizes: renderChallengeSizeTable(SIZE_FRACTIONS, SIZE_BLOBS, TABLE_EPSILON),
  };
}
