/**
 * The catalogue of models `walrus-spec check` and `walrus-spec list` know, by name. Default models
 * are what `walrus-spec check` runs with no model named (and so what CI checks); the others are
 * larger configurations and seeded bugs, each named in tests with its expected verdict.
 */

import type { Model } from "../checker/model.js";
import { quorumWrite, type QuorumWriteOptions } from "./examples/quorum-write.js";
import { twoPhaseCommit } from "./examples/two-phase-commit.js";
import { twoPhaseCommitActors } from "./examples/two-phase-commit-actors.js";
import { type WriteReadOptions, writeRead } from "./write-read.js";

/** How a model is built: `reduction: false` leaves out what only serves reduction (symmetry). */
export interface BuildOptions {
  readonly reduction?: boolean;
}

export interface ModelEntry {
  readonly name: string;
  readonly description: string;
  /** Parameters, as shown by `walrus-spec list`. */
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  readonly isDefault: boolean;
  build(options?: BuildOptions): Model<unknown, unknown>;
}

function entry<S, A>(
  name: string,
  description: string,
  parameters: ModelEntry["parameters"],
  isDefault: boolean,
  build: (options: BuildOptions) => Model<S, A>,
): ModelEntry {
  // The checker treats states and actions opaquely, so erasing their types here is safe.
  return {
    name,
    description,
    parameters,
    isDefault,
    build: ((options: BuildOptions = {}) => build(options)) as unknown as ModelEntry["build"],
  };
}

function quorum(name: string, description: string, isDefault: boolean, options: QuorumWriteOptions): ModelEntry {
  const parameters: Record<string, string | number | boolean> = {
    shards: options.shards.join(","),
    network:
      typeof options.network === "object"
        ? [
            options.network.ordering ?? "unordered",
            options.network.loss ? "lossy" : "",
            options.network.duplication ? "duplicating" : "",
          ]
            .filter(Boolean)
            .join(" ")
        : (options.network ?? "unordered"),
  };
  if (options.byzantine) parameters.byzantine = options.byzantine.map((i) => `A${i}`).join(",");
  if (options.crash) parameters.crash = options.crash.map((i) => `A${i}`).join(",");
  if (options.budget !== undefined) parameters.budget = options.budget;
  if (options.intersection === false) parameters.intersection = false;
  return entry(name, description, parameters, isDefault, () => quorumWrite(options));
}

/** A Walrus write (and read) model of models/write-read.ts, with its options as parameters. */
function walrus(name: string, description: string, isDefault: boolean, options: WriteReadOptions): ModelEntry {
  const parameters: Record<string, string | number | boolean> = {
    shards: (options.shards ?? [1, 1, 1, 1]).join(","),
    network: typeof options.network === "string" ? options.network : "unordered",
    reader:
      options.reader === false
        ? "none"
        : [
            options.reader?.axis ?? "primary",
            options.reader?.consistency ?? "default",
            options.reader?.start ?? "afterCertification",
          ].join(" "),
  };
  if (options.crash) parameters.crash = options.crash.map((i) => `N${i}`).join(",");
  if (options.byzantine)
    parameters.byzantine = `${options.byzantine.nodes.map((i) => `N${i}`).join(",")}: ${options.byzantine.behaviours.join(", ")}`;
  if (options.budget !== undefined) parameters.budget = options.budget;
  if (options.nodeProperties) parameters.nodeProperties = true;
  return entry(name, description, parameters, isDefault, () => writeRead(options));
}

const READ_AFTER_POA = "an honest writer, a reader after the point of availability (primary slivers, default check)";

export const MODELS: readonly ModelEntry[] = [
  ...[3, 5, 7].map((rms) =>
    entry(
      `two-phase-commit-${rms}`,
      `Lamport's TwoPhase.tla as xstate machines (a TM and ${rms} RMs, duplicating network)`,
      { rms, network: "duplicating" },
      rms <= 5,
      () => twoPhaseCommitActors(rms),
    ),
  ),
  entry(
    "two-phase-commit-7-symmetric",
    "TwoPhase.tla with 7 RMs declared interchangeable: symmetry reduction (296 448 states without it)",
    { rms: 7, network: "duplicating", symmetry: true },
    true,
    ({ reduction }) => twoPhaseCommitActors(7, { symmetry: reduction !== false }),
  ),
  entry(
    "two-phase-commit-plain-7",
    "TwoPhase.tla written directly as a transition system (no xstate), the checker's baseline: 296 448 states",
    { rms: 7 },
    false,
    () => twoPhaseCommit(7),
  ),
  entry(
    "two-phase-commit-3-buggy",
    "TwoPhase with a seeded bug: the TM commits once any RM is prepared (TCConsistent fails)",
    { rms: 3, commitEarly: true },
    false,
    () => twoPhaseCommit(3, { commitEarly: true }),
  ),
  quorum(
    "quorum-write-4-byzantine",
    "A quorum write (2f+1 of n = 4 shards) with one Byzantine acceptor that acknowledges without storing",
    true,
    { shards: [1, 1, 1, 1], byzantine: [3] },
  ),
  quorum("quorum-write-4-crash", "A quorum write (n = 4) where any one acceptor may crash at any point", true, {
    shards: [1, 1, 1, 1],
    crash: [0, 1, 2, 3],
  }),
  quorum(
    "quorum-write-weighted-byzantine",
    "A quorum write over weighted acceptors (2,1,1,1,2 shards: n = 7, f = 2) with a Byzantine acceptor of 2 shards",
    true,
    { shards: [2, 1, 1, 1, 2], byzantine: [0] },
  ),
  quorum(
    "quorum-write-4-two-byzantine",
    "Tightness: two Byzantine acceptors (f + 1 shards) break quorum intersection",
    false,
    { shards: [1, 1, 1, 1], byzantine: [2, 3], budget: 2 },
  ),
  quorum(
    "quorum-write-4-lossy",
    "A quorum write over a lossy network: a lost message can leave the write unfinished (eventually fails)",
    false,
    { shards: [1, 1, 1, 1], network: { loss: true } },
  ),
  quorum(
    "quorum-write-10",
    "A quorum write to 10 acceptors, properties about the writer: many independent deliveries for partial-order reduction",
    true,
    { shards: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], intersection: false },
  ),
  walrus("write-read-4", `Walrus write and read over the real codec, n = 4: ${READ_AFTER_POA}`, true, {}),
  walrus(
    "write-read-4-crash",
    `Walrus write and read, n = 4, node N3 may crash at any point: ${READ_AFTER_POA}`,
    true,
    {
      crash: [3],
    },
  ),
  walrus(
    "write-read-4-byzantine",
    `Walrus write and read, n = 4, Byzantine N3 (withholds, confirms without storing, serves a corrupt sliver): ${READ_AFTER_POA}`,
    true,
    { byzantine: { nodes: [3], behaviours: ["confirmWithoutStoring", "corruptSliver"] } },
  ),
  walrus(
    "write-4",
    "The Walrus write alone, n = 4: write completeness and what correct nodes store at the point of availability",
    true,
    { reader: false, nodeProperties: true },
  ),
  walrus(
    "write-4-crash",
    "The Walrus write alone, n = 4, any one node may crash at any point: write completeness",
    true,
    {
      reader: false,
      nodeProperties: true,
      crash: [0, 1, 2, 3],
    },
  ),
  walrus(
    "write-4-byzantine",
    "The Walrus write alone, n = 4, Byzantine N3 (confirms without storing, corrupt recovery symbols, wrong metadata): write completeness",
    false,
    {
      reader: false,
      nodeProperties: true,
      byzantine: { nodes: [3], behaviours: ["confirmWithoutStoring", "corruptSymbols", "wrongMetadata"] },
    },
  ),
  walrus(
    "write-read-4-paper-reader",
    "Walrus write and read, n = 4, the paper's reader: n − f secondary slivers and the strict check (re-encode)",
    false,
    { reader: { axis: "secondary", consistency: "strict" } },
  ),
  walrus(
    "write-read-4-racing-reader",
    "Walrus write and read, n = 4, a reader that starts at once, racing the write",
    false,
    { reader: { start: "immediately" } },
  ),
  walrus(
    "write-read-4-crash-any",
    `Walrus write and read, n = 4, any one node may crash at any point: ${READ_AFTER_POA}`,
    false,
    {
      crash: [0, 1, 2, 3],
    },
  ),
  walrus(
    "write-read-4-f-plus-1",
    "Tightness: Byzantine N3 confirms without storing and N2 may crash (f + 1 faulty shards): availability fails",
    false,
    { crash: [2], budget: 2, byzantine: { nodes: [3], behaviours: ["confirmWithoutStoring"] } },
  ),
  walrus(
    "write-4-f-plus-1",
    "Tightness: Byzantine N3 confirms without storing and N2 may crash (f + 1 faulty shards): write completeness fails",
    false,
    {
      reader: false,
      nodeProperties: true,
      crash: [2],
      budget: 2,
      byzantine: { nodes: [3], behaviours: ["confirmWithoutStoring"] },
    },
  ),
];

/** The entry named `name`, or undefined. */
export function findModel(name: string): ModelEntry | undefined {
  return MODELS.find((model) => model.name === name);
}
