/**
 * The byte store, the protocol messages and the codec by reference: the same bytes give the same
 * short reference; bad references, malformed messages and bytes that do not verify give the
 * codec's typed errors (or a plain "not valid" from the predicates), never a crash.
 */

import { describe, expect, it } from "vitest";
import {
  InvalidMessageError,
  InvalidMetadataError,
  InvalidSliverError,
  MalformedBcsError,
  UnknownByteRefError,
  type WalrusSpecError,
  blobIdToString,
  checkMessage,
  encodeBlob,
  encodeMetadataWithId,
  getBytes,
  hasBytes,
  isMessage,
  putBytes,
} from "../spec/index.js";
import {
  blobIdDerivesFromRootHash,
  loadMetadata,
  loadSliver,
  metadataMatchesBlobId,
  putSliver,
  readBlob,
  recoverFromSymbols,
  recoverySymbolsFor,
  sliverMatchesMetadata,
} from "../machines/codec.js";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("the byte store", () => {
  it("content-addressed: the same bytes give the same 24-hex-digit reference, and the bytes back", () => {
    const ref = putBytes(bytes("sliver"));
    expect(ref).toMatch(/^[0-9a-f]{24}$/);
    expect(putBytes(bytes("sliver"))).toBe(ref);
    expect(putBytes(bytes("sliver!"))).not.toBe(ref);
    expect(new TextDecoder().decode(getBytes(ref))).toBe("sliver");
    // The first 12 bytes of BLAKE2b-256("abc"), as @noble/hashes computes it.
    expect(putBytes(bytes("abc"))).toBe("bddd813c634239723171ef3f");
  });

  it("stores a copy: changing the caller's array later changes nothing stored", () => {
    const data = bytes("mutable");
    const ref = putBytes(data);
    data[0] = 0;
    expect(new TextDecoder().decode(getBytes(ref))).toBe("mutable");
  });

  it("unknown and malformed references and non-byte input are typed errors", () => {
    expect(() => getBytes("000000000000000000000000")).toThrow(UnknownByteRefError);
    expect(() => getBytes("not a ref")).toThrow(/not a reference/);
    expect(() => getBytes(42 as unknown as string)).toThrow(UnknownByteRefError);
    expect(() => putBytes("text" as unknown as Uint8Array)).toThrow(UnknownByteRefError);
    try {
      getBytes("ffffffffffffffffffffffff");
    } catch (error) {
      expect((error as WalrusSpecError).code).toBe("UNKNOWN_BYTE_REF");
    }
    expect(hasBytes("ffffffffffffffffffffffff")).toBe(false);
  });
});

const BLOB_ID = "QLWV79IP8A2KOlRrWqy1CAQbFKNxPgKgtk3fpuhObss";
const OBJECT = { objectId: `0x${"0a".repeat(32)}`, deletable: true, endEpoch: 3 };
const REF = "0123456789abcdef01234567";

describe("messages", () => {
  const valid = [
    { type: "RegisterBlob", blobId: BLOB_ID, size: 41, rootHash: "ab".repeat(32) },
    { type: "CertifyBlob", blobId: BLOB_ID, epoch: 1, signers: ["N0", "N1", "N2"] },
    { type: "BlobRegistered", seq: 0, epoch: 1, blobId: BLOB_ID, size: 41, ...OBJECT },
    { type: "BlobCertified", seq: 1, epoch: 1, blobId: BLOB_ID, ...OBJECT, isExtension: false },
    {
      type: "BlobDeleted",
      seq: 2,
      epoch: 1,
      blobId: BLOB_ID,
      endEpoch: 3,
      objectId: OBJECT.objectId,
      wasCertified: true,
    },
    { type: "InvalidBlobID", seq: 2, epoch: 1, blobId: BLOB_ID },
    {
      type: "StoreSliverPairs",
      from: "writer",
      blobId: BLOB_ID,
      object: OBJECT.objectId,
      metadata: REF,
      pairs: [{ pair: 1, primary: REF, secondary: REF }],
    },
    { type: "StorageConfirmation", node: "N0", epoch: 1, blobId: BLOB_ID, object: null, shards: [0] },
    { type: "ReadRequest", from: "reader", blobId: BLOB_ID, axis: "primary" },
    { type: "ReadResponse", node: "N0", blobId: BLOB_ID, axis: "primary", metadata: null, slivers: null },
    { type: "RecoverySymbolRequest", from: "N1", blobId: BLOB_ID, primary: [2], secondary: [1] },
    { type: "RecoverySymbolResponse", node: "N0", blobId: BLOB_ID, metadata: REF, symbols: [REF, REF] },
    { type: "EpochChangeStart", seq: 0, epoch: 2 },
    { type: "ShardsReceived", seq: 2, epoch: 2, shards: [3] },
    {
      type: "ShardSyncResponse",
      node: "N3",
      shard: 3,
      axis: "primary",
      epoch: 2,
      slivers: [{ blobId: BLOB_ID, metadata: REF, sliver: REF }],
    },
    { type: "ShardSyncResponse", node: "N3", shard: 3, axis: "secondary", epoch: 2, slivers: null },
    { type: "ChallengeStart", seq: 0, epoch: 1 },
    { type: "ChallengeStart", seq: 0, epoch: 1, coin: 7, challenged: 2 },
    { type: "ChallengeSymbols", node: "N0", blobId: BLOB_ID, symbols: [REF] },
    { type: "ChallengeSignature", node: "N0", for: "N1" },
    { type: "VotingEnd", counts: [{ name: "N0", shards: 2 }] },
    { type: "InitiateEpochChange" },
  ];

  it.each(valid.map((message) => [message.type, message]))("a well-formed %s passes", (_, message) => {
    expect(checkMessage(message)).toBe(message);
    expect(isMessage(message, message.type as never)).toBe(true);
  });

  it.each([
    ["not an object", "hello", /must be an object/],
    ["an unknown type", { type: "Gossip", blobId: BLOB_ID }, /unknown message type "Gossip"/],
    ["a missing field", { type: "BlobCertified", seq: 1, blobId: BLOB_ID }, /BlobCertified: field epoch must be nat/],
    ["a negative number", { type: "BlobCertified", seq: -1, epoch: 1, blobId: BLOB_ID }, /field seq must be nat/],
    ["a bad blob ID", { type: "BlobCertified", seq: 1, epoch: 1, blobId: "short" }, /field blobId must be blobId/],
    [
      "a bad object ID",
      { type: "BlobRegistered", seq: 0, epoch: 1, blobId: BLOB_ID, size: 1, ...OBJECT, objectId: "0x12" },
      /field objectId must be objectId/,
    ],
    [
      "a flag that is not a boolean",
      {
        type: "BlobDeleted",
        seq: 0,
        epoch: 1,
        blobId: BLOB_ID,
        endEpoch: 3,
        objectId: OBJECT.objectId,
        wasCertified: 1,
      },
      /field wasCertified must be bool/,
    ],
    [
      "a malformed byte reference",
      { type: "ReadResponse", node: "N0", blobId: BLOB_ID, axis: "primary", metadata: "xyz", slivers: [] },
      /field metadata must be refOrNull/,
    ],
    [
      "a bad axis",
      { type: "ReadRequest", from: "reader", blobId: BLOB_ID, axis: "diagonal" },
      /field axis must be axis/,
    ],
    [
      "a pair with a missing sliver",
      {
        type: "StoreSliverPairs",
        from: "writer",
        blobId: BLOB_ID,
        object: null,
        metadata: REF,
        pairs: [{ pair: 0, primary: REF }],
      },
      /field pairs must be pairs/,
    ],
    [
      "an unexpected field",
      { type: "BlobCertified", seq: 1, epoch: 1, blobId: BLOB_ID, ...OBJECT, isExtension: false, extra: true },
      /unexpected field extra/,
    ],
    [
      "a synced sliver without its metadata",
      {
        type: "ShardSyncResponse",
        node: "N3",
        shard: 3,
        axis: "primary",
        epoch: 2,
        slivers: [{ blobId: BLOB_ID, sliver: REF }],
      },
      /field slivers must be syncedSlivers/,
    ],
    [
      "shard counts without a node's name",
      { type: "VotingEnd", counts: [{ shards: 2 }] },
      /field counts must be shardCounts/,
    ],
    [
      "a coin that is not a number",
      { type: "ChallengeStart", seq: 0, epoch: 1, coin: "heads" },
      /field coin must be optionalNat/,
    ],
  ])("%s is an InvalidMessageError", (_, message, pattern) => {
    expect(() => checkMessage(message)).toThrow(InvalidMessageError);
    expect(() => checkMessage(message)).toThrow(pattern);
    expect(isMessage(message, "BlobCertified")).toBe(false);
  });
});

describe("the codec by reference", () => {
  const n = 4;
  const blob = bytes("Walrus: one blob, written once, read back");
  const encoded = encodeBlob(blob, n);
  const blobId = blobIdToString(encoded.blobId);
  const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
  const primary = encoded.primarySlivers.map(putSliver);
  const secondary = encoded.secondarySlivers.map(putSliver);
  const other = encodeBlob(bytes("another blob"), n);
  const otherMetadata = putBytes(encodeMetadataWithId({ blobId: other.blobId, metadata: other.metadata }));

  it("metadata: verified against the blob ID, or a typed error saying why not", () => {
    expect(loadMetadata(metadata, blobId, n).symbolSize).toBe(8);
    expect(() => loadMetadata(REF, blobId, n)).toThrow(UnknownByteRefError);
    expect(() => loadMetadata(putBytes(bytes("garbage")), blobId, n)).toThrow(MalformedBcsError);
    expect(() => loadMetadata(otherMetadata, blobId, n)).toThrow(InvalidMetadataError);
    expect(() => loadMetadata(metadata, blobId, 7)).toThrow(/metadata has 4 sliver pairs, the committee has 7 shards/);
    expect([metadataMatchesBlobId(metadata, blobId, n), metadataMatchesBlobId(otherMetadata, blobId, n)]).toEqual([
      true,
      false,
    ]);
    expect(metadataMatchesBlobId(null, blobId, n)).toBe(false);
  });

  it("slivers: verified against the metadata at their index, or a typed error", () => {
    expect(loadSliver(metadata, blobId, n, primary[2], "primary", 2).index).toBe(2);
    expect(() => loadSliver(metadata, blobId, n, primary[2], "primary", 1)).toThrow(/sliver 2 where sliver 1/);
    const tampered = { ...encoded.primarySlivers[2], data: encoded.primarySlivers[2].data.slice() };
    tampered.data[0] ^= 1;
    expect(() => loadSliver(metadata, blobId, n, putSliver(tampered), "primary")).toThrow(InvalidSliverError);
    expect(sliverMatchesMetadata(metadata, blobId, n, putSliver(tampered), "primary")).toBe(false);
    expect(sliverMatchesMetadata(metadata, blobId, n, REF, "primary")).toBe(false);
    expect(sliverMatchesMetadata(metadata, blobId, n, secondary[0], "secondary", 0)).toBe(true);
  });

  it("reads: n − 2f primary or n − f secondary slivers decode the blob; fewer are not enough", () => {
    const read = readBlob(metadata, blobId, n, "primary", [primary[0], primary[3]], "default");
    expect(read.kind).toBe("decoded");
    if (read.kind === "decoded") expect(getBytes(read.blob)).toEqual(blob);
    expect(readBlob(metadata, blobId, n, "primary", [primary[1]], "strict")).toEqual({
      kind: "notEnoughSlivers",
      have: 1,
      need: 2,
    });
    expect(readBlob(metadata, blobId, n, "secondary", secondary.slice(1), "strict").kind).toBe("decoded");
    // A sliver that does not verify does not count.
    expect(readBlob(metadata, blobId, n, "primary", [primary[0], secondary[1]], "default").kind).toBe(
      "notEnoughSlivers",
    );
  });

  it("recovery: secondary sliver j from n − 2f symbols, primary sliver i from n − f", () => {
    // Pair 1 holds primary sliver 1 and secondary sliver 2.
    const forSecondary = recoverySymbolsFor(metadata, blobId, n, [primary[0], primary[3]], "secondary", [2]);
    expect(forSecondary).toHaveLength(2);
    const secondaryOutcome = recoverFromSymbols(metadata, blobId, n, "secondary", 2, forSecondary);
    expect(secondaryOutcome).toEqual({ kind: "recovered", sliver: secondary[2] });
    const forPrimary = recoverySymbolsFor(metadata, blobId, n, [secondary[0], secondary[3]], "primary", [1]);
    expect(recoverFromSymbols(metadata, blobId, n, "primary", 1, forPrimary)).toEqual({
      kind: "notEnoughSymbols",
      have: 2,
      need: 3,
    });
    const third = recoverySymbolsFor(metadata, blobId, n, [secondary[2]], "primary", [1]);
    expect(recoverFromSymbols(metadata, blobId, n, "primary", 1, [...forPrimary, ...third])).toEqual({
      kind: "recovered",
      sliver: primary[1],
    });
    // Symbols for another target, or unknown references, are skipped.
    expect(recoverFromSymbols(metadata, blobId, n, "primary", 0, [...forPrimary, ...third, REF]).kind).toBe(
      "notEnoughSymbols",
    );
  });

  it("the chain's check: the blob ID derives from the root hash and the size", () => {
    const root = Buffer.from(encoded.rootHash).toString("hex");
    expect(blobIdDerivesFromRootHash(blobId, blob.length, root)).toBe(true);
    expect(blobIdDerivesFromRootHash(blobId, blob.length + 1, root)).toBe(false);
    expect(blobIdDerivesFromRootHash(blobId, blob.length, "00".repeat(32))).toBe(false);
    expect(blobIdDerivesFromRootHash(blobId, blob.length, "not hex")).toBe(false);
  });
});
