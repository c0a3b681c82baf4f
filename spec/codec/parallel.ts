/**
 * The RS2 encoder on several threads. The stages of `encode.ts` run unchanged in worker threads
 * over shared buffers: every stage is a set of independent index ranges, and stages are separated
 * by barriers (the column code needs every row encoded; the roots need every leaf hashed).
 *
 * This is the fast path for large blobs; {@link encodeBlob} stays the reference on one thread and
 * the tests check that both give identical bytes.
 */

import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { encodingParams } from "../params.js";
import {
  type BlobCommitments,
  type EncodedBlob,
  type EncodingJob,
  columnBlocks,
  createEncodingJob,
  finishCommitments,
  finishSlivers,
} from "./encode.js";
import type { EncodingStage } from "./encode-worker.js";

/** Progress of a parallel encoding, reported after each finished task. */
export interface EncodingProgress {
  readonly stage: "rows" | "columns" | "roots";
  readonly done: number;
  readonly total: number;
}

/** How the parallel encoder runs. */
export interface ParallelOptions {
  /** Worker threads; default: the machine's available parallelism. */
  readonly threads?: number;
  /** Called as the workers finish their parts. */
  readonly onProgress?: (progress: EncodingProgress) => void;
}

/** Starts a worker on `encode-worker`: the compiled .js, or the .ts source through tsx (tests, benchmarks). */
function startWorker(): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL("./encode-worker.js", import.meta.url));
  const source = new URL("./encode-worker.ts", import.meta.url).href;
  const bootstrap = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
  return new Worker(bootstrap, { eval: true });
}

type Task = { stage: EncodingStage; start: number; end: number };

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

  /** Runs the tasks of one stage on `threads` workers, each taking the next task when free. */
  async runStage(job: EncodingJob, threads: number, tasks: Task[], onDone: () => void): Promise<void> {
    while (this.workers.length < threads) this.workers.push(startWorker());
    const active = this.workers.slice(0, threads);
    let next = 0;
    const drive = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        const finish = (error?: Error) => {
          worker.off("message", onMessage);
          worker.off("error", finish);
          worker.unref();
          if (error) {
            this.discard(worker);
            reject(error);
          } else resolve();
        };
        const take = () => {
          if (next >= tasks.length) finish();
          else worker.postMessage({ job, task: tasks[next++] });
        };
        const onMessage = (message: { ok: boolean; error?: string }) => {
          if (!message.ok) finish(new Error(`encoder worker failed: ${message.error}`));
          else {
            onDone();
            take();
          }
        };
        worker.ref();
        worker.on("message", onMessage);
        worker.once("error", finish);
        take();
      });
    await Promise.all(active.map(drive));
  }

  private discard(worker: Worker): void {
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers.splice(index, 1);
    void worker.terminate();
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
  const stages: Array<[EncodingProgress["stage"], Task[]]> = [
    ["rows", split(kp, threads * 2).map(([start, end]) => ({ stage: "rows", start, end }))],
    [
      "columns",
      [
        ...columnBlocks(job, threads * 4).map(([start, end]): Task => ({ stage: "columns", start, end })),
        ...(job.secondary.length > 0
          ? split(n, threads).map(([start, end]): Task => ({ stage: "secondary", start, end }))
          : []),
      ],
    ],
    ["roots", split(n, threads * 4).map(([start, end]): Task => ({ stage: "rowRoots", start, end }))],
  ];
  for (const [stage, tasks] of stages) {
    let done = 0;
    await pool.runStage(job, threads, tasks, () => options.onProgress?.({ stage, done: ++done, total: tasks.length }));
  }
}

/** {@link "spec/codec/encode"!encodeBlob} on worker threads. */
export async function encodeBlobParallel(
  blob: Uint8Array,
  nShards: number,
  options: ParallelOptions = {},
): Promise<EncodedBlob> {
  const job = createEncodingJob(blob, nShards, { withSlivers: true, buffers: "shared" });
  await runParallel(job, options);
  return { ...finishCommitments(job), ...finishSlivers(job) };
}

/** {@link "spec/codec/encode"!computeBlobCommitments} on worker threads. */
export async function computeBlobCommitmentsParallel(
  blob: Uint8Array,
  nShards: number,
  options: ParallelOptions = {},
): Promise<BlobCommitments> {
  const job = createEncodingJob(blob, nShards, { withSlivers: false, buffers: "shared" });
  await runParallel(job, options);
  return finishCommitments(job);
}
