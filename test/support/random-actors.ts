/**
 * Random small actor systems for the reduction harness (test/reduction-soundness.test.ts): a few
 * xstate machines of one state each, whose context is a small value; on each (value, event) a
 * random row says the next value and what the actor sends, within a budget of sending steps that
 * keeps the space finite; an actor may end in a final state at some value. Properties are random
 * invariants, witnesses and `eventually` claims over the values of one or two actors. Which actors
 * may crash, a Byzantine actor and its menu, `dropToFinished` and the network are drawn too.
 */

import fc from "fast-check";
import { enqueueActions, setup } from "xstate";
import {
  ActorModel,
  type NetworkKind,
  type SystemProperty,
  type SystemView,
  everyActor,
  ofParts,
  someActor,
} from "../../checker/actors.js";
import { checkModel, type SearchReport } from "../../checker/search.js";

/** Each property's verdict, by id. */
export const verdicts = (report: SearchReport<unknown, unknown>): string[] =>
  report.properties.map((p) => `${p.id}:${p.holds}`);

/** One random actor: what it does on each (local value, event), and its spontaneous event. */
export interface RandomActor {
  /** rows[value][event]: the next value and what it sends, or null (the event changes nothing). */
  readonly rows: readonly (readonly ({ next: number; sends: readonly { to: number; type: string }[] } | null)[])[];
  /** Sends the actor may make in all (keeps the space finite). */
  readonly budget: number;
  readonly spontaneous: boolean;
  /** The value at which the machine ends in its final state (null: never). */
  readonly finishAt: number | null;
}

/**
 * A random property over one or two actors' values: all of them at their values (`plain`, or
 * written actor by actor, `every`), or any of them (`some`), or, written as two parts, the first
 * actor at its first value only if the last is at its second (`implies`, one actor read twice when
 * there is one); it may also ask that an actor be correct, reading its status alone (`correct`).
 */
export interface RandomProperty {
  readonly kind: "always" | "sometimes" | "eventually";
  readonly actors: readonly number[];
  readonly values: readonly number[];
  readonly shape: "plain" | "every" | "some" | "implies";
  readonly correct: number | null;
}

export interface RandomSystem {
  readonly actors: readonly RandomActor[];
  readonly network: NetworkKind;
  readonly crash: readonly number[];
  /** A Byzantine actor (its machine does not run) and what it may send, or null. */
  readonly byzantine: { readonly actor: number; readonly menu: readonly { to: number; type: string }[] } | null;
  /** Messages to an actor in a final state leave the network. */
  readonly dropToFinished: boolean;
  readonly properties: readonly RandomProperty[];
  /** Sends written as an action named in the chart and implemented in `setup` (else inline). */
  readonly named: boolean;
}

const EVENTS = ["a", "b", "go"] as const;
const VALUES = 3;

export function randomSystem(maxActors: number, networks: readonly NetworkKind[]): fc.Arbitrary<RandomSystem> {
  return fc.integer({ min: 2, max: maxActors }).chain((n) => {
    const send = fc.record({ to: fc.nat(n - 1), type: fc.constantFrom("a", "b") });
    const row = fc.option(fc.record({ next: fc.nat(VALUES - 1), sends: fc.array(send, { maxLength: 2 }) }), {
      freq: 3,
      nil: null,
    });
    const actor = fc.record({
      rows: fc.array(fc.array(row, { minLength: EVENTS.length, maxLength: EVENTS.length }), {
        minLength: VALUES,
        maxLength: VALUES,
      }),
      budget: fc.integer({ min: 1, max: 2 }),
      spontaneous: fc.boolean(),
      finishAt: fc.option(fc.integer({ min: 1, max: VALUES - 1 }), { freq: 2, nil: null }),
    });
    const property = fc.record({
      kind: fc.constantFrom("always", "sometimes", "eventually"),
      actors: fc.uniqueArray(fc.nat(n - 1), { minLength: 1, maxLength: 2 }),
      values: fc.array(fc.nat(VALUES - 1), { minLength: 2, maxLength: 2 }),
      shape: fc.constantFrom("plain", "every", "some", "implies"),
      correct: fc.option(fc.nat(n - 1), { freq: 3, nil: null }),
    }) as fc.Arbitrary<RandomProperty>;
    return fc.record({
      actors: fc.array(actor, { minLength: n, maxLength: n }),
      network: fc.constantFrom(...networks),
      crash: fc.uniqueArray(fc.nat(n - 1), { maxLength: 2 }),
      byzantine: fc.option(fc.record({ actor: fc.nat(n - 1), menu: fc.array(send, { minLength: 1, maxLength: 2 }) }), {
        freq: 3,
        nil: null,
      }),
      dropToFinished: fc.boolean(),
      properties: fc.array(property, { minLength: 1, maxLength: 3 }),
      named: fc.boolean(),
    });
  });
}

export type Context = { value: number; budget: number };

/** The system as an actor model: each actor a machine of one state whose context is its value. */
export function buildSystem(system: RandomSystem): ActorModel {
  const name = (i: number) => `P${i}`;
  const actors = system.actors.map((actor, index) => {
    const react = enqueueActions(({ context, event, enqueue }) => {
      const row = actor.rows[context.value][EVENTS.indexOf(event.type as (typeof EVENTS)[number])];
      if (row === null || row === undefined) return;
      const sending = context.budget > 0 && row.sends.length > 0;
      enqueue.assign({ value: row.next, budget: context.budget - (sending ? 1 : 0) });
      if (sending) for (const s of row.sends) enqueue({ type: "send", params: { to: name(s.to), type: s.type } });
    });
    const machine = setup({
      types: {} as { context: Context; events: { type: string } },
      actions: { send: () => {}, react: react as never },
    }).createMachine({
      context: { value: 0, budget: actor.budget },
      initial: "running",
      states: {
        running: {
          on: { "*": { actions: (system.named ? "react" : react) as never } },
          ...(actor.finishAt === null
            ? {}
            : { always: { guard: ({ context }) => context.value === actor.finishAt, target: "finished" } }),
        },
        finished: { type: "final" },
      },
    });
    return {
      name: name(index),
      machine,
      ...(actor.spontaneous ? { internalEvents: [{ type: "go" }] } : {}),
    };
  });
  const properties: SystemProperty[] = system.properties.map((property, p) => {
    const names = property.actors.map(name);
    const valueAt = (view: SystemView, k: number) =>
      (view.actors[property.actors[k]].context as Context).value === property.values[k];
    // An invariant says the actors are not all (or not any) at their values.
    const negate = property.kind === "always";
    const part = (view: SystemView, actor: string) => {
      const at = valueAt(view, names.indexOf(actor));
      return negate ? !at : at;
    };
    const last = names.length - 1;
    const at = (k: number, value: number) => (view: SystemView) =>
      (view.actors[property.actors[k]].context as Context).value === value;
    const base: Pick<SystemProperty, "reads" | "holds" | "parts"> =
      property.shape === "every"
        ? everyActor(names, part)
        : property.shape === "some"
          ? someActor(names, part)
          : property.shape === "implies"
            ? ofParts(
                {
                  first: { actor: names[0], holds: at(0, property.values[0]) },
                  second: { actor: names[last], holds: at(last, property.values[1]) },
                },
                (value) => !value("first") || value("second"),
              )
            : {
                reads: names,
                holds: (view: SystemView) => {
                  const all = names.every((_, k) => valueAt(view, k));
                  return negate ? !all : all;
                },
              };
    const correct = property.correct;
    const named = { kind: property.kind, id: `p${p}`, name: `p${p}` };
    if (correct === null) return { ...named, ...base };
    // Asking for a status as well, the property is no longer its parts taken actor by actor.
    return {
      ...named,
      reads: names,
      readsStatusOf: [name(correct)],
      holds: (view: SystemView) => base.holds(view) && view.status[correct] === "correct",
    };
  });
  const byzantine = system.byzantine;
  const faulty = (system.crash.length > 0 ? 1 : 0) + (byzantine === null ? 0 : 1);
  return new ActorModel({
    name: "random",
    actors,
    network: system.network,
    dropToFinished: system.dropToFinished,
    ...(faulty === 0
      ? {}
      : {
          adversary: {
            budget: faulty,
            crash: system.crash.filter((a) => a !== byzantine?.actor).map(name),
            ...(byzantine === null
              ? {}
              : {
                  byzantine: [name(byzantine.actor)],
                  menu: { [name(byzantine.actor)]: byzantine.menu.map((m) => ({ to: name(m.to), type: m.type })) },
                }),
          },
        }),
    properties,
  });
}

/**
 * Whether the reduced searches of the system, breadth-first and depth-first, agree with the full
 * one on every property (true when the system is too large to search whole).
 */
export function agrees(system: RandomSystem): boolean {
  const full = checkModel(buildSystem(system), { reduction: false, maxStates: 5_000 });
  if (!full.complete) return true;
  const expected = verdicts(full).join();
  return (["bfs", "dfs"] as const).every(
    (strategy) => verdicts(checkModel(buildSystem(system), { reduction: true, strategy })).join() === expected,
  );
}
