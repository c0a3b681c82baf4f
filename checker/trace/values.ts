/**
 * Values as counterexamples show them: what a model's `describe` returns written for a reader,
 * compared by content (whatever the order of set elements, map entries and record fields), and
 * diffed from one state to the next: one line per changed leaf, a list of keyed records entry by
 * entry, a set as what it gained and lost, so that a step shows what it changed and not the whole
 * state again.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Whether `value` is a plain object (a record of state, not a class instance). */
export const isPlainRecord = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
/** Whether `value` is a typed array of numbers (bytes, a Uint8Array, are written as hex instead). */
export const isNumericArray = (value: unknown): value is ArrayLike<number | bigint> =>
  ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof Uint8Array);
/** Bytes as lower-case hex, as ITF writes them. */
export const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
/** A record's fields whose value is not undefined (an absent field and an undefined one are the same). */
export const definedEntries = (record: Record<string, unknown>) =>
  Object.entries(record).filter(([, value]) => value !== undefined);

/** A value written for a reader: strings quoted, sets in braces, records as {key: value}. */
export function formatValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return `0x${hex(value)}`;
  if (Array.isArray(value) || isNumericArray(value)) return `[${Array.from(value, formatValue).join(", ")}]`;
  if (value instanceof Set) return `{${Array.from(value, formatValue).join(", ")}}`;
  if (value instanceof Map) {
    return `{${Array.from(value, ([k, v]) => `${formatValue(k)} ↦ ${formatValue(v)}`).join(", ")}}`;
  }
  if (isPlainRecord(value)) {
    const fields = definedEntries(value).map(
      ([k, v]) => `${IDENTIFIER.test(k) ? k : JSON.stringify(k)}: ${formatValue(v)}`,
    );
    return `{${fields.join(", ")}}`;
  }
  return String(value);
}

/**
 * A key equal for equal values, whatever the order of set elements, map entries and record
 * fields, and whether an integer is a number or a bigint (as ITF does not tell them apart).
 */
export function canonical(value: unknown): string {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Uint8Array) return JSON.stringify(hex(value)); // as ITF writes it
  if (Array.isArray(value) || isNumericArray(value)) return `[${Array.from(value, canonical).join(",")}]`;
  if (value instanceof Set) return `#set[${Array.from(value, canonical).sort().join(",")}]`;
  if (value instanceof Map) {
    return `#map[${Array.from(value, ([k, v]) => `${canonical(k)}=>${canonical(v)}`)
      .sort()
      .join(",")}]`;
  }
  if (isPlainRecord(value)) {
    const fields = definedEntries(value).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`);
    return `{${fields.sort().join(",")}}`;
  }
  return `?${String(value)}`;
}

/** A key as a path segment: `.key`, or `["key"]` when it is not an identifier. */
export const keySegment = (key: string) => (IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

/** Elements of `from` not matched (by value, counting repeats) in `against`. */
function unmatched(from: readonly unknown[], against: readonly unknown[]): unknown[] {
  const counts = new Map<string, number>();
  for (const element of against) {
    const key = canonical(element);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return from.filter((element) => {
    const key = canonical(element);
    const left = counts.get(key) ?? 0;
    if (left > 0) counts.set(key, left - 1);
    return left === 0;
  });
}

/** The keys that name a record of state in a list. */
const RECORD_KEYS = ["blobId", "shard", "name"] as const;

/** Whether two records of state (no `type`) are the same entry: the first key either has, equal in both. */
function sameKeyedRecord(a: unknown, b: unknown): boolean {
  if (!isPlainRecord(a) || !isPlainRecord(b) || "type" in a || "type" in b) return false;
  const key = RECORD_KEYS.find((k) => k in a);
  return key !== undefined && canonical(a[key]) === canonical(b[key]);
}

/** Appends `path: before → after` lines for what differs, descending into records and maps. */
export function diffValues(path: string, before: unknown, after: unknown, out: string[]): void {
  if (canonical(before) === canonical(after)) return;
  const absent = (value: unknown) => (value === undefined ? "(absent)" : formatValue(value));
  const whole = `${absent(before)} → ${absent(after)}`;
  if (isPlainRecord(before) && isPlainRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) diffValues(`${path}${keySegment(key)}`, before[key], after[key], out);
    return;
  }
  if (before instanceof Map && after instanceof Map) {
    const entries = new Map<string, [unknown, unknown, unknown]>();
    for (const [k, v] of before) entries.set(canonical(k), [k, v, undefined]);
    for (const [k, v] of after) {
      const known = entries.get(canonical(k));
      entries.set(canonical(k), [k, known?.[1], v]);
    }
    for (const [k, b, a] of entries.values()) diffValues(`${path}[${formatValue(k)}]`, b, a, out);
    return;
  }
  // A list of records each of which keeps its key (a node's blobs by blob ID, a blob's slots by
  // shard): what changed in each. Messages and requests (records with a `type`) are compared as
  // elements of a set, below.
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    before.length === after.length &&
    before.every((element, i) => sameKeyedRecord(element, after[i]))
  ) {
    for (const [i, element] of before.entries()) diffValues(`${path}[${i}]`, element, after[i], out);
    return;
  }
  const sameCollection =
    (Array.isArray(before) && Array.isArray(after)) || (before instanceof Set && after instanceof Set);
  if (sameCollection) {
    const b = Array.from(before as Iterable<unknown>);
    const a = Array.from(after as Iterable<unknown>);
    const delta = [
      ...unmatched(a, b).map((element) => `+ ${formatValue(element)}`),
      ...unmatched(b, a).map((element) => `− ${formatValue(element)}`),
    ].join(", ");
    // A reordering adds and removes nothing: only the whole value shows it.
    out.push(`${path}: ${delta !== "" && delta.length < whole.length ? delta : whole}`);
    return;
  }
  out.push(`${path}: ${whole}`);
}

/** The changes from one described state to the next, one line per changed leaf or collection. */
export function diffStates(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    diffValues(name, before[name], after[name], out);
  }
  return out;
}
