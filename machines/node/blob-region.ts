/**
 * The chart of one blob's region at a storage node (`blob0`, `blob1`, …): what the node knows of
 * the blob on chain, stores and confirms, heals and proves inconsistent, drawn as states —
 * `awaitingSlivers` → `stored`, or → `recovering` (metadata, then secondary slivers, then primary
 * ones, paper §4) → `stored`, or → `inconsistencyDetected` (paper §3.3), and `deleted` once the
 * chain marks the blob ID invalid or no live object registers it any more (deleted, or collected at
 * an epoch's start after it ended: `blob-info.ts`); healing stops once no certified object is left. The region's guards and actions are in `storage.ts` and
 * `invalidation.ts`, and take the blob's position as `params.blob`; `index.ts` puts one region per
 * blob beside the node's others.
 *
 * With epochs the region also retries an upload it held when a new epoch may give the node its
 * shards, recovers a blob a shard transfer left out, and asks the new committee afresh for
 * attestations; with the challenge a deleted node puts off healing what it threw away
 * (`challenge.ts`).
 *
 * Follows paper §2.2, §3.3 and §4, and `crates/walrus-service/src/node.rs` (`store_metadata`,
 * `store_sliver`, `compute_storage_confirmation`, `process_blob_invalid_event`),
 * `node/blob_event_processor.rs` (`process_blob_deleted_event`), `node/garbage_collector.rs` and
 * `node/blob_sync.rs` (`BlobSynchronizer`).
 */

import { and, not, or } from "xstate";

/** The region of blob `blob`: what the node knows of it on chain, stores, heals and proves inconsistent. */
export function blobRegion(blob: number, epochs: boolean, challenge: boolean) {
  const params = { blob };
  const about = { type: "aboutBlob", params } as const;
  const forBlob = { type: "forBlob", params } as const;
  const id = `#storageNode.blob${blob}`;
  return {
    initial: "awaitingSlivers",
    on: {
      "chain.BlobRegistered": { guard: about, actions: { type: "registerBlob", params } },
      "chain.BlobCertified": { guard: about, actions: { type: "certifyBlob", params } },
      // A deletion that leaves no object: with immediate deletion the data go now.
      "chain.BlobDeleted": [
        {
          guard: and([about, { type: "deletionRetiresBlob", params }]),
          target: ".deleted",
          actions: { type: "recordObjectDeleted", params },
        },
        { guard: about, actions: { type: "recordObjectDeleted", params } },
      ],
      // A new epoch: the garbage collection takes the objects that ended, and the data once none is
      // left; and the epoch may give the node the shards an upload it held is for.
      ...(epochs
        ? {
            "chain.EpochChangeStart": [
              {
                guard: { type: "collectionRetiresBlob", params },
                target: ".deleted",
                actions: { type: "collectExpiredObjects", params },
              },
              {
                guard: { type: "uploadHeld", params },
                actions: [
                  { type: "collectExpiredObjects", params },
                  { type: "retryHeldUpload", params },
                ],
              },
              { actions: { type: "collectExpiredObjects", params } },
            ],
          }
        : {}),
      "chain.InvalidBlobID": { guard: about, target: ".deleted", actions: { type: "markBlobInvalid", params } },
      StoreSliverPairs: [
        // `store_metadata` refuses a blob marked invalid.
        { guard: { type: "blobInvalid", params } },
        {
          // Not registered yet, or (with epochs) the node owns no shard yet, having not processed
          // the epoch the writer writes to: held, as the writer's retries would be, until it can be stored.
          guard: and([
            forBlob,
            { type: "metadataMatchesBlobId", params },
            epochs
              ? or([not({ type: "blobRegistered", params }), "ownsNoShard"])
              : not({ type: "blobRegistered", params }),
          ]),
          actions: { type: "holdUpload", params },
        },
        {
          guard: and([forBlob, { type: "metadataMatchesBlobId", params }, { type: "uploadCompletesStorage", params }]),
          target: ".stored",
          actions: { type: "storeUpload", params },
        },
        {
          guard: and([forBlob, { type: "metadataMatchesBlobId", params }]),
          actions: { type: "storeUpload", params },
        },
      ],
    },
    states: {
      awaitingSlivers: {
        always: [
          // a blob the node held before the model, or whose shard a transfer filled
          { guard: { type: "holdsItsSlivers", params }, target: "stored" },
          {
            // With the challenge, a deleted node puts off healing what it threw away (`challenge.ts`).
            guard: challenge
              ? and([{ type: "recoveryDue", params }, not({ type: "leftUnhealed", params })])
              : { type: "recoveryDue", params },
            target: "recovering",
          },
        ],
      },
      recovering: {
        entry: { type: "requestRecoverySymbols", params },
        // No certified object left (deleted, or collected after it ended): the sync is cancelled.
        always: { guard: { type: "healingCancelled", params }, target: "awaitingSlivers" },
        on: {
          RecoverySymbolResponse: {
            guard: and([forBlob, "fromPeer"]),
            actions: { type: "takeRecoveryResponse", params },
            // Re-enter the current step's choice (paper §4: secondary slivers first, then primary).
            target: ".choosingStep",
          },
        },
        initial: "choosingStep",
        states: {
          choosingStep: {
            always: [
              { guard: { type: "inconsistencyFound", params }, target: `${id}.inconsistencyDetected` },
              { guard: { type: "lacksMetadata", params }, target: "awaitingMetadata" },
              { guard: { type: "lacksSecondarySlivers", params }, target: "recoveringSecondary" },
              { guard: { type: "lacksPrimarySlivers", params }, target: "recoveringPrimary" },
              { target: `${id}.stored` },
            ],
          },
          awaitingMetadata: {},
          recoveringSecondary: {
            always: {
              guard: { type: "symbolsSufficeForSecondary", params },
              target: "choosingStep",
              actions: { type: "recoverSecondarySlivers", params },
            },
          },
          recoveringPrimary: {
            always: {
              guard: { type: "symbolsSufficeForPrimary", params },
              target: "choosingStep",
              actions: { type: "recoverPrimarySlivers", params },
            },
          },
        },
      },
      stored: {
        entry: { type: "forgetSymbols", params },
        always: [
          { guard: { type: "shouldConfirm", params }, actions: { type: "confirmStorage", params } },
          // with epochs, a shard gained since, whose transfer left this blob out
          ...(epochs ? [{ guard: { type: "recoveryDue", params }, target: "recovering" } as const] : []),
        ],
      },
      // Share the proof; once enough attestations are in (this node's own first), ask the chain
      // to invalidate the blob ID.
      inconsistencyDetected: {
        entry: [
          { type: "attestOwnProof", params },
          { type: "shareInconsistencyProof", params },
        ],
        on: {
          // Attestations and the chain's check name the epoch: in a new epoch the node asks the new
          // committee afresh, also after submitting in the old one (the epoch region has made the new
          // committee the node's before this region acts; `InvalidBlobID` moves the blob on).
          ...(epochs
            ? {
                "chain.EpochChangeStart": {
                  target: "inconsistencyDetected",
                  reenter: true,
                  actions: { type: "collectExpiredObjects", params },
                },
              }
            : {}),
          // Once the invalidation went to the chain, further attestations change nothing.
          InvalidBlobAttestation: {
            guard: and([forBlob, "attestationIsValid", not({ type: "invalidationSubmitted", params })]),
            actions: { type: "recordAttestation", params },
          },
        },
        always: { guard: { type: "attestationsSuffice", params }, actions: { type: "invalidateBlobId", params } },
      },
      // Nothing of the blob is kept: its ID is invalid (for good), or no live object registers it (a
      // new registration of the blob ID, a new object, starts again).
      deleted: {
        entry: { type: "deleteBlob", params },
        on: {
          "chain.BlobRegistered": {
            guard: and([about, not({ type: "blobInvalid", params })]),
            target: "awaitingSlivers",
            actions: [
              { type: "forgetRetiredBlob", params },
              { type: "registerBlob", params },
            ],
          },
          // Nothing left to delete: the collection only updates the record (an upload held stays held).
          ...(epochs ? { "chain.EpochChangeStart": { actions: { type: "collectExpiredObjects", params } } } : {}),
        },
      },
    },
  } as const;
}
