/**
 * The fully asynchronous storage challenge, over the real codec: the chain announces it, the
 * nodes of one committee answer it (machines/challenge-node.ts), and the chain ends it once
 * certificates cover 2f + 1 shards.
 *
 * Configuration (default: n = 4, four nodes of one shard, one blob stored by all): nodes that
 * threw their slivers away (`deleted`), which try to rebuild them from whoever still serves once
 * they see the challenge start; Byzantine nodes that collude with them (`byzantine`): they ack,
 * sign for the deleted nodes, and hand them real recovery symbols; nodes that may crash. Every
 * delay is an interleaving: an honest node may see the challenge start after everyone else.
 *
 * What keeps the space finite: the challenge starts once; each node answers once, signs each other
 * node once, holds each recovery request until it can answer it; a Byzantine message stays in
 * flight (the checker's rule).
 */

import { ActorModel, type ActorSpec } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { blobIdToString, encodeBlob, encodeMetadataWithId, sliverIndexOf } from "../spec/index.js";
import { putBytes } from "../spec/store.js";
import { challengeChainMachine } from "../machines/challenge-chain.js";
import { type ChallengedBlob, challengeNodeMachine } from "../machines/challenge-node.js";
import { pairOfShard, putSliver, recoverySymbolsFor } from "../machines/codec.js";
import { CHAIN, type Committee, type Outgoing } from "../machines/committee.js";
import { type ChallengeLayout, challengeProperties } from "../properties/challenge.js";
import { adversaryOf, codecChecked } from "./faults.js";

export interface ChallengeOptions {
  /** Shards of each node (nodes N0, N1, …); default four nodes of one shard. */
  readonly shards?: readonly number[];
  readonly blob?: Uint8Array;
  /** Nodes that threw their slivers away. */
  readonly deleted?: readonly string[];
  /** Byzantine nodes colluding with the deleted ones. */
  readonly byzantine?: readonly string[];
  readonly crash?: readonly string[];
  /** How the deleted nodes rebuild their slivers (default `recovery`; see machines/challenge-node.ts). */
  readonly rebuildBy?: "recovery" | "primaryRead" | "secondaryRead";
  /**
   * Play out only these nodes' challenges (default: every node's); the others ack, check and sign,
   * and their certificates land when the environment says (`OthersCertified`).
   */
  readonly focus?: readonly string[];
  /** The adversary's budget in shards (default f). */
  readonly budget?: number;
}

/** The default blob: 41 bytes, six source symbols of 8 bytes at n = 4. */
export const CHALLENGED_BLOB: Uint8Array = new TextEncoder().encode("Walrus: a blob every node must still hold.");

/** The challenge model. */
export function challenge(options: ChallengeOptions = {}): ActorModel {
  const shardCounts = options.shards ?? [1, 1, 1, 1];
  const n = shardCounts.reduce((a, b) => a + b, 0);
  if (shardCounts.some((s) => !Number.isInteger(s) || s < 1) || n < 4 || shardCounts.length > 12) {
    throw new ModelError("challenge: 1 to 12 nodes of at least one shard each, and at least 4 shards");
  }
  let next = 0;
  const committee: Committee = {
    epoch: 1,
    nShards: n,
    members: shardCounts.map((count, i) => ({ name: `N${i}`, shards: Array.from({ length: count }, () => next++) })),
  };
  const names = committee.members.map((m) => m.name);
  const deleted = options.deleted ?? [];
  const byzantine = options.byzantine ?? [];
  const crash = options.crash ?? [];
  for (const name of [...deleted, ...byzantine, ...crash]) {
    if (!names.includes(name)) throw new ModelError(`challenge: no node ${JSON.stringify(name)}`);
  }
  if (deleted.some((name) => byzantine.includes(name))) {
    throw new ModelError("challenge: a deleted node runs its machine; it cannot also be Byzantine");
  }

  const bytes = options.blob ?? CHALLENGED_BLOB;
  const encoded = codecChecked("challenge", "the blob's encoding", () => encodeBlob(bytes, n));
  const blobId = blobIdToString(encoded.blobId);
  const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
  const sliver = (shard: number, axis: "primary" | "secondary") => {
    const index = sliverIndexOf(axis, pairOfShard(blobId, shard, n), n);
    return putSliver((axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[index]);
  };
  const blobOf = (name: string): ChallengedBlob => {
    const shards = committee.members.find((m) => m.name === name)?.shards ?? [];
    return {
      blobId,
      metadata,
      primary: shards.map((shard) => sliver(shard, "primary")),
      secondary: shards.map((shard) => sliver(shard, "secondary")),
    };
  };

  // A colluder acks, signs for the deleted nodes, and gives them real recovery symbols.
  const menu = (name: string): Outgoing[] => {
    const own = blobOf(name);
    const messages: Outgoing[] = names
      .filter((other) => other !== name)
      .map((other) => ({ to: other, type: "ChallengeAck", node: name }));
    for (const cheater of deleted) {
      messages.push({ to: cheater, type: "ChallengeSignature", node: name, for: cheater });
      const targets = committee.members.find((m) => m.name === cheater)?.shards ?? [];
      const symbols = (["primary", "secondary"] as const).flatMap((axis) =>
        recoverySymbolsFor(
          metadata,
          blobId,
          n,
          axis === "primary" ? own.secondary.filter((s) => s !== null) : own.primary.filter((s) => s !== null),
          axis,
          targets.map((shard) => sliverIndexOf(axis, pairOfShard(blobId, shard, n), n)),
        ),
      );
      messages.push({ to: cheater, type: "RecoverySymbolResponse", node: name, blobId, metadata, symbols });
    }
    return messages;
  };
  const adversary = adversaryOf(
    n,
    { crash, byzantine, ...(options.budget === undefined ? {} : { budget: options.budget }) },
    menu,
  );

  const focus = options.focus ?? names;
  for (const name of focus) {
    if (!names.includes(name)) throw new ModelError(`challenge: no node ${JSON.stringify(name)}`);
  }
  const others = names.filter((name) => !focus.includes(name) && !byzantine.includes(name));
  const subscribers = names.map((name) => ({ name, events: ["ChallengeStart", "ChallengeEnd"] as const }));
  const actors: ActorSpec[] = [
    {
      name: CHAIN,
      machine: challengeChainMachine,
      input: { committee, subscribers, others },
      internalEvents: [{ type: "StartChallenge" }, ...(others.length > 0 ? [{ type: "OthersCertified" }] : [])],
      sendsTo: names,
    },
    ...committee.members.map((member) => ({
      name: member.name,
      machine: challengeNodeMachine,
      input: {
        name: member.name,
        committee,
        blobs: [blobOf(member.name)],
        behaviour: deleted.includes(member.name) ? ("deleted" as const) : ("storing" as const),
        rebuildBy: options.rebuildBy ?? "recovery",
        answers: focus.includes(member.name),
      },
      shards: member.shards.length,
      sendsTo: [CHAIN, ...names.filter((other) => other !== member.name)],
    })),
  ];
  const layout: ChallengeLayout = {
    chain: CHAIN,
    nodes: names,
    deleted,
    byzantine,
    index: (name) => actors.findIndex((actor) => actor.name === name),
    committee,
  };
  const faults = [
    deleted.length > 0 ? `deleted ${deleted.join(",")} (rebuilt by ${options.rebuildBy ?? "recovery"})` : "",
    byzantine.length > 0 ? `byzantine ${byzantine.join(",")}` : "",
    crash.length > 0 ? `crash ${crash.join(",")}` : "",
    options.focus ? `the challenge of ${focus.join(",")}` : "",
  ].filter(Boolean);
  return new ActorModel({
    name: `challenge(${shardCounts.join(",")}${faults.map((f) => `; ${f}`).join("")})`,
    network: "unordered",
    actors,
    ...(adversary ? { adversary } : {}),
    properties: challengeProperties(layout),
  });
}
