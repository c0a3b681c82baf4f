/**
 * Reduction never changes a verdict of the Walrus models (see walrus-unreduced-reads.test.ts for
 * the largest two): each is checked without partial-order reduction, and its state count is
 * pinned beside the reduced one.
 */

import { describe } from "vitest";
import { sameVerdicts } from "./support/unreduced.js";

// Model → [unique states without reduction, with reduction, verdicts (1 holds, 0 fails) per property].
describe("the Walrus models: the same verdicts with and without reduction", () => {
  sameVerdicts([
    ["write-read-4-byzantine", 137_689, 41_598, "1111111"],
    ["write-read-4-paper-reader", 404_661, 43_166, "1111111"],
    ["write-read-4-byzantine-attests", 216, 216, "11111111"],
    ["write-read-4-f-plus-1", 87_154, 37_063, "1101111"],
    ["write-read-4-f-plus-1-invalidation", 421, 414, "10011101"],
    ["write-4", 8_373, 8_373, "11111111"],
    ["write-4-crash", 41_865, 41_865, "11111111"],
    ["write-4-byzantine", 10_044, 10_044, "11111111"],
    ["write-4-f-plus-1", 6_578, 6_578, "11110110"],
    ["self-healing-4", 224, 224, "11111111"],
    ["self-healing-7", 42_888, 42_888, "11111111"],
    ["self-healing-4-byzantine", 76, 76, "11111111"],
    ["malicious-writer-4", 95_974, 946, "11111"],
    ["malicious-writer-4-detection", 1_078, 999, "111"],
    ["malicious-writer-4-detection-quorum", 772, 705, "111"],
    ["malicious-writer-4-default-check", 18_856, 3_930, "01110"],
  ]);
});
