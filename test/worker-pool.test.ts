/**
 * The worker pool (spec/worker-pool.ts) that `check --jobs` and `mutate` share: results in the
 * order of the tasks whatever order they finish in, a task's error thrown on the main thread, and a
 * task that never answers stopped with its thread, which is replaced so the rest still run.
 */

import { describe, expect, it } from "vitest";
import { runInWorkers } from "../spec/worker-pool.js";

const module = new URL("./support/pool-worker.ts", import.meta.url);

describe("the worker pool", () => {
  it("gives the results in the order of the tasks, whichever thread ran them", async () => {
    const done: number[] = [];
    const results = await runInWorkers<number, number, number>([5, 60, 10, 30], {
      jobs: 2,
      module,
      onDone: (ms, result) => done.push(result - 2 * ms),
    });
    expect(results).toEqual([10, 120, 20, 60]);
    expect(done).toEqual([0, 0, 0, 0]);
  });

  it("starts the costliest task first", async () => {
    const started: number[] = [];
    await runInWorkers<number, number, number>([5, 60, 10, 30], {
      jobs: 1,
      module,
      cost: (ms) => ms,
      onProgress: (ms) => started.push(ms),
    });
    expect(started).toEqual([60, 30, 10, 5]);
  });

  it("throws a task's error on the main thread, rebuilt as the caller says", async () => {
    await expect(
      runInWorkers<number, number, number>([1, Number.NaN], {
        jobs: 1,
        module,
        rethrow: (error) => new TypeError(`${error.name}: ${error.message}`),
      }),
    ).rejects.toThrow(new TypeError("RangeError: not a number of milliseconds"));
  });

  it("stops a task that sends nothing for too long, replaces its thread and goes on", async () => {
    const stopped: unknown[] = [];
    const results = await runInWorkers<number, number, number>([-1, 1, 2], {
      jobs: 1,
      module,
      silenceMs: 1500,
      stopped: (task, why, last) => {
        stopped.push([task, why, last]);
        return 0;
      },
    });
    expect(results).toEqual([0, 2, 4]);
    expect(stopped).toEqual([[-1, "timeout", 0]]);
  });

  it("without a way to judge a stopped task, a silent one is an error", async () => {
    await expect(runInWorkers<number, number, number>([-1], { jobs: 1, module, silenceMs: 500 })).rejects.toThrow(
      /no progress for too long/,
    );
  });
});
