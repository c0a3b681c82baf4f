/**
 * A storage node in the fully asynchronous storage challenge: it stops serving reads and recovery
 * when the challenge starts, proves to every other node that it holds its slivers by sending the
 * symbols they share, signs for the nodes whose symbols verify, posts a certificate of 2f + 1
 * signatures, and serves again when the challenge ends.
 *
 * - in: `ChallengeStart` and `ChallengeEnd` from the chain; `ChallengeAck`, `ChallengeSymbols`,
 *   `ChallengeSignature`, `RecoverySymbolRequest` and `RecoverySymbolResponse` from nodes;
 * - out: the same messages to nodes, and `ChallengeCertificate` to the chain.
 *
 * The symbols node i sends node j, for every blob: the symbols of i's primary slivers at the
 * positions of j's secondary slivers (symbol (i, j) of the expanded matrix, which j's secondary
 * sliver also holds), each with its opening against i's primary sliver commitment. To compute them
 * a node needs its primary slivers, which take n − f symbols to rebuild: the high threshold.
 *
 * Two kinds of node. A `storing` node holds its slivers. A `deleted` node threw its slivers away
 * and, seeing the challenge start, tries what the paper says cannot work: it rebuilds its slivers
 * from whoever still serves, then answers the challenge like the others. It rebuilds them
 * (`rebuildBy`) by recovery — symbols from every other node, secondary slivers from n − 2f, then
 * primary ones from n − f — or by reading the blob back and encoding it again, from n − 2f primary
 * slivers (the implementation's read) or n − f secondary ones (the paper's). A correct node that
 * is already in challenge mode holds such a request until the challenge ends; one that has not
 * seen the challenge start yet answers it.
 *
 * The lightweight variant: the chain's `ChallengeStart` names a coin and a count k, and every node
 * derives from them the k blobs challenged of each node (spec/challenge-coin.ts). A node answers
 * and is checked for its challenged blobs only, and withholds only the blobs challenged of some
 * node: the others stay readable. A `deleted` node may have thrown away only some blobs
 * (`deletedBlobs`), and may not try to rebuild them at all (`rebuildBy: none`), hoping the coin
 * misses them.
 *
 * Follows paper §5 (steps 1–7 of the fully asynchronous challenge, "why timing tricks do not
 * help"). The implementation has none (walrus-protocol.md §5.3). Acks, signatures and
 * certificates are names over authenticated channels, as elsewhere in the spec.
 */

import { and, assign, enqueueActions, raise, setup } from "xstate";
import { coinFromSeed, selectChallengedBlobs } from "../spec/challenge-coin.js";
import { HIGH_THRESHOLD_ONLY, type SharedSymbol, sharedSymbols } from "../spec/challenge-symbols.js";
import { type Axis, orthogonal, sliverIndexOf } from "../spec/codec/slivers.js";
import type {
  ActorName,
  BlobIdText,
  ChallengeAck,
  ChallengeEnd,
  ChallengeSignature,
  ChallengeStart,
  ChallengeSymbols,
  ReadRequest,
  ReadResponse,
  RecoverySymbolRequest,
  RecoverySymbolResponse,
} from "../spec/messages.js";
import { blobIdFromString } from "../spec/commitments/blob-id.js";
import { InvalidParametersError } from "../spec/errors.js";
import { isQuorum } from "../spec/params.js";
import type { ByteRef } from "../spec/store.js";
import { chainOrderGuards, takeNextHeldEvent, withEarlyEvent } from "./chain-order.js";
import {
  challengedSymbolsVerify,
  pairOfShard,
  readBlob,
  recoverFromSymbols,
  recoverySymbolsFor,
  reencodedSlivers,
  symbolVerifies,
} from "./codec.js";
import { CHAIN, type Committee, type Outgoing, memberOf, send, sortedSet, weightOf, withName } from "./committee.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = { sections: ["5.1"] };

/** The chain's notices of the challenge, numbered in the node's event stream. */
export type ChallengeChainNotice = ChallengeStart | ChallengeEnd;

// --- context ---

/** A blob the node is responsible for, and its slivers of the node's shards (by shard order). */
export interface ChallengedBlob {
  readonly blobId: BlobIdText;
  readonly metadata: ByteRef;
  readonly primary: readonly (ByteRef | null)[];
  readonly secondary: readonly (ByteRef | null)[];
}

/** Who the node is, the blobs it answers for, and whether it kept their slivers. */
export interface ChallengeNodeInput {
  readonly name: ActorName;
  readonly committee: Committee;
  readonly blobs: readonly ChallengedBlob[];
  /** `storing`: holds its slivers; `deleted`: threw them away (see the header). */
  readonly behaviour?: "storing" | "deleted";
  /** The blobs a deleted node threw away (default every one). */
  readonly deletedBlobs?: readonly BlobIdText[];
  /** How a deleted node rebuilds its slivers (default `recovery`; `none`: it does not try). */
  readonly rebuildBy?: "recovery" | "primaryRead" | "secondaryRead" | "none";
  /**
   * Whether this node's own challenge is played out (default true). A model that follows one
   * node's challenge lets the others only ack, check and sign, and leaves their certificates to
   * the chain's environment.
   */
  readonly answers?: boolean;
}

/** The node's input with its progress through the challenge, grouped by concern below. */
export interface ChallengeNodeContext extends Required<ChallengeNodeInput> {
  readonly shards: readonly number[];
  // chain order
  readonly nextSeq: number;
  readonly early: readonly ChallengeChainNotice[];
  // challenge
  /** The blobs challenged of each node, by node, once the challenge started here. */
  readonly challenged: readonly { readonly node: ActorName; readonly blobIds: readonly BlobIdText[] }[];
  /** Nodes known in challenge mode (this one first), sorted. */
  readonly acks: readonly ActorName[];
  /** Whether this node sent its challenge symbols. */
  readonly answered: boolean;
  /** Nodes whose symbols verified, by blob: node → blobs verified. */
  readonly verified: readonly { readonly node: ActorName; readonly blobs: readonly BlobIdText[] }[];
  /** Symbols that came before this node could check them (it checks in challenge mode), sorted. */
  readonly pendingSymbols: readonly ChallengeSymbols[];
  /** Signatures for this node (its own first once it answered), sorted. */
  readonly signatures: readonly ActorName[];
  readonly certificatePosted: boolean;
  // recovery and reads (a `deleted` node's attempt, and requests held during the challenge)
  readonly held: readonly (RecoverySymbolRequest | ReadRequest)[];
  /** Recovery symbols, or slivers read, received by blob (the order of `blobs`), sorted. */
  readonly symbols: readonly (readonly ByteRef[])[];
  /** Blobs this node answered a read or recovery request for while in challenge mode, sorted. */
  readonly answeredInChallenge: readonly BlobIdText[];
}

/** Raised when the chain's notice is processed in chain order, for the regions to follow. */
export type ChallengeProcessed =
  | { readonly type: "ChallengeStartProcessed" }
  | { readonly type: "ChallengeEndProcessed" };

/** Every event the node takes: the chain's notices, the other nodes' messages, its own raised events. */
export type ChallengeNodeEvent =
  | ChallengeChainNotice
  | ChallengeProcessed
  | ChallengeAck
  | ChallengeSymbols
  | ChallengeSignature
  | RecoverySymbolRequest
  | RecoverySymbolResponse
  | ReadRequest
  | ReadResponse;

type Context = ChallengeNodeContext;

const nOf = (context: Context) => context.committee.nShards;
const pairsOf = (context: Context, blob: ChallengedBlob) =>
  context.shards.map((shard) => pairOfShard(blob.blobId, shard, nOf(context)));
const held = (slivers: readonly (ByteRef | null)[]) => slivers.filter((s): s is ByteRef => s !== null);
const sliversOf = (blob: ChallengedBlob, axis: Axis) => (axis === "primary" ? blob.primary : blob.secondary);

/** The secondary sliver indices of `node`'s shards for the blob (where its symbols from others go). */
function secondaryIndicesOf(context: Context, node: ActorName, blobId: BlobIdText): number[] {
  const n = nOf(context);
  return (memberOf(context.committee, node)?.shards ?? []).map((shard) =>
    sliverIndexOf("secondary", pairOfShard(blobId, shard, n), n),
  );
}

/** The symbols this node owes `node` for the blob: its primary slivers at `node`'s secondary positions. */
function challengeSymbols(context: Context, blob: ChallengedBlob, node: ActorName): ByteRef[] {
  return recoverySymbolsFor(
    blob.metadata,
    blob.blobId,
    nOf(context),
    held(blob.primary),
    "secondary",
    secondaryIndicesOf(context, node, blob.blobId),
  );
}

/**
 * Whether `message` proves its sender holds its primary slivers of the blob: for each of the
 * sender's primary slivers and each of this node's secondary slivers, the exact cell the two share,
 * opening against the metadata, and nothing more.
 */
function symbolsProve(context: Context, message: ChallengeSymbols): boolean {
  const blob = context.blobs.find((b) => b.blobId === message.blobId);
  const sender = memberOf(context.committee, message.node);
  if (blob === undefined || sender === undefined) return false;
  const n = nOf(context);
  const expected = sender.shards.flatMap((shard) =>
    pairsOf(context, blob).map(
      (own) => sharedSymbols(n, pairOfShard(blob.blobId, shard, n), own, HIGH_THRESHOLD_ONLY)[0] as SharedSymbol,
    ),
  );
  return challengedSymbolsVerify(blob.metadata, blob.blobId, n, expected, message.symbols);
}

/** The blobs challenged of `node` (none before the challenge started here). */
export const challengedOf = (context: Context, node: ActorName): readonly BlobIdText[] =>
  context.challenged.find((entry) => entry.node === node)?.blobIds ?? [];

/** Whether the blob is challenged of some node: then no one serves it until the challenge ends. */
const withheld = (context: Context, blobId: BlobIdText) =>
  context.challenged.some((entry) => entry.blobIds.includes(blobId));

/**
 * The blobs challenged of every member: all of them in the full challenge; in the lightweight
 * variant the coin's picks among the blobs in ascending blob-ID order (of the IDs' bytes).
 */
function challengedBlobs(context: Context, notice: ChallengeChainNotice): Context["challenged"] {
  // Byte order, as the blobs are keyed on chain and in storage (not the base64 text's order).
  const ids = context.blobs
    .map((blob) => blob.blobId)
    .sort((x, y) => Buffer.compare(blobIdFromString(x), blobIdFromString(y)));
  return context.committee.members.map(({ name }) => {
    if (notice.type !== "ChallengeStart" || notice.coin === undefined || notice.challenged === undefined) {
      return { node: name, blobIds: ids };
    }
    const picks = selectChallengedBlobs(coinFromSeed(notice.coin), name, ids.length, notice.challenged);
    return { node: name, blobIds: picks.map((i) => ids[i] as BlobIdText) };
  });
}

/** The answer to a held read or recovery request: slivers or recovery symbols, or ⊥ for an unknown blob. */
function answerTo(context: Context, request: RecoverySymbolRequest | ReadRequest): Outgoing {
  const blob = context.blobs.find((b) => b.blobId === request.blobId);
  if (request.type === "ReadRequest") {
    const slivers = blob === undefined ? null : held(sliversOf(blob, request.axis));
    const reply = { type: "ReadResponse", node: context.name, blobId: request.blobId, axis: request.axis };
    return { to: request.from, ...reply, metadata: blob?.metadata ?? null, slivers };
  }
  const n = nOf(context);
  const symbols =
    blob === undefined
      ? null
      : (["primary", "secondary"] as const).flatMap((axis) =>
          request[axis].length === 0
            ? []
            : recoverySymbolsFor(
                blob.metadata,
                blob.blobId,
                n,
                held(sliversOf(blob, orthogonal(axis))),
                axis,
                request[axis],
              ),
        );
  const reply = { type: "RecoverySymbolResponse", node: context.name, blobId: request.blobId };
  return { to: request.from, ...reply, metadata: blob?.metadata ?? null, symbols };
}

/**
 * The log of blobs answered in challenge mode with these answers added, whichever path answers:
 * the properties read it to see that no challenged blob was served, so every answer is logged
 * while the challenge runs here (its start processed, its end not yet: the chain's notices are
 * numbers 0 and 1 of the node's stream).
 */
function loggedAnswers(context: Context, answered: readonly (RecoverySymbolRequest | ReadRequest)[]): BlobIdText[] {
  const inChallengeMode = context.nextSeq === 1;
  return inChallengeMode
    ? sortedSet([...context.answeredInChallenge, ...answered.map((request) => request.blobId)])
    : [...context.answeredInChallenge];
}

const holdsBlob = (blob: ChallengedBlob) => [...blob.primary, ...blob.secondary].every((s) => s !== null);

/** The blobs with what the slivers read rebuild: the blob decoded, then encoded again. */
function reread(context: Context): ChallengedBlob[] {
  const n = nOf(context);
  const axis = context.rebuildBy === "secondaryRead" ? "secondary" : "primary";
  return context.blobs.map((blob, b) => {
    const outcome = readBlob(blob.metadata, blob.blobId, n, axis, context.symbols[b], "default");
    if (outcome.kind !== "decoded") return blob;
    const mine = (target: Axis) =>
      reencodedSlivers(
        outcome.blob,
        n,
        target,
        pairsOf(context, blob).map((pair) => sliverIndexOf(target, pair, n)),
      );
    return { ...blob, primary: mine("primary"), secondary: mine("secondary") };
  });
}

/** The blobs with what the recovery symbols rebuild: secondary slivers first, then primary ones. */
function rebuilt(context: Context): ChallengedBlob[] {
  if (context.rebuildBy !== "recovery") return reread(context);
  const n = nOf(context);
  return context.blobs.map((blob, b) => {
    let result = blob;
    for (const axis of ["secondary", "primary"] as const) {
      const slivers = pairsOf(context, result).map((pair, k) => {
        const current = sliversOf(result, axis)[k];
        if (current !== null) return current;
        const index = sliverIndexOf(axis, pair, n);
        const own = recoverySymbolsFor(
          result.metadata,
          result.blobId,
          n,
          held(sliversOf(result, orthogonal(axis))),
          axis,
          [index],
        );
        const outcome = recoverFromSymbols(result.metadata, result.blobId, n, axis, index, [
          ...context.symbols[b],
          ...own,
        ]);
        return outcome.kind === "recovered" ? outcome.sliver : null;
      });
      result = { ...result, [axis]: slivers };
    }
    return result;
  });
}

/** A node through one challenge: `serving` (reads and recovery) and `challenge` (its steps) side by side. */
export const challengeNodeMachine = setup({
  types: {} as { context: ChallengeNodeContext; input: ChallengeNodeInput; events: ChallengeNodeEvent },
  actions: {
    send,
    holdEarlyEvent: assign({ early: ({ context, event }) => withEarlyEvent(context, event as ChallengeChainNotice) }),
    processNextEarlyEvent: enqueueActions(({ context, enqueue }) => {
      const { next, early } = takeNextHeldEvent(context);
      enqueue.raise(next);
      enqueue.assign({ early });
    }),
    advanceChainOrder: assign({ nextSeq: ({ context }) => context.nextSeq + 1 }),
    recordChallengedBlobs: assign({
      challenged: ({ context, event }) => challengedBlobs(context, event as ChallengeChainNotice),
    }),
    enterChallenge: raise({ type: "ChallengeStartProcessed" }),
    leaveChallenge: raise({ type: "ChallengeEndProcessed" }),

    // step 1: stop serving, broadcast an ack
    broadcastAck: enqueueActions(({ context, enqueue }) => {
      for (const member of context.committee.members) {
        if (member.name !== context.name) {
          enqueue({ type: "send", params: { to: member.name, type: "ChallengeAck", node: context.name } });
        }
      }
      enqueue.assign({ acks: withName(context.acks, context.name) });
    }),
    // A node that threw its slivers away tries to rebuild them from whoever still serves.
    requestRebuild: enqueueActions(({ context, enqueue }) => {
      const n = nOf(context);
      for (const blob of context.blobs.filter((b) => !holdsBlob(b))) {
        const indices = (axis: Axis) => pairsOf(context, blob).map((pair) => sliverIndexOf(axis, pair, n));
        for (const member of context.committee.members) {
          if (member.name === context.name) continue;
          const base = { to: member.name, from: context.name, blobId: blob.blobId };
          const request =
            context.rebuildBy === "recovery"
              ? { ...base, type: "RecoverySymbolRequest", primary: indices("primary"), secondary: indices("secondary") }
              : { ...base, type: "ReadRequest", axis: context.rebuildBy === "secondaryRead" ? "secondary" : "primary" };
          enqueue({ type: "send", params: request });
        }
      }
    }),
    recordAck: assign({
      acks: ({ context, event }) =>
        event.type === "ChallengeAck" ? withName(context.acks, event.node) : [...context.acks],
    }),
    // step 3: the shared symbols of every challenged blob to every other node; this node signs for itself
    sendChallengeSymbols: enqueueActions(({ context, enqueue }) => {
      const mine = challengedOf(context, context.name);
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
      enqueue.assign({ answered: true, signatures: withName(context.signatures, context.name) });
    }),
    holdSymbols: assign({
      pendingSymbols: ({ context, event }) => sortedSet([...context.pendingSymbols, event as ChallengeSymbols]),
    }),
    // step 4: check the openings; sign once every blob challenged of the sender verified
    checkSymbols: enqueueActions(({ context, enqueue }) => {
      let verified = context.verified;
      for (const message of context.pendingSymbols) {
        const owed = challengedOf(context, message.node);
        if (!owed.includes(message.blobId) || !symbolsProve(context, message)) continue;
        const entry = verified.find((v) => v.node === message.node) ?? { node: message.node, blobs: [] };
        const blobs = [...new Set([...entry.blobs, message.blobId])].sort();
        verified = [...verified.filter((v) => v.node !== message.node), { node: message.node, blobs }].sort((a, b) =>
          a.node < b.node ? -1 : 1,
        );
        if (owed.every((b) => blobs.includes(b)) && !owed.every((b) => entry.blobs.includes(b))) {
          enqueue({
            type: "send",
            params: { to: message.node, type: "ChallengeSignature", node: context.name, for: message.node },
          });
        }
      }
      enqueue.assign({ verified, pendingSymbols: [] });
    }),
    recordSignature: assign({
      signatures: ({ context, event }) =>
        event.type === "ChallengeSignature" ? withName(context.signatures, event.node) : [...context.signatures],
    }),
    // step 5: the certificate
    postCertificate: enqueueActions(({ context, enqueue }) => {
      enqueue({
        type: "send",
        params: { to: CHAIN, type: "ChallengeCertificate", node: context.name, signers: context.signatures },
      });
      enqueue.assign({ certificatePosted: true });
    }),

    // recovery: served before and after the challenge, held during it
    holdRecoveryRequest: assign({
      held: ({ context, event }) => sortedSet([...context.held, event as RecoverySymbolRequest | ReadRequest]),
    }),
    answerRecoveryRequests: enqueueActions(({ context, enqueue }) => {
      for (const request of context.held) enqueue({ type: "send", params: answerTo(context, request) });
      enqueue.assign({ held: [], answeredInChallenge: loggedAnswers(context, context.held) });
    }),
    // the lightweight variant: blobs challenged of no node stay readable during the challenge
    answerUnwithheldRequests: enqueueActions(({ context, enqueue }) => {
      const answered = context.held.filter((request) => !withheld(context, request.blobId));
      for (const request of answered) enqueue({ type: "send", params: answerTo(context, request) });
      enqueue.assign({
        held: context.held.filter((request) => withheld(context, request.blobId)),
        answeredInChallenge: loggedAnswers(context, answered),
      });
    }),
    takeRecoverySymbols: assign(({ context, event }) => {
      if (event.type !== "RecoverySymbolResponse" && event.type !== "ReadResponse") return {};
      const b = context.blobs.findIndex((blob) => blob.blobId === event.blobId);
      const blob = context.blobs[b];
      // Slivers read are checked when the blob is decoded; symbols here.
      const verified =
        event.type === "ReadResponse"
          ? [...(event.slivers ?? [])]
          : (event.symbols ?? []).filter((ref) => symbolVerifies(blob.metadata, blob.blobId, nOf(context), ref));
      const symbols = context.symbols.map((list, i) => (i === b ? [...new Set([...list, ...verified])].sort() : list));
      return { symbols, blobs: rebuilt({ ...context, symbols }) };
    }),
  },
  guards: {
    ...chainOrderGuards,
    rebuilds: ({ context }) => context.behaviour === "deleted" && context.rebuildBy !== "none",
    fromMember: ({ context, event }) =>
      "node" in event && event.node !== context.name && memberOf(context.committee, event.node) !== undefined,
    /** 2f + 1 shards' worth of nodes are in challenge mode: the challenge has begun here. */
    challengeBegun: ({ context }) => isQuorum(weightOf(context.committee, context.acks), nOf(context)),
    /** This node can compute what it owes: it holds every challenged blob (a deleted node once it rebuilt it). */
    canAnswer: ({ context }) => {
      if (!context.answers || context.answered) return false;
      const mine = challengedOf(context, context.name);
      return context.blobs.every((blob) => !mine.includes(blob.blobId) || holdsBlob(blob));
    },
    symbolsToCheck: ({ context }) => context.pendingSymbols.length > 0,
    signaturesSuffice: ({ context }) =>
      !context.certificatePosted && isQuorum(weightOf(context.committee, context.signatures), nOf(context)),
    /** An answer to what this deleted node asked for, the way it rebuilds (a node that does not try takes none). */
    recoveryAsked: ({ context, event }) => {
      if (event.type !== "RecoverySymbolResponse" && event.type !== "ReadResponse") return false;
      const asked = {
        recovery: "RecoverySymbolResponse",
        primaryRead: "ReadResponse",
        secondaryRead: "ReadResponse",
        none: null,
      };
      return (
        event.type === asked[context.rebuildBy] &&
        context.behaviour === "deleted" &&
        context.blobs.some((blob) => blob.blobId === event.blobId)
      );
    },
    requestsHeld: ({ context }) => context.held.length > 0,
    unwithheldRequestsHeld: ({ context }) => context.held.some((request) => !withheld(context, request.blobId)),
  },
}).createMachine({
  id: "challengeNode",
  /** The node's shards from the committee (a deleted node without its slivers); nothing acked, signed or certified yet. */
  context: ({ input }) => {
    const shards = memberOf(input.committee, input.name)?.shards ?? [];
    const unknown = (input.deletedBlobs ?? []).filter((id) => !input.blobs.some((blob) => blob.blobId === id));
    if (
      unknown.length > 0 ||
      (input.deletedBlobs !== undefined && input.deletedBlobs.length > 0 && input.behaviour !== "deleted")
    ) {
      throw new InvalidParametersError(
        `${input.name}: deletedBlobs names blobs the node holds, and only for a deleted node (got ${JSON.stringify(input.deletedBlobs)})`,
      );
    }
    const deletedBlobs =
      input.deletedBlobs ?? (input.behaviour === "deleted" ? input.blobs.map((blob) => blob.blobId) : []);
    return {
      ...input,
      behaviour: input.behaviour ?? "storing",
      rebuildBy: input.rebuildBy ?? "recovery",
      answers: input.answers ?? true,
      deletedBlobs,
      // A deleted node keeps the metadata (small, and on chain in spirit) and no sliver.
      blobs: input.blobs.map((blob) =>
        deletedBlobs.includes(blob.blobId)
          ? { ...blob, primary: blob.primary.map(() => null), secondary: blob.secondary.map(() => null) }
          : blob,
      ),
      shards,
      nextSeq: 0,
      early: [],
      challenged: [],
      acks: [],
      answered: false,
      verified: [],
      pendingSymbols: [],
      signatures: [],
      certificatePosted: false,
      held: [],
      symbols: input.blobs.map(() => []),
      answeredInChallenge: [],
    };
  },
  type: "parallel",
  on: {
    ChallengeStart: [
      { guard: "aheadOfChainOrder", actions: "holdEarlyEvent" },
      { guard: "inChainOrder", actions: ["advanceChainOrder", "recordChallengedBlobs", "enterChallenge"] },
    ],
    ChallengeEnd: [
      { guard: "aheadOfChainOrder", actions: "holdEarlyEvent" },
      { guard: "inChainOrder", actions: ["advanceChainOrder", "leaveChallenge"] },
    ],
    RecoverySymbolResponse: { guard: "recoveryAsked", actions: "takeRecoverySymbols" },
    ReadResponse: { guard: "recoveryAsked", actions: "takeRecoverySymbols" },
  },
  always: { guard: "nextEventHeld", actions: "processNextEarlyEvent" },
  states: {
    // Reads and recovery: served, then held during the challenge, then served again.
    serving: {
      initial: "serving",
      states: {
        serving: {
          always: { guard: "requestsHeld", actions: "answerRecoveryRequests" },
          on: {
            RecoverySymbolRequest: { actions: "holdRecoveryRequest" },
            ReadRequest: { actions: "holdRecoveryRequest" },
            ChallengeStartProcessed: { target: "suspended" },
          },
        },
        // step 1 (paper): no reads or recovery of a challenged blob while the challenge runs
        suspended: {
          always: { guard: "unwithheldRequestsHeld", actions: "answerUnwithheldRequests" },
          on: {
            RecoverySymbolRequest: { actions: "holdRecoveryRequest" },
            ReadRequest: { actions: "holdRecoveryRequest" },
            ChallengeEndProcessed: { target: "serving" },
          },
        },
      },
    },
    challenge: {
      initial: "idle",
      // What other nodes send is kept from the start: a node may hear of the challenge from them first.
      on: {
        ChallengeAck: { guard: "fromMember", actions: "recordAck" },
        ChallengeSymbols: { guard: "fromMember", actions: "holdSymbols" },
        ChallengeSignature: { guard: "fromMember", actions: "recordSignature" },
      },
      states: {
        idle: {
          on: { ChallengeStartProcessed: { target: "acked" } },
        },
        acked: {
          entry: ["broadcastAck"],
          always: [{ guard: "rebuilds", target: "rebuilding" }, { target: "inChallenge" }],
        },
        rebuilding: {
          entry: "requestRebuild",
          always: { target: "inChallenge" },
        },
        // step 2: the challenge begins here at 2f + 1 acks; steps 3–5 then run side by side
        inChallenge: {
          always: [
            { guard: and(["challengeBegun", "canAnswer"]), actions: "sendChallengeSymbols" },
            { guard: and(["challengeBegun", "symbolsToCheck"]), actions: "checkSymbols" },
            { guard: "signaturesSuffice", actions: "postCertificate" },
          ],
        },
      },
    },
  },
});
