/**
 * Replay of an ITF trace against the model it came from (`walrus-spec replay`): each step's action
 * and state are checked against the trace, then the verdict is reproduced (an invariant fails at
 * the end, a witness holds, an `eventually` violation ends quiescent or closes its lasso), so that
 * a counterexample in a report can be confirmed by anyone with the model, and a trace that no
 * longer matches a changed model says at which step it parts.
 */

import type { Model } from "../model.js";
import { PathError, followActionPath } from "../path.js";
import type { Path, PathStep } from "../path.js";
import { type ItfTrace, describer, tracedProperty } from "./itf.js";
import { decodeItf, encodeItf } from "./itf-values.js";
import { actionLabel } from "./steps.js";
import { canonical, diffValues } from "./values.js";

/** What replaying a trace found. */
export interface ReplayResult<S, A> {
  /** The trace's verdict is reproduced: every step matches and the property fails (or holds) at the end. */
  readonly confirmed: boolean;
  /** Steps in the trace. */
  readonly steps: number;
  /** The path as far as it could be followed (up to and including a diverging step when it exists);
   *  absent when not even the initial state could be found. */
  readonly path?: Path<S, A>;
  /** The first step where the model and the trace disagree (0 = the initial state). */
  readonly divergence?: { readonly step: number; readonly reason: string };
}

/**
 * Follows the trace's action indices in `model` and checks, step by step, that the action has the
 * recorded label and leads to the recorded state, then that the recorded verdict is reproduced:
 * an invariant fails in the last state, or a witness property holds there. A model that cannot
 * describe its states, or has no property with the trace's id and kind, is a `TraceError`
 * (trace-error.ts): there is nothing to replay against.
 */
export function replayTrace<S, A>(model: Model<S, A>, trace: ItfTrace): ReplayResult<S, A> {
  const describe = describer(model);
  const meta = trace["#meta"];
  const property = tracedProperty(model, { id: meta.property, kind: meta.kind });
  const steps = meta.actionPath.actions.length;
  let path: Path<S, A>;
  let stuck: PathError | undefined;
  try {
    path = followActionPath(model, meta.actionPath);
  } catch (error) {
    if (!(error instanceof PathError)) throw error;
    if (error.step === 0) return { confirmed: false, steps, divergence: { step: 0, reason: error.message } };
    stuck = error;
    // Everything before the step that cannot be taken is still checked, so the first divergence is reported.
    path = followActionPath(model, { ...meta.actionPath, actions: meta.actionPath.actions.slice(0, error.step - 1) });
  }
  const diverge = (step: number, reason: string): ReplayResult<S, A> => ({
    confirmed: false,
    steps,
    path: { init: path.init, steps: path.steps.slice(0, step) },
    divergence: { step, reason },
  });
  const differs = (state: S, index: number): string | undefined => {
    const recorded = trace.states[index];
    const live = describe(state);
    const names = Object.keys(live);
    if (names.length !== trace.vars.length || names.some((name) => !trace.vars.includes(name))) {
      return `the model's variables (${names.join(", ")}) are not the trace's (${trace.vars.join(", ")})`;
    }
    const changes: string[] = [];
    for (const name of trace.vars) {
      diffValues(name, decodeItf(recorded[name]), decodeItf(encodeItf(live[name], name)), changes);
    }
    return changes.length === 0
      ? undefined
      : `the state differs from the trace (trace → replay): ${changes.join("; ")}`;
  };

  const initial = differs(path.init, 0);
  if (initial !== undefined) return diverge(0, initial);
  for (const [i, step] of path.steps.entries()) {
    const label = actionLabel(model, step.action);
    if (label !== meta.actions[i]) {
      return diverge(
        i + 1,
        `action index ${meta.actionPath.actions[i]} is ${JSON.stringify(label)} in the model, ${JSON.stringify(meta.actions[i])} in the trace`,
      );
    }
    const reason = differs(step.state, i + 1);
    if (reason !== undefined) return diverge(i + 1, reason);
  }
  if (stuck) return diverge(stuck.step, stuck.message);

  const last: S = path.steps.length > 0 ? (path.steps.at(-1) as PathStep<S, A>).state : path.init;
  const holds = property.holds(last);
  if (meta.kind === "always" && holds) {
    return diverge(steps, `${property.name} holds in the last state: the violation is not reproduced`);
  }
  if (meta.kind === "sometimes" && !holds) {
    return diverge(steps, `${property.name} does not hold in the last state: the witness is not reproduced`);
  }
  if (meta.kind === "eventually") {
    const states = [path.init, ...path.steps.map((step) => step.state)];
    const reached = states.findIndex((state) => property.holds(state));
    if (reached >= 0)
      return diverge(reached, `${property.name} holds at step ${reached}: the violation is not reproduced`);
    if (trace.loop !== undefined) {
      if (canonical(describe(last)) !== canonical(describe(states[trace.loop]))) {
        return diverge(steps, `the last state is not state ${trace.loop}: the lasso does not close`);
      }
    } else {
      const enabled: A[] = [];
      model.actions(last, enabled);
      if (enabled.some((action) => model.nextState(last, action) !== undefined)) {
        return diverge(steps, "the last state is not quiescent: an action can still change it");
      }
    }
  }
  return { confirmed: true, steps, path };
}
