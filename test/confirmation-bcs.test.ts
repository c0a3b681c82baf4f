/**
 * The storage confirmation's signed message (spec/bcs.ts, walrus-core
 * `messages/storage_confirmation.rs`) in its two formats: today's, whose body names how the blob
 * persists (Permanent, or Deletable with the object ID), and the one before walrus PR #1333 (issue
 * #1147), the blob ID alone. Layouts byte by byte, round trips, and malformed bytes refused with a
 * typed error.
 */

import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { type BlobPersistence, type ConfirmationMessage, decodeConfirmation, encodeConfirmation } from "../spec/bcs.js";
import { MalformedBcsError } from "../spec/errors.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const id = (byte: number) => new Uint8Array(32).fill(byte);

const persistence: fc.Arbitrary<BlobPersistence> = fc.oneof(
  fc.constant({ kind: "permanent" } as const),
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((objectId) => ({ kind: "deletable", objectId }) as const),
);
const message = fc.record({
  epoch: fc.integer({ min: 0, max: 0xffff_ffff }),
  blobId: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  persistence,
});

describe("the storage confirmation message", () => {
  it("is the BLOB_CERT intent, the epoch (u32, little-endian), the blob ID and the persistence type", () => {
    const head = `010003${"07000000"}${"ab".repeat(32)}`;
    expect(hex(encodeConfirmation({ epoch: 7, blobId: id(0xab), persistence: { kind: "permanent" } }))).toBe(
      `${head}00`,
    );
    expect(
      hex(encodeConfirmation({ epoch: 7, blobId: id(0xab), persistence: { kind: "deletable", objectId: id(0x0c) } })),
    ).toBe(`${head}01${"0c".repeat(32)}`);
    expect(hex(encodeConfirmation({ epoch: 7, blobId: id(0xab) }, "pre-1147"))).toBe(head);
  });

  test.prop([message])("round-trips in today's format", (m) => {
    const decoded = decodeConfirmation(encodeConfirmation(m));
    expect(decoded).toEqual({ ...m, blobId: Uint8Array.from(m.blobId) });
  });

  test.prop([message])("round-trips in the format before #1147, which says nothing of persistence", (m) => {
    const bytes = encodeConfirmation({ epoch: m.epoch, blobId: m.blobId }, "pre-1147");
    expect(decodeConfirmation(bytes, "pre-1147")).toEqual({ epoch: m.epoch, blobId: Uint8Array.from(m.blobId) });
  });

  test.prop([message])(
    "a deletable object's confirmation differs from any other object's; the old message is what both begin with",
    (m) => {
      const of = (objectId: Uint8Array) =>
        hex(encodeConfirmation({ ...m, persistence: { kind: "deletable", objectId } }));
      const other = Uint8Array.from(m.blobId, (b) => b ^ 1);
      expect(of(m.blobId)).not.toBe(of(other));
      // The old body is the blob ID alone: one signature stood for every object of the blob ID.
      const old = hex(encodeConfirmation({ epoch: m.epoch, blobId: m.blobId }, "pre-1147"));
      expect([of(m.blobId), of(other)].every((current) => current.startsWith(old))).toBe(true);
    },
  );

  it.each([
    ["a wrong intent", `020003${"00".repeat(4)}${"11".repeat(32)}00`, "current", /intent \(2, 0, 3\) is not BLOB_CERT/],
    ["a trailing byte", `010003${"00".repeat(4)}${"11".repeat(32)}0000`, "current", /1 trailing bytes/],
    [
      "a persistence type that does not exist",
      `010003${"00".repeat(4)}${"11".repeat(32)}02`,
      "current",
      /malformed Confirmation/,
    ],
    [
      "a deletable type without its object ID",
      `010003${"00".repeat(4)}${"11".repeat(32)}01${"22".repeat(31)}`,
      "current",
      /malformed Confirmation/,
    ],
    [
      "an old message read as today's (no persistence type)",
      `010003${"00".repeat(4)}${"11".repeat(32)}`,
      "current",
      /malformed Confirmation/,
    ],
    [
      "today's message read as an old one",
      `010003${"00".repeat(4)}${"11".repeat(32)}00`,
      "pre-1147",
      /1 trailing bytes/,
    ],
    ["a truncated blob ID", `010003${"00".repeat(4)}${"11".repeat(31)}`, "pre-1147", /malformed Pre1147Confirmation/],
  ] as const)("refuses %s with a MalformedBcsError", (_, bytes, format, expected) => {
    const attempt = () => decodeConfirmation(Buffer.from(bytes, "hex"), format);
    expect(attempt).toThrow(MalformedBcsError);
    expect(attempt).toThrow(expected);
  });

  it.each([
    [
      "an epoch beyond u32",
      { epoch: 2 ** 32, blobId: id(1), persistence: { kind: "permanent" } },
      "current",
      /not a u32/,
    ],
    [
      "a short blob ID",
      { epoch: 1, blobId: new Uint8Array(31), persistence: { kind: "permanent" } },
      "current",
      /blob ID must be 32 bytes/,
    ],
    [
      "a short object ID",
      { epoch: 1, blobId: id(1), persistence: { kind: "deletable", objectId: new Uint8Array(3) } },
      "current",
      /object ID must be 32 bytes/,
    ],
    ["no persistence type in today's format", { epoch: 1, blobId: id(1) }, "current", /persistence type is required/],
    [
      "a persistence type in the old format",
      { epoch: 1, blobId: id(1), persistence: { kind: "permanent" } },
      "pre-1147",
      /carries no persistence type/,
    ],
  ] as const)("does not encode %s", (_, m, format, expected) => {
    expect(() => encodeConfirmation(m as ConfirmationMessage, format)).toThrow(expected);
  });
});
