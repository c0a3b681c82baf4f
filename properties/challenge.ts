/**
 * The guarantees of the fully asynchronous storage challenge (paper §5), as properties of the
 * models of models/challenge.ts, each with a witness.
 *
 * | property | kind | source | witness |
 * | --- | --- | --- | --- |
 * | soundness: a node that threw its slivers away never obtains a certificate | always | paper §5: "why timing tricks do not help" | the challenge ends |
 * | completeness: the challenge ends | eventually | paper §5, step 6 | the challenge ends |
 * | every correct node that stores its slivers obtains a certificate | eventually | paper §5, steps 5 and 7 | the challenge ends |
 * | no correct node serves reads or recovery during the challenge | always | paper §5, step 1 | a node serves again after the end |
 * | reads resume: every correct node serves again once the challenge ended | eventually | paper §5, step 6 | the same |
 */

import type { SystemProperty, SystemView } from "../checker/actors.js";
import type { ActorName } from "../spec/messages.js";
import type { Committee } from "../machines/committee.js";
import type { ChallengeNodeContext } from "../machines/challenge-node.js";

/** Where the actors of a challenge model are, and who cheats. */
export interface ChallengeLayout {
  readonly chain: string;
  readonly nodes: readonly string[];
  readonly deleted: readonly string[];
  readonly byzantine: readonly string[];
  /** Actor name → index in the view. */
  readonly index: (name: string) => number;
  readonly committee: Committee;
}

const snapshot = (view: SystemView, layout: ChallengeLayout, name: string) => view.actors[layout.index(name)];
const certified = (view: SystemView, layout: ChallengeLayout) =>
  snapshot(view, layout, layout.chain).context.certified as readonly ActorName[];
const ended = (view: SystemView, layout: ChallengeLayout) => snapshot(view, layout, layout.chain).value === "ended";
const correct = (view: SystemView, layout: ChallengeLayout, name: string) =>
  view.status[layout.index(name)] === "correct";

/** A node's regions: whether it is in challenge mode and whether it serves. */
function regions(view: SystemView, layout: ChallengeLayout, name: string) {
  const { value, context } = snapshot(view, layout, name);
  const { serving, challenge } = value as { serving: string; challenge: string };
  // The chain's stream to a node holds ChallengeStart (0) and then ChallengeEnd (1).
  const endProcessed = (context as ChallengeNodeContext).nextSeq >= 2;
  return { serving: serving === "serving", inChallenge: challenge !== "idle", endProcessed };
}

/** The challenge properties of a model with this layout. */
export function challengeProperties(layout: ChallengeLayout): SystemProperty[] {
  const storing = layout.nodes.filter((name) => !layout.deleted.includes(name) && !layout.byzantine.includes(name));
  const honest = layout.nodes.filter((name) => !layout.byzantine.includes(name));
  return [
    {
      kind: "always",
      name: "soundness: a node that threw its slivers away never obtains a certificate",
      claim:
        "A node that does not store its slivers cannot obtain a certificate: honest nodes in challenge mode serve neither reads nor recovery, so timing tricks do not help.",
      source: { sections: ["5.1"], detail: "why timing tricks do not help" },
      reads: [layout.chain],
      holds: (view) => layout.deleted.every((name) => !certified(view, layout).includes(name)),
    },
    {
      kind: "eventually",
      name: "completeness: the challenge ends (certificates of 2f + 1 shards)",
      claim: "The challenge ends: certificates of nodes holding 2f + 1 shards reach the chain.",
      source: { sections: ["5.1"], detail: "step 6" },
      reads: [layout.chain],
      holds: (view) => ended(view, layout),
    },
    {
      kind: "eventually",
      name: "every correct node that stores its slivers obtains a certificate",
      claim: "Every correct node that stores its slivers obtains a certificate of 2f + 1 signatures.",
      source: { sections: ["5.1"], detail: "steps 5 and 7" },
      reads: [layout.chain, ...storing],
      holds: (view) => storing.every((name) => !correct(view, layout, name) || certified(view, layout).includes(name)),
    },
    {
      kind: "sometimes",
      name: "witness: the challenge ends",
      claim: "The challenge properties are not vacuous: the challenge ends.",
      source: { sections: ["5.1"] },
      reads: [layout.chain],
      holds: (view) => ended(view, layout),
    },
    {
      kind: "always",
      name: "no correct node serves reads or recovery between its ack and the end of the challenge",
      claim: "A correct node in challenge mode serves neither reads nor recovery until the challenge ends.",
      source: { sections: ["5.1"], detail: "step 1" },
      reads: [...honest],
      holds: (view) =>
        honest.every((name) => {
          if (!correct(view, layout, name)) return true;
          const node = regions(view, layout, name);
          return !node.inChallenge || !node.serving || node.endProcessed;
        }),
    },
    {
      kind: "eventually",
      name: "reads resume: every correct node serves again once the challenge ended",
      claim: "Once the challenge ended every correct node serves reads and recovery again.",
      source: { sections: ["5.1"], detail: "step 6" },
      reads: [...honest],
      holds: (view) =>
        honest.every((name) => {
          if (!correct(view, layout, name)) return true;
          const node = regions(view, layout, name);
          return node.serving && node.endProcessed;
        }),
    },
    {
      kind: "sometimes",
      name: "witness: a node serves again after the challenge",
      claim: "Reads resuming is not vacuous: a node serves again after the challenge.",
      source: { sections: ["5.1"] },
      reads: [...honest],
      holds: (view) => honest.some((name) => correct(view, layout, name) && regions(view, layout, name).endProcessed),
    },
  ];
}
