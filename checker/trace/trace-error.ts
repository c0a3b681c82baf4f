/**
 * The error of a trace that cannot be read or written (malformed input, or a model that cannot
 * describe its states), with a machine-readable code and where in the trace it is, so that the
 * command line and the explorer can say what is wrong without parsing a message.
 */

/** Machine-readable reason of a {@link TraceError}. */
export type TraceErrorCode =
  | "NOT_JSON"
  | "NOT_ITF"
  | "MISSING_FIELD"
  | "WRONG_TYPE"
  | "INCONSISTENT"
  | "UNENCODABLE"
  | "NO_DESCRIBE"
  | "UNKNOWN_PROPERTY"
  | "UNSUPPORTED_VERSION";

/**
 * A trace that cannot be read or written: malformed input, a trace format this version does not
 * read, a model that cannot describe its states, or a property the model does not have.
 */
export class TraceError extends Error {
  readonly code: TraceErrorCode;
  /** Where in the trace (e.g. `states[3].msgs`), or "" for the whole. */
  readonly at: string;

  constructor(code: TraceErrorCode, at: string, message: string) {
    // A location deep in a nested value is cut in the middle to keep the message readable.
    const where = at.length > 120 ? `${at.slice(0, 60)}…${at.slice(-40)}` : at;
    super(where === "" ? message : `${where}: ${message}`);
    this.name = "TraceError";
    this.code = code;
    this.at = at;
  }
}

/** Throws the {@link TraceError} of a value of the wrong type at `at`. */
export function wrongType(at: string, message: string): never {
  throw new TraceError("WRONG_TYPE", at, message);
}
