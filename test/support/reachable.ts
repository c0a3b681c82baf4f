/** Every step of every reachable state of an actor model, by a plain search without the checker's visited set. */

import type { ActorModel, SystemAction, SystemState } from "../../checker/actors.js";

/**
 * Calls `visit` on every enabled action of every reachable state, with the state it leads to
 * (undefined when it changes nothing); returns how many distinct states were reached.
 */
export function forEachReachableStep(
  model: ActorModel,
  visit: (state: SystemState, action: SystemAction, next: SystemState | undefined) => void,
): number {
  const seen = new Set<string>();
  const queue: SystemState[] = model.initStates();
  while (queue.length > 0) {
    const state = queue.pop() as SystemState;
    const key = state.join(",");
    if (seen.has(key)) continue;
    seen.add(key);
    const actions: SystemAction[] = [];
    model.actions(state, actions);
    for (const action of actions) {
      const next = model.nextState(state, action);
      if (next !== undefined) queue.push(next);
      visit(state, action, next);
    }
  }
  return seen.size;
}
