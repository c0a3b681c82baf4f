/**
 * The guarantees of the fully asynchronous storage challenge (paper §5), as properties of the
 * models of models/challenge.ts, each with a witness.
 *
 * | property | kind | source | witness |
 * | --- | --- | --- | --- |
 * | soundness: a node that threw away a blob challenged of it never obtains a certificate | always | paper §5: "why timing tricks do not help" | the challenge ends |
 * | completeness: the challenge ends | eventually | paper §5, step 6 | the challenge ends |
 * | the challenge ends only once nodes holding 2f + 1 shards are certified | always | paper §5, step 6 | the challenge ends |
 * | every correct node that stores its slivers obtains a certificate | eventually | paper §5, steps 5 and 7 | the challenge ends |
 * | no correct node answers a read or recovery request for a challenged blob during the challenge | always | paper §5, step 1; lightweight variant, item 3 | a node serves again after the end |
 * | reads resume: every correct node serves again once the challenge ended | eventually | paper §5, step 6 | the same |
 *
 * The lightweight variant adds witnesses: a blob challenged of no node is served during the
 * challenge, and a reader reads it back from such answers alone; and a node that threw a blob
 * away passes because the coin missed it (the variant's price, which
 * analysis/lightweight-challenge.ts bounds).
 */

import {
  type ActorPart,
  type SystemProperty,
  type SystemView,
  everyActor,
  ofParts,
  someActor,
} from "../checker/actors/types.js";
import { type Committee, weightOf } from "../machines/committee.js";
import { isQuorum } from "../spec/params.js";
import { type ChallengeView, challengeView } from "../machines/node/views.js";
import { readView } from "../machines/reader.js";
import { challengeChainView } from "../machines/challenge-chain.js";

/** Where the actors of a challenge model are, and who cheats. */
export interface ChallengeLayout {
  readonly chain: string;
  readonly nodes: readonly string[];
  readonly deleted: readonly string[];
  readonly byzantine: readonly string[];
  /** Actor name → index in the view. */
  readonly index: (name: string) => number;
  readonly committee: Committee;
  /** The lightweight variant: add its witnesses. */
  readonly lightweight: boolean;
  /** A reader of a blob, if the model has one. */
  readonly reader?: string;
}

const snapshot = (view: SystemView, layout: ChallengeLayout, name: string) => view.actors[layout.index(name)];
const certified = (view: SystemView, layout: ChallengeLayout) =>
  challengeChainView(snapshot(view, layout, layout.chain)).certified;
const ended = (view: SystemView, layout: ChallengeLayout) =>
  challengeChainView(snapshot(view, layout, layout.chain)).ended;
const correct = (view: SystemView, layout: ChallengeLayout, name: string) =>
  view.status[layout.index(name)] === "correct";

/** The node's challenge, through its typed view. */
const nodeOf = (view: SystemView, layout: ChallengeLayout, name: string): ChallengeView =>
  challengeView(snapshot(view, layout, name));

/**
 * Whether the node threw away a blob challenged of it. It knows which blobs once it saw the
 * challenge start, and it can obtain a certificate only after that.
 */
function caught(view: SystemView, layout: ChallengeLayout, name: string): boolean {
  const node = nodeOf(view, layout, name);
  return node.ownChallenged.some((blobId) => node.deletedBlobs.includes(blobId));
}

/**
 * The parts of a property about each node of `names`: whether the chain certified it (`certified
 * N`, read on the chain) and what it holds itself (`node N`, `own`, read at the node).
 */
const certifiedAndOwn = (
  layout: ChallengeLayout,
  names: readonly string[],
  own: (view: SystemView, name: string) => boolean,
): Record<string, ActorPart> =>
  Object.fromEntries(
    names.flatMap((name) => [
      [
        `certified ${name}`,
        { actor: layout.chain, holds: (view: SystemView) => certified(view, layout).includes(name) },
      ],
      [`node ${name}`, { actor: name, holds: (view: SystemView) => own(view, name) }],
    ]),
  );

/** Whether the node processed the challenge's end and serves every blob again. */
const servesAgain = (node: ChallengeView) => node.mode === "ended" && !node.withholding;

/** The challenge properties of a model with this layout. */
export function challengeProperties(layout: ChallengeLayout): SystemProperty[] {
  const storing = layout.nodes.filter((name) => !layout.deleted.includes(name) && !layout.byzantine.includes(name));
  const honest = layout.nodes.filter((name) => !layout.byzantine.includes(name));
  return [
    {
      kind: "always",
      id: "challenge-soundness",
      name: "soundness: a node that threw away a blob challenged of it never obtains a certificate",
      claim:
        "A node that does not store a blob challenged of it cannot obtain a certificate: honest nodes in challenge mode serve neither reads nor recovery of it, so timing tricks do not help.",
      source: { sections: ["5.1"], detail: "why timing tricks do not help" },
      // Written as parts, the chain's certificates and each cheater's own state, which partial-order
      // reduction sees apart.
      ...ofParts(
        certifiedAndOwn(layout, layout.deleted, (view, name) => caught(view, layout, name)),
        (value) => layout.deleted.every((name) => !value(`certified ${name}`) || !value(`node ${name}`)),
      ),
    },
    {
      kind: "eventually",
      id: "challenge-completeness",
      name: "completeness: the challenge ends (certificates of 2f + 1 shards)",
      claim: "The challenge ends: certificates of nodes holding 2f + 1 shards reach the chain.",
      source: { sections: ["5.1"], detail: "step 6" },
      reads: [layout.chain],
      holds: (view) => ended(view, layout),
    },
    {
      kind: "always",
      id: "ends-after-quorum-certified",
      name: "the challenge ends only once nodes holding 2f + 1 shards are certified",
      claim:
        "The chain ends the challenge only when certificates of nodes holding 2f + 1 shards have reached it: an earlier end would fail correct nodes whose certificates are still on their way.",
      source: { sections: ["5.1"], detail: "step 6" },
      reads: [layout.chain],
      holds: (view) =>
        !ended(view, layout) || isQuorum(weightOf(layout.committee, certified(view, layout)), layout.committee.nShards),
    },
    {
      kind: "eventually",
      id: "correct-node-certified",
      name: "every correct node that stores its slivers obtains a certificate",
      claim: "Every correct node that stores its slivers obtains a certificate of 2f + 1 signatures.",
      source: { sections: ["5.1"], detail: "steps 5 and 7" },
      // Its parts: the chain's certificates, and each node's status (what a node does is seen on the chain).
      ...ofParts(
        certifiedAndOwn(layout, storing, (view, name) => correct(view, layout, name)),
        (value) => storing.every((name) => !value(`node ${name}`) || value(`certified ${name}`)),
      ),
    },
    {
      kind: "sometimes",
      id: "witness-challenge-ends",
      name: "witness: the challenge ends",
      claim: "The challenge properties are not vacuous: the challenge ends.",
      source: { sections: ["5.1"] },
      reads: [layout.chain],
      holds: (view) => ended(view, layout),
    },
    {
      kind: "always",
      id: "no-serving-in-challenge",
      name: "no correct node answers a read or recovery request for a challenged blob between its ack and the end of the challenge",
      claim:
        "A correct node in challenge mode serves neither reads nor recovery of a challenged blob until the challenge ends; in the lightweight variant the blobs the coin picked for no node stay readable.",
      source: { sections: ["5.1"], detail: "step 1; lightweight variant, item 3" },
      ...everyActor(honest, (view, name) => {
        if (!correct(view, layout, name)) return true;
        const node = nodeOf(view, layout, name);
        const quiet = node.mode !== "challenged" || node.withholding;
        return quiet && !node.servedChallenged;
      }),
    },
    {
      kind: "eventually",
      id: "reads-resume",
      name: "reads resume: every correct node serves again once the challenge ended",
      claim: "Once the challenge ended every correct node serves reads and recovery again.",
      source: { sections: ["5.1"], detail: "step 6" },
      ...everyActor(honest, (view, name) => !correct(view, layout, name) || servesAgain(nodeOf(view, layout, name))),
    },
    {
      kind: "sometimes",
      id: "witness-serves-again",
      name: "witness: a node serves again after the challenge",
      claim: "Reads resuming is not vacuous: a node serves again after the challenge.",
      source: { sections: ["5.1"] },
      ...someActor(honest, (view, name) => correct(view, layout, name) && servesAgain(nodeOf(view, layout, name))),
    },
    ...(layout.lightweight ? lightweightWitnesses(layout, honest) : []),
  ];
}

function lightweightWitnesses(layout: ChallengeLayout, honest: readonly string[]): SystemProperty[] {
  return [
    // Reads during the challenge need someone who reads.
    ...(layout.reader === undefined ? [] : readsDuringChallenge(layout, honest, layout.reader)),
    {
      kind: "sometimes",
      id: "witness-coin-misses-deleted",
      name: "witness: a node that threw a blob away obtains a certificate, the coin having missed it",
      claim:
        "The lightweight variant's price: a node that stores only part of its blobs passes when the coin picks none of the others.",
      source: { sections: ["5.1"], detail: "lightweight variant, items 2 and 4" },
      ...ofParts(
        certifiedAndOwn(
          layout,
          layout.deleted,
          (view, name) => nodeOf(view, layout, name).deletedBlobs.length > 0 && !caught(view, layout, name),
        ),
        (value) => layout.deleted.some((name) => value(`certified ${name}`) && value(`node ${name}`)),
      ),
    },
  ];
}

function readsDuringChallenge(layout: ChallengeLayout, honest: readonly string[], reader: string): SystemProperty[] {
  return [
    {
      kind: "sometimes",
      id: "witness-unpicked-blob-read",
      name: "witness: a correct node answers a read of a blob the coin did not pick, during the challenge",
      claim: "In the lightweight variant, blobs the coin picked for no node are still served during the challenge.",
      source: { sections: ["5.1"], detail: "lightweight variant, item 3" },
      ...someActor(
        honest,
        (view, name) => correct(view, layout, name) && nodeOf(view, layout, name).answeredInChallenge.length > 0,
      ),
    },
    {
      kind: "sometimes",
      id: "witness-read-in-challenge-mode",
      name: "witness: the reader reads its blob back from answers all given in challenge mode",
      claim: "In the lightweight variant, a blob the coin picked for no node can be read whole during the challenge.",
      source: { sections: ["5.1"], detail: "lightweight variant, item 3" },
      reads: [layout.chain, reader, ...honest],
      holds: (view) => {
        const { returned, blobId, answered } = readView(snapshot(view, layout, reader));
        return (
          returned !== null &&
          returned !== undefined &&
          !ended(view, layout) &&
          answered.every((name) => nodeOf(view, layout, name).answeredInChallenge.includes(blobId))
        );
      },
    },
  ];
}
