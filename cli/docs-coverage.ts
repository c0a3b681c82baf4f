/**
 * How much of each machine's chart the models exercise: for every machine docs/machines draws,
 * which states and transitions some run of it reaches, with the fewest events found to get there,
 * and for each one no run reaches, why it is out of reach (cli/docs-coverage-reasons.ts).
 * Generation fails when an item is neither reached nor explained, and when an explained item is
 * reached after all, so the explanations cannot go stale.
 *
 * A machine's context comes from its input, its guards read that context, and its events come
 * from other actors; a traversal that knows only the chart would try events no actor sends, with
 * payloads no guard accepts. So each machine is driven as the models run it. A seeded simulation of
 * every model of the catalogue records, per actor, the events delivered to it and the order they
 * came in; each actor makes a driver of its machine (its input, or the snapshot its model starts it
 * in; its events; its sequences). For each driver, xstate/graph's `getShortestPaths`
 * traverses the machine breadth first from its input, trying every event of the driver in every
 * snapshot that handles its type, up to a bound on the snapshots it expands; then each recorded
 * sequence is replayed, which reaches the states the models reach deeper than that bound. A machine
 * no model runs as an actor gets drivers of its own (cli/docs-coverage-drivers.ts).
 *
 * What a step reaches is read from xstate's inspection of the microsteps it takes: the
 * transitions selected (eventless ones included) and every state entered on the way, so that a
 * state left again in the same step (a choice point) counts as reached.
 */

import { getShortestPaths } from "xstate/graph";
import {
  type ActorLogic,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type AnyStateNode,
  type EventObject,
  type InspectionEvent,
  type StateValue,
  createActor,
  fromTransition,
  initialTransition,
} from "xstate";
import { ActorModel, type SystemAction, type SystemState } from "../checker/actors.js";
import { Random } from "../checker/random.js";
import type { ModelEntry } from "../models/index.js";
import { type Chart, type ChartState, type ChartTransition, chartOf, statesOf } from "./docs-chart.js";
import { FailureError } from "./errors.js";

// --- what drives a machine ---

type Snapshot = AnyMachineSnapshot;

/** A snapshot as the traversal tells snapshots apart: its state value and its context. */
const serializeSnapshot = (snapshot: Pick<Snapshot, "value" | "context">) =>
  JSON.stringify([snapshot.value, snapshot.context]);

/** One way of running a machine: an input, the events to try, and sequences of them to replay. */
export interface Driver {
  /** Where the input and events come from (`write-read-4/N0`), as the page names it. */
  readonly label: string;
  readonly input: unknown;
  /**
   * Where a model starts the machine when that is not its initial state for the input (a model
   * explored from the point of availability); the traversal and the runs start there.
   */
  readonly snapshot?: { readonly value: StateValue; readonly context: unknown };
  /** The events the traversal tries in every snapshot (each where its type is handled). */
  readonly events: readonly EventObject[];
  /** Sequences of events the machine received in runs, replayed in order from the input. */
  readonly runs: readonly (readonly EventObject[])[];
}

/** The drivers of each machine, by page name (`storage-node`). */
export type Drivers = ReadonlyMap<string, readonly Driver[]>;

/** Why an item no driver reaches is out of reach: page name → item key → one or two sentences. */
export type Reasons = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** A documented machine: its page name, export and definition (as `discoverMachines` finds them). */
export interface CoveredMachine {
  readonly name: string;
  readonly exportName: string;
  readonly machine: AnyStateMachine;
}

/** How far the models are simulated to learn what each actor receives. */
export interface SimulationBounds {
  readonly seed: number;
  readonly walks: number;
  readonly depth: number;
}

export const DEFAULT_SIMULATION: SimulationBounds = { seed: 1, walks: 100, depth: 400 };

/** What a chart's transition is made of, for telling a variant's transitions among the machine's. */
const transitionSignature = (t: ChartTransition) => JSON.stringify([t.source, t.event, t.guard, t.targets, t.actions]);

/**
 * The documented machine an actor runs: the same definition, or a variant built by the same
 * factory with an option off (`createChainMachine({ invalidation: false })`) or fewer regions
 * (`createStorageNodeMachine({ blobs: 1, epochs })`): a subset of the states and of the
 * transitions — the smallest such documented machine. The documented machine is the one
 * traversed, with the variant's input and events.
 */
function documentedMachine(
  machine: AnyStateMachine,
  charts: readonly { readonly entry: CoveredMachine; readonly states: string; readonly transitions: Set<string> }[],
): CoveredMachine | undefined {
  const same = charts.find((c) => c.entry.machine === machine);
  if (same) return same.entry;
  const chart = chartOf(machine);
  const states = statesOf(chart).map((s) => s.id);
  const candidates = charts
    .map((c) => ({ c, documented: new Set(c.states.split("\n")) }))
    .filter(
      ({ c, documented }) =>
        states.every((s) => documented.has(s)) &&
        chart.transitions.every((t) => c.transitions.has(transitionSignature(t))),
    )
    .sort((a, b) => a.documented.size - b.documented.size);
  return candidates[0]?.c.entry;
}

/**
 * The drivers the catalogue's models give: each actor model is walked `walks` times at random
 * (seeded, at most `depth` steps), and every delivery and spontaneous step is recorded for the
 * actor that takes it. Actors of one model running the same machine from the same start are one
 * driver; actors of different models are not, so that a driver's events all come from one model.
 * Models that are not actor systems, and actors whose machines docs/machines does not draw (the
 * checker's examples), drive nothing.
 */
export function driversFromModels(
  machines: readonly CoveredMachine[],
  models: readonly ModelEntry[],
  bounds: SimulationBounds = DEFAULT_SIMULATION,
): Map<string, Driver[]> {
  const charts = machines.map((entry) => {
    const chart = chartOf(entry.machine);
    return {
      entry,
      states: statesOf(chart)
        .map((s) => s.id)
        .join("\n"),
      transitions: new Set(chart.transitions.map(transitionSignature)),
    };
  });
  interface Group {
    readonly machine: string;
    readonly input: unknown;
    readonly snapshot?: Driver["snapshot"];
    readonly labels: string[];
    readonly events: Map<string, EventObject>;
    readonly runs: Map<string, EventObject[]>;
  }
  const groups = new Map<string, Group>();
  for (const entry of models) {
    const built: unknown = entry.build();
    if (!(built instanceof ActorModel)) continue;
    const model: ActorModel = built;
    const received = model.actors.map(() => [] as EventObject[][]);
    for (let walk = 0; walk < bounds.walks; walk++) {
      const random = Random.forWalk(bounds.seed, walk);
      const runs = model.actors.map(() => [] as EventObject[]);
      let state = model.initStates()[0] as SystemState;
      const actions: SystemAction[] = [];
      for (let step = 0; step < bounds.depth; step++) {
        actions.length = 0;
        model.actions(state, actions);
        // An action that changes nothing (a spontaneous step its guards refuse) would only use up
        // the walk's steps: draw among the others, and stop where none is left.
        let next: SystemState | undefined;
        let action: SystemAction | undefined;
        while (next === undefined && actions.length > 0) {
          const at = random.below(actions.length);
          action = actions[at] as SystemAction;
          actions[at] = actions[actions.length - 1] as SystemAction;
          actions.pop();
          next = model.nextState(state, action);
        }
        if (next === undefined || action === undefined) break;
        if (action.kind === "deliver") {
          const { to, event } = model.message(action.message);
          runs[to]?.push(event);
        } else if (action.kind === "internal") {
          runs[action.actor]?.push(model.event(action.event));
        }
        state = next;
      }
      runs.forEach((run, actor) => {
        received[actor]?.push(run);
      });
    }
    const start = model.view(model.initStates()[0] as SystemState);
    model.actors.forEach((actor, index) => {
      const documented = documentedMachine(actor.machine, charts);
      if (documented === undefined) return;
      const initial = initialTransition(actor.machine, actor.input)[0];
      const { value, context } = start.actors[index] as typeof initial;
      const moved = serializeSnapshot(initial) !== JSON.stringify([value, context]);
      const key = `${entry.name}\n${documented.name}\n${JSON.stringify(actor.input ?? null)}\n${moved ? JSON.stringify([value, context]) : ""}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = {
          machine: documented.name,
          input: actor.input,
          ...(moved ? { snapshot: { value, context } } : {}),
          labels: [],
          events: new Map(),
          runs: new Map(),
        };
        groups.set(key, group);
      }
      group.labels.push(`${entry.name}/${actor.name}`);
      for (const event of actor.internalEvents ?? []) group.events.set(JSON.stringify(event), event);
      for (const run of received[index] ?? []) {
        for (const event of run) group.events.set(JSON.stringify(event), event);
        if (run.length > 0) group.runs.set(JSON.stringify(run), run);
      }
    });
  }
  const drivers = new Map<string, Driver[]>();
  for (const group of groups.values()) {
    const more = group.labels.length - 1;
    const label = `${group.labels[0]}${more === 0 ? "" : ` and ${more} more`}`;
    // Sorted, so that a driver does not depend on the order the walks met its events.
    const events = [...group.events.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    drivers.set(group.machine, [
      ...(drivers.get(group.machine) ?? []),
      {
        label,
        input: group.input,
        ...(group.snapshot === undefined ? {} : { snapshot: group.snapshot }),
        events,
        runs: [...group.runs.values()],
      },
    ]);
  }
  return drivers;
}

// --- the items of a chart ---

/** A state as the pages name it: its path from the root, or the machine's id in parentheses. */
export const stateKey = (state: ChartState): string =>
  state.path.length === 0 ? `(${state.key})` : state.path.join(".");

/**
 * The key of each transition, as the pages write it and the reasons name it:
 * `source: Event [guard] → target` (`(stays)` for no target); a key that two transitions would
 * share gets ` #2`, ` #3` in definition order.
 */
export function transitionKeys(chart: Chart): string[] {
  const byId = new Map(statesOf(chart).map((state) => [state.id, state]));
  const path = (id: string) => stateKey(byId.get(id) as ChartState);
  const seen = new Map<string, number>();
  return chart.transitions.map((t) => {
    const guard = t.guard === null ? "" : ` [${t.guard}]`;
    const targets = t.targets.length === 0 ? "(stays)" : t.targets.map(path).join(", ");
    const key = `${path(t.source)}: ${t.event ?? "always"}${guard} → ${targets}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return count === 1 ? key : `${key} #${count}`;
  });
}

/** xstate's transition objects in the chart's order (by state in document order, then as declared). */
function transitionDefinitions(machine: AnyStateMachine, chart: Chart): object[] {
  const definitions: object[] = [];
  for (const state of statesOf(chart)) {
    const node = machine.getStateNodeById(state.id);
    for (const candidates of node.transitions.values()) definitions.push(...candidates);
    definitions.push(...(node.always ?? []));
  }
  if (definitions.length !== chart.transitions.length) {
    throw new Error(`${chart.id}: ${definitions.length} transitions in the machine, ${chart.transitions.length} drawn`);
  }
  return definitions;
}

/** The ids of the state nodes a state value makes active, ancestors included. */
function activeStateIds(node: AnyStateNode, value: StateValue, out: Set<string>): Set<string> {
  out.add(node.id);
  if (typeof value === "string") {
    const child = node.states[value];
    if (child !== undefined) out.add(child.id);
    return out;
  }
  for (const [key, inner] of Object.entries(value)) {
    const child = node.states[key];
    if (child !== undefined && inner !== undefined) activeStateIds(child, inner, out);
  }
  return out;
}

// --- traversing ---

/** How a state or transition was first reached: by which driver, after which events. */
export interface Witness {
  readonly driver: string;
  /** The event types on the way, the last one the step that reached it; empty for the initial states. */
  readonly path: readonly string[];
  /** Found breadth first: no path over the driver's events is shorter. */
  readonly shortest: boolean;
}

export interface ItemCoverage<T> {
  readonly item: T;
  readonly key: string;
  readonly witness: Witness | null;
}

export interface MachineCoverage {
  readonly machine: CoveredMachine;
  readonly drivers: readonly string[];
  readonly states: readonly ItemCoverage<ChartState>[];
  readonly transitions: readonly ItemCoverage<ChartTransition>[];
  /** Distinct snapshots the breadth-first traversals met, over all drivers. */
  readonly snapshots: number;
  /** Whether some traversal stopped at its bound with snapshots left unexpanded. */
  readonly bounded: boolean;
}

export interface CoverageBounds {
  /** Snapshots a breadth-first traversal expands per driver. */
  readonly snapshots: number;
}

export const DEFAULT_BOUNDS: CoverageBounds = { snapshots: 300 };

/**
 * The machine as actor logic that records what each step reaches. xstate/graph steps logic with a
 * scope of its own, whose inspection no one can observe; this logic steps the machine with a scope
 * whose system reports every microstep to `onMicrostep`.
 */
function recordingLogic(
  machine: AnyStateMachine,
  onMicrostep: (nodes: Set<string>, transitions: readonly object[]) => void,
): ActorLogic<Snapshot, EventObject, unknown> {
  const probe = createActor(fromTransition((state: null) => state, null));
  probe.system.inspect({
    next: (inspection: InspectionEvent) => {
      if (inspection.type !== "@xstate.microstep") return;
      const snapshot = inspection.snapshot as Snapshot;
      onMicrostep(activeStateIds(machine.root, snapshot.value, new Set()), inspection._transitions);
    },
  });
  const scope = {
    self: probe,
    id: "coverage",
    sessionId: "coverage",
    logger: () => {},
    defer: () => {},
    emit: () => {},
    system: probe.system,
    stopChild: () => {},
    // Machines are pure: what they send is data in their actions, which need not run here.
    actionExecutor: () => {},
  };
  type Scope = Parameters<AnyStateMachine["transition"]>[2];
  return {
    transition: (snapshot, event) => machine.transition(snapshot, event, scope as unknown as Scope) as Snapshot,
    getInitialSnapshot: (_scope, input) => machine.getInitialSnapshot(scope as unknown as Scope, input) as Snapshot,
    getPersistedSnapshot: (snapshot) => machine.getPersistedSnapshot(snapshot),
  };
}

/** The event types a snapshot's active states take (an event of any other type changes nothing). */
function handledTypes(machine: AnyStateMachine, snapshot: Snapshot): Set<string> | null {
  const types = new Set<string>();
  for (const id of activeStateIds(machine.root, snapshot.value, new Set())) {
    for (const type of machine.getStateNodeById(id).transitions.keys()) {
      if (type === "*") return null;
      types.add(type);
    }
  }
  return types;
}

/** The coverage of one machine by its drivers, each traversed breadth first and then replayed. */
export function machineCoverage(
  machine: CoveredMachine,
  drivers: readonly Driver[],
  bounds: CoverageBounds = DEFAULT_BOUNDS,
): MachineCoverage {
  const chart = chartOf(machine.machine);
  const states = statesOf(chart);
  const definitions = transitionDefinitions(machine.machine, chart);
  const transitionIndex = new Map(definitions.map((definition, index) => [definition, index]));
  const stateWitness = new Map<string, Witness>();
  const transitionWitness: (Witness | undefined)[] = [];
  const better = (current: Witness | undefined, candidate: Witness) =>
    current === undefined || candidate.path.length < current.path.length;

  /** What the step being taken reaches, until it is credited to a path. */
  let reachedStates = new Set<string>();
  let reachedTransitions = new Set<number>();
  const logic = recordingLogic(machine.machine, (nodes, transitions) => {
    for (const id of nodes) reachedStates.add(id);
    for (const transition of transitions) {
      const index = transitionIndex.get(transition);
      if (index === undefined) continue;
      reachedTransitions.add(index);
      // A state left by an eventless transition in the step that entered it is active only in
      // between; the transition shows it was.
      reachedStates.add((chart.transitions[index] as ChartTransition).source);
    }
  });
  const credit = (witness: Witness) => {
    for (const id of reachedStates) if (better(stateWitness.get(id), witness)) stateWitness.set(id, witness);
    for (const index of reachedTransitions) {
      if (better(transitionWitness[index], witness)) transitionWitness[index] = witness;
    }
    reachedStates = new Set();
    reachedTransitions = new Set();
  };
  const step = (driver: Driver, snapshot: Snapshot, event: EventObject): Snapshot => {
    try {
      return logic.transition(snapshot, event, undefined as never);
    } catch (error) {
      throw new FailureError(
        `coverage of ${machine.name} (${driver.label}): ${event.type} in state ${JSON.stringify(snapshot.value)} ` +
          `throws: ${(error as Error).message}`,
      );
    }
  };

  let snapshots = 0;
  let bounded = false;
  const start = (driver: Driver): Snapshot => {
    reachedStates = new Set();
    reachedTransitions = new Set();
    const snapshot =
      driver.snapshot === undefined
        ? logic.getInitialSnapshot(undefined as never, driver.input)
        : (machine.machine.resolveState(driver.snapshot as Parameters<AnyStateMachine["resolveState"]>[0]) as Snapshot);
    // Entering the initial states is no microstep xstate reports.
    activeStateIds(machine.machine.root, snapshot.value, reachedStates);
    return snapshot;
  };
  for (const driver of drivers) {
    const initial = start(driver);
    credit({ driver: driver.label, path: [], shortest: true });

    // Breadth first: the steps of each expanded snapshot, credited once its shortest path is known.
    const pending: { from: Snapshot; event: EventObject; states: Set<string>; transitions: Set<number> }[] = [];
    let expanded = 0;
    const byType = new Map<string, EventObject[]>();
    for (const event of driver.events) byType.set(event.type, [...(byType.get(event.type) ?? []), event]);
    const paths = getShortestPaths(
      {
        ...logic,
        transition: (snapshot: Snapshot, event: EventObject) => {
          const next = step(driver, snapshot, event);
          pending.push({ from: snapshot, event, states: reachedStates, transitions: reachedTransitions });
          reachedStates = new Set();
          reachedTransitions = new Set();
          return next;
        },
      },
      {
        fromState: initial,
        events: (snapshot: Snapshot) => {
          const types = handledTypes(machine.machine, snapshot);
          return types === null ? driver.events : [...types].flatMap((type) => byType.get(type) ?? []);
        },
        serializeState: serializeSnapshot,
        // Past the bound a snapshot is still recorded, only not expanded: the traversal ends.
        stopWhen: () => {
          expanded++;
          if (expanded <= bounds.snapshots) return false;
          bounded = true;
          return true;
        },
      },
    );
    snapshots += paths.length;
    const pathTo = new Map(paths.map((path) => [serializeSnapshot(path.state), path]));
    for (const { from, event, states: reached, transitions } of pending) {
      const path = pathTo.get(serializeSnapshot(from));
      if (path === undefined) continue;
      reachedStates = reached;
      reachedTransitions = transitions;
      // The first step of a path is the initial state's, under xstate's init event.
      credit({
        driver: driver.label,
        path: [...path.steps.slice(1).map((s) => s.event.type), event.type],
        shortest: true,
      });
    }

    // What the models reach deeper than the bound: the runs, each from the input.
    for (const run of driver.runs) {
      let snapshot = start(driver);
      reachedStates = new Set();
      const path: string[] = [];
      for (const event of run) {
        const next = step(driver, snapshot, event);
        if (next === snapshot && reachedTransitions.size === 0) continue;
        path.push(event.type);
        credit({ driver: driver.label, path: [...path], shortest: false });
        snapshot = next;
      }
    }
  }

  const keys = transitionKeys(chart);
  return {
    machine,
    drivers: drivers.map((d) => d.label),
    states: states.map((state) => ({ item: state, key: stateKey(state), witness: stateWitness.get(state.id) ?? null })),
    transitions: chart.transitions.map((transition, index) => ({
      item: transition,
      key: keys[index] as string,
      witness: transitionWitness[index] ?? null,
    })),
    snapshots,
    bounded,
  };
}

// --- the reasons ---

/**
 * What is wrong between the coverage and the reasons: an item neither reached nor explained, an
 * explained item that is reached, a reason for an item or machine that does not exist, and a
 * machine nothing drives. Empty when they agree.
 */
export function coverageProblems(coverage: readonly MachineCoverage[], reasons: Reasons): string[] {
  const problems: string[] = [];
  const byName = new Map(coverage.map((c) => [c.machine.name, c]));
  for (const name of Object.keys(reasons)) {
    if (!byName.has(name)) problems.push(`${name}: reasons are given for a machine docs/machines does not draw`);
  }
  for (const c of coverage) {
    const explained = reasons[c.machine.name] ?? {};
    const items = [...c.states, ...c.transitions];
    const keys = new Set(items.map((item) => item.key));
    for (const key of Object.keys(explained)) {
      if (!keys.has(key))
        problems.push(`${c.machine.name}: a reason is given for "${key}", which the chart does not have`);
    }
    if (c.drivers.length === 0 && Object.keys(explained).length === 0) {
      problems.push(`${c.machine.name}: no model runs it and it has no driver of its own`);
      continue;
    }
    for (const { key, witness } of items) {
      const reason = explained[key];
      if (witness === null && reason === undefined) {
        problems.push(`${c.machine.name}: "${key}" is not reached and has no reason`);
      } else if (witness !== null && reason !== undefined) {
        problems.push(
          `${c.machine.name}: "${key}" is reached (${witness.driver}, after ${witness.path.length} events) ` +
            "but has a reason: remove it",
        );
      }
    }
  }
  return problems;
}

/** Throws a {@link FailureError} listing every problem, saying where the reasons are kept. */
export function assertExplained(coverage: readonly MachineCoverage[], reasons: Reasons, where: string): void {
  const problems = coverageProblems(coverage, reasons);
  if (problems.length === 0) return;
  throw new FailureError(
    `the machines' coverage and its reasons (${where}) disagree:\n${problems.map((p) => `  ${p}`).join("\n")}\n` +
      "reach the item (a model, a driver) or say in the reasons why no run can",
  );
}

// --- the page ---

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (text: string) => `\`${cell(text)}\``;
/** A path of event types, collapsed where an event repeats (`StoreSliverPairs ×3`). */
function pathText(path: readonly string[]): string {
  if (path.length === 0) return "(start)";
  const parts: string[] = [];
  for (let i = 0; i < path.length; ) {
    let j = i;
    while (j < path.length && path[j] === path[i]) j++;
    parts.push(j - i === 1 ? (path[i] as string) : `${path[i]} ×${j - i}`);
    i = j;
  }
  return parts.join(" → ");
}
const depth = (witness: Witness) => `${witness.shortest ? "" : "≤ "}${witness.path.length}`;

export interface CoveragePageOptions {
  /** The generated-file mark the page opens with. */
  readonly mark: string;
  /** The link to a machine's page, from the coverage page. */
  readonly pageLink: (machine: CoveredMachine) => string;
  /** Where the reasons are kept, as the page names it. */
  readonly reasonsSource: string;
  readonly reasons: Reasons;
  readonly bounds: CoverageBounds;
  readonly simulation: SimulationBounds;
}

/** The anchor GitHub gives a heading `` `storageNodeMachine` ``. */
export const coverageAnchor = (machine: CoveredMachine) => machine.exportName.toLowerCase();

export function coveragePage(coverage: readonly MachineCoverage[], options: CoveragePageOptions): string {
  const count = <T>(items: readonly ItemCoverage<T>[]) =>
    `${items.filter((i) => i.witness !== null).length}/${items.length}`;
  const summary = coverage.map(
    (c) =>
      `| [\`${c.machine.exportName}\`](#${coverageAnchor(c.machine)}) | ${count(c.states)} | ${count(c.transitions)} | ` +
      `${c.drivers.length} |`,
  );
  const sections = coverage.flatMap((c) => {
    const reasons = options.reasons[c.machine.name] ?? {};
    const unreached = [...c.states, ...c.transitions].filter((i) => i.witness === null);
    const stateRows = c.states.map(({ key, witness }) =>
      witness === null
        ? `| ${code(key)} | not reached | | |`
        : `| ${code(key)} | ${depth(witness)} | ${cell(pathText(witness.path))} | ${cell(witness.driver)} |`,
    );
    return [
      `## \`${c.machine.exportName}\``,
      "",
      `[Its chart](${options.pageLink(c.machine)}) · states reached ${count(c.states)} · transitions taken ` +
        `${count(c.transitions)} · ${c.drivers.length} ${c.drivers.length === 1 ? "driver" : "drivers"}, ` +
        `${c.snapshots} snapshots traversed${c.bounded ? " (some at the bound)" : ""}`,
      "",
      ...(unreached.length === 0
        ? ["Every state and transition is reached.", ""]
        : [
            "Not reached, and why:",
            "",
            "| state or transition | why no run reaches it |",
            "| --- | --- |",
            ...unreached.map(({ key }) => `| ${code(key)} | ${cell(reasons[key] ?? "")} |`),
            "",
          ]),
      "<details>",
      "<summary>Each state with the fewest events found to reach it</summary>",
      "",
      "| state | events | path | driver |",
      "| --- | --- | --- | --- |",
      ...stateRows,
      "",
      "</details>",
      "",
    ];
  });
  const { walks, depth: steps, seed } = options.simulation;
  return [
    `<!-- ${options.mark} from machines/, models/ and ${options.reasonsSource}: edit those, not this page. -->`,
    "",
    "# The machines' coverage",
    "",
    "How much of each machine's chart the models exercise, and why the rest is out of their reach.",
    "",
    `Every model of the catalogue is simulated (${walks} seeded random walks of at most ${steps} steps, seed ${seed}),`,
    "recording the events each actor receives. Each actor, started with its input or where its model",
    "starts it, is a *driver* of its machine: `xstate/graph` (`getShortestPaths`) traverses the machine",
    "breadth first from there, trying the actor's events in any order wherever their type is handled,",
    `and expands at most ${options.bounds.snapshots} snapshots per driver; then the event sequences the actor received in`,
    "the walks are replayed, reaching what the models reach deeper than that bound. The machines no",
    "model runs have drivers of their own (`cli/docs-coverage-drivers.ts`).",
    "",
    "A state counts as reached when a step enters it, even one the same step leaves again; a",
    "transition, when a step takes it. The traversal runs a machine on its own, so it may deliver an",
    "actor's events in orders its model never does: what is reached is reachable by the machine on",
    "events some run sends it. Events no walk delivered are not tried: what is not reached is",
    "explained, not disproved. Each such state or transition has a reason in",
    `\`${options.reasonsSource}\`, and \`npm run docs\` fails when one is neither reached nor explained, or`,
    "explained and reached after all.",
    "",
    "Per machine, *events* is the fewest events found to reach a state (over the driver's events,",
    "breadth first; `≤` where only a replayed walk reached it), *path* those events and *driver* the",
    "model and actor.",
    "",
    "| machine | states | transitions | drivers |",
    "| --- | --- | --- | --- |",
    ...summary,
    "",
    ...sections,
  ].join("\n");
}

// --- generating the page ---

/** What `walrus-spec docs` needs to write docs/coverage.md; each part has a default. */
export interface CoverageOptions {
  /** Default: the catalogue's models (`driversFromModels`), then `ownDrivers`. */
  readonly drivers?: Drivers;
  /** Default: cli/docs-coverage-reasons.ts. */
  readonly reasons?: Reasons;
  readonly bounds?: CoverageBounds;
  readonly simulation?: SimulationBounds;
}

/** Where the reasons are kept, as the page and the errors name it. */
const REASONS_SOURCE = "cli/docs-coverage-reasons.ts";

/**
 * The coverage page of `machines`, or a {@link FailureError} when coverage and reasons disagree.
 * The catalogue is loaded only when no drivers are given, so that a page of a few machines (a
 * test's) does not build every model.
 */
export async function generateCoverage(
  machines: readonly CoveredMachine[],
  options: CoverageOptions,
  page: Pick<CoveragePageOptions, "mark" | "pageLink">,
): Promise<string> {
  const simulation = options.simulation ?? DEFAULT_SIMULATION;
  const bounds = options.bounds ?? DEFAULT_BOUNDS;
  let drivers = options.drivers;
  if (drivers === undefined) {
    const [{ MODELS }, { ownDrivers }] = await Promise.all([
      import("../models/index.js"),
      import("./docs-coverage-drivers.js"),
    ]);
    const fromModels = driversFromModels(machines, MODELS, simulation);
    drivers = new Map([...fromModels, ...ownDrivers(fromModels)]);
  }
  const reasons = options.reasons ?? (await import("./docs-coverage-reasons.js")).REASONS;
  const coverage = machines.map((machine) => machineCoverage(machine, drivers.get(machine.name) ?? [], bounds));
  assertExplained(coverage, reasons, REASONS_SOURCE);
  return coveragePage(coverage, { ...page, reasons, reasonsSource: REASONS_SOURCE, bounds, simulation });
}
