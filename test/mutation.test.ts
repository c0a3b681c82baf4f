/**
 * Rule coverage's machinery (checker/mutation.ts): a machine's rules are its named guards and
 * actions; a mutant breaks one of them at run time, in the models built while it is in force, and
 * leaves every other machine and the unmutated models alone. An observed run sees what each rule
 * did without changing the run, and the shortcut it allows — a mutant whose rule never did what the
 * mutant would do differently is not searched in that model — is shown sound by searching every
 * mutant it skips and finding the unmutated model's states and verdicts.
 */

import { describe, expect, it } from "vitest";
import { withMachineRewrite } from "../checker/actors.js";
import {
  type Mutation,
  NeverEndingTransition,
  RuleObservations,
  applyMutation,
  canDiffer,
  mutationName,
  mutationsOf,
  observeRules,
  parseMutationName,
  rulesOf,
} from "../checker/mutation.js";
import { checkModel } from "../checker/search.js";
import { writerMachine } from "../machines/writer.js";
import { findModel, type ModelEntry } from "../models/index.js";

const model = (name: string) => findModel(name) as ModelEntry;
const mutant = (name: string) => {
  const parsed = parseMutationName(name);
  if (parsed === undefined) throw new Error(`not a mutant: ${name}`);
  return parsed;
};
const mutated = (entry: ModelEntry, mutation: Omit<Mutation, "ruleKind">) =>
  withMachineRewrite(
    (machine) => (machine.id === mutation.machine ? applyMutation(machine, mutation) : machine),
    () => entry.build({ reduction: true }),
  );
const verdicts = (built: ReturnType<ModelEntry["build"]>, options: Parameters<typeof checkModel>[1] = {}) => {
  const report = checkModel(built, { maxStates: 50_000, ...options });
  return { states: report.uniqueStates, holds: report.properties.map((p) => p.holds), stoppedBy: report.stoppedBy };
};

describe("mutants of a machine's rules", () => {
  it("are three per guard, one more where it reads a threshold, and one per action but the transport", () => {
    const rules = rulesOf(writerMachine);
    expect(rules.guards).toContain("quorumOfConfirmations");
    expect(rules.actions).toContain("recordConfirmation");
    expect(rules.actions).not.toContain("send");
    expect(mutationsOf(rules)).toHaveLength(3 * rules.guards.length + rules.actions.length);
    const names = mutationsOf(rules, new Set(["quorumOfConfirmations"])).map(mutationName);
    expect(names).toContain("writer.quorumOfConfirmations:lowered");
    expect(names).toContain("writer.recordConfirmation:skipped");
    expect(names.filter((name) => name.endsWith(":lowered"))).toEqual(["writer.quorumOfConfirmations:lowered"]);
    for (const name of names) expect(mutationName(mutant(name))).toBe(name);
    expect(parseMutationName("writer.quorumOfConfirmations:halved")).toBeUndefined();
  });

  it("a writer that certifies without a quorum, or with one shard fewer, is caught; the unmutated model is untouched", () => {
    const write4 = model("write-4");
    const baseline = verdicts(write4.build());
    expect(baseline.holds.every(Boolean)).toBe(true);
    for (const name of ["writer.quorumOfConfirmations:always", "writer.quorumOfConfirmations:lowered"]) {
      expect(verdicts(mutated(write4, mutant(name))).holds, name).toContain(false);
    }
    // The rewrite was in force only while the mutant's model was built.
    expect(verdicts(write4.build())).toEqual(baseline);
  });

  it("a negated guard with params is the original asked with its params, answered the other way", () => {
    // The node's blob regions share guards told which blob by their params: negated, each must
    // still know its blob (a mutant that threw for want of them would count as killed for nothing).
    const entry = model("write-4");
    const negated = mutated(entry, mutant("storageNode.blobRegistered:negated"));
    const report = checkModel(negated, { maxStates: 50_000 });
    expect(report.properties.find((p) => p.id === "no-sliver-before-registration")?.holds).toBe(false);
    const forced = (kind: "negated" | "always") =>
      applyMutation(writerMachine, { machine: "writer", rule: "forThisBlob", kind }).implementations.guards
        .forThisBlob as unknown as (args: unknown, params: unknown) => boolean;
    const args = { context: { blobId: "b" }, event: { type: "BlobCertified", blobId: "b" } };
    expect(forced("negated")(args, undefined)).toBe(false);
    expect(forced("negated")({ ...args, event: { type: "BlobCertified", blobId: "c" } }, undefined)).toBe(true);
  });

  it("stops at the first violation a search is told to stop at, and checks nothing after it", () => {
    const built = () => mutated(model("write-4"), mutant("writer.quorumOfConfirmations:always"));
    const whole = checkModel(built());
    const stopped = checkModel(built(), { stopOnViolation: () => true });
    expect(whole.stoppedBy).toBeUndefined();
    expect(stopped.stoppedBy).toBe("violation");
    expect(stopped.complete).toBe(false);
    expect(stopped.uniqueStates).toBeLessThanOrEqual(whole.uniqueStates);
    // One violation, and the eventually properties after it are left unchecked (incomplete, not failed).
    const violated = (p: { kind: string; holds: boolean }) => p.kind !== "sometimes" && !p.holds;
    const first = stopped.properties.findIndex(violated);
    expect(stopped.properties.filter(violated)).toHaveLength(1);
    for (const p of stopped.properties.slice(first + 1).filter((p) => p.kind === "eventually")) {
      expect(p).toMatchObject({ holds: true, complete: false });
    }
    const names = (r: typeof whole) => r.properties.filter(violated).map((p) => p.name);
    expect(names(stopped)).toEqual(names(whole));
    // Told to stop at none, it is the whole search.
    expect(checkModel(built(), { stopOnViolation: () => false }).uniqueStates).toBe(whole.uniqueStates);
  });

  it("a guard forced true that never lets a transition end is reported, not waited for", () => {
    const built = mutated(model("self-healing-4"), mutant("storageNode.lacksPrimarySlivers:always"));
    expect(() => checkModel(built)).toThrow(NeverEndingTransition);
  });

  it("names an unknown rule rather than mutate nothing", () => {
    expect(() => applyMutation(writerMachine, { machine: "writer", rule: "nosuch", kind: "never" })).toThrow(
      /writer has no guard nosuch/,
    );
    expect(() => applyMutation(writerMachine, { machine: "writer", rule: "send", kind: "skipped" })).toThrow(
      /writer has no action send/,
    );
  });
});

describe("an observed run", () => {
  const observed = (entry: ModelEntry) => {
    const observations = new RuleObservations();
    const built = withMachineRewrite(
      (machine) => observeRules(machine, observations),
      () => entry.build({ reduction: true }),
    );
    return { observations, result: verdicts(built) };
  };

  it("is the unmutated run, and sees each guard's outcomes, its thresholds and the actions run", () => {
    const write4 = model("write-4");
    const { observations, result } = observed(write4);
    expect(result).toEqual(verdicts(write4.build()));
    expect(observations.get("writer", "quorumOfConfirmations")).toEqual({
      whenTrue: true,
      whenFalse: true,
      threshold: true,
      ran: false,
    });
    expect(observations.get("writer", "recordConfirmation").ran).toBe(true);
    // write-4 has no epoch change: the writer's epoch rule never runs.
    expect(observations.get("writer", "newerEpoch")).toEqual({
      whenTrue: false,
      whenFalse: false,
      threshold: false,
      ran: false,
    });
  });

  it("skips only mutants that cannot differ: each one skipped gives the unmutated states and verdicts", () => {
    // Soundness of the campaign's shortcut, mutant by mutant, on a model small enough to search all.
    const entry = model("self-healing-4");
    const { observations, result: baseline } = observed(entry);
    const machines = ["chain", "writer", "storageNode"].map((id) => {
      const seen = new Map<string, ReturnType<typeof rulesOf>>();
      withMachineRewrite(
        (machine) => {
          seen.set(machine.id, rulesOf(machine));
          return machine;
        },
        () => entry.build(),
      );
      return seen.get(id) as ReturnType<typeof rulesOf>;
    });
    const all = machines.flatMap((rules) => mutationsOf(rules, new Set(rules.guards)));
    const skipped = all.filter((m) => !canDiffer(m, observations.get(m.machine, m.rule)));
    const searched = all.filter((m) => canDiffer(m, observations.get(m.machine, m.rule)));
    expect(skipped.length).toBeGreaterThan(20);
    expect(searched.length).toBeGreaterThan(20);
    for (const m of skipped) expect(verdicts(mutated(entry, m)), mutationName(m)).toEqual(baseline);
  });
});
