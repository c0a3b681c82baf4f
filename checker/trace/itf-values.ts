/**
 * Values in ITF, the Informal Trace Format of Apalache and Quint
 * (https://apalache-mc.org/docs/adr/015adr-trace.html): JSON with tagged forms for what JSON lacks
 * (big integers, sets, maps, tuples), written from what a model's `describe` returns, read back,
 * and validated strictly, so that a trace from elsewhere fails with a {@link TraceError} and not later.
 */

import { TraceError, wrongType } from "./trace-error.js";
import { definedEntries, hex, isNumericArray, isPlainRecord, keySegment } from "./values.js";

/** A value in ITF: JSON numbers are integers in the safe range; other forms are tagged objects. */
export type ItfValue =
  | boolean
  | number
  | string
  | ItfValue[]
  | { "#bigint": string }
  | { "#set": ItfValue[] }
  | { "#map": [ItfValue, ItfValue][] }
  | { "#tup": ItfValue[] }
  | { "#unserializable": string }
  | { [field: string]: ItfValue };

/** Encodes a described value as ITF; `at` names it in errors. */
export function encodeItf(value: unknown, at = "value"): ItfValue {
  if (typeof value === "string" || typeof value === "boolean") return value;
  // ITF has no null and no fractions: such values go out as ITF's "unserializable" form, which
  // decodes back to the same JavaScript value.
  if (value === null) return { "#unserializable": "null" };
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return value;
    if (Number.isInteger(value)) return { "#bigint": BigInt(value).toString() };
    if (Number.isFinite(value)) return { "#unserializable": String(value) };
    throw new TraceError("UNENCODABLE", at, `${value} is not a finite number`);
  }
  if (typeof value === "bigint") {
    const small = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
    return small ? Number(value) : { "#bigint": value.toString() };
  }
  if (value instanceof Uint8Array) return hex(value);
  if (Array.isArray(value) || isNumericArray(value)) {
    return Array.from(value as ArrayLike<unknown>, (element, i) => encodeItf(element, `${at}[${i}]`));
  }
  if (value instanceof Set) return { "#set": Array.from(value, (element, i) => encodeItf(element, `${at}[${i}]`)) };
  if (value instanceof Map) {
    return {
      "#map": Array.from(value, ([k, v], i): [ItfValue, ItfValue] => [
        encodeItf(k, `${at}[${i}]`),
        encodeItf(v, `${at}[${i}]`),
      ]),
    };
  }
  if (isPlainRecord(value)) {
    const record: { [field: string]: ItfValue } = {};
    for (const [key, field] of definedEntries(value)) {
      if (key.startsWith("#")) throw new TraceError("UNENCODABLE", at, `field ${key} starts with #, reserved by ITF`);
      record[key] = encodeItf(field, `${at}${keySegment(key)}`);
    }
    return record;
  }
  const what = value === null ? "null" : typeof value === "object" ? value.constructor?.name : typeof value;
  throw new TraceError("UNENCODABLE", at, `cannot write ${what} in ITF`);
}

const TAGS = ["#bigint", "#set", "#map", "#tup", "#unserializable"] as const;

/** Decodes a validated ITF value: integers as numbers (bigints outside the safe range), sets, maps. */
export function decodeItf(value: ItfValue): unknown {
  if (typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decodeItf);
  if ("#bigint" in value) {
    const n = BigInt(value["#bigint"] as string);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  }
  if ("#set" in value) return new Set((value["#set"] as ItfValue[]).map(decodeItf));
  if ("#map" in value) {
    return new Map((value["#map"] as [ItfValue, ItfValue][]).map(([k, v]) => [decodeItf(k), decodeItf(v)]));
  }
  if ("#tup" in value) return (value["#tup"] as ItfValue[]).map(decodeItf);
  if ("#unserializable" in value) {
    const text = value["#unserializable"] as string;
    if (text === "null") return null;
    return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) ? Number(text) : text;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeItf(v)]));
}

const MAX_DEPTH = 256;

/** Checks that `value` is an ITF expression (strictly: no floats, nulls or unknown # tags). */
export function validateValue(value: unknown, at: string, depth = 0): asserts value is ItfValue {
  if (depth > MAX_DEPTH) wrongType(at, `nested more than ${MAX_DEPTH} levels deep`);
  if (typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) wrongType(at, `${value} is not an integer in the safe range (use #bigint)`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((element, i) => {
      validateValue(element, `${at}[${i}]`, depth + 1);
    });
    return;
  }
  if (!isPlainRecord(value)) wrongType(at, `${value === null ? "null" : typeof value} is not an ITF value`);
  const keys = Object.keys(value);
  const tag = keys.find((key) => key.startsWith("#"));
  if (tag === undefined) {
    for (const key of keys) validateValue(value[key], `${at}${keySegment(key)}`, depth + 1);
    return;
  }
  if (keys.length !== 1 || !(TAGS as readonly string[]).includes(tag)) {
    wrongType(at, `expected one of ${TAGS.join(", ")} alone, got fields ${keys.join(", ")}`);
  }
  const content = value[tag];
  const inner = `${at}["${tag}"]`;
  if (tag === "#bigint" || tag === "#unserializable") {
    if (typeof content !== "string") wrongType(inner, "expected a string");
    if (tag === "#bigint" && !/^-?[0-9]+$/.test(content))
      wrongType(inner, `${JSON.stringify(content)} is not an integer`);
    return;
  }
  if (!Array.isArray(content)) wrongType(inner, "expected an array");
  content.forEach((element, i) => {
    if (tag === "#map") {
      if (!Array.isArray(element) || element.length !== 2) wrongType(`${inner}[${i}]`, "expected a [key, value] pair");
      validateValue(element[0], `${inner}[${i}][0]`, depth + 2);
      validateValue(element[1], `${inner}[${i}][1]`, depth + 2);
    } else validateValue(element, `${inner}[${i}]`, depth + 1);
  });
}
