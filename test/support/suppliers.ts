/** Orders in which a recovering node asks the other pairs for symbols, for the recovery tests. */

import { mix32 } from "../../checker/random.js";
import type { SupplierOrder } from "../../analysis/recovery-bounds.js";

/** Suppliers in a pseudo-random order fixed by the seed, different for every target sliver. */
export const shuffledBy =
  (seed: number): SupplierOrder =>
  (request, candidates) => {
    const salt = mix32(seed ^ mix32(request.targetIndex * 2 + (request.target === "primary" ? 1 : 0)));
    const key = (pair: number) => mix32(salt ^ mix32(pair + 1));
    return [...candidates].sort((a, b) => key(a) - key(b));
  };
