/**
 * Rule coverage's machinery (checker/mutation.ts): a machine's rules are its named guards and
 * actions; a mutant breaks one of them at run time, in the models built while it is in force, and
 * leaves every other machine and the unmutated models alone. A small pinned sample on `write-4`
 * shows a killed mutant and one that survives there (the writer's epoch-change rules, which a
 * model without an epoch change never runs).
 */

import { describe, expect, it } from "vitest";
import { withMachineRewrite } from "../checker/actors.js";
import { type Mutation, applyMutation, mutationName, mutationsOf, rulesOf } from "../checker/mutation.js";
import { checkModel } from "../checker/search.js";
import { writerMachine } from "../machines/writer.js";
import { findModel, type ModelEntry } from "../models/index.js";

const write4 = findModel("write-4") as ModelEntry;
const verdicts = (entry: ModelEntry, rewrite?: Parameters<typeof withMachineRewrite>[0]) => {
  const model = rewrite === undefined ? entry.build() : withMachineRewrite(rewrite, () => entry.build());
  const report = checkModel(model, { maxStates: 50_000 });
  return { states: report.uniqueStates, holds: report.properties.map((p) => p.holds) };
};

describe("mutants of a machine's rules", () => {
  it("are three per guard and one per action, named by machine, rule and kind", () => {
    const { guards, actions } = rulesOf(writerMachine);
    const mutants = mutationsOf(rulesOf(writerMachine));
    expect(guards).toContain("quorumOfConfirmations");
    expect(actions).toContain("recordConfirmation");
    expect(mutants).toHaveLength(3 * guards.length + actions.length);
    expect(mutants.map(mutationName)).toContain("writer.quorumOfConfirmations:always");
    expect(mutants.map(mutationName)).toContain("writer.recordConfirmation:skipped");
  });

  it("a writer that certifies without a quorum is caught; the unmutated model is untouched", () => {
    const baseline = verdicts(write4);
    expect(baseline.holds.every(Boolean)).toBe(true);
    const [mutant] = mutationsOf(rulesOf(writerMachine)).filter(
      (m) => mutationName(m) === "writer.quorumOfConfirmations:always",
    );
    const mutated = verdicts(write4, (machine) => applyMutation(machine, mutant as Mutation));
    expect(mutated.holds.some((holds) => !holds)).toBe(true);
    // The rewrite was in force only while the mutant's model was built.
    expect(verdicts(write4)).toEqual(baseline);
  });

  it("a rule the model never runs survives: the writer's epoch change in a model without one", () => {
    const baseline = verdicts(write4);
    for (const mutant of mutationsOf(rulesOf(writerMachine)).filter((m) => m.rule === "newerEpoch")) {
      expect(
        verdicts(write4, (machine) => applyMutation(machine, mutant)),
        mutationName(mutant),
      ).toEqual(baseline);
    }
  });

  it("names an unknown rule rather than mutate nothing", () => {
    expect(() =>
      applyMutation(writerMachine, { machine: "writer", rule: "nosuch", kind: "never" }),
    ).toThrow(/writer has no guard nosuch/);
  });
});
