/**
 * The storage challenge at a node (paper §5, the fully asynchronous challenge): a region of the
 * node built with `challenge`, in challenge mode from the chain's `ChallengeStart` to its
 * `ChallengeEnd` (both taken in chain order through the cursor). In challenge mode the node
 * withholds reads and recovery of the challenged blobs (`serving.ts` asks `withholds`), tells every
 * other node (step 1), and once nodes holding 2f + 1 shards are in challenge mode (step 2) sends
 * each of them the symbols they share of every blob challenged of it (step 3), signs for each node
 * whose symbols verify (step 4) and posts a certificate once its own signatures weigh 2f + 1
 * (step 5). After the end it serves every blob again (step 6). The region has two parts side by
 * side: `mode` (`idle` → `challenged` → `ended`) and `proof` (`awaitingStart` → `proving` →
 * `proven` → `certified`, with the check of the others' symbols beside it).
 *
 * - in: `chain.ChallengeStart`, `chain.ChallengeEnd` (from the cursor); `ChallengeAck`,
 *   `ChallengeSymbols`, `ChallengeSignature` from nodes; `ReadResponse` to a cheater's read;
 * - out: `ChallengeAck`, `ChallengeSymbols`, `ChallengeSignature` to nodes, `ChallengeCertificate`
 *   to the chain; a cheater's `ReadRequest`s.
 *
 * The symbols node i sends node j, for every blob: the symbols of i's primary slivers at the
 * positions of j's secondary slivers (symbol (i, j) of the expanded matrix, which j's secondary
 * sliver also holds), each with its opening. They are the recovery symbols j would ask for its
 * secondary slivers (`slivers.ts` computes both); computing them takes i's primary slivers, which
 * take n − f symbols to rebuild: the high threshold.
 *
 * Two kinds of node (`behaviour`). A `storing` node holds its slivers. A `deleted` node threw its
 * slivers away (`deletedBlobs`, default all) and, seeing the challenge start, tries what the paper
 * says cannot work: it rebuilds them from whoever still serves, then answers like the others
 * (`rebuildBy`): by recovery, the node's own healing (`storage.ts`: secondary slivers from n − 2f
 * symbols, then primary ones from n − f), which it puts off until then; or by reading the blob back
 * and encoding it again, from n − 2f primary slivers (the implementation's read, `primaryRead`) or
 * n − f secondary ones (the paper's, `secondaryRead`); or not at all (`none`), hoping the coin
 * misses what it threw away.
 *
 * The lightweight variant: the chain's `ChallengeStart` names a coin and a count k, and every node
 * derives from them the k blobs challenged of each node (spec/challenge-coin.ts). A node answers
 * and is checked for its challenged blobs only, and withholds only the blobs challenged of some
 * node: the others stay readable.
 *
 * Follows paper §5 (steps 1–7 of the fully asynchronous challenge, "why timing tricks do not
 * help"). The implementation has none (walrus-protocol.md §5.3). Acks, signatures and certificates
 * are names over authenticated channels, as elsewhere in the spec.
 */

import { and, assign, enqueueActions } from "xstate";
import { coinFromSeed, selectChallengedBlobs } from "../../spec/challenge-coin.js";
import { HIGH_THRESHOLD_ONLY, type SharedSymbol, sharedSymbols } from "../../spec/challenge-symbols.js";
import type { Axis } from "../../spec/codec/slivers.js";
import { blobIdFromString } from "../../spec/commitments/blob-id.js";
import { InvalidParametersError } from "../../spec/errors.js";
import type { ActorName, BlobIdText, ChallengeStart, ChallengeSymbols } from "../../spec/messages.js";
import { isQuorum } from "../../spec/params.js";
import type { ByteRef } from "../../spec/store.js";
import { challengedSymbolsVerify, pairOfShard, readBlob, reencodedSlivers } from "../codec.js";
import { CHAIN, memberOf, sortedSet, weightOf, withName } from "../committee.js";
import type {
  BlobAtNode,
  BlobParams,
  GuardArgs,
  HeldRequest,
  InOrder,
  NodeAction,
  StorageNodeContext,
  StorageNodeInput,
} from "./context.js";
import { blobAt, nOf } from "./context.js";
import { holdsEverything, recoverySymbolsOf, sliverIndexAt } from "./slivers.js";

/** How a deleted node rebuilds the slivers it threw away (see the header). */
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

type Args = GuardArgs;

/** The challenge's part of the node's context (a node built with `challenge` has one). */
function challengeOf(context: StorageNodeContext): ChallengeAtNode {
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
function challengedBlobs(context: StorageNodeContext, notice: InOrder<ChallengeStart>): ChallengedOf[] {
  const ids = context.blobs
    .map((blob) => blob.blobId)
    .sort((x, y) => Buffer.compare(blobIdFromString(x), blobIdFromString(y)));
  return context.committee.members.map(({ name }) => {
    if (notice.coin === undefined || notice.challenged === undefined) return { node: name, blobIds: ids };
    const picks = selectChallengedBlobs(coinFromSeed(notice.coin), name, ids.length, notice.challenged);
    return { node: name, blobIds: picks.map((i) => ids[i] as BlobIdText) };
  });
}

/** The symbols this node owes `node` for the blob: the recovery symbols of `node`'s secondary slivers. */
function challengeSymbols(context: StorageNodeContext, blob: BlobAtNode, node: ActorName): ByteRef[] {
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
function symbolsProve(context: StorageNodeContext, message: ChallengeSymbols): boolean {
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

/** Whether this is a deleted node's blob it threw away and does not hold again yet. */
const thrownAway = (context: StorageNodeContext, blob: BlobAtNode) =>
  challengeOf(context).deletedBlobs.includes(blob.blobId) && !holdsEverything(blob);

/** The axis a deleted node reads its blobs back from, if it rebuilds by reading. */
const readAxis = (challenge: ChallengeAtNode): Axis | null =>
  challenge.rebuildBy === "primaryRead" ? "primary" : challenge.rebuildBy === "secondaryRead" ? "secondary" : null;

/** The blob's slots filled from the slivers read back: the blob decoded, then encoded again (unchanged until it decodes). */
function reread(context: StorageNodeContext, blob: BlobAtNode, axis: Axis, slivers: readonly ByteRef[]): BlobAtNode {
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

/** The challenge's guards. */
export const challengeGuards = {
  /**
   * A deleted node leaves a blob it threw away unhealed: for good if it rebuilds by reading or not
   * at all, until it sees the challenge start if it rebuilds by recovery (a cheater spends nothing
   * before it must).
   */
  leftUnhealed: ({ context }: Args, params: BlobParams) => {
    const challenge = context.challenge;
    if (challenge === undefined || !challenge.deletedBlobs.includes(blobAt(context, params).blobId)) return false;
    return challenge.rebuildBy !== "recovery" || challenge.challenged.length === 0;
  },
  /** 2f + 1 shards' worth of nodes are in challenge mode: the challenge has begun here (step 2). */
  challengeBegun: ({ context }: Args) => isQuorum(weightOf(context.committee, challengeOf(context).acks), nOf(context)),
  /** This node's challenge is played out and it holds every blob challenged of it (a deleted node once it rebuilt it). */
  canAnswer: ({ context }: Args) => {
    const challenge = challengeOf(context);
    const mine = challengedOf(challenge, context.name);
    return challenge.answers && context.blobs.every((blob) => !mine.includes(blob.blobId) || holdsEverything(blob));
  },
  /** Symbols from other nodes wait to be checked. */
  symbolsToCheck: ({ context }: Args) => challengeOf(context).pendingSymbols.length > 0,
  /** The signatures for this node weigh 2f + 1 shards. */
  signaturesSuffice: ({ context }: Args) =>
    isQuorum(weightOf(context.committee, challengeOf(context).signatures), nOf(context)),
  /** Slivers read back for a blob this deleted node threw away, on the axis it reads. */
  rereadAnswer: ({ context, event }: Args) => {
    if (event.type !== "ReadResponse") return false;
    const axis = readAxis(challengeOf(context));
    const blob = context.blobs.find((b) => b.blobId === event.blobId);
    return axis === event.axis && blob !== undefined && thrownAway(context, blob);
  },
};

/** The challenge's actions. */
export const challengeActions: Record<
  | "recordChallengedBlobs"
  | "withholdChallengedBlobs"
  | "broadcastAck"
  | "requestSliversToReread"
  | "recordAck"
  | "holdSymbols"
  | "checkSymbols"
  | "sendChallengeSymbols"
  | "recordSignature"
  | "postCertificate"
  | "takeReadSlivers"
  | "serveChallengedBlobs",
  NodeAction
> = {
  /** The blobs challenged of every member, from the chain's notice (and its coin). */
  recordChallengedBlobs: assign(({ context, event }) =>
    event.type === "chain.ChallengeStart"
      ? { challenge: { ...challengeOf(context), challenged: challengedBlobs(context, event) } }
      : {},
  ),
  /** Step 1: from now on no read or recovery of a challenged blob is answered. */
  withholdChallengedBlobs: assign(({ context }) => ({ challenge: { ...challengeOf(context), withholding: true } })),
  /** Step 1: tell every other node this one is in challenge mode; it counts itself. */
  broadcastAck: enqueueActions(({ context, enqueue }) => {
    for (const member of context.committee.members) {
      if (member.name === context.name) continue;
      enqueue({ type: "send", params: { to: member.name, type: "ChallengeAck", node: context.name } });
    }
    const challenge = challengeOf(context);
    enqueue.assign({ challenge: { ...challenge, acks: withName(challenge.acks, context.name) } });
  }),
  /** A deleted node that rebuilds by reading asks every other node for the slivers of each blob it threw away. */
  requestSliversToReread: enqueueActions(({ context, enqueue }) => {
    const axis = readAxis(challengeOf(context));
    if (axis === null) return;
    for (const blob of context.blobs.filter((b) => thrownAway(context, b))) {
      for (const member of context.committee.members) {
        if (member.name === context.name) continue;
        enqueue({
          type: "send",
          params: { to: member.name, type: "ReadRequest", from: context.name, blobId: blob.blobId, axis },
        });
      }
    }
  }),
  /** Another node is in challenge mode. */
  recordAck: assign(({ context, event }) => {
    const challenge = challengeOf(context);
    return event.type === "ChallengeAck"
      ? { challenge: { ...challenge, acks: withName(challenge.acks, event.node) } }
      : {};
  }),
  /** Keep another node's symbols until the challenge has begun here. */
  holdSymbols: assign(({ context, event }) => {
    const challenge = challengeOf(context);
    return event.type === "ChallengeSymbols"
      ? { challenge: { ...challenge, pendingSymbols: sortedSet([...challenge.pendingSymbols, event]) } }
      : {};
  }),
  /** Step 4: check the symbols held; sign for a node once every blob challenged of it verified. */
  checkSymbols: enqueueActions(({ context, enqueue }) => {
    const challenge = challengeOf(context);
    let verified = challenge.verified;
    for (const message of challenge.pendingSymbols) {
      const owed = challengedOf(challenge, message.node);
      if (!owed.includes(message.blobId) || !symbolsProve(context, message)) continue;
      const before = verified.find((v) => v.node === message.node)?.blobIds ?? [];
      const blobIds = [...new Set([...before, message.blobId])].sort();
      verified = [...verified.filter((v) => v.node !== message.node), { node: message.node, blobIds }].sort((a, b) =>
        a.node < b.node ? -1 : 1,
      );
      if (owed.every((b) => blobIds.includes(b)) && !owed.every((b) => before.includes(b))) {
        enqueue({
          type: "send",
          params: { to: message.node, type: "ChallengeSignature", node: context.name, for: message.node },
        });
      }
    }
    enqueue.assign({ challenge: { ...challenge, verified, pendingSymbols: [] } });
  }),
  /** Step 3: the shared symbols of every blob challenged of this node to every other node; it signs for itself. */
  sendChallengeSymbols: enqueueActions(({ context, enqueue }) => {
    const challenge = challengeOf(context);
    const mine = challengedOf(challenge, context.name);
    for (const member of context.committee.members) {
      if (member.name === context.name) continue;
      for (const blob of context.blobs.filter((b) => mine.includes(b.blobId))) {
        enqueue({
          type: "send",
          params: {
            to: member.name,
            type: "ChallengeSymbols",
            node: context.name,
            blobId: blob.blobId,
            symbols: challengeSymbols(context, blob, member.name),
          },
        });
      }
    }
    enqueue.assign({ challenge: { ...challenge, signatures: withName(challenge.signatures, context.name) } });
  }),
  /** Another node signed for this one. */
  recordSignature: assign(({ context, event }) => {
    const challenge = challengeOf(context);
    return event.type === "ChallengeSignature"
      ? { challenge: { ...challenge, signatures: withName(challenge.signatures, event.node) } }
      : {};
  }),
  /** Step 5: the certificate of 2f + 1 signatures to the chain. */
  postCertificate: enqueueActions(({ context, enqueue }) => {
    const signers = challengeOf(context).signatures;
    enqueue({ type: "send", params: { to: CHAIN, type: "ChallengeCertificate", node: context.name, signers } });
  }),
  /** A deleted node keeps the slivers read back, and rebuilds the blob once they decode it. */
  takeReadSlivers: assign(({ context, event }) => {
    const challenge = challengeOf(context);
    const axis = readAxis(challenge);
    if (event.type !== "ReadResponse" || axis === null) return {};
    const b = context.blobs.findIndex((blob) => blob.blobId === event.blobId);
    const slivers = [...new Set([...(challenge.readSlivers[b] ?? []), ...(event.slivers ?? [])])].sort();
    const blob = reread(context, context.blobs[b] as BlobAtNode, axis, slivers);
    // Once the blob is rebuilt the slivers read are of no further use.
    const kept = holdsEverything(blob) ? [] : slivers;
    return {
      blobs: context.blobs.map((at, i) => (i === b ? blob : at)),
      challenge: { ...challenge, readSlivers: challenge.readSlivers.map((list, i) => (i === b ? kept : list)) },
    };
  }),
  /** Step 6: every blob is served again. */
  serveChallengedBlobs: assign(({ context }) => ({ challenge: { ...challengeOf(context), withholding: false } })),
};

/** What other nodes send is kept from the start: a node may hear of the challenge from them first. */
const fromPeer = and(["wellFormed", "fromPeer"]);

/** Step 4, beside every step of the node's own proof once the challenge has begun here. */
const checkOthers = { guard: and(["challengeBegun", "symbolsToCheck"]), actions: "checkSymbols" } as const;

/**
 * The challenge region, two regions side by side: `mode`, `idle` until the start is processed,
 * `challenged` (challenge mode: the challenged blobs withheld, step 1) until the end is, then
 * `ended` (step 6); and `proof`, the node's own proof (steps 2, 3 and 5: `proving` → `proven` →
 * `certified`) beside its check of the others' (step 4). The proof goes on after the end: a late
 * certificate is refused by the chain, and a late signature changes nothing, but a node that
 * stopped would only drop what it receives.
 */
export const challengeRegion = {
  type: "parallel",
  on: {
    ChallengeAck: { guard: fromPeer, actions: "recordAck" },
    ChallengeSymbols: { guard: fromPeer, actions: "holdSymbols" },
    ChallengeSignature: { guard: fromPeer, actions: "recordSignature" },
    ReadResponse: { guard: "rereadAnswer", actions: "takeReadSlivers" },
  },
  states: {
    mode: {
      initial: "idle",
      states: {
        idle: { on: { "chain.ChallengeStart": { target: "challenged", actions: "recordChallengedBlobs" } } },
        challenged: {
          entry: ["withholdChallengedBlobs", "broadcastAck", "requestSliversToReread"],
          on: { "chain.ChallengeEnd": { target: "ended" } },
        },
        ended: { entry: "serveChallengedBlobs" },
      },
    },
    proof: {
      initial: "awaitingStart",
      states: {
        awaitingStart: { on: { "chain.ChallengeStart": { target: "proving" } } },
        proving: {
          always: [
            { guard: and(["challengeBegun", "canAnswer"]), target: "proven", actions: "sendChallengeSymbols" },
            checkOthers,
          ],
        },
        proven: {
          always: [{ guard: "signaturesSuffice", target: "certified", actions: "postCertificate" }, checkOthers],
        },
        // The node's certificate went to the chain (which may have ended the challenge already).
        certified: { always: checkOthers },
      },
    },
  },
} as const;
