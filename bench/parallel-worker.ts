/**
 * One worker of the parallel breadth-first benchmark (`parallel.ts`). It owns the states of
 * two-phase commit whose fingerprint maps to it, keeps their fingerprints in its own visited set,
 * expands its part of each level, and sends every successor another worker owns to that worker
 * in batches: transferred ArrayBuffers of 16-byte records (the fingerprint, then the state in two
 * words), so that the owner looks the fingerprint up before it decodes anything.
 *
 * It also answers the transfer micro-benchmark: stream records to a peer, or drain them.
 */

import { type MessagePort, parentPort, receiveMessageOnPort } from "node:worker_threads";
import type { Fingerprint } from "../checker/model.js";
import { VisitedSet } from "../checker/visited.js";
import { type TwoPhaseAction, type TwoPhaseState, twoPhaseCommit } from "../models/examples/two-phase-commit.js";

/** What the coordinator sends. */
export type ToWorker =
  | { readonly type: "init"; readonly index: number; readonly workers: number; readonly peers: (MessagePort | null)[] }
  | { readonly type: "start"; readonly rms: number; readonly batch: number; readonly sentFilter: boolean }
  | { readonly type: "expand" }
  | { readonly type: "finish" }
  | {
      readonly type: "stream";
      readonly rms: number;
      readonly to: number;
      readonly records: number;
      readonly batch: number;
    }
  | { readonly type: "drain"; readonly rms: number; readonly decode: boolean };

/** What a worker answers. */
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "level"; readonly fresh: number }
  | {
      readonly type: "result";
      readonly unique: number;
      readonly generated: number;
      readonly sent: number;
      readonly received: number;
      readonly bytes: number;
      readonly busyMs: number;
    }
  | { readonly type: "streamed"; readonly busyMs: number }
  | { readonly type: "drained"; readonly records: number; readonly checksum: number; readonly busyMs: number };

/** Words per record: fingerprint hi, lo, then the state. */
export const RECORD = 4;
/** The largest model a record holds: two bits per RM in the first state word. */
export const MAX_RMS = 12;
const END = "end";
/** States in the transfer micro-benchmark's sample: more than the caches hold, as in a search. */
export const SAMPLE = 65_536;

/** The first state word: RM states two bits each, then the TM state and the two message flags. */
export function stateWord0(state: TwoPhaseState, rms: number): number {
  let w = 0;
  for (let rm = 0; rm < rms; rm++) w |= state.rmState[rm] << (2 * rm);
  return w | (state.tmState << 24) | (state.msgCommit ? 1 << 26 : 0) | (state.msgAbort ? 1 << 27 : 0);
}

/** The second state word: the TM's prepared set and the Prepared messages, 12 bits each. */
export function stateWord1(state: TwoPhaseState): number {
  return state.tmPrepared | (state.msgPrepared << MAX_RMS);
}

/** The state of two words, with the property order the model's own states have (one hidden class). */
export function decodeState(w0: number, w1: number, rms: number): TwoPhaseState {
  const rmState = new Array<number>(rms);
  for (let rm = 0; rm < rms; rm++) rmState[rm] = (w0 >>> (2 * rm)) & 3;
  return {
    rmState,
    tmState: (w0 >>> 24) & 3,
    tmPrepared: w1 & 0xfff,
    msgPrepared: (w1 >>> MAX_RMS) & 0xfff,
    msgCommit: (w0 & (1 << 26)) !== 0,
    msgAbort: (w0 & (1 << 27)) !== 0,
  };
}

/** A batch under construction for one peer: word 0 is the record count. */
class Outbox {
  words: Int32Array<ArrayBuffer>;
  count = 0;
  constructor(private readonly batch: number) {
    this.words = new Int32Array(1 + batch * RECORD);
  }
  get full(): boolean {
    return this.count === this.batch;
  }
  /** Posts the batch (the buffer moves to the peer) and starts a new one. */
  post(port: MessagePort): void {
    this.words[0] = this.count;
    port.postMessage(this.words.buffer, [this.words.buffer]);
    this.words = new Int32Array(1 + this.batch * RECORD);
    this.count = 0;
  }
}

/** One search: the states this worker owns, level by level. */
class Partition {
  private readonly model;
  private readonly visited = new VisitedSet();
  /** Fingerprints already sent to their owner (only with the sent filter): no need to send twice. */
  private readonly sentSet: VisitedSet | undefined;
  private readonly fp: Fingerprint = { hi: 0, lo: 0 };
  private readonly outboxes: (Outbox | undefined)[];
  private current: TwoPhaseState[] = [];
  private next: TwoPhaseState[] = [];
  private endsSeen = 0;
  private expanded = false;
  generated = 0;
  /** Time spent expanding and taking in batches (the rest is waiting for peers or the coordinator). */
  busyMs = 0;
  sent = 0;
  received = 0;

  constructor(
    private readonly rms: number,
    private readonly me: number,
    private readonly workers: number,
    private readonly peers: (MessagePort | null)[],
    batch: number,
    sentFilter: boolean,
  ) {
    if (!Number.isInteger(rms) || rms < 1 || rms > MAX_RMS) {
      throw new RangeError(`the benchmark encodes 1..${MAX_RMS} RMs, got ${rms}`);
    }
    this.model = twoPhaseCommit(rms);
    this.sentSet = sentFilter ? new VisitedSet() : undefined;
    this.outboxes = peers.map((port) => (port === null ? undefined : new Outbox(batch)));
    // Every worker computes the initial states; each keeps (and counts, as checkModel does) those it owns.
    for (const init of this.model.initStates()) {
      if (this.ownerOf(init) !== me) continue;
      this.generated++;
      if (this.visited.add(this.fp.hi, this.fp.lo)) this.current.push(init);
    }
  }

  /** The worker that owns `state`; leaves its fingerprint in `fp`. */
  private ownerOf(state: TwoPhaseState): number {
    this.model.fingerprint(state, this.fp);
    return this.workers === 1 ? 0 : (this.fp.lo >>> 0) % this.workers;
  }

  get unique(): number {
    return this.visited.size;
  }

  get bytes(): number {
    return this.visited.byteLength + (this.sentSet?.byteLength ?? 0);
  }

  get fresh(): number {
    return this.current.length;
  }

  /** A successor: keep it if this worker owns it and it is new, else send it on. */
  private offer(state: TwoPhaseState): void {
    const owner = this.ownerOf(state);
    const { fp } = this;
    if (owner === this.me) {
      if (this.visited.add(fp.hi, fp.lo)) this.next.push(state);
      return;
    }
    if (this.sentSet !== undefined && !this.sentSet.add(fp.hi, fp.lo)) return;
    const box = this.outboxes[owner] as Outbox;
    const at = 1 + box.count++ * RECORD;
    const words = box.words;
    words[at] = fp.hi;
    words[at + 1] = fp.lo;
    words[at + 2] = stateWord0(state, this.rms);
    words[at + 3] = stateWord1(state);
    this.sent++;
    if (box.full) {
      box.post(this.peers[owner] as MessagePort);
      this.drain();
    }
  }

  /** Expands the current level; true when the level is over for this worker already. */
  expand(): boolean {
    const start = performance.now();
    const { model } = this;
    const actions: TwoPhaseAction[] = [];
    const level = this.current;
    this.current = [];
    this.expanded = false;
    for (let i = 0; i < level.length; i++) {
      const state = level[i];
      level[i] = undefined as unknown as TwoPhaseState;
      actions.length = 0;
      model.actions(state, actions);
      for (let a = 0; a < actions.length; a++) {
        const successor = model.nextState(state, actions[a]);
        if (successor === undefined) continue;
        this.generated++;
        this.offer(successor);
      }
    }
    for (let peer = 0; peer < this.workers; peer++) {
      const port = this.peers[peer];
      if (port === null) continue;
      const box = this.outboxes[peer] as Outbox;
      if (box.count > 0) box.post(port);
      port.postMessage(END);
    }
    this.expanded = true;
    this.drain();
    this.busyMs += performance.now() - start;
    return this.levelOver();
  }

  private levelOver(): boolean {
    if (!this.expanded || this.endsSeen < this.workers - 1) return false;
    this.endsSeen = 0;
    this.expanded = false;
    this.current = this.next;
    this.next = [];
    return true;
  }

  /** Takes what peers have sent so far, without waiting. */
  private drain(): void {
    for (const port of this.peers) {
      if (port === null) continue;
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) this.take(m.message);
    }
  }

  /** A message from a peer; true when it ends this worker's level. */
  receive(message: ArrayBuffer | typeof END): boolean {
    const start = performance.now();
    this.take(message);
    this.busyMs += performance.now() - start;
    return this.levelOver();
  }

  private take(message: ArrayBuffer | typeof END): void {
    if (message === END) {
      this.endsSeen++;
      return;
    }
    const words = new Int32Array(message);
    const count = words[0];
    const { visited, next, rms } = this;
    // Only new states are decoded: the fingerprint comes first in the record for that.
    for (let k = 0, at = 1; k < count; k++, at += RECORD) {
      if (visited.add(words[at], words[at + 1])) next.push(decodeState(words[at + 2], words[at + 3], rms));
    }
    this.received += count;
  }
}

/**
 * Records of `count` distinct reachable states (breadth-first from the initial state), for the
 * transfer micro-benchmark: what is copied is real, the model's cost stays out of the measurement.
 */
export function sampleRecords(rms: number, count: number): Int32Array {
  const model = twoPhaseCommit(rms);
  const states: TwoPhaseState[] = model.initStates();
  const actions: TwoPhaseAction[] = [];
  for (let i = 0; states.length < count && i < states.length; i++) {
    actions.length = 0;
    model.actions(states[i], actions);
    for (const action of actions) {
      const next = model.nextState(states[i], action);
      if (next !== undefined && states.length < count) states.push(next);
    }
  }
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const records = new Int32Array(states.length * RECORD);
  states.forEach((state, k) => {
    model.fingerprint(state, fp);
    records.set([fp.hi, fp.lo, stateWord0(state, rms), stateWord1(state)], k * RECORD);
  });
  return records;
}

/** Copies one record, word by word (as the search writes its records). */
export function copyRecord(from: Int32Array, at: number, to: Int32Array, into: number): void {
  to[into] = from[at];
  to[into + 1] = from[at + 1];
  to[into + 2] = from[at + 2];
  to[into + 3] = from[at + 3];
}

/** Reads `count` records from `words[from…]`: the fingerprint, and the state decoded if asked. */
export function readRecords(words: Int32Array, from: number, count: number, rms: number, decode: boolean): number {
  let checksum = 0;
  for (let k = 0, at = from; k < count; k++, at += RECORD) {
    checksum = (checksum + words[at] + words[at + 1]) | 0;
    if (decode) checksum = (checksum + decodeState(words[at + 2], words[at + 3], rms).tmState) | 0;
  }
  return checksum;
}

/** This worker's place among its peers, and its current search. */
let me = 0;
let workers = 1;
let peers: (MessagePort | null)[] = [];
let partition: Partition | undefined;

const reply = (message: FromWorker) => parentPort?.postMessage(message);
const levelDone = () => reply({ type: "level", fresh: (partition as Partition).fresh });

/** Sends `records` records (cycling through `sample`) to peer `to`; the milliseconds it was busy. */
function stream(sample: Int32Array, to: number, records: number, batch: number): number {
  const start = performance.now();
  const box = new Outbox(batch);
  const target = peers[to] as MessagePort;
  for (let k = 0, from = 0; k < records; k++) {
    copyRecord(sample, from, box.words, 1 + box.count++ * RECORD);
    from += RECORD;
    if (from === sample.length) from = 0;
    if (box.full) box.post(target);
  }
  if (box.count > 0) box.post(target);
  target.postMessage(END);
  return performance.now() - start;
}

/** The receiving side of the micro-benchmark. */
const drainer = { active: false, rms: 0, decode: false, records: 0, checksum: 0, busyMs: 0 };

function onPeerMessage(message: ArrayBuffer | typeof END): void {
  if (drainer.active) {
    if (message === END) {
      drainer.active = false;
      reply({ type: "drained", records: drainer.records, checksum: drainer.checksum, busyMs: drainer.busyMs });
      return;
    }
    const start = performance.now();
    const words = new Int32Array(message);
    drainer.checksum ^= readRecords(words, 1, words[0], drainer.rms, drainer.decode);
    drainer.records += words[0];
    drainer.busyMs += performance.now() - start;
    return;
  }
  if (partition?.receive(message)) levelDone();
}

// The coordinator imports the encoding above too; only in a worker is there a parent to serve.
parentPort?.on("message", (message: ToWorker) => {
  switch (message.type) {
    case "init":
      me = message.index;
      workers = message.workers;
      peers = message.peers;
      for (const peer of peers) peer?.on("message", onPeerMessage);
      reply({ type: "ready" });
      return;
    case "start":
      partition = new Partition(message.rms, me, workers, peers, message.batch, message.sentFilter);
      levelDone();
      return;
    case "expand":
      if ((partition as Partition).expand()) levelDone();
      return;
    case "finish": {
      const p = partition as Partition;
      reply({
        type: "result",
        unique: p.unique,
        generated: p.generated,
        sent: p.sent,
        received: p.received,
        bytes: p.bytes,
        busyMs: p.busyMs,
      });
      partition = undefined;
      return;
    }
    case "stream": {
      const sample = sampleRecords(message.rms, SAMPLE);
      reply({ type: "streamed", busyMs: stream(sample, message.to, message.records, message.batch) });
      return;
    }
    case "drain":
      Object.assign(drainer, { active: true, rms: message.rms, decode: message.decode, records: 0, busyMs: 0 });
      return;
  }
});
