/**
 * `walrus-spec docs`: the statechart pages of docs/machines/, generated from the machine
 * definitions (report/machine-pages.ts). Every xstate machine exported by a module of machines/
 * gets a page (its file's summary, a Mermaid statechart GitHub renders, its states and transitions
 * as tables) and an SVG drawn by Graphviz; an index lists them. New machines are found by looking,
 * not by a list. A full run also writes docs/coverage.md, how much of each chart the models reach
 * (report/coverage-page.ts).
 *
 * With no machine named, it also writes the tables of docs/ (report/docs-pages.ts: the property
 * table, the traceability matrix, an example counterexample).
 *
 * `--check` writes nothing and fails when a committed file differs from what the machines
 * generate now, naming each file, so CI catches a machine changed without its pages. Exit codes: 0
 * up to date (or written), 1 out of date, 2 could not run (unknown machine, unreadable source,
 * unwritable directory).
 */

import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { PACKAGE_ROOT as ROOT } from "../report/check-results.js";
import { generatePages, pagesDir } from "../report/docs-pages.js";
import { FailureError } from "../report/errors.js";
import { checkDocs, MARK, shown, writeDocs } from "../report/files.js";
import { discoverMachines } from "../report/machines.js";
import { generateDocs } from "../report/machine-pages.js";

interface DocsCommandOptions {
  out?: string;
  pagesOut?: string;
  check?: boolean;
}

async function docsCommand(machines: string[], options: DocsCommandOptions): Promise<void> {
  const out = options.out ?? join(ROOT, "docs", "machines");
  // Only a full run knows every file that belongs: a partial one leaves the others alone, the
  // coverage of every machine included.
  const prune = machines.length === 0;
  const files = await generateDocs({ out, machines, ...(prune ? { coverage: {} } : {}) });
  // The tables live beside the statecharts' folder, as docs/ holds docs/machines/.
  const pagesOut = options.pagesOut ?? (options.out === undefined ? pagesDir(ROOT) : dirname(resolve(options.out)));
  // The tables speak of every machine and model, so only a full run generates them.
  const pages = prune
    ? await generatePages({ mark: MARK, root: ROOT, out: pagesOut, machines: await discoverMachines() })
    : undefined;
  if (options.check) {
    const problems = await checkDocs(out, files, prune);
    const pageProblems =
      pages === undefined ? [] : [...(await checkDocs(pagesOut, pages.files, false)), ...pages.stale];
    const list = (items: readonly string[]) => items.map((problem) => `  ${problem}`).join("\n");
    const messages = [
      ...(problems.length === 0 ? [] : [`the statechart docs are out of date:\n${list(problems)}`]),
      ...(pageProblems.length === 0 ? [] : [`the generated tables are out of date:\n${list(pageProblems)}`]),
    ];
    if (messages.length > 0) {
      const verdicts = (pages?.stale.length ?? 0) > 0 ? "`npm run check` (the verdicts), then " : "";
      throw new FailureError(
        `${messages.join("\n")}\nrun ${verdicts}\`npm run docs\` (walrus-spec docs) and commit the result`,
      );
    }
    const counted = files.size + (pages?.files.size ?? 0);
    process.stdout.write(`${shown(out)}${pages ? ` and ${shown(pagesOut)}` : ""}: ${counted} files up to date\n`);
    return;
  }
  const result = await writeDocs(out, files, prune);
  const removed = result.removed.length === 0 ? "" : `, removed ${result.removed.join(", ")}`;
  process.stdout.write(
    `${shown(out)}: ${result.written.length} written, ${result.unchanged.length} unchanged${removed}\n`,
  );
  if (pages !== undefined) {
    const written = await writeDocs(pagesOut, pages.files, false);
    process.stdout.write(
      `${shown(pagesOut)}: ${written.written.length} written, ${written.unchanged.length} unchanged (tables)\n`,
    );
    for (const problem of pages.stale) process.stderr.write(`walrus-spec: warning: ${problem}\n`);
  }
}

export function registerDocsCommand(program: Command): void {
  program
    .command("docs")
    .description(
      "generate the statechart pages of docs/machines and, with no machine named, docs/coverage.md and the tables of docs (properties, traceability, a counterexample)",
    )
    .argument("[machine...]", "machines by page or export name (storage-node, writerMachine); default: all")
    .option(
      "--out <dir>",
      "the directory to write the statecharts to (default: docs/machines of the package); coverage.md goes beside it",
    )
    .option(
      "--pages-out <dir>",
      "the directory of the property table, traceability matrix and counterexample (default: the parent of --out, or docs of the package)",
    )
    .option("--check", "write nothing; exit 1 naming each file that differs from what the machines generate")
    .action((machines: string[], options: DocsCommandOptions) => docsCommand(machines, options));
}
