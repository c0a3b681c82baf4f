/**
 * The default epoch-change models, exhaustively: their state counts pinned and every property
 * holding with its witness (kept apart from walrus-epoch-change.test.ts so that the two files run
 * side by side).
 */

import { describe, expect, it } from "vitest";
import { checkModel } from "../checker/search.js";
import { findModel } from "../models/index.js";

describe("the default epoch-change models: every property holds, every witness is reached", () => {
  it.each([
    ["epoch-change-4", 180_461, 5],
    ["epoch-change-4-read", 509_783, 5],
    ["epoch-change-4-crash", 360_922, 5],
  ])(
    "%s: %i states",
    (name, states, properties) => {
      const report = checkModel(findModel(name)?.build() as never);
      expect([report.uniqueStates, report.complete]).toEqual([states, true]);
      expect(report.properties.length).toBe(properties);
      expect(report.properties.filter((p) => !p.holds).map((p) => p.name)).toEqual([]);
    },
    60_000,
  );
});
