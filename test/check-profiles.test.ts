/**
 * Which models a check selects and where it records them: the default models and
 * docs/check-results.json, the long profile (`npm run check:long`) and
 * docs/check-results-long.json, nothing for a run that answers another question.
 */

import { describe, expect, it } from "vitest";
import { resultsFileFor } from "../cli/check-command.js";
import { CHECK_RESULTS_FILE, LONG_RESULTS_FILE } from "../report/check-results.js";
import { main } from "../cli/main.js";
import { MODELS } from "../models/index.js";
import { captureOutput } from "./support/output.js";

const output = captureOutput();

describe("profiles", () => {
  it("the long profile holds non-default models only, some of them", () => {
    const long = MODELS.filter((m) => m.profile === "long");
    expect(long.length).toBeGreaterThan(0);
    expect(long.filter((m) => m.isDefault)).toEqual([]);
  });

  it("a check of a profile names no model", async () => {
    expect(await main(["check", "--profile", "long", "two-phase-commit-3"])).toBe(2);
    expect(output.printed(output.stderr)).toContain("name no model with it");
    expect(await main(["check", "--profile", "short"])).toBe(2);
  });

  it("records the default check and the long profile each in its file, a narrower run nowhere", () => {
    expect(resultsFileFor([], {})).toBe(CHECK_RESULTS_FILE);
    expect(resultsFileFor([], { profile: "long" })).toBe(LONG_RESULTS_FILE);
    expect(resultsFileFor([], { profile: "long", maxStates: 10 })).toBeUndefined();
    expect(resultsFileFor(["write-4"], {})).toBeUndefined();
    expect(resultsFileFor([], { model: "mine.ts" })).toBeUndefined();
    expect(resultsFileFor([], { reduction: false })).toBeUndefined();
    expect(resultsFileFor([], { results: "elsewhere.json" })).toBe("elsewhere.json");
  });
});
