/**
 * The guarantees of an epoch change, as properties of the models of models/epoch-change.ts. Each
 * names its claim and its source and is paired with `sometimes` witnesses, so that a property that
 * holds because nothing happens is reported as vacuous.
 *
 * Availability across the change, reconfiguration liveness, no write lost and attestation
 * soundness (paper §6; `plan.rs`, WAL-1271); each property carries its claim and source (`claim`,
 * `source`), from which docs/properties.md and docs/traceability.md are generated.
 *
 * The last two read every node: a model with a reader may leave them out (`nodes: false`) and
 * check them in the models without one.
 * "Holds" always means both slivers of the shard's pair, each verified against the blob's metadata
 * when it was stored. The attestation property reads every node, and the availability ones only
 * the reader (and the chain, for their witness).
 */

import { type SystemProperty, type SystemView, everyActor, ofParts, someActor } from "../checker/actors.js";
import type { BlobIdText } from "../spec/messages.js";
import type { ByteRef } from "../spec/store.js";
import type { Committee } from "../machines/committee.js";
import { type NodeView, certifiedEpochOf, isOwned, movedBy, nodeView, statusOf } from "../machines/node/index.js";
import { readView } from "../machines/reader.js";
import { chainWithEpochsView } from "../machines/chain-with-epochs.js";

const ACTIVE_COMMITTEES = "crates/walrus-sdk/src/active_committees.rs";

/** Where the actors of an epoch-change model are, and what is stored and written. */
export interface EpochChangeLayout {
  readonly chain: string;
  readonly nodes: readonly string[];
  readonly writer: string | undefined;
  readonly reader: string | undefined;
  /** Actor name → index in the view. */
  readonly index: (name: string) => number;
  /** The committee of every epoch, the first one first. */
  readonly committees: readonly Committee[];
  /** The blob certified before the model starts: its ID and its bytes. */
  readonly stored: { readonly blobId: BlobIdText; readonly bytes: ByteRef };
  /** The ID of the blob written during the change, if any. */
  readonly written: BlobIdText | undefined;
  /** Whether a malicious writer wrote it (inconsistently): it is to be invalidated, not kept. */
  readonly maliciousWriter: boolean;
}

const snapshot = (view: SystemView, layout: EpochChangeLayout, name: string) => view.actors[layout.index(name)];

/** The chain's epoch state and current epoch. */
function chainEpoch(view: SystemView, layout: EpochChangeLayout): { state: string; epoch: number } {
  const chain = chainWithEpochsView(snapshot(view, layout, layout.chain));
  return { state: chain.epochState, epoch: chain.epoch };
}

/** What the reader returned: the blob's bytes, ⊥ (null), or nothing yet (undefined). */
const returned = (view: SystemView, layout: EpochChangeLayout): ByteRef | null | undefined =>
  readView(snapshot(view, layout, layout.reader as string)).returned;

const correctNode = (view: SystemView, layout: EpochChangeLayout, name: string): NodeView | undefined =>
  view.status[layout.index(name)] === "correct" ? nodeView(snapshot(view, layout, name)) : undefined;

/**
 * `reads` and `holds` of a property true when `holds` is of every correct node (a crashed or
 * Byzantine node promises nothing), taken node by node, so that reduction sees that each node's
 * part reads that node alone.
 */
const everyCorrectNode = (layout: EpochChangeLayout, holds: (node: NodeView, name: string) => boolean) =>
  everyActor(layout.nodes, (view, name) => {
    const node = correctNode(view, layout, name);
    return node === undefined || holds(node, name);
  });

/** The committee of `epoch`, if the model has one. */
const committeeAt = (layout: EpochChangeLayout, epoch: number): Committee | undefined =>
  layout.committees.find((committee) => committee.epoch === epoch);

const ownedShards = (node: NodeView) => node.shards.filter((shard) => isOwned(shard.status));

/** The state of the chain's record of the written blob (`noBlob`, `registered`, `certified`, `invalid`). */
const chainBlob = (view: SystemView, layout: EpochChangeLayout): string =>
  chainWithEpochsView(snapshot(view, layout, layout.chain)).blob;

/** Every certified blob of an honest writer is held in every shard the correct members of the last committee own. */
function lastCommitteeHoldsEverything(layout: EpochChangeLayout) {
  const last = layout.committees[layout.committees.length - 1];
  const blobs = [layout.stored.blobId, ...(layout.written && !layout.maliciousWriter ? [layout.written] : [])];
  return everyActor(
    last.members.map((member) => member.name),
    (view, name) => {
      const node = correctNode(view, layout, name);
      if (node === undefined) return true;
      if (node.epoch !== last.epoch) return false;
      const shards = last.members.find((member) => member.name === name)?.shards ?? [];
      return blobs.every((blobId) => {
        const blob = node.blobs.find((b) => b.blobId === blobId);
        return (
          blob !== undefined &&
          certifiedEpochOf(blob.record) !== null &&
          shards.every((shard) => node.holds(blobId, shard))
        );
      });
    },
  );
}

function readProperties(layout: EpochChangeLayout): SystemProperty[] {
  const reader = layout.reader;
  if (reader === undefined) return [];
  const reads = [reader];
  return [
    {
      kind: "always",
      id: "no-wrong-read-across-change",
      name: "availability across the change: a read of a blob certified before it never returns ⊥ or other bytes",
      claim:
        "A read of a blob certified before an epoch change, made while the change runs, never returns ⊥ or other bytes: reads of older blobs go to the old committee until the change is done.",
      source: { sections: ["6.1"], files: [`${ACTIVE_COMMITTEES}::read_committee`] },
      reads,
      holds: (view) => {
        const result = returned(view, layout);
        return result === undefined || result === layout.stored.bytes;
      },
    },
    {
      kind: "eventually",
      id: "read-across-change",
      name: "availability across the change: a read of a blob certified before it returns the blob",
      claim: "A read of a blob certified before an epoch change, made while the change runs, returns the blob.",
      source: { sections: ["6.1"], files: [`${ACTIVE_COMMITTEES}::read_committee`] },
      reads,
      holds: (view) => returned(view, layout) === layout.stored.bytes,
    },
    {
      kind: "sometimes",
      id: "witness-read-during-change",
      name: "witness: a read returns the stored blob while the epoch change is under way",
      claim: "Availability across the change is not vacuous: a read returns the blob while the change is under way.",
      source: { sections: ["6.1"] },
      // Written as its two parts, the reader's and the chain's, which partial-order reduction sees apart.
      ...ofParts(
        {
          returned: { actor: reader, holds: (view) => returned(view, layout) === layout.stored.bytes },
          sync: { actor: layout.chain, holds: (view) => chainEpoch(view, layout).state === "EpochChangeSync" },
        },
        (value) => value("returned") && value("sync"),
      ),
    },
  ];
}

/** The epoch-change properties of a model with this layout. */
export function epochChangeProperties(
  layout: EpochChangeLayout,
  { nodes = true }: { readonly nodes?: boolean } = {},
): SystemProperty[] {
  const last = layout.committees[layout.committees.length - 1];
  const chain: SystemProperty[] = [
    {
      kind: "eventually",
      id: "reconfiguration-liveness",
      name: "reconfiguration liveness: the change to the last epoch completes (EpochChangeDone)",
      claim:
        "Once members of the new committee holding 2f + 1 shards signal that they hold their shards, the change completes.",
      source: {
        sections: ["6.1", "6.2"],
        files: ["contracts/walrus/sources/staking/staking_inner.move::epoch_sync_done"],
      },
      reads: [layout.chain],
      holds: (view) => {
        const { state, epoch } = chainEpoch(view, layout);
        return state === "EpochChangeDone" && epoch === last.epoch;
      },
    },
    {
      kind: "sometimes",
      id: "witness-change-done",
      name: "witness: the change to the last epoch is done",
      claim: "Reconfiguration liveness is not vacuous: the change completes.",
      source: { sections: ["6.2"] },
      reads: [layout.chain],
      holds: (view) =>
        chainEpoch(view, layout).epoch === last.epoch && chainEpoch(view, layout).state === "EpochChangeDone",
    },
  ];
  // Without a change, what speaks of one (its completion, a gained shard, the new epoch) is left out.
  const changes = layout.committees.length > 1;
  return [
    ...readProperties(layout),
    ...(changes ? chain : []),
    ...(nodes ? nodeProperties(layout, changes) : []),
    ...invalidationProperties(layout, changes),
  ];
}

/** With a malicious writer: its blob ID is invalidated across the change, and correct nodes drop its slivers. */
function invalidationProperties(layout: EpochChangeLayout, changes: boolean): SystemProperty[] {
  const written = layout.written;
  if (!layout.maliciousWriter || written === undefined) return [];
  const blobAt = (node: NodeView) => node.blobs.find((blob) => blob.blobId === written);
  return [
    {
      kind: "eventually",
      id: "invalidation-across-change",
      name: "invalidation across the change: the chain invalidates the malicious writer's blob ID",
      claim:
        "A blob ID whose encoding is inconsistent is invalidated: a correct node that recovers the inconsistent sliver proves it, the committee attests, and the chain marks the ID invalid, an epoch change notwithstanding.",
      source: {
        sections: ["3.3", "6.1"],
        files: ["contracts/walrus/sources/system/system_state_inner.move::invalidate_blob_id"],
      },
      reads: [layout.chain],
      holds: (view) => chainBlob(view, layout) === "invalid",
    },
    {
      kind: "always",
      id: "invalidation-processed-deleted",
      name: "a correct node that processed the invalidation keeps no sliver of the blob",
      claim:
        "Once a correct node processes `InvalidBlobID`, it holds no metadata or sliver of the blob (`process_blob_invalid_event`).",
      source: { sections: ["3.3"], files: ["crates/walrus-service/src/node.rs::process_blob_invalid_event"] },
      ...everyCorrectNode(layout, (node) => {
        const blob = blobAt(node);
        return (
          blob === undefined ||
          statusOf(blob.record) !== "invalid" ||
          (blob.metadata === null && blob.slivers.every((slot) => slot.primary === null && slot.secondary === null))
        );
      }),
    },
    {
      kind: "always",
      id: "deletes-only-invalidated",
      name: "a correct node deletes a blob only once the chain invalidated its blob ID",
      claim:
        "A node marks a blob invalid and deletes its slivers on the chain's `InvalidBlobID` for that blob ID only: an invalidation of one blob leaves every other blob it stores as it was.",
      source: { sections: ["3.3"], files: ["crates/walrus-service/src/node.rs::process_blob_invalid_event"] },
      reads: [layout.chain, ...layout.nodes],
      // Each node's part reads the chain too: the property is not taken actor by actor.
      holds: (view) =>
        layout.nodes.every((name) =>
          (correctNode(view, layout, name)?.blobs ?? []).every(
            (blob) =>
              statusOf(blob.record) !== "invalid" || (blob.blobId === written && chainBlob(view, layout) === "invalid"),
          ),
        ),
    },
    ...(changes ? [invalidatedInNewEpoch(layout)] : []),
  ];
}

/** The witness that the invalidation crosses a change. */
function invalidatedInNewEpoch(layout: EpochChangeLayout): SystemProperty {
  return {
    kind: "sometimes",
    id: "witness-invalidated-in-new-epoch",
    name: "witness: the blob ID is invalidated in the new epoch",
    claim: "The invalidation crosses the change: the chain marks the blob ID invalid after the committee changed.",
    source: { sections: ["3.3", "6.1"] },
    reads: [layout.chain],
    holds: (view) =>
      chainBlob(view, layout) === "invalid" && chainEpoch(view, layout).epoch > layout.committees[0].epoch,
  };
}

/**
 * The properties that read every node: no write lost and attestation soundness; with `changes`, the
 * witness that a node that gained a shard attests.
 */
function nodeProperties(layout: EpochChangeLayout, changes: boolean): SystemProperty[] {
  const genesis = layout.committees[0];
  return [
    {
      kind: "eventually",
      id: "no-write-lost",
      name: "no write lost: every certified blob is held in every shard of the last committee's correct members",
      claim:
        "Blobs certified before a change move with their shards: every correct member of the last committee holds, in every shard it owns, every certified blob.",
      source: {
        sections: ["6.1"],
        detail: "writes go to the new committee at once; certified blobs move with their shards",
      },
      ...lastCommitteeHoldsEverything(layout),
    },
    {
      kind: "always",
      id: "attestation-soundness",
      name: "attestation soundness: a node that called epoch_sync_done holds, in every shard it gained, every blob that moved with the shard",
      claim:
        "A node signals epoch_sync_done only once it has received its shards: it holds every blob that moved with a shard it gained.",
      source: {
        sections: ["6.1", "6.5"],
        files: ["crates/walrus-service/src/node/epoch_change/plan.rs"],
        detail: "WAL-1271",
      },
      ...everyCorrectNode(layout, (node) => {
        if (node.attestedEpoch !== node.epoch || node.epoch === genesis.epoch) return true;
        // A blob certified since the shard came is written to it or recovered like any blob: the
        // attestation does not wait for those (paper §6 and `plan.rs` alike).
        return ownedShards(node).every((shard) =>
          node.blobs.every((blob) => {
            // An invalid blob ID has no certification epoch: nothing of it moves.
            const certified = certifiedEpochOf(blob.record);
            return certified === null || certified >= shard.since || node.holds(blob.blobId, shard.shard);
          }),
        );
      }),
    },
    {
      kind: "always",
      id: "shards-follow-committee",
      name: "a correct node owns exactly its shards of its current committee, and is Standby exactly when not a member",
      claim:
        "At each epoch change a node locks the shards it lost and takes those it gained, and its status follows its membership: the shards it stores and writes to are those the committee gives it.",
      source: {
        sections: ["6.1"],
        files: [
          "crates/walrus-service/src/node/epoch_change/plan.rs",
          "crates/walrus-service/src/node/storage/shard.rs",
        ],
        detail: "lock_shard_for_epoch_change, start_sync_shard_before_epoch",
      },
      ...everyCorrectNode(layout, (node, name) => {
        const member = committeeAt(layout, node.epoch)?.members.find((m) => m.name === name);
        const owned = ownedShards(node).map((shard) => shard.shard);
        const given = [...(member?.shards ?? [])].sort((a, b) => a - b);
        return (
          owned.length === given.length &&
          owned.every((shard, i) => shard === given[i]) &&
          (member === undefined) === (node.status === "Standby")
        );
      }),
    },
    {
      kind: "always",
      id: "active-after-metadata",
      name: "a correct node that joined the committee is Active only once it holds the metadata of every blob that moved to its epoch",
      claim:
        "A new member first fetches the metadata of every blob certified before its epoch (RecoverMetadata) and only then serves as Active; a continuing member recovers the blobs certified in the last epoch like any other, as it heals.",
      source: {
        sections: ["6.1"],
        files: ["crates/walrus-service/src/node.rs"],
        detail: "sync_certified_blob_metadata",
      },
      ...everyCorrectNode(layout, (node, name) => {
        if (node.status !== "Active") return true;
        const previous = committeeAt(layout, node.epoch - 1);
        const joined = previous !== undefined && !previous.members.some((m) => m.name === name);
        return !joined || node.blobs.every((blob) => !movedBy(blob, node.epoch) || blob.metadata !== null);
      }),
    },
    ...(changes ? [gainedShardAttests(layout)] : []),
  ];
}

/** The witness that attestation soundness is not vacuous: a node that gained a shard attests. */
function gainedShardAttests(layout: EpochChangeLayout): SystemProperty {
  const genesis = layout.committees[0];
  return {
    kind: "sometimes",
    id: "witness-gained-shard-attests",
    name: "witness: a node that gained a shard attests epoch_sync_done",
    claim: "Attestation soundness is not vacuous: a node that gained a shard attests epoch_sync_done.",
    source: { sections: ["6.5"] },
    ...someActor(layout.nodes, (view, name) => {
      const node = correctNode(view, layout, name);
      return (
        node !== undefined &&
        node.attestedEpoch === node.epoch &&
        node.shards.some((shard) => shard.since === node.epoch && shard.since > genesis.epoch)
      );
    }),
  };
}
