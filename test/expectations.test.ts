/**
 * Tightness models and their expected failures (models/index.ts `expectedFailures`,
 * report/expectations.ts): `check` passes such a model when exactly its expected failures happen, and
 * fails it when another property breaks or a whole search no longer finds an expected failure;
 * `merge` judges a swarm the same way; every expectation names a property its model has.
 */

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { expectedToFail, surprises } from "../report/expectations.js";
import { ModelError } from "../checker/errors.js";
import { MODELS, defineModel, findModel } from "../models/index.js";
import { runCli as run } from "./support/cli.js";

describe("expected failures", () => {
  const tight = { expectedFailures: ["validity", "no-false-invalidation"] };

  it("match a property's id exactly, and say what is unexpected and what is missing", () => {
    expect(expectedToFail(tight, "validity")).toBe(true);
    expect(expectedToFail(tight, "validity-2")).toBe(false);
    expect(expectedToFail(tight, "availability-after-poa")).toBe(false);
    expect(expectedToFail(undefined, "validity")).toBe(false);
    expect(surprises(tight, ["validity", "no-false-invalidation"])).toEqual({ unexpected: [], missing: [] });
    expect(surprises(tight, ["validity", "availability-after-poa"])).toEqual({
      unexpected: ["availability-after-poa"],
      missing: ["no-false-invalidation"],
    });
    expect(surprises(undefined, ["availability-after-poa"])).toEqual({
      unexpected: ["availability-after-poa"],
      missing: [],
    });
  });

  it("each name a property of its model by id, and belong to default models or the long profile", () => {
    const tightness = MODELS.filter((m) => m.expectedFailures !== undefined);
    expect(tightness.length).toBeGreaterThanOrEqual(7);
    for (const entry of tightness) {
      expect(entry.isDefault || entry.profile === "long", entry.name).toBe(true);
      const ids = entry.build().properties.map((p) => p.id);
      for (const id of entry.expectedFailures ?? []) expect(ids, `${entry.name}: ${id}`).toContain(id);
    }
  });

  it("every model's property ids are lower-case words joined by - and distinct; a model that breaks this is refused", () => {
    for (const entry of MODELS) {
      const ids = entry.build().properties.map((p) => p.id);
      expect(new Set(ids).size, entry.name).toBe(ids.length);
      for (const id of ids) expect(id, entry.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    }
    const base = findModel("write-4")?.build();
    if (base === undefined) throw new Error("no write-4");
    const withProperties = (properties: typeof base.properties, expectedFailures?: string[]) =>
      defineModel({
        name: "mine",
        description: "a model of the auditor's",
        ...(expectedFailures ? { expectedFailures } : {}),
        build: () => ({ ...base, properties }),
      }).build();
    const [first, second] = base.properties;
    expect(() => withProperties([first, { ...second, id: first.id }])).toThrow(
      new ModelError(`mine: two properties have the id ${first.id}`),
    );
    expect(() => withProperties([{ ...first, id: "Not An Id" }])).toThrow(/property id "Not An Id" is not/);
    expect(() => withProperties([first], ["nosuch"])).toThrow(/the expected failure nosuch is no property's id/);
    expect(withProperties([first], [first.id]).properties).toHaveLength(1);
  });
});

describe("check and merge on a tightness model", () => {
  const work = mkdtempSync(join(tmpdir(), "walrus-spec-tightness-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("check: exit 0 when exactly the expected failures happen, marked as expected", async () => {
    const result = await run("check", "write-read-4-f-plus-1-invalidation", "--no-codec");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}fails {3}always validity \(Definition 1\.3\)/);
    expect(result.stdout).not.toMatch(/FAIL/);
    expect(result.stdout).toMatch(/expected: the 3 properties this tightness model must break fail/);
    const json = JSON.parse(
      (await run("check", "write-read-4-f-plus-1-invalidation", "--no-codec", "--format", "json")).stdout,
    );
    expect([json.models[0].passed, json.models[0].expectedFailures.length]).toEqual([true, 3]);
    const junit = (await run("check", "write-read-4-f-plus-1-invalidation", "--no-codec", "--format", "junit")).stdout;
    expect(junit).toMatch(/<testsuite name="write-read-4-f-plus-1-invalidation" tests="\d+" failures="0"/);
    expect(junit).toMatch(/\(fails, as expected\)/);
  });

  it("a bound that stops the search before the expected failures is incomplete (exit 2), not a failure", async () => {
    const result = await run("check", "write-4-f-plus-1", "--no-codec", "--max-states", "100");
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/not found by this bounded run/);
  });

  it("merge: a swarm of a tightness model that shows its expected failures passes", async () => {
    const base = ["check", "write-read-4-f-plus-1-invalidation", "--no-codec", "--simulate", "20", "--format", "json"];
    const files: string[] = [];
    for (const i of [1, 2]) {
      const file = join(work, `shard-${i}.json`);
      writeFileSync(file, (await run(...base, "--shard", `${i}/2`)).stdout);
      files.push(file);
    }
    expect((await run("merge", ...files)).code).toBe(0);
  });
});
