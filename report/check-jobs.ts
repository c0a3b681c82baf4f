/**
 * `walrus-spec check --jobs N`: the models to check, shared among N worker threads
 * (report/check-worker.ts, on the pool of spec/worker-pool.ts), longest first, so that a check of many
 * models takes about the time of its largest one or of its total over N, whichever is longer. Each
 * model is still searched on one thread, with the same search and the same counts; only the order
 * in which models finish changes, and the report lists them in the order they were asked for.
 */

import type { ModelEntry } from "../models/index.js";
import { runInWorkers } from "../spec/worker-pool.js";
import { siblingModule } from "../spec/worker-thread.js";
import type { CheckedModel, RunOptions, RunProgress } from "./check-run.js";
import { rebuildTaskError } from "./errors.js";

/** What the main thread sends a worker: one model to check. */
export interface ToJobWorker {
  /** The model module's path; absent for the built-in catalogue. */
  readonly module?: string;
  readonly name: string;
  readonly options: RunOptions;
}

/** How a check of several models in worker threads runs. */
export interface JobsOptions {
  readonly jobs: number;
  /** The model module's path, which every worker loads; absent for the built-in catalogue. */
  readonly module?: string | undefined;
  readonly run: RunOptions;
  /** A model's expected cost (larger first); models without one go last. */
  readonly cost?: (entry: ModelEntry) => number | undefined;
  /** Called with each model's progress. */
  readonly onProgress?: (name: string, progress: RunProgress) => void;
  /** Called as each model is done. */
  readonly onDone?: (name: string) => void;
}

/** Checks `entries` on worker threads; the results in the order of `entries`. */
export async function checkInWorkers(entries: readonly ModelEntry[], options: JobsOptions): Promise<CheckedModel[]> {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const tasks = entries.map(
    (entry): ToJobWorker => ({
      ...(options.module === undefined ? {} : { module: options.module }),
      name: entry.name,
      options: options.run,
    }),
  );
  return runInWorkers<ToJobWorker, CheckedModel, RunProgress>(tasks, {
    jobs: options.jobs,
    module: siblingModule("check-worker", import.meta.url),
    cost: (task) => {
      const entry = byName.get(task.name);
      return entry === undefined ? undefined : options.cost?.(entry);
    },
    onProgress: (task, progress) => options.onProgress?.(task.name, progress),
    onDone: (task) => options.onDone?.(task.name),
    // A usage error in a model (a property reading what it does not declare) stays one.
    rethrow: rebuildTaskError,
  });
}
