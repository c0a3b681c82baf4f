/**
 * Paths through a model, two ways: as states (`Path`, what the searches return), and as data
 * (`ActionPath`): the index of its initial state and, per step, the index of the action taken among
 * the actions the model enables there. Such a path can be stored (in a trace file, a URL) and
 * followed again later to rebuild the states.
 */

import type { Fingerprint, Model } from "./model.js";

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

function sameFingerprint<S, A>(model: Model<S, A>, a: S, b: S, fa: Fingerprint, fb: Fingerprint): boolean {
  model.fingerprint(a, fa);
  model.fingerprint(b, fb);
  return fa.hi === fb.hi && fa.lo === fb.lo;
}

/** The ActionPath of a Path (actions matched by fingerprint of the state they lead to). */
export function toActionPath<S, A>(model: Model<S, A>, path: Path<S, A>): ActionPath {
  const fa: Fingerprint = { hi: 0, lo: 0 };
  const fb: Fingerprint = { hi: 0, lo: 0 };
  const init = model.initStates().findIndex((state) => sameFingerprint(model, state, path.init, fa, fb));
  if (init < 0) throw new PathError(0, "the path starts in a state that is not an initial state of the model");
  const indices: number[] = [];
  const enabled: A[] = [];
  let state = path.init;
  path.steps.forEach((step, i) => {
    enabled.length = 0;
    model.actions(state, enabled);
    const index = enabled.findIndex((action) => {
      const next = model.nextState(state, action);
      return next !== undefined && sameFingerprint(model, next, step.state, fa, fb);
    });
    if (index < 0) throw new PathError(i + 1, "no enabled action leads to the path's next state");
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
    throw new PathError(0, `initial state index ${path.init} is out of range (the model has ${inits.length})`);
  }
  const init = inits[path.init];
  const steps: PathStep<S, A>[] = [];
  const enabled: A[] = [];
  let state = init;
  path.actions.forEach((index, i) => {
    enabled.length = 0;
    model.actions(state, enabled);
    if (!Number.isInteger(index) || index < 0 || index >= enabled.length) {
      throw new PathError(i + 1, `action index ${index} is out of range (${enabled.length} actions enabled)`);
    }
    const action = enabled[index];
    const next = model.nextState(state, action);
    if (next === undefined) throw new PathError(i + 1, `action index ${index} changes nothing`);
    steps.push({ action, state: next });
    state = next;
  });
  return { init, steps };
}
