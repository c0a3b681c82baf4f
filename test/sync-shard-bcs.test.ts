/**
 * The shard-sync wire formats of spec/bcs.ts (walrus-core `messages/sync_shard.rs`): round trips of
 * `SyncShardRequest` and `SyncShardResponse`, their layouts byte by byte, and malformed bytes that
 * must give a typed error or, when they still parse, re-encode to themselves.
 */

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import {
  type SyncShardEntry,
  decodeSyncShardRequest,
  decodeSyncShardResponse,
  encodeSliver,
  encodeSyncShardRequest,
  encodeSyncShardResponse,
} from "../spec/bcs.js";
import { encodeBlob } from "../spec/codec/encode.js";
import { MalformedBcsError, WalrusSpecError } from "../spec/errors.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const enc = encodeBlob(
  Uint8Array.from({ length: 300 }, (_, i) => (i * 7 + 1) & 0xff),
  7,
);
const slivers = [...enc.primarySlivers, ...enc.secondarySlivers];

const request = fc.record({
  shard: fc.integer({ min: 0, max: 0xffff }),
  axis: fc.constantFrom("primary" as const, "secondary" as const),
  startingBlobId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  sliverCount: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.constant(Number.MAX_SAFE_INTEGER)),
  epoch: fc.integer({ min: 0, max: 0xffffffff }),
});

const entries = fc.array(
  fc.record({
    blobId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    sliver: fc.constantFrom(...slivers),
  }),
  { maxLength: 4 },
);

/** Bytes that either throw a typed error or parse to a value that re-encodes to them. */
function typedOrCanonical<T>(bytes: Uint8Array, decode: (b: Uint8Array) => T, encode: (v: T) => Uint8Array): void {
  let value: T;
  try {
    value = decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(WalrusSpecError);
    return;
  }
  expect(hex(encode(value))).toBe(hex(bytes));
}

function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: base.length + 8 }),
    fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([at, bit]) => {
      const copy = base.slice();
      copy[at % copy.length] ^= 1 << bit;
      return copy;
    }),
    fc.nat().map((cut) => base.slice(0, cut % base.length)),
    fc.uint8Array({ minLength: 1, maxLength: 4 }).map((extra) => Uint8Array.from([...base, ...extra])),
  );
}

describe("SyncShardRequest", () => {
  test.prop([request], { numRuns: 200 })("round-trips", (value) => {
    const bytes = encodeSyncShardRequest(value);
    expect(bytes.length).toBe(48);
    expect(decodeSyncShardRequest(bytes)).toEqual(value);
  });

  it("lays out V1, u16 shard, axis, blob ID, u64 count, u32 epoch", () => {
    const bytes = encodeSyncShardRequest({
      shard: 0x0102,
      axis: "secondary",
      startingBlobId: new Uint8Array(32).fill(0xab),
      sliverCount: 1000,
      epoch: 7,
    });
    expect(hex(bytes)).toBe(`00020101${"ab".repeat(32)}e803000000000000${"07000000"}`);
  });

  test.prop([request.chain((value) => mutated(encodeSyncShardRequest(value)))], { numRuns: 400 })(
    "malformed bytes give a typed error or a canonical parse",
    (bytes) => typedOrCanonical(bytes, decodeSyncShardRequest, encodeSyncShardRequest),
  );

  it("rejects an unknown version or axis, a short blob ID and a count beyond 2^53 − 1", () => {
    const good = encodeSyncShardRequest({
      shard: 1,
      axis: "primary",
      startingBlobId: new Uint8Array(32),
      sliverCount: 1,
      epoch: 1,
    });
    const withByte = (at: number, byte: number) => Uint8Array.from(good, (b, i) => (i === at ? byte : b));
    expect(() => decodeSyncShardRequest(withByte(0, 1))).toThrow(MalformedBcsError);
    expect(() => decodeSyncShardRequest(withByte(3, 2))).toThrow(MalformedBcsError);
    expect(() => decodeSyncShardRequest(good.subarray(0, 47))).toThrow(MalformedBcsError);
    expect(() => decodeSyncShardRequest(Uint8Array.of(...good, 0))).toThrow(/trailing/);
    const huge = good.slice();
    huge.set([0, 0, 0, 0, 0, 0, 0x20, 0], 36);
    expect(() => decodeSyncShardRequest(huge)).toThrow(/beyond 2\^53/);
  });
});

describe("SyncShardResponse", () => {
  test.prop([entries], { numRuns: 200 })("round-trips, each entry 33 bytes plus its SliverData", (value) => {
    const bytes = encodeSyncShardResponse(value);
    expect(bytes.length).toBe(1 + 1 + value.reduce((sum, e) => sum + 33 + encodeSliver(e.sliver).length, 0));
    const decoded: SyncShardEntry[] = decodeSyncShardResponse(bytes);
    expect(decoded.map((e) => [hex(e.blobId), e.sliver.axis, hex(encodeSliver(e.sliver))])).toEqual(
      value.map((e) => [hex(e.blobId), e.sliver.axis, hex(encodeSliver(e.sliver))]),
    );
  });

  it("lays out V1, the count, then blob ID, axis variant and SliverData per entry", () => {
    const [primary, secondary] = [enc.primarySlivers[2], enc.secondarySlivers[4]];
    const bytes = encodeSyncShardResponse([
      { blobId: enc.blobId, sliver: primary },
      { blobId: enc.blobId, sliver: secondary },
    ]);
    const id = hex(enc.blobId);
    expect(hex(bytes)).toBe(`0002${id}00${hex(encodeSliver(primary))}${id}01${hex(encodeSliver(secondary))}`);
    expect(hex(encodeSyncShardResponse([]))).toBe("0000");
  });

  test.prop([entries.chain((value) => mutated(encodeSyncShardResponse(value)))], {
    numRuns: 400,
  })("malformed bytes give a typed error or a canonical parse", (bytes) =>
    typedOrCanonical(bytes, decodeSyncShardResponse, encodeSyncShardResponse),
  );

  it("rejects an unknown version or axis, a truncated entry, trailing bytes and a non-canonical count", () => {
    const good = encodeSyncShardResponse([{ blobId: enc.blobId, sliver: enc.primarySlivers[0] }]);
    expect(() => decodeSyncShardResponse(Uint8Array.of(1, 0))).toThrow(MalformedBcsError);
    const badAxis = good.slice();
    badAxis[34] = 2;
    expect(() => decodeSyncShardResponse(badAxis)).toThrow(MalformedBcsError);
    expect(() => decodeSyncShardResponse(good.subarray(0, good.length - 1))).toThrow(MalformedBcsError);
    expect(() => decodeSyncShardResponse(Uint8Array.of(...good, 0))).toThrow(/trailing/);
    expect(() => decodeSyncShardResponse(Uint8Array.of(0, 0x80, 0))).toThrow(MalformedBcsError);
    expect(() => decodeSyncShardResponse(Uint8Array.of(0, 5))).toThrow(MalformedBcsError);
  });
});
