/**
 * The statechart pages of docs/machines/, generated from the machine definitions: for each machine
 * a page (its file's summary, a Mermaid statechart GitHub renders, its states and transitions as
 * tables) and an SVG drawn by Graphviz, an index listing them, and (a full run) docs/coverage.md,
 * how much of each chart the models reach.
 */

import { readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { type Chart, type ChartState, chartOf, stateKey, statesOf } from "./chart.js";
import { PACKAGE_ROOT as ROOT } from "./check-results.js";
import { type CoverageOptions, coverageAnchor, generateCoverage } from "./coverage-page.js";
import { UsageError } from "./errors.js";
import { MARK } from "./files.js";
import { renderChart } from "./layout.js";
import { type MachineEntry, discoverMachines } from "./machines.js";
import { cell, code, table } from "./markdown.js";
import { mermaidOf } from "./mermaid.js";

// --- the source's comments ---

/** The text of a `/** … *\/` comment, its `{@link X}` as code. */
function commentText(body: string): string {
  return body
    .split("\n")
    .map((line) => line.replace(/^\s*\*( |$)/, ""))
    .join("\n")
    .replace(/\{@link\s+([^}\s]+)\s*\}/g, "`$1`")
    .trim();
}

/** The first paragraph of the file's opening doc comment. */
export function fileSummary(source: string): string | null {
  const match = /^\s*\/\*\*([\s\S]*?)\*\//.exec(source);
  if (!match) return null;
  return commentText(match[1] ?? "").split(/\n\s*\n/)[0] ?? null;
}

/** The doc comment right above `export const NAME` or `export function NAME`, if any. */
export function exportComment(source: string, exportName: string): string | null {
  const declaration = new RegExp(`\\nexport (?:const|function|let) ${exportName}\\b`).exec(source);
  if (!declaration) return null;
  const before = source.slice(0, declaration.index).trimEnd();
  if (!before.endsWith("*/")) return null;
  const start = before.lastIndexOf("/**");
  return start < 0 ? null : commentText(before.slice(start + 3, -2));
}

// --- the pages ---

/** The first sentence of a summary, for the index. */
function firstSentence(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, " ");
  const end = /\.(\s|$)/.exec(flat);
  return end ? flat.slice(0, end.index + 1) : flat;
}

interface MachinePage {
  readonly entry: MachineEntry;
  readonly chart: Chart;
  /** The first paragraph of the file's opening comment. */
  readonly summary: string;
  /** The comment on the export itself. */
  readonly comment: string | null;
  /** Whether the file exports other machines too (its summary then speaks of all of them). */
  readonly shared: boolean;
}

function statesTable(chart: Chart): string[] {
  const initials = new Set(statesOf(chart).flatMap((state) => (state.initial === null ? [] : [state.initial])));
  const rows = statesOf(chart).map((state) => {
    const kind = [state.kind, ...(initials.has(state.id) ? ["initial"] : [])].join(", ");
    const actions = [
      ...(state.entry.length === 0 ? [] : [`entry: ${state.entry.map(code).join(", ")}`]),
      ...(state.invoke.length === 0 ? [] : [`invoke: ${state.invoke.map(code).join(", ")}`]),
      ...(state.exit.length === 0 ? [] : [`exit: ${state.exit.map(code).join(", ")}`]),
    ].join("; ");
    return [code(stateKey(state)), kind, actions];
  });
  return table(["state", "kind", "actions"], rows);
}

function transitionsTable(chart: Chart): string[] {
  const byId = new Map(statesOf(chart).map((state) => [state.id, state]));
  const rows = chart.transitions.map((transition) => {
    const source = stateKey(byId.get(transition.source) as ChartState);
    const targets =
      transition.targets.length === 0
        ? "(stays)"
        : transition.targets.map((target) => code(stateKey(byId.get(target) as ChartState))).join(", ");
    const event = transition.event === null ? "*always*" : code(transition.event);
    const guard = transition.guard === null ? "" : code(transition.guard);
    return [code(source), event, guard, targets, transition.actions.map(code).join(", ")];
  });
  return table(["from", "event", "guard", "to", "actions"], rows);
}

function machinePage(page: MachinePage, sourceLink: string): string {
  const { entry, chart } = page;
  const nStates = statesOf(chart).length;
  return [
    `<!-- ${MARK} from ${entry.source}: edit the machine, not this page. -->`,
    "",
    `# \`${entry.exportName}\``,
    "",
    `Source: [\`${entry.source}\`](${sourceLink}) · ${nStates} states, ${chart.transitions.length} transitions · ` +
      `[how to read the chart](README.md#how-to-read-the-charts) · [coverage](${COVERAGE_FILE}#${coverageAnchor(entry)})`,
    "",
    page.summary,
    "",
    ...(page.comment === null ? [] : [page.comment, ""]),
    "## Statechart",
    "",
    "```mermaid",
    mermaidOf(chart),
    "```",
    "",
    "<details>",
    "<summary>The same chart laid out by Graphviz (SVG; the picture opens full size)</summary>",
    "",
    `[![${entry.exportName}](${entry.name}.svg)](${entry.name}.svg)`,
    "",
    "</details>",
    "",
    "## States",
    "",
    ...statesTable(chart),
    "",
    "## Transitions",
    "",
    "In definition order. For an event, xstate takes the first transition whose guard holds, trying a",
    "state's own before its parent's.",
    "",
    ...transitionsTable(chart),
    "",
  ].join("\n");
}

const HOW_TO_READ = [
  "## How to read the charts",
  "",
  "- A box is a state; a filled dot points at the state its parent starts in; a double border (SVG) or",
  "  an arrow to a ringed dot (Mermaid) marks a final state.",
  "- A box around boxes is a compound state. A parallel state's regions are in dashed frames side by",
  "  side (Mermaid) or in clusters of their own under a title saying *parallel regions* (SVG); all of",
  "  them are active at once. A state marked *(history)* is a history state.",
  "- An arrow is a transition, labelled `Event [guard] / actions`. `always` marks an eventless",
  "  transition, taken as soon as its guard holds (dashed in the SVG); `after N` a delayed one;",
  "  `onDone` is taken when the compound state reaches a final state, `done.X` and `error.X` when",
  "  the invoked actor `X` ends.",
  "- Lines inside a box are the state's entry and exit actions, the actors it invokes while active,",
  "  and the transitions that stay in it (no target: only their actions run).",
  "- A box `X.*` holds what belongs to the compound state `X` itself: its actions, actors and own",
  "  transitions, which are taken in any state of `X` that does not take the event itself (xstate",
  "  tries the innermost state first).",
  "- Guards are written as the machine combines them: `and`, `or`, `not`, and `in region.state` for",
  "  xstate's `stateIn`. An action marked `(inline)` is written in the chart rather than named in",
  "  `setup`; its source is the chart's.",
  "- In the SVG, colours only tell neighbouring edges apart; a label's underline points at its edge.",
];

function indexPage(pages: readonly MachinePage[], sourceLink: (entry: MachineEntry) => string): string {
  const rows = pages.map(({ entry, chart, summary, comment, shared }) => {
    const about = firstSentence(shared && comment !== null ? comment : summary);
    return [
      `[\`${entry.exportName}\`](${entry.name}.md)`,
      `[\`${entry.source}\`](${sourceLink(entry)})`,
      String(statesOf(chart).length),
      String(chart.transitions.length),
      cell(about),
    ];
  });
  return [
    `<!-- ${MARK} from machines/: edit the machines, not this page. -->`,
    "",
    "# The machines' statecharts",
    "",
    "Each page is generated from a machine's definition: its source file's summary, its statechart",
    "(Mermaid, and an SVG drawn by Graphviz), and every state and transition as a table.",
    "`npm run docs` writes them; `npm run docs:check`, run in CI, fails when they are out of date.",
    `[The coverage](${COVERAGE_FILE}) says which states and transitions of each machine the models reach,`,
    "and why the others are out of reach.",
    "",
    ...table(["machine", "source", "states", "transitions", "summary"], rows),
    "",
    ...HOW_TO_READ,
    "",
  ].join("\n");
}

// --- generating, writing, checking ---

/** Which statechart pages to generate, and from what. */
export interface DocsOptions {
  /** The directory the pages go to (default docs/machines of the package). */
  readonly out?: string;
  /** Machines by page or export name; all of them when empty. */
  readonly machines?: readonly string[];
  /** The package root, where the machine sources are read. */
  readonly root?: string;
  /** The machines to document (default: those discovered in machines/). */
  readonly entries?: readonly MachineEntry[];
  /** Write the coverage page too (beside the output directory), driven as these options say. */
  readonly coverage?: CoverageOptions;
}

/** The coverage page, relative to the output directory: docs/coverage.md beside docs/machines/. */
const COVERAGE_FILE = "../coverage.md";

/** Every generated file: name in the output directory → content. */
export async function generateDocs(options: DocsOptions = {}): Promise<Map<string, string>> {
  const root = options.root ?? ROOT;
  const out = options.out ?? join(root, "docs", "machines");
  const entries = options.entries ?? (await discoverMachines());
  const selected = selectMachines(entries, options.machines ?? []);
  const link = (entry: MachineEntry) => relative(out, join(root, entry.source)).split(sep).join("/");

  const sources = new Map<string, string>();
  const pages: MachinePage[] = [];
  for (const entry of entries) {
    let source = sources.get(entry.source);
    if (source === undefined) {
      try {
        source = await readFile(join(root, entry.source), "utf8");
      } catch (error) {
        throw new UsageError(
          `cannot read ${entry.source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
        );
      }
      sources.set(entry.source, source);
    }
    const summary = fileSummary(source);
    if (summary === null) {
      throw new UsageError(`${entry.source} does not open with a doc comment saying what the machine is`);
    }
    pages.push({
      entry,
      chart: chartOf(entry.machine),
      summary,
      comment: exportComment(source, entry.exportName),
      shared: entries.some((other) => other !== entry && other.source === entry.source),
    });
  }

  // Graphviz (compiled to WebAssembly) is loaded by this command alone: nothing else pays for it.
  const { instance } = await import("@viz-js/viz");
  const viz = await instance();
  const files = new Map<string, string>([["README.md", indexPage(pages, link)]]);
  for (const page of pages) {
    if (!selected.includes(page.entry)) continue;
    files.set(`${page.entry.name}.md`, machinePage(page, link(page.entry)));
    files.set(`${page.entry.name}.svg`, renderChart(viz, page.chart));
  }
  if (options.coverage !== undefined) {
    const from = dirname(join(out, COVERAGE_FILE));
    const pageLink = (entry: { name: string }) =>
      relative(from, join(out, `${entry.name}.md`))
        .split(sep)
        .join("/");
    files.set(COVERAGE_FILE, await generateCoverage(entries, options.coverage, { mark: MARK, pageLink }));
  }
  return files;
}

function selectMachines(entries: readonly MachineEntry[], names: readonly string[]): MachineEntry[] {
  if (names.length === 0) return [...entries];
  return names.map((name) => {
    const entry = entries.find((e) => e.name === name || e.exportName === name);
    if (entry === undefined) {
      throw new UsageError(`unknown machine ${JSON.stringify(name)}; known: ${entries.map((e) => e.name).join(", ")}`);
    }
    return entry;
  });
}
