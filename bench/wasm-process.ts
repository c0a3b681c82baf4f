/**
 * The official encoder as a whole process, the baseline of the codec benchmark's process timings
 * (bench/codec.ts spawns it beside `node dist/cli/bin.js`): loads @mysten/walrus-wasm, reads the
 * file and prints its blob ID.
 *
 *   node .bench-build/bench/wasm-process.js blob-id FILE N   # compute_metadata: encodes, hashes, blob ID
 *   node .bench-build/bench/wasm-process.js encode FILE N    # encode: every sliver (BCS) + metadata
 *   node .bench-build/bench/wasm-process.js load             # only load the wasm (start-up)
 *
 * It writes no files: the slivers stay in memory, while the CLI's `encode` also writes them out.
 */

import { readFileSync } from "node:fs";
import { oracleBlobId, oracleEncode } from "../test/support/wasm-oracle.js";

const [operation, file, shards] = process.argv.slice(2);
if (operation !== "load") {
  const blob = new Uint8Array(readFileSync(file));
  const n = Number(shards);
  const blobId = operation === "encode" ? oracleEncode(blob, n).blobId : oracleBlobId(blob, n);
  process.stdout.write(`${Buffer.from(blobId).toString("base64url")}\n`);
}
