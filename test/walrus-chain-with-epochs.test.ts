/**
 * The chain with epochs: the blob's region certifies with the committee the epochs' region makes
 * current, and both number their events in one order.
 */

import { describe, expect, it } from "vitest";
import { drive } from "./support/drive.js";
import { blobIdToString, encodeBlob } from "../spec/index.js";
import { chainWithEpochsMachine, createChainWithEpochsMachine } from "../machines/chain-with-epochs.js";
import { THE_OBJECT } from "../machines/chain.js";
import type { Committee } from "../machines/committee.js";

const n = 4;
const blob = new TextEncoder().encode("Walrus: written across an epoch change");
const encoded = encodeBlob(blob, n);
const blobId = blobIdToString(encoded.blobId);
const rootHash = Buffer.from(encoded.rootHash).toString("hex");
// four shards, f = 1: quorum 3, validity 2
const committee: Committee = {
  epoch: 1,
  nShards: n,
  members: [0, 1, 2, 3].map((shard) => ({ name: `N${shard}`, shards: [shard] })),
};
// N3 leaves, N4 joins
const counts = ["N0", "N1", "N2", "N4"].map((name) => ({ name, shards: 1 }));
const subscribers = [
  {
    name: "writer",
    events: ["BlobRegistered", "BlobCertified", "InvalidBlobID", "EpochChangeStart", "EpochChangeDone"] as const,
  },
];

describe("chain with epochs", () => {
  it("a blob registered in epoch 1 is certified by the committee of epoch 2 once the epoch changed", () => {
    const chain = drive(chainWithEpochsMachine, { committee, subscribers });
    expect(chain.snapshot.value).toEqual({ blob: "noBlob", epochs: "EpochChangeDone" });
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash });
    expect(chain.sent).toEqual([
      { to: "writer", type: "BlobRegistered", epoch: 1, blobId, size: blob.length, ...THE_OBJECT, seq: 0 },
    ]);
    chain.step({ type: "VotingEnd", counts });
    chain.step({ type: "InitiateEpochChange" });
    expect(chain.snapshot.value).toEqual({ blob: "registered", epochs: "EpochChangeSync" });
    expect(chain.sent).toEqual([{ to: "writer", type: "EpochChangeStart", epoch: 2, seq: 1 }]);
    for (const refused of [
      // epoch 1's quorum, now stale
      { epoch: 1, signers: ["N0", "N1", "N3"] },
      // epoch 1's signers who are also in epoch 2, naming epoch 1
      { epoch: 1, signers: ["N0", "N1", "N2"] },
      // a node that left signs for epoch 2
      { epoch: 2, signers: ["N0", "N1", "N3"] },
    ]) {
      chain.step({ type: "CertifyBlob", blobId, ...refused });
      expect([chain.snapshot.value, chain.sent]).toEqual([{ blob: "registered", epochs: "EpochChangeSync" }, []]);
    }
    chain.step({ type: "CertifyBlob", blobId, epoch: 2, signers: ["N4", "N0", "N1"] });
    expect(chain.snapshot.value).toEqual({ blob: "certified", epochs: "EpochChangeSync" });
    expect(chain.snapshot.context.signers).toEqual(["N0", "N1", "N4"]);
    expect(chain.sent).toEqual([
      { to: "writer", type: "BlobCertified", epoch: 2, blobId, ...THE_OBJECT, isExtension: false, seq: 2 },
    ]);
    for (const node of ["N0", "N2", "N4"]) chain.step({ type: "EpochSyncDone", node, epoch: 2 });
    expect(chain.snapshot.value).toEqual({ blob: "certified", epochs: "EpochChangeDone" });
    expect(chain.sent).toEqual([{ to: "writer", type: "EpochChangeDone", epoch: 2, seq: 3 }]);
  });

  it("invalidation needs f + 1 shards of the current epoch's committee", () => {
    const chain = drive(createChainWithEpochsMachine(), { committee, subscribers });
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash });
    chain.step({ type: "VotingEnd", counts });
    chain.step({ type: "InitiateEpochChange" });
    chain.step({ type: "InvalidateBlobId", blobId, epoch: 1, signers: ["N2", "N3"] });
    chain.step({ type: "InvalidateBlobId", blobId, epoch: 2, signers: ["N3", "N2"] });
    expect(chain.snapshot.value).toEqual({ blob: "registered", epochs: "EpochChangeSync" });
    chain.step({ type: "InvalidateBlobId", blobId, epoch: 2, signers: ["N4", "N2"] });
    expect(chain.snapshot.value).toEqual({ blob: "invalid", epochs: "EpochChangeSync" });
    expect(chain.sent).toEqual([{ to: "writer", type: "InvalidBlobID", epoch: 2, blobId, seq: 2 }]);
  });

  it("without invalidate_blob_id, an invalidation changes nothing", () => {
    const chain = drive(createChainWithEpochsMachine({ invalidation: false }), { committee, subscribers });
    chain.step({ type: "RegisterBlob", blobId, size: blob.length, rootHash });
    chain.step({ type: "InvalidateBlobId", blobId, epoch: 1, signers: ["N2", "N3"] });
    expect([chain.snapshot.value, chain.sent]).toEqual([{ blob: "registered", epochs: "EpochChangeDone" }, []]);
  });
});
