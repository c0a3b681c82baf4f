/**
 * What the Walrus models share about faults: the adversary of named crashing and Byzantine nodes,
 * what a Byzantine node of the write-read and the epoch-change models sends, a corrupted sliver
 * or symbol, and the codec's refusal of a model's blob turned into a {@link ModelError} that names
 * the model.
 */

import { match } from "ts-pattern";
import type { AdversarySpec, OutgoingMessage } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { pairOfShard, putRecoverySymbol, putSliver } from "../machines/codec.js";
import { type Addressed, CHAIN, type Committee, type CommitteeMember } from "../machines/committee.js";
import {
  type Axis,
  type EncodedBlob,
  RecoverySymbolSource,
  type Sliver,
  WalrusSpecError,
  encodeBlob,
  encodeInconsistencyProof,
  encodeMetadataWithId,
  encodingParams,
  maxFaulty,
  orthogonal,
  sliverIndexOf,
} from "../spec/index.js";
import type { ActorName, BlobIdText } from "../spec/messages.js";
import { type ByteRef, putBytes } from "../spec/store.js";

/**
 * The adversary, if any node may fail: within `budget` shards (default f of n), the named nodes may
 * crash, and the Byzantine ones send what `menu` gives them, in flight from the start (a Byzantine
 * message is never consumed, so when it goes out matters less than when it arrives, which the
 * network chooses).
 */
export function adversaryOf(
  nShards: number,
  faults: { readonly crash: readonly string[]; readonly byzantine: readonly string[]; readonly budget?: number },
  menu: (name: string) => readonly OutgoingMessage[],
): AdversarySpec | undefined {
  const { crash, byzantine } = faults;
  if (crash.length + byzantine.length === 0) return undefined;
  return {
    budget: faults.budget ?? maxFaulty(nShards),
    crash,
    byzantine,
    menu: Object.fromEntries(byzantine.map((name) => [name, menu(name)])),
    menuInFlight: true,
  };
}

/** A copy with the first `bytes` bytes flipped: the right size and indices, the wrong contents. */
export function corrupt<T extends { readonly data: Uint8Array }>(value: T, bytes: number): T {
  const data = value.data.slice();
  for (let b = 0; b < Math.min(bytes, data.length); b++) data[b] ^= 0xff;
  return { ...value, data };
}

/** What `build` returns, or a {@link ModelError} of `model` when the codec refuses its parameters. */
export function codecChecked<T>(model: string, what: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof WalrusSpecError) throw new ModelError(`${model}: ${what}: ${error.message}`);
    throw error;
  }
}

// --- the write-read models' Byzantine nodes ---

/**
 * What a Byzantine node of the write-read models may send, each a real message in its own name
 * with real (or really corrupted) bytes:
 * - `confirmWithoutStoring`: a storage confirmation to the writer for its shards;
 * - `corruptSliver`: a read response whose slivers fail their Merkle check;
 * - `corruptSymbols`: recovery symbols whose proofs fail, to every other node;
 * - `wrongMetadata`: metadata of another blob, to the readers and to every other node;
 * - `forgeInconsistencyProof`: an inconsistency proof made of real symbols with valid Merkle
 *   proofs (the strongest the adversary can assemble for a consistent encoding), to every other node;
 * - `attestInvalid`: `invalidate_blob_id` signed by every Byzantine node, to the chain.
 */
export const BYZANTINE_BEHAVIOURS = [
  "confirmWithoutStoring",
  "corruptSliver",
  "corruptSymbols",
  "wrongMetadata",
  "forgeInconsistencyProof",
  "attestInvalid",
] as const;

/** What a Byzantine node may send. */
export type ByzantineBehaviour = (typeof BYZANTINE_BEHAVIOURS)[number];

/** What a write-read model's Byzantine menu is made from: the committee, the blob and who reads it. */
export interface WriteReadFaultContext {
  readonly committee: Committee;
  readonly blobId: BlobIdText;
  readonly encoded: EncodedBlob;
  readonly metadata: ByteRef;
  /** The axis the readers read. */
  readonly axis: Axis;
  readonly readers: readonly ActorName[];
  readonly writer: ActorName;
  /** Every Byzantine node: they sign `attestInvalid` together. */
  readonly byzantine: readonly ActorName[];
}

/** The messages Byzantine `member` sends, for each of its behaviours. */
export function writeReadMenu(
  context: WriteReadFaultContext,
  member: CommitteeMember,
  behaviours: readonly ByzantineBehaviour[],
): Addressed[] {
  const { committee, blobId, encoded, metadata, axis, readers } = context;
  const n = committee.nShards;
  const slivers = (of: Axis): Sliver[] =>
    member.shards.map((shard) => {
      const index = sliverIndexOf(of, pairOfShard(blobId, shard, n), n);
      return (of === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[index] as Sliver;
    });
  const targetsOf = (other: CommitteeMember, target: Axis) =>
    other.shards.map((shard) => sliverIndexOf(target, pairOfShard(blobId, shard, n), n));
  const others = committee.members.filter((m) => m.name !== member.name);
  const from = { node: member.name, blobId };
  return behaviours.flatMap((behaviour) =>
    match(behaviour)
      .returnType<Addressed[]>()
      .with("confirmWithoutStoring", () => [
        // The write models' blob is one permanent object (machines/chain.ts, `THE_OBJECT`).
        {
          to: context.writer,
          type: "StorageConfirmation",
          ...from,
          epoch: committee.epoch,
          object: null,
          shards: member.shards,
        },
      ])
      .with("corruptSliver", () => {
        const corrupted = slivers(axis).map((s) => putSliver(corrupt(s, encoded.symbolSize)));
        return readers.map((to) => ({ to, type: "ReadResponse", ...from, axis, metadata, slivers: corrupted }));
      })
      .with("corruptSymbols", () =>
        others.map((other) => {
          const symbols = (["secondary", "primary"] as const).flatMap((target) =>
            slivers(orthogonal(target)).flatMap((source) => {
              const server = new RecoverySymbolSource(encodingParams(n), source);
              return targetsOf(other, target).map((t) =>
                putRecoverySymbol(corrupt(server.symbolFor(t), encoded.symbolSize)),
              );
            }),
          );
          return { to: other.name, type: "RecoverySymbolResponse", ...from, metadata, symbols };
        }),
      )
      .with("wrongMetadata", () => {
        const other = encodeBlob(new TextEncoder().encode("not the blob that was written"), n);
        const wrong = putBytes(encodeMetadataWithId({ blobId: other.blobId, metadata: other.metadata }));
        const real = slivers(axis).map(putSliver);
        return [
          ...readers.map(
            (to): Addressed => ({ to, type: "ReadResponse", ...from, axis, metadata: wrong, slivers: real }),
          ),
          ...others.map(
            (peer): Addressed => ({
              to: peer.name,
              type: "RecoverySymbolResponse",
              ...from,
              metadata: wrong,
              symbols: [],
            }),
          ),
        ];
      })
      .with("forgeInconsistencyProof", () =>
        // Real symbols for another node's secondary sliver, as many as its recovery needs.
        others.map((other) => {
          const [targetIndex = 0] = targetsOf(other, "secondary");
          const need = encodingParams(n).primarySourceSymbols;
          const symbols = encoded.primarySlivers
            .slice(0, need)
            .map((source) => new RecoverySymbolSource(encodingParams(n), source).symbolFor(targetIndex));
          const proof = putBytes(encodeInconsistencyProof({ axis: "secondary", targetIndex, symbols }));
          return {
            to: other.name,
            type: "VerifyInconsistencyProof",
            from: member.name,
            blobId,
            axis: "secondary",
            proof,
          };
        }),
      )
      .with("attestInvalid", () => [
        {
          to: CHAIN,
          type: "InvalidateBlobId",
          blobId,
          epoch: committee.epoch,
          signers: [...context.byzantine].sort(),
        },
      ])
      .exhaustive(),
  );
}

// --- the epoch-change models' Byzantine nodes ---

/**
 * What a Byzantine node of the epoch-change models sends about the stored blob, for each shard it
 * held in the first committee, each a real message in its own name whose bytes fail their proofs:
 * - `corruptShardSync`: a shard-sync answer of both axes to each later owner of the shard;
 * - `corruptSliver`: a read answer to the reader;
 * - `corruptSymbols`: recovery symbols to every other node, for its shards in every committee.
 */
export const EPOCH_CHANGE_BYZANTINE_BEHAVIOURS = ["corruptShardSync", "corruptSliver", "corruptSymbols"] as const;

/** What an epoch-change model's Byzantine menu is made from: the committees, the stored blob and the reader. */
export interface EpochChangeFaultContext {
  /** The committees of every epoch, the first first. */
  readonly committees: readonly Committee[];
  /** Every node of any committee. */
  readonly nodes: readonly ActorName[];
  readonly blobId: BlobIdText;
  readonly encoded: EncodedBlob;
  readonly metadata: ByteRef;
  /** The reader, if the model reads. */
  readonly reader: ActorName | undefined;
}

/** The messages Byzantine `name` sends, for each of its behaviours. */
export function epochChangeMenu(
  context: EpochChangeFaultContext,
  name: ActorName,
  behaviours: readonly (typeof EPOCH_CHANGE_BYZANTINE_BEHAVIOURS)[number][] = EPOCH_CHANGE_BYZANTINE_BEHAVIOURS,
): Addressed[] {
  const { committees, blobId, encoded, metadata } = context;
  const [first] = committees;
  const n = first.nShards;
  const held = first.members.find((m) => m.name === name)?.shards ?? [];
  const sliverOf = (shard: number, axis: Axis): Sliver => {
    const index = sliverIndexOf(axis, pairOfShard(blobId, shard, n), n);
    return (axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[index] as Sliver;
  };
  const corruptSliver = (shard: number, axis: Axis) => putSliver(corrupt(sliverOf(shard, axis), encoded.symbolSize));
  return behaviours.flatMap((behaviour) =>
    match(behaviour)
      .returnType<Addressed[]>()
      .with("corruptShardSync", () =>
        committees.slice(1).flatMap((committee) =>
          held.flatMap((shard) => {
            const owner = committee.members.find((m) => m.shards.includes(shard))?.name;
            if (owner === undefined || owner === name) return [];
            return (["primary", "secondary"] as const).map(
              (axis): Addressed => ({
                to: owner,
                type: "ShardSyncResponse",
                node: name,
                shard,
                axis,
                epoch: committee.epoch,
                slivers: [{ blobId, metadata, sliver: corruptSliver(shard, axis) }],
              }),
            );
          }),
        ),
      )
      .with("corruptSliver", () =>
        context.reader === undefined || held.length === 0
          ? []
          : [
              {
                to: context.reader,
                type: "ReadResponse",
                node: name,
                blobId,
                axis: "primary",
                metadata,
                slivers: held.map((shard) => corruptSliver(shard, "primary")),
              },
            ],
      )
      .with("corruptSymbols", () =>
        context.nodes
          .filter((other) => other !== name)
          .flatMap((other): Addressed[] => {
            const symbols = held.flatMap((shard) =>
              (["primary", "secondary"] as const).flatMap((target) => {
                const source = new RecoverySymbolSource(encodingParams(n), sliverOf(shard, orthogonal(target)));
                return committees.flatMap((c) =>
                  (c.members.find((m) => m.name === other)?.shards ?? []).map((s) =>
                    putRecoverySymbol(
                      corrupt(
                        source.symbolFor(sliverIndexOf(target, pairOfShard(blobId, s, n), n)),
                        encoded.symbolSize,
                      ),
                    ),
                  ),
                );
              }),
            );
            return symbols.length === 0
              ? []
              : [
                  {
                    to: other,
                    type: "RecoverySymbolResponse",
                    node: name,
                    blobId,
                    metadata,
                    symbols: [...new Set(symbols)].sort(),
                  },
                ];
          }),
      )
      .exhaustive(),
  );
}
