/**
 * Counterexamples and witnesses as ITF traces (the Informal Trace Format of Apalache and Quint,
 * https://apalache-mc.org/docs/adr/015adr-trace.html), which other tools read and walrus-spec
 * replays: the described states, with the path as action indices and the property it shows in
 * `#meta`, so that a trace survives a rebuild of the model; and the strict reading of one.
 *
 * A trace names its property by id (`#meta.property`), which stays the same when the property's
 * wording is edited, and gives the name in words beside it (`#meta.propertyName`) for a reader.
 * `#meta.formatVersion` changes whenever a field of `#meta` is removed or changes meaning, so that
 * a trace of an older format is refused with a reason rather than misread; fields may be added
 * without a new version.
 */

import type { Fingerprint, Model, Property, PropertyNames } from "../model.js";
import { type ActionPath, followActionPath } from "../path.js";
import type { Path } from "../path.js";
import { encodeItf, type ItfValue, validateValue } from "./itf-values.js";
import { actionLabel } from "./steps.js";
import { TraceError, wrongType } from "./trace-error.js";
import { canonical, isPlainRecord, keySegment } from "./values.js";

/** A property as a trace names it: its id, its name in words and its kind. */
export type PropertyRef = PropertyNames & { readonly kind: "always" | "sometimes" | "eventually" };

/**
 * The version of the trace format (`#meta.formatVersion`). 2: `#meta.property` is the property's
 * id, its name in words is `#meta.propertyName`. Format 1 had no version field and named the
 * property by its name in words.
 */
export const TRACE_FORMAT_VERSION = 2;

/**
 * What a trace shows about a property: a violation (of an invariant, or of an `eventually` property
 * by a path to a quiescent state or a lasso) or a reachability witness.
 */
export type Verdict = "violation" | "witness";

const verdictOf = (kind: PropertyRef["kind"]): Verdict => (kind === "sometimes" ? "witness" : "violation");

/** The `#meta` of a trace walrus-spec writes: enough to find the model and follow the path again. */
export interface ItfMeta {
  readonly format: "ITF";
  readonly "format-description": string;
  /** walrus-spec's version of what `#meta` holds: {@link TRACE_FORMAT_VERSION}. */
  readonly formatVersion: typeof TRACE_FORMAT_VERSION;
  readonly description: string;
  /** The model's name in the catalogue (models/index.ts). */
  readonly model: string;
  /** The property's id, by which replay finds it in the model. */
  readonly property: string;
  /** The property's name in words, for a reader of the trace (replay does not use it). */
  readonly propertyName: string;
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
  /** The property's id (the trace records its name in words too, from the model). */
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

/** The model's `describe`, or a {@link TraceError} when it has none: a trace records described states. */
export function describer<S, A>(model: Model<S, A>): (state: S) => Record<string, unknown> {
  if (!model.describe) throw new TraceError("NO_DESCRIBE", "", `model ${model.name} cannot describe its states`);
  return model.describe.bind(model);
}

/** The model's property with that id and kind, if any. */
export function findProperty<S, A>(model: Model<S, A>, id: string, kind: PropertyRef["kind"]): Property<S> | undefined {
  return model.properties.find((p) => p.id === id && p.kind === kind);
}

/**
 * The model's property the trace names (by id and kind), or a {@link TraceError} `UNKNOWN_PROPERTY`:
 * a trace of a property the model no longer has cannot be replayed.
 */
export function tracedProperty<S, A>(model: Model<S, A>, ref: Pick<PropertyRef, "id" | "kind">): Property<S> {
  const property = findProperty(model, ref.id, ref.kind);
  if (property === undefined) {
    const ids = model.properties.filter((p) => p.kind === ref.kind).map((p) => p.id);
    throw new TraceError(
      "UNKNOWN_PROPERTY",
      "#meta.property",
      `model ${model.name} has no ${ref.kind} property with id ${JSON.stringify(ref.id)}${ids.length > 0 ? ` (its ${ref.kind} properties: ${ids.join(", ")})` : ""}`,
    );
  }
  return property;
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
  const property = tracedProperty(model, { id: meta.property, kind: meta.kind });
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
      formatVersion: TRACE_FORMAT_VERSION,
      description:
        meta.description ??
        `${verdict === "violation" ? "Counterexample to" : "Witness of"} ${meta.kind} ${property.name} in ${model.name}: ${steps} steps`,
      model: meta.model,
      property: property.id,
      propertyName: property.name,
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
 * Checks that `#meta` is of {@link TRACE_FORMAT_VERSION}: a trace of format 1 (no version field)
 * names its property by its name in words, which this version would look up as an id and not find,
 * so it is refused with what to do instead.
 */
function formatVersionOf(meta: Record<string, unknown>): void {
  if (!("formatVersion" in meta)) {
    throw new TraceError(
      "UNSUPPORTED_VERSION",
      "#meta.formatVersion",
      `missing: a trace of walrus-spec's trace format 1, which named the property by its name in words; this version reads format ${TRACE_FORMAT_VERSION} (the property by id): write the trace again with check --trace-out`,
    );
  }
  const version = meta.formatVersion;
  if (version !== TRACE_FORMAT_VERSION) {
    throw new TraceError(
      "UNSUPPORTED_VERSION",
      "#meta.formatVersion",
      `is ${JSON.stringify(version)}; this version of walrus-spec reads trace format ${TRACE_FORMAT_VERSION} only`,
    );
  }
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
  formatVersionOf(meta);
  const model = stringField(meta, "model", "#meta");
  const property = stringField(meta, "property", "#meta");
  const propertyName = stringField(meta, "propertyName", "#meta");
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
      formatVersion: TRACE_FORMAT_VERSION,
      description,
      model,
      property,
      propertyName,
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
