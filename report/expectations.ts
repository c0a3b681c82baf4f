/**
 * A model's verdict against what it expects: everything holds for a model within the adversary's
 * budget; a tightness model (`expectedFailures` in models/index.ts) must break exactly the
 * properties it names. `check` and `merge` judge outcomes the same way with these.
 */

import type { ModelEntry } from "../models/index.js";

/** Whether the failure of the property (by its id) is one its model expects. */
export function expectedToFail(entry: Pick<ModelEntry, "expectedFailures"> | undefined, property: string): boolean {
  return (entry?.expectedFailures ?? []).includes(property);
}

/** Properties broken that should hold, and expected failures that did not happen (by id). */
export function surprises(
  entry: Pick<ModelEntry, "expectedFailures"> | undefined,
  broken: readonly string[],
): { readonly unexpected: string[]; readonly missing: string[] } {
  return {
    unexpected: broken.filter((id) => !expectedToFail(entry, id)),
    missing: (entry?.expectedFailures ?? []).filter((id) => !broken.includes(id)),
  };
}
