/**
 * A machine's statechart as plain data: its states (nested, parallel, final), their entry and exit
 * actions, and every transition with its event, guard, targets and actions, read from the machine
 * definition itself (`machine.root`), so that a drawing made from it cannot drift from the code.
 * Both drawings (Mermaid for the Markdown pages, Graphviz for the SVGs) are made from this.
 */

import type { AnyStateMachine, AnyStateNode } from "xstate";

/** A state's kind, as xstate's state nodes give it. */
export type ChartStateKind = "atomic" | "compound" | "parallel" | "final" | "history";

/** A state of the chart, with its children. */
export interface ChartState {
  /** The xstate id (`storageNode.storage.recovering`), unique within the machine. */
  readonly id: string;
  /** The state's name within its parent; the machine's id for the root. */
  readonly key: string;
  /** The keys from the root down; empty for the root. */
  readonly path: readonly string[];
  readonly kind: ChartStateKind;
  /** The id of the child entered first (compound states only). */
  readonly initial: string | null;
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  /** The actors the state runs while it is active. */
  readonly invoke: readonly string[];
  readonly children: readonly ChartState[];
}

/** A transition of the chart, as its source state declares it. */
export interface ChartTransition {
  /** The id of the state that declares the transition. */
  readonly source: string;
  /** The event as written in the chart; null for an eventless (`always`) transition. */
  readonly event: string | null;
  readonly guard: string | null;
  /** Ids of the states entered; empty when the transition stays where it is. */
  readonly targets: readonly string[];
  readonly actions: readonly string[];
}

/** A machine's statechart: its states from the root down and every transition. */
export interface Chart {
  readonly id: string;
  readonly root: ChartState;
  /** In definition order: by state (document order), then the state's events, then candidates. */
  readonly transitions: readonly ChartTransition[];
}

/** A guard built by xstate's combinators carries what it combines. */
interface CombinedGuard {
  readonly name: string;
  readonly check: unknown;
  readonly guards?: readonly unknown[];
  readonly stateValue?: unknown;
}

/** `{ chain: "invalid" }` → `chain.invalid`; a parallel value lists its regions with commas. */
function stateValueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value !== null && typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => {
        const rest = stateValueText(inner);
        return rest === "" ? key : `${key}.${rest}`;
      })
      .join(", ");
  }
  return "";
}

/**
 * A guard as the chart's source writes it: named guards by name, xstate's combinators as the
 * words they are called by (`and`, `or`, `not`, `in` for `stateIn`). An inline function has no
 * name worth showing, so it says so.
 */
export function guardText(guard: unknown, nested = false): string {
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") {
    const combined = guard as unknown as CombinedGuard;
    if (combined.check !== undefined) {
      const parts = (combined.guards ?? []).map((inner) => guardText(inner, true));
      switch (combined.name) {
        case "and":
        case "or": {
          const text = parts.join(` ${combined.name} `);
          return nested && parts.length > 1 ? `(${text})` : text;
        }
        case "not":
          return `not ${parts[0]}`;
        case "stateIn":
          return `in ${stateValueText(combined.stateValue)}`;
      }
    }
    return "(inline guard)";
  }
  if (guard !== null && typeof guard === "object" && "type" in guard) return String(guard.type);
  return "(inline guard)";
}

/**
 * An action by name. One written in the chart itself (`assign(…)`, `enqueueActions(…)`) has no
 * name, only its creator's, and is marked inline: the auditor then reads the chart's source.
 */
export function actionText(action: unknown): string {
  if (typeof action === "string") return action;
  if (typeof action === "function" && "type" in action) {
    const type = String(action.type);
    return `${type.startsWith("xstate.") ? type.slice("xstate.".length) : type} (inline)`;
  }
  if (action !== null && typeof action === "object" && "type" in action) return String(action.type);
  return "(inline action)";
}

/** xstate's internal event names (`xstate.after.1000.id`, `xstate.done.state.id`) as a chart writes them. */
export function eventText(eventType: string): string {
  const after = /^xstate\.after\.(.+?)\.(?:.+)$/.exec(eventType);
  if (after) return `after ${after[1]}`;
  const done = /^xstate\.done\.(state|actor)\.(.+)$/.exec(eventType);
  if (done) return done[1] === "state" ? "onDone" : `done.${done[2]}`;
  const error = /^xstate\.error\.actor\.(.+)$/.exec(eventType);
  if (error) return `error.${error[1]}`;
  return eventType;
}

/**
 * Whether an action is xstate's own bookkeeping for a delayed transition (`after`): raising the
 * delayed event on entry, cancelling it on exit. The transition itself is drawn; these are not.
 */
function isDelayBookkeeping(action: unknown): boolean {
  if (typeof action !== "function") return false;
  const { id, sendId } = action as { id?: unknown; sendId?: unknown };
  return [id, sendId].some((value) => typeof value === "string" && value.startsWith("xstate.after."));
}

/** An invoked actor by its id, and by its logic's name when that is named in `setup`. */
function invokeText(definition: { readonly id?: unknown; readonly src?: unknown }): string {
  const named = (value: unknown) =>
    typeof value === "string" && !value.startsWith("xstate.") && !value.includes(":invocation[") ? value : null;
  const id = named(definition.id);
  const src = named(definition.src);
  if (id !== null && src !== null && id !== src) return `${id} (${src})`;
  return id ?? src ?? "(inline actor)";
}

function stateOf(node: AnyStateNode): ChartState {
  const children = Object.values(node.states as Record<string, AnyStateNode>).map(stateOf);
  const initialTarget = node.type === "compound" ? node.initial?.target?.[0] : undefined;
  return {
    id: node.id,
    key: node.key,
    path: [...node.path],
    kind: node.type,
    initial: initialTarget === undefined ? null : initialTarget.id,
    entry: node.entry.filter((action) => !isDelayBookkeeping(action)).map(actionText),
    exit: node.exit.filter((action) => !isDelayBookkeeping(action)).map(actionText),
    invoke: node.invoke.map(invokeText),
    children,
  };
}

function transitionsOf(node: AnyStateNode): ChartTransition[] {
  const own: ChartTransition[] = [];
  const add = (
    event: string | null,
    definition: {
      readonly guard?: unknown;
      readonly target?: readonly AnyStateNode[] | undefined;
      readonly actions: readonly unknown[];
    },
  ) =>
    own.push({
      source: node.id,
      event,
      guard: definition.guard === undefined ? null : guardText(definition.guard),
      targets: (definition.target ?? []).map((target) => target.id),
      actions: definition.actions.map(actionText),
    });
  for (const [eventType, candidates] of node.transitions) {
    for (const candidate of candidates) add(eventText(eventType), candidate);
  }
  for (const candidate of node.always ?? []) add(null, candidate);
  return [...own, ...Object.values(node.states as Record<string, AnyStateNode>).flatMap(transitionsOf)];
}

/** The chart of a machine. */
export function chartOf(machine: AnyStateMachine): Chart {
  return { id: machine.id, root: stateOf(machine.root), transitions: transitionsOf(machine.root) };
}

/** Every state of the chart, the root first, in document order. */
export function statesOf(chart: Chart): ChartState[] {
  const all: ChartState[] = [];
  const visit = (state: ChartState) => {
    all.push(state);
    state.children.forEach(visit);
  };
  visit(chart.root);
  return all;
}

/** `Event [guard] / action, action`, the UML way of labelling a transition. */
export function transitionLabel(transition: ChartTransition): string {
  const guard = transition.guard === null ? "" : ` [${transition.guard}]`;
  const actions = transition.actions.length === 0 ? "" : ` / ${transition.actions.join(", ")}`;
  return `${transition.event ?? "always"}${guard}${actions}`;
}

/** A state as the pages and tables name it: its path from the root, or the machine's id in parentheses. */
export const stateKey = (state: ChartState): string =>
  state.path.length === 0 ? `(${state.key})` : state.path.join(".");

/** A state's name as the drawings write it. */
export const stateLabel = (state: ChartState) => (state.kind === "history" ? `${state.key} (history)` : state.key);

/** Whether a state is drawn as a box of its own (not a cluster of others). */
export const isLeaf = (state: ChartState) => state.children.length === 0;

/**
 * Whether a composite state is drawn with a box of its own (`key.*`): where its entry and exit
 * actions and its own transitions (taken in any of its states that does not take the event
 * itself) start, since a transition cannot start from a cluster's border in either drawing.
 */
export function hasOwnBox(chart: Chart, state: ChartState): boolean {
  if (isLeaf(state)) return false;
  return (
    state.entry.length + state.exit.length + state.invoke.length > 0 ||
    chart.transitions.some((t) => t.source === state.id)
  );
}

/** The name of a composite state's own box. */
export const ownBoxLabel = (state: ChartState) => `${state.key}.*`;

/**
 * What is written inside a state's box (a leaf's or a composite's own): its entry and exit
 * actions, the actors it invokes, and the transitions that stay in it, UML's internal transitions,
 * which would otherwise be loops.
 */
export function internalLines(chart: Chart, state: ChartState): string[] {
  return [
    ...(state.entry.length === 0 ? [] : [`entry / ${state.entry.join(", ")}`]),
    ...(state.invoke.length === 0 ? [] : [`invoke / ${state.invoke.join(", ")}`]),
    ...(state.exit.length === 0 ? [] : [`exit / ${state.exit.join(", ")}`]),
    ...chart.transitions.filter((t) => t.source === state.id && t.targets.length === 0).map(transitionLabel),
  ];
}
