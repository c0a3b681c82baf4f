/**
 * A worker thread of `walrus-spec check --jobs N`: it checks the models it is given, one at a
 * time, from the built-in catalogue or the model module the main thread loaded, and posts their
 * progress and results (cli/check-run.ts: plain data) back.
 */

import { parentPort } from "node:worker_threads";
import { BUILT_IN, type ModelCatalogue, findIn, loadModelModule } from "../models/load.js";
import { type RunProgress, runEntry } from "./check-run.js";
import type { JobMessage, ToJobWorker } from "./check-jobs.js";
import { UsageError } from "./errors.js";

const port = parentPort;
if (port === null) throw new Error("check-worker runs in a worker thread");

let catalogue: Promise<ModelCatalogue> | undefined;

port.on("message", async (message: ToJobWorker) => {
  try {
    catalogue ??= message.module === undefined ? Promise.resolve(BUILT_IN) : loadModelModule(message.module);
    const models = await catalogue;
    const entry = findIn(models, message.name);
    if (entry === undefined) throw new Error(`unknown model ${message.name}`);
    let last = 0;
    const onProgress = (progress: RunProgress) => {
      // The main thread redraws its status line at most every few hundred milliseconds.
      const now = Date.now();
      if (now - last < 250) return;
      last = now;
      port.postMessage({ type: "progress", name: message.name, progress } satisfies JobMessage);
    };
    const result = await runEntry(entry, models, message.options, onProgress);
    port.postMessage({ type: "result", name: message.name, result } satisfies JobMessage);
  } catch (error) {
    const err = error as Error;
    port.postMessage({
      type: "error",
      name: message.name,
      error: { usage: error instanceof UsageError, message: err.message, stack: err.stack ?? "" },
    } satisfies JobMessage);
  }
});
