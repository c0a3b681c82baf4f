/**
 * The Walrus models at n = 7 (2,2,1,1,1 shards) and n = 10 (3,2,1,1,1,1,1), blobs of 2 and 4 KiB
 * (models/walrus-large.ts), beyond exhaustive search: seeded simulation and fast-check over every
 * configuration within the adversary's budget (every invariant holds on every walk, every
 * `eventually` property at the quiescent end of every walk, every witness reached; walks and distinct
 * states pinned), fast-check over random committees and blob sizes, and tightness: one shard beyond
 * the budget, simulation and fast-check find write completeness and availability broken, and
 * fast-check shrinks the break to a short run.
 *
 * Every check builds its model afresh: the order in which a model lists the messages in flight is
 * the order it first met them, so a seeded walk over a model that has already been explored can
 * take other steps than the same walk over a new one.
 */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SystemAction, SystemState } from "../checker/actors.js";
import { type FastCheckResult, checkWithFastCheck, modelCommands, startRun } from "../checker/fast-check.js";
import { followActionPath } from "../checker/path.js";
import { type SimulationReport, simulate } from "../checker/simulate.js";
import {
  type LargeConfiguration,
  type LargeLayout,
  N7,
  N10,
  beyondBudget,
  largeModel,
  seededBlob,
  withinBudget,
} from "../models/walrus-large.js";
import { blobView } from "../machines/node/index.js";
import { maxFaulty } from "../spec/params.js";

const WITHIN = [...withinBudget(N7), ...withinBudget(N10)];
const configuration = (name: string): LargeConfiguration => {
  const found = WITHIN.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no configuration ${name}`);
  return found;
};

/** The properties a report does not confirm: a safety or `eventually` property broken, a witness not reached. */
const unconfirmed = (report: SimulationReport) =>
  report.properties.filter((p) => !p.holds).map((p) => `${p.kind} ${p.name}`);

const broken = (report: SimulationReport) =>
  report.properties.filter((p) => p.kind !== "sometimes" && !p.holds).map((p) => p.name.split(":")[0]);

const SEED = 1;
const WALKS = 100;

describe("seeded simulation within the budget: every property holds, every witness is reached", () => {
  it.each([
    ["write-read-7", SEED, WALKS, 2746],
    ["write-read-7-paper-reader", SEED, WALKS, 3973],
    ["write-read-7-racing-reader", SEED, WALKS, 3085],
    ["write-read-7-crash", SEED, WALKS, 1927],
    ["write-read-7-byzantine", SEED, WALKS, 2812],
    ["write-read-7-byzantine-and-crash", SEED, WALKS, 2386],
    // A node never uploaded to exists only when the certificate beats the writer's last upload,
    // about one walk in 1 500 when crashes spend the budget: a seed whose walks meet one.
    ["write-7-crash", 11, 56, 925],
    ["write-7-byzantine", SEED, WALKS, 1929],
    ["malicious-writer-7", SEED, WALKS, 3261],
    ["malicious-writer-7-detection", SEED, WALKS, 1852],
    ["write-read-10", SEED, WALKS, 4683],
    ["write-read-10-paper-reader", SEED, WALKS, 6124],
    ["write-read-10-racing-reader", SEED, WALKS, 4821],
    ["write-read-10-crash", SEED, WALKS, 3391],
    ["write-read-10-byzantine", SEED, WALKS, 5007],
    ["write-read-10-byzantine-and-crash", SEED, WALKS, 4546],
    ["write-10-crash", 23, 428, 8603],
    ["write-10-byzantine", SEED, WALKS, 3685],
    ["malicious-writer-10", SEED, WALKS, 6240],
    ["malicious-writer-10-detection", SEED, WALKS, 4920],
  ])("%s, seed %i: %i walks, %i distinct states", (name, seed, walks, states) => {
    const report = simulate(largeModel(configuration(name)), { runs: walks, seed });
    expect(report.runs).toBe(walks);
    // Every walk ends quiescent, where an `eventually` property that never held fails.
    expect(report.terminalWalks).toBe(walks);
    expect(report.uniqueStates).toBe(states);
    expect(unconfirmed(report)).toEqual([]);
  });

  it("malicious-writer-10: the node the upload was withheld from proves the inconsistency, and the chain invalidates the blob ID", () => {
    const config = configuration("malicious-writer-10-detection");
    const model = largeModel(config);
    const report = simulate(model, { runs: 1, seed: SEED });
    const witness = report.properties.find((p) => p.name.startsWith("witness: the chain invalidates"));
    if (witness?.kind !== "sometimes" || !witness.holds) throw new Error("expected the invalidation witness");
    const path = followActionPath(model, witness.trace);
    const last = model.view(path.steps[path.steps.length - 1].state as SystemState);
    const at = (name: string) => model.actors.findIndex((actor) => actor.name === name);
    const withheld = `N${config.options.withholdFrom?.[0]}`;
    expect(last.actors[at("chain")].value).toBe("invalid");
    expect(blobView(last.actors[at(withheld)]).foundInconsistency).toBe(true);
    expect(blobView(last.actors[at(withheld)]).uploader).toBeNull();
  });
});

describe("fast-check within the budget: random schedules keep every property", () => {
  // Runs (of 30) reaching each witness, in the order of the model's properties. The node never
  // uploaded to that recovers is out of reach of 150 random commands when crashes spend the
  // budget; the simulation above meets it.
  it.each([
    ["write-read-7", [20, 23]],
    ["write-read-7-paper-reader", [19, 23]],
    ["write-read-7-racing-reader", [23, 20]],
    ["write-read-7-crash", [19, 21]],
    ["write-read-7-byzantine", [19, 23]],
    ["write-read-7-byzantine-and-crash", [20, 23]],
    ["write-7-crash", [21, 0]],
    ["write-7-byzantine", [23, 6]],
    ["malicious-writer-7", [21, 22, 22]],
    ["malicious-writer-7-detection", [23, 23]],
    ["write-read-10", [19, 21]],
    ["write-read-10-paper-reader", [12, 21]],
    ["write-read-10-racing-reader", [22, 20]],
    ["write-read-10-crash", [15, 19]],
    ["write-read-10-byzantine", [19, 21]],
    ["write-read-10-byzantine-and-crash", [16, 19]],
    ["write-10-crash", [19, 0]],
    ["write-10-byzantine", [21, 11]],
    ["malicious-writer-10", [18, 20, 18]],
    ["malicious-writer-10-detection", [20, 20]],
  ])("%s: witnesses reached in %j of 30 runs", (name, witnesses) => {
    const result = checkWithFastCheck(largeModel(configuration(name)), { seed: SEED, numRuns: 30, maxCommands: 150 });
    if (!result.holds) throw new Error(result.report);
    expect(result.runs).toBe(30);
    expect(Object.values(result.witnesses)).toEqual(witnesses);
  });
});

/**
 * A committee of n = 7 to 10 shards over nodes of one shard to f (so that withholding one node's
 * upload, or making it Byzantine, stays within the budget), and a blob of 1 to 4 KiB.
 */
const layouts: fc.Arbitrary<LargeLayout> = fc
  .record({
    n: fc.integer({ min: 7, max: 10 }),
    // Ten sizes of at least one shard always reach n.
    sizes: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 10, maxLength: 10 }),
    bytes: fc.integer({ min: 1024, max: 4096 }),
    seed: fc.nat(),
  })
  .map(({ n, sizes, bytes, seed }) => {
    const shards: number[] = [];
    let left = n;
    for (const size of sizes) {
      if (left === 0) break;
      const take = Math.min(size, maxFaulty(n), left);
      shards.push(take);
      left -= take;
    }
    return { shards, blob: seededBlob(bytes, seed) };
  });

describe("fast-check over random committees, blob sizes, configurations and schedules", () => {
  it("every property holds on every run; the runs reach the certificate and the reads", () => {
    const committees = new Set<string>();
    const reached = new Map<string, number>();
    let runs = 0;
    const scenarios = fc
      .tuple(layouts, fc.nat())
      .map(([layout, pick]) => {
        const configurations = withinBudget(layout);
        return configurations[pick % configurations.length];
      })
      .chain((config) => {
        const model = largeModel(config);
        return fc.tuple(fc.constant({ config, model }), modelCommands(model, { maxCommands: 120 }));
      });
    fc.assert(
      fc.property(scenarios, ([{ config, model }, commands]) => {
        const run = startRun(model, model.initStates()[0]);
        fc.modelRun(() => run, commands);
        runs++;
        committees.add(config.options.shards?.join(",") ?? "");
        for (const name of run.real.reached) reached.set(name, (reached.get(name) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: 50 },
    );
    expect(runs).toBe(50);
    expect(committees.size).toBe(31);
    const sizes = [...committees].map((c) => c.split(",").reduce((sum, shards) => sum + Number(shards), 0));
    expect([...new Set(sizes)].sort((a, b) => a - b)).toEqual([7, 8, 9, 10]);
    expect(Object.fromEntries(reached)).toEqual({
      "witness: the blob is certified (the point of availability)": 25,
      "witness: every reader returns the blob written": 14,
      "witness: every reader returns ⊥": 6,
      "witness: a reader returns ⊥ from what nodes serve, before the invalidation reaches it": 7,
      "witness: a reader returns ⊥ because the blob ID is invalid": 6,
      "witness: the chain invalidates the blob ID": 2,
      "witness: the invalidation on chain carries the attestation of the node that found the inconsistency": 2,
    });
  });
});

/** The shrunk violation of a fast-check result. */
function violation<S, A>(result: FastCheckResult<S, A>): Extract<FastCheckResult<S, A>, { holds: false }> {
  if (result.holds) throw new Error("expected a violation");
  return result;
}

const BEYOND = [N7, N10].flatMap((layout) => Object.values(beyondBudget(layout)));
const beyond = (name: string): LargeConfiguration => {
  const found = BEYOND.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no configuration ${name}`);
  return found;
};

describe("tightness: f + 1 faulty shards (the Byzantine node of f shards confirms without storing, a node of one shard crashes)", () => {
  it.each([
    // Recovering a primary sliver needs n − f symbols, which f + 1 faulty shards can withhold.
    ["write-7-f-plus-1", 12, 24, "write completeness (Definition 1.1)"],
    ["write-10-f-plus-1", 3, 38, "write completeness (Definition 1.1)"],
    // The paper's reader needs n − f secondary slivers: the same shortfall.
    ["write-read-7-f-plus-1-paper-reader", 1, 30, "availability after the point of availability"],
    ["write-read-10-f-plus-1-paper-reader", 1, 44, "availability after the point of availability"],
    // The implementation's reader needs n − 2f primary slivers: it is stuck only when the certificate
    // rests on the Byzantine node and n − 2f correct shards, one of which crashes before serving any
    // recovery, while the rest were never uploaded to: one walk in thousands.
    ["write-read-7-f-plus-1", 4608, 33, "availability after the point of availability"],
  ] as const)("%s: simulation breaks it in walk %i of seed 1, at step %i", (name, walks, length, property) => {
    const config = beyond(name);
    const model = largeModel(config);
    const report = simulate(model, { runs: walks, seed: SEED });
    expect(broken(report)).toEqual([property]);
    const [first] = report.properties.filter((p) => p.kind !== "sometimes" && !p.holds);
    if (first.holds) throw new Error("expected a violation");
    expect(first.walk).toBe(walks - 1);
    expect(first.trace.actions).toHaveLength(length);
    // An `eventually` property fails where nothing more can happen, with the faults spent.
    const path = followActionPath(model, first.trace);
    const last = path.steps[path.steps.length - 1].state as SystemState;
    const next: SystemAction[] = [];
    model.actions(last, next);
    expect(next.every((action) => model.nextState(last, action) === undefined)).toBe(true);
    const view = model.view(last);
    const byzantine = config.options.byzantine?.nodes[0];
    expect(view.status[model.actors.findIndex((a) => a.name === `N${byzantine}`)]).toBe("byzantine");
    expect(view.status.filter((status) => status === "crashed")).toHaveLength(1);
  });

  it.each([
    ["write-7-f-plus-1", 2, 16],
    ["write-10-f-plus-1", 4, 20],
  ] as const)("%s: fast-check (seed %i) shrinks the break to %i steps", (name, seed, length) => {
    const model = largeModel(beyond(name));
    const result = violation(checkWithFastCheck(model, { seed, numRuns: 200, maxCommands: 60 }));
    expect(result.path.steps).toHaveLength(length);
    const property = model.properties.find((p) => p.name === result.property);
    expect(property?.kind).toBe("always");
    const states = result.path.steps.map((step) => step.state);
    expect(states.slice(0, -1).every((state) => property?.holds(state))).toBe(true);
    expect(property?.holds(states[states.length - 1])).toBe(false);
    // The certificate counts the Byzantine node's confirmation, and one crash leaves the correct
    // nodes that store below f + 1 shards.
    expect(result.property).toMatch(/^at the point of availability correct nodes holding f\+1 shards store/);
    const labels = result.path.steps.map((step) => model.formatAction(step.action));
    expect(labels.filter((label) => label.startsWith("N0 → writer: StorageConfirmation"))).toHaveLength(1);
    expect(labels.filter((label) => label.endsWith(" crashes"))).toHaveLength(1);
    expect(labels.filter((label) => /^writer → chain: CertifyBlob .*"signers":\["N0",/.test(label))).toHaveLength(1);
  });
});
