/**
 * A worker module for the pool's tests (spec/worker-pool.ts): a task is a number of milliseconds
 * to work before answering with it doubled; a negative number never answers (a loop that never
 * ends), a NaN throws.
 */

import { serveTasks } from "../../spec/worker-pool.js";

serveTasks<number, number, number>((ms, progress) => {
  if (Number.isNaN(ms)) throw new RangeError("not a number of milliseconds");
  progress(0, true);
  const until = ms < 0 ? Number.POSITIVE_INFINITY : Date.now() + ms;
  while (Date.now() < until) {
    // Busy: the thread is deaf until the task ends.
  }
  return 2 * ms;
});
