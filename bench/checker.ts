/**
 * Checker benchmark: generated and unique states per second and bytes per visited state on the
 * example models, against a baseline explorer measured in the same run — breadth-first search that
 * calls xstate's public `transition()` for every step, without memoisation, and keeps visited
 * states as JSON strings in a Set. The baseline's bytes per state are the heap its Set of keys
 * holds (measured by collecting garbage with and without it); ours are what the checker reports
 * (visited set and path trail, all typed arrays).
 *
 * Then partial-order reduction on Walrus models of the catalogue: each searched without and with it
 * in the same run (unique states, time, states per second, bytes per state, and the ratios). Then
 * one thread against `--workers 2`, whole processes of the built command line (bench/workers.ts).
 *
 *   npm run bench:checker               # two-phase commit, 5 RMs against the baseline; 7 and 8 RMs ours only
 *   npm run bench:checker -- --runs 5
 *   npm run bench:checker -- --reduction write-read-4,epoch-change-4-read   # the models of the second table
 *   npm run bench:checker -- --workers write-read-4-crash-any               # of the third ('' for none)
 */

import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseArgs } from "node:util";
import { type EventObject, initialTransition, transition } from "xstate";
import type { ActorModel } from "../checker/actors.js";
import type { Model } from "../checker/model.js";
import { checkModel } from "../checker/search.js";
import { twoPhaseCommit } from "../models/examples/two-phase-commit.js";
import { twoPhaseCommitActors } from "../models/examples/two-phase-commit-actors.js";
import { findModel } from "../models/index.js";
import { WORKERS_HEADER, median, workersRows } from "./workers.js";

/** The Walrus models the reduction table measures by default: the three of the reduction goal, and the plain write-read. */
const REDUCTION_MODELS = "write-read-4,epoch-change-4-read,write-read-4-crash-any,challenge-4-one-node,epoch-change-4";
/** The models one thread is measured against `--workers 2` on: searches of 10 s or more on one thread. */
const WORKERS_MODELS = "write-read-4-crash-any,challenge-4-one-node";

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    reduction: { type: "string", default: REDUCTION_MODELS },
    workers: { type: "string", default: WORKERS_MODELS },
  },
});
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

/** Heap bytes that `drop` frees. */
function retainedBytes(drop: () => void): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  drop();
  collectGarbage();
  return before - process.memoryUsage().heapUsed;
}

interface Measured {
  unique: number;
  generated: number;
  seconds: number;
  bytesPerState?: number;
}

function measure(run: () => Omit<Measured, "seconds">): Measured {
  const samples: Array<Measured> = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const result = run();
    samples.push({ ...result, seconds: (performance.now() - start) / 1000 });
  }
  return { ...samples[0], seconds: median(samples.map((s) => s.seconds)) };
}

/** The baseline: the same actor system explored with plain `transition()` calls and JSON keys. */
function baseline(model: ActorModel): Omit<Measured, "seconds"> {
  type Global = { snapshots: ReturnType<typeof initialTransition>[0][]; messages: string[] };
  const spec = model.actors;
  const sends = (from: number, actions: readonly { type: string; params?: unknown }[]) =>
    actions
      .filter((a) => a.type === "send")
      .map((a) => {
        const { to, ...event } = a.params as { to: string };
        return JSON.stringify({ from, to: spec.findIndex((s) => s.name === to), event });
      });
  const key = (g: Global) => JSON.stringify([g.snapshots.map((s) => [s.value, s.context]), g.messages]);
  const withMessages = (messages: string[]) => [...new Set(messages)].sort();
  const init: Global = { snapshots: [], messages: [] };
  spec.forEach((actor, i) => {
    const [snapshot, actions] = initialTransition(actor.machine, actor.input);
    init.snapshots.push(snapshot);
    init.messages.push(...sends(i, actions));
  });
  init.messages = withMessages(init.messages);
  let visited = new Set([key(init)]);
  let queue = [init];
  let generated = 0;
  for (let head = 0; head < queue.length; head++) {
    const g = queue[head];
    const steps: Array<[number, EventObject]> = [];
    for (const m of g.messages) {
      const { to, event } = JSON.parse(m) as { to: number; event: EventObject };
      steps.push([to, event]);
    }
    spec.forEach((actor, i) => {
      for (const event of actor.internalEvents ?? []) steps.push([i, event]);
    });
    for (const [actor, event] of steps) {
      const [next, actions] = transition(spec[actor].machine, g.snapshots[actor], event);
      const sent = sends(actor, actions);
      if (next === g.snapshots[actor] && sent.length === 0) continue;
      const snapshots = g.snapshots.slice();
      snapshots[actor] = next;
      const successor = { snapshots, messages: withMessages([...g.messages, ...sent]) };
      generated++;
      const k = key(successor);
      if (!visited.has(k)) {
        visited.add(k);
        queue.push(successor);
      }
    }
  }
  const unique = visited.size;
  queue = [];
  const bytes = retainedBytes(() => {
    visited = new Set();
  });
  return { unique, generated, bytesPerState: bytes / unique };
}

const rows: string[][] = [
  [
    "model",
    "explorer",
    "unique",
    "generated",
    "time (s)",
    "generated/s",
    "unique/s",
    "bytes/state",
    "vs baseline: speed",
    "memory",
  ],
];
const row = (model: string, explorer: string, m: Measured, base?: Measured) =>
  rows.push([
    model,
    explorer,
    String(m.unique),
    String(m.generated),
    m.seconds.toFixed(3),
    Math.round(m.generated / m.seconds).toString(),
    Math.round(m.unique / m.seconds).toString(),
    m.bytesPerState === undefined ? "" : m.bytesPerState.toFixed(1),
    base === undefined ? "" : `${(m.generated / m.seconds / (base.generated / base.seconds)).toFixed(1)}× generated/s`,
    base?.bytesPerState === undefined || m.bytesPerState === undefined
      ? ""
      : `${(base.bytesPerState / m.bytesPerState).toFixed(1)}× fewer bytes/state`,
  ]);

/** A fresh model each run, so that no run starts with another's memoised transitions. */
const checked =
  <S, A>(build: () => Model<S, A>) =>
  () => {
    const report = checkModel(build());
    return { unique: report.uniqueStates, generated: report.generatedStates, bytesPerState: report.bytesPerState };
  };

const base5 = measure(() => baseline(twoPhaseCommitActors(5)));
row("two-phase-commit (5 RMs)", "baseline: transition(), JSON", base5);
row(
  "two-phase-commit (5 RMs)",
  "walrus-spec (xstate, memoised)",
  measure(checked(() => twoPhaseCommitActors(5))),
  base5,
);
for (const rms of [7, 8]) {
  row(
    `two-phase-commit (${rms} RMs)`,
    "walrus-spec (xstate, memoised)",
    measure(checked(() => twoPhaseCommitActors(rms))),
  );
  row(
    `two-phase-commit (${rms} RMs)`,
    "walrus-spec (plain transition system)",
    measure(checked(() => twoPhaseCommit(rms))),
  );
}

/** A table's rows, each column padded to its widest cell. */
function printTable(table: readonly string[][]): void {
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  for (const r of table) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join("  "));
}

console.log(`runs per measurement: ${runs} (median time); node ${process.version}`);
printTable(rows);

// Partial-order reduction: each model searched whole without it and with it, one after the other.
const reductionRows: string[][] = [
  [
    "model",
    "unique without",
    "unique with",
    "fewer states",
    "time without (s)",
    "time with (s)",
    "speed-up",
    "unique/s without",
    "unique/s with",
    "bytes/state without",
    "bytes/state with",
  ],
];
for (const name of flags.reduction.split(",").filter(Boolean)) {
  const entry = findModel(name);
  if (entry === undefined) throw new Error(`--reduction: no model ${name}`);
  const search = (reduction: boolean) => () => {
    const report = checkModel(entry.build({ reduction }), { reduction });
    return { unique: report.uniqueStates, generated: report.generatedStates, bytesPerState: report.bytesPerState };
  };
  const full = measure(search(false));
  const reduced = measure(search(true));
  reductionRows.push([
    name,
    String(full.unique),
    String(reduced.unique),
    `${(full.unique / reduced.unique).toFixed(1)}×`,
    full.seconds.toFixed(2),
    reduced.seconds.toFixed(2),
    `${(full.seconds / reduced.seconds).toFixed(1)}×`,
    Math.round(full.unique / full.seconds).toString(),
    Math.round(reduced.unique / reduced.seconds).toString(),
    full.bytesPerState?.toFixed(1) ?? "",
    reduced.bytesPerState?.toFixed(1) ?? "",
  ]);
}
console.log("\npartial-order reduction (the same model without and with it):");
printTable(reductionRows);

// One thread against two workers: whole processes of the built command line, without reduction
// (the parallel search does not reduce).
const workers = flags.workers.split(",").filter(Boolean);
if (workers.length > 0) {
  console.log(
    `\none thread against --workers 2 (walrus-spec check --no-reduction, whole processes, medians of ${runs}):`,
  );
  printTable([WORKERS_HEADER, ...workersRows(workers, runs)]);
}
