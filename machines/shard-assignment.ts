/**
 * The shard assignment of the next committee: given how many shards each node of the next epoch
 * is to hold (chosen by stake; the apportionment itself is not modelled, the counts are an input),
 * which shards it holds, so that as few shards as possible change owner.
 *
 * Follows `contracts/walrus/sources/staking/committee.move` (`transition`): a node that stays keeps
 * its shards when its count is unchanged, keeps all but its surplus when the count drops, and keeps
 * all of them and receives the freed shards when the count grows; a node that leaves frees all its
 * shards. Hence the number of shards that move is the sum, over the nodes, of what each gains —
 * the least any assignment with these counts can move, since a node that gains g shards must
 * receive g shards from someone else. Paper §6 (whitepaper "shard migration"): shards are
 * reassigned in proportion to stake, moving as few as possible.
 *
 * Which of a shrinking node's shards are freed, and which freed shard goes to whom, the contract
 * leaves to vector order; here: a node frees its highest-numbered shards, and gaining nodes, in the
 * order of `counts`, take the lowest-numbered freed shards. Any such choice moves the same number.
 */

import { InvalidShardAssignmentError } from "../spec/errors.js";
import type { ActorName, ShardCount } from "../spec/messages.js";
import type { Committee, CommitteeMember } from "./committee.js";

/** How many shards a node of the next committee is to hold. */
export type { ShardCount } from "../spec/messages.js";

/** A shard that changes owner between two committees (`from` is null for no previous owner). */
export interface ShardMove {
  readonly shard: number;
  readonly from: ActorName | null;
  readonly to: ActorName;
}

function ascending(shards: readonly number[]): number[] {
  return [...shards].sort((a, b) => a - b);
}

/**
 * Why `counts` cannot be the next committee's (counts that do not add up to `committee.nShards`,
 * are negative or fractional, or name a node twice), or null if they can.
 */
export function invalidShardCounts(committee: Committee, counts: readonly ShardCount[]): string | null {
  const names = new Set<ActorName>();
  for (const { name, shards } of counts) {
    if (names.has(name)) return `${name} is assigned shards twice`;
    if (!Number.isInteger(shards) || shards < 0) return `${name} is assigned ${shards} shards`;
    names.add(name);
  }
  const total = counts.reduce((sum, { shards }) => sum + shards, 0);
  if (total !== committee.nShards) return `the counts add up to ${total} shards, not ${committee.nShards}`;
  return null;
}

/**
 * The committee of epoch `committee.epoch + 1` holding `counts[i].shards` shards at node
 * `counts[i].name`; nodes with no shard are left out. Throws {@link InvalidShardAssignmentError}
 * when the counts do not add up to `committee.nShards`, are negative or fractional, or name a node
 * twice.
 */
export function transitionCommittee(committee: Committee, counts: readonly ShardCount[]): Committee {
  const invalid = invalidShardCounts(committee, counts);
  if (invalid !== null) throw new InvalidShardAssignmentError(invalid);
  const countOf = new Map(counts.map(({ name, shards }) => [name, shards]));
  const kept = new Map<ActorName, number[]>();
  const freed: number[] = [];
  for (const member of committee.members) {
    const own = ascending(member.shards);
    const keep = Math.min(own.length, countOf.get(member.name) ?? 0);
    kept.set(member.name, own.slice(0, keep));
    freed.push(...own.slice(keep));
  }
  // A committee of epoch 0 may hold no shard yet: every shard not held is free.
  const held = new Set(committee.members.flatMap((member) => member.shards));
  for (let shard = 0; shard < committee.nShards; shard++) if (!held.has(shard)) freed.push(shard);
  const pool = ascending(freed);

  const members: CommitteeMember[] = [];
  for (const { name, shards } of counts) {
    if (shards === 0) continue;
    const own = kept.get(name) ?? [];
    members.push({ name, shards: ascending([...own, ...pool.splice(0, shards - own.length)]) });
  }
  return { epoch: committee.epoch + 1, nShards: committee.nShards, members };
}

/** The shards whose owner differs between `previous` and `next`, by shard number. */
export function shardMoves(previous: Committee, next: Committee): ShardMove[] {
  const ownerIn = (committee: Committee) =>
    new Map(committee.members.flatMap((member) => member.shards.map((shard) => [shard, member.name] as const)));
  const before = ownerIn(previous);
  const after = ownerIn(next);
  return [...after.entries()]
    .filter(([shard, to]) => before.get(shard) !== to)
    .map(([shard, to]) => ({ shard, from: before.get(shard) ?? null, to }))
    .sort((a, b) => a.shard - b.shard);
}

/**
 * The fewest shards any assignment with these counts moves: what each node gains over what it
 * held.
 */
export function leastShardMoves(previous: Committee, counts: readonly ShardCount[]): number {
  return counts.reduce(
    (sum, { name, shards }) =>
      sum + Math.max(0, shards - (previous.members.find((member) => member.name === name)?.shards.length ?? 0)),
    0,
  );
}

/** What one node's shards become from one committee to the next (`ShardDiff` of `plan.rs`). */
export interface ShardDiff {
  /** Shards it holds in the next committee and not in the previous one: to fill by shard sync. */
  readonly gained: readonly number[];
  /** Shards it held and no longer holds: to lock (`LockedToMove`) and serve to the new owner. */
  readonly lost: readonly number[];
  /** Shards it holds in both. */
  readonly kept: readonly number[];
}

/** The shard diff of node `name` from `previous` to `next` (a non-member holds no shard). */
export function shardDiff(previous: Committee, next: Committee, name: ActorName): ShardDiff {
  const before = new Set(previous.members.find((member) => member.name === name)?.shards ?? []);
  const after = new Set(next.members.find((member) => member.name === name)?.shards ?? []);
  return {
    gained: ascending([...after].filter((shard) => !before.has(shard))),
    lost: ascending([...before].filter((shard) => !after.has(shard))),
    kept: ascending([...after].filter((shard) => before.has(shard))),
  };
}
