/**
 * docs/traceability.md: from a section of the protocol, or a file of the Walrus implementation, to
 * the machines that follow it, the properties that state its claims, and the models that check
 * them.
 *
 * Everything is read from the code: a machine module's `follows` (the sections and files it
 * follows), a property's `source`, and each model's actors (the machines it runs). A row pairs a
 * section with a property citing it; its machines are those that follow the section and run in a
 * model checking the property. A machine that follows a section no property of its models cites
 * gets a row of its own, so a section modelled but never checked shows as such.
 */

import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AnyStateMachine } from "xstate";
import { ActorModel } from "../checker/actors.js";
import type { Source } from "../checker/model.js";
import { type BuiltModel, type CatalogueProperty, catalogueProperties, unknownSections } from "./catalogue.js";
import { chartOf, statesOf } from "./chart.js";
import { UsageError } from "./errors.js";
import type { MachineEntry } from "./machines.js";
import { cell, table } from "./markdown.js";
import { compareSections, fileMarkdown, filePath, isWalrusFile, sectionTitle, topOf } from "./sources.js";

/** A machine with what its module follows. */
export interface TracedMachine {
  readonly entry: MachineEntry;
  readonly follows: Source;
}

const MACHINE_MODULES = fileURLToPath(new URL("../machines/", import.meta.url));

/**
 * The `follows` of each machine's module. A module without one, or citing a section the protocol
 * does not have, is a {@link UsageError}: the matrix would lose the machine without a word.
 */
export async function tracedMachines(
  entries: readonly MachineEntry[],
  directory = MACHINE_MODULES,
): Promise<TracedMachine[]> {
  const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
  const traced: TracedMachine[] = [];
  for (const entry of entries) {
    const base = entry.source.slice("machines/".length, -".ts".length);
    const module = (await import(pathToFileURL(join(directory, `${base}${extension}`)).href)) as {
      follows?: Source;
    };
    const follows = module.follows;
    if (follows === undefined || ((follows.sections ?? []).length === 0 && (follows.files ?? []).length === 0)) {
      throw new UsageError(
        `${entry.source} exports no \`follows\` naming the protocol sections or Walrus files its machines follow`,
      );
    }
    const unknown = unknownSections(follows);
    if (unknown.length > 0)
      throw new UsageError(`${entry.source}: unknown section ${unknown.join(", ")} in \`follows\``);
    traced.push({ entry, follows });
  }
  return traced;
}

const shapes = new WeakMap<AnyStateMachine, string>();
/**
 * A machine's chart by its id and states. Models build machines with factories
 * (`createChainMachine({ invalidation })`), so an actor's machine is seldom the exported object
 * itself; options change guards and transitions, not the states, which tell the charts apart
 * (`chainMachine` and `chainWithEpochsMachine` share the id `chain`).
 */
function shapeOf(machine: AnyStateMachine): string {
  let shape = shapes.get(machine);
  if (shape === undefined) {
    shape = statesOf(chartOf(machine))
      .map((state) => state.id)
      .sort()
      .join(",");
    shapes.set(machine, shape);
  }
  return shape;
}

/** The charts of the machines a model runs as actors (none for a model that is not an actor system). */
function machinesOf(model: BuiltModel["model"]): Set<string> {
  return new Set(model instanceof ActorModel ? model.actors.map((actor) => shapeOf(actor.machine)) : []);
}

interface Row {
  readonly machines: readonly TracedMachine[];
  readonly property: CatalogueProperty | null;
  readonly models: readonly string[];
}

/** The rows of one section or file: `cites` says whether a source cites it. */
function rowsFor(
  cites: (source: Source) => boolean,
  properties: readonly CatalogueProperty[],
  machines: readonly TracedMachine[],
  built: readonly BuiltModel[],
): Row[] {
  const runs = new Map(built.map((b) => [b.entry.name, machinesOf(b.model)]));
  const following = machines.filter((m) => cites(m.follows));
  const covered = new Set<TracedMachine>();
  const rows: Row[] = [];
  for (const property of properties.filter((p) => cites(p.source))) {
    const run = (m: TracedMachine) =>
      property.models.some((model) => runs.get(model.name)?.has(shapeOf(m.entry.machine)));
    const ms = following.filter(run);
    for (const m of ms) covered.add(m);
    rows.push({ machines: ms, property, models: property.models.map((model) => model.name) });
  }
  for (const m of following.filter((m) => !covered.has(m))) {
    const models = built.filter((b) => runs.get(b.entry.name)?.has(shapeOf(m.entry.machine))).map((b) => b.entry.name);
    rows.push({ machines: [m], property: null, models });
  }
  return rows;
}

const machineLink = (m: TracedMachine) => `[\`${m.entry.exportName}\`](machines/${m.entry.name}.md)`;

function matrix(first: string, groups: readonly { label: string; rows: readonly Row[] }[]): string[] {
  const cells = groups.flatMap(({ label, rows }) =>
    rows.map((row, i) => {
      const machines = row.machines.length === 0 ? "—" : row.machines.map(machineLink).join(", ");
      const property = row.property === null ? "*no property cites it*" : cell(row.property.name);
      const kind = row.property?.kind ?? "";
      const models =
        row.models.length === 0
          ? "*no model runs it as an actor*"
          : row.models.map((model) => `\`${model}\``).join(", ");
      return [i === 0 ? label : "", machines, property, kind, models];
    }),
  );
  return table([first, "machines", "property", "kind", "models"], cells);
}

/** Renders docs/traceability.md. */
export function traceabilityPage(
  built: readonly BuiltModel[],
  machines: readonly TracedMachine[],
  options: { readonly mark: string },
): string {
  const properties = catalogueProperties(built);
  const sources = [...machines.map((m) => m.follows), ...properties.map((p) => p.source)];
  const sections = [...new Set(sources.flatMap((s) => s.sections ?? []))].sort(compareSections);
  const files = [...new Set(sources.flatMap((s) => (s.files ?? []).map(filePath)))].sort((a, b) =>
    isWalrusFile(a) !== isWalrusFile(b) ? (isWalrusFile(a) ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0,
  );
  const lines = [
    `<!-- ${options.mark} from machines/, properties/ and the models: edit the code, not this page. -->`,
    "",
    "# Traceability: protocol → machine → property → model",
    "",
    "From each section of the protocol and each file of the Walrus implementation to the machines that",
    "follow it, the properties that state its claims and the models that check them. Generated from the",
    "code: a machine module's `follows`, a property's `source` (see [the property table](properties.md) for",
    "claims and verdicts) and the actors each model runs.",
    "",
    "- A row pairs a section (or file) with a property that cites it. Its machines are those that follow",
    "  the section and run in a model checking the property; `—` when none does (a definition, or a",
    "  property of a model written without the Walrus machines, such as `models/examples/`).",
    "- *no property cites it*: a machine follows the section, but no property of the models it runs in",
    "  cites that section. The models listed run the machine; a machine no model runs as an actor is",
    "  checked inside another (`epochsMachine` is a region of `chainWithEpochsMachine`).",
    "- An actor runs a machine when its chart has the machine's id and states: models build their",
    "  machines with options (`createChainMachine({ invalidation })`) that change transitions, not states;",
    "  each set of regions a model gives the storage node is a machine of its own here.",
    "- Sections are numbered as in the protocol notes the spec follows (walrus-protocol.md): §2 write,",
    "  §3 read, §4 recovery, §5 storage challenges, §6 epoch change, §7 the chain. The paper's own",
    "  numbering is only partly confirmed; a property's source gives it where known (`paper Definition",
    "  1.2`). A title that names the paper is the paper's protocol; one that names the implementation,",
    "  the Walrus code. Files link to the Walrus repository at the commit the notes describe.",
    "",
    "## By protocol section",
    "",
  ];
  for (const top of [...new Set(sections.map(topOf))]) {
    lines.push(`### §${top} ${sectionTitle(top)}`, "");
    const inTop = sections.filter((s) => topOf(s) === top);
    const groups = inTop.map((section) => ({
      label: `§${section}${section === top ? "" : ` ${cell(sectionTitle(section))}`}`,
      rows: rowsFor((s) => (s.sections ?? []).includes(section), properties, machines, built),
    }));
    lines.push(...matrix("section", groups), "");
  }
  lines.push("## By implementation file", "");
  lines.push(
    ...matrix(
      "file",
      files.map((file) => ({
        label: fileMarkdown(file),
        rows: rowsFor((s) => (s.files ?? []).some((f) => filePath(f) === file), properties, machines, built),
      })),
    ),
    "",
  );
  return lines.join("\n");
}
