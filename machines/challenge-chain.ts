/**
 * The chain's side of the fully asynchronous storage challenge: it announces the challenge near
 * the end of an epoch, records the certificates nodes post, and ends the challenge once valid
 * certificates cover 2f + 1 shards; a node without one has failed it.
 *
 * - in: `StartChallenge` (the environment: the height that starts the challenge is reached; in
 *   the lightweight variant it also names the coin), `ChallengeCertificate` from nodes;
 * - out: `ChallengeStart` and `ChallengeEnd` to the subscribers, numbered in each one's stream.
 *
 * Follows paper §5 ("fully asynchronous challenge": a challenge-start event on chain; a node posts
 * a certificate of 2f + 1 signatures; the challenge ends when 2f + 1 certificates are valid). The
 * implementation has no challenge (walrus-protocol.md §5.3): this is the paper's protocol. A
 * certificate is the list of its signers' names; the authenticated channels stand for the
 * signatures.
 *
 * The lightweight variant (paper §5, lightweight variant): the nodes' threshold coin (2f + 1) is
 * the environment's choice, named by its seed (spec/challenge-coin.ts); the chain announces it with
 * the number k of blobs challenged per node, and each node derives from it the blobs challenged of
 * every node. Raising k when reads keep failing (analysis/lightweight-challenge.ts) gives the
 * next challenge's k; at k = m it is the full challenge.
 */

import { and, assign, enqueueActions, not, setup } from "xstate";
import type { ActorName, ChallengeCertificate } from "../spec/messages.js";
import { InvalidParametersError } from "../spec/errors.js";
import { isQuorum } from "../spec/params.js";
import { type Subscriber, enqueueAnnouncement, freshStreams } from "./chain-events.js";
import { CHAIN, type Committee, memberOf, sendMessage, weightOf, withName } from "./committee.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = { sections: ["5.1"] };

/**
 * environment → chain: the certificates of the nodes whose challenge a model does not play out
 * (`others`) land, all at once.
 */
export interface OthersCertified {
  readonly type: "OthersCertified";
}

/** environment → chain: the challenge starts; the lightweight variant's coin, by its seed. */
export interface StartChallenge {
  readonly type: "StartChallenge";
  readonly coin?: number;
}

/** The environment's start of the challenge and the certificates nodes post. */
export type ChallengeChainEvent = StartChallenge | ChallengeCertificate | OthersCertified;

/** The challenged committee and who follows the challenge's events. */
export interface ChallengeChainInput {
  readonly committee: Committee;
  readonly subscribers: readonly Subscriber<"ChallengeStart" | "ChallengeEnd">[];
  /** Nodes whose certificates come from the environment (`OthersCertified`); default none. */
  readonly others?: readonly ActorName[];
  /** The lightweight variant: blobs challenged per node (default: the full challenge, every blob). */
  readonly challenged?: number;
}

/** The event streams' numbering and the certificates recorded. */
export interface ChallengeChainContext extends ChallengeChainInput {
  readonly seq: readonly number[];
  /** Nodes with a valid certificate, sorted. */
  readonly certified: readonly ActorName[];
  /** The lightweight variant's coin (its seed), once the challenge started. */
  readonly coin: number | null;
}

/** The chain's side of one challenge: before it, while it runs, after it ended. */
export const challengeChainMachine = setup({
  types: {} as { context: ChallengeChainContext; input: ChallengeChainInput; events: ChallengeChainEvent },
  actions: {
    send: sendMessage,
    announceChallengeStart: enqueueActions(({ context, event, enqueue }) => {
      const epoch = context.committee.epoch;
      if (context.challenged === undefined || event.type !== "StartChallenge" || event.coin === undefined) {
        enqueueAnnouncement(enqueue, context, { type: "ChallengeStart", epoch });
        return;
      }
      const { coin } = event;
      enqueueAnnouncement(enqueue, context, { type: "ChallengeStart", epoch, coin, challenged: context.challenged });
      enqueue.assign({ coin });
    }),
    announceChallengeEnd: enqueueActions(({ context, enqueue }) =>
      enqueueAnnouncement(enqueue, context, { type: "ChallengeEnd", epoch: context.committee.epoch }),
    ),
    recordOthers: assign({
      certified: ({ context }) => [...new Set([...context.certified, ...(context.others ?? [])])].sort(),
    }),
    recordCertificate: assign({
      certified: ({ context, event }) =>
        event.type === "ChallengeCertificate" ? withName(context.certified, event.node) : [...context.certified],
    }),
  },
  guards: {
    /** The lightweight variant starts only with a coin, the full challenge only without one. */
    coinAsVariantNeeds: ({ context, event }) => {
      if (event.type !== "StartChallenge") return false;
      if (context.challenged === undefined) return event.coin === undefined;
      return event.coin !== undefined && Number.isSafeInteger(event.coin) && event.coin >= 0;
    },
    /** From a member, signed by members holding 2f + 1 shards. */
    certificateIsValid: ({ context, event }) =>
      event.type === "ChallengeCertificate" &&
      memberOf(context.committee, event.node) !== undefined &&
      event.signers.every((name) => memberOf(context.committee, name) !== undefined) &&
      isQuorum(weightOf(context.committee, event.signers), context.committee.nShards),
    alreadyCertified: ({ context, event }) =>
      event.type === "ChallengeCertificate" && context.certified.includes(event.node),
    /** With this certificate, the certified nodes hold 2f + 1 shards. */
    othersEndIt: ({ context }) =>
      isQuorum(
        weightOf(context.committee, [...context.certified, ...(context.others ?? [])]),
        context.committee.nShards,
      ),
    othersToCertify: ({ context }) => (context.others ?? []).some((name) => !context.certified.includes(name)),
    certificatesSuffice: ({ context, event }) =>
      event.type === "ChallengeCertificate" &&
      isQuorum(weightOf(context.committee, withName(context.certified, event.node)), context.committee.nShards),
  },
}).createMachine({
  id: `${CHAIN}-challenge`,
  /** Before the challenge: every stream at 0, no certificate, no coin. */
  context: ({ input }) => {
    if (input.challenged !== undefined && !(Number.isSafeInteger(input.challenged) && input.challenged >= 1)) {
      throw new InvalidParametersError(
        `the lightweight challenge challenges at least one blob per node, got ${input.challenged}`,
      );
    }
    return { ...input, seq: freshStreams(input.subscribers), certified: [], coin: null };
  },
  initial: "beforeChallenge",
  states: {
    beforeChallenge: {
      on: {
        StartChallenge: { guard: "coinAsVariantNeeds", target: "challenging", actions: "announceChallengeStart" },
      },
    },
    challenging: {
      on: {
        OthersCertified: [
          {
            guard: and(["othersToCertify", "othersEndIt"]),
            target: "ended",
            actions: ["recordOthers", "announceChallengeEnd"],
          },
          { guard: "othersToCertify", actions: "recordOthers" },
        ],
        ChallengeCertificate: [
          {
            guard: and(["certificateIsValid", not("alreadyCertified"), "certificatesSuffice"]),
            target: "ended",
            actions: ["recordCertificate", "announceChallengeEnd"],
          },
          { guard: and(["certificateIsValid", not("alreadyCertified")]), actions: "recordCertificate" },
        ],
      },
    },
    // Nodes without a certificate have failed the challenge: a certificate now comes too late.
    ended: { type: "final" },
  },
});

/** What properties read of the challenge's chain: whether the challenge ended, and who is certified. */
export interface ChallengeChainView {
  readonly ended: boolean;
  /** Nodes with a valid certificate, sorted. */
  readonly certified: readonly ActorName[];
}

/** The view, from a snapshot of the challenge chain machine. */
export function challengeChainView(snapshot: {
  readonly value: unknown;
  readonly context: unknown;
}): ChallengeChainView {
  return { ended: snapshot.value === "ended", certified: (snapshot.context as ChallengeChainContext).certified };
}
