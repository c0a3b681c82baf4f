/**
 * How the CLI ends: 0 success; 1 the operation ran and its answer is "no" (not enough valid slivers,
 * an inconsistent encoding, a failed self-check: a {@link FailureError}); 2 it could not run (bad
 * arguments, unreadable files, malformed input: a {@link UsageError}).
 */

import { type FailureError, UsageError } from "../report/errors.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The exit code a command ends with when `error` ends it. */
export function exitCodeOf(error: UsageError | FailureError): number {
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
}
