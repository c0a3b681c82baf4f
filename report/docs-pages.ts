/**
 * The pages of docs/ that `walrus-spec docs` generates besides the statecharts: the property table
 * (properties.md), the traceability matrix (traceability.md), the rule coverage of the last
 * recorded campaign (rule-coverage.md) and the example counterexample (counterexample.md with its
 * ITF trace). They are generated only by a run over every machine,
 * since the matrix speaks of all of them.
 */

import { existsSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { MODELS, type ModelEntry } from "../models/index.js";
import { CHECK_RESULTS_FILE, readCheckResults } from "./check-results.js";
import { buildCatalogue } from "./catalogue.js";
import type { MachineEntry } from "./machines.js";
import { counterexampleFiles } from "./counterexample-page.js";
import { propertiesPage } from "./properties-page.js";
import { machinesRunBy, ruleCoveragePage } from "./rule-coverage-page.js";
import { traceabilityPage, tracedMachines } from "./traceability-page.js";
import { RULE_COVERAGE_FILE, readRuleCoverage } from "./mutate-report.js";

/** What the pages are generated from, and where they go. */
export interface PagesOptions {
  /** The generated-file mark each page opens with. */
  readonly mark: string;
  /** The package root (paths in the pages are relative to it). */
  readonly root: string;
  /** Where the pages go. */
  readonly out: string;
  readonly machines: readonly MachineEntry[];
  /** The catalogue (default: models/index.ts). */
  readonly models?: readonly ModelEntry[];
  /** The recorded verdicts (default: docs/check-results.json of the package). */
  readonly resultsFile?: string;
  /** The recorded rule-coverage campaign (default: docs/rule-coverage.json of the package). */
  readonly ruleCoverageFile?: string;
}

/** The pages by file name in `out`, and how the recorded verdicts disagree with the default models. */
export async function generatePages(
  options: PagesOptions,
): Promise<{ readonly files: Map<string, string>; readonly stale: readonly string[] }> {
  const resultsFile = options.resultsFile ?? CHECK_RESULTS_FILE;
  const fromRoot = (path: string) => relative(options.root, path).split(sep).join("/");
  const models = options.models ?? MODELS;
  const built = buildCatalogue(models);
  const properties = propertiesPage(built, await readCheckResults(resultsFile), {
    mark: options.mark,
    resultsFile: fromRoot(resultsFile),
    resultsLink: relative(options.out, resultsFile).split(sep).join("/"),
  });
  const traceability = traceabilityPage(built, await tracedMachines(options.machines), { mark: options.mark });
  const ruleCoverageFile = options.ruleCoverageFile ?? RULE_COVERAGE_FILE;
  const ruleCoverage = ruleCoveragePage(
    existsSync(ruleCoverageFile) ? readRuleCoverage(ruleCoverageFile) : null,
    machinesRunBy(built.filter((b) => b.entry.isDefault)),
    {
      mark: options.mark,
      recordFile: fromRoot(ruleCoverageFile),
      defined: options.machines.map((entry) => entry.machine.id),
    },
  );
  const files = new Map<string, string>([
    ["properties.md", properties.text],
    ["traceability.md", traceability],
    ["rule-coverage.md", ruleCoverage],
    ...counterexampleFiles(models, { mark: options.mark, docsDir: fromRoot(options.out) }),
  ]);
  return { files, stale: properties.stale };
}

/** Where the pages go by default: docs/ of the package. */
export const pagesDir = (root: string) => join(root, "docs");
