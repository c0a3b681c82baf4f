/**
 * docs/properties.md: every property of every model in the catalogue, once, with its kind, its
 * claim, its source, the models that check it and what the last `npm run check` found
 * (docs/check-results.json).
 *
 * The verdicts are those of the default models only: they are what `npm run check` searches, and
 * what CI re-checks. The other models (larger configurations, seeded bugs, tightness models) are
 * listed as checking a property but shown as not in the default check; their verdicts are pinned by
 * their tests, not recorded here.
 */

import type { CheckResults, RecordedVerdict } from "./check-results.js";
import { expectedToFail } from "./expectations.js";
import { type BuiltModel, type CatalogueProperty, catalogueProperties, propertyKey } from "./catalogue.js";
import { cell, table } from "./markdown.js";
import { compareSections, sectionTitle, sourceMarkdown, topOf } from "./sources.js";

/** The page, and how the recorded verdicts disagree with the default models as they are now. */
export interface PropertiesPage {
  readonly text: string;
  /** Empty when docs/check-results.json records exactly the default models' properties. */
  readonly stale: readonly string[];
}

const KIND_ORDER = { always: 0, eventually: 1, sometimes: 2 } as const;

/**
 * The section a property is filed under: the first one past §1 (which holds the definitions every
 * step refers back to), so that read consistency sits with the read, not with Definition 1.
 */
function groupOf(property: CatalogueProperty): string | null {
  const sections = [...(property.source.sections ?? [])].sort(compareSections);
  const step = sections.find((s) => topOf(s) !== "1") ?? sections[0];
  return step === undefined ? null : topOf(step);
}

/** Verdicts by model, then by property key; and what does not match the models. */
function verdictIndex(results: CheckResults | null, built: readonly BuiltModel[], file: string) {
  const verdicts = new Map<string, Map<string, RecordedVerdict>>();
  const stale: string[] = [];
  if (results === null) {
    stale.push(`${file} is missing: run \`npm run check\``);
    return { verdicts, stale };
  }
  for (const recorded of results.models) {
    verdicts.set(recorded.model, new Map(recorded.properties.map((p) => [propertyKey(p), p.verdict])));
  }
  const defaults = built.filter((b) => b.entry.isDefault);
  for (const { entry, model } of defaults) {
    const recorded = verdicts.get(entry.name);
    if (recorded === undefined) {
      stale.push(`${file} has no verdicts of the default model ${entry.name}`);
      continue;
    }
    const keys = new Set(model.properties.map(propertyKey));
    for (const key of keys) if (!recorded.has(key)) stale.push(`${file} has no verdict of ${entry.name}: ${key}`);
    for (const key of recorded.keys()) {
      if (!keys.has(key)) stale.push(`${file} has a verdict of ${entry.name}: ${key}, which it no longer checks`);
    }
  }
  for (const model of verdicts.keys()) {
    if (!defaults.some((b) => b.entry.name === model)) {
      stale.push(`${file} has verdicts of ${model}, which is not a default model`);
    }
  }
  return { verdicts, stale };
}

type ShownVerdict = RecordedVerdict | "not recorded" | "fails, as expected" | "vacuous, as expected";
const VERDICT_ORDER: readonly ShownVerdict[] = [
  "fails",
  "vacuous",
  "unknown",
  "not recorded",
  "holds",
  "reached",
  "fails, as expected",
  "vacuous, as expected",
];
/** Verdicts that are not a property's intended outcome stand out. */
const ALARMING = new Set(["fails", "vacuous", "unknown", "not recorded"]);

function resultCell(property: CatalogueProperty, verdicts: ReadonlyMap<string, ReadonlyMap<string, RecordedVerdict>>) {
  const defaults = property.models.filter((m) => m.isDefault);
  if (defaults.length === 0) return "not in the default check";
  const key = propertyKey(property);
  const byVerdict = new Map<string, string[]>();
  for (const model of defaults) {
    const recorded = verdicts.get(model.name)?.get(key) ?? "not recorded";
    // A tightness model's expected failure is its point, not an alarm.
    const verdict: ShownVerdict =
      (recorded === "fails" || recorded === "vacuous") && expectedToFail(model, property.id)
        ? `${recorded}, as expected`
        : recorded;
    byVerdict.set(verdict, [...(byVerdict.get(verdict) ?? []), model.name]);
  }
  const parts = VERDICT_ORDER.filter((v) => byVerdict.has(v)).map((verdict) => {
    const models = byVerdict.get(verdict) as string[];
    const label = ALARMING.has(verdict) ? `**${verdict}**` : verdict;
    return byVerdict.size === 1
      ? `${label} (${models.length === 1 ? "its default model" : `all ${models.length} default models`})`
      : `${label}: ${models.map((m) => `\`${m}\``).join(", ")}`;
  });
  return parts.join("; ");
}

function modelsCell(property: CatalogueProperty): string {
  const names = (defaults: boolean) =>
    property.models.filter((m) => m.isDefault === defaults).map((m) => `\`${m.name}\``);
  const others = names(false);
  return [names(true).join(", "), others.length === 0 ? "" : `not in the default check: ${others.join(", ")}`]
    .filter((part) => part !== "")
    .join("; ");
}

/** Renders docs/properties.md from the built catalogue and the recorded verdicts. */
export function propertiesPage(
  built: readonly BuiltModel[],
  results: CheckResults | null,
  options: { readonly mark: string; readonly resultsFile: string; readonly resultsLink: string },
): PropertiesPage {
  const properties = catalogueProperties(built);
  const { verdicts, stale } = verdictIndex(results, built, options.resultsFile);
  const groups = new Map<string | null, CatalogueProperty[]>();
  for (const property of properties) {
    const group = groupOf(property);
    groups.set(group, [...(groups.get(group) ?? []), property]);
  }
  const order = [...groups.keys()].sort((a, b) =>
    a === null ? 1 : b === null ? -1 : compareSections(a as string, b as string),
  );
  const lines = [
    `<!-- ${options.mark} from the models' properties and ${options.resultsLink}: edit the code, not this page. -->`,
    "",
    "# Properties",
    "",
    `Every property of every model in the catalogue (\`walrus-spec list\`, models/index.ts), once: ${properties.length}`,
    `properties checked by ${built.length} models. Each row is generated from the property's definition in`,
    "`properties/` or `models/examples/`: its id (what expected failures, `check-results.json` and reports",
    "key it by), its name as reports give it, its kind, the claim it checks and",
    "where the claim comes from (`claim` and `source` in the code).",
    "",
    "- **kind**: `always` holds in every reachable state (a violation is a counterexample); `eventually`",
    "  holds at some point of every behaviour (checked where the system is quiescent, and on cycles);",
    "  `sometimes` is a witness: it must be reached, or the properties it stands beside hold vacuously.",
    "- **source**: sections are numbered as in the protocol notes the spec follows (the titles are in",
    "  [the traceability matrix](traceability.md)); files are paths in the Walrus repository, linked at",
    "  the commit the notes describe.",
    "- **checked by**: the models whose properties include it; those `npm run check` searches come first.",
    `- **last \`npm run check\`**: the verdicts recorded in [\`check-results.json\`](${options.resultsLink}) for the`,
    "  default models: `holds` / `fails` for `always` and `eventually`, `reached` / `vacuous` for a",
    "  witness. A tightness model (one faulty shard beyond the budget, a seeded bug, a finding) must",
    "  break the properties it names (`expectedFailures`, models/index.ts): its failures show as",
    "  `fails, as expected`, and `npm run check` fails if one stops failing. Models outside the default",
    "  check (larger configurations) are not searched by `npm run check`; their tests pin their",
    "  verdicts (test/walrus-*.test.ts), and the [counterexample page](counterexample.md) shows one.",
    "",
    "How the verdicts stay true: `walrus-spec check` with no model named and no bound (`npm run check`)",
    "rewrites `check-results.json` (each model's verdicts and its count of unique states), and CI fails",
    "when the rewritten file differs from the committed one: a changed verdict or state space shows.",
    "`npm run docs:check`, which CI runs first, fails when this page differs from what the committed",
    "verdicts and the models generate, or when the verdicts do not cover exactly the default models'",
    "properties. After changing a model or a property: `npm run check`, then `npm run docs`, and commit both.",
    "",
  ];
  for (const group of order) {
    lines.push(group === null ? "## Other specifications" : `## §${group} ${sectionTitle(group)}`, "");
    const rows = (groups.get(group) as CatalogueProperty[]).slice().sort((a, b) => {
      const sa = (a.source.sections ?? []).find((s) => topOf(s) === group) ?? "";
      const sb = (b.source.sections ?? []).find((s) => topOf(s) === group) ?? "";
      return (
        compareSections(sa, sb) ||
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      );
    });
    lines.push(
      ...table(
        ["id", "property", "kind", "claim", "source", "checked by", "last `npm run check`"],
        rows.map((p) => [
          `\`${p.id}\``,
          cell(p.name),
          p.kind,
          cell(p.claim ?? ""),
          sourceMarkdown(p.source),
          modelsCell(p),
          resultCell(p, verdicts),
        ]),
      ),
      "",
    );
  }
  return { text: lines.join("\n"), stale };
}
