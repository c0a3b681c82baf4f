/**
 * A worker thread of `walrus-spec mutate --jobs N`: it observes the models and runs the mutants it
 * is given (report/mutate-jobs.ts), one at a time, and posts their progress and results back.
 */

import { serveTasks } from "../spec/worker-pool.js";
import type { MutantResult, ObservedModel } from "./mutate-campaign.js";
import { type MutateProgress, type MutateTask, runTask } from "./mutate-jobs.js";

serveTasks<MutateTask, ObservedModel | MutantResult, MutateProgress>((task, progress) => runTask(task, progress));
