/**
 * The verdicts of the last `npm run check`: what `walrus-spec check` with no model named found for
 * each property of each default model, committed as docs/check-results.json so that the property
 * table (docs/properties.md) can show them.
 *
 * The file holds each model's verdicts, its count of unique states and the depth of its search
 * (searched with the default reductions, so a run with `--no-reduction` records nothing), models and properties sorted, no
 * timings: it changes exactly when a verdict, a state space, a default model or a property does.
 * `check` rewrites it; CI compares the rewritten file with the committed one, so a change to a
 * state space is as visible as a changed verdict (the counts are pinned, as Stateright's tests
 * pin theirs), and `docs --check` compares it with the properties the default models have now.
 */

import { readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { SearchReport } from "../checker/search.js";
import { UsageError } from "./errors.js";

/** The package root: two levels up from dist/report/, one from report/ when run from the sources. */
export const PACKAGE_ROOT = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../" : "../../", import.meta.url));

/** Where `check` records the verdicts and `docs` reads them. */
export const CHECK_RESULTS_FILE = join(PACKAGE_ROOT, "docs", "check-results.json");

/** Where `check --profile long` (`npm run check:long`) records the verdicts of the long profile. */
export const LONG_RESULTS_FILE = join(PACKAGE_ROOT, "docs", "check-results-long.json");

/** A record file of this package, or undefined when the package is installed (nothing is recorded there). */
export function recordable(file: string): string | undefined {
  return /[\\/]node_modules[\\/]/.test(file) ? undefined : file;
}

/**
 * A property's verdict: an invariant or `eventually` property `holds` or `fails`; a witness is
 * `reached` or, when the whole state space was searched without reaching it, `vacuous`; `unknown`
 * when a bound stopped the search before a verdict.
 */
export type RecordedVerdict = "holds" | "fails" | "reached" | "vacuous" | "unknown";

/** A property's recorded verdict. */
export interface RecordedProperty {
  /** The property's id: the key the docs and expected failures use. */
  readonly id: string;
  readonly kind: "always" | "sometimes" | "eventually";
  readonly name: string;
  readonly verdict: RecordedVerdict;
}

/** A default model's recorded verdicts and state count. */
export interface RecordedModel {
  readonly model: string;
  /** Unique states of the complete search, with the default reductions. */
  readonly states: number;
  /** The longest shortest path from an initial state: the depth the breadth-first search reached. */
  readonly depth: number;
  readonly properties: readonly RecordedProperty[];
}

/** The verdicts of the default models, by model name. */
export interface CheckResults {
  readonly models: readonly RecordedModel[];
}

const ABOUT =
  "Verdicts and unique-state counts of the last `npm run check` (walrus-spec check, every default model, default reductions). Written by the check; read by `npm run docs` for docs/properties.md.";
const ABOUT_LONG =
  "Verdicts and unique-state counts of the last `npm run check:long` (walrus-spec check --profile long, default reductions). Written by the check.";

const byId = <T extends { readonly id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The verdict of each property of a search report. */
export function recordedVerdicts(report: SearchReport<unknown, unknown>): RecordedProperty[] {
  return report.properties
    .map((p): RecordedProperty => {
      const verdict: RecordedVerdict =
        p.kind === "sometimes"
          ? p.holds
            ? "reached"
            : report.complete
              ? "vacuous"
              : "unknown"
          : !p.holds
            ? "fails"
            : report.complete
              ? "holds"
              : "unknown";
      return { id: p.id, kind: p.kind, name: p.name, verdict };
    })
    .sort(byId);
}

/** The file's text: sorted, two-space JSON, a final newline. */
export function formatCheckResults(results: CheckResults, about = ABOUT): string {
  const models = [...results.models]
    .sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0))
    .map((m) => ({ model: m.model, states: m.states, depth: m.depth, properties: [...m.properties].sort(byId) }));
  return `${JSON.stringify({ about, models }, null, 2)}\n`;
}

const KINDS = ["always", "sometimes", "eventually"];
const VERDICTS = ["holds", "fails", "reached", "vacuous", "unknown"];

/** Reads the file's text; anything that is not such a file is a {@link UsageError} naming `file`. */
export function parseCheckResults(text: string, file: string): CheckResults {
  const bad = (why: string) => new UsageError(`${file} is not a record of check verdicts: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw bad((error as Error).message);
  }
  const models = (json as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw bad("no `models` array");
  return {
    models: models.map((m: unknown, i): RecordedModel => {
      const { model, states, depth, properties } = (m ?? {}) as Record<string, unknown>;
      if (typeof model !== "string" || !Array.isArray(properties)) {
        throw bad(`models[${i}] needs a \`model\` name and a \`properties\` array`);
      }
      if (!Number.isSafeInteger(states) || (states as number) < 1) {
        throw bad(`models[${i}] needs \`states\`, a positive integer`);
      }
      if (!Number.isSafeInteger(depth) || (depth as number) < 0) {
        throw bad(`models[${i}] needs \`depth\`, an integer of at least 0`);
      }
      return {
        model,
        states: states as number,
        depth: depth as number,
        properties: properties.map((p: unknown, j): RecordedProperty => {
          const { id, kind, name, verdict } = (p ?? {}) as Record<string, unknown>;
          if (
            typeof id !== "string" ||
            typeof name !== "string" ||
            !KINDS.includes(kind as string) ||
            !VERDICTS.includes(verdict as string)
          ) {
            throw bad(`models[${i}].properties[${j}] needs an id, a name, a kind (${KINDS.join(", ")}) and a verdict`);
          }
          return { id, kind, name, verdict } as RecordedProperty;
        }),
      };
    }),
  };
}

/** Each built-in model's record in the last checks (default and long), with the file that holds it. */
export async function recordedModels(): Promise<
  ReadonlyMap<string, { readonly model: RecordedModel; readonly file: string }>
> {
  const files = [CHECK_RESULTS_FILE, LONG_RESULTS_FILE];
  const records = await Promise.all(files.map((file) => readCheckResults(file).catch(() => null)));
  return new Map(
    records.flatMap((recorded, i) => (recorded?.models ?? []).map((model) => [model.model, { model, file: files[i] }])),
  );
}

/** Each built-in model's unique states in the last recorded checks (default and long): its expected cost. */
export async function recordedStates(): Promise<ReadonlyMap<string, number>> {
  return new Map([...(await recordedModels())].map(([name, { model }]) => [name, model.states]));
}

/** The recorded verdicts, or null when no check has recorded any. */
export async function readCheckResults(file = CHECK_RESULTS_FILE): Promise<CheckResults | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseCheckResults(text, relative(process.cwd(), file) || file);
}

/** Records the verdicts (the whole file is rewritten: it holds the last check only). */
export async function writeCheckResults(results: CheckResults, file = CHECK_RESULTS_FILE): Promise<void> {
  try {
    await writeFile(file, formatCheckResults(results, file === LONG_RESULTS_FILE ? ABOUT_LONG : ABOUT));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot record the verdicts in ${file}: ${code ?? (error as Error).message}`);
  }
}
