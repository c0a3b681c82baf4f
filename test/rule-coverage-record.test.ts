/**
 * The recorded campaign (docs/rule-coverage.json, written by `npm run mutate`): every survivor and
 * every rule not reached has a written reason (report/mutate-reasons.ts) and no reason speaks of a
 * mutant the campaign no longer has; and a pinned sample of mutants, one of each machine, run again
 * here against the model that killed it in the campaign, is killed the same way — so the campaign's
 * machinery cannot rot between campaigns. The verdicts themselves live in the record only.
 */

import { describe, expect, it } from "vitest";
import { parseMutationName } from "../checker/mutation.js";
import { type PlannedMutant, runMutant } from "../report/mutate-campaign.js";
import { builtInModel } from "../report/mutate-jobs.js";
import { SURVIVOR_REASONS, reasonFor } from "../report/mutate-reasons.js";
import { RULE_COVERAGE_FILE, isWhole, readRuleCoverage } from "../report/mutate-report.js";

const record = readRuleCoverage(RULE_COVERAGE_FILE);

/** One killed mutant of each machine the campaign ran that has rules (of the storage node, one of its blob regions, one of its epoch regions and one of its challenge region), each killed by a small model. */
const SAMPLE: readonly string[] = [
  "TM.allPrepared:always",
  "chain.recordCertificate:skipped",
  "chain-challenge.coinAsVariantNeeds:never",
  "storageNode.withholdChallengedBlobs:skipped",
  "storageNode.losesShard:never",
  "epochDriver.changesLeft:negated",
  "quorumWriter.quorumReached:always",
  "reader.takeResponse:skipped",
  "storageNode.processChainEvent:skipped",
  "writer.recordConfirmation:skipped",
];

describe("the recorded rule-coverage campaign", () => {
  it("is whole", () => {
    expect(isWhole(record)).toBe(true);
  });

  it("gives every survivor and every rule not reached a reason", () => {
    const open = record.mutants.filter((m) => m.verdict === "survived" || m.verdict === "not reached");
    expect(open.filter((m) => reasonFor(m) === undefined).map((m) => m.name)).toEqual([]);
  });

  it("has no reason for a mutant or rule it does not leave open", () => {
    const open = record.mutants.filter((m) => m.verdict !== "killed");
    const keys = new Set(open.flatMap((m) => [m.name, `${m.machine}.${m.rule}`]));
    expect(Object.keys(SURVIVOR_REASONS).filter((key) => !keys.has(key))).toEqual([]);
  });

  it.each(SAMPLE)("%s is killed again as the campaign recorded", (name) => {
    const recorded = record.mutants.find((m) => m.name === name);
    const killer = recorded?.killedBy;
    if (recorded === undefined || killer === undefined) throw new Error(`${name} is not a killed mutant of the record`);
    const states = record.models.find((m) => m.name === killer.model)?.states ?? 0;
    const parsed = parseMutationName(name);
    if (parsed === undefined) throw new Error(`${name} is not a mutant's name`);
    const planned: PlannedMutant = {
      mutation: { ...parsed, ruleKind: recorded.ruleKind },
      name,
      reached: true,
      candidates: [{ name: killer.model, states, seconds: 10 }],
    };
    expect(runMutant(planned, builtInModel).killedBy).toEqual(killer);
  });
});
