/**
 * The Walrus models (write-read, self-healing, malicious writer), checked exhaustively with
 * partial-order reduction. The default models' state counts and verdicts are recorded by
 * `npm run check` (docs/check-results.json), so only the small models that are not default are
 * counted here; what is tested is what only a test shows: the shape of the counterexamples of the
 * properties that must break with f + 1 faulty shards (or with the implementation's default
 * consistency check against a malicious writer), the witnesses that say what the models claim,
 * bad parameters refused, and the memoised local steps equal to xstate's own `transition()`.
 * checker-reduction.test.ts and reduction-soundness.test.ts compare some of them with and without
 * reduction.
 */

import { transition } from "xstate";
import { describe, expect, it } from "vitest";
import { blobView } from "../machines/node/index.js";
import { forEachReachableStep } from "./support/reachable.js";
import type { ActorModel, SystemAction, SystemState } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { type SearchReport, checkModel } from "../checker/search.js";
import { INVALID_BLOB_ID } from "../machines/reader.js";
import { findModel } from "../models/index.js";
import { writeRead } from "../models/write-read.js";
import { recordedStates } from "./support/check-record.js";

function build(name: string): ActorModel {
  const entry = findModel(name);
  if (!entry) throw new Error(`no model ${name}`);
  return entry.build() as unknown as ActorModel;
}

/** Each property as `ok|FAIL kind name`, cut to the length of the expected line at the same place. */
const summary = (report: SearchReport<unknown, unknown>, expected: readonly string[]) =>
  report.properties.map((p, i) => `${p.holds ? "ok" : "FAIL"} ${p.kind} ${p.name}`.slice(0, expected[i]?.length));

const STORAGE = "ok eventually correct storage guarantee";
const QUORUM = "ok always the chain certifies only with confirmations from a quorum";
const NEVER_INVALID = "ok always the chain never invalidates a correctly encoded blob";
const CERTIFIED = "ok sometimes witness: the blob is certified";
const NODES = [
  "ok eventually write completeness (Definition 1.1)",
  "ok always encoding protection",
  "ok always a correct node stores no sliver of a blob before it sees the blob registered",
  "ok sometimes witness: a correct node stores slivers it recovered",
  "ok always at the point of availability correct nodes holding f+1 shards store their slivers",
];

describe("within the budget every property holds and every witness is reached (the guide's example)", () => {
  it.each([
    // A default model, kept as the example the auditor's guide quotes (docs/README.md, "Add a model").
    ["self-healing-4", [STORAGE, QUORUM, NEVER_INVALID, CERTIFIED, ...NODES]],
  ] as const)("%s: the states npm run check recorded", async (name, expected) => {
    const report = checkModel(build(name));
    expect(report.complete).toBe(true);
    expect(report.reduction.partialOrder).toBe(true);
    expect([report.uniqueStates]).toEqual(await recordedStates(name));
    expect(summary(report, expected)).toEqual(expected);
  });
});

describe("self-healing and the malicious writer do what they claim", () => {
  it("self-healing-7 starts at the point of availability, N3 and N4 holding nothing (write completeness: they end storing)", () => {
    const model = build("self-healing-7");
    const [start] = model.initStates();
    const at = (name: string) => model.actors.findIndex((actor) => actor.name === name);
    const view = model.view(start);
    // At the point of availability N3 and N4 hold nothing; the others hold their uploads.
    expect(["N0", "N1", "N2", "N3", "N4"].map((n) => blobView(view.actors[at(n)]).uploader)).toEqual([
      "writer",
      "writer",
      "writer",
      null,
      null,
    ]);
    expect(view.actors[at("chain")].value).toBe("certified");
  });

  it("malicious-writer-4: the node that recovers proves the inconsistency; the racing reader is the first to say ⊥", () => {
    const model = build("malicious-writer-4");
    // The witness is three steps deep: breadth-first to that depth finds the one the whole search
    // finds without reduction (partial-order reduction keeps the verdicts, not the shortest paths).
    const report = checkModel(model, { maxDepth: 3, reduction: false });
    const witness = report.properties.find((p) => p.name.includes("from what nodes serve"));
    if (witness?.kind !== "sometimes" || !witness.holds) throw new Error("expected a witness");
    expect(witness.witness.steps).toHaveLength(3);
    const last = model.view(witness.witness.steps[witness.witness.steps.length - 1].state as SystemState);
    const racing = last.actors[model.actors.findIndex((a) => a.name === "reader1")];
    expect(racing.value).toBe("failed");
    expect(racing.context.bottom).toMatch(/^inconsistent encoding/);
  });
});

describe("tightness: one shard beyond the budget, and the implementation's default check", () => {
  const failing = (report: SearchReport<unknown, unknown>) =>
    report.properties.filter((p) => !p.holds).map((p) => p.name.split(":")[0]);
  const counterexample = (report: SearchReport<unknown, unknown>, prefix: string) => {
    const property = report.properties.find((p) => p.name.startsWith(prefix));
    if (property === undefined || property.holds || property.kind === "sometimes") throw new Error("no violation");
    return property.counterexample;
  };

  it("write-read-4-f-plus-1: the read after the point of availability never completes", () => {
    const model = build("write-read-4-f-plus-1");
    const report = checkModel(model);
    expect(failing(report)).toEqual(["availability after the point of availability"]);
    const availability = report.properties.find((p) => !p.holds);
    if (availability?.kind !== "eventually" || availability.holds) throw new Error("expected a violation");
    expect(availability.violation).toBe("quiescent");
    const path = availability.counterexample;
    expect(path.steps.length).toBe(24);
    // The end: N2 crashed, N3 Byzantine, the blob certified with N3's confirmation, the reader
    // still reading with one sliver.
    const last = model.view(path.steps[path.steps.length - 1].state as SystemState);
    const at = (name: string) => model.actors.findIndex((actor) => actor.name === name);
    expect([last.status[at("N2")], last.status[at("N3")]]).toEqual(["crashed", "byzantine"]);
    expect(last.actors[at("chain")].context.signers).toContain("N3");
    expect(last.actors[at("reader")].value).toBe("reading");
    expect(last.actors[at("reader")].context.slivers).toHaveLength(1);
    const labels = path.steps.map((step) => model.formatAction(step.action as SystemAction));
    expect(labels).toContain("N2 crashes");
    expect(labels.some((label) => label.startsWith("N3 → writer: StorageConfirmation"))).toBe(true);
  });

  it("write-4-f-plus-1: write completeness and what is stored at the point of availability both fail", () => {
    const report = checkModel(build("write-4-f-plus-1"));
    expect(failing(report)).toEqual([
      "write completeness (Definition 1.1)",
      "at the point of availability correct nodes holding f+1 shards store their slivers (§4)",
    ]);
    // The shortest way: two confirmations, one of them Byzantine, then a crash.
    expect(counterexample(report, "at the point of availability").steps.length).toBe(13);
  });

  it("write-read-4-f-plus-1-invalidation: two Byzantine attestations invalidate an honest blob; the read returns ⊥", () => {
    const model = build("write-read-4-f-plus-1-invalidation");
    // Without reduction, breadth-first counterexamples are the shortest.
    const report = checkModel(model, { reduction: false });
    expect(failing(report)).toEqual([
      "validity (Definition 1.3)",
      "availability after the point of availability",
      "the chain never invalidates a correctly encoded blob (f+1 attestations include a correct node)",
    ]);
    const invalidation = counterexample(report, "the chain never invalidates");
    expect(invalidation.steps.map((step) => model.formatAction(step.action as SystemAction))).toEqual([
      expect.stringMatching(/^N[23] → chain: InvalidateBlobId .*"signers":\["N2","N3"\]/),
    ]);
    const validity = counterexample(report, "validity");
    expect(validity.steps.length).toBe(2);
    const last = model.view(validity.steps[validity.steps.length - 1].state as SystemState);
    const reader = last.actors[model.actors.findIndex((a) => a.name === "reader")];
    expect(reader.context.bottom).toBe(INVALID_BLOB_ID);
  });

  it("malicious-writer-4-default-check: one reader returns a blob, the other ⊥ (the strict check agrees on ⊥)", () => {
    const model = build("malicious-writer-4-default-check");
    const report = checkModel(model, { reduction: false });
    // Nobody recovers the inconsistent sliver, so nothing is invalidated: that witness stays unreached.
    expect(failing(report)).toEqual(["read consistency (Definition 1.2) with a Byzantine writer", "witness"]);
    const split = counterexample(report, "read consistency");
    expect(split.steps.length).toBe(11);
    const last = model.view(split.steps[split.steps.length - 1].state as SystemState);
    const values = ["reader1", "reader2"].map(
      (name) => last.actors[model.actors.findIndex((a) => a.name === name)].value,
    );
    expect([...values].sort()).toEqual(["failed", "succeeded"]);
    const strict = checkModel(
      writeRead({
        shards: [2, 1, 1],
        tamper: { primary: [3] },
        from: "pointOfAvailability",
        readers: 2,
        reader: { consistency: "strict" },
      }),
    );
    expect(strict.properties[0].holds).toBe(true);
  });
});

describe("the model checks what the machines do", () => {
  it.each([
    ["write-4-f-plus-1", 6_578],
    ["malicious-writer-4-detection", 1_078],
  ])("%s: memoised steps equal xstate's transition() on every delivery to every reachable local state", (name, states) => {
    const model = build(name);
    let compared = 0;
    // A delivery's step is a function of the recipient's local state and the message (local
    // states are numbered across actors): each such pair is compared once, in the first global
    // state it is met in.
    const pairs = new Set<string>();
    const reached = forEachReachableStep(model, (state, action, next) => {
      if (action.kind !== "deliver") return;
      const { to, event } = model.message(action.message);
      const pair = `${state[to]} ${action.message}`;
      if (pairs.has(pair)) return;
      pairs.add(pair);
      const before = model.view(state).actors[to];
      const [direct] = transition(model.actors[to].machine, before, event as never);
      const after = next === undefined ? before : model.view(next).actors[to];
      expect([after.value, after.context]).toEqual([direct.value, direct.context]);
      compared++;
    });
    expect(reached).toBe(states);
    // Not vacuous: every node, the writer and the chain receive in many local states.
    expect(compared).toBeGreaterThan(50);
  });

  it.each([
    ["too few shards", { shards: [1, 1, 1] }, /at least 4 shards/],
    ["a crash of a node that does not exist", { crash: [7] }, /no node 7/],
    ["a Byzantine node that does not exist", { byzantine: { nodes: [-1], behaviours: [] } }, /no node -1/],
    [
      "an unknown behaviour",
      { byzantine: { nodes: [3], behaviours: ["lie" as never] } },
      /unknown Byzantine behaviour/,
    ],
    ["a budget below the Byzantine shards", { byzantine: { nodes: [2, 3], behaviours: [] } }, /above the budget of 1/],
    ["a negative budget", { crash: [1], budget: -1 }, /budget must be a non-negative integer/],
    ["too many readers", { readers: 9 }, /readers must be a count/],
    ["a tampered sliver out of range", { tamper: { primary: [9] } }, /tampered sliver index 9/],
    ["a tampering that alters nothing", { tamper: {} }, /must alter at least one sliver/],
    ["an upload withheld from no such node", { withholdFrom: [4] }, /no node 4/],
    ["an unknown validity rule", { validity: "majority" }, /validity must be one of contract, paper, got "majority"/],
    [
      "an unknown attestation threshold",
      { invalidationAttestations: "all" },
      /invalidationAttestations must be one of/,
    ],
    [
      "a racing reader from the point of availability",
      { from: "pointOfAvailability", reader: { start: "immediately" } },
      /races the write/,
    ],
    [
      "a write that cannot reach its point of availability",
      { from: "pointOfAvailability", withholdFrom: [2, 3] },
      /the write does not reach its point of availability/,
    ],
  ] as const)("%s is a ModelError", (_, options, message) => {
    const attempt = () => writeRead(options as Parameters<typeof writeRead>[0]);
    expect(attempt).toThrow(ModelError);
    expect(attempt).toThrow(message);
  });

  it("a malicious writer withholds from the holder of a tampered sliver, or the model is refused", () => {
    const outcomes = [0, 1, 2, 3].map((node) => {
      try {
        writeRead({ tamper: { primary: [0] }, withholdFrom: [node], reader: false });
        return "built";
      } catch (error) {
        expect(error).toBeInstanceOf(ModelError);
        expect(String(error)).toMatch(/none of which holds a tampered sliver; withhold from one of N\d/);
        return "refused";
      }
    });
    // One shard a node: exactly one node holds the pair of primary sliver 0.
    expect(outcomes.filter((o) => o === "built")).toHaveLength(1);
  });
});
