/**
 * Reduction never changes a verdict of the Walrus models: each is checked without partial-order
 * reduction, and its state count is pinned beside the reduced one. The largest spaces are here,
 * the others in walrus-unreduced-nodes.test.ts, so that the two files run side by side.
 */

import { describe } from "vitest";
import { sameVerdicts } from "./support/unreduced.js";

// Model → [unique states without reduction, with reduction, verdicts (1 holds, 0 fails) per property].
describe("the Walrus read models: the same verdicts with and without reduction", () => {
  sameVerdicts([
    ["write-read-4", 375_477, 37_976, "1111111"],
    ["write-read-4-crash", 750_954, 81_133, "1111111"],
  ]);
});
