/**
 * `walrus-spec merge`: the last job of a CI simulation swarm. It reads the JSON reports the shards
 * wrote, checks they are shards of one swarm, and prints one verdict. Exit code 0: no invariant
 * violated in any walk; 1: a walk violated one (the lowest-indexed such walk is shown); 2: could not
 * merge (unreadable or malformed report, reports of different swarms) or shards are missing.
 */

import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { formatSimulationReport, mergeSimulationReports, simulationFailed, SwarmMergeError } from "../checker/swarm.js";
import { EXIT_FAILED, EXIT_OK, UsageError } from "./errors.js";
import { oneOf } from "./options.js";

interface MergeOptions {
  format: "text" | "json";
}

function readReport(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

function mergeCommand(files: string[], options: MergeOptions): void {
  const values = files.map(readReport);
  let report: ReturnType<typeof mergeSimulationReports>;
  try {
    report = mergeSimulationReports(values, files);
  } catch (error) {
    if (error instanceof SwarmMergeError) throw new UsageError(error.message);
    throw error;
  }
  const output =
    options.format === "json" ? JSON.stringify(report, null, 2) : formatSimulationReport(report).join("\n");
  process.stdout.write(`${output}\n`);
  // A counterexample is a verdict whatever else is missing; missing shards only make "no violation" unsure.
  if (simulationFailed(report)) process.exitCode = EXIT_FAILED;
  else if (report.missingShards.length > 0) {
    const missing = report.missingShards.map((i) => `${i + 1}/${report.shard.count}`).join(", ");
    throw new UsageError(`the swarm is incomplete: no report of shard ${missing}`);
  } else process.exitCode = EXIT_OK;
}

export function registerMergeCommand(program: Command): void {
  program
    .command("merge")
    .description("merge the JSON reports of a simulation swarm's shards into one verdict")
    .argument("<reports...>", "the shards' simulation reports (JSON files)")
    .option("--format <format>", "text or json", oneOf("text", "json"), "text")
    .action((files: string[], options: MergeOptions) => mergeCommand(files, options));
}
