/**
 * The catalogue of models `walrus-spec check` and `walrus-spec list` know, by name, and the model
 * builders behind it (`walrus-spec/models`). Default models
 * are what `walrus-spec check` runs with no model named (and so what CI checks); the others are
 * larger configurations and seeded bugs, each named in tests with its expected verdict.
 */

import { ModelError } from "../checker/errors.js";
import type { Model } from "../checker/model.js";
import { quorumWrite, type QuorumWriteOptions } from "./examples/quorum-write.js";
import { twoPhaseCommit } from "./examples/two-phase-commit.js";
import { twoPhaseCommitActors } from "./examples/two-phase-commit-actors.js";
import { type ChallengeOptions, LIGHTWEIGHT_BLOBS, challenge } from "./challenge.js";
import { DEFAULT_CHANGE, type EpochChangeOptions, epochChange } from "./epoch-change.js";
import { type WriteReadOptions, writeRead } from "./write-read.js";

export { type ChallengeOptions, challenge } from "./challenge.js";
export { type EpochChangeOptions, epochChange } from "./epoch-change.js";
export { type QuorumWriteOptions, quorumWrite } from "./examples/quorum-write.js";
export { twoPhaseCommit } from "./examples/two-phase-commit.js";
export { twoPhaseCommitActors } from "./examples/two-phase-commit-actors.js";
export { type WriteReadOptions, writeRead } from "./write-read.js";

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
  /**
   * A tightness model's expected failures: the properties (by id) it must
   * break, and no others. `walrus-spec check` passes such a model when exactly these fail, so
   * `npm run check` keeps checking that each seeded fault is still caught.
   */
  readonly expectedFailures?: readonly string[];
  /**
   * `long`: a search too long for `npm run check` and the test suite, run by `npm run check:long`
   * (`walrus-spec check --profile long`), which records its counts and verdicts in
   * docs/check-results-long.json. CI does not run it.
   */
  readonly profile?: "long";
  build(options?: BuildOptions): Model<unknown, unknown>;
}

/** What an auditor writes to add a model: {@link defineModel} turns it into a catalogue entry. */
export interface ModelDefinition<S, A> {
  readonly name: string;
  readonly description: string;
  /** Parameters, as shown by `walrus-spec list` (default: none). */
  readonly parameters?: ModelEntry["parameters"];
  /** Whether `walrus-spec check` with no model named checks it (default: true). */
  readonly isDefault?: boolean;
  /** The properties (by id) the model must break, and no others. */
  readonly expectedFailures?: readonly string[];
  /** `long`: searched by `npm run check:long` rather than by `npm run check`. */
  readonly profile?: "long";
  build(options: BuildOptions): Model<S, A>;
}

/**
 * A catalogue entry from its definition: the entries of `models/index.ts` and those of an
 * auditor's own model module (`walrus-spec check --model FILE`) are made the same way.
 */
export function defineModel<S, A>(definition: ModelDefinition<S, A>): ModelEntry {
  const { build, expectedFailures, profile } = definition;
  return {
    name: definition.name,
    description: definition.description,
    parameters: definition.parameters ?? {},
    isDefault: definition.isDefault ?? true,
    ...(expectedFailures === undefined ? {} : { expectedFailures }),
    ...(profile === undefined ? {} : { profile }),
    // The checker treats states and actions opaquely, so erasing their types here is safe.
    build: ((options: BuildOptions = {}) =>
      withPropertyIds(definition.name, build(options), expectedFailures ?? [])) as unknown as ModelEntry["build"],
  };
}

/** An id as properties have them: lower-case words and digits joined by `-`. */
const PROPERTY_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/**
 * The model, once its properties' ids are shown usable: each of that form and distinct, and each
 * expected failure the id of one of them (else a {@link ModelError} naming the model).
 */
function withPropertyIds<S, A>(name: string, model: Model<S, A>, expectedFailures: readonly string[]): Model<S, A> {
  const ids = model.properties.map((property) => property.id);
  const malformed = ids.find((id) => typeof id !== "string" || !PROPERTY_ID.test(id));
  if (malformed !== undefined) {
    throw new ModelError(`${name}: property id ${JSON.stringify(malformed)} is not lower-case words joined by "-"`);
  }
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) throw new ModelError(`${name}: two properties have the id ${repeated}`);
  const unknown = expectedFailures.find((id) => !ids.includes(id));
  if (unknown !== undefined) throw new ModelError(`${name}: the expected failure ${unknown} is no property's id`);
  return model;
}

/**
 * How `walrus-spec check` treats a model of the catalogue: searched by `npm run check` (the
 * default), by the long profile (`npm run check:long`), or only when named; and, for a tightness
 * model or a finding, the properties (by id) it must break.
 */
interface Checked {
  readonly by: "default" | "long" | "none";
  readonly fails?: readonly string[];
}

/** Searched by `npm run check`; every property holds. */
const DEFAULT: Checked = { by: "default" };
/** Checked only when named (large: explored with --simulate, or a variant kept for comparison). */
const ON_REQUEST: Checked = { by: "none" };
/** Searched by `npm run check:long`, breaking the properties `fails` names (none: every one holds). */
const long = (...fails: string[]): Checked => ({ by: "long", ...(fails.length > 0 ? { fails } : {}) });
/** Searched by `npm run check`, which passes it when exactly these properties fail (a seeded fault or a finding). */
const tightness = (...fails: string[]): Checked => ({ by: "default", fails });

function entry<S, A>(
  name: string,
  description: string,
  parameters: ModelEntry["parameters"],
  checked: Checked,
  build: (options: BuildOptions) => Model<S, A>,
): ModelEntry {
  return defineModel({
    name,
    description,
    parameters,
    isDefault: checked.by === "default",
    ...(checked.fails === undefined ? {} : { expectedFailures: checked.fails }),
    ...(checked.by === "long" ? { profile: "long" as const } : {}),
    build,
  });
}

function quorum(name: string, description: string, checked: Checked, options: QuorumWriteOptions): ModelEntry {
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
  return entry(name, description, parameters, checked, () => quorumWrite(options));
}

/** A Walrus write (and read) model of models/write-read.ts, with its options as parameters. */
function walrus(name: string, description: string, checked: Checked, options: WriteReadOptions): ModelEntry {
  const node = (i: number) => `N${i}`;
  const parameters: Record<string, string | number | boolean> = {
    shards: (options.shards ?? [1, 1, 1, 1]).join(","),
    network: typeof options.network === "string" ? options.network : "unordered",
    from: options.from ?? "start",
    reader:
      options.reader === false
        ? "none"
        : [
            options.reader?.axis ?? "primary",
            options.reader?.consistency ?? "default",
            options.reader?.start ?? "afterCertification",
          ].join(" "),
  };
  if (options.reader !== false && (options.readers ?? 1) !== 1) parameters.readers = options.readers ?? 1;
  if (options.lateReader) parameters.lateReader = true;
  if (options.tamper) {
    parameters.tamper = (["primary", "secondary"] as const)
      .flatMap((axis) => (options.tamper?.[axis] ?? []).map((i) => `${axis} ${i}`))
      .join(",");
  }
  if (options.withholdFrom) parameters.withholdFrom = options.withholdFrom.map(node).join(",");
  if (options.crash) parameters.crash = options.crash.map(node).join(",");
  if (options.byzantine) {
    parameters.byzantine = `${options.byzantine.nodes.map(node).join(",")}: ${options.byzantine.behaviours.join(", ")}`;
  }
  if (options.budget !== undefined) parameters.budget = options.budget;
  if (options.nodeProperties) parameters.nodeProperties = true;
  if (options.invalidationAttestations) parameters.invalidationAttestations = options.invalidationAttestations;
  if (options.validity) parameters.validity = options.validity;
  return entry(name, description, parameters, checked, () => writeRead(options));
}

const READ_AFTER_POA = "an honest writer, a reader after the point of availability (primary slivers, default check)";
const BYZANTINE_N3 = {
  nodes: [3],
  behaviours: ["confirmWithoutStoring", "corruptSliver", "corruptSymbols", "wrongMetadata"],
} as const;
/** An epoch-change model of models/epoch-change.ts, with its options as parameters. */
function epochs(name: string, description: string, checked: Checked, options: EpochChangeOptions): ModelEntry {
  const parameters: Record<string, string | number | boolean> = {
    shards: (options.shards ?? [1, 1, 1, 1]).join(","),
    changes:
      (options.changes ?? [DEFAULT_CHANGE])
        .map((counts) => counts.map((c) => `${c.name}:${c.shards}`).join(" "))
        .join(" | ") || "none",
    write: options.write !== false,
    read: options.read ?? true,
    timeouts: options.timeouts ?? true,
  };
  if (options.crash) parameters.crash = options.crash.join(",");
  if (options.byzantine) parameters.byzantine = options.byzantine.join(",");
  if (options.budget !== undefined) parameters.budget = options.budget;
  if (options.failures) parameters.failures = true;
  if (options.attestWhen) parameters.attestWhen = options.attestWhen;
  if (options.malicious) parameters.malicious = true;
  return entry(name, description, parameters, checked, () => epochChange(options));
}

const HANDOVER = "n = 4 → 4, N3 leaves and N4 joins: shard 3 moves with a blob certified before the change";

/** The epoch-change models. */
export const EPOCH_CHANGE_MODELS: readonly ModelEntry[] = [
  epochs("epoch-change-4", `Epoch change, ${HANDOVER}; the transfer may give up for recovery`, DEFAULT, {
    read: false,
    write: false,
  }),
  epochs("epoch-change-4-read", `Epoch change, ${HANDOVER}; a read of the blob races the change`, DEFAULT, {
    write: false,
    timeouts: false,
  }),
  epochs("epoch-change-4-crash", `Epoch change, ${HANDOVER}; N3 may crash (the recovery pathway)`, DEFAULT, {
    read: false,
    write: false,
    crash: ["N3"],
  }),
  epochs(
    "epoch-change-4-byzantine",
    `Epoch change, ${HANDOVER}; Byzantine N3 serves corrupt slivers and symbols`,
    DEFAULT,
    { read: false, write: false, byzantine: ["N3"] },
  ),
  epochs(
    "epoch-change-4-write",
    `Epoch change, ${HANDOVER}; a write and a read race the change (large: explore with --simulate)`,
    ON_REQUEST,
    { timeouts: false, nodeProperties: true },
  ),
  epochs(
    "epoch-change-4-sync-failure",
    "Two epoch changes; the filling of a gained shard may fail for good: the node never attests without its shard (no write lost fails, as a failure means)",
    tightness("no-write-lost"),
    { read: false, write: false, timeouts: false, failures: true, changes: [DEFAULT_CHANGE, DEFAULT_CHANGE] },
  ),
  epochs(
    "epoch-change-4-attestation-gap",
    "Two epoch changes, the implementation's finisher (WAL-1271): after a failed shard sync the node attests the next epoch without its shard (attestation soundness fails)",
    tightness("no-write-lost", "attestation-soundness"),
    {
      read: false,
      write: false,
      timeouts: false,
      failures: true,
      attestWhen: "noTaskRunning",
      changes: [DEFAULT_CHANGE, DEFAULT_CHANGE],
    },
  ),
  epochs(
    "epoch-change-4-two-blobs",
    `Two blobs on one committee through an epoch change, ${HANDOVER}: the stored blob is read across the change while a malicious writer's blob (N1's primary sliver inconsistent, N1's upload withheld) is written, proven inconsistent and invalidated (large: explore with --simulate)`,
    ON_REQUEST,
    { timeouts: false, malicious: true, nodeProperties: true },
  ),
  epochs(
    "two-blobs-4",
    "Two blobs on one committee of n = 4, no epoch change (the searched slice of epoch-change-4-two-blobs): every correct node keeps the stored blob while a malicious writer's blob (N1's primary sliver inconsistent, N1's upload withheld) is written, proven inconsistent by N1 and invalidated",
    DEFAULT,
    { changes: [], read: false, timeouts: false, malicious: true, nodeProperties: true },
  ),
  epochs(
    "epoch-change-4-f-plus-1",
    "Tightness: N0 and N1 may crash (f + 1 shards of the new committee): the change never completes",
    tightness("reconfiguration-liveness"),
    { read: false, write: false, timeouts: false, crash: ["N0", "N1"], budget: 2 },
  ),
];

/**
 * The lightweight challenge's configuration: three blobs, one challenged per node. Under coin 2 the
 * coin picks N3's deleted blob 1 and leaves blob 2 to no node (the reader's read goes on); under
 * coin 7 it picks N3's blob 0, so N3 passes without blob 1.
 */
const LIGHTWEIGHT_CHEATER = {
  blobs: LIGHTWEIGHT_BLOBS,
  deleted: ["N3"],
  deletedBlobs: [1],
  rebuildBy: "none",
  lightweight: { challenged: 1, coins: [2, 7] },
} as const satisfies ChallengeOptions;
const LIGHTWEIGHT = { ...LIGHTWEIGHT_CHEATER, reader: 2 } as const satisfies ChallengeOptions;

/** A storage-challenge model of models/challenge.ts, with its options as parameters. */
function challenges(name: string, description: string, checked: Checked, options: ChallengeOptions): ModelEntry {
  const parameters: Record<string, string | number | boolean> = { shards: (options.shards ?? [1, 1, 1, 1]).join(",") };
  if (options.deleted) parameters.deleted = options.deleted.join(",");
  if (options.byzantine) parameters.byzantine = options.byzantine.join(",");
  if (options.crash) parameters.crash = options.crash.join(",");
  if (options.rebuildBy) parameters.rebuildBy = options.rebuildBy;
  if (options.focus) parameters.focus = options.focus.join(",");
  if (options.budget !== undefined) parameters.budget = options.budget;
  if (options.blobs) parameters.blobs = options.blobs.length;
  if (options.deletedBlobs) parameters.deletedBlobs = options.deletedBlobs.join(",");
  if (options.lightweight) {
    parameters.challenged = options.lightweight.challenged;
    parameters.coins = options.lightweight.coins.join(",");
  }
  if (options.reader !== undefined) parameters.reader = `blob ${options.reader}`;
  return entry(name, description, parameters, checked, () => challenge(options));
}

/**
 * The storage-challenge models. `npm run check` searches the full challenge of four storing nodes
 * and those that follow a single node's challenge whole; the others, where a cheater rebuilds its
 * slivers, a node may crash or a reader reads during the challenge, are still explored with
 * --simulate.
 */
export const CHALLENGE_MODELS: readonly ModelEntry[] = [
  challenges(
    "challenge-4",
    "Storage challenge, n = 4, every node stores its slivers, every node's challenge played out, searched whole: a correct node can miss the end (the chain ends the challenge at the third certificate and takes no fourth)",
    tightness("correct-node-certified"),
    {},
  ),
  challenges(
    "challenge-4-crash",
    "Storage challenge, n = 4, every node's challenge played out, N3 may crash, searched whole: a correct node can miss the end, as in challenge-4",
    tightness("correct-node-certified"),
    {
      crash: ["N3"],
    },
  ),
  challenges(
    "challenge-4-one-node",
    "Storage challenge, n = 4, only N3's challenge played out (the others ack, check and sign; their certificates land when the environment says): searched whole: N3 can miss the end",
    tightness("correct-node-certified"),
    { focus: ["N3"] },
  ),
  challenges(
    "challenge-4-deleted",
    "Storage challenge, n = 4, N3 threw its slivers away and rebuilds them from nodes that have not yet seen the challenge start: soundness fails",
    ON_REQUEST,
    { deleted: ["N3"] },
  ),
  challenges(
    "challenge-4-deleted-one-node",
    "Storage challenge, n = 4, N3 threw its slivers away and rebuilds them by recovery; only N3's challenge played out, searched whole: soundness fails",
    tightness("challenge-soundness"),
    { deleted: ["N3"], focus: ["N3"] },
  ),
  challenges(
    "challenge-4-deleted-primary-read",
    "Storage challenge, n = 4, N3 threw its slivers away and reads the blob back from n − 2f primary slivers (the implementation's read): soundness fails",
    ON_REQUEST,
    { deleted: ["N3"], rebuildBy: "primaryRead" },
  ),
  challenges(
    "challenge-4-deleted-secondary-read",
    "Storage challenge, n = 4, N3 threw its slivers away and reads the blob back from n − f secondary slivers (the paper's read)",
    ON_REQUEST,
    { deleted: ["N3"], rebuildBy: "secondaryRead" },
  ),
  challenges(
    "challenge-4-deleted-byzantine",
    "Storage challenge, n = 4, N3 threw its slivers away, Byzantine N2 colludes, searched whole: soundness fails, and so do completeness and reads resuming (N2 and N3 are f + 1 faulty shards, and the honest rest cannot end the challenge)",
    tightness("challenge-soundness", "challenge-completeness", "reads-resume"),
    { deleted: ["N3"], byzantine: ["N2"] },
  ),
  challenges(
    "challenge-4-lightweight",
    "Lightweight storage challenge, n = 4, 1 of 3 blobs challenged per node, the coin one of two seeds; N3 threw blob 1 away and does not rebuild it; a reader reads blob 2 during the challenge: N3 passes when the coin misses blob 1",
    ON_REQUEST,
    LIGHTWEIGHT,
  ),
  challenges(
    "challenge-4-lightweight-recovery",
    "Lightweight storage challenge as challenge-4-lightweight under coin 2, which picks N3's deleted blob 1, and N3 rebuilds it by recovery from nodes that have not seen the challenge start: soundness fails, as in the full challenge",
    ON_REQUEST,
    { ...LIGHTWEIGHT_CHEATER, rebuildBy: "recovery", lightweight: { challenged: 1, coins: [2] } },
  ),
  challenges(
    "challenge-4-lightweight-one-node",
    "Lightweight storage challenge as challenge-4-lightweight without the reader, only N3's challenge played out: searched whole: everything holds, and N3 passes under coin 7",
    DEFAULT,
    { ...LIGHTWEIGHT_CHEATER, focus: ["N3"] },
  ),
  challenges(
    "challenge-4-lightweight-escalated",
    "Lightweight storage challenge escalated to every blob (k = m = 3): the full challenge again, N3 never passes and no challenged blob is read",
    ON_REQUEST,
    { ...LIGHTWEIGHT, lightweight: { ...LIGHTWEIGHT.lightweight, challenged: 3 } },
  ),
];

/** The malicious writer's committee: n = 4 over three nodes, N0 holding two shards. */
const MALICIOUS = {
  shards: [2, 1, 1],
  tamper: { primary: [0] },
  withholdFrom: [1],
  from: "pointOfAvailability",
} as const;

const CATALOGUE: readonly ModelEntry[] = [
  ...[3, 5, 7].map((rms) =>
    entry(
      `two-phase-commit-${rms}`,
      `Lamport's TwoPhase.tla as xstate machines (a TM and ${rms} RMs, duplicating network)`,
      { rms, network: "duplicating" },
      rms <= 5 ? DEFAULT : rms === 7 ? long() : ON_REQUEST,
      () => twoPhaseCommitActors(rms),
    ),
  ),
  entry(
    "two-phase-commit-7-symmetric",
    "TwoPhase.tla with 7 RMs declared interchangeable: symmetry reduction (296 448 states without it)",
    { rms: 7, network: "duplicating", symmetry: true },
    DEFAULT,
    ({ reduction }) => twoPhaseCommitActors(7, { symmetry: reduction !== false }),
  ),
  ...[7, 8].map((rms) =>
    entry(
      `two-phase-commit-plain-${rms}`,
      `TwoPhase.tla written directly as a transition system (no xstate), the checker's baseline: ${rms === 7 ? "296 448" : "1 745 408"} states; portable states (--workers)`,
      { rms },
      long(),
      () => twoPhaseCommit(rms),
    ),
  ),
  entry(
    "two-phase-commit-3-buggy",
    "TwoPhase with a seeded bug: the TM commits once any RM is prepared (TCConsistent fails)",
    { rms: 3, commitEarly: true },
    ON_REQUEST,
    () => twoPhaseCommit(3, { commitEarly: true }),
  ),
  quorum(
    "quorum-write-4-byzantine",
    "A quorum write (2f+1 of n = 4 shards) with one Byzantine acceptor that acknowledges without storing",
    DEFAULT,
    { shards: [1, 1, 1, 1], byzantine: [3] },
  ),
  quorum("quorum-write-4-crash", "A quorum write (n = 4) where any one acceptor may crash at any point", DEFAULT, {
    shards: [1, 1, 1, 1],
    crash: [0, 1, 2, 3],
  }),
  quorum(
    "quorum-write-weighted-byzantine",
    "A quorum write over weighted acceptors (2,1,1,1,2 shards: n = 7, f = 2) with a Byzantine acceptor of 2 shards",
    DEFAULT,
    { shards: [2, 1, 1, 1, 2], byzantine: [0] },
  ),
  quorum(
    "quorum-write-4-two-byzantine",
    "Tightness: two Byzantine acceptors (f + 1 shards) break quorum intersection",
    ON_REQUEST,
    { shards: [1, 1, 1, 1], byzantine: [2, 3], budget: 2 },
  ),
  quorum(
    "quorum-write-4-lossy",
    "A quorum write over a lossy network: a lost message can leave the write unfinished (eventually fails)",
    ON_REQUEST,
    { shards: [1, 1, 1, 1], network: { loss: true } },
  ),
  quorum(
    "quorum-write-10",
    "A quorum write to 10 acceptors, properties about the writer: many independent deliveries for partial-order reduction",
    DEFAULT,
    { shards: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], intersection: false },
  ),
  walrus("write-read-4", `Walrus write and read over the real codec, n = 4: ${READ_AFTER_POA}`, DEFAULT, {}),
  walrus(
    "write-read-4-crash",
    `Walrus write and read, n = 4, node N3 may crash at any point: ${READ_AFTER_POA}`,
    DEFAULT,
    { crash: [3] },
  ),
  walrus(
    "write-read-4-byzantine",
    `Walrus write and read, n = 4, Byzantine N3 (withholds, confirms without storing, serves corrupt slivers and symbols and wrong metadata): ${READ_AFTER_POA}`,
    DEFAULT,
    { byzantine: BYZANTINE_N3 },
  ),
  walrus(
    "write-read-4-paper-reader",
    "Walrus write and read, n = 4, the paper's reader: n − f secondary slivers and the strict check (re-encode)",
    DEFAULT,
    { reader: { axis: "secondary", consistency: "strict" } },
  ),
  walrus(
    "write-read-4-racing-reader",
    "Walrus write and read, n = 4, a reader that starts at once, racing the write",
    DEFAULT,
    { reader: { start: "immediately" } },
  ),
  walrus(
    "write-read-4-crash-any",
    `Walrus write and read, n = 4, any one node may crash at any point: ${READ_AFTER_POA}`,
    DEFAULT,
    { crash: [0, 1, 2, 3] },
  ),
  walrus(
    "write-4",
    "The Walrus write alone, n = 4: write completeness, encoding protection, what correct nodes store at the point of availability",
    DEFAULT,
    { reader: false, nodeProperties: true },
  ),
  walrus(
    "write-4-crash",
    "The Walrus write alone, n = 4, any one node may crash at any point: write completeness",
    DEFAULT,
    { reader: false, nodeProperties: true, crash: [0, 1, 2, 3] },
  ),
  walrus(
    "write-4-byzantine",
    "The Walrus write alone, n = 4, Byzantine N3 (confirms without storing, corrupt symbols, wrong metadata, a forged inconsistency proof): write completeness, encoding protection",
    DEFAULT,
    {
      reader: false,
      nodeProperties: true,
      byzantine: {
        nodes: [3],
        behaviours: ["confirmWithoutStoring", "corruptSymbols", "wrongMetadata", "forgeInconsistencyProof"],
      },
    },
  ),
  walrus(
    "write-read-4-byzantine-attests",
    "Walrus write and read, n = 4, from the point of availability: Byzantine N3 asks the chain to invalidate the honest writer's blob with its own attestation (f shards): the chain refuses",
    DEFAULT,
    { from: "pointOfAvailability", byzantine: { nodes: [3], behaviours: ["confirmWithoutStoring", "attestInvalid"] } },
  ),
  walrus(
    "self-healing-4",
    "Self-healing, n = 4, from the point of availability: N3 never received its slivers and recovers them (secondary from n − 2f symbols, then primary from n − f)",
    DEFAULT,
    { reader: false, nodeProperties: true, withholdFrom: [3], from: "pointOfAvailability" },
  ),
  walrus(
    "self-healing-7",
    "Self-healing, n = 7 over five nodes (2,2,1,1,1 shards), from the point of availability: N3 and N4 never received their slivers and recover them",
    DEFAULT,
    { shards: [2, 2, 1, 1, 1], reader: false, nodeProperties: true, withholdFrom: [3, 4], from: "pointOfAvailability" },
  ),
  walrus(
    "self-healing-4-byzantine",
    "Self-healing, n = 4, from the point of availability: N2 never received its slivers; Byzantine N3 confirmed without storing and serves corrupt symbols, wrong metadata and a forged inconsistency proof",
    DEFAULT,
    {
      reader: false,
      nodeProperties: true,
      withholdFrom: [2],
      from: "pointOfAvailability",
      byzantine: {
        nodes: [3],
        behaviours: ["confirmWithoutStoring", "corruptSymbols", "wrongMetadata", "forgeInconsistencyProof"],
      },
    },
  ),
  walrus(
    "malicious-writer-4",
    "A malicious writer (primary sliver 0 inconsistent), n = 4 over three nodes (2,1,1), from the point of availability: N1 recovers, proves the inconsistency, the chain invalidates the blob ID; a reader racing the invalidation and one after it, both with the paper's strict check, agree on ⊥",
    DEFAULT,
    { ...MALICIOUS, reader: { consistency: "strict" }, lateReader: true },
  ),
  walrus(
    "malicious-writer-4-two-racing",
    "A malicious writer as in malicious-writer-4, with two readers that both race the invalidation (paper's strict check): they agree on ⊥",
    DEFAULT,
    { ...MALICIOUS, reader: { consistency: "strict" }, readers: 2 },
  ),
  walrus(
    "malicious-writer-4-detection",
    "A malicious writer as in malicious-writer-4, without readers: the inconsistency is detected and the blob ID invalidated on chain",
    DEFAULT,
    { ...MALICIOUS, reader: false },
  ),
  walrus(
    "malicious-writer-4-detection-quorum",
    "A malicious writer as in malicious-writer-4-detection, the implementation's node: it collects attestations of n − f shards before invalidate_blob_id",
    DEFAULT,
    { ...MALICIOUS, reader: false, invalidationAttestations: "quorum" },
  ),
  walrus(
    "malicious-writer-4-default-check",
    "The implementation's default consistency check against a malicious writer (primary sliver 3 inconsistent, nobody recovers it): two readers disagree, one returns a blob, the other ⊥ (read consistency fails; the strict check restores it)",
    tightness("read-consistency-byzantine-writer", "witness-bottom-invalid-id"),
    { shards: [2, 1, 1], tamper: { primary: [3] }, from: "pointOfAvailability", readers: 2 },
  ),
  walrus(
    "write-read-4-f-plus-1",
    "Tightness: Byzantine N3 confirms without storing and N2 may crash (f + 1 faulty shards): availability fails",
    tightness("availability-after-poa"),
    { crash: [2], budget: 2, byzantine: { nodes: [3], behaviours: ["confirmWithoutStoring"] } },
  ),
  walrus(
    "write-4-f-plus-1",
    "Tightness: Byzantine N3 confirms without storing and N2 may crash (f + 1 faulty shards): write completeness fails",
    tightness("write-completeness", "poa-f-plus-1-stored"),
    {
      reader: false,
      nodeProperties: true,
      crash: [2],
      budget: 2,
      byzantine: { nodes: [3], behaviours: ["confirmWithoutStoring"] },
    },
  ),
  walrus(
    "write-read-4-f-plus-1-invalidation",
    "Tightness: Byzantine N2 and N3 (f + 1 shards) attest an honest writer's blob invalid: the chain invalidates it and the reader returns ⊥ (validity fails)",
    tightness("validity", "availability-after-poa", "no-false-invalidation"),
    {
      from: "pointOfAvailability",
      budget: 2,
      byzantine: { nodes: [2, 3], behaviours: ["confirmWithoutStoring", "attestInvalid"] },
    },
  ),
  ...EPOCH_CHANGE_MODELS,
  ...CHALLENGE_MODELS,
];

/** Every model, by name. */
export const MODELS: readonly ModelEntry[] = CATALOGUE;

/** The entry named `name`, or undefined. */
export function findModel(name: string): ModelEntry | undefined {
  return MODELS.find((model) => model.name === name);
}

/** Builds the catalogue model `name` (what the parallel search's workers call to get their own copy). */
export function buildModel(name: string, options?: BuildOptions): Model<unknown, unknown> {
  const entry = findModel(name);
  if (entry === undefined) throw new RangeError(`unknown model ${name}`);
  return entry.build(options);
}
