/**
 * The two ways the library refuses: the work cannot be done with what it was given (a
 * {@link UsageError}: bad arguments, an unreadable or malformed file, a model that cannot be built),
 * or it was done and the answer is "no" (a {@link FailureError}: docs out of date, a coverage item
 * unexplained). A front end decides what each means for it; the command line's exit codes are in
 * cli/errors.ts.
 */

import type { TaskError } from "../spec/worker-pool.js";

/** The work could not be done: bad arguments or unusable input. */
export class UsageError extends Error {}

/** The work was done and reached a negative verdict. */
export class FailureError extends Error {}

/** An error a worker thread's task threw, rebuilt on the main thread: a usage error stays one. */
export function rebuildTaskError(error: TaskError): Error {
  return error.name === "UsageError"
    ? new UsageError(error.message)
    : Object.assign(new Error(error.message), { stack: error.stack });
}
