/**
 * `walrus-spec mutate [MODEL…]`: rule coverage. Breaks each rule of each machine the models run,
 * one at a time, and searches the models that can tell (report/mutate-campaign.ts) to see whether a
 * property notices. With no model named it runs the default models of `npm run check`, each with
 * the search it has there, and records the whole campaign in docs/rule-coverage.json, from which
 * `npm run docs` generates docs/rule-coverage.md. `--shard i/N` runs every N-th mutant for a CI
 * matrix (each shard still observes every model, to plan the same campaign); `--merge` joins the
 * shards' `--out` reports. Progress and an ETA go to stderr.
 *
 * Exit code 0: the campaign ran (and, with `--min-score`, scored at least that); 1: its score is
 * below `--min-score`; 2: it could not run.
 */

import { availableParallelism } from "node:os";
import { relative } from "node:path";
import type { Command } from "commander";
import { MODELS } from "../models/index.js";
import { recordable, recordedStates } from "../report/check-results.js";
import { UsageError } from "../report/errors.js";
import { EXIT_FAILED } from "./errors.js";
import type { MutantResult, ObservedModel, PlannedMutant } from "../report/mutate-campaign.js";
import { compareText, machinesOf, planCampaign } from "../report/mutate-campaign.js";
import { builtInModel, runTasks } from "../report/mutate-jobs.js";
import {
  ABOUT,
  RULE_COVERAGE_FILE,
  RULE_COVERAGE_FORMAT,
  type RuleCoverageReport,
  type CampaignPlan,
  openJournal,
  isWhole,
  mergeReports,
  percent,
  readRuleCoverage,
  scoreOf,
  summaryLines,
  writeRuleCoverage,
} from "../report/mutate-report.js";
import { positiveInteger } from "./options.js";
import { createStatusLine, duration } from "./progress.js";
import { parseShardSpec } from "../checker/simulate.js";

interface MutateOptions {
  shard?: string;
  jobs?: number;
  only?: string[];
  out?: string;
  journal?: string;
  merge?: boolean;
  record: boolean;
  minScore?: number;
  progress: boolean;
}

/** The models a campaign runs: those named, or every default model of `npm run check`. */
function campaignModels(names: readonly string[]): string[] {
  if (names.length === 0) return MODELS.filter((m) => m.isDefault).map((m) => m.name);
  for (const name of names) builtInModel(name);
  return [...new Set(names)];
}

function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  try {
    const { index, count } = parseShardSpec(text);
    return { index: index + 1, count };
  } catch (error) {
    throw new UsageError(`--shard: ${(error as Error).message}`);
  }
}

function parseScore(value: string): number {
  const score = Number(value.endsWith("%") ? value.slice(0, -1) : value);
  if (!Number.isFinite(score) || score < 0 || score > 100)
    throw new UsageError(`--min-score must be a percentage 0–100, got "${value}"`);
  return score / 100;
}

/** Where a campaign records itself: only a whole campaign over the default models, not when installed. */
function recordFile(names: readonly string[], options: MutateOptions): string | undefined {
  if (!options.record || names.length > 0 || options.only !== undefined || options.shard !== undefined)
    return undefined;
  return recordable(RULE_COVERAGE_FILE);
}

async function finish(report: RuleCoverageReport, options: MutateOptions, recordTo: string | undefined): Promise<void> {
  process.stdout.write(`${summaryLines(report).join("\n")}\n`);
  if (options.out !== undefined) await writeRuleCoverage(report, options.out);
  if (recordTo !== undefined && isWhole(report)) {
    await writeRuleCoverage(report, recordTo);
    process.stdout.write(`campaign recorded in ${relative(process.cwd(), recordTo) || recordTo}\n`);
  }
  const { score } = scoreOf(report.mutants);
  if (options.minScore !== undefined && !(score >= options.minScore)) {
    process.stderr.write(`walrus-spec: score ${percent(score)} is below --min-score ${percent(options.minScore)}\n`);
    process.exitCode = EXIT_FAILED;
  }
}

async function mergeCampaign(files: readonly string[], options: MutateOptions): Promise<void> {
  if (files.length === 0) throw new UsageError("--merge needs the shards' report files");
  const merged = mergeReports(files.map(readRuleCoverage), files);
  if (!isWhole(merged)) {
    process.stderr.write(
      `walrus-spec: ${merged.planned - merged.mutants.length} of ${merged.planned} mutants are in none of the reports (a shard missing?)\n`,
    );
  }
  await finish(merged, options, recordFile([], { record: options.record, progress: options.progress }));
}

async function mutateCommand(args: string[], options: MutateOptions): Promise<void> {
  if (options.merge) return mergeCampaign(args, options);
  const names = campaignModels(args);
  const shard = parseShard(options.shard);
  const jobs = Math.max(1, options.jobs ?? availableParallelism());
  const status = createStatusLine({ enabled: options.progress });
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;

  // 1. Observe every model unmutated (every shard does, so that all plan the same campaign), the
  // largest first as the last check recorded them.
  const states = await recordedStates();
  let observedCount = 0;
  const observed: ObservedModel[] = await runTasks(
    names.map((model) => ({ kind: "observe" as const, model })),
    {
      jobs,
      cost: (task) => states.get(task.model),
      onProgress: (task, { progress }) =>
        progress &&
        status.show(
          `observing models ${observedCount}/${names.length}: ${task.model} ${progress.uniqueStates} states, ${elapsed().toFixed(0)} s`,
        ),
      onDone: () => observedCount++,
    },
  );

  // 2. Plan: every mutant, and the models that can tell it.
  const plan = planCampaign(observed);
  const only = options.only;
  const chosen = plan.filter(
    (p, i) =>
      (only === undefined || only.some((prefix) => p.name.startsWith(prefix))) &&
      (shard === undefined || i % shard.count === shard.index - 1),
  );
  if (only !== undefined && chosen.length === 0)
    throw new UsageError(`no mutant's name starts with ${only.join(" or ")}`);
  const campaign: CampaignPlan = {
    planned: plan.length,
    models: observed.map(({ name, states }) => ({ name, states })).sort((a, b) => compareText(a.name, b.name)),
    machines: machinesOf(observed),
  };
  const journal = options.journal === undefined ? undefined : openJournal(options.journal, campaign);
  const resumed = chosen.flatMap((p) => {
    const result = journal?.done.get(p.name);
    return result === undefined ? [] : [result];
  });
  if (resumed.length > 0) {
    process.stderr.write(`resuming: ${resumed.length} of ${chosen.length} mutants already in the journal\n`);
  }
  const toRun = chosen.filter((p) => journal?.done.get(p.name) === undefined);

  // 3. Run them, the costliest first; the ETA weighs each by the time of the models it may search.
  const cost = (p: PlannedMutant) => p.candidates.reduce((sum, c) => sum + c.seconds, 0) + 0.01;
  const totalCost = toRun.reduce((sum, p) => sum + cost(p), 0);
  let doneCost = 0;
  const done: MutantResult[] = [...resumed];
  const phaseStart = elapsed();
  const line = (current: string) => {
    const s = scoreOf(done);
    const spent = elapsed() - phaseStart;
    const eta =
      doneCost > 0 && done.length < chosen.length
        ? `, ETA ${duration((spent * (totalCost - doneCost)) / doneCost)}`
        : "";
    status.show(
      `mutants ${done.length}/${chosen.length}: ${s.killed} killed, ${s.survived} survived, ${s.notReached} not reached, ${spent.toFixed(0)} s${eta}${current}`,
    );
  };
  const ran: MutantResult[] = await runTasks(
    toRun.map((planned) => ({ kind: "mutant" as const, planned })),
    {
      jobs,
      cost: (task) => cost(task.planned),
      onProgress: (task, { model, progress }) =>
        line(` | ${task.planned.name} on ${model}${progress ? `: ${progress.uniqueStates} states` : ""}`),
      onDone: (task, result) => {
        journal?.append(result);
        done.push(result);
        doneCost += cost(task.planned);
        line("");
      },
    },
  );
  status.clear();
  const report: RuleCoverageReport = {
    formatVersion: RULE_COVERAGE_FORMAT,
    about: ABOUT,
    ...(shard ? { shard } : {}),
    ...campaign,
    mutants: [...resumed, ...ran].sort((a, b) => compareText(a.name, b.name)),
  };
  process.stderr.write(
    `${ran.length} mutants over ${names.length} model${names.length === 1 ? "" : "s"} in ${duration(elapsed())} on ${jobs} thread${jobs === 1 ? "" : "s"}\n`,
  );
  await finish(report, options, recordFile(args, options));
}

export function registerMutateCommand(program: Command): void {
  program
    .command("mutate")
    .description(
      "rule coverage: break each guard and action of the machines the models run, one at a time, and show which property notices (default: every default model; records docs/rule-coverage.json)",
    )
    .argument(
      "[models-or-reports...]",
      "models to run (default: every default model); with --merge, the shards' report files",
    )
    .option("--shard <i/N>", "run every N-th mutant, starting with the i-th (for a CI matrix; join with --merge)")
    .option("--jobs <n>", "worker threads (default: one per core)", positiveInteger)
    .option(
      "--only <prefixes...>",
      "only the mutants whose name starts with one of these (e.g. writer. or storageNode.shouldConfirm)",
    )
    .option("--out <file>", "write the campaign's JSON report here")
    .option("--journal <file>", "append each mutant's result here as it comes, and resume from it when run again")
    .option("--merge", "join the reports of a campaign's shards instead of running one")
    .option("--no-record", "do not record a whole campaign in docs/rule-coverage.json")
    .option("--min-score <percent>", "exit 1 when the score (killed / (killed + survived)) is below this", parseScore)
    .option("--no-progress", "no progress on stderr")
    .action(mutateCommand);
}
