/**
 * A content-addressed byte store, so that protocol states refer to bytes by a short reference.
 *
 * Machine contexts and messages are JSON-serialised when the checker interns them, and a state's
 * fingerprint hashes only those interned ids: keeping slivers, symbols and metadata out of them
 * (as references to their BCS bytes) keeps states small and makes equal bytes one value. The
 * reference is the first 12 bytes of the BLAKE2b-256 digest of the bytes, in hex: 96 bits, so
 * that two distinct byte strings of one model sharing a reference is out of reach.
 *
 * The store is process-global and only grows: every model of a process shares it, and a
 * reference handed out stays valid.
 */

import { UnknownByteRefError } from "./errors.js";
import { blake2b256 } from "./hash/blake2b.js";

/** A reference to stored bytes: 24 lowercase hex digits. */
export type ByteRef = string;

const REF_BYTES = 12;
const REF_PATTERN = /^[0-9a-f]{24}$/;

const store = new Map<ByteRef, Uint8Array>();

function hex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += byte.toString(16).padStart(2, "0");
  return text;
}

/** Whether `value` has the form of a byte reference (whether or not anything is stored under it). */
export function isByteRef(value: unknown): value is ByteRef {
  return typeof value === "string" && REF_PATTERN.test(value);
}

/** Stores a copy of `bytes` and returns its reference (the same bytes always give the same one). */
export function putBytes(bytes: Uint8Array): ByteRef {
  if (!(bytes instanceof Uint8Array)) throw new UnknownByteRefError(undefined, "only byte arrays can be stored");
  const ref = hex(blake2b256(bytes).subarray(0, REF_BYTES));
  if (!store.has(ref)) store.set(ref, bytes.slice());
  return ref;
}

/**
 * The bytes stored under `ref`. They are the store's own copy: callers must not modify them
 * (every codec function reading them copies what it keeps).
 */
export function getBytes(ref: ByteRef): Uint8Array {
  if (!isByteRef(ref)) throw new UnknownByteRefError(ref, "not a reference (24 lowercase hex digits)");
  const bytes = store.get(ref);
  if (bytes === undefined) throw new UnknownByteRefError(ref, "no bytes are stored under it");
  return bytes;
}

/** Whether bytes are stored under `ref`. */
export function hasBytes(ref: unknown): boolean {
  return isByteRef(ref) && store.has(ref);
}
