/**
 * How much of one machine's chart its drivers (report/coverage-drivers.ts) reach: which states and
 * transitions some run reaches, with the fewest events found to get there. For each driver,
 * xstate/graph's `getShortestPaths` traverses the machine breadth first from its input, trying every
 * event of the driver in every snapshot that handles its type, up to a bound on the snapshots it
 * expands; then each recorded sequence is replayed, which reaches the states the models reach
 * deeper than that bound.
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
} from "xstate";
import { inertScope } from "../checker/actors/interning.js";
import { type Chart, type ChartState, type ChartTransition, chartOf, stateKey, statesOf } from "./chart.js";
import { type CoveredMachine, type Driver, serializeSnapshot } from "./coverage-drivers.js";
import { FailureError } from "./errors.js";

type Snapshot = AnyMachineSnapshot;

// --- the items of a chart ---

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

/** A state or transition of the chart, its key, and how it was first reached (null: not reached). */
export interface ItemCoverage<T> {
  readonly item: T;
  readonly key: string;
  readonly witness: Witness | null;
}

/** What the drivers of one machine reach of its chart. */
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

/** How far each driver's breadth-first traversal goes. */
export interface CoverageBounds {
  /** Snapshots a breadth-first traversal expands per driver. */
  readonly snapshots: number;
}

/** The bounds docs/coverage.md is generated with. */
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
  // Machines are pure: what they send is data in their actions, which need not run here.
  const scope = inertScope(probe, () => {}, "coverage");
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
