/**
 * Worker thread of the parallel encoder (parallel.ts): for each stage it is sent, claims tasks of
 * `encode.ts` from the stage's shared counter and runs them over the job's shared buffers,
 * reporting each finished task. The main thread runs the same loop ({@link runClaimedTasks}).
 */

import { parentPort } from "node:worker_threads";
import {
  type EncodingJob,
  computeRowRoots,
  encodeColumnsAndHash,
  encodeRows,
  writeSecondarySlivers,
} from "./encode.js";

/** The stages a task can belong to. */
export type EncodingStage = "rows" | "secondary" | "columns" | "rowRoots";

/** One stage of one job, as sent to the workers. */
export interface StageMessage {
  readonly job: EncodingJob;
  readonly tasks: ReadonlyArray<{ readonly stage: EncodingStage; readonly start: number; readonly end: number }>;
  /** Shared: the next task to claim. */
  readonly next: Int32Array;
}

/** A worker's report: one task finished, or the stage failed. */
export type WorkerReply = { ok: true } | { ok: false; error: string };

const stages: Record<EncodingStage, (job: EncodingJob, start: number, end: number) => void> = {
  rows: encodeRows,
  secondary: writeSecondarySlivers,
  columns: encodeColumnsAndHash,
  rowRoots: computeRowRoots,
};

/** Claims and runs tasks of the stage until none is left; `onDone` after each. */
export function runClaimedTasks({ job, tasks, next }: StageMessage, onDone: () => void): void {
  for (let i = Atomics.add(next, 0, 1); i < tasks.length; i = Atomics.add(next, 0, 1)) {
    const task = tasks[i];
    stages[task.stage](job, task.start, task.end);
    onDone();
  }
}

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
