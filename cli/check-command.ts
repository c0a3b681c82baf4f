/**
 * `walrus-spec check` — the main job of CI — and `walrus-spec list`.
 *
 * With no model named, `check` runs the codec self-check (known answers of the Walrus network and
 * round trips through every codec path) and model-checks every default model. A search is
 * exhaustive (`--bfs`, the default, or `--dfs`) or a seeded random simulation (`--simulate N`,
 * shardable with `--shard i/N` so that a CI matrix runs a swarm; `walrus-spec merge` joins the
 * shards' JSON reports). Models are shared among `--jobs` worker threads (by default one per
 * core), each model searched on one thread. `--model FILE` checks the models of an auditor's own
 * module (models/load.ts) instead of the built-in catalogue. Exit code 0: all holds (a tightness
 * model: exactly its expected failures happen, report/expectations.ts); 1: a property failed (a
 * violated invariant or eventually property, or a witness never reached by a complete search), a
 * whole search no longer finds an expected failure, or a self-check failed; 2: could not run, or a
 * bound (states, depth, time, the heap) stopped a search before it was complete; 130 (SIGINT) or
 * 143 (SIGTERM): interrupted. However a search ends — a bound, `--timeout`, the heap nearing its
 * limit, a signal — the report shows every violation found until then with its counterexample; a
 * second signal ends the process at once.
 *
 * With no model named and no bound, the search also records each property's verdict in
 * docs/check-results.json (`--results FILE`, `--no-results`), which docs/properties.md shows as
 * the result of the last `npm run check`.
 */

import { availableParallelism } from "node:os";
import { relative } from "node:path";
import type { Command } from "commander";
import { SimulationOptionsError, parseShardSpec } from "../checker/simulate.js";
import type { ModelEntry } from "../models/index.js";
import { BUILT_IN, type ModelCatalogue, findIn } from "../models/load.js";
import { catalogueFor } from "../report/catalogue.js";
import { runCodecSelfCheck } from "../spec/self-check.js";
import { checkInWorkers } from "../report/check-jobs.js";
import {
  type CodecRun,
  checkReportJson,
  checkReportLines,
  checkSuites,
  codecFailures,
  junitXml,
} from "../report/check-report.js";
import {
  CHECK_RESULTS_FILE,
  LONG_RESULTS_FILE,
  recordable,
  recordedModels,
  recordedStates,
  writeCheckResults,
} from "../report/check-results.js";
import { type CheckedModel, type RunOptions, type RunProgress, buildEntry, runEntry } from "../report/check-run.js";
import { UsageError } from "../report/errors.js";
import { nextTurn } from "../checker/watch.js";
import { EXIT_FAILED, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE } from "./errors.js";
import { oneOf, positiveInteger, positiveSeconds, uint32 } from "./options.js";
import { colourVerdict, useColour } from "./colour.js";
import { createStatusLine, duration } from "./progress.js";

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
  stopAtFirst?: boolean;
  reduction: boolean;
  traceOut?: string;
  codec: boolean;
  progress: boolean;
  workers: number;
  jobs?: number;
  /** A model module to check instead of the built-in catalogue. */
  model?: string;
  /** The long profile's models instead of the default ones. */
  profile?: "long";
  /** Where the default check records its verdicts; false: nowhere. */
  results?: string | false;
  /** Keep a checkpoint of the search here. */
  checkpoint?: string;
  /** Seconds between two checkpoints. */
  checkpointEvery?: number;
  /** Go on from the checkpoint here. */
  resume?: string;
  spillAbove?: number;
  spillDir?: string;
}

/** Seconds between two checkpoints unless `--checkpoint-every` says otherwise. */
const CHECKPOINT_EVERY_SECONDS = 300;

/**
 * The checkpoint options, checked against the rest: a checkpoint is of one model's breadth-first
 * search on one thread. `--resume DIR` keeps checkpointing into DIR unless `--checkpoint` says
 * where.
 */
function checkpointOptions(
  names: readonly string[],
  options: CheckOptions,
): Pick<RunOptions, "checkpoint" | "checkpointEveryMs" | "resume"> {
  const checkpointing = options.checkpoint !== undefined || options.resume !== undefined;
  if (!checkpointing) {
    if (options.checkpointEvery !== undefined)
      throw new UsageError("--checkpoint-every needs --checkpoint or --resume");
    return {};
  }
  if (names.length !== 1 || options.profile !== undefined) {
    throw new UsageError("--checkpoint and --resume take one model at a time: name exactly one model");
  }
  if (options.dfs || options.simulate !== undefined || options.workers > 1) {
    throw new UsageError(
      "--checkpoint and --resume are for a breadth-first search on one thread: not with --dfs, --simulate or --workers",
    );
  }
  return {
    checkpoint: options.checkpoint ?? options.resume,
    checkpointEveryMs: (options.checkpointEvery ?? CHECKPOINT_EVERY_SECONDS) * 1000,
    ...(options.resume === undefined ? {} : { resume: options.resume }),
  };
}

function selectEntries(catalogue: ModelCatalogue, names: readonly string[], profile?: "long"): ModelEntry[] {
  if (profile !== undefined) {
    if (names.length > 0) throw new UsageError("--profile selects the models itself: name no model with it");
    return catalogue.entries.filter((m) => m.profile === profile);
  }
  if (names.length === 0) return catalogue.entries.filter((m) => m.isDefault);
  const unknown = names.filter((name) => findIn(catalogue, name) === undefined);
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown model ${unknown.join(", ")}; known: ${catalogue.entries.map((m) => m.name).join(", ")}`,
    );
  }
  return names.map((name) => findIn(catalogue, name) as ModelEntry);
}

function rate(count: number, ms: number): string {
  const perSecond = ms > 0 ? (count * 1000) / ms : 0;
  return perSecond >= 1000 ? `${(perSecond / 1000).toFixed(0)}k` : perSecond.toFixed(0);
}

/** A model's progress as the status line shows it; a simulation's with the time it still needs. */
export function progressText(name: string, progress: RunProgress, elapsedMs: number): string {
  if (progress.mode === "search") {
    const p = progress.progress;
    const spilled = p.spilled === undefined ? "" : ` (${p.spilled} on disk)`;
    // A resumed search's rate is of the states it generated itself.
    const generated = p.generatedStates - (p.resumedAt ?? 0);
    return `${name}: ${p.generatedStates} states, ${p.uniqueStates} unique, depth ${p.depth}, queue ${p.queue}${spilled}, ${rate(generated, p.elapsedMs)} states/s, ${(p.elapsedMs / 1000).toFixed(1)} s`;
  }
  const { walks, walksTotal, steps } = progress;
  // The walks are alike in length on average, so the time left is the time per walk so far.
  const eta =
    walks > 0 && walks < walksTotal ? `, ETA ${duration(((walksTotal - walks) * elapsedMs) / walks / 1000)}` : "";
  return `${name}: walk ${walks}/${walksTotal}, ${steps} steps, ${rate(steps, elapsedMs)} steps/s, ${(elapsedMs / 1000).toFixed(1)} s${eta}`;
}

/**
 * Where this run records its verdicts, if anywhere. Only a search of the whole default selection
 * of the built-in catalogue without bounds, with the default reductions, gives the verdicts and
 * counts recorded as those of `npm run check`; any other run answers a different question and
 * records nothing. An installed package records nowhere unless `--results` says where.
 */
export function resultsFileFor(
  names: readonly string[],
  options: {
    readonly simulate?: number | undefined;
    readonly maxStates?: number | undefined;
    readonly maxDepth?: number | undefined;
    readonly timeout?: number | undefined;
    readonly stopAtFirst?: boolean | undefined;
    readonly results?: string | false | undefined;
    readonly reduction?: boolean | undefined;
    readonly model?: string | undefined;
    readonly profile?: "long" | undefined;
  },
): string | undefined {
  const bounded =
    [options.simulate, options.maxStates, options.maxDepth, options.timeout].some((o) => o !== undefined) ||
    options.stopAtFirst === true;
  // Without the reductions the same models have other state counts than the ones recorded.
  if (names.length > 0 || bounded || options.results === false || options.reduction === false) return undefined;
  if (options.model !== undefined) return undefined;
  if (options.results !== undefined) return options.results;
  return recordable(options.profile === "long" ? LONG_RESULTS_FILE : CHECK_RESULTS_FILE);
}

/** The expected cost of each built-in model: its unique states in the last recorded check. */
async function recordedCosts(catalogue: ModelCatalogue): Promise<(entry: ModelEntry) => number | undefined> {
  if (catalogue !== BUILT_IN) return () => undefined;
  const states = await recordedStates();
  return (entry) => states.get(entry.name);
}

/**
 * Catches SIGINT and SIGTERM while `run` runs: the first asks every search to stop (through the
 * shared `interrupt`, which searches in worker threads see too) so that the report of what was
 * found is printed; a second ends the process at once. Returns the exit code of the signal, if
 * one came.
 */
async function catchingSignals(
  interrupt: Int32Array,
  say: (line: string) => void,
  run: () => Promise<void>,
): Promise<number | undefined> {
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM;
    if (Atomics.load(interrupt, 0) !== 0) process.exit(code);
    Atomics.store(interrupt, 0, code);
    say(`walrus-spec: ${signal}: stopping the searches to report what they found (again to quit at once)`);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await run();
    // A turn of the event loop before the handlers go: a second signal that came while the
    // report was being made (replaying counterexamples is synchronous) still ends the process.
    await nextTurn();
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const code = Atomics.load(interrupt, 0);
  return code === 0 ? undefined : code;
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
  if (options.workers > 1 && (options.dfs || options.simulate !== undefined)) {
    throw new UsageError("--workers applies to breadth-first search only");
  }
  if (options.workers > 1 && options.jobs !== undefined && options.jobs > 1) {
    throw new UsageError("--workers searches one model on several threads, --jobs several models: choose one");
  }
  const checkpoints = checkpointOptions(names, options);
  const catalogue = await catalogueFor(options.model);
  const entries = selectEntries(catalogue, names, options.profile);
  const started = Date.now();
  const status = createStatusLine({ enabled: options.progress });

  const runCodec =
    names.length === 0 &&
    catalogue === BUILT_IN &&
    options.profile === undefined &&
    options.codec &&
    options.simulate === undefined;
  let codec: CodecRun | undefined;
  if (runCodec) {
    status.show("codec self-check…");
    const t = performance.now();
    const results = runCodecSelfCheck();
    codec = { results, seconds: (performance.now() - t) / 1000 };
  }

  const interrupt = new Int32Array(new SharedArrayBuffer(4));
  const run: RunOptions = {
    dfs: options.dfs,
    simulate: options.simulate,
    seed: options.seed,
    shard,
    maxStates: options.maxStates,
    maxDepth: options.maxDepth,
    deadline: options.timeout === undefined ? Number.POSITIVE_INFINITY : started + options.timeout * 1000,
    reduction: options.reduction,
    traceOut: options.traceOut,
    workers: options.workers,
    stopAtFirst: options.stopAtFirst,
    interrupt,
    ...checkpoints,
    ...(options.spillAbove === undefined ? {} : { spillAbove: options.spillAbove }),
    ...(options.spillDir === undefined ? {} : { spillDir: options.spillDir }),
  };
  const jobs = Math.min(entries.length, options.jobs ?? (options.workers > 1 ? 1 : availableParallelism()));
  const startedAt = new Map<string, number>();
  const running = new Map<string, string>();
  const show = (name: string, progress: RunProgress) => {
    if (!startedAt.has(name)) startedAt.set(name, performance.now());
    running.set(name, progressText(name, progress, performance.now() - (startedAt.get(name) ?? 0)));
    status.show([...running.values()].join(" | "));
  };
  let checked: CheckedModel[] = [];
  const say = (line: string) => {
    status.clear();
    process.stderr.write(`${line}\n`);
  };
  const signalled = await catchingSignals(interrupt, say, async () => {
    if (jobs > 1) {
      checked = await checkInWorkers(entries, {
        jobs,
        module: options.model,
        run,
        cost: await recordedCosts(catalogue),
        onProgress: show,
        onDone: (name) => running.delete(name),
      });
    } else {
      for (const entry of entries) {
        checked.push(await runEntry(entry, catalogue, run, (progress) => show(entry.name, progress)));
        running.clear();
      }
    }
  });
  status.clear();

  // A run cut short (a signal, the heap) has no verdicts to record for `npm run check`.
  const cutShort = signalled !== undefined || checked.some((c) => c.incomplete);
  const recordTo = cutShort ? undefined : resultsFileFor(names, options);
  if (recordTo !== undefined) {
    await writeCheckResults({ models: checked.flatMap((c) => (c.recorded ? [c.recorded] : [])) }, recordTo);
  }

  if (options.format === "junit") {
    process.stdout.write(`${junitXml(checkSuites(codec, checked))}\n`);
  } else if (options.format === "json") {
    const json = checkReportJson(codec, checked, options.simulate !== undefined);
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const lines = checkReportLines(codec, checked);
    if (recordTo !== undefined) lines.push(`verdicts recorded in ${relative(process.cwd(), recordTo) || recordTo}`);
    const colour = useColour(process.stdout);
    process.stdout.write(`${(colour ? lines.map(colourVerdict) : lines).join("\n")}\n`);
  }
  if (signalled !== undefined) process.exitCode = signalled;
  else if (codecFailures(codec) > 0 || checked.some((c) => c.failed)) process.exitCode = EXIT_FAILED;
  else if (checked.some((c) => c.incomplete)) process.exitCode = EXIT_USAGE;
  else process.exitCode = EXIT_OK;
}

async function listCommand(options: { model?: string }): Promise<void> {
  const catalogue = await catalogueFor(options.model);
  // What the last checks recorded of the built-in models (an auditor's own models have no record).
  const recorded = catalogue.module === undefined ? await recordedModels() : new Map();
  const lines: string[] = [];
  for (const entry of catalogue.entries) {
    const parameters = Object.entries(entry.parameters)
      .map(([key, value]) => `${key}=${value}`)
      .join(", ");
    const profile = entry.isDefault ? " (default)" : entry.profile === "long" ? " (long profile)" : "";
    lines.push(`${entry.name}${profile}: ${entry.description}`);
    if (parameters !== "") lines.push(`  parameters: ${parameters}`);
    const record = recorded.get(entry.name);
    if (record !== undefined) {
      const file = relative(process.cwd(), record.file) || record.file;
      lines.push(`  recorded: ${record.model.states} unique states, depth ${record.model.depth} (${file})`);
    }
    if (entry.expectedFailures !== undefined) lines.push(`  must fail: ${entry.expectedFailures.join(", ")}`);
    for (const property of buildEntry(entry).properties) {
      // An auditor's own model may leave its properties without ids.
      lines.push(`  ${property.kind} ${property.id === undefined ? "" : `${property.id}: `}${property.name}`);
    }
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  process.exitCode = EXIT_OK;
}

/** What `check --help` says after the options: how a check ends. */
const CHECK_HELP_AFTER = `
However a search ends (a bound, --timeout, --stop-at-first, the heap nearing its limit, SIGINT or
SIGTERM), the report shows every violation found until then with its counterexample. A second
SIGINT or SIGTERM ends the process at once.

With --checkpoint DIR, a search stopped by --timeout, the heap or a signal writes a checkpoint
first (and one every --checkpoint-every seconds meanwhile); --resume DIR goes on from it, in a new
process, to the report the uninterrupted search would have made. A checkpoint of another model,
of other options that change the state space, of an unknown format, or damaged, is refused (exit
code 2). Breadth-first searches spill their queue to disk past --spill-above states in memory.

Exit codes:
  0    every property holds (a tightness model: exactly its expected failures)
  1    a property failed, or a whole search no longer finds an expected failure
  2    could not run (bad arguments, a model that cannot be built, a machine that throws in a
       step), or a bound, --timeout or the heap stopped a search before it was complete
  130  interrupted by SIGINT (Ctrl-C); 143: by SIGTERM (the partial report is printed first)`;

const MODEL_OPTION = [
  "--model <file>",
  "a model module (.js, or .ts): its models instead of the built-in ones",
] as const;

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
    .option(
      "--timeout <seconds>",
      "stop after this long, reporting what was found (exit code 2 if reached and nothing failed)",
      positiveSeconds,
    )
    .option("--stop-at-first", "end each search at its first violated always property, as TLC does")
    .option("--no-reduction", "explore without partial-order reduction and symmetry")
    .option("--trace-out <dir>", "write each counterexample as ITF JSON and a Mermaid sequence diagram")
    .option("--no-codec", "skip the codec self-check")
    .option("--no-progress", "print no progress on stderr")
    .option(...MODEL_OPTION)
    .option(
      "--profile <profile>",
      "check the models of a profile instead of the default ones: long (npm run check:long)",
      oneOf("long"),
    )
    .option(
      "--jobs <n>",
      "check this many models at a time, each on a worker thread of its own (default: one per core)",
      positiveInteger,
    )
    .option(
      "--workers <n>",
      "breadth-first search of one model over this many worker threads, without reduction (actor models and models with portable states)",
      positiveInteger,
      1,
    )
    .option("--format <format>", "text, json or junit", oneOf<Format>("text", "json", "junit"), "text")
    .option(
      "--results <file>",
      "where a check of every default model without bounds records its verdicts (default: docs/check-results.json of the package; docs/check-results-long.json with --profile long)",
    )
    .option("--no-results", "record no verdicts")
    .option(
      "--checkpoint <dir>",
      "breadth-first, one model: keep a checkpoint of the search in this directory, written every --checkpoint-every seconds and when --timeout, the heap or a signal stops it",
    )
    .option(
      "--checkpoint-every <seconds>",
      `how often the checkpoint is written (default: ${CHECKPOINT_EVERY_SECONDS})`,
      positiveSeconds,
    )
    .option(
      "--resume <dir>",
      "go on from the checkpoint in this directory (same model and --no-reduction/--max-depth as it was written with), checkpointing there unless --checkpoint says elsewhere",
    )
    .option(
      "--spill-above <states>",
      "breadth-first: past this many states in memory the queue spills to disk (default: an eighth of the heap limit at 256 bytes a state)",
      positiveInteger,
    )
    .option("--spill-dir <dir>", "where the queue spills (default: the system's temporary directory)")
    .addHelpText("after", CHECK_HELP_AFTER)
    .action((names: string[], options: CheckOptions) => checkCommand(names, options));

  program
    .command("list")
    .description("list the models with their parameters and properties")
    .option(...MODEL_OPTION)
    .action((options: { model?: string }) => listCommand(options));
}
