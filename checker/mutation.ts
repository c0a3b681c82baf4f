/**
 * Rule coverage by mutation: a machine's rules are its named guards and actions (xstate v5's
 * `setup({ guards, actions })`), and a mutant breaks exactly one of them — a guard forced true,
 * forced false or negated, an action that does nothing — by substituting its implementation at run
 * time (`machine.provide`), so no source is edited and the chart stays the one the docs draw. A
 * mutant is *killed* when some model the rule runs in no longer gives its verdicts: a property
 * that held fails, an expected failure disappears, a witness becomes unreachable, or the model
 * cannot even be explored. A mutant no model kills marks a rule no property depends on, as far as
 * the models go: a gap in the models or the properties, or an equivalent mutant (one that changes
 * no behaviour), which the report must say why.
 *
 * As in mutation testing of programs (PIT, Stryker), the mutants are first-order (one rule each)
 * and the operators few and fixed, so that a campaign's score compares across changes.
 */

import { type AnyStateMachine, not } from "xstate";

/** How a mutant breaks its rule. */
export type MutationKind = "always" | "never" | "negated" | "skipped";

/** One mutant: a rule of a machine and how it is broken. */
export interface Mutation {
  /** The machine's id. */
  readonly machine: string;
  readonly rule: string;
  readonly ruleKind: "guard" | "action";
  readonly kind: MutationKind;
}

/** The mutation kinds of a guard and of an action. */
const GUARD_KINDS: readonly MutationKind[] = ["always", "never", "negated"];
const ACTION_KINDS: readonly MutationKind[] = ["skipped"];

/** A machine's named rules, sorted. */
export function rulesOf(machine: AnyStateMachine): { guards: string[]; actions: string[] } {
  const { guards, actions } = machine.implementations;
  return { guards: Object.keys(guards).sort(), actions: Object.keys(actions).sort() };
}

/** Every mutant of a machine, guards first, in name order. */
export function mutationsOf(machine: AnyStateMachine): Mutation[] {
  const { guards, actions } = rulesOf(machine);
  const of = (ruleKind: "guard" | "action", rules: readonly string[], kinds: readonly MutationKind[]) =>
    rules.flatMap((rule) => kinds.map((kind): Mutation => ({ machine: machine.id, rule, ruleKind, kind })));
  return [...of("guard", guards, GUARD_KINDS), ...of("action", actions, ACTION_KINDS)];
}

/** A mutant's name, as reports and `--only` give it: `storageNode.shouldConfirm:negated`. */
export function mutationName(mutation: Mutation): string {
  return `${mutation.machine}.${mutation.rule}:${mutation.kind}`;
}

/** The machine with the mutant's rule broken; any other machine as it is. */
export function applyMutation(machine: AnyStateMachine, mutation: Mutation): AnyStateMachine {
  if (machine.id !== mutation.machine) return machine;
  const { guards, actions } = machine.implementations;
  if (mutation.ruleKind === "guard") {
    const original = guards[mutation.rule];
    if (original === undefined) throw new RangeError(`${machine.id} has no guard ${mutation.rule}`);
    const broken = mutation.kind === "always" ? () => true : mutation.kind === "never" ? () => false : not(original);
    return machine.provide({ guards: { [mutation.rule]: broken } });
  }
  if (actions[mutation.rule] === undefined) throw new RangeError(`${machine.id} has no action ${mutation.rule}`);
  return machine.provide({ actions: { [mutation.rule]: () => {} } });
}
