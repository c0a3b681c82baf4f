/**
 * The next committee's shard assignment: every shard held by exactly one node, each node holding
 * its count, and no more shards moved than the nodes' gains — checked on hand-picked committees and
 * on random ones.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Committee } from "../machines/committee.js";
import {
  type ShardCount,
  leastShardMoves,
  shardDiff,
  shardMoves,
  transitionCommittee,
} from "../machines/shard-assignment.js";
import { InvalidShardAssignmentError } from "../spec/errors.js";
import { TEN_SHARDS } from "./support/committees.js";

const committee: Committee = TEN_SHARDS;

/** Every shard of 0..nShards-1 held once, and each node holding its count. */
function expectWellFormed(next: Committee, counts: readonly ShardCount[]): void {
  const all = next.members.flatMap((member) => member.shards).sort((a, b) => a - b);
  expect(all).toEqual([...Array(next.nShards).keys()]);
  for (const { name, shards } of counts) {
    expect(next.members.find((member) => member.name === name)?.shards.length ?? 0).toBe(shards);
  }
  expect(next.members.every((member) => member.shards.length > 0)).toBe(true);
}

describe("transitionCommittee", () => {
  it("unchanged counts move nothing, and the epoch advances", () => {
    const counts = committee.members.map(({ name, shards }) => ({ name, shards: shards.length }));
    const next = transitionCommittee(committee, counts);
    expect(next).toEqual({ ...committee, epoch: 2 });
    expect(shardMoves(committee, next)).toEqual([]);
  });

  it("a leaving node's shards go to the gaining nodes; shrinking nodes free their highest shards", () => {
    const counts = [
      { name: "N0", shards: 2 },
      { name: "N1", shards: 4 },
      { name: "N2", shards: 0 },
      { name: "N3", shards: 2 },
      { name: "N4", shards: 2 },
    ];
    const next = transitionCommittee(committee, counts);
    expectWellFormed(next, counts);
    expect(next.members).toEqual([
      { name: "N0", shards: [0, 1] },
      { name: "N1", shards: [2, 3, 4, 5] },
      { name: "N3", shards: [8, 9] },
      { name: "N4", shards: [6, 7] },
    ]);
    expect(shardMoves(committee, next)).toEqual([
      { shard: 2, from: "N0", to: "N1" },
      { shard: 6, from: "N2", to: "N4" },
      { shard: 7, from: "N2", to: "N4" },
    ]);
    expect(leastShardMoves(committee, counts)).toBe(3);
    expect(["N0", "N1", "N2", "N4", "N9"].map((name) => [name, shardDiff(committee, next, name)])).toEqual([
      ["N0", { gained: [], lost: [2], kept: [0, 1] }],
      ["N1", { gained: [2], lost: [], kept: [3, 4, 5] }],
      ["N2", { gained: [], lost: [6, 7], kept: [] }],
      ["N4", { gained: [6, 7], lost: [], kept: [] }],
      ["N9", { gained: [], lost: [], kept: [] }],
    ]);
  });

  it("from a committee holding no shard yet (epoch 0), every shard is assigned", () => {
    const empty: Committee = { epoch: 0, nShards: 5, members: [] };
    const counts = [
      { name: "N0", shards: 3 },
      { name: "N1", shards: 2 },
    ];
    const next = transitionCommittee(empty, counts);
    expect(next.members).toEqual([
      { name: "N0", shards: [0, 1, 2] },
      { name: "N1", shards: [3, 4] },
    ]);
  });

  it("rejects counts that do not add up, are negative or fractional, or name a node twice", () => {
    for (const counts of [
      [{ name: "N0", shards: 9 }],
      [
        { name: "N0", shards: 11 },
        { name: "N1", shards: -1 },
      ],
      [
        { name: "N0", shards: 9.5 },
        { name: "N1", shards: 0.5 },
      ],
      [
        { name: "N0", shards: 5 },
        { name: "N0", shards: 5 },
      ],
    ]) {
      expect(() => transitionCommittee(committee, counts)).toThrow(InvalidShardAssignmentError);
    }
  });

  it("on random committees: well formed, and moves exactly the nodes' gains (the least possible)", () => {
    const names = ["N0", "N1", "N2", "N3", "N4", "N5", "N6"];
    /** `nShards` split among the names by `cuts` (a node may get 0). */
    const split = (nShards: number, weights: number[]): ShardCount[] => {
      const total = weights.reduce((a, b) => a + b, 0) || 1;
      const counts = weights.map((w) => Math.floor((w * nShards) / total));
      counts[0] = (counts[0] ?? 0) + nShards - counts.reduce((a, b) => a + b, 0);
      return names.map((name, i) => ({ name, shards: counts[i] ?? 0 }));
    };
    const arbitrary = fc.record({
      nShards: fc.integer({ min: 4, max: 40 }),
      before: fc.array(fc.nat(5), { minLength: names.length, maxLength: names.length }),
      after: fc.array(fc.nat(5), { minLength: names.length, maxLength: names.length }),
    });
    fc.assert(
      fc.property(arbitrary, ({ nShards, before, after }) => {
        const genesis = transitionCommittee({ epoch: 0, nShards, members: [] }, split(nShards, before));
        const counts = split(nShards, after);
        const next = transitionCommittee(genesis, counts);
        expectWellFormed(next, counts);
        const moves = shardMoves(genesis, next);
        expect(moves.length).toBe(leastShardMoves(genesis, counts));
        // no node both loses and gains shards
        const losers = new Set(moves.map((move) => move.from));
        expect(moves.some((move) => losers.has(move.to))).toBe(false);
      }),
      { seed: 20261124, numRuns: 300 },
    );
  });
});
