/**
 * `walrus-spec merge`: the last job of a CI simulation swarm. It reads the JSON reports the shards
 * wrote, checks they are shards of one swarm, and prints one verdict. Exit code 0: no invariant
 * violated in any walk; 1: a walk violated one (the lowest-indexed such walk is shown); 2: could not
 * merge (unreadable or malformed report, reports of different swarms) or shards are missing.
 */

import type { Command } from "commander";
import { formatSimulationReport, mergeSimulationReports, simulationBroken, SwarmMergeError } from "../checker/swarm.js";
import { findIn } from "../models/load.js";
import { catalogueFor } from "../report/catalogue.js";
import { REPORT_FORMAT_VERSION } from "../report/check-report.js";
import { surprises } from "../report/expectations.js";
import { UsageError } from "../report/errors.js";
import { EXIT_FAILED, EXIT_OK } from "./errors.js";
import { readInputFile } from "../report/files.js";
import { oneOf } from "./options.js";

interface MergeOptions {
  format: "text" | "json";
  /** The model module the swarm's models come from (default: the built-in catalogue). */
  model?: string;
}

function readReport(file: string): unknown {
  const text = readInputFile(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The shard reports in `files`: a file holds one report, or the `simulations` of a
 * `check --simulate --format json` run (one report per model checked).
 */
function shardReports(files: readonly string[]): { value: unknown; source: string; run: boolean }[] {
  return files.flatMap((file): { value: unknown; source: string; run: boolean }[] => {
    const value = readReport(file);
    const { simulations, formatVersion } = (value ?? {}) as { simulations?: unknown; formatVersion?: unknown };
    if (typeof value === "object" && value !== null && Array.isArray(simulations)) {
      // A report of another format may mean something else by the same fields: refused, not misread.
      if (formatVersion !== undefined && formatVersion !== REPORT_FORMAT_VERSION) {
        throw new UsageError(
          `${file} is a report of format version ${JSON.stringify(formatVersion)}; this walrus-spec reads version ${REPORT_FORMAT_VERSION}`,
        );
      }
      return simulations.map((report, i) => ({ value: report, source: `${file} (simulation ${i + 1})`, run: true }));
    }
    return [{ value, source: file, run: false }];
  });
}

async function mergeCommand(files: string[], options: MergeOptions): Promise<void> {
  const catalogue = await catalogueFor(options.model);
  // Runs that checked several models wrote one report for each: one swarm per model then. Bare
  // reports must all be shards of one swarm, so that a file of another swarm is an error.
  const shards = shardReports(files);
  const byModel = shards.some((shard) => shard.run);
  const swarms = new Map<string, { value: unknown; source: string }[]>();
  for (const shard of shards) {
    const model = (shard.value as { model?: unknown }).model;
    const key = byModel && typeof model === "string" ? model : "";
    swarms.set(key, [...(swarms.get(key) ?? []), shard]);
  }
  const merged = [...swarms.values()].map((shards) => {
    try {
      return mergeSimulationReports(
        shards.map((s) => s.value),
        shards.map((s) => s.source),
      );
    } catch (error) {
      if (error instanceof SwarmMergeError) throw new UsageError(error.message);
      throw error;
    }
  });
  const output =
    options.format === "json"
      ? JSON.stringify(merged.length === 1 ? merged[0] : { merged }, null, 2)
      : merged.flatMap((report) => formatSimulationReport(report)).join("\n");
  process.stdout.write(`${output}\n`);
  // A counterexample is a verdict whatever else is missing; missing shards only make "no violation" unsure.
  const incomplete = merged.filter((report) => report.missingShards.length > 0);
  // A tightness model's expected failures are no counterexample to report, as `check` has it; one
  // the walks did not reach proves nothing (a walk stops at its first violation).
  const catalogueNames = [...swarms.values()].map((shards) => {
    const name = (shards[0]?.value as { catalogueModel?: unknown } | undefined)?.catalogueModel;
    return typeof name === "string" ? name : undefined;
  });
  const wrong = merged.some((report, i) => {
    const entry = catalogueNames[i] === undefined ? undefined : findIn(catalogue, catalogueNames[i]);
    return surprises(entry, simulationBroken(report)).unexpected.length > 0;
  });
  if (wrong) {
    process.exitCode = EXIT_FAILED;
  } else if (incomplete.length > 0) {
    const missing = incomplete.map(
      (report) =>
        `${report.model}: no report of shard ${report.missingShards.map((i) => `${i + 1}/${report.shard.count}`).join(", ")}`,
    );
    throw new UsageError(`the swarm is incomplete: ${missing.join("; ")}`);
  } else process.exitCode = EXIT_OK;
}

export function registerMergeCommand(program: Command): void {
  program
    .command("merge")
    .description("merge the JSON reports of a simulation swarm's shards into one verdict")
    .argument("<reports...>", "the shards' simulation reports (JSON files)")
    .option("--format <format>", "text or json", oneOf("text", "json"), "text")
    .option("--model <file>", "the model module the swarm's models come from (a .js or .ts file)")
    .action((files: string[], options: MergeOptions) => mergeCommand(files, options));
}
