/**
 * One worker of the parallel breadth-first search (`parallel.ts`). It owns the states whose
 * fingerprint maps to it: it keeps their fingerprints in its own visited set, checks the
 * properties on the new ones, expands its part of each level, and sends every successor another
 * worker owns to that worker in batches of fixed-width records (parent entry, fingerprint, the
 * state's words), so that the owner looks the fingerprint up before it decodes anything.
 *
 * Paths. Each new state gets an entry in the worker's log: its fingerprint and its parent (the
 * worker that expanded it and that worker's entry number). Following parents from worker to worker
 * gives the chain of fingerprints from an initial state, which the coordinator replays.
 *
 * States travel as the model's words: its `portable` ones, or (an actor model) the ids of the
 * tables the coordinator shares with every worker (`Model.shared`), whose model joins them first.
 */

import { type MessagePort, parentPort, receiveMessageOnPort } from "node:worker_threads";
import { type Fingerprint, type Model, type SearchProgress, type StateWords, portableWords } from "./model.js";
import { type ActionPath, toActionPath } from "./path.js";
import { checkEventuallyPropertyAsync } from "./search.js";
import { VisitedSet } from "./visited.js";
import { STOP_MEMORY, type StopReason, Watch } from "./watch.js";

/** What the coordinator sends. */
export type ToWorker =
  | {
      readonly type: "init";
      readonly index: number;
      readonly workers: number;
      readonly peers: (MessagePort | null)[];
      readonly factory: ModelFactory;
      /** The tables the coordinator's model shares (`Model.shared`), when its states are not portable as such. */
      readonly shared?: unknown;
      /**
       * Shared between the coordinator and every worker: once its first element is not 0, each
       * worker ends the level under way early ({@link STOP_MEMORY}: a worker's heap is nearly full).
       */
      readonly stop: Int32Array;
    }
  | { readonly type: "seed"; readonly records: Int32Array }
  | { readonly type: "expand"; readonly depth: number }
  | { readonly type: "entry"; readonly entry: number }
  /** Check `eventually` property `property` (an index) on this worker's model, within these bounds. */
  | {
      readonly type: "eventually";
      readonly property: number;
      readonly timeoutMs?: number;
      readonly maxDepth?: number;
      readonly maxStates?: number;
    }
  | { readonly type: "finish" };

/**
 * Where a worker gets its own instance of the model: a module exporting `buildModel(name, options)`,
 * which returns the model or a promise of it.
 */
export interface ModelFactory {
  readonly module: string;
  readonly name: string;
  readonly options?: unknown;
}

/** A property decided in a state: its index, the state's owner and entry, fingerprint and depth. */
export interface Discovery {
  readonly property: number;
  readonly worker: number;
  readonly entry: number;
  readonly hi: number;
  readonly lo: number;
  readonly depth: number;
}

/** What a worker answers. */
export type FromWorker =
  | { readonly type: "ready" }
  | {
      readonly type: "level";
      readonly fresh: number;
      readonly generated: number;
      readonly unique: number;
      readonly bytes: number;
      readonly discoveries: readonly Discovery[];
    }
  | {
      readonly type: "entry";
      readonly hi: number;
      readonly lo: number;
      /** -1 for an initial state. */
      readonly parentWorker: number;
      readonly parentEntry: number;
    }
  | {
      readonly type: "eventually";
      readonly property: number;
      /** What the check found; a counterexample as the indices of its actions (paths.ts), which mean the same in every thread. */
      readonly holds: boolean;
      readonly complete: boolean;
      readonly stoppedBy?: StopReason;
      readonly violation?: "quiescent" | "lasso";
      readonly path?: ActionPath;
      readonly loopStart?: number;
    }
  /** How far a check of an eventually property has got (no answer to a request). */
  | { readonly type: "progress"; readonly progress: SearchProgress }
  | { readonly type: "error"; readonly message: string };

/** Words per batch sent to a peer (a few thousand records). */
const BATCH_WORDS = 32_768;
const END = "end";
/** Record layout: parent entry, fingerprint hi, fingerprint lo, the number of the state's words, then those words. */
const HEADER = 4;
/** Log layout per entry: fingerprint hi, lo, parent worker, parent entry. */
const LOG_WORDS = 4;

/** The worker that owns fingerprint (hi, lo) among `workers`. */
export function ownerOf(lo: number, workers: number): number {
  return (lo >>> 0) % workers;
}

/**
 * The words states travel as between the threads of a search: the model's `portable` ones, else
 * those of the tables it shares (undefined: it has neither, and is searched on one thread).
 */
export function travellingWords<S>(model: Model<S, unknown>): StateWords<S> | undefined {
  return portableWords(model, model.shared?.words);
}

/** Records gathered in a growing Int32Array. */
export class RecordBuffer {
  words: Int32Array<ArrayBuffer> = new Int32Array(1024);
  length = 0;
  /** Records appended since the last {@link take}. */
  count = 0;

  constructor(private readonly states: StateWords<unknown>) {}

  /** Appends a record: the parent's entry, the fingerprint and the state's words. */
  append(parentEntry: number, hi: number, lo: number, state: unknown): void {
    const size = this.states.length(state);
    const need = this.length + HEADER + size;
    if (need > this.words.length) {
      const grown = new Int32Array(Math.max(need, this.words.length * 2));
      grown.set(this.words.subarray(0, this.length));
      this.words = grown;
    }
    const w = this.words;
    const at = this.length;
    w[at] = parentEntry;
    w[at + 1] = hi;
    w[at + 2] = lo;
    w[at + 3] = size;
    this.states.encode(state, w, at + HEADER);
    this.length = need;
    this.count++;
  }

  /** The records so far, in a buffer of their own (to transfer); the buffer starts empty again. */
  take(): Int32Array<ArrayBuffer> {
    const records = this.words.slice(0, this.length);
    this.length = 0;
    this.count = 0;
    return records;
  }
}

/** Entries per chunk of the log (1 MiB): the log grows without copying and wastes at most one chunk. */
const LOG_CHUNK_BITS = 16;
const LOG_CHUNK = 1 << LOG_CHUNK_BITS;

/** Entries of 4 words, in chunks. */
class EntryLog {
  private readonly chunks: Int32Array[] = [];
  length = 0;

  add(hi: number, lo: number, parentWorker: number, parentEntry: number): number {
    const index = this.length++;
    const chunk = index >>> LOG_CHUNK_BITS;
    if (chunk === this.chunks.length) this.chunks.push(new Int32Array(LOG_WORDS * LOG_CHUNK));
    const words = this.chunks[chunk];
    const at = (index & (LOG_CHUNK - 1)) * LOG_WORDS;
    words[at] = hi;
    words[at + 1] = lo;
    words[at + 2] = parentWorker;
    words[at + 3] = parentEntry;
    return index;
  }

  /** Word `word` (0–3) of entry `index`. */
  get(index: number, word: number): number {
    return this.chunks[index >>> LOG_CHUNK_BITS][(index & (LOG_CHUNK - 1)) * LOG_WORDS + word];
  }

  get byteLength(): number {
    return this.chunks.length * LOG_CHUNK * LOG_WORDS * 4;
  }
}

/** A worker's part of the search: the states it owns. */
class Partition {
  private readonly visited = new VisitedSet();
  private readonly log = new EntryLog();
  private readonly fp: Fingerprint = { hi: 0, lo: 0 };
  private readonly states: StateWords<unknown>;
  private readonly decided: boolean[];
  /**
   * The states of the next level this worker owns and will expand (within the boundary), as the
   * records peers send (the state's entry, fingerprint and words): a level held as objects is
   * hundreds of thousands of them promoted to the old generation, which the collector then walks.
   */
  private next: RecordBuffer;
  /** The depth of the states the level being expanded produces (0: the initial states). */
  private depth = 0;
  /**
   * What each peer has sent, in its order. A level's records are taken in only once every peer has
   * ended the level, peer by peer: so which parent reaches a state first, hence every path, does
   * not depend on the timing of the threads. A peer may already be sending the next level's.
   */
  private readonly inbox: (Int32Array | typeof END)[][];
  private endsQueued = 0;
  private allEnded: (() => void) | undefined;
  private generated = 0;
  private discoveries: Discovery[] = [];

  constructor(
    private readonly model: Model<unknown, unknown>,
    private readonly index: number,
    private readonly workers: number,
    private readonly peers: readonly (MessagePort | null)[],
    private readonly stop: Int32Array,
  ) {
    const states = travellingWords(model);
    if (states === undefined) throw new Error(`${model.name} has no portable states`);
    this.states = states;
    this.next = new RecordBuffer(states);
    this.decided = model.properties.map(() => false);
    this.inbox = peers.map(() => []);
    for (const [from, peer] of peers.entries()) {
      peer?.on("message", (m: Int32Array | typeof END) => this.onPeer(from, m));
    }
  }

  /** A new state this worker owns (its fingerprint in `fp`): log it, check the properties, keep it. */
  private admit(state: unknown, parentWorker: number, parentEntry: number): void {
    const fp = this.fp;
    const model = this.model;
    const decided = this.decided;
    const entry = this.log.add(fp.hi, fp.lo, parentWorker, parentEntry);
    const properties = model.properties;
    for (let p = 0; p < properties.length; p++) {
      const property = properties[p];
      if (decided[p] || property.kind === "eventually") continue;
      const holds = property.holds(state);
      if ((property.kind === "always" && !holds) || (property.kind === "sometimes" && holds)) {
        decided[p] = true;
        this.discoveries.push({
          property: p,
          worker: this.index,
          entry,
          hi: fp.hi >>> 0,
          lo: fp.lo >>> 0,
          depth: this.depth,
        });
      }
    }
    if (model.withinBoundary === undefined || model.withinBoundary(state)) {
      this.next.append(entry, fp.hi, fp.lo, state);
    }
  }

  /** Records from peer `from` (-1: the coordinator's initial states): the new ones join the next level. */
  receive(records: Int32Array, from: number): void {
    const fp = this.fp;
    const visited = this.visited;
    const states = this.states;
    for (let at = 0; at < records.length; at += HEADER + records[at + 3]) {
      fp.hi = records[at + 1];
      fp.lo = records[at + 2];
      if (visited.add(fp.hi, fp.lo))
        this.admit(states.decode(records, at + HEADER, records[at + 3]), from, records[at]);
    }
  }

  private onPeer(from: number, message: Int32Array | typeof END): void {
    this.inbox[from].push(message);
    if (message === END && ++this.endsQueued >= this.workers - 1 && this.levelEnded()) this.allEnded?.();
  }

  /** Whether every peer has ended the level being expanded. */
  private levelEnded(): boolean {
    return this.inbox.every((queue, from) => from === this.index || queue.includes(END));
  }

  /** Moves what the ports hold into the inbox without waiting. */
  private drain(): void {
    this.peers.forEach((peer, from) => {
      if (peer === null) return;
      for (let m = receiveMessageOnPort(peer); m !== undefined; m = receiveMessageOnPort(peer)) {
        this.onPeer(from, m.message);
      }
    });
  }

  /** Expands this worker's part of level `depth` and reports it. */
  async expand(depth: number): Promise<Extract<FromWorker, { type: "level" }>> {
    const frontier = this.next;
    this.next = new RecordBuffer(this.states);
    this.depth = depth + 1;
    const model = this.model;
    const fp = this.fp;
    const visited = this.visited;
    const workers = this.workers;
    const index = this.index;
    const peers = this.peers;
    const batches = peers.map(() => new RecordBuffer(this.states));
    const actions: unknown[] = [];
    const transient = model.transient;
    const stop = this.stop;
    // The worker's own heap (a thread's heap is its own); the time and signals are the coordinator's.
    const watch = new Watch({});
    const words = frontier.words;
    for (let at = 0; at < frontier.length; at += HEADER + words[at + 3]) {
      // Asked to stop (the time, a signal, a heap): the level ends here, its other states unexpanded.
      if (Atomics.load(stop, 0) !== 0) break;
      if (watch.due() && watch.look() === "memory") Atomics.store(stop, 0, STOP_MEMORY);
      const entry = words[at];
      const state = this.states.decode(words, at + HEADER, words[at + 3]);
      actions.length = 0;
      model.actions(state, actions);
      for (let a = 0; a < actions.length; a++) {
        // Into the model's scratch where it has some: copied only if this worker keeps it.
        const successor =
          transient === undefined ? model.nextState(state, actions[a]) : transient.next(state, actions[a]);
        if (successor === undefined) continue;
        this.generated++;
        model.fingerprint(successor, fp);
        const owner = ownerOf(fp.lo, workers);
        if (owner === index) {
          // The next level keeps its words: the scratch successor needs no copy of its own.
          if (visited.add(fp.hi, fp.lo)) this.admit(successor, index, entry);
          continue;
        }
        const batch = batches[owner];
        batch.append(entry, fp.hi, fp.lo, successor);
        if (batch.length >= BATCH_WORDS) {
          const records = batch.take();
          (peers[owner] as MessagePort).postMessage(records, [records.buffer]);
        }
      }
    }
    batches.forEach((batch, owner) => {
      const peer = peers[owner];
      if (peer === null) return;
      if (batch.length > 0) {
        const records = batch.take();
        peer.postMessage(records, [records.buffer]);
      }
      peer.postMessage(END);
    });
    this.drain();
    if (!this.levelEnded()) {
      await new Promise<void>((resolve) => {
        this.allEnded = resolve;
      });
      this.allEnded = undefined;
    }
    for (const [from, queue] of this.inbox.entries()) {
      if (from === index) continue;
      for (let message = queue.shift(); message !== END; message = queue.shift()) {
        this.receive(message as Int32Array, from);
      }
      this.endsQueued--;
    }
    const level = {
      type: "level",
      fresh: this.next.count,
      generated: this.generated,
      unique: visited.size,
      bytes: visited.byteLength + this.log.byteLength,
      discoveries: this.discoveries,
    } as const;
    this.discoveries = [];
    this.generated = 0;
    return level;
  }

  /** Entry `entry` of the log. */
  entry(entry: number): Extract<FromWorker, { type: "entry" }> {
    const log = this.log;
    if (!(entry >= 0 && entry < log.length)) throw new Error(`no entry ${entry} in worker ${this.index}'s log`);
    return {
      type: "entry",
      hi: log.get(entry, 0),
      lo: log.get(entry, 1),
      parentWorker: log.get(entry, 2),
      parentEntry: log.get(entry, 3),
    };
  }

  /**
   * Checks `eventually` property `property` on this worker's model (unreduced, as the search is):
   * the workers check the model's `eventually` properties side by side once the search is done.
   */
  async eventually(
    message: Extract<ToWorker, { type: "eventually" }>,
    port: MessagePort,
  ): Promise<Extract<FromWorker, { type: "eventually" }>> {
    const { property: p, timeoutMs, maxDepth, maxStates } = message;
    const model = this.model;
    const stop = this.stop;
    const { result, stoppedBy } = await checkEventuallyPropertyAsync(model, model.properties[p], {
      reduction: false,
      interrupt: () => Atomics.load(stop, 0) !== 0,
      onProgress: (progress) => port.postMessage({ type: "progress", progress } satisfies FromWorker),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(maxDepth === undefined ? {} : { maxDepth }),
      ...(maxStates === undefined ? {} : { maxStates }),
    });
    const found = {
      type: "eventually",
      property: p,
      holds: result.holds,
      complete: result.kind === "eventually" && result.holds ? result.complete : true,
      ...(stoppedBy === undefined ? {} : { stoppedBy }),
    } as const;
    if (result.kind !== "eventually" || result.holds) return found;
    return {
      ...found,
      violation: result.violation,
      path: toActionPath(model, result.counterexample),
      ...(result.loopStart === undefined ? {} : { loopStart: result.loopStart }),
    };
  }

  close(): void {
    for (const peer of this.peers) peer?.close();
  }
}

function run(port: MessagePort): void {
  let partition: Partition | undefined;
  port.on("message", async (message: ToWorker) => {
    try {
      switch (message.type) {
        case "init": {
          const factory = (await import(message.factory.module)) as {
            buildModel(name: string, options?: unknown): Model<unknown, unknown> | Promise<Model<unknown, unknown>>;
          };
          const model = await factory.buildModel(message.factory.name, message.factory.options);
          if (message.shared !== undefined) {
            if (model.shared === undefined) throw new Error(`${model.name} was built here without tables to share`);
            model.shared.join(message.shared);
          }
          partition = new Partition(model, message.index, message.workers, message.peers, message.stop);
          port.postMessage({ type: "ready" } satisfies FromWorker);
          break;
        }
        case "seed":
          partition?.receive(message.records, -1);
          break;
        case "expand":
          port.postMessage((await partition?.expand(message.depth)) satisfies FromWorker | undefined);
          break;
        case "entry":
          port.postMessage(partition?.entry(message.entry) satisfies FromWorker | undefined);
          break;
        case "eventually":
          port.postMessage((await partition?.eventually(message, port)) satisfies FromWorker | undefined);
          break;
        case "finish":
          partition?.close();
          port.close();
          break;
      }
    } catch (error) {
      port.postMessage({ type: "error", message: (error as Error).stack ?? String(error) } satisfies FromWorker);
    }
  });
}

if (parentPort) run(parentPort);
