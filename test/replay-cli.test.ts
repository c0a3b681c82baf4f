/**
 * `walrus-spec replay` as a user runs it (through `main()`, in this process): trace files written by
 * writeTraceFiles replayed, with its stdout, stderr and exit code (0 confirmed, 1 diverges, 2
 * unusable).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./support/cli.js";
import { afterAll, describe, expect, it } from "vitest";
import { checkModel } from "../checker/search.js";
import { writeTraceFiles } from "../checker/trace.js";
import { findModel } from "../models/index.js";

const work = mkdtempSync(join(tmpdir(), "walrus-spec-replay-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = runCli;

/** Checks the catalogue model `name` and writes the trace files of the property with id `property`. */
function traceOf(name: string, property: string): string {
  const entry = findModel(name);
  if (!entry) throw new Error(`no model ${name}`);
  const model = entry.build();
  const result = checkModel(model).properties.find((p) => p.id === property);
  const path =
    result?.kind === "always" && !result.holds
      ? result.counterexample
      : result?.kind === "sometimes" && result.holds
        ? result.witness
        : undefined;
  if (!result || !path) throw new Error(`no discovery for ${property}`);
  return writeTraceFiles(work, name, model, property, result.kind, path, { replayModel: entry.build() }).itf;
}

function tampered(source: string, name: string, change: (trace: ReturnType<typeof JSON.parse>) => void): string {
  const trace = JSON.parse(readFileSync(source, "utf8"));
  change(trace);
  const path = join(work, name);
  writeFileSync(path, JSON.stringify(trace));
  return path;
}

function written(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const buggy = traceOf("two-phase-commit-3-buggy", "tc-consistent");

describe("replay", () => {
  it("confirms the seeded bug's counterexample, printing its numbered steps", async () => {
    const result = await run("replay", buggy);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe("two-phase-commit-3-buggy: always TCConsistent (tc-consistent), violation in 5 steps");
    expect(lines).toContain("  3. TMCommit");
    expect(lines).toContain('     rmState.rm1: "working" → "aborted"');
    expect(lines.at(-1)).toBe("violation of TCConsistent confirmed at step 5");
    expect(result.stderr).toBe("");
  });

  it("confirms an actor model's witness, and reports as JSON", async () => {
    const witness = traceOf("two-phase-commit-3", "witness-all-committed");
    expect(witness).toBe(join(work, "two-phase-commit-3.witness-all-committed.itf.json"));
    const result = await run("replay", witness, "--format", "json");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      trace: witness,
      model: "two-phase-commit-3",
      property: "witness-all-committed",
      propertyName: "all committed",
      kind: "sometimes",
      verdict: "witness",
      confirmed: true,
      steps: 10,
    });
  });

  it("exit 1 when a recorded value was changed, at that step", async () => {
    const file = tampered(buggy, "value.itf.json", (t) => {
      t.states[4].rmState.rm0 = "aborted";
    });
    const result = await run("replay", file);
    expect(result.code).toBe(1);
    expect(result.stdout.trimEnd().split("\n").at(-1)).toBe(
      'violation of TCConsistent not confirmed: the trace diverges at step 4: the state differs from the trace (trace → replay): rmState.rm0: "aborted" → "committed"',
    );
  });

  it("exit 1 when an action index was changed, at that step", async () => {
    const file = tampered(buggy, "index.itf.json", (t) => {
      t["#meta"].actionPath.actions[2] = 0;
    });
    const result = await run("replay", file, "--format", "json");
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      confirmed: false,
      divergence: { step: 3, reason: 'action index 0 is "TMRcvPrepared(rm0)" in the model, "TMCommit" in the trace' },
    });
  });

  it("exit 1 when the last state does not show the violation", async () => {
    const file = tampered(buggy, "short.itf.json", (t) => {
      t.states.pop();
      t["#meta"].actionPath.actions.pop();
      t["#meta"].actions.pop();
    });
    const result = await run("replay", file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /violation of TCConsistent not confirmed: the trace diverges at step 4: TCConsistent holds in the last state/,
    );
  });

  it.each([
    ["no file named", [], /^error: missing required argument 'trace'$/],
    ["a missing file", [join(work, "absent.json")], /^walrus-spec: cannot read .*absent\.json: ENOENT/],
    [
      "a file that is not JSON",
      [written("text.itf.json", "states:\n  - 1\n")],
      /^walrus-spec: .*text\.itf\.json: not JSON/,
    ],
    ["JSON that is not ITF", [written("other.json", '{"name": "x"}')], /not an ITF trace/],
    [
      "an ITF trace of an unknown model",
      [
        tampered(buggy, "unknown.itf.json", (t) => {
          t["#meta"].model = "no-such-model";
        }),
      ],
      /unknown model "no-such-model"; known: two-phase-commit-3,/,
    ],
    [
      "an ITF trace of a property the model does not have",
      [
        tampered(buggy, "unknown-property.itf.json", (t) => {
          t["#meta"].property = "tc-consistent-renamed";
        }),
      ],
      /^walrus-spec: cannot replay on model two-phase-commit-3-buggy: #meta\.property: model .* has no always property with id "tc-consistent-renamed" \(its always properties: tc-consistent\)$/,
    ],
    [
      "a trace of format 1, which named the property by name",
      [
        tampered(buggy, "format-1.itf.json", (t) => {
          delete t["#meta"].formatVersion;
          delete t["#meta"].propertyName;
          t["#meta"].property = "TCConsistent";
        }),
      ],
      /format-1\.itf\.json: #meta\.formatVersion: missing: a trace of walrus-spec's trace format 1, which named the property by its name in words; this version reads format 2 \(the property by id\): write the trace again with check --trace-out$/,
    ],
    [
      "an ITF trace with a field missing",
      [tampered(buggy, "missing.itf.json", (t) => delete t.states[2].msgs)],
      /missing\.itf\.json: states\[2\]: missing field msgs$/,
    ],
    ["an unknown format", [buggy, "--format", "yaml"], /must be text or json/],
  ])("exit 2 with a one-line error for %s", async (_, args, message) => {
    const result = await run("replay", ...args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
