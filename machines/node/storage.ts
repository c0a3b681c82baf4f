/**
 * A blob at the node: what the node knows of it on chain, what it stores and confirms, and how it
 * heals the slivers the writer never sent (paper §2.2, §4). One region per blob; its guards and
 * actions take the blob's position (`params.blob`).
 *
 * What the node knows of the blob on chain: its `BlobInfo` and objects (`record`, `blob-info.ts`),
 * updated by each event the cursor passes on in chain order and by the collection at each epoch's
 * start, in short (`statusOf`) `awaitingRegistration` → `registered` → `certified`, back to
 * `registered` or to `retired` as objects are deleted or end (and from `retired` to `registered`
 * with a new object), and `invalid` from any of them for good.
 * On the registration an upload that came early is taken up (`pending_metadata_cache`,
 * `pending_sliver_cache` flushed); on `InvalidBlobID` the node deletes the metadata and slivers
 * and answers ⊥ from then on (`process_blob_invalid_event`).
 *
 * Storing (`store_metadata`, `store_sliver`): an upload is checked on arrival
 * (`metadataMatchesBlobId`), held while the blob is not registered (or, with epochs, while the
 * node owns no shard: it has not processed the writer's epoch yet), and stored sliver by sliver
 * into the shards the node owns, each checked against the metadata. The node confirms, as a member,
 * once it stores the slivers of every shard it owns and the blob is registered — once per epoch
 * and per upload, and not after the certification (nobody needs it then)
 * (`compute_storage_confirmation`).
 *
 * Healing (`node/blob_sync.rs`, `BlobSynchronizer`): once the blob is certified, a node that must
 * recover slivers of it (`shards.ts`, `dueShards`: its owned shards, less those a transfer still
 * fills) asks every other member of the committee that serves the blob for the metadata and the
 * recovery symbols of those slivers, takes the first metadata that verifies, rebuilds each missing secondary sliver, then
 * each missing primary one (`slivers.ts`). The implementation recovers both axes concurrently;
 * here the order is the paper's, which its retries come to. A rebuilt sliver that contradicts the
 * metadata is an inconsistency proof: the blob goes to `inconsistencyDetected` (`invalidation.ts`).
 */

import { assign, enqueueActions } from "xstate";
import type { StoreSliverPairs } from "../../spec/messages.js";
import { metadataMatchesBlobId } from "../codec.js";
import { memberOf } from "../committee.js";
import {
  type BlobAtNode,
  type BlobParams,
  type GuardArgs,
  type StorageNodeContext,
  type StorageNodeEvent,
  type NodeAction,
  NO_WRITE_YET,
  blobAt,
  isMember,
  isWellFormed,
  nOf,
  ownedShards,
  withBlobAt,
} from "./context.js";
import { servingCommittee } from "./epochs.js";
import {
  type BlobEvent,
  applyBlobEvent,
  certifiedEpochOf,
  mayConfirm,
  persistenceOf,
  processExpiredBlobObjects,
  statusOf,
} from "./blob-info.js";
import { dueShards, holdsInShard } from "./shards.js";
import {
  type BlobSlivers,
  holdsAxisIn,
  recovered,
  recoveryRequest,
  symbolsSuffice,
  withSymbols,
  withUpload,
} from "./slivers.js";

type Args = GuardArgs;

/** The upload an event is, if it is one. */
const uploadIn = (event: StorageNodeEvent): StoreSliverPairs | undefined =>
  event.type === "StoreSliverPairs" ? event : undefined;

/** The shards the node owns now: those that take writes. */
const owned = (context: StorageNodeContext) => ownedShards(context).map((shard) => shard.shard);

/** Whether the node owns some shard and holds the blob's slivers in every one. */
const holdsOwnedSlivers = (context: StorageNodeContext, blob: BlobSlivers) =>
  owned(context).length > 0 && owned(context).every((shard) => holdsInShard(blob, shard));

/** The upload's slivers stored into the shards that take writes. */
const uploaded = (context: StorageNodeContext, blob: BlobAtNode, upload: StoreSliverPairs) =>
  withUpload(blob, upload, nOf(context), owned(context));

/** The blob's guards. */
export const storageGuards = {
  /** A chain event in chain order about this blob. */
  aboutBlob: ({ context, event }: Args, params: BlobParams) =>
    "blobId" in event && event.blobId === blobAt(context, params).blobId,
  /** A well-formed message about this blob. */
  forBlob: ({ context, event }: Args, params: BlobParams) =>
    isWellFormed(event) && "blobId" in event && event.blobId === blobAt(context, params).blobId,
  /** A live object registers the blob (`is_registered`): the node stores its metadata and slivers. */
  blobRegistered: ({ context }: Args, params: BlobParams) => {
    const status = statusOf(blobAt(context, params).record);
    return status === "registered" || status === "certified";
  },
  /**
   * The `BlobDeleted` leaves no object registering the blob, and the node deletes data at once
   * (`process_blob_deleted_event` with `enable_immediate_data_deletion`).
   */
  deletionRetiresBlob: ({ context, event }: Args, params: BlobParams) =>
    context.dataDeletion === "immediate" && statusOf(recorded(context, params, event)) === "retired",
  /**
   * At the start of the event's epoch the garbage collection leaves no object registering the blob:
   * its data goes (`process_expired_blob_objects`, then `delete_expired_blob_data`).
   */
  collectionRetiresBlob: ({ context, event }: Args, params: BlobParams) =>
    event.type === "chain.EpochChangeStart" && statusOf(collected(context, params, event.epoch)) === "retired",
  /** No certified object is counted any more: a running blob sync is cancelled (`cancel_sync_and_mark_event_complete`). */
  healingCancelled: ({ context }: Args, params: BlobParams) => statusOf(blobAt(context, params).record) !== "certified",
  /** The node owns no shard in its current epoch. */
  ownsNoShard: ({ context }: Args) => owned(context).length === 0,
  /** An upload is held for the blob. */
  uploadHeld: ({ context }: Args, params: BlobParams) => blobAt(context, params).pendingUpload !== null,
  /** The node holds the blob's slivers in every shard it owns. */
  holdsItsSlivers: ({ context }: Args, params: BlobParams) => holdsOwnedSlivers(context, blobAt(context, params)),
  /** The node has seen the blob ID invalidated. */
  blobInvalid: ({ context }: Args, params: BlobParams) => statusOf(blobAt(context, params).record) === "invalid",
  /** The upload's metadata is the blob ID's (`store_metadata`). */
  metadataMatchesBlobId: ({ context, event }: Args, params: BlobParams) =>
    event.type === "StoreSliverPairs" &&
    metadataMatchesBlobId(event.metadata, blobAt(context, params).blobId, nOf(context)),
  /** With the slivers of this upload that verify, the node stores both slivers of every shard it owns. */
  uploadCompletesStorage: ({ context, event }: Args, params: BlobParams) => {
    const upload = uploadIn(event);
    return upload !== undefined && holdsOwnedSlivers(context, uploaded(context, blobAt(context, params), upload));
  },
  /**
   * Stored and registered, not certified yet, and not confirmed in this epoch: a member that holds
   * the blob in every shard it owns (a new epoch asks for a confirmation of its own).
   */
  shouldConfirm: ({ context }: Args, params: BlobParams) => {
    const blob = blobAt(context, params);
    return (
      statusOf(blob.record) === "registered" &&
      mayConfirm(blob.record, persistenceOf(blob.confirmFor), context.committee.epoch) &&
      blob.confirmedEpoch !== context.committee.epoch &&
      blob.uploader !== null &&
      isMember(context) &&
      holdsOwnedSlivers(context, blob)
    );
  },
  /** The blob is certified and the node must recover slivers of it itself (`shards.ts`, `dueShards`). */
  recoveryDue: ({ context }: Args, params: BlobParams) => dueShards(context, blobAt(context, params)).length > 0,
  /** The node has no verified metadata yet. */
  lacksMetadata: ({ context }: Args, params: BlobParams) => blobAt(context, params).metadata === null,
  /** The node misses a secondary sliver it must recover. */
  lacksSecondarySlivers: ({ context }: Args, params: BlobParams) => {
    const blob = blobAt(context, params);
    return !holdsAxisIn(blob, "secondary", dueShards(context, blob));
  },
  /** The node misses a primary sliver it must recover. */
  lacksPrimarySlivers: ({ context }: Args, params: BlobParams) => {
    const blob = blobAt(context, params);
    return !holdsAxisIn(blob, "primary", dueShards(context, blob));
  },
  /** From another member of a committee the node knows (authenticated channels: `node` is the sender). */
  fromPeer: ({ context, event }: Args) =>
    "node" in event &&
    event.node !== context.name &&
    context.committees.some((committee) => memberOf(committee, event.node) !== undefined),
  /** The symbols at hand rebuild (or prove inconsistent) every missing secondary sliver. */
  symbolsSufficeForSecondary: ({ context }: Args, params: BlobParams) => {
    const blob = blobAt(context, params);
    return symbolsSuffice(blob, "secondary", blob.symbols, nOf(context), dueShards(context, blob));
  },
  /** The symbols at hand rebuild (or prove inconsistent) every missing primary sliver. */
  symbolsSufficeForPrimary: ({ context }: Args, params: BlobParams) => {
    const blob = blobAt(context, params);
    return symbolsSuffice(blob, "primary", blob.symbols, nOf(context), dueShards(context, blob));
  },
  /** A rebuilt sliver contradicted the metadata. */
  inconsistencyFound: ({ context }: Args, params: BlobParams) => blobAt(context, params).inconsistency !== null,
};

/** The chain events the record takes, under their own names. */
function blobEventOf(event: StorageNodeEvent): BlobEvent | undefined {
  switch (event.type) {
    case "chain.BlobRegistered":
    case "chain.BlobCertified":
    case "chain.BlobDeleted":
    case "chain.InvalidBlobID":
      return { ...event, type: event.type.slice("chain.".length) } as BlobEvent;
    default:
      return undefined;
  }
}

/** The blob's record after the garbage collection at the start of `epoch`. */
const collected = (context: StorageNodeContext, params: BlobParams, epoch: number) =>
  processExpiredBlobObjects(blobAt(context, params).record, epoch);

/** The blob's record after the chain event `event` (as it was for any other event). */
function recorded(context: StorageNodeContext, params: BlobParams, event: StorageNodeEvent) {
  const record = blobAt(context, params).record;
  const blobEvent = blobEventOf(event);
  return blobEvent === undefined ? record : applyBlobEvent(record, blobEvent);
}

/** The blob with the slivers of `axis` the symbols rebuild, or the inconsistency proof they give. */
function rebuild(context: StorageNodeContext, params: BlobParams, axis: "primary" | "secondary"): Partial<BlobAtNode> {
  const blob = blobAt(context, params);
  const { blob: rebuilt, proof } = recovered(blob, axis, blob.symbols, nOf(context), dueShards(context, blob));
  return { slivers: rebuilt.slivers, inconsistency: proof === null ? blob.inconsistency : { axis, proof } };
}

/** The record follows the chain event at hand (`update_blob_info`): each blob event's action does this. */
const recordEvent: NodeAction<BlobParams> = assign(({ context, event }, params: BlobParams) =>
  withBlobAt(context, params, { record: recorded(context, params, event) }),
);

/** The blob's actions. */
export const storageActions: Record<
  | "registerBlob"
  | "retryHeldUpload"
  | "certifyBlob"
  | "recordObjectDeleted"
  | "collectExpiredObjects"
  | "forgetRetiredBlob"
  | "markBlobInvalid"
  | "deleteBlob"
  | "holdUpload"
  | "storeUpload"
  | "confirmStorage"
  | "requestRecoverySymbols"
  | "takeRecoveryResponse"
  | "recoverSecondarySlivers"
  | "recoverPrimarySlivers"
  | "forgetSymbols",
  NodeAction<BlobParams>
> = {
  /** The blob is registered: an upload that came early is taken up now. */
  registerBlob: enqueueActions(({ context, event, enqueue }, params: BlobParams) => {
    const pending = blobAt(context, params).pendingUpload;
    enqueue.assign(withBlobAt(context, params, { record: recorded(context, params, event), pendingUpload: null }));
    if (pending !== null) enqueue.raise(pending);
  }),
  /** The held upload is taken up again (held again if the node still cannot store it). */
  retryHeldUpload: enqueueActions(({ context, enqueue }, params: BlobParams) => {
    const pending = blobAt(context, params).pendingUpload;
    enqueue.assign(withBlobAt(context, params, { pendingUpload: null }));
    if (pending !== null) enqueue.raise(pending);
  }),
  /** An object of the blob certified (or extended): the record follows (`update_blob_info`). */
  certifyBlob: recordEvent,
  /** A deletable object of the blob deleted: the record follows (`update_blob_info`). */
  recordObjectDeleted: recordEvent,
  /**
   * A blob ID retired and registered again (a new object): what the node knew of the old objects'
   * write goes — who uploaded, the confirmation sent, symbols and proofs.
   */
  forgetRetiredBlob: assign(({ context }, params: BlobParams) => withBlobAt(context, params, NO_WRITE_YET)),
  /** A new epoch: the objects that ended leave the record (`process_expired_blob_objects`). */
  collectExpiredObjects: assign(({ context, event }, params: BlobParams) =>
    event.type === "chain.EpochChangeStart"
      ? withBlobAt(context, params, { record: collected(context, params, event.epoch) })
      : {},
  ),
  /** The blob ID is invalid: the node answers ⊥ for it from now on (`BlobInfo` marked invalid). */
  markBlobInvalid: recordEvent,
  /** `process_blob_invalid_event`: cancel the sync, delete the metadata and slivers. */
  deleteBlob: assign(({ context }, params: BlobParams) => {
    const blob = blobAt(context, params);
    return withBlobAt(context, params, {
      pendingUpload: null,
      metadata: null,
      slivers: blob.slivers.map((slot) => ({ ...slot, primary: null, secondary: null })),
      symbols: [],
    });
  }),
  holdUpload: assign(({ context, event }, params: BlobParams) =>
    withBlobAt(context, params, { pendingUpload: blobAt(context, params).pendingUpload ?? uploadIn(event) ?? null }),
  ),
  storeUpload: assign(({ context, event }, params: BlobParams) => {
    const blob = blobAt(context, params);
    const upload = uploadIn(event);
    if (upload === undefined) return {};
    const { metadata, slivers } = uploaded(context, blob, upload);
    // Each upload asks for a confirmation: a writer that uploads again (in a new epoch) gets one again.
    return withBlobAt(context, params, {
      metadata,
      slivers,
      uploader: blob.uploader ?? upload.from,
      confirmFor: blob.uploader === null ? upload.object : blob.confirmFor,
      confirmedEpoch: null,
    });
  }),
  confirmStorage: enqueueActions(({ context, enqueue }, params: BlobParams) => {
    const blob = blobAt(context, params);
    const to = blob.uploader;
    if (to === null) return;
    enqueue({
      type: "send",
      params: {
        to,
        type: "StorageConfirmation",
        node: context.name,
        epoch: context.committee.epoch,
        blobId: blob.blobId,
        object: blob.confirmFor,
        shards: [...(memberOf(context.committee, context.name)?.shards ?? [])].sort((a, b) => a - b),
      },
    });
    enqueue.assign(withBlobAt(context, params, { confirmedEpoch: context.committee.epoch }));
  }),
  /** Ask every other member of the committee that serves the blob for the symbols of the slivers due. */
  requestRecoverySymbols: enqueueActions(({ context, enqueue }, params: BlobParams) => {
    const blob = blobAt(context, params);
    const due = dueShards(context, blob);
    for (const member of servingCommittee(context, certifiedEpochOf(blob.record) ?? context.committee.epoch).members) {
      if (member.name === context.name) continue;
      enqueue({ type: "send", params: recoveryRequest(blob, context.name, member.name, nOf(context), due) });
    }
  }),
  takeRecoveryResponse: assign(({ context, event }, params: BlobParams) => {
    if (event.type !== "RecoverySymbolResponse") return {};
    const at = blobAt(context, params);
    const { blob, symbols } = withSymbols(at, at.symbols, event, nOf(context));
    return withBlobAt(context, params, { metadata: blob.metadata, symbols });
  }),
  recoverSecondarySlivers: assign(({ context }, params: BlobParams) =>
    withBlobAt(context, params, rebuild(context, params, "secondary")),
  ),
  recoverPrimarySlivers: assign(({ context }, params: BlobParams) =>
    withBlobAt(context, params, rebuild(context, params, "primary")),
  ),
  /** The symbols are of no further use once the slivers are stored. */
  forgetSymbols: assign(({ context }, params: BlobParams) => withBlobAt(context, params, { symbols: [] })),
};
