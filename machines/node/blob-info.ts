/**
 * What a storage node knows of one blob ID from the chain's blob events: the aggregate over every
 * `Blob` object of that blob ID (`BlobInfo`) and one entry per object (`PerObjectBlobInfo`), updated
 * event by event in chain order, and the questions the node asks of them — is the blob ID
 * registered at an epoch (store its metadata and slivers, confirm), is it certified (heal it), may
 * its data be deleted (garbage collection).
 *
 * Follows `crates/walrus-service/src/node/storage/blob_info/` (`blob_info_v1.rs`,
 * `perm_blob_info.rs`; the storage pools of V2 are not modelled), `node/blob_event_processor.rs`
 * and `node/garbage_collector.rs`:
 *
 * - the aggregate counts registered and certified deletable objects, and keeps the permanent ones
 *   as a count with the latest end epoch; for deletable objects it keeps the latest end epoch seen,
 *   lowered only when their count falls to zero. So between two garbage collections it can answer
 *   "registered" for an epoch at which no deletable object is (the implementation says so); right
 *   after the collection of an epoch it is exact at that epoch (test/blob-lifecycle.test.ts);
 * - `BlobDeleted` removes the object's entry and takes it out of the counts;
 * - at each epoch's start the garbage collection takes every object whose `end_epoch` (exclusive)
 *   has come out of the counts and the table (`process_expired_blob_objects`);
 * - `InvalidBlobID` makes the aggregate invalid for good: nothing changes it afterwards;
 * - the data may be deleted once the blob ID is not registered (no live object at all), not merely
 *   once it is not certified.
 *
 * Everything here is plain data (contexts of machines are compared as JSON): object IDs are their
 * hex text.
 */

import type { BlobCertified, BlobDeleted, BlobRegistered, InvalidBlobID, ObjectIdText } from "../../spec/messages.js";

export type { ObjectIdText };

/** The permanent objects of a blob ID, as the aggregate keeps them: how many, and the latest end epoch. */
export interface PermanentBlobInfo {
  readonly count: number;
  readonly endEpoch: number;
}

/** The aggregate of a blob ID that is not invalid (`ValidBlobInfoV1`). */
export interface ValidBlobInfo {
  readonly status: "valid";
  readonly isMetadataStored: boolean;
  readonly countDeletableTotal: number;
  readonly countDeletableCertified: number;
  readonly permanentTotal: PermanentBlobInfo | null;
  readonly permanentCertified: PermanentBlobInfo | null;
  /** The epoch of the first certification still counted (null: none is). */
  readonly initialCertifiedEpoch: number | null;
  readonly latestSeenDeletableRegisteredEndEpoch: number | null;
  readonly latestSeenDeletableCertifiedEndEpoch: number | null;
}

/** The aggregate of a blob ID: valid, or invalid since `epoch` (for good). */
export type BlobInfo = ValidBlobInfo | { readonly status: "invalid"; readonly epoch: number };

/** One `Blob` object as the node knows it (`PerObjectBlobInfoV1`; a deleted object has no entry). */
export interface PerObjectBlobInfo {
  readonly objectId: ObjectIdText;
  readonly registeredEpoch: number;
  readonly certifiedEpoch: number | null;
  /** Exclusive: the object is live at epochs below it. */
  readonly endEpoch: number;
  readonly deletable: boolean;
}

/** What a node keeps of one blob ID: the aggregate (none before its first event) and its objects, by ID. */
export interface BlobRecord {
  readonly info: BlobInfo | null;
  readonly objects: readonly PerObjectBlobInfo[];
}

/** What a confirmation is signed for (`BlobPersistenceType`): a permanent blob, or a deletable object. */
export type Persistence =
  | { readonly kind: "permanent" }
  | { readonly kind: "deletable"; readonly objectId: ObjectIdText };

/** The persistence type of a confirmation asked for a deletable object's ID, or (null) for a permanent blob. */
export const persistenceOf = (object: ObjectIdText | null): Persistence =>
  object === null ? { kind: "permanent" } : { kind: "deletable", objectId: object };

/** A blob ID the node has heard nothing of. */
export const NO_RECORD: BlobRecord = { info: null, objects: [] };

/** The fields of the chain's blob events the node reads (`system/events.move`, spec/messages.ts). */
export type BlobEvent =
  | Pick<BlobRegistered, "type" | "epoch" | "endEpoch" | "deletable" | "objectId">
  | Pick<BlobCertified, "type" | "epoch" | "endEpoch" | "deletable" | "objectId" | "isExtension">
  | Pick<BlobDeleted, "type" | "epoch" | "endEpoch" | "objectId" | "wasCertified">
  | Pick<InvalidBlobID, "type" | "epoch">;

/** A change of the aggregate (`BlobStatusChangeType`), for a deletable or a permanent object. */
type Change =
  | {
      readonly kind: "register" | "certify" | "extend";
      readonly deletable: boolean;
      readonly epoch: number;
      readonly endEpoch: number;
    }
  | { readonly kind: "delete" | "expire"; readonly deletable: boolean; readonly wasCertified: boolean };

const EMPTY: ValidBlobInfo = {
  status: "valid",
  isMetadataStored: false,
  countDeletableTotal: 0,
  countDeletableCertified: 0,
  permanentTotal: null,
  permanentCertified: null,
  initialCertifiedEpoch: null,
  latestSeenDeletableRegisteredEndEpoch: null,
  latestSeenDeletableCertifiedEndEpoch: null,
};

const later = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));

/** One more permanent object ending at `endEpoch` (`PermanentBlobInfo::register`). */
const addPermanent = (part: PermanentBlobInfo | null, endEpoch: number): PermanentBlobInfo =>
  part === null ? { count: 1, endEpoch } : { count: part.count + 1, endEpoch: Math.max(part.endEpoch, endEpoch) };

/** One permanent object fewer; the end epoch stays (`PermanentBlobInfo::decrement`). */
const removePermanent = (part: PermanentBlobInfo | null): PermanentBlobInfo | null =>
  part === null || part.count <= 1 ? null : { count: part.count - 1, endEpoch: part.endEpoch };

/** Whether the permanent objects, or `deletables` counted deletable ones ending at `latestEnd` at the latest, reach past `epoch`. */
const reaches = (permanent: PermanentBlobInfo | null, deletables: number, latestEnd: number | null, epoch: number) =>
  (permanent !== null && permanent.endEpoch > epoch) || (deletables > 0 && latestEnd !== null && latestEnd > epoch);

/** Whether the aggregate counts a certified object at `epoch` (`is_certified`). */
function certifiedAt(info: ValidBlobInfo, epoch: number): boolean {
  if (info.initialCertifiedEpoch === null || info.initialCertifiedEpoch > epoch) return false;
  return reaches(
    info.permanentCertified,
    info.countDeletableCertified,
    info.latestSeenDeletableCertifiedEndEpoch,
    epoch,
  );
}

/** Takes a deletable object out of the counts (a deletion or an expiry); a count at 0 forgets its end epoch. */
function withoutDeletable(info: ValidBlobInfo, wasCertified: boolean): ValidBlobInfo {
  const total = Math.max(0, info.countDeletableTotal - 1);
  const certified = wasCertified ? Math.max(0, info.countDeletableCertified - 1) : info.countDeletableCertified;
  return {
    ...info,
    countDeletableTotal: total,
    countDeletableCertified: certified,
    latestSeenDeletableRegisteredEndEpoch: total === 0 ? null : info.latestSeenDeletableRegisteredEndEpoch,
    latestSeenDeletableCertifiedEndEpoch: certified === 0 ? null : info.latestSeenDeletableCertifiedEndEpoch,
  };
}

/** With no certified object counted any more, no initial certification epoch (`maybe_unset_initial_certified_epoch`). */
const unsetInitialIfNone = (info: ValidBlobInfo): ValidBlobInfo =>
  info.countDeletableCertified === 0 && info.permanentCertified === null
    ? { ...info, initialCertifiedEpoch: null }
    : info;

/**
 * The aggregate after `change` (`ValidBlobInfoV1::update_status`). Changes the implementation
 * refuses (it logs them and goes on) leave it as it is: a certification with nothing left to
 * certify, a deletion of a permanent object.
 */
function updateStatus(info: ValidBlobInfo, change: Change): ValidBlobInfo {
  switch (change.kind) {
    case "register":
      return change.deletable
        ? {
            ...info,
            countDeletableTotal: info.countDeletableTotal + 1,
            latestSeenDeletableRegisteredEndEpoch: later(info.latestSeenDeletableRegisteredEndEpoch, change.endEpoch),
          }
        : { ...info, permanentTotal: addPermanent(info.permanentTotal, change.endEpoch) };
    case "certify": {
      const wasCertified = certifiedAt(info, change.epoch);
      let next: ValidBlobInfo;
      if (change.deletable) {
        if (info.countDeletableTotal <= info.countDeletableCertified) return info;
        next = {
          ...info,
          countDeletableCertified: info.countDeletableCertified + 1,
          latestSeenDeletableCertifiedEndEpoch: later(info.latestSeenDeletableCertifiedEndEpoch, change.endEpoch),
        };
      } else {
        const total = info.permanentTotal;
        const certified = info.permanentCertified;
        if (total === null || change.endEpoch > total.endEpoch || (certified?.count ?? 0) >= total.count) return info;
        next = { ...info, permanentCertified: addPermanent(certified, change.endEpoch) };
      }
      // The first certification counted, or an earlier one (`update_initial_certified_epoch`).
      const initial = next.initialCertifiedEpoch;
      return {
        ...next,
        initialCertifiedEpoch: !wasCertified || initial === null ? change.epoch : Math.min(initial, change.epoch),
      };
    }
    case "extend":
      if (change.deletable) {
        return {
          ...info,
          latestSeenDeletableRegisteredEndEpoch: later(info.latestSeenDeletableRegisteredEndEpoch, change.endEpoch),
          latestSeenDeletableCertifiedEndEpoch: later(info.latestSeenDeletableCertifiedEndEpoch, change.endEpoch),
        };
      }
      return {
        ...info,
        permanentTotal:
          info.permanentTotal === null
            ? null
            : { ...info.permanentTotal, endEpoch: Math.max(info.permanentTotal.endEpoch, change.endEpoch) },
        permanentCertified:
          info.permanentCertified === null
            ? null
            : { ...info.permanentCertified, endEpoch: Math.max(info.permanentCertified.endEpoch, change.endEpoch) },
      };
    case "delete":
      // Permanent objects cannot be deleted: the implementation refuses the change.
      return change.deletable ? unsetInitialIfNone(withoutDeletable(info, change.wasCertified)) : info;
    case "expire":
      return unsetInitialIfNone(
        change.deletable
          ? withoutDeletable(info, change.wasCertified)
          : {
              ...info,
              permanentTotal: removePermanent(info.permanentTotal),
              permanentCertified: change.wasCertified
                ? removePermanent(info.permanentCertified)
                : info.permanentCertified,
            },
      );
  }
}

/** The aggregate after `change`, or the first one (`merge_new`: only a registration starts one). */
function merged(info: BlobInfo | null, change: Change): BlobInfo | null {
  if (info === null) return change.kind === "register" ? updateStatus(EMPTY, change) : null;
  return info.status === "invalid" ? info : updateStatus(info, change);
}

/**
 * The record after one of the chain's blob events, in chain order (`update_blob_info`): the
 * aggregate's change and the object's entry.
 */
export function applyBlobEvent(record: BlobRecord, event: BlobEvent): BlobRecord {
  switch (event.type) {
    case "InvalidBlobID":
      return { ...record, info: { status: "invalid", epoch: event.epoch } };
    case "BlobRegistered": {
      const change = {
        kind: "register",
        deletable: event.deletable,
        epoch: event.epoch,
        endEpoch: event.endEpoch,
      } as const;
      const entry: PerObjectBlobInfo = {
        objectId: event.objectId,
        registeredEpoch: event.epoch,
        certifiedEpoch: null,
        endEpoch: event.endEpoch,
        deletable: event.deletable,
      };
      return { info: merged(record.info, change), objects: withEntry(record.objects, entry) };
    }
    case "BlobCertified": {
      const kind = event.isExtension ? "extend" : "certify";
      const change = { kind, deletable: event.deletable, epoch: event.epoch, endEpoch: event.endEpoch } as const;
      const objects = record.objects.map((object) =>
        object.objectId !== event.objectId
          ? object
          : event.isExtension
            ? { ...object, endEpoch: event.endEpoch }
            : { ...object, certifiedEpoch: event.epoch },
      );
      return { info: merged(record.info, change), objects };
    }
    case "BlobDeleted": {
      const change = { kind: "delete", deletable: true, wasCertified: event.wasCertified } as const;
      return {
        info: merged(record.info, change),
        objects: record.objects.filter((object) => object.objectId !== event.objectId),
      };
    }
  }
}

/** The objects with `entry` in its place, sorted by ID (the same record whatever the order of arrival). */
function withEntry(objects: readonly PerObjectBlobInfo[], entry: PerObjectBlobInfo): PerObjectBlobInfo[] {
  return [...objects.filter((object) => object.objectId !== entry.objectId), entry].sort((a, b) =>
    a.objectId < b.objectId ? -1 : a.objectId > b.objectId ? 1 : 0,
  );
}

/**
 * The garbage collection's first phase at the start of `epoch` (`process_expired_blob_objects`):
 * each object whose end epoch has come leaves the table and the counts.
 */
export function processExpiredBlobObjects(record: BlobRecord, epoch: number): BlobRecord {
  if (record.objects.every((object) => object.endEpoch > epoch)) return record;
  let info = record.info;
  for (const object of record.objects) {
    if (object.endEpoch > epoch) continue;
    const change = {
      kind: "expire",
      deletable: object.deletable,
      wasCertified: object.certifiedEpoch !== null,
    } as const;
    info = merged(info, change);
  }
  return { info, objects: record.objects.filter((object) => object.endEpoch > epoch) };
}

/**
 * What a node knows of a blob ID on chain, in short, from the objects its record counts:
 * `invalid` once the blob ID is, `certified` while a certified object is counted, `registered`
 * while a registered one is, `retired` once none is (deleted, or collected after it ended), and
 * `awaitingRegistration` before any. The counts lose an ended object at the garbage collection of
 * the epoch it ends in, so between two epochs they say what the live objects do.
 */
export type ChainStatus = "awaitingRegistration" | "registered" | "certified" | "retired" | "invalid";

/** The record's {@link ChainStatus}. */
export function statusOf(record: BlobRecord): ChainStatus {
  const info = record.info;
  if (info === null) return "awaitingRegistration";
  if (info.status === "invalid") return "invalid";
  if (info.countDeletableCertified > 0 || info.permanentCertified !== null) return "certified";
  return info.countDeletableTotal > 0 || info.permanentTotal !== null ? "registered" : "retired";
}

/** The epoch of the first certification still counted (`initial_certified_epoch`), if any. */
export function certifiedEpochOf(record: BlobRecord): number | null {
  const info = record.info;
  return info === null || info.status === "invalid" ? null : info.initialCertifiedEpoch;
}

/** Whether the blob ID counts as registered at `epoch` (`is_registered`): the node stores and confirms. */
export function isRegistered(record: BlobRecord, epoch: number): boolean {
  const info = record.info;
  if (info === null || info.status === "invalid") return false;
  return reaches(info.permanentTotal, info.countDeletableTotal, info.latestSeenDeletableRegisteredEndEpoch, epoch);
}

/** Whether the blob ID counts as certified at `epoch` (`is_certified`): the node heals it. */
export function isCertified(record: BlobRecord, epoch: number): boolean {
  const info = record.info;
  return info !== null && info.status === "valid" && certifiedAt(info, epoch);
}

/** Whether the node may delete the blob's data at `epoch` (`can_data_be_deleted`): nothing registered is left. */
export function canDataBeDeleted(record: BlobRecord, epoch: number): boolean {
  return !isRegistered(record, epoch);
}

/**
 * Whether the node signs a confirmation of `persistence` at `epoch` (`compute_storage_confirmation`,
 * before its storage check): the blob ID is registered, and a deletable object's own entry is live.
 * The implementation does not check that the object is of this blob ID (the contract does); here
 * a record holds its blob ID's objects only.
 */
export function mayConfirm(record: BlobRecord, persistence: Persistence, epoch: number): boolean {
  if (!isRegistered(record, epoch)) return false;
  if (persistence.kind === "permanent") return true;
  return record.objects.some((object) => object.objectId === persistence.objectId && object.endEpoch > epoch);
}
