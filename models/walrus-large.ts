/**
 * The Walrus write/read models at sizes exhaustive search cannot reach: n = 7 shards over five
 * nodes (2,2,1,1,1: f = 2) and n = 10 over seven (3,2,1,1,1,1,1: f = 3), where a node's shards
 * weigh in quorums and in the adversary's budget, with blobs of a few KiB of seeded random bytes, so
 * that every sliver has several symbols and a corrupted byte lands inside real data. They are the
 * models of models/write-read.ts (`writeRead`), configured here, and checked by seeded simulation
 * and fast-check in test/walrus-large.test.ts.
 *
 * Within the adversary's budget (f shards): an honest committee with the implementation's reader
 * (n − 2f primary slivers, default check), the paper's (n − f secondary slivers, strict check), a
 * reader racing the write; any nodes crashing; the Byzantine node of most shards with every
 * behaviour of models/write-read.ts (its attestation alone is below the f + 1 shards
 * `invalidate_blob_id` needs); a Byzantine node and crashes sharing the budget; the write alone,
 * where write completeness and encoding protection are checked; and a malicious writer whose
 * tampered sliver belongs to the node it withholds its upload from, so that this node must recover
 * it and meet the inconsistency.
 *
 * Beyond the budget (f + 1 shards, with `budget` raised so the model allows it): the Byzantine node
 * of f shards confirms without storing and one node of one shard may crash. A certificate can then
 * rest on f + 1 shards that store nothing, and n − f secondary symbols — what recovering a
 * primary sliver needs, and what the paper's reader decodes from — are out of reach.
 */

import type { ActorModel } from "../checker/actors.js";
import { ModelError } from "../checker/errors.js";
import { Random } from "../checker/random.js";
import { pairOfShard } from "../machines/codec.js";
import type { WriterInput } from "../machines/writer.js";
import { type Tampering, maxFaulty, pairIndexOf } from "../spec/index.js";
import { BYZANTINE_BEHAVIOURS, type WriteReadOptions, writeRead } from "./write-read.js";

/** A committee and the blob written to it. */
export interface LargeLayout {
  /** Shards of each node. */
  readonly shards: readonly number[];
  readonly blob: Uint8Array;
}

/** A named configuration of `writeRead`. */
export interface LargeConfiguration {
  readonly name: string;
  readonly options: WriteReadOptions;
}

/** `bytes` random bytes drawn from `seed`: a blob of any size, the same on every machine. */
export function seededBlob(bytes: number, seed: number): Uint8Array {
  const random = Random.forWalk(seed, 0);
  const blob = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 4) {
    const word = random.nextUint32();
    for (let b = 0; b < 4 && i + b < bytes; b++) blob[i + b] = (word >>> (8 * b)) & 0xff;
  }
  return blob;
}

/** n = 7 over five nodes, two of them holding two shards; a 2 KiB blob. */
export const N7: LargeLayout = { shards: [2, 2, 1, 1, 1], blob: seededBlob(2048, 7) };
/** n = 10 over seven nodes, one holding three shards and one two; a 4 KiB blob. */
export const N10: LargeLayout = { shards: [3, 2, 1, 1, 1, 1, 1], blob: seededBlob(4096, 10) };

const total = (shards: readonly number[]) => shards.reduce((a, b) => a + b, 0);

/** f of the layout's committee. */
export function faultyShards(layout: LargeLayout): number {
  return maxFaulty(total(layout.shards));
}

/** The node the adversary gets the most of within f: the first of the most shards not above f. */
export function largestWithinBudget(layout: LargeLayout): number {
  const f = faultyShards(layout);
  let best = -1;
  layout.shards.forEach((count, node) => {
    if (count <= f && (best < 0 || count > layout.shards[best])) best = node;
  });
  if (best < 0) throw new ModelError(`no node of at most f = ${f} shards in ${layout.shards.join(",")}`);
  return best;
}

const everyNode = (layout: LargeLayout) => layout.shards.map((_, node) => node);

/**
 * A malicious writer: primary sliver 0 altered, and the upload withheld from the node holding it
 * (which node that is depends on the blob ID, which depends on the tampering), so that node
 * recovers the sliver from secondary symbols, decodes the honest one and proves the inconsistency.
 * Withholding from any other node may let every recovery avoid the altered sliver, and then no
 * correct node ever needs to detect anything.
 */
export function maliciousWriter(layout: LargeLayout): Pick<WriteReadOptions, "tamper" | "withholdFrom"> {
  const tamper: Tampering = { primary: [0] };
  const probe = writeRead({ shards: layout.shards, blob: layout.blob, tamper, reader: false });
  const { committee, blobId } = probe.actors.find((actor) => actor.name === "writer")?.input as WriterInput;
  const pair = pairIndexOf("primary", 0, committee.nShards);
  const holder = committee.members.findIndex((member) =>
    member.shards.some((shard) => pairOfShard(blobId, shard, committee.nShards) === pair),
  );
  return { tamper, withholdFrom: [holder] };
}

/** The configurations where every property must hold. */
export function withinBudget(layout: LargeLayout): LargeConfiguration[] {
  const n = total(layout.shards);
  const base = { shards: layout.shards, blob: layout.blob };
  const byzantine = largestWithinBudget(layout);
  const writeAlone = { reader: false, nodeProperties: true } as const;
  const everything = { nodes: [byzantine], behaviours: BYZANTINE_BEHAVIOURS };
  // A Byzantine node of fewer shards leaves part of the budget to crashes, which the budget bounds.
  const smaller = layout.shards.findIndex((count, node) => node !== byzantine && count < faultyShards(layout));
  const shared =
    smaller < 0
      ? []
      : [
          {
            name: `write-read-${n}-byzantine-and-crash`,
            options: {
              ...base,
              byzantine: { nodes: [smaller], behaviours: BYZANTINE_BEHAVIOURS },
              crash: everyNode(layout).filter((node) => node !== smaller),
            },
          },
        ];
  const malicious = { ...base, ...maliciousWriter(layout), from: "pointOfAvailability" } as const;
  return [
    { name: `write-read-${n}`, options: base },
    {
      name: `write-read-${n}-paper-reader`,
      options: { ...base, readers: 2, reader: { axis: "secondary", consistency: "strict" } },
    },
    { name: `write-read-${n}-racing-reader`, options: { ...base, reader: { start: "immediately" } } },
    { name: `write-read-${n}-crash`, options: { ...base, crash: everyNode(layout) } },
    { name: `write-read-${n}-byzantine`, options: { ...base, byzantine: everything } },
    ...shared,
    { name: `write-${n}-crash`, options: { ...base, ...writeAlone, crash: everyNode(layout) } },
    { name: `write-${n}-byzantine`, options: { ...base, ...writeAlone, byzantine: everything } },
    {
      name: `malicious-writer-${n}`,
      options: { ...malicious, reader: { consistency: "strict" }, lateReader: true },
    },
    { name: `malicious-writer-${n}-detection`, options: { ...malicious, reader: false } },
  ];
}

/**
 * The configurations one shard beyond the budget: the Byzantine node of f shards confirms without
 * storing, and a node of one shard may crash.
 */
export function beyondBudget(layout: LargeLayout): {
  readonly write: LargeConfiguration;
  readonly implementationReader: LargeConfiguration;
  readonly paperReader: LargeConfiguration;
} {
  const n = total(layout.shards);
  const f = faultyShards(layout);
  const byzantine = largestWithinBudget(layout);
  if (layout.shards[byzantine] !== f) throw new ModelError(`no node of exactly f = ${f} shards`);
  const faults: WriteReadOptions = {
    shards: layout.shards,
    blob: layout.blob,
    budget: f + 1,
    byzantine: { nodes: [byzantine], behaviours: ["confirmWithoutStoring"] },
    crash: everyNode(layout).filter((node) => layout.shards[node] === 1),
  };
  return {
    write: { name: `write-${n}-f-plus-1`, options: { ...faults, reader: false, nodeProperties: true } },
    implementationReader: { name: `write-read-${n}-f-plus-1`, options: faults },
    paperReader: {
      name: `write-read-${n}-f-plus-1-paper-reader`,
      options: { ...faults, reader: { axis: "secondary", consistency: "strict" } },
    },
  };
}

/** The model of a configuration. */
export function largeModel(configuration: LargeConfiguration): ActorModel {
  return writeRead(configuration.options);
}
