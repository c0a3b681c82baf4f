/**
 * One thread against `--workers 2` on actor models, whole `walrus-spec check --no-reduction`
 * processes (the parallel search is unreduced; the threads share the ids of local states and
 * messages, checker/actors/shared-ids.ts), `eventually` properties included. Each run asserts that
 * both give the same unique and generated counts and the same verdicts. Shared by
 * `npm run bench:checker` and `npm run bench:parallel`; needs the built command line
 * (`npm run build`).
 */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** The built command line. */
const CLI = new URL("../../dist/cli/bin.js", import.meta.url).pathname;

/** The median of `values`. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Rows of [model, unique/generated, one thread (s), --workers 2 (s), speedup], medians of `runs`
 * runs taken in rounds (one thread, then two workers), so that the machine's drift falls on both.
 */
export function workersRows(models: readonly string[], runs: number): string[][] {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const rows: string[][] = [];
  for (const name of models) {
    const times = [1, 2].map(() => [] as number[]);
    const counts = new Set<string>();
    for (let i = 0; i < runs; i++) {
      for (const [w, workers] of [1, 2].entries()) {
        const start = performance.now();
        const { stdout } = spawnSync(
          process.execPath,
          [CLI, "check", name, "--no-reduction", "--no-codec", "--no-results", "--workers", String(workers)],
          { encoding: "utf8", maxBuffer: 1 << 26 },
        );
        times[w].push((performance.now() - start) / 1000);
        const summary = /(\d+) unique states \((\d+) generated\)/.exec(stdout);
        if (summary === null) throw new Error(`${name}, ${workers} worker(s): no summary in\n${stdout}`);
        // The verdicts too: each property's line, without what follows its colon (an eventually
        // property's counterexample may be another path of the same verdict, see docs/checker.md).
        const verdicts = stdout.match(/^ {2}(ok|fails|FAIL) .*?(?=:|$)/gm) ?? [];
        counts.add(`${summary[1]}/${summary[2]} ${verdicts.join(" | ")}`);
      }
    }
    if (counts.size !== 1) throw new Error(`${name}: one thread and two workers differ:\n${[...counts].join("\n")}`);
    const [one, two] = times.map(median);
    rows.push([name, [...counts][0].split(" ")[0], one.toFixed(2), two.toFixed(2), `${(one / two).toFixed(2)}×`]);
  }
  return rows;
}

/** The header of {@link workersRows}. */
export const WORKERS_HEADER = ["model", "unique/generated", "one thread (s)", "--workers 2 (s)", "speedup"];
