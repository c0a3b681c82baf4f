/**
 * `walrus-spec check` — the main job of CI — and `walrus-spec list`.
 *
 * With no model named, `check` runs the codec self-check (known answers of the Walrus network and
 * round trips through every codec path) and model-checks every default model. Exit code 0: all
 * holds; 1: a property failed (a violated invariant or a witness never reached) or a self-check
 * failed; 2: could not run, or a bound stopped a search before it was complete.
 */

import { type Command, InvalidArgumentError } from "commander";
import { type SearchReport, checkModel, type Path } from "../checker/search.js";
import type { Model } from "../checker/model.js";
import { findModel, MODELS, type ModelEntry } from "../models/index.js";
import { type CheckResult, runCodecSelfCheck } from "../spec/self-check.js";
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./errors.js";

interface CheckOptions {
  format: "text" | "json";
  bfs?: boolean;
  dfs?: boolean;
  maxStates?: number;
  maxDepth?: number;
  codec: boolean;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function describeSteps(model: Model<unknown, unknown>, path: Path<unknown, unknown>): string[] {
  return path.steps.map(
    (step, i) =>
      `      ${i + 1}. ${model.formatAction ? model.formatAction(step.action) : JSON.stringify(step.action)}`,
  );
}

interface ModelOutcome {
  readonly entry: ModelEntry;
  readonly model: Model<unknown, unknown>;
  readonly report: SearchReport<unknown, unknown>;
  readonly seconds: number;
}

/** A violated invariant fails a model; an unreached witness fails it only if the search was complete. */
function modelFailed(report: SearchReport<unknown, unknown>): boolean {
  return report.properties.some((p) => !p.holds && (p.kind === "always" || report.complete));
}

function textReport(outcome: ModelOutcome): string[] {
  const { report, model, seconds } = outcome;
  const coverage = report.complete ? "complete" : `stopped by ${report.stoppedBy} (incomplete)`;
  const lines = [
    `${outcome.entry.name}: ${report.uniqueStates} unique states (${report.generatedStates} generated), depth ${report.maxDepth}, ${coverage}, ${seconds.toFixed(2)} s, fingerprint collision probability ${report.collisionProbability.toExponential(1)}`,
  ];
  for (const property of report.properties) {
    if (property.kind === "always") {
      if (property.holds) lines.push(`  ok      always ${property.name}`);
      else {
        lines.push(
          `  FAIL    always ${property.name}: counterexample in ${property.counterexample.steps.length} steps`,
        );
        lines.push(...describeSteps(model, property.counterexample));
      }
    } else if (property.holds) {
      lines.push(`  ok      sometimes ${property.name} (witness in ${property.witness.steps.length} steps)`);
    } else {
      lines.push(
        report.complete
          ? `  VACUOUS sometimes ${property.name}: never reached`
          : `  UNKNOWN sometimes ${property.name}: not reached within the bounds`,
      );
    }
  }
  return lines;
}

function jsonReport(outcome: ModelOutcome) {
  const { report, model, seconds } = outcome;
  const steps = (path: Path<unknown, unknown>) =>
    path.steps.map((step) => (model.formatAction ? model.formatAction(step.action) : step.action));
  return {
    model: outcome.entry.name,
    parameters: outcome.entry.parameters,
    uniqueStates: report.uniqueStates,
    generatedStates: report.generatedStates,
    maxDepth: report.maxDepth,
    complete: report.complete,
    ...(report.stoppedBy ? { stoppedBy: report.stoppedBy } : {}),
    collisionProbability: report.collisionProbability,
    seconds,
    properties: report.properties.map((p) =>
      p.kind === "always"
        ? {
            name: p.name,
            kind: p.kind,
            holds: p.holds,
            ...(p.holds ? {} : { counterexample: steps(p.counterexample) }),
          }
        : {
            name: p.name,
            kind: p.kind,
            holds: p.holds,
            ...(p.holds ? { witness: steps(p.witness) } : { vacuous: true }),
          },
    ),
  };
}

async function checkCommand(names: string[], options: CheckOptions): Promise<void> {
  if (options.bfs && options.dfs) throw new UsageError("choose one search: --bfs or --dfs");
  const entries = names.length === 0 ? MODELS.filter((m) => m.isDefault) : names.map((name) => findModel(name));
  const unknown = names.filter((_, i) => entries[i] === undefined);
  if (unknown.length > 0) {
    throw new UsageError(`unknown model ${unknown.join(", ")}; known: ${MODELS.map((m) => m.name).join(", ")}`);
  }
  const runCodec = names.length === 0 && options.codec;
  let codec: CheckResult[] = [];
  let codecSeconds = 0;
  if (runCodec) {
    const started = performance.now();
    codec = runCodecSelfCheck();
    codecSeconds = (performance.now() - started) / 1000;
  }
  const outcomes: ModelOutcome[] = (entries as ModelEntry[]).map((entry) => {
    const model = entry.build();
    const started = performance.now();
    const report = checkModel(model, {
      strategy: options.dfs ? "dfs" : "bfs",
      ...(options.maxStates !== undefined ? { maxStates: options.maxStates } : {}),
      ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}),
    });
    return { entry, model, report, seconds: (performance.now() - started) / 1000 };
  });

  const codecFailed = codec.filter((r) => !r.ok).length;
  if (options.format === "json") {
    const json = {
      ...(runCodec ? { codec: { results: codec, failed: codecFailed, seconds: codecSeconds } } : {}),
      models: outcomes.map(jsonReport),
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
    for (const outcome of outcomes) lines.push(...textReport(outcome));
    const failedModels = outcomes.filter((o) => modelFailed(o.report)).length;
    lines.push(`models: ${outcomes.length - failedModels} passed, ${failedModels} failed`);
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  if (codecFailed > 0 || outcomes.some((o) => modelFailed(o.report))) process.exitCode = EXIT_FAILED;
  else if (outcomes.some((o) => !o.report.complete)) process.exitCode = EXIT_USAGE;
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
    .option("--max-states <n>", "stop after this many unique states (exit code 2 if reached)", positiveInteger)
    .option("--max-depth <d>", "do not explore deeper than this (exit code 2 if reached)", positiveInteger)
    .option("--no-codec", "skip the codec self-check")
    .option(
      "--format <format>",
      "text or json",
      (value: string) => {
        if (value !== "text" && value !== "json") throw new InvalidArgumentError("must be text or json");
        return value;
      },
      "text",
    )
    .action((names: string[], options: CheckOptions) => checkCommand(names, options));

  program
    .command("list")
    .description("list the models with their parameters and properties")
    .action(() => listCommand());
}
