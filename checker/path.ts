/**
 * Paths as plain data: an initial-state index and one action index per step, into the model's own
 * deterministic orders. Such a path survives JSON (a simulation report, a CI artifact) and is turned
 * back into states by replaying it against the model.
 */

import type { Fingerprint, Model } from "./model.js";
import type { Path, PathStep } from "./search.js";

/** A path as data: which initial state (index into model.initStates()) and, per step, the index of the
 *  action taken among model.actions(state) (their deterministic order). */
export interface ActionPath {
  readonly init: number;
  readonly actions: readonly number[];
}

/** Typed error for a path that cannot be followed; `step` is 1-based (0 = the initial state). */
export class PathError extends Error {
  readonly step: number;
  constructor(step: number, message: string) {
    super(message);
    this.name = "PathError";
    this.step = step;
  }
}

function sameState<S, A>(model: Model<S, A>, a: S, b: S, fa: Fingerprint, fb: Fingerprint): boolean {
  model.fingerprint(a, fa);
  model.fingerprint(b, fb);
  return fa.hi >>> 0 === fb.hi >>> 0 && fa.lo >>> 0 === fb.lo >>> 0;
}

/** The ActionPath of a Path (actions matched by fingerprint of the state they lead to). */
export function toActionPath<S, A>(model: Model<S, A>, path: Path<S, A>): ActionPath {
  const fa: Fingerprint = { hi: 0, lo: 0 };
  const fb: Fingerprint = { hi: 0, lo: 0 };
  const init = model.initStates().findIndex((state) => sameState(model, state, path.init, fa, fb));
  if (init === -1) throw new PathError(0, "the path starts from a state that is not an initial state");
  const indices: number[] = [];
  const actions: A[] = [];
  let state = path.init;
  path.steps.forEach((step, i) => {
    actions.length = 0;
    model.actions(state, actions);
    const index = actions.findIndex((action) => {
      const next = model.nextState(state, action);
      return next !== undefined && sameState(model, next, step.state, fa, fb);
    });
    if (index === -1) throw new PathError(i + 1, `step ${i + 1}: no enabled action leads to the path's state`);
    indices.push(index);
    state = step.state;
  });
  return { init, actions: indices };
}

/** Rebuilds the Path an ActionPath denotes; PathError when an init/action index is out of range or an
 *  action changes nothing (nextState undefined). */
export function followActionPath<S, A>(model: Model<S, A>, path: ActionPath): Path<S, A> {
  const inits = model.initStates();
  if (!Number.isInteger(path.init) || path.init < 0 || path.init >= inits.length) {
    throw new PathError(0, `initial state ${path.init} is out of range (the model has ${inits.length})`);
  }
  const init = inits[path.init];
  const steps: PathStep<S, A>[] = [];
  const actions: A[] = [];
  let state = init;
  path.actions.forEach((index, i) => {
    actions.length = 0;
    model.actions(state, actions);
    if (!Number.isInteger(index) || index < 0 || index >= actions.length) {
      throw new PathError(i + 1, `step ${i + 1}: action ${index} is out of range (${actions.length} enabled)`);
    }
    const action = actions[index];
    const next = model.nextState(state, action);
    if (next === undefined) throw new PathError(i + 1, `step ${i + 1}: action ${index} changes nothing`);
    steps.push({ action, state: next });
    state = next;
  });
  return { init, steps };
}
