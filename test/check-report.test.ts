/**
 * The reports tools read: the JSON report validates against the schema the package ships
 * (schema/check-report.schema.json, generated from report/check-report.ts), for a search with a
 * counterexample and a witness, a tightness model, a bounded search and a simulation; the schema
 * is strict enough to reject what the types do not allow. JUnit output stays XML that a strict
 * parser reads when a property name or a trace holds characters XML forbids. Verdicts are
 * coloured only where colour is wanted.
 */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv } from "ajv";
import { SaxesParser } from "saxes";
import { describe, expect, it } from "vitest";
import { colourVerdict, useColour } from "../cli/colour.js";
import { REPORT_FORMAT_VERSION, xmlText } from "../report/check-report.js";
import { main } from "../cli/main.js";
import { captureOutput } from "./support/output.js";

const ROOT = join(import.meta.dirname, "..");
const schema = JSON.parse(readFileSync(join(ROOT, "schema", "check-report.schema.json"), "utf8"));
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

const output = captureOutput();

async function run(args: string[], jobs = 1): Promise<{ code: number; stdout: string }> {
  const code = await main([...args, "--no-progress", "--jobs", String(jobs)]);
  const stdout = output.printed(output.stdout);
  output.stdout.mockClear();
  return { code, stdout };
}

describe("the JSON report", () => {
  it.each([
    ["a counterexample and witnesses", ["check", "two-phase-commit-3-buggy"], 1],
    ["a tightness model that fails as expected", ["check", "epoch-change-4-f-plus-1"], 0],
    ["a search stopped by a bound", ["check", "two-phase-commit-5", "--max-states", "50"], 2],
    ["a simulation", ["check", "two-phase-commit-3-buggy", "--simulate", "20"], 1],
  ])("validates against the shipped schema: %s", async (_, args, exit) => {
    const { code, stdout } = await run([...args, "--format", "json"]);
    expect(code).toBe(exit);
    const report = JSON.parse(stdout);
    expect(report.formatVersion).toBe(REPORT_FORMAT_VERSION);
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  });

  it("is the same with models shared among worker threads as on one thread, timing aside", async () => {
    const models = ["two-phase-commit-3-buggy", "quorum-write-4-byzantine", "write-read-4-byzantine-attests"];
    const untimed = (stdout: string) => JSON.stringify(JSON.parse(stdout), (k, v) => (k === "timing" ? undefined : v));
    const one = await run(["check", ...models, "--format", "json"], 1);
    const two = await run(["check", ...models, "--format", "json"], 2);
    expect(two.code).toBe(one.code);
    expect(untimed(two.stdout)).toBe(untimed(one.stdout));
    expect(JSON.parse(two.stdout).models.map((m: { model: string }) => m.model)).toEqual(models);
  });

  it("the schema rejects a report without its format version, or with a field the types do not name", async () => {
    const { stdout } = await run(["check", "two-phase-commit-3", "--format", "json"]);
    const report = JSON.parse(stdout);
    expect(validate(report)).toBe(true);
    const { formatVersion: _, ...unversioned } = report;
    expect(validate(unversioned)).toBe(false);
    expect(validate({ ...report, formatVersion: 1 })).toBe(false);
    const [model] = report.models;
    expect(validate({ ...report, models: [{ ...model, surprise: true }] })).toBe(false);
    expect(validate({ ...report, models: [{ ...model, uniqueStates: "many" }] })).toBe(false);
  });
});

/** A model module whose names and traces hold every character XML 1.0 cannot carry. */
function hostileModel(): string {
  const dir = mkdtempSync(join(tmpdir(), "walrus-spec-junit-"));
  const file = join(dir, "hostile.mjs");
  writeFileSync(
    file,
    `// A counter whose property and action names hold control characters, a lone surrogate and U+FFFF.
const BAD = "\\u0000\\u0001\\u0007\\u001b[31m\\u000b\\u000c\\ud800\\uffff<&>\\"'";
export default {
  name: "hostile" + BAD,
  initStates: () => [0],
  actions: (state, out) => { if (state < 2) out.push("step" + BAD); },
  nextState: (state) => state + 1,
  fingerprint: (state, out) => { out.hi = 0; out.lo = state; },
  formatAction: (action) => action,
  properties: [
    { kind: "always", name: "below two" + BAD, holds: (state) => state < 2 },
    { kind: "sometimes", name: "never" + BAD, holds: () => false },
  ],
};
`,
  );
  return file;
}

describe("JUnit output", () => {
  it("is well-formed XML 1.0 even when names and traces hold characters XML forbids", async () => {
    const { code, stdout } = await run(["check", "--model", hostileModel(), "--format", "junit"]);
    expect(code).toBe(1);
    const parser = new SaxesParser({ xmlns: false });
    const names: string[] = [];
    let failures = 0;
    parser.on("opentag", (tag) => {
      if (tag.name === "testcase") names.push(String(tag.attributes.name));
      if (tag.name === "failure") failures++;
    });
    parser.on("error", (error) => {
      throw error;
    });
    parser.write(stdout).close();
    expect(failures).toBe(2);
    // The forbidden characters are shown, not lost: a reader still sees where they were.
    expect(names.some((name) => name.includes("\\u0007") && name.includes("\\ud800") && name.includes("<&>"))).toBe(
      true,
    );
  });

  it("escapes markup and keeps tabs, new lines and astral characters as they are", () => {
    expect(xmlText(`a<b>&"c'\t\n\r😀`)).toBe("a&#60;b&#62;&#38;&#34;c&#39;\t\n\r😀");
    expect(xmlText("\u0000\u001f\ufffe")).toBe("\\u0000\\u001f\\ufffe");
  });
});

describe("verdict colours", () => {
  const tty = { isTTY: true, hasColors: () => true } as unknown as NodeJS.WriteStream;
  const pipe = { isTTY: false } as unknown as NodeJS.WriteStream;

  it("are used on a terminal, never when NO_COLOR is set or the output is not a terminal", () => {
    expect(useColour(tty, {})).toBe(true);
    expect(useColour(tty, { NO_COLOR: "1" })).toBe(false);
    expect(useColour(pipe, {})).toBe(false);
    expect(useColour(pipe, { FORCE_COLOR: "1" })).toBe(true);
  });

  it("mark the verdict word only", () => {
    const failed = colourVerdict("  FAIL    always TCConsistent: counterexample in 5 steps");
    expect(failed).toBe(
      "  \u001b[31m\u001b[1mFAIL\u001b[22m\u001b[39m    always TCConsistent: counterexample in 5 steps",
    );
    expect(colourVerdict("  ok      always TCConsistent")).toContain("\u001b[32mok\u001b[39m");
    expect(colourVerdict("models: 3 passed, 0 failed")).toBe("models: 3 passed, 0 failed");
    expect(colourVerdict("models: 2 passed, 1 failed")).toContain("\u001b[31m1 failed\u001b[39m");
  });
});
