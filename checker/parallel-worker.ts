/**
 * One worker of the parallel breadth-first search (`parallel.ts`). It owns the states whose
 * fingerprint maps to it, keeps their fingerprints in its own visited set, checks the properties on
 * the new states it owns, expands its part of each level, and sends every successor another worker
 * owns to that worker in batches of records (length, fingerprint, the state's words), so that the
 * owner looks the fingerprint up before it decodes anything.
 */

import { type MessagePort, parentPort } from "node:worker_threads";
import type { Fingerprint, Model } from "./model.js";
import { VisitedSet } from "./visited.js";

/** What the coordinator sends. */
export type ToWorker =
  | {
      readonly type: "init";
      readonly index: number;
      readonly workers: number;
      readonly peers: (MessagePort | null)[];
      readonly factory: ModelFactory;
    }
  | { readonly type: "seed"; readonly records: Int32Array }
  | { readonly type: "expand"; readonly depth: number }
  | { readonly type: "finish" };

/** Where a worker gets its own instance of the model: a module exporting `buildModel(name, options)`. */
export interface ModelFactory {
  readonly module: string;
  readonly name: string;
  readonly options?: unknown;
}

/** A property decided in a state: its index and the state's fingerprint. */
export interface Discovery {
  readonly property: number;
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
  | { readonly type: "error"; readonly message: string };

const BATCH_WORDS = 16_384;
const END = "end";

/** The worker that owns fingerprint (hi, lo) among `workers`. */
export function ownerOf(lo: number, workers: number): number {
  return (lo >>> 0) % workers;
}

/** Records (length, hi, lo, words…) gathered in a growing Int32Array. */
export class RecordBuffer {
  words: Int32Array<ArrayBuffer> = new Int32Array(1024);
  length = 0;

  append(hi: number, lo: number, state: ArrayLike<number>): void {
    const need = this.length + 3 + state.length;
    if (need > this.words.length) {
      const grown = new Int32Array(Math.max(need, this.words.length * 2));
      grown.set(this.words.subarray(0, this.length));
      this.words = grown;
    }
    const w = this.words;
    let at = this.length;
    w[at++] = state.length;
    w[at++] = hi;
    w[at++] = lo;
    for (let i = 0; i < state.length; i++) w[at++] = state[i];
    this.length = at;
  }

  /** The records so far, in a buffer of their own (to transfer); the buffer starts empty again. */
  take(): Int32Array<ArrayBuffer> {
    const records = this.words.slice(0, this.length);
    this.length = 0;
    return records;
  }
}

async function run(port: MessagePort): Promise<void> {
  let model: Model<unknown, unknown> | undefined;
  let index = 0;
  let workers = 1;
  let peers: (MessagePort | null)[] = [];
  const visited = new VisitedSet();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  let frontier: unknown[] = [];
  let next: unknown[] = [];
  let generated = 0;
  let discoveries: Discovery[] = [];
  let decided: boolean[] = [];
  let ends = 0;
  let levelDone: (() => void) | undefined;
  /** The depth of the states the level being expanded produces (0: the initial states). */
  let depth = 0;
  // A peer may start a level (and send its records) before this worker has: they wait here.
  let expanding = false;
  const early: (Int32Array | typeof END)[] = [];

  /** A new state this worker owns: check the properties and keep it for the next level. */
  const admit = (state: unknown) => {
    const properties = (model as Model<unknown, unknown>).properties;
    for (let p = 0; p < properties.length; p++) {
      const property = properties[p];
      if (decided[p] || property.kind === "eventually") continue;
      const holds = property.holds(state);
      if ((property.kind === "always" && !holds) || (property.kind === "sometimes" && holds)) {
        decided[p] = true;
        discoveries.push({ property: p, hi: fp.hi >>> 0, lo: fp.lo >>> 0, depth });
      }
    }
    next.push(state);
  };

  /** Records from a peer (or the coordinator's seed): the new ones join the next level. */
  const receive = (records: Int32Array) => {
    const m = model as Model<unknown, unknown>;
    for (let at = 0; at < records.length; ) {
      const length = records[at];
      fp.hi = records[at + 1];
      fp.lo = records[at + 2];
      if (visited.add(fp.hi, fp.lo))
        admit((m.decodeState as NonNullable<typeof m.decodeState>)(records.subarray(at + 3, at + 3 + length)));
      at += 3 + length;
    }
  };

  const onPeer = (message: Int32Array | typeof END) => {
    if (!expanding) {
      early.push(message);
      return;
    }
    if (message === END) {
      ends++;
      if (ends === workers - 1 && levelDone) levelDone();
    } else receive(message);
  };

  const expand = async (): Promise<void> => {
    const m = model as Model<unknown, unknown>;
    const batches = peers.map(() => new RecordBuffer());
    const actions: unknown[] = [];
    const current = frontier;
    frontier = [];
    for (const state of current) {
      actions.length = 0;
      m.actions(state, actions);
      for (const action of actions) {
        const successor = m.nextState(state, action);
        if (successor === undefined) continue;
        generated++;
        m.fingerprint(successor, fp);
        const owner = ownerOf(fp.lo, workers);
        if (owner === index) {
          if (visited.add(fp.hi, fp.lo)) admit(successor);
          continue;
        }
        const batch = batches[owner];
        batch.append(fp.hi, fp.lo, (m.encodeState as NonNullable<typeof m.encodeState>)(successor));
        if (batch.length >= BATCH_WORDS) {
          const records = batch.take();
          (peers[owner] as MessagePort).postMessage(records, [records.buffer]);
        }
      }
    }
    const finished = new Promise<void>((resolve) => {
      levelDone = resolve;
      if (ends === workers - 1) resolve();
    });
    batches.forEach((batch, owner) => {
      const peer = peers[owner];
      if (peer === null) return;
      if (batch.length > 0) {
        const records = batch.take();
        peer.postMessage(records, [records.buffer]);
      }
      peer.postMessage(END);
    });
    await finished;
    ends = 0;
    levelDone = undefined;
  };

  port.on("message", async (message: ToWorker) => {
    try {
      switch (message.type) {
        case "init": {
          index = message.index;
          workers = message.workers;
          peers = message.peers;
          const factory = (await import(message.factory.module)) as {
            buildModel(name: string, options?: unknown): Model<unknown, unknown>;
          };
          model = factory.buildModel(message.factory.name, message.factory.options);
          decided = model.properties.map(() => false);
          for (const peer of peers) peer?.on("message", onPeer);
          port.postMessage({ type: "ready" } satisfies FromWorker);
          break;
        }
        case "seed":
          receive(message.records);
          break;
        case "expand": {
          frontier = next;
          next = [];
          depth = message.depth + 1;
          expanding = true;
          for (const held of early.splice(0)) onPeer(held);
          await expand();
          expanding = false;
          port.postMessage({
            type: "level",
            fresh: next.length,
            generated,
            unique: visited.size,
            bytes: visited.byteLength,
            discoveries,
          } satisfies FromWorker);
          discoveries = [];
          generated = 0;
          break;
        }
        case "finish":
          for (const peer of peers) peer?.close();
          port.close();
          break;
      }
    } catch (error) {
      port.postMessage({ type: "error", message: (error as Error).stack ?? String(error) } satisfies FromWorker);
    }
  });
}

if (parentPort) void run(parentPort);
