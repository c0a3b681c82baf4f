/**
 * Counterexamples and witnesses in the forms an auditor reads, exchanges and re-checks: numbered
 * steps with what each step changed; ITF JSON (the Informal Trace Format of Apalache and Quint,
 * https://apalache-mc.org/docs/adr/015adr-trace.html) carrying the path as action indices; a
 * Mermaid sequence diagram; and replay of a trace file against the model it came from.
 *
 * States are shown and recorded through the model's `describe` (variable name → value), never as
 * the checker's internal encoding, so a trace says something to a reader and survives a rebuild.
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ActorModel, type SystemAction, type SystemState } from "./actors.js";
import type { Fingerprint, Model, Property } from "./model.js";
import { type ActionPath, PathError, followActionPath } from "./path.js";
import type { Path, PathStep } from "./path.js";

/** Machine-readable reason of a {@link TraceError}. */
export type TraceErrorCode =
  | "NOT_JSON"
  | "NOT_ITF"
  | "MISSING_FIELD"
  | "WRONG_TYPE"
  | "INCONSISTENT"
  | "UNENCODABLE"
  | "NO_DESCRIBE"
  | "UNKNOWN_PROPERTY";

/** A trace that cannot be read or written: malformed input, or a model that cannot describe its states. */
export class TraceError extends Error {
  readonly code: TraceErrorCode;
  /** Where in the trace (e.g. `states[3].msgs`), or "" for the whole. */
  readonly at: string;

  constructor(code: TraceErrorCode, at: string, message: string) {
    // A location deep in a nested value is cut in the middle to keep the message readable.
    const where = at.length > 120 ? `${at.slice(0, 60)}…${at.slice(-40)}` : at;
    super(where === "" ? message : `${where}: ${message}`);
    this.name = "TraceError";
    this.code = code;
    this.at = at;
  }
}

/** A property as a trace names it. */
export interface PropertyRef {
  readonly name: string;
  readonly kind: "always" | "sometimes" | "eventually";
}

/**
 * What a trace shows about a property: a violation (of an invariant, or of an `eventually` property
 * by a path to a quiescent state or a lasso) or a reachability witness.
 */
export type Verdict = "violation" | "witness";

const verdictOf = (kind: PropertyRef["kind"]): Verdict => (kind === "sometimes" ? "witness" : "violation");

/** The readable name of an action: the model's own, or the action's value written out. */
export function actionLabel<S, A>(model: Model<S, A>, action: A): string {
  return model.formatAction ? model.formatAction(action) : formatValue(action);
}

// ---------------------------------------------------------------------------------------------
// Values: writing, comparing and diffing what describe() returns

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const isPlainRecord = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
const isNumericArray = (value: unknown): value is ArrayLike<number | bigint> =>
  ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof Uint8Array);
const hex = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
const definedEntries = (record: Record<string, unknown>) =>
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
function canonical(value: unknown): string {
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

const keySegment = (key: string) => (IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);

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
function diffValues(path: string, before: unknown, after: unknown, out: string[]): void {
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
function diffStates(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    diffValues(name, before[name], after[name], out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Numbered steps

/** How numbered steps are written. */
export interface FormatPathOptions {
  /** The initial state's values are cut to this many characters (default 120). */
  readonly maxValueLength?: number;
}

/**
 * The path as numbered lines: step 0 lists the initial state's variables, each later step gives
 * its action (`  3. RM1 → TM: Prepared`) followed by what it changed (`RM1.state: "working" →
 * "prepared"`; sets and lists as added/removed elements when that is shorter).
 */
export function formatPath<S, A>(model: Model<S, A>, path: Path<S, A>, options: FormatPathOptions = {}): string[] {
  const maxValueLength = options.maxValueLength ?? 120;
  const width = String(path.steps.length).length;
  const number = (step: number) => `  ${String(step).padStart(width)}. `;
  const indent = " ".repeat(width + 4);
  const lines = [`${number(0)}initial state`];
  const describe = model.describe?.bind(model);
  let before = describe?.(path.init);
  if (before) {
    for (const [name, value] of Object.entries(before)) {
      const text = formatValue(value);
      const shown = text.length > maxValueLength ? `${text.slice(0, maxValueLength - 1)}…` : text;
      lines.push(`${indent}${name}: ${shown}`);
    }
  }
  path.steps.forEach((step, i) => {
    lines.push(`${number(i + 1)}${actionLabel(model, step.action)}`);
    if (!describe || !before) return;
    const after = describe(step.state);
    const changes = diffStates(before, after);
    lines.push(...(changes.length > 0 ? changes : ["(no visible change)"]).map((line) => `${indent}${line}`));
    before = after;
  });
  return lines;
}

// ---------------------------------------------------------------------------------------------
// ITF values

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

function wrongType(at: string, message: string): never {
  throw new TraceError("WRONG_TYPE", at, message);
}

/** Checks that `value` is an ITF expression (strictly: no floats, nulls or unknown # tags). */
function validateValue(value: unknown, at: string, depth = 0): asserts value is ItfValue {
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

// ---------------------------------------------------------------------------------------------
// ITF traces

/** The `#meta` of a trace walrus-spec writes: enough to find the model and follow the path again. */
export interface ItfMeta {
  readonly format: "ITF";
  readonly "format-description": string;
  readonly description: string;
  /** The model's name in the catalogue (models/index.ts). */
  readonly model: string;
  readonly property: string;
  readonly kind: PropertyRef["kind"];
  readonly verdict: Verdict;
  /** The path as indices: initial state, then the action taken among those enabled at each step. */
  readonly actionPath: ActionPath;
  /** The action taken at each step, as the model names it. */
  readonly actions: readonly string[];
  readonly generator: "walrus-spec";
}

/** One state: its index and the model's described variables in ITF. */
export type ItfState = { readonly "#meta": { readonly index: number } } & { readonly [variable: string]: ItfValue };

/** A trace in ITF as walrus-spec writes it: `#meta`, the variables, the states. */
export interface ItfTrace {
  readonly "#meta": ItfMeta;
  readonly vars: readonly string[];
  readonly states: readonly ItfState[];
  /** A lasso: the last state equals state `loop`, and the behaviour repeats from there (ITF's own field). */
  readonly loop?: number;
}

/** What {@link toItf} records besides the path. */
export interface TraceMeta {
  /** The model's name in the catalogue, by which replay finds it. */
  readonly model: string;
  readonly property: string;
  readonly kind: PropertyRef["kind"];
  readonly description?: string;
  /** For a lasso (an `eventually` violation that cycles): the state the last step returns to. */
  readonly loopStart?: number;
}

/** What {@link toItf} needs besides the path. */
export interface ToItfOptions<S, A> {
  /**
   * A fresh instance of the model, as `replay` builds it. Action indices are positions among the
   * enabled actions, and a model that interns values as it meets them (an ActorModel numbers
   * messages in the order the search first sent them) may order its actions differently once
   * rebuilt; given this, the path is re-found in the fresh instance (by action label and
   * described state) and its indices recorded, so that the trace replays.
   */
  readonly replayModel?: Model<S, A>;
}

const ITF_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html";

function describer<S, A>(model: Model<S, A>): (state: S) => Record<string, unknown> {
  if (!model.describe) throw new TraceError("NO_DESCRIBE", "", `model ${model.name} cannot describe its states`);
  return model.describe.bind(model);
}

function findProperty<S, A>(model: Model<S, A>, name: string, kind: PropertyRef["kind"]): Property<S> | undefined {
  return model.properties.find((p) => p.name === name && p.kind === kind);
}

/**
 * The ActionPath by which `to` takes the steps `path` took in `from`: at each step the enabled
 * action with the same label that leads to the same state (by fingerprint in the same model, by
 * described state in another instance). Matching the label too keeps the path's own actions when
 * several lead to the same state, so the trace names the steps the search reported.
 */
function actionPathOf<S, A>(from: Model<S, A>, path: Path<S, A>, to: Model<S, A>): ActionPath {
  const fa: Fingerprint = { hi: 0, lo: 0 };
  const fb: Fingerprint = { hi: 0, lo: 0 };
  const same =
    from === to
      ? (state: S, target: S) => {
          from.fingerprint(state, fa);
          from.fingerprint(target, fb);
          return fa.hi === fb.hi && fa.lo === fb.lo;
        }
      : (state: S, target: S) => canonical(describer(to)(state)) === canonical(describer(from)(target));
  const inits = to.initStates();
  const init = inits.findIndex((state) => same(state, path.init));
  if (init < 0) throw new TraceError("INCONSISTENT", "", "the model has no initial state like the path's");
  const actions: number[] = [];
  const enabled: A[] = [];
  let state = inits[init];
  path.steps.forEach((step, i) => {
    enabled.length = 0;
    to.actions(state, enabled);
    const label = actionLabel(from, step.action);
    let next: S | undefined;
    const index = enabled.findIndex((action) => {
      if (actionLabel(to, action) !== label) return false;
      next = to.nextState(state, action);
      return next !== undefined && same(next, step.state);
    });
    if (index < 0 || next === undefined) {
      throw new TraceError("INCONSISTENT", "", `step ${i + 1} (${label}) cannot be taken again in the model`);
    }
    actions.push(index);
    state = next;
  });
  return { init, actions };
}

/** The path as an ITF trace, with the property it shows and the path as action indices in `#meta`. */
export function toItf<S, A>(
  model: Model<S, A>,
  path: Path<S, A>,
  meta: TraceMeta,
  options: ToItfOptions<S, A> = {},
): ItfTrace {
  if (!findProperty(model, meta.property, meta.kind)) {
    throw new TraceError("UNKNOWN_PROPERTY", "", `model ${model.name} has no ${meta.kind} property ${meta.property}`);
  }
  const target = options.replayModel ?? model;
  const describe = describer(target);
  const actionPath = actionPathOf(model, path, target);
  // Followed again so that states and labels are exactly what replay will see.
  const followed = followActionPath(target, actionPath);
  const described = [followed.init, ...followed.steps.map((step) => step.state)].map(describe);
  const vars = Object.keys(described[0]);
  const states = described.map((variables, index): ItfState => {
    const names = Object.keys(variables);
    if (names.length !== vars.length || names.some((name) => !vars.includes(name))) {
      throw new TraceError("INCONSISTENT", `states[${index}]`, `variables ${names.join(", ")} differ from state 0's`);
    }
    const state: Record<string, ItfValue> = {};
    for (const name of vars) state[name] = encodeItf(variables[name], `states[${index}].${name}`);
    return { "#meta": { index }, ...state };
  });
  const verdict = verdictOf(meta.kind);
  const steps = followed.steps.length;
  return {
    "#meta": {
      format: "ITF",
      "format-description": ITF_DESCRIPTION,
      description:
        meta.description ??
        `${verdict === "violation" ? "Counterexample to" : "Witness of"} ${meta.kind} ${meta.property} in ${model.name}: ${steps} steps`,
      model: meta.model,
      property: meta.property,
      kind: meta.kind,
      verdict,
      actionPath,
      actions: followed.steps.map((step) => actionLabel(target, step.action)),
      generator: "walrus-spec",
    },
    vars,
    states,
    ...(meta.loopStart !== undefined ? { loop: meta.loopStart } : {}),
  };
}

function field(record: Record<string, unknown>, key: string, at: string): unknown {
  if (!(key in record)) throw new TraceError("MISSING_FIELD", at, `missing field ${key}`);
  return record[key];
}

function stringField(record: Record<string, unknown>, key: string, at: string): string {
  const value = field(record, key, at);
  if (typeof value !== "string") wrongType(`${at}.${key}`, "expected a string");
  return value;
}

function indexArray(value: unknown, at: string): number[] {
  if (!Array.isArray(value)) wrongType(at, "expected an array");
  value.forEach((n, i) => {
    if (!Number.isSafeInteger(n) || n < 0) wrongType(`${at}[${i}]`, "expected a non-negative integer");
  });
  return value;
}

/**
 * Reads a trace walrus-spec wrote (text or parsed JSON), checking it strictly: valid ITF, the
 * `#meta` fields replay needs, one state per step plus the initial one, each with every variable.
 * Anything else is a {@link TraceError}.
 */
export function parseItf(input: unknown): ItfTrace {
  let json = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch (error) {
      // V8 quotes the offending text, line breaks included: keep the message on one line.
      throw new TraceError("NOT_JSON", "", `not JSON (${(error as Error).message.replace(/\s+/g, " ")})`);
    }
  }
  if (!isPlainRecord(json) || !("vars" in json) || !("states" in json)) {
    throw new TraceError("NOT_ITF", "", "not an ITF trace (expected a JSON object with vars and states)");
  }
  const meta = field(json, "#meta", "");
  if (!isPlainRecord(meta)) wrongType("#meta", "expected an object");
  const format = stringField(meta, "format", "#meta");
  if (format !== "ITF") throw new TraceError("NOT_ITF", "#meta.format", `is ${JSON.stringify(format)}, not "ITF"`);
  const model = stringField(meta, "model", "#meta");
  const property = stringField(meta, "property", "#meta");
  const kind = stringField(meta, "kind", "#meta");
  if (kind !== "always" && kind !== "sometimes" && kind !== "eventually") {
    wrongType("#meta.kind", "expected always, sometimes or eventually");
  }
  const verdict = stringField(meta, "verdict", "#meta");
  if (verdict !== verdictOf(kind)) {
    throw new TraceError("INCONSISTENT", "#meta.verdict", `a trace of an ${kind} property is a ${verdictOf(kind)}`);
  }
  const rawPath = field(meta, "actionPath", "#meta");
  if (!isPlainRecord(rawPath)) wrongType("#meta.actionPath", "expected an object {init, actions}");
  const init = field(rawPath, "init", "#meta.actionPath");
  if (!Number.isSafeInteger(init) || (init as number) < 0) {
    wrongType("#meta.actionPath.init", "expected a non-negative integer");
  }
  const indices = indexArray(field(rawPath, "actions", "#meta.actionPath"), "#meta.actionPath.actions");
  const labels = field(meta, "actions", "#meta");
  if (!Array.isArray(labels) || labels.some((label) => typeof label !== "string")) {
    wrongType("#meta.actions", "expected an array of action labels");
  }
  const description = "description" in meta ? stringField(meta, "description", "#meta") : "";

  const vars = json.vars;
  if (!Array.isArray(vars) || vars.some((name) => typeof name !== "string" || name.startsWith("#"))) {
    wrongType("vars", "expected an array of variable names");
  }
  if (new Set(vars).size !== vars.length) throw new TraceError("INCONSISTENT", "vars", "a variable is listed twice");
  const states = json.states;
  if (!Array.isArray(states)) wrongType("states", "expected an array");
  if (states.length !== indices.length + 1 || labels.length !== indices.length) {
    throw new TraceError(
      "INCONSISTENT",
      "states",
      `${states.length} states, ${indices.length} action indices and ${labels.length} action labels (expected steps + 1 states)`,
    );
  }
  const loop = "loop" in json ? json.loop : undefined;
  if (loop !== undefined) {
    if (kind !== "eventually") throw new TraceError("INCONSISTENT", "loop", "only an eventually violation has a loop");
    if (!Number.isSafeInteger(loop) || (loop as number) < 0 || (loop as number) >= states.length - 1) {
      wrongType("loop", `expected the index of a state before the last (0..${states.length - 2})`);
    }
  }
  const parsed = states.map((state: unknown, index): ItfState => {
    const at = `states[${index}]`;
    if (!isPlainRecord(state)) wrongType(at, "expected an object");
    const stateMeta = field(state, "#meta", at);
    if (!isPlainRecord(stateMeta) || stateMeta.index !== index) {
      throw new TraceError("INCONSISTENT", `${at}["#meta"]`, `expected {"index": ${index}}`);
    }
    const values: Record<string, ItfValue> = {};
    for (const name of vars as string[]) {
      const value = field(state, name, at);
      validateValue(value, `${at}${keySegment(name)}`);
      values[name] = value;
    }
    const extra = Object.keys(state).find((key) => key !== "#meta" && !(vars as string[]).includes(key));
    if (extra !== undefined) throw new TraceError("INCONSISTENT", at, `variable ${extra} is not listed in vars`);
    return { "#meta": { index }, ...values };
  });
  return {
    "#meta": {
      format: "ITF",
      "format-description": ITF_DESCRIPTION,
      description,
      model,
      property,
      kind,
      verdict: verdictOf(kind),
      actionPath: { init: init as number, actions: indices },
      actions: labels as string[],
      generator: "walrus-spec",
    },
    vars: vars as string[],
    states: parsed,
    ...(loop !== undefined ? { loop: loop as number } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Replay

/** What replaying a trace found. */
export interface ReplayResult<S, A> {
  /** The trace's verdict is reproduced: every step matches and the property fails (or holds) at the end. */
  readonly confirmed: boolean;
  /** Steps in the trace. */
  readonly steps: number;
  /** The path as far as it could be followed (up to and including a diverging step when it exists);
   *  absent when not even the initial state could be found. */
  readonly path?: Path<S, A>;
  /** The first step where the model and the trace disagree (0 = the initial state). */
  readonly divergence?: { readonly step: number; readonly reason: string };
}

/**
 * Follows the trace's action indices in `model` and checks, step by step, that the action has the
 * recorded label and leads to the recorded state, then that the recorded verdict is reproduced:
 * an invariant fails in the last state, or a witness property holds there.
 */
export function replayTrace<S, A>(model: Model<S, A>, trace: ItfTrace): ReplayResult<S, A> {
  const describe = describer(model);
  const meta = trace["#meta"];
  const steps = meta.actionPath.actions.length;
  let path: Path<S, A>;
  let stuck: PathError | undefined;
  try {
    path = followActionPath(model, meta.actionPath);
  } catch (error) {
    if (!(error instanceof PathError)) throw error;
    if (error.step === 0) return { confirmed: false, steps, divergence: { step: 0, reason: error.message } };
    stuck = error;
    // Everything before the step that cannot be taken is still checked, so the first divergence is reported.
    path = followActionPath(model, { ...meta.actionPath, actions: meta.actionPath.actions.slice(0, error.step - 1) });
  }
  const diverge = (step: number, reason: string): ReplayResult<S, A> => ({
    confirmed: false,
    steps,
    path: { init: path.init, steps: path.steps.slice(0, step) },
    divergence: { step, reason },
  });
  const differs = (state: S, index: number): string | undefined => {
    const recorded = trace.states[index];
    const live = describe(state);
    const names = Object.keys(live);
    if (names.length !== trace.vars.length || names.some((name) => !trace.vars.includes(name))) {
      return `the model's variables (${names.join(", ")}) are not the trace's (${trace.vars.join(", ")})`;
    }
    const changes: string[] = [];
    for (const name of trace.vars) {
      diffValues(name, decodeItf(recorded[name]), decodeItf(encodeItf(live[name], name)), changes);
    }
    return changes.length === 0
      ? undefined
      : `the state differs from the trace (trace → replay): ${changes.join("; ")}`;
  };

  const initial = differs(path.init, 0);
  if (initial !== undefined) return diverge(0, initial);
  for (const [i, step] of path.steps.entries()) {
    const label = actionLabel(model, step.action);
    if (label !== meta.actions[i]) {
      return diverge(
        i + 1,
        `action index ${meta.actionPath.actions[i]} is ${JSON.stringify(label)} in the model, ${JSON.stringify(meta.actions[i])} in the trace`,
      );
    }
    const reason = differs(step.state, i + 1);
    if (reason !== undefined) return diverge(i + 1, reason);
  }
  if (stuck) return diverge(stuck.step, stuck.message);

  const property = findProperty(model, meta.property, meta.kind);
  if (!property) return diverge(0, `the model has no ${meta.kind} property ${meta.property}`);
  const last: S = path.steps.length > 0 ? (path.steps.at(-1) as PathStep<S, A>).state : path.init;
  const holds = property.holds(last);
  if (meta.kind === "always" && holds) {
    return diverge(steps, `${meta.property} holds in the last state: the violation is not reproduced`);
  }
  if (meta.kind === "sometimes" && !holds) {
    return diverge(steps, `${meta.property} does not hold in the last state: the witness is not reproduced`);
  }
  if (meta.kind === "eventually") {
    const states = [path.init, ...path.steps.map((step) => step.state)];
    const reached = states.findIndex((state) => property.holds(state));
    if (reached >= 0)
      return diverge(reached, `${meta.property} holds at step ${reached}: the violation is not reproduced`);
    if (trace.loop !== undefined) {
      if (canonical(describe(last)) !== canonical(describe(states[trace.loop]))) {
        return diverge(steps, `the last state is not state ${trace.loop}: the lasso does not close`);
      }
    } else {
      const enabled: A[] = [];
      model.actions(last, enabled);
      if (enabled.some((action) => model.nextState(last, action) !== undefined)) {
        return diverge(steps, "the last state is not quiescent: an action can still change it");
      }
    }
  }
  return { confirmed: true, steps, path };
}

// ---------------------------------------------------------------------------------------------
// Mermaid

/**
 * Text as Mermaid shows it literally: `#`, `;` and `%` would end or comment out the line, quotes
 * and angle brackets confuse its HTML labels, so they become Mermaid's numeric entity codes.
 */
export function mermaidText(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/[#;%"<>]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

// Words the sequence-diagram lexer reads as keywords even at the start of a longer name.
const MERMAID_KEYWORDS =
  /^(box|participant|actor|create|destroy|loop|rect|opt|alt|else|par|and|critical|option|break|end|left of|right of|links?|properties|details|over|note|activate|deactivate|title|acc|autonumber|off|sequencediagram)/i;

interface DiagramEvent {
  readonly from?: number;
  readonly to?: number;
  readonly over: number;
  readonly text: string;
}

/**
 * Each step of an actor system's path: a delivery as an arrow; an internal step, a crash, a
 * Byzantine send or a lost message as a note over its actor.
 */
function actorEvents(model: ActorModel, path: Path<SystemState, SystemAction>): DiagramEvent[] {
  return path.steps.map((step) => {
    const action = step.action;
    const label = model.formatAction(action);
    switch (action.kind) {
      case "deliver": {
        const message = model.message(action.message);
        return { from: message.from, to: message.to, over: message.to, text: message.event.type };
      }
      case "drop": {
        const message = model.message(action.message);
        return { over: message.to, text: `lost: ${message.event.type} from ${model.actors[message.from].name}` };
      }
      case "byzantine":
        return { over: action.actor, text: `(Byzantine) sends ${model.message(action.message).event.type}` };
      case "crash":
        return { over: action.actor, text: "crashes" };
      default: {
        const prefix = `${model.actors[action.actor].name}: `;
        return { over: action.actor, text: label.startsWith(prefix) ? label.slice(prefix.length) : label };
      }
    }
  });
}

/**
 * The path as a Mermaid `sequenceDiagram`. For an actor system each actor is a participant (in
 * the model's order), a delivered message an arrow and an internal step a note over its actor;
 * any other model is one participant, "system", with a note per step. A closing note names the
 * property (given, or else every invariant the last state violates).
 */
export function toMermaidSequence<S, A>(
  model: Model<S, A>,
  path: Path<S, A>,
  title?: string,
  property?: PropertyRef,
): string {
  const actors = model instanceof ActorModel;
  const names = actors ? model.actors.map((actor) => actor.name) : ["system"];
  const ids = names.map((name, i) =>
    /^[A-Za-z][A-Za-z0-9_]*$/.test(name) && !MERMAID_KEYWORDS.test(name) ? name : `p${i}`,
  );
  const lines = ["sequenceDiagram"];
  if (title !== undefined) lines.push(`  title ${mermaidText(title)}`);
  names.forEach((name, i) => {
    lines.push(ids[i] === name ? `  participant ${name}` : `  participant ${ids[i]} as ${mermaidText(name)}`);
  });
  const events = actors
    ? actorEvents(model, path as unknown as Path<SystemState, SystemAction>)
    : path.steps.map((step, i) => ({ over: 0, text: `${i + 1}. ${actionLabel(model, step.action)}` }));
  for (const event of events as DiagramEvent[]) {
    lines.push(
      event.from !== undefined && event.to !== undefined
        ? `  ${ids[event.from]}->>${ids[event.to]}: ${mermaidText(event.text)}`
        : `  Note over ${ids[event.over]}: ${mermaidText(event.text)}`,
    );
  }
  const last = path.steps.length > 0 ? (path.steps.at(-1) as PathStep<S, A>).state : path.init;
  const closing = property
    ? property.kind === "sometimes"
      ? `witness of ${property.name}`
      : `violation of ${property.name}`
    : model.properties
        .filter((p) => p.kind === "always" && !p.holds(last))
        .map((p) => `violation of ${p.name}`)
        .join(", ");
  if (closing !== "") {
    const span = ids.length > 1 ? `${ids[0]},${ids[ids.length - 1]}` : ids[0];
    lines.push(`  Note over ${span}: ${mermaidText(closing)}`);
  }
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Files

/** A name as a file name part: runs of anything but letters, digits, `.`, `_` and `-` become `-`. */
const fileSafe = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+|-+$/g, "") || "trace";

/** A trace's files as text: the ITF JSON and the Mermaid sequence diagram, and the name they share. */
export interface TraceTexts {
  /** `<model>.<property>`, made safe as a file name. */
  readonly base: string;
  readonly itf: string;
  readonly mermaid: string;
}

/**
 * The ITF trace and the Mermaid diagram of a counterexample (`always`, `eventually`) or witness
 * (`sometimes`) of `propertyName`; `modelName` is the model's catalogue name, by which `walrus-spec
 * replay` finds it again. `description` replaces the trace's default one.
 */
export function traceTexts<S, A>(
  modelName: string,
  model: Model<S, A>,
  propertyName: string,
  kind: PropertyRef["kind"],
  path: Path<S, A>,
  options: ToItfOptions<S, A> & { readonly loopStart?: number; readonly description?: string } = {},
): TraceTexts {
  const { loopStart, description, ...itfOptions } = options;
  const itf = toItf(
    model,
    path,
    {
      model: modelName,
      property: propertyName,
      kind,
      ...(loopStart !== undefined ? { loopStart } : {}),
      ...(description !== undefined ? { description } : {}),
    },
    itfOptions,
  );
  const mermaid = toMermaidSequence(model, path, `${modelName}: ${itf["#meta"].verdict} of ${propertyName}`, {
    name: propertyName,
    kind,
  });
  return {
    base: `${fileSafe(modelName)}.${fileSafe(propertyName)}`,
    itf: `${JSON.stringify(itf, null, 2)}\n`,
    mermaid,
  };
}

/**
 * Writes `<model>.<property>.itf.json` and `<model>.<property>.mmd` ({@link traceTexts}) into
 * `dir`, created if need be; returns their paths.
 */
export function writeTraceFiles<S, A>(
  dir: string,
  modelName: string,
  model: Model<S, A>,
  propertyName: string,
  kind: PropertyRef["kind"],
  path: Path<S, A>,
  options: ToItfOptions<S, A> & { readonly loopStart?: number } = {},
): { readonly itf: string; readonly mermaid: string } {
  const texts = traceTexts(modelName, model, propertyName, kind, path, options);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, texts.base);
  const files = { itf: `${base}.itf.json`, mermaid: `${base}.mmd` };
  writeFileSync(files.itf, texts.itf);
  writeFileSync(files.mermaid, texts.mermaid);
  return files;
}
