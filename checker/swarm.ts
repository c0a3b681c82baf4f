/**
 * A simulation swarm's reports, merged: shard reports (checker/simulate.ts) come back from CI jobs as
 * JSON files, are validated strictly, and combine into the report one job running every walk would
 * have given — the lowest-indexed violating walk and witness, summed counts, and the distinct states
 * estimated from the union of the shards' sketches. The text formatter serves shard and merged
 * reports alike.
 */

import type { Model } from "./model.js";
import type { ActionPath } from "./path.js";
import { STOP_REASONS, stopText } from "./watch.js";
import { estimateDistinct, isSketch, SKETCH_SIZE, unionSketches } from "./sketch.js";
import {
  type ShardSpec,
  type SimulationPropertyResult,
  type SimulationReport,
  shardWalkCount,
  traceLabels,
} from "./simulate.js";

/** The merge of a swarm's shard reports. */
export interface MergedSimulationReport extends Omit<SimulationReport, "shard" | "uniqueStates"> {
  /** Index −1: every shard given. */
  readonly shard: { readonly index: -1; readonly count: number };
  /** 0-based indices of the shards merged, ascending. */
  readonly shards: readonly number[];
  /** 0-based indices of the swarm's shards not given, ascending. */
  readonly missingShards: readonly number[];
  /** Distinct states over all shards: exact when `uniqueStatesExact`, else a sketch estimate (±3%). */
  readonly uniqueStatesEstimate: number;
  readonly uniqueStatesExact: boolean;
}

/** Why reports cannot be merged. */
export type SwarmMergeReason =
  | "empty"
  | "invalid"
  | "model"
  | "seed"
  | "shardCount"
  | "duplicateShard"
  | "runs"
  | "depthLimit"
  | "properties";

/** Reports that are not simulation reports, or not shards of one swarm. */
export class SwarmMergeError extends Error {
  readonly reason: SwarmMergeReason;
  constructor(reason: SwarmMergeReason, message: string) {
    super(message);
    this.name = "SwarmMergeError";
    this.reason = reason;
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Reads the fields of one JSON object, failing with the field's location on anything unexpected. */
class Fields {
  constructor(
    private readonly fields: Json,
    private readonly where: string,
    allowed: readonly string[],
  ) {
    const unknown = Object.keys(fields).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) this.fail(unknown[0], "not a field of a simulation report");
  }

  fail(key: string, problem: string): never {
    throw new SwarmMergeError("invalid", `${this.where}.${key}: ${problem}`);
  }

  has(key: string): boolean {
    return Object.hasOwn(this.fields, key);
  }

  integer(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.fields[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(key, `must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  string(key: string): string {
    const value = this.fields[key];
    if (typeof value !== "string" || value === "") this.fail(key, "must be a non-empty string");
    return value;
  }

  literal<T extends string | boolean>(key: string, ...allowed: T[]): T {
    const value = this.fields[key];
    if (!allowed.includes(value as T)) {
      this.fail(key, `must be ${allowed.map((a) => JSON.stringify(a)).join(" or ")}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  nested(key: string, allowed: readonly string[]): Fields {
    const value = this.fields[key];
    if (!isObject(value)) this.fail(key, "must be an object");
    return new Fields(value, `${this.where}.${key}`, allowed);
  }

  array(key: string): unknown[] {
    const value = this.fields[key];
    if (!Array.isArray(value)) this.fail(key, "must be an array");
    return value;
  }
}

const REPORT_FIELDS = [
  "kind",
  "model",
  "seed",
  "shard",
  "swarmRuns",
  "depthLimit",
  "runs",
  "steps",
  "maxDepth",
  "terminalWalks",
  "uniqueStates",
  "sketch",
  "stoppedBy",
  "properties",
  // Wall-clock figures a caller may add; they vary between runs, so they are never compared.
  "timing",
  // The catalogue's name of the model, which a caller may add (walrus-spec check does).
  "catalogueModel",
];

function readProperty(value: unknown, where: string, report: SimulationReport): SimulationPropertyResult {
  if (!isObject(value)) throw new SwarmMergeError("invalid", `${where}: must be an object`);
  const fields = new Fields(value, where, ["id", "name", "kind", "holds", "walk", "trace", "labels", "reached"]);
  const id = fields.string("id");
  const name = fields.string("name");
  const kind = fields.literal("kind", "always", "sometimes", "eventually");
  const holds = fields.literal("holds", true, false);
  const decided = kind === "sometimes" ? holds : !holds;
  if (!decided) {
    for (const key of ["walk", "trace", "labels"])
      if (fields.has(key)) fields.fail(key, "belongs to a decided property only");
    if (kind !== "sometimes") {
      if (fields.has("reached")) fields.fail("reached", "belongs to a sometimes property only");
      return { id, name, kind, holds: true };
    }
    fields.literal("reached", false);
    return { id, name, kind: "sometimes", holds: false, reached: false };
  }
  if (fields.has("reached")) fields.fail("reached", "belongs to an unreached sometimes property only");
  const { index, count } = report.shard;
  // A shard runs its walks in order, so the walks it did are its first `runs`.
  const walk = fields.integer("walk", 0, report.runs === 0 ? -1 : index + (report.runs - 1) * count);
  if (walk % count !== index)
    fields.fail("walk", `walk ${walk} is not one of shard ${index}'s (k ≡ ${index} mod ${count})`);
  const trace = fields.nested("trace", ["init", "actions"]);
  const init = trace.integer("init", 0);
  const actions = trace.array("actions");
  if (actions.length > report.depthLimit) trace.fail("actions", `longer than the depth limit ${report.depthLimit}`);
  if (!actions.every((a) => typeof a === "number" && Number.isInteger(a) && a >= 0)) {
    trace.fail("actions", "must hold integers ≥ 0");
  }
  const labels = fields.array("labels");
  if (labels.length !== actions.length || !labels.every((l) => typeof l === "string")) {
    fields.fail("labels", "must hold one string per action of the trace");
  }
  const evidence = { walk, trace: { init, actions: actions as number[] }, labels: labels as string[] };
  return kind === "sometimes"
    ? { id, name, kind, holds: true, ...evidence }
    : { id, name, kind, holds: false, ...evidence };
}

/**
 * `value` as a shard's {@link SimulationReport}, checked field by field (it usually comes from a
 * file); SwarmMergeError("invalid") naming `source` and the field otherwise.
 */
export function validateSimulationReport(value: unknown, source = "report"): SimulationReport {
  if (!isObject(value)) throw new SwarmMergeError("invalid", `${source}: not a simulation report (not a JSON object)`);
  const fields: Fields = new Fields(value, source, REPORT_FIELDS);
  fields.literal("kind", "simulation");
  const shardFields = fields.nested("shard", ["index", "count"]);
  const count = shardFields.integer("count", 1);
  const shard: ShardSpec = { index: shardFields.integer("index", 0, count - 1), count };
  const swarmRuns = fields.integer("swarmRuns", 0);
  const depthLimit = fields.integer("depthLimit", 0);
  const runs = fields.integer("runs", 0, shardWalkCount(swarmRuns, shard));
  const uniqueStates = fields.integer("uniqueStates", 0);
  const sketch: unknown = value.sketch;
  if (!isSketch(sketch) || sketch.length !== Math.min(uniqueStates, SKETCH_SIZE)) {
    fields.fail("sketch", `must be the ${Math.min(uniqueStates, SKETCH_SIZE)} smallest state values, ascending`);
  }
  if (fields.has("timing") && !isObject(value.timing)) fields.fail("timing", "must be an object");
  if (fields.has("catalogueModel") && typeof value.catalogueModel !== "string") {
    fields.fail("catalogueModel", "must be a string");
  }
  const report: SimulationReport = {
    kind: "simulation",
    model: fields.string("model"),
    seed: fields.integer("seed", 0, 2 ** 32 - 1),
    shard,
    swarmRuns,
    depthLimit,
    runs,
    steps: fields.integer("steps", 0, runs * depthLimit),
    maxDepth: fields.integer("maxDepth", 0, depthLimit),
    terminalWalks: fields.integer("terminalWalks", 0, runs),
    uniqueStates,
    sketch,
    ...(fields.has("stoppedBy") ? { stoppedBy: fields.literal("stoppedBy", ...STOP_REASONS, "violation") } : {}),
    properties: [],
  };
  const properties = fields.array("properties").map((p, i) => readProperty(p, `${source}.properties[${i}]`, report));
  const names = new Set(properties.map((p) => p.name));
  if (names.size !== properties.length) fields.fail("properties", "names a property twice");
  return { ...report, properties };
}

/** The result deciding a property first: the one of the lowest walk index. */
function earliest(results: readonly SimulationPropertyResult[]): SimulationPropertyResult {
  let best = results[0];
  for (const result of results) {
    if (!("walk" in result)) continue;
    if (!("walk" in best) || result.walk < best.walk) best = result;
  }
  return best;
}

/**
 * Merges the reports of one swarm's shards (validating each: they usually come from files; `sources`
 * names them in errors). SwarmMergeError when they are not simulation reports or not shards of the
 * same swarm (model, seed, shard count, walks, depth limit or properties differ, or a shard repeats).
 * Missing shards are allowed and listed.
 */
export function mergeSimulationReports(
  reports: readonly unknown[],
  sources: readonly string[] = [],
): MergedSimulationReport {
  if (reports.length === 0) throw new SwarmMergeError("empty", "no reports to merge");
  const names = reports.map((_, i) => sources[i] ?? `report ${i + 1}`);
  const shards = reports.map((value, i) => validateSimulationReport(value, names[i]));
  const first = shards[0];
  const seen = new Map<number, string>();
  shards.forEach((report, i) => {
    const differs = (reason: SwarmMergeReason, what: string, a: unknown, b: unknown) => {
      if (a !== b) {
        throw new SwarmMergeError(
          reason,
          `${names[i]} is not from the same swarm as ${names[0]}: ${what} ${JSON.stringify(b)}, not ${JSON.stringify(a)}`,
        );
      }
    };
    differs("model", "model", first.model, report.model);
    differs("seed", "seed", first.seed, report.seed);
    differs("shardCount", "shard count", first.shard.count, report.shard.count);
    differs("runs", "walks in the swarm", first.swarmRuns, report.swarmRuns);
    differs("depthLimit", "depth limit", first.depthLimit, report.depthLimit);
    const signature = (r: SimulationReport) => r.properties.map((p) => `${p.kind} ${p.name}`).join(", ");
    differs("properties", "properties", signature(first), signature(report));
    const twin = seen.get(report.shard.index);
    if (twin !== undefined) {
      throw new SwarmMergeError(
        "duplicateShard",
        `${twin} and ${names[i]} are both shard ${report.shard.index + 1}/${report.shard.count}`,
      );
    }
    seen.set(report.shard.index, names[i]);
  });

  const count = first.shard.count;
  const present = [...seen.keys()].sort((a, b) => a - b);
  const sum = (field: "runs" | "steps" | "terminalWalks") => shards.reduce((total, r) => total + r[field], 0);
  const sketch = unionSketches(shards.map((r) => r.sketch));
  const distinct = estimateDistinct(sketch);
  // A sketch estimate cannot be below what one shard counted exactly, nor above their sum.
  const atLeast = Math.max(...shards.map((r) => r.uniqueStates));
  const atMost = shards.reduce((total, r) => total + r.uniqueStates, 0);
  const single = shards.length === 1;
  const stopped = shards.find((r) => r.stoppedBy !== undefined);
  return {
    kind: "simulation",
    model: first.model,
    seed: first.seed,
    shard: { index: -1, count },
    shards: present,
    missingShards: Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i)),
    swarmRuns: first.swarmRuns,
    depthLimit: first.depthLimit,
    runs: sum("runs"),
    steps: sum("steps"),
    maxDepth: Math.max(...shards.map((r) => r.maxDepth)),
    terminalWalks: sum("terminalWalks"),
    uniqueStatesEstimate: single ? first.uniqueStates : Math.min(atMost, Math.max(atLeast, distinct.count)),
    uniqueStatesExact: single || distinct.exact,
    sketch,
    // The first shard's reason, when shards stopped early for different ones.
    ...(stopped?.stoppedBy === undefined ? {} : { stoppedBy: stopped.stoppedBy }),
    properties: first.properties.map((_, p) => earliest(shards.map((r) => r.properties[p]))),
  };
}

/** Whether the walks violated an invariant (the verdict that fails a CI job). */
export function simulationFailed(report: SimulationReport | MergedSimulationReport): boolean {
  return simulationBroken(report).length > 0;
}

/** The names of the invariants and `eventually` properties the walks violated. */
export function simulationBroken(report: SimulationReport | MergedSimulationReport): string[] {
  return report.properties.filter((p) => p.kind !== "sometimes" && !p.holds).map((p) => p.id);
}

/** `--shard` values (1-based i/N) of 0-based shard indices. */
const shardNames = (indices: readonly number[], count: number) => indices.map((i) => `${i + 1}/${count}`).join(", ");

/**
 * A readable summary of a shard's or a merged report: coverage, then per property held / violated
 * with the counterexample's numbered actions / witness reached or not. With the model, a trace's
 * labels come from replaying it (and a trace that does not replay says so); without, from the report.
 */
export function formatSimulationReport(
  report: SimulationReport | MergedSimulationReport,
  model?: Model<unknown, unknown>,
): string[] {
  const merged = report.shard.index === -1;
  const { count } = report.shard;
  const expected = merged ? report.swarmRuns : shardWalkCount(report.swarmRuns, report.shard as ShardSpec);
  const states =
    "uniqueStatesEstimate" in report
      ? `${report.uniqueStatesExact ? "" : "about "}${report.uniqueStatesEstimate} unique states`
      : `${report.uniqueStates} unique states`;
  const scope = merged
    ? `swarm of ${count} shard${count === 1 ? "" : "s"}`
    : `shard ${report.shard.index + 1}/${count}`;
  const lines = [
    `${report.model}: simulation (seed ${report.seed}, ${scope}): ${report.runs} of ${expected} walks, ${report.steps} steps, longest walk ${report.maxDepth} steps (limit ${report.depthLimit}), ${report.terminalWalks} ended in a terminal state, ${states}`,
  ];
  if ("missingShards" in report && report.missingShards.length > 0) {
    lines.push(
      `  MISSING shards ${shardNames(report.missingShards, count)} (as --shard i/N): their walks are not counted`,
    );
  }
  if (report.stoppedBy !== undefined)
    lines.push(`  stopped by ${stopText(report.stoppedBy)}: ${expected - report.runs} walks not run`);
  const evidence = (trace: ActionPath, labels: readonly string[]): string[] => {
    let shown = labels;
    if (model !== undefined) {
      try {
        shown = traceLabels(model, trace);
      } catch (error) {
        return [`      the trace does not replay on this model: ${(error as Error).message}`];
      }
    }
    return [
      ...shown.map((label, i) => `      ${i + 1}. ${label}`),
      `      (action path: init ${trace.init}, actions [${trace.actions.join(", ")}])`,
    ];
  };
  for (const property of report.properties) {
    if (property.kind !== "sometimes") {
      if (property.holds)
        lines.push(`  ok          ${property.kind} ${property.name}: no violation in ${report.runs} walks`);
      else {
        lines.push(
          `  FAIL        ${property.kind} ${property.name}: violated in walk ${property.walk} after ${property.trace.actions.length} steps`,
        );
        lines.push(...evidence(property.trace, property.labels));
      }
    } else if (property.holds) {
      lines.push(
        `  ok          sometimes ${property.name}: reached in walk ${property.walk} after ${property.trace.actions.length} steps`,
      );
    } else {
      lines.push(
        `  NOT REACHED sometimes ${property.name}: in none of ${report.runs} walks (which does not show it unreachable)`,
      );
    }
  }
  return lines;
}
