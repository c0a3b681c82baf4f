/**
 * Exhaustive exploration: every reachable state once (by fingerprint). Breadth-first (the default)
 * finds every violation and witness by a shortest path; depth-first keeps only the current branches
 * in memory. States waiting to be expanded are kept whole; visited states only as fingerprints with
 * a parent link, from which a path is rebuilt by replaying actions.
 */

import type { Fingerprint, Model, Property } from "./model.js";
import { collisionProbability } from "./fingerprint.js";
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
  | { readonly name: string; readonly kind: "sometimes"; readonly holds: false; readonly vacuous: true };

export interface SearchOptions {
  /** `bfs` (default): shortest counterexamples; `dfs`: less memory. */
  readonly strategy?: "bfs" | "dfs";
  /** Stop after this many unique states. */
  readonly maxStates?: number;
  /** Do not expand states deeper than this. */
  readonly maxDepth?: number;
  /** Keep exploring after every property is decided (to count the whole state space). Default true. */
  readonly exhaustive?: boolean;
}

export interface SearchReport<S, A> {
  readonly model: string;
  readonly uniqueStates: number;
  readonly generatedStates: number;
  readonly maxDepth: number;
  /** True when the whole reachable space (within the boundary) was explored. */
  readonly complete: boolean;
  readonly stoppedBy?: "maxStates" | "maxDepth";
  readonly collisionProbability: number;
  readonly bytesPerState: number;
  readonly properties: readonly PropertyResult<S, A>[];
}

function rebuildPath<S, A>(model: Model<S, A>, visited: VisitedSet, target: number, inits: S[]): Path<S, A> {
  const chain: number[] = [];
  for (let at = target; at !== -1; at = visited.parentOf(at)) chain.push(at);
  chain.reverse();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const same = (state: S, index: number) => {
    model.fingerprint(state, fp);
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

  const visit = (state: S, parent: number, depth: number): boolean => {
    generated++;
    model.fingerprint(state, fp);
    const index = visited.insert(fp, parent);
    if (index === ALREADY_VISITED) return true;
    if (depth > deepest) deepest = depth;
    properties.forEach((property: Property<S>, p) => {
      if (found[p] !== -1) return;
      const holds = property.holds(state);
      if ((property.kind === "always" && !holds) || (property.kind === "sometimes" && holds)) found[p] = index;
    });
    if (model.withinBoundary === undefined || model.withinBoundary(state)) {
      if (depth < maxDepth) pending.push([state, index, depth]);
      else if (stoppedBy === undefined) stoppedBy = "maxDepth";
    }
    if (visited.size >= maxStates) {
      stoppedBy = "maxStates";
      return false;
    }
    return true;
  };
  const decided = () => found.every((index) => index !== -1);

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
    for (const action of actions) {
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
    if (property.kind === "always") {
      return at === -1
        ? { name: property.name, kind: "always", holds: true }
        : { name: property.name, kind: "always", holds: false, counterexample: rebuildPath(model, visited, at, inits) };
    }
    return at === -1
      ? { name: property.name, kind: "sometimes", holds: false, vacuous: true }
      : { name: property.name, kind: "sometimes", holds: true, witness: rebuildPath(model, visited, at, inits) };
  });
  return {
    model: model.name,
    uniqueStates: visited.size,
    generatedStates: generated,
    maxDepth: deepest,
    complete,
    ...(stoppedBy ? { stoppedBy } : {}),
    collisionProbability: collisionProbability(visited.size),
    bytesPerState: visited.bytesPerState(),
    properties: results,
  };
}
