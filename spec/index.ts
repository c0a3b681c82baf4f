/**
 * walrus-spec: the protocol core. RS2 ("RedStuff") encoding byte-identical to the Walrus network,
 * its commitments, wire formats, decoding, recovery and inconsistency proofs, the protocol's messages
 * and the byte store they refer to — pure functions, no I/O, no state machines.
 *
 * @module
 */

export * from "./errors.js";
export * from "./params.js";
export * from "./bcs.js";
export * from "./commitments/merkle.js";
export * from "./commitments/metadata.js";
export * from "./commitments/blob-id.js";
export * from "./codec/slivers.js";
export * from "./codec/encode.js";
export * from "./codec/parallel.js";
export * from "./codec/decode.js";
export * from "./codec/recovery.js";
export * from "./codec/malicious.js";
export * from "./store.js";
export * from "./messages.js";
export {
  RsDecodeError,
  RsParameterError,
  rsDecode,
  rsEncode,
  rsEncodeInto,
  useHighRate,
} from "./codec/reed-solomon.js";
export { symbolsToElements, elementsToSymbols } from "./codec/symbol-layout.js";
export { blake2b256 } from "./hash/blake2b.js";
export { runCodecSelfCheck, type CheckResult } from "./self-check.js";
export { COIN_BYTES, type Coin, MAX_BLOBS, coinFromSeed, selectChallengedBlobs } from "./challenge-coin.js";
export {
  ALL_SHARED,
  HIGH_THRESHOLD_ONLY,
  type SharedSymbol,
  cellOf,
  sharedSymbols,
  verifyChallengedSymbol,
} from "./challenge-symbols.js";
