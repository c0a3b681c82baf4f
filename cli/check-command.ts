/**
 * `walrus-spec check` — the main job of CI — and `walrus-spec list`.
 *
 * With no model named, `check` runs the codec self-check (known answers of the Walrus network and
 * round trips through every codec path) and model-checks every default model. A search is
 * exhaustive (`--bfs`, the default, or `--dfs`) or a seeded random simulation (`--simulate N`,
 * shardable with `--shard i/N` so that a CI matrix runs a swarm; `walrus-spec merge` joins the
 * shards' JSON reports). Exit code 0: all holds (a tightness model: exactly its expected failures
 * happen, cli/expectations.ts); 1: a property failed (a violated invariant or eventually property,
 * or a witness never reached by a complete search), a whole search no longer finds an expected
 * failure, or a self-check failed;
 * 2: could not run, or a bound (states, depth, time) stopped a search before it was complete.
 *
 * With no model named and no bound, the search also records each property's verdict in
 * docs/check-results.json (`--results FILE`, `--no-results`), which docs/properties.md shows as
 * the result of the last `npm run check`.
 */

import { relative } from "node:path";
import type { Command } from "commander";
import { ModelError } from "../checker/errors.js";
import type { Model } from "../checker/model.js";
import { checkModelParallel } from "../checker/parallel.js";
import { toActionPath } from "../checker/path.js";
import { type Path, type SearchProgress, type SearchReport, checkModel } from "../checker/search.js";
import { type SimulationReport, SimulationOptionsError, parseShardSpec, simulate } from "../checker/simulate.js";
import { formatSimulationReport, simulationBroken } from "../checker/swarm.js";
import { followActionPath } from "../checker/path.js";
import { actionLabel, formatPath, writeTraceFiles } from "../checker/trace.js";
import { findModel, MODELS, type ModelEntry } from "../models/index.js";
import { type CheckResult, runCodecSelfCheck } from "../spec/self-check.js";
import { CHECK_RESULTS_FILE, recordedVerdicts, writeCheckResults } from "./check-results.js";
import { expectedToFail, surprises } from "./expectations.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.js";
import { oneOf, positiveInteger, positiveSeconds, uint32 } from "./options.js";
import { createStatusLine } from "./progress.js";

/** The catalogue module, which the parallel search's workers load to build their own copy of a model. */
const MODELS_MODULE = new URL(`../models/index.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url).href;

type Format = "text" | "json" | "junit";

interface CheckOptions {
  format: Format;
  bfs?: boolean;
  dfs?: boolean;
  simulate?: number;
  seed: number;
  shard?: string;
  maxStates?: number;
  maxDepth?: number;
  timeout?: number;
  reduction: boolean;
  traceOut?: string;
  codec: boolean;
  progress: boolean;
  workers: number;
  /** Where the default check records its verdicts; false: nowhere. */
  results?: string | false;
}

type AnyModel = Model<unknown, unknown>;

interface SearchOutcome {
  readonly mode: "search";
  readonly entry: ModelEntry;
  readonly model: AnyModel;
  readonly report: SearchReport<unknown, unknown>;
  readonly seconds: number;
  readonly traces: readonly string[];
}

interface SimulationOutcome {
  readonly mode: "simulation";
  readonly entry: ModelEntry;
  readonly model: AnyModel;
  readonly report: SimulationReport;
  readonly seconds: number;
  readonly traces: readonly string[];
}

type Outcome = SearchOutcome | SimulationOutcome;

/** A path the report shows: a counterexample, a lasso or a witness. */
interface Shown {
  readonly property: string;
  readonly kind: "always" | "sometimes" | "eventually";
  readonly path: Path<unknown, unknown>;
  readonly loopStart?: number;
}

function shownPaths(report: SearchReport<unknown, unknown>): Shown[] {
  return report.properties.flatMap((p): Shown[] => {
    if (p.kind === "sometimes") return p.holds ? [{ property: p.name, kind: p.kind, path: p.witness }] : [];
    if (p.holds) return [];
    return [
      {
        property: p.name,
        kind: p.kind,
        path: p.counterexample,
        ...(p.kind === "eventually" && p.loopStart !== undefined ? { loopStart: p.loopStart } : {}),
      },
    ];
  });
}

/** The properties the outcome broke: violated, or (a whole search) a witness never reached. */
function brokenProperties(outcome: Outcome): string[] {
  if (outcome.mode === "simulation") return simulationBroken(outcome.report);
  const { report } = outcome;
  return report.properties.filter((p) => !p.holds && (p.kind !== "sometimes" || report.complete)).map((p) => p.name);
}

/** Whether the search covered the whole state space, so that what it did not find is not there. */
const exhaustive = (outcome: Outcome) => outcome.mode === "search" && outcome.report.complete;

/**
 * Whether the outcome is not what its model expects (cli/expectations.ts): a property broken that
 * should hold, or an expected failure a whole search did not find. A bounded search or a
 * simulation (whose walks stop at their first violation) that has not found one proves nothing.
 */
function failed(outcome: Outcome): boolean {
  return surprises(outcome.entry, brokenProperties(outcome)).unexpected.length > 0 || lostFailures(outcome).length > 0;
}

/** The expected failures a whole search no longer finds: the seeded faults no longer caught. */
function lostFailures(outcome: Outcome): string[] {
  return exhaustive(outcome) ? surprises(outcome.entry, brokenProperties(outcome)).missing : [];
}

/** The line saying whether a tightness model failed as it should. */
function expectationText(outcome: Outcome): string[] {
  const expected = outcome.entry.expectedFailures;
  if (expected === undefined) return [];
  const { missing } = surprises(outcome.entry, brokenProperties(outcome));
  if (missing.length === 0) {
    const which = expected.length === 1 ? "the property" : `the ${expected.length} properties`;
    return [`  expected: ${which} this tightness model must break ${expected.length === 1 ? "fails" : "fail"}`];
  }
  return exhaustive(outcome)
    ? [`  UNEXPECTED: this tightness model no longer breaks: ${missing.join("; ")}`]
    : [`  not found by this bounded run, the failures this tightness model must show: ${missing.join("; ")}`];
}

function incomplete(outcome: Outcome): boolean {
  return outcome.mode === "search" ? !outcome.report.complete : outcome.report.stoppedBy !== undefined;
}

function stepsOf(model: AnyModel, path: Path<unknown, unknown>): string[] {
  return model.describe
    ? formatPath(model, path).map((line) => `    ${line}`)
    : path.steps.map((step, i) => `      ${i + 1}. ${actionLabel(model, step.action)}`);
}

function coverage(report: SearchReport<unknown, unknown>): string {
  if (report.complete) return "complete";
  const why = { maxStates: "--max-states", maxDepth: "--max-depth", timeout: "--timeout" }[
    report.stoppedBy ?? "maxStates"
  ];
  return `INCOMPLETE: stopped by ${why} after ${report.uniqueStates} unique states, depth ${report.maxDepth}`;
}

function searchText(outcome: SearchOutcome): string[] {
  const { report, model, seconds } = outcome;
  // A tightness model's expected failures are its point: marked, not alarming.
  const mark = (name: string) => (expectedToFail(outcome.entry, name) ? "fails  " : "FAIL   ");
  const reductions = [
    report.reduction.partialOrder ? "partial-order" : "",
    report.reduction.symmetry ? "symmetry" : "",
  ].filter(Boolean);
  const lines = [
    `${outcome.entry.name}: ${report.uniqueStates} unique states (${report.generatedStates} generated), depth ${report.maxDepth}, ${coverage(report)}, ${seconds.toFixed(2)} s`,
    `  reduction: ${reductions.length > 0 ? reductions.join(" + ") : "none"}; fingerprint collision probability ${report.collisionProbability.toExponential(1)}`,
  ];
  for (const p of report.properties) {
    if (p.kind === "always") {
      if (p.holds) lines.push(`  ok      always ${p.name}`);
      else {
        lines.push(`  ${mark(p.name)} always ${p.name}: counterexample in ${p.counterexample.steps.length} steps`);
        lines.push(...stepsOf(model, p.counterexample));
      }
    } else if (p.kind === "eventually") {
      if (p.holds) lines.push(`  ok      eventually ${p.name}${p.complete ? "" : " (within the bounds)"}`);
      else {
        const how =
          p.violation === "lasso"
            ? `a cycle that never reaches it (lasso: the last step returns to state ${p.loopStart})`
            : "a quiescent state where it never held";
        lines.push(`  ${mark(p.name)} eventually ${p.name}: ${how}, ${p.counterexample.steps.length} steps`);
        lines.push(...stepsOf(model, p.counterexample));
      }
    } else if (p.holds) {
      lines.push(`  ok      sometimes ${p.name} (witness in ${p.witness.steps.length} steps)`);
    } else {
      lines.push(
        report.complete
          ? `  ${expectedToFail(outcome.entry, p.name) ? "vacuous" : "VACUOUS"} sometimes ${p.name}: never reached in the whole state space`
          : `  UNKNOWN sometimes ${p.name}: not reached within the bounds`,
      );
    }
  }
  return lines;
}

function outcomeText(outcome: Outcome): string[] {
  const lines =
    outcome.mode === "search"
      ? searchText(outcome)
      : [
          `${outcome.entry.name}: simulation, ${outcome.seconds.toFixed(2)} s`,
          ...formatSimulationReport(outcome.report, outcome.model),
        ];
  return [...lines, ...expectationText(outcome), ...outcome.traces.map((file) => `  trace written: ${file}`)];
}

function searchJson(outcome: SearchOutcome) {
  const { report, model } = outcome;
  const path = (p: Path<unknown, unknown>) => ({
    actionPath: toActionPath(model, p),
    steps: p.steps.map((step) => actionLabel(model, step.action)),
  });
  return {
    model: outcome.entry.name,
    mode: "search",
    parameters: outcome.entry.parameters,
    /** Whether the model did what it should: everything holds, or exactly its expected failures. */
    passed: !failed(outcome),
    ...(outcome.entry.expectedFailures ? { expectedFailures: outcome.entry.expectedFailures } : {}),
    uniqueStates: report.uniqueStates,
    generatedStates: report.generatedStates,
    maxDepth: report.maxDepth,
    complete: report.complete,
    ...(report.stoppedBy ? { stoppedBy: report.stoppedBy } : {}),
    reduction: report.reduction,
    collisionProbability: report.collisionProbability,
    bytesPerState: report.bytesPerState,
    properties: report.properties.map((p) => {
      if (p.kind === "sometimes") {
        return p.holds
          ? { name: p.name, kind: p.kind, holds: true, witness: path(p.witness) }
          : { name: p.name, kind: p.kind, holds: false, ...(report.complete ? { vacuous: true } : { unknown: true }) };
      }
      if (p.holds) return { name: p.name, kind: p.kind, holds: true };
      return {
        name: p.name,
        kind: p.kind,
        holds: false,
        ...(p.kind === "eventually"
          ? { violation: p.violation, ...(p.loopStart !== undefined ? { loopStart: p.loopStart } : {}) }
          : {}),
        counterexample: path(p.counterexample),
      };
    }),
    traces: outcome.traces,
    timing: { seconds: outcome.seconds },
  };
}

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JUnit XML: a test suite per model, a test case per property (CI systems render it). */
function junitReport(outcomes: readonly Outcome[], codec: readonly CheckResult[]): string {
  const suites: string[] = [];
  const testcase = (suite: string, name: string, failure?: { message: string; body: string }, skipped?: string) => {
    const open = `    <testcase classname="${xml(suite)}" name="${xml(name)}">`;
    if (failure) return `${open}<failure message="${xml(failure.message)}">${xml(failure.body)}</failure></testcase>`;
    if (skipped) return `${open}<skipped message="${xml(skipped)}"/></testcase>`;
    return `${open}</testcase>`;
  };
  let tests = 0;
  let failures = 0;
  const suite = (name: string, seconds: number, cases: string[], failing: number) => {
    tests += cases.length;
    failures += failing;
    suites.push(
      `  <testsuite name="${xml(name)}" tests="${cases.length}" failures="${failing}" time="${seconds.toFixed(3)}">`,
      ...cases,
      "  </testsuite>",
    );
  };
  if (codec.length > 0) {
    const cases = codec.map((r) =>
      testcase("codec", r.name, r.ok ? undefined : { message: "self-check failed", body: r.detail ?? "" }),
    );
    suite("codec self-check", 0, cases, codec.filter((r) => !r.ok).length);
  }
  for (const outcome of outcomes) {
    const name = outcome.entry.name;
    const cases: string[] = [];
    let failing = 0;
    if (outcome.mode === "search") {
      const { report, model } = outcome;
      for (const p of report.properties) {
        const label = `${p.kind} ${p.name}`;
        if (!p.holds && expectedToFail(outcome.entry, p.name)) {
          cases.push(testcase(name, `${label} (fails, as expected)`));
        } else if (p.kind === "sometimes" && !p.holds) {
          if (report.complete) {
            failing++;
            cases.push(testcase(name, label, { message: "vacuous: never reached", body: coverage(report) }));
          } else cases.push(testcase(name, label, undefined, `not reached: ${coverage(report)}`));
        } else if (p.kind !== "sometimes" && !p.holds) {
          failing++;
          const body = stepsOf(model, p.counterexample).join("\n");
          cases.push(
            testcase(name, label, { message: `counterexample in ${p.counterexample.steps.length} steps`, body }),
          );
        } else if (!report.complete && p.kind !== "sometimes") {
          cases.push(testcase(name, label, undefined, coverage(report)));
        } else cases.push(testcase(name, label));
      }
    } else {
      for (const p of outcome.report.properties) {
        const label = `${p.kind} ${p.name}`;
        if (!p.holds && expectedToFail(outcome.entry, p.name)) {
          cases.push(testcase(name, `${label} (fails, as expected)`));
        } else if (p.kind !== "sometimes" && !p.holds) {
          failing++;
          cases.push(testcase(name, label, { message: `violated in walk ${p.walk}`, body: p.labels.join("\n") }));
        } else if (p.kind === "sometimes" && !p.holds) {
          cases.push(testcase(name, label, undefined, "not reached by the simulation"));
        } else cases.push(testcase(name, label));
      }
    }
    const lost = lostFailures(outcome);
    if (lost.length > 0) {
      failing++;
      cases.push(
        testcase(name, "expected failures", { message: "a seeded fault is no longer caught", body: lost.join("\n") }),
      );
    }
    suite(name, outcome.seconds, cases, failing);
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="walrus-spec check" tests="${tests}" failures="${failures}">`,
    ...suites,
    "</testsuites>",
  ].join("\n");
}

function selectEntries(names: readonly string[]): ModelEntry[] {
  if (names.length === 0) return MODELS.filter((m) => m.isDefault);
  const unknown = names.filter((name) => findModel(name) === undefined);
  if (unknown.length > 0) {
    throw new UsageError(`unknown model ${unknown.join(", ")}; known: ${MODELS.map((m) => m.name).join(", ")}`);
  }
  return names.map((name) => findModel(name) as ModelEntry);
}

function rate(count: number, ms: number): string {
  const perSecond = ms > 0 ? (count * 1000) / ms : 0;
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(0)}k` : perSecond.toFixed(0);
}

/**
 * Where this run records its verdicts, if anywhere. Only a search of the whole default selection
 * without bounds, with the default reductions, gives the verdicts and counts recorded as those of
 * `npm run check`; any other run answers a different question and records nothing.
 */
export function resultsFileFor(
  names: readonly string[],
  options: {
    readonly simulate?: number | undefined;
    readonly maxStates?: number | undefined;
    readonly maxDepth?: number | undefined;
    readonly timeout?: number | undefined;
    readonly results?: string | false | undefined;
    readonly reduction?: boolean | undefined;
  },
): string | undefined {
  const bounded = [options.simulate, options.maxStates, options.maxDepth, options.timeout].some((o) => o !== undefined);
  // Without the reductions the same models have other state counts than the ones recorded.
  if (names.length > 0 || bounded || options.results === false || options.reduction === false) return undefined;
  return options.results ?? CHECK_RESULTS_FILE;
}

async function checkCommand(names: string[], options: CheckOptions): Promise<void> {
  const modes = [options.bfs, options.dfs, options.simulate !== undefined].filter(Boolean).length;
  if (modes > 1) throw new UsageError("choose one search: --bfs, --dfs or --simulate N");
  if (options.shard !== undefined && options.simulate === undefined) {
    throw new UsageError("--shard splits a simulation: give --simulate N too");
  }
  let shard: ReturnType<typeof parseShardSpec> | undefined;
  try {
    if (options.shard !== undefined) shard = parseShardSpec(options.shard);
  } catch (error) {
    if (error instanceof SimulationOptionsError) throw new UsageError(`--shard: ${error.message}`);
    throw error;
  }
  const entries = selectEntries(names);
  const started = Date.now();
  const deadline = options.timeout === undefined ? Number.POSITIVE_INFINITY : started + options.timeout * 1000;
  const status = createStatusLine({ enabled: options.progress });

  const runCodec = names.length === 0 && options.codec && options.simulate === undefined;
  let codec: CheckResult[] = [];
  let codecSeconds = 0;
  if (runCodec) {
    status.show("codec self-check…");
    const t = performance.now();
    codec = runCodecSelfCheck();
    codecSeconds = (performance.now() - t) / 1000;
  }

  if (options.workers > 1 && (options.dfs || options.simulate !== undefined)) {
    throw new UsageError("--workers applies to breadth-first search only");
  }
  const outcomes: Outcome[] = [];
  for (const entry of entries) outcomes.push(await checkEntry(entry));
  async function checkEntry(entry: ModelEntry): Promise<Outcome> {
    const model = entry.build({ reduction: options.reduction });
    const t = performance.now();
    const remaining = Math.max(1, deadline - Date.now());
    const write = (shown: readonly Shown[]) =>
      options.traceOut === undefined
        ? []
        : shown.map((s) => {
            const files = writeTraceFiles(options.traceOut as string, entry.name, model, s.property, s.kind, s.path, {
              replayModel: entry.build({ reduction: options.reduction }),
              ...(s.loopStart !== undefined ? { loopStart: s.loopStart } : {}),
            });
            return files.itf;
          });
    if (options.simulate !== undefined) {
      const report = simulate(model, {
        runs: options.simulate,
        seed: options.seed,
        ...(shard ? { shard } : {}),
        ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
        ...(Number.isFinite(remaining) ? { timeoutMs: remaining } : {}),
        onProgress: (p) =>
          status.show(
            `${entry.name}: walk ${p.walks}/${p.walksTotal}, ${p.steps} steps, ${p.uniqueStates} unique, ${rate(p.steps, performance.now() - t)} steps/s, ${((performance.now() - t) / 1000).toFixed(1)} s`,
          ),
      });
      const violations = report.properties.flatMap((p): Shown[] =>
        p.kind !== "sometimes" && !p.holds
          ? [{ property: p.name, kind: p.kind, path: followActionPath(model, p.trace) }]
          : [],
      );
      return {
        mode: "simulation",
        entry,
        model,
        report,
        seconds: (performance.now() - t) / 1000,
        traces: write(violations),
      };
    }
    const bounds = {
      ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
      ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
      ...(Number.isFinite(remaining) ? { timeoutMs: remaining } : {}),
      onProgress: (p: SearchProgress) =>
        status.show(
          `${entry.name}: ${p.generatedStates} states, ${p.uniqueStates} unique, depth ${p.depth}, queue ${p.queue}, ${rate(p.generatedStates, p.elapsedMs)} states/s, ${(p.elapsedMs / 1000).toFixed(1)} s`,
        ),
    };
    let report: SearchReport<unknown, unknown>;
    try {
      report =
        options.workers > 1
          ? await checkModelParallel(
              model,
              { module: MODELS_MODULE, name: entry.name, options: { reduction: options.reduction } },
              {
                workers: options.workers,
                ...bounds,
              },
            )
          : checkModel(model, { strategy: options.dfs ? "dfs" : "bfs", reduction: options.reduction, ...bounds });
    } catch (error) {
      if (error instanceof ModelError) throw new UsageError(error.message);
      throw error;
    }
    const seconds = (performance.now() - t) / 1000;
    const violations = shownPaths(report).filter((s) => s.kind !== "sometimes");
    return { mode: "search", entry, model, report, seconds, traces: write(violations) };
  }
  status.clear();

  const recordTo = resultsFileFor(names, options);
  if (recordTo !== undefined) {
    const models = (outcomes as SearchOutcome[]).map((o) => ({
      model: o.entry.name,
      states: o.report.uniqueStates,
      properties: recordedVerdicts(o.report),
    }));
    await writeCheckResults({ models }, recordTo);
  }

  const codecFailed = codec.filter((r) => !r.ok).length;
  if (options.format === "junit") {
    process.stdout.write(`${junitReport(outcomes, codec)}\n`);
  } else if (options.format === "json") {
    const json = {
      ...(runCodec ? { codec: { results: codec, failed: codecFailed, timing: { seconds: codecSeconds } } } : {}),
      ...(options.simulate !== undefined
        ? {
            // The catalogue's name, by which `merge` finds what the model expects.
            simulations: outcomes.map((o) => ({
              ...o.report,
              catalogueModel: o.entry.name,
              timing: { seconds: o.seconds },
            })),
            traces: outcomes.flatMap((o) => o.traces),
          }
        : { models: outcomes.map((o) => searchJson(o as SearchOutcome)) }),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    if (runCodec) {
      for (const r of codec) lines.push(`${r.ok ? "ok  " : "FAIL"} codec: ${r.name}${r.ok ? "" : `: ${r.detail}`}`);
      lines.push(
        `codec self-check: ${codec.length - codecFailed} passed, ${codecFailed} failed (${codecSeconds.toFixed(1)} s)`,
      );
    }
    for (const outcome of outcomes) lines.push(...outcomeText(outcome));
    const failedModels = outcomes.filter(failed).length;
    const unfinished = outcomes.filter((o) => !failed(o) && incomplete(o)).length;
    lines.push(
      `models: ${outcomes.length - failedModels - unfinished} passed, ${failedModels} failed${unfinished > 0 ? `, ${unfinished} incomplete` : ""}`,
    );
    if (recordTo !== undefined) lines.push(`verdicts recorded in ${relative(process.cwd(), recordTo) || recordTo}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  if (codecFailed > 0 || outcomes.some(failed)) process.exitCode = EXIT_FAILED;
  else if (outcomes.some(incomplete)) process.exitCode = EXIT_USAGE;
  else process.exitCode = EXIT_OK;
}

function listCommand(): void {
  const lines: string[] = [];
  for (const entry of MODELS) {
    const parameters = Object.entries(entry.parameters)
      .map(([key, value]) => `${key}=${value}`)
      .join(", ");
    lines.push(`${entry.name}${entry.isDefault ? " (default)" : ""}: ${entry.description}`);
    lines.push(`  parameters: ${parameters}`);
    for (const property of entry.build().properties) lines.push(`  ${property.kind} ${property.name}`);
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("model-check the named models (default: the codec self-check and every default model)")
    .argument("[models...]", "models to check (see `walrus-spec list`)")
    .option("--bfs", "breadth-first search: shortest counterexamples (the default)")
    .option("--dfs", "depth-first search: less memory, counterexamples not shortest")
    .option("--simulate <walks>", "seeded random simulation of this many walks instead of a search", positiveInteger)
    .option("--seed <seed>", "seed of the simulation", uint32, 0)
    .option("--shard <i/N>", "run shard i of N of the simulation's walks (for a CI swarm; see `merge`)")
    .option("--max-states <n>", "stop after this many unique states (exit code 2 if reached)", positiveInteger)
    .option("--max-depth <d>", "do not explore deeper than this (exit code 2 if reached)", positiveInteger)
    .option("--timeout <seconds>", "stop after this long (exit code 2 if reached)", positiveSeconds)
    .option("--no-reduction", "explore without partial-order reduction and symmetry")
    .option("--trace-out <dir>", "write each counterexample as ITF JSON and a Mermaid sequence diagram")
    .option("--no-codec", "skip the codec self-check")
    .option("--no-progress", "print no progress on stderr")
    .option(
      "--workers <n>",
      "breadth-first search over this many worker threads (models with portable states)",
      positiveInteger,
      1,
    )
    .option("--format <format>", "text, json or junit", oneOf<Format>("text", "json", "junit"), "text")
    .option(
      "--results <file>",
      "where a check of every default model without bounds records its verdicts (default: docs/check-results.json of the package)",
    )
    .option("--no-results", "record no verdicts")
    .action((names: string[], options: CheckOptions) => checkCommand(names, options));

  program
    .command("list")
    .description("list the models with their parameters and properties")
    .action(() => listCommand());
}
