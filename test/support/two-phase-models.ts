/**
 * A model factory for the parallel search's workers (checker/parallel-worker.ts) that loads only
 * TwoPhase.tla as a plain transition system, not the whole catalogue: `two-phase-commit-plain-N`
 * for N RMs, `two-phase-commit-3-buggy` with the commit-early bug. A worker starts in a fraction
 * of the time the catalogue's factory (models/index.ts, every Walrus model and the codec) takes.
 */

import type { Model } from "../../checker/model.js";
import { twoPhaseCommit } from "../../models/examples/two-phase-commit.js";

export const TWO_PHASE_MODELS = new URL("./two-phase-models.ts", import.meta.url).href;

export function buildModel(name: string): Model<unknown, unknown> {
  const plain = /^two-phase-commit-plain-(\d+)$/.exec(name);
  const model =
    plain !== null
      ? twoPhaseCommit(Number(plain[1]))
      : name === "two-phase-commit-3-buggy"
        ? twoPhaseCommit(3, { commitEarly: true })
        : undefined;
  if (model === undefined) throw new RangeError(`unknown model ${name}`);
  return model as unknown as Model<unknown, unknown>;
}
