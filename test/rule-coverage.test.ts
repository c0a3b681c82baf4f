/**
 * `walrus-spec mutate` (cli/mutate-command.ts) as an auditor runs it: a campaign over named models
 * and mutants, its report, shards that merge into the unsharded campaign, a score threshold, and
 * clear errors for bad arguments and reports; docs/rule-coverage.md as generated from a report.
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ruleCoveragePage } from "../report/rule-coverage-page.js";
import type { MutantResult } from "../report/mutate-campaign.js";
import { ABOUT, RULE_COVERAGE_FORMAT, type RuleCoverageReport, parseRuleCoverage } from "../report/mutate-report.js";
import { runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "walrus-spec-mutate-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const read = (file: string) => parseRuleCoverage(readFileSync(file, "utf8"), file);
const mutate = (...args: string[]) => runCli("mutate", "--jobs", "1", "--no-record", ...args);

describe("walrus-spec mutate", () => {
  it("shards the campaign: the merged shards are the unsharded campaign; --min-score judges it", async () => {
    const args = ["write-4", "--only", "writer.confirmationIsValid", "writer.newerEpoch"];
    const whole = join(work, "whole.json");
    const shards = [1, 2].map((i) => join(work, `shard-${i}.json`));
    // A node's confirmation taken as valid whatever it is survives write-4, whose nodes are all
    // honest; the epoch rule never runs there. The report is written all the same.
    const below = await mutate(...args, "--out", whole, "--min-score", "100");
    // What was run, and how long it took, goes to stderr.
    expect(below.stderr).toMatch(/^6 mutants over 1 model in \d+ s on 1 thread$/m);
    expect(below.code).toBe(1);
    const report = read(whole);
    expect(report.models).toEqual([{ name: "write-4", states: expect.any(Number) }]);
    expect(report.planned).toBeGreaterThan(report.mutants.length);
    expect(report.mutants.map((m) => `${m.name} ${m.verdict}`)).toEqual([
      "writer.confirmationIsValid:always survived",
      "writer.confirmationIsValid:negated killed",
      "writer.confirmationIsValid:never killed",
      "writer.newerEpoch:always not reached",
      "writer.newerEpoch:negated not reached",
      "writer.newerEpoch:never not reached",
    ]);
    for (const m of report.mutants.filter((m) => m.verdict === "killed")) expect(m.killedBy?.model).toBe("write-4");
    expect(below.stdout).toMatch(/^writer: 6 mutants, 2 killed, 1 survived, 3 not reached, score 66\.7 %$/m);
    expect(below.stdout).not.toMatch(/^storageNode:/m);
    expect(below.stderr).toMatch(/score 66\.7 % is below --min-score 100\.0 %/);
    expect(below.stdout).toMatch(/survived +writer\.confirmationIsValid:always/);
    expect(below.stdout).toMatch(/not reached writer\.newerEpoch:always/);
    for (const [i, file] of shards.entries()) {
      expect((await mutate(...args, "--shard", `${i + 1}/2`, "--out", file)).code).toBe(0);
    }
    const [one, two] = shards.map(read);
    expect(one?.shard).toEqual({ index: 1, count: 2 });
    expect(one?.mutants.length).toBeGreaterThan(0);
    expect(two?.mutants.length).toBeGreaterThan(0);
    const merged = join(work, "merged.json");
    const result = await runCli("mutate", "--merge", "--no-record", ...shards, "--out", merged, "--min-score", "60");
    expect(result.code).toBe(0);
    expect(read(merged).mutants).toEqual(read(whole).mutants);
    // The same shard twice is refused rather than counted twice.
    const twice = await runCli("mutate", "--merge", "--no-record", shards[0] as string, shards[0] as string);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/is in more than one report/);
  });

  it.each([
    [["--shard", "3/2"], /--shard: shard must be i\/N/],
    [["--min-score", "120"], /--min-score must be a percentage/],
    [["no-such-model"], /unknown model no-such-model/],
    [["write-4", "--only", "nosuch."], /no mutant's name starts with nosuch\./],
    [["--merge"], /--merge needs the shards' report files/],
  ])("refuses %j with a clear error (exit 2)", async (args, message) => {
    const result = await mutate(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("refuses a report that is not one, or of another format, naming the file", async () => {
    const notJson = join(work, "not.json");
    const otherFormat = join(work, "other.json");
    writeFileSync(notJson, "{");
    writeFileSync(
      otherFormat,
      JSON.stringify({ formatVersion: 99, planned: 0, models: [], machines: [], mutants: [] }),
    );
    for (const [file, message] of [
      [notJson, /not\.json is not JSON/],
      [otherFormat, /other\.json is not a rule-coverage report: format version 99/],
      [join(work, "missing.json"), /cannot read .*missing\.json/],
    ] as const) {
      const result = await runCli("mutate", "--merge", "--no-record", file);
      expect(result.code, file).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe("docs/rule-coverage.md", () => {
  const mutant = (over: Partial<MutantResult> & Pick<MutantResult, "rule" | "kind" | "verdict">): MutantResult => ({
    name: `writer.${over.rule}:${over.kind}`,
    machine: "writer",
    ruleKind: "guard",
    searched: [],
    ...over,
  });
  const report: RuleCoverageReport = {
    formatVersion: RULE_COVERAGE_FORMAT,
    about: ABOUT,
    planned: 4,
    models: [{ name: "write-4", states: 8373 }],
    machines: [{ id: "writer", guards: ["gone", "quorumOfConfirmations"], actions: [] }],
    mutants: [
      mutant({
        rule: "quorumOfConfirmations",
        kind: "always",
        verdict: "killed",
        killedBy: { model: "write-4", how: "violated", property: "the blob is certified | by a quorum" },
      }),
      mutant({ rule: "quorumOfConfirmations", kind: "never", verdict: "survived" }),
      mutant({ rule: "gone", kind: "never", verdict: "not reached" }),
      // A survivor report/mutate-reasons.ts calls equivalent.
      {
        name: "storageNode.forgetSymbols:skipped",
        machine: "storageNode",
        rule: "forgetSymbols",
        ruleKind: "action",
        kind: "skipped",
        verdict: "survived",
        searched: ["write-4"],
      },
    ],
  };
  const page = ruleCoveragePage(report, new Map([["writer", new Set(["quorumOfConfirmations", "newRule"])]]), {
    mark: "Generated",
    recordFile: "docs/rule-coverage.json",
    defined: ["writer", "node-status"],
  });

  it("scores each machine and the whole campaign", () => {
    expect(page).toContain("| [`writer`](#writer) | 3 | 1 | 1 | 1 | 0 | 50.0 % |");
    expect(page).toContain("| **all** | 4 | 1 | 2 | 1 | 0 | 33.3 % |");
  });

  it("scores the mutants that change some behaviour apart from the equivalent ones", () => {
    expect(page).toContain(
      "Without the survivor that is equivalent (they change no behaviour of the protocol), the score is 50.0 %: 1 of the 2 mutants",
    );
  });

  it("says who killed each mutant and that a survivor has no reason yet", () => {
    expect(page).toContain(
      "| `quorumOfConfirmations` | always | killed | `write-4` violates the blob is certified \\| by a quorum |",
    );
    expect(page).toContain("| `quorumOfConfirmations` | never | survived | **no reason recorded** |");
  });

  it("lists the rules the machines gained or lost since the campaign", () => {
    expect(page).toMatch(/did not measure: `writer\.newRule`/);
    expect(page).toMatch(/no longer run: `writer\.gone`/);
  });

  it("names the machines no default model runs", () => {
    expect(page).toMatch(/no default model runs, so that no campaign measures them: `node-status`\./);
  });

  it("says when no campaign is recorded", () => {
    expect(ruleCoveragePage(null, new Map(), { mark: "Generated", recordFile: "x.json" })).toMatch(
      /No campaign is recorded yet: run `npm run mutate`/,
    );
  });
});
