/**
 * Exhaustive exploration: every reachable state once (by fingerprint). Breadth-first (the default)
 * finds every violation and witness by a shortest path; depth-first keeps only the current branches
 * in memory. States waiting to be expanded are kept whole; visited states only as fingerprints
 * (`visited.ts`). Paths are not stored per state: breadth-first keeps two bytes a state from which
 * any path is replayed (`trail.ts`); depth-first has the current branch in hand when it discovers
 * something and copies it then.
 *
 * The loop is written for speed: no closure or array is made per state, the queue is a ring of
 * states beside typed arrays for depth and entry number, and decided properties are not evaluated.
 *
 * Reduction (on by default): where the model offers ample sets, a state is expanded through one
 * that leads only to states not seen at its level or above (the cycle proviso: a successor seen
 * there may close a cycle, so the state is expanded fully; breadth-first, every reduced edge then
 * goes one level deeper, and every cycle passes a fully expanded state; depth-first, any state
 * seen before counts); where the model declares a symmetric fingerprint, or one that leaves out
 * what nothing reads again (`quotientFingerprint`), states are told apart by it. `eventually`
 * properties are checked afterwards by `liveness.ts`.
 *
 * The proviso only keeps an action from being put off for ever around a cycle (Clarke, Grumberg
 * and Peled, "Model Checking", ch. 10, condition C3). Where the state graph has no cycle, the ample
 * conditions C0–C2 alone keep every reachable value of the properties: by induction on the length
 * of a full path and the height of its first state in the reduced graph, either the path takes an
 * action of the ample set, which moves to its front, or it takes none, and then the path still
 * runs after any action of the set, one level lower. The proviso costs much on models whose
 * interleavings meet again (every meeting looks like a cycle from breadth-first search), so a
 * model that can tell whether its states lie on no cycle (`stepsAcyclic`) is searched without it
 * and asked at the end; if a cycle was possible, the search is made again with the proviso.
 */

import { getHeapStatistics } from "node:v8";
import {
  type Checkpoint,
  type ModelIdentity,
  type SearchIdentity,
  readCheckpoint,
  readPart,
  writeCheckpoint,
} from "./checkpoint.js";
import { CheckpointError } from "./errors.js";
import { collisionProbability } from "./fingerprint.js";
import { Frontier } from "./frontier.js";
import { type LivenessResult, eventuallySteps } from "./liveness.js";
import {
  type Fingerprint,
  type Model,
  type Property,
  type PropertyNames,
  type SearchProgress,
  type StateWords,
  portableWords,
} from "./model.js";
import type { Path, PathStep } from "./path.js";
import { BreadthFirstTrail } from "./trail.js";
import { VisitedSet } from "./visited.js";
import { STOP_REASONS, type StopReason, Watch, type WatchOptions, runToEnd, runWithTurns } from "./watch.js";

export type { SearchProgress } from "./model.js";

/** What the search found for one property. */
export type PropertyResult<S, A> =
  | (PropertyNames & { readonly kind: "always"; readonly holds: true })
  | (PropertyNames & { readonly kind: "always"; readonly holds: false; readonly counterexample: Path<S, A> })
  | (PropertyNames & { readonly kind: "sometimes"; readonly holds: true; readonly witness: Path<S, A> })
  | (PropertyNames & { readonly kind: "sometimes"; readonly holds: false; readonly vacuous: true })
  | (PropertyNames & { readonly kind: "eventually"; readonly holds: true; readonly complete: boolean })
  | (PropertyNames & {
      readonly kind: "eventually";
      readonly holds: false;
      /** `quiescent`: nothing more can happen; `lasso`: the last step returns to state `loopStart`. */
      readonly violation: "quiescent" | "lasso";
      readonly counterexample: Path<S, A>;
      readonly loopStart?: number;
    });

/**
 * How a search explores: strategy, bounds, reduction, progress; what else stops it (the time, the
 * heap, a request from outside: {@link WatchOptions}).
 */
export interface SearchOptions extends WatchOptions {
  /** `bfs` (default): shortest counterexamples; `dfs`: less memory. */
  readonly strategy?: "bfs" | "dfs";
  /** Stop after this many unique states. */
  readonly maxStates?: number;
  /** Do not expand states deeper than this. */
  readonly maxDepth?: number;
  /** Keep exploring after every property is decided (to count the whole state space). Default true. */
  readonly exhaustive?: boolean;
  /**
   * Partial-order reduction (where the model offers ample sets) and symmetry (where it declares a
   * symmetric fingerprint). Default true.
   */
  readonly reduction?: boolean;
  /** Called about every quarter second with the search's progress. */
  readonly onProgress?: (progress: SearchProgress) => void;
  /**
   * Stop at the first violation of a property this accepts (by id): a mutation campaign
   * (report/mutate-campaign.ts) needs one unexpected violation, not the whole space. The report then
   * says `stoppedBy: "violation"`, and the `eventually` properties after it are left unchecked.
   */
  readonly stopOnViolation?: (propertyId: string) => boolean;
  /**
   * Breadth-first: the queue spills to disk past this many states in memory (frontier.ts), for
   * models whose states can be written as words (`portable` or `inProcess`); `false`: never.
   * Default {@link defaultSpillAbove}.
   */
  readonly spillAbove?: number | false;
  /** Where the queue spills (default: the system's temporary directory). */
  readonly spillDir?: string;
  /**
   * Breadth-first: keep a checkpoint in this directory (checkpoint.ts), written every
   * `checkpointEveryMs` and when the time, the heap or a request stops the search. A stop then
   * waits for the state being expanded to be done with, so that the checkpoint is of a search
   * between two states.
   */
  readonly checkpoint?: string;
  /** How often a checkpoint is written (ms). Default {@link DEFAULT_CHECKPOINT_EVERY_MS}. */
  readonly checkpointEveryMs?: number;
  /**
   * Breadth-first: go on from the checkpoint in this directory, written by a search of the same
   * model (built afresh) and the same options that change its space; anything else is refused
   * with a `CheckpointError`.
   */
  readonly resume?: string;
  /**
   * The model's name as a checkpoint records it and a resume expects it (default `model.name`):
   * `check` gives the catalogue's name, since models of a catalogue may share a `name`.
   */
  readonly checkpointName?: string;
  /** Called with the checkpoint's directory and why it was written, each time one is. */
  readonly onCheckpoint?: (written: CheckpointWritten) => void;
}

/** A checkpoint written: where, why (`periodic`, or what stopped the search) and at how many states. */
export interface CheckpointWritten {
  readonly dir: string;
  readonly reason: "periodic" | StopReason;
  readonly uniqueStates: number;
  readonly queued: number;
  readonly bytes: number;
  readonly ms: number;
}

/** How often a search writes a checkpoint unless told otherwise: every five minutes. */
export const DEFAULT_CHECKPOINT_EVERY_MS = 300_000;

/**
 * What a state waiting in the queue is taken to cost on the heap (a state object and what it
 * holds; a two-phase-commit state of 8 RMs takes about 200 bytes), to size the queue's spill.
 */
export const QUEUE_STATE_BYTES = 256;

/**
 * States the queue keeps in memory before it spills, unless told otherwise: an eighth of the heap
 * V8 may hold, at {@link QUEUE_STATE_BYTES} a state (2 M states with node's default 4 GiB heap), so
 * that the queue leaves the heap well under the share at which a search stops.
 */
export function defaultSpillAbove(): number {
  return Math.max(65_536, Math.floor(getHeapStatistics().heap_size_limit / 8 / QUEUE_STATE_BYTES));
}

/** The words a search writes a model's states as: `portable` where it has them, else `inProcess`. */
function stateWords<S>(model: Model<S, unknown>): StateWords<S> | undefined {
  return portableWords(model, model.inProcess);
}

/** What a search found: its counts, whether it was complete, and each property's verdict. */
export interface SearchReport<S, A> {
  readonly model: string;
  readonly uniqueStates: number;
  readonly generatedStates: number;
  readonly maxDepth: number;
  /** True when the whole reachable space (within the boundary) was explored. */
  readonly complete: boolean;
  /**
   * What ended it before it was complete: a bound, the first violation it was told to stop at, the
   * timeout, the heap nearing its limit, or a request from outside (`interrupted`: a signal).
   * Whatever stopped it, the violations found until then are in `properties` with their
   * counterexamples.
   */
  readonly stoppedBy?: "maxStates" | "maxDepth" | "violation" | "timeout" | "memory" | "interrupted";
  /**
   * Whether partial-order reduction and symmetry were in use, and with partial-order reduction
   * whether the cycle proviso was (false: the model showed that no state it reached lies on a cycle).
   */
  readonly reduction: { readonly partialOrder: boolean; readonly symmetry: boolean; readonly cycleProviso: boolean };
  readonly collisionProbability: number;
  /**
   * Bytes held at the end of the search per unique state by the visited set and what rebuilds
   * paths (breadth-first: the trail). States waiting in the queue are not counted.
   */
  readonly bytesPerState: number;
  readonly properties: readonly PropertyResult<S, A>[];
}

/** What decided a property: breadth-first, the entry (its path is replayed at the end). */
interface Discovery<S, A> {
  readonly entry: number;
  readonly hi: number;
  readonly lo: number;
  readonly path?: Path<S, A>;
}

/** One run of the search; fields rather than closures so that the hot loop stays monomorphic. */
class Search<S, A> {
  private visited = new VisitedSet();
  private trail: BreadthFirstTrail | undefined;
  private readonly frontier: Frontier<S, A>;
  private readonly words: StateWords<S> | undefined;
  private readonly fp: Fingerprint = { hi: 0, lo: 0 };
  private readonly properties: readonly Property<S>[];
  /** For each property, the value of `holds` that decides it. */
  private readonly decisive: boolean[];
  readonly found: (Discovery<S, A> | undefined)[];
  private undecided: number;
  /** Depth-first: the states and actions of the branch being expanded, by depth. */
  private readonly branch: S[] = [];
  private readonly branchActions: (A | undefined)[] = [];
  private readonly maxStates: number;
  private readonly maxDepth: number;
  private readonly exhaustive: boolean;
  private readonly depthFirst: boolean;
  private readonly fingerprint: (state: S, out: Fingerprint) => void;
  readonly ampleSets: ((state: S, actions: readonly A[]) => A[][]) | undefined;
  /** Whether reduced expansions keep the cycle proviso (see the module comment; a resume takes its checkpoint's). */
  proviso: boolean;
  readonly symmetric: boolean;
  /** The time, the heap and requests from outside; the eventually searches after it share its deadline. */
  readonly watch: Watch;
  private readonly onProgress: SearchOptions["onProgress"];
  private readonly stopOnViolation: SearchOptions["stopOnViolation"];
  private lastProgress: number;
  /** Whether the initial states have been visited. */
  private begun = false;
  /** Whether the last visit found a new state. */
  private fresh = false;
  /** The actions of the state being expanded. */
  private readonly actions: A[] = [];
  /** Breadth-first: the depth being expanded, and the states found so far one level deeper. */
  private level = -1;
  private nextLevel = new VisitedSet();
  /** Whether some state was left unexpanded for the depth bound. */
  private depthCut = false;
  /** A resumed search: the states generated before its checkpoint. */
  private resumedAt: number | undefined;
  /** Where checkpoints go, how often, and when the next is due (ms since the epoch). */
  private readonly checkpointDir: string | undefined;
  private readonly checkpointEveryMs: number;
  private nextCheckpoint = Number.POSITIVE_INFINITY;
  private readonly onCheckpoint: SearchOptions["onCheckpoint"];
  /** With checkpoints: what stopped the search takes effect once the state being expanded is done. */
  private halting = false;
  going = true;
  generated = 0;
  deepest = 0;
  stoppedBy: SearchReport<S, A>["stoppedBy"];

  constructor(
    private readonly model: Model<S, A>,
    private readonly inits: readonly S[],
    options: SearchOptions,
    /** Keep the cycle proviso even where the model can show that no cycle is reached. */
    provisoAlways: boolean,
  ) {
    this.maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
    this.maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
    this.exhaustive = options.exhaustive ?? true;
    this.depthFirst = options.strategy === "dfs";
    this.trail = this.depthFirst ? undefined : new BreadthFirstTrail();
    this.words = this.depthFirst ? undefined : stateWords(model);
    const spillAbove = options.spillAbove ?? defaultSpillAbove();
    this.frontier = new Frontier<S, A>(
      this.words === undefined
        ? undefined
        : {
            words: this.words,
            above: spillAbove === false ? Number.POSITIVE_INFINITY : spillAbove,
            dir: options.spillDir,
          },
    );
    this.checkpointDir = options.checkpoint;
    this.checkpointEveryMs = options.checkpointEveryMs ?? DEFAULT_CHECKPOINT_EVERY_MS;
    this.onCheckpoint = options.onCheckpoint;
    if (options.checkpoint !== undefined || options.resume !== undefined) {
      if (this.depthFirst) throw new CheckpointError("unsupported", "checkpoints are of breadth-first searches only");
      if (this.words === undefined) {
        throw new CheckpointError(
          "unsupported",
          `${model.name} cannot be checkpointed: its states cannot be written as words (no \`portable\` or \`inProcess\`)`,
        );
      }
    }
    const reduce = options.reduction ?? true;
    this.ampleSets = reduce ? model.ampleSets?.bind(model) : undefined;
    this.proviso = this.ampleSets !== undefined && (provisoAlways || model.stepsAcyclic === undefined);
    this.symmetric = reduce && model.symmetricFingerprint !== undefined;
    const reduced = this.symmetric ? model.symmetricFingerprint : reduce ? model.quotientFingerprint : undefined;
    this.fingerprint = (reduced ?? model.fingerprint).bind(model) as (state: S, out: Fingerprint) => void;
    this.watch = new Watch(options);
    this.lastProgress = this.watch.started;
    this.onProgress = options.onProgress;
    this.stopOnViolation = options.stopOnViolation;
    this.properties = model.properties;
    this.decisive = this.properties.map((property) => property.kind === "sometimes");
    this.found = this.properties.map(() => undefined);
    // `eventually` is decided by its own search afterwards.
    this.undecided = this.properties.filter((property) => property.kind !== "eventually").length;
    this.searchIdentity = { strategy: "bfs", reduction: reduce, maxDepth: options.maxDepth ?? null };
    this.checkpointName = options.checkpointName ?? model.name;
    if (options.resume !== undefined) this.resume(options.resume);
    if (this.checkpointDir !== undefined) this.nextCheckpoint = this.watch.started + this.checkpointEveryMs;
  }

  /** The options that shape the state space, and the model's name, as a checkpoint records them. */
  private readonly searchIdentity: SearchIdentity;
  private readonly checkpointName: string;

  /**
   * Searches until the end (true) or until the watch asks for a turn of the event loop (false: call
   * again to go on).
   */
  run(): boolean {
    if (!this.begun) {
      this.begun = true;
      for (let i = 0; i < this.inits.length && this.going; i++) this.visit(this.inits[i], undefined, i, 0);
    }
    const { model, frontier, visited, trail, depthFirst, watch, actions } = this;
    while (this.going && !this.halting && frontier.size > 0 && (this.exhaustive || this.undecided > 0)) {
      if (watch.yieldDue) {
        watch.yieldDue = false;
        return false;
      }
      // Between two states: the moment a checkpoint is of.
      if (watch.now >= this.nextCheckpoint) {
        this.writeCheckpoint("periodic");
        this.nextCheckpoint = Date.now() + this.checkpointEveryMs;
      }
      frontier.take(!depthFirst);
      const state = frontier.state as S;
      const depth = frontier.depth;
      if (!depthFirst && depth !== this.level) {
        // Breadth-first reaches the next level: the states found so far one level deeper start afresh.
        this.level = depth;
        this.nextLevel = new VisitedSet();
      }
      const entry = frontier.entry;
      if (depthFirst) {
        this.branch[depth] = state;
        this.branchActions[depth] = frontier.action;
      }
      const before = visited.size;
      actions.length = 0;
      model.actions(state, actions);
      const rest = this.ampleSets ? this.expandAmple(state, actions, depth) : undefined;
      const transient = model.transient;
      for (let a = 0; a < actions.length && this.going; a++) {
        if (rest !== undefined && !rest[a]) continue;
        const next = transient === undefined ? model.nextState(state, actions[a]) : transient.next(state, actions[a]);
        if (next === undefined) continue;
        this.visit(next, actions[a], a, depth + 1, transient !== undefined);
      }
      trail?.expanded(entry, visited.size - before);
    }
    return true;
  }

  /**
   * Expands `state` through the first ample set that leads somewhere and only to new states;
   * returns which of `actions` are still to be expanded (all of them when no ample set did).
   */
  private expandAmple(state: S, actions: A[], depth: number): boolean[] | undefined {
    for (const ample of (this.ampleSets as NonNullable<Search<S, A>["ampleSets"]>)(state, actions)) {
      const indices = ample.map((action) => actions.indexOf(action));
      const successors: (S | undefined)[] = indices.map((a) => this.model.nextState(state, actions[a]));
      if (successors.every((next) => next === undefined)) continue;
      let closesCycle = false;
      indices.forEach((a, k) => {
        const next = successors[k];
        if (next === undefined || !this.going) return;
        this.visit(next, actions[a], a, depth + 1);
        // Breadth-first, a successor found earlier one level deeper is no way back: only one at
        // this level or above can close a cycle.
        if (this.proviso && !this.fresh && (this.depthFirst || !this.nextLevel.has(this.fp.hi, this.fp.lo)))
          closesCycle = true;
      });
      const rest = actions.map(() => closesCycle);
      for (const a of indices) rest[a] = false;
      return rest;
    }
    return undefined;
  }

  get complete(): boolean {
    return this.stoppedBy === undefined && this.frontier.size === 0;
  }

  /** Whether a checkpoint is to be written when the search stops for `reason`. */
  checkpointsOn(reason: SearchReport<S, A>["stoppedBy"]): boolean {
    return this.checkpointDir !== undefined && STOP_REASONS.includes(reason as StopReason);
  }

  /** Removes the queue's spill files. */
  close(): void {
    this.frontier.close();
  }

  /** What a checkpoint says of the model. */
  private modelIdentity(): ModelIdentity {
    const fp = { hi: 0, lo: 0 };
    return {
      name: this.checkpointName,
      properties: this.properties.map((property) => property.id),
      initialFingerprints: this.inits.map((state) => {
        this.fingerprint(state, fp);
        return [fp.hi >>> 0, fp.lo >>> 0] as const;
      }),
      words: this.model.portable === undefined ? "inProcess" : "portable",
    };
  }

  /**
   * Writes a checkpoint of the search as it stands, which must be between two states (checkpoint.ts).
   * `reason`: `periodic`, or what stopped the search.
   */
  writeCheckpoint(reason: CheckpointWritten["reason"]): void {
    const dir = this.checkpointDir as string;
    const started = Date.now();
    const model = this.model;
    const manifest = writeCheckpoint(dir, {
      model: this.modelIdentity(),
      search: this.searchIdentity,
      reason,
      position: {
        uniqueStates: this.visited.size,
        generatedStates: this.generated,
        maxDepth: this.deepest,
        level: this.level,
        depthCut: this.depthCut,
        ...(this.ampleSets === undefined ? {} : { cycleProviso: this.proviso }),
        queued: this.frontier.size,
        discoveries: this.found.flatMap((discovery, p) =>
          discovery === undefined
            ? []
            : [{ property: this.properties[p].id, entry: discovery.entry, hi: discovery.hi, lo: discovery.lo }],
        ),
      },
      parts: {
        visited: (sink) => this.visited.write(sink),
        nextLevel: (sink) => this.nextLevel.write(sink),
        trail: (sink) => (this.trail as BreadthFirstTrail).write(sink),
        queue: (sink) => this.frontier.write(sink),
        // Portable words mean the same in any process; in-process ones need the model's tables.
        model: (sink) => {
          if (model.portable === undefined) model.inProcess?.save(sink);
        },
      },
    });
    const bytes = Object.values(manifest.files).reduce((total, file) => total + file.bytes, 0);
    this.onCheckpoint?.({
      dir,
      reason,
      uniqueStates: this.visited.size,
      queued: this.frontier.size,
      bytes,
      ms: Date.now() - started,
    });
  }

  /** Takes up the search where the checkpoint in `dir` left it (see {@link SearchOptions.resume}). */
  private resume(dir: string): void {
    const checkpoint: Checkpoint = readCheckpoint(dir, this.checkpointName, this.searchIdentity);
    const { manifest } = checkpoint;
    const changed = (what: string) =>
      new CheckpointError("model-changed", `the model changed since the checkpoint in ${dir}: ${what}`);
    const portable = this.model.portable !== undefined;
    if (manifest.model.words !== (portable ? "portable" : "inProcess"))
      throw changed("its states are written otherwise");
    const properties = this.properties.map((property) => property.id);
    if (JSON.stringify(manifest.model.properties) !== JSON.stringify(properties)) {
      throw changed(`its properties are ${properties.join(", ")}, not ${manifest.model.properties.join(", ")}`);
    }
    // The model's own tables before anything is fingerprinted (a symmetric fingerprint may make
    // ids) and before any state is read.
    readPart(checkpoint, "model", (source) => {
      if (!portable) this.model.inProcess?.restore(source);
    });
    const { initialFingerprints } = this.modelIdentity();
    if (JSON.stringify(manifest.model.initialFingerprints) !== JSON.stringify(initialFingerprints)) {
      throw changed("its initial states are not the same");
    }
    const position = manifest.position;
    this.visited = readPart(checkpoint, "visited", (source) => VisitedSet.read(source));
    this.nextLevel = readPart(checkpoint, "nextLevel", (source) => VisitedSet.read(source));
    this.trail = readPart(checkpoint, "trail", (source) => BreadthFirstTrail.read(source));
    if (this.visited.size !== position.uniqueStates || this.trail.length !== position.uniqueStates) {
      throw new CheckpointError("corrupt", `the checkpoint in ${dir} does not add up: its parts hold other counts`);
    }
    this.frontier.adopt(checkpoint.path("queue"), 0, manifest.files.queue.bytes, position.queued);
    this.generated = position.generatedStates;
    this.resumedAt = position.generatedStates;
    this.deepest = position.maxDepth;
    this.level = position.level;
    this.depthCut = position.depthCut;
    if (position.cycleProviso !== undefined) this.proviso = position.cycleProviso;
    if (this.depthCut) this.stoppedBy = "maxDepth";
    for (const discovery of position.discoveries) {
      const p = this.properties.findIndex((property) => property.id === discovery.property);
      if (p < 0 || this.found[p] !== undefined) throw changed(`it has no property ${discovery.property}`);
      this.found[p] = { entry: discovery.entry, hi: discovery.hi, lo: discovery.lo };
      this.undecided--;
    }
    this.begun = true;
  }

  get uniqueStates(): number {
    return this.visited.size;
  }

  get bytesPerState(): number {
    const bytes = this.visited.byteLength + (this.trail?.byteLength ?? 0);
    return this.visited.size === 0 ? 0 : bytes / this.visited.size;
  }

  /** The path to a breadth-first discovery, replayed from the trail. */
  replay(discovery: Discovery<S, A>): Path<S, A> {
    if (discovery.path !== undefined) return discovery.path;
    const route = (this.trail as BreadthFirstTrail).route(discovery.entry);
    const { model, fp } = this;
    const init = this.inits[route[0]];
    const steps: PathStep<S, A>[] = [];
    const actions: A[] = [];
    let state = init;
    for (let k = 1; k < route.length; k++) {
      actions.length = 0;
      model.actions(state, actions);
      const action = actions[route[k]];
      const next = action === undefined ? undefined : model.nextState(state, action);
      if (next === undefined) throw new Error("internal: cannot replay a path step (is the model deterministic?)");
      steps.push({ action, state: next });
      state = next;
    }
    this.fingerprint(state, fp);
    if (fp.hi >>> 0 !== discovery.hi || fp.lo >>> 0 !== discovery.lo) {
      throw new Error("internal: a replayed path ends elsewhere (is the model deterministic?)");
    }
    return { init, steps };
  }

  /** A state reached by `action` (the `ordinal`-th of its parent's) or an initial state. */
  /** Counts `given` (`transient`: from the model's `transient.next`) and takes it in if it is new. */
  private visit(given: S, action: A | undefined, ordinal: number, depth: number, transient = false): void {
    this.generated++;
    // Per generated state rather than per new one: a model whose steps are slow, or lead back to
    // states already seen, still stops in time.
    if (this.watch.due()) this.tick(depth);
    const { fp, visited } = this;
    this.fingerprint(given, fp);
    this.fresh = visited.add(fp.hi, fp.lo);
    if (!this.fresh) return;
    const state = transient ? (this.model.transient as NonNullable<Model<S, A>["transient"]>).keep(given) : given;
    if (this.proviso && !this.depthFirst) this.nextLevel.add(fp.hi, fp.lo);
    const entry = visited.size - 1;
    this.trail?.add(ordinal, depth === 0);
    if (depth > this.deepest) this.deepest = depth;
    if (this.undecided > 0) this.check(state, action, entry, depth);
    if (this.model.withinBoundary === undefined || this.model.withinBoundary(state)) {
      if (depth < this.maxDepth) this.frontier.push(state, this.depthFirst ? action : undefined, depth, entry);
      else {
        this.depthCut = true;
        this.stoppedBy ??= "maxDepth";
      }
    }
    if (visited.size >= this.maxStates) {
      this.stoppedBy = "maxStates";
      this.going = false;
    }
  }

  /** Now and then (as the watch says): the time, the heap, a request to stop; progress. */
  private tick(depth: number): void {
    const reason = this.watch.look();
    if (reason !== undefined) {
      this.stoppedBy = reason;
      // A checkpoint is of a search between two states: the state being expanded is done first.
      if (this.checkpointDir === undefined) this.going = false;
      else this.halting = true;
    }
    const now = this.watch.now;
    if (this.onProgress !== undefined && now - this.lastProgress >= 250) {
      this.lastProgress = now;
      this.onProgress({
        generatedStates: this.generated,
        uniqueStates: this.visited.size,
        depth,
        queue: this.frontier.size,
        elapsedMs: now - this.watch.started,
        ...(this.frontier.spilled > 0 ? { spilled: this.frontier.spilled } : {}),
        ...(this.resumedAt === undefined ? {} : { resumedAt: this.resumedAt }),
      });
    }
  }

  private check(state: S, action: A | undefined, entry: number, depth: number): void {
    const { properties, found } = this;
    for (let p = 0; p < properties.length; p++) {
      if (found[p] !== undefined || properties[p].kind === "eventually") continue;
      if (properties[p].holds(state) !== this.decisive[p]) continue;
      const { hi, lo } = this.fp;
      found[p] = {
        entry,
        hi: hi >>> 0,
        lo: lo >>> 0,
        ...(this.depthFirst ? { path: this.branchTo(state, action, depth) } : {}),
      };
      this.undecided--;
      if (properties[p].kind === "always" && this.stopOnViolation?.(properties[p].id)) {
        this.stoppedBy = "violation";
        this.going = false;
        return;
      }
    }
  }

  /** Depth-first: the current branch extended by `action` to `state`. */
  private branchTo(state: S, action: A | undefined, depth: number): Path<S, A> {
    if (depth === 0) return { init: state, steps: [] };
    const steps: PathStep<S, A>[] = [];
    for (let d = 1; d < depth; d++) steps.push({ action: this.branchActions[d] as A, state: this.branch[d] });
    steps.push({ action: action as A, state });
    return { init: this.branch[0], steps };
  }
}

/** An `eventually` property's result as a search that pauses where its watch says (see `liveness.ts`). */
function* eventuallyPropertySteps<S, A>(
  model: Model<S, A>,
  property: PropertyNames & Pick<Property<S>, "holds">,
  options: SearchOptions,
): Generator<void, { result: PropertyResult<S, A>; stoppedBy: StopReason | undefined }, void> {
  const verdict = yield* eventuallySteps(model, property.holds, options);
  return { result: eventuallyResult(property, verdict), stoppedBy: verdict.holds ? verdict.stoppedBy : undefined };
}

function eventuallyResult<S, A>({ id, name }: PropertyNames, verdict: LivenessResult<S, A>): PropertyResult<S, A> {
  if (verdict.holds) return { id, name, kind: "eventually", holds: true, complete: verdict.complete };
  return {
    id,
    name,
    kind: "eventually",
    holds: false,
    violation: verdict.violation,
    counterexample: verdict.path,
    ...(verdict.loopStart !== undefined ? { loopStart: verdict.loopStart } : {}),
  };
}

/** An `eventually` property's result, checked by `liveness.ts` after the search. */
export function checkEventuallyProperty<S, A>(
  model: Model<S, A>,
  property: PropertyNames & Pick<Property<S>, "holds">,
  options: SearchOptions,
): PropertyResult<S, A> {
  return runToEnd(eventuallyPropertySteps(model, property, options)).result;
}

/**
 * An `eventually` property's result, giving the event loop a turn now and then (as
 * {@link checkModelAsync}), with what stopped its check early, if anything did.
 */
export function checkEventuallyPropertyAsync<S, A>(
  model: Model<S, A>,
  property: PropertyNames & Pick<Property<S>, "holds">,
  options: SearchOptions,
): Promise<{ result: PropertyResult<S, A>; stoppedBy: StopReason | undefined }> {
  return runWithTurns(eventuallyPropertySteps(model, property, { yieldEveryMs: 100, ...options }));
}

/** The search, pausing (a `yield`) wherever its watch asks for a turn of the event loop. */
function* searchSteps<S, A>(model: Model<S, A>, options: SearchOptions): Generator<void, SearchReport<S, A>, void> {
  const inits = model.initStates();
  let search = new Search(model, inits, options, false);
  try {
    while (!search.run()) yield;
    const uncertain =
      search.stoppedBy === undefined || search.stoppedBy === "maxStates" || search.stoppedBy === "maxDepth";
    if (search.ampleSets !== undefined && !search.proviso && uncertain && !model.stepsAcyclic?.()) {
      // A cycle may have hidden an action put off for ever: search again, with the proviso (a
      // checkpoint of this search says so, and its resume keeps it).
      search.close();
      const timeoutMs = search.watch.remainingMs();
      const { resume: _, ...again } = options;
      search = new Search(model, inits, { ...again, ...(timeoutMs === undefined ? {} : { timeoutMs }) }, true);
    }
    return yield* searchAndReport(search, model, options);
  } finally {
    search.close();
  }
}

/** The search run to its end, the `eventually` properties after it, and the report. */
function* searchAndReport<S, A>(
  search: Search<S, A>,
  model: Model<S, A>,
  options: SearchOptions,
): Generator<void, SearchReport<S, A>, void> {
  while (!search.run()) yield;
  if (search.checkpointsOn(search.stoppedBy)) search.writeCheckpoint(search.stoppedBy as StopReason);
  let checkpointed = search.checkpointsOn(search.stoppedBy);
  let stoppedBy = search.stoppedBy;
  const results: PropertyResult<S, A>[] = [];
  for (const [p, property] of model.properties.entries()) {
    const discovery = search.found[p];
    if (property.kind === "eventually") {
      // Stopped for good (a violation it was told to stop at, the heap, a request): not checked.
      if (stoppedBy === "violation" || stoppedBy === "memory" || stoppedBy === "interrupted") {
        results.push({ id: property.id, name: property.name, kind: "eventually", holds: true, complete: false });
        continue;
      }
      // The bounds are the whole check's: the time left is what the searches before it left.
      const timeoutMs = search.watch.remainingMs();
      const { result, stoppedBy: reason } = yield* eventuallyPropertySteps(model, property, {
        ...options,
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      if (!result.holds && options.stopOnViolation?.(property.id)) stoppedBy = "violation";
      // What stopped the eventually search (the time, the heap, a request) stops the check.
      if (reason !== undefined && stoppedBy === undefined) stoppedBy = reason;
      // The search is complete: a resume does only the eventually searches again.
      if (reason !== undefined && !checkpointed && search.checkpointsOn(reason)) {
        search.writeCheckpoint(reason);
        checkpointed = true;
      }
      results.push(result);
      continue;
    }
    if (property.kind === "always") {
      results.push(
        discovery === undefined
          ? { id: property.id, name: property.name, kind: "always", holds: true }
          : {
              id: property.id,
              name: property.name,
              kind: "always",
              holds: false,
              counterexample: search.replay(discovery),
            },
      );
      continue;
    }
    results.push(
      discovery === undefined
        ? { id: property.id, name: property.name, kind: "sometimes", holds: false, vacuous: true }
        : { id: property.id, name: property.name, kind: "sometimes", holds: true, witness: search.replay(discovery) },
    );
  }
  return {
    model: model.name,
    uniqueStates: search.uniqueStates,
    generatedStates: search.generated,
    maxDepth: search.deepest,
    complete: search.complete && stoppedBy === undefined,
    ...(stoppedBy ? { stoppedBy } : {}),
    reduction: {
      partialOrder: search.ampleSets !== undefined,
      symmetry: search.symmetric,
      cycleProviso: search.proviso,
    },
    collisionProbability: collisionProbability(search.uniqueStates),
    bytesPerState: search.bytesPerState,
    properties: results,
  };
}

/** Explores `model` exhaustively (breadth-first unless told otherwise) and checks its properties. */
export function checkModel<S, A>(model: Model<S, A>, options: SearchOptions = {}): SearchReport<S, A> {
  return runToEnd(searchSteps(model, options));
}

/**
 * The same search as {@link checkModel}, giving the event loop a turn about every
 * `yieldEveryMs` (default 100 ms): on the main thread, a signal handler or a timer can then ask
 * it to stop (`interrupt`), and it ends with the report of what it found until then.
 */
export function checkModelAsync<S, A>(model: Model<S, A>, options: SearchOptions = {}): Promise<SearchReport<S, A>> {
  return runWithTurns(searchSteps(model, { yieldEveryMs: 100, ...options }));
}
