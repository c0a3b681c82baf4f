/**
 * Worker thread of the parallel encoder: runs one stage of `encode.ts` over one index range of a
 * job whose buffers are shared with the main thread, and reports back.
 */

import { parentPort } from "node:worker_threads";
import {
  type EncodingJob,
  computeRowRoots,
  encodeColumnsAndHash,
  encodeRows,
  writeSecondarySlivers,
} from "./encode.js";

/** The stages a worker can run. */
export type EncodingStage = "rows" | "secondary" | "columns" | "rowRoots";

const stages: Record<EncodingStage, (job: EncodingJob, start: number, end: number) => void> = {
  rows: encodeRows,
  secondary: writeSecondarySlivers,
  columns: encodeColumnsAndHash,
  rowRoots: computeRowRoots,
};

parentPort?.on(
  "message",
  ({ job, task }: { job: EncodingJob; task: { stage: EncodingStage; start: number; end: number } }) => {
    try {
      stages[task.stage](job, task.start, task.end);
      parentPort?.postMessage({ ok: true });
    } catch (error) {
      parentPort?.postMessage({
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      });
    }
  },
);
