/**
 * The states a search has found and not yet expanded, with their depth, entry number and
 * (depth-first) the action that reached them: a ring that is a queue for breadth-first and a stack
 * for depth-first.
 *
 * Breadth-first, the queue is what outgrows the heap: a level of a large model holds tens of
 * millions of states, each an object of a hundred bytes and more, where the visited set keeps 11
 * bytes a state outside the heap. So past a threshold of states the queue spills to disk: the
 * states pushed after that are written as words (the model's `portable` or `inProcess` encoding)
 * into blocks of records appended to files, and read back in order once the ring has run dry. The
 * order is the ring's, then the files', then the block being filled, so the queue stays first in,
 * first out, and a search that spills explores exactly what one that does not would. A file is
 * deleted once read, so the disk holds about what the queue holds.
 *
 * Record: depth, entry (two words, low then high), the number of words, the words. A checkpoint
 * holds the queue in the same records (`write`), and a resumed search reads them back from the
 * checkpoint's file as it would from a spill file (`adopt`).
 */

import { closeSync, mkdtempSync, openSync, readSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ByteSink, bytesOf } from "./binary.js";
import type { StateWords } from "./model.js";

/** Words of a record before the state's own. */
export const RECORD_HEADER = 4;
const TWO_32 = 4_294_967_296;
/** A spill file is closed for writing past this size, so that it can be deleted once read. */
const FILE_BYTES = 256 * 2 ** 20;
/** The largest block of records written or read at once (4 MiB). */
const MAX_BLOCK_WORDS = 2 ** 20;

/** The spill directories of this process, removed when it exits however it exits. */
const spillDirectories = new Set<string>();
let removeOnExit = false;
function removeSpillDirectories(): void {
  for (const dir of spillDirectories) rmSync(dir, { recursive: true, force: true });
}

/** A file of records, read from `read` up to `end`; `owned`: the queue's own, deleted once read. */
interface RecordFile {
  readonly path: string;
  readonly fd: number;
  readonly owned: boolean;
  read: number;
  end: number;
}

/** The part of the queue on disk, and the block being filled. */
class Spill {
  private dir: string | undefined;
  private readonly files: RecordFile[] = [];
  private fileCount = 0;
  /** The block being filled: records not yet written. */
  block = new Int32Array(1024);
  blockWords = 0;
  /** Records in the files and in the block. */
  records = 0;
  private blockRecords = 0;

  constructor(
    private readonly parent: string,
    /** How many words make a block (written when full, and read at a time). */
    private readonly blockSize: number,
  ) {}

  /** Makes room for a record of `words` words in the block. */
  reserve(words: number): void {
    const need = this.blockWords + RECORD_HEADER + words;
    if (need <= this.block.length) return;
    const block = new Int32Array(Math.max(need, 2 * this.block.length));
    block.set(this.block.subarray(0, this.blockWords));
    this.block = block;
  }

  /** Counts the record just written into the block; writes the block out when it is full. */
  added(words: number): void {
    this.blockWords += RECORD_HEADER + words;
    this.records++;
    this.blockRecords++;
    if (this.blockWords >= this.blockSize) this.flush();
  }

  /** Takes a file of records (a checkpoint's queue) as the first part of the queue on disk. */
  adopt(path: string, offset: number, end: number, records: number): void {
    if (this.files.length > 0 || this.records > 0) throw new Error("internal: adopt into a queue that is not empty");
    this.files.push({ path, fd: openSync(path, "r"), owned: false, read: offset, end });
    this.records = records;
  }

  /**
   * The next records in order, from the files or else from the block, as a view of whole records
   * (valid until the next call); undefined when there are none.
   */
  next(): Int32Array | undefined {
    while (this.files.length > 0) {
      const file = this.files[0];
      if (file.read < file.end) return this.readFrom(file);
      // A file still being written may grow; a file being read is not written any more.
      if (file.owned && this.files.length === 1 && file.end < FILE_BYTES) break;
      this.files.shift();
      closeSync(file.fd);
      if (file.owned) unlinkSync(file.path);
    }
    if (this.blockWords === 0) return undefined;
    const records = this.block.slice(0, this.blockWords);
    this.records -= this.blockRecords;
    this.blockWords = 0;
    this.blockRecords = 0;
    return records;
  }

  /** Writes the queue on disk and the block, in order, to `sink`. */
  copyTo(sink: ByteSink): void {
    for (const file of this.files) {
      const chunk = Buffer.allocUnsafe(Math.min(4 * MAX_BLOCK_WORDS, Math.max(1, file.end - file.read)));
      for (let at = file.read; at < file.end; ) {
        const length = readSync(file.fd, chunk, 0, Math.min(chunk.length, file.end - at), at);
        if (length === 0) throw new Error(`internal: ${file.path} ends early`);
        sink.write(chunk.subarray(0, length));
        at += length;
      }
    }
    sink.write(this.block.subarray(0, this.blockWords));
  }

  /** Closes the files and removes the directory. */
  close(): void {
    for (const file of this.files.splice(0)) closeSync(file.fd);
    if (this.dir !== undefined) {
      rmSync(this.dir, { recursive: true, force: true });
      spillDirectories.delete(this.dir);
      this.dir = undefined;
    }
  }

  private flush(): void {
    let file = this.files.at(-1);
    if (file === undefined || !file.owned || file.end >= FILE_BYTES) {
      if (this.dir === undefined) {
        this.dir = mkdtempSync(join(this.parent, "walrus-spec-spill-"));
        spillDirectories.add(this.dir);
        if (!removeOnExit) {
          removeOnExit = true;
          process.on("exit", removeSpillDirectories);
        }
      }
      const path = join(this.dir, `queue-${this.fileCount++}.bin`);
      file = { path, fd: openSync(path, "w+"), owned: true, read: 0, end: 0 };
      this.files.push(file);
    }
    const bytes = bytesOf(this.block.subarray(0, this.blockWords));
    for (let at = 0; at < bytes.length; ) at += writeSync(file.fd, bytes, at, bytes.length - at, file.end + at);
    file.end += bytes.length;
    this.blockWords = 0;
    this.blockRecords = 0;
  }

  /** Whole records from `file`, a block at most (more when one record is larger). */
  private readFrom(file: RecordFile): Int32Array {
    let words = Math.min(this.blockSize, (file.end - file.read) / 4);
    for (;;) {
      const chunk = new Int32Array(words);
      const bytes = bytesOf(chunk);
      for (let at = 0; at < bytes.length; ) {
        const length = readSync(file.fd, bytes, at, bytes.length - at, file.read + at);
        if (length === 0) throw new Error(`internal: ${file.path} ends early`);
        at += length;
      }
      let whole = 0;
      let count = 0;
      while (whole + RECORD_HEADER <= words && whole + RECORD_HEADER + chunk[whole + 3] <= words) {
        whole += RECORD_HEADER + chunk[whole + 3];
        count++;
      }
      if (count === 0) {
        // A record larger than a block: read enough for it.
        const need = RECORD_HEADER + chunk[3];
        if (words < RECORD_HEADER || need <= words || 4 * need > file.end - file.read) {
          throw new Error(`${file.path}: a queue record does not fit the file`);
        }
        words = need;
        continue;
      }
      file.read += 4 * whole;
      this.records -= count;
      return chunk.subarray(0, whole);
    }
  }
}

/** How a breadth-first queue spills: past how many states, into which directory. */
export interface SpillOptions<S> {
  readonly words: StateWords<S>;
  /** States in memory past which the queue spills (at least 1). */
  readonly above: number;
  /** Where the spill directory is made (default: the system's temporary directory). */
  readonly dir?: string | undefined;
}

/** The queue or stack of states to expand (see the module comment). */
export class Frontier<S, A> {
  private states: (S | undefined)[];
  private via: (A | undefined)[];
  private depths: Int32Array;
  /** Entry numbers as doubles: a search may number more states than 32 bits count. */
  private entries: Float64Array;
  private mask: number;
  private head = 0;
  /** States in the ring. */
  private held = 0;
  private readonly words: StateWords<S> | undefined;
  private readonly spillAbove: number;
  private readonly spill: Spill | undefined;
  /** What the last `take` returned. */
  state: S | undefined;
  action: A | undefined;
  depth = 0;
  entry = 0;

  constructor(spill?: SpillOptions<S>, capacity = 1024) {
    this.states = new Array<S | undefined>(capacity).fill(undefined);
    this.via = new Array<A | undefined>(capacity).fill(undefined);
    this.depths = new Int32Array(capacity);
    this.entries = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.words = spill?.words;
    this.spillAbove = Math.max(1, spill?.above ?? Number.POSITIVE_INFINITY);
    // A block of about as many records as the ring holds before spilling, within 256 words and 4 MiB.
    const blockWords = Math.min(MAX_BLOCK_WORDS, Math.max(256, this.spillAbove * 16));
    this.spill = spill === undefined ? undefined : new Spill(spill.dir ?? tmpdir(), blockWords);
  }

  /** States waiting, in memory and on disk. */
  get size(): number {
    return this.held + (this.spill?.records ?? 0);
  }

  /** States waiting on disk (or encoded, about to be). */
  get spilled(): number {
    return this.spill?.records ?? 0;
  }

  /** Adds a state reached by `action`, with its depth and entry number, at the back. */
  push(state: S, action: A | undefined, depth: number, entry: number): void {
    const spill = this.spill;
    if (spill !== undefined && (spill.records > 0 || this.held >= this.spillAbove)) {
      const words = this.words as StateWords<S>;
      const length = words.length(state);
      spill.reserve(length);
      const block = spill.block;
      const at = spill.blockWords;
      block[at] = depth;
      block[at + 1] = entry % TWO_32;
      block[at + 2] = Math.floor(entry / TWO_32);
      block[at + 3] = length;
      words.encode(state, block, at + RECORD_HEADER);
      spill.added(length);
      return;
    }
    this.hold(state, action, depth, entry);
  }

  /** Takes the oldest (`fromFront`) or the newest state. Breadth-first only spills, so only from the front. */
  take(fromFront: boolean): void {
    if (this.held === 0) this.refill();
    let at: number;
    if (fromFront) {
      at = this.head;
      this.head = (this.head + 1) & this.mask;
    } else {
      at = (this.head + this.held - 1) & this.mask;
    }
    this.held--;
    this.state = this.states[at];
    this.action = this.via[at];
    this.depth = this.depths[at];
    this.entry = this.entries[at];
    this.states[at] = undefined;
    this.via[at] = undefined;
  }

  /**
   * Writes every state waiting, first to last, as records: `encode` gives the words of the states
   * in memory (the queue's own encoding, or none without one: then nothing can be written).
   */
  write(sink: ByteSink): void {
    const words = this.words;
    if (words === undefined) throw new Error("internal: a queue without state words cannot be written");
    let buffer = new Int32Array(MAX_BLOCK_WORDS);
    let used = 0;
    for (let k = 0; k < this.held; k++) {
      const at = (this.head + k) & this.mask;
      const state = this.states[at] as S;
      const length = words.length(state);
      if (used + RECORD_HEADER + length > buffer.length) {
        sink.write(buffer.subarray(0, used));
        used = 0;
        if (RECORD_HEADER + length > buffer.length) buffer = new Int32Array(RECORD_HEADER + length);
      }
      const entry = this.entries[at];
      buffer[used] = this.depths[at];
      buffer[used + 1] = entry % TWO_32;
      buffer[used + 2] = Math.floor(entry / TWO_32);
      buffer[used + 3] = length;
      words.encode(state, buffer, used + RECORD_HEADER);
      used += RECORD_HEADER + length;
    }
    sink.write(buffer.subarray(0, used));
    this.spill?.copyTo(sink);
  }

  /**
   * Takes `records` records of the file at `path` from byte `offset` to `end` (a checkpoint's
   * queue) as the queue, read as they are needed. The queue must be empty and able to spill.
   */
  adopt(path: string, offset: number, end: number, records: number): void {
    if (this.spill === undefined || this.held > 0) throw new Error("internal: adopt needs an empty queue that spills");
    if (records > 0) this.spill.adopt(path, offset, end, records);
  }

  /** Removes the spill files. */
  close(): void {
    this.spill?.close();
  }

  private hold(state: S, action: A | undefined, depth: number, entry: number): void {
    if (this.held > this.mask) this.grow();
    const at = (this.head + this.held++) & this.mask;
    this.states[at] = state;
    this.via[at] = action;
    this.depths[at] = depth;
    this.entries[at] = entry;
  }

  /** Moves the next records from disk (or from the block being filled) into the ring. */
  private refill(): void {
    const records = this.spill?.next();
    if (records === undefined) throw new Error("internal: take from an empty queue");
    const words = this.words as StateWords<S>;
    for (let at = 0; at < records.length; ) {
      const length = records[at + 3];
      const entry = (records[at + 1] >>> 0) + (records[at + 2] >>> 0) * TWO_32;
      this.hold(words.decode(records, at + RECORD_HEADER, length), undefined, records[at], entry);
      at += RECORD_HEADER + length;
    }
  }

  private grow(): void {
    const capacity = 2 * (this.mask + 1);
    const states = new Array<S | undefined>(capacity).fill(undefined);
    const via = new Array<A | undefined>(capacity).fill(undefined);
    const depths = new Int32Array(capacity);
    const entries = new Float64Array(capacity);
    for (let k = 0; k < this.held; k++) {
      const at = (this.head + k) & this.mask;
      states[k] = this.states[at];
      via[k] = this.via[at];
      depths[k] = this.depths[at];
      entries[k] = this.entries[at];
    }
    this.states = states;
    this.via = via;
    this.depths = depths;
    this.entries = entries;
    this.mask = capacity - 1;
    this.head = 0;
  }
}
