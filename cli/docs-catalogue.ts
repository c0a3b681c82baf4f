/**
 * What the generated tables of docs/ read from the code: every model of the catalogue built once,
 * every distinct property with the models that check it, and each property's and machine's
 * source (`source`, `follows`) checked and written as Markdown.
 *
 * A property without a source, a section the protocol does not have, or one property name
 * carrying two different claims is a {@link UsageError}: a table that silently left such a
 * property out would tell an auditor less than the code does.
 */

import type { Model, Property, Source } from "../checker/model.js";
import type { ModelEntry } from "../models/index.js";
import { PROTOCOL_SECTIONS, type ProtocolSection, WALRUS_COMMIT, WALRUS_REPOSITORY } from "../spec/sources.js";
import { UsageError } from "./errors.js";

/** A catalogue model and the model it builds. */
export interface BuiltModel {
  readonly entry: ModelEntry;
  readonly model: Model<unknown, unknown>;
}

/** Builds every model once (the tables all read the same instances). */
export function buildCatalogue(entries: readonly ModelEntry[]): BuiltModel[] {
  return entries.map((entry) => {
    try {
      return { entry, model: entry.build() };
    } catch (error) {
      throw new UsageError(`cannot build model ${entry.name}: ${(error as Error).message}`);
    }
  });
}

/** A property as the tables show it: once, whichever models check it. */
export interface CatalogueProperty {
  readonly kind: Property<unknown>["kind"];
  readonly name: string;
  readonly claim: string | undefined;
  readonly source: Source;
  /** The models that check it, in catalogue order. */
  readonly models: readonly ModelEntry[];
}

/** How a property is told apart from the others: by kind and name. */
export const propertyKey = (p: { readonly kind: string; readonly name: string }) => `${p.kind} ${p.name}`;

const sameSource = (a: Source, b: Source) =>
  JSON.stringify([a.sections ?? [], a.files ?? [], a.detail ?? ""]) ===
  JSON.stringify([b.sections ?? [], b.files ?? [], b.detail ?? ""]);

/** The unknown sections of a source, as `§x` strings. */
export function unknownSections(source: Source): string[] {
  return (source.sections ?? []).filter((s) => !Object.hasOwn(PROTOCOL_SECTIONS, s)).map((s) => `§${s}`);
}

/**
 * Every distinct property of the built models, in the order first met. Problems — no source, an
 * empty or unknown source, one name with two claims or sources — are gathered and thrown together.
 */
export function catalogueProperties(built: readonly BuiltModel[]): CatalogueProperty[] {
  const found = new Map<string, { property: Property<unknown>; models: ModelEntry[]; first: string }>();
  const problems: string[] = [];
  for (const { entry, model } of built) {
    for (const property of model.properties) {
      const key = propertyKey(property);
      const where = `${entry.name}: ${key}`;
      const { source } = property;
      if (source === undefined) problems.push(`${where} has no source`);
      else if ((source.sections ?? []).length === 0 && (source.files ?? []).length === 0) {
        problems.push(`${where}: its source names no section and no file`);
      } else {
        const unknown = unknownSections(source);
        if (unknown.length > 0) problems.push(`${where}: unknown section ${unknown.join(", ")} (spec/sources.ts)`);
      }
      const seen = found.get(key);
      if (seen === undefined) {
        found.set(key, { property, models: [entry], first: entry.name });
        continue;
      }
      seen.models.push(entry);
      if (seen.property.claim !== property.claim || !sameSource(seen.property.source ?? {}, source ?? {})) {
        problems.push(`${where}: its claim or source differs from the same property in ${seen.first}`);
      }
    }
  }
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new UsageError(
      `every property names its claim and source (\`claim\`, \`source\` in properties/ and the models); ` +
        `${unique.length} problem${unique.length === 1 ? "" : "s"}:\n${unique.map((p) => `  ${p}`).join("\n")}`,
    );
  }
  return [...found.values()].map(({ property, models }) => ({
    kind: property.kind,
    name: property.name,
    claim: property.claim,
    source: property.source as Source,
    models,
  }));
}

// --- sections and files as Markdown ---

/** Orders sections as numbers part by part (`2.1` < `2.10` < `3`). */
export function compareSections(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** A section's title. */
export const sectionTitle = (section: string) => PROTOCOL_SECTIONS[section as ProtocolSection] ?? "";

/** The top-level section of a section (`3.1` → `3`). */
export const topOf = (section: string) => section.split(".")[0] as string;

/** Text safe inside a Markdown table cell. */
export const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/** A path in the Walrus repository: its file and the item after `::`, if any. */
function splitFile(file: string): { path: string; item: string } {
  const at = file.indexOf("::");
  return at < 0 ? { path: file, item: "" } : { path: file.slice(0, at), item: file.slice(at) };
}

/** The file part of a source's file (the item after `::` left out): what the matrix groups by. */
export const filePath = (file: string) => splitFile(file).path;

/** Whether a file is a path in the Walrus repository (not `repository: path` of another one). */
export const isWalrusFile = (file: string) => !file.includes(": ");

/** A file as a link to the Walrus repository at the commit the notes describe; others as text. */
export function fileMarkdown(file: string): string {
  if (!isWalrusFile(file)) return cell(file);
  const { path, item } = splitFile(file);
  return `[\`${path}\`](${WALRUS_REPOSITORY}/blob/${WALRUS_COMMIT}/${path})${item === "" ? "" : `\`${item}\``}`;
}

/** A source in a cell: its sections, what says it, and its files. */
export function sourceMarkdown(source: Source): string {
  const sections = [...(source.sections ?? [])].sort(compareSections).map((s) => `§${s}`);
  const head = [sections.join(", "), source.detail ?? ""].filter((part) => part !== "").join(": ");
  const files = (source.files ?? []).map(fileMarkdown).join(", ");
  return cell([head, files].filter((part) => part !== "").join("; "));
}
