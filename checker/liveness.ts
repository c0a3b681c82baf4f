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
import { VisitedSet } from "./visited.js";
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
  /** The state's fingerprint. */
  readonly hi: number;
  readonly lo: number;
  readonly via: A | undefined;
  readonly actions: A[];
  next: number;
  successors: number;
}

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
  // States pushed so far (on the stack or done), by fingerprint; those on the stack, counted by the
  // high word of their fingerprint, so that most states seen before are told off the stack at once.
  const seen = new VisitedSet();
  const onStack = new Map<number, number>();
  const fp: Fingerprint = { hi: 0, lo: 0 };
  const stackIndexOf = (hi: number, lo: number): number => {
    if (!onStack.has(hi)) return -1;
    return stack.findIndex((frame) => frame.hi === hi && frame.lo === lo);
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
        uniqueStates: seen.size,
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
        model.fingerprint(next, fp);
        if (stackIndexOf(fp.hi | 0, fp.lo | 0) >= 0) closes = true;
      }
      if (successors > 0 && !closes) return candidate;
    }
    return all;
  };
  const transient = model.transient;
  const kept = (state: S): S => (transient === undefined ? state : transient.keep(state));
  /** Pushes `state`, whose fingerprint is (hi, lo). */
  const push = (state: S, hi: number, lo: number, via: A | undefined) => {
    seen.add(hi, lo);
    onStack.set(hi, (onStack.get(hi) ?? 0) + 1);
    let actions: A[] = [];
    const expand = stack.length < maxDepth && (model.withinBoundary?.(state) ?? true);
    if (expand) {
      model.actions(state, actions);
      if (ampleSets) actions = ample(state, actions);
    } else complete = false;
    // A state not expanded is not quiescent: mark it as having successors.
    stack.push({ state, hi, lo, via, actions, next: 0, successors: expand ? 0 : 1 });
  };
  const pathOfStack = (extra?: PathStep<S, A>): Path<S, A> => ({
    init: stack[0].state,
    steps: [
      ...stack.slice(1).map((frame) => ({ action: frame.via as A, state: frame.state })),
      ...(extra ? [extra] : []),
    ],
  });

  for (const init of model.initStates()) {
    model.fingerprint(init, fp);
    if (holds(init) || seen.has(fp.hi, fp.lo)) continue;
    push(init, fp.hi | 0, fp.lo | 0, undefined);
    while (stack.length > 0) {
      if (mustStop()) return { holds: true, complete: false, states: seen.size, stoppedBy: watch.reason as StopReason };
      if (watch.yieldDue) {
        watch.yieldDue = false;
        yield;
      }
      const frame = stack[stack.length - 1];
      if (frame.next >= frame.actions.length) {
        if (frame.successors === 0)
          return { holds: false, violation: "quiescent", path: pathOfStack(), states: seen.size };
        const left = (onStack.get(frame.hi) as number) - 1;
        if (left === 0) onStack.delete(frame.hi);
        else onStack.set(frame.hi, left);
        stack.pop();
        continue;
      }
      const action = frame.actions[frame.next++];
      // Into the model's scratch where it has some: copied only where it is kept (pushed, or in a path).
      const next = transient === undefined ? model.nextState(frame.state, action) : transient.next(frame.state, action);
      if (next === undefined) continue;
      frame.successors++;
      model.fingerprint(next, fp);
      const hi = fp.hi | 0;
      const lo = fp.lo | 0;
      // Only states where the property does not hold are ever seen: a state seen needs no asking.
      const known = seen.has(hi, lo);
      if (!known && holds(next)) continue;
      if (known) {
        const loopStart = stackIndexOf(hi, lo);
        // Seen and off the stack: done already.
        if (loopStart < 0) continue;
        return {
          holds: false,
          violation: "lasso",
          path: pathOfStack({ action, state: kept(next) }),
          loopStart,
          states: seen.size,
        };
      }
      if (seen.size >= maxStates) {
        complete = false;
        continue;
      }
      push(kept(next), hi, lo, action);
    }
  }
  return { holds: true, complete, states: seen.size };
}
