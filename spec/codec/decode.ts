/**
 * Reading a blob back: decoding from n−2f primary slivers or n−f secondary slivers, then a
 * consistency check (walrus-core `blob_encoding.rs::BlobDecoder`, `config.rs::decode_and_verify`;
 * paper §3 on inconsistent encodings).
 *
 * - primary axis (the implementation's reader): column c of the systematic block is a codeword of
 *   the primary code, and primary sliver i gives its symbol i, so n−2f slivers decode every column;
 * - secondary axis (the paper's reader): row r is a codeword of the secondary code, and secondary
 *   sliver j gives its symbol j, so n−f slivers decode every row.
 *
 * Consistency checks (`ConsistencyCheckType`):
 * - `default`: re-hash every systematic primary sliver rebuilt from the zero-padded blob, except
 *   those that were themselves inputs (already verified), and compare with the metadata;
 * - `strict`: re-encode the whole blob and compare blob IDs (what the paper asks of a reader);
 * - `skip`: none.
 * A failed check gives an `inconsistent` result: the bytes are not returned.
 */

import { NotEnoughSliversError } from "../errors.js";
import { equalBytes } from "../commitments/merkle.js";
import { type VerifiedMetadata, sliverCommitment } from "../commitments/metadata.js";
import { rsDecode } from "./reed-solomon.js";
import { elementsToSymbols, symbolsToElements } from "./symbol-layout.js";
import {
  type Axis,
  orthogonal,
  type Sliver,
  sliverCode,
  sliverRoot,
  sliverSymbolCount,
  verifySliver,
} from "./slivers.js";
import { computeBlobCommitments } from "./encode.js";

/** Which consistency check a reader runs after decoding. */
export type ConsistencyCheck = "default" | "strict" | "skip";

/** A sliver that was offered but not used, and why. */
export interface RejectedSliver {
  readonly axis: Axis;
  readonly index: number;
  readonly reason: string;
}

/** The outcome of decoding: the blob, or the finding that the encoding is inconsistent. */
export type DecodeResult =
  | {
      readonly kind: "decoded";
      readonly blob: Uint8Array;
      readonly axis: Axis;
      /** Sliver indices the blob was decoded from. */
      readonly used: readonly number[];
      readonly rejected: readonly RejectedSliver[];
    }
  | {
      readonly kind: "inconsistent";
      readonly check: Exclude<ConsistencyCheck, "skip">;
      readonly detail: string;
      readonly axis: Axis;
      readonly used: readonly number[];
      readonly rejected: readonly RejectedSliver[];
    };

/** How a blob is decoded: the consistency check, and whether the slivers are known to verify. */
export interface DecodeOptions {
  /** Default `default`, as the implementation's reader. */
  readonly consistency?: ConsistencyCheck;
  /** Skip verifying each sliver against the metadata (the caller already did). Default false. */
  readonly sliversVerified?: boolean;
}

/** Verifies slivers of one axis in order until `need` distinct valid ones are found. */
function selectSlivers(
  meta: VerifiedMetadata,
  slivers: readonly Sliver[],
  axis: Axis,
  need: number,
  verified: boolean,
  rejected: RejectedSliver[],
): Sliver[] {
  const chosen: Sliver[] = [];
  const seen = new Set<number>();
  for (const sliver of slivers) {
    if (chosen.length === need) break;
    if (sliver.axis !== axis || seen.has(sliver.index)) continue;
    if (!verified) {
      try {
        verifySliver(meta, sliver);
      } catch (error) {
        rejected.push({ axis, index: sliver.index, reason: (error as Error).message });
        continue;
      }
    }
    seen.add(sliver.index);
    chosen.push(sliver);
  }
  return chosen;
}

/**
 * Decodes the originals of the code that slivers of `axis` are symbols of: every primary sliver
 * gives one symbol of each column (primary code), every secondary sliver one symbol of each row
 * (secondary code). All codewords share the erasure pattern, so one decode serves them all.
 */
function decodeOriginals(meta: VerifiedMetadata, slivers: readonly Sliver[], axis: Axis): Uint16Array[] {
  const { k, m } = sliverCode(meta.params, orthogonal(axis));
  const symbols = sliverSymbolCount(meta.params, axis);
  return rsDecode(
    k,
    m,
    slivers.map((sliver) => {
      const elements = new Uint16Array((symbols * sliver.symbolSize) / 2);
      symbolsToElements(sliver.data, 0, sliver.symbolSize, symbols, elements, 0);
      return [sliver.index, elements] as const;
    }),
  );
}

/**
 * The systematic block (the zero-padded blob, row-major) decoded from slivers of `axis`: from
 * primary slivers the originals are its rows, from secondary slivers its columns.
 */
function decodeSystematicBlock(meta: VerifiedMetadata, slivers: readonly Sliver[], axis: Axis): Uint8Array {
  const { params, symbolSize: s } = meta;
  const kp = params.primarySourceSymbols;
  const ks = params.secondarySourceSymbols;
  const originals = decodeOriginals(meta, slivers, axis);
  const block = new Uint8Array(kp * ks * s);
  originals.forEach((original, i) => {
    if (axis === "primary") elementsToSymbols(original, 0, s, ks, block, i * ks * s);
    else for (let r = 0; r < kp; r++) elementsToSymbols(original, (r * s) / 2, s, 1, block, (r * ks + i) * s);
  });
  return block;
}

/**
 * The systematic primary slivers that the default check re-hashes and that do not match the
 * metadata. `padded` is the decoded blob, truncated and zero-padded again, as the implementation
 * rebuilds it.
 */
function defaultCheckFailures(meta: VerifiedMetadata, padded: Uint8Array, skip: ReadonlySet<number>): number[] {
  const { params, symbolSize: s } = meta;
  const rowLength = params.secondarySourceSymbols * s;
  const failures: number[] = [];
  for (let i = 0; i < params.primarySourceSymbols; i++) {
    if (skip.has(i)) continue;
    const row: Sliver = {
      axis: "primary",
      index: i,
      symbolSize: s,
      data: padded.subarray(i * rowLength, (i + 1) * rowLength),
    };
    if (!equalBytes(sliverRoot(params, row), sliverCommitment(meta.metadata, "primary", i))) failures.push(i);
  }
  return failures;
}

/**
 * Decodes a blob from slivers. Takes the primary axis when enough valid primary slivers are
 * offered, else the secondary axis; throws {@link NotEnoughSliversError} when neither has enough.
 */
export function decodeBlob(
  meta: VerifiedMetadata,
  slivers: readonly Sliver[],
  options: DecodeOptions = {},
): DecodeResult {
  const consistency = options.consistency ?? "default";
  const verified = options.sliversVerified ?? false;
  const { params } = meta;
  const rejected: RejectedSliver[] = [];
  const needPrimary = params.primarySourceSymbols;
  const needSecondary = params.secondarySourceSymbols;
  let axis: Axis = "primary";
  let chosen = selectSlivers(meta, slivers, "primary", needPrimary, verified, rejected);
  if (chosen.length < needPrimary) {
    const secondary = selectSlivers(meta, slivers, "secondary", needSecondary, verified, rejected);
    if (secondary.length < needSecondary) {
      const reasons = rejected.map((r) => r.reason);
      throw chosen.length * needSecondary >= secondary.length * needPrimary
        ? new NotEnoughSliversError(chosen.length, needPrimary, "primary", reasons)
        : new NotEnoughSliversError(secondary.length, needSecondary, "secondary", reasons);
    }
    axis = "secondary";
    chosen = secondary;
  }
  const used = chosen.map((sliver) => sliver.index);
  const block = decodeSystematicBlock(meta, chosen, axis);
  const length = meta.metadata.unencodedLength;
  const blob = block.slice(0, length);

  if (consistency === "default") {
    block.fill(0, length);
    const skip = new Set(axis === "primary" ? used : []);
    const failures = defaultCheckFailures(meta, block, skip);
    if (failures.length > 0) {
      return {
        kind: "inconsistent",
        check: "default",
        detail: `systematic primary slivers ${failures.join(", ")} rebuilt from the decoded blob do not match the metadata`,
        axis,
        used,
        rejected,
      };
    }
  } else if (consistency === "strict") {
    const recomputed = computeBlobCommitments(blob, params.nShards).blobId;
    if (!equalBytes(recomputed, meta.blobId)) {
      return {
        kind: "inconsistent",
        check: "strict",
        detail: "re-encoding the decoded blob gives a different blob ID",
        axis,
        used,
        rejected,
      };
    }
  }
  return { kind: "decoded", blob, axis, used, rejected };
}
