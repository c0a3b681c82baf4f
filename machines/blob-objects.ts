/**
 * The contract's storage resources and `Blob` objects: what `reserve_space`, `register_blob`,
 * `certify_blob`, `delete_blob` and `extend_blob` check and change, and the events they emit.
 * Several objects may carry one blob ID (each registration makes a new one), each permanent or
 * deletable, each living in its storage resource's epochs `[start_epoch, end_epoch)`.
 *
 * Follows `contracts/walrus/sources/system/system_state_inner.move`, `blob.move`,
 * `storage_resource.move` and `messages.move`:
 *
 * - a resource is reserved from the current epoch for 1 to `maxEpochsAhead` epochs;
 * - registration needs the current epoch within the resource's epochs and the encoded length
 *   within its size (the blob ID's derivation from the root hash is the caller's check, as in
 *   `chain.ts`);
 * - certification needs a certificate of the current epoch for the object's blob ID, an object not
 *   yet certified and not expired, and, in today's message format, the object's persistence type
 *   and, for a deletable object, its ID (`certify_with_certified_msg`); the format before walrus
 *   PR #1333 names the blob ID alone, so that a certificate signed for one deletable object
 *   certifies any other object of the blob ID (walrus issue #1147);
 * - deletion needs a deletable object, not expired, deleted by its owner; it is certified or not;
 * - extension needs a certified object, not expired, and emits `BlobCertified` with
 *   `is_extension` and the object's first certification epoch;
 * - an object expires when the epoch reaches its end epoch (exclusive); nothing happens on chain
 *   then: nodes see the epoch change and collect it themselves.
 *
 * Refusals carry the contract's abort names, but `ENotOwner` and `ENoStorage`/`ENoBlob`, which
 * stand for Sui's ownership of objects (a call with another's object, or none, cannot be made). The quorum of signatures is the caller's check
 * (`chain.ts`, `isQuorum`). Object IDs are hex text of 32 bytes, numbered in creation order.
 */

import type { ConfirmationFormat } from "../spec/bcs.js";
import type {
  ActorName,
  BlobCertified,
  BlobDeleted,
  BlobIdText,
  BlobRegistered,
  ObjectIdText,
} from "../spec/messages.js";

/** A `Storage` resource: `size` encoded bytes over the epochs `[startEpoch, endEpoch)`. */
export interface StorageResource {
  readonly startEpoch: number;
  readonly endEpoch: number;
  readonly size: number;
}

/** A `Blob` object. */
export interface BlobObject {
  readonly objectId: ObjectIdText;
  readonly owner: ActorName;
  readonly blobId: BlobIdText;
  readonly size: number;
  readonly registeredEpoch: number;
  readonly certifiedEpoch: number | null;
  readonly storage: StorageResource;
  readonly deletable: boolean;
}

/** What the contract holds of blobs: the epoch, unused resources by owner, and the live objects. */
export interface BlobObjects {
  readonly epoch: number;
  /** Objects created so far: the next object's number. */
  readonly created: number;
  readonly storage: readonly (StorageResource & { readonly owner: ActorName })[];
  readonly blobs: readonly BlobObject[];
}

/** The contract's blob events (`system/events.move`), before the chain numbers them in each subscriber's stream. */
export type BlobObjectEvent = Omit<BlobRegistered, "seq"> | Omit<BlobCertified, "seq"> | Omit<BlobDeleted, "seq">;

/** A certificate as the chain reads it: the signed message's fields (its signatures are the caller's check). */
export interface BlobCertificate {
  readonly format: ConfirmationFormat;
  readonly epoch: number;
  readonly blobId: BlobIdText;
  /** Today's format only: how the blob persists, and the object a deletable one names. */
  readonly persistence?:
    | { readonly kind: "permanent" }
    | { readonly kind: "deletable"; readonly objectId: ObjectIdText };
}

/** Why the contract aborts an entry point (its error constants' names). */
export type Abort =
  | "EInvalidEpochsAhead"
  | "EInvalidResourceSize"
  | "ENoStorage"
  | "EResourceBounds"
  | "EResourceSize"
  | "ENoBlob"
  | "ENotOwner"
  | "EInvalidBlobId"
  | "EAlreadyCertified"
  | "EInvalidBlobPersistenceType"
  | "EInvalidBlobObject"
  | "EInvalidIdEpoch"
  | "EBlobNotDeletable"
  | "ENotCertified";

/** An entry point's outcome: the new state and its events, or the abort. */
export type Outcome =
  | { readonly state: BlobObjects; readonly events: readonly BlobObjectEvent[] }
  | { readonly abort: Abort };

/** No resource and no object yet, at `epoch`. */
export const initialBlobObjects = (epoch: number): BlobObjects => ({ epoch, created: 0, storage: [], blobs: [] });

/** The ID of the `n`-th object created: 32 bytes of hex. */
export const objectIdOf = (n: number): ObjectIdText => `0x${n.toString(16).padStart(64, "0")}`;

const ok = (state: BlobObjects, ...events: BlobObjectEvent[]): Outcome => ({ state, events });

/** `reserve_space`: `size` encoded bytes from the current epoch for `epochsAhead` epochs, to `owner`. */
export function reserveSpace(
  state: BlobObjects,
  owner: ActorName,
  size: number,
  epochsAhead: number,
  maxEpochsAhead: number,
): Outcome {
  if (!Number.isInteger(epochsAhead) || epochsAhead <= 0 || epochsAhead > maxEpochsAhead) {
    return { abort: "EInvalidEpochsAhead" };
  }
  if (!Number.isInteger(size) || size <= 0) return { abort: "EInvalidResourceSize" };
  const resource = { owner, startEpoch: state.epoch, endEpoch: state.epoch + epochsAhead, size };
  return ok({ ...state, storage: [...state.storage, resource] });
}

/**
 * `register_blob`: a new object of `blobId` in `owner`'s resource number `resource` (which it
 * uses up), whose blob needs `encodedLength` bytes.
 */
export function registerBlob(
  state: BlobObjects,
  owner: ActorName,
  resource: number,
  blob: { readonly blobId: BlobIdText; readonly size: number; readonly encodedLength: number },
  deletable: boolean,
): Outcome {
  const storage = state.storage[resource];
  if (storage === undefined || storage.owner !== owner) return { abort: "ENoStorage" };
  if (state.epoch < storage.startEpoch || state.epoch >= storage.endEpoch) return { abort: "EResourceBounds" };
  if (blob.encodedLength > storage.size) return { abort: "EResourceSize" };
  const objectId = objectIdOf(state.created);
  const { startEpoch, endEpoch, size } = storage;
  const object: BlobObject = {
    objectId,
    owner,
    blobId: blob.blobId,
    size: blob.size,
    registeredEpoch: state.epoch,
    certifiedEpoch: null,
    storage: { startEpoch, endEpoch, size },
    deletable,
  };
  return ok(
    {
      ...state,
      created: state.created + 1,
      storage: state.storage.filter((_, i) => i !== resource),
      blobs: [...state.blobs, object],
    },
    { type: "BlobRegistered", epoch: state.epoch, blobId: blob.blobId, size: blob.size, endEpoch, deletable, objectId },
  );
}

/** `certify_blob`: the object `objectId` certified by `certificate` (whose quorum the caller checked). */
export function certifyBlob(state: BlobObjects, objectId: ObjectIdText, certificate: BlobCertificate): Outcome {
  const object = state.blobs.find((blob) => blob.objectId === objectId);
  if (object === undefined) return { abort: "ENoBlob" };
  // `system_state_inner::certify_blob`: a certificate of the current epoch only.
  if (certificate.epoch !== state.epoch) return { abort: "EInvalidIdEpoch" };
  // `blob::certify_with_certified_msg`, in its order.
  if (object.blobId !== certificate.blobId) return { abort: "EInvalidBlobId" };
  if (object.certifiedEpoch !== null) return { abort: "EAlreadyCertified" };
  if (state.epoch >= object.storage.endEpoch) return { abort: "EResourceBounds" };
  if (certificate.format === "current") {
    const persistence = certificate.persistence;
    if (persistence === undefined || (persistence.kind === "deletable") !== object.deletable) {
      return { abort: "EInvalidBlobPersistenceType" };
    }
    if (persistence.kind === "deletable" && persistence.objectId !== object.objectId) {
      return { abort: "EInvalidBlobObject" };
    }
  }
  const certified = { ...object, certifiedEpoch: state.epoch };
  return ok(
    { ...state, blobs: state.blobs.map((blob) => (blob.objectId === objectId ? certified : blob)) },
    certifiedEvent(certified, false),
  );
}

function certifiedEvent(object: BlobObject, isExtension: boolean): BlobObjectEvent {
  return {
    type: "BlobCertified",
    // The first certification's epoch, an extension's too (`blob::emit_certified`).
    epoch: object.certifiedEpoch as number,
    blobId: object.blobId,
    endEpoch: object.storage.endEpoch,
    deletable: object.deletable,
    objectId: object.objectId,
    isExtension,
  };
}

/** `delete_blob`: `caller` deletes its deletable object before it expires (the resource is returned to it). */
export function deleteBlob(state: BlobObjects, caller: ActorName, objectId: ObjectIdText): Outcome {
  const object = state.blobs.find((blob) => blob.objectId === objectId);
  if (object === undefined) return { abort: "ENoBlob" };
  if (object.owner !== caller) return { abort: "ENotOwner" };
  if (!object.deletable) return { abort: "EBlobNotDeletable" };
  if (object.storage.endEpoch <= state.epoch) return { abort: "EResourceBounds" };
  return ok(
    {
      ...state,
      storage: [...state.storage, { owner: caller, ...object.storage }],
      blobs: state.blobs.filter((blob) => blob.objectId !== objectId),
    },
    {
      type: "BlobDeleted",
      epoch: state.epoch,
      blobId: object.blobId,
      endEpoch: object.storage.endEpoch,
      objectId,
      wasCertified: object.certifiedEpoch !== null,
    },
  );
}

/**
 * `extend_blob`: a certified object that has not expired lives `epochs` epochs longer, within
 * `maxEpochsAhead` of the current epoch (payment is not modelled).
 */
export function extendBlob(
  state: BlobObjects,
  objectId: ObjectIdText,
  epochs: number,
  maxEpochsAhead: number,
): Outcome {
  const object = state.blobs.find((blob) => blob.objectId === objectId);
  if (object === undefined) return { abort: "ENoBlob" };
  // `assert_certified_not_expired`
  if (object.certifiedEpoch === null) return { abort: "ENotCertified" };
  if (state.epoch >= object.storage.endEpoch) return { abort: "EResourceBounds" };
  const endEpoch = object.storage.endEpoch + epochs;
  if (!Number.isInteger(epochs) || epochs <= 0 || endEpoch - state.epoch > maxEpochsAhead) {
    return { abort: "EInvalidEpochsAhead" };
  }
  const extended = { ...object, storage: { ...object.storage, endEpoch } };
  return ok(
    { ...state, blobs: state.blobs.map((blob) => (blob.objectId === objectId ? extended : blob)) },
    certifiedEvent(extended, true),
  );
}

/** The next epoch. Objects past their end stay until their owner burns them; nothing is emitted. */
export const nextEpoch = (state: BlobObjects): BlobObjects => ({ ...state, epoch: state.epoch + 1 });

/** Whether an object is live at the state's epoch: not expired (deleted objects are gone). */
export const isLive = (state: BlobObjects, object: BlobObject): boolean => state.epoch < object.storage.endEpoch;
