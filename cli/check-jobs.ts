/**
 * `walrus-spec check --jobs N`: the models to check, shared among N worker threads
 * (cli/check-worker.ts), longest first, so that a check of many models takes about the time of its
 * largest one or of its total over N, whichever is longer. Each model is still searched on one
 * thread, with the same search and the same counts; only the order in which models finish changes,
 * and the report lists them in the order they were asked for.
 */

import type { Worker } from "node:worker_threads";
import type { ModelEntry } from "../models/index.js";
import { siblingModule, startModuleWorker } from "../spec/worker-thread.js";
import type { CheckedModel, RunOptions, RunProgress } from "./check-run.js";
import { UsageError } from "./errors.js";

/** What the main thread sends a worker: one model to check. */
export interface ToJobWorker {
  /** The model module's path; absent for the built-in catalogue. */
  readonly module?: string;
  readonly name: string;
  readonly options: RunOptions;
}

/** What a worker sends back. */
export type JobMessage =
  | { readonly type: "progress"; readonly name: string; readonly progress: RunProgress }
  | { readonly type: "result"; readonly name: string; readonly result: CheckedModel }
  | {
      readonly type: "error";
      readonly name: string;
      /** `usage`: the model cannot be checked as asked (exit code 2), as on the main thread. */
      readonly error: { readonly usage: boolean; readonly message: string; readonly stack: string };
    };

/** How a check of several models in worker threads runs. */
export interface JobsOptions {
  readonly jobs: number;
  /** The model module's path, which every worker loads; absent for the built-in catalogue. */
  readonly module?: string | undefined;
  readonly run: RunOptions;
  /** A model's expected cost (larger first); models without one go last. */
  readonly cost?: (entry: ModelEntry) => number | undefined;
  readonly onProgress?: (name: string, progress: RunProgress) => void;
  /** Called as each model is done. */
  readonly onDone?: (name: string) => void;
}

/** Checks `entries` on worker threads; the results in the order of `entries`. */
export async function checkInWorkers(entries: readonly ModelEntry[], options: JobsOptions): Promise<CheckedModel[]> {
  const order = entries
    .map((entry, index) => ({ entry, index, cost: options.cost?.(entry) ?? -1 }))
    .sort((a, b) => b.cost - a.cost || a.index - b.index);
  const results: CheckedModel[] = new Array(entries.length);
  let next = 0;
  const workers: Worker[] = [];
  const drive = (worker: Worker) =>
    new Promise<void>((resolve, reject) => {
      /** The job this worker is checking, if any. */
      let job: (typeof order)[number] | undefined;
      const take = () => {
        job = order[next++];
        if (job === undefined) {
          resolve();
          return;
        }
        const message: ToJobWorker = {
          ...(options.module === undefined ? {} : { module: options.module }),
          name: job.entry.name,
          options: options.run,
        };
        worker.postMessage(message);
      };
      worker.on("message", (message: JobMessage) => {
        if (message.type === "progress") options.onProgress?.(message.name, message.progress);
        else if (message.type === "error") {
          // A usage error in a model (a property reading what it does not declare) stays one.
          const error = message.error.usage ? new UsageError(message.error.message) : new Error(message.error.message);
          if (!message.error.usage) error.stack = message.error.stack;
          reject(error);
        } else if (job !== undefined) {
          results[job.index] = message.result;
          options.onDone?.(message.name);
          take();
        }
      });
      worker.once("error", reject);
      worker.once("exit", (code) => {
        if (job !== undefined)
          reject(new Error(`a check worker stopped (exit code ${code}) before its model was checked`));
      });
      take();
    });
  try {
    const count = Math.min(options.jobs, entries.length);
    for (let i = 0; i < count; i++) workers.push(startModuleWorker(siblingModule("check-worker", import.meta.url)));
    await Promise.all(workers.map(drive));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
