/**
 * Worker thread of the parallel encoder (parallel.ts): for each stage it is sent, claims tasks of
 * `encode.ts` from the stage's shared counter and runs them over the job's shared buffers,
 * reporting each finished task. This module is only a worker's entry point: importing it
 * elsewhere would listen to that thread's parent port.
 */

import { parentPort } from "node:worker_threads";
import { type StageMessage, type WorkerReply, runClaimedTasks } from "./parallel.js";

parentPort?.on("message", (message: StageMessage) => {
  try {
    runClaimedTasks(message, () => parentPort?.postMessage({ ok: true } satisfies WorkerReply));
  } catch (error) {
    parentPort?.postMessage({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    } satisfies WorkerReply);
  }
});
