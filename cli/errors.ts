/**
 * How the CLI ends: 0 success; 1 the operation ran and its answer is "no" (not enough valid slivers,
 * an inconsistent encoding, a failed self-check: a {@link FailureError}); 2 it could not run (bad
 * arguments, unreadable files, malformed input: a {@link UsageError}); 128 + the signal's number
 * (130 for SIGINT, 143 for SIGTERM, as shells report a process a signal ended) when `check` was
 * interrupted and printed the report of what it had found.
 */

import { type FailureError, UsageError } from "../report/errors.js";

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** `check` stopped by SIGINT (Ctrl-C), its partial report printed. */
export const EXIT_SIGINT = 130;
/** `check` stopped by SIGTERM, its partial report printed. */
export const EXIT_SIGTERM = 143;

/** The exit code a command ends with when `error` ends it. */
export function exitCodeOf(error: UsageError | FailureError): number {
  return error instanceof UsageError ? EXIT_USAGE : EXIT_FAILED;
}
