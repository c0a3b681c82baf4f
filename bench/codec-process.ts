/**
 * Whole-process timings for the codec benchmark (bench/codec.ts): the CLI (`node dist/cli/bin.js`)
 * against the official wasm in a process of its own (bench/wasm-process.ts), on the same file, runs
 * interleaved so that both sides see the same machine load. Each run is a fresh process, so module
 * loading, worker start-up and JIT warm-up are all counted, as a user of the command sees them.
 *
 * CPU time is the child's user + system time from /proc/self/stat (cutime, cstime: the CPU time of
 * waited-for children, their threads included), so it is Linux-only; elsewhere only wall time is
 * reported.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pattern } from "../spec/self-check.js";

const MiB = 1 << 20;
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const wasmScript = fileURLToPath(new URL("./wasm-process.js", import.meta.url));

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Prints rows as left-aligned columns. */
export function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join("  "));
}

/** Clock ticks per second of /proc times (USER_HZ). */
function clockTicks(): number {
  const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" });
  const ticks = Number(out.stdout?.trim());
  return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
}

/** CPU seconds of this process's waited-for children so far, or undefined without /proc. */
function childrenCpu(ticks: number): number | undefined {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, cutime 16, cstime 17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / ticks;
  } catch {
    return undefined;
  }
}

interface Sample {
  wall: number;
  cpu: number | undefined;
  stdout: string;
}

function run(args: string[], ticks: number): Sample {
  const cpuBefore = childrenCpu(ticks);
  const start = performance.now();
  const child = spawnSync(process.execPath, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  const wall = (performance.now() - start) / 1000;
  const cpuAfter = childrenCpu(ticks);
  if (child.status !== 0) throw new Error(`${args.join(" ")} failed (${child.status}): ${child.stderr}`);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { wall, cpu, stdout: child.stdout.trim() };
}

function build(): void {
  const child = spawnSync("npm", ["run", "build", "--silent"], { cwd: repoRoot, encoding: "utf8" });
  if (child.status !== 0) throw new Error(`npm run build failed: ${child.stdout}${child.stderr}`);
}

interface ProcessCase {
  readonly label: string;
  /** The CLI's arguments (after the path of bin.js). */
  readonly cli: (file: string, out: string) => string[];
  /** The wasm script's arguments. */
  readonly wasm: (file: string) => string[];
  readonly bytes: number;
}

interface Side {
  readonly name: string;
  readonly args: (c: ProcessCase, file: string, out: string) => string[];
}

/**
 * Times each case `runs` times on each side and prints medians and ratios to the wasm, for wall
 * and CPU time. Builds the CLI first unless `cli` names a build to use; `baselineCli` adds another
 * build of the CLI (e.g. before a change) as a third side.
 */
export async function timeProcesses(options: {
  runs: number;
  quick: boolean;
  cli?: string;
  baselineCli?: string;
}): Promise<void> {
  const { runs } = options;
  if (!Number.isInteger(runs) || runs < 1) throw new Error("--process-runs must be a positive integer");
  if (options.cli === undefined) build();
  const cli = options.cli ?? join(repoRoot, "dist/cli/bin.js");
  const ticks = clockTicks();
  const n = 1000;
  const small = options.quick ? MiB / 4 : MiB;
  const large = options.quick ? 4 * MiB : 64 * MiB;
  const cases: ProcessCase[] = [
    { label: "start-up (CLI: --version; wasm: load it)", cli: () => ["--version"], wasm: () => ["load"], bytes: 0 },
    {
      label: `blob-id, n=${n}, ${small / MiB} MiB`,
      cli: (file) => ["blob-id", file, "--n-shards", String(n)],
      wasm: (file) => ["blob-id", file, String(n)],
      bytes: small,
    },
    {
      label: `encode, n=${n}, ${large / MiB} MiB`,
      cli: (file, out) => ["encode", file, "--n-shards", String(n), "--out", out, "--no-progress"],
      wasm: (file) => ["encode", file, String(n)],
      bytes: large,
    },
  ];
  const sides: Side[] = [
    { name: "ours", args: (c, file, out) => [cli, ...c.cli(file, out)] },
    ...(options.baselineCli === undefined
      ? []
      : [
          {
            name: "ours, baseline",
            args: (c: ProcessCase, file: string, out: string) => [options.baselineCli as string, ...c.cli(file, out)],
          },
        ]),
    { name: "wasm", args: (c, file) => [wasmScript, ...c.wasm(file)] },
  ];
  const dir = mkdtempSync(join(tmpdir(), "walrus-bench-"));
  try {
    console.log(`\nwhole processes: ours = ${cli}${options.baselineCli ? `, baseline = ${options.baselineCli}` : ""}`);
    console.log(
      `median of ${runs} runs, sides interleaved; CPU = user + system time of the process and its threads${
        childrenCpu(ticks) === undefined ? " (not available: no /proc)" : ""
      }`,
    );
    console.log("blob-id: both sides encode, hash and print the blob ID (wasm: compute_metadata)");
    console.log("encode: both sides compute all slivers (BCS) and the metadata; ours also writes them to files");
    const rows: string[][] = [["case", "side", "wall (s)", "CPU (s)", "wall / wasm", "CPU / wasm"]];
    const fmt = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(3));
    for (const c of cases) {
      const file = join(dir, `blob-${c.bytes}.bin`);
      writeFileSync(file, pattern(c.bytes, 42));
      const out = join(dir, "slivers");
      const samples: Sample[][] = sides.map(() => []);
      for (let i = 0; i < runs; i++) {
        sides.forEach((side, s) => {
          samples[s].push(run(side.args(c, file, out), ticks));
          rmSync(out, { recursive: true, force: true });
        });
        const outputs = new Set(samples.map((list) => list[i].stdout));
        if (c.bytes > 0 && outputs.size !== 1)
          throw new Error(`${c.label}: blob IDs differ: ${[...outputs].join(", ")}`);
      }
      const stats = samples.map((list) => ({
        wall: median(list.map((s) => s.wall)),
        cpu: list[0].cpu === undefined ? undefined : median(list.map((s) => s.cpu as number)),
      }));
      const wasm = stats[stats.length - 1];
      const ratio = (a: number | undefined, b: number | undefined) =>
        a === undefined || b === undefined ? "-" : (a / b).toFixed(2);
      sides.forEach((side, s) => {
        const last = s === sides.length - 1;
        rows.push([
          s === 0 ? c.label : "",
          side.name,
          fmt(stats[s].wall),
          fmt(stats[s].cpu),
          last ? "" : ratio(stats[s].wall, wasm.wall),
          last ? "" : ratio(stats[s].cpu, wasm.cpu),
        ]);
      });
    }
    printTable(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
