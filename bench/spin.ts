/**
 * Whole processes against a compiled checker: Spin (a C verifier generated from Promela) on
 * TwoPhase.tla with N resource managers, against `walrus-spec check` on the same protocol written
 * directly (`two-phase-commit-plain-N`) and as xstate machines (`two-phase-commit-7`, with and
 * without partial-order reduction, which cuts nothing on its duplicating network), alternating
 * in the same run; wall times of whole processes, medians. Spin's time is the verifier's run
 * (`pan`), its compilation not counted; walrus-spec's is `node dist/cli/bin.js check`, start-up,
 * search and report.
 *
 * The Promela model is written here: one process whose loop takes one of TwoPhase's actions per
 * step (`d_step`, so every state stored is one of TwoPhase's), the sets as bit arrays. Spin must
 * find TwoPhase's state count (296 448 for 7 RMs, 1 745 408 for 8), which the run checks.
 *
 *   npm run build && node --import tsx bench/spin.ts             # 7 and 8 RMs, 3 runs each
 *   node --import tsx bench/spin.ts --rms 8 --runs 5
 *
 * Needs `spin` and `gcc` (Debian: `apt-get install spin gcc`).
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: flags } = parseArgs({
  options: { runs: { type: "string", default: "3" }, rms: { type: "string", default: "7,8" } },
});
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
/** TwoPhase.tla's state counts (TLC): what both must find. */
const EXPECTED: Record<number, number> = { 7: 296_448, 8: 1_745_408 };
const rmsList = flags.rms.split(",").map(Number);
for (const rms of rmsList) {
  if (EXPECTED[rms] === undefined) throw new Error(`--rms: known counts are for ${Object.keys(EXPECTED)} RMs`);
}

/** TwoPhase.tla in Promela for `rms` RMs: RM states 0 working, 1 prepared, 2 committed, 3 aborted; TM 0 init, 1 committed, 2 aborted. */
function promela(rms: number): string {
  const each = (f: (rm: number) => string) => Array.from({ length: rms }, (_, rm) => f(rm));
  const actions = each((rm) =>
    [
      `:: d_step { tm == 0 && msgPrepared[${rm}] -> tmPrepared[${rm}] = 1 }`,
      `:: d_step { rm[${rm}] == 0 -> rm[${rm}] = 1; msgPrepared[${rm}] = 1 }`,
      `:: d_step { rm[${rm}] == 0 -> rm[${rm}] = 3 }`,
      `:: d_step { msgCommit -> rm[${rm}] = 2 }`,
      `:: d_step { msgAbort -> rm[${rm}] = 3 }`,
    ].join("\n  "),
  );
  return `byte rm[${rms}];
byte tm;
bool tmPrepared[${rms}];
bool msgPrepared[${rms}];
bool msgCommit;
bool msgAbort;
active proctype TwoPhase() {
  do
  :: d_step { tm == 0 && ${each((rm) => `tmPrepared[${rm}]`).join(" && ")} -> tm = 1; msgCommit = 1 }
  :: d_step { tm == 0 -> tm = 2; msgAbort = 1 }
  ${actions.join("\n  ")}
  od
}
`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs a process; its wall time in seconds and its standard output. */
function timed(command: string, args: string[], cwd?: string): { seconds: number; stdout: string } {
  const start = performance.now();
  const stdout = execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 26,
    stdio: ["ignore", "pipe", "ignore"],
  });
  return { seconds: (performance.now() - start) / 1000, stdout };
}

const cli = join(import.meta.dirname, "..", "dist", "cli", "bin.js");
const rows: string[][] = [];
for (const rms of rmsList) {
  const dir = mkdtempSync(join(tmpdir(), "walrus-spec-spin-"));
  writeFileSync(join(dir, "two-phase.pml"), promela(rms));
  execFileSync("spin", ["-a", "two-phase.pml"], { cwd: dir });
  execFileSync("gcc", ["-O2", "-DSAFETY", "-DNOREDUCE", "-o", "pan", "pan.c"], { cwd: dir });
  const explorers: { name: string; run: () => { seconds: number; states: number } }[] = [
    {
      name: "Spin (pan, compiled C)",
      run: () => {
        const { seconds, stdout } = timed("./pan", ["-m1000", "-w24"], dir);
        return { seconds, states: Number(/(\d+) states, stored/.exec(stdout)?.[1]) };
      },
    },
    ...[
      [`two-phase-commit-plain-${rms}`],
      ...(rms === 7 ? [["two-phase-commit-7"], ["two-phase-commit-7", "--no-reduction"]] : []),
    ].map((args) => ({
      name: `walrus-spec check ${args.join(" ")}`,
      run: () => {
        const { seconds, stdout } = timed(process.execPath, [cli, "check", ...args]);
        return { seconds, states: Number(/(\d+) unique states/.exec(stdout)?.[1]) };
      },
    })),
  ];
  const times: number[][] = explorers.map(() => []);
  for (let i = 0; i < runs; i++) {
    for (const [e, explorer] of explorers.entries()) {
      const { seconds, states } = explorer.run();
      if (states !== EXPECTED[rms]) throw new Error(`${explorer.name}: ${states} states, expected ${EXPECTED[rms]}`);
      times[e].push(seconds);
    }
  }
  const spin = median(times[0]);
  explorers.forEach((explorer, e) => {
    const seconds = median(times[e]);
    rows.push([
      String(rms),
      explorer.name,
      String(EXPECTED[rms]),
      seconds.toFixed(2),
      `${(seconds / spin).toFixed(2)}×`,
    ]);
  });
}
const header = ["RMs", "explorer", "states", "wall (s)", "vs Spin"];
const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
console.log(`whole processes, medians of ${runs} runs in rounds (each explorer once a round)`);
for (const r of [header, ...rows]) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join("  "));
