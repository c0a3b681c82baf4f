/**
 * Two-phase commit written directly (models/examples/two-phase-commit.ts) with more resource
 * managers than the catalogue searches: a model module (`walrus-spec check --model FILE`) for
 * measuring searches of 10⁸ generated states and more — the spilling queue, checkpoints and resume
 * (docs/checker.md, "Past RAM, and resumable"). 9 RMs: 10 M states; 10 RMs: about 60 M.
 *
 *   walrus-spec check --model bench/two-phase-commit-large.ts two-phase-commit-plain-9 …
 */

import { twoPhaseCommit } from "../models/examples/two-phase-commit.js";
import { defineModel } from "../models/index.js";

export const models = [9, 10].map((rms) =>
  defineModel({
    name: `two-phase-commit-plain-${rms}`,
    description: `TwoPhase.tla written directly as a transition system, ${rms} RMs (portable states)`,
    parameters: { rms },
    build: () => twoPhaseCommit(rms),
  }),
);
