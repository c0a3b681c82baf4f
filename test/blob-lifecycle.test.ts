/**
 * The blob lifecycle's two halves, as plain functions: the contract's resources and `Blob` objects
 * (machines/blob-objects.ts) and what a node aggregates of their events (machines/node/blob-info.ts).
 * The contract's checks one by one, with the replay of walrus issue #1147 accepted by the old
 * certificate format and refused by today's; the aggregate's rules on small histories; and, over
 * random histories the contract allows, the aggregate after each epoch's garbage collection equal
 * to what the live objects say.
 */

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  type BlobCertificate,
  type BlobObjects,
  type Outcome,
  certifyBlob,
  deleteBlob,
  extendBlob,
  initialBlobObjects,
  isLive,
  nextEpoch,
  objectIdOf,
  registerBlob,
  reserveSpace,
} from "../machines/blob-objects.js";
import {
  type BlobRecord,
  NO_RECORD,
  applyBlobEvent,
  canDataBeDeleted,
  isCertified,
  isRegistered,
  mayConfirm,
  processExpiredBlobObjects,
} from "../machines/node/blob-info.js";

const BLOB = "blob-A";
const blob = { blobId: BLOB, size: 100, encodedLength: 1_000 };
const MAX_AHEAD = 5;

/** An outcome that must not abort. */
function done(outcome: Outcome): Extract<Outcome, { state: BlobObjects }> {
  if ("abort" in outcome) throw new Error(`aborted: ${outcome.abort}`);
  return outcome;
}
const stateOf = (outcome: Outcome) => done(outcome).state;
const abortOf = (outcome: Outcome) => ("abort" in outcome ? outcome.abort : "none");

/** `owner` reserves `epochs` epochs of space and registers the blob in it. */
function stored(state: BlobObjects, owner: string, deletable: boolean, epochs = 2): BlobObjects {
  const reserved = stateOf(reserveSpace(state, owner, 1_000, epochs, MAX_AHEAD));
  return stateOf(registerBlob(reserved, owner, reserved.storage.length - 1, blob, deletable));
}
const certificate = (state: BlobObjects, persistence: BlobCertificate["persistence"]): BlobCertificate => ({
  format: "current",
  epoch: state.epoch,
  blobId: BLOB,
  ...(persistence === undefined ? {} : { persistence }),
});

describe("the contract's Blob objects", () => {
  it("registers in a resource of the current epoch that is large enough, and uses the resource up", () => {
    const reserved = stateOf(reserveSpace(initialBlobObjects(1), "owner", 999, 2, MAX_AHEAD));
    expect(abortOf(registerBlob(reserved, "owner", 0, blob, false))).toBe("EResourceSize");
    expect(abortOf(registerBlob(reserved, "thief", 0, { ...blob, encodedLength: 10 }, false))).toBe("ENoStorage");
    expect(
      abortOf(registerBlob(nextEpoch(nextEpoch(reserved)), "owner", 0, { ...blob, encodedLength: 10 }, false)),
    ).toBe("EResourceBounds");
    const registered = done(registerBlob(reserved, "owner", 0, { ...blob, encodedLength: 999 }, true));
    expect(registered.state.storage).toEqual([]);
    expect(registered.events).toEqual([
      {
        type: "BlobRegistered",
        epoch: 1,
        blobId: BLOB,
        size: 100,
        endEpoch: 3,
        deletable: true,
        objectId: objectIdOf(0),
      },
    ]);
    expect([0, MAX_AHEAD + 1, 1.5].map((k) => abortOf(reserveSpace(reserved, "owner", 10, k, MAX_AHEAD)))).toEqual([
      "EInvalidEpochsAhead",
      "EInvalidEpochsAhead",
      "EInvalidEpochsAhead",
    ]);
  });

  it("certifies with a certificate of the current epoch, for the object's blob ID, persistence type and object", () => {
    const state = stored(stored(initialBlobObjects(1), "owner", true), "owner", false);
    const [deletable, permanent] = [objectIdOf(0), objectIdOf(1)];
    const refusals = [
      [deletable, { ...certificate(state, { kind: "deletable", objectId: deletable }), epoch: 2 }],
      [deletable, { ...certificate(state, { kind: "deletable", objectId: deletable }), blobId: "blob-B" }],
      [deletable, certificate(state, { kind: "permanent" })],
      [permanent, certificate(state, { kind: "deletable", objectId: permanent })],
      [deletable, certificate(state, { kind: "deletable", objectId: permanent })],
      [objectIdOf(7), certificate(state, { kind: "permanent" })],
    ] as const;
    expect(refusals.map(([object, cert]) => abortOf(certifyBlob(state, object, cert)))).toEqual([
      "EInvalidIdEpoch",
      "EInvalidBlobId",
      "EInvalidBlobPersistenceType",
      "EInvalidBlobPersistenceType",
      "EInvalidBlobObject",
      "ENoBlob",
    ]);
    const certified = done(
      certifyBlob(state, deletable, certificate(state, { kind: "deletable", objectId: deletable })),
    );
    expect(certified.events).toEqual([
      {
        type: "BlobCertified",
        epoch: 1,
        blobId: BLOB,
        endEpoch: 3,
        deletable: true,
        objectId: deletable,
        isExtension: false,
      },
    ]);
    expect(
      abortOf(certifyBlob(certified.state, deletable, certificate(state, { kind: "deletable", objectId: deletable }))),
    ).toBe("EAlreadyCertified");
    // Expired: the end epoch (exclusive) reached.
    const late = nextEpoch(nextEpoch(state));
    expect(abortOf(certifyBlob(late, permanent, certificate(late, { kind: "permanent" })))).toBe("EResourceBounds");
  });

  it("walrus issue #1147: an old certificate of a deleted deletable object certifies a new object of the blob ID; today's format refuses it", () => {
    // Register a deletable object, collect its certificate, delete the object, register again.
    const first = stored(initialBlobObjects(1), "owner", true);
    const signedFor = objectIdOf(0);
    const certifiedOnce = stateOf(
      certifyBlob(first, signedFor, certificate(first, { kind: "deletable", objectId: signedFor })),
    );
    const deleted = done(deleteBlob(certifiedOnce, "owner", signedFor));
    expect(deleted.events).toEqual([
      { type: "BlobDeleted", epoch: 1, blobId: BLOB, endEpoch: 3, objectId: signedFor, wasCertified: true },
    ]);
    const again = stateOf(registerBlob(deleted.state, "owner", 0, blob, true));
    const replayed = objectIdOf(1);
    const old: BlobCertificate = { format: "pre-1147", epoch: 1, blobId: BLOB };
    expect(abortOf(certifyBlob(again, replayed, old))).toBe("none");
    expect(abortOf(certifyBlob(again, replayed, certificate(again, { kind: "deletable", objectId: signedFor })))).toBe(
      "EInvalidBlobObject",
    );
  });

  it("deletes only its owner's deletable objects before they expire, certified or not", () => {
    const state = stored(stored(initialBlobObjects(1), "owner", true), "owner", false);
    expect(abortOf(deleteBlob(state, "other", objectIdOf(0)))).toBe("ENotOwner");
    expect(abortOf(deleteBlob(state, "owner", objectIdOf(1)))).toBe("EBlobNotDeletable");
    expect(abortOf(deleteBlob(nextEpoch(nextEpoch(state)), "owner", objectIdOf(0)))).toBe("EResourceBounds");
    const deleted = stateOf(deleteBlob(state, "owner", objectIdOf(0)));
    expect(deleted.blobs.map((b) => b.objectId)).toEqual([objectIdOf(1)]);
    // The resource comes back to its owner.
    expect(deleted.storage).toEqual([{ owner: "owner", startEpoch: 1, endEpoch: 3, size: 1_000 }]);
  });

  it("extends only a certified object that has not expired; the event names its first certification epoch", () => {
    const state = stored(initialBlobObjects(1), "owner", false);
    expect(abortOf(extendBlob(state, objectIdOf(0), 1, MAX_AHEAD))).toBe("ENotCertified");
    const certified = nextEpoch(stateOf(certifyBlob(state, objectIdOf(0), certificate(state, { kind: "permanent" }))));
    expect(abortOf(extendBlob(certified, objectIdOf(0), MAX_AHEAD, MAX_AHEAD))).toBe("EInvalidEpochsAhead");
    const extended = done(extendBlob(certified, objectIdOf(0), 2, MAX_AHEAD));
    expect(extended.events).toEqual([
      {
        type: "BlobCertified",
        epoch: 1,
        blobId: BLOB,
        endEpoch: 5,
        deletable: false,
        objectId: objectIdOf(0),
        isExtension: true,
      },
    ]);
    const expired = nextEpoch(certified);
    expect(abortOf(extendBlob(expired, objectIdOf(0), 1, MAX_AHEAD))).toBe("EResourceBounds");
  });
});

describe("what a node aggregates of a blob ID's objects", () => {
  const registered = (objectId: string, deletable: boolean, endEpoch: number, epoch = 1) =>
    ({ type: "BlobRegistered", epoch, endEpoch, deletable, objectId }) as const;
  const certified = (objectId: string, deletable: boolean, endEpoch: number, epoch = 1, isExtension = false) =>
    ({ type: "BlobCertified", epoch, endEpoch, deletable, objectId, isExtension }) as const;
  const deleted = (objectId: string, endEpoch: number, wasCertified: boolean) =>
    ({ type: "BlobDeleted", epoch: 1, endEpoch, objectId, wasCertified }) as const;
  const history = (...events: Parameters<typeof applyBlobEvent>[1][]) => events.reduce(applyBlobEvent, NO_RECORD);

  it("deleting a deletable object leaves the blob certified while a permanent one covers it", () => {
    const record = history(
      registered("P", false, 4),
      certified("P", false, 4),
      registered("D", true, 6),
      certified("D", true, 6),
      { type: "BlobDeleted", epoch: 1, endEpoch: 6, objectId: "D", wasCertified: true },
    );
    expect([isRegistered(record, 1), isCertified(record, 1), isCertified(record, 4)]).toEqual([true, true, false]);
    expect(record.objects.map((o) => o.objectId)).toEqual(["P"]);
    // A deletion names a deletable object (the contract deletes no other): the aggregate takes it as
    // one, and with no deletable object counted, its counts stay at zero.
    expect(
      applyBlobEvent(record, { type: "BlobDeleted", epoch: 1, endEpoch: 4, objectId: "P", wasCertified: true }).info,
    ).toEqual({ ...record.info });
  });

  it("the garbage collection of an epoch takes the expired objects out: the data may go once nothing is registered", () => {
    let record = history(registered("P", false, 3), certified("P", false, 3), registered("D", true, 2));
    expect([isRegistered(record, 2), canDataBeDeleted(record, 2)]).toEqual([true, false]);
    record = processExpiredBlobObjects(record, 2);
    expect(record.objects.map((o) => o.objectId)).toEqual(["P"]);
    expect([isCertified(record, 2), canDataBeDeleted(record, 2)]).toEqual([true, false]);
    record = processExpiredBlobObjects(record, 3);
    expect([record.objects, isRegistered(record, 3), canDataBeDeleted(record, 3)]).toEqual([[], false, true]);
    expect(record.info).toMatchObject({ permanentTotal: null, permanentCertified: null, initialCertifiedEpoch: null });
  });

  it("between two collections it may still say registered (the implementation's approximation), and after one it does not", () => {
    // D1 ends at 5 and is deleted; D2 ends at 3. The latest end epoch seen stays 5 while one
    // deletable object is counted.
    let record = history(registered("D1", true, 5), registered("D2", true, 3), deleted("D1", 5, false));
    expect(isRegistered(record, 3)).toBe(true);
    record = processExpiredBlobObjects(record, 3);
    expect(isRegistered(record, 3)).toBe(false);
  });

  it("an extension moves the end epoch; the invalid status is for good", () => {
    let record = history(registered("P", false, 3), certified("P", false, 3), certified("P", false, 5, 1, true));
    expect([isCertified(record, 4), record.objects[0].endEpoch]).toEqual([true, 5]);
    record = applyBlobEvent(record, { type: "InvalidBlobID", epoch: 2 });
    record = applyBlobEvent(record, registered("Q", false, 9, 2));
    expect([record.info, isRegistered(record, 2), isCertified(record, 2)]).toEqual([
      { status: "invalid", epoch: 2 },
      false,
      false,
    ]);
  });

  it("confirms a deletable object only while its own entry is live; a certification before any registration is ignored", () => {
    const record = history(registered("D", true, 3), registered("E", true, 3), deleted("D", 3, false));
    expect(
      [{ kind: "deletable", objectId: "D" }, { kind: "deletable", objectId: "E" }, { kind: "permanent" }].map((p) =>
        mayConfirm(record, p as never, 1),
      ),
    ).toEqual([false, true, true]);
    expect(mayConfirm(record, { kind: "deletable", objectId: "E" }, 3)).toBe(false);
    expect(applyBlobEvent(NO_RECORD, certified("D", true, 3))).toEqual(NO_RECORD);
  });
});

/** A step of a random history: an owner's call, or the next epoch. */
const step = fc.oneof(
  fc.record({ kind: fc.constant("store" as const), deletable: fc.boolean(), epochs: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("certify" as const), object: fc.nat(7) }),
  fc.record({ kind: fc.constant("delete" as const), object: fc.nat(7) }),
  fc.record({ kind: fc.constant("extend" as const), object: fc.nat(7), epochs: fc.integer({ min: 1, max: 2 }) }),
  fc.constant({ kind: "epoch" as const }),
);

describe("over random histories the contract allows", () => {
  test.prop([fc.array(step, { maxLength: 40 })], { numRuns: 300 })(
    "after each epoch's garbage collection the aggregate says what the live objects say",
    (steps) => {
      let chain = initialBlobObjects(1);
      let record: BlobRecord = NO_RECORD;
      for (const s of steps) {
        let outcome: Outcome | undefined;
        if (s.kind === "epoch") {
          chain = nextEpoch(chain);
          record = processExpiredBlobObjects(record, chain.epoch);
        } else if (s.kind === "store") {
          const reserved = reserveSpace(chain, "owner", 1_000, s.epochs, MAX_AHEAD);
          if ("state" in reserved)
            outcome = registerBlob(reserved.state, "owner", reserved.state.storage.length - 1, blob, s.deletable);
        } else {
          const object = chain.blobs[s.object % Math.max(1, chain.blobs.length)];
          if (object !== undefined) {
            const persistence = object.deletable
              ? ({ kind: "deletable", objectId: object.objectId } as const)
              : ({ kind: "permanent" } as const);
            outcome =
              s.kind === "certify"
                ? certifyBlob(chain, object.objectId, certificate(chain, persistence))
                : s.kind === "delete"
                  ? deleteBlob(chain, "owner", object.objectId)
                  : extendBlob(chain, object.objectId, s.epochs, MAX_AHEAD);
          }
        }
        if (outcome !== undefined && "state" in outcome) {
          chain = outcome.state;
          record = outcome.events.reduce(applyBlobEvent, record);
        }
        const live = chain.blobs.filter((object) => isLive(chain, object));
        const e = chain.epoch;
        expect(isRegistered(record, e)).toBe(live.length > 0);
        expect(isCertified(record, e)).toBe(live.some((object) => object.certifiedEpoch !== null));
        expect(canDataBeDeleted(record, e)).toBe(live.length === 0);
        for (const object of chain.blobs.filter((o) => o.deletable)) {
          expect(mayConfirm(record, { kind: "deletable", objectId: object.objectId }, e)).toBe(isLive(chain, object));
        }
        // The node's table holds exactly the live objects, as the contract has them.
        expect(record.objects.map((o) => [o.objectId, o.endEpoch, o.certifiedEpoch, o.deletable])).toEqual(
          live.map((o) => [o.objectId, o.storage.endEpoch, o.certifiedEpoch, o.deletable]),
        );
      }
    },
  );
});
