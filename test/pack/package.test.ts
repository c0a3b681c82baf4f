/**
 * The package as an auditor installs it (`npm run test:pack`, in CI): `npm pack`, the tarball
 * installed with its production dependencies only into an empty project, then every command of
 * the installed `walrus-spec` run there — nothing of the repository's own node_modules or sources
 * is on the way. It also compiles the guide's library example (docs/README.md, "Use it as a
 * library") against the installed package's types and runs it, and checks the guide's own model
 * file with `check --model`.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pattern } from "../../spec/self-check.js";
import { guideOwnFiles } from "../support/guide.js";
import { recordedStates } from "../support/check-record.js";

const ROOT = join(import.meta.dirname, "..", "..");
const GUIDE = readFileSync(join(ROOT, "docs", "README.md"), "utf8");

let scratch = "";
let project = "";

function run(args: readonly string[], cwd = project): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(join(project, "node_modules", ".bin", "walrus-spec"), [...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "walrus-spec-pack-"));
  // `npm pack` builds dist/ first (the prepack script), so the tarball holds what the sources say.
  const [packed] = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: ROOT, encoding: "utf8" }),
  ) as { filename: string }[];
  project = join(scratch, "auditor");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "auditor", private: true, type: "module" }));
  execFileSync(
    "npm",
    ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", join(scratch, packed?.filename ?? "")],
    { cwd: project, stdio: "ignore" },
  );
}, 600_000);

afterAll(() => {
  if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
});

describe("the installed package", () => {
  it("has its production dependencies only, its licence and its schema", () => {
    const modules = join(project, "node_modules");
    for (const dev of ["vitest", "tsx", "typescript", "@mysten/walrus-wasm", "@noble/hashes"]) {
      expect(existsSync(join(modules, dev)), dev).toBe(false);
    }
    const installed = join(modules, "walrus-spec");
    expect(readFileSync(join(installed, "LICENSE"), "utf8")).toContain("Apache License");
    expect(existsSync(join(installed, "schema", "check-report.schema.json"))).toBe(true);
    expect(existsSync(join(installed, "test"))).toBe(false);
  });

  it("walrus-spec --help lists every command", () => {
    const { code, stdout } = run(["--help"]);
    expect(code).toBe(0);
    for (const command of ["blob-id", "encode", "decode", "check", "list", "replay", "merge", "docs"]) {
      expect(stdout).toContain(command);
    }
  });

  it("walrus-spec list knows the catalogue", () => {
    const { code, stdout } = run(["list"]);
    expect(code).toBe(0);
    expect(stdout).toContain("quorum-write-4-byzantine (default)");
  });

  it("walrus-spec blob-id gives the ID the repository's build gives", () => {
    const file = join(scratch, "blob.bin");
    writeFileSync(file, pattern(70_000, 3));
    const installed = run(["blob-id", file, "--n-shards", "10"]);
    const repository = spawnSync(
      process.execPath,
      [join(ROOT, "dist", "cli", "bin.js"), "blob-id", file, "--n-shards", "10"],
      {
        encoding: "utf8",
      },
    );
    expect(installed.code).toBe(0);
    expect(installed.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(installed.stdout).toBe(repository.stdout);
  });

  it("walrus-spec encode and decode round-trip a blob", () => {
    const file = join(scratch, "round.bin");
    writeFileSync(file, pattern(5_000, 9));
    const out = join(scratch, "slivers");
    expect(run(["encode", file, "--n-shards", "7", "--out", out]).code).toBe(0);
    const decoded = join(scratch, "round.out");
    expect(run(["decode", out, "--out", decoded]).code).toBe(0);
    expect(readFileSync(decoded)).toEqual(readFileSync(file));
  });

  it("walrus-spec check quorum-write-4-byzantine holds", () => {
    const { code, stdout } = run(["check", "quorum-write-4-byzantine", "--no-progress"]);
    expect(code).toBe(0);
    expect(stdout).toContain("models: 1 passed, 0 failed");
  });

  it("a counterexample written by check replays, and a sharded simulation merges", () => {
    const traces = join(scratch, "traces");
    const failing = run(["check", "two-phase-commit-3-buggy", "--trace-out", traces, "--no-progress"]);
    expect(failing.code).toBe(1);
    const trace = readdirSync(traces).find((f) => f.endsWith(".itf.json"));
    expect(trace).toBeDefined();
    const replayed = run(["replay", join(traces, trace as string)]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain("confirmed");
    const shards = [1, 2].map((i) => {
      const file = join(scratch, `shard-${i}.json`);
      const shard = run(["check", "two-phase-commit-3", "--simulate", "40", "--shard", `${i}/2`, "--format", "json"]);
      expect(shard.code).toBe(0);
      writeFileSync(file, shard.stdout);
      return file;
    });
    expect(run(["merge", ...shards]).code).toBe(0);
  });

  it("walrus-spec docs draws the statecharts where it is told", () => {
    const out = join(scratch, "docs", "machines");
    const { code, stderr } = run(["docs", "reader", "--out", out]);
    expect(code, stderr).toBe(0);
    expect(readFileSync(join(out, "reader.svg"), "utf8")).toContain("<svg");
  });

  it("checks the guide's own model file with --model, and refuses a module without a model", () => {
    for (const file of guideOwnFiles(GUIDE)) writeFileSync(join(project, file.name), file.text);
    const { code, stdout, stderr } = run(["check", "--model", "my-model.ts", "--no-progress"]);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain("models: 1 passed, 0 failed");
    writeFileSync(join(project, "nothing.mjs"), "export const answer = 42;\n");
    const refused = run(["check", "--model", "nothing.mjs"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(refused.stderr).toContain("exports no model");
  });

  it("compiles the guide's library example against the installed types and runs it", async () => {
    for (const file of guideOwnFiles(GUIDE)) writeFileSync(join(project, file.name), file.text);
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          typeRoots: [join(ROOT, "node_modules", "@types")],
          types: ["node"],
        },
        files: ["check-it.ts"],
      }),
    );
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
      cwd: project,
      encoding: "utf8",
    });
    expect(tsc.status, tsc.stdout).toBe(0);
    const ran = spawnSync(process.execPath, ["check-it.js"], { cwd: project, encoding: "utf8" });
    expect(ran.status, ran.stderr).toBe(0);
    expect(ran.stdout).toContain("holds: always quorum intersection");
    // The count is the record's (docs/check-results.json), as the guide says.
    const [states] = await recordedStates("quorum-write-4-byzantine");
    expect(ran.stdout).toContain(`${states} unique states, complete: true`);
  });
});
