/**
 * One model of `walrus-spec check`: searched or simulated, judged against what its catalogue entry
 * expects (report/expectations.ts), and rendered as every output format needs it — text lines, the
 * JSON report's entry, JUnit test cases, the verdicts `npm run check` records. The result is plain
 * data, so a model checked in a worker thread (report/check-jobs.ts) reports exactly as one checked on
 * the main thread.
 */

import { CheckpointError, ModelError } from "../checker/errors.js";
import type { Model } from "../checker/model.js";
import { checkModelParallel } from "../checker/parallel.js";
import { followActionPath, toActionPath } from "../checker/path.js";
import type { Path } from "../checker/path.js";
import { type CheckpointWritten, type SearchProgress, type SearchReport, checkModelAsync } from "../checker/search.js";
import { type ShardSpec, type SimulationReport, simulateAsync } from "../checker/simulate.js";
import { formatSimulationReport, simulationBroken } from "../checker/swarm.js";
import { TraceError, actionLabel, formatPath, writeTraceFiles } from "../checker/trace.js";
import type { BuildOptions, ModelEntry } from "../models/index.js";
import type { ModelCatalogue } from "../models/load.js";
import { siblingModule } from "../spec/worker-thread.js";
import { type RecordedModel, recordedVerdicts } from "./check-results.js";
import type { JunitCase, ModelJson, SimulationJson } from "./check-report.js";
import { UsageError } from "./errors.js";
import { expectedToFail, surprises } from "./expectations.js";

/** The load model module (`buildModel`) the parallel search's workers rebuild models from. */
const LOAD_MODULE = siblingModule("../models/load", import.meta.url).href;

/** How one model is checked: the options of `check` that concern a single model. */
export interface RunOptions {
  readonly dfs?: boolean | undefined;
  readonly simulate?: number | undefined;
  readonly seed: number;
  readonly shard?: ShardSpec | undefined;
  readonly maxStates?: number | undefined;
  readonly maxDepth?: number | undefined;
  /** When the whole check must stop (ms since the epoch); infinite: no timeout. */
  readonly deadline: number;
  readonly reduction: boolean;
  readonly traceOut?: string | undefined;
  readonly workers: number;
  /** End a search at its first violated `always` property (TLC's default). */
  readonly stopAtFirst?: boolean | undefined;
  /**
   * A request to stop, shared between threads (a `SharedArrayBuffer`): a search stops with its
   * partial report once its first element is not 0 (the command's signal handler sets it).
   */
  readonly interrupt?: Int32Array | undefined;
  /** Breadth-first: keep a checkpoint of the search in this directory (checker/checkpoint.ts). */
  readonly checkpoint?: string | undefined;
  /** How often the checkpoint is written (ms). */
  readonly checkpointEveryMs?: number | undefined;
  /** Breadth-first: go on from the checkpoint in this directory. */
  readonly resume?: string | undefined;
  /** Breadth-first: states in memory past which the queue spills to disk; false: never. */
  readonly spillAbove?: number | false | undefined;
  /** Where the queue spills. */
  readonly spillDir?: string | undefined;
}

/** What the report says to do when a search stopped because the heap was nearly full. */
export const MEMORY_ADVICE =
  "bound the search (--max-states, --max-depth), search with less memory (--dfs), or give it a bigger heap (NODE_OPTIONS=--max-old-space-size=MiB)";

/** What a model's check comes to, in every form the report needs (plain data). */
export interface CheckedModel {
  readonly name: string;
  readonly mode: "search" | "simulation";
  readonly seconds: number;
  /** Not what the model expects: a property broken that should hold, or an expected failure lost. */
  readonly failed: boolean;
  /** A bound (states, depth, time) stopped it before it was complete. */
  readonly incomplete: boolean;
  readonly text: readonly string[];
  readonly json: ModelJson | SimulationJson;
  readonly junit: { readonly cases: readonly JunitCase[]; readonly failing: number };
  /** The verdicts `npm run check` records (a search only). */
  readonly recorded?: RecordedModel;
  readonly traces: readonly string[];
}

type AnyModel = Model<unknown, unknown>;

interface SearchOutcome {
  readonly mode: "search";
  readonly entry: ModelEntry;
  readonly model: AnyModel;
  readonly report: SearchReport<unknown, unknown>;
  readonly seconds: number;
  readonly traces: readonly string[];
  /** Why a trace could not be written (the report says so rather than losing what it found). */
  readonly traceNotes: readonly string[];
  /** Where the search was resumed from and its checkpoints written, in words. */
  readonly checkpointNotes: readonly string[];
}

interface SimulationOutcome {
  readonly mode: "simulation";
  readonly entry: ModelEntry;
  readonly model: AnyModel;
  readonly report: SimulationReport;
  readonly seconds: number;
  readonly traces: readonly string[];
  readonly traceNotes: readonly string[];
}

type Outcome = SearchOutcome | SimulationOutcome;

/** A path the report shows: a counterexample, a lasso or a witness. */
interface Shown {
  /** The property's id. */
  readonly property: string;
  readonly kind: "always" | "sometimes" | "eventually";
  readonly path: Path<unknown, unknown>;
  readonly loopStart?: number;
}

function shownPaths(report: SearchReport<unknown, unknown>): Shown[] {
  return report.properties.flatMap((p): Shown[] => {
    if (p.kind === "sometimes") return p.holds ? [{ property: p.id, kind: p.kind, path: p.witness }] : [];
    if (p.holds) return [];
    return [
      {
        property: p.id,
        kind: p.kind,
        path: p.counterexample,
        ...(p.kind === "eventually" && p.loopStart !== undefined ? { loopStart: p.loopStart } : {}),
      },
    ];
  });
}

/** The properties a search broke (their ids): violated, or (a whole search) a witness never reached. */
export function searchBroken(report: SearchReport<unknown, unknown>): string[] {
  return report.properties.filter((p) => !p.holds && (p.kind !== "sometimes" || report.complete)).map((p) => p.id);
}

/** The properties the outcome broke (their ids). */
function brokenProperties(outcome: Outcome): string[] {
  return outcome.mode === "simulation" ? simulationBroken(outcome.report) : searchBroken(outcome.report);
}

/** Whether the search covered the whole state space, so that what it did not find is not there. */
const exhaustive = (outcome: Outcome) => outcome.mode === "search" && outcome.report.complete;

/**
 * Whether the outcome is not what its model expects (report/expectations.ts): a property broken that
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
  const why = {
    maxStates: "--max-states",
    maxDepth: "--max-depth",
    timeout: "--timeout",
    violation: "the first violation",
    memory: "the heap nearing its limit",
    interrupted: "an interrupt",
  }[report.stoppedBy ?? "maxStates"];
  const advice = report.stoppedBy === "memory" ? ` (${MEMORY_ADVICE})` : "";
  return `INCOMPLETE: stopped by ${why} after ${report.uniqueStates} unique states, depth ${report.maxDepth}${advice}`;
}

function searchText(outcome: SearchOutcome): string[] {
  const { report, model, seconds } = outcome;
  // A tightness model's expected failures are its point: marked, not alarming.
  const mark = (id: string) => (expectedToFail(outcome.entry, id) ? "fails  " : "FAIL   ");
  const reductions = [
    report.reduction.partialOrder
      ? report.reduction.cycleProviso
        ? "partial-order"
        : "partial-order (no state on a cycle: without the cycle proviso)"
      : "",
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
        lines.push(`  ${mark(p.id)} always ${p.name}: counterexample in ${p.counterexample.steps.length} steps`);
        lines.push(...stepsOf(model, p.counterexample));
      }
    } else if (p.kind === "eventually") {
      if (p.holds) lines.push(`  ok      eventually ${p.name}${p.complete ? "" : " (within the bounds)"}`);
      else {
        const how =
          p.violation === "lasso"
            ? `a cycle that never reaches it (lasso: the last step returns to state ${p.loopStart})`
            : "a quiescent state where it never held";
        lines.push(`  ${mark(p.id)} eventually ${p.name}: ${how}, ${p.counterexample.steps.length} steps`);
        lines.push(...stepsOf(model, p.counterexample));
      }
    } else if (p.holds) {
      lines.push(`  ok      sometimes ${p.name} (witness in ${p.witness.steps.length} steps)`);
    } else {
      lines.push(
        report.complete
          ? `  ${expectedToFail(outcome.entry, p.id) ? "vacuous" : "VACUOUS"} sometimes ${p.name}: never reached in the whole state space`
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
  return [
    ...lines,
    ...expectationText(outcome),
    ...outcome.traces.map((file) => `  trace written: ${file}`),
    ...outcome.traceNotes.map((note) => `  trace not written: ${note}`),
    ...(outcome.mode === "search" ? outcome.checkpointNotes.map((note) => `  ${note}`) : []),
  ];
}

function searchJson(outcome: SearchOutcome): ModelJson {
  const { report, model } = outcome;
  const path = (p: Path<unknown, unknown>) => ({
    actionPath: toActionPath(model, p),
    steps: p.steps.map((step) => actionLabel(model, step.action)),
  });
  return {
    model: outcome.entry.name,
    mode: "search",
    parameters: outcome.entry.parameters,
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
          ? { id: p.id, name: p.name, kind: p.kind, holds: true, witness: path(p.witness) }
          : {
              id: p.id,
              name: p.name,
              kind: p.kind,
              holds: false,
              ...(report.complete ? { vacuous: true } : { unknown: true }),
            };
      }
      if (p.holds) return { id: p.id, name: p.name, kind: p.kind, holds: true };
      return {
        id: p.id,
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

/** JUnit: a test case per property (CI systems render it). */
function junitCases(outcome: Outcome): { cases: JunitCase[]; failing: number } {
  const cases: JunitCase[] = [];
  let failing = 0;
  const fail = (name: string, message: string, body: string) => {
    failing++;
    cases.push({ name, failure: { message, body } });
  };
  if (outcome.mode === "search") {
    const { report, model } = outcome;
    for (const p of report.properties) {
      const label = `${p.kind} ${p.name}`;
      if (!p.holds && expectedToFail(outcome.entry, p.id)) cases.push({ name: `${label} (fails, as expected)` });
      else if (p.kind === "sometimes" && !p.holds) {
        if (report.complete) fail(label, "vacuous: never reached", coverage(report));
        else cases.push({ name: label, skipped: `not reached: ${coverage(report)}` });
      } else if (p.kind !== "sometimes" && !p.holds) {
        const body = stepsOf(model, p.counterexample).join("\n");
        fail(label, `counterexample in ${p.counterexample.steps.length} steps`, body);
      } else if (!report.complete && p.kind !== "sometimes") cases.push({ name: label, skipped: coverage(report) });
      else cases.push({ name: label });
    }
  } else {
    for (const p of outcome.report.properties) {
      const label = `${p.kind} ${p.name}`;
      if (!p.holds && expectedToFail(outcome.entry, p.id)) cases.push({ name: `${label} (fails, as expected)` });
      else if (p.kind !== "sometimes" && !p.holds) fail(label, `violated in walk ${p.walk}`, p.labels.join("\n"));
      else if (p.kind === "sometimes" && !p.holds)
        cases.push({ name: label, skipped: "not reached by the simulation" });
      else cases.push({ name: label });
    }
  }
  const lost = lostFailures(outcome);
  if (lost.length > 0) fail("expected failures", "a seeded fault is no longer caught", lost.join("\n"));
  return { cases, failing };
}

/** Everything the report needs of an outcome, as plain data. */
function summarise(outcome: Outcome): CheckedModel {
  const json: ModelJson | SimulationJson =
    outcome.mode === "search"
      ? searchJson(outcome)
      : { ...outcome.report, catalogueModel: outcome.entry.name, timing: { seconds: outcome.seconds } };
  return {
    name: outcome.entry.name,
    mode: outcome.mode,
    seconds: outcome.seconds,
    failed: failed(outcome),
    incomplete: incomplete(outcome),
    text: outcomeText(outcome),
    json,
    junit: junitCases(outcome),
    ...(outcome.mode === "search"
      ? {
          recorded: {
            model: outcome.entry.name,
            states: outcome.report.uniqueStates,
            depth: outcome.report.maxDepth,
            properties: recordedVerdicts(outcome.report),
          },
        }
      : {}),
    traces: outcome.traces,
  };
}

/** Builds a catalogue entry's model; a configuration the model refuses is a usage error (exit 2). */
export function buildEntry(entry: ModelEntry, options: BuildOptions = {}): Model<unknown, unknown> {
  try {
    return entry.build(options);
  } catch (error) {
    if (error instanceof ModelError) throw new UsageError(`model ${entry.name}: ${error.message}`);
    throw error;
  }
}

/** Progress of one model's check, for the status line. */
export type RunProgress =
  | { readonly mode: "search"; readonly progress: SearchProgress }
  | { readonly mode: "simulation"; readonly walks: number; readonly walksTotal: number; readonly steps: number };

/** Checks one catalogue entry. A machine that fails in a step (a `ModelError`) is a usage error naming the model. */
export async function runEntry(
  entry: ModelEntry,
  catalogue: ModelCatalogue,
  options: RunOptions,
  onProgress: (progress: RunProgress) => void = () => {},
): Promise<CheckedModel> {
  try {
    return await checkEntry(entry, catalogue, options, onProgress);
  } catch (error) {
    if (error instanceof ModelError || error instanceof CheckpointError) {
      throw new UsageError(`model ${entry.name}: ${error.message}`);
    }
    throw error;
  }
}

/** What the report says of a search's checkpoints: where it was resumed from, what was written. */
function checkpointNotes(options: RunOptions, written: readonly CheckpointWritten[]): string[] {
  const notes = options.resume === undefined ? [] : [`resumed from the checkpoint in ${options.resume}`];
  const last = written.at(-1);
  if (last !== undefined) {
    const why = last.reason === "periodic" ? "" : `, at the stop by ${last.reason}`;
    notes.push(
      `checkpoint written to ${last.dir} (${written.length} in all; the last${why}: ${last.uniqueStates} unique states, ${last.queued} queued, ${(last.bytes / 2 ** 20).toFixed(1)} MiB in ${(last.ms / 1000).toFixed(1)} s)`,
    );
  }
  return notes;
}

async function checkEntry(
  entry: ModelEntry,
  catalogue: ModelCatalogue,
  options: RunOptions,
  onProgress: (progress: RunProgress) => void,
): Promise<CheckedModel> {
  const model = buildEntry(entry, { reduction: options.reduction });
  const t = performance.now();
  const remaining = Math.max(1, options.deadline - Date.now());
  /** Writes the traces; one that cannot be written is a note in the report, not the end of it. */
  const write = (shown: readonly Shown[]) => {
    const traces: string[] = [];
    const traceNotes: string[] = [];
    if (options.traceOut === undefined) return { traces, traceNotes };
    for (const s of shown) {
      try {
        const files = writeTraceFiles(options.traceOut, entry.name, model, s.property, s.kind, s.path, {
          replayModel: entry.build({ reduction: options.reduction }),
          ...(s.loopStart !== undefined ? { loopStart: s.loopStart } : {}),
        });
        traces.push(files.itf);
      } catch (error) {
        if (!(error instanceof TraceError || (error as NodeJS.ErrnoException).code !== undefined)) throw error;
        traceNotes.push(`${s.property}: ${(error as Error).message}`);
      }
    }
    return { traces, traceNotes };
  };
  // What stops any search short: the time left, a request from outside, the first violation.
  const stops = {
    ...(Number.isFinite(remaining) ? { timeoutMs: remaining } : {}),
    ...(options.interrupt === undefined ? {} : { interrupt: options.interrupt }),
    ...(options.stopAtFirst ? { stopOnViolation: () => true } : {}),
  };
  if (options.simulate !== undefined) {
    const report = await simulateAsync(model, {
      runs: options.simulate,
      seed: options.seed,
      ...(options.shard ? { shard: options.shard } : {}),
      ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
      ...stops,
      onProgress: (p) => onProgress({ mode: "simulation", walks: p.walks, walksTotal: p.walksTotal, steps: p.steps }),
    });
    const violations = report.properties.flatMap((p): Shown[] =>
      p.kind !== "sometimes" && !p.holds
        ? [{ property: p.id, kind: p.kind, path: followActionPath(model, p.trace) }]
        : [],
    );
    const seconds = (performance.now() - t) / 1000;
    return summarise({ mode: "simulation", entry, model, report, seconds, ...write(violations) });
  }
  const bounds = {
    ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
    ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    ...stops,
    onProgress: (progress: SearchProgress) => onProgress({ mode: "search", progress }),
  };
  const written: CheckpointWritten[] = [];
  const report =
    options.workers > 1
      ? await checkModelParallel(
          model,
          {
            module: LOAD_MODULE,
            name: entry.name,
            options: {
              reduction: options.reduction,
              ...(catalogue.module === undefined ? {} : { module: catalogue.module }),
            },
          },
          { workers: options.workers, ...bounds },
        )
      : await checkModelAsync(model, {
          strategy: options.dfs ? "dfs" : "bfs",
          reduction: options.reduction,
          ...bounds,
          ...(options.spillAbove === undefined ? {} : { spillAbove: options.spillAbove }),
          ...(options.spillDir === undefined ? {} : { spillDir: options.spillDir }),
          ...(options.checkpoint === undefined ? {} : { checkpoint: options.checkpoint }),
          ...(options.checkpointEveryMs === undefined ? {} : { checkpointEveryMs: options.checkpointEveryMs }),
          ...(options.resume === undefined ? {} : { resume: options.resume }),
          checkpointName: entry.name,
          onCheckpoint: (checkpoint) => written.push(checkpoint),
        });
  const seconds = (performance.now() - t) / 1000;
  const violations = shownPaths(report).filter((s) => s.kind !== "sometimes");
  return summarise({
    mode: "search",
    entry,
    model,
    report,
    seconds,
    ...write(violations),
    checkpointNotes: checkpointNotes(options, written),
  });
}
