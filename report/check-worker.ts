/**
 * A worker thread of `walrus-spec check --jobs N`: it checks the models it is given, one at a
 * time, from the built-in catalogue or the model module the main thread loaded, and posts their
 * progress and results (report/check-run.ts: plain data) back.
 */

import { BUILT_IN, type ModelCatalogue, findIn, loadModelModule } from "../models/load.js";
import { serveTasks } from "../spec/worker-pool.js";
import type { ToJobWorker } from "./check-jobs.js";
import { type CheckedModel, type RunProgress, runEntry } from "./check-run.js";

let catalogue: Promise<ModelCatalogue> | undefined;

serveTasks<ToJobWorker, CheckedModel, RunProgress>(async (task, progress) => {
  catalogue ??= task.module === undefined ? Promise.resolve(BUILT_IN) : loadModelModule(task.module);
  const models = await catalogue;
  const entry = findIn(models, task.name);
  if (entry === undefined) throw new Error(`unknown model ${task.name}`);
  return runEntry(entry, models, task.options, progress);
});
