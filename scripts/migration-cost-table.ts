/**
 * Prints the figures of docs/migration-cost.md. Measured over the real codec: one node of a
 * one-shard-per-node committee leaves and a new node takes its shard; the shard moves by the
 * cooperative path (analysis/migration-cost.ts) and, as if the leaving node had crashed, by the
 * recovery path; both are set beside their closed forms, which the run requires to be equal. Then
 * the closed forms alone at n = 1000 for larger blobs.
 *
 * Run: `npx tsx scripts/migration-cost-table.ts`.
 */

import type { Committee } from "../machines/committee.js";
import { transitionCommittee } from "../machines/shard-assignment.js";
import {
  cooperativeBlobBytes,
  cooperativeShardBytes,
  cooperativeTransfer,
  migrationRatio,
  migrationRatioBounds,
  pageFramingBytes,
  recoveryPath,
} from "../analysis/migration-cost.js";
import { type SupplierOrder, pairRecoveryBytes, recoveryBounds } from "../analysis/recovery-bounds.js";
import { pairForShard } from "../spec/commitments/blob-id.js";
import { pathLength } from "../spec/commitments/merkle.js";
import { encodeBlob } from "../spec/codec/encode.js";
import { encodingParams } from "../spec/params.js";
import { cell, table } from "../report/markdown.js";

const MEASURED: readonly number[] = [4, 10, 16, 40, 100];
const LENGTH = 4096;
const SHARD = 0;
const LARGE: readonly number[] = [4096, 1 << 20, 64 << 20, 1 << 30];

// Later pairs first: recovery must not lean on the suppliers' order being the natural one.
const descending: SupplierOrder = (_, candidates) => [...candidates].reverse();
const fixed = (x: number, digits = 2) => x.toFixed(digits);

function check(what: string, measured: number, formula: number): void {
  if (measured !== formula) throw new Error(`${what}: measured ${measured}, closed form ${formula}`);
}

const measured: string[][] = [];
for (const n of MEASURED) {
  const blob = Uint8Array.from({ length: LENGTH }, (_, i) => (i * 131 + 7) & 0xff);
  const encoded = encodeBlob(blob, n);
  const previous: Committee = {
    epoch: 1,
    nShards: n,
    members: Array.from({ length: n }, (_, i) => ({ name: `N${i}`, shards: [i] })),
  };
  // N0 leaves, N<n> joins: shard 0 moves.
  const next = transitionCommittee(previous, [
    ...previous.members.slice(1).map(({ name }) => ({ name, shards: 1 })),
    { name: `N${n}`, shards: 1 },
  ]);
  const transfer = cooperativeTransfer(previous, next, [{ encoded, certifiedEpoch: 1 }]);
  check(`n = ${n}: cooperative`, transfer.responseBytes, cooperativeShardBytes(n, [LENGTH]));
  const [recovered] = recoveryPath([encoded], [SHARD], [SHARD], descending);
  const pair = pairForShard(encoded.blobId, SHARD, n);
  check(`n = ${n}: recovery`, recovered.report.bytes, pairRecoveryBytes(n, LENGTH, pair).total);
  const all = Array.from({ length: n }, (_, p) => pairRecoveryBytes(n, LENGTH, p).total);
  const bounds = migrationRatioBounds(n, LENGTH);
  const entries = cooperativeBlobBytes(n, LENGTH);
  const framing = 2 * pageFramingBytes(1);
  check(`n = ${n}: entries`, transfer.responseBytes - framing, entries.total);
  measured.push([
    String(n),
    String(encodingParams(n).maxFaulty),
    String(pathLength(n)),
    String(entries.symbolSize),
    `${entries.total} + ${framing} = ${transfer.responseBytes}`,
    `${recovered.report.bytes} (${pair})`,
    `${Math.min(...all)}–${Math.max(...all)}`,
    fixed(recovered.report.bytes / entries.total),
    `${fixed(bounds.lower)}–${fixed(bounds.upper)}`,
    fixed(bounds.simpleUpper),
    String(Math.floor(recoveryBounds(n, LENGTH).perNode)),
  ]);
}

const large: string[][] = [];
const n = 1000;
for (const length of LARGE) {
  const coop = cooperativeBlobBytes(n, length);
  const recovery: number[] = [];
  const ratios: number[] = [];
  for (let p = 0; p < n; p++) {
    recovery.push(pairRecoveryBytes(n, length, p).total);
    ratios.push(migrationRatio(n, length, p));
  }
  large.push([
    String(length),
    String(coop.symbolSize),
    String(coop.total),
    `${Math.min(...recovery)}–${Math.max(...recovery)}`,
    `${Math.min(...ratios).toFixed(4)}–${Math.max(...ratios).toFixed(4)}`,
    migrationRatioBounds(n, length).simpleUpper.toFixed(4),
  ]);
}

const MEASURED_HEADER = [
  "n",
  "f",
  "L",
  "S",
  "cooperative: entries + framing = moved shard",
  "recovery for the shard (pair)",
  "recovery, all pairs",
  "ratio to entries",
  "ratio bounds",
  "1 + (7+uleb(S)+33L)/S",
  "self-healing bound",
];
const LARGE_HEADER = [
  cell("|B|"),
  "S",
  "cooperative per blob and shard",
  "recovery, all pairs",
  "ratio, all pairs",
  "1 + (7+uleb(S)+33L)/S",
];
const compact = { delimiter: "compact" } as const;
console.log(
  `Measured, |B| = ${LENGTH}, shard ${SHARD} moves:\n\n${table(MEASURED_HEADER, measured, compact).join("\n")}\n`,
);
console.log(`Closed forms, n = ${n}:\n\n${table(LARGE_HEADER, large, compact).join("\n")}`);
