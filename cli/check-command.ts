/**
 * `walrus-spec check`: the main job of CI. It runs the codec self-check (known answers from the
 * Walrus network and round trips through every codec path); the model checker joins it here.
 */

import { type Command, InvalidArgumentError } from "commander";
import { runCodecSelfCheck } from "../spec/self-check.js";
import { FailureError } from "./errors.js";

async function checkCommand(options: { format: "text" | "json" }): Promise<void> {
  const started = performance.now();
  const results = runCodecSelfCheck();
  const seconds = (performance.now() - started) / 1000;
  const failed = results.filter((result) => !result.ok);
  if (options.format === "json") {
    process.stdout.write(
      `${JSON.stringify({ codec: results, passed: results.length - failed.length, failed: failed.length, seconds }, null, 2)}\n`,
    );
  } else {
    for (const result of results)
      process.stdout.write(`${result.ok ? "ok  " : "FAIL"} ${result.name}${result.ok ? "" : `: ${result.detail}`}\n`);
    process.stdout.write(
      `codec self-check: ${results.length - failed.length} passed, ${failed.length} failed (${seconds.toFixed(1)} s)\n`,
    );
  }
  if (failed.length > 0) throw new FailureError(`${failed.length} codec self-check(s) failed`);
}

export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("check the specification: the codec self-check against Walrus's known answers")
    .option(
      "--format <format>",
      "text or json",
      (value: string) => {
        if (value !== "text" && value !== "json") throw new InvalidArgumentError("must be text or json");
        return value;
      },
      "text",
    )
    .action((options: { format: "text" | "json" }) => checkCommand(options));
}
