/**
 * Checkpoints of a breadth-first search, on disk: what a search that stopped (the time, the heap,
 * a signal) or that is still running writes now and then, so that another process can go on from
 * there and end with the report the uninterrupted search would have made — the same counts, depth,
 * verdicts and counterexamples, paths replayed from the initial state.
 *
 * A checkpoint is a directory: a manifest (`checkpoint.json`) and one file per part of the search
 * (the visited set, the trail, the queue as words, the model's own tables), each named with the
 * checkpoint's tag. The manifest says what the search was (model, options that change the state
 * space, and a digest of both), where it stood (counters, discoveries) and, for each part, its
 * file's size and SHA-256. Parts are written first, under new names; the manifest is then written
 * to a temporary file and renamed over the old one, and only then are the old parts deleted. A
 * process killed at any moment leaves either the old checkpoint or the new one, whole; a file cut
 * short or changed is refused on resume by its size or digest, never read as a search.
 *
 * The checkpoint's parts hold words in the byte order of the machine that wrote them (the manifest
 * says which); another byte order is refused.
 */

import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";
import { type ByteSink, type ByteSource, MalformedData, bytesOf } from "./binary.js";
import { CheckpointError } from "./errors.js";

/** The format this version writes and reads; another is refused. */
export const CHECKPOINT_FORMAT_VERSION = 1;
const FORMAT = "walrus-spec checkpoint";
/** The manifest's name in the checkpoint directory. */
export const MANIFEST = "checkpoint.json";
/** The parts of a checkpoint, each a file. */
export const PARTS = ["visited", "nextLevel", "trail", "queue", "model"] as const;
/** The parts a checkpoint writes, each to a file of its own. */
export type Part = (typeof PARTS)[number];
/** The names of part files: `<part>.<tag>.bin`. */
const PART_FILE = /^(visited|nextLevel|trail|queue|model)\.[0-9a-z-]+\.bin(\.tmp)?$/;

/** What determines the state space a search explores: a checkpoint of other options is refused. */
export interface SearchIdentity {
  readonly strategy: "bfs";
  readonly reduction: boolean;
  /** Null: no depth bound. */
  readonly maxDepth: number | null;
}

/** What a checkpoint says of the model, checked against the model a resume builds. */
export interface ModelIdentity {
  readonly name: string;
  /** The properties' ids, in order. */
  readonly properties: readonly string[];
  /** The fingerprints of the initial states, as the search computes them. */
  readonly initialFingerprints: readonly (readonly [number, number])[];
  /** How states are written: `portable` (the same in any process) or `inProcess` (with the model's tables). */
  readonly words: "portable" | "inProcess";
}

/** Where a search stood when it wrote the checkpoint. */
export interface SearchPosition {
  readonly uniqueStates: number;
  readonly generatedStates: number;
  /** The deepest state found so far. */
  readonly maxDepth: number;
  /** The breadth-first level being expanded. */
  readonly level: number;
  /** Whether some state was not expanded for the depth bound. */
  readonly depthCut: boolean;
  /**
   * Whether reduced expansions keep the cycle proviso: a search made again with it, the model
   * having shown that a cycle may be (search.ts). Absent in checkpoints without partial-order reduction.
   */
  readonly cycleProviso?: boolean;
  /** States waiting in the queue. */
  readonly queued: number;
  /** What decided each property decided so far: its id, and the state's entry and fingerprint. */
  readonly discoveries: readonly {
    readonly property: string;
    readonly entry: number;
    readonly hi: number;
    readonly lo: number;
  }[];
}

/** The manifest (`checkpoint.json`). */
export interface Manifest {
  readonly format: typeof FORMAT;
  readonly formatVersion: number;
  /** SHA-256 of the model's name and the search's identity: what determines the search, in one value. */
  readonly digest: string;
  readonly model: ModelIdentity;
  readonly search: SearchIdentity;
  readonly byteOrder: "LE" | "BE";
  /** Why it was written: `periodic`, or what stopped the search. */
  readonly reason: string;
  readonly writtenAt: string;
  readonly position: SearchPosition;
  readonly files: Readonly<Record<Part, { readonly name: string; readonly bytes: number; readonly sha256: string }>>;
}

/** The digest of what determines a search: the model's name and the options that shape its space. */
export function searchDigest(model: string, search: SearchIdentity): string {
  const canonical = JSON.stringify({
    model,
    strategy: search.strategy,
    reduction: search.reduction,
    maxDepth: search.maxDepth,
  });
  return createHash("sha256").update(canonical).digest("hex");
}

/** A file written in order, with its SHA-256 computed on the way. */
class FileSink implements ByteSink {
  private readonly fd: number;
  private readonly hash = createHash("sha256");
  bytes = 0;

  constructor(readonly path: string) {
    this.fd = openSync(path, "w");
  }

  write(view: ArrayBufferView): void {
    const bytes = bytesOf(view);
    this.hash.update(bytes);
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
    this.bytes += bytes.length;
  }

  /** Flushes the file to the disk and closes it; its digest. */
  close(): string {
    fsyncSync(this.fd);
    closeSync(this.fd);
    return this.hash.digest("hex");
  }
}

/** What a search gives to be written: where it stands, and a writer per part. */
export interface CheckpointContents {
  readonly model: ModelIdentity;
  readonly search: SearchIdentity;
  readonly reason: string;
  readonly position: SearchPosition;
  /** What writes each part. */
  readonly parts: Readonly<Record<Part, (sink: ByteSink) => void>>;
}

/**
 * Writes a checkpoint into `dir` (made if need be), replacing the one there, so that at every
 * moment the directory holds one whole checkpoint (see the module comment). Returns its manifest.
 */
export function writeCheckpoint(dir: string, contents: CheckpointContents): Manifest {
  mkdirSync(dir, { recursive: true });
  // New names every time: a part being written never overwrites one the manifest still names
  // (nor the queue file a resumed search is still reading).
  const tag = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  const files = {} as Record<Part, { name: string; bytes: number; sha256: string }>;
  for (const part of PARTS) {
    const name = `${part}.${tag}.bin`;
    const sink = new FileSink(join(dir, name));
    try {
      contents.parts[part](sink);
    } finally {
      files[part] = { name, bytes: sink.bytes, sha256: sink.close() };
    }
  }
  const manifest: Manifest = {
    format: FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    digest: searchDigest(contents.model.name, contents.search),
    model: contents.model,
    search: contents.search,
    byteOrder: endianness(),
    reason: contents.reason,
    writtenAt: new Date().toISOString(),
    position: contents.position,
    files,
  };
  const temporary = join(dir, `${MANIFEST}.tmp`);
  writeFileSync(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  const fd = openSync(temporary, "r");
  fsyncSync(fd);
  closeSync(fd);
  renameSync(temporary, join(dir, MANIFEST));
  syncDirectory(dir);
  // Only now is the old checkpoint no longer needed.
  const kept = new Set(Object.values(files).map((file) => file.name));
  for (const name of readdirSync(dir)) {
    if (PART_FILE.test(name) && !kept.has(name)) rmSync(join(dir, name), { force: true });
  }
  return manifest;
}

/** Makes the directory's entries (a rename) durable, where the platform allows it. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform opens a directory for syncing: the rename is still atomic.
  }
}

/** A checkpoint's part, read in order; reading past its end is {@link MalformedData}. */
export class PartSource implements ByteSource {
  private readonly fd: number;
  private at = 0;
  private closed = false;

  constructor(
    readonly path: string,
    readonly bytes: number,
  ) {
    this.fd = openSync(path, "r");
  }

  /** Fills `into` with the part's next bytes. */
  read(into: ArrayBufferView): void {
    const bytes = bytesOf(into);
    if (this.closed) throw new Error(`internal: ${this.path} read after it was closed`);
    if (this.at + bytes.length > this.bytes) throw new MalformedData(`${this.path} ends before its data`);
    for (let done = 0; done < bytes.length; ) {
      const length = readSync(this.fd, bytes, done, bytes.length - done, this.at + done);
      if (length === 0) throw new MalformedData(`${this.path} ends before its data`);
      done += length;
    }
    this.at += bytes.length;
  }

  /** Closes the file (again: nothing). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }

  /** Whether every byte has been read: data left unread means the part is not what its reader expects. */
  get finished(): boolean {
    return this.at === this.bytes;
  }
}

/** A checkpoint found valid: its manifest, and where each part's file is. */
export interface Checkpoint {
  readonly dir: string;
  readonly manifest: Manifest;
  /** The path of a part's file. */
  path(part: Part): string;
  /** A part's file, to read in order. */
  open(part: Part): PartSource;
}

function corrupt(what: string, cause?: unknown): CheckpointError {
  return new CheckpointError("corrupt", what, cause === undefined ? undefined : { cause });
}

/** The manifest in `dir`, checked for what any reader needs (not yet against a search). */
function readManifest(dir: string): Manifest {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new CheckpointError("missing", `no checkpoint in ${dir} (no ${MANIFEST})`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
  } catch (error) {
    throw corrupt(`${path} is not a checkpoint's manifest: ${(error as Error).message}`, error);
  }
  if (manifest === null || typeof manifest !== "object" || manifest.format !== FORMAT) {
    throw corrupt(`${path} is not a checkpoint's manifest`);
  }
  if (manifest.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      "version",
      `${path} is a checkpoint of format ${JSON.stringify(manifest.formatVersion)}; this version reads format ${CHECKPOINT_FORMAT_VERSION} only`,
    );
  }
  const wellFormed =
    typeof manifest.digest === "string" &&
    typeof manifest.model?.name === "string" &&
    Array.isArray(manifest.model.properties) &&
    Array.isArray(manifest.model.initialFingerprints) &&
    typeof manifest.search === "object" &&
    typeof manifest.position === "object" &&
    Array.isArray(manifest.position.discoveries) &&
    (manifest.position.cycleProviso === undefined || typeof manifest.position.cycleProviso === "boolean") &&
    PARTS.every((part) => {
      const file = manifest.files?.[part];
      return (
        typeof file?.name === "string" &&
        PART_FILE.test(file.name) &&
        Number.isSafeInteger(file.bytes) &&
        typeof file.sha256 === "string"
      );
    });
  if (!wellFormed) throw corrupt(`${path} lacks fields a checkpoint's manifest has`);
  if (manifest.byteOrder !== endianness()) {
    throw new CheckpointError("unsupported", `${path} was written on a machine of another byte order`);
  }
  return manifest;
}

/** The digest and size of a part's file, checked against the manifest. */
function verifyPart(dir: string, part: Part, file: Manifest["files"][Part]): void {
  const path = join(dir, file.name);
  if (!existsSync(path)) throw new CheckpointError("missing", `the checkpoint's ${part} file ${path} is missing`);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (size !== file.bytes) {
      throw corrupt(
        `the checkpoint's ${part} file ${path} has ${size} bytes where ${file.bytes} were written (truncated?)`,
      );
    }
    const hash = createHash("sha256");
    const chunk = Buffer.allocUnsafe(4 * 2 ** 20);
    for (let at = 0; at < size; ) {
      const length = readSync(fd, chunk, 0, Math.min(chunk.length, size - at), at);
      if (length === 0) throw corrupt(`${path} ends early`);
      hash.update(chunk.subarray(0, length));
      at += length;
    }
    if (hash.digest("hex") !== file.sha256) {
      throw corrupt(`the checkpoint's ${part} file ${path} does not match its digest (changed or damaged)`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * The checkpoint in `dir`, once shown to be whole and of this search: of this format, of the model
 * named `model` with these search options (a {@link CheckpointError} says which differs), every
 * part's file of the size and digest the manifest gives.
 */
export function readCheckpoint(dir: string, model: string, search: SearchIdentity): Checkpoint {
  const manifest = readManifest(dir);
  if (manifest.model.name !== model) {
    throw new CheckpointError(
      "other-model",
      `the checkpoint in ${dir} is of model ${manifest.model.name}, not of ${model}`,
    );
  }
  const differences = (Object.keys(search) as (keyof SearchIdentity)[])
    .filter((key) => manifest.search[key] !== search[key])
    .map((key) => `${key} ${JSON.stringify(manifest.search[key])} there, ${JSON.stringify(search[key])} now`);
  if (differences.length > 0) {
    throw new CheckpointError(
      "other-options",
      `the checkpoint in ${dir} is of a search with other options: ${differences.join("; ")}`,
    );
  }
  if (manifest.digest !== searchDigest(model, search)) {
    throw corrupt(`the checkpoint in ${dir} does not match its own digest`);
  }
  for (const part of PARTS) verifyPart(dir, part, manifest.files[part]);
  return {
    dir,
    manifest,
    path: (part) => join(dir, manifest.files[part].name),
    open: (part) => new PartSource(join(dir, manifest.files[part].name), manifest.files[part].bytes),
  };
}

/**
 * Reads a part with `read`, turning data that does not add up into a {@link CheckpointError}
 * (`corrupt`): a file whose digest matches but whose contents a reader refuses was written by
 * something else than this checker.
 */
export function readPart<T>(checkpoint: Checkpoint, part: Part, read: (source: PartSource) => T): T {
  const source = checkpoint.open(part);
  try {
    const value = read(source);
    if (!source.finished) throw new MalformedData(`${source.path} holds more than its data`);
    return value;
  } catch (error) {
    if (error instanceof MalformedData) throw corrupt(`the checkpoint's ${part} file: ${error.message}`, error);
    throw error;
  } finally {
    source.close();
  }
}
