/**
 * A campaign's two kinds of task — observe a model, run a mutant (report/mutate-campaign.ts) — shared
 * among worker threads (report/mutate-worker.ts on the pool of spec/worker-pool.ts), most expensive
 * first. Each task gives a plain-data result.
 */

import type { SearchProgress } from "../checker/search.js";
import { type ModelEntry, findModel } from "../models/index.js";
import { runInWorkers } from "../spec/worker-pool.js";
import { siblingModule } from "../spec/worker-thread.js";
import { UsageError, rebuildTaskError } from "./errors.js";
import {
  type MutantResult,
  type ObservedModel,
  type PlannedMutant,
  observeModel,
  runMutant,
  stoppedMutant,
} from "./mutate-campaign.js";

/** A task of a campaign. */
export type MutateTask =
  | { readonly kind: "observe"; readonly model: string }
  | { readonly kind: "mutant"; readonly planned: PlannedMutant };

/** What a task gives, by kind. */
export type MutateResult<T extends MutateTask> = T extends { kind: "observe" } ? ObservedModel : MutantResult;

/** A task's progress: the model being searched and where its search is (absent as it starts). */
export interface MutateProgress {
  readonly model: string;
  readonly progress?: SearchProgress;
}

/** How long a mutant's thread may send nothing before its mutant is taken for one that hangs. */
export const SILENCE_MS = 20_000;

/** Heap per worker thread (MiB): a mutant that exhausts it is taken for one that blows up. */
export const WORKER_HEAP_MB = 4096;

/** The built-in model `name`; the campaign names only models it has found there. */
export function builtInModel(name: string): ModelEntry {
  const entry = findModel(name);
  if (entry === undefined) throw new UsageError(`unknown model ${name}`);
  return entry;
}

/** Runs one task on this thread; `onProgress` is told urgently of each model a mutant's search starts. */
export function runTask(
  task: MutateTask,
  onProgress?: (progress: MutateProgress, urgent?: boolean) => void,
): ObservedModel | MutantResult {
  if (task.kind === "observe") {
    const model = task.model;
    return observeModel(builtInModel(model), onProgress && ((progress) => onProgress({ model, progress })));
  }
  return runMutant(
    task.planned,
    builtInModel,
    onProgress &&
      ((model, progress) =>
        onProgress(progress === undefined ? { model } : { model, progress }, progress === undefined)),
  );
}

/** How the tasks of a campaign run. */
export interface TaskOptions<T extends MutateTask> {
  /** Worker threads. */
  readonly jobs: number;
  /** A task's expected cost (larger first); tasks without one go last, in their order. */
  readonly cost: (task: T) => number | undefined;
  /** Called with each task's progress. */
  readonly onProgress?: (task: T, progress: MutateProgress) => void;
  /** Called with each task's result as it is done. */
  readonly onDone?: (task: T, result: MutateResult<T>) => void;
}

/**
 * Runs `tasks` on worker threads, even on one: a mutant may make a transition that never ends or a
 * state space that never stops growing, and only a thread can be stopped from outside. Observing
 * the unmutated models, which pass `npm run check`, needs no such care: with one job it runs on
 * this thread. The results come in the order of `tasks`.
 */
export async function runTasks<T extends MutateTask>(
  tasks: readonly T[],
  options: TaskOptions<T>,
): Promise<MutateResult<T>[]> {
  if (options.jobs <= 1 && tasks.every((task) => task.kind === "observe")) {
    return tasks.map((task) => {
      const result = runTask(task, (progress) => options.onProgress?.(task, progress)) as MutateResult<T>;
      options.onDone?.(task, result);
      return result;
    });
  }
  return runInWorkers<T, MutateResult<T>, MutateProgress>(tasks, {
    jobs: options.jobs,
    module: siblingModule("mutate-worker", import.meta.url),
    cost: options.cost,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.onDone ? { onDone: options.onDone } : {}),
    rethrow: rebuildTaskError,
    silenceMs: SILENCE_MS,
    maxHeapMb: WORKER_HEAP_MB,
    stopped: (task, why, last) => {
      // An unmutated model that hangs or blows up is not for a campaign to judge.
      if (task.kind === "observe") throw new Error(`model ${task.model} stopped: ${why}`);
      return stoppedMutant(task.planned, why, last?.model) as MutateResult<T>;
    },
  });
}
