/**
 * Bytes out and in, for what a search keeps on disk (its queue's spill files, its checkpoints): a
 * sink takes typed arrays as they lie in memory and a source fills them, so that a table of
 * gigabytes is written and read without a copy. Numbers keep the machine's byte order, which is
 * little-endian wherever node runs in practice; a checkpoint says which it was written in.
 */

/** Where bytes go, in order. */
export interface ByteSink {
  /** Writes the bytes of `bytes` after those written so far. */
  write(bytes: ArrayBufferView): void;
}

/** Where bytes come from, in order: `read` fills all of `into` or throws. */
export interface ByteSource {
  /** Fills `into` with the next bytes (throws when there are not enough). */
  read(into: ArrayBufferView): void;
}

/** Writes numbers (integers up to 2⁵³ and fractions alike) as 64-bit floats. */
export function writeNumbers(sink: ByteSink, values: readonly number[]): void {
  sink.write(Float64Array.from(values));
}

/** Reads `count` numbers written by {@link writeNumbers}. */
export function readNumbers(source: ByteSource, count: number): number[] {
  const values = new Float64Array(count);
  source.read(values);
  return Array.from(values);
}

/** The bytes of a typed array, as a Buffer over the same memory. */
export function bytesOf(view: ArrayBufferView): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * What a reader says of data it cannot take (a count out of range, a table that does not add
 * up): the checkpoint that holds it is corrupt.
 */
export class MalformedData extends Error {
  override readonly name: string = "MalformedData";
}

/** Throws {@link MalformedData} with `what` unless `ok`. */
export function expectData(ok: boolean, what: string): asserts ok {
  if (!ok) throw new MalformedData(what);
}
