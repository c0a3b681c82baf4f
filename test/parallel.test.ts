/**
 * The parallel encoder runs the stages of the sequential one on worker threads over shared
 * buffers: its output must be identical, byte for byte, for every thread count.
 */

import { describe, expect, it } from "vitest";
import { encodeSliver } from "../spec/bcs.js";
import { computeBlobCommitments, encodeBlob } from "../spec/codec/encode.js";
import { computeBlobCommitmentsParallel, encodeBlobParallel } from "../spec/codec/parallel.js";
import { pattern } from "../spec/self-check.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("parallel encoder", () => {
  for (const [n, size, threads] of [
    [4, 0, 2],
    [10, 777, 3],
    [64, 200_000, 2],
    [100, 1 << 20, 1],
  ] as const) {
    it(`n = ${n}, ${size} bytes, ${threads} threads: identical to the sequential encoder`, async () => {
      const blob = pattern(size, n);
      const progress: string[] = [];
      const parallel = await encodeBlobParallel(blob, n, {
        threads,
        onProgress: ({ stage, done, total }) => progress.push(`${stage}:${done}/${total}`),
      });
      const sequential = encodeBlob(blob, n);
      expect(hex(parallel.blobId)).toBe(hex(sequential.blobId));
      for (let i = 0; i < n; i++) {
        expect(hex(encodeSliver(parallel.primarySlivers[i]))).toBe(hex(encodeSliver(sequential.primarySlivers[i])));
        expect(hex(encodeSliver(parallel.secondarySlivers[i]))).toBe(hex(encodeSliver(sequential.secondarySlivers[i])));
      }
      const commitments = await computeBlobCommitmentsParallel(blob, n, { threads });
      expect(hex(commitments.blobId)).toBe(hex(computeBlobCommitments(blob, n).blobId));
      // Every stage reports and finishes.
      for (const stage of ["rows", "columns", "roots"]) {
        const last = progress.filter((p) => p.startsWith(`${stage}:`)).at(-1);
        expect(last).toMatch(new RegExp(`^${stage}:(\\d+)/\\1$`));
      }
    }, 60_000);
  }
});
