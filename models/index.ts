/**
 * The catalogue of models `walrus-spec check` and `walrus-spec list` know, by name. Default models
 * are what `walrus-spec check` runs with no model named (and so what CI checks).
 */

import type { Model } from "../checker/model.js";
import { twoPhaseCommit } from "./examples/two-phase-commit.js";
import { twoPhaseCommitActors } from "./examples/two-phase-commit-actors.js";

export interface ModelEntry {
  readonly name: string;
  readonly description: string;
  /** Parameters, as shown by `walrus-spec list`. */
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly isDefault: boolean;
  build(): Model<unknown, unknown>;
}

function entry<S, A>(
  name: string,
  description: string,
  parameters: ModelEntry["parameters"],
  isDefault: boolean,
  build: () => Model<S, A>,
): ModelEntry {
  // The checker treats states and actions opaquely, so erasing their types here is safe.
  return { name, description, parameters, isDefault, build: build as unknown as () => Model<unknown, unknown> };
}

export const MODELS: readonly ModelEntry[] = [
  ...[3, 5, 7].map((rms) =>
    entry(
      `two-phase-commit-${rms}`,
      `Lamport's TwoPhase.tla as xstate machines (a TM and ${rms} RMs, duplicating network)`,
      { rms, network: "duplicating" },
      rms <= 5,
      () => twoPhaseCommitActors(rms),
    ),
  ),
  entry(
    "two-phase-commit-plain-7",
    "TwoPhase.tla written directly as a transition system (no xstate), the checker's baseline: 296 448 states",
    { rms: 7 },
    false,
    () => twoPhaseCommit(7),
  ),
  entry(
    "two-phase-commit-3-buggy",
    "TwoPhase with a seeded bug: the TM commits once any RM is prepared (TCConsistent fails)",
    { rms: 3, commitEarly: true },
    false,
    () => twoPhaseCommit(3, { commitEarly: true }),
  ),
];

/** The entry named `name`, or undefined. */
export function findModel(name: string): ModelEntry | undefined {
  return MODELS.find((model) => model.name === name);
}
