/**
 * How the CLI ends: 0 success; 1 the operation ran and its answer is "no" (not enough valid slivers,
 * an inconsistent encoding, a failed self-check); 2 it could not run (bad arguments, unreadable
 * files, malformed input).
 */

import type { TaskError } from "../spec/worker-pool.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The command could not run: bad arguments or unusable input. Exit code 2. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}

/** The command ran and reached a negative verdict. Exit code 1. */
export class FailureError extends Error {
  readonly exitCode = EXIT_FAILED;
}

/** An error a worker thread's task threw, rebuilt on the main thread: a usage error stays one. */
export function rebuildTaskError(error: TaskError): Error {
  return error.name === "UsageError"
    ? new UsageError(error.message)
    : Object.assign(new Error(error.message), { stack: error.stack });
}
