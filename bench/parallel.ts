/**
 * Does a parallel breadth-first search over worker_threads pay on this machine? Two-phase commit
 * (the plain transition system) explored by W workers, level by level: states are partitioned by
 * fingerprint, each worker keeps a visited set for the states it owns and sends the successors it
 * does not own to their owner in batches (`parallel-worker.ts`). Measured in the same run against
 * the single-threaded `checkModel`, with the same unique-state counts asserted.
 *
 * The last row is the checker's own parallel search (`checker/parallel.ts`), end to end.
 *
 * Also measured: the raw cost of moving a state between workers; and actor models (xstate
 * machines, the Walrus models), whole `walrus-spec check` processes on one thread and on two
 * workers (bench/workers.ts; the script builds the command line first).
 *
 *   npm run bench:parallel                        # 7 and 8 RMs, 3 runs each
 *   npm run bench:parallel -- --runs 5 --rms 8
 *   npm run bench:parallel -- --actors-only --actors write-read-4-crash-any --runs 5
 */

import { availableParallelism, cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import type { Model } from "../checker/model.js";
import { checkModelParallel } from "../checker/parallel.js";
import { checkModel } from "../checker/search.js";
import { type TwoPhaseAction, type TwoPhaseState, twoPhaseCommit } from "../models/examples/two-phase-commit.js";
import {
  copyRecord,
  type FromWorker,
  RECORD,
  readRecords,
  SAMPLE,
  sampleRecords,
  type ToWorker,
} from "./parallel-worker.js";
import { WORKERS_HEADER, median, workersRows } from "./workers.js";

/** The catalogue, from which the checker's parallel workers build their model. */
const MODELS_MODULE = new URL("../models/index.js", import.meta.url).href;

const { values: flags } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    rms: { type: "string", default: "7,8" },
    batch: { type: "string", default: "4096" },
    actors: { type: "string", default: "write-read-4-crash-any,two-phase-commit-7" },
    "actors-only": { type: "boolean", default: false },
  },
});
const actorModels = flags.actors.split(",");
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error("--runs must be a positive integer");
const batch = Number(flags.batch);
if (!Number.isInteger(batch) || batch < 1) throw new Error("--batch must be a positive integer");
const rmsList = flags.rms.split(",").map(Number);
/** TwoPhase.tla's state counts (TLC, Stateright): what every explorer here must find. */
const EXPECTED: Record<number, number> = { 3: 288, 5: 8832, 7: 296_448, 8: 1_745_408 };
for (const rms of rmsList) {
  if (EXPECTED[rms] === undefined) throw new Error(`--rms: known counts are for ${Object.keys(EXPECTED)} RMs`);
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

/** W workers wired to each other by message channels, answering in order. */
class Pool {
  private readonly queues: FromWorker[][];
  private readonly waiting: ({ resolve: (m: FromWorker) => void; reject: (e: Error) => void } | undefined)[];
  private failure: Error | undefined;

  private constructor(readonly workers: Worker[]) {
    this.queues = workers.map(() => []);
    this.waiting = workers.map(() => undefined);
    workers.forEach((worker, i) => {
      worker.on("message", (message: FromWorker) => {
        const waiter = this.waiting[i];
        this.waiting[i] = undefined;
        if (waiter) waiter.resolve(message);
        else this.queues[i].push(message);
      });
      worker.on("error", (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.failure = failure;
        for (const waiter of this.waiting) waiter?.reject(failure);
      });
    });
  }

  static async start(count: number): Promise<Pool> {
    const workers = Array.from({ length: count }, () => new Worker(new URL("./parallel-worker.js", import.meta.url)));
    const pool = new Pool(workers);
    const peers: (MessagePort | null)[][] = workers.map(() => workers.map(() => null));
    for (let i = 0; i < count; i++) {
      for (let j = i + 1; j < count; j++) {
        const { port1, port2 } = new MessageChannel();
        peers[i][j] = port1;
        peers[j][i] = port2;
      }
    }
    workers.forEach((worker, index) => {
      const ports = peers[index].filter((port): port is MessagePort => port !== null);
      const init: ToWorker = { type: "init", index, workers: count, peers: peers[index] };
      worker.postMessage(init, ports);
    });
    await pool.all();
    return pool;
  }

  private next(i: number): Promise<FromWorker> {
    if (this.failure) return Promise.reject(this.failure);
    const queued = this.queues[i].shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      this.waiting[i] = { resolve, reject };
    });
  }

  /** The next answer of every worker. */
  all(): Promise<FromWorker[]> {
    return Promise.all(this.workers.map((_, i) => this.next(i)));
  }

  send(message: ToWorker, to?: number): void {
    this.workers.forEach((worker, i) => {
      if (to === undefined || to === i) worker.postMessage(message);
    });
  }

  /** One parallel breadth-first search of two-phase commit with `rms` RMs. */
  async search(rms: number, sentFilter: boolean): Promise<ParallelResult> {
    const sum = (answers: FromWorker[], field: "fresh") =>
      answers.reduce((total, a) => total + (a.type === "level" ? a[field] : 0), 0);
    const start = performance.now();
    this.send({ type: "start", rms, batch, sentFilter });
    let fresh = sum(await this.all(), "fresh");
    let depth = -1;
    while (fresh > 0) {
      depth++;
      this.send({ type: "expand" });
      fresh = sum(await this.all(), "fresh");
    }
    this.send({ type: "finish" });
    const results = (await this.all()).filter((a) => a.type === "result");
    const wallMs = performance.now() - start;
    const total = (field: "unique" | "generated" | "sent" | "received" | "bytes") =>
      results.reduce((t, r) => t + r[field], 0);
    if (total("sent") !== total("received")) throw new Error("a batch was lost between workers");
    return {
      unique: total("unique"),
      generated: total("generated"),
      depth,
      sent: total("sent"),
      bytesPerState: total("bytes") / total("unique"),
      perWorker: results.map((r) => r.unique),
      busy: results.map((r) => r.busyMs / wallMs),
    };
  }

  /** Streams `records` states from worker 0 to worker 1: until worker 1 has read them all, and each side's busy time. */
  async stream(rms: number, records: number, batchSize: number, decode: boolean): Promise<StreamTimes> {
    this.send({ type: "drain", rms, decode }, 1);
    const start = performance.now();
    this.send({ type: "stream", rms, to: 1, records, batch: batchSize }, 0);
    const [sent, drained] = await Promise.all([this.next(0), this.next(1)]);
    const wallMs = performance.now() - start;
    if (sent.type !== "streamed" || drained.type !== "drained" || drained.records !== records) {
      throw new Error("the stream lost records");
    }
    return { wallMs, senderMs: sent.busyMs, receiverMs: drained.busyMs };
  }

  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

interface StreamTimes {
  wallMs: number;
  senderMs: number;
  receiverMs: number;
}

interface ParallelResult {
  unique: number;
  generated: number;
  depth: number;
  /** Successors sent to another worker. */
  sent: number;
  /** Visited sets (and sent filters) of all workers per unique state. */
  bytesPerState: number;
  perWorker: number[];
  /** Per worker: the fraction of the search's time spent working rather than waiting. */
  busy: number[];
}

interface Row {
  explorer: string;
  unique: number;
  generated: number;
  depth: number;
  seconds: number;
  /** Cores busy on average (process CPU time over wall time). */
  cores: number;
  note: string;
}

type Outcome = Omit<Row, "explorer" | "seconds" | "cores">;

interface Explorer {
  readonly name: string;
  run(): Promise<Outcome> | Outcome;
}

/**
 * One warm-up run of each explorer (not timed: JIT), then `runs` rounds in which each runs once,
 * so that a change of load during the benchmark (a shared machine) hits all of them alike; the
 * median time of each, and the cores it kept busy.
 */
async function measureAll(explorers: readonly Explorer[]): Promise<Row[]> {
  for (const explorer of explorers) await explorer.run();
  const times: number[][] = explorers.map(() => []);
  const cpuSeconds: number[] = explorers.map(() => 0);
  const last: Outcome[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [e, explorer] of explorers.entries()) {
      // CPU time of every thread of the process (workers, garbage collector) over the wall time.
      const cpu = process.cpuUsage();
      const start = performance.now();
      last[e] = await explorer.run();
      times[e].push((performance.now() - start) / 1000);
      const { user, system } = process.cpuUsage(cpu);
      cpuSeconds[e] += (user + system) / 1e6;
    }
  }
  return explorers.map((explorer, e) => ({
    explorer: explorer.name,
    ...last[e],
    seconds: median(times[e]),
    cores: cpuSeconds[e] / times[e].reduce((t, x) => t + x, 0),
  }));
}

function expect(rms: number, what: string, unique: number): void {
  if (unique !== EXPECTED[rms])
    throw new Error(`${what}, ${rms} RMs: ${unique} unique states, expected ${EXPECTED[rms]}`);
}

function printTable(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  for (const r of all) console.log(r.map((cell, c) => cell.padEnd(widths[c])).join("  "));
}

if (!flags["actors-only"]) {
  // ---------------------------------------------------------------------------------------------
  // 1. Search: checkModel against the parallel search with 1 and 2 workers.

  console.log(
    `parallel breadth-first search, two-phase commit; node ${process.version}; ${cpus()[0]?.model ?? "?"}; ` +
      `availableParallelism ${availableParallelism()}; load average at start ${load()}`,
  );
  console.log(
    `median of ${runs} timed runs (in rounds: each explorer once a round) after one warm-up run; ` +
      `batches of ${batch} states; cores = process CPU time / wall time\n`,
  );

  const pools = new Map<number, Pool>();
  for (const w of [1, 2]) {
    const start = performance.now();
    pools.set(w, await Pool.start(w));
    console.log(`${w} worker(s) started in ${(performance.now() - start).toFixed(0)} ms (not in the times below)`);
  }
  console.log();

  const searchRows: string[][] = [];
  const warnings: string[] = [];
  for (const rms of rmsList) {
    const checked = (model: Model<TwoPhaseState, TwoPhaseAction>) => {
      const report = checkModel(model);
      expect(rms, "checkModel", report.uniqueStates);
      return {
        unique: report.uniqueStates,
        generated: report.generatedStates,
        depth: report.maxDepth,
        note: `${report.bytesPerState.toFixed(1)} B/state`,
      };
    };
    const explorers: Explorer[] = [
      { name: "checkModel", run: () => checked(twoPhaseCommit(rms)) },
      { name: "checkModel, no properties", run: () => checked({ ...twoPhaseCommit(rms), properties: [] }) },
    ];
    for (const [w, sentFilter] of [
      [1, false],
      [2, false],
      [2, true],
    ] as const) {
      const pool = pools.get(w) as Pool;
      explorers.push({
        name: `parallel W=${w}${sentFilter ? ", sent filter" : ""}`,
        run: async () => {
          const result = await pool.search(rms, sentFilter);
          expect(rms, `parallel W=${w}`, result.unique);
          const busy = result.busy.map((b) => `${(100 * b).toFixed(0)} %`).join(" / ");
          return {
            unique: result.unique,
            generated: result.generated,
            depth: result.depth,
            note:
              `${result.bytesPerState.toFixed(1)} B/state; ` +
              (w > 1 ? `sent ${result.sent} (${((100 * result.sent) / result.generated).toFixed(0)} %), ` : "") +
              `owned ${result.perWorker.join(" / ")}; busy ${busy}`,
          };
        },
      });
    }
    // The checker's own parallel search, as `walrus-spec check --workers 2` runs it: new workers for
    // every search (cold JIT in each), properties checked, parent links logged for paths.
    const name = `two-phase-commit-plain-${rms}`;
    explorers.push({
      name: "checkModelParallel W=2",
      run: async () => {
        const report = await checkModelParallel(twoPhaseCommit(rms), { module: MODELS_MODULE, name }, { workers: 2 });
        expect(rms, "checkModelParallel", report.uniqueStates);
        return {
          unique: report.uniqueStates,
          generated: report.generatedStates,
          depth: report.maxDepth,
          note: `${report.bytesPerState.toFixed(1)} B/state (fingerprints and parent links); workers started each run`,
        };
      },
    });
    const rows = await measureAll(explorers);
    const base = rows[0];
    const contended = rows.filter((row) => row.explorer.includes("W=2") && row.cores < 1.5);
    if (contended.length > 0) {
      warnings.push(
        `${rms} RMs: two workers kept only ${contended.map((row) => row.cores.toFixed(2)).join(", ")} cores busy — ` +
          "something else held the other core, so this run says nothing about the speedup on an idle machine",
      );
    }
    for (const row of rows) {
      if (row.depth !== base.depth) throw new Error(`${row.explorer}: depth ${row.depth}, checkModel ${base.depth}`);
      searchRows.push([
        `${rms}`,
        row.explorer,
        String(row.unique),
        String(row.generated),
        String(row.depth),
        row.seconds.toFixed(3),
        Math.round(row.unique / row.seconds).toString(),
        Math.round(row.generated / row.seconds).toString(),
        `${(base.seconds / row.seconds).toFixed(2)}×`,
        row.cores.toFixed(2),
        row.note,
      ]);
    }
  }
  printTable(
    [
      "RMs",
      "explorer",
      "unique",
      "generated",
      "depth",
      "time (s)",
      "unique/s",
      "generated/s",
      "vs checkModel",
      "cores",
      "notes",
    ],
    searchRows,
  );
  for (const warning of warnings) console.log(`\nwarning: ${warning}`);
  console.log(`\nload average after the searches: ${load()}\n`);

  // ---------------------------------------------------------------------------------------------
  // 2. Transfer: what moving one state to another worker costs, against doing the same in one thread.

  const TRANSFER_RMS = 8;
  const TRANSFER_RECORDS = 4_000_000;
  {
    // The same copying and reading with no worker in between: the part of the cost that is not transfer.
    const sample = sampleRecords(TRANSFER_RMS, SAMPLE);
    const oneThread = (decode: boolean) => {
      const words = new Int32Array(1 + batch * RECORD);
      let checksum = 0;
      const start = performance.now();
      for (let k = 0, from = 0; k < TRANSFER_RECORDS; k += batch) {
        const count = Math.min(batch, TRANSFER_RECORDS - k);
        for (let r = 0; r < count; r++) {
          copyRecord(sample, from, words, 1 + r * RECORD);
          from += RECORD;
          if (from === sample.length) from = 0;
        }
        checksum ^= readRecords(words, 1, count, TRANSFER_RMS, decode);
      }
      return { ns: ((performance.now() - start) * 1e6) / TRANSFER_RECORDS, checksum };
    };
    const pool = pools.get(2) as Pool;
    const rows: string[][] = [];
    const perState = (ms: number) => ((ms * 1e6) / TRANSFER_RECORDS).toFixed(1);
    for (const decode of [false, true]) {
      oneThread(decode);
      const reference = median(Array.from({ length: runs }, () => oneThread(decode).ns));
      rows.push([
        decode ? "copy, read, decode to an object" : "copy, read the fingerprint",
        "one thread",
        "",
        "",
        "",
        reference.toFixed(1),
      ]);
      for (const size of [256, 1024, 4096, 16384]) {
        await pool.stream(TRANSFER_RMS, TRANSFER_RECORDS, size, decode);
        const samples: StreamTimes[] = [];
        for (let i = 0; i < runs; i++) samples.push(await pool.stream(TRANSFER_RMS, TRANSFER_RECORDS, size, decode));
        const med = (field: keyof StreamTimes) => median(samples.map((s) => s[field]));
        rows.push([
          "",
          "worker → worker",
          String(size),
          perState(med("senderMs")),
          perState(med("receiverMs")),
          perState(med("wallMs")),
        ]);
      }
    }
    console.log(
      `transfer: ${TRANSFER_RECORDS} records of ${RECORD * 4} bytes (${SAMPLE} distinct two-phase commit states, ${TRANSFER_RMS} RMs)`,
    );
    printTable(["work per state", "where", "batch", "sender busy ns", "receiver busy ns", "wall ns"], rows);
    console.log();
  }
  for (const pool of pools.values()) await pool.terminate();
}

// ---------------------------------------------------------------------------------------------
// 3. Actor models: `walrus-spec check` on one thread against `--workers 2`, whole processes (the
// threads share the ids of local states and messages, checker/actors/shared-ids.ts), unreduced
// as the parallel search is; eventually properties included (checked beside the search).

{
  const rows = workersRows(actorModels, runs);
  console.log(`actor models, whole processes (walrus-spec check --no-reduction), medians of ${runs} runs in rounds`);
  printTable(WORKERS_HEADER, rows);
}
console.log(`\nload average at the end: ${load()}`);
