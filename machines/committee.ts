/**
 * What every role knows of the system: the committee of the current epoch (which node holds which
 * shards) and how a machine sends — by returning a `send` action whose params are the message and
 * its recipient (`to`), so that the machines stay pure and a runtime or the checker delivers.
 */

import type { ActorName, ProtocolMessage } from "../spec/messages.js";

/** The chain's name as an actor: there is one chain. */
export const CHAIN = "chain";

/** A storage node of the committee and the shards it holds. */
export interface CommitteeMember {
  readonly name: ActorName;
  readonly shards: readonly number[];
}

/** The committee of one epoch (the chain's `BlsCommittee`: members weighted by shards). */
export interface Committee {
  readonly epoch: number;
  readonly nShards: number;
  readonly members: readonly CommitteeMember[];
}

/** A protocol message with its recipient: what a machine that speaks only the protocol sends. */
export type Addressed<M extends ProtocolMessage = ProtocolMessage> = M & { readonly to: ActorName };

/**
 * The `send` action: it does nothing itself; its params (`{to, type, ...payload}`) are the message.
 * Its params are a protocol message, so a misspelled message type or a missing field does not compile.
 */
export const sendMessage = (_: unknown, _params: Addressed) => {};

/** The member named `name`, if any. */
export function memberOf(committee: Committee, name: ActorName): CommitteeMember | undefined {
  return committee.members.find((member) => member.name === name);
}

/** Shards held by the distinct members among `names` (unknown names weigh nothing). */
export function weightOf(committee: Committee, names: readonly ActorName[]): number {
  return [...new Set(names)].reduce((sum, name) => sum + (memberOf(committee, name)?.shards.length ?? 0), 0);
}

/** Whether `shards` is exactly the set of shards `name` holds in the committee. */
export function holdsExactly(committee: Committee, name: ActorName, shards: readonly number[]): boolean {
  const member = memberOf(committee, name);
  if (member === undefined || member.shards.length !== shards.length) return false;
  return [...shards].sort((a, b) => a - b).every((shard, i) => shard === [...member.shards].sort((a, b) => a - b)[i]);
}

/** `names` plus `name`, sorted and without repeats: sets kept as sorted arrays intern as one value. */
export function withName(names: readonly ActorName[], name: ActorName): ActorName[] {
  return names.includes(name) ? [...names] : [...names, name].sort();
}

/**
 * `values` as a sorted set by their JSON text: requests a node holds are kept so, so that the
 * order they came in does not make distinct states.
 */
export function sortedSet<T>(values: readonly T[]): T[] {
  return [...new Set(values.map((value) => JSON.stringify(value)))].sort().map((key) => JSON.parse(key) as T);
}
