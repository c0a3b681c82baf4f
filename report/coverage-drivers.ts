/**
 * What drives each machine in the coverage of docs/coverage.md. A machine's context comes from its
 * input, its guards read that context, and its events come from other actors; a traversal that
 * knows only the chart would try events no actor sends, with payloads no guard accepts. So each
 * machine is driven as the models run it: a seeded simulation of every model of the catalogue
 * records, per actor, the events delivered to it and the order they came in, and each actor makes a
 * driver of its machine (its input, or the snapshot its model starts it in; its events; its
 * sequences). A machine no model runs as an actor gets drivers of its own
 * (report/coverage-own-drivers.ts).
 */

import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventObject,
  type StateValue,
  initialTransition,
} from "xstate";
import { ActorModel, type SystemAction, type SystemState } from "../checker/actors.js";
import { Random } from "../checker/random.js";
import type { ModelEntry } from "../models/index.js";
import { type ChartTransition, chartOf, statesOf } from "./chart.js";

/** A snapshot as the traversal tells snapshots apart: its state value and its context. */
export const serializeSnapshot = (snapshot: Pick<AnyMachineSnapshot, "value" | "context">) =>
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

/** The simulation docs/coverage.md is generated with. */
export const DEFAULT_SIMULATION: SimulationBounds = { seed: 1, walks: 100, depth: 400 };

/** What a chart's transition is made of, for telling a variant's transitions among the machine's. */
const transitionSignature = (t: ChartTransition) => JSON.stringify([t.source, t.event, t.guard, t.targets, t.actions]);

/**
 * The documented machine an actor runs: the same definition, or a variant built by the same
 * factory with an option off (`createChainMachine({ invalidation: false })`): the same states and
 * a subset of the transitions. The documented machine is the one traversed, with the variant's
 * input and events.
 */
function documentedMachine(
  machine: AnyStateMachine,
  charts: readonly { readonly entry: CoveredMachine; readonly states: string; readonly transitions: Set<string> }[],
): CoveredMachine | undefined {
  const same = charts.find((c) => c.entry.machine === machine);
  if (same) return same.entry;
  const chart = chartOf(machine);
  const states = statesOf(chart)
    .map((s) => s.id)
    .join("\n");
  return charts.find(
    (c) => c.states === states && chart.transitions.every((t) => c.transitions.has(transitionSignature(t))),
  )?.entry;
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
