/**
 * A rule-coverage campaign's report (`walrus-spec mutate --out FILE`): the models it observed, the
 * machines and rules they run, and each mutant's verdict. A shard of a campaign writes the same
 * report over its part of the mutants; {@link mergeReports} joins the shards of one campaign, as the
 * swarm's reports are joined, and {@link summaryLines} is its text summary. The report holds no
 * timings, so the same machines and models give the same file: the one recorded as
 * docs/rule-coverage.json, from which docs/rule-coverage.md is generated, changes exactly when a
 * verdict does.
 */

import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { MachineRules } from "../checker/mutation.js";
import { PACKAGE_ROOT } from "./check-results.js";
import { UsageError } from "./errors.js";
import { readInputFile } from "./files.js";
import { type MutantResult, type MutantVerdict, compareText } from "./mutate-campaign.js";
import { reasonFor } from "./mutate-reasons.js";

/** Where a whole campaign over the default models is recorded. */
export const RULE_COVERAGE_FILE = join(PACKAGE_ROOT, "docs", "rule-coverage.json");

/** The report format's version; a report of another version is refused rather than misread. */
export const RULE_COVERAGE_FORMAT = 1;

/** A campaign's report, or a shard's part of one. */
export interface RuleCoverageReport {
  readonly formatVersion: typeof RULE_COVERAGE_FORMAT;
  readonly about: string;
  /** A shard's report: which part of the mutants it ran (`--shard i/N`). */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Mutants in the whole campaign (all shards). */
  readonly planned: number;
  /** The models observed, with their unmutated unique states. */
  readonly models: readonly { readonly name: string; readonly states: number }[];
  readonly machines: readonly MachineRules[];
  /** The mutants run, in name order. */
  readonly mutants: readonly MutantResult[];
}

/** What the report is, as its `about` field says it. */
export const ABOUT =
  "Rule coverage: the verdict of each mutant of each rule of the machines the default models run (walrus-spec mutate; npm run mutate records the whole campaign here). Read by `npm run docs` for docs/rule-coverage.md.";

/** The counts of a set of mutants and its score: killed / (killed + survived). */
export interface Score {
  readonly killed: number;
  readonly survived: number;
  readonly notReached: number;
  readonly undecided: number;
  /** Killed over killed and survived; NaN when there are neither. */
  readonly score: number;
}

/** The counts and score of a set of mutants. */
export function scoreOf(mutants: readonly Pick<MutantResult, "verdict">[]): Score {
  const count = (verdict: MutantVerdict) => mutants.filter((m) => m.verdict === verdict).length;
  const killed = count("killed");
  const survived = count("survived");
  return {
    killed,
    survived,
    notReached: count("not reached"),
    undecided: count("undecided"),
    score: killed / (killed + survived),
  };
}

/** A score as a percentage with one decimal. */
export const percent = (score: number) => (Number.isNaN(score) ? "—" : `${(100 * score).toFixed(1)} %`);

/** Whether the report holds every mutant of its campaign. */
export const isWhole = (report: RuleCoverageReport) => report.mutants.length === report.planned;

/** The text summary: the score per machine and overall, then each survivor and its reason. */
export function summaryLines(report: RuleCoverageReport): string[] {
  const lines: string[] = [];
  const row = (label: string, mutants: readonly MutantResult[]) => {
    const s = scoreOf(mutants);
    const undecided = s.undecided > 0 ? `, ${s.undecided} undecided` : "";
    lines.push(
      `${label}: ${mutants.length} mutants, ${s.killed} killed, ${s.survived} survived, ${s.notReached} not reached${undecided}, score ${percent(s.score)}`,
    );
  };
  for (const machine of report.machines) {
    const mutants = report.mutants.filter((m) => m.machine === machine.id);
    if (mutants.length > 0) row(machine.id, mutants);
  }
  row("all", report.mutants);
  const open = report.mutants.filter(
    (m) => m.verdict === "survived" || m.verdict === "not reached" || m.verdict === "undecided",
  );
  if (open.length > 0) lines.push("", "survivors, rules not reached, undecided:");
  for (const mutant of open) {
    const reason = reasonFor(mutant);
    const why =
      mutant.verdict === "undecided"
        ? `outgrew its bound on ${(mutant.outgrew ?? []).join(", ")}`
        : reason
          ? `${reason.kind}: ${reason.why}`
          : "no reason recorded";
    lines.push(`  ${mutant.verdict.padEnd(11)} ${mutant.name} — ${why}`);
  }
  return lines;
}

const VERDICTS: readonly MutantVerdict[] = ["killed", "survived", "not reached", "undecided"];

/** Reads a report, refusing anything that is not one (a typed error, never a crash). */
export function readRuleCoverage(file: string): RuleCoverageReport {
  return parseRuleCoverage(readInputFile(file), file);
}

/** Parses a report's JSON text; `source` names it in errors. */
export function parseRuleCoverage(text: string, source: string): RuleCoverageReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const bad = (why: string) => new UsageError(`${source} is not a rule-coverage report: ${why}`);
  if (typeof value !== "object" || value === null) throw bad("not an object");
  const report = value as Partial<Record<keyof RuleCoverageReport, unknown>>;
  if (report.formatVersion !== RULE_COVERAGE_FORMAT) {
    throw bad(`format version ${JSON.stringify(report.formatVersion)}, this walrus-spec reads ${RULE_COVERAGE_FORMAT}`);
  }
  if (typeof report.planned !== "number" || !Number.isInteger(report.planned) || report.planned < 0)
    throw bad("`planned` is not a count");
  if (!Array.isArray(report.models) || !Array.isArray(report.machines) || !Array.isArray(report.mutants))
    throw bad("`models`, `machines` and `mutants` must be arrays");
  for (const [i, m] of (report.mutants as unknown[]).entries()) {
    const mutant = m as Partial<MutantResult> | null;
    if (
      typeof mutant !== "object" ||
      mutant === null ||
      typeof mutant.name !== "string" ||
      typeof mutant.machine !== "string" ||
      typeof mutant.rule !== "string" ||
      !VERDICTS.includes(mutant.verdict as MutantVerdict) ||
      !Array.isArray(mutant.searched)
    ) {
      throw bad(`mutant ${i} lacks a name, machine, rule, verdict or list of models searched`);
    }
  }
  if (report.mutants.length > report.planned)
    throw bad(`${report.mutants.length} mutants of ${report.planned} planned`);
  return value as RuleCoverageReport;
}

/** A report as its file holds it. */
export function formatRuleCoverage(report: RuleCoverageReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes a report; an unwritable file is a usage error naming it. */
export async function writeRuleCoverage(report: RuleCoverageReport, file: string): Promise<void> {
  try {
    await writeFile(file, formatRuleCoverage(report));
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

/**
 * The shards of one campaign joined: the same models, machines and plan, each mutant run by one
 * shard only. The result is a whole campaign's report once every mutant is in it.
 */
export function mergeReports(reports: readonly RuleCoverageReport[], names: readonly string[]): RuleCoverageReport {
  const [first] = reports;
  if (first === undefined) throw new UsageError("nothing to merge");
  const plan = (r: RuleCoverageReport) => JSON.stringify([r.planned, r.models, r.machines]);
  const byName = new Map<string, MutantResult>();
  reports.forEach((report, i) => {
    if (plan(report) !== plan(first)) {
      throw new UsageError(`${names[i]} is of another campaign than ${names[0]} (other models, machines or mutants)`);
    }
    for (const mutant of report.mutants) {
      if (byName.has(mutant.name)) throw new UsageError(`${mutant.name} is in more than one report (${names[i]})`);
      byName.set(mutant.name, mutant);
    }
  });
  const mutants = [...byName.values()].sort((a, b) => compareText(a.name, b.name));
  return {
    formatVersion: RULE_COVERAGE_FORMAT,
    about: ABOUT,
    planned: first.planned,
    models: first.models,
    machines: first.machines,
    mutants,
  };
}

/** What fixes a campaign: its plan's size, its models and their states, its machines and rules. */
export type CampaignPlan = Pick<RuleCoverageReport, "planned" | "models" | "machines">;

/**
 * A campaign's journal (`mutate --journal FILE`): its plan on the first line, then each mutant's
 * result as it comes, one JSON line each, so that a campaign stopped part way (a CI job's time
 * limit, a machine going down) resumes where it was instead of starting over. A journal of another
 * plan is refused; a last line cut short by the stop is dropped.
 */
export function openJournal(
  file: string,
  plan: CampaignPlan,
): {
  readonly done: ReadonlyMap<string, MutantResult>;
  /** Records a mutant's result in the journal. */
  append(result: MutantResult): void;
} {
  const head = JSON.stringify({ formatVersion: RULE_COVERAGE_FORMAT, ...plan });
  const done = new Map<string, MutantResult>();
  if (existsSync(file)) {
    const [first, ...rest] = readInputFile(file).split("\n");
    if (first !== head)
      throw new UsageError(`${file} is the journal of another campaign (other models, machines or mutants)`);
    for (const [i, line] of rest.entries()) {
      if (line.trim() === "") continue;
      try {
        const result = JSON.parse(line) as MutantResult;
        done.set(result.name, result);
      } catch (error) {
        if (i < rest.length - 2) throw new UsageError(`${file}, line ${i + 2}: ${(error as Error).message}`);
      }
    }
  } else {
    try {
      writeFileSync(file, `${head}\n`);
    } catch (error) {
      throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
    }
  }
  return { done, append: (result) => appendFileSync(file, `${JSON.stringify(result)}\n`) };
}
