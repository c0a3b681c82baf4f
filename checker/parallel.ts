/**
 * Parallel breadth-first search over worker threads, level by level. A state belongs to the worker
 * its fingerprint maps to; each worker keeps the fingerprints of its own states, checks the
 * properties on the new ones, expands its part of a level and sends the successors it does not own
 * to their owners (`parallel-worker.ts`). Levels stay synchronous, so every discovery is at the
 * shortest depth, as in the one-thread search; its path comes from the parent links the workers
 * log (docs/checker.md, "Parallel search", for what it gains).
 *
 * It needs what a worker can rebuild: the model from a factory module (by catalogue name), and
 * states as words (`Model.portable`). It does no reduction; `eventually` properties are checked on
 * this thread afterwards, as `search.ts` does.
 */

import { MessageChannel } from "node:worker_threads";
import { siblingModule, startModuleWorker } from "../spec/worker-thread.js";
import { CheckpointError, ModelError } from "./errors.js";
import { collisionProbability } from "./fingerprint.js";
import type { Fingerprint, Model, PropertyNames, StateWords } from "./model.js";
import {
  type Discovery,
  type FromWorker,
  type ModelFactory,
  RecordBuffer,
  type ToWorker,
  ownerOf,
  travellingWords,
} from "./parallel-worker.js";
import { type Path, type PathStep, followActionPath } from "./path.js";
import { type PropertyResult, type SearchOptions, type SearchReport, checkEventuallyPropertyAsync } from "./search.js";
import { VisitedSet } from "./visited.js";
import { LOOK_EVERY_MS, STOP_MEMORY, type StopReason, Watch } from "./watch.js";

export type { ModelFactory } from "./parallel-worker.js";

/** A parallel breadth-first search: the bounds of a search, over this many workers. */
export interface ParallelOptions
  extends Omit<
    SearchOptions,
    | "strategy"
    | "reduction"
    | "exhaustive"
    // The one-thread search's own: its queue's spill and its checkpoints.
    | "spillAbove"
    | "spillDir"
    | "checkpoint"
    | "checkpointEveryMs"
    | "checkpointName"
    | "resume"
    | "onCheckpoint"
  > {
  /** Worker threads (at least 2). */
  readonly workers: number;
}

/** Starts a worker on parallel-worker (its .ts source through tsx in tests). */
const startWorker = () => startModuleWorker(siblingModule("parallel-worker", import.meta.url));

/** One state's entry in its owner's log. */
type Entry = Extract<FromWorker, { type: "entry" }>;

/**
 * The path to a discovered state: its chain of fingerprints from an initial state, read from the
 * workers' logs one parent at a time, replayed on this thread by picking at each step the action
 * whose successor has the next fingerprint.
 */
async function pathTo<S, A>(
  model: Model<S, A>,
  discovery: Discovery,
  entry: (worker: number, entry: number) => Promise<Entry>,
): Promise<Path<S, A>> {
  const chain: Entry[] = [];
  for (let at = await entry(discovery.worker, discovery.entry); ; at = await entry(at.parentWorker, at.parentEntry)) {
    chain.unshift(at);
    if (at.parentWorker < 0) break;
  }
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const matches = (state: S, target: Entry) => {
    model.fingerprint(state, fp);
    return (fp.hi | 0) === target.hi && (fp.lo | 0) === target.lo;
  };
  const init = model.initStates().find((state) => matches(state, chain[0]));
  if (init === undefined) throw new Error("internal: a parallel search path starts at no initial state");
  const steps: PathStep<S, A>[] = [];
  const actions: A[] = [];
  let state: S = init;
  for (const target of chain.slice(1)) {
    actions.length = 0;
    model.actions(state, actions);
    let found: PathStep<S, A> | undefined;
    for (const action of actions) {
      const successor = model.nextState(state, action);
      if (successor !== undefined && matches(successor, target)) {
        found = { action, state: successor };
        break;
      }
    }
    if (found === undefined) throw new Error("internal: a parallel search path step has no matching action");
    steps.push(found);
    state = found.state;
  }
  return { init, steps };
}

/** An eventually property as checked, here or by a worker, and what stopped its check early. */
interface Checked<S, A> {
  readonly result: PropertyResult<S, A>;
  readonly stoppedBy?: StopReason;
}

/** A worker's answer on an eventually property, its counterexample followed here from the action indices. */
function fromWorker<S, A>(
  model: Model<S, A>,
  property: PropertyNames,
  reply: Extract<FromWorker, { type: "eventually" }>,
): Checked<S, A> {
  const { id, name } = property;
  const stopped = reply.stoppedBy === undefined ? {} : { stoppedBy: reply.stoppedBy };
  if (reply.holds || reply.path === undefined) {
    return { result: { id, name, kind: "eventually", holds: true, complete: reply.complete }, ...stopped };
  }
  return {
    result: {
      id,
      name,
      kind: "eventually",
      holds: false,
      violation: reply.violation ?? "quiescent",
      counterexample: followActionPath(model, reply.path),
      ...(reply.loopStart === undefined ? {} : { loopStart: reply.loopStart }),
    },
    ...stopped,
  };
}

/** Explores `model` breadth-first over `options.workers` threads; the report has the shape of `checkModel`'s. */
export async function checkModelParallel<S, A>(
  model: Model<S, A>,
  factory: ModelFactory,
  options: ParallelOptions,
): Promise<SearchReport<S, A>> {
  const workers = options.workers;
  if (!Number.isInteger(workers) || workers < 2 || workers > 64) {
    throw new ModelError(`a parallel search needs 2..64 workers, got ${workers}`);
  }
  const given = options as SearchOptions;
  if (given.checkpoint !== undefined || given.resume !== undefined) {
    throw new CheckpointError("unsupported", "checkpoints are of the breadth-first search on one thread only");
  }
  const states = travellingWords(model);
  if (states === undefined) {
    throw new ModelError(
      `${model.name} cannot be searched in parallel: its states are not portable between workers (the model declares no \`portable\` encoding and no tables to share)`,
    );
  }
  // An actor model's ids become the shared table's, which the workers' models join.
  const shared = model.portable === undefined ? model.shared?.share() : undefined;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const watch = new Watch(options);
  const started = watch.started;
  // The workers end a level early once this is not 0: the coordinator's watch (the time, a
  // signal, its heap) sets it, or a worker whose own heap is nearly full.
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const watching = setInterval(() => {
    if (watch.look() !== undefined && Atomics.load(stop, 0) === 0) Atomics.store(stop, 0, 1);
  }, LOOK_EVERY_MS);
  const threads = Array.from({ length: workers }, startWorker);
  const channels = threads.map(() => threads.map(() => new MessageChannel()));
  const inbox = threads.map(() => [] as FromWorker[]);
  const waiting: Array<((message: FromWorker) => void) | undefined> = threads.map(() => undefined);
  let failure: string | undefined;
  threads.forEach((thread, i) => {
    thread.on("message", (message: FromWorker) => {
      // A worker checking an eventually property says how far it got; it awaits no answer.
      if (message.type === "progress") {
        options.onProgress?.(message.progress);
        return;
      }
      if (message.type === "error") failure ??= message.message;
      const resolve = waiting[i];
      if (resolve) {
        waiting[i] = undefined;
        resolve(message);
      } else inbox[i].push(message);
    });
    thread.on("error", (error) => {
      failure ??= (error as Error).stack ?? String(error);
      waiting[i]?.({ type: "error", message: String(error) });
    });
  });
  const answer = (i: number) =>
    new Promise<FromWorker>((resolve) => {
      const queued = inbox[i].shift();
      if (queued) resolve(queued);
      else waiting[i] = resolve;
    });
  const entry = async (worker: number, at: number): Promise<Entry> => {
    threads[worker].postMessage({ type: "entry", entry: at } satisfies ToWorker);
    const reply = await answer(worker);
    if (reply.type !== "entry") throw new Error(`a parallel search worker failed: ${failure ?? reply.type}`);
    return reply;
  };
  const all = async <T extends FromWorker["type"]>(type: T) => {
    const answers = await Promise.all(threads.map((_, i) => answer(i)));
    if (failure !== undefined) throw new Error(`a parallel search worker failed: ${failure}`);
    return answers.filter((a): a is Extract<FromWorker, { type: T }> => a.type === type);
  };

  // Set when the search ends, however it ends: this thread's check of an eventually property stops.
  let cut = false;
  try {
    threads.forEach((thread, i) => {
      // Worker i talks to worker j on channels[min][max]: port1 for the lower index.
      const peers = threads.map((_, j) => {
        if (j === i) return null;
        const channel = channels[Math.min(i, j)][Math.max(i, j)];
        return i < j ? channel.port1 : channel.port2;
      });
      const init: ToWorker = { type: "init", index: i, workers, peers, factory, stop, ...(shared ? { shared } : {}) };
      thread.postMessage(
        init,
        peers.filter((p) => p !== null),
      );
    });
    await all("ready");

    // The initial states, each to its owner (counted once each, as the owner will).
    const fp: Fingerprint = { hi: 0, lo: 0 };
    const seeds = threads.map(() => new RecordBuffer(states as StateWords<unknown>));
    const initStates = model.initStates();
    const initial = new VisitedSet();
    for (const init of initStates) {
      model.fingerprint(init, fp);
      initial.add(fp.hi, fp.lo);
      seeds[ownerOf(fp.lo, workers)].append(-1, fp.hi, fp.lo, init);
    }
    seeds.forEach((records, i) => {
      threads[i].postMessage({ type: "seed", records: records.take() } satisfies ToWorker);
    });

    const properties = model.properties;
    // The eventually properties: this thread, idle while the workers search, checks them one by
    // one meanwhile; once the search is done, the workers take those not begun, side by side.
    const pending = properties.flatMap((property, p) => (property.kind === "eventually" ? [p] : []));
    const eventually = new Map<number, Checked<S, A>>();
    const bounds = {
      ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
      ...(options.maxStates === undefined ? {} : { maxStates: options.maxStates }),
    };
    const here = (async () => {
      for (let p = pending.shift(); p !== undefined; p = pending.shift()) {
        const timeoutMs = watch.remainingMs();
        const { result, stoppedBy } = await checkEventuallyPropertyAsync(model, properties[p], {
          ...bounds,
          ...(timeoutMs === undefined ? {} : { timeoutMs }),
          reduction: false,
          // Short turns: the workers wait for this thread between levels.
          yieldEveryMs: 5,
          // Stopped with the search, and by whatever stops it (the coordinator's watch, a worker's heap).
          interrupt: () => cut || Atomics.load(stop, 0) !== 0,
        });
        eventually.set(p, { result, ...(stoppedBy === undefined ? {} : { stoppedBy }) });
      }
    })();
    // Awaited below; a failure of the search before then must not leave it unhandled.
    here.catch(() => undefined);
    const found: (Discovery | undefined)[] = properties.map(() => undefined);
    let unique = initial.size;
    let generated = 0;
    let bytes = 0;
    let deepest = 0;
    let stoppedBy: SearchReport<S, A>["stoppedBy"];
    let frontier = initStates.length;
    for (let depth = 0; frontier > 0; depth++) {
      if (depth >= maxDepth) {
        stoppedBy = "maxDepth";
        break;
      }
      if (watch.look() !== undefined) {
        stoppedBy = watch.reason;
        break;
      }
      for (const thread of threads) thread.postMessage({ type: "expand", depth } satisfies ToWorker);
      const levels = await all("level");
      const before = unique;
      frontier = 0;
      unique = 0;
      bytes = 0;
      for (const level of levels) {
        frontier += level.fresh;
        generated += level.generated;
        unique += level.unique;
        bytes += level.bytes;
        for (const discovery of level.discoveries) {
          const known = found[discovery.property];
          // The shallowest discovery wins; among equals the least fingerprint, so the report is deterministic.
          if (
            known === undefined ||
            discovery.depth < known.depth ||
            (discovery.depth === known.depth &&
              (discovery.hi < known.hi || (discovery.hi === known.hi && discovery.lo < known.lo)))
          ) {
            found[discovery.property] = discovery;
          }
        }
      }
      if (unique > before) deepest = depth + 1;
      options.onProgress?.({
        generatedStates: generated,
        uniqueStates: unique,
        depth: depth + 1,
        queue: frontier,
        elapsedMs: Date.now() - started,
      });
      // A level ended early: by the coordinator's watch, or by a worker's heap.
      if (Atomics.load(stop, 0) !== 0) {
        stoppedBy = Atomics.load(stop, 0) === STOP_MEMORY ? "memory" : (watch.reason ?? watch.look());
        break;
      }
      if (unique >= maxStates && frontier > 0) {
        stoppedBy = "maxStates";
        break;
      }
      const stopAt = options.stopOnViolation;
      if (
        stopAt !== undefined &&
        found.some((d, p) => d !== undefined && properties[p].kind === "always" && stopAt(properties[p].id))
      ) {
        stoppedBy = "violation";
        break;
      }
    }
    // Stopped for good (a violation it was told to stop at, the heap, a request): the eventually
    // properties are not checked. Otherwise the workers take those this thread has not begun.
    const stoppedForGood = stoppedBy === "violation" || stoppedBy === "memory" || stoppedBy === "interrupted";
    if (stoppedForGood) {
      cut = true;
      pending.length = 0;
    }
    const asked = threads.map(() => 0);
    for (let k = 0, p = pending.shift(); p !== undefined; k++, p = pending.shift()) {
      const timeoutMs = watch.remainingMs();
      asked[k % workers]++;
      threads[k % workers].postMessage({
        type: "eventually",
        property: p,
        ...bounds,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      } satisfies ToWorker);
    }
    await Promise.all([
      here,
      ...asked.map(async (count, worker) => {
        for (let k = 0; k < count; k++) {
          const reply = await answer(worker);
          if (reply.type !== "eventually") throw new Error(`a parallel search worker failed: ${failure ?? reply.type}`);
          eventually.set(reply.property, fromWorker(model, properties[reply.property], reply));
        }
      }),
    ]);
    clearInterval(watching);
    const results: PropertyResult<S, A>[] = [];
    for (const [p, property] of properties.entries()) {
      const discovery = found[p];
      if (property.kind === "eventually") {
        const checked = eventually.get(p);
        if (checked === undefined || stoppedForGood) {
          results.push({ id: property.id, name: property.name, kind: "eventually", holds: true, complete: false });
          continue;
        }
        if (checked.stoppedBy !== undefined) stoppedBy ??= watch.reason ?? checked.stoppedBy;
        results.push(checked.result);
      } else if (discovery === undefined) {
        results.push(
          property.kind === "always"
            ? { id: property.id, name: property.name, kind: "always", holds: true }
            : { id: property.id, name: property.name, kind: "sometimes", holds: false, vacuous: true },
        );
      } else {
        const path = await pathTo(model, discovery, entry);
        results.push(
          property.kind === "always"
            ? { id: property.id, name: property.name, kind: "always", holds: false, counterexample: path }
            : { id: property.id, name: property.name, kind: "sometimes", holds: true, witness: path },
        );
      }
    }
    return {
      model: model.name,
      uniqueStates: unique,
      generatedStates: generated + initStates.length,
      maxDepth: deepest,
      complete: stoppedBy === undefined,
      ...(stoppedBy ? { stoppedBy } : {}),
      reduction: { partialOrder: false, symmetry: false, cycleProviso: false },
      collisionProbability: collisionProbability(unique),
      bytesPerState: unique === 0 ? 0 : bytes / unique,
      properties: results,
    };
  } finally {
    cut = true;
    clearInterval(watching);
    for (const thread of threads) thread.postMessage({ type: "finish" } satisfies ToWorker);
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}
