/**
 * The model catalogue as the commands and the generated tables read it: the built-in one or the
 * module `--model FILE` names (models/load.ts), every model of it built once, and every distinct
 * property with the models that check it, its source (`source`) checked against the protocol's
 * sections.
 *
 * A module that does not load, a model that does not build, a property without a source, a section
 * the protocol does not have, or one property id carrying two different names or claims is a
 * {@link UsageError}: a table that silently left such a property out would tell an auditor less
 * than the code does.
 */

import type { Model, Property, Source } from "../checker/model.js";
import type { ModelEntry } from "../models/index.js";
import { BUILT_IN, type ModelCatalogue, ModelModuleError, loadModelModule } from "../models/load.js";
import { PROTOCOL_SECTIONS } from "../spec/sources.js";
import { UsageError } from "./errors.js";

/** The catalogue of `--model FILE`, or the built-in one; a module that does not load is a usage error. */
export async function catalogueFor(file: string | undefined): Promise<ModelCatalogue> {
  if (file === undefined) return BUILT_IN;
  try {
    return await loadModelModule(file);
  } catch (error) {
    if (error instanceof ModelModuleError) throw new UsageError(error.message);
    throw error;
  }
}

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
  readonly id: string;
  readonly kind: Property<unknown>["kind"];
  readonly name: string;
  readonly claim: string | undefined;
  readonly source: Source;
  /** The models that check it, in catalogue order. */
  readonly models: readonly ModelEntry[];
}

/** How a property is told apart from the others: by its id, which names one claim across the catalogue. */
export const propertyKey = (p: { readonly id: string }) => p.id;

const sameSource = (a: Source, b: Source) =>
  JSON.stringify([a.sections ?? [], a.files ?? [], a.detail ?? ""]) ===
  JSON.stringify([b.sections ?? [], b.files ?? [], b.detail ?? ""]);

/** The unknown sections of a source, as `§x` strings. */
export function unknownSections(source: Source): string[] {
  return (source.sections ?? []).filter((s) => !Object.hasOwn(PROTOCOL_SECTIONS, s)).map((s) => `§${s}`);
}

/**
 * Every distinct property of the built models, in the order first met. Problems — no source, an
 * empty or unknown source, one id with two names, claims or sources — are gathered and thrown together.
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
      const same = (["kind", "name", "claim"] as const).every((field) => seen.property[field] === property[field]);
      if (!same || !sameSource(seen.property.source ?? {}, source ?? {})) {
        problems.push(
          `${where}: its kind, name, claim or source differs from the property of that id in ${seen.first}`,
        );
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
    id: property.id,
    kind: property.kind,
    name: property.name,
    claim: property.claim,
    source: property.source as Source,
    models,
  }));
}
