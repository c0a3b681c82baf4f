/**
 * Random schedules of any {@link Model} as fast-check commands. Exhaustive search stops being
 * affordable long before interesting schedules get long; random runs reach deep states cheaply, and
 * fast-check shrinks a failing run to a short one an auditor can read. A command does not name an
 * action (which actions exist depends on the state reached) but a choice: "the k-th enabled action of
 * family F", so that a command stays meaningful when the shrinker removes the commands before it.
 */

import fc from "fast-check";
import type { Model } from "./model.js";
import type { Path, PathStep } from "./path.js";

/** The family that matches every action: the only one of a model without `actionKind`. */
export const ANY_ACTION = "any";

/** An `always` property failed in a state a random run reached, or an `eventually` one in a quiescent state. */
export class PropertyViolation<S, A> extends Error {
  constructor(
    readonly property: string,
    readonly path: Path<S, A>,
    describe: (action: A) => string,
  ) {
    super(
      `${property} violated after ${path.steps.length} step(s)` +
        (path.steps.length > 0 ? `: ${path.steps.map((step) => describe(step.action)).join(", ")}` : ""),
    );
    this.name = new.target.name;
  }
}

/** Options that make no sense (a non-integer run count, a replay without its seed…). */
export class FastCheckOptionsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What a command's `check` sees: the state reached. */
export interface ModelHolder<S> {
  state: S;
}

/** What a run records: the path so far and the `sometimes` properties seen holding on it. */
export interface SystemHolder<S, A> {
  readonly init: S;
  readonly steps: PathStep<S, A>[];
  readonly reached: Set<string>;
  /** The `eventually` properties that have held on this run. */
  readonly goals: Set<string>;
}

/** The setup of one run from `init`, for `fc.modelRun`. */
export interface RunSetup<S, A> {
  readonly model: ModelHolder<S>;
  readonly real: SystemHolder<S, A>;
}

/** How fast-check draws command sequences from a model's actions. */
export interface ModelCommandsOptions {
  /** The families to draw commands from (default: those enabled initially, plus {@link ANY_ACTION}). */
  readonly kinds?: readonly string[];
  /** Longest run (default 60). */
  readonly maxCommands?: number;
  /** fast-check's record of which commands ran, needed to replay a shrunk counterexample. */
  readonly replayPath?: string;
}

/** A fast-check run over a model: seed, runs and command lengths. */
export interface FastCheckOptions {
  readonly seed?: number;
  /** Random runs (default 100). */
  readonly numRuns?: number;
  readonly maxCommands?: number;
  readonly kinds?: readonly string[];
  /** With `seed` and `commandsReplayPath`: replay the counterexample a failed check reported. */
  readonly replayPath?: string;
  readonly commandsReplayPath?: string;
}

/** Runs that reached each `sometimes` property's witness, by property name. */
export type WitnessCounts = Readonly<Record<string, number>>;

/** Every run held, or the shrunk run that failed. */
export type FastCheckResult<S, A> =
  | {
      readonly holds: true;
      readonly runs: number;
      readonly seed: number;
      readonly witnesses: WitnessCounts;
    }
  | {
      readonly holds: false;
      readonly property: string;
      /** The shrunk run. */
      readonly path: Path<S, A>;
      readonly seed: number;
      /** fast-check's path to the shrunk counterexample (its `counterexamplePath`). */
      readonly replayPath: string;
      /** fast-check's record of which commands ran; replay needs it as well as `replayPath`. */
      readonly commandsReplayPath: string;
      /** Runs up to and including the first failing one. */
      readonly runs: number;
      readonly shrinks: number;
      readonly witnesses: WitnessCounts;
      /** fast-check's report, the shrunk commands included. */
      readonly report: string;
    };

const DEFAULT_MAX_COMMANDS = 60;

function describer<S, A>(model: Model<S, A>): (action: A) => string {
  return model.formatAction ? (action) => model.formatAction!(action) : (action) => JSON.stringify(action);
}

/** The steps enabled in `state` whose action belongs to `family`, in the model's order. */
function enabledSteps<S, A>(model: Model<S, A>, state: S, family: string): PathStep<S, A>[] {
  const actions: A[] = [];
  model.actions(state, actions);
  const steps: PathStep<S, A>[] = [];
  for (const action of actions) {
    if (family !== ANY_ACTION && model.actionKind?.(action) !== family) continue;
    const next = model.nextState(state, action);
    if (next !== undefined) steps.push({ action, state: next });
  }
  return steps;
}

/**
 * Records the witnesses `state` gives and the `eventually` goals it meets, then fails on the first
 * `always` property it breaks, or on an `eventually` property never met when the run has reached a
 * quiescent state (nothing more can happen, so it never will be).
 */
function observe<S, A>(model: Model<S, A>, real: SystemHolder<S, A>, state: S): void {
  let broken: string | undefined;
  let unmet: string | undefined;
  for (const property of model.properties) {
    if (property.kind === "sometimes") {
      if (!real.reached.has(property.name) && property.holds(state)) real.reached.add(property.name);
    } else if (property.kind === "eventually") {
      if (!real.goals.has(property.name) && property.holds(state)) real.goals.add(property.name);
      if (!real.goals.has(property.name)) unmet ??= property.name;
    } else if (broken === undefined && !property.holds(state)) {
      broken = property.name;
    }
  }
  if (broken === undefined && unmet !== undefined && enabledSteps(model, state, ANY_ACTION).length === 0)
    broken = unmet;
  if (broken !== undefined)
    throw new PropertyViolation(broken, { init: real.init, steps: real.steps.slice() }, describer(model));
}

function holders<S, A>(init: S): RunSetup<S, A> {
  return { model: { state: init }, real: { init, steps: [], reached: new Set(), goals: new Set() } };
}

/** A run from `init`, its initial state already checked: the setup to give `fc.modelRun`. */
export function startRun<S, A>(model: Model<S, A>, init: S): RunSetup<S, A> {
  const run = holders<S, A>(init);
  observe(model, run.real, init);
  return run;
}

/** "Take the k-th enabled action of `family`", k modulo how many there are. */
class TakeAction<S, A> implements fc.Command<ModelHolder<S>, SystemHolder<S, A>> {
  /** The action taken when the command ran, for the shrunk report. */
  private taken: string | undefined;

  constructor(
    private readonly model: Model<S, A>,
    readonly family: string,
    readonly k: number,
  ) {}

  check(m: Readonly<ModelHolder<S>>): boolean {
    return enabledSteps(this.model, m.state, this.family).length > 0;
  }

  run(m: ModelHolder<S>, r: SystemHolder<S, A>): void {
    const choices = enabledSteps(this.model, m.state, this.family);
    const step = choices[this.k % choices.length];
    this.taken = describer(this.model)(step.action);
    m.state = step.state;
    r.steps.push(step);
    observe(this.model, r, step.state);
  }

  toString(): string {
    const choice = `${this.family}#${this.k}`;
    return this.taken === undefined ? choice : `${choice} ${this.taken}`;
  }

  // fast-check reuses a command object across shrink candidates unless it can clone it; a fresh copy
  // keeps each candidate's `taken` its own.
  [fc.cloneMethod](): TakeAction<S, A> {
    return new TakeAction(this.model, this.family, this.k);
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new FastCheckOptionsError(`${name} must be a positive integer, got ${value}`);
  return value;
}

function families<S, A>(model: Model<S, A>, kinds: readonly string[] | undefined): string[] {
  if (kinds !== undefined) {
    if (kinds.length === 0) throw new FastCheckOptionsError("kinds must name at least one action family");
    if (new Set(kinds).size !== kinds.length)
      throw new FastCheckOptionsError(`kinds must not repeat a family: ${kinds.join(", ")}`);
    const named = kinds.filter((kind) => kind !== ANY_ACTION);
    if (model.actionKind === undefined && named.length > 0)
      throw new FastCheckOptionsError(
        `${model.name} does not classify its actions (no actionKind): only "${ANY_ACTION}" applies, got ${named.join(", ")}`,
      );
    return [...kinds];
  }
  const found = new Set<string>();
  if (model.actionKind !== undefined) {
    for (const init of model.initStates()) {
      for (const step of enabledSteps(model, init, ANY_ACTION)) found.add(model.actionKind(step.action));
    }
  }
  found.delete(ANY_ACTION);
  return [...found, ANY_ACTION];
}

/** Random runs of `model` as fast-check commands, one command arbitrary per action family. */
export function modelCommands<S, A>(
  model: Model<S, A>,
  options: ModelCommandsOptions = {},
): fc.Arbitrary<Iterable<fc.Command<ModelHolder<S>, SystemHolder<S, A>>>> {
  const maxCommands = positiveInteger("maxCommands", options.maxCommands, DEFAULT_MAX_COMMANDS);
  const arbitraries = families(model, options.kinds).map((family) =>
    fc.nat().map((k) => new TakeAction(model, family, k)),
  );
  // Without `size: "max"` fast-check 4 draws at most about ten commands whatever maxCommands says.
  return fc.commands(arbitraries, {
    maxCommands,
    size: "max",
    ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }),
  });
}

/** fast-check prints the commands' replay record inside the counterexample's text, and only there. */
function commandsReplayPathOf(commands: unknown): string {
  const match = /replayPath="([^"]*)"/.exec(String(commands));
  if (match === null) throw new Error("internal: fast-check reported no replayPath for the commands");
  return match[1];
}

/**
 * Checks `model`'s properties on `numRuns` random runs; a violation comes back shrunk, with what
 * replays it exactly. The same seed gives the same result.
 */
export function checkWithFastCheck<S, A>(model: Model<S, A>, options: FastCheckOptions = {}): FastCheckResult<S, A> {
  const numRuns = positiveInteger("numRuns", options.numRuns, 100);
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed))
    throw new FastCheckOptionsError(`seed must be an integer, got ${options.seed}`);
  const replaying = options.replayPath !== undefined || options.commandsReplayPath !== undefined;
  if (replaying && (options.seed === undefined || !options.replayPath || !options.commandsReplayPath))
    throw new FastCheckOptionsError(
      "a replay needs seed, replayPath and commandsReplayPath together (all three come with a failed check)",
    );
  const inits = model.initStates();
  if (inits.length === 0) throw new FastCheckOptionsError(`${model.name} has no initial state`);

  const commands = modelCommands(model, {
    ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
    ...(options.maxCommands === undefined ? {} : { maxCommands: options.maxCommands }),
    ...(options.commandsReplayPath === undefined ? {} : { replayPath: options.commandsReplayPath }),
  });
  const witnesses: Record<string, number> = {};
  for (const property of model.properties) if (property.kind === "sometimes") witnesses[property.name] = 0;
  // Shrinking re-runs variants of the failing run; only the runs fast-check drew count as witnesses.
  let counting = true;

  const property = fc.property(fc.integer({ min: 0, max: inits.length - 1 }), commands, (initIndex, cmds) => {
    const run = holders<S, A>(inits[initIndex]);
    let failed = true;
    try {
      fc.modelRun(() => {
        observe(model, run.real, run.real.init);
        return run;
      }, cmds);
      failed = false;
    } finally {
      if (counting) {
        for (const name of run.real.reached) witnesses[name]++;
        if (failed) counting = false;
      }
    }
  });

  let details: fc.RunDetails<[number, Iterable<fc.Command<ModelHolder<S>, SystemHolder<S, A>>>]>;
  try {
    details = fc.check(property, {
      numRuns,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.replayPath === undefined ? {} : { path: options.replayPath, endOnFailure: true }),
    });
  } catch (error) {
    // fast-check throws only when a replay path does not fit the runs the seed generates.
    if (replaying) throw new FastCheckOptionsError(`cannot replay: ${(error as Error).message}`, { cause: error });
    throw error;
  }
  if (replaying && details.numRuns === 0)
    throw new FastCheckOptionsError(
      `cannot replay: replayPath ${options.replayPath} leads to no run from seed ${options.seed}`,
    );
  // A replay that passes is an answer too: the counterexample no longer fails.
  if (!details.failed) return { holds: true, runs: details.numRuns, seed: details.seed, witnesses };

  const error = details.errorInstance;
  if (!(error instanceof PropertyViolation)) throw error; // the model itself failed, not a property
  const violation = error as PropertyViolation<S, A>;
  return {
    holds: false,
    property: violation.property,
    path: violation.path,
    seed: details.seed,
    replayPath: details.counterexamplePath ?? "",
    commandsReplayPath: commandsReplayPathOf(details.counterexample?.[1]),
    runs: details.numRuns,
    shrinks: details.numShrinks,
    witnesses,
    report: fc.defaultReportMessage(details) ?? violation.message,
  };
}
