/**
 * The auditor's guide (docs/README.md) works as written. Each command of its `sh` blocks runs, in
 * order, in a scratch directory: `node dist/cli/bin.js ARGS` as the same command line from the
 * sources (`main(ARGS)`, so the test needs no build), its output redirected where the guide says
 * `> FILE`; the `# → exit N: TEXT` line after it gives the exit code and a line of the output
 * (spaces collapsed). The npm commands the guide shows are CI's own (`.ci/run`, package.json),
 * and the test checks that they are. Each `ts` block opens with `// PATH` and must be a verbatim
 * excerpt of that file (indentation aside), so the guide quotes code that compiles and is tested;
 * a block that opens with `// FILE (your own file)` is an auditor's file, which the test writes
 * into the scratch directory for the commands to use (and test/pack/ compiles against the
 * installed package).
 */

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../cli/main.js";
import { OWN_FILE, guideOwnFiles } from "./support/guide.js";
import { captureOutput } from "./support/output.js";

const ROOT = join(import.meta.dirname, "..");
const GUIDE = readFileSync(join(ROOT, "docs", "README.md"), "utf8");
const CLI = "node dist/cli/bin.js ";

interface Block {
  readonly language: string;
  readonly lines: readonly string[];
}

const blocks: Block[] = [...GUIDE.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((match) => ({
  language: match[1] ?? "",
  lines: (match[2] ?? "").replace(/\n$/, "").split("\n"),
}));

interface Command {
  readonly line: string;
  readonly expected?: { readonly exit: number; readonly text?: string };
}

/** The commands of the `sh` blocks, each with the expectation on the line after it. */
const commands: Command[] = blocks
  .filter((block) => block.language === "sh")
  .flatMap((block) => {
    const found: Command[] = [];
    for (const line of block.lines) {
      const expectation = /^# → exit (\d+)(?:: (.*))?$/.exec(line);
      const last = found[found.length - 1];
      if (expectation && last !== undefined && last.expected === undefined) {
        const text = expectation[2];
        found[found.length - 1] = {
          line: last.line,
          expected: { exit: Number(expectation[1]), ...(text === undefined ? {} : { text }) },
        };
      } else if (line.trim() !== "" && !line.startsWith("#")) {
        found.push({ line });
      }
    }
    return found;
  });

/** Commands CI runs, which this test only checks CI does run: what each needs to be true. */
const ci = readFileSync(join(ROOT, ".ci", "run"), "utf8");
const scripts = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;
const RUN_BY_CI: Record<string, () => boolean> = {
  "npm ci": () => ci.includes("npm ci"),
  "npm run build": () => scripts.check?.startsWith("npm run build") === true && ci.includes("npm run check"),
  "npm run check": () => ci.includes("npm run check"),
  "npm test": () => scripts.test === "vitest run" && ci.includes("npx vitest run"),
  // What `npm run docs` writes is what `docs:check` compares the committed pages with.
  "npm run docs": () => scripts.docs?.startsWith("tsx cli/bin.ts docs") === true && ci.includes("npm run docs:check"),
  "npm run docs:check": () => ci.includes("npm run docs:check"),
};

const collapse = (text: string) => text.replace(/\s+/g, " ").trim();

const ownFiles = guideOwnFiles(GUIDE);

describe("the guide's commands", () => {
  let scratch = "";
  const home = process.cwd();
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), "walrus-spec-guide-"));
    process.chdir(scratch);
    for (const file of ownFiles) writeFileSync(file.name, file.text);
  });
  afterAll(() => {
    process.chdir(home);
    rmSync(scratch, { recursive: true, force: true });
  });
  const { stdout, stderr, printed } = captureOutput();

  it("are found, the CLI's with an expectation each", () => {
    expect(commands.filter((c) => c.line.startsWith(CLI)).length).toBeGreaterThanOrEqual(8);
    const unknown = commands.filter((c) => !c.line.startsWith(CLI) && !(c.line in RUN_BY_CI)).map((c) => c.line);
    expect(unknown, "commands the test cannot run").toEqual([]);
    const unchecked = commands.filter((c) => c.line.startsWith(CLI) && c.expected === undefined).map((c) => c.line);
    expect(unchecked, "commands without `# → exit N`").toEqual([]);
  });

  it.each(commands.filter((c) => !c.line.startsWith(CLI)).map((c) => [c.line]))("%s: CI runs it", (line) => {
    expect(RUN_BY_CI[line]?.()).toBe(true);
  });

  it.each(commands.filter((c) => c.line.startsWith(CLI)).map((c) => [c.line, c]))(
    "%s",
    async (_line, command) => {
      const words = command.line.slice(CLI.length).split(/\s+/);
      const redirect = words.indexOf(">");
      const argv = redirect < 0 ? words : words.slice(0, redirect);
      const code = await main(argv);
      const out = printed(stdout);
      if (redirect >= 0) writeFileSync(words[redirect + 1] as string, out);
      const all = `${out}\n${printed(stderr)}`;
      expect({ exit: code, ...(command.expected?.text === undefined ? {} : { text: collapse(all) }) }).toEqual({
        exit: command.expected?.exit,
        ...(command.expected?.text === undefined
          ? {}
          : { text: expect.stringContaining(collapse(command.expected.text)) }),
      });
    },
    30_000,
  );
});

describe("the guide's code", () => {
  const quotes = blocks.filter((block) => block.language === "ts" && !OWN_FILE.test(block.lines[0] ?? ""));

  it("has the auditor's own files the guide's commands use", () => {
    expect(ownFiles.map((file) => file.name)).toEqual(expect.arrayContaining(["my-model.ts", "check-it.ts"]));
  });

  it("is quoted from files, each block naming its file", () => {
    expect(quotes.length).toBeGreaterThanOrEqual(5);
    for (const quote of quotes) expect(quote.lines[0]).toMatch(/^\/\/ [\w./-]+\.ts$/);
  });

  it.each(
    quotes.map((quote) => [quote.lines[0], quote.lines.slice(1)] as const),
  )("%s: the excerpt is in the file", (header, excerpt) => {
    const file = readFileSync(join(ROOT, header.slice("// ".length)), "utf8").split("\n");
    const indent = (line: string) => line.length - line.trimStart().length;
    const first = excerpt[0] ?? "";
    // The file's lines from `at` on, less the indentation the excerpt's first line drops there.
    const matches = (at: number) => {
      const drop = indent(file[at] ?? "") - indent(first);
      return (
        drop >= 0 &&
        excerpt.every((line, k) => {
          const original = file[at + k];
          if (original === undefined) return false;
          return line === "" ? original.trim() === "" : original === " ".repeat(drop) + line;
        })
      );
    };
    expect(
      file.some((_, at) => matches(at)),
      `${header}: not found as quoted`,
    ).toBe(true);
  });
});
