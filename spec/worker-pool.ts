/**
 * A pool of worker threads that take tasks one at a time, most expensive first: `check --jobs N`
 * checks models with it (report/check-jobs.ts) and `mutate --jobs N` runs mutants
 * (report/mutate-jobs.ts). The worker module calls {@link serveTasks} with what it does with a task;
 * the main thread calls {@link runInWorkers}. Results come back in the order the tasks were given,
 * whatever order they finish in.
 */

import { type Worker, parentPort } from "node:worker_threads";
import { startModuleWorker } from "./worker-thread.js";

/** An error thrown by a task, as it crosses threads. */
export interface TaskError {
  /** The error's class name (`UsageError`, `Error`…), for the main thread to rebuild it. */
  readonly name: string;
  readonly message: string;
  readonly stack: string;
}

/** What a worker sends back about the task it is running. */
export type TaskMessage<R, P> =
  | { readonly type: "progress"; readonly progress: P }
  | { readonly type: "result"; readonly result: R }
  | { readonly type: "error"; readonly error: TaskError };

/** How tasks run in worker threads. */
export interface PoolOptions<T, R, P> {
  /** Threads at most (never more than tasks). */
  readonly jobs: number;
  /** The worker module (it calls {@link serveTasks}). */
  readonly module: URL;
  /** A task's expected cost (larger first); tasks without one go last, in their order. */
  readonly cost?: (task: T) => number | undefined;
  /** Called with each progress a task's worker sends. */
  readonly onProgress?: (task: T, progress: P) => void;
  /** Called as each task is done. */
  readonly onDone?: (task: T, result: R) => void;
  /** The error to throw for a task's error (default: an `Error` with its message and stack). */
  readonly rethrow?: (error: TaskError) => Error;
  /**
   * How long (ms) a task may go without sending progress. A task silent for longer is stopped with
   * its thread, which is replaced: what a task that never returns (an infinite loop) needs.
   */
  readonly silenceMs?: number;
  /** Each thread's heap limit (MiB); a task that exceeds it is stopped with its thread. */
  readonly maxHeapMb?: number;
  /**
   * The result of a task that was stopped — `timeout` or `memory` — given its last progress. Without
   * it, a stopped task is an error.
   */
  readonly stopped?: (task: T, why: "timeout" | "memory", last: P | undefined) => R;
}

/** Runs `tasks` on worker threads; the results in the order of `tasks`. */
export async function runInWorkers<T, R, P>(tasks: readonly T[], options: PoolOptions<T, R, P>): Promise<R[]> {
  const order = tasks
    .map((task, index) => ({ task, index, cost: options.cost?.(task) ?? -1 }))
    .sort((a, b) => b.cost - a.cost || a.index - b.index);
  const results: R[] = new Array(tasks.length);
  let next = 0;
  const live = new Set<Worker>();
  const rethrow =
    options.rethrow ?? ((error: TaskError) => Object.assign(new Error(error.message), { stack: error.stack }) as Error);
  const start = () => {
    const worker = startModuleWorker(
      options.module,
      options.maxHeapMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } },
    );
    live.add(worker);
    return worker;
  };
  /** One thread's loop: takes tasks until none is left; a stopped task's thread is replaced. */
  const drive = (first: Worker) =>
    new Promise<void>((resolve, reject) => {
      let worker = first;
      /** The task this thread is running, its last progress and its time limit. */
      let job: (typeof order)[number] | undefined;
      let last: P | undefined;
      let timer: NodeJS.Timeout | undefined;
      const finish = (result: R) => {
        if (job === undefined) return;
        clearTimeout(timer);
        results[job.index] = result;
        options.onDone?.(job.task, result);
        take();
      };
      const stop = (why: "timeout" | "memory", error?: Error) => {
        if (job === undefined) return;
        const { task } = job;
        if (options.stopped === undefined) {
          reject(error ?? new Error("a task sent no progress for too long"));
          return;
        }
        let result: R;
        try {
          result = options.stopped(task, why, last);
        } catch (failure) {
          reject(failure);
          return;
        }
        live.delete(worker);
        void worker.terminate();
        worker = start();
        listen();
        finish(result);
      };
      const arm = () => {
        clearTimeout(timer);
        if (options.silenceMs !== undefined) timer = setTimeout(() => stop("timeout"), options.silenceMs);
      };
      const take = () => {
        job = order[next++];
        last = undefined;
        if (job === undefined) {
          resolve();
          return;
        }
        arm();
        worker.postMessage(job.task);
      };
      const listen = () => {
        const current = worker;
        current.on("message", (message: TaskMessage<R, P>) => {
          if (job === undefined || current !== worker) return;
          if (message.type === "progress") {
            arm();
            last = message.progress;
            options.onProgress?.(job.task, message.progress);
          } else if (message.type === "error") reject(rethrow(message.error));
          else finish(message.result);
        });
        current.once("error", (error: Error & { code?: string }) => {
          if (current !== worker) return;
          if (error.code === "ERR_WORKER_OUT_OF_MEMORY") stop("memory", error);
          else reject(error);
        });
        current.once("exit", (code) => {
          if (current === worker && job !== undefined)
            reject(new Error(`a worker stopped (exit code ${code}) before its task was done`));
        });
      };
      listen();
      take();
    });
  try {
    const count = Math.min(options.jobs, tasks.length);
    const workers = Array.from({ length: count }, start);
    await Promise.all(workers.map(drive));
  } finally {
    await Promise.all([...live].map((w) => w.terminate()));
  }
  return results;
}

/**
 * A worker's side of the pool: runs each task it is sent with `run`, one at a time, and posts its
 * progress (at most every quarter second, which is as often as a status line is redrawn, unless
 * urgent), its result or its error back.
 */
export function serveTasks<T, R, P>(
  run: (task: T, progress: (progress: P, urgent?: boolean) => void) => Promise<R> | R,
): void {
  const port = parentPort;
  if (port === null) throw new Error("a pool's worker module runs in a worker thread");
  const post = (message: TaskMessage<R, P>) => port.postMessage(message);
  port.on("message", async (task: T) => {
    let last = 0;
    // Urgent progress (a new phase of the task) is always sent: the main thread may need it to say
    // where a task it had to stop was.
    const progress = (p: P, urgent = false) => {
      const now = Date.now();
      if (!urgent && now - last < 250) return;
      last = now;
      post({ type: "progress", progress: p });
    };
    try {
      post({ type: "result", result: await run(task, progress) });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      post({ type: "error", error: { name: err.constructor.name, message: err.message, stack: err.stack ?? "" } });
    }
  });
}
