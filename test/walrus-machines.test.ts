/**
 * The Walrus machines one transition at a time, with xstate's own `initialTransition()` and
 * `transition()`: what each role sends, which guards let a message through, and that malformed or
 * invalid input changes nothing rather than crashing.
 */

import { describe, expect, it } from "vitest";
import { drive } from "./support/drive.js";
import {
  RecoverySymbolSource,
  blobIdToString,
  encodeBlob,
  encodeInconsistencyProof,
  encodeInconsistently,
  encodingParams,
  encodeMetadataWithId,
  putBytes,
  sliverIndexOf,
} from "../spec/index.js";
import { objectIdOf } from "../machines/blob-objects.js";
import type { PerObjectBlobInfo } from "../machines/node/blob-info.js";
import { THE_OBJECT, chainMachine, createChainMachine } from "../machines/chain.js";
import { pairOfShard, putSliver, recoverySymbolsFor } from "../machines/codec.js";
import type { Committee } from "../machines/committee.js";
import { INVALID_BLOB_ID, readerMachine } from "../machines/reader.js";
import { blobView, createStorageNodeMachine, storageNodeMachine } from "../machines/node/index.js";
import { writerMachine } from "../machines/writer.js";

const n = 4;
const blob = new TextEncoder().encode("Walrus: one blob, written once, read back");
const encoded = encodeBlob(blob, n);
const blobId = blobIdToString(encoded.blobId);
const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
const primary = encoded.primarySlivers.map(putSliver);
const secondary = encoded.secondarySlivers.map(putSliver);
const committee: Committee = {
  epoch: 1,
  nShards: n,
  members: [0, 1, 2, 3].map((shard) => ({ name: `N${shard}`, shards: [shard] })),
};
const pairOf = (node: number) => pairOfShard(blobId, node, n);
const primaryOf = (node: number) => primary[sliverIndexOf("primary", pairOf(node), n)];
const secondaryOf = (node: number) => secondary[sliverIndexOf("secondary", pairOf(node), n)];
const upload = (node: number, overrides: Record<string, unknown> = {}) => ({
  type: "StoreSliverPairs",
  from: "writer",
  blobId,
  object: null,
  metadata,
  pairs: [{ pair: pairOf(node), primary: primaryOf(node), secondary: secondaryOf(node) }],
  ...overrides,
});
const registered = { type: "BlobRegistered", seq: 0, epoch: 1, blobId, size: blob.length, ...THE_OBJECT };
const certified = { type: "BlobCertified", seq: 1, epoch: 1, blobId, ...THE_OBJECT, isExtension: false };

describe("chain", () => {
  const subscribers = [
    { name: "writer", events: ["BlobRegistered", "BlobCertified"] },
    ...committee.members.map((m) => ({ name: m.name, events: ["BlobRegistered", "BlobCertified", "InvalidBlobID"] })),
    { name: "reader", events: ["BlobCertified"] },
  ];
  const rootHash = Buffer.from(encoded.rootHash).toString("hex");

  it("register_blob re-derives the blob ID: a wrong root hash is refused, the right one emits BlobRegistered", () => {
    const chain = drive(chainMachine, { committee, subscribers });
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash: "00".repeat(32) });
    expect([chain.snapshot.value, chain.sent]).toEqual(["noBlob", []]);
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash });
    expect(chain.snapshot.value).toBe("registered");
    expect(chain.sent.map((m) => [m.to, m.type, m.seq])).toEqual(
      ["writer", "N0", "N1", "N2", "N3"].map((to) => [to, "BlobRegistered", 0]),
    );
  });

  it("certify_blob needs 2f + 1 shards of the current epoch's committee; BlobCertified reaches everyone", () => {
    const chain = drive(chainMachine, { committee, subscribers });
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash });
    for (const refused of [
      { signers: ["N0", "N1"], epoch: 1 },
      { signers: ["N0", "N1", "N1"], epoch: 1 },
      { signers: ["N0", "N1", "N9"], epoch: 1 },
      { signers: ["N0", "N1", "N2"], epoch: 2 },
    ]) {
      chain.step({ type: "CertifyBlob", blobId, ...refused });
      expect([chain.snapshot.value, chain.sent]).toEqual(["registered", []]);
    }
    chain.step({ type: "CertifyBlob", blobId, epoch: 1, signers: ["N2", "N0", "N1"] });
    expect(chain.snapshot.value).toBe("certified");
    expect(chain.snapshot.context.signers).toEqual(["N0", "N1", "N2"]);
    expect(chain.sent.map((m) => [m.to, m.type, m.seq])).toEqual(
      // each subscriber's own stream: the reader does not follow registrations
      ["writer", "N0", "N1", "N2", "N3", "reader"].map((to) => [to, "BlobCertified", to === "reader" ? 0 : 1]),
    );
  });
});

describe("chain: invalidate_blob_id", () => {
  const subscribers = [
    ...committee.members.map((m) => ({ name: m.name, events: ["BlobRegistered", "BlobCertified", "InvalidBlobID"] })),
    { name: "reader", events: ["BlobCertified", "InvalidBlobID"] },
  ];
  const rootHash = Buffer.from(encoded.rootHash).toString("hex");

  it("needs attestations of f + 1 shards of the current epoch, certified or not; InvalidBlobID follows the certification in chain order", () => {
    const chain = drive(chainMachine, { committee, subscribers });
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash });
    chain.step({ type: "CertifyBlob", blobId, epoch: 1, signers: ["N0", "N1", "N2"] });
    for (const refused of [
      { signers: ["N3"], epoch: 1 },
      { signers: ["N3", "N3"], epoch: 1 },
      { signers: ["N3", "N9"], epoch: 1 },
      { signers: ["N2", "N3"], epoch: 2 },
    ]) {
      chain.step({ type: "InvalidateBlobId", blobId, ...refused });
      expect([chain.snapshot.value, chain.sent]).toEqual(["certified", []]);
    }
    chain.step({ type: "InvalidateBlobId", blobId, epoch: 1, signers: ["N3", "N2"] });
    expect([chain.snapshot.value, chain.snapshot.context.invalidatedBy]).toEqual(["invalid", ["N2", "N3"]]);
    expect(chain.sent.map((m) => [m.to, m.type, m.seq])).toEqual(
      ["N0", "N1", "N2", "N3", "reader"].map((to) => [to, "InvalidBlobID", to === "reader" ? 1 : 2]),
    );
  });

  it.each([
    [9, 3, 4],
    [12, 4, 5],
  ])("n = %i, 3 divides n: the contract's rule (3w ≥ n + 1) refuses the paper's f + 1 = %i shards and takes %i; the paper variant takes f + 1", (shards, paper, contract) => {
    const big = encodeBlob(blob, shards);
    const id = blobIdToString(big.blobId);
    const wide: Committee = {
      epoch: 1,
      nShards: shards,
      members: Array.from({ length: shards }, (_, i) => ({ name: `N${i}`, shards: [i] })),
    };
    const nodes = wide.members.map((m) => ({ name: m.name, events: ["BlobRegistered", "InvalidBlobID"] }));
    const signers = (count: number) => wide.members.slice(0, count).map((m) => m.name);
    const invalidated = (validity: "contract" | "paper", count: number) => {
      const chain = drive(createChainMachine({ validity }), { committee: wide, subscribers: nodes });
      chain.step({
        type: "RegisterBlob",
        blobId: id,
        size: blob.length,
        rootHash: Buffer.from(big.rootHash).toString("hex"),
      });
      chain.step({ type: "InvalidateBlobId", blobId: id, epoch: 1, signers: signers(count) });
      return chain.snapshot.value === "invalid";
    };
    expect([paper, contract].map((count) => invalidated("contract", count))).toEqual([false, true]);
    expect([paper - 1, paper].map((count) => invalidated("paper", count))).toEqual([false, true]);
  });

  it("a chain without the entry point ignores it", () => {
    const chain = drive(createChainMachine({ invalidation: false }), { committee, subscribers });
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash });
    chain.step({ type: "InvalidateBlobId", blobId, epoch: 1, signers: ["N2", "N3"] });
    expect([chain.snapshot.value, chain.sent]).toEqual(["registered", []]);
  });
});

describe("writer", () => {
  const input = {
    name: "writer",
    committee,
    blobId,
    size: blob.length,
    rootHash: Buffer.from(encoded.rootHash).toString("hex"),
    metadata,
    primary,
    secondary,
  };
  const confirmation = (node: number, overrides: Record<string, unknown> = {}) => ({
    type: "StorageConfirmation",
    node: `N${node}`,
    epoch: 1,
    blobId,
    object: null,
    shards: [node],
    ...overrides,
  });

  it("asks for and counts only confirmations of the object its registration made", () => {
    const writer = drive(writerMachine, input);
    const object = objectIdOf(4);
    writer.step({ ...registered, deletable: true, objectId: object, endEpoch: 3 });
    writer.step({ type: "Upload", node: "N0" });
    expect(writer.sent).toEqual([{ to: "N0", ...upload(0, { object }) }]);
    // A permanent confirmation, or one of another object, certifies nothing of this one.
    writer
      .step(confirmation(0))
      .step(confirmation(1, { object: objectIdOf(5) }))
      .step(confirmation(2, { object }));
    expect(writer.snapshot.context.confirmations).toEqual(["N2"]);
  });

  it("registers, uploads each node's pair once, certifies with a quorum of valid confirmations", () => {
    const writer = drive(writerMachine, input);
    expect(writer.snapshot.value).toBe("registering");
    expect(writer.sent).toEqual([
      { to: "chain", type: "RegisterBlob", blobId, size: blob.length, rootHash: input.rootHash },
    ]);
    writer.step(registered);
    expect(writer.snapshot.value).toEqual({ uploading: "collectingConfirmations" });
    writer.step({ type: "Upload", node: "N2" });
    expect(writer.sent).toEqual([{ to: "N2", ...upload(2) }]);
    writer.step({ type: "Upload", node: "N2" });
    expect(writer.sent).toEqual([]);
    // Confirmations that are not valid count for nothing.
    for (const invalid of [confirmation(0, { shards: [1] }), confirmation(0, { epoch: 2 }), confirmation(9)]) {
      writer.step(invalid);
      expect(writer.snapshot.context.confirmations).toEqual([]);
    }
    writer.step(confirmation(2)).step(confirmation(0)).step(confirmation(2));
    expect([writer.snapshot.value, writer.snapshot.context.confirmations]).toEqual([
      { uploading: "collectingConfirmations" },
      ["N0", "N2"],
    ]);
    writer.step(confirmation(1));
    expect(writer.snapshot.value).toEqual({ uploading: "certifying" });
    expect(writer.sent).toEqual([{ to: "chain", type: "CertifyBlob", blobId, epoch: 1, signers: ["N0", "N1", "N2"] }]);
    // Uploads may still go out until the certificate is on chain, and not after.
    writer.step({ type: "Upload", node: "N3" });
    expect(writer.sent.map((m) => m.to)).toEqual(["N3"]);
    writer.step(certified).step({ type: "Upload", node: "N1" });
    expect([writer.snapshot.value, writer.sent]).toEqual(["certified", []]);
  });
});

/** What a driven node knows of its blob on chain, and the state of the blob's region. */
const stateOf = (node: { snapshot: { value: unknown; context: unknown } }) => [
  blobView(node.snapshot).chainStatus,
  (node.snapshot.value as { blob0: unknown }).blob0,
];
/** A driven node's primary and secondary slivers of its blob, by shard. */
const slots = (node: { snapshot: { value: unknown; context: unknown } }) => {
  const { slivers } = blobView(node.snapshot);
  return [slivers.map((slot) => slot.primary), slivers.map((slot) => slot.secondary)];
};

describe("storage node", () => {
  const node = (index: number) => drive(storageNodeMachine, { name: `N${index}`, committee, blobIds: [blobId] });

  it("keeps the blob ID's BlobInfo and objects from the chain's events: a deleted deletable object leaves the permanent one", () => {
    const n0 = node(0);
    const deletable = { objectId: objectIdOf(1), deletable: true, endEpoch: 5 };
    n0.step(registered)
      .step({ type: "BlobRegistered", seq: 1, epoch: 1, blobId, size: blob.length, ...deletable })
      .step({
        type: "BlobDeleted",
        seq: 2,
        epoch: 1,
        blobId,
        endEpoch: 5,
        objectId: deletable.objectId,
        wasCertified: false,
      });
    const { record } = n0.snapshot.context.blobs[0];
    expect(record.objects.map((o: PerObjectBlobInfo) => o.objectId)).toEqual([THE_OBJECT.objectId]);
    expect(record.info).toMatchObject({ status: "valid", countDeletableTotal: 0, permanentTotal: { count: 1 } });
    expect(stateOf(n0)).toEqual(["registered", "awaitingSlivers"]);
  });

  describe("a deletable object's end", () => {
    const object = { objectId: objectIdOf(5), deletable: true, endEpoch: 9 };
    const other = { ...object, objectId: objectIdOf(6) };
    const registeredD = (seq: number, o = object) => ({
      type: "BlobRegistered",
      seq,
      epoch: 1,
      blobId,
      size: blob.length,
      ...o,
    });
    const certifiedD = (seq: number) => ({
      type: "BlobCertified",
      seq,
      epoch: 1,
      blobId,
      ...object,
      isExtension: false,
    });
    const deletedD = (seq: number) => ({
      type: "BlobDeleted",
      seq,
      epoch: 1,
      blobId,
      endEpoch: 9,
      objectId: object.objectId,
      wasCertified: true,
    });

    it("with immediate deletion, the last object deleted takes the data; a new object of the blob ID starts again", () => {
      const n0 = drive(storageNodeMachine, { name: "N0", committee, blobIds: [blobId], dataDeletion: "immediate" });
      n0.step(registeredD(0)).step(upload(0)).step(certifiedD(1));
      expect(stateOf(n0)).toEqual(["certified", "stored"]);
      n0.step(deletedD(2));
      expect(stateOf(n0)).toEqual(["retired", "deleted"]);
      expect(slots(n0)).toEqual([[null], [null]]);
      // Another writer's upload for the blob ID with no object: held, not stored (`NotCurrentlyRegistered`).
      n0.step(upload(0, { from: "writer2" }));
      expect(stateOf(n0)).toEqual(["retired", "deleted"]);
      n0.step(registeredD(3, other));
      expect(stateOf(n0)).toEqual(["registered", "stored"]);
      expect(slots(n0)).toEqual([[primaryOf(0)], [secondaryOf(0)]]);
      // The new object's write is its own: the confirmation goes to the writer that uploaded now.
      expect(n0.sent.map((m) => [m.to, m.type])).toEqual([["writer2", "StorageConfirmation"]]);
    });

    it("confirms a deletable object only while its own entry is live", () => {
      const n0 = node(0);
      n0.step(registeredD(0))
        .step(registeredD(1, other))
        .step({ ...deletedD(2), wasCertified: false });
      n0.step(upload(0, { object: object.objectId }));
      // Stored (the other object registers the blob ID), not confirmed for the deleted object.
      expect([stateOf(n0), n0.sent]).toEqual([["registered", "stored"], []]);
      const n1 = node(1);
      n1.step(registeredD(0)).step(upload(1, { object: object.objectId }));
      expect(n1.sent.map((m) => [m.to, m.type, m.object])).toEqual([
        ["writer", "StorageConfirmation", object.objectId],
      ]);
    });

    it("by default the data wait for the next epoch's collection", () => {
      const n0 = node(0);
      n0.step(registeredD(0)).step(upload(0)).step(certifiedD(1)).step(deletedD(2));
      expect([stateOf(n0), slots(n0)]).toEqual([
        ["retired", "stored"],
        [[primaryOf(0)], [secondaryOf(0)]],
      ]);
    });

    it("healing stops once no certified object is left", () => {
      const n1 = node(1);
      n1.step(registeredD(0)).step(certifiedD(1));
      expect(stateOf(n1)).toEqual(["certified", { recovering: "awaitingMetadata" }]);
      n1.step(deletedD(2));
      expect(stateOf(n1)).toEqual(["retired", "awaitingSlivers"]);
      n1.step(upload(1));
      expect([stateOf(n1), slots(n1)]).toEqual([
        ["retired", "awaitingSlivers"],
        [[null], [null]],
      ]);
    });
  });

  it("processes chain events in chain order: an early BlobCertified waits for BlobRegistered", () => {
    const n1 = node(1);
    n1.step(certified);
    expect(stateOf(n1)).toEqual(["awaitingRegistration", "awaitingSlivers"]);
    expect(n1.snapshot.context.early).toEqual([certified]);
    n1.step(registered);
    expect(n1.snapshot.context.nextSeq).toBe(2);
    expect(n1.snapshot.context.early).toEqual([]);
    // Certified without slivers: it recovers, asking every other node for both axes' symbols.
    expect(stateOf(n1)).toEqual(["certified", { recovering: "awaitingMetadata" }]);
    expect(n1.sent).toEqual(
      ["N0", "N2", "N3"].map((to) => ({
        to,
        type: "RecoverySymbolRequest",
        from: "N1",
        blobId,
        primary: [sliverIndexOf("primary", pairOf(1), n)],
        secondary: [sliverIndexOf("secondary", pairOf(1), n)],
      })),
    );
  });

  it("holds an upload that comes before the registration, stores it after, and confirms", () => {
    const n1 = node(1);
    n1.step(upload(1));
    expect(n1.snapshot.context.blobs[0].pendingUpload).toEqual(upload(1));
    expect(slots(n1)).toEqual([[null], [null]]);
    n1.step(registered);
    expect(stateOf(n1)).toEqual(["registered", "stored"]);
    expect(slots(n1)).toEqual([[primaryOf(1)], [secondaryOf(1)]]);
    expect(n1.sent).toEqual([
      { to: "writer", type: "StorageConfirmation", node: "N1", epoch: 1, blobId, object: null, shards: [1] },
    ]);
  });

  it("stores only slivers that match the metadata, and only metadata that matches the blob ID", () => {
    const n1 = node(1).step(registered);
    const wrongPair = { pair: pairOf(1), primary: primaryOf(2), secondary: secondaryOf(1) };
    n1.step(upload(1, { pairs: [wrongPair] }));
    expect(slots(n1)).toEqual([[null], [secondaryOf(1)]]);
    expect(n1.sent).toEqual([]);
    const other = encodeBlob(new TextEncoder().encode("another blob"), n);
    const otherMetadata = putBytes(encodeMetadataWithId({ blobId: other.blobId, metadata: other.metadata }));
    const before = n1.snapshot;
    n1.step(upload(1, { metadata: otherMetadata }));
    expect(n1.snapshot.context).toEqual(before.context);
    n1.step(upload(1));
    expect(stateOf(n1)).toEqual(["registered", "stored"]);
  });

  it("holds a read request until it stores the slivers, then answers with the metadata and its primary sliver", () => {
    const n0 = node(0).step(registered);
    n0.step({ type: "ReadRequest", from: "reader", blobId, axis: "primary" });
    expect([n0.sent, n0.snapshot.context.held.length]).toEqual([[], 1]);
    n0.step(upload(0));
    expect(n0.sent).toContainEqual({
      to: "reader",
      node: "N0",
      blobId,
      type: "ReadResponse",
      axis: "primary",
      metadata,
      slivers: [primaryOf(0)],
    });
    expect(n0.snapshot.context.held).toEqual([]);
  });

  it("recovers: the secondary sliver from n − 2f symbols, then the primary from n − f (its own one of them)", () => {
    const n1 = node(1).step(registered).step(certified);
    const response = (from: number) => ({
      type: "RecoverySymbolResponse",
      node: `N${from}`,
      blobId,
      metadata,
      symbols: [
        ...recoverySymbolsFor(metadata, blobId, n, [primaryOf(from)], "secondary", [
          sliverIndexOf("secondary", pairOf(1), n),
        ]),
        ...recoverySymbolsFor(metadata, blobId, n, [secondaryOf(from)], "primary", [
          sliverIndexOf("primary", pairOf(1), n),
        ]),
      ],
    });
    n1.step(response(0));
    expect(stateOf(n1)).toEqual(["certified", { recovering: "recoveringSecondary" }]);
    // A symbol whose proof fails counts for nothing: still one valid symbol per axis.
    const corrupt = recoverySymbolsFor(metadata, blobId, n, [primaryOf(0)], "secondary", [0]);
    n1.step({ ...response(3), symbols: corrupt });
    expect(stateOf(n1)).toEqual(["certified", { recovering: "recoveringSecondary" }]);
    n1.step(response(2));
    expect(stateOf(n1)).toEqual(["certified", "stored"]);
    expect(slots(n1)).toEqual([[primaryOf(1)], [secondaryOf(1)]]);
    // No confirmation after the certification.
    expect(n1.sent).toEqual([]);
  });

  it("answers each axis of a recovery request once it holds the slivers of the other axis", () => {
    const n2 = node(2).step(registered);
    n2.step({ type: "RecoverySymbolRequest", from: "N1", blobId, primary: [1], secondary: [2] });
    expect(n2.sent).toEqual([]);
    n2.step(upload(2));
    const answer = n2.sent.find((m) => m.type === "RecoverySymbolResponse");
    expect(answer).toMatchObject({ to: "N1", node: "N2", blobId, metadata });
    expect((answer?.symbols as string[]).length).toBe(2);
    // A request for another blob is answered ⊥ at once.
    n2.step({ type: "RecoverySymbolRequest", from: "N1", blobId: "A".repeat(43), primary: [1], secondary: [] });
    expect(n2.sent).toEqual([
      { to: "N1", node: "N2", blobId: "A".repeat(43), type: "RecoverySymbolResponse", metadata: null, symbols: null },
    ]);
  });

  it("malformed messages change nothing and throw nothing", () => {
    const n1 = node(1).step(registered);
    const before = n1.snapshot;
    for (const bad of [
      { type: "ReadRequest", from: "reader", blobId, axis: "diagonal" },
      { type: "BlobCertified", seq: "1", epoch: 1, blobId, ...THE_OBJECT, isExtension: false },
      { type: "StoreSliverPairs", from: "writer", blobId, object: null, metadata: "not a ref", pairs: [] },
      { type: "RecoverySymbolResponse", node: "N0", blobId, metadata: null, symbols: 7 },
    ]) {
      n1.step(bad);
      expect(n1.snapshot.value).toEqual(before.value);
      expect(n1.snapshot.context).toEqual(before.context);
      expect(n1.sent).toEqual([]);
    }
  });
});

describe("storage node: two blobs", () => {
  const other = encodeBlob(new TextEncoder().encode("a second blob, on the same node"), n);
  const otherId = blobIdToString(other.blobId);
  const otherMetadata = putBytes(encodeMetadataWithId({ blobId: other.blobId, metadata: other.metadata }));
  const otherPair = pairOfShard(otherId, 1, n);
  const otherUpload = {
    type: "StoreSliverPairs",
    from: "writer2",
    blobId: otherId,
    object: null,
    metadata: otherMetadata,
    pairs: [
      {
        pair: otherPair,
        primary: putSliver(other.primarySlivers[sliverIndexOf("primary", otherPair, n)]),
        secondary: putSliver(other.secondarySlivers[sliverIndexOf("secondary", otherPair, n)]),
      },
    ],
  };

  it("follows each blob in its own region: events in one chain order, uploads and confirmations apart", () => {
    const n1 = drive(storageNodeMachine, { name: "N1", committee, blobIds: [blobId] });
    expect(Object.keys(n1.snapshot.value as object)).toEqual(["cursor", "blob0", "serving"]);
    const both = drive(createStorageNodeMachine({ blobs: 2 }), { name: "N1", committee, blobIds: [blobId, otherId] });
    // The second blob's registration comes first in the node's stream; its certification is early.
    both.step({ type: "BlobCertified", seq: 2, epoch: 1, blobId: otherId, ...THE_OBJECT, isExtension: false });
    both.step({ type: "BlobRegistered", seq: 0, epoch: 1, blobId: otherId, size: 31, ...THE_OBJECT });
    both.step(otherUpload);
    expect(both.sent).toEqual([
      { to: "writer2", type: "StorageConfirmation", node: "N1", epoch: 1, blobId: otherId, object: null, shards: [1] },
    ]);
    expect([blobView(both.snapshot, 0).chainStatus, blobView(both.snapshot, 1).chainStatus]).toEqual([
      "awaitingRegistration",
      "registered",
    ]);
    // The first blob's upload waits for its registration (number 1), which lets the held certification through.
    both.step(upload(1));
    expect(both.sent).toEqual([]);
    both.step({ ...registered, seq: 1 });
    expect(both.snapshot.context.nextSeq).toBe(3);
    expect([blobView(both.snapshot, 0).storage, blobView(both.snapshot, 1).chainStatus]).toEqual([
      "stored",
      "certified",
    ]);
    expect(both.sent).toEqual([
      { to: "writer", type: "StorageConfirmation", node: "N1", epoch: 1, blobId, object: null, shards: [1] },
    ]);
    // A read of either blob is answered from that blob's slivers.
    both.step({ type: "ReadRequest", from: "reader", blobId: otherId, axis: "primary" });
    expect(both.sent).toEqual([
      {
        to: "reader",
        type: "ReadResponse",
        node: "N1",
        blobId: otherId,
        axis: "primary",
        metadata: otherMetadata,
        slivers: [otherUpload.pairs[0]?.primary],
      },
    ]);
  });
});

describe("storage node: a malicious writer's blob", () => {
  // Primary sliver 3 altered and committed to: N0 holds it (pair layout of this blob ID).
  const bad = encodeInconsistently(blob, n, { primary: [3] });
  const badId = blobIdToString(bad.blobId);
  const badMetadata = putBytes(encodeMetadataWithId({ blobId: bad.blobId, metadata: bad.metadata }));
  const badPrimary = bad.primarySlivers.map(putSliver);
  const badSecondary = bad.secondarySlivers.map(putSliver);
  const pair = (node: number) => pairOfShard(badId, node, n);
  const sliversOf = (node: number) => ({
    primary: badPrimary[sliverIndexOf("primary", pair(node), n)],
    secondary: badSecondary[sliverIndexOf("secondary", pair(node), n)],
  });
  const events = [
    { type: "BlobRegistered", seq: 0, epoch: 1, blobId: badId, size: blob.length, ...THE_OBJECT },
    { type: "BlobCertified", seq: 1, epoch: 1, blobId: badId, ...THE_OBJECT, isExtension: false },
  ];
  const node = (index: number) => {
    const driven = drive(storageNodeMachine, { name: `N${index}`, committee, blobIds: [badId] });
    for (const event of events) driven.step(event);
    return driven;
  };
  const stored = (index: number) =>
    node(index).step({
      type: "StoreSliverPairs",
      from: "writer",
      blobId: badId,
      object: null,
      metadata: badMetadata,
      pairs: [{ pair: pair(index), ...sliversOf(index) }],
    });
  const response = (from: number, to: number) => ({
    type: "RecoverySymbolResponse",
    node: `N${from}`,
    blobId: badId,
    metadata: badMetadata,
    symbols: [
      ...recoverySymbolsFor(badMetadata, badId, n, [sliversOf(from).primary], "secondary", [
        sliverIndexOf("secondary", pair(to), n),
      ]),
      ...recoverySymbolsFor(badMetadata, badId, n, [sliversOf(from).secondary], "primary", [
        sliverIndexOf("primary", pair(to), n),
      ]),
    ],
  });

  it("recovering the altered sliver proves the inconsistency; peers verify it and attest; f + 1 shards go to the chain", () => {
    expect(sliverIndexOf("primary", pair(0), n)).toBe(3);
    const n0 = node(0).step(response(1, 0)).step(response(2, 0));
    expect(stateOf(n0)).toEqual(["certified", "inconsistencyDetected"]);
    const shared = n0.sent.filter((m) => m.type === "VerifyInconsistencyProof");
    expect(shared.map((m) => m.to)).toEqual(["N1", "N2", "N3"]);
    const { to: _, ...proof } = shared[0];
    const n1 = stored(1).step(proof);
    expect(n1.sent).toEqual([{ to: "N0", type: "InvalidBlobAttestation", node: "N1", epoch: 1, blobId: badId }]);
    expect(blobView(n1.snapshot).attested).toBe(true);
    const { to: __, ...attestation } = n1.sent[0];
    n0.step(attestation);
    expect(n0.sent).toEqual([
      { to: "chain", type: "InvalidateBlobId", blobId: badId, epoch: 1, signers: ["N0", "N1"] },
    ]);
    // The implementation's node waits for n − f shards: N0 and N1 are two of four.
    const waiting = drive(storageNodeMachine, {
      name: "N0",
      committee,
      blobIds: [badId],
      invalidationAttestations: "quorum",
    });
    for (const event of [...events, response(1, 0), response(2, 0), attestation]) waiting.step(event);
    expect(waiting.sent).toEqual([]);
    waiting.step({ type: "InvalidBlobAttestation", node: "N2", epoch: 1, blobId: badId });
    expect(waiting.sent.map((m) => [m.type, m.signers])).toEqual([["InvalidateBlobId", ["N0", "N1", "N2"]]]);
    // Once submitted, another attestation changes nothing.
    const before = n0.snapshot;
    n0.step({ type: "InvalidBlobAttestation", node: "N2", epoch: 1, blobId: badId });
    expect(n0.snapshot.context).toEqual(before.context);
  });

  it("a proof made of real symbols for a sliver that matches its commitment does not verify: no attestation", () => {
    // Secondary sliver 2 decodes from column 2 of the primary slivers, which the alteration of
    // primary sliver 3 (its first symbol) leaves alone.
    const symbols = bad.primarySlivers
      .slice(0, 2)
      .map((source) => new RecoverySymbolSource(encodingParams(n), source).symbolFor(2));
    const forged = putBytes(encodeInconsistencyProof({ axis: "secondary", targetIndex: 2, symbols }));
    const verify = { type: "VerifyInconsistencyProof", from: "N0", blobId: badId, axis: "secondary" };
    const n1 = stored(1).step({ ...verify, proof: forged });
    expect([n1.sent, blobView(n1.snapshot).attested]).toEqual([[], false]);
    // Bytes that are not a proof at all change nothing either.
    n1.step({ ...verify, proof: badMetadata });
    expect([n1.sent, blobView(n1.snapshot).attested]).toEqual([[], false]);
  });

  it("on InvalidBlobID a node deletes the blob and answers ⊥ from then on", () => {
    const n1 = stored(1).step({ type: "InvalidBlobID", seq: 2, epoch: 1, blobId: badId });
    expect(stateOf(n1)).toEqual(["invalid", "deleted"]);
    expect([n1.snapshot.context.blobs[0].metadata, slots(n1)]).toEqual([null, [[null], [null]]]);
    n1.step({ type: "ReadRequest", from: "reader", blobId: badId, axis: "primary" });
    expect(n1.sent).toEqual([
      { to: "reader", node: "N1", blobId: badId, type: "ReadResponse", axis: "primary", metadata: null, slivers: null },
    ]);
  });
});

describe("reader", () => {
  const input = (axis: "primary" | "secondary", consistency: "default" | "strict") => ({
    name: "reader",
    committee,
    blobId,
    axis,
    consistency,
    start: "afterCertification",
  });
  const response = (node: number, overrides: Record<string, unknown> = {}) => ({
    type: "ReadResponse",
    node: `N${node}`,
    blobId,
    axis: "primary",
    metadata,
    slivers: [primaryOf(node)],
    ...overrides,
  });

  it("after the certification, asks every node; n − 2f verified primary slivers give the blob", () => {
    const reader = drive(readerMachine, input("primary", "default"));
    expect(reader.snapshot.value).toBe("waitingForCertification");
    reader.step(certified);
    expect(reader.sent).toEqual(
      ["N0", "N1", "N2", "N3"].map((to) => ({ to, type: "ReadRequest", from: "reader", blobId, axis: "primary" })),
    );
    const corrupt = { ...encoded.primarySlivers[0], data: encoded.primarySlivers[0].data.map((b) => b ^ 0xff) };
    reader.step(response(3, { slivers: [putSliver(corrupt)] })).step(response(0));
    expect([reader.snapshot.value, reader.snapshot.context.answered]).toEqual(["reading", ["N0", "N3"]]);
    reader.step(response(0, { slivers: [primaryOf(1)] }));
    expect(reader.snapshot.context.answered).toEqual(["N0", "N3"]);
    expect(reader.snapshot.value).toBe("reading");
    reader.step(response(2));
    expect(reader.snapshot.value).toBe("succeeded");
    expect(reader.snapshot.context.blob).toBe(putBytes(blob));
  });

  it("the paper's reader needs n − f secondary slivers and re-encodes", () => {
    const reader = drive(readerMachine, input("secondary", "strict")).step(certified);
    const secondaryResponse = (node: number) => response(node, { axis: "secondary", slivers: [secondaryOf(node)] });
    reader.step(secondaryResponse(0)).step(secondaryResponse(1));
    expect(reader.snapshot.value).toBe("reading");
    reader.step(secondaryResponse(3));
    expect([reader.snapshot.value, reader.snapshot.context.blob]).toEqual(["succeeded", putBytes(blob)]);
  });

  it("returns ⊥ once every node has answered without metadata that matches the blob ID", () => {
    const reader = drive(readerMachine, input("primary", "default")).step(certified);
    for (const node of [0, 1, 2]) reader.step(response(node, { metadata: null, slivers: null }));
    expect(reader.snapshot.value).toBe("reading");
    reader.step(response(3, { metadata: putBytes(new Uint8Array([1, 2, 3])) }));
    expect(reader.snapshot.value).toBe("failed");
    expect(reader.snapshot.context.bottom).toBe("no node served metadata that matches the blob ID");
  });

  it("returns ⊥ on InvalidBlobID, whatever it had gathered; a finished read stays as it is", () => {
    const reader = drive(readerMachine, input("primary", "default")).step(certified);
    reader.step(response(0));
    reader.step({ type: "InvalidBlobID", seq: 2, epoch: 1, blobId });
    expect([reader.snapshot.value, reader.snapshot.context.bottom]).toEqual(["failed", INVALID_BLOB_ID]);
    const done = drive(readerMachine, input("primary", "default")).step(certified);
    for (const node of [0, 1, 2, 3]) done.step(response(node));
    // The read is over: its actor takes no more events, so the blob it returned stands.
    expect(done.snapshot.status).toBe("done");
    done.step({ type: "InvalidBlobID", seq: 2, epoch: 1, blobId });
    expect(done.snapshot.value).toBe("succeeded");
  });
});
