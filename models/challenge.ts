/**
 * The fully asynchronous storage challenge, over the real codec: the chain announces it, the
 * storage nodes of one committee answer it (the challenge region of machines/node/,
 * `challenge.ts`), and the chain ends it once certificates cover 2f + 1 shards.
 *
 * Configuration (default: n = 4, four nodes of one shard, one blob stored by all): nodes that
 * threw their slivers away (`deleted`), which try to rebuild them from whoever still serves once
 * they see the challenge start; Byzantine nodes that collude with them (`byzantine`): they ack,
 * sign for the deleted nodes, and hand them real recovery symbols; nodes that may crash. Every
 * delay is an interleaving: an honest node may see the challenge start after everyone else.
 *
 * The lightweight variant (`lightweight`): several blobs, the chain's coin chosen by the
 * environment among a few seeds, k blobs challenged per node; a deleted node may have thrown away
 * only some blobs, and a reader may read a blob while the challenge runs.
 *
 * What keeps the space finite: the challenge starts once; each node answers once, signs each other
 * node once, holds each recovery request until it can answer it; a Byzantine message stays in
 * flight (the checker's rule).
 */

import { ActorModel, type ActorSpec } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { blobIdToString, encodeBlob, encodeMetadataWithId, sliverIndexOf } from "../spec/index.js";
import { type ByteRef, putBytes } from "../spec/store.js";
import { challengeChainMachine } from "../machines/challenge-chain.js";
import {
  type StorageNodeInput,
  type StoredBlob,
  challengeStorageNodeMachine,
  createStorageNodeMachine,
  threeBlobChallengeStorageNodeMachine,
} from "../machines/node/index.js";
import { pairOfShard, putSliver, recoverySymbolsFor } from "../machines/codec.js";
import { type Addressed, CHAIN, type Committee } from "../machines/committee.js";
import { type ChallengeLayout, challengeProperties } from "../properties/challenge.js";
import { adversaryOf, codecChecked } from "./faults.js";
import { readerOnRead } from "./reader-actor.js";

export interface ChallengeOptions {
  /** Shards of each node (nodes N0, N1, …); default four nodes of one shard. */
  readonly shards?: readonly number[];
  readonly blob?: Uint8Array;
  /** Several blobs, every node responsible for all of them (default: `blob` alone). */
  readonly blobs?: readonly Uint8Array[];
  /** The blobs the deleted nodes threw away, by index in `blobs` (default every one). */
  readonly deletedBlobs?: readonly number[];
  /** The lightweight variant: k blobs challenged per node; the coin is one of these seeds. */
  readonly lightweight?: { readonly challenged: number; readonly coins: readonly number[] };
  /** A reader of this blob (index in `blobs`), which starts when the environment says (`Read`). */
  readonly reader?: number;
  /** Nodes that threw their slivers away. */
  readonly deleted?: readonly string[];
  /** Byzantine nodes colluding with the deleted ones. */
  readonly byzantine?: readonly string[];
  readonly crash?: readonly string[];
  /** How the deleted nodes rebuild their slivers (default `recovery`; see machines/node/challenge.ts). */
  readonly rebuildBy?: "recovery" | "primaryRead" | "secondaryRead" | "none";
  /**
   * Play out only these nodes' challenges (default: every node's); the others ack, check and sign,
   * and their certificates land when the environment says (`OthersCertified`).
   */
  readonly focus?: readonly string[];
  /** The adversary's budget in shards (default f). */
  readonly budget?: number;
}

const READER = "reader";

/** The node machine for `blobs` blobs: the documented variants where they fit, so that coverage counts them. */
function nodeMachineFor(blobs: number) {
  if (blobs === 1) return challengeStorageNodeMachine;
  if (blobs === 3) return threeBlobChallengeStorageNodeMachine;
  return createStorageNodeMachine({ blobs, challenge: true });
}

/** Three blobs for the lightweight variant. */
export const LIGHTWEIGHT_BLOBS: readonly Uint8Array[] = ["first", "second", "third"].map((ordinal) =>
  new TextEncoder().encode(`Walrus: the ${ordinal} of three blobs.`),
);

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

  const contents = options.blobs ?? [options.blob ?? CHALLENGED_BLOB];
  if (contents.length < 1 || contents.length > 8) throw new ModelError("challenge: 1 to 8 blobs");
  const stored = contents.map((bytes, b) => {
    const encoded = codecChecked("challenge", `blob ${b}'s encoding`, () => encodeBlob(bytes, n));
    const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
    return { encoded, blobId: blobIdToString(encoded.blobId), metadata };
  });
  if (new Set(stored.map((blob) => blob.blobId)).size < stored.length) {
    throw new ModelError("challenge: two blobs with the same contents");
  }
  // Every node holds every blob, certified before the challenge, in each of its shards.
  const blobsOf = (name: string): StoredBlob[] => {
    const shards = committee.members.find((m) => m.name === name)?.shards ?? [];
    return stored.map(({ encoded, blobId, metadata }) => {
      const sliver = (shard: number, axis: "primary" | "secondary") => {
        const index = sliverIndexOf(axis, pairOfShard(blobId, shard, n), n);
        return putSliver((axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[index]);
      };
      const slivers = shards.map((shard) => ({
        shard,
        primary: sliver(shard, "primary"),
        secondary: sliver(shard, "secondary"),
      }));
      return { blobId, certifiedEpoch: committee.epoch, metadata, slivers };
    });
  };
  const deletedBlobs = (options.deletedBlobs ?? stored.map((_, b) => b)).map((b) => {
    const blob = stored[b];
    if (blob === undefined) throw new ModelError(`challenge: no blob ${b} to delete`);
    return blob.blobId;
  });
  const { lightweight } = options;
  if (
    lightweight !== undefined &&
    (!Number.isInteger(lightweight.challenged) ||
      lightweight.challenged < 1 ||
      lightweight.challenged > stored.length ||
      lightweight.coins.length === 0 ||
      lightweight.coins.some((coin) => !Number.isSafeInteger(coin) || coin < 0))
  ) {
    throw new ModelError(
      `challenge: the lightweight variant challenges 1 to ${stored.length} blobs per node, under at least one coin (a non-negative integer seed)`,
    );
  }
  if (options.reader !== undefined && stored[options.reader] === undefined) {
    throw new ModelError(`challenge: no blob ${options.reader} to read`);
  }

  // A colluder acks, signs for the deleted nodes, and gives them real recovery symbols.
  const menu = (name: string): Addressed[] => {
    const messages: Addressed[] = names
      .filter((other) => other !== name)
      .map((other) => ({ to: other, type: "ChallengeAck", node: name }));
    for (const cheater of deleted) {
      messages.push({ to: cheater, type: "ChallengeSignature", node: name, for: cheater });
      const targets = committee.members.find((m) => m.name === cheater)?.shards ?? [];
      for (const own of blobsOf(name).filter((blob) => deletedBlobs.includes(blob.blobId))) {
        const { blobId } = own;
        const metadata = own.metadata as ByteRef;
        const symbols = (["primary", "secondary"] as const).flatMap((axis) =>
          recoverySymbolsFor(
            metadata,
            blobId,
            n,
            own.slivers.map((slot) => (axis === "primary" ? slot.secondary : slot.primary)),
            axis,
            targets.map((shard) => sliverIndexOf(axis, pairOfShard(blobId, shard, n), n)),
          ),
        );
        messages.push({ to: cheater, type: "RecoverySymbolResponse", node: name, blobId, metadata, symbols });
      }
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
  const starts = lightweight
    ? lightweight.coins.map((coin) => ({ type: "StartChallenge", coin }))
    : [{ type: "StartChallenge" }];
  const actors: ActorSpec[] = [
    {
      name: CHAIN,
      machine: challengeChainMachine,
      input: { committee, subscribers, others, ...(lightweight ? { challenged: lightweight.challenged } : {}) },
      internalEvents: [...starts, ...(others.length > 0 ? [{ type: "OthersCertified" }] : [])],
      sendsTo: names,
    },
    ...committee.members.map((member) => ({
      name: member.name,
      machine: nodeMachineFor(stored.length),
      input: {
        name: member.name,
        committee,
        blobIds: stored.map((blob) => blob.blobId),
        stored: blobsOf(member.name),
        challenge: {
          behaviour: deleted.includes(member.name) ? ("deleted" as const) : ("storing" as const),
          deletedBlobs: deleted.includes(member.name) ? deletedBlobs : [],
          rebuildBy: options.rebuildBy ?? "recovery",
          answers: focus.includes(member.name),
        },
      } satisfies StorageNodeInput,
      shards: member.shards.length,
      sendsTo: [
        CHAIN,
        ...names.filter((other) => other !== member.name),
        ...(options.reader === undefined ? [] : [READER]),
      ],
    })),
  ];
  if (options.reader !== undefined) {
    const read = stored[options.reader] as (typeof stored)[number];
    actors.push(readerOnRead(READER, [committee], read.blobId, names));
  }
  const layout: ChallengeLayout = {
    chain: CHAIN,
    nodes: names,
    deleted,
    byzantine,
    index: (name) => actors.findIndex((actor) => actor.name === name),
    committee,
    lightweight: lightweight !== undefined,
    ...(options.reader === undefined ? {} : { reader: READER }),
  };
  const faults = [
    deleted.length > 0 ? `deleted ${deleted.join(",")} (rebuilt by ${options.rebuildBy ?? "recovery"})` : "",
    byzantine.length > 0 ? `byzantine ${byzantine.join(",")}` : "",
    crash.length > 0 ? `crash ${crash.join(",")}` : "",
    options.focus ? `the challenge of ${focus.join(",")}` : "",
    lightweight
      ? `lightweight, ${lightweight.challenged} of ${stored.length} blobs, coins ${lightweight.coins.join(",")}`
      : "",
    options.deletedBlobs ? `blobs ${options.deletedBlobs.join(",")} deleted` : "",
    options.reader === undefined ? "" : `a reader of blob ${options.reader}`,
  ].filter(Boolean);
  return new ActorModel({
    name: `challenge(${shardCounts.join(",")}${faults.map((f) => `; ${f}`).join("")})`,
    network: "unordered",
    actors,
    ...(adversary ? { adversary } : {}),
    properties: challengeProperties(layout),
  });
}
