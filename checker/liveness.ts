/**
 * `eventually` properties. A behaviour satisfies "eventually P" when P holds at some state of it; it
 * violates it by stopping in a quiescent state (no action changes anything: on an asynchronous
 * reliable network, the point where everything in flight has been delivered) or by cycling for
 * ever, with P false all along. Both are found by one depth-first search over the states where P
 * does not hold: a state without successors is a quiescent violation, an edge back to a state on
 * the search stack closes a lasso. No fairness is assumed: a cycle that some scheduler could
 * avoid is still reported, since an asynchronous network gives no such guarantee.
 */

import type { Fingerprint, Model, SearchProgress } from "./model.js";
import type { Path, PathStep } from "./path.js";
import { type StopReason, Watch, type WatchOptions, runToEnd } from "./watch.js";

/** An `eventually` property's verdict: it holds, or a path to a quiescent state or a lasso where it never does. */
export type LivenessResult<S, A> =
  | {
      readonly holds: true;
      readonly complete: boolean;
      readonly states: number;
      /** What stopped the check before it was complete, besides its bounds. */
      readonly stoppedBy?: StopReason;
    }
  | {
      readonly holds: false;
      /** `quiescent`: the path ends where nothing more can happen; `lasso`: it ends in a cycle. */
      readonly violation: "quiescent" | "lasso";
      /** The path; for a lasso its last step returns to state `loopStart` (0 = the initial state). */
      readonly path: Path<S, A>;
      readonly loopStart?: number;
      readonly states: number;
    };

/** Bounds of the liveness check; what else stops it (the time, the heap, a request: {@link WatchOptions}). */
export interface LivenessOptions extends WatchOptions {
  /** Paths longer than this are not followed (the answer is then incomplete). */
  readonly maxDepth?: number;
  /** Stop after this many states (the answer is then incomplete). */
  readonly maxStates?: number;
  /** Partial-order reduction where the model offers ample sets. Default true. */
  readonly reduction?: boolean;
  /** Called about every quarter second with the check's progress (as a search's). */
  readonly onProgress?: (progress: SearchProgress) => void;
}

interface Frame<S, A> {
  readonly state: S;
  readonly key: string;
  readonly via: A | undefined;
  readonly actions: A[];
  next: number;
  successors: number;
}

const ON_STACK = 1;
const DONE = 2;

/** Checks `eventually holds` over every behaviour of `model`. */
export function checkEventually<S, A>(
  model: Model<S, A>,
  holds: (state: S) => boolean,
  options: LivenessOptions = {},
): LivenessResult<S, A> {
  return runToEnd(eventuallySteps(model, holds, options));
}

/**
 * {@link checkEventually} as a generator that pauses (a `yield`) wherever its watch asks for a
 * turn of the event loop (the asynchronous search).
 */
export function* eventuallySteps<S, A>(
  model: Model<S, A>,
  holds: (state: S) => boolean,
  options: LivenessOptions = {},
): Generator<void, LivenessResult<S, A>, void> {
  const maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
  const maxStates = options.maxStates ?? Number.POSITIVE_INFINITY;
  const colour = new Map<string, number>();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const keyOf = (state: S) => {
    model.fingerprint(state, fp);
    return `${fp.hi}:${fp.lo}`;
  };
  let complete = true;
  const stack: Frame<S, A>[] = [];
  const watch = new Watch(options);
  let steps = 0;
  let lastProgress = watch.started;
  /** Whether the check must stop (as the watch says); tells the progress on the way. */
  const mustStop = (): boolean => {
    steps++;
    if (!watch.due()) return false;
    const reason = watch.look();
    const now = watch.now;
    if (options.onProgress && now - lastProgress >= 250) {
      lastProgress = now;
      options.onProgress({
        generatedStates: steps,
        uniqueStates: colour.size,
        depth: stack.length,
        queue: stack.length,
        elapsedMs: now - watch.started,
      });
    }
    return reason !== undefined;
  };
  const ampleSets = (options.reduction ?? true) ? model.ampleSets?.bind(model) : undefined;
  // An ample set is taken only if it leads somewhere and none of its successors is on the stack
  // (the cycle proviso of depth-first search); otherwise every action is.
  const ample = (state: S, all: A[]): A[] => {
    for (const candidate of (ampleSets as NonNullable<typeof ampleSets>)(state, all)) {
      let successors = 0;
      let closes = false;
      for (const action of candidate) {
        const next = model.nextState(state, action);
        if (next === undefined) continue;
        successors++;
        if (colour.get(keyOf(next)) === ON_STACK) closes = true;
      }
      if (successors > 0 && !closes) return candidate;
    }
    return all;
  };
  const push = (state: S, key: string, via: A | undefined) => {
    colour.set(key, ON_STACK);
    let actions: A[] = [];
    const expand = stack.length < maxDepth && (model.withinBoundary?.(state) ?? true);
    if (expand) {
      model.actions(state, actions);
      if (ampleSets) actions = ample(state, actions);
    } else complete = false;
    // A state not expanded is not quiescent: mark it as having successors.
    stack.push({ state, key, via, actions, next: 0, successors: expand ? 0 : 1 });
  };
  const pathOfStack = (extra?: PathStep<S, A>): Path<S, A> => ({
    init: stack[0].state,
    steps: [
      ...stack.slice(1).map((frame) => ({ action: frame.via as A, state: frame.state })),
      ...(extra ? [extra] : []),
    ],
  });

  for (const init of model.initStates()) {
    const key = keyOf(init);
    if (holds(init) || colour.has(key)) continue;
    push(init, key, undefined);
    while (stack.length > 0) {
      if (mustStop())
        return { holds: true, complete: false, states: colour.size, stoppedBy: watch.reason as StopReason };
      if (watch.yieldDue) {
        watch.yieldDue = false;
        yield;
      }
      const frame = stack[stack.length - 1];
      if (frame.next >= frame.actions.length) {
        if (frame.successors === 0)
          return { holds: false, violation: "quiescent", path: pathOfStack(), states: colour.size };
        colour.set(frame.key, DONE);
        stack.pop();
        continue;
      }
      const action = frame.actions[frame.next++];
      const next = model.nextState(frame.state, action);
      if (next === undefined) continue;
      frame.successors++;
      if (holds(next)) continue;
      const nextKey = keyOf(next);
      const seen = colour.get(nextKey);
      if (seen === ON_STACK) {
        const loopStart = stack.findIndex((f) => f.key === nextKey);
        return {
          holds: false,
          violation: "lasso",
          path: pathOfStack({ action, state: next }),
          loopStart,
          states: colour.size,
        };
      }
      if (seen === DONE) continue;
      if (colour.size >= maxStates) {
        complete = false;
        continue;
      }
      push(next, nextKey, action);
    }
  }
  return { holds: true, complete, states: colour.size };
}
