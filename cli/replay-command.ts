/**
 * `walrus-spec replay TRACE`: re-checks a counterexample or witness written as ITF JSON against
 * the model it names. Exit code 0: every step and the verdict are reproduced; 1: the trace
 * diverges from the model (the step and the reason are printed); 2: could not run (no such file,
 * not JSON, not a walrus-spec ITF trace, unknown model).
 */

import type { Command } from "commander";
import { formatPath, type ItfTrace, parseItf, type ReplayResult, replayTrace, TraceError } from "../checker/trace.js";
import { findModel, MODELS } from "../models/index.js";
import { EXIT_FAILED, EXIT_OK, UsageError } from "./errors.js";
import { oneOf, readInputFile } from "./options.js";

interface ReplayOptions {
  format: "text" | "json";
}

function readTrace(file: string): ItfTrace {
  const text = readInputFile(file);
  try {
    return parseItf(text);
  } catch (error) {
    if (error instanceof TraceError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

function replayCommand(file: string, options: ReplayOptions): void {
  const trace = readTrace(file);
  const meta = trace["#meta"];
  const entry = findModel(meta.model);
  if (!entry) {
    throw new UsageError(
      `${file}: unknown model ${JSON.stringify(meta.model)}; known: ${MODELS.map((m) => m.name).join(", ")}`,
    );
  }
  const model = entry.build();
  let result: ReplayResult<unknown, unknown>;
  try {
    result = replayTrace(model, trace);
  } catch (error) {
    // The model cannot describe its states in ITF: nothing to compare the trace with.
    if (error instanceof TraceError) throw new UsageError(`cannot replay on model ${entry.name}: ${error.message}`);
    throw error;
  }
  const outcome = result.divergence
    ? `${meta.verdict} of ${meta.property} not confirmed: the trace diverges at step ${result.divergence.step}: ${result.divergence.reason}`
    : `${meta.verdict} of ${meta.property} confirmed at step ${result.steps}`;
  if (options.format === "json") {
    const json = {
      trace: file,
      model: meta.model,
      property: meta.property,
      kind: meta.kind,
      verdict: meta.verdict,
      confirmed: result.confirmed,
      steps: result.steps,
      ...(result.divergence ? { divergence: result.divergence } : {}),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const lines = [`${meta.model}: ${meta.kind} ${meta.property}, ${meta.verdict} in ${result.steps} steps`];
    if (result.path) lines.push(...formatPath(model, result.path));
    lines.push(outcome);
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  process.exitCode = result.confirmed ? EXIT_OK : EXIT_FAILED;
}

export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description("replay a counterexample or witness (ITF JSON) against its model and confirm its verdict")
    .argument("<trace>", "a .itf.json trace written by walrus-spec")
    .option("--format <format>", "text or json", oneOf("text", "json"), "text")
    .action((file: string, options: ReplayOptions) => replayCommand(file, options));
}
