/**
 * The codec work of the storage challenge at a node (paper §5, steps 3 and 4), on the node's blobs
 * by reference: the symbols a node owes another for a blob (`challengeSymbols`), the check of the
 * symbols another node sent (`symbolsProve`), and a deleted node's blob rebuilt from slivers read
 * back (`reread`). The challenge region (`challenge.ts`) calls them from its actions and guards.
 *
 * The symbols node i sends node j, for every blob: the symbols of i's primary slivers at the
 * positions of j's secondary slivers (symbol (i, j) of the expanded matrix, which j's secondary
 * sliver also holds), each with its opening. They are the recovery symbols j would ask for its
 * secondary slivers (`slivers.ts` computes both); computing them takes i's primary slivers, which
 * take n − f symbols to rebuild: the high threshold (spec/challenge-symbols.ts).
 *
 * Follows paper §5 (steps 3 and 4 of the fully asynchronous challenge) and, for the read back, the
 * reader's decoding (paper §3, as `reader.ts` does it with `readBlob`). The implementation has no
 * challenge (walrus-protocol.md §5.3).
 */

import { HIGH_THRESHOLD_ONLY, type SharedSymbol, sharedSymbols } from "../../spec/challenge-symbols.js";
import type { Axis } from "../../spec/codec/slivers.js";
import type { ActorName, ChallengeSymbols } from "../../spec/messages.js";
import type { ByteRef } from "../../spec/store.js";
import { challengedSymbolsVerify, pairOfShard, readBlob, reencodedSlivers } from "../codec.js";
import { memberOf } from "../committee.js";
import type { BlobAtNode, StorageNodeContext } from "./context.js";
import { nOf } from "./context.js";
import { recoverySymbolsOf, sliverIndexAt } from "./slivers.js";

/** The symbols this node owes `node` for the blob: the recovery symbols of `node`'s secondary slivers. */
export function challengeSymbols(context: StorageNodeContext, blob: BlobAtNode, node: ActorName): ByteRef[] {
  const n = nOf(context);
  const secondary = (memberOf(context.committee, node)?.shards ?? []).map((shard) =>
    sliverIndexAt(blob.blobId, shard, "secondary", n),
  );
  return recoverySymbolsOf(blob, { primary: [], secondary }, ["secondary"], n);
}

/**
 * Whether `message` proves its sender holds its primary slivers of the blob: for each of the
 * sender's primary slivers and each of this node's secondary slivers, the exact cell the two share,
 * opening against the metadata, and nothing more.
 */
export function symbolsProve(context: StorageNodeContext, message: ChallengeSymbols): boolean {
  const blob = context.blobs.find((b) => b.blobId === message.blobId);
  const sender = memberOf(context.committee, message.node);
  if (blob === undefined || blob.metadata === null || sender === undefined) return false;
  const n = nOf(context);
  const expected = sender.shards.flatMap((shard) =>
    blob.slivers.map(
      (own) =>
        sharedSymbols(
          n,
          pairOfShard(blob.blobId, shard, n),
          pairOfShard(blob.blobId, own.shard, n),
          HIGH_THRESHOLD_ONLY,
        )[0] as SharedSymbol,
    ),
  );
  return challengedSymbolsVerify(blob.metadata, blob.blobId, n, expected, message.symbols);
}

/** The blob's slots filled from the slivers read back: the blob decoded, then encoded again (unchanged until it decodes). */
export function reread(
  context: StorageNodeContext,
  blob: BlobAtNode,
  axis: Axis,
  slivers: readonly ByteRef[],
): BlobAtNode {
  const n = nOf(context);
  if (blob.metadata === null) return blob;
  const outcome = readBlob(blob.metadata, blob.blobId, n, axis, slivers, "default");
  if (outcome.kind !== "decoded") return blob;
  const mine = (slot: { shard: number }, target: Axis) =>
    reencodedSlivers(outcome.blob, n, target, [sliverIndexAt(blob.blobId, slot.shard, target, n)])[0] as ByteRef;
  return {
    ...blob,
    slivers: blob.slivers.map((slot) => ({
      ...slot,
      primary: mine(slot, "primary"),
      secondary: mine(slot, "secondary"),
    })),
  };
}
