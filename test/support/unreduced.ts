/** The check that reduction changes no verdict, shared by the unreduced Walrus suites. */

import { expect, it } from "vitest";
import { type SearchReport, checkModel } from "../../checker/search.js";
import { findModel } from "../../models/index.js";

const verdicts = (report: SearchReport<unknown, unknown>) => report.properties.map((p) => (p.holds ? 1 : 0)).join("");

/** One test per row: [model, unique states without reduction, with reduction, verdicts (1 holds, 0 fails)]. */
export function sameVerdicts(table: Array<[string, number, number, string]>): void {
  it.each(table)("%s: %i unique states without reduction, %i with", (name, without, withReduction, expected) => {
    const entry = findModel(name);
    if (!entry) throw new Error(`no model ${name}`);
    const plain = checkModel(entry.build({ reduction: false }), { reduction: false });
    const reduced = checkModel(entry.build({ reduction: true }), { reduction: true });
    expect([plain.uniqueStates, reduced.uniqueStates]).toEqual([without, withReduction]);
    expect([verdicts(plain), verdicts(reduced)]).toEqual([expected, expected]);
    expect(plain.complete && reduced.complete).toBe(true);
  });
}
