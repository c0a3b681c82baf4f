/**
 * docs/coverage.md: how much of each machine's chart the models exercise (report/coverage-traversal.ts)
 * and, for each state and transition no run reaches, why it is out of reach
 * (report/coverage-reasons.ts). Generation fails when an item is neither reached nor explained, and
 * when an explained item is reached after all, so the explanations cannot go stale.
 */

import {
  type CoveredMachine,
  DEFAULT_SIMULATION,
  type Drivers,
  type SimulationBounds,
  driversFromModels,
} from "./coverage-drivers.js";
import {
  type CoverageBounds,
  DEFAULT_BOUNDS,
  type ItemCoverage,
  type MachineCoverage,
  type Witness,
  machineCoverage,
} from "./coverage-traversal.js";
import { FailureError } from "./errors.js";
import { cell, code, table } from "./markdown.js";

/** Why an item no driver reaches is out of reach: page name → item key → one or two sentences. */
export type Reasons = Readonly<Record<string, Readonly<Record<string, string>>>>;

// --- the reasons ---

/**
 * What is wrong between the coverage and the reasons: an item neither reached nor explained, an
 * explained item that is reached, a reason for an item or machine that does not exist, and a
 * machine nothing drives. Empty when they agree.
 */
export function coverageProblems(coverage: readonly MachineCoverage[], reasons: Reasons): string[] {
  const problems: string[] = [];
  const byName = new Map(coverage.map((c) => [c.machine.name, c]));
  for (const name of Object.keys(reasons)) {
    if (!byName.has(name)) problems.push(`${name}: reasons are given for a machine docs/machines does not draw`);
  }
  for (const c of coverage) {
    const explained = reasons[c.machine.name] ?? {};
    const items = [...c.states, ...c.transitions];
    const keys = new Set(items.map((item) => item.key));
    for (const key of Object.keys(explained)) {
      if (!keys.has(key))
        problems.push(`${c.machine.name}: a reason is given for "${key}", which the chart does not have`);
    }
    if (c.drivers.length === 0 && Object.keys(explained).length === 0) {
      problems.push(`${c.machine.name}: no model runs it and it has no driver of its own`);
      continue;
    }
    for (const { key, witness } of items) {
      const reason = explained[key];
      if (witness === null && reason === undefined) {
        problems.push(`${c.machine.name}: "${key}" is not reached and has no reason`);
      } else if (witness !== null && reason !== undefined) {
        problems.push(
          `${c.machine.name}: "${key}" is reached (${witness.driver}, after ${witness.path.length} events) ` +
            "but has a reason: remove it",
        );
      }
    }
  }
  return problems;
}

/** Throws a {@link FailureError} listing every problem, saying where the reasons are kept. */
export function assertExplained(coverage: readonly MachineCoverage[], reasons: Reasons, where: string): void {
  const problems = coverageProblems(coverage, reasons);
  if (problems.length === 0) return;
  throw new FailureError(
    `the machines' coverage and its reasons (${where}) disagree:\n${problems.map((p) => `  ${p}`).join("\n")}\n` +
      "reach the item (a model, a driver) or say in the reasons why no run can",
  );
}

// --- the page ---

/** A path of event types, collapsed where an event repeats (`StoreSliverPairs ×3`). */
function pathText(path: readonly string[]): string {
  if (path.length === 0) return "(start)";
  const parts: string[] = [];
  for (let i = 0; i < path.length; ) {
    let j = i;
    while (j < path.length && path[j] === path[i]) j++;
    parts.push(j - i === 1 ? (path[i] as string) : `${path[i]} ×${j - i}`);
    i = j;
  }
  return parts.join(" → ");
}
const depth = (witness: Witness) => `${witness.shortest ? "" : "≤ "}${witness.path.length}`;

/** What the coverage page says besides the coverage itself. */
export interface CoveragePageOptions {
  /** The generated-file mark the page opens with. */
  readonly mark: string;
  /** The link to a machine's page, from the coverage page. */
  readonly pageLink: (machine: CoveredMachine) => string;
  /** Where the reasons are kept, as the page names it. */
  readonly reasonsSource: string;
  readonly reasons: Reasons;
  readonly bounds: CoverageBounds;
  readonly simulation: SimulationBounds;
}

/** The anchor GitHub gives a heading `` `storageNodeMachine` ``. */
export const coverageAnchor = (machine: CoveredMachine) => machine.exportName.toLowerCase();

/** The page's Markdown, from each machine's coverage. */
export function coveragePage(coverage: readonly MachineCoverage[], options: CoveragePageOptions): string {
  const count = <T>(items: readonly ItemCoverage<T>[]) =>
    `${items.filter((i) => i.witness !== null).length}/${items.length}`;
  const summary = coverage.map((c) => [
    `[\`${c.machine.exportName}\`](#${coverageAnchor(c.machine)})`,
    count(c.states),
    count(c.transitions),
    String(c.drivers.length),
  ]);
  const sections = coverage.flatMap((c) => {
    const reasons = options.reasons[c.machine.name] ?? {};
    const unreached = [...c.states, ...c.transitions].filter((i) => i.witness === null);
    const stateRows = c.states.map(({ key, witness }) =>
      witness === null
        ? [code(key), "not reached", "", ""]
        : [code(key), depth(witness), cell(pathText(witness.path)), cell(witness.driver)],
    );
    return [
      `## \`${c.machine.exportName}\``,
      "",
      `[Its chart](${options.pageLink(c.machine)}) · states reached ${count(c.states)} · transitions taken ` +
        `${count(c.transitions)} · ${c.drivers.length} ${c.drivers.length === 1 ? "driver" : "drivers"}, ` +
        `${c.snapshots} snapshots traversed${c.bounded ? " (some at the bound)" : ""}`,
      "",
      ...(unreached.length === 0
        ? ["Every state and transition is reached.", ""]
        : [
            "Not reached, and why:",
            "",
            ...table(
              ["state or transition", "why no run reaches it"],
              unreached.map(({ key }) => [code(key), cell(reasons[key] ?? "")]),
            ),
            "",
          ]),
      "<details>",
      "<summary>Each state with the fewest events found to reach it</summary>",
      "",
      ...table(["state", "events", "path", "driver"], stateRows),
      "",
      "</details>",
      "",
    ];
  });
  const { walks, depth: steps, seed } = options.simulation;
  return [
    `<!-- ${options.mark} from machines/, models/ and ${options.reasonsSource}: edit those, not this page. -->`,
    "",
    "# The machines' coverage",
    "",
    "How much of each machine's chart the models exercise, and why the rest is out of their reach.",
    "",
    `Every model of the catalogue is simulated (${walks} seeded random walks of at most ${steps} steps, seed ${seed}),`,
    "recording the events each actor receives. Each actor, started with its input or where its model",
    "starts it, is a *driver* of its machine: `xstate/graph` (`getShortestPaths`) traverses the machine",
    "breadth first from there, trying the actor's events in any order wherever their type is handled,",
    `and expands at most ${options.bounds.snapshots} snapshots per driver; then the event sequences the actor received in`,
    "the walks are replayed, reaching what the models reach deeper than that bound. The machines no",
    "model runs have drivers of their own (`report/coverage-own-drivers.ts`).",
    "",
    "A state counts as reached when a step enters it, even one the same step leaves again; a",
    "transition, when a step takes it. The traversal runs a machine on its own, so it may deliver an",
    "actor's events in orders its model never does: what is reached is reachable by the machine on",
    "events some run sends it. Events no walk delivered are not tried: what is not reached is",
    "explained, not disproved. Each such state or transition has a reason in",
    `\`${options.reasonsSource}\`, and \`npm run docs\` fails when one is neither reached nor explained, or`,
    "explained and reached after all.",
    "",
    "Per machine, *events* is the fewest events found to reach a state (over the driver's events,",
    "breadth first; `≤` where only a replayed walk reached it), *path* those events and *driver* the",
    "model and actor.",
    "",
    ...table(["machine", "states", "transitions", "drivers"], summary),
    "",
    ...sections,
  ].join("\n");
}

// --- generating the page ---

/** What `walrus-spec docs` needs to write docs/coverage.md; each part has a default. */
export interface CoverageOptions {
  /** Default: the catalogue's models (`driversFromModels`), then `ownDrivers`. */
  readonly drivers?: Drivers;
  /** Default: report/coverage-reasons.ts. */
  readonly reasons?: Reasons;
  readonly bounds?: CoverageBounds;
  readonly simulation?: SimulationBounds;
}

/** Where the reasons are kept, as the page and the errors name it. */
const REASONS_SOURCE = "report/coverage-reasons.ts";

/**
 * The coverage page of `machines`, or a {@link FailureError} when coverage and reasons disagree.
 * The catalogue is loaded only when no drivers are given, so that a page of a few machines (a
 * test's) does not build every model.
 */
export async function generateCoverage(
  machines: readonly CoveredMachine[],
  options: CoverageOptions,
  page: Pick<CoveragePageOptions, "mark" | "pageLink">,
): Promise<string> {
  const simulation = options.simulation ?? DEFAULT_SIMULATION;
  const bounds = options.bounds ?? DEFAULT_BOUNDS;
  let drivers = options.drivers;
  if (drivers === undefined) {
    const [{ MODELS }, { ownDrivers }] = await Promise.all([
      import("../models/index.js"),
      import("./coverage-own-drivers.js"),
    ]);
    const fromModels = driversFromModels(machines, MODELS, simulation);
    drivers = new Map([...fromModels, ...ownDrivers(fromModels)]);
  }
  const reasons = options.reasons ?? (await import("./coverage-reasons.js")).REASONS;
  const coverage = machines.map((machine) => machineCoverage(machine, drivers.get(machine.name) ?? [], bounds));
  assertExplained(coverage, reasons, REASONS_SOURCE);
  return coveragePage(coverage, { ...page, reasons, reasonsSource: REASONS_SOURCE, bounds, simulation });
}
