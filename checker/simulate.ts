/**
 * Seeded random simulation (after TLC's -simulate and Stateright's simulation checker): many random
 * walks from the initial states, checking every property on every state walked through. It finds
 * deep bugs in state spaces too large to explore, proves nothing when it finds none, and shards:
 * walk k draws from a generator of its own, seeded by (seed, k), and shard i of N runs exactly the
 * walks k ≡ i (mod N), so a CI matrix of N jobs runs the same walks as one job would, and their
 * reports merge (checker/swarm.ts) into the report that one job would have given.
 */

import type { Fingerprint, Model, PropertyNames } from "./model.js";
import { type ActionPath, followActionPath } from "./path.js";
import { Random } from "./random.js";
import { actionLabel } from "./trace/steps.js";
import { MinValuesSketch } from "./sketch.js";
import { VisitedSet } from "./visited.js";
import { Watch, type WatchOptions, runToEnd, runWithTurns } from "./watch.js";

/** Which part of a swarm to run: 0-based `index` of `count` shards. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** Progress of a simulation (this shard's walks). */
export interface SimulationProgress {
  readonly walks: number;
  readonly walksTotal: number;
  readonly steps: number;
  readonly uniqueStates: number;
}

/**
 * A seeded simulation: walks, seed, shard of the swarm, bounds, progress; what else stops it (the
 * time, the heap, a request from outside: {@link WatchOptions}).
 */
export interface SimulationOptions extends WatchOptions {
  /** Walks in the whole swarm; this shard runs its share of them. */
  readonly runs: number;
  /** The swarm's seed, an unsigned 32-bit integer. */
  readonly seed: number;
  /** Default: the whole swarm in one shard. */
  readonly shard?: ShardSpec;
  /** Steps after which a walk stops (default 1000). */
  readonly maxDepth?: number;
  /** Called at most every 200 ms and once at the end. */
  readonly onProgress?: (progress: SimulationProgress) => void;
  /**
   * Stop the whole simulation (not only the walk) at the first violation of an `always` property
   * this accepts (by id); the report then says `stoppedBy: "violation"`.
   */
  readonly stopOnViolation?: (propertyId: string) => boolean;
}

/** What the walks found for one property: a trace is the walk's path up to the deciding state. */
export type SimulationPropertyResult =
  | (PropertyNames & { readonly kind: "always" | "eventually"; readonly holds: true })
  | (PropertyNames & {
      /** An `eventually` property is violated by a walk that ends quiescent without it ever holding. */
      readonly kind: "always" | "eventually";
      readonly holds: false;
      readonly walk: number;
      readonly trace: ActionPath;
      readonly labels: readonly string[];
    })
  | (PropertyNames & {
      readonly kind: "sometimes";
      readonly holds: true;
      readonly walk: number;
      readonly trace: ActionPath;
      readonly labels: readonly string[];
    })
  /** Not reached by these walks: unlike an exhaustive search, no evidence that it is unreachable. */
  | (PropertyNames & { readonly kind: "sometimes"; readonly holds: false; readonly reached: false });

/**
 * One shard's report, plain JSON. It holds no timing, so the same model, options and seed always
 * give the same report (unless a timeout cut the shard short), on a freshly built model: an
 * `ActorModel` numbers messages in the order it first meets them, which orders the choices of a
 * walk, so a model already explored may walk differently.
 */
export interface SimulationReport {
  readonly kind: "simulation";
  readonly model: string;
  readonly seed: number;
  readonly shard: ShardSpec;
  /** Walks in the whole swarm (`options.runs`). */
  readonly swarmRuns: number;
  /** The step bound of a walk (`options.maxDepth`). */
  readonly depthLimit: number;
  /** Walks this shard did. */
  readonly runs: number;
  /** Actions taken, over all walks. */
  readonly steps: number;
  /** Steps of the longest walk. */
  readonly maxDepth: number;
  /** Walks that ended in a state with no action changing anything. */
  readonly terminalWalks: number;
  /** Distinct states walked through (by fingerprint). */
  readonly uniqueStates: number;
  /** k-minimum-values sketch of those states (checker/sketch.ts), to estimate a swarm's distinct states. */
  readonly sketch: readonly string[];
  /**
   * What ended the shard before its last walk: the time, the heap, a request from outside (the
   * walk under way is cut short), or the first violation it was told to stop at.
   */
  readonly stoppedBy?: "timeout" | "memory" | "interrupted" | "violation";
  readonly properties: readonly SimulationPropertyResult[];
}

/** Options a simulation cannot run with. */
export class SimulationOptionsError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = "SimulationOptionsError";
  }
}

/** Steps a walk takes at most unless told otherwise. */
export const DEFAULT_MAX_DEPTH = 1000;

const PROGRESS_INTERVAL_MS = 200;

/** Parses the CLI's `--shard i/N`, 1-based as CI matrices count, into a 0-based {@link ShardSpec}. */
export function parseShardSpec(text: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count) {
    throw new SimulationOptionsError(`shard must be i/N with 1 ≤ i ≤ N, got "${text}"`);
  }
  return { index: index - 1, count };
}

function validate(options: SimulationOptions): void {
  const { runs, seed, shard, maxDepth, timeoutMs } = options;
  const fail = (message: string) => {
    throw new SimulationOptionsError(message);
  };
  if (!Number.isSafeInteger(runs) || runs < 0) fail(`runs must be an integer ≥ 0, got ${runs}`);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) fail(`seed must be an integer in 0..2^32−1, got ${seed}`);
  if (shard !== undefined) {
    const { index, count } = shard;
    if (!Number.isSafeInteger(count) || count < 1) fail(`shard count must be an integer ≥ 1, got ${count}`);
    if (!Number.isInteger(index) || index < 0 || index >= count)
      fail(`shard index must be in 0..${count - 1}, got ${index}`);
  }
  if (maxDepth !== undefined && (!Number.isSafeInteger(maxDepth) || maxDepth < 0)) {
    fail(`maxDepth must be an integer ≥ 0, got ${maxDepth}`);
  }
  if (timeoutMs !== undefined && !(timeoutMs > 0)) fail(`timeoutMs must be positive, got ${timeoutMs}`);
}

/** The labels of a trace's actions, by replaying it (PathError when it does not replay). */
export function traceLabels<S, A>(model: Model<S, A>, trace: ActionPath): string[] {
  return followActionPath(model, trace).steps.map((step) => actionLabel(model, step.action));
}

/** How many of a swarm's `runs` walks a shard runs: those k < runs with k ≡ index (mod count). */
export function shardWalkCount(runs: number, shard: ShardSpec): number {
  return runs > shard.index ? Math.ceil((runs - shard.index) / shard.count) : 0;
}

/** Runs this shard's walks of the swarm `options` describe and checks the model's properties on them. */
export function simulate<S, A>(model: Model<S, A>, options: SimulationOptions): SimulationReport {
  return runToEnd(simulationSteps(model, options));
}

/**
 * The same simulation as {@link simulate}, giving the event loop a turn about every
 * `yieldEveryMs` (default 100 ms), so that a signal handler on the main thread can stop it.
 */
export function simulateAsync<S, A>(model: Model<S, A>, options: SimulationOptions): Promise<SimulationReport> {
  return runWithTurns(simulationSteps(model, { yieldEveryMs: 100, ...options }));
}

/** The simulation, pausing (a `yield`) wherever its watch asks for a turn of the event loop. */
function* simulationSteps<S, A>(model: Model<S, A>, options: SimulationOptions): Generator<void, SimulationReport> {
  validate(options);
  const { runs, seed } = options;
  const shard = options.shard ?? { index: 0, count: 1 };
  const depthLimit = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const watch = new Watch(options);
  const started = performance.now();
  const properties = model.properties;
  const inits = model.initStates();
  const visited = new VisitedSet();
  const sketch = new MinValuesSketch();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  // Per property, the first walk that decided it and that walk's path up to the deciding state.
  // Walks run in increasing index, so the first found is the lowest walk index of this shard.
  const decided: Array<{ walk: number; trace: ActionPath } | undefined> = properties.map(() => undefined);
  const path: number[] = [];
  const goalSeen = properties.map(() => false);
  const actions: A[] = [];
  const candidates: number[] = [];

  const walksTotal = shardWalkCount(runs, shard);
  let walks = 0;
  let steps = 0;
  let deepest = 0;
  let terminalWalks = 0;
  let stoppedBy: SimulationReport["stoppedBy"];
  let lastProgress = started;
  const progress = () => options.onProgress?.({ walks, walksTotal, steps, uniqueStates: visited.size });

  /** Checks the properties on the state at the end of `path`; true when an invariant is violated. */
  const check = (state: S, walk: number, init: number): boolean => {
    model.fingerprint(state, fp);
    if (visited.add(fp.hi, fp.lo)) sketch.add(fp);
    let violated = false;
    properties.forEach((property, p) => {
      // Every invariant is checked on every state, even one already violated, so a walk ends at
      // the same step whichever shard runs it (the merged counts then equal one job's).
      if (property.kind === "eventually") {
        if (property.holds(state)) goalSeen[p] = true;
        return;
      }
      if (property.kind === "sometimes" && decided[p] !== undefined) return;
      const holds = property.holds(state);
      if (property.kind === "always" ? holds : !holds) return;
      if (property.kind === "always") {
        violated = true;
        if (decided[p] === undefined && options.stopOnViolation?.(property.id)) stoppedBy ??= "violation";
      }
      decided[p] ??= { walk, trace: { init, actions: path.slice() } };
    });
    return violated;
  };

  for (let walk = shard.index; walk < runs && inits.length > 0 && stoppedBy === undefined; walk += shard.count) {
    if (watch.yieldDue) {
      watch.yieldDue = false;
      yield;
    }
    // Looked at before every walk (the first included) and, as the watch says, during one.
    const reason = watch.look();
    if (reason !== undefined) {
      stoppedBy = reason;
      break;
    }
    const random = Random.forWalk(seed, walk);
    const init = random.below(inits.length);
    let state = inits[init];
    path.length = 0;
    goalSeen.fill(false);
    for (;;) {
      if (check(state, walk, init)) break;
      if (watch.due() && watch.look() !== undefined) {
        stoppedBy = watch.reason;
        break;
      }
      if (model.withinBoundary !== undefined && !model.withinBoundary(state)) break;
      if (path.length >= depthLimit) break;
      actions.length = 0;
      model.actions(state, actions);
      // Draw without replacement until an action changes something: uniform among those that do,
      // without computing every successor.
      candidates.length = 0;
      for (let i = 0; i < actions.length; i++) candidates.push(i);
      let next: S | undefined;
      let chosen = -1;
      while (next === undefined && candidates.length > 0) {
        const j = random.below(candidates.length);
        chosen = candidates[j];
        next = model.nextState(state, actions[chosen]);
        candidates[j] = candidates[candidates.length - 1];
        candidates.pop();
      }
      if (next === undefined) {
        terminalWalks++;
        // Quiescent: an eventually property that never held on this walk never will.
        properties.forEach((property, p) => {
          if (property.kind === "eventually" && !goalSeen[p])
            decided[p] ??= { walk, trace: { init, actions: path.slice() } };
        });
        break;
      }
      path.push(chosen);
      state = next;
      steps++;
    }
    if (path.length > deepest) deepest = path.length;
    walks++;
    const now = performance.now();
    if (options.onProgress && now - lastProgress >= PROGRESS_INTERVAL_MS) {
      lastProgress = now;
      progress();
    }
  }
  progress();

  return {
    kind: "simulation",
    model: model.name,
    seed,
    shard: { index: shard.index, count: shard.count },
    swarmRuns: runs,
    depthLimit,
    runs: walks,
    steps,
    maxDepth: deepest,
    terminalWalks,
    uniqueStates: visited.size,
    sketch: sketch.values(),
    ...(stoppedBy ? { stoppedBy } : {}),
    properties: properties.map((property, p): SimulationPropertyResult => {
      const found = decided[p];
      const { id, name } = property;
      if (found === undefined) {
        return property.kind === "sometimes"
          ? { id, name, kind: "sometimes", holds: false, reached: false }
          : { id, name, kind: property.kind, holds: true };
      }
      const evidence = { walk: found.walk, trace: found.trace, labels: traceLabels(model, found.trace) };
      return property.kind === "sometimes"
        ? { id, name, kind: "sometimes", holds: true, ...evidence }
        : { id, name, kind: property.kind, holds: false, ...evidence };
    }),
  };
}
