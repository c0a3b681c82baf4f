/**
 * Exhaustive exploration: every reachable state once (by fingerprint). Breadth-first (the default)
 * finds every violation and witness by a shortest path; depth-first keeps only the current branches
 * in memory. States waiting to be expanded are kept whole; visited states only as fingerprints with
 * a parent link, from which a path is rebuilt by replaying actions.
 */

import type { Fingerprint, Model } from "./model.js";
import { collisionProbability } from "./fingerprint.js";
import { checkEventually } from "./liveness.js";
import { ALREADY_VISITED, VisitedSet } from "./visited.js";

/** One step of a path: the action taken and the state it led to. */
export interface PathStep<S, A> {
  readonly action: A;
  readonly state: S;
}

/** A path from an initial state. */
export interface Path<S, A> {
  readonly init: S;
  readonly steps: readonly PathStep<S, A>[];
}

/** What the search found for one property. */
export type PropertyResult<S, A> =
  | { readonly name: string; readonly kind: "always"; readonly holds: true }
  | { readonly name: string; readonly kind: "always"; readonly holds: false; readonly counterexample: Path<S, A> }
  | { readonly name: string; readonly kind: "sometimes"; readonly holds: true; readonly witness: Path<S, A> }
  | { readonly name: string; readonly kind: "sometimes"; readonly holds: false; readonly vacuous: true }
  | { readonly name: string; readonly kind: "eventually"; readonly holds: true; readonly complete: boolean }
  | {
      readonly name: string;
      readonly kind: "eventually";
      readonly holds: false;
      /** `quiescent`: nothing more can happen; `lasso`: the last step returns to state `loopStart`. */
      readonly violation: "quiescent" | "lasso";
      readonly counterexample: Path<S, A>;
      readonly loopStart?: number;
    };

export interface SearchOptions {
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
  /** Stop after this many milliseconds (the report then says the search is incomplete). */
  readonly timeoutMs?: number;
  /** Called about every quarter second with the search's progress. */
  readonly onProgress?: (progress: SearchProgress) => void;
}

/** Where a running search is. */
export interface SearchProgress {
  readonly generatedStates: number;
  readonly uniqueStates: number;
  readonly depth: number;
  /** States waiting to be expanded. */
  readonly queue: number;
  readonly elapsedMs: number;
}

export interface SearchReport<S, A> {
  readonly model: string;
  readonly uniqueStates: number;
  readonly generatedStates: number;
  readonly maxDepth: number;
  /** True when the whole reachable space (within the boundary) was explored. */
  readonly complete: boolean;
  readonly stoppedBy?: "maxStates" | "maxDepth" | "timeout";
  /** Whether partial-order reduction and symmetry were in use. */
  readonly reduction: { readonly partialOrder: boolean; readonly symmetry: boolean };
  readonly collisionProbability: number;
  readonly bytesPerState: number;
  readonly properties: readonly PropertyResult<S, A>[];
}

function rebuildPath<S, A>(
  model: Model<S, A>,
  fingerprint: (state: S, out: Fingerprint) => void,
  visited: VisitedSet,
  target: number,
  inits: S[],
): Path<S, A> {
  const chain: number[] = [];
  for (let at = target; at !== -1; at = visited.parentOf(at)) chain.push(at);
  chain.reverse();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const same = (state: S, index: number) => {
    fingerprint(state, fp);
    return visited.matches(index, fp);
  };
  const init = inits.find((state) => same(state, chain[0]));
  if (init === undefined) throw new Error("internal: no initial state matches the path's root");
  const steps: PathStep<S, A>[] = [];
  let state = init;
  const actions: A[] = [];
  for (const index of chain.slice(1)) {
    actions.length = 0;
    model.actions(state, actions);
    let found = false;
    for (const action of actions) {
      const next = model.nextState(state, action);
      if (next !== undefined && same(next, index)) {
        steps.push({ action, state: next });
        state = next;
        found = true;
        break;
      }
    }
    if (!found) throw new Error("internal: cannot replay a path step (is the model deterministic?)");
  }
  return { init, steps };
}

/** Explores `model` exhaustively (breadth-first unless told otherwise) and checks its properties. */
export function checkModel<S, A>(model: Model<S, A>, options: SearchOptions = {}): SearchReport<S, A> {
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const exhaustive = options.exhaustive ?? true;
  const depthFirst = options.strategy === "dfs";
  const properties = model.properties;
  const found = new Array<number>(properties.length).fill(-1); // entry index deciding each property
  const visited = new VisitedSet();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const inits = model.initStates();
  // States waiting to be expanded with their entry index and depth: a queue (read from `head`)
  // for breadth-first, a stack for depth-first.
  const pending: Array<[S, number, number]> = [];
  let head = 0;
  let generated = 0;
  let deepest = 0;
  let stoppedBy: SearchReport<S, A>["stoppedBy"];

  const reduce = options.reduction ?? true;
  const ampleSets = reduce ? model.ampleSets?.bind(model) : undefined;
  const fingerprint = (reduce && model.symmetricFingerprint ? model.symmetricFingerprint : model.fingerprint).bind(
    model,
  ) as (state: S, out: Fingerprint) => void;
  const started = Date.now();
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : started + options.timeoutMs;
  let lastReport = started;
  let lastInsertNew = false;

  /** Records a reached state; false when a bound stops the search. */
  const visit = (state: S, parent: number, depth: number): boolean => {
    generated++;
    fingerprint(state, fp);
    const index = visited.insert(fp, parent);
    lastInsertNew = index !== ALREADY_VISITED;
    if (index === ALREADY_VISITED) return true;
    if (depth > deepest) deepest = depth;
    for (let p = 0; p < properties.length; p++) {
      const property = properties[p];
      if (found[p] !== -1 || property.kind === "eventually") continue;
      const holds = property.holds(state);
      if ((property.kind === "always" && !holds) || (property.kind === "sometimes" && holds)) found[p] = index;
    }
    if (model.withinBoundary === undefined || model.withinBoundary(state)) {
      if (depth < maxDepth) pending.push([state, index, depth]);
      else if (stoppedBy === undefined) stoppedBy = "maxDepth";
    }
    if (visited.size >= maxStates) {
      stoppedBy = "maxStates";
      return false;
    }
    if ((generated & 1023) === 0) {
      const now = Date.now();
      if (now >= deadline) {
        stoppedBy = "timeout";
        return false;
      }
      if (options.onProgress && now - lastReport >= 250) {
        lastReport = now;
        options.onProgress({
          generatedStates: generated,
          uniqueStates: visited.size,
          depth,
          queue: pending.length - head,
          elapsedMs: now - started,
        });
      }
    }
    return true;
  };
  const decided = () => found.every((index, p) => index !== -1 || properties[p].kind === "eventually");
  /**
   * Expands `state` through an ample set that leads somewhere new (the cycle proviso: if a
   * successor was already visited, a cycle may close here, so the state is expanded fully).
   * Returns the actions still to expand, or false when a bound stopped the search.
   */
  const expandAmple = (state: S, index: number, depth: number, all: A[]): A[] | false => {
    for (const ample of (ampleSets as NonNullable<typeof ampleSets>)(state, all)) {
      const successors: S[] = [];
      for (const action of ample) {
        const next = model.nextState(state, action);
        if (next !== undefined) successors.push(next);
      }
      if (successors.length === 0) continue;
      let closesCycle = false;
      for (const next of successors) {
        if (!visit(next, index, depth + 1)) return false;
        if (!lastInsertNew) closesCycle = true;
      }
      return closesCycle ? all.filter((action) => !ample.includes(action)) : [];
    }
    return all;
  };

  let going = inits.every((state) => visit(state, -1, 0));
  const actions: A[] = [];
  while (going && head < pending.length && (exhaustive || !decided())) {
    const [state, index, depth] = (depthFirst ? pending.pop() : pending[head++]) as [S, number, number];
    if (!depthFirst && head > 4096 && head * 2 > pending.length) {
      pending.splice(0, head); // drop the expanded part of the queue
      head = 0;
    }
    actions.length = 0;
    model.actions(state, actions);
    const rest = ampleSets ? expandAmple(state, index, depth, actions) : actions;
    if (rest === false) break;
    for (const action of rest) {
      const next = model.nextState(state, action);
      if (next !== undefined && !visit(next, index, depth + 1)) {
        going = false;
        break;
      }
    }
  }
  const complete = stoppedBy === undefined && head >= pending.length;

  const results = properties.map((property, p): PropertyResult<S, A> => {
    const at = found[p];
    if (property.kind === "eventually") {
      const verdict = checkEventually(model, property.holds, options);
      if (verdict.holds) return { name: property.name, kind: "eventually", holds: true, complete: verdict.complete };
      return {
        name: property.name,
        kind: "eventually",
        holds: false,
        violation: verdict.violation,
        counterexample: verdict.path,
        ...(verdict.loopStart !== undefined ? { loopStart: verdict.loopStart } : {}),
      };
    }
    if (property.kind === "always") {
      return at === -1
        ? { name: property.name, kind: "always", holds: true }
        : {
            name: property.name,
            kind: "always",
            holds: false,
            counterexample: rebuildPath(model, fingerprint, visited, at, inits),
          };
    }
    return at === -1
      ? { name: property.name, kind: "sometimes", holds: false, vacuous: true }
      : {
          name: property.name,
          kind: "sometimes",
          holds: true,
          witness: rebuildPath(model, fingerprint, visited, at, inits),
        };
  });
  return {
    model: model.name,
    uniqueStates: visited.size,
    generatedStates: generated,
    maxDepth: deepest,
    complete,
    ...(stoppedBy ? { stoppedBy } : {}),
    reduction: { partialOrder: ampleSets !== undefined, symmetry: reduce && model.symmetricFingerprint !== undefined },
    collisionProbability: collisionProbability(visited.size),
    bytesPerState: visited.bytesPerState(),
    properties: results,
  };
}
