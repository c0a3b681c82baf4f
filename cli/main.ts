/**
 * The `walrus-spec` command. Each command's --help says what it does; exit codes are 0 (success),
 * 1 (a negative verdict: a failed check, an undecodable or inconsistent blob) and 2 (could not run:
 * bad arguments, unreadable or malformed input).
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { FailureError, UsageError } from "../report/errors.js";
import { EXIT_FAILED, EXIT_USAGE, exitCodeOf } from "./errors.js";

type Register = (program: Command) => void;

/**
 * The command modules, in help order, each loaded only when one of its commands runs: `blob-id`
 * should not wait for the model checker, the models and xstate to load (a few hundred ms).
 */
const COMMAND_MODULES: ReadonlyArray<{ commands: readonly string[]; load: () => Promise<Register> }> = [
  {
    commands: ["blob-id", "encode", "decode"],
    load: async () => (await import("./codec-commands.js")).registerCodecCommands,
  },
  { commands: ["check", "list"], load: async () => (await import("./check-command.js")).registerCheckCommand },
  { commands: ["merge"], load: async () => (await import("./merge-command.js")).registerMergeCommand },
  { commands: ["replay"], load: async () => (await import("./replay-command.js")).registerReplayCommand },
  { commands: ["mutate"], load: async () => (await import("./mutate-command.js")).registerMutateCommand },
  { commands: ["docs"], load: async () => (await import("./docs-command.js")).registerDocsCommand },
];

function packageVersion(): string {
  const url = new URL(import.meta.url.endsWith(".ts") ? "../package.json" : "../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

/**
 * Builds the program (exported for tests that run commands in-process). Given the arguments, it
 * loads only the module of the command they name (none for --version); otherwise every command.
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command("walrus-spec")
    .description("An executable, model-checked specification of the Walrus storage protocol")
    .version(packageVersion())
    .exitOverride();
  const [first] = argv;
  const named = COMMAND_MODULES.filter((module) => first !== undefined && module.commands.includes(first));
  const versionOnly = argv.length === 1 && (first === "--version" || first === "-V");
  for (const module of versionOnly ? [] : named.length > 0 ? named : COMMAND_MODULES) (await module.load())(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  try {
    await program.parseAsync(argv, { from: "user" });
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end with exit code 0; commander has already printed the message.
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError || error instanceof FailureError) {
      process.stderr.write(`walrus-spec: ${error.message}\n`);
      return exitCodeOf(error);
    }
    process.stderr.write(`walrus-spec: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILED;
  }
}
