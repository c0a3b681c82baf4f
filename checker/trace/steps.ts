/**
 * A path as numbered steps, the form of a counterexample an auditor reads first: each step's
 * action as the model names it, then what it changed (checker/trace/values.ts), as Stateright's
 * and TLC's error traces list one state per step.
 */

import type { Model } from "../model.js";
import type { Path } from "../path.js";
import { diffStates, formatValue } from "./values.js";

/** The readable name of an action: the model's own, or the action's value written out. */
export function actionLabel<S, A>(model: Model<S, A>, action: A): string {
  return model.formatAction ? model.formatAction(action) : formatValue(action);
}

/** How numbered steps are written. */
export interface FormatPathOptions {
  /** The initial state's values are cut to this many characters (default 120). */
  readonly maxValueLength?: number;
}

/**
 * The path as numbered lines: step 0 lists the initial state's variables, each later step gives
 * its action (`  3. RM1 → TM: Prepared`) followed by what it changed (`RM1.state: "working" →
 * "prepared"`; sets and lists as added/removed elements when that is shorter).
 */
export function formatPath<S, A>(model: Model<S, A>, path: Path<S, A>, options: FormatPathOptions = {}): string[] {
  const maxValueLength = options.maxValueLength ?? 120;
  const width = String(path.steps.length).length;
  const number = (step: number) => `  ${String(step).padStart(width)}. `;
  const indent = " ".repeat(width + 4);
  const lines = [`${number(0)}initial state`];
  const describe = model.describe?.bind(model);
  let before = describe?.(path.init);
  if (before) {
    for (const [name, value] of Object.entries(before)) {
      const text = formatValue(value);
      const shown = text.length > maxValueLength ? `${text.slice(0, maxValueLength - 1)}…` : text;
      lines.push(`${indent}${name}: ${shown}`);
    }
  }
  path.steps.forEach((step, i) => {
    lines.push(`${number(i + 1)}${actionLabel(model, step.action)}`);
    if (!describe || !before) return;
    const after = describe(step.state);
    const changes = diffStates(before, after);
    lines.push(...(changes.length > 0 ? changes : ["(no visible change)"]).map((line) => `${indent}${line}`));
    before = after;
  });
  return lines;
}
