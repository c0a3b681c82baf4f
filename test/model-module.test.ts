/**
 * An auditor's own model module (models/load.ts, `--model FILE`): what it may export (an entry, a
 * list of entries as `models`, a bare checker model), that it is checked as a built-in model is,
 * and the one-line errors (exit code 2) for a module that cannot be used.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../cli/main.js";
import { ModelModuleError, buildModel, loadModelModule } from "../models/load.js";
import { captureOutput } from "./support/output.js";

const dir = mkdtempSync(join(tmpdir(), "walrus-spec-models-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A counter that wraps at `top`: `below` holds while it stays below `limit`. */
const COUNTER = `
export const counter = (name, top, limit) => ({
  name,
  initStates: () => [0],
  actions: (state, out) => { if (state < top) out.push("increment"); },
  nextState: (state) => state + 1,
  fingerprint: (state, out) => { out.hi = 0; out.lo = state; },
  properties: [{ kind: "always", name: "below", holds: (state) => state < limit }],
});
`;

const output = captureOutput();

describe("model modules", () => {
  it("exports one entry, a list of entries as `models`, or a bare model", async () => {
    const entry = file(
      "entry.ts",
      `import { defineModel, quorumWrite } from "walrus-spec/models";
export default defineModel({ name: "mine", description: "a quorum write", build: () => quorumWrite({ shards: [1, 1, 1, 1] }) });
`,
    );
    expect((await loadModelModule(entry)).entries.map((e) => [e.name, e.isDefault])).toEqual([["mine", true]]);
    const list = file(
      "list.mjs",
      `${COUNTER}
import { defineModel } from "walrus-spec/models";
export const models = [
  defineModel({ name: "small", description: "counts to 2", build: () => counter("small", 2, 5) }),
  defineModel({ name: "large", description: "counts to 9", isDefault: false, build: () => counter("large", 9, 5) }),
];`,
    );
    const catalogue = await loadModelModule(list);
    expect(catalogue.entries.map((e) => e.name)).toEqual(["small", "large"]);
    expect(catalogue.module).toMatch(/^file:/);
    const bare = file("bare.mjs", `${COUNTER}\nexport default counter("bare", 3, 5);`);
    expect((await loadModelModule(bare)).entries.map((e) => e.name)).toEqual(["bare"]);
    // A parallel search's worker rebuilds the model from the module by name.
    expect((await buildModel("large", { module: catalogue.module as string })).name).toBe("large");
  });

  it("is checked as a built-in model: default models without a name, a failing one by name", async () => {
    const list = join(dir, "list.mjs");
    expect(await main(["check", "--model", list, "--no-progress"])).toBe(0);
    expect(output.printed(output.stdout)).toContain("models: 1 passed, 0 failed");
    output.stdout.mockClear();
    expect(await main(["check", "large", "--model", list, "--no-progress"])).toBe(1);
    expect(output.printed(output.stdout)).toMatch(/FAIL +always below: counterexample in 5 steps/);
    output.stdout.mockClear();
    expect(await main(["list", "--model", list])).toBe(0);
    expect(output.printed(output.stdout)).toContain("large: counts to 9\n  always below");
  });

  it.each([
    ["a missing file", () => join(dir, "missing.ts"), /^cannot read .*missing\.ts: ENOENT$/],
    ["a directory", () => dir, /: not a file$/],
    ["no model", () => file("none.mjs", "export const answer = 42;\n"), /exports no model: export default/],
    ["an empty list", () => file("empty.mjs", "export const models = [];\n"), /exports no model/],
    ["a module that throws", () => file("throws.mjs", 'throw new Error("boom");\n'), /^cannot load .*: boom$/],
    [
      "two models of one name",
      () => file("twice.mjs", `${COUNTER}\nexport const models = [counter("a", 1, 2), counter("a", 2, 3)];`),
      /names two models a$/,
    ],
  ])("refuses %s with a one-line error (exit code 2)", async (_, path, message) => {
    const module = path();
    await expect(loadModelModule(module)).rejects.toThrow(ModelModuleError);
    await expect(loadModelModule(module)).rejects.toThrow(message);
    expect(await main(["check", "--model", module])).toBe(2);
    const printed = output.printed(output.stderr);
    expect(printed.trim().split("\n")).toHaveLength(1);
    expect(printed).toMatch(/^walrus-spec: /);
  });

  it("an unknown model of the module names the ones it has", async () => {
    expect(await main(["check", "nosuch", "--model", join(dir, "list.mjs")])).toBe(2);
    expect(output.printed(output.stderr)).toContain("unknown model nosuch; known: small, large");
  });
});

describe("merge", () => {
  it("refuses a report of another format version rather than misread it", async () => {
    const report = file("v1.json", JSON.stringify({ formatVersion: 1, simulations: [] }));
    expect(await main(["merge", report])).toBe(2);
    expect(output.printed(output.stderr)).toContain("format version 1; this walrus-spec reads version 2");
  });
});
