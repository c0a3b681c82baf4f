/**
 * A model's verdict against what it expects: everything holds for a model within the adversary's
 * budget; a tightness model (`expectedFailures` in models/index.ts) must break exactly the
 * properties it names. `check` and `merge` judge outcomes the same way with these.
 */

import type { ModelEntry } from "../models/index.js";

/** Whether the property's failure is one its model expects. */
export function expectedToFail(entry: Pick<ModelEntry, "expectedFailures"> | undefined, property: string): boolean {
  return (entry?.expectedFailures ?? []).some((start) => property.startsWith(start));
}

/** Properties broken that should hold, and expected failures that did not happen. */
export function surprises(
  entry: Pick<ModelEntry, "expectedFailures"> | undefined,
  broken: readonly string[],
): { readonly unexpected: string[]; readonly missing: string[] } {
  return {
    unexpected: broken.filter((name) => !expectedToFail(entry, name)),
    missing: (entry?.expectedFailures ?? []).filter((start) => !broken.some((name) => name.startsWith(start))),
  };
}
