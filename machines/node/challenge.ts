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
 * This file holds the region's chart, guards and actions. What the node records of the challenge
 * and the queries the rest of the node makes of it are in `challenge-context.ts`; the symbols owed,
 * their check and a cheater's blob read back, in `challenge-codec.ts`.
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
import { isQuorum } from "../../spec/params.js";
import { CHAIN, sortedSet, weightOf, withName } from "../committee.js";
import { challengedBlobs, challengedOf, challengeOf, readAxis, thrownAway } from "./challenge-context.js";
import { challengeSymbols, reread, symbolsProve } from "./challenge-codec.js";
import type { BlobAtNode, BlobParams, GuardArgs, NodeAction } from "./context.js";
import { blobAt, nOf } from "./context.js";
import { holdsEverything } from "./slivers.js";

// The challenge record and its queries are part of this module's API (`nodeChallenge` in machines/index.ts).
export {
  type ChallengeAtNode,
  type ChallengedOf,
  type ChallengeInput,
  type RebuildBy,
  challengedOf,
  challengedOfAny,
  initialChallenge,
  withAnswersLogged,
  withholds,
} from "./challenge-context.js";

type Args = GuardArgs;

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
