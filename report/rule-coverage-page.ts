/**
 * docs/rule-coverage.md: the last recorded rule-coverage campaign (docs/rule-coverage.json, written
 * by `npm run mutate`) as an auditor reads it — the score per machine and overall, then each rule's
 * mutants with their verdicts, the model and property that killed each, and the written reason of
 * each survivor (report/mutate-reasons.ts). Rules the machines have now and the campaign did not
 * measure, or the other way round, are listed, so a page generated after a change to the machines
 * says what the campaign has not caught up with.
 */

import { ActorModel } from "../checker/actors.js";
import { rulesOf } from "../checker/mutation.js";
import type { BuiltModel } from "./catalogue.js";
import { BOUND_FACTOR, BOUND_FLOOR, type MutantResult } from "./mutate-campaign.js";
import { reasonFor } from "./mutate-reasons.js";
import { type RuleCoverageReport, isWhole, percent, scoreOf } from "./mutate-report.js";
import { cell, table } from "./markdown.js";

/** The machines the built models run as actors, with their rules. */
export function machinesRunBy(built: readonly BuiltModel[]): Map<string, Set<string>> {
  const rules = new Map<string, Set<string>>();
  for (const { model } of built) {
    if (!(model instanceof ActorModel)) continue;
    for (const { machine } of model.actors) {
      const { id, guards, actions } = rulesOf(machine);
      const set = rules.get(id) ?? new Set<string>();
      for (const rule of [...guards, ...actions]) set.add(rule);
      rules.set(id, set);
    }
  }
  return rules;
}

function killedText(mutant: MutantResult): string {
  const by = mutant.killedBy;
  if (by === undefined) return "";
  const how = {
    violated: "violates",
    vacuous: "never reaches",
    "expected failure lost": "no longer breaks",
    threw: "throws:",
    hung: "hangs:",
    "out of memory": "runs out of memory:",
  }[by.how];
  return `\`${by.model}\` ${how} ${by.property}`;
}

function reasonText(mutant: MutantResult): string {
  if (mutant.verdict === "killed") return "";
  if (mutant.verdict === "undecided")
    return `outgrew the bound on ${(mutant.outgrew ?? []).map((m) => `\`${m}\``).join(", ")}`;
  const reason = reasonFor(mutant);
  if (reason === undefined) return "**no reason recorded**";
  return `${reason.kind}: ${reason.why}${reason.issue === undefined ? "" : ` (issue ${reason.issue})`}`;
}

/** The page, from the recorded campaign and the rules the default models run now. */
export function ruleCoveragePage(
  report: RuleCoverageReport | null,
  current: ReadonlyMap<string, ReadonlySet<string>>,
  options: {
    readonly mark: string;
    readonly recordFile: string;
    /** The ids of the machines machines/ defines, to name those no default model runs. */
    readonly defined?: readonly string[];
  },
): string {
  const lines = [
    "# Rule coverage",
    "",
    `<!-- ${options.mark} from ${options.recordFile}; do not edit. -->`,
    "",
    "Would the properties fail if the protocol were wrong? Each rule of each machine the default models run — a named guard or action of its xstate `setup` — is broken on purpose, one at a time, at run time (`machine.provide`): a guard forced true, forced false, negated, or, where it compares a weight with a threshold (`isQuorum`, `isAboveValidity`), with that threshold one shard lower; an action that does nothing. Each mutant is searched, with the search and reductions of `npm run check`, against the default models that can tell it from its rule — those whose unmutated search evaluated the guard to the other value, or ran the action — smallest first.",
    "",
    "- **killed**: a model no longer gives its verdicts — a property that held fails, a witness is never reached, an expected failure disappears, or the model throws, hangs or runs out of memory (as `npm run check` would);",
    "- **survived**: every model that could tell gives its verdicts; each survivor has a written reason in `report/mutate-reasons.ts`: *equivalent* (no behaviour of the protocol changes) or a *gap* (what would catch it, and the issue that brings it when it needs a new kind of fault);",
    "- **not reached**: no default model runs the rule;",
    `- **undecided**: its search outgrew ${BOUND_FACTOR} times the unmutated model's states (and at least ${BOUND_FLOOR.toLocaleString("en-US")}) or time (left out of the score).`,
    "",
    "The score is killed / (killed + survived). `npm run mutate` (`walrus-spec mutate`) runs the campaign and records it; `walrus-spec mutate --shard i/N --out FILE` runs a CI matrix's share and `walrus-spec mutate --merge FILE…` joins the shares.",
    "",
  ];
  if (report === null) {
    lines.push("No campaign is recorded yet: run `npm run mutate`.", "");
    return lines.join("\n");
  }
  if (!isWhole(report)) {
    lines.push(`The recorded campaign is partial: ${report.mutants.length} of ${report.planned} mutants.`, "");
  }
  lines.push(
    `The campaign ran ${report.planned} mutants of ${report.machines.length} machines over ${report.models.length} default models.`,
    "",
  );
  const scoreRow = (label: string, mutants: readonly MutantResult[]) => {
    const s = scoreOf(mutants);
    return [label, ...[mutants.length, s.killed, s.survived, s.notReached, s.undecided].map(String), percent(s.score)];
  };
  lines.push(
    "## Score",
    "",
    ...table(
      ["machine", "mutants", "killed", "survived", "not reached", "undecided", "score"],
      [
        ...report.machines.map((machine) =>
          scoreRow(
            `[\`${machine.id}\`](#${machine.id.toLowerCase()})`,
            report.mutants.filter((m) => m.machine === machine.id),
          ),
        ),
        scoreRow("**all**", report.mutants),
      ],
      { align: ["default", "right", "right", "right", "right", "right", "right"], delimiter: "compact" },
    ),
    "",
  );
  // The target is over the mutants that change some behaviour: equivalent survivors are left out.
  const equivalent = report.mutants.filter((m) => m.verdict === "survived" && reasonFor(m)?.kind === "equivalent");
  const { killed, survived } = scoreOf(report.mutants);
  lines.push(
    `Without the ${equivalent.length === 1 ? "survivor that is" : `${equivalent.length} survivors that are`} equivalent (they change no behaviour of the protocol), the score is ${percent(killed / (killed + survived - equivalent.length))}: ${killed} of the ${killed + survived - equivalent.length} mutants that change some behaviour are killed. The target is 90 %.`,
    "",
  );
  const unrun = [...new Set(options.defined ?? [])].filter((id) => !current.has(id)).sort();
  if (unrun.length > 0) {
    lines.push(
      `Machines of \`machines/\` that no default model runs, so that no campaign measures them: ${unrun.map((id) => `\`${id}\``).join(", ")}.`,
      "",
    );
  }

  const measured = new Map(report.machines.map((m) => [m.id, new Set([...m.guards, ...m.actions])]));
  const added: string[] = [];
  const removed: string[] = [];
  for (const [id, rules] of current)
    for (const rule of rules) if (!measured.get(id)?.has(rule)) added.push(`${id}.${rule}`);
  for (const [id, rules] of measured)
    for (const rule of rules) if (!current.get(id)?.has(rule)) removed.push(`${id}.${rule}`);
  if (added.length + removed.length > 0) {
    lines.push("## Since the campaign", "");
    if (added.length > 0)
      lines.push(
        `Rules the default models run now that the campaign did not measure: ${added
          .sort()
          .map((r) => `\`${r}\``)
          .join(", ")}.`,
        "",
      );
    if (removed.length > 0)
      lines.push(
        `Rules the campaign measured that the default models no longer run: ${removed
          .sort()
          .map((r) => `\`${r}\``)
          .join(", ")}.`,
        "",
      );
    lines.push("Run `npm run mutate` to measure them.", "");
  }

  for (const machine of report.machines) {
    const mutants = report.mutants.filter((m) => m.machine === machine.id);
    if (mutants.length === 0) {
      lines.push(`## ${machine.id}`, "", "No rules but the transport (`send`): nothing to break.", "");
      continue;
    }
    const rows = mutants.map((mutant) => {
      const why = mutant.verdict === "killed" ? killedText(mutant) : reasonText(mutant);
      return [`\`${mutant.rule}\``, mutant.kind, mutant.verdict, cell(why)];
    });
    lines.push(
      `## ${machine.id}`,
      "",
      ...table(["rule", "mutant", "verdict", "killed by, or why it survives"], rows, { delimiter: "compact" }),
      "",
    );
  }
  return lines.join("\n");
}
