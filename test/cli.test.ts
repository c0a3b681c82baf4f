/**
 * The `walrus-spec` command as a user runs it: its stdout, stderr, files and exit code (run
 * through `main()` in this process; a separate process where the exit code the shell sees is the
 * point).
 */

import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordedStates } from "./support/check-record.js";
import { runCli, spawnCli } from "./support/cli.js";
import { afterAll, describe, expect, it, vi } from "vitest";
import { MODELS } from "../models/index.js";
import { encodeMetadataWithId, encodeSliver } from "../spec/bcs.js";
import { blobIdToString } from "../spec/commitments/blob-id.js";
import { encodeInconsistently } from "../spec/codec/malicious.js";
import { pattern } from "../spec/self-check.js";
import { oracleEncode } from "./support/wasm-oracle.js";

/**
 * The codec self-check stands in for the real one (which `npm run check` runs, its two n = 1000
 * blob IDs alone taking seconds): one result passes, one fails.
 */
const SELF_CHECK = vi.hoisted(() => [
  { name: "stand-in: a known answer", ok: true, detail: "" },
  { name: "stand-in: a round trip", ok: false, detail: "broken" },
]);
vi.mock("../spec/self-check.js", async (original) => ({
  ...(await original<typeof import("../spec/self-check.js")>()),
  runCodecSelfCheck: () => SELF_CHECK,
}));

const work = mkdtempSync(join(tmpdir(), "walrus-spec-cli-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = runCli;

function file(name: string, bytes: Uint8Array): string {
  const path = join(work, name);
  writeFileSync(path, bytes);
  return path;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("blob-id", () => {
  it("prints the blob ID Walrus gives the file", async () => {
    const regression = file("regression.txt", new TextEncoder().encode("walrus blob id v1 regression test"));
    expect(await run("blob-id", regression, "--n-shards", "10")).toMatchObject({
      code: 0,
      stdout: "RcU82Mwf-CFkv1LaI_2qcpANwpGUuG3TMwnVzZxD2kY\n",
    });
    // Default n = 1000 (Mainnet).
    const tenBytes = file(
      "ten.bin",
      Uint8Array.from({ length: 10 }, (_, i) => i),
    );
    const expected = Buffer.from("865ca48479104a9bdc136f7d6730b7f3920012eccb4e99ba8540b9363766e093", "hex");
    expect((await run("blob-id", tenBytes)).stdout).toBe(`${expected.toString("base64url")}\n`);
  }, 60_000);

  it("reports progress on stderr for large files and gives the same ID with and without threads", async () => {
    const big = file("big.bin", pattern(5 << 20, 1));
    const threaded = await run("blob-id", big, "-n", "100", "--threads", "2");
    const single = await run("blob-id", big, "-n", "100", "--threads", "1");
    expect(threaded.code).toBe(0);
    expect(threaded.stderr).toMatch(/encoding \(rows\)/);
    expect(threaded.stderr).toMatch(/encoding \(roots\): \d+\/\d+ \(100%\)/);
    expect(single.stdout).toBe(threaded.stdout);
    expect(blobIdToString(oracleEncode(pattern(5 << 20, 1), 100).blobId)).toBe(threaded.stdout.trim());
  }, 120_000);
});

describe("encode and decode", () => {
  const blob = pattern(5000, 7);
  const input = file("blob.bin", blob);
  const dir = join(work, "slivers");

  it("encode writes exactly the BCS bytes of @mysten/walrus-wasm", async () => {
    const result = await run("encode", input, "--n-shards", "10", "--out", dir);
    expect(result.code).toBe(0);
    const oracle = oracleEncode(blob, 10);
    expect(result.stdout).toBe(`${blobIdToString(oracle.blobId)}\n`);
    expect(readdirSync(dir).length).toBe(21);
    for (let p = 0; p < 10; p++) {
      expect(hex(readFileSync(join(dir, `primary-${p}.bcs`)))).toBe(hex(oracle.primaryBcs[p]));
      expect(hex(readFileSync(join(dir, `secondary-${p}.bcs`)))).toBe(hex(oracle.secondaryBcs[p]));
    }
    expect(hex(readFileSync(join(dir, "metadata.bcs")).subarray(0, 32))).toBe(hex(oracle.blobId));
  });

  async function subset(name: string, keep: (file: string) => boolean): Promise<string> {
    const target = join(work, name);
    rmSync(target, { recursive: true, force: true });
    await run("encode", input, "--n-shards", "10", "--out", target);
    for (const entry of readdirSync(target)) if (entry !== "metadata.bcs" && !keep(entry)) rmSync(join(target, entry));
    return target;
  }

  it("decodes from any n−2f primary files or any n−f secondary files", async () => {
    // n = 10: f = 3, n−2f = 4, n−f = 7.
    const primaries = await subset("p4", (f) => /^primary-(1|3|8|9)\.bcs$/.test(f));
    const out = join(work, "out-p.bin");
    const decoded = await run("decode", primaries, "--out", out);
    expect(decoded.code).toBe(0);
    expect(decoded.stderr).toMatch(/from 4 primary slivers/);
    expect(hex(readFileSync(out))).toBe(hex(blob));

    const secondaries = await subset("s7", (f) => /^secondary-[0-6]\.bcs$/.test(f));
    const out2 = join(work, "out-s.bin");
    expect((await run("decode", secondaries, "--out", out2, "--strict")).code).toBe(0);
    expect(hex(readFileSync(out2))).toBe(hex(blob));
  });

  it("fails with exit code 1 and a clear message when too few valid slivers remain", async () => {
    const few = await subset("few", (f) => /^primary-[0-2]\.bcs$/.test(f) || /^secondary-[0-5]\.bcs$/.test(f));
    const result = await run("decode", few, "--out", join(work, "never.bin"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not enough valid (primary|secondary) slivers to decode: have \d, need \d/);
  });

  it("rejects tampered and malformed sliver files and decodes from the rest", async () => {
    const dir2 = await subset("tampered", (f) => /^primary-[0-4]\.bcs$/.test(f));
    const victim = join(dir2, "primary-0.bcs");
    const bytes = readFileSync(victim);
    bytes[5] ^= 1;
    writeFileSync(victim, bytes);
    writeFileSync(join(dir2, "primary-1.bcs"), Uint8Array.of(1, 2, 3));
    const out = join(work, "out-t.bin");
    const result = await run("decode", dir2, "--out", out);
    expect(result.stderr).toMatch(/skipped primary-1\.bcs: malformed SliverData/);
    expect(result.stderr).toMatch(/rejected primary sliver 0: Merkle root does not match the metadata/);
    expect(result.code).toBe(1); // 3 valid primary slivers left, 4 needed
    const dir3 = await subset("tampered2", (f) => /^primary-[0-5]\.bcs$/.test(f));
    const victim3 = join(dir3, "primary-2.bcs");
    const bytes3 = readFileSync(victim3);
    bytes3[9] ^= 0x40;
    writeFileSync(victim3, bytes3);
    expect((await run("decode", dir3, "--out", out)).code).toBe(0);
    expect(hex(readFileSync(out))).toBe(hex(blob));
  });

  it("reports an inconsistent encoding with exit code 1 under --strict", async () => {
    const malicious = encodeInconsistently(blob, 10, { primary: [0] });
    const target = join(work, "malicious");
    rmSync(target, { recursive: true, force: true });
    await run("encode", input, "--n-shards", "10", "--out", target);
    writeFileSync(join(target, "metadata.bcs"), encodeMetadataWithId(malicious));
    for (let p = 0; p < 10; p++) {
      writeFileSync(join(target, `primary-${p}.bcs`), encodeSliver(malicious.primarySlivers[p]));
      writeFileSync(join(target, `secondary-${p}.bcs`), encodeSliver(malicious.secondarySlivers[9 - p]));
    }
    const result = await run("decode", target, "--out", join(work, "never2.bin"), "--strict");
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/inconsistently encoded \(strict check\)/);
  });
});

describe("bad input", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["missing file", ["blob-id", "/nonexistent/file"], /cannot read \/nonexistent\/file: ENOENT/],
    ["n below 4", ["blob-id", "x", "--n-shards", "3"], /must be an integer in 4\.\.49155/],
    ["n not a number", ["encode", "x", "--n-shards", "ten", "--out", "d"], /must be an integer/],
    ["missing --out", ["encode", "x", "--n-shards", "10"], /required option '-o, --out <dir>'/],
    ["unknown option", ["decode", "d", "--out", "f", "--loose"], /unknown option '--loose'/],
    ["decode without metadata", ["decode", "/tmp", "--out", "/tmp/x"], /metadata\.bcs: ENOENT/],
    ["threads out of range", ["blob-id", "x", "--threads", "0"], /must be an integer in 1\.\.256/],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: one line on stderr, exit code 2`, async () => {
      const result = await run(...args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    });
  }

  it("unknown command: one line on stderr, exit code 2 (of the process)", () => {
    const result = spawnCli("frobnicate");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown command 'frobnicate'/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("a blob too large for n: exit code 2", async () => {
    const big = file("too-large.bin", new Uint8Array(393_205));
    const result = await run("blob-id", big, "-n", "4");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/too large to be encoded: 393205 bytes, at most 393204 bytes with 4 shards/);
  });

  it("malformed metadata: exit code 2 naming the problem", async () => {
    const dir = join(work, "badmeta");
    await run("encode", file("m.bin", pattern(10, 1)), "-n", "4", "--out", dir);
    const metadata = readFileSync(join(dir, "metadata.bcs"));
    writeFileSync(join(dir, "metadata.bcs"), metadata.subarray(0, 100));
    const truncated = await run("decode", dir, "--out", join(work, "x.bin"));
    expect(truncated.code).toBe(2);
    expect(truncated.stderr).toMatch(/metadata\.bcs: malformed BlobMetadataWithId/);
    metadata[60] ^= 1;
    writeFileSync(join(dir, "metadata.bcs"), metadata);
    const wrongId = await run("decode", dir, "--out", join(work, "x.bin"));
    expect(wrongId.code).toBe(2);
    expect(wrongId.stderr).toMatch(/does not hash to the claimed blob ID/);
  });

  it("--help on every command", async () => {
    for (const command of ["blob-id", "encode", "decode", "check", "list", "replay", "merge"]) {
      const result = await run(command, "--help");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Usage: walrus-spec ${command}`));
    }
  });
});

describe("check and list", () => {
  // The full default run is CI's `npm run check`, whose record (docs/check-results.json) holds
  // every default model's count and verdicts, and which runs the real codec self-check; here a
  // bound of 300 states keeps it to the selection (the manifest's default models, in its order),
  // the report's shape and the counts of the small models, and a stand-in for the self-check
  // (mocked above) shows that its results are reported and that a failed one fails the run.
  it("checks the codec and every default model by default, with the state counts in the JSON report", async () => {
    // One model at a time: the suite's other workers keep the cores busy, and threads of their own
    // would each load the sources again.
    // A bound of 120 states leaves the smallest models complete and costs little on the others.
    const result = await run("check", "--format", "json", "--max-states", "120", "--jobs", "1");
    const report = JSON.parse(result.stdout);
    // The stand-in's failed result fails the run (exit 1), which a bounded search alone leaves at 2.
    expect(result.code).toBe(1);
    expect(report.codec).toMatchObject({ failed: 1, results: SELF_CHECK });
    type Row = { model: string; uniqueStates: number; complete: boolean };
    const defaults = MODELS.filter((m) => m.isDefault);
    expect(defaults.length).toBeGreaterThan(10);
    const recorded = await recordedStates(...defaults.map((m) => m.name));
    expect(report.models.map((m: Row) => [m.model, m.complete ? m.uniqueStates : "stopped at 120"])).toEqual(
      defaults.map((m, i) => {
        const states = recorded[i];
        return [m.name, states !== undefined && states <= 120 ? states : "stopped at 120"];
      }),
    );
    expect(report.models.filter((m: Row) => m.complete).length).toBeGreaterThanOrEqual(4);
    expect(report.models.filter((m: Row) => !m.complete).every((m: Row) => m.uniqueStates === 120)).toBe(true);
  }, 60_000);

  it("a violated property: exit code 1 (of the process) and a numbered counterexample", () => {
    const result = spawnCli("check", "two-phase-commit-3-buggy");
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL {4}always TCConsistent: counterexample in 5 steps\n {6}0\. initial state\n/);
    expect(result.stdout).toMatch(/ {6}1\. RMPrepare\(rm0\)\n {9}rmState\.rm0: "working" → "prepared"/);
  });

  it("--dfs finds the same violation; --bfs and --dfs together are a usage error", async () => {
    expect((await run("check", "two-phase-commit-3-buggy", "--dfs")).code).toBe(1);
    const both = await run("check", "two-phase-commit-3", "--bfs", "--dfs");
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/choose one search/);
  });

  it("a bound that stops the search: exit code 2 and the coverage reached", async () => {
    const result = await run("check", "two-phase-commit-5", "--max-states", "100");
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/100 unique states .* INCOMPLETE: stopped by --max-states after 100 unique states/);
  });

  it("an unknown model: exit code 2 naming the known ones", async () => {
    const result = await run("check", "no-such-model");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown model no-such-model; known: two-phase-commit-3/);
  });

  it("list shows every model with its parameters, its recorded search, what it must break and its properties", async () => {
    const result = await run("list");
    expect(result.code).toBe(0);
    const [states] = await recordedStates("two-phase-commit-3");
    expect(result.stdout).toMatch(
      new RegExp(
        `two-phase-commit-3 \\(default\\): .*\n {2}parameters: rms=3, network=duplicating\n {2}recorded: ${states} unique states, depth \\d+ \\(docs/check-results\\.json\\)\n {2}always tc-consistent: TCConsistent`,
      ),
    );
    expect(result.stdout).toMatch(
      /write-4-f-plus-1 \(default\): .*\n(.*\n)* {2}must fail: write-completeness, poa-f-plus-1-stored\n/,
    );
    expect(result.stdout).toMatch(/two-phase-commit-plain-8 \(long profile\): /);
  });
});
