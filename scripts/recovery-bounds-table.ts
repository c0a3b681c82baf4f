/**
 * Prints the measured recovery figures of docs/recovery-bounds.md: for each n and |B|, pair 0 and
 * then 2f pairs recover over the real codec (analysis/recovery-bounds.ts), and the measured
 * bytes are set beside the closed form and the bounds. The run fails if a measurement and the
 * closed form disagree, so the table can only show equal figures.
 *
 * Run: `npx tsx scripts/recovery-bounds-table.ts`.
 */

import {
  type SupplierOrder,
  holdingsAfterLoss,
  pairRecoveryBytes,
  recoverPairs,
  recoveryBounds,
  shareRatio,
} from "../analysis/recovery-bounds.js";
import { verifyMetadata } from "../spec/commitments/metadata.js";
import { pathLength } from "../spec/commitments/merkle.js";
import { encodeBlob } from "../spec/codec/encode.js";
import { cell, table } from "../report/markdown.js";

const CASES: ReadonlyArray<[number, number]> = [
  [4, 0],
  [4, 1024],
  [10, 100],
  [10, 4096],
  [16, 4096],
  [31, 4096],
  [31, 65536],
  [40, 4096],
  [40, 65536],
  [100, 65536],
  [100, 1 << 20],
];

// Later pairs first: recovery must not lean on the suppliers' order being the natural one.
const descending: SupplierOrder = (_, candidates) => [...candidates].reverse();

const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "∞");

const HEADER = [
  "n",
  "f",
  "L",
  "|B|",
  "S",
  "pair 0: secondary + primary bytes",
  "|B|/n",
  "ratio",
  "ratio bound",
  "2f pairs: bytes",
  "2f pairs / |B|",
  "all n (closed form) / |B|",
].map(cell);
const rows: string[][] = [];
for (const [n, length] of CASES) {
  const blob = Uint8Array.from({ length }, (_, i) => (i * 131 + 7) & 0xff);
  const enc = encodeBlob(blob, n);
  const meta = verifyMetadata(enc);
  const f = enc.params.maxFaulty;
  const recovering = Array.from({ length: 2 * f }, (_, i) => i);
  const reports = recoverPairs(meta, holdingsAfterLoss(enc, recovering), recovering, descending);
  for (const report of reports) {
    const formula = pairRecoveryBytes(n, length, report.pair);
    if (report.secondary.bytes !== formula.secondary || report.primary.bytes !== formula.primary) {
      throw new Error(
        `n = ${n}, |B| = ${length}, pair ${report.pair}: measured ${report.bytes}, formula ${formula.total}`,
      );
    }
  }
  const first = reports[0];
  const bounds = recoveryBounds(n, length);
  const total = reports.reduce((sum, report) => sum + report.bytes, 0);
  let all = 0;
  for (let pair = 0; pair < n; pair++) all += pairRecoveryBytes(n, length, pair).total;
  const ratioBound =
    length === 0 ? Number.POSITIVE_INFINITY : bounds.shareCoefficient + (n * bounds.perNodeOverhead) / length;
  rows.push([
    ...[n, f, pathLength(n), length, enc.symbolSize].map(String),
    `${first.secondary.bytes} + ${first.primary.bytes} = ${first.bytes}`,
    fixed(length / n, 1),
    fixed(shareRatio(first.bytes, n, length)),
    fixed(ratioBound),
    String(total),
    fixed(length === 0 ? Number.POSITIVE_INFINITY : total / length),
    fixed(length === 0 ? Number.POSITIVE_INFINITY : all / length),
  ]);
}
console.log(table(HEADER, rows, { delimiter: "compact" }).join("\n"));
