/**
 * Rule coverage by mutation: a machine's rules are its named guards and actions (xstate v5's
 * `setup({ guards, actions })`), and a mutant breaks exactly one of them — a guard forced true,
 * forced false or negated, a guard that compares a weight with one of Walrus's two thresholds
 * (`isQuorum`, `isAboveValidity`) with that threshold one shard lower, an action that does nothing —
 * by substituting its implementation at run time (`machine.provide`), so no source is edited and
 * the chart stays the one the docs draw. A mutant is *killed* when some model the rule runs in no
 * longer gives its verdicts: a property that held fails, an expected failure disappears, a witness
 * becomes unreachable. A mutant no model kills marks a rule no property depends on, as far as the
 * models go: a gap in the models or the properties, or an equivalent mutant (one that changes no
 * behaviour), which the report must say why.
 *
 * As in mutation testing of programs (PIT, Stryker), the mutants are first-order (one rule each)
 * and the operators few and fixed, so that a campaign's score compares across changes.
 *
 * A run of the unmutated machines can be *observed* ({@link observeRules}): which guards it
 * evaluated and with which outcomes, which of them read a threshold, which actions it ran. A mutant
 * whose rule, in that run, never did anything the mutant would do differently changes nothing in
 * that model ({@link canDiffer}), so a campaign need not search it there.
 */

import type { AnyStateMachine } from "xstate";
import { localTransitionNumber } from "./actors.js";
import { ModelError, NeverEndingTransition } from "./errors.js";
import { thresholdReads, withThresholdsLowered } from "../spec/params.js";

/** How a mutant breaks its rule. */
export type MutationKind = "always" | "never" | "negated" | "lowered" | "skipped";

/** One mutant: a rule of a machine and how it is broken. */
export interface Mutation {
  /** The machine's id. */
  readonly machine: string;
  readonly rule: string;
  readonly ruleKind: "guard" | "action";
  readonly kind: MutationKind;
}

/** The mutation kinds of a guard (a threshold guard also has `lowered`) and of an action. */
const GUARD_KINDS: readonly MutationKind[] = ["always", "never", "negated"];
const ACTION_KINDS: readonly MutationKind[] = ["skipped"];

/**
 * The action every machine sends with. The network reads a `send` from the chart's reference (its
 * name and params), not from its implementation, so it is transport rather than a rule: which
 * sends happen is decided by the guards and the chart around them.
 */
const TRANSPORT = "send";

/** A machine's named rules, by its id. */
export interface MachineRules {
  readonly id: string;
  readonly guards: readonly string[];
  readonly actions: readonly string[];
}

/** A machine's named rules, sorted (the transport action left out). */
export function rulesOf(machine: AnyStateMachine): MachineRules {
  const { guards, actions } = machine.implementations;
  return {
    id: machine.id,
    guards: Object.keys(guards).sort(),
    actions: Object.keys(actions)
      .filter((name) => name !== TRANSPORT)
      .sort(),
  };
}

/**
 * Every mutant of a machine's rules, guards first, in name order; `thresholdGuards`: the guards
 * that read a threshold (as an observed run found them), which also get a `lowered` mutant.
 */
export function mutationsOf(rules: MachineRules, thresholdGuards: ReadonlySet<string> = new Set()): Mutation[] {
  const { id, guards, actions } = rules;
  const guardKinds = (rule: string) => (thresholdGuards.has(rule) ? [...GUARD_KINDS, "lowered" as const] : GUARD_KINDS);
  return [
    ...guards.flatMap((rule) =>
      guardKinds(rule).map((kind): Mutation => ({ machine: id, rule, ruleKind: "guard", kind })),
    ),
    ...actions.flatMap((rule) =>
      ACTION_KINDS.map((kind): Mutation => ({ machine: id, rule, ruleKind: "action", kind })),
    ),
  ];
}

/** A mutant's name, as reports and `--only` give it: `storageNode.shouldConfirm:negated`. */
export function mutationName(mutation: Omit<Mutation, "ruleKind">): string {
  return `${mutation.machine}.${mutation.rule}:${mutation.kind}`;
}

/** The mutant a name gives, or undefined when it is not one. */
export function parseMutationName(name: string): Omit<Mutation, "ruleKind"> | undefined {
  const match = /^([^.:]+)\.([^.:]+):(always|never|negated|lowered|skipped)$/.exec(name);
  if (match === null) return undefined;
  const [, machine, rule, kind] = match as unknown as [string, string, string, MutationKind];
  return { machine, rule, kind };
}

/** A guard implementation: a function, or a higher-order guard (`and`, `not`: a function with `check`). */
type GuardImplementation = ((args: unknown, params: unknown) => boolean) & {
  check?: (snapshot: unknown, args: unknown, self: unknown) => boolean;
};

/** A guard that evaluates the original through `around`, whatever kind of guard it is. */
function aroundGuard(original: unknown, around: (evaluate: () => boolean) => boolean): GuardImplementation {
  const guard = original as GuardImplementation;
  const check = guard.check;
  if (check === undefined) return (args, params) => around(() => guard(args, params));
  // xstate calls a higher-order guard's `check` with the guard itself as the holder of its params.
  const wrapped = Object.assign(() => false, guard, {
    check: (snapshot: unknown, args: unknown) => around(() => check(snapshot, args, guard)),
  });
  return wrapped as GuardImplementation;
}

/** An action that tells `ran` and then does what the original does, whatever kind of action it is. */
function aroundAction(original: unknown, ran: () => void): unknown {
  if (typeof original !== "function") return original;
  const action = original as ((...args: unknown[]) => unknown) & { resolve?: (...args: unknown[]) => unknown };
  const resolve = action.resolve;
  if (resolve === undefined) {
    return (...args: unknown[]) => {
      ran();
      return action(...args);
    };
  }
  // A built-in action (assign, enqueueActions, raise) is resolved by xstate with itself as the
  // holder of its params: a copy with the same params and a `resolve` that tells first.
  return Object.assign(() => {}, action, {
    resolve: (...args: unknown[]) => {
      ran();
      return resolve(...args);
    },
  });
}

export { NeverEndingTransition } from "./errors.js";

/** Evaluations of a broken guard in one local transition beyond which it is taken to loop forever. */
const LOOP_LIMIT = 10_000;

/**
 * A broken guard that throws once it is evaluated {@link LOOP_LIMIT} times in one local
 * transition: forced true on an eventless transition, a guard can keep xstate's macrostep from
 * ever ending, and a campaign needs that reported, not waited for.
 */
function bounded(name: string, guard: unknown): GuardImplementation {
  let transition = -1;
  let evaluations = 0;
  return aroundGuard(guard, (evaluate) => {
    const now = localTransitionNumber();
    if (now !== transition) {
      transition = now;
      evaluations = 0;
    }
    if (++evaluations > LOOP_LIMIT) {
      // The step that runs it (checker/actors/interning.ts) makes it a NeverEndingTransition
      // naming the actor, its state and the event, which this guard does not know.
      throw new ModelError(`${NeverEndingTransition.MARK}: ${name} was evaluated ${LOOP_LIMIT} times in it`);
    }
    return evaluate();
  });
}

/** The machine with the mutant's rule broken; any other machine as it is. */
export function applyMutation(machine: AnyStateMachine, mutation: Omit<Mutation, "ruleKind">): AnyStateMachine {
  if (machine.id !== mutation.machine) return machine;
  const { guards, actions } = machine.implementations;
  if (mutation.kind === "skipped") {
    if (actions[mutation.rule] === undefined || mutation.rule === TRANSPORT)
      throw new RangeError(`${machine.id} has no action ${mutation.rule}`);
    return machine.provide({ actions: { [mutation.rule]: () => {} } });
  }
  const original = guards[mutation.rule];
  if (original === undefined) throw new RangeError(`${machine.id} has no guard ${mutation.rule}`);
  const broken =
    mutation.kind === "always"
      ? () => true
      : mutation.kind === "never"
        ? () => false
        : mutation.kind === "negated"
          ? // Through `aroundGuard`, so that a guard with params is asked with them (xstate's `not`
            // would ask it without).
            aroundGuard(original, (evaluate) => !evaluate())
          : aroundGuard(original, (evaluate) => withThresholdsLowered(evaluate));
  return machine.provide({ guards: { [mutation.rule]: bounded(mutationName(mutation), broken) } });
}

/** What an observed run saw of one rule. */
export interface RuleObservation {
  /** A guard: evaluated to true at least once. */
  readonly whenTrue: boolean;
  /** A guard: evaluated to false at least once. */
  readonly whenFalse: boolean;
  /** A guard: compared a weight with a threshold at least once. */
  readonly threshold: boolean;
  /** An action: ran at least once. */
  readonly ran: boolean;
}

/** What a run saw of a rule it never ran. */
export const UNOBSERVED: RuleObservation = { whenTrue: false, whenFalse: false, threshold: false, ran: false };

/** What observed runs saw, by machine id and rule (`machine.rule`). */
export class RuleObservations {
  readonly #rules = new Map<string, { whenTrue: boolean; whenFalse: boolean; threshold: boolean; ran: boolean }>();

  #of(key: string) {
    let seen = this.#rules.get(key);
    if (seen === undefined) {
      seen = { ...UNOBSERVED };
      this.#rules.set(key, seen);
    }
    return seen;
  }

  /** Records an evaluation of the guard `key` (`machine.rule`): its outcome, and whether it read a threshold. */
  guard(key: string, outcome: boolean, readThreshold: boolean): void {
    const seen = this.#of(key);
    if (outcome) seen.whenTrue = true;
    else seen.whenFalse = true;
    if (readThreshold) seen.threshold = true;
  }

  /** Records a run of the action `key` (`machine.rule`). */
  action(key: string): void {
    this.#of(key).ran = true;
  }

  /** What was seen of `machine.rule`; nothing, if it never ran. */
  get(machine: string, rule: string): RuleObservation {
    return this.#rules.get(`${machine}.${rule}`) ?? UNOBSERVED;
  }

  /** Every rule seen, as plain data (to send between threads). */
  toJSON(): Record<string, RuleObservation> {
    return Object.fromEntries(this.#rules);
  }
}

/**
 * The machine, behaving exactly as before, telling `observations` what its rules do: each guard's
 * outcomes and whether it read a threshold, each action's runs.
 */
export function observeRules(machine: AnyStateMachine, observations: RuleObservations): AnyStateMachine {
  const { guards, actions } = rulesOf(machine);
  const implementations = machine.implementations;
  const observedGuards = Object.fromEntries(
    guards.map((rule) => [
      rule,
      aroundGuard(implementations.guards[rule], (evaluate) => {
        const reads = thresholdReads();
        const outcome = evaluate();
        observations.guard(`${machine.id}.${rule}`, outcome, thresholdReads() > reads);
        return outcome;
      }),
    ]),
  );
  const observedActions = Object.fromEntries(
    actions.map((rule) => [
      rule,
      aroundAction(implementations.actions[rule], () => observations.action(`${machine.id}.${rule}`)),
    ]),
  );
  return machine.provide({ guards: observedGuards, actions: observedActions } as Parameters<typeof machine.provide>[0]);
}

/**
 * Whether the mutant can behave differently from its rule in a model whose unmutated run made
 * `seen`. The search is deterministic: if every evaluation of the rule gives what it gave
 * unmutated, the mutant takes the same transitions from the same states, reaches the same states
 * and so evaluates the rule only where the unmutated run did. By induction over the search, a
 * guard forced true that was never false there (forced false, never true), or a rule never run
 * there, changes nothing in that model. A negated guard that ran, a lowered threshold that was
 * read, an action that ran may change something, and the model is searched.
 */
export function canDiffer(mutation: Omit<Mutation, "ruleKind">, seen: RuleObservation): boolean {
  switch (mutation.kind) {
    case "always":
      return seen.whenFalse;
    case "never":
      return seen.whenTrue;
    case "negated":
      return seen.whenTrue || seen.whenFalse;
    case "lowered":
      return seen.threshold;
    case "skipped":
      return seen.ran;
  }
}
