/**
 * What a storage node holds of the storage challenge (paper §5, the fully asynchronous challenge),
 * and what the rest of the node asks of it: the `challenge` record of the node's context (who is in
 * challenge mode, whose symbols verified, the signatures for this node, a cheater's slivers read
 * back), its value at the start from the node's input, the blobs challenged of each node (all of
 * them, or in the lightweight variant the coin's picks, spec/challenge-coin.ts), and whether the
 * node withholds its answer to a request (`serving.ts` asks) and logs the answers it gave in
 * challenge mode (the properties read the log).
 *
 * The region that changes this record, with its guards and actions, is `challenge.ts`; the codec
 * work of the challenge (the symbols owed and their check, a cheater's blob read back and encoded
 * again) is `challenge-codec.ts`.
 *
 * Follows paper §5 (steps 1 and 6: a node in challenge mode withholds the challenged blobs until
 * the end). The implementation has none (walrus-protocol.md §5.3).
 */

import { coinFromSeed, selectChallengedBlobs } from "../../spec/challenge-coin.js";
import type { Axis } from "../../spec/codec/slivers.js";
import { blobIdFromString } from "../../spec/commitments/blob-id.js";
import { InvalidParametersError } from "../../spec/errors.js";
import type { ActorName, BlobIdText, ChallengeStart, ChallengeSymbols } from "../../spec/messages.js";
import type { ByteRef } from "../../spec/store.js";
import { sortedSet } from "../committee.js";
import type { BlobAtNode, HeldRequest, InOrder, StorageNodeContext, StorageNodeInput } from "./context.js";
import { holdsEverything } from "./slivers.js";

/** How a deleted node rebuilds the slivers it threw away (see `challenge.ts`). */
export type RebuildBy = "recovery" | "primaryRead" | "secondaryRead" | "none";

/** Whether the node holds its slivers, and if it threw some away, which and how it rebuilds them. */
export interface ChallengeInput {
  /** `storing`: holds its slivers; `deleted`: threw them away (default `storing`). */
  readonly behaviour?: "storing" | "deleted";
  /** The blobs a deleted node threw away (default every one). */
  readonly deletedBlobs?: readonly BlobIdText[];
  /** How a deleted node rebuilds its slivers (default `recovery`). */
  readonly rebuildBy?: RebuildBy;
  /**
   * Whether this node's own challenge is played out (default true). A model that follows one
   * node's challenge lets the others only ack, check and sign, and leaves their certificates to
   * the chain's environment.
   */
  readonly answers?: boolean;
}

/** The blobs challenged of one node. */
export interface ChallengedOf {
  readonly node: ActorName;
  readonly blobIds: readonly BlobIdText[];
}

/** The node's input for the challenge with its progress through it. */
export interface ChallengeAtNode extends Required<ChallengeInput> {
  /** The blobs challenged of each node, by node, once the challenge started here. */
  readonly challenged: readonly ChallengedOf[];
  /** Whether the node withholds the challenged blobs: set on entering challenge mode, cleared on leaving it. */
  readonly withholding: boolean;
  /** Nodes known in challenge mode (this one first), sorted. */
  readonly acks: readonly ActorName[];
  /** Nodes whose symbols verified: node → blobs verified. */
  readonly verified: readonly ChallengedOf[];
  /** Symbols that came before this node could check them (it checks once the challenge began here), sorted. */
  readonly pendingSymbols: readonly ChallengeSymbols[];
  /** Signatures for this node (its own first once it answered), sorted. */
  readonly signatures: readonly ActorName[];
  /** A deleted node's slivers read back, by blob (the order of the node's blobs), sorted. */
  readonly readSlivers: readonly (readonly ByteRef[])[];
  /** Blobs this node answered a read or recovery request for while in challenge mode, sorted. */
  readonly answeredInChallenge: readonly BlobIdText[];
}

/** The challenge's part of the node's context (a node built with `challenge` has one). */
export function challengeOf(context: StorageNodeContext): ChallengeAtNode {
  if (context.challenge === undefined) {
    throw new InvalidParametersError(`${context.name}: a challenge step at a node built without the challenge region`);
  }
  return context.challenge;
}

/** The challenge at the start, from the node's input: nothing acked, signed or answered yet. */
export function initialChallenge(input: StorageNodeInput): ChallengeAtNode {
  const { behaviour = "storing", deletedBlobs, rebuildBy = "recovery", answers = true } = input.challenge ?? {};
  const unknown = (deletedBlobs ?? []).filter((id) => !input.blobIds.includes(id));
  if (unknown.length > 0 || (deletedBlobs !== undefined && deletedBlobs.length > 0 && behaviour !== "deleted")) {
    throw new InvalidParametersError(
      `${input.name}: deletedBlobs names blobs the node holds, and only for a deleted node (got ${JSON.stringify(deletedBlobs)})`,
    );
  }
  return {
    behaviour,
    deletedBlobs: deletedBlobs ?? (behaviour === "deleted" ? [...input.blobIds] : []),
    rebuildBy,
    answers,
    challenged: [],
    withholding: false,
    acks: [],
    verified: [],
    pendingSymbols: [],
    signatures: [],
    readSlivers: input.blobIds.map(() => []),
    answeredInChallenge: [],
  };
}

/** The blobs challenged of `node` (none before the challenge started here). */
export const challengedOf = (challenge: ChallengeAtNode, node: ActorName): readonly BlobIdText[] =>
  challenge.challenged.find((entry) => entry.node === node)?.blobIds ?? [];

/** Whether the blob is challenged of some node. */
export const challengedOfAny = (challenge: ChallengeAtNode, blobId: BlobIdText): boolean =>
  challenge.challenged.some((entry) => entry.blobIds.includes(blobId));

/**
 * Whether the node withholds its answer to the request: in challenge mode, a read or recovery
 * request about a blob challenged of some node (paper §5, step 1).
 */
export function withholds(context: StorageNodeContext, request: HeldRequest): boolean {
  const challenge = context.challenge;
  return (
    challenge?.withholding === true &&
    (request.type === "ReadRequest" || request.type === "RecoverySymbolRequest") &&
    challengedOfAny(challenge, request.blobId)
  );
}

/**
 * The log of blobs answered in challenge mode with the answers to `answered` added, whichever
 * path answers: the properties read it to see that no challenged blob was served.
 */
export function withAnswersLogged(
  context: StorageNodeContext,
  answered: readonly HeldRequest[],
): Pick<StorageNodeContext, "challenge"> | Record<string, never> {
  const challenge = context.challenge;
  const blobIds = answered.flatMap((request) =>
    request.type === "ReadRequest" || request.type === "RecoverySymbolRequest" ? [request.blobId] : [],
  );
  if (challenge === undefined || !challenge.withholding || blobIds.length === 0) return {};
  return {
    challenge: { ...challenge, answeredInChallenge: sortedSet([...challenge.answeredInChallenge, ...blobIds]) },
  };
}

/**
 * The blobs challenged of every member: all of them in the full challenge; in the lightweight
 * variant the coin's picks among the blobs in ascending blob-ID order (of the IDs' bytes, as the
 * blobs are keyed on chain and in storage, not the base64 text's order).
 */
export function challengedBlobs(context: StorageNodeContext, notice: InOrder<ChallengeStart>): ChallengedOf[] {
  const ids = context.blobs
    .map((blob) => blob.blobId)
    .sort((x, y) => Buffer.compare(blobIdFromString(x), blobIdFromString(y)));
  return context.committee.members.map(({ name }) => {
    if (notice.coin === undefined || notice.challenged === undefined) return { node: name, blobIds: ids };
    const picks = selectChallengedBlobs(coinFromSeed(notice.coin), name, ids.length, notice.challenged);
    return { node: name, blobIds: picks.map((i) => ids[i] as BlobIdText) };
  });
}

/** Whether this is a deleted node's blob it threw away and does not hold again yet. */
export const thrownAway = (context: StorageNodeContext, blob: BlobAtNode) =>
  challengeOf(context).deletedBlobs.includes(blob.blobId) && !holdsEverything(blob);

/** The axis a deleted node reads its blobs back from, if it rebuilds by reading. */
export const readAxis = (challenge: ChallengeAtNode): Axis | null =>
  challenge.rebuildBy === "primaryRead" ? "primary" : challenge.rebuildBy === "secondaryRead" ? "secondary" : null;
