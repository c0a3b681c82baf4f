/**
 * Reduction never changes a verdict of the Walrus models: each is checked without partial-order
 * reduction, and its state count is pinned beside the reduced one (walrus-write-read.test.ts pins
 * the reduced counts; this file repeats them to compare verdicts in one place). A separate file
 * because the full spaces take a few seconds each, and test files run in parallel.
 */

import { describe, expect, it } from "vitest";
import { type SearchReport, checkModel } from "../checker/search.js";
import { findModel } from "../models/index.js";

const verdicts = (report: SearchReport<unknown, unknown>) => report.properties.map((p) => (p.holds ? 1 : 0)).join("");

// Model → [unique states without reduction, with reduction, verdicts (1 holds, 0 fails) per property].
const TABLE: Array<[string, number, number, string]> = [
  ["write-read-4", 480_309, 57_450, "1111111"],
  ["write-read-4-crash", 960_618, 115_522, "1111111"],
  ["write-read-4-byzantine", 138_448, 21_821, "1111111"],
  ["write-read-4-paper-reader", 416_181, 45_962, "1111111"],
  ["write-read-4-f-plus-1", 94_976, 33_532, "1101111"],
  ["write-4", 8_373, 7_681, "111111"],
  ["write-4-crash", 41_865, 38_817, "111111"],
  ["write-4-f-plus-1", 8_032, 8_032, "111010"],
];

describe("the Walrus models: the same verdicts with and without reduction", () => {
  it.each(TABLE)("%s: %i unique states without reduction, %i with", (name, without, withReduction, expected) => {
    const entry = findModel(name);
    if (!entry) throw new Error(`no model ${name}`);
    const plain = checkModel(entry.build({ reduction: false }), { reduction: false });
    const reduced = checkModel(entry.build({ reduction: true }), { reduction: true });
    expect([plain.uniqueStates, reduced.uniqueStates]).toEqual([without, withReduction]);
    expect([verdicts(plain), verdicts(reduced)]).toEqual([expected, expected]);
    expect(plain.complete && reduced.complete).toBe(true);
  });
});
