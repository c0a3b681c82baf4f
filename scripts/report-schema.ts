/**
 * Generates `schema/check-report.schema.json`, the JSON Schema of `walrus-spec check --format
 * json`, from the report's TypeScript types (`CheckReportJson` in report/check-report.ts), so that
 * the schema and the code that writes the report cannot say different things. `npm run docs`
 * writes it; `npm run docs:check` (in CI) fails when the committed schema differs from what the
 * types generate now. test/check-report-schema.test.ts validates real reports against it.
 *
 * Run: `npx tsx scripts/report-schema.ts [--check]`.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";
import { REPORT_FORMAT_VERSION } from "../report/check-report.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SCHEMA_FILE = `${ROOT}schema/check-report.schema.json`;

const generated = createGenerator({
  path: `${ROOT}report/check-report.ts`,
  tsconfig: `${ROOT}tsconfig.json`,
  type: "CheckReportJson",
  skipTypeCheck: true,
  // A field the types do not name is an error: the schema says everything the report may hold.
  additionalProperties: false,
  expose: "export",
  topRef: true,
}).createSchema("CheckReportJson");

const schema = {
  $schema: generated.$schema,
  $id: `urn:walrus-spec:check-report:v${REPORT_FORMAT_VERSION}`,
  title: "walrus-spec check report",
  description: `The report of \`walrus-spec check --format json\`, format version ${REPORT_FORMAT_VERSION}. Generated from report/check-report.ts by scripts/report-schema.ts: do not edit.`,
  $ref: generated.$ref,
  definitions: generated.definitions,
};
const text = `${JSON.stringify(schema, null, 2)}\n`;

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(SCHEMA_FILE, "utf8");
  } catch {}
  if (current !== text) {
    process.stderr.write(
      "schema/check-report.schema.json differs from what report/check-report.ts generates: run `npm run docs` and commit it\n",
    );
    process.exitCode = 1;
  } else process.stdout.write("schema/check-report.schema.json: up to date\n");
} else {
  writeFileSync(SCHEMA_FILE, text);
  process.stdout.write("schema/check-report.schema.json: written\n");
}
