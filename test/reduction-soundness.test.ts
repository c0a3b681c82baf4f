/**
 * Soundness evidence for reduction: the reduced search finds a violation (or a witness) exactly
 * when the full one does. Three harnesses: (a) every catalogue model whose full search is small,
 * chosen by a bound on its state count, checked both ways, with the reduced counterexamples
 * replayed as ITF traces in a fresh model; (b) random actor systems from fast-check (random
 * machines whose steps send random messages, spontaneous events, crashes, invariants, witnesses
 * and `eventually` properties over one or two actors, on unordered, duplicating and FIFO
 * networks), checked both ways; (c) the harness catches unsound reductions: an analysis blind to
 * sends written in `setup` (a bug the chart-reading analysis once had), a fixpoint that
 * overlooks the messages still to come, one that takes a delivery alone without comparing it with
 * the actor's other messages in flight, closures kept by actor and local state without the events
 * to come, a property made of parts read through its first part alone, and a search that drops the cycle proviso where a cycle can be. The closures the
 * fixpoints keep are also compared with closures computed afresh each time.
 */

import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { NetworkKind } from "../checker/actors.js";
import { ActorTables } from "../checker/actors/interning.js";
import { ActorPersistentSets } from "../checker/actors/persistent.js";
import { Recipients } from "../checker/actors/recipients.js";
import { Views } from "../checker/actors/views.js";
import { checkModel } from "../checker/search.js";
import { replayTrace, toItf } from "../checker/trace.js";
import { MODELS } from "../models/index.js";
import { type RandomSystem, agrees, buildSystem, randomSystem, verdicts } from "./support/random-actors.js";
import { readFileSync } from "node:fs";

/** Models whose full search has at most this many states take part in (a). */
const SMALL = 2_500;

describe("(a) catalogue models: the same verdicts with and without reduction", () => {
  // The recorded counts are with reduction, so a model under the bound may still be larger in
  // full: the full search is bounded, and a model that hits the bound is left out.
  const results = JSON.parse(readFileSync("docs/check-results.json", "utf8")) as {
    models: { model: string; states: number }[];
  };
  const recorded = new Map(results.models.map((m) => [m.model, m.states]));
  const small = MODELS.filter((entry) => (recorded.get(entry.name) ?? Number.POSITIVE_INFINITY) <= SMALL);

  it("covers several models, Walrus ones among them", () => {
    expect(small.length).toBeGreaterThanOrEqual(8);
  });

  it.each(small.map((entry) => [entry.name, entry] as const))(
    "%s",
    (_, entry) => {
      const full = checkModel(entry.build({ reduction: false }), { reduction: false, maxStates: SMALL + 1 });
      if (!full.complete) return;
      const model = entry.build({ reduction: true });
      const reduced = checkModel(model, { reduction: true });
      expect(reduced.complete).toBe(true);
      expect(verdicts(reduced)).toEqual(verdicts(full));
      expect(reduced.uniqueStates).toBeLessThanOrEqual(full.uniqueStates);
      // Each counterexample of the reduced search replays in a model built afresh.
      for (const property of reduced.properties) {
        const path =
          property.kind === "sometimes"
            ? property.holds
              ? property.witness
              : undefined
            : property.holds
              ? undefined
              : property.counterexample;
        if (path === undefined) continue;
        const meta = {
          model: entry.name,
          property: property.id,
          kind: property.kind,
          ...(!property.holds && property.kind === "eventually" && property.loopStart !== undefined
            ? { loopStart: property.loopStart }
            : {}),
        };
        const itf = toItf(model, path, meta, { replayModel: entry.build({ reduction: true }) });
        expect(replayTrace(entry.build({ reduction: true }), itf).confirmed).toBe(true);
      }
    },
    30_000,
  );
});

describe("kept closures: the fixpoints answer alike with them and computing each afresh", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(["challenge-4-one-node"])("%s", (name) => {
    const entry = MODELS.find((candidate) => candidate.name === name);
    if (entry === undefined) throw new Error(`no model ${name}`);
    const kept = checkModel(entry.build({ reduction: true }), { reduction: true });
    const prototype = ActorPersistentSets.prototype as unknown as { keep: (...args: unknown[]) => void };
    const keep = vi.spyOn(prototype, "keep").mockImplementation(() => {});
    const afresh = checkModel(entry.build({ reduction: true }), { reduction: true });
    expect(keep).toHaveBeenCalled();
    expect(afresh.uniqueStates).toBe(kept.uniqueStates);
    expect(afresh.generatedStates).toBe(kept.generatedStates);
    expect(verdicts(afresh)).toEqual(verdicts(kept));
  });
});

describe("properties written as parts: the verdicts of the same properties read as one", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // Models too large for (a) whose properties are parts of the chain, the nodes and the reader:
  // searched with the parts, then with each property read as one (every actor it reads kept out).
  it.each(["epoch-change-4-read", "self-healing-7"])("%s", (name) => {
    const entry = MODELS.find((candidate) => candidate.name === name);
    if (entry === undefined) throw new Error(`no model ${name}`);
    const parted = checkModel(entry.build({ reduction: true }), { reduction: true });
    const properties = Views.prototype.properties;
    vi.spyOn(Views.prototype, "properties").mockImplementation(function (this: Views, given, mayCrash) {
      return properties.call(
        this,
        given.map(({ parts: _, ...property }) => property),
        mayCrash,
      );
    });
    const whole = checkModel(entry.build({ reduction: true }), { reduction: true });
    expect(whole.uniqueStates).toBeGreaterThan(parted.uniqueStates);
    expect(verdicts(parted)).toEqual(verdicts(whole));
  });
});

describe("(b) random actor systems: the reduced search finds a violation exactly when the full one does", () => {
  it("on unordered and duplicating networks (behavioural independence)", () => {
    fc.assert(fc.property(randomSystem(4, ["unordered", "duplicating"]), agrees), { numRuns: 150, seed: 7 });
  });

  it("on FIFO networks (who may still send to whom)", () => {
    fc.assert(fc.property(randomSystem(3, ["fifo"]), agrees), { numRuns: 100, seed: 11 });
  });

  it("reduction cuts states in these systems (the harness is not comparing two full searches)", () => {
    let cut = 0;
    fc.assert(
      fc.property(randomSystem(4, ["unordered"]), (system) => {
        const full = checkModel(buildSystem(system), { reduction: false, maxStates: 5_000 });
        if (!full.complete) return;
        if (checkModel(buildSystem(system), { reduction: true }).uniqueStates < full.uniqueStates) cut++;
      }),
      { numRuns: 60, seed: 3 },
    );
    expect(cut).toBeGreaterThan(10);
  });

  it("both with the cycle proviso and without it (systems whose steps cannot close a cycle)", () => {
    const seen = { with: 0, without: 0 };
    fc.assert(
      fc.property(randomSystem(4, ["unordered"]), (system) => {
        const report = checkModel(buildSystem(system), { reduction: true, maxStates: 5_000 });
        if (report.reduction.cycleProviso) seen.with++;
        else seen.without++;
      }),
      { numRuns: 150, seed: 7 },
    );
    expect(seen.with).toBeGreaterThan(10);
    expect(seen.without).toBeGreaterThan(10);
  });
});

describe("(c) the harness catches unsound reductions", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A system (b)'s harness finds where the reduced and full searches disagree, if any. */
  const disagreement = (networks: readonly NetworkKind[], named: boolean, seed: number): RandomSystem | undefined => {
    const result = fc.check(
      fc.property(
        // The systems of (b) without the finishing actors and Byzantine menus, whose sends are
        // where the two analyses go wrong.
        randomSystem(4, networks).map((system) => ({
          ...system,
          actors: system.actors.map((actor) => ({ ...actor, finishAt: null })),
          byzantine: null,
          dropToFinished: false,
          named,
        })),
        agrees,
      ),
      { numRuns: 1000, seed, endOnFailure: true },
    );
    return result.counterexample?.[0];
  };

  it("an analysis of who may still send to whom that does not look up actions named in the chart", () => {
    // The bug as it was: actions named in the chart and implemented in `setup` taken for actions
    // that send nothing. Hiding the machine's implementations from the analysis brings it back.
    const of = Recipients.prototype.of;
    vi.spyOn(Recipients.prototype, "of").mockImplementation(function (this: Recipients, local, actor) {
      const tables = (this as unknown as { tables: { actors: { machine: { implementations: unknown } }[] } }).tables;
      const machine = tables.actors[actor].machine;
      const implementations = machine.implementations;
      machine.implementations = { actions: {}, guards: {}, actors: {}, delays: {} };
      try {
        return of.call(this, local, actor);
      } finally {
        machine.implementations = implementations;
      }
    });
    const found = disagreement(["fifo"], true, 1);
    expect(found).toBeDefined();
    vi.restoreAllMocks();
    // With the implementations looked up, the system it found agrees again.
    expect(agrees(found as RandomSystem)).toBe(true);
  });

  it("a search without the cycle proviso on systems whose steps can close a cycle", () => {
    // Told that no state lies on a cycle, the search puts off an action for ever around one.
    vi.spyOn(ActorTables.prototype, "acyclic").mockReturnValue(true);
    const found = disagreement(["unordered"], false, 10);
    expect(found).toBeDefined();
    vi.restoreAllMocks();
    expect(agrees(found as RandomSystem)).toBe(true);
  });

  it("one delivery taken alone without the actor's other messages in flight among those to come", () => {
    // The bug: a single delivery checked as if the actor's other messages in flight were delivered
    // with it (so never compared with it).
    type Fixpoint = (
      state: Uint16Array,
      faults: number,
      actor: number,
      delivered: ReadonlySet<number>,
      ...rest: unknown[]
    ) => unknown;
    const prototype = ActorPersistentSets.prototype as unknown as { fixpoint: Fixpoint };
    const fixpoint = prototype.fixpoint;
    vi.spyOn(prototype, "fixpoint").mockImplementation(function (
      this: unknown,
      state,
      faults,
      actor,
      delivered,
      ...rest
    ) {
      const tables = (this as { tables: ActorTables }).tables;
      const header = (this as { header: number }).header;
      const mine = new Set(delivered);
      for (let at = header; at < state.length; at++) if (tables.messages[state[at]].to === actor) mine.add(state[at]);
      return fixpoint.call(this, state, faults, actor, mine, ...rest);
    });
    const found = disagreement(["unordered"], false, 5);
    expect(found).toBeDefined();
    vi.restoreAllMocks();
    expect(agrees(found as RandomSystem)).toBe(true);
  });

  it("closures kept by actor and local state alone, whatever events are to come", () => {
    // The closures the fixpoints keep are keyed by the events to come too; without them, a closure
    // taken under fewer events answers for more and misses what those make the actor send.
    type ClosureOf = (b: number, local: number, events: readonly number[], ...rest: unknown[]) => unknown;
    const prototype = ActorPersistentSets.prototype as unknown as { closureOf: ClosureOf };
    const closureOf = prototype.closureOf;
    const first = new WeakMap<object, Map<string, readonly number[]>>();
    vi.spyOn(prototype, "closureOf").mockImplementation(function (this: object, b, local, events, ...rest) {
      let mine = first.get(this);
      if (mine === undefined) {
        mine = new Map();
        first.set(this, mine);
      }
      const key = `${b} ${local}`;
      const stale = mine.get(key) ?? events;
      mine.set(key, stale);
      return closureOf.call(this, b, local, stale, ...rest);
    });
    const found = disagreement(["unordered"], false, 5);
    expect(found).toBeDefined();
    vi.restoreAllMocks();
    expect(agrees(found as RandomSystem)).toBe(true);
  });

  it("a property made of parts whose analysis sees its first part alone", () => {
    // The bug: the other parts' actors taken for actors the property does not read, so that their
    // steps count as invisible while they change it.
    const properties = Views.prototype.properties;
    vi.spyOn(Views.prototype, "properties").mockImplementation(function (this: Views, given, mayCrash) {
      const blind = given.map((property) =>
        property.parts === undefined ? property : { ...property, parts: property.parts.slice(0, 1) },
      );
      return properties.call(this, blind, mayCrash);
    });
    const found = disagreement(["unordered"], false, 4);
    expect(found).toBeDefined();
    vi.restoreAllMocks();
    expect(agrees(found as RandomSystem)).toBe(true);
  });

  it("a fixpoint that overlooks the messages still to come to an actor", () => {
    vi.spyOn(
      ActorPersistentSets.prototype as unknown as { fixpoint: (...args: unknown[]) => unknown },
      "fixpoint",
    ).mockImplementation(() => "persistent");
    const found = disagreement(["unordered"], false, 5);
    expect(found).toBeDefined();
    vi.restoreAllMocks();
    expect(agrees(found as RandomSystem)).toBe(true);
  });
});
