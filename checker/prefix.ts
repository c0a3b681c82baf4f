/**
 * An actor model explored from a later starting point: the system first runs along one schedule
 * until a goal holds, and the search starts in the state it reached. A model of what happens after
 * some point (a write's point of availability, say) then leaves out the interleavings of the run
 * before it, which models that start at the beginning cover.
 *
 * The schedule is a ranking of actions: at each step the first enabled action of the lowest rank
 * that changes the state is taken, in the model's order of actions (oldest message first); an
 * action without a rank is never taken. A run that stops short of the goal, or does not reach it
 * within its step limit, is a {@link ModelError} naming the model.
 */

import {
  ActorModel,
  type ActorModelSpec,
  type Message,
  type SystemAction,
  type SystemState,
  type SystemView,
} from "./actors.js";
import { ModelError } from "./errors.js";

/** How the run before the starting point chooses its actions. */
export interface Prefix {
  /** Where the search starts: the first state of the run where this holds. */
  readonly goal: (view: SystemView) => boolean;
  /**
   * The action's rank (0 first), or undefined if the run never takes it. A delivery comes with
   * its message.
   */
  readonly rank: (action: SystemAction, message: Message | undefined) => number | undefined;
  /** Steps the run may take before it is given up (default 1 000). */
  readonly maxSteps?: number;
  /** What the error says when the run fails (default "the run does not reach its starting point"). */
  readonly failure?: string;
}

/** An actor model whose search starts where a run along the `prefix` schedule first meets its goal. */
export class ActorModelAfterPrefix extends ActorModel {
  private readonly start: SystemState;

  constructor(spec: ActorModelSpec, prefix: Prefix) {
    super(spec);
    const maxSteps = prefix.maxSteps ?? 1_000;
    const rankOf = (action: SystemAction) =>
      prefix.rank(action, action.kind === "deliver" ? this.message(action.message) : undefined);
    let [state] = super.initStates();
    for (let steps = 0; !prefix.goal(this.view(state)); steps++) {
      const actions: SystemAction[] = [];
      this.actions(state, actions);
      // The ranked actions, lowest rank first, in the model's order within a rank (a stable sort).
      const ranked = actions
        .map((action) => ({ action, rank: rankOf(action) }))
        .filter((entry): entry is { action: SystemAction; rank: number } => entry.rank !== undefined)
        .sort((a, b) => a.rank - b.rank);
      let next: SystemState | undefined;
      for (const { action } of ranked) {
        next = this.nextState(state, action);
        if (next !== undefined) break;
      }
      if (next === undefined || steps >= maxSteps) {
        throw new ModelError(`${spec.name}: ${prefix.failure ?? "the run does not reach its starting point"}`);
      }
      state = next;
    }
    this.start = state;
  }

  override initStates(): SystemState[] {
    return [this.start];
  }
}
