/**
 * The `walrus-spec` command. Each command's --help says what it does; exit codes are 0 (success),
 * 1 (a negative verdict: a failed check, an undecodable or inconsistent blob) and 2 (could not run:
 * bad arguments, unreadable or malformed input).
 */

import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerCodecCommands } from "./codec-commands.js";
import { registerCheckCommand } from "./check-command.js";
import { registerDocsCommand } from "./docs-command.js";
import { registerMergeCommand } from "./merge-command.js";
import { registerReplayCommand } from "./replay-command.js";
import { EXIT_FAILED, EXIT_USAGE, FailureError, UsageError } from "./errors.js";

function packageVersion(): string {
  const url = new URL(import.meta.url.endsWith(".ts") ? "../package.json" : "../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

/** Builds the program (exported for tests that run commands in-process). */
export function buildProgram(): Command {
  const program = new Command("walrus-spec")
    .description("An executable, model-checked specification of the Walrus storage protocol")
    .version(packageVersion())
    .exitOverride();
  registerCodecCommands(program);
  registerCheckCommand(program);
  registerMergeCommand(program);
  registerReplayCommand(program);
  registerDocsCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/** Runs the CLI and returns its exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
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
      return error.exitCode;
    }
    process.stderr.write(`walrus-spec: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_FAILED;
  }
}
