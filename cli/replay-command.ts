/**
 * `walrus-spec replay TRACE`: re-checks a counterexample or witness written as ITF JSON against
 * the model it names. Exit code 0: every step and the verdict are reproduced; 1: the trace
 * diverges from the model (the step and the reason are printed); 2: could not run (no such file,
 * not JSON, not a walrus-spec ITF trace or one of an older format, unknown model or property).
 */

import type { Command } from "commander";
import { formatPath, type ItfTrace, parseItf, type ReplayResult, replayTrace, TraceError } from "../checker/trace.js";
import { findIn } from "../models/load.js";
import { catalogueFor } from "../report/catalogue.js";
import { buildEntry } from "../report/check-run.js";
import { UsageError } from "../report/errors.js";
import { EXIT_FAILED, EXIT_OK } from "./errors.js";
import { readInputFile } from "../report/files.js";
import { oneOf } from "./options.js";

interface ReplayOptions {
  format: "text" | "json";
  /** The model module the trace's model comes from (default: the built-in catalogue). */
  model?: string;
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

async function replayCommand(file: string, options: ReplayOptions): Promise<void> {
  const trace = readTrace(file);
  const meta = trace["#meta"];
  const catalogue = await catalogueFor(options.model);
  const entry = findIn(catalogue, meta.model);
  if (!entry) {
    throw new UsageError(
      `${file}: unknown model ${JSON.stringify(meta.model)}; known: ${catalogue.entries.map((m) => m.name).join(", ")}`,
    );
  }
  const model = buildEntry(entry);
  let result: ReplayResult<unknown, unknown>;
  try {
    result = replayTrace(model, trace);
  } catch (error) {
    // The model cannot describe its states in ITF, or has no property with the trace's id: nothing
    // to compare the trace with.
    if (error instanceof TraceError) throw new UsageError(`cannot replay on model ${entry.name}: ${error.message}`);
    throw error;
  }
  const outcome = result.divergence
    ? `${meta.verdict} of ${meta.propertyName} not confirmed: the trace diverges at step ${result.divergence.step}: ${result.divergence.reason}`
    : `${meta.verdict} of ${meta.propertyName} confirmed at step ${result.steps}`;
  if (options.format === "json") {
    const json = {
      trace: file,
      model: meta.model,
      property: meta.property,
      propertyName: meta.propertyName,
      kind: meta.kind,
      verdict: meta.verdict,
      confirmed: result.confirmed,
      steps: result.steps,
      ...(result.divergence ? { divergence: result.divergence } : {}),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    const lines = [
      `${meta.model}: ${meta.kind} ${meta.propertyName} (${meta.property}), ${meta.verdict} in ${result.steps} steps`,
    ];
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
    .option("--model <file>", "the model module the trace's model comes from (a .js or .ts file)")
    .action((file: string, options: ReplayOptions) => replayCommand(file, options));
}
