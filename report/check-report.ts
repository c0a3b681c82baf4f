/**
 * The reports of a check of several models (`walrus-spec check`), from what each model's check came
 * to (report/check-run.ts): the text report's lines, the JSON report for tools (its types, which
 * `schema/check-report.schema.json` describes, and its format version) and JUnit XML.
 *
 * The JSON report's `formatVersion` changes whenever a field is removed or changes meaning, so that
 * a tool reading it can refuse a report it does not understand rather than misread it; fields may
 * be added without a new version. A test validates real reports against the schema.
 */

import type { PropertyNames } from "../checker/model.js";
import type { ActionPath } from "../checker/path.js";
import type { SearchReport } from "../checker/search.js";
import type { SimulationReport } from "../checker/simulate.js";
import type { CheckResult } from "../spec/self-check.js";
import type { CheckedModel } from "./check-run.js";

/** The version of the JSON report's format (`formatVersion`); 2: each property has its `id`. */
export const REPORT_FORMAT_VERSION = 2;

/** A path as the JSON report gives it: the action indices to follow and each step's label. */
export interface PathJson {
  readonly actionPath: ActionPath;
  readonly steps: readonly string[];
}

/** A property's verdict in a search's JSON report. */
export type PropertyJson =
  | (PropertyNames & { readonly kind: "always" | "eventually"; readonly holds: true })
  | (PropertyNames & {
      readonly kind: "always" | "eventually";
      readonly holds: false;
      /** An `eventually` property: a lasso (a cycle) or a quiescent state where it never held. */
      readonly violation?: "lasso" | "quiescent";
      readonly loopStart?: number;
      readonly counterexample: PathJson;
    })
  | (PropertyNames & { readonly kind: "sometimes"; readonly holds: true; readonly witness: PathJson })
  | (PropertyNames & {
      readonly kind: "sometimes";
      readonly holds: false;
      /** Never reached in the whole state space. */
      readonly vacuous?: true;
      /** Not reached before a bound stopped the search. */
      readonly unknown?: true;
    });

/** One model's search in the JSON report: the search's counts as checker/search.ts reports them. */
export interface ModelJson
  extends Pick<
    SearchReport<unknown, unknown>,
    | "uniqueStates"
    | "generatedStates"
    | "maxDepth"
    | "complete"
    | "stoppedBy"
    | "reduction"
    | "collisionProbability"
    | "bytesPerState"
  > {
  readonly model: string;
  readonly mode: "search";
  readonly parameters: Readonly<Record<string, string | number | boolean>>;
  /** Whether the model did what it should: everything holds, or exactly its expected failures. */
  readonly passed: boolean;
  readonly expectedFailures?: readonly string[];
  readonly properties: readonly PropertyJson[];
  /** The ITF files written with --trace-out. */
  readonly traces: readonly string[];
  readonly timing: { readonly seconds: number };
}

/** One model's simulation in the JSON report: the shard report `merge` reads. */
export type SimulationJson = SimulationReport & {
  /** The catalogue's name, by which `merge` finds what the model expects. */
  readonly catalogueModel: string;
  readonly timing: { readonly seconds: number };
};

/** The JSON report of `check --format json`. */
export type CheckReportJson = {
  readonly formatVersion: typeof REPORT_FORMAT_VERSION;
  readonly codec?: {
    readonly results: readonly CheckResult[];
    readonly failed: number;
    readonly timing: { readonly seconds: number };
  };
} & (
  | { readonly models: readonly ModelJson[] }
  | { readonly simulations: readonly SimulationJson[]; readonly traces: readonly string[] }
);

/** A JUnit test case: passed, failed (with a message and a body) or skipped (with why). */
export interface JunitCase {
  readonly name: string;
  readonly failure?: { readonly message: string; readonly body: string };
  readonly skipped?: string;
}

/** A JUnit test suite: a model, or the codec self-check. */
export interface JunitSuite {
  readonly name: string;
  readonly seconds: number;
  readonly cases: readonly JunitCase[];
  readonly failing: number;
}

/**
 * Text as XML 1.0 character data or an attribute value. XML 1.0 cannot carry most control
 * characters (nor lone surrogates, U+FFFE, U+FFFF) even as references, so each is written as
 * visible text (`\u001b`): a property name or a trace that holds one still gives a file every
 * XML parser reads.
 */
export function xmlText(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters XML forbids
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[<>&"']/g,
    (ch) => {
      if ("<>&\"'".includes(ch)) return `&#${ch.charCodeAt(0)};`;
      return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
    },
  );
}

/** The JUnit XML of the suites. */
export function junitXml(suites: readonly JunitSuite[]): string {
  const lines: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const suite of suites) {
    tests += suite.cases.length;
    failures += suite.failing;
    lines.push(
      `  <testsuite name="${xmlText(suite.name)}" tests="${suite.cases.length}" failures="${suite.failing}" time="${suite.seconds.toFixed(3)}">`,
    );
    for (const c of suite.cases) {
      const open = `    <testcase classname="${xmlText(suite.name)}" name="${xmlText(c.name)}">`;
      if (c.failure) {
        lines.push(
          `${open}<failure message="${xmlText(c.failure.message)}">${xmlText(c.failure.body)}</failure></testcase>`,
        );
      } else if (c.skipped !== undefined) lines.push(`${open}<skipped message="${xmlText(c.skipped)}"/></testcase>`);
      else lines.push(`${open}</testcase>`);
    }
    lines.push("  </testsuite>");
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="walrus-spec check" tests="${tests}" failures="${failures}">`,
    ...lines,
    "</testsuites>",
  ].join("\n");
}

/** The codec self-check as a JUnit suite. */
export function codecSuite(codec: readonly CheckResult[], seconds: number): JunitSuite {
  const cases = codec.map(
    (r): JunitCase =>
      r.ok ? { name: r.name } : { name: r.name, failure: { message: "self-check failed", body: r.detail ?? "" } },
  );
  return { name: "codec self-check", seconds, cases, failing: codec.filter((r) => !r.ok).length };
}

/** The codec self-check of a run: its results and how long it took. */
export interface CodecRun {
  readonly results: readonly CheckResult[];
  readonly seconds: number;
}

/** The self-checks that failed. */
export const codecFailures = (codec: CodecRun | undefined) => (codec?.results ?? []).filter((r) => !r.ok).length;

/** The JUnit suites of a run: the codec self-check (if it ran), then one per model. */
export function checkSuites(codec: CodecRun | undefined, checked: readonly CheckedModel[]): JunitSuite[] {
  return [
    ...(codec !== undefined && codec.results.length > 0 ? [codecSuite(codec.results, codec.seconds)] : []),
    ...checked.map((c) => ({ name: c.name, seconds: c.seconds, ...c.junit })),
  ];
}

/** The JSON report of a run: its models' searches, or (`simulation`) their simulations. */
export function checkReportJson(
  codec: CodecRun | undefined,
  checked: readonly CheckedModel[],
  simulation: boolean,
): CheckReportJson {
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    ...(codec !== undefined
      ? { codec: { results: codec.results, failed: codecFailures(codec), timing: { seconds: codec.seconds } } }
      : {}),
    ...(simulation
      ? { simulations: checked.map((c) => c.json as SimulationJson), traces: checked.flatMap((c) => c.traces) }
      : { models: checked.map((c) => c.json as ModelJson) }),
  };
}

/** The text report of a run: the codec self-check (if it ran), each model's lines, the count of models. */
export function checkReportLines(codec: CodecRun | undefined, checked: readonly CheckedModel[]): string[] {
  const lines: string[] = [];
  if (codec !== undefined) {
    const failed = codecFailures(codec);
    for (const r of codec.results)
      lines.push(`${r.ok ? "ok  " : "FAIL"} codec: ${r.name}${r.ok ? "" : `: ${r.detail}`}`);
    lines.push(
      `codec self-check: ${codec.results.length - failed} passed, ${failed} failed (${codec.seconds.toFixed(1)} s)`,
    );
  }
  for (const c of checked) lines.push(...c.text);
  const failedModels = checked.filter((c) => c.failed).length;
  const unfinished = checked.filter((c) => !c.failed && c.incomplete).length;
  lines.push(
    `models: ${checked.length - failedModels - unfinished} passed, ${failedModels} failed${unfinished > 0 ? `, ${unfinished} incomplete` : ""}`,
  );
  return lines;
}
