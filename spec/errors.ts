/**
 * Typed errors of the codec, and of the epoch change's shard assignment and status changes. Every
 * rejection of bad input is one of these, so a caller (a machine, the CLI, a test) can tell "this input is invalid" from "this program is broken" by `instanceof` or by
 * `code`, and never receives a bare `RangeError` from deep inside a parser.
 *
 * The names follow the Walrus implementation where it has one (`DataTooLargeError`,
 * `MerkleRootMismatch`, `NotEnoughSymbols` in walrus-core `encoding/errors.rs`).
 */

/** Machine-readable reason of a {@link WalrusSpecError}. */
export type ErrorCode =
  | "INVALID_PARAMETERS"
  | "DATA_TOO_LARGE"
  | "MALFORMED_BCS"
  | "INVALID_METADATA"
  | "INVALID_SLIVER"
  | "INVALID_SYMBOL"
  | "INVALID_PROOF"
  | "NOT_ENOUGH_SLIVERS"
  | "NOT_ENOUGH_SYMBOLS"
  | "DECODING_FAILED"
  | "INVALID_BLOB_ID"
  | "UNKNOWN_BYTE_REF"
  | "INVALID_MESSAGE"
  | "INVALID_SHARD_ASSIGNMENT"
  | "ILLEGAL_TRANSITION";

/** Base class of every error the codec throws on purpose. */
export class WalrusSpecError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Parameters outside what the code supports: n < 4, n above the Reed-Solomon limit, odd symbol size… */
export class InvalidParametersError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_PARAMETERS", message);
  }
}

/** The blob needs a symbol larger than 65534 bytes for this number of shards (walrus-core `DataTooLargeError`). */
export class DataTooLargeError extends WalrusSpecError {
  constructor(
    readonly length: number,
    readonly maxLength: number,
    readonly nShards: number,
  ) {
    super(
      "DATA_TOO_LARGE",
      `the data is too large to be encoded: ${length} bytes, at most ${maxLength} bytes with ${nShards} shards`,
    );
  }
}

/** Bytes that are not a valid BCS encoding of the expected type (truncated, trailing bytes, bad variant…). */
export class MalformedBcsError extends WalrusSpecError {
  constructor(
    readonly typeName: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super("MALFORMED_BCS", `malformed ${typeName}: ${detail}`, options);
  }
}

/** Metadata that does not match its blob ID or is inconsistent with the encoding parameters. */
export class InvalidMetadataError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_METADATA", message);
  }
}

/** A sliver that does not match the metadata (size, symbol size, index or Merkle root). */
export class InvalidSliverError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_SLIVER", message);
  }
}

/** A recovery symbol whose size, index or Merkle proof does not verify against the metadata. */
export class InvalidSymbolError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_SYMBOL", message);
  }
}

/** A Merkle or inconsistency proof that is structurally invalid. */
export class InvalidProofError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_PROOF", message);
  }
}

/** Fewer valid slivers than decoding needs (n−2f primary or n−f secondary). */
export class NotEnoughSliversError extends WalrusSpecError {
  constructor(
    readonly have: number,
    readonly need: number,
    axis: string,
    /** Why each offered sliver that failed verification was rejected. */
    readonly rejections: readonly string[] = [],
  ) {
    super("NOT_ENOUGH_SLIVERS", `not enough valid ${axis} slivers to decode: have ${have}, need ${need}`);
  }
}

/** Fewer valid recovery symbols than recovering a sliver needs. */
export class NotEnoughSymbolsError extends WalrusSpecError {
  constructor(
    readonly have: number,
    readonly need: number,
  ) {
    super("NOT_ENOUGH_SYMBOLS", `not enough valid recovery symbols: have ${have}, need ${need}`);
  }
}

/** A blob ID that is not 32 bytes or not valid URL-safe base64. */
export class InvalidBlobIdError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_BLOB_ID", message);
  }
}

/** A byte reference that is malformed or names no bytes in the content-addressed store. */
export class UnknownByteRefError extends WalrusSpecError {
  constructor(
    readonly ref: unknown,
    detail: string,
  ) {
    super("UNKNOWN_BYTE_REF", `byte reference ${JSON.stringify(ref)}: ${detail}`);
  }
}

/** A protocol message that does not have the shape its type requires (spec/messages.ts). */
export class InvalidMessageError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_MESSAGE", message);
  }
}

/**
 * Shard counts for the next committee that do not add up to the shards of the system, or name a
 * node twice (the contract's `EInvalidShardAssignment`).
 */
export class InvalidShardAssignmentError extends WalrusSpecError {
  constructor(message: string) {
    super("INVALID_SHARD_ASSIGNMENT", message);
  }
}
