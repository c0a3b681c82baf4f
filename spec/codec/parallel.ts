/**
 * The RS2 encoder on several threads. The stages of `encode.ts` run unchanged on this thread and
 * on worker threads over shared buffers: every stage is a list of independent tasks (index
 * ranges), and stages are separated by barriers (the column code needs every row encoded; the row
 * trees need every leaf hashed).
 *
 * Within a stage every thread, this one included, claims the next task from a shared counter
 * (Atomics) until none is left, so no thread waits for another to hand out work, and this thread
 * starts working while the workers are still starting up; a worker that starts late finds the
 * stage done and claims nothing. This thread then waits only for tasks that have been claimed.
 *
 * This is the fast path for large blobs; {@link encodeBlob} stays the reference on one thread and
 * the tests check that both give identical bytes.
 */

import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { siblingModule, startModuleWorker } from "../worker-thread.js";
import { encodingParams } from "../params.js";
import {
  type BlobCommitments,
  type EncodedBlob,
  type EncodingJob,
  columnBlocks,
  computeRowRoots,
  createEncodingJob,
  encodeColumnsAndHash,
  encodeRows,
  finishCommitments,
  finishSlivers,
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

/** Claims and runs tasks of the stage until none is left; `onDone` after each. Every thread runs this. */
export function runClaimedTasks({ job, tasks, next }: StageMessage, onDone: () => void): void {
  for (let i = Atomics.add(next, 0, 1); i < tasks.length; i = Atomics.add(next, 0, 1)) {
    const task = tasks[i];
    stages[task.stage](job, task.start, task.end);
    onDone();
  }
}

/** Progress of a parallel encoding, reported after each finished task. */
export interface EncodingProgress {
  readonly stage: "rows" | "columns" | "roots";
  readonly done: number;
  readonly total: number;
}

/** How the parallel encoder runs. */
export interface ParallelOptions {
  /** Threads working, this one included; default: the machine's available parallelism. */
  readonly threads?: number;
  /** Called as the threads finish their tasks. */
  readonly onProgress?: (progress: EncodingProgress) => void;
}

/** Starts a worker on `encode-worker` (its .ts source through tsx in tests and benchmarks). */
const startWorker = (): Worker => startModuleWorker(siblingModule("encode-worker", import.meta.url));

/** Splits 0..count into about `parts` contiguous ranges. */
function split(count: number, parts: number): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  const size = Math.max(1, Math.ceil(count / parts));
  for (let start = 0; start < count; start += size) ranges.push([start, Math.min(count, start + size)]);
  return ranges;
}

/**
 * The worker threads, started on first use and kept for later encodings: starting a worker costs
 * tens of milliseconds (far more when it must load TypeScript sources), as much as encoding a
 * small blob. Idle workers are unref'd, so they never keep the process alive.
 */
class Pool {
  private readonly workers: Worker[] = [];

  /**
   * Runs the tasks of one stage on this thread and `helpers` workers; resolves when every task is
   * finished. `onDone` is called once per finished task.
   */
  async runStage(
    job: EncodingJob,
    helpers: number,
    stage: Array<{ stage: EncodingStage; start: number; end: number }>,
    onDone: () => void,
  ): Promise<void> {
    while (this.workers.length < helpers) this.workers.push(startWorker());
    const active = this.workers.slice(0, helpers);
    const message: StageMessage = { job, tasks: stage, next: new Int32Array(new SharedArrayBuffer(4)) };
    let finished = 0;
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    const finish = () => {
      finished++;
      onDone();
    };
    const onMessage = (reply: WorkerReply) => {
      if (!reply.ok) failure ??= new Error(`encoder worker failed: ${reply.error}`);
      else finish();
      wake?.();
    };
    const onError = (error: Error) => {
      failure ??= error;
      wake?.();
    };
    // A worker that stops may have claimed a task it will never finish.
    const onExit = (code: number) => onError(new Error(`encoder worker exited with code ${code}`));
    for (const worker of active) {
      worker.ref();
      worker.on("message", onMessage);
      worker.on("error", onError);
      worker.on("exit", onExit);
      worker.postMessage(message);
    }
    try {
      runClaimedTasks(message, finish);
      // Wait for the tasks the workers claimed (each reports when finished, or fails).
      while (failure === undefined && finished < stage.length) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      if (failure !== undefined) throw failure;
    } finally {
      // Stop the others from claiming more (they skip past the end), then detach.
      Atomics.store(message.next, 0, stage.length);
      for (const worker of active) {
        worker.off("message", onMessage);
        worker.off("error", onError);
        worker.off("exit", onExit);
        worker.unref();
      }
      if (failure !== undefined) await this.close();
    }
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

const pool = new Pool();

/** Stops the encoder's worker threads (they are restarted on the next parallel encoding). */
export function closeEncoderWorkers(): Promise<void> {
  return pool.close();
}

async function runParallel(job: EncodingJob, options: ParallelOptions): Promise<void> {
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const { nShards: n, primarySourceSymbols: kp } = encodingParams(job.nShards);
  const stages: Array<[EncodingProgress["stage"], Array<{ stage: EncodingStage; start: number; end: number }>]> = [
    ["rows", split(kp, threads * 2).map(([start, end]) => ({ stage: "rows", start, end }))],
    [
      "columns",
      [
        ...columnBlocks(job, threads * 4).map(([start, end]) => ({ stage: "columns" as const, start, end })),
        ...(job.secondary.length > 0
          ? split(n, threads).map(([start, end]) => ({ stage: "secondary" as const, start, end }))
          : []),
      ],
    ],
    ["roots", split(n, threads * 4).map(([start, end]) => ({ stage: "rowRoots", start, end }))],
  ];
  for (const [stage, tasks] of stages) {
    let done = 0;
    await pool.runStage(job, threads - 1, tasks, () =>
      options.onProgress?.({ stage, done: ++done, total: tasks.length }),
    );
  }
}

/** {@link "spec/codec/encode"!encodeBlob} on several threads. */
export async function encodeBlobParallel(
  blob: Uint8Array,
  nShards: number,
  options: ParallelOptions = {},
): Promise<EncodedBlob> {
  const job = createEncodingJob(blob, nShards, { withSlivers: true, buffers: "shared" });
  await runParallel(job, options);
  return { ...finishCommitments(job), ...finishSlivers(job) };
}

/** {@link "spec/codec/encode"!computeBlobCommitments} on several threads. */
export async function computeBlobCommitmentsParallel(
  blob: Uint8Array,
  nShards: number,
  options: ParallelOptions = {},
): Promise<BlobCommitments> {
  const job = createEncodingJob(blob, nShards, { withSlivers: false, buffers: "shared" });
  await runParallel(job, options);
  return finishCommitments(job);
}
