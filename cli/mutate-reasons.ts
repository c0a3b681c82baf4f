/**
 * Why each mutant that no default model kills survives, written beside the code it is about: an
 * *equivalent* mutant changes no behaviour the protocol has (the reason says why), a *gap* is a
 * behaviour no model or property reads yet (the reason says what would, and names the issue that
 * brings it when it needs a new kind of fault). docs/rule-coverage.md shows these beside the
 * campaign's verdicts; the tests require one for every survivor and rule not reached.
 *
 * A reason is given for one mutant (`machine.rule:kind`) or for every mutant of a rule
 * (`machine.rule`).
 */

import type { MutantResult } from "./mutate-campaign.js";

export interface SurvivorReason {
  readonly kind: "equivalent" | "gap";
  readonly why: string;
  /** The tracker's issue that closes the gap, when it needs more than a property or a model. */
  readonly issue?: number;
}

/** The reasons, by mutant or by rule. */
export const SURVIVOR_REASONS: Readonly<Record<string, SurvivorReason>> = {};

/** The reason written for a mutant, if any: its own, else its rule's. */
export function reasonFor(mutant: Pick<MutantResult, "name" | "machine" | "rule">): SurvivorReason | undefined {
  return SURVIVOR_REASONS[mutant.name] ?? SURVIVOR_REASONS[`${mutant.machine}.${mutant.rule}`];
}
