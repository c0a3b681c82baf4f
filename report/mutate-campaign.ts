/**
 * A rule-coverage campaign (`walrus-spec mutate`), in three steps, each plain data in and out so
 * that worker threads can run them (report/mutate-jobs.ts):
 *
 * 1. **Observe** each model unmutated ({@link observeModel}): search it as `npm run check` does,
 *    with every machine's rules observed (checker/mutation.ts), and check that it gives its
 *    verdicts — a campaign judges mutants against a model that passes.
 * 2. **Plan** ({@link planCampaign}): every mutant of every rule of every machine the models run;
 *    for each, the models where it can behave differently (`canDiffer`), cheapest first. A rule no
 *    model runs is *not reached*.
 * 3. **Run** each mutant ({@link runMutant}) against its models in that order, each searched with
 *    the search and reductions of `npm run check`, until one no longer gives its verdicts (the
 *    mutant is *killed*: a property that held fails, a witness becomes unreachable, an expected
 *    failure disappears, or the model throws), or none is left (it *survived*). A search is bounded
 *    at three times the unmutated model's states and time: a mutant that outgrows that is
 *    *undecided*, and left out of the score.
 */

import type { AnyStateMachine } from "xstate";
import { TransitionError } from "../checker/errors.js";
import { withMachineRewrite } from "../checker/actors.js";
import {
  type MachineRules,
  type Mutation,
  RuleObservations,
  type RuleObservation,
  NeverEndingTransition,
  UNOBSERVED,
  applyMutation,
  canDiffer,
  mutationName,
  mutationsOf,
  observeRules,
  rulesOf,
} from "../checker/mutation.js";
import { type SearchProgress, type SearchReport, checkModel } from "../checker/search.js";
import type { ModelEntry } from "../models/index.js";
import { buildEntry, searchBroken } from "./check-run.js";
import { UsageError } from "./errors.js";
import { expectedToFail, surprises } from "./expectations.js";

/** What the unmutated search of one model saw. */
export interface ObservedModel {
  readonly name: string;
  readonly states: number;
  readonly seconds: number;
  /** The machines it runs, with their rules. */
  readonly machines: readonly MachineRules[];
  /** What its rules did, by `machine.rule`. */
  readonly observations: Readonly<Record<string, RuleObservation>>;
}

/** One mutant of the campaign, with the models that may tell it from its rule, cheapest first. */
export interface PlannedMutant {
  readonly mutation: Mutation;
  readonly name: string;
  /** Whether any model runs the rule at all. */
  readonly reached: boolean;
  readonly candidates: readonly { readonly name: string; readonly states: number; readonly seconds: number }[];
}

/** How a model told a mutant from its rule. */
export type KilledHow = "violated" | "vacuous" | "expected failure lost" | "threw" | "hung" | "out of memory";

/** A mutant's verdict. */
export type MutantVerdict = "killed" | "survived" | "not reached" | "undecided";

/** What became of one mutant. */
export interface MutantResult {
  readonly name: string;
  readonly machine: string;
  readonly rule: string;
  readonly ruleKind: "guard" | "action";
  readonly kind: Mutation["kind"];
  readonly verdict: MutantVerdict;
  /** Killed: the model and property (or the error) that told it. */
  readonly killedBy?: { readonly model: string; readonly how: KilledHow; readonly property: string };
  /** The models searched with the mutant, in order (killed: the last one killed it). */
  readonly searched: readonly string[];
  /** Undecided: the model whose search outgrew its bound. */
  readonly outgrew?: readonly string[];
}

/** Text order, for the names and ids a report lists sorted. */
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A machine's rules merged over the models that run it (the same id may carry more rules in one). */
function mergeRules(a: MachineRules | undefined, b: MachineRules): MachineRules {
  if (a === undefined) return b;
  const union = (x: readonly string[], y: readonly string[]) => [...new Set([...x, ...y])].sort();
  return { id: a.id, guards: union(a.guards, b.guards), actions: union(a.actions, b.actions) };
}

/** Searches the unmutated model with its rules observed; a model that does not pass is refused. */
export function observeModel(entry: ModelEntry, onProgress?: (progress: SearchProgress) => void): ObservedModel {
  const observations = new RuleObservations();
  const machines = new Map<string, MachineRules>();
  const model = withMachineRewrite(
    (machine) => {
      machines.set(machine.id, mergeRules(machines.get(machine.id), rulesOf(machine)));
      return observeRules(machine, observations);
    },
    () => buildEntry(entry, { reduction: true }),
  );
  const t = performance.now();
  const report = checkModel(model, { reduction: true, ...(onProgress ? { onProgress } : {}) });
  const seconds = (performance.now() - t) / 1000;
  const { unexpected, missing } = surprises(entry, searchBroken(report));
  if (unexpected.length + missing.length > 0) {
    const what = [...unexpected.map((p) => `breaks ${p}`), ...missing.map((p) => `no longer breaks ${p}`)];
    throw new UsageError(
      `model ${entry.name} does not give its verdicts unmutated (${what.join("; ")}): a campaign judges mutants against models that pass`,
    );
  }
  return {
    name: entry.name,
    states: report.uniqueStates,
    seconds,
    machines: [...machines.values()].sort((a, b) => compareText(a.id, b.id)),
    observations: observations.toJSON(),
  };
}

/** The machines the observed models run, each with the union of its rules. */
export function machinesOf(observed: readonly ObservedModel[]): MachineRules[] {
  const machines = new Map<string, MachineRules>();
  for (const model of observed) for (const m of model.machines) machines.set(m.id, mergeRules(machines.get(m.id), m));
  return [...machines.values()].sort((a, b) => compareText(a.id, b.id));
}

/** Every mutant of the machines the models run, in name order, with the models that can tell it. */
export function planCampaign(observed: readonly ObservedModel[]): PlannedMutant[] {
  const seen = (model: ObservedModel, machine: string, rule: string) =>
    model.observations[`${machine}.${rule}`] ?? UNOBSERVED;
  const runs = (model: ObservedModel, machine: string) => model.machines.some((m) => m.id === machine);
  const byCost = [...observed].sort((a, b) => a.seconds - b.seconds || a.states - b.states);
  return machinesOf(observed)
    .flatMap((machine) => {
      const thresholds = new Set(machine.guards.filter((g) => observed.some((m) => seen(m, machine.id, g).threshold)));
      return mutationsOf(machine, thresholds);
    })
    .map((mutation): PlannedMutant => {
      const reached = observed.some((model) => {
        const s = seen(model, mutation.machine, mutation.rule);
        return s.whenTrue || s.whenFalse || s.ran;
      });
      const candidates = byCost
        .filter(
          (model) => runs(model, mutation.machine) && canDiffer(mutation, seen(model, mutation.machine, mutation.rule)),
        )
        .map(({ name, states, seconds }) => ({ name, states, seconds }));
      return { mutation, name: mutationName(mutation), reached, candidates };
    })
    .sort((a, b) => compareText(a.name, b.name));
}

/** The machine with the mutant's rule broken, if it is the mutant's machine and has the rule. */
function mutate(machine: AnyStateMachine, mutation: Mutation): AnyStateMachine {
  if (machine.id !== mutation.machine) return machine;
  const rules = rulesOf(machine);
  const has = mutation.ruleKind === "guard" ? rules.guards : rules.actions;
  return has.includes(mutation.rule) ? applyMutation(machine, mutation) : machine;
}

/** How a complete or stopped search of a mutant tells it from its rule, if it does. */
function killedIn(entry: ModelEntry, report: SearchReport<unknown, unknown>): MutantResult["killedBy"] | undefined {
  if (report.stoppedBy === "violation") {
    const property = report.properties.find((p) => !p.holds && p.kind !== "sometimes" && !expectedToFail(entry, p.id));
    if (property !== undefined) return { model: entry.name, how: "violated", property: property.id };
  }
  if (!report.complete) return undefined;
  const { unexpected, missing } = surprises(entry, searchBroken(report));
  const [broken] = unexpected;
  if (broken !== undefined) {
    const kind = report.properties.find((p) => p.id === broken)?.kind;
    return { model: entry.name, how: kind === "sometimes" ? "vacuous" : "violated", property: broken };
  }
  const [lost] = missing;
  return lost === undefined ? undefined : { model: entry.name, how: "expected failure lost", property: lost };
}

/** How much larger than the unmutated model a mutant's search may grow before it is given up. */
export const BOUND_FACTOR = 3;
/**
 * States a mutant's search may always reach, however small its model: a search of this size takes
 * a few seconds, so a mutant of a tiny model is decided rather than given up at three times a few
 * thousand states.
 */
export const BOUND_FLOOR = 100_000;

/**
 * Runs one mutant against its candidate models until one kills it. `onProgress` hears of each
 * model as its search starts (without progress) and then of the search's progress.
 */
export function runMutant(
  planned: PlannedMutant,
  entries: (name: string) => ModelEntry,
  onProgress?: (model: string, progress?: SearchProgress) => void,
): MutantResult {
  const { mutation } = planned;
  const result = { name: planned.name, ...mutation };
  if (!planned.reached) return { ...result, verdict: "not reached", searched: [] };
  const searched: string[] = [];
  for (const candidate of planned.candidates) {
    const entry = entries(candidate.name);
    searched.push(entry.name);
    onProgress?.(entry.name);
    let report: SearchReport<unknown, unknown>;
    try {
      const model = withMachineRewrite(
        (machine) => mutate(machine, mutation),
        () => entry.build({ reduction: true }),
      );
      report = checkModel(model, {
        reduction: true,
        maxStates: Math.max(BOUND_FLOOR, BOUND_FACTOR * candidate.states),
        timeoutMs: Math.max(10_000, BOUND_FACTOR * 1000 * candidate.seconds),
        stopOnViolation: (property) => !expectedToFail(entry, property),
        ...(onProgress ? { onProgress: (p: SearchProgress) => onProgress(entry.name, p) } : {}),
      });
    } catch (error) {
      // A mutant that makes the check itself fail is noticed by `npm run check` as surely.
      // A machine's failure in a step says what failed (the reason); where (actor, state, event)
      // would differ from model to model of one mutant.
      const message =
        error instanceof TransitionError ? error.reason : error instanceof Error ? error.message : String(error);
      const how =
        error instanceof NeverEndingTransition || message.includes(NeverEndingTransition.MARK) ? "hung" : "threw";
      return { ...result, verdict: "killed", killedBy: { model: entry.name, how, property: message }, searched };
    }
    const killedBy = killedIn(entry, report);
    if (killedBy !== undefined) return { ...result, verdict: "killed", killedBy, searched };
    // The search now stops before the heap is exhausted, where the thread used to die of it: the
    // same verdict as a thread stopped for its memory.
    if (report.stoppedBy === "memory") return stoppedMutant(planned, "memory", entry.name);
    // A mutant whose space outgrows the bound on the smallest model that can tell grows on the
    // larger ones too: searching them to their bounds costs the most and decides the least.
    if (!report.complete) return { ...result, verdict: "undecided", searched, outgrew: [entry.name] };
  }
  return { ...result, verdict: "survived", searched };
}

/**
 * The verdict of a mutant whose task had to be stopped while it searched `model` (the thread
 * running it sent nothing for too long, or ran out of memory): killed, since `npm run check` would
 * hang or crash on it as surely.
 */
export function stoppedMutant(
  planned: PlannedMutant,
  why: "timeout" | "memory",
  model: string | undefined,
): MutantResult {
  const at = model ?? planned.candidates[0]?.name ?? "";
  const names = planned.candidates.map((c) => c.name);
  const searched = names.slice(0, names.indexOf(at) + 1);
  const how: KilledHow = why === "timeout" ? "hung" : "out of memory";
  const property = why === "timeout" ? "a transition that never ends" : "the search exhausted the heap";
  return {
    name: planned.name,
    ...planned.mutation,
    verdict: "killed",
    killedBy: { model: at, how, property },
    searched,
  };
}
