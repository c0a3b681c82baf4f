/**
 * The chain's side of the fully asynchronous storage challenge: it announces the challenge near
 * the end of an epoch, records the certificates nodes post, and ends the challenge once valid
 * certificates cover 2f + 1 shards; a node without one has failed it.
 *
 * - in: `StartChallenge` (the environment: the height that starts the challenge is reached),
 *   `ChallengeCertificate` from nodes;
 * - out: `ChallengeStart` and `ChallengeEnd` to the subscribers, numbered in each one's stream.
 *
 * Follows paper §5 ("fully asynchronous challenge": a challenge-start event on chain; a node posts
 * a certificate of 2f + 1 signatures; the challenge ends when 2f + 1 certificates are valid). The
 * implementation has no challenge (walrus-protocol.md §5.3): this is the paper's protocol. A
 * certificate is the list of its signers' names; the authenticated channels stand for the
 * signatures.
 */

import { and, assign, enqueueActions, not, setup } from "xstate";
import type { ActorName } from "../spec/messages.js";
import { isQuorum } from "../spec/params.js";
import { type Subscriber, enqueueAnnouncement, freshStreams } from "./chain-events.js";
import { CHAIN, type Committee, memberOf, send, weightOf, withName } from "./committee.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = { sections: ["5.1"] };

/** node → chain: a certificate that `node` answered the challenge, signed by `signers`. */
export interface ChallengeCertificate {
  readonly type: "ChallengeCertificate";
  readonly node: ActorName;
  readonly signers: readonly ActorName[];
}

/**
 * environment → chain: the certificates of the nodes whose challenge a model does not play out
 * (`others`) land, all at once.
 */
export interface OthersCertified {
  readonly type: "OthersCertified";
}

/** The environment's start of the challenge and the certificates nodes post. */
export type ChallengeChainEvent = { readonly type: "StartChallenge" } | ChallengeCertificate | OthersCertified;

/** The challenged committee and who follows the challenge's events. */
export interface ChallengeChainInput {
  readonly committee: Committee;
  readonly subscribers: readonly Subscriber<"ChallengeStart" | "ChallengeEnd">[];
  /** Nodes whose certificates come from the environment (`OthersCertified`); default none. */
  readonly others?: readonly ActorName[];
}

/** The event streams' numbering and the certificates recorded. */
export interface ChallengeChainContext extends ChallengeChainInput {
  readonly seq: readonly number[];
  /** Nodes with a valid certificate, sorted. */
  readonly certified: readonly ActorName[];
}

/** The chain's side of one challenge: before it, while it runs, after it ended. */
export const challengeChainMachine = setup({
  types: {} as { context: ChallengeChainContext; input: ChallengeChainInput; events: ChallengeChainEvent },
  actions: {
    send,
    announceChallengeStart: enqueueActions(({ context, enqueue }) =>
      enqueueAnnouncement(enqueue, context, { type: "ChallengeStart", epoch: context.committee.epoch }),
    ),
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
  /** Before the challenge: every stream at 0, no certificate. */
  context: ({ input }) => ({ ...input, seq: freshStreams(input.subscribers), certified: [] }),
  initial: "beforeChallenge",
  states: {
    beforeChallenge: {
      on: { StartChallenge: { target: "challenging", actions: "announceChallengeStart" } },
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
