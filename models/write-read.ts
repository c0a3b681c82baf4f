/**
 * One blob written by an honest writer and read by one reader, over the real codec: the chain, the
 * writer, the storage nodes and the reader as the machines of machines/, exchanging the messages of
 * spec/messages.ts. The blob is encoded once, when the model is built (spec/ `encodeBlob`), and
 * every sliver, symbol and proof in a state is a reference to real bytes.
 *
 * Configuration: n shards over the nodes (default 4 nodes of one shard: f = 1), a blob of a few
 * dozen bytes, an unordered reliable network. By default the reader starts when it sees the
 * blob's certification (after the point of availability, where the paper's validity and the
 * docs' availability speak); `start: "immediately"` makes it race the write. Faults, within the
 * adversary's budget of f shards: any one node may crash at any point; or one node is Byzantine
 * from the start and sends nothing but what its menu holds:
 * - `confirmWithoutStoring`: a storage confirmation to the writer for its shards;
 * - `corruptSliver`: a sliver response to the reader whose sliver fails its Merkle check;
 * - `corruptSymbols`: recovery symbols whose proofs fail, to every other node;
 * - `wrongMetadata`: metadata of another blob, to the reader and every other node.
 * Withholding (sending nothing at all) is what a Byzantine node does when it sends nothing from
 * its menu.
 *
 * Bounds that keep the space finite: one blob, one reader; every request is answered once; chain
 * events are sent once to each subscriber.
 */

import { ActorModel, type AdversarySpec, type NetworkKind, type NetworkSpec, type SystemState } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { type Axis, type Sliver, encodeBlob, orthogonal, sliverIndexOf } from "../spec/index.js";
import { blobIdToString } from "../spec/commitments/blob-id.js";
import { encodeMetadataWithId } from "../spec/bcs.js";
import { maxFaulty } from "../spec/params.js";
import { type ByteRef, putBytes } from "../spec/store.js";
import { type Subscriber, chainMachine } from "../machines/chain.js";
import { CHAIN, type Committee, type Outgoing } from "../machines/committee.js";
import { pairOfShard, putRecoverySymbol, putSliver } from "../machines/codec.js";
import { readerMachine, type ReaderInput } from "../machines/reader.js";
import { storageNodeMachine } from "../machines/storage-node.js";
import { writerMachine, type WriterInput } from "../machines/writer.js";
import { type WriteReadLayout, writeReadProperties } from "../properties/write-read.js";
import { RecoverySymbolSource, encodingParams } from "../spec/index.js";

/** What a Byzantine node may send. */
export type ByzantineBehaviour = "confirmWithoutStoring" | "corruptSliver" | "corruptSymbols" | "wrongMetadata";

export interface WriteReadOptions {
  /** The blob (default: 40 bytes of text). */
  readonly blob?: Uint8Array;
  /** Shards of each node (its length is the number of nodes); default four nodes of one shard. */
  readonly shards?: readonly number[];
  /** The reader's axis (default `primary`), consistency check (default `default`) and start. */
  readonly reader?: Partial<Pick<ReaderInput, "axis" | "consistency" | "start">>;
  /** Any one node may crash at any point (the adversary's budget is f shards). */
  readonly crash?: boolean;
  /** A Byzantine node (by index) and its menu. */
  readonly byzantine?: { readonly node: number; readonly behaviours: readonly ByzantineBehaviour[] };
  /** The adversary's budget in shards; default f. */
  readonly budget?: number;
  readonly network?: NetworkKind | NetworkSpec;
  /**
   * Also check write completeness and what nodes store at the point of availability. They read
   * every node, which leaves partial-order reduction little to reorder.
   */
  readonly nodeProperties?: boolean;
  /** Check the point of availability and the certificate (they read the chain). Default true. */
  readonly chainProperties?: boolean;
  /** Keep exploring after the reader has returned (by default the search stops there). */
  readonly exploreAfterRead?: boolean;
  /** Leave the reader out: a model of the write alone. */
  readonly writeOnly?: boolean;
}

/** The default blob: short enough for n = 4 to give 2-byte symbols… of 40 bytes. */
export const DEFAULT_BLOB = new TextEncoder().encode("Walrus: one blob, written once, read back");

const WRITER = "writer";
const READER = "reader";

/** A copy of the sliver with its first symbol's bits flipped: right size and index, wrong contents. */
function corrupt<T extends { readonly data: Uint8Array }>(value: T, bytes: number): T {
  const data = value.data.slice();
  for (let b = 0; b < Math.min(bytes, data.length); b++) data[b] ^= 0xff;
  return { ...value, data };
}

/** The write-read model. */
export function writeRead(options: WriteReadOptions = {}): ActorModel {
  const shardCounts = options.shards ?? [1, 1, 1, 1];
  const n = shardCounts.reduce((a, b) => a + b, 0);
  if (shardCounts.some((s) => !Number.isInteger(s) || s < 1) || n < 4) {
    throw new ModelError("write-read: every node holds at least one shard, and there are at least 4 shards");
  }
  const f = maxFaulty(n);
  const names = shardCounts.map((_, i) => `N${i}`);
  let next = 0;
  const committee: Committee = {
    epoch: 1,
    nShards: n,
    members: shardCounts.map((count, i) => ({
      name: names[i],
      shards: Array.from({ length: count }, () => next++),
    })),
  };

  // The blob, encoded with the real codec; every state refers to these bytes.
  const blob = options.blob ?? DEFAULT_BLOB;
  const encoded = encodeBlob(blob, n);
  const blobId = blobIdToString(encoded.blobId);
  const metadata = putBytes(encodeMetadataWithId({ blobId: encoded.blobId, metadata: encoded.metadata }));
  const writerInput: WriterInput = {
    name: WRITER,
    committee,
    blobId,
    size: blob.length,
    rootHash: Buffer.from(encoded.rootHash).toString("hex"),
    metadata,
    primary: encoded.primarySlivers.map(putSliver),
    secondary: encoded.secondarySlivers.map(putSliver),
  };
  const readerInput: ReaderInput = {
    name: READER,
    committee,
    blobId,
    axis: options.reader?.axis ?? "primary",
    consistency: options.reader?.consistency ?? "default",
    start: options.reader?.start ?? "afterCertification",
  };

  // The adversary.
  const byzantine = options.byzantine;
  if (byzantine !== undefined && !(Number.isInteger(byzantine.node) && byzantine.node >= 0 && byzantine.node < names.length)) {
    throw new ModelError(`write-read: no node ${byzantine.node}`);
  }
  const menu = (): Outgoing[] => {
    if (byzantine === undefined) return [];
    const member = committee.members[byzantine.node];
    const node = member.name;
    const slivers = (axis: Axis): Sliver[] =>
      member.shards.map((shard) => {
        const index = sliverIndexOf(axis, pairOfShard(blobId, shard, n), n);
        return (axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers)[index];
      });
    const others = committee.members.filter((m) => m.name !== node);
    const wrongMetadata = (() => {
      const other = encodeBlob(new TextEncoder().encode("not the blob that was written"), n);
      return putBytes(encodeMetadataWithId({ blobId: other.blobId, metadata: other.metadata }));
    })();
    const messages: Outgoing[] = [];
    for (const behaviour of byzantine.behaviours) {
      switch (behaviour) {
        case "confirmWithoutStoring":
          messages.push({ to: WRITER, type: "StorageConfirmation", node, epoch: committee.epoch, blobId, shards: member.shards });
          break;
        case "corruptSliver":
          messages.push({
            to: READER,
            type: "SliverResponse",
            node,
            blobId,
            axis: readerInput.axis,
            slivers: slivers(readerInput.axis).map((s) => putSliver(corrupt(s, encoded.symbolSize))),
          });
          break;
        case "corruptSymbols":
          for (const other of others) {
            for (const target of ["secondary", "primary"] as const) {
              const targets = other.shards.map((shard) => sliverIndexOf(target, pairOfShard(blobId, shard, n), n));
              const symbols = slivers(orthogonal(target)).flatMap((source) => {
                const server = new RecoverySymbolSource(encodingParams(n), source);
                return targets.map((t) => putRecoverySymbol(corrupt(server.symbolFor(t), encoded.symbolSize)));
              });
              messages.push({ to: other.name, type: "RecoverySymbolResponse", node, blobId, target, symbols });
            }
          }
          break;
        case "wrongMetadata":
          for (const to of [READER, ...others.map((m) => m.name)]) {
            messages.push({ to, type: "MetadataResponse", node, blobId, metadata: wrongMetadata });
          }
          break;
      }
    }
    return messages;
  };
  const adversary: AdversarySpec | undefined =
    byzantine !== undefined || options.crash
      ? {
          budget: options.budget ?? f,
          crash: options.crash ? names : [],
          byzantine: byzantine === undefined ? [] : [names[byzantine.node]],
          menu: byzantine === undefined ? {} : { [names[byzantine.node]]: menu() },
        }
      : undefined;

  const all = ["BlobRegistered", "BlobCertified", "InvalidBlobID"] as const;
  const subscribers: Subscriber[] = [
    { name: WRITER, events: ["BlobRegistered", "BlobCertified"] },
    ...names.map((name) => ({ name, events: all })),
    ...(options.writeOnly ? [] : [{ name: READER, events: ["BlobCertified" as const] }]),
  ];
  const actors = [
    { name: CHAIN, machine: chainMachine, input: { committee, subscribers }, sendsTo: subscribers.map((s) => s.name) },
    { name: WRITER, machine: writerMachine, input: writerInput, sendsTo: [CHAIN, ...names] },
    ...committee.members.map((member) => ({
      name: member.name,
      machine: storageNodeMachine,
      input: { name: member.name, committee, blobId },
      shards: member.shards.length,
      sendsTo: [WRITER, ...(options.writeOnly ? [] : [READER]), ...names.filter((name) => name !== member.name)],
    })),
    ...(options.writeOnly ? [] : [{ name: READER, machine: readerMachine, input: readerInput, sendsTo: names }]),
  ];
  const layout: WriteReadLayout = {
    chain: CHAIN,
    writer: WRITER,
    ...(options.writeOnly ? {} : { reader: READER }),
    nodes: names,
    index: (name) => actors.findIndex((actor) => actor.name === name),
    committee,
    blob: putBytes(blob) as ByteRef,
  };
  const faults = [
    options.crash ? "crash" : "",
    byzantine ? `byzantine ${names[byzantine.node]} (${byzantine.behaviours.join(", ")})` : "",
  ].filter(Boolean);
  const model = new ActorModel({
    name: `write-read(${shardCounts.join(",")}${faults.length > 0 ? `; ${faults.join("; ")}` : ""})`,
    network: options.network ?? "unordered",
    actors,
    ...(adversary ? { adversary } : {}),
    properties: writeReadProperties(layout, { nodes: options.nodeProperties ?? false, chain: options.chainProperties ?? true }),
  });
  if (options.writeOnly || options.nodeProperties || options.exploreAfterRead) return model;
  // Once the reader has returned, nothing any property reads can change any more (the reader and
  // the chain are in final states): the states beyond are not expanded.
  const reader = layout.index(READER);
  return Object.assign(model, {
    withinBoundary: (state: SystemState) => {
      const value = model.view(state).actors[reader].value;
      return value !== "succeeded" && value !== "failed";
    },
  });
}
