/**
 * Breadth-first exploration: every reachable state once (by fingerprint), so the first violation
 * found has a shortest path. States of the current frontier are kept whole; visited states only as
 * fingerprints with a parent link, from which a path is rebuilt by replaying actions.
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

export interface BfsOptions {
  /** Stop after this many unique states. */
  readonly maxStates?: number;
  /** Do not expand states deeper than this. */
  readonly maxDepth?: number;
  /** Keep exploring after every property is decided (to count the whole state space). Default true. */
  readonly exhaustive?: boolean;
}

export interface BfsReport<S, A> {
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

/** Explores `model` breadth-first and checks its properties. */
export function checkBfs<S, A>(model: Model<S, A>, options: BfsOptions = {}): BfsReport<S, A> {
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const exhaustive = options.exhaustive ?? true;
  const properties = model.properties;
  const found = new Array<number>(properties.length).fill(-1); // entry index deciding each property
  const visited = new VisitedSet();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const inits = model.initStates();
  let frontier: Array<[S, number]> = [];
  let generated = 0;
  let depth = 0;
  let stoppedBy: BfsReport<S, A>["stoppedBy"];

  const visit = (state: S, parent: number): boolean => {
    generated++;
    model.fingerprint(state, fp);
    const index = visited.insert(fp, parent);
    if (index === ALREADY_VISITED) return true;
    properties.forEach((property: Property<S>, p) => {
      if (found[p] !== -1) return;
      const holds = property.holds(state);
      if ((property.kind === "always" && !holds) || (property.kind === "sometimes" && holds)) found[p] = index;
    });
    if (model.withinBoundary === undefined || model.withinBoundary(state)) frontier.push([state, index]);
    if (visited.size >= maxStates) {
      stoppedBy = "maxStates";
      return false;
    }
    return true;
  };
  const decided = () => found.every((index) => index !== -1);

  let going = inits.every((state) => visit(state, -1));
  const actions: A[] = [];
  while (going && frontier.length > 0 && (exhaustive || !decided())) {
    if (depth >= maxDepth) {
      stoppedBy = "maxDepth";
      break;
    }
    const current = frontier;
    frontier = [];
    depth++;
    for (const [state, index] of current) {
      actions.length = 0;
      model.actions(state, actions);
      for (const action of actions) {
        const next = model.nextState(state, action);
        if (next !== undefined && !visit(next, index)) {
          going = false;
          break;
        }
      }
      if (!going) break;
    }
  }
  if (frontier.length === 0 && stoppedBy === undefined) depth = Math.max(0, depth - 1);

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
    maxDepth: depth,
    complete: stoppedBy === undefined && frontier.length === 0,
    ...(stoppedBy ? { stoppedBy } : {}),
    collisionProbability: collisionProbability(visited.size),
    bytesPerState: visited.bytesPerState(),
    properties: results,
  };
}
